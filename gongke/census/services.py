"""Writes of the census. Callers fetch the household/resident through the access path (write=True)
first; these functions keep a person to one record and keep the audit trail.

Registering is idempotent by nature: the same household room, the same resident (same ID number,
or same name and phone in the same household), the same return, the same day's check — each
lands on the record already there instead of making a second one.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from stdnum.cn import ric

from gongke.lib.chinese import search_key
from gongke.lib.excel import RowError, read_rows
from gongke.lib.idnumbers import clean_id_number, hash_id_number
from gongke.lib.masking import mask_id_number
from gongke.registry.models import Place

from . import reveals
from .models import (
    DEFAULT_ISOLATION_DAYS,
    DailyCheck,
    Gender,
    Household,
    Isolation,
    IsolationReason,
    Relation,
    Resident,
    ReturnRecord,
    Visit,
    VisitOutcome,
)

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger(__name__)


def _once_more_on_conflict(fn: F) -> F:
    """Run a get-or-create service in a savepoint; if a concurrent request created the same
    record first (the unique constraint fires), run it again: it now finds that record and
    answers as for a repeat. SQLite serializes writers, so this matters on PostgreSQL."""

    @functools.wraps(fn)
    def wrapper(**kwargs: Any) -> Any:
        try:
            with transaction.atomic():
                return fn(**kwargs)
        except IntegrityError:
            with transaction.atomic():
                return fn(**kwargs)

    return cast(F, wrapper)


RESIDENT_FIELDS = ("name", "phone", "gender", "birth_year", "relation", "note", "moved_out_on")


def _clean_text(value: Any) -> str:
    return str(value or "").strip()


@_once_more_on_conflict
def save_household(
    *, place: Place, room: str, building: str = "", unit: str = "", note: str = ""
) -> tuple[Household, bool]:
    """Create a household, or return the one already at that room (created=False)."""
    building, unit, room = _clean_text(building), _clean_text(unit), _clean_text(room)
    existing = Household.objects.filter(
        place=place, building=building, unit=unit, room=room
    ).first()
    if existing is not None:
        if note and not existing.note:
            existing.note = note
            existing.save(update_fields=["note", "updated_at"])
        return existing, False
    household = Household(place=place, building=building, unit=unit, room=room, note=note)
    household.full_clean()
    household.save()
    return household, True


@_once_more_on_conflict
def update_household(*, household: Household, **fields: Any) -> Household:
    """Correct a household's building, unit, room or note (only the fields given). Moving it
    onto a room already registered in the compound is refused on the room field: the two
    records would have to be one, and that is a person's decision, not a silent merge."""
    for name in ("building", "unit", "room"):
        if name in fields:
            setattr(household, name, _clean_text(fields[name]))
    if "note" in fields:
        household.note = str(fields["note"] or "")
    taken = (
        Household.objects.filter(
            place_id=household.place_id,
            building=household.building,
            unit=household.unit,
            room=household.room,
        )
        .exclude(pk=household.pk)
        .exists()
    )
    if taken:
        raise ValidationError(
            {
                "room": [
                    _("%(place)s already has a household at %(address)s.")
                    % {"place": household.place.name, "address": str(household)}
                ]
            }
        )
    household.full_clean()
    household.save()
    return household


class HouseholdInUse(ValidationError):
    """A household that cannot be deleted: `attached` counts what still hangs on it."""

    def __init__(self, attached: dict[str, int]) -> None:
        self.attached = attached
        super().__init__(describe_attached(attached), code="in_use")


def attached_records(household: Household) -> dict[str, int]:
    """What a delete would take with it, by kind (kinds with none left out): residents, moved
    out or not, their returns and isolations, and the visits to the door."""
    residents = Resident.objects.filter(household=household)
    counts = {
        "residents": residents.count(),
        "returns": ReturnRecord.objects.filter(resident__in=residents).count(),
        "isolations": Isolation.objects.filter(resident__in=residents).count(),
        "visits": Visit.objects.filter(household=household).count(),
    }
    return {kind: n for kind, n in counts.items() if n}


def attached_lines(attached: dict[str, int]) -> list[str]:
    """'2 residents', '1 visit'… in the user's language, one per kind."""
    kinds = {
        "residents": lambda n: ngettext("%(n)d resident", "%(n)d residents", n),
        "returns": lambda n: ngettext(
            "%(n)d return from elsewhere", "%(n)d returns from elsewhere", n
        ),
        "isolations": lambda n: ngettext("%(n)d home isolation", "%(n)d home isolations", n),
        "visits": lambda n: ngettext("%(n)d visit", "%(n)d visits", n),
    }
    return [kinds[k](n) % {"n": n} for k, n in attached.items()]


