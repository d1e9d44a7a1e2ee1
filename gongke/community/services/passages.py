"""Passages: one or a batch, exactly once (by client id), with their outings and fever alerts."""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gongke.accounts.access import require_write
from gongke.census import reveals
from gongke.census.models import Resident
from gongke.lib.idnumbers import clean_id_number, hash_id_number
from gongke.lib.masking import mask_id_number
from gongke.registry.models import Place

from ..models import (
    FEVER,
    HIGHEST_TEMPERATURE,
    LOWEST_TEMPERATURE,
    Alert,
    Decision,
    Direction,
    IdReveal,
    Outing,
    Passage,
    Source,
    SubjectKind,
)
from . import statements
from .alerts import FeverNotice, raise_fever_alerts

DIRECTIONS, SUBJECTS, DECISIONS = (
    set(Direction.values),
    set(SubjectKind.values),
    set(Decision.values),
)
logger = logging.getLogger(__name__)

# A device clock may run a little fast; a passage from further ahead is a mistake.
MAX_CLOCK_SKEW = timedelta(minutes=10)


def _temperature(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        t = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"temperature": _("Enter the temperature as a number, e.g. 36.5.")})
    if not LOWEST_TEMPERATURE <= t <= HIGHEST_TEMPERATURE:
        raise ValidationError(
            {
                "temperature": _(
                    "%(value)s °C is not a plausible body temperature (34.0–43.0 °C): measure again."
                )
                % {"value": t}
            }
        )
    return t


def _when(value: Any, now: datetime) -> datetime:
    if value in (None, ""):
        return now
    when = value if isinstance(value, datetime) else parse_datetime(str(value))
    if when is None:
        raise ValidationError({"occurred_at": _("Enter a valid date and time.")})
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now + MAX_CLOCK_SKEW:
        raise ValidationError(
            {"occurred_at": _("This time is in the future: check the phone's clock.")}
        )
    return when


def _plate(value: str) -> str:
    return "".join(str(value or "").split()).upper()


def subject_key(p: Passage) -> str:
    if p.subject == SubjectKind.VEHICLE:
        return "v" + p.plate if p.plate else ""
    if p.resident_id:
        return f"r{p.resident_id}"
    if p.id_number_hash:
        return "i" + p.id_number_hash[:40]
    if p.phone:
        return "p" + p.phone
    return "n" + p.name if p.name else ""


