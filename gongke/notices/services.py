"""Notices: compose, approve, send (the recipients fixed), deliver, read, acknowledge, chase.

The web pages and the API call these same functions. Every record a write refers to (the
chambers, organizations and people of an audience) is fetched through the access path, inside
the sending organization's subtree.
"""

import datetime as dt
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import nh3
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from gongke.accounts.access import WRITERS, require_write, role_over, scoped
from gongke.accounts.models import Membership, Role
from gongke.lib.chinese import to_traditional
from gongke.lib.masking import mask_phone
from gongke.registry.access import organizations_for, people_for
from gongke.registry.models import Industry, Organization, OrgKind, Person, Position

from .models import (
    Channel,
    Delivery,
    DeliveryStatus,
    FieldKind,
    Kind,
    Notice,
    NoticeAttachment,
    NoticeSettings,
    Recipient,
    Source,
    Status,
    validate_attachment,
)

log = logging.getLogger(__name__)

# --- The body: formatted text, never a script -------------------------------------------------
# nh3 (the Rust ammonia sanitizer): an allow-list parser that rebuilds the tree, so what is not
# listed (script, style, on* handlers, javascript: links) cannot pass, and it is maintained —
# bleach, the older choice, has been deprecated by its authors since 2023.
BODY_TAGS = {
    "h1", "h2", "h3", "h4", "p", "br", "hr", "strong", "b", "em", "i", "u", "s", "blockquote",
    "ul", "ol", "li", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "a",
    "span", "div", "sub", "sup",
}  # fmt: skip
BODY_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}, "a": {"href"}}
MAX_BODY = 200_000


