"""/api/v1/volunteers: teams, volunteers and sign-ups, team shifts on the community roster, the
hours ledger, lent resources, field operations and their roll-up, administrative divisions —
the same services and access path as the pages. Creating calls take an Idempotency-Key."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gongke.accounts.access import get_root
from gongke.community.access import get_post
from gongke.registry.access import get_person, get_place
from gongke.volunteers import access, services
from gongke.volunteers.forms import find_division
from gongke.volunteers.models import Division, HoursEntry, Operation, Resource, Task, Team
from gongke.volunteers.rollups import rollup

from .idempotency import once
from .pagination import Pages
from .schemas import In

router = Router()


def _key(request: HttpRequest) -> str | None:
    return request.headers.get("Idempotency-Key")


class TeamOut(Schema):
    id: int
    organization_id: int
    name: str
    place_id: int | None
    leader_id: int | None
    description: str
    signup_open: bool


class TeamIn(In):
    model = Team

    organization_id: int
    name: str
    place_id: int | None = None
    leader_id: int | None = None
    description: str = ""
    signup_open: bool = True


class VolunteerOut(Schema):
    id: int
    team_id: int
    person_id: int
    name: str = Field(..., alias="person.name")
    status: str
    skills: str
    availability: str
    pledge_signed_at: dt.datetime | None


class VolunteerIn(In):
    person_id: int
    skills: str = Field("", max_length=200)
    availability: str = Field("", max_length=200)
    pledged: bool = False


class SignUpOut(Schema):
    id: int
    team_id: int
    name: str
    status: str
    skills: str
    availability: str
    created_at: dt.datetime


class ShiftIn(In):
    post_id: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    volunteer_ids: list[int]


class ShiftOut(Schema):
    id: int
    team_id: int
    shift_id: int
    post_id: int = Field(..., alias="shift.post_id")
    starts_at: dt.datetime = Field(..., alias="shift.starts_at")
    ends_at: dt.datetime = Field(..., alias="shift.ends_at")


class HoursOut(Schema):
    id: int
    volunteer_id: int
    day: dt.date
    minutes: int
    source: str
    note: str
    reverses_id: int | None


class HoursIn(In):
    model = HoursEntry

    day: dt.date
    minutes: int
    note: str = ""


class ResourceOut(Schema):
    id: int
    organization_id: int
    kind: str
    name: str
    identifier: str
    available_from: dt.date | None
    available_until: dt.date | None
    insurance: str
    insured_until: dt.date | None


class ResourceIn(In):
    model = Resource

    organization_id: int
    kind: str
    name: str
    identifier: str = ""
    available_from: dt.date | None = None
    available_until: dt.date | None = None
    insurance: str = ""
    insured_until: dt.date | None = None
    note: str = ""


class OperationOut(Schema):
    id: int
    organization_id: int
    kind: str
    division_code: str = Field(..., alias="division_id")
    division: str = Field(..., alias="division.name")
    day: dt.date
    area_mu: Decimal
    area_sqm: Decimal
    agent: str


class OperationIn(In):
    model = Operation

    organization_id: int
    kind: str
    division_code: str = Field(..., max_length=12)
    day: dt.date
    area_mu: Decimal = Field(..., gt=0, max_digits=12, decimal_places=2)
    agent: str = ""
    drone_ids: list[int] = []
    pilot_ids: list[int] = []
    note: str = ""


class RollupOut(Schema):
    organization_id: int
    since: dt.date | None
    until: dt.date | None
    operations: int
    area_mu: Decimal
    area_sqm: Decimal
    cities: int
    counties: int
    pilots: int
    drones: int


class DivisionOut(Schema):
    code: str
    name: str
    level: int
    parent_id: str | None


@router.get("/teams", response=list[TeamOut])
@paginate(Pages, page_size=100)
def list_teams(request: HttpRequest, q: str | None = None):
    qs = access.teams_for(request.user)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("name", "pk")


@router.get("/teams/{team_id}", response=TeamOut)
def get_team(request: HttpRequest, team_id: int):
    return access.get_team(request.user, team_id)


@router.post("/teams", response={201: TeamOut})
def create_team(request: HttpRequest, payload: TeamIn):
    org = access.get_organization(request.user, payload.organization_id, write=True)
    place = get_place(request.user, payload.place_id) if payload.place_id else None
    leader = get_person(request.user, payload.leader_id) if payload.leader_id else None

    def create():
        team = services.save_team(
            organization=org,
            place=place,
            leader=leader,
            **payload.dict(exclude={"organization_id", "place_id", "leader_id"}),
        )
        return 201, TeamOut.from_orm(team)

    return once(request, _key(request), "volunteers.team.create", create)


@router.get("/teams/{team_id}/volunteers", response=list[VolunteerOut])
def list_volunteers(request: HttpRequest, team_id: int):
    team = access.get_team(request.user, team_id)
    return team.volunteers.select_related("person").order_by("person__name", "pk")


@router.post("/teams/{team_id}/volunteers", response={201: VolunteerOut})
def add_volunteer(request: HttpRequest, team_id: int, payload: VolunteerIn):
    team = access.get_team(request.user, team_id, write=True)
    person = get_person(request.user, payload.person_id)

    def create():
        v = services.add_volunteer(team=team, person=person, **payload.dict(exclude={"person_id"}))
        return 201, VolunteerOut.from_orm(v)

    return once(request, _key(request), "volunteers.volunteer.create", create)


@router.get("/teams/{team_id}/signups", response=list[SignUpOut])
def list_signups(request: HttpRequest, team_id: int):
    team = access.get_team(request.user, team_id, write=True)
    return team.signups.order_by("-created_at", "pk")


@router.post("/signups/{signup_id}/approve", response=VolunteerOut)
def approve_signup(request: HttpRequest, signup_id: int):
    """Approving again answers the same volunteer."""
    signup = access.get_signup(request.user, signup_id, write=True)
    return services.approve_signup(signup=signup, user=request.user)


@router.post("/teams/{team_id}/shifts", response={201: ShiftOut})
def create_shift(request: HttpRequest, team_id: int, payload: ShiftIn):
    team = access.get_team(request.user, team_id, write=True)
    post = get_post(request.user, payload.post_id, manage=True)
    volunteers = [access.get_volunteer(request.user, pk) for pk in payload.volunteer_ids[:100]]

    def create():
        ts = services.create_team_shift(
            team=team,
            post=post,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            volunteers=volunteers,
        )
        return 201, ShiftOut.from_orm(ts)

    return once(request, _key(request), "volunteers.shift.create", create)


@router.get("/hours", response=list[HoursOut])
@paginate(Pages, page_size=100)
def list_hours(
    request: HttpRequest,
    volunteer_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
):
    qs = access.hours_for(request.user)
    if volunteer_id:
        qs = qs.filter(volunteer_id=volunteer_id)
    if since:
        qs = qs.filter(day__gte=since)
    if until:
        qs = qs.filter(day__lte=until)
    return qs.order_by("-day", "-pk")


@router.post("/volunteers/{volunteer_id}/hours", response={201: HoursOut})
def record_hours(request: HttpRequest, volunteer_id: int, payload: HoursIn):
    v = access.get_volunteer(request.user, volunteer_id, write=True)

    def create():
        entry = services.record_hours(volunteer=v, user=request.user, **payload.dict())
        return 201, HoursOut.from_orm(entry)

    return once(request, _key(request), "volunteers.hours.create", create)


@router.get("/resources", response=list[ResourceOut])
@paginate(Pages, page_size=100)
def list_resources(request: HttpRequest, kind: str | None = None):
    qs = access.resources_for(request.user)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("organization__path", "kind", "name", "pk")


@router.post("/resources", response={201: ResourceOut})
def create_resource(request: HttpRequest, payload: ResourceIn):
    org = access.get_organization(request.user, payload.organization_id, write=True)

    def create():
        r = services.save_resource(organization=org, **payload.dict(exclude={"organization_id"}))
        return 201, ResourceOut.from_orm(r)

    return once(request, _key(request), "volunteers.resource.create", create)


@router.get("/operations", response=list[OperationOut])
@paginate(Pages, page_size=100)
def list_operations(
    request: HttpRequest, since: dt.date | None = None, until: dt.date | None = None
):
    qs = access.operations_for(request.user)
    if since:
        qs = qs.filter(day__gte=since)
    if until:
        qs = qs.filter(day__lte=until)
    return qs.order_by("-day", "-pk")


@router.post("/operations", response={201: OperationOut})
def create_operation(request: HttpRequest, payload: OperationIn):
    org = access.get_organization(request.user, payload.organization_id, write=True)
    try:
        division = find_division(payload.division_code or "-")
    except ValidationError as exc:
        raise ValidationError({"division_code": exc.messages})
    drones = [access.get_resource(request.user, pk) for pk in payload.drone_ids[:200]]
    pilots = [access.get_resource(request.user, pk) for pk in payload.pilot_ids[:200]]

    def create():
        op = services.record_operation(
            organization=org,
            division=division,
            drones=drones,
            pilots=pilots,
            user=request.user,
            **payload.dict(exclude={"organization_id", "division_code", "drone_ids", "pilot_ids"}),
        )
        return 201, OperationOut.from_orm(op)

    return once(request, _key(request), "volunteers.operation.create", create)


@router.get("/operations/rollup", response=RollupOut)
def operations_rollup(
    request: HttpRequest,
    organization_id: int | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
):
    """ "X 亩 in Y cities and Z counties by N pilots with M drones" for an organization's subtree
    (the user's own by default) and period."""
    root = get_root(request.user, organization_id)
    r = rollup(root, since, until)
    return {
        "organization_id": root.pk,
        "since": since,
        "until": until,
        "operations": r.operations,
        "area_mu": r.area_mu,
        "area_sqm": r.area_sqm,
        "cities": r.cities,
        "counties": r.counties,
        "pilots": r.pilots,
        "drones": r.drones,
    }


@router.get("/divisions", response=list[DivisionOut])
@paginate(Pages, page_size=100)
def list_divisions(request: HttpRequest, q: str | None = None, parent: str | None = None):
    """Administrative divisions (public reference data): by name or code prefix, or a parent's
    children."""
    qs = Division.objects.all()
    if parent:
        qs = qs.filter(parent_id=parent)
    if q:
        qs = qs.filter(name__contains=q) if not q.isdigit() else qs.filter(code__startswith=q)
    return qs.order_by("code")


class TaskOut(Schema):
    id: int
    team_id: int
    post_id: int | None
    title: str
    due_at: dt.datetime | None
    volunteer_id: int | None
    done_at: dt.datetime | None


class TaskIn(In):
    model = Task

    title: str
    post_id: int | None = None
    due_at: dt.datetime | None = None
    volunteer_id: int | None = None


class DoneIn(In):
    minutes: int = Field(0, ge=0, le=1440)


class RouteOut(Schema):
    id: int
    team_id: int
    place_id: int
    name: str
    checkpoints: str


class RoundIn(In):
    started_at: dt.datetime
    ended_at: dt.datetime
    volunteer_ids: list[int]
    notes: str = Field("", max_length=2000)
    issues: list[str] = Field([], max_length=50)


class IssueOut(Schema):
    id: int
    description: str
    task_id: int | None


class RoundOut(Schema):
    id: int
    route_id: int
    started_at: dt.datetime
    ended_at: dt.datetime
    notes: str
    issues: list[IssueOut]

    @staticmethod
    def resolve_issues(obj) -> list:
        return list(obj.issues.all())


class IssueTaskIn(In):
    post_id: int | None = None


class DeploymentIn(In):
    purpose: str = Field(..., max_length=200)
    starts_on: dt.date
    ends_on: dt.date | None = None


class DeploymentOut(Schema):
    id: int
    resource_id: int
    purpose: str
    starts_on: dt.date
    ends_on: dt.date | None


class ReverseIn(In):
    note: str = Field(..., max_length=200)


@router.get("/tasks", response=list[TaskOut])
@paginate(Pages, page_size=100)
def list_tasks(request: HttpRequest, team_id: int | None = None, open: bool | None = None):
    qs = access.tasks_for(request.user)
    if team_id:
        qs = qs.filter(team_id=team_id)
    if open is not None:
        qs = qs.filter(done_at__isnull=open)
    return qs.order_by("done_at", "due_at", "pk")


@router.post("/teams/{team_id}/tasks", response={201: TaskOut})
def create_task(request: HttpRequest, team_id: int, payload: TaskIn):
    team = access.get_team(request.user, team_id, write=True)
    post = get_post(request.user, payload.post_id) if payload.post_id else None
    volunteer = (
        access.get_volunteer(request.user, payload.volunteer_id) if payload.volunteer_id else None
    )

    def create():
        task = services.save_task(
            team=team,
            post=post,
            volunteer=volunteer,
            title=payload.title,
            due_at=payload.due_at,
        )
        return 201, TaskOut.from_orm(task)

    return once(request, _key(request), "volunteers.task.create", create)


@router.post("/tasks/{task_id}/done", response=TaskOut)
def complete_task(request: HttpRequest, task_id: int, payload: DoneIn):
    """Marks the task done (again: no change); minutes spent go to its volunteer's hours."""
    task = access.get_task(request.user, task_id, write=True)
    return services.complete_task(task=task, minutes=payload.minutes, user=request.user)


@router.get("/teams/{team_id}/routes", response=list[RouteOut])
def list_routes(request: HttpRequest, team_id: int):
    return access.get_team(request.user, team_id).routes.order_by("name", "pk")


@router.post("/routes/{route_id}/rounds", response={201: RoundOut})
def log_round(request: HttpRequest, route_id: int, payload: RoundIn):
    route = access.get_route(request.user, route_id, write=True)
    volunteers = [access.get_volunteer(request.user, pk) for pk in payload.volunteer_ids[:50]]

    def create():
        patrol = services.log_round(
            route=route,
            started_at=payload.started_at,
            ended_at=payload.ended_at,
            volunteers=volunteers,
            notes=payload.notes,
            issues=[i[:300] for i in payload.issues],
            user=request.user,
        )
        return 201, RoundOut.from_orm(patrol)

    return once(request, _key(request), "volunteers.round.create", create)


@router.post("/issues/{issue_id}/task", response=TaskOut)
def issue_to_task(request: HttpRequest, issue_id: int, payload: IssueTaskIn):
    """The issue becomes a task for the team (once: again answers the same task)."""
    issue = access.get_issue(request.user, issue_id, write=True)
    post = get_post(request.user, payload.post_id, manage=True) if payload.post_id else None
    return services.issue_to_task(issue=issue, post=post)


@router.post("/resources/{resource_id}/deployments", response={201: DeploymentOut})
def record_deployment(request: HttpRequest, resource_id: int, payload: DeploymentIn):
    resource = access.get_resource(request.user, resource_id, write=True)

    def create():
        d = services.record_deployment(resource=resource, **payload.dict())
        return 201, DeploymentOut.from_orm(d)

    return once(request, _key(request), "volunteers.deployment.create", create)


@router.post("/hours/{entry_id}/reverse", response={201: HoursOut})
def reverse_hours(request: HttpRequest, entry_id: int, payload: ReverseIn):
    """A correction: a reversing entry (the ledger is append-only); twice answers 422."""
    entry = access.get_hours_entry(request.user, entry_id, write=True)

    def create():
        reversal = services.reverse_hours(entry=entry, note=payload.note, user=request.user)
        return 201, HoursOut.from_orm(reversal)

    return once(request, _key(request), "volunteers.hours.reverse", create)