def describe_attached(attached: dict[str, int]) -> str:
    return _(
        "This household cannot be deleted while records are attached to it: %(records)s. "
        "Correct its building, unit or room instead."
    ) % {"records": _(", ").join(attached_lines(attached))}


@transaction.atomic
def delete_household(*, household: Household) -> None:
    """Delete a household registered by mistake. One with anything attached is refused with
    the list (HouseholdInUse): the census's history is never deleted along with a door."""
    # Locked, so a resident or visit added meanwhile waits and then fails instead of vanishing.
    list(Household.objects.select_for_update().filter(pk=household.pk).values_list("pk"))
    attached = attached_records(household)
    if attached:
        raise HouseholdInUse(attached)
    household.delete()


def _from_id_number(id_number: str) -> tuple[str, str, str | None, int | None]:
    """(hash, masked, gender, birth year) of a valid ID number; ValidationError on the field."""
    try:
        compact = clean_id_number(id_number)
    except ValidationError as exc:
        raise ValidationError({"id_number": exc.messages})
    birth = ric.get_birth_date(compact)
    gender = Gender.MALE if int(compact[16]) % 2 else Gender.FEMALE
    return hash_id_number(compact), mask_id_number(compact), gender, birth.year


def _apply(resident: Resident, fields: dict[str, Any], *, overwrite: bool) -> None:
    for name in RESIDENT_FIELDS:
        if name not in fields:
            continue
        value = fields[name]
        if isinstance(value, str):
            value = value.strip()
        if value in ("", None) and not overwrite:
            continue  # merging: a blank in the new registration never erases what is known
        setattr(
            resident,
            name,
            value
            if value is not None
            else ("" if name not in ("birth_year", "moved_out_on") else None),
        )
    resident.search_text = search_key(resident.name)


def _registered(id_hash: str) -> Resident | None:
    """The resident already registered with this ID number hash, locked for the update."""
    return (
        Resident.objects.select_for_update()
        .select_related("household__place__organization")
        .filter(id_number_hash=id_hash)
        .first()
    )


def _outside(user: Any, resident: Resident) -> bool:
    """True unless the user could fetch this resident for writing."""
    from .access import RESIDENT, fetch

    if user is None:
        return False
    try:
        fetch(user, Resident.objects.all(), field=RESIDENT, write=True, pk=resident.pk)
    except (Http404, PermissionDenied):
        return True
    return False


@_once_more_on_conflict
def register_resident(
    *, user: Any, household: Household, name: str, id_number: str = "", **fields: Any
) -> tuple[Resident, bool]:
    """Register a resident; if they are already registered, merge into that record (created=False).

    Same person = same ID number anywhere in the county, or (without a conflicting ID) the same
    name and phone in the same household. Someone registered in a compound the user cannot see
    is refused rather than moved: their record stays with the organization that keeps it.
    """
    name = _clean_text(name)
    fields = {k: v for k, v in fields.items() if k in RESIDENT_FIELDS}
    fields["name"] = name
    id_hash = masked = ""
    if _clean_text(id_number):
        id_hash, masked, gender, birth_year = _from_id_number(_clean_text(id_number))
        fields["gender"] = fields.get("gender") or gender
        fields["birth_year"] = fields.get("birth_year") or birth_year
    existing = None
    if id_hash:
        existing = _registered(id_hash)
        if existing is not None and _outside(user, existing):
            # Saying so tells whether a typed number is registered somewhere in the county: a
            # look behind an ID number like any other, counted against the user's allowance
            # (reveals.spend raises TooManyReveals and alarms the admins when it runs out).
            reveals.spend(user=user, organization=existing.household.place.organization)
            log.warning(
                "registration by user %s matched a resident kept by organization %s",
                user.pk,
                existing.household.place.organization_id,
            )
            raise ValidationError(
                {
                    "id_number": [
                        _(
                            "This person is already registered in a compound kept by another organization. "
                            "Ask the county office to move the record."
                        )
                    ]
                }
            )
    if existing is None and name:
        existing = (
            Resident.objects.select_for_update()
            .filter(
                household=household,
                name=name,
                phone=_clean_text(fields.get("phone")),
                id_number_hash__in=["", id_hash],
            )
            .first()
        )
    created = existing is None
    resident = existing or Resident(household=household)
    if not created and resident.household_id != household.pk:
        resident.household = household  # the person moved: the census follows them
    _apply(resident, fields, overwrite=created)
    if id_hash:
        resident.id_number_hash, resident.id_number_masked = id_hash, masked
    # The unique ID number is left to the database: a concurrent twin then fails the insert
    # and the retry merges into it (_once_more_on_conflict) instead of refusing.
    resident.full_clean(exclude=["id_number_hash"])
    resident.save()
    return resident, created


