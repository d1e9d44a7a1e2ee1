"""/api/v1/community: posts, passages (one or an offline batch, exactly once), the daily picture,
alerts, roster, disinfection — through the same access path and services as the pages."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from gongke.census.models import Resident
from gongke.community import picture, services
from gongke.community.access import (
    alerts_for,
    get_alert,
    get_area,
    get_assignment,
    get_passage,
    get_post,
    get_publicity_item,
    get_spot,
    passages_for,
    post_residents,
    posts_for,
)
from gongke.community.models import (
    Assignment,
    DisinfectionLog,
    DutySettings,
    Outing,
    Passage,
    PublicityItem,
    Shift,
    Spot,
)
from gongke.registry.access import get_organization
from gongke.registry.models import Organization, Person, Place

from .idempotency import once
from .pagination import Pages
from .schemas import In

router = Router()
MAX_BATCH = 2000


class PostOut(Schema):
    id: int
    name: str
    area_id: int | None = Field(None, alias="parent_id")
    organization_id: int


class PostResidentOut(Schema):
    id: int
    name: str
    room: str
    phone: str


class PassageIn(BaseModel):
    # A plain pydantic model, not a ninja Schema: a Schema reads every field of the body through
    # its ORM attribute getter, which this endpoint (a passage every few seconds per gate) pays
    # on every call. Input needs no ORM reading.
    client_id: str | None = None
    post_id: int | None = None
    direction: str = "in"
    subject: str = "resident"
    resident_id: int | None = None
    name: str = ""
    phone: str = ""
    id_number: str = ""
    plate: str = ""
    driver: str = ""
    passengers: int = 0
    temperature: str | float | None = None
    decision: str = "pass"
    reason: str = ""
    occurred_at: str | None = None


class FeverNoticeOut(Schema):
    """The fever alert a passage raised: whether its notification is queued (false: stored, and
    sent by the sweep within minutes; null: queued when the caller's transaction commits), and
    who it reaches as set up (the group robot; how many people by email; neither: nobody)."""

    id: int
    queued: bool | None
    robot: bool = False
    emails: int = 0
    message: str


class PassageOut(Schema):
    id: int
    client_id: str
    post_id: int
    direction: str
    subject: str
    resident_id: int | None
    name: str
    phone: str = Field(..., alias="masked_phone")
    id_number: str = Field(..., alias="id_number_masked")
    plate: str
    driver: str
    passengers: int
    temperature: str | None
    decision: str
    reason: str
    source: str
    occurred_at: datetime
    recorded_at: datetime
    alert: FeverNoticeOut | None = None  # only in the answer to recording it

    @staticmethod
    def resolve_alert(obj):
        return None

    @staticmethod
    def resolve_client_id(obj):
        return str(obj.client_id)

    @staticmethod
    def resolve_temperature(obj):
        return None if obj.temperature is None else str(obj.temperature)


_PASSAGE_FIELDS = [
    (name, (info.alias or name))
    for name, info in PassageOut.model_fields.items()
    if name != "alert"
]


def passage_out(p: Passage) -> dict[str, Any]:
    """PassageOut of a passage as JSON-ready values, read straight off the row (the guard's
    console waits for this answer on every passage; PassageOut.from_orm goes through Ninja's
    attribute getter field by field). test_sync pins it to PassageOut."""
    out: dict[str, Any] = {}
    for name, source in _PASSAGE_FIELDS:
        value = getattr(p, source)
        if name == "temperature" or name == "client_id":
            value = None if value is None else str(value)
        elif isinstance(value, datetime):
            # In UTC, as read back from the database: a repeat answers the same text.
            value = to_jsonable_python(value.astimezone(UTC))
        out[name] = value
    return out


class PassageBatchIn(In):
    post_id: int | None = None
    items: list[dict[str, Any]]


class ItemOut(Schema):
    client_id: str
    status: str
    id: int | None = None
    errors: dict[str, list[str]] = {}
    alert: FeverNoticeOut | None = None


class BatchOut(Schema):
    created: int
    duplicate: int
    error: int
    results: list[ItemOut]


class OutingOut(Schema):
    id: int
    area_id: int = Field(..., alias="place_id")
    subject: str
    label: str
    resident_id: int | None
    left_at: datetime


class AlertOut(Schema):
    id: int
    organization_id: int
    post_id: int
    passage_id: int | None
    label: str
    temperature: str
    occurred_at: datetime
    notified_at: datetime | None
    robot_status: str
    emails_sent: int
    handled_at: datetime | None
    handling_note: str

    @staticmethod
    def resolve_temperature(obj):
        return str(obj.temperature)


class NoteIn(In):
    note: str


class DutySettingsIn(In):
    model = DutySettings

    fever_webhook_url: str | None = None
    fever_email: bool | None = None


class DutySettingsOut(Schema):
    organization_id: int
    fever_webhook_url: str
    fever_email: bool
    # Whose settings deliver this organization's alerts: its own, an ancestor's, or None (the
    # defaults: email, no robot).
    applies_from_id: int | None


class PassageRevealIn(In):
    reason: str
    candidate: str = ""


class PassageRevealOut(Schema):
    id: int
    passage_id: int | None
    id_number: str
    matched: bool | None


class ShiftIn(In):
    model = Shift

    post_id: int
    starts_at: datetime
    ends_at: datetime
    person_ids: list[int] = []


class AssignmentOut(Schema):
    id: int
    person_id: int | None
    user_id: int | None
    signed_in_at: datetime | None
    signed_out_at: datetime | None


class ShiftOut(Schema):
    id: int
    post_id: int
    starts_at: datetime
    ends_at: datetime
    handover_note: str
    assignments: list[AssignmentOut]

    @staticmethod
    def resolve_assignments(obj):
        return list(obj.assignments.all())


class SignOutIn(In):
    model = Shift

    handover_note: str = ""


class GapOut(Schema):
    post_id: int
    starts_at: datetime
    ends_at: datetime


class SpotOut(Schema):
    id: int
    place_id: int
    name: str
    kind: str
    interval_hours: float
    last_done_at: datetime | None
    due_at: datetime | None
    overdue: bool

    @staticmethod
    def resolve_interval_hours(obj):
        return obj.interval.total_seconds() / 3600

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue()


class DisinfectionIn(In):
    model = DisinfectionLog

    done_by: str
    agent: str
    done_at: datetime | None = None


class PublicityOut(Schema):
    id: int
    place_id: int
    kind: str
    description: str
    quantity: int
    done_at: datetime | None


class PublicityCheckIn(In):
    done: bool = True


@router.get("/posts", response=list[PostOut])
@paginate(Pages, page_size=100)
def list_posts(request: HttpRequest):
    return posts_for(request.user).order_by("parent_id", "name", "pk")


@router.get("/posts/{post_id}/residents", response=list[PostResidentOut])
@paginate(Pages, page_size=50)
def list_post_residents(request: HttpRequest, post_id: int, q: str | None = None):
    """Residents of the post's compound: by name, room or pinyin initials."""
    post = get_post(request.user, post_id)
    qs = Resident.objects.filter(household__place_id=post.parent_id or 0).select_related(
        "household"
    )
    if q and any(ch.isdigit() for ch in q):
        qs = qs.filter(household__room__startswith=q.strip()) | qs.search(q)
    else:
        qs = qs.search(q)
    return [
        PostResidentOut(id=r.pk, name=r.name, room=str(r.household), phone=r.masked_phone)
        for r in qs[:200]
    ]


@router.get("/posts/{post_id}/out", response=list[OutingOut])
@paginate(Pages, page_size=100)
def post_out(request: HttpRequest, post_id: int):
    """Who is out through any post of this post's compound, and since when."""
    post = get_post(request.user, post_id)
    return Outing.objects.open().filter(place_id=post.parent_id).order_by("left_at", "pk")


@router.get("/posts/{post_id}/gaps", response=list[GapOut])
def post_gaps(request: HttpRequest, post_id: int, hours: int = 72):
    post = get_post(request.user, post_id)
    start = timezone.now()
    gaps = services.uncovered(
        posts=[post], start=start, end=start + timedelta(hours=min(hours, 24 * 14))
    )
    return [GapOut(post_id=post.pk, starts_at=s, ends_at=e) for s, e in gaps[post.pk]]


@router.get("/passages", response=list[PassageOut])
@paginate(Pages, page_size=100)
def list_passages(
    request: HttpRequest, post_id: int, day: date | None = None, decision: str | None = None
):
    post = get_post(request.user, post_id)
    qs = (
        Passage.objects.filter(post=post)
        .on_day(day or timezone.localdate())
        .order_by("-occurred_at", "-pk")
    )
    if decision:
        qs = qs.filter(decision=decision)
    return qs


@router.post("/passages", response={201: PassageOut, 200: PassageOut})
def create_passage(request: HttpRequest, payload: PassageIn):
    post = get_post(request.user, payload.post_id, write=True, resident_id=payload.resident_id)
    residents = post_residents(post, payload.resident_id)

    def create():
        data = payload.model_dump(exclude={"post_id"})
        [result] = services.record_passages(
            post=post, items=[data], user=request.user, source="api", residents=residents
        )
        if result.status == "error":
            raise ValidationError(result.errors)
        # A duplicate is answered with the stored passage only where this post keeps it: a
        # client id used elsewhere reveals nothing of the passage that holds it.
        p = result.passage or passages_for(request.user).filter(pk=result.id, post=post).first()
        if p is None:
            raise ValidationError(
                {"client_id": [_("This client id is already used by another passage.")]}
            )
        out = passage_out(p)
        out["alert"] = result.alert.as_dict() if result.alert else None
        return (201 if result.status == "created" else 200), out

    # record_passages is all or nothing by itself (one statement, or its own transaction).
    return once(
        request,
        request.headers.get("Idempotency-Key"),
        "community.passage.create",
        create,
        atomic=False,
    )


@router.post("/passages/batch", response=BatchOut, url_name="community_batch")
def batch_passages(request: HttpRequest, payload: PassageBatchIn):
    """Offline sync: each item carries its client_id (and post_id, or the batch's). Answers per
    item created / duplicate / error; sending the same batch again changes nothing."""
    if len(payload.items) > MAX_BATCH:
        raise ValidationError({"items": [f"max {MAX_BATCH}"]})
    groups: dict[int, list[dict[str, Any]]] = {}
    order: list[tuple[int, int]] = []
    for item in payload.items:
        given: Any = item.get("post_id") or payload.post_id
        try:
            pid = int(given)
        except (TypeError, ValueError):
            pid = 0
        order.append((pid, len(groups.setdefault(pid, []))))
        groups[pid].append(item)
    answers: dict[int, list[Any]] = {}
    for pid, items in groups.items():
        post = get_post(request.user, pid, write=True)
        answers[pid] = services.record_passages(
            post=post, items=items, user=request.user, source="api"
        )
    results = [answers[pid][i] for pid, i in order]
    counts = {"created": 0, "duplicate": 0, "error": 0}
    for r in results:
        counts[r.status] += 1
    return {**counts, "results": [r.as_dict() for r in results]}


@router.post("/passages/{passage_id}/reveal", response={201: PassageRevealOut})
def reveal(request: HttpRequest, passage_id: int, payload: PassageRevealIn):
    p = get_passage(request.user, passage_id)
    r = services.reveal_id_number(
        passage=p, user=request.user, reason=payload.reason, candidate=payload.candidate
    )
    return 201, PassageRevealOut(
        id=r.pk, passage_id=p.pk, id_number=p.id_number_masked, matched=r.matched
    )


@router.get("/areas/{area_id}/picture")
def area_picture(request: HttpRequest, area_id: int, day: date | None = None):
    area = get_area(request.user, area_id)
    return picture.daily_picture(
        areas=Place.objects.filter(pk=area.pk), day=day or timezone.localdate()
    )


@router.get("/organizations/{org_id}/picture")
def organization_picture(request: HttpRequest, org_id: int, day: date | None = None):
    org = get_organization(request.user, org_id)
    areas = Place.objects.areas().filter(organization__path__startswith=org.path)
    return picture.daily_picture(areas=areas, day=day or timezone.localdate())


def _duty_settings_out(org: Organization) -> dict[str, Any]:
    own = DutySettings.objects.filter(organization=org).first()
    applying = own or DutySettings.for_organization(org)
    config = own or DutySettings(organization=org)
    return {
        "organization_id": org.pk,
        "fever_webhook_url": config.fever_webhook_url,
        "fever_email": config.fever_email,
        "applies_from_id": applying.organization_id if applying else None,
    }


@router.get("/organizations/{org_id}/settings", response=DutySettingsOut)
def get_duty_settings(request: HttpRequest, org_id: int):
    # Managers only, for reading too: the robot's address is a secret.
    org = get_organization(request.user, org_id, manage=True)
    return _duty_settings_out(org)


@router.put("/organizations/{org_id}/settings", response=DutySettingsOut)
def put_duty_settings(request: HttpRequest, org_id: int, payload: DutySettingsIn):
    org = get_organization(request.user, org_id, manage=True)
    services.save_duty_settings(
        organization=org, user=request.user, data=payload.dict(exclude_none=True)
    )
    return _duty_settings_out(org)


@router.get("/alerts", response=list[AlertOut])
@paginate(Pages, page_size=50)
def list_alerts(request: HttpRequest, open: bool = True):
    qs = alerts_for(request.user)
    return qs.filter(handled_at__isnull=True) if open else qs


@router.post("/alerts/{alert_id}/handle", response=AlertOut)
def handle_alert(request: HttpRequest, alert_id: int, payload: NoteIn):
    a = get_alert(request.user, alert_id, write=True)
    return services.handle_alert(alert=a, user=request.user, note=payload.note)


@router.get("/shifts", response=list[ShiftOut])
@paginate(Pages, page_size=100)
def list_shifts(request: HttpRequest, post_id: int, hours: int = 72):
    post = get_post(request.user, post_id)
    now = timezone.now()
    return (
        Shift.objects.filter(
            post=post, ends_at__gt=now, starts_at__lt=now + timedelta(hours=min(hours, 24 * 31))
        )
        .prefetch_related("assignments")
        .order_by("starts_at", "pk")
    )


@router.post("/shifts", response={201: ShiftOut})
def create_shift(request: HttpRequest, payload: ShiftIn):
    post = get_post(request.user, payload.post_id, manage=True)
    people = list(
        Person.objects.filter(
            pk__in=payload.person_ids, organization__path__startswith=post.organization.path
        )
    )

    def create():
        s = services.create_shift(
            post=post, starts_at=payload.starts_at, ends_at=payload.ends_at, people=people
        )
        return 201, ShiftOut.from_orm(s)

    return once(request, request.headers.get("Idempotency-Key"), "community.shift.create", create)


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    return get_assignment(request.user, assignment_id, write=True)


@router.post("/assignments/{assignment_id}/sign-in", response=AssignmentOut)
def sign_in(request: HttpRequest, assignment_id: int):
    return services.sign_in(assignment=_assignment(request, assignment_id))


@router.post("/assignments/{assignment_id}/sign-out", response=AssignmentOut)
def sign_out(request: HttpRequest, assignment_id: int, payload: SignOutIn):
    return services.sign_out(
        assignment=_assignment(request, assignment_id), handover_note=payload.handover_note
    )


@router.get("/spots", response=list[SpotOut])
@paginate(Pages, page_size=100)
def list_spots(request: HttpRequest, area_id: int, overdue: bool = False):
    area = get_area(request.user, area_id)
    places = [area.pk, *posts_for(request.user).filter(parent=area).values_list("pk", flat=True)]
    qs = Spot.objects.filter(place_id__in=places, is_active=True)
    return (qs.overdue() if overdue else qs).order_by("due_at", "pk")


@router.post("/spots/{spot_id}/disinfections", response={201: SpotOut})
def log_disinfection(request: HttpRequest, spot_id: int, payload: DisinfectionIn):
    spot = get_spot(request.user, spot_id, write=True)
    services.log_disinfection(
        spot=spot,
        done_by=payload.done_by,
        agent=payload.agent,
        user=request.user,
        done_at=payload.done_at,
    )
    spot.refresh_from_db()
    return 201, spot


@router.get("/publicity", response=list[PublicityOut])
def list_publicity(request: HttpRequest, area_id: int):
    area = get_area(request.user, area_id)
    return PublicityItem.objects.filter(place=area)


@router.post("/publicity/{item_id}/check", response=PublicityOut)
def check_publicity(request: HttpRequest, item_id: int, payload: PublicityCheckIn):
    item = get_publicity_item(request.user, item_id, write=True)
    return services.check_publicity(item=item, user=request.user, done=payload.done)
