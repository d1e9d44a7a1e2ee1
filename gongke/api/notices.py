"""/api/v1/notices: compose, send, approve, chase, roll-up (the sender's side) and the inbox
with read and acknowledge (the recipient's side) — the same services and access path as the
pages. Creating calls and state changes take an Idempotency-Key; acknowledging twice answers
the first acknowledgement and changes nothing."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import File, Router, Schema, UploadedFile
from ninja.pagination import paginate

from gongke.notices import services
from gongke.notices.access import (
    get_notice,
    get_received,
    get_recipient,
    inbox_for,
    notices_for,
)
from gongke.notices.models import Kind, Notice, Recipient, Source, Status
from gongke.notices.rollups import rollup
from gongke.registry.access import get_organization

from .idempotency import once
from .pagination import Pages
from .schemas import In

router = Router()


class AudienceIn(Schema):
    all: bool = False
    chambers: list[int] = []
    industries: list[str] = []
    townships: list[int] = []
    executive: bool = False
    positions: list[str] = []
    party: bool = False
    volunteers: bool = False
    organizations: list[int] = []
    people: list[int] = []


class StepIn(Schema):
    hours: float
    channels: list[str]


class FieldIn(Schema):
    label: str
    kind: str = "text"
    required: bool = False


class DraftIn(In):
    model = Notice

    kind: str = Kind.NOTICE
    title: str
    body: str
    doc_number: str = ""
    signature: str = ""
    signed_on: dt.date | None = None
    title_hant: str = ""
    body_hant: str = ""
    title_en: str = ""
    body_en: str = ""
    derive_hant: bool = False
    audience: AudienceIn = AudienceIn()
    channels: list[str] = ["app"]
    ladder: list[StepIn] = []
    ack_required: bool = True
    ack_note_required: bool = False
    fields: list[FieldIn] = []
    due_at: dt.datetime | None = None
    is_public: bool = False
    campaign_id: int | None = None
    resumption_category: str = ""
    resumption_batch: int | None = None
    reports_from: dt.date | None = None


class NoticeIn(DraftIn):
    organization_id: int


class NoticeOut(Schema):
    id: int
    organization_id: int
    kind: str
    title: str
    body: str
    title_hant: str
    body_hant: str
    title_en: str
    body_en: str
    doc_number: str
    signature: str
    signed_on: dt.date
    status: str
    audience: dict[str, Any]
    channels: list[str]
    ladder: list[dict[str, Any]]
    ack_required: bool
    ack_note_required: bool
    fields: list[dict[str, Any]]
    due_at: dt.datetime | None
    send_at: dt.datetime | None
    sent_at: dt.datetime | None
    is_public: bool
    created_by_id: int | None
    approved_by_id: int | None
    campaign_id: int | None
    resumption_category: str
    resumption_batch: int | None
    reports_from: dt.date | None


def _data(payload: DraftIn) -> dict[str, Any]:
    return payload.dict(exclude={"organization_id"})


@router.get("", response=list[NoticeOut])
@paginate(Pages, page_size=50)
def list_notices(
    request: HttpRequest, status: str | None = None, kind: str | None = None, q: str = ""
):
    qs = notices_for(request.user).search(q.strip())
    if status in Status.values:
        qs = qs.filter(status=status)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    return qs


@router.post("", response={201: NoticeOut})
def create_notice(request: HttpRequest, payload: NoticeIn):
    org = get_organization(request.user, payload.organization_id)

    def create():
        notice = services.save_notice(user=request.user, organization=org, data=_data(payload))
        return 201, NoticeOut.from_orm(notice)

    return once(request, request.headers.get("Idempotency-Key"), "notices.create", create)


class InboxOut(Schema):
    notice_id: int
    kind: str
    title: str
    signature: str
    sent_at: dt.datetime | None
    due_at: dt.datetime | None
    state: str
    read_at: dt.datetime | None
    acknowledged_at: dt.datetime | None

    @staticmethod
    def resolve_kind(r: Recipient) -> str:
        return r.notice.kind

    @staticmethod
    def resolve_title(r: Recipient) -> str:
        return r.notice.version()[0]

    @staticmethod
    def resolve_signature(r: Recipient) -> str:
        return r.notice.signature

    @staticmethod
    def resolve_sent_at(r: Recipient) -> dt.datetime | None:
        return r.notice.sent_at

    @staticmethod
    def resolve_due_at(r: Recipient) -> dt.datetime | None:
        return r.notice.due_at


class ReceivedOut(InboxOut):
    body: str
    doc_number: str
    signed_on: dt.date
    ack_required: bool
    ack_note_required: bool
    fields: list[dict[str, Any]]
    note: str
    answers: dict[str, Any]

    @staticmethod
    def resolve_body(r: Recipient) -> str:
        return r.notice.version()[1]

    @staticmethod
    def resolve_doc_number(r: Recipient) -> str:
        return r.notice.doc_number

    @staticmethod
    def resolve_signed_on(r: Recipient) -> dt.date:
        return r.notice.signed_on

    @staticmethod
    def resolve_ack_required(r: Recipient) -> bool:
        return r.notice.ack_required

    @staticmethod
    def resolve_ack_note_required(r: Recipient) -> bool:
        return r.notice.ack_note_required

    @staticmethod
    def resolve_fields(r: Recipient) -> list[dict[str, Any]]:
        return r.notice.fields


@router.get("/inbox", response=list[InboxOut])
@paginate(Pages, page_size=50)
def inbox(request: HttpRequest, open: bool | None = None):
    qs = inbox_for(request.user).order_by("-notice__sent_at", "-pk")
    if open:
        qs = qs.filter(acknowledged_at__isnull=True)
    return qs


@router.get("/inbox/{notice_id}", response=ReceivedOut)
def received(request: HttpRequest, notice_id: int):
    """One notice addressed to the caller; reading it here marks it read (source: the API)."""
    r = get_received(request.user, notice_id)
    services.mark_read(recipient=r, source=Source.API)
    return r


class AckIn(In):
    model = Recipient

    note: str = ""
    answers: dict[str, str | int | float] = {}


class AckOut(Schema):
    notice_id: int
    state: str
    acknowledged_at: dt.datetime | None
    ack_source: str
    note: str
    answers: dict[str, Any]


@router.post("/inbox/{notice_id}/ack", response={200: AckOut, 201: AckOut})
def acknowledge(request: HttpRequest, notice_id: int, payload: AckIn):
    r = get_received(request.user, notice_id)

    def create():
        rec, created = services.acknowledge(
            recipient=r, user=request.user, source=Source.API, note=payload.note,
            answers=payload.answers,
        )  # fmt: skip
        return (201 if created else 200), AckOut.from_orm(rec)

    return once(request, request.headers.get("Idempotency-Key"), "notices.ack", create)


@router.get("/{notice_id}", response=NoticeOut)
def get_one(request: HttpRequest, notice_id: int):
    return get_notice(request.user, notice_id)


@router.put("/{notice_id}", response=NoticeOut)
def update_notice(request: HttpRequest, notice_id: int, payload: DraftIn):
    notice = get_notice(request.user, notice_id, write=True)
    return services.save_notice(user=request.user, notice=notice, data=_data(payload))


class AttachmentOut(Schema):
    id: int
    name: str
    size: int


@router.post("/{notice_id}/attachments", response={201: AttachmentOut})
def add_attachment(request: HttpRequest, notice_id: int, file: File[UploadedFile]):
    notice = get_notice(request.user, notice_id, write=True)

    def create():
        a = services.add_attachment(notice=notice, user=request.user, file=file)
        return 201, AttachmentOut.from_orm(a)

    return once(request, request.headers.get("Idempotency-Key"), "notices.attachment", create)


class SendIn(Schema):
    send_at: dt.datetime | None = None


@router.post("/{notice_id}/send", response=NoticeOut)
def send(request: HttpRequest, notice_id: int, payload: SendIn):
    """Send now or at send_at; where the organization asks for approval, it waits for it."""
    notice = get_notice(request.user, notice_id, write=True)

    def create():
        return 200, NoticeOut.from_orm(
            services.send_notice(notice=notice, user=request.user, at=payload.send_at)
        )

    return once(request, request.headers.get("Idempotency-Key"), "notices.send", create)


@router.post("/{notice_id}/approve", response=NoticeOut)
def approve(request: HttpRequest, notice_id: int):
    notice = get_notice(request.user, notice_id, write=True)

    def create():
        return 200, NoticeOut.from_orm(services.approve_notice(notice=notice, user=request.user))

    return once(request, request.headers.get("Idempotency-Key"), "notices.approve", create)


@router.post("/{notice_id}/withdraw", response=NoticeOut)
def withdraw(request: HttpRequest, notice_id: int):
    notice = get_notice(request.user, notice_id, write=True)
    return services.return_to_draft(notice=notice, user=request.user)


class RemindIn(Schema):
    channels: list[str] = []


class RemindOut(Schema):
    reminded: int


@router.post("/{notice_id}/remind", response=RemindOut)
def remind(request: HttpRequest, notice_id: int, payload: RemindIn):
    """Remind every recipient who has not acknowledged yet."""
    notice = get_notice(request.user, notice_id, write=True)

    def create():
        n = services.remind_rest(notice=notice, user=request.user, channels=payload.channels)
        return 200, {"reminded": n}

    return once(request, request.headers.get("Idempotency-Key"), "notices.remind", create)


class RollupRow(Schema):
    id: int
    name: str
    total: int
    delivered: int
    read: int
    acknowledged: int
    late: int
    read_pct: float
    ack_pct: float


class RollupTotal(Schema):
    total: int
    delivered: int
    read: int
    acknowledged: int
    late: int
    read_pct: float
    ack_pct: float


class RollupOut(Schema):
    rows: list[RollupRow]
    total: RollupTotal


@router.get("/{notice_id}/rollup", response=RollupOut)
def get_rollup(request: HttpRequest, notice_id: int, unit: int | None = None):
    """Per chamber (the unit one level under the sender), or per organization of one unit."""
    return rollup(get_notice(request.user, notice_id), unit=unit)


class RecipientOut(Schema):
    id: int
    organization_id: int
    unit_id: int
    user_id: int | None
    person_id: int | None
    name: str
    phone_masked: str
    state: str
    delivered_at: dt.datetime | None
    delivered_via: str
    read_at: dt.datetime | None
    read_via: str
    acknowledged_at: dt.datetime | None
    ack_source: str
    note: str
    answers: dict[str, Any]


STATES = {
    "unread": {"read_at__isnull": True},
    "unacknowledged": {"acknowledged_at__isnull": True},
    "acknowledged": {"acknowledged_at__isnull": False},
}


@router.get("/{notice_id}/recipients", response=list[RecipientOut])
@paginate(Pages, page_size=100)
def recipients(
    request: HttpRequest, notice_id: int, state: str | None = None, unit: int | None = None
):
    qs = get_notice(request.user, notice_id).recipients.order_by("pk")
    if state in STATES:
        qs = qs.filter(**STATES[state])
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    return qs


class OnBehalfIn(In):
    model = Recipient

    note: str
    answers: dict[str, str | int | float] = {}


@router.post("/{notice_id}/recipients/{recipient_id}/ack", response={200: AckOut, 201: AckOut})
def acknowledge_on_behalf(
    request: HttpRequest, notice_id: int, recipient_id: int, payload: OnBehalfIn
):
    """A staff member records an acknowledgement given by telephone."""
    r = get_recipient(request.user, notice_id, recipient_id, write=True)

    def create():
        rec, created = services.acknowledge_on_behalf(
            recipient=r, user=request.user, note=payload.note, answers=payload.answers
        )
        return (201 if created else 200), AckOut.from_orm(rec)

    return once(request, request.headers.get("Idempotency-Key"), "notices.on_behalf", create)


class SettingsOut(Schema):
    organization_id: int
    requires_approval: bool
    webhook_url: str


class SettingsIn(Schema):
    requires_approval: bool = False
    webhook_url: str = ""


@router.get("/settings/{org_id}", response=SettingsOut)
def get_settings(request: HttpRequest, org_id: int):
    """The robot's address is a secret: only those who may change it read it."""
    from gongke.accounts.access import WRITERS, can_write

    org = get_organization(request.user, org_id)
    config = services.settings_for(org)
    writer = can_write(request.user, org, roles=WRITERS["notices"])
    return {
        "organization_id": org.pk,
        "requires_approval": bool(config and config.requires_approval),
        "webhook_url": config.webhook_url if config and writer else "",
    }


@router.put("/settings/{org_id}", response=SettingsOut)
def put_settings(request: HttpRequest, org_id: int, payload: SettingsIn):
    from gongke.accounts.access import WRITERS, require_write

    org = get_organization(request.user, org_id)
    require_write(request.user, org, roles=WRITERS["notices"])
    config = services.save_settings(organization=org, data=payload.dict())
    return {
        "organization_id": org.pk,
        "requires_approval": config.requires_approval,
        "webhook_url": config.webhook_url,
    }
