"""Real browser: a volunteer checks in at a post with their phone, staff see the counties map."""

import datetime as dt

import pytest

from gongke.volunteers import geo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_names_city_maps_by_the_pinyin_of_province_and_city():
    assert geo.file_name("山东省", "滨州市") == "shan1_dong1_bin1_zhou1.geojson"


def test_a_volunteer_checks_in_and_out_with_their_phone(cast, phone):
    from django.utils import timezone
    from playwright.sync_api import expect

    from gongke.registry import services as registry
    from gongke.volunteers import services
    from gongke.volunteers.views import check_in_path

    team = services.save_team(organization=cast.chamber_a, name="东城党员志愿服务队")
    person = registry.save_person(organization=cast.chamber_a, name="志愿者小李")
    v = services.add_volunteer(team=team, person=person)
    now = timezone.now()
    services.create_team_shift(
        team=team,
        post=cast.post_a,
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=4),
        volunteers=[v],
    )
    phone.goto(f"/volunteers/pass/{v.pass_token}/")
    expect(phone.get_by_text("东城花园东门卡口")).to_be_visible()
    phone.goto(check_in_path(cast.post_a.pk))
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_role("button", name="签退")).to_be_visible()
    phone.get_by_role("button", name="签退").click()
    expect(phone.get_by_text("已签退")).to_be_visible()


def test_staff_see_the_counties_covered_on_the_map(cast, page, sign_in):
    from playwright.sync_api import expect

    from gongke.volunteers import services
    from gongke.volunteers.models import Division

    if not (geo.GEO_DIR / "shan1_dong1_bin1_zhou1.geojson").exists():
        pytest.skip("no city maps in static/vendor/geo: run scripts/assets.py after npm install")
    Division.objects.create(code="37", name="山东省", level=1)
    Division.objects.create(code="3716", name="滨州市", level=2, parent_id="37")
    county = Division.objects.create(code="371625", name="博兴县", level=3, parent_id="3716")
    services.record_operation(
        organization=cast.chamber_a,
        division=county,
        kind="spraying",
        day=dt.date(2020, 2, 10),
        area_mu="9800",
    )
    sign_in(page, "staff_a")
    page.goto("/volunteers/operations/map/")
    expect(page.get_by_role("heading", name="滨州市")).to_be_visible()
    expect(page.locator("[data-map-url] canvas")).to_be_visible()
