from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from gongke.census import services
from gongke.census.models import DailyCheck, Isolation


def _today():
    return timezone.localdate()


def test_it_counts_the_days_of_an_isolation(census):
    iso, created = services.start_isolation(
        user=census.admin_a, resident=census.resident, start=_today() - timedelta(days=4)
    )
    assert created
    assert iso.end_day == _today() + timedelta(days=9)
    assert iso.day_number(_today()) == 5
    assert list(Isolation.objects.running_on(_today())) == [iso]
    assert list(Isolation.objects.ending_on(_today() + timedelta(days=9))) == [iso]


def test_starting_twice_returns_the_running_isolation(census):
    first, _ = services.start_isolation(
        user=census.admin_a, resident=census.resident, start=_today()
    )
    again, created = services.start_isolation(
        user=census.admin_a, resident=census.resident, start=_today(), days=7
    )
    assert not created and again == first


def test_it_refuses_an_implausible_temperature_with_a_clear_message(census):
    iso, _ = services.start_isolation(user=census.admin_a, resident=census.resident, start=_today())
    with pytest.raises(ValidationError) as exc:
        services.record_check(user=census.admin_a, isolation=iso, temperature="63.5")
    assert "34.0" in " ".join(exc.value.messages) and "43.0" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError):
        services.record_check(user=census.admin_a, isolation=iso, temperature="abc")


def test_the_database_itself_refuses_an_implausible_temperature(census):
    iso, _ = services.start_isolation(user=census.admin_a, resident=census.resident, start=_today())
    with pytest.raises(IntegrityError), transaction.atomic():
        DailyCheck.objects.create(isolation=iso, day=_today(), temperature=Decimal("30.0"))


def test_a_second_reading_the_same_day_corrects_the_first(census):
    iso, _ = services.start_isolation(user=census.admin_a, resident=census.resident, start=_today())
    services.record_check(user=census.admin_a, isolation=iso, temperature="36.5")
    check, created = services.record_check(user=census.admin_a, isolation=iso, temperature="37.6℃")
    assert not created and check.temperature == Decimal("37.6") and check.is_fever
    assert DailyCheck.objects.count() == 1


def test_a_check_outside_the_period_is_refused(census):
    iso, _ = services.start_isolation(user=census.admin_a, resident=census.resident, start=_today())
    with pytest.raises(ValidationError):
        services.record_check(
            user=census.admin_a, isolation=iso, temperature="36.5", day=_today() - timedelta(1)
        )


def test_ending_early_needs_a_reason_and_moves_the_last_day(census):
    iso, _ = services.start_isolation(
        user=census.admin_a, resident=census.resident, start=_today() - timedelta(3)
    )
    with pytest.raises(ValidationError):
        services.end_isolation(user=census.admin_a, isolation=iso)
    services.end_isolation(user=census.admin_a, isolation=iso, note="转集中隔离")
    iso.refresh_from_db()
    assert iso.end_day == _today() and iso.ended_at is not None
    # a new isolation may start once the old one is signed off
    _new, created = services.start_isolation(
        user=census.admin_a, resident=census.resident, start=_today()
    )
    assert created


def test_ending_on_the_last_day_needs_no_reason(census):
    iso, _ = services.start_isolation(
        user=census.admin_a, resident=census.resident, start=_today() - timedelta(13)
    )
    services.end_isolation(user=census.admin_a, isolation=iso)
    iso.refresh_from_db()
    assert iso.end_day == _today() and iso.ended_at


def test_a_return_recorded_twice_is_one_record(census):
    day = _today() - timedelta(2)
    first, c1 = services.record_return(
        user=census.admin_a, resident=census.resident, from_place="武汉", returned_on=day
    )
    again, c2 = services.record_return(
        user=census.admin_a, resident=census.resident, from_place="武汉", returned_on=day
    )
    assert c1 and not c2 and first == again
