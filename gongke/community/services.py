"""包保小区 writes: passages (one or a batch, exactly once), rosters, disinfection, purge, reveal.

A single passage and an offline batch go through the same function, record_passages, so the
guard console, the self-registration page and the API behave the same way.
"""

import functools
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from gongke.accounts.access import require_write
from gongke.accounts.models import Role, User
from gongke.census.models import Household, Resident
from gongke.lib.idnumbers import clean_id_number, hash_id_number
from gongke.lib.masking import mask_id_number, mask_text
from gongke.lib.robots import post_webhook
from gongke.registry.models import Organization, Place, PlaceKind

from .models import (
    FEVER,
    HIGHEST_TEMPERATURE,
    LOWEST_TEMPERATURE,
    Alert,
    Assignment,
    Decision,
    Direction,
    DisinfectionLog,
    DutySettings,
    IdReveal,
    Outing,
    Passage,
    PublicityItem,
    Shift,
    Source,
    Spot,
    SubjectKind,
)

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

    def as_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "status": self.status,
            "id": self.id,
            "errors": self.errors,
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
    # Only the name is needed (the passage's label). Every passage asks this, so one passage
    # (the console's case) reads it with a statement written once rather than a compiled query.
    if len(ids) == 1:
        with _statements() as run:
            rows = run(_resident_sql(), [next(iter(ids)), post.parent_id or 0]).fetchall()
    else:
        qs = Resident.objects.filter(pk__in=ids, household__place_id=post.parent_id or 0)
        rows = list(qs.order_by().values_list("pk", "name"))
    return dict(rows)


@functools.cache
def _resident_sql() -> str:
    """A resident's id and name if they live in the compound (params: resident id, compound id)."""
    q = connection.ops.quote_name
    residents, households = q(Resident._meta.db_table), q(Household._meta.db_table)
    return (
        f"SELECT r.{q('id')}, r.{q('name')} FROM {residents} r JOIN {households} h "
        f"ON h.{q('id')} = r.{q('household_id')} WHERE r.{q('id')} = %s AND h.{q('place_id')} = %s"
    )


def _outing_row(p: Passage, area_id: int) -> dict[str, Any]:
    """The outing an "out" opens, as field values (one passage's path writes them directly)."""
    return {
        "place_id": area_id,
        "subject_key": p.subject_key,
        "subject": p.subject,
        "label": p.label[:50],
        "resident_id": p.resident_id,
        "left_at": p.occurred_at,
        "returned_at": None,
    }


def _outing(p: Passage, area_id: int) -> Outing:
    return Outing(**_outing_row(p, area_id))


def _pair(passages: list[Passage], area_id: int | None) -> None:
    """Opens an outing for each "out", closes it with the next "in" of the same subject."""
    moving = sorted(
        (p for p in passages if p.decision == Decision.PASS and p.subject_key),
        key=lambda p: p.occurred_at,
    )
    if not moving or area_id is None:
        return
    if len(moving) == 1:
        # The console's common case: one statement, the open-outing constraint does the rest.
        p = moving[0]
        if p.direction == Direction.OUT:
            Outing.objects.bulk_create([_outing(p, area_id)], ignore_conflicts=True)
        else:
            Outing.objects.open().filter(
                place_id=area_id, subject_key=p.subject_key, left_at__lte=p.occurred_at
            ).update(returned_at=p.occurred_at)
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


def _fever_alerts(passages: list[Passage], post: Place) -> None:
    alerts = [
        Alert(
            organization_id=post.organization_id,
            post=post,
            passage=p,
            label=p.label[:50],
            temperature=p.temperature,
            occurred_at=p.occurred_at,
        )
        for p in passages
        if p.temperature is not None and p.temperature >= FEVER
    ]
    if not alerts:
        return
    Alert.objects.bulk_create(alerts)
    from .tasks import notify_fever

    ids = [a.pk for a in alerts if a.pk]
    transaction.on_commit(lambda: [notify_fever(pk) for pk in ids])