@transaction.atomic
def update_resident(*, resident: Resident, id_number: str = "", **fields: Any) -> Resident:
    """Change a resident's details; an ID number already on another record asks for a merge."""
    _apply(resident, {k: v for k, v in fields.items() if k in RESIDENT_FIELDS}, overwrite=True)
    if _clean_text(id_number):
        id_hash, masked, _gender, _year = _from_id_number(_clean_text(id_number))
        if Resident.objects.filter(id_number_hash=id_hash).exclude(pk=resident.pk).exists():
            raise ValidationError(
                {
                    "id_number": [
                        _("Another resident has this ID number: merge the two records instead.")
                    ]
                }
            )
        resident.id_number_hash, resident.id_number_masked = id_hash, masked
    resident.full_clean()
    resident.save()
    return resident


@transaction.atomic
def merge_residents(*, user: Any, survivor: Resident, duplicate: Resident) -> Resident:
    """Fold `duplicate` into `survivor`: its returns and isolations move over, blanks are filled
    in, and the duplicate is deleted. Both sides are audited."""
    if survivor.pk == duplicate.pk:
        raise ValidationError(_("A resident cannot be merged with itself."))
    if (
        survivor.id_number_hash
        and duplicate.id_number_hash
        and survivor.id_number_hash != duplicate.id_number_hash
    ):
        raise ValidationError(
            _("These two records have different ID numbers: they are two people.")
        )
    survivor = Resident.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Resident.objects.select_for_update().get(pk=duplicate.pk)
    known = {(r.returned_on, r.from_place) for r in survivor.returns.all()}
    for record in duplicate.returns.all():
        if (record.returned_on, record.from_place) in known:
            record.delete()
        else:
            record.resident = survivor
            record.save(update_fields=["resident"])
    survivor_open = survivor.isolations.open().first()
    for iso in duplicate.isolations.all():
        if iso.ended_at is None and survivor_open is not None:
            # One person, one running isolation: keep the survivor's, covering both periods.
            have = set(survivor_open.checks.values_list("day", flat=True))
            iso.checks.exclude(day__in=have).update(isolation=survivor_open)
            if iso.end_day > survivor_open.end_day:
                survivor_open.end_day = iso.end_day
                survivor_open.days = (iso.end_day - survivor_open.start).days + 1
                survivor_open.save()
            iso.delete()
            continue
        iso.resident = survivor
        iso.save()
    for name in ("phone", "gender", "birth_year", "relation"):
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
    if duplicate.note and duplicate.note not in survivor.note:
        survivor.note = "\n".join(n for n in (survivor.note, duplicate.note) if n)
    id_hash, masked = duplicate.id_number_hash, duplicate.id_number_masked
    duplicate_label = f"#{duplicate.pk} {duplicate.name}"
    duplicate.delete()
    if id_hash and not survivor.id_number_hash:
        survivor.id_number_hash, survivor.id_number_masked = id_hash, masked
    survivor.search_text = search_key(survivor.name)
    survivor.full_clean()
    survivor.save()
    LogEntry.objects.log_create(
        survivor,
        action=LogEntry.Action.UPDATE,
        actor=user,
        changes={"merged": [duplicate_label, f"#{survivor.pk} {survivor.name}"]},
    )
    return survivor


@_once_more_on_conflict
def record_return(
    *,
    user: Any,
    resident: Resident,
    from_place: str,
    returned_on: date,
    transport: str = "",
    note: str = "",
) -> tuple[ReturnRecord, bool]:
    from_place = _clean_text(from_place)
    existing = ReturnRecord.objects.filter(
        resident=resident, returned_on=returned_on, from_place=from_place
    ).first()
    if existing is not None:
        return existing, False
    if returned_on > timezone.localdate():
        raise ValidationError({"returned_on": [_("The return date cannot be in the future.")]})
    record = ReturnRecord(
        resident=resident,
        from_place=from_place,
        returned_on=returned_on,
        transport=_clean_text(transport),
        note=note,
        recorded_by=user,
    )
    record.full_clean()
    record.save()
    return record, True


