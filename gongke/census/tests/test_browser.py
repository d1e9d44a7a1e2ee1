"""The door-to-door round on a phone: a duty officer registers a resident, records a visit and
takes the temperatures of those in home isolation."""

from datetime import timedelta
from decimal import Decimal

import pytest

pytestmark = [pytest.mark.browser]


@pytest.fixture
def census_round(transactional_db, cast):
    from django.utils import timezone

    from gongke.census import services

    household, _ = services.save_household(
        place=cast.compound_a, building="1", unit="2", room="501"
    )
    resident, _ = services.register_resident(user=cast.admin_a, household=household, name="王伟")
    iso, _ = services.start_isolation(
        user=cast.admin_a, resident=resident, start=timezone.localdate() - timedelta(days=3)
    )
    return household, iso


def test_a_duty_officer_does_the_round_on_a_phone(census_round, cast, live_server, phone):
    household, iso = census_round
    page = phone

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "guard_a")
    page.fill("input[name=password]", cast.password)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/census/household/{household.pk}/")
    page.fill("form[action$='/residents/new/'] input[name=name]", "李娜")
    page.fill("form[action$='/residents/new/'] input[name=phone]", "13912345678")
    page.click("form[action$='/residents/new/'] button[type=submit]")
    page.wait_for_load_state()
    assert "李娜" in page.content()
    page.click("button[name=outcome][value=met]")
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/census/isolations/?show=missing")
    page.fill("tr.missing input[name=temperature]", "38.1")
    page.click("tr.missing button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("tr.missing").count() == 0

    from gongke.census.models import DailyCheck, Resident, Visit

    assert Resident.objects.filter(name="李娜", phone="13912345678").count() == 1
    assert Visit.objects.get().by == cast.guard_a
    assert DailyCheck.objects.get(isolation=iso).temperature == Decimal("38.1")