def record_passages(
    *,
    post: Place,
    items: list[dict[str, Any]],
    user: Any = None,
    source: str = Source.CONSOLE,
    residents: dict[int, str] | None = None,
) -> list[ItemResult]:
    """Records a batch of passages at `post`, each at most once (by its client id).

    Answers per item: created, duplicate (already stored: nothing happens) or error (with field
    messages). Valid items are stored even when others in the batch are not. The caller has
    checked access to `post`. `residents` (id → name of the post's compound's residents) may come
    from scope.get_post(resident_id=…), which looks the resident up in the same query.
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
    if not valid:
        return results
    if len(valid) == 1 and connection.vendor in ("postgresql", "sqlite"):
        [(p, result)] = valid.values()
        _store_one(p, result, post)
        return results
    if connection.vendor == "postgresql":
        _store_postgresql(list(valid.values()), post)
        return results
    if len(valid) == 1:
        # The console's case: insert straight away and let the unique client id catch a repeat,
        # which saves a round trip on every passage; only a repeat pays for the careful path.
        try:
            _store(list(valid.values()), post, careful=False)
            return results
        except IntegrityError:
            for p, result in valid.values():
                p.pk, result.status, result.passage = None, "created", None
    _store(list(valid.values()), post, careful=True)
    return results


_COPIED = [f for f in Passage._meta.concrete_fields if not f.primary_key]


def _store_postgresql(valid: list[tuple[Passage, ItemResult]], post: Place) -> None:
    """One statement stores the new passages and skips the known ones (offline sync sends
    thousands at once): INSERT … SELECT FROM unnest(arrays) ON CONFLICT (client_id) DO NOTHING
    RETURNING what it inserted. Everything not returned was there already."""
    now = timezone.now()
    rows = [p for p, _r in valid]
    for p in rows:
        p.recorded_at = now
    columns = ", ".join(connection.ops.quote_name(f.column) for f in _COPIED)
    arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in _COPIED)
    params = [[getattr(p, f.attname) for p in rows] for f in _COPIED]
    table = connection.ops.quote_name(Passage._meta.db_table)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) "
                f"ON CONFLICT (client_id) DO NOTHING RETURNING client_id, id",
                params,
            )
            inserted = dict(cursor.fetchall())
        missing = [p.client_id for p in rows if p.client_id not in inserted]
        known = (
            dict(Passage.objects.filter(client_id__in=missing).values_list("client_id", "id"))
            if missing
            else {}
        )
        fresh = []
        for p, result in valid:
            if p.client_id in inserted:
                p.pk = result.id = inserted[p.client_id]
                result.passage = p
                fresh.append(p)
            else:
                result.status, result.id = "duplicate", known.get(p.client_id)
        _pair(fresh, post.parent_id)
        _fever_alerts(fresh, post)


_OUTING_COPIED = [f for f in Outing._meta.concrete_fields if not f.primary_key]


def _one_sql() -> tuple[str, str, str, str]:
    """The four statements of _store_one, written once per process (PostgreSQL and SQLite ≥ 3.35
    both speak INSERT … ON CONFLICT … RETURNING)."""
    global _ONE_SQL
    if _ONE_SQL is None:
        q = connection.ops.quote_name
        passages, outings = q(Passage._meta.db_table), q(Outing._meta.db_table)
        marks = ", ".join(["%s"] * len(_COPIED))
        o_marks = ", ".join(["%s"] * len(_OUTING_COPIED))
        _ONE_SQL = (
            f"INSERT INTO {passages} ({', '.join(q(f.column) for f in _COPIED)}) "
            f"VALUES ({marks}) ON CONFLICT ({q('client_id')}) DO NOTHING RETURNING {q('id')}",
            f"SELECT {q('id')} FROM {passages} WHERE {q('client_id')} = %s",
            # The open-outing constraint (one per subject and compound) is the conflict here.
            f"INSERT INTO {outings} ({', '.join(q(f.column) for f in _OUTING_COPIED)}) "
            f"VALUES ({o_marks}) ON CONFLICT DO NOTHING",
            f"UPDATE {outings} SET {q('returned_at')} = %s WHERE {q('place_id')} = %s "
            f"AND {q('subject_key')} = %s AND {q('returned_at')} IS NULL AND {q('left_at')} <= %s",
        )
    return _ONE_SQL


_ONE_SQL: tuple[str, str, str, str] | None = None


def _store_one(p: Passage, result: ItemResult, post: Place) -> None:
    """One passage (a guard's tablet sends one every few seconds) in hand-written statements:
    the same rows as _store/_pair make, without compiling ORM queries on every passage.

    Exactly once by client id: INSERT … ON CONFLICT (client_id) DO NOTHING RETURNING id; no row
    back means it is stored already (answered "duplicate" with its id, nothing else happens).

    Auditing: as before this path existed (bulk_create on SQLite, the unnest statement on
    PostgreSQL), no auditlog LogEntry is written per passage — on purpose, and not silently:
    passages are append-only (never edited; only deleted wholesale by purge_passages after
    PASSAGE_RETENTION_DAYS) and each row is its own audit record: recorded_by (the signed-in
    user or the device token's owner), recorded_at (server time), source and post.
    """
    insert, known, open_outing, close_outing = _one_sql()
    # The connection itself, looked up once: every `connection.x` goes through the proxy to the
    # thread's connection, and this path would ask a few dozen times.
    conn = connections[DEFAULT_DB_ALIAS]
    p.recorded_at = timezone.now()
    params = [prep(getattr(p, attname), conn) for attname, prep in _PASSAGE_PREP]
    # The outing statement that goes with it: open one for "out", close the open one for "in".
    outing: tuple[str, list[Any]] | None = None
    area_id = post.parent_id
    if area_id is not None and p.decision == Decision.PASS and p.subject_key:
        if p.direction == Direction.OUT:
            row = _outing_row(p, area_id)  # written as values: no model instance to build
            outing = (open_outing, [prep(row[attname], conn) for attname, prep in _OUTING_PREP])
        else:
            at = _LEFT_AT.get_db_prep_save(p.occurred_at, conn)
            outing = (close_outing, [at, area_id, p.subject_key, at])
    fever = p.temperature is not None and p.temperature >= FEVER
    if conn.vendor == "postgresql" and not fever:
        # One statement, one round trip, atomic by itself: the outing statement runs only
        # when the passage was inserted (it reads the inserting CTE).
        sql = f"WITH p AS ({insert})"
        if outing is not None:
            statement, values = outing
            if statement is open_outing:
                marks = statement.index(" VALUES (")
                statement = (
                    statement[:marks]
                    + " SELECT "
                    + ", ".join(["%s"] * len(values))
                    + " FROM p ON CONFLICT DO NOTHING"
                )
            else:
                statement += " AND EXISTS (SELECT 1 FROM p)"
            sql += f", o AS ({statement})"
            params += values
        with _statements(conn) as run:
            row = run(sql + " SELECT id FROM p", params).fetchone()
            if row is None:
                seen = run(known, [params[_CLIENT_ID]]).fetchone()
                result.status, result.id = "duplicate", (seen[0] if seen else None)
                return
        p.pk = result.id = row[0]
        p._state.adding, p._state.db = False, conn.alias
        result.passage = p
        return
    with transaction.atomic():
        with _statements(conn) as run:
            row = run(insert, params).fetchone()
            if row is None:
                seen = run(known, [params[_CLIENT_ID]]).fetchone()
                result.status, result.id = "duplicate", (seen[0] if seen else None)
                return
            p.pk = result.id = row[0]
            p._state.adding, p._state.db = False, conn.alias
            result.passage = p
            if outing is not None:
                run(*outing)
        _fever_alerts([p], post)


@contextmanager
def _statements(conn: Any = None) -> Iterator[Callable[[str, list[Any]], Any]]:
    """Runs the statements every single passage sends (run(sql, params) → cursor).

    On PostgreSQL they are bound on the server and prepared on first use in each connection
    (psycopg keeps the plan; connections live CONN_MAX_AGE): Django's cursors bind on the client,
    so each passage's values would arrive as literals in a new text, parsed and planned every
    time — most of what PostgreSQL spends on a passage. On SQLite they go straight to the
    driver (which keeps compiled statements) in its own placeholder style, converted once rather
    than on every call as Django's cursor does. Errors are Django's, as usual."""
    connection = conn or connections[DEFAULT_DB_ALIAS]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.wrap_database_errors:
            cursor = connection.connection.cursor()
            try:

                def run(sql: str, params: list[Any]) -> Any:
                    return cursor.execute(_qmark(sql), params)

                yield run
            finally:
                cursor.close()
        return
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:

            def run(sql: str, params: list[Any]) -> Any:
                cursor.execute(sql, params)
                return cursor

            yield run
        return
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cur:

        def run(sql: str, params: list[Any]) -> Any:
            return cur.execute(sql, params, prepare=True)

        yield run


@functools.lru_cache(maxsize=64)
def _qmark(sql: str) -> str:
    """Django's "format" placeholders (%s) in sqlite3's "qmark" style (?), as Django converts."""
    return re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%")


# Text, integers and foreign keys go to the driver as build_passage made them (str, int or
# None: what get_db_prep_save would hand over too); UUIDs, decimals and datetimes are adapted.
_AS_IS = (models.CharField, models.IntegerField, models.ForeignKey)


def _as_is(value: Any, conn: Any) -> Any:
    return value


def _preparer(f: models.Field) -> Callable[[Any, Any], Any]:
    if isinstance(f, _AS_IS):
        return _as_is
    return lambda value, conn: None if value is None else f.get_db_prep_save(value, conn)


_PASSAGE_PREP = [(f.attname, _preparer(f)) for f in _COPIED]
_OUTING_PREP = [(f.attname, _preparer(f)) for f in _OUTING_COPIED]


_LEFT_AT = Outing._meta.get_field("left_at")
_CLIENT_ID = [f.name for f in _COPIED].index("client_id")


def _store(valid: list[tuple[Passage, ItemResult]], post: Place, *, careful: bool) -> None:
    with transaction.atomic():
        seen: dict[uuid.UUID, int] = {}
        if careful:
            seen = dict(
                Passage.objects.filter(client_id__in=[p.client_id for p, _r in valid]).values_list(
                    "client_id", "id"
                )
            )
        fresh = []
        for p, result in valid:
            if p.client_id in seen:
                result.status, result.id = "duplicate", seen[p.client_id]
            else:
                fresh.append((p, result))
        if not fresh:
            return
        rows = [p for p, _r in fresh]
        if careful:
            # Checked above, so a conflict means a copy of this batch raced in: the upsert keeps
            # one row per client id and still hands back every row's id (PostgreSQL and SQLite).
            Passage.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["client_id"],
                update_fields=["client_id"],
            )
        else:
            Passage.objects.bulk_create(rows)
        for p, result in fresh:
            result.id, result.passage = p.pk, p
        _pair(rows, post.parent_id)
        _fever_alerts(rows, post)


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


@transaction.atomic
def handle_alert(*, alert: Alert, user: Any, note: str) -> Alert:
    require_write(user, alert.organization)
    if not note.strip():
        raise ValidationError({"handling_note": _("Say what was done.")})
    alert.handled_at, alert.handled_by, alert.handling_note = (
        timezone.now(),
        user,
        note.strip()[:200],
    )
    alert.save(update_fields=["handled_at", "handled_by", "handling_note"])
    return alert


def _fever_text(alert: Alert) -> str:
    """The message about one alert, in the active language, times in settings.TIME_ZONE.

    The label is a name, a plate or an already masked number; mask_text also catches a phone or
    ID number typed into the name field, so none leaves the system in clear."""
    place = " · ".join(
        name
        for name in (alert.post.parent.name if alert.post.parent else "", alert.post.name)
        if name
    )
    link = settings.SITE_URL.rstrip("/") + reverse("community:alerts") + "?open=1"
    return "\n".join(
        [
            _("Fever alert: %(place)s") % {"place": place},
            _("%(who)s, %(temperature)s °C, at %(time)s")
            % {
                "who": mask_text(alert.label),
                "temperature": alert.temperature,
                "time": timezone.localtime(alert.occurred_at).strftime("%Y-%m-%d %H:%M"),
            },
            _("%(organization)s: follow up at once and record what was done: %(link)s")
            % {"organization": alert.organization.name, "link": link},
        ]
    )


def _email_fever(alert: Alert, config: DutySettings | None) -> int:
    """One email to each admin and staff member with an address, of the alert's organization and
    of the organization whose settings apply, in the recipient's own language."""
    organizations = {alert.organization_id} | ({config.organization_id} if config else set())
    users = (
        User.objects.filter(
            is_active=True,
            memberships__organization_id__in=organizations,
            memberships__role__in=[Role.ORG_ADMIN, Role.ORG_STAFF],
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )
    messages = []
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Fever alert: %(temperature)s °C at %(post)s") % {
                "temperature": alert.temperature,
                "post": alert.post.name,
            }
            messages.append(EmailMessage(subject, _fever_text(alert), to=[user.email]))
    if not messages:
        return 0
    return get_connection(fail_silently=True).send_messages(messages) or 0


def notify_fever(*, alert_id: int) -> Alert | None:
    """Tell people who are not looking at the app about a fever: the group robot and email, as
    the alert's organization asks (or its nearest ancestor with settings; email by default).

    Sends once per alert, and never raises: a broken robot does not stop the email, and the
    alert is marked notified whatever happened, with what was delivered recorded on it."""
    # Claimed in one statement before anything is sent: a second run (a retry, a job enqueued
    # twice, another worker) finds the alert taken. A crash after the claim loses the message
    # rather than sending it twice; the pages list every alert anyway.
    claimed = Alert.objects.filter(pk=alert_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return None
    alert = Alert.objects.select_related("organization", "post__parent").get(pk=alert_id)
    logger.warning("fever %s °C at %s (%s)", alert.temperature, alert.post, alert.organization)
    config = DutySettings.for_organization(alert.organization)
    if config is not None and config.fever_webhook_url:
        try:
            # A group has no one language: the site's (Simplified Chinese by default).
            with translation.override(settings.LANGUAGE_CODE):
                alert.robot_status = post_webhook(config.fever_webhook_url, _fever_text(alert))
        except Exception as exc:
            logger.exception("fever alert %s: robot failed", alert.pk)
            alert.robot_status = f"error: {exc}"[:100]
    if config is None or config.fever_email:
        try:
            alert.emails_sent = _email_fever(alert, config)
        except Exception:
            logger.exception("fever alert %s: email failed", alert.pk)
    alert.save(update_fields=["robot_status", "emails_sent"])
    return alert


@transaction.atomic
def save_duty_settings(
    *, organization: Organization, user: Any, data: dict[str, Any]
) -> DutySettings:
    require_write(user, organization, manage=True)
    config = DutySettings.objects.filter(organization=organization).first() or DutySettings(
        organization=organization
    )
    if isinstance(data.get("fever_webhook_url"), str):
        data = {**data, "fever_webhook_url": data["fever_webhook_url"].strip()}
    for name in ("fever_webhook_url", "fever_email"):
        if name in data:
            setattr(config, name, data[name])
    config.full_clean(exclude=["organization"])
    config.save()
    return config


@transaction.atomic
def reveal_id_number(*, passage: Passage, user: Any, reason: str, candidate: str = "") -> IdReveal:
    """Audited check of a masked ID number.

    The number is never stored, so it cannot be shown back. What a reason buys is a match: the
    officer types the number on the card in front of them and learns whether it is the one
    recorded. Every request, matched or not, is kept with its reason.
    """
    require_write(user, passage.post.organization)
    if len(reason.strip()) < 4:
        raise ValidationError(
            {"reason": _("Give a reason (at least a few words) for revealing an ID number.")}
        )
    matched = None
    if candidate:
        matched = hash_id_number(clean_id_number(candidate)) == passage.id_number_hash
    return IdReveal.objects.create(
        passage=passage,
        organization=passage.post.organization,
        user=user,
        reason=reason.strip()[:200],
        matched=matched,
    )


# Roster


def _assignable(post: Place) -> None:
    if post.kind != PlaceKind.POST:
        raise ValidationError({"post": _("Shifts are kept for duty posts.")})


@transaction.atomic
def create_shift(
    *,
    post: Place,
    starts_at: datetime,
    ends_at: datetime,
    people: list[Any] = (),  # type: ignore[assignment]
    users: list[Any] = (),
) -> Shift:  # type: ignore[assignment]
    _assignable(post)
    shift = Shift(post=post, starts_at=starts_at, ends_at=ends_at)
    shift.full_clean()
    shift.save()
    for person in people:
        Assignment.objects.create(shift=shift, person=person)
    for u in users:
        Assignment.objects.create(shift=shift, user=u)
    return shift


@transaction.atomic
def assign(*, shift: Shift, person: Any = None, user: Any = None) -> Assignment:
    a = Assignment(shift=shift, person=person, user=user)
    a.full_clean()
    a.save()
    return a


@transaction.atomic
def sign_in(*, assignment: Assignment, at: datetime | None = None) -> Assignment:
    if assignment.signed_in_at is None:
        assignment.signed_in_at = at or timezone.now()
        assignment.save(update_fields=["signed_in_at"])
    return assignment


@transaction.atomic
def sign_out(
    *, assignment: Assignment, handover_note: str = "", at: datetime | None = None
) -> Assignment:
    if assignment.signed_in_at is None:
        raise ValidationError(_("Sign in before signing out."))
    assignment.signed_out_at = at or timezone.now()
    assignment.save(update_fields=["signed_out_at"])
    if handover_note.strip():
        shift = assignment.shift
        shift.handover_note = (
            shift.handover_note + "\n" if shift.handover_note else ""
        ) + handover_note.strip()
        shift.save(update_fields=["handover_note"])
    return assignment


def uncovered(
    *, posts: list[Place], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per post, the stretches of [start, end) no staffed shift covers (a shift with nobody is a gap)."""
    spans: dict[int, list[tuple[datetime, datetime]]] = {p.pk: [] for p in posts}
    shifts = (
        Shift.objects.filter(
            post__in=posts, starts_at__lt=end, ends_at__gt=start, assignments__isnull=False
        )
        .distinct()
        .order_by("starts_at")
        .values_list("post_id", "starts_at", "ends_at")
    )
    for post_id, s, e in shifts:
        spans[post_id].append((max(s, start), min(e, end)))
    gaps: dict[int, list[tuple[datetime, datetime]]] = {}
    for post_id, covered in spans.items():
        holes, cursor = [], start
        for s, e in sorted(covered):
            if s > cursor:
                holes.append((cursor, s))
            cursor = max(cursor, e)
        if cursor < end:
            holes.append((cursor, end))
        gaps[post_id] = holes
    return gaps


# Disinfection and publicity


@transaction.atomic
def save_spot(*, spot: Spot | None = None, **fields: Any) -> Spot:
    spot = spot or Spot()
    for name, value in fields.items():
        setattr(spot, name, value)
    spot.due_at = spot.last_done_at + spot.interval if spot.last_done_at else None
    spot.full_clean()
    spot.save()
    return spot


@transaction.atomic
def log_disinfection(
    *, spot: Spot, done_by: str, agent: str, user: Any = None, done_at: datetime | None = None
) -> DisinfectionLog:
    if not agent.strip():
        raise ValidationError({"agent": _("Say which disinfectant was used.")})
    if not done_by.strip():
        raise ValidationError({"done_by": _("Say who disinfected.")})
    log = DisinfectionLog.objects.create(
        spot=spot,
        done_at=done_at or timezone.now(),
        done_by=done_by.strip()[:50],
        agent=agent.strip()[:100],
        recorded_by=user,
    )
    if spot.last_done_at is None or log.done_at > spot.last_done_at:
        spot.last_done_at = log.done_at
        spot.due_at = log.done_at + spot.interval
        spot.save(update_fields=["last_done_at", "due_at"])
    return log


@transaction.atomic
def check_publicity(*, item: PublicityItem, user: Any, done: bool = True) -> PublicityItem:
    item.done_at = timezone.now() if done else None
    item.done_by = user if done else None
    item.save(update_fields=["done_at", "done_by"])
    return item


def fever_threshold() -> Decimal:
    return FEVER