@_once_more_on_conflict
def start_isolation(
    *,
    user: Any,
    resident: Resident,
    start: date,
    days: int = DEFAULT_ISOLATION_DAYS,
    reason: str = IsolationReason.RETURNED,
    note: str = "",
) -> tuple[Isolation, bool]:
    """Start a home isolation; one already running for the resident is returned instead."""
    existing = Isolation.objects.filter(resident=resident).open().first()
    if existing is not None and existing.end_day >= start:
        return existing, False
    if existing is not None:  # ran out before this start and was never signed off
        existing.ended_at, existing.ended_by = timezone.now(), user
        existing.end_note = _("Ran out")
        existing.save()
    if not 1 <= int(days) <= 60:
        raise ValidationError({"days": [_("An isolation lasts from 1 to 60 days.")]})
    iso = Isolation(
        resident=resident,
        start=start,
        days=days,
        reason=reason,
        note=note,
        end_day=start + timedelta(days=int(days) - 1),
    )
    iso.full_clean()
    iso.save()
    return iso, True


def parse_temperature(value: Any) -> Decimal:
    try:
        return Decimal(str(value).strip().replace("℃", "").replace("°C", "")).quantize(
            Decimal("0.1")
        )
    except (InvalidOperation, ValueError):
        raise ValidationError({"temperature": [_("Enter the temperature as a number, e.g. 36.5.")]})


@_once_more_on_conflict
def record_check(
    *,
    user: Any,
    isolation: Isolation,
    temperature: Any,
    day: date | None = None,
    symptoms: str = "",
) -> tuple[DailyCheck, bool]:
    """The day's check (one per day: a second reading the same day corrects the first)."""
    day = day or timezone.localdate()
    if day < isolation.start or day > isolation.end_day:
        raise ValidationError({"day": [_("This day is outside the isolation period.")]})
    if day > timezone.localdate():
        raise ValidationError({"day": [_("A check cannot be recorded for a future day.")]})
    check = DailyCheck.objects.filter(isolation=isolation, day=day).first()
    created = check is None
    check = check or DailyCheck(isolation=isolation, day=day)
    check.temperature = parse_temperature(temperature)
    check.symptoms = _clean_text(symptoms)
    check.checked_by = user
    check.full_clean()
    check.save()
    return check, created


@transaction.atomic
def end_isolation(
    *, user: Any, isolation: Isolation, on: date | None = None, note: str = ""
) -> Isolation:
    """Sign off the end of an isolation. Before its last day that is an early end and needs a why."""
    on = on or timezone.localdate()
    if isolation.ended_at is not None:
        return isolation
    if on < isolation.end_day:
        if not _clean_text(note):
            raise ValidationError({"note": [_("Say why the isolation ends early.")]})
        isolation.end_day = max(on, isolation.start)
    isolation.ended_at, isolation.ended_by, isolation.end_note = (
        timezone.now(),
        user,
        _clean_text(note),
    )
    isolation.full_clean()
    isolation.save()
    return isolation


@transaction.atomic
def record_visit(
    *,
    user: Any,
    household: Household,
    outcome: str = VisitOutcome.MET,
    note: str = "",
    visited_at: datetime | None = None,
) -> Visit:
    visit = Visit(
        household=household,
        by=user,
        outcome=outcome,
        note=note,
        visited_at=visited_at or timezone.now(),
    )
    visit.full_clean()
    visit.save()
    return visit


def reveal_id_number(*, user: Any, resident: Resident, reason: str) -> str:
    """Record a request to see a resident's ID number. The number is never stored, so only the
    masked form can be shown: the full number must be read from the person's card. The request
    (who, when, why) goes to the audit trail either way, and counts against the user's hourly
    allowance of looks behind ID numbers (census.reveals)."""
    reason = reveals.clean_reason(reason)
    organization = resident.household.place.organization
    reveals.spend(user=user, organization=organization)
    with transaction.atomic():
        reveals.audit(
            user=user,
            instance=resident,
            organization=organization,
            reason=reason,
            shown=resident.id_number_masked,
        )
    return resident.id_number_masked


# --- Excel import -------------------------------------------------------------------------------

