"""Patrol routes of a compound or village, rounds with issues found, an issue becoming a task."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from gongke.registry import services as registry
from gongke.volunteers import services
from gongke.volunteers.models import HoursEntry, HoursSource, Issue, Round, Task


@pytest.fixture
def route(cast):
    team = services.save_team(organization=cast.chamber_a, name="东城党员志愿服务队")
    return services.save_route(team=team, place=cast.compound_a, name="东城花园夜巡")


@pytest.fixture
def volunteer(route, cast):
    person = registry.save_person(organization=cast.chamber_a, name="志愿者小李")
    return services.add_volunteer(team=route.team, person=person)


def test_staff_log_a_round_with_issues_and_the_hours_follow(client_for, route, volunteer, cast):
    start = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    r = client_for(cast.staff_a).post(
        reverse("volunteers:route", args=[route.pk]),
        {
            "started_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ended_at": (start + dt.timedelta(minutes=90)).strftime("%Y-%m-%dT%H:%M"),
            "volunteers": [volunteer.pk],
            "notes": "夜间巡查",
            "issues": "3号楼门禁损坏\n\n垃圾站未消毒",
        },
    )
    assert r.status_code == 302
    patrol = Round.objects.get()
    assert [i.description for i in patrol.issues.all()] == ["3号楼门禁损坏", "垃圾站未消毒"]
    entry = HoursEntry.objects.get()
    assert entry.source == HoursSource.PATROL and entry.minutes == 90
    page = client_for(cast.viewer_a).get(reverse("volunteers:route", args=[route.pk]))
    assert "3号楼门禁损坏" in page.content.decode()
    r = client_for(cast.viewer_a).get(reverse("volunteers:route", args=[route.pk]) + "?export=xlsx")
    assert r.getvalue()[:2] == b"PK"


def test_an_issue_becomes_a_task_for_the_post_once(client_for, route, volunteer, cast):
    now = timezone.now()
    services.log_round(
        route=route,
        started_at=now - dt.timedelta(hours=1),
        ended_at=now,
        volunteers=[volunteer],
        issues=["东门测温枪没电"],
    )
    issue = Issue.objects.get()
    c = client_for(cast.staff_a)
    c.post(reverse("volunteers:issue_task", args=[issue.pk]), {"post": cast.post_a.pk})
    c.post(reverse("volunteers:issue_task", args=[issue.pk]), {"post": cast.post_a.pk})
    task = Task.objects.get()
    assert task.title == "东门测温枪没电" and task.post == cast.post_a and task.team == route.team
    assert (
        client_for(cast.viewer_a)
        .post(reverse("volunteers:issue_task", args=[issue.pk]))
        .status_code
        == 403
    )


def test_a_volunteer_logs_a_round_from_their_phone_page(client, route, volunteer):
    r = client.post(
        reverse("volunteers:pass_round", args=[volunteer.pass_token]),
        {"route": route.pk, "minutes": "40", "issues": "路灯不亮"},
    )
    assert r.status_code == 302
    assert Round.objects.get().volunteers.get() == volunteer
    assert HoursEntry.objects.get().minutes == 40
    # Another team's route is not theirs.
    other = services.save_team(organization=route.team.organization, name="别的队")
    other_route = services.save_route(team=other, place=route.place, name="别的路线")
    client.post(
        reverse("volunteers:pass_round", args=[volunteer.pass_token]),
        {"route": other_route.pk, "minutes": "40"},
    )
    assert Round.objects.count() == 1
