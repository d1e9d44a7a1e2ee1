"""Writes of the volunteers app: one function per use case, called by the pages, the API and
the periodic jobs alike. Callers fetch every record they pass in through volunteers.access (or
community.access for posts)."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongke.community import services as community
from gongke.community.models import Assignment
from gongke.registry import services as registry
from gongke.registry.models import Organization, Person, Place, PlaceKind

from .models import (
    Attendance,
    Closed,
    Deployment,
    Division,
    DivisionLevel,
    HoursEntry,
    HoursSource,
    Issue,
    NoShow,
    Operation,
    Resource,
    ResourceKind,
    Round,
    Route,
    SignUp,
    SignUpStatus,
    Task,
    Team,
    TeamShift,
    Volunteer,
    VolunteerStatus,
)

# A volunteer may check in this long before their shift starts.
EARLY = timedelta(minutes=30)
# Not checked in this long after the shift started: a no-show, the leader is told.
GRACE = timedelta(minutes=15)
MAX_MINUTES = 24 * 60


# --- Teams and volunteers --------------------------------------------------------------------


@transaction.atomic
def save_team(*, team: Team | None = None, **fields: Any) -> Team:
    """Create (team=None) or change a team: organization, name, place, leader, description,
    signup_open."""
    team = team or Team()
    for name, value in fields.items():
        setattr(team, name, value)
    place = team.place
    if place is not None and place.kind not in (PlaceKind.COMPOUND, PlaceKind.VILLAGE):
        raise ValidationError({"place": _("Choose a compound or a village.")})
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def add_volunteer(
    *,
    team: Team,
    person: Person,
    skills: str = "",
    availability: str = "",
    pledged: bool = False,
) -> Volunteer:
    """The person joins the team (again, if they had left); the registry marks them a volunteer."""
    volunteer = Volunteer.objects.filter(team=team, person=person).first() or Volunteer(
        team=team, person=person
    )
    volunteer.status = VolunteerStatus.ACTIVE
    volunteer.skills = skills or volunteer.skills
    volunteer.availability = availability or volunteer.availability
    if pledged and volunteer.pledge_signed_at is None:
        volunteer.pledge_signed_at = timezone.now()
    volunteer.full_clean()
    volunteer.save()
    if not person.is_volunteer:
        registry.save_person(person=person, is_volunteer=True)
    return volunteer


@transaction.atomic
def leave_team(*, volunteer: Volunteer) -> Volunteer:
    volunteer.status = VolunteerStatus.LEFT
    volunteer.save(update_fields=["status"])
    return volunteer


@transaction.atomic
def sign_up(*, team: Team, **fields: Any) -> SignUp:
    """A sign-up through the team's public link: kept until the team approves it."""
    if not team.signup_open:
        raise ValidationError(_("This team is not taking sign-ups now."))
    signup = SignUp(team=team, **fields)
    signup.phone = "".join(ch for ch in signup.phone if ch.isdigit() or ch == "+")
    if not 7 <= len(signup.phone) <= 20:
        raise ValidationError({"phone": _("Enter a phone number.")})
    if not signup.pledged:
        raise ValidationError({"pledged": _("Please read and accept the pledge.")})
    signup.full_clean()
    signup.save()
    return signup


@transaction.atomic
def approve_signup(*, signup: SignUp, user: Any) -> Volunteer:
    """The person is found in the team's organization (same name and phone) or added to the
    registry, then joins the team. Approving twice answers the same volunteer."""
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.status == SignUpStatus.APPROVED and signup.volunteer is not None:
        return signup.volunteer
    if signup.status == SignUpStatus.REJECTED:
        raise ValidationError(_("This sign-up was turned down."))
    org = signup.team.organization
    person = Person.objects.filter(organization=org, name=signup.name, phone=signup.phone).first()
    if person is None:
        person = registry.save_person(
            organization=org,
            name=signup.name,
            phone=signup.phone,
            is_party_member=signup.is_party_member,
            is_volunteer=True,
        )
    volunteer = add_volunteer(
        team=signup.team,
        person=person,
        skills=signup.skills,
        availability=signup.availability,
        pledged=signup.pledged,
    )
    signup.status, signup.volunteer, signup.decided_by = SignUpStatus.APPROVED, volunteer, user
    signup.save(update_fields=["status", "volunteer", "decided_by"])
    return volunteer