# key, accepted header names (the template writes the first Chinese one)
IMPORT_COLUMNS: list[tuple[str, tuple[str, ...]]] = [
    ("building", ("楼栋", "楼号", "building")),
    ("unit", ("单元", "unit")),
    ("room", ("房号", "门牌号", "room")),
    ("name", ("姓名", "name")),
    ("phone", ("联系电话", "电话", "phone")),
    ("id_number", ("身份证号", "身份证号码", "id number", "id_number")),
    ("relation", ("与户主关系", "relation")),
    ("note", ("备注", "note")),
]
RELATION_NAMES = {
    "户主": Relation.HOUSEHOLDER,
    "本人": Relation.HOUSEHOLDER,
    "配偶": Relation.SPOUSE,
    "妻子": Relation.SPOUSE,
    "丈夫": Relation.SPOUSE,
    "子女": Relation.CHILD,
    "儿子": Relation.CHILD,
    "女儿": Relation.CHILD,
    "父母": Relation.PARENT,
    "父亲": Relation.PARENT,
    "母亲": Relation.PARENT,
    "孙子女": Relation.GRANDCHILD,
    "孙子": Relation.GRANDCHILD,
    "孙女": Relation.GRANDCHILD,
    "亲属": Relation.RELATIVE,
    "租户": Relation.TENANT,
    "其他": Relation.OTHER,
}


def import_template_headers() -> list[str]:
    return [names[0] for _key, names in IMPORT_COLUMNS]


def _relation(value: str) -> str | None:
    value = _clean_text(value)
    if not value:
        return ""
    if value in Relation.values:
        return value
    return RELATION_NAMES.get(value)


@dataclass
class ImportResult:
    households: int = 0
    residents_created: int = 0
    residents_merged: int = 0
    errors: list[RowError] = field(default_factory=list)


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} bad rows")
        self.errors = errors


def _check_rows(
    data: bytes, filename: str
) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    headers, rows = read_rows(data, filename)
    lookup = {h.strip().lower(): h for h in headers}
    columns: dict[str, str] = {}
    for key, names in IMPORT_COLUMNS:
        for n in names:
            if n.lower() in lookup:
                columns[key] = lookup[n.lower()]
                break
    errors: list[RowError] = []
    for required in ("room", "name"):
        if required not in columns:
            errors.append(
                RowError(1, dict(IMPORT_COLUMNS)[required][0], _("This column is missing."))
            )
    if errors:
        return [], errors
    clean: list[tuple[int, dict[str, Any]]] = []
    seen_ids: dict[str, int] = {}
    for number, raw in rows:
        row = {key: _clean_text(raw.get(header)) for key, header in columns.items()}
        label = dict(IMPORT_COLUMNS)
        if not row.get("room"):
            errors.append(RowError(number, label["room"][0], _("The room is required.")))
        if not row.get("name"):
            errors.append(RowError(number, label["name"][0], _("The name is required.")))
        for key in ("building", "unit", "room"):
            if len(row.get(key, "")) > 20:
                errors.append(RowError(number, label[key][0], _("At most 20 characters.")))
        if len(row.get("phone", "")) > 20:
            errors.append(RowError(number, label["phone"][0], _("At most 20 characters.")))
        if len(row.get("name", "")) > 50:
            errors.append(RowError(number, label["name"][0], _("At most 50 characters.")))
        if row.get("id_number"):
            try:
                id_hash = _from_id_number(row["id_number"])[0]
            except ValidationError as exc:
                errors.append(
                    RowError(number, label["id_number"][0], exc.message_dict["id_number"][0])
                )
            else:
                if id_hash in seen_ids:
                    errors.append(
                        RowError(
                            number,
                            label["id_number"][0],
                            _("The same ID number is on row %(row)s.") % {"row": seen_ids[id_hash]},
                        )
                    )
                seen_ids[id_hash] = number
        relation = _relation(row.get("relation", ""))
        if relation is None:
            errors.append(
                RowError(
                    number, label["relation"][0], _("Unknown relation (e.g. 户主, 配偶, 子女).")
                )
            )
        else:
            row["relation"] = relation
        clean.append((number, row))
    if not clean and not errors:
        errors.append(RowError(2, "", _("The spreadsheet has no rows.")))
    return clean, errors


UPDATE_FIELDS = ["household", *RESIDENT_FIELDS, "id_number_hash", "id_number_masked", "search_text"]


def _state(resident: Resident) -> tuple:
    return tuple(
        getattr(resident, f if f != "household" else "household_id") for f in UPDATE_FIELDS
    )


