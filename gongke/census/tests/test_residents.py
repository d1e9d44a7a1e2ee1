from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from gongke.census import services
from gongke.census.models import Isolation, Resident, ReturnRecord

from .conftest import make_id


def test_it_merges_a_resident_registered_twice_with_the_same_id_number(census):
    again, created = services.register_resident(
        user=census.staff_a,
        household=census.household,
        name="王伟",
        id_number=make_id(),
        note="二次登记",
    )
    assert not created
    assert again.pk == census.resident.pk
    assert Resident.objects.filter(name="王伟").count() == 1
    assert again.phone == "13812345678"  # a blank in the second registration erases nothing


def test_it_follows_a_person_who_moved_to_another_household(census):
    other, _ = services.save_household(place=census.compound_a, building="2", unit="1", room="302")
    moved, created = services.register_resident(
        user=census.admin_a, household=other, name="王伟", id_number=make_id()
    )
    assert not created and moved.household == other


def test_it_merges_the_same_name_and_phone_in_the_same_household(census):
    services.register_resident(
        user=census.admin_a, household=census.household, name="张敏", phone="13900001111"
    )
    again, created = services.register_resident(
        user=census.admin_a,
        household=census.household,
        name="张敏",
        phone="13900001111",
        birth_year=1980,
    )
    assert not created and again.birth_year == 1980
    assert Resident.objects.filter(name="张敏").count() == 1


def test_it_refuses_a_bad_id_number_with_a_clear_message(census):
    with pytest.raises(ValidationError) as exc:
        services.register_resident(
            user=census.admin_a,
            household=census.household,
            name="赵强",
            id_number="110105194912310021",
        )
    assert "校验码" in exc.value.message_dict["id_number"][0]


def test_it_stores_the_id_number_only_hashed_and_masked(census):
    r = census.resident
    assert r.id_number_masked == make_id()[:3] + "*" * 15
    assert make_id() not in r.id_number_hash
    assert r.gender == "f" and r.birth_year == 1949  # read off the number at registration


def test_it_refuses_to_take_over_a_person_kept_by_another_organization(census):
    services.register_resident(
        user=census.outsider_b,
        household=census.household_b,
        name="孙丽",
        id_number=make_id("11010519800101004"),
    )
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        services.register_resident(
            user=census.admin_a,
            household=census.household,
            name="孙丽",
            id_number=make_id("11010519800101004"),
        )
    assert "another organization" in exc.value.message_dict["id_number"][0]


def test_it_merges_two_records_moving_returns_and_isolations(census):
    dup, _ = services.register_resident(
        user=census.admin_a, household=census.household, name="王伟", phone="13700000000"
    )
    services.record_return(
        user=census.admin_a,
        resident=dup,
        from_place="武汉",
        returned_on=timezone.localdate() - timedelta(days=3),
    )
    services.start_isolation(
        user=census.admin_a, resident=dup, start=timezone.localdate() - timedelta(days=3)
    )
    survivor = services.merge_residents(
        user=census.admin_a, survivor=census.resident, duplicate=dup
    )
    assert not Resident.objects.filter(pk=dup.pk).exists()
    assert ReturnRecord.objects.get().resident == survivor
    assert Isolation.objects.get().resident == survivor
    assert any("merged" in (e.changes or {}) for e in LogEntry.objects.get_for_object(survivor))


def test_it_refuses_to_merge_two_different_id_numbers(census):
    other, _ = services.register_resident(
        user=census.admin_a,
        household=census.household,
        name="王伟",
        id_number=make_id("11010519800101004"),
    )
    with pytest.raises(ValidationError):
        services.merge_residents(user=census.admin_a, survivor=census.resident, duplicate=other)


def test_a_reveal_needs_a_reason_and_is_audited(census):
    with pytest.raises(ValidationError):
        services.reveal_id_number(user=census.admin_a, resident=census.resident, reason="")
    shown = services.reveal_id_number(
        user=census.admin_a, resident=census.resident, reason="核酸检测登记"
    )
    assert shown == census.resident.id_number_masked
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).get()
    assert entry.actor == census.admin_a
    assert entry.additional_data["reason"] == "核酸检测登记"
    assert entry.additional_data["org_path"] == census.chamber_a.path


def test_search_finds_a_resident_by_pinyin_initials(census):
    assert list(Resident.objects.search("ww")) == [census.resident]


def test_a_concurrent_registration_of_the_same_person_merges(census, monkeypatch):
    """Another request registered the same ID number between our lookup and our insert."""
    number = make_id("11010519800101004")
    other, _ = services.register_resident(
        user=census.admin_a, household=census.household, name="周杰", id_number=number
    )
    real_lookup = services._registered
    calls = []

    def miss_the_first_time(id_hash):
        calls.append(id_hash)
        return None if len(calls) == 1 else real_lookup(id_hash)

    monkeypatch.setattr(services, "_registered", miss_the_first_time)
    resident, created = services.register_resident(
        user=census.admin_a,
        household=census.household,
        name="周杰",
        phone="13500000000",
        id_number=number,
    )
    assert len(calls) == 2
    assert not created and resident.pk == other.pk and resident.phone == "13500000000"
    assert Resident.objects.filter(name="周杰").count() == 1


def test_finding_a_person_kept_elsewhere_counts_as_a_look_behind_a_number(census, settings):
    """ "Registered by another organization" answers whether a typed number exists in the
    county: like a reveal, each such answer spends the user's hourly allowance."""
    from gongke.census.reveals import TooManyReveals

    settings.ID_REVEALS_PER_HOUR = 2
    number = make_id("11010519800101004")
    services.register_resident(
        user=census.outsider_b, household=census.household_b, name="孙丽", id_number=number
    )
    for _ in range(2):
        with pytest.raises(ValidationError) as exc:
            services.register_resident(
                user=census.admin_a, household=census.household, name="孙丽", id_number=number
            )
        assert not isinstance(exc.value, TooManyReveals)
    with pytest.raises(TooManyReveals):
        services.register_resident(
            user=census.admin_a, household=census.household, name="孙丽", id_number=number
        )