def clean_body(text: str) -> str:
    """The body as stored and shown: HTML kept to BODY_TAGS; plain text (no tag at all) made
    into paragraphs, one per blank-line-separated block."""
    text = (text or "").strip()
    if len(text) > MAX_BODY:
        raise ValidationError(
            {"body": _("The body may be at most %(n)s characters.") % {"n": MAX_BODY}}
        )
    if not re.search(r"<[a-zA-Z/!]", text):
        blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
        text = "".join(f"<p>{escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)
    return nh3.clean(
        text,
        tags=BODY_TAGS,
        attributes=BODY_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# --- Audience ----------------------------------------------------------------------------------

AUDIENCE_KEYS = (
    "all",
    "chambers",
    "industries",
    "townships",
    "executive",
    "positions",
    "party",
    "volunteers",
    "organizations",
    "people",
)


def _ids(value: Any) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        value = [value]
    try:
        return sorted({int(v) for v in value})
    except (TypeError, ValueError):
        raise ValidationError({"audience": _("Not found.")})


def _codes(value: Any, allowed: Iterable[str]) -> list[str]:
    value = value or []
    if not isinstance(value, list | tuple):
        value = [value]
    codes = sorted({str(v) for v in value})
    if set(codes) - set(allowed):
        raise ValidationError({"audience": _("Select a valid choice.")})
    return codes


def clean_audience(*, user: Any, organization: Organization, data: dict[str, Any]) -> dict:
    """The audience as stored: every chamber, organization and person it names is one the user
    reaches inside the sending organization's subtree (others are refused as not found)."""
    a: dict[str, Any] = {
        "all": bool(data.get("all")),
        "executive": bool(data.get("executive")),
        "party": bool(data.get("party")),
        "volunteers": bool(data.get("volunteers")),
        "industries": _codes(data.get("industries"), Industry.values),
        "positions": _codes(data.get("positions"), Position.values),
        "townships": _ids(data.get("townships")),
        "chambers": _ids(data.get("chambers")),
        "organizations": _ids(data.get("organizations")),
        "people": _ids(data.get("people")),
    }
    inside = organizations_for(user).filter(path__startswith=organization.path)
    for key, qs in (
        ("chambers", inside.exclude(kind=OrgKind.ENTERPRISE)),
        ("organizations", inside),
        ("people", people_for(user).filter(organization__path__startswith=organization.path)),
    ):
        if a[key] and qs.filter(pk__in=a[key]).count() != len(a[key]):
            raise ValidationError({"audience": _("Not found.")})
    return a


def _group_chosen(a: dict) -> bool:
    return bool(
        a.get("all") or a.get("chambers") or a.get("industries") or a.get("townships")
    ) or bool(a.get("executive"))


def _people_filter(a: dict) -> Q | None:
    q = Q()
    if a.get("positions"):
        q &= Q(position__in=a["positions"])
    if a.get("party"):
        q &= Q(is_party_member=True)
    if a.get("volunteers"):
        q &= Q(is_volunteer=True)
    return q if q.children else None


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")[-11:]


@dataclass(slots=True)
class Addressee:
    """A recipient-to-be (a Recipient model instance costs more to build than to write)."""

    organization_id: int
    name: str
    phone_masked: str
    person_id: int | None = None
    user_id: int | None = None
    unit_id: int = 0


def resolve_audience(notice: Notice) -> list[Addressee]:
    """The recipients the audience names now (unsaved): each person of the register and each
    user with a membership in the chosen organizations, once; a person and a user of the same
    organization with the same phone number are one recipient."""
    root = notice.organization
    a = notice.audience or {}
    orgs = Organization.objects.none()
    if _group_chosen(a):
        orgs = Organization.objects.filter(path__startswith=root.path, is_active=True).exclude(
            pk=root.pk
        )
        if a.get("chambers"):
            paths = Organization.objects.filter(pk__in=a["chambers"]).values_list("path", flat=True)
            q = Q()
            for p in paths:
                q |= Q(path__startswith=p)
            orgs = orgs.filter(q)
        if a.get("industries") or a.get("townships") or a.get("executive"):
            orgs = orgs.filter(kind=OrgKind.ENTERPRISE)
            if a.get("industries"):
                orgs = orgs.filter(industry__in=a["industries"])
            if a.get("townships"):
                orgs = orgs.filter(township_id__in=a["townships"])
            if a.get("executive"):
                orgs = orgs.filter(is_executive=True)
    picked = Organization.objects.filter(pk__in=a.get("organizations") or [])
    org_ids = set(orgs.values_list("pk", flat=True)) | set(picked.values_list("pk", flat=True))
    people_q = _people_filter(a)
    people = Person.objects.filter(organization_id__in=org_ids)
    if people_q is not None:
        people = people.filter(people_q)
    people = people | Person.objects.filter(pk__in=a.get("people") or [])
    people_rows = list(people.values_list("pk", "organization_id", "name", "phone").order_by("pk"))
    memberships = list(
        Membership.objects.filter(organization_id__in=org_ids, user__is_active=True)
        .values_list(
            "user_id", "organization_id", "user__display_name", "user__username", "user__phone"
        )
        .order_by("organization__path", "user_id")
    )
    # With a filter on positions or flags, a user is in only as that person of the register.
    phones_by_org: dict[tuple[int, str], int] = {}
    recipients: dict[tuple[str, int], Addressee] = {}
    for pk, org_id, name, phone in people_rows:
        recipients[("p", pk)] = Addressee(org_id, name, mask_phone(phone), person_id=pk)
        if _digits(phone):
            phones_by_org[(org_id, _digits(phone))] = pk
    seen_users: set[int] = set()
    for user_id, org_id, display, username, phone in memberships:
        if user_id in seen_users:
            continue
        match = phones_by_org.get((org_id, _digits(phone))) if _digits(phone) else None
        if match is not None:
            recipients[("p", match)].user_id = user_id
            seen_users.add(user_id)
        elif people_q is None:
            recipients[("u", user_id)] = Addressee(
                org_id, display or username, mask_phone(phone), user_id=user_id
            )
            seen_users.add(user_id)
    rows = list(recipients.values())
    _set_units(root, rows)
    return rows


def _set_units(root: Organization, rows: list[Addressee]) -> None:
    """Each recipient's roll-up unit: its organization's ancestor one level under the sender."""
    ids = {r.organization_id for r in rows}
    paths = dict(Organization.objects.filter(pk__in=ids).values_list("pk", "path"))
    size = len(root.path) + 5  # one level is five characters of the path
    unit_paths = {p[:size] if len(p) >= size else p for p in paths.values()}
    units = dict(Organization.objects.filter(path__in=unit_paths).values_list("path", "pk"))
    for r in rows:
        p = paths[r.organization_id]
        r.unit_id = units[p[:size] if len(p) >= size else p]


def audience_size(notice: Notice) -> int:
    return len(resolve_audience(notice))


# --- Compose ------------------------------------------------------------------------------------

TEXT_FIELDS = ("title", "title_hant", "title_en", "doc_number", "signature")
FLAG_FIELDS = ("ack_required", "ack_note_required", "is_public")
CHANNELS_SENT = {Channel.APP, Channel.EMAIL, Channel.ROBOT, Channel.SMS}
LADDER_CHANNELS = CHANNELS_SENT | {Channel.CALL}


def _channels(value: Any, allowed: set) -> list[str]:
    value = value or []
    if not isinstance(value, list | tuple):
        value = [value]
    out = [str(v) for v in value]
    if set(out) - set(allowed):
        raise ValidationError({"channels": _("Select a valid choice.")})
    return sorted(set(out), key=out.index)


def clean_ladder(value: Any) -> list[dict]:
    """[{"hours": 6, "channels": ["robot", "email"]}, ...], in increasing hours."""
    steps = []
    for step in value or []:
        try:
            hours = Decimal(str(step["hours"]))
        except (KeyError, TypeError, InvalidOperation):
            raise ValidationError({"ladder": _("Each step needs a number of hours.")})
        if not (0 < hours <= 24 * 30):
            raise ValidationError({"ladder": _("Each step needs a number of hours.")})
        channels = _channels(step.get("channels"), LADDER_CHANNELS)
        if not channels:
            raise ValidationError({"ladder": _("Each step needs at least one channel.")})
        steps.append({"hours": float(hours), "channels": channels})
    if len(steps) > 10:
        raise ValidationError({"ladder": _("At most 10 steps.")})
    return sorted(steps, key=lambda s: s["hours"])


def clean_fields(value: Any) -> list[dict]:
    fields = []
    for i, f in enumerate(value or [], start=1):
        label = str((f or {}).get("label", "")).strip()[:100]
        kind = str((f or {}).get("kind") or FieldKind.TEXT)
        if not label or kind not in FieldKind.values:
            raise ValidationError({"fields": _("Each field needs a label and a kind.")})
        fields.append(
            {"key": f"f{i}", "label": label, "kind": kind, "required": bool(f.get("required"))}
        )
    if sum(1 for f in fields if f["kind"] == FieldKind.FILE) > 1:
        raise ValidationError({"fields": _("At most one field may ask for a file.")})
    if len(fields) > 20:
        raise ValidationError({"fields": _("At most 20 fields.")})
    return fields


def _campaign(user: Any, organization: Organization, pk: Any) -> Any:
    """A donation campaign of the sending organization's subtree that the user reaches."""
    if pk in (None, ""):
        return None
    from gongke.donations.models import Campaign

    qs = scoped(user, Campaign.objects.filter(organization__path__startswith=organization.path))
    try:
        return qs.get(pk=pk)
    except (Campaign.DoesNotExist, ValueError, TypeError):
        raise ValidationError({"campaign": _("Not found.")})


def campaign_figures(notice: Notice) -> dict[str, Any] | None:
    """The linked campaign's totals (received, pledged, donors) as the donations app counts
    them (each yuan once), for the notice's pages."""
    campaign = notice.campaign
    if campaign is None:
        return None
    from gongke.donations import figures

    scope = figures.Scope(root=campaign.organization, campaign=campaign)
    total, _rows = figures.totals(scope)
    return {"campaign": campaign, "total": total, "donors": figures.donor_count(scope)}


@transaction.atomic
def save_notice(
    *, user: Any, data: dict[str, Any], organization: Organization | None = None,
    notice: Notice | None = None,
) -> Notice:  # fmt: skip
    """Create a draft (organization given) or change one (notice given)."""
    if notice is None:
        assert organization is not None
        require_write(user, organization, roles=WRITERS["notices"])
        notice = Notice(organization=organization, created_by=user)
    elif not notice.is_editable:
        raise ValidationError(_("Only a draft can be changed."))
    org = notice.organization
    for name in TEXT_FIELDS:
        if name in data:
            setattr(notice, name, str(data[name] or "").strip())
    for name in FLAG_FIELDS:
        if name in data:
            setattr(notice, name, bool(data[name]))
    if "kind" in data:
        notice.kind = data["kind"] or Kind.NOTICE
    if "body" in data:
        notice.body = clean_body(data["body"])
    for name in ("body_hant", "body_en"):
        if name in data:
            setattr(notice, name, clean_body(data[name]) if data[name] else "")
    if data.get("derive_hant"):
        notice.title_hant = to_traditional(notice.title)
        notice.body_hant = to_traditional(notice.body)
    if "signed_on" in data or not notice.signed_on:
        notice.signed_on = data.get("signed_on") or timezone.localdate()
    if not notice.signature:
        notice.signature = org.name
    if "due_at" in data:
        notice.due_at = data["due_at"]
    if "audience" in data:
        notice.audience = clean_audience(user=user, organization=org, data=data["audience"] or {})
    if "channels" in data:
        notice.channels = _channels(data["channels"], CHANNELS_SENT)
    elif notice._state.adding:
        notice.channels = [Channel.APP]
    if "ladder" in data:
        notice.ladder = clean_ladder(data["ladder"])
    if "fields" in data:
        notice.fields = clean_fields(data["fields"])
    if "campaign_id" in data:
        notice.campaign = _campaign(user, org, data["campaign_id"])
    for name in ("resumption_category", "resumption_batch", "reports_from"):
        if name in data:
            setattr(notice, name, data[name] or ("" if name == "resumption_category" else None))
    if not notice.title or not notice.body:
        raise ValidationError({"title": _("A notice needs a title and a body.")})
    notice.full_clean(exclude=["audience", "channels", "ladder", "fields", "answers"])
    notice.save()
    return notice


@transaction.atomic
def add_attachment(*, notice: Notice, user: Any, file: Any) -> NoticeAttachment:
    if not notice.is_editable:
        raise ValidationError(_("Only a draft can be changed."))
    validate_attachment(file)
    return NoticeAttachment.objects.create(
        notice=notice, file=file, name=file.name[:200], size=file.size, uploaded_by=user
    )


def settings_for(org: Organization) -> NoticeSettings | None:
    return NoticeSettings.objects.filter(organization=org).first()


def save_settings(*, organization: Organization, data: dict[str, Any]) -> NoticeSettings:
    obj = settings_for(organization) or NoticeSettings(organization=organization)
    obj.requires_approval = bool(data.get("requires_approval"))
    obj.webhook_url = (data.get("webhook_url") or "").strip()
    obj.full_clean()
    obj.save()
    return obj


# --- Approve and send ---------------------------------------------------------------------------


def _needs_approval(notice: Notice) -> bool:
    config = settings_for(notice.organization)
    return bool(config and config.requires_approval) and notice.approved_at is None


@transaction.atomic
def send_notice(*, notice: Notice, user: Any, at: dt.datetime | None = None) -> Notice:
    """Send now, or at `at` (scheduled); where the organization asks for a second person's
    approval, the notice waits for it first (status pending)."""
    notice = Notice.objects.select_for_update().select_related("organization").get(pk=notice.pk)
    if notice.status not in (Status.DRAFT, Status.SCHEDULED):
        raise ValidationError(_("This notice was already sent or is awaiting approval."))
    if (
        not notice.audience
        or not _group_chosen(notice.audience)
        and not (notice.audience.get("organizations") or notice.audience.get("people"))
    ):
        raise ValidationError({"audience": _("Choose who receives the notice.")})
    if at is not None and at <= timezone.now():
        at = None
    notice.send_at = at
    if _needs_approval(notice):
        notice.status = Status.PENDING
        notice.save(update_fields=["status", "send_at", "updated_at"])
        return notice
    return _dispatch(notice)


@transaction.atomic
def approve_notice(*, notice: Notice, user: Any) -> Notice:
    notice = Notice.objects.select_for_update().select_related("organization").get(pk=notice.pk)
    if notice.status != Status.PENDING:
        raise ValidationError(_("This notice is not awaiting approval."))
    if notice.created_by_id == user.pk:
        raise PermissionDenied(_("A second person must approve what you wrote."))
    notice.approved_by, notice.approved_at = user, timezone.now()
    notice.save(update_fields=["approved_by", "approved_at", "updated_at"])
    return _dispatch(notice)


@transaction.atomic
def return_to_draft(*, notice: Notice, user: Any) -> Notice:
    """Withdraw a scheduled notice or one awaiting approval (nothing was sent yet)."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.status not in (Status.PENDING, Status.SCHEDULED):
        raise ValidationError(_("Only a notice not sent yet can go back to draft."))
    notice.status, notice.approved_by, notice.approved_at = Status.DRAFT, None, None
    notice.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    return notice


def _dispatch(notice: Notice) -> Notice:
    if notice.send_at is not None and notice.send_at > timezone.now():
        notice.status = Status.SCHEDULED
        notice.save(update_fields=["status", "send_at", "updated_at"])
        return notice
    return _send(notice)


def _send(notice: Notice) -> Notice:
    """The recipients fixed now (members who join later do not silently join), the in-app
    copies delivered and the other channels queued."""
    rows = resolve_audience(notice)
    if not rows:
        raise ValidationError({"audience": _("Nobody matches this audience.")})
    now = timezone.now()
    notice.status, notice.sent_at = Status.SENT, now
    notice.save(update_fields=["status", "sent_at", "updated_at"])
    insert_rows(
        Recipient,
        ["notice_id", "organization_id", "unit_id", "user_id", "person_id", "name", "phone_masked"],
        [
            (
                notice.pk,
                r.organization_id,
                r.unit_id,
                r.user_id,
                r.person_id,
                r.name,
                r.phone_masked,
            )
            for r in rows
        ],
    )
    queue_step(notice, notice.channels, step=0, now=now)
    return notice


def insert_rows(model: Any, columns: list[str], rows: list[tuple]) -> None:
    """Many rows in a few statements, every other column at its default. bulk_create prepares
    each field of each object in Python (about half a millisecond a recipient row): for the
    thousands of rows a county-wide notice makes, that alone was seconds."""
    meta = model._meta
    fields = [meta.get_field(c.removesuffix("_id")) for c in columns]
    rest = [f for f in meta.concrete_fields if f not in fields and not f.primary_key]
    defaults = [f.get_db_prep_save(f.get_default(), connection) for f in rest]
    qn = connection.ops.quote_name
    names = ", ".join(qn(f.column) for f in [*fields, *rest])
    row_marks = "(" + ", ".join(["%s"] * (len(fields) + len(rest))) + ")"
    with connection.cursor() as cursor:
        # Several rows a statement: executemany is one round trip a row on PostgreSQL.
        for i in range(0, len(rows), 500):
            chunk = rows[i : i + 500]
            cursor.execute(
                f"INSERT INTO {qn(meta.db_table)} ({names}) VALUES "
                + ", ".join([row_marks] * len(chunk)),
                [v for row in chunk for v in (*row, *defaults)],
            )


# Who each channel reaches: app and email need a user, SMS a phone number.
CHANNEL_REACH: dict[str, str] = {
    Channel.APP: "r.user_id IS NOT NULL",
    Channel.EMAIL: "r.user_id IS NOT NULL",
    Channel.SMS: "r.phone_masked <> ''",
    Channel.CALL: "1 = 1",
}


def queue_step(
    notice: Notice, channels: Iterable[str], *, step: int, now: dt.datetime,
    unacknowledged: bool = False,
) -> int:  # fmt: skip
    """One delivery per recipient and channel (and one group robot message), then the job.
    Written as INSERT … SELECT from the recipients: the rows never pass through Python."""
    channels = set(channels)
    ops, qn = connection.ops, connection.ops.quote_name
    at = ops.adapt_datetimefield_value(now)
    count = 0
    with connection.cursor() as cursor:
        for channel in sorted(channels - {Channel.ROBOT}):
            # In-app: the inbox holds it already (and the home page's banner shows it).
            done = channel == Channel.APP
            where = CHANNEL_REACH[channel]
            if unacknowledged:
                where += " AND r.acknowledged_at IS NULL"
            cursor.execute(
                f"INSERT INTO {qn(Delivery._meta.db_table)} (notice_id, recipient_id, channel,"
                " step, status, detail, created_at, attempted_at)"
                f" SELECT %s, r.id, %s, %s, %s, '', %s, %s FROM {qn(Recipient._meta.db_table)} r"
                f" WHERE r.notice_id = %s AND {where}",
                [
                    notice.pk, channel, step,
                    DeliveryStatus.SENT if done else DeliveryStatus.QUEUED,
                    at, at if done else None, notice.pk,
                ],
            )  # fmt: skip
            count += cursor.rowcount
    if Channel.ROBOT in channels:
        Delivery.objects.create(notice=notice, channel=Channel.ROBOT, step=step, created_at=now)
        count += 1
    if channels - {Channel.APP}:
        transaction.on_commit(lambda: _enqueue(notice.pk))
    return count


def _enqueue(notice_id: int) -> None:
    from .tasks import deliver_notice

    try:
        deliver_notice(notice_id)
    except Exception:  # the periodic sweep delivers what a refused queue lost
        log.exception("notice %s: could not queue its deliveries", notice_id)


def send_due(now: dt.datetime | None = None) -> int:
    """Send the scheduled notices whose time has come."""
    now = now or timezone.now()
    sent = 0
    for pk in Notice.objects.filter(status=Status.SCHEDULED, send_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            notice = Notice.objects.select_for_update().select_related("organization").get(pk=pk)
            if notice.status == Status.SCHEDULED:
                try:
                    _send(notice)
                    sent += 1
                except ValidationError:
                    log.warning("scheduled notice %s matched nobody", pk)
    return sent


# --- Delivery -----------------------------------------------------------------------------------


def _message(notice: Notice) -> str:
    link = f"{settings.SITE_URL.rstrip('/')}/notices/received/{notice.pk}/"
    return f"【{notice.signature}】{notice.get_kind_display()}：{notice.title} {link}"


def deliver(notice_id: int, *, limit: int = 5000) -> int:
    """Attempt the queued deliveries of a notice; each claimed in one statement first, so a
    second run (a retry, the sweep) never sends one twice. Answers how many were attempted."""
    from . import channels

    ids = list(
        Delivery.objects.filter(notice_id=notice_id, status=DeliveryStatus.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    now = timezone.now()
    claimed = Delivery.objects.filter(pk__in=ids, status=DeliveryStatus.QUEUED).update(
        status=DeliveryStatus.SKIPPED, attempted_at=now, detail="…"
    )
    if not claimed:
        return 0
    batch = list(
        Delivery.objects.filter(pk__in=ids, detail="…", attempted_at=now).select_related(
            "notice__organization", "recipient__user", "recipient__person"
        )
    )
    if not batch:
        return 0
    notice = batch[0].notice
    outcome = channels.send(notice, batch, _message(notice))
    delivered: dict[str, list[int]] = {}
    for d in batch:
        ok, detail = outcome.get(d.pk, (False, "no channel"))
        d.status = DeliveryStatus.SENT if ok else DeliveryStatus.FAILED
        d.detail = detail[:200]
        if ok and d.recipient_id and d.channel in (Channel.EMAIL, Channel.SMS):
            delivered.setdefault(d.channel, []).append(d.recipient_id)
    Delivery.objects.bulk_update(batch, ["status", "detail"], batch_size=1000)
    for channel, rids in delivered.items():
        Recipient.objects.filter(pk__in=rids, delivered_at__isnull=True).update(
            delivered_at=now, delivered_via=Source.EMAIL if channel == Channel.EMAIL else Source.SMS
        )
    return len(batch)


def sweep(now: dt.datetime | None = None) -> int:
    """Deliver what was queued over a minute ago and never attempted (its job lost)."""
    cutoff = (now or timezone.now()) - dt.timedelta(minutes=1)
    ids = set(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, created_at__lte=cutoff)
        .values_list("notice_id", flat=True)
        .distinct()
    )
    return sum(deliver(pk) for pk in ids)


# --- Read and acknowledge ----------------------------------------------------------------------


def mark_delivered(*, user: Any) -> int:
    """The user's in-app copies reached them (a page showed the banner or the inbox)."""
    return Recipient.objects.filter(user=user, delivered_at__isnull=True).update(
        delivered_at=timezone.now(), delivered_via=Source.APP
    )


def mark_read(*, recipient: Recipient, source: str = Source.APP) -> Recipient:
    """First read wins; an unverified source (an email open) never overwrites a verified one."""
    if recipient.read_at is None:
        now = timezone.now()
        recipient.read_at, recipient.read_via = now, source
        fields = ["read_at", "read_via"]
        if recipient.delivered_at is None:
            recipient.delivered_at, recipient.delivered_via = now, source
            fields += ["delivered_at", "delivered_via"]
        Recipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(
            **{f: getattr(recipient, f) for f in fields}
        )
    return recipient


def _answers(notice: Notice, data: dict[str, Any], file: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for f in notice.fields:
        key, kind = f["key"], f["kind"]
        if kind == FieldKind.FILE:
            if f["required"] and not file:
                errors[key] = [_("This field is required.")]
            continue
        value = str(data.get(key) if data.get(key) is not None else "").strip()
        if not value:
            if f["required"]:
                errors[key] = [_("This field is required.")]
            continue
        if kind == FieldKind.NUMBER:
            try:
                number = Decimal(value.replace(",", ""))
                if not number.is_finite() or abs(number) >= Decimal("1e15"):
                    raise InvalidOperation
                out[key] = str(number)
            except InvalidOperation:
                errors[key] = [_("Enter a number.")]
        elif kind == FieldKind.DATE:
            try:
                out[key] = dt.date.fromisoformat(value).isoformat()
            except ValueError:
                errors[key] = [_("Enter a valid date.")]
        else:
            out[key] = value[:1000]
    if errors:
        raise ValidationError(errors)
    return out


def acknowledge(
    *, recipient: Recipient, user: Any, source: str = Source.APP, note: str = "",
    answers: dict[str, Any] | None = None, file: Any = None,
) -> tuple[Recipient, bool]:  # fmt: skip
    """Acknowledge (with the note and answers the sender asked for). A second acknowledgement
    changes nothing and answers (recipient, False): a retried request is harmless."""
    if recipient.acknowledged_at is not None:
        return recipient, False
    notice = recipient.notice
    if not notice.is_sent:
        raise ValidationError(_("This notice has not been sent."))
    note = (note or "").strip()
    if notice.ack_note_required and not note:
        raise ValidationError({"note": [_("A note is required.")]})
    if len(note) > 2000:
        raise ValidationError({"note": [_("At most 2000 characters.")]})
    values = _answers(notice, answers or {}, file)
    if file:
        validate_attachment(file)
    now = timezone.now()
    with transaction.atomic():
        updated = Recipient.objects.filter(pk=recipient.pk, acknowledged_at__isnull=True)
        if not updated.select_for_update().exists():
            recipient.refresh_from_db()
            return recipient, False
        recipient.acknowledged_at, recipient.ack_source, recipient.ack_by = now, source, user
        recipient.note, recipient.answers = note, values
        fields = ["acknowledged_at", "ack_source", "ack_by", "note", "answers"]
        if recipient.read_at is None:
            recipient.read_at, recipient.read_via = now, source
            fields += ["read_at", "read_via"]
        if recipient.delivered_at is None:
            recipient.delivered_at, recipient.delivered_via = now, source
            fields += ["delivered_at", "delivered_via"]
        if file:
            recipient.ack_file = file
            fields.append("ack_file")
        recipient.save(update_fields=fields)
    return recipient, True


def acknowledge_on_behalf(
    *, recipient: Recipient, user: Any, note: str, answers: dict[str, Any] | None = None
) -> tuple[Recipient, bool]:
    """A chamber's secretary records an acknowledgement given by telephone."""
    if not note.strip():
        raise ValidationError({"note": [_("Say how the acknowledgement was given.")]})
    return acknowledge(
        recipient=recipient, user=user, source=Source.ON_BEHALF, note=note, answers=answers
    )


# --- Chasing ------------------------------------------------------------------------------------


@transaction.atomic
def remind_rest(*, notice: Notice, user: Any, channels: Iterable[str] | None = None) -> int:
    """Remind every recipient who has not acknowledged yet, now (through the notice's own
    channels unless others are named). Answers how many recipients were reminded."""
    if not notice.is_sent:
        raise ValidationError(_("This notice has not been sent."))
    rest = notice.recipients.unacknowledged().count()
    if not rest:
        return 0
    chosen = _channels(list(channels) if channels else notice.channels, LADDER_CHANNELS)
    # Reminders are steps 100, 101...: apart from the ladder's 1, 2...
    step = 100 + (
        Delivery.objects.filter(notice=notice, step__gte=100).values("step").distinct().count()
    )
    queue_step(notice, chosen, step=step, now=timezone.now(), unacknowledged=True)
    return rest


def run_ladder(now: dt.datetime | None = None) -> int:
    """Take each sent notice's due ladder steps: the unacknowledged recipients only, so chasing
    stops for each one as soon as they acknowledge."""
    now = now or timezone.now()
    taken = 0
    for notice in Notice.objects.filter(status=Status.SENT).exclude(ladder=[]):
        if notice.ladder_done >= len(notice.ladder):
            continue
        with transaction.atomic():
            n = Notice.objects.select_for_update().get(pk=notice.pk)
            while n.ladder_done < len(n.ladder):
                step = n.ladder[n.ladder_done]
                if n.sent_at + dt.timedelta(hours=step["hours"]) > now:
                    break
                n.ladder_done += 1
                if n.recipients.unacknowledged().exists():
                    queue_step(
                        n, step["channels"], step=n.ladder_done, now=now, unacknowledged=True
                    )
                taken += 1
            n.save(update_fields=["ladder_done"])
    return taken


def may_approve(user: Any, notice: Notice) -> bool:
    role = role_over(user, notice.organization)
    return (
        role is not None
        and notice.status == Status.PENDING
        and notice.created_by_id != getattr(user, "pk", None)
        and role in WRITERS["notices"] | {Role.PLATFORM_ADMIN}
    )