@transaction.atomic
def reject_signup(*, signup: SignUp, user: Any) -> SignUp:
    if signup.status == SignUpStatus.APPROVED:
        raise ValidationError(_("This sign-up was already approved."))
    signup.status, signup.decided_by = SignUpStatus.REJECTED, user
    signup.save(update_fields=["status", "decided_by"])
    return signup


# --- Shifts, check-in and check-out ----------------------------------------------------------


@transaction.atomic
def create_team_shift(
    *,
    team: Team,
    post: Place,
    starts_at: datetime,
    ends_at: datetime,
    volunteers: Sequence[Volunteer],
) -> TeamShift:
    """A roster shift at the post (community duty's own), staffed by the team's volunteers."""
    if any(v.team_id != team.pk or v.status != VolunteerStatus.ACTIVE for v in volunteers):
        raise ValidationError({"volunteers": _("Choose active volunteers of this team.")})
    if ends_at - starts_at > timedelta(hours=24):
        raise ValidationError({"ends_at": _("A shift lasts at most 24 hours.")})
    shift = community.create_shift(
        post=post, starts_at=starts_at, ends_at=ends_at, people=[v.person for v in volunteers]
    )
    return TeamShift.objects.create(team=team, shift=shift)


def _minutes(start: datetime, end: datetime) -> int:
    return max(0, min(MAX_MINUTES, int((end - start).total_seconds() // 60)))


def current_assignment(*, volunteer: Volunteer, post: Place, at: datetime) -> Assignment | None:
    """The volunteer's assignment on a team shift at the post that is on now (or starts soon)."""
    return (
        Assignment.objects.select_related("shift")
        .filter(
            person_id=volunteer.person_id,
            shift__post=post,
            shift__team_shift__team_id=volunteer.team_id,
            shift__starts_at__lte=at + EARLY,
            shift__ends_at__gt=at,
        )
        .order_by("shift__starts_at")
        .first()
    )


@transaction.atomic
def check_in(*, volunteer: Volunteer, post: Place, at: datetime | None = None) -> Attendance:
    """Check-in at the post's QR code: it must match a shift the volunteer is on at this post.
    Scanning again while checked in answers the same check-in."""
    at = at or timezone.now()
    assignment = current_assignment(volunteer=volunteer, post=post, at=at)
    if assignment is None:
        raise ValidationError(_("You have no shift at this post now."))
    attendance, created = Attendance.objects.get_or_create(
        assignment=assignment, defaults={"volunteer": volunteer, "checked_in_at": at}
    )
    if not created and attendance.closed:
        raise ValidationError(_("You already checked out of this shift."))
    if created:
        community.sign_in(assignment=assignment, at=at)
        NoShow.objects.filter(assignment=assignment).delete()  # late, but here
    return attendance


def _close(attendance: Attendance, *, at: datetime, how: str, user: Any = None) -> HoursEntry:
    attendance.checked_out_at = at
    attendance.closed = how
    attendance.save(update_fields=["checked_out_at", "closed"])
    community.sign_out(assignment=attendance.assignment, at=at)
    source = HoursSource.CHECK_OUT if how == Closed.CHECKED_OUT else HoursSource.ESTIMATED
    return HoursEntry.objects.create(
        volunteer=attendance.volunteer,
        day=timezone.localtime(attendance.checked_in_at).date(),
        minutes=_minutes(attendance.checked_in_at, at),
        source=source,
        attendance=attendance,
        recorded_by=user,
    )


@transaction.atomic
def check_out(*, volunteer: Volunteer, at: datetime | None = None) -> HoursEntry:
    """Closes the volunteer's open check-in; the hours go to the ledger."""
    attendance = (
        Attendance.objects.select_for_update()
        .select_related("assignment__shift", "volunteer")
        .filter(volunteer=volunteer, closed="")
        .order_by("-checked_in_at")
        .first()
    )
    if attendance is None:
        raise ValidationError(_("You are not checked in."))
    at = at or timezone.now()
    return _close(attendance, at=max(at, attendance.checked_in_at), how=Closed.CHECKED_OUT)


@transaction.atomic
def close_finished_shifts(*, now: datetime | None = None) -> int:
    """Check-ins still open when their shift has ended are closed at the shift's end; their hours
    are marked estimated. Run every few minutes."""
    now = now or timezone.now()
    open_ = (
        Attendance.objects.select_for_update(skip_locked=True)
        .select_related("assignment__shift", "volunteer")
        .filter(closed="", assignment__shift__ends_at__lte=now)
    )
    n = 0
    for attendance in open_:
        end = max(attendance.assignment.shift.ends_at, attendance.checked_in_at)
        _close(attendance, at=end, how=Closed.ESTIMATED)
        n += 1
    return n


@transaction.atomic
def flag_no_shows(*, now: datetime | None = None) -> int:
    """Volunteers on a team shift that started more than GRACE ago (and has not ended) without a
    check-in: one no-show each, shown to the team's leader."""
    now = now or timezone.now()
    late = Assignment.objects.filter(
        shift__team_shift__isnull=False,
        shift__starts_at__lte=now - GRACE,
        shift__ends_at__gt=now,
        person__isnull=False,
        attendance__isnull=True,
        no_show__isnull=True,
    ).select_related("shift__team_shift")
    made = []
    for a in late:
        v = Volunteer.objects.filter(team_id=a.shift.team_shift.team_id, person_id=a.person_id or 0)
        volunteer = v.first()
        if volunteer is not None:
            made.append(NoShow(assignment=a, volunteer=volunteer))
    NoShow.objects.bulk_create(made, ignore_conflicts=True)
    return len(made)


@transaction.atomic
def mark_no_show_seen(*, no_show: NoShow) -> NoShow:
    if no_show.seen_at is None:
        no_show.seen_at = timezone.now()
        no_show.save(update_fields=["seen_at"])
    return no_show


# --- The hours ledger ------------------------------------------------------------------------


@transaction.atomic
def record_hours(
    *, volunteer: Volunteer, day: date, minutes: int, note: str = "", user: Any = None
) -> HoursEntry:
    """Hours entered by staff (work done away from a QR code)."""
    if not 0 < minutes <= MAX_MINUTES:
        raise ValidationError({"minutes": _("Enter between 1 minute and 24 hours.")})
    if day > timezone.localdate():
        raise ValidationError({"day": _("The day cannot be in the future.")})
    entry = HoursEntry(
        volunteer=volunteer,
        day=day,
        minutes=minutes,
        source=HoursSource.MANUAL,
        note=note,
        recorded_by=user,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def reverse_hours(*, entry: HoursEntry, note: str, user: Any = None) -> HoursEntry:
    """A correction: the entry is reversed by a new one (the ledger is append-only)."""
    entry = HoursEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.reverses_id is not None or HoursEntry.objects.filter(reverses=entry).exists():
        raise ValidationError(_("This entry is already corrected."))
    if not note.strip():
        raise ValidationError({"note": _("Say why the entry is corrected.")})
    return HoursEntry.objects.create(
        volunteer=entry.volunteer,
        day=entry.day,
        minutes=-entry.minutes,
        source=HoursSource.CORRECTION,
        reverses=entry,
        note=note.strip(),
        recorded_by=user,
    )


# --- Tasks -----------------------------------------------------------------------------------


@transaction.atomic
def save_task(*, task: Task | None = None, **fields: Any) -> Task:
    task = task or Task()
    for name, value in fields.items():
        setattr(task, name, value)
    if task.volunteer is not None and task.volunteer.team_id != task.team_id:
        raise ValidationError({"volunteer": _("Choose a volunteer of this team.")})
    if task.post is not None and task.post.kind != PlaceKind.POST:
        raise ValidationError({"post": _("Choose a duty post.")})
    task.full_clean()
    task.save()
    return task


@transaction.atomic
def complete_task(*, task: Task, minutes: int = 0, user: Any = None) -> Task:
    """Marks the task done; minutes spent by its volunteer go to the hours ledger."""
    if task.done_at is not None:
        return task
    if minutes and task.volunteer is None:
        raise ValidationError({"minutes": _("Hours are counted for a task with a volunteer.")})
    if not 0 <= minutes <= MAX_MINUTES:
        raise ValidationError({"minutes": _("Enter between 1 minute and 24 hours.")})
    task.done_at = timezone.now()
    task.save(update_fields=["done_at"])
    if minutes and task.volunteer is not None:
        HoursEntry.objects.create(
            volunteer=task.volunteer,
            day=timezone.localdate(),
            minutes=minutes,
            source=HoursSource.TASK,
            note=task.title[:200],
            recorded_by=user,
        )
    return task


# --- Patrols --------------------------------------------------------------------------------


@transaction.atomic
def save_route(*, route: Route | None = None, **fields: Any) -> Route:
    route = route or Route()
    for name, value in fields.items():
        setattr(route, name, value)
    if route.place.kind not in (PlaceKind.COMPOUND, PlaceKind.VILLAGE):
        raise ValidationError({"place": _("Choose a compound or a village.")})
    route.full_clean()
    route.save()
    return route


@transaction.atomic
def log_round(
    *,
    route: Route,
    started_at: datetime,
    ended_at: datetime,
    volunteers: Sequence[Volunteer],
    notes: str = "",
    issues: Sequence[str] = (),
    user: Any = None,
) -> Round:
    """A patrol round with the issues found; each volunteer's time goes to the hours ledger."""
    if not volunteers or any(v.team_id != route.team_id for v in volunteers):
        raise ValidationError({"volunteers": _("Choose active volunteers of this team.")})
    if ended_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"ended_at": _("The round cannot end in the future.")})
    if ended_at - started_at > timedelta(hours=24):
        raise ValidationError({"ended_at": _("A round lasts at most 24 hours.")})
    patrol = Round(
        route=route, started_at=started_at, ended_at=ended_at, notes=notes, recorded_by=user
    )
    patrol.full_clean()
    patrol.save()
    patrol.volunteers.set(volunteers)
    Issue.objects.bulk_create(
        Issue(round=patrol, description=text.strip()[:300]) for text in issues if text.strip()
    )
    day = timezone.localtime(started_at).date()
    HoursEntry.objects.bulk_create(
        HoursEntry(
            volunteer=v,
            day=day,
            minutes=_minutes(started_at, ended_at),
            source=HoursSource.PATROL,
            note=route.name[:200],
            recorded_by=user,
        )
        for v in volunteers
    )
    return patrol


@transaction.atomic
def issue_to_task(*, issue: Issue, post: Place | None = None) -> Task:
    """The issue becomes a task for the team (at a post, if given); once."""
    issue = Issue.objects.select_for_update().select_related("round__route").get(pk=issue.pk)
    if issue.task_id is not None:
        return issue.task  # type: ignore[return-value]
    task = save_task(team=issue.round.route.team, post=post, title=issue.description[:200])
    issue.task = task
    issue.save(update_fields=["task"])
    return task


# --- Lent resources --------------------------------------------------------------------------


@transaction.atomic
def save_resource(*, resource: Resource | None = None, **fields: Any) -> Resource:
    resource = resource or Resource()
    for name, value in fields.items():
        setattr(resource, name, value)
    if (
        resource.available_from
        and resource.available_until
        and resource.available_until < resource.available_from
    ):
        raise ValidationError({"available_until": _("The end comes before the start.")})
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def record_deployment(
    *, resource: Resource, purpose: str, starts_on: date, ends_on: date | None = None
) -> Deployment:
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end comes before the start.")})
    d = Deployment(resource=resource, purpose=purpose, starts_on=starts_on, ends_on=ends_on)
    d.full_clean()
    d.save()
    return d


# --- Field operations ------------------------------------------------------------------------


@transaction.atomic
def record_operation(
    *,
    organization: Organization,
    division: Division,
    drones: Sequence[Resource] = (),
    pilots: Sequence[Resource] = (),
    user: Any = None,
    **fields: Any,
) -> Operation:
    """A disinfection or spraying operation in a city, county, township or village."""
    if division.level < DivisionLevel.CITY:
        raise ValidationError({"division": _("Choose a city, a county or a place below.")})
    if any(d.kind != ResourceKind.DRONE for d in drones):
        raise ValidationError({"drones": _("Choose drones from the lent resources.")})
    if any(p.kind != ResourceKind.PILOT for p in pilots):
        raise ValidationError({"pilots": _("Choose pilots from the lent resources.")})
    area = fields.get("area_mu")
    if area is not None:
        fields["area_mu"] = Decimal(str(area))
    op = Operation(organization=organization, division=division, recorded_by=user, **fields)
    op.city_code = division.code[:4]
    op.county_code = division.code[:6] if division.level >= DivisionLevel.COUNTY else ""
    op.full_clean()
    op.save()
    op.drones.set(drones)
    op.pilots.set(pilots)
    return op


def open_no_shows_for_leader(person_ids: Sequence[int]) -> Any:
    """No-shows not yet seen, in teams the given people lead."""
    return NoShow.objects.filter(
        seen_at__isnull=True, volunteer__team__leader_id__in=person_ids
    ).select_related("volunteer__person", "assignment__shift__post")