def _chunks(items: list[Any], size: int = 500) -> Any:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def import_households(*, user: Any, place: Place, data: bytes, filename: str = "") -> ImportResult:
    """Households and residents from the template. Every bad row is reported (row, column, why)
    and nothing is saved unless the whole file is clean. Duplicates merge as when typed in (same
    ID number; or same name and phone in the same household), also within the file.

    Written in bulk (a few queries whatever the size), so auditlog sees no single rows: one
    summary entry on the compound records who imported what.
    """
    rows, errors = _check_rows(data, filename)
    if errors:
        raise ImportFailed(errors)
    # The file is read and checked before the write lock is taken: passages never wait on it.
    with transaction.atomic():
        return _import_households(user=user, place=place, rows=rows, filename=filename)


def _import_households(
    *, user: Any, place: Place, rows: list[tuple[int, dict[str, Any]]], filename: str
) -> ImportResult:
    id_column = dict(IMPORT_COLUMNS)["id_number"][0]
    ids: dict[int, tuple[str, str, str | None, int | None]] = {
        number: _from_id_number(row["id_number"]) for number, row in rows if row.get("id_number")
    }
    by_hash: dict[str, Resident] = {}
    for chunk in _chunks([v[0] for v in ids.values()]):
        for r in Resident.objects.filter(id_number_hash__in=chunk).select_related(
            "household__place__organization"
        ):
            by_hash[r.id_number_hash] = r
    outside = [
        RowError(
            number,
            id_column,
            _(
                "This person is already registered in a compound kept by another "
                "organization. Ask the county office to move the record."
            ),
        )
        for number, v in ids.items()
        if v[0] in by_hash and _outside(user, by_hash[v[0]])
    ]
    if outside:
        raise ImportFailed(outside)

    result = ImportResult()
    households = {(h.building, h.unit, h.room): h for h in Household.objects.filter(place=place)}
    new_households: dict[tuple[str, str, str], Household] = {}
    for _number, row in rows:
        key = (row.get("building", ""), row.get("unit", ""), row["room"])
        if key not in households and key not in new_households:
            new_households[key] = Household(place=place, building=key[0], unit=key[1], room=key[2])
    Household.objects.bulk_create(list(new_households.values()), batch_size=500)
    households.update(new_households)
    result.households = len(new_households)

    by_name = {
        (r.household_id, r.name, r.phone): r
        for r in Resident.objects.filter(household__place=place)
    }
    created: list[Resident] = []
    changed: dict[int, Resident] = {}
    for number, row in rows:
        household = households[(row.get("building", ""), row.get("unit", ""), row["room"])]
        id_hash, masked, gender, birth_year = ids.get(number, ("", "", None, None))
        name, phone = row["name"], row.get("phone", "")
        resident = by_hash.get(id_hash) if id_hash else None
        if resident is None:
            twin = by_name.get((household.pk, name, phone))
            if twin is not None and twin.id_number_hash in ("", id_hash):
                resident = twin
        fields = {
            "name": name,
            "phone": phone,
            "relation": row.get("relation", ""),
            "note": row.get("note", ""),
            "gender": gender or "",
            "birth_year": birth_year,
        }
        if resident is None:
            resident = Resident(household=household)
            _apply(resident, fields, overwrite=True)
            created.append(resident)
        else:
            before = _state(resident)
            resident.household = household
            _apply(resident, fields, overwrite=False)
            if id_hash:
                resident.id_number_hash, resident.id_number_masked = id_hash, masked
            if resident.pk and _state(resident) != before:
                resident.updated_at = timezone.now()  # bulk_update skips auto_now
                changed[resident.pk] = resident
            result.residents_merged += 1
        if id_hash:
            resident.id_number_hash, resident.id_number_masked = id_hash, masked
            by_hash[id_hash] = resident
        by_name[(household.pk, resident.name, resident.phone)] = resident
    Resident.objects.bulk_create(created, batch_size=500)
    Resident.objects.bulk_update(
        list(changed.values()),
        [
            "household",
            *RESIDENT_FIELDS,
            "id_number_hash",
            "id_number_masked",
            "search_text",
            "updated_at",
        ],
        batch_size=500,
    )
    result.residents_created = len(created)
    LogEntry.objects.log_create(
        place,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=user,
        changes={
            "census_import": [
                filename,
                f"households +{result.households}, residents "
                f"+{result.residents_created}, merged {result.residents_merged}",
            ]
        },
    )
    return result