def build_passage(
    *,
    post: Place,
    data: dict[str, Any],
    residents: dict[int, str],
    now: datetime,
    user: Any = None,
    source: str = Source.CONSOLE,
) -> Passage:
    """A validated, unsaved Passage from plain data (a form, a JSON item); ValidationError otherwise."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    try:
        client_id = uuid.UUID(str(data.get("client_id") or uuid.uuid4()))
    except ValueError:
        raise ValidationError({"client_id": _("A passage needs a valid client id (a UUID).")})
    direction = data.get("direction") or Direction.IN
    if direction not in DIRECTIONS:
        fail("direction", _("Choose in or out."))
    subject = data.get("subject") or SubjectKind.RESIDENT
    if subject not in SUBJECTS:
        fail("subject", _("Choose resident, outsider or vehicle."))
    decision = data.get("decision") or Decision.PASS
    if decision not in DECISIONS:
        fail("decision", _("Choose passed, refused or persuaded to turn back."))
    p = Passage(
        client_id=client_id,
        post=post,
        direction=direction,
        subject=subject,
        decision=decision,
        reason=str(data.get("reason") or "")[:200],
        name=str(data.get("name") or "").strip()[:50],
        phone=str(data.get("phone") or "").strip()[:20],
        plate=_plate(data.get("plate") or "")[:12],
        driver=str(data.get("driver") or "").strip()[:50],
        source=source,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    try:
        p.temperature = _temperature(data.get("temperature"))
    except ValidationError as e:
        fail("temperature", e.message_dict["temperature"][0])
    try:
        p.occurred_at = _when(data.get("occurred_at"), now)
    except ValidationError as e:
        fail("occurred_at", e.message_dict["occurred_at"][0])
    try:
        p.passengers = int(data.get("passengers") or 0)
        if not 0 <= p.passengers <= 99:
            raise ValueError
    except (TypeError, ValueError):
        fail("passengers", _("Enter the number of passengers (0–99)."))
    if data.get("id_number"):
        try:
            compact = clean_id_number(str(data["id_number"]))
            p.id_number_hash = hash_id_number(compact)
            p.id_number_masked = mask_id_number(compact)
        except ValidationError as e:
            fail("id_number", e.messages[0])
    resident_id = data.get("resident_id")
    if resident_id:
        try:
            resident_name = residents.get(int(resident_id))
        except (TypeError, ValueError):
            resident_name = None
        if resident_name is None:
            fail("resident_id", _("This resident is not registered in this compound."))
        else:
            p.resident_id = int(resident_id)
            p.subject = SubjectKind.RESIDENT
            p.name = p.name or resident_name
    if p.subject == SubjectKind.VEHICLE and not p.plate:
        fail("plate", _("Enter the vehicle's plate."))
    if p.subject != SubjectKind.VEHICLE and not (
        p.name or p.resident_id or p.id_number_hash or p.phone
    ):
        fail("name", _("Enter the person's name or choose a resident."))
    if p.decision != Decision.PASS and not p.reason:
        fail("reason", _("Give the reason for refusing or turning back."))
    elif (
        source != Source.SELF
        and p.is_fever
        and p.direction == Direction.IN
        and p.decision == Decision.PASS
        and not p.reason
    ):
        # The console asks for a decision on a fever; the API and an old console must not let
        # one through silently either. (A resident's own registration decides nothing: its fever
        # raises the alert and the guard decides.)
        fail("reason", _("A fever passes only with a reason (or turn the person back)."))
    if errors:
        raise ValidationError(errors)
    p.subject_key = subject_key(p)
    return p


@dataclass
class ItemResult:
    client_id: str
    status: str  # created, duplicate, error
    id: int | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    passage: Passage | None = field(default=None, repr=False)
    alert: FeverNotice | None = None  # the fever alert this passage raised

    def as_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "status": self.status,
            "id": self.id,
            "errors": self.errors,
            "alert": self.alert.as_dict() if self.alert else None,
        }


def _match_residents(post: Place, items: list[dict[str, Any]]) -> None:
    """Links a self-registered person to the census: same ID number, or same name and room."""
    for item in items:
        if item.get("resident_id") or item.get("subject", "resident") != "resident":
            continue
        qs = Resident.objects.filter(household__place_id=post.parent_id or 0)
        match = None
        if item.get("id_number"):
            try:
                match = qs.filter(
                    id_number_hash=hash_id_number(clean_id_number(str(item["id_number"])))
                ).first()
            except ValidationError:
                pass
        if match is None and item.get("name") and item.get("room"):
            room = str(item["room"]).strip()
            match = qs.filter(
                name=str(item["name"]).strip(), household__room=room.split("-")[-1]
            ).first()
        if match is not None:
            item["resident_id"] = match.pk


def _residents_for(post: Place, items: list[dict[str, Any]]) -> dict[int, str]:
    ids = set()
    for item in items:
        try:
            if item.get("resident_id"):
                ids.add(int(item["resident_id"]))
        except (TypeError, ValueError):
            pass
    if not ids:
        return {}
    qs = Resident.objects.filter(pk__in=ids, household__place_id=post.parent_id or 0)
    return dict(qs.order_by().values_list("pk", "name"))


def _outing(p: Passage, area_id: int) -> Outing:
    return Outing(
        place_id=area_id,
        subject_key=p.subject_key,
        subject=p.subject,
        label=p.label[:50],
        resident_id=p.resident_id,
        left_at=p.occurred_at,
        returned_at=None,
    )


def _pair(passages: list[Passage], area_id: int | None) -> None:
    """Opens an outing for each "out", closes it with the next "in" of the same subject.

    Several passages are paired in memory against the subjects' open outings (read once). One
    passage needs no read: its "out" is an insert the open-outing constraint may refuse (one is
    open already), its "in" an update of the open outing if it began before. The same outcome,
    held by test_it_records_a_sequence_one_at_a_time_as_in_one_batch."""
    moving = sorted(
        (p for p in passages if p.decision == Decision.PASS and p.subject_key),
        key=lambda p: p.occurred_at,
    )
    if not moving or area_id is None:
        return
    if len(moving) == 1:
        statements.pair_one(moving[0], area_id)
        return
    keys = {p.subject_key for p in moving}
    open_ = {
        o.subject_key: o
        for o in Outing.objects.open().filter(place_id=area_id, subject_key__in=keys)
    }
    new: dict[str, Outing] = {}
    closed: list[Outing] = []
    created: list[Outing] = []
    for p in moving:
        current = new.get(p.subject_key) or open_.get(p.subject_key)
        if p.direction == Direction.OUT:
            if current is None:
                new[p.subject_key] = _outing(p, area_id)
        elif current is not None and p.occurred_at >= current.left_at:
            current.returned_at = p.occurred_at
            if current.pk:
                closed.append(current)
                del open_[p.subject_key]
            else:
                created.append(current)
                del new[p.subject_key]
    created.extend(new.values())
    if closed:
        Outing.objects.bulk_update(closed, ["returned_at"])
    if created:
        Outing.objects.bulk_create(created, ignore_conflicts=True)


def record_passages(
    *,
    post: Place,
    items: list[dict[str, Any]],
    user: Any = None,
    source: str = Source.CONSOLE,
    residents: dict[int, str] | None = None,
) -> list[ItemResult]:
    """Records passages at `post`, each at most once (by its client id): the guard's one passage
    and a phone's offline batch alike (one is a batch of one).

    Answers per item: created, duplicate (already stored: nothing happens) or error (with field
    messages). Valid items are stored even when others in the batch are not. The caller has
    checked access to `post`. `residents` (id → name of the post's compound's residents) may come
    from access.get_post(resident_id=…), which looks the resident up in the same query.
    """
    now = timezone.now()
    if source == Source.SELF:
        _match_residents(post, items)
    if residents is None:
        residents = _residents_for(post, items)
    results: list[ItemResult] = []
    valid: dict[uuid.UUID, tuple[Passage, ItemResult]] = {}
    for item in items:
        try:
            p = build_passage(
                post=post, data=item, residents=residents, now=now, user=user, source=source
            )
        except ValidationError as e:
            results.append(
                ItemResult(
                    client_id=str(item.get("client_id") or ""),
                    status="error",
                    errors={k: [str(m) for m in v] for k, v in e.message_dict.items()},
                )
            )
            continue
        result = ItemResult(client_id=str(p.client_id), status="created")
        results.append(result)
        if p.client_id in valid:
            result.status = "duplicate"
        else:
            valid[p.client_id] = (p, result)
    if valid:
        _store(list(valid.values()), post, now)
    return results


def _store(valid: list[tuple[Passage, ItemResult]], post: Place, now: datetime) -> None:
    """One transaction: the new passages (a client id stored before is a duplicate: nothing
    else happens for it), their outings, their fever alerts.

    No auditlog entry per passage, on purpose: passages are append-only (never edited; deleted
    only wholesale by purge_passages after PASSAGE_RETENTION_DAYS) and each row is its own
    record of who (recorded_by), when (recorded_at), how (source) and where (post)."""
    rows = [p for p, _r in valid]
    for p in rows:
        p.recorded_at = now
    with transaction.atomic():
        inserted = statements.insert_new(rows)
        missing = [p.client_id for p in rows if p.client_id not in inserted]
        known = (
            dict(Passage.objects.filter(client_id__in=missing).values_list("client_id", "id"))
            if missing
            else {}
        )
        fresh = []
        for p, result in valid:
            if p.client_id in inserted:
                result.id, result.passage = p.pk, p
                fresh.append(p)
            else:
                result.status, result.id = "duplicate", known.get(p.client_id)
        _pair(fresh, post.parent_id)
        raised = raise_fever_alerts(fresh, post)
    for p, result in valid:
        result.alert = raised.get(p.pk) if p.pk else None


def record_passage(
    *, post: Place, user: Any = None, source: str = Source.CONSOLE, **data: Any
) -> Passage:
    """One passage (the guard console, the self-registration page); ValidationError if invalid."""
    [result] = record_passages(post=post, items=[data], user=user, source=source)
    if result.status == "error":
        raise ValidationError(result.errors)
    if result.passage is not None:
        return result.passage
    return Passage.objects.select_related("post", "resident").get(pk=result.id)


def purge_passages(
    *, now: datetime | None = None, days: int | None = None, chunk: int = 5000
) -> int:
    """Deletes passages older than the retention period (settings.PASSAGE_RETENTION_DAYS)."""
    days = days if days is not None else getattr(settings, "PASSAGE_RETENTION_DAYS", 28)
    cutoff = (now or timezone.now()) - timedelta(days=days)
    total = 0
    while True:
        ids = list(
            Passage.objects.filter(occurred_at__lt=cutoff)
            .order_by()
            .values_list("pk", flat=True)[:chunk]
        )
        if not ids:
            break
        with transaction.atomic():
            Alert.objects.filter(passage_id__in=ids).update(passage=None)
            IdReveal.objects.filter(passage_id__in=ids).update(passage=None)
            total += Passage.objects.filter(pk__in=ids)._raw_delete(Passage.objects.db)  # type: ignore[attr-defined]
    # Outings closed before the cutoff are history of purged passages too.
    Outing.objects.filter(returned_at__lt=cutoff).delete()
    return total


def reveal_id_number(*, passage: Passage, user: Any, reason: str, candidate: str = "") -> IdReveal:
    """Audited check of a masked ID number.

    The number is never stored, so it cannot be shown back. What a reason buys is a match: the
    officer types the number on the card in front of them and learns whether it is the one
    recorded. Every request, matched or not, is kept with its reason, and counts against the
    user's hourly allowance of looks behind ID numbers (census.reveals): a match answers yes or
    no, so unlimited matching would be a way to guess the number.
    """
    require_write(user, passage.post.organization)
    reason = reveals.clean_reason(reason)
    if candidate:
        try:  # a typo is refused before it costs a look
            candidate = clean_id_number(candidate)
        except ValidationError as exc:
            raise ValidationError({"candidate": exc.messages})
    organization = passage.post.organization
    reveals.spend(user=user, organization=organization)
    matched = None
    if candidate:
        matched = hash_id_number(candidate) == passage.id_number_hash
    with transaction.atomic():
        reveal = IdReveal.objects.create(
            passage=passage, organization=organization, user=user, reason=reason, matched=matched
        )
        reveals.audit(
            user=user,
            instance=passage,
            organization=organization,
            reason=reason,
            shown=passage.id_number_masked,
            matched=matched,
        )
    return reveal


def fever_threshold() -> Decimal:
    return FEVER
