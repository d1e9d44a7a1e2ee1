"""Teams, sign-ups, shifts at posts, QR check-in and out, the hours ledger, no-shows."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gongke.community.models import Assignment
from gongke.registry import services as registry
from gongke.volunteers import services
from gongke.volunteers.models import (
    Attendance,
    HoursEntry,
    HoursSource,
    NoShow,
    SignUp,
    Volunteer,
)
from gongke.volunteers.views import check_in_path


@pytest.fixture
def team(cast):
    leader = registry.save_person(organization=cast.chamber_a, name="队长老王", phone="13900000001")
    return services.save_team(
        organization=cast.chamber_a, name="东城党员志愿服务队", place=cast.compound_a, leader=leader
    )


@pytest.fixture
def volunteer(team, cast):
    person = registry.save_person(organization=cast.chamber_a, name="志愿者小李")
    return services.add_volunteer(team=team, person=person, skills="测温", pledged=True)


def _shift(team, volunteer, post, *, start_in=-1, hours=4):
    now = timezone.now().replace(microsecond=0)
    return services.create_team_shift(
        team=team,
        post=post,
        starts_at=now + dt.timedelta(hours=start_in),
        ends_at=now + dt.timedelta(hours=start_in + hours),
        volunteers=[volunteer],
    ).shift


def test_it_signs_up_through_the_public_link_and_the_team_approves(client, client_for, team, cast):
    url = reverse("volunteers:join", args=[team.signup_token])
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {"name": "报名人", "phone": "139 0000 1234", "skills": "驾驶", "pledged": "on"},
    )
    assert (
        r.status_code == 200 and "Thank you" in r.content.decode() or "谢谢" in r.content.decode()
    )
    signup = SignUp.objects.get()
    assert signup.phone == "13900001234" and signup.status == "pending"
    page = client_for(cast.staff_a).get(reverse("volunteers:team", args=[team.pk])).content.decode()
    assert "报名人" in page and "13900001234" not in page  # the phone is masked
    r = client_for(cast.staff_a).post(reverse("volunteers:approve", args=[signup.pk]))
    assert r.status_code == 302
    v = Volunteer.objects.get(team=team)
    assert (
        v.person.name == "报名人"
        and v.person.is_volunteer
        and v.person.organization == cast.chamber_a
    )
    assert v.pledge_signed_at is not None
    # Approving twice makes no second person.
    client_for(cast.staff_a).post(reverse("volunteers:approve", args=[signup.pk]))
    assert Volunteer.objects.filter(team=team).count() == 1


def test_it_refuses_a_sign_up_without_the_pledge_or_when_closed(client, team):
    url = reverse("volunteers:join", args=[team.signup_token])
    client.post(url, {"name": "报名人", "phone": "13900001234"})
    assert not SignUp.objects.exists()
    services.save_team(team=team, signup_open=False)
    assert client.get(url).status_code == 404


def test_a_viewer_may_not_approve(client_for, team, cast):
    signup = services.sign_up(team=team, name="报名人", phone="13900001234", pledged=True)
    r = client_for(cast.viewer_a).post(reverse("volunteers:approve", args=[signup.pk]))
    assert r.status_code == 403
    r = client_for(cast.outsider_b).post(reverse("volunteers:approve", args=[signup.pk]))
    assert r.status_code == 404
    assert not Volunteer.objects.exists()


def test_the_qr_check_in_must_match_a_shift_at_the_post(client, team, volunteer, cast):
    shift = _shift(team, volunteer, cast.post_a)
    client.get(reverse("volunteers:pass", args=[volunteer.pass_token]))  # known on this phone
    # At another post: refused, nothing written.
    r = client.post(check_in_path(cast.post_b.pk))
    assert "no shift at this post" in r.content.decode() or "没有" in r.content.decode()
    assert not Attendance.objects.exists()
    # A forged code: 404.
    assert client.get(f"/volunteers/check-in/{cast.post_a.pk}/forged/").status_code == 404
    r = client.post(check_in_path(cast.post_a.pk))
    assert r.status_code == 302
    attendance = Attendance.objects.get()
    assert attendance.assignment.shift == shift
    # The roster shows them signed in.
    assert Assignment.objects.get(shift=shift).signed_in_at is not None
    # Scanning again answers the same check-in.
    client.post(check_in_path(cast.post_a.pk))
    assert Attendance.objects.count() == 1
    r = client.post(reverse("volunteers:check_out", args=[volunteer.pass_token]))
    entry = HoursEntry.objects.get()
    assert entry.source == HoursSource.CHECK_OUT and entry.attendance == attendance
    assert Assignment.objects.get(shift=shift).signed_out_at is not None


def test_a_phone_without_the_personal_link_is_not_checked_in(client, team, volunteer, cast):
    _shift(team, volunteer, cast.post_a)
    client.post(check_in_path(cast.post_a.pk))
    assert not Attendance.objects.exists()


def test_an_open_check_in_is_closed_at_the_shift_end_as_estimated(team, volunteer, cast):
    shift = _shift(team, volunteer, cast.post_a, start_in=-1, hours=3)
    services.check_in(volunteer=volunteer, post=cast.post_a, at=shift.starts_at)
    assert services.close_finished_shifts(now=shift.ends_at - dt.timedelta(minutes=1)) == 0
    assert services.close_finished_shifts(now=shift.ends_at + dt.timedelta(minutes=3)) == 1
    entry = HoursEntry.objects.get()
    assert entry.source == HoursSource.ESTIMATED and entry.minutes == 180
    assert Attendance.objects.get().closed == "estimated"
    assert services.close_finished_shifts(now=shift.ends_at + dt.timedelta(hours=1)) == 0


def test_a_no_show_alerts_the_leader(client, team, volunteer, cast):
    shift = _shift(team, volunteer, cast.post_a, start_in=0, hours=4)
    assert services.flag_no_shows(now=shift.starts_at + dt.timedelta(minutes=5)) == 0
    assert services.flag_no_shows(now=shift.starts_at + dt.timedelta(minutes=20)) == 1
    assert services.flag_no_shows(now=shift.starts_at + dt.timedelta(minutes=25)) == 0
    assert NoShow.objects.get().volunteer == volunteer
    leader = services.add_volunteer(team=team, person=team.leader)
    page = client.get(reverse("volunteers:pass", args=[leader.pass_token])).content.decode()
    assert "志愿者小李" in page
    # Arriving late clears it.
    services.check_in(volunteer=volunteer, post=cast.post_a)
    assert not NoShow.objects.exists()


def test_the_ledger_is_append_only_corrections_reverse(client_for, team, volunteer, cast):
    c = client_for(cast.staff_a)
    c.post(
        reverse("volunteers:hours_new", args=[volunteer.pk]),
        {"day": timezone.localdate().isoformat(), "minutes": "90", "note": "入户排查"},
    )
    entry = HoursEntry.objects.get()
    assert entry.source == HoursSource.MANUAL and entry.recorded_by == cast.staff_a
    c.post(reverse("volunteers:hours_reverse", args=[entry.pk]), {"note": "录重了"})
    assert sorted(HoursEntry.objects.values_list("minutes", flat=True)) == [-90, 90]
    with pytest.raises(ValidationError):
        services.reverse_hours(entry=entry, note="again")


def test_a_task_done_with_minutes_goes_to_the_ledger(client_for, team, volunteer, cast):
    c = client_for(cast.staff_a)
    c.post(
        reverse("volunteers:task_new", args=[team.pk]),
        {"title": "张贴海报", "post": cast.post_a.pk, "volunteer": volunteer.pk},
    )
    task = team.tasks.get()
    c.post(reverse("volunteers:task_done", args=[task.pk]), {"minutes": "45"})
    task.refresh_from_db()
    assert task.done_at is not None
    assert HoursEntry.objects.get().source == HoursSource.TASK


def test_staff_plan_a_shift_at_a_post_through_the_page(client_for, team, volunteer, cast):
    c = client_for(cast.staff_a)
    assert c.get(reverse("volunteers:shift_new", args=[team.pk])).status_code == 200
    start = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(hours=1)
    r = c.post(
        reverse("volunteers:shift_new", args=[team.pk]),
        {
            "post": cast.post_a.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
            "volunteers": [volunteer.pk],
        },
    )
    assert r.status_code == 302
    assert Assignment.objects.get().person == volunteer.person
    # A post of chamber B is not offered: the form refuses it.
    r = c.post(
        reverse("volunteers:shift_new", args=[team.pk]),
        {
            "post": cast.post_b.pk,
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"),
            "volunteers": [volunteer.pk],
        },
    )
    assert r.status_code == 200 and Assignment.objects.count() == 1


def test_the_certificate_is_a_pdf_of_the_period(client_for, team, volunteer, cast):
    services.record_hours(volunteer=volunteer, day=timezone.localdate(), minutes=120)
    r = client_for(cast.viewer_a).get(reverse("volunteers:certificate", args=[volunteer.pk]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    r = client_for(cast.outsider_b).get(reverse("volunteers:certificate", args=[volunteer.pk]))
    assert r.status_code == 404


def test_lists_export_to_excel(client_for, team, volunteer, cast):
    c = client_for(cast.staff_a)
    for name in ("index", "hours", "resources", "operations"):
        r = c.get(reverse(f"volunteers:{name}") + "?export=xlsx")
        assert r.status_code == 200 and r.getvalue()[:2] == b"PK", name
    r = c.get(reverse("volunteers:team", args=[team.pk]) + "?export=xlsx")
    assert r.getvalue()[:2] == b"PK"


def test_the_teams_list_costs_a_fixed_number_of_queries(
    client_for, cast, django_assert_max_num_queries
):
    for i in range(12):
        services.save_team(organization=cast.chamber_a, name=f"队{i}")
    c = client_for(cast.staff_a)
    c.get(reverse("volunteers:index"))
    with django_assert_max_num_queries(10):
        assert c.get(reverse("volunteers:index")).status_code == 200


def test_the_home_page_lists_the_teams_to_dos(client_for, team, volunteer, cast):
    _shift(team, volunteer, cast.post_a, start_in=0)
    services.sign_up(team=team, name="报名人", phone="13900001234", pledged=True)
    services.save_task(team=team, title="张贴海报")
    page = client_for(cast.staff_a).get("/").content.decode()
    assert reverse("volunteers:index") in page
    assert "Sign-ups waiting for approval" in page or "待审核报名" in page
    # Chamber B's admin has no team: no panel.
    assert (
        reverse("volunteers:index") + '">' not in client_for(cast.guard_a).get("/").content.decode()
    )


def test_the_lists_cost_a_fixed_number_of_queries(
    client_for, team, cast, django_assert_max_num_queries
):
    for i in range(8):
        person = registry.save_person(organization=cast.chamber_a, name=f"志愿者{i}")
        v = services.add_volunteer(team=team, person=person)
        services.record_hours(volunteer=v, day=timezone.localdate(), minutes=60)
        _shift(team, v, cast.post_a, start_in=i)
        services.save_resource(organization=cast.a1, kind="drone", name=f"无人机{i}")
    c = client_for(cast.staff_a)
    for url in (
        reverse("volunteers:hours"),
        reverse("volunteers:resources"),
        reverse("volunteers:operations"),
        reverse("volunteers:team", args=[team.pk]),
    ):
        c.get(url)
        with django_assert_max_num_queries(22):
            assert c.get(url).status_code == 200, url
