"""Home = what to do next (gongke.lib.todos): each role's to-dos, each a link, through the apps'
access paths; a provider another app adds shows up without touching the home page."""

import datetime as dt

import pytest
from django.urls import reverse

from gongke.community.models import Alert
from gongke.lib import todos
from gongke.resumption import services
from gongke.resumption.models import Application, Category, Status, local_today


def _labels(client) -> str:
    r = client.get("/")
    assert r.status_code == 200
    return r.content.decode()


def test_a_reporter_is_told_to_send_today_s_report_until_it_is_in(cast, client_for):
    found = {t.url for t in todos.todos_for(cast.reporter_a1)}
    assert reverse("resumption:enterprise", args=[cast.a1.pk]) in found
    services.submit_report(enterprise=cast.a1, user=cast.reporter_a1, data={"staff_on_site": 3})
    found = {t.url for t in todos.todos_for(cast.reporter_a1)}
    assert reverse("resumption:enterprise", args=[cast.a1.pk]) not in found


def test_a_chamber_admin_sees_missing_reports_and_applications_to_review(cast, client_for):
    Application.objects.create(
        enterprise=cast.a1,
        category=Category.INDUSTRY,
        planned_date=dt.date(2020, 2, 10),
        staff_total=5,
        staff_planned=5,
        responsible_person="王",
        status=Status.SUBMITTED,
    )
    urls = {t.url for t in todos.todos_for(cast.admin_a)}
    assert reverse("resumption:missing") + f"?org={cast.chamber_a.pk}" in urls
    assert reverse("resumption:applications") + "?status=submitted" in urls
    # A viewer reviews nothing; the outsider's chamber has no application waiting.
    assert reverse("resumption:applications") + "?status=submitted" not in {
        t.url for t in todos.todos_for(cast.viewer_a)
    }
    assert reverse("resumption:applications") + "?status=submitted" not in {
        t.url for t in todos.todos_for(cast.outsider_b)
    }


def test_fever_alerts_and_roster_gaps_are_to_dos_for_those_who_handle_them(cast):
    Alert.objects.create(
        organization=cast.chamber_a,
        post=cast.post_a,
        label="路人",
        temperature="38.2",
        occurred_at=dt.datetime.now(dt.UTC),
    )
    staff = {t.url: t for t in todos.todos_for(cast.staff_a)}
    assert staff[reverse("community:alerts") + "?open=1"].urgent
    assert reverse("community:roster") in staff  # no shifts yet: every post uncovered
    assert reverse("community:alerts") + "?open=1" not in {
        t.url for t in todos.todos_for(cast.outsider_b)
    }


def test_a_duty_officer_s_home_leads_to_their_post(cast, client_for):
    html = _labels(client_for(cast.guard_a))
    assert reverse("community:console", args=[cast.post_a.pk]) in html
    first = todos.todos_for(cast.guard_a)[0]
    assert first.url == reverse("community:console", args=[cast.post_a.pk]) and first.urgent


def test_another_app_plugs_its_to_dos_in(cast, client_for):
    saved = todos.providers()
    try:
        todos.register(
            "notices",
            lambda user: [todos.Todo("2 notices to acknowledge", "/notices/?unread=1", 2)],
        )
        html = _labels(client_for(cast.viewer_a))
        assert "2 notices to acknowledge" in html and "/notices/?unread=1" in html
    finally:
        todos._providers.clear()
        todos._providers.update(saved)


@pytest.mark.parametrize("who", ["admin", "admin_a", "reporter_a1", "guard_a", "viewer_a"])
def test_the_home_page_costs_a_fixed_number_of_queries(
    cast, client_for, who, django_assert_max_num_queries
):
    c = client_for(getattr(cast, who))
    c.get("/")
    with django_assert_max_num_queries(40):
        assert c.get("/").status_code == 200
    assert local_today()
