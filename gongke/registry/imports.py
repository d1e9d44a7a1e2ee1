"""导入 Importing members from Excel: templates, row-by-row validation, then one clean import.

A chamber's secretary fills in a template, uploads it, and sees every bad row at once (row,
column, reason). Nothing is saved until the whole file is clean; then everything is saved in
one transaction by registry.services.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongke.accounts.access import writable_organizations
from gongke.lib.chinese import to_simplified, to_traditional
from gongke.lib.excel import RowError, SheetError, build_xlsx, read_rows
from gongke.lib.idnumbers import clean_credit_code, clean_id_number, hash_id_number

from .models import Industry, Organization, OrgKind, Person, Position

PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
YES = {"是", "yes", "y", "true", "1", "√", "✓", "✔", "x", "是的", "有"}
NO = {"否", "no", "n", "false", "0", "", "无", "不是"}
MAX_ROWS = 20000
LANGUAGE_CODES = ("zh-hans", "zh-hant", "en")

REJECTED = gettext_lazy("The file was not imported: correct the rows listed and upload it again.")


@dataclass(frozen=True)
class Column:
    key: str
    label: Promise
    required: bool = False
    example: Any = ""


ORGANIZATION_COLUMNS = [
    Column("name", gettext_lazy("Enterprise name"), True, "青原县瑞丰五金制品有限公司"),
    Column("credit_code", gettext_lazy("Unified social credit code"), False, "91110000600037341L"),
    Column("industry", gettext_lazy("Industry"), False, "制造业"),
    Column("township", gettext_lazy("Township"), False, "东城街道"),
    Column("legal_representative", gettext_lazy("Legal representative"), False, "张强"),
    Column(
        "legal_representative_phone",
        gettext_lazy("Legal representative's phone"),
        False,
        "13900001111",
    ),
    Column("is_executive", gettext_lazy("Executive committee enterprise"), False, "是"),
    Column("staff_count", gettext_lazy("Number of staff"), False, 85),
    Column("contact_name", gettext_lazy("Contact"), False, "刘敏"),
    Column("contact_phone", gettext_lazy("Contact phone"), False, "13900002222"),
    Column("parent", gettext_lazy("Chamber"), True, "青原县钣金商会"),
]

PEOPLE_COLUMNS = [
    Column("name", gettext_lazy("Full name"), True, "陈静"),
    Column("organization", gettext_lazy("Organization"), True, "青原县钣金商会"),
    Column("position", gettext_lazy("Position"), False, "秘书长"),
    Column("phone", gettext_lazy("Phone"), False, "13900003333"),
    Column("id_number", gettext_lazy("ID number"), False, "11010519491231002X"),
    Column("is_party_member", gettext_lazy("Party member"), False, "是"),
    Column("is_volunteer", gettext_lazy("Volunteer"), False, "否"),
]

KINDS: dict[str, list[Column]] = {"organizations": ORGANIZATION_COLUMNS, "people": PEOPLE_COLUMNS}


class ImportRejected(Exception):
    """The file has bad rows (or cannot be read); `errors` lists every one of them."""

    def __init__(self, errors: list[RowError]):
        super().__init__(str(REJECTED))
        self.errors = errors


@dataclass
class Parsed:
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _variants(text: str) -> set[str]:
    text = str(text).strip()
    return {text, to_simplified(text), to_traditional(text), text.lower()}


def _in_every_language(label: Any) -> set[str]:
    found: set[str] = set()
    for code in LANGUAGE_CODES:
        with translation.override(code):
            found |= _variants(str(label))
    return found


def _choice_lookup(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """Code or label (in any of the three languages, either script) -> code."""
    lookup: dict[str, str] = {}
    for code, label in choices:
        lookup[code.lower()] = code
        for variant in _in_every_language(label):
            lookup[variant.lower()] = code
    return lookup


def column_labels(kind: str) -> list[str]:
    return [str(c.label) + (" *" if c.required else "") for c in KINDS[kind]]


def _header_map(kind: str, headers: list[str]) -> tuple[dict[str, str], list[Column]]:
    """File header -> column key, matching headers written in any of the three languages."""
    known: dict[str, str] = {}
    for column in KINDS[kind]:
        for variant in _in_every_language(column.label):
            known[variant.lower()] = column.key
        known[column.key] = column.key
    mapping: dict[str, str] = {}
    for header in headers:
        cleaned = header.replace("*", "").replace("＊", "").strip()
        for variant in _variants(cleaned):
            if variant.lower() in known:
                mapping[header] = known[variant.lower()]
                break
    missing = [c for c in KINDS[kind] if c.required and c.key not in mapping.values()]
    return mapping, missing


def template_xlsx(kind: str) -> bytes:
    """An empty template in the user's language with one example row and a notes sheet."""
    columns = KINDS[kind]
    notes = [
        _("Fill in one row per record, below the example row (delete the example row first)."),
        _("Columns marked * are required. Keep the header row as it is."),
        _("Yes/no columns: write 是 or 否 (yes or no); an empty cell means no."),
        _(
            "Format long numbers (codes, ID numbers, phones) as text, or Excel may change their last digits."
        ),
    ]
    if kind == "organizations":
        notes += [
            _(
                "Chamber: the exact name of a chamber or association you manage; the enterprise joins it."
            ),
            _("Unified social credit code: 18 characters, checked by its check character."),
            _("Industry: one of the sections below, by name or by letter."),
        ]
        notes += [f"{code} · {label}" for code, label in Industry.choices]
    else:
        notes += [
            _("Organization: the exact name of an organization or enterprise you manage."),
            _(
                "ID number: 18 characters, checked by its check digit; it is stored only as a masked copy."
            ),
            _("Position: one of the positions below."),
        ]
        notes += [str(label) for _code, label in Position.choices]
    return build_xlsx(
        column_labels(kind), [[c.example for c in columns]], sheet=str(_("Import")), notes=notes
    )


def _yes_no(value: Any) -> bool:
    text = str(value if value is not None else "").strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValidationError(_("Write 是 or 否 (yes or no)."))


def _phone(value: Any) -> str:
    text = str(value if value is not None else "").strip()
    if text and not PHONE_RE.match(text):
        raise ValidationError(_("This is not a phone number."))
    return text


def _count(value: Any) -> int | None:
    if value in ("", None):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValidationError(_("Write a whole number."))
    if number < 0:
        raise ValidationError(_("Write a whole number."))
    return number


def _text(limit: int) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        text = str(value if value is not None else "").strip()
        if len(text) > limit:
            raise ValidationError(_("At most %(limit)d characters.") % {"limit": limit})
        return text

    return clean


class _Sheet:
    """Reads a file into (row number, {key: value}) and collects errors as it goes."""

    def __init__(self, kind: str, data: bytes, filename: str):
        self.kind = kind
        self.labels = {c.key: str(c.label) for c in KINDS[kind]}
        self.errors: list[RowError] = []
        self.rows: list[tuple[int, dict[str, Any]]] = []
        try:
            headers, rows = read_rows(data, filename)
            mapping, missing = _header_map(kind, headers)
            for column in missing:
                self.errors.append(
                    RowError(1, str(column.label), _("This column is missing from the header row."))
                )
            self.rows = [
                (n, {mapping[h]: v for h, v in values.items() if h in mapping})
                for n, values in rows
            ]
        except SheetError as exc:
            self.errors.append(RowError(1, "", str(exc)))
            self.rows = []
            return
        if len(self.rows) > MAX_ROWS:
            self.errors.append(
                RowError(1, "", _("A file may hold at most %(n)d rows.") % {"n": MAX_ROWS})
            )
            self.rows = []
        if not self.rows and not self.errors:
            self.errors.append(RowError(1, "", _("The file holds no rows to import.")))

    def error(self, row: int, key: str, message: Any) -> None:
        self.errors.append(RowError(row, self.labels.get(key, key), str(message)))

    def clean(
        self, row: int, values: dict[str, Any], key: str, cleaner: Callable[[Any], Any]
    ) -> Any:
        try:
            return cleaner(values.get(key, ""))
        except ValidationError as exc:
            for message in exc.messages:
                self.error(row, key, message)
            return None

    def required(self, row: int, values: dict[str, Any], key: str) -> bool:
        if str(values.get(key, "") or "").strip():
            return True
        self.error(row, key, _("This cell is required."))
        return False


def _organizations_by_name(
    user: Any, names: set[str], *, bodies_only: bool
) -> dict[str, list[Organization]]:
    """Organizations the user may manage, keyed by every script variant of name and short name."""
    variants: set[str] = set()
    for name in names:
        variants |= _variants(name)
    qs = writable_organizations(user, manage=True).filter(
        Q(name__in=variants) | Q(short_name__in=variants)
    )
    if bodies_only:
        qs = qs.exclude(kind=OrgKind.ENTERPRISE)
    found: dict[str, list[Organization]] = {}
    for org in qs.only("pk", "name", "short_name", "path", "depth", "kind"):
        for text in {org.name, org.short_name} - {""}:
            for variant in _variants(text):
                found.setdefault(variant, [])
                if org not in found[variant]:
                    found[variant].append(org)
    return found


def _match_org(sheet: _Sheet, row: int, key: str, name: str, found: dict[str, list[Organization]]):
    matches = found.get(name.strip()) or found.get(to_simplified(name.strip())) or []
    if not matches:
        sheet.error(row, key, _("“%(name)s” is not an organization you manage.") % {"name": name})
        return None
    if len(matches) > 1:
        sheet.error(
            row, key, _("More than one organization is called “%(name)s”.") % {"name": name}
        )
        return None
    return matches[0]


def parse_organizations(user: Any, data: bytes, filename: str = "") -> Parsed:
    sheet = _Sheet("organizations", data, filename)
    parsed = Parsed("organizations", errors=sheet.errors)
    if sheet.errors:
        return parsed
    industries = _choice_lookup(Industry.choices)
    parents = _organizations_by_name(
        user, {str(v.get("parent", "")) for _n, v in sheet.rows}, bodies_only=True
    )
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple[int, str], int] = {}
    for n, values in sheet.rows:
        ok = sheet.required(n, values, "name") & sheet.required(n, values, "parent")
        record: dict[str, Any] = {"row": n}
        record["name"] = sheet.clean(n, values, "name", _text(200))
        code = str(values.get("credit_code", "") or "").strip().upper()
        record["credit_code"] = sheet.clean(
            n, {"credit_code": code}, "credit_code", lambda v: clean_credit_code(v) if v else ""
        )
        industry = str(values.get("industry", "") or "").strip()
        record["industry"] = industries.get(industry.lower(), "") if industry else ""
        if industry and not record["industry"]:
            sheet.error(
                n, "industry", _("“%(value)s” is not a known industry.") % {"value": industry}
            )
        record["township"] = sheet.clean(n, values, "township", _text(100))
        record["legal_representative"] = sheet.clean(n, values, "legal_representative", _text(50))
        record["legal_representative_phone"] = sheet.clean(
            n, values, "legal_representative_phone", _phone
        )
        record["is_executive"] = sheet.clean(n, values, "is_executive", _yes_no)
        record["staff_count"] = sheet.clean(n, values, "staff_count", _count)
        record["contact_name"] = sheet.clean(n, values, "contact_name", _text(50))
        record["contact_phone"] = sheet.clean(n, values, "contact_phone", _phone)
        parent = None
        if ok:
            parent = _match_org(sheet, n, "parent", str(values["parent"]), parents)
        record["parent"] = parent
        if record["credit_code"]:
            first = seen_codes.setdefault(record["credit_code"], n)
            if first != n:
                sheet.error(
                    n, "credit_code", _("The same code is on row %(row)d.") % {"row": first}
                )
        if parent is not None and record["name"]:
            first = seen_names.setdefault((parent.pk, to_simplified(record["name"])), n)
            if first != n:
                sheet.error(n, "name", _("The same enterprise is on row %(row)d.") % {"row": first})
        parsed.rows.append(record)
    _check_existing_organizations(user, sheet, parsed.rows)
    parsed.errors.sort(key=lambda e: (e.row, e.column))
    return parsed


def _check_existing_organizations(user: Any, sheet: _Sheet, rows: list[dict[str, Any]]) -> None:
    from gongke.accounts.access import visible_organizations

    codes = {r["credit_code"] for r in rows if r["credit_code"]}
    taken = dict(
        Organization.objects.filter(credit_code__in=codes).values_list("credit_code", "name")
    )
    # Name the holder only when the user may see it: the import must not reveal who else
    # is registered where.
    visible = set(
        visible_organizations(user)
        .filter(credit_code__in=taken)
        .values_list("credit_code", flat=True)
    )
    for r in rows:
        code = r["credit_code"]
        if code in visible:
            message = _("This code is already registered to “%(name)s”.") % {"name": taken[code]}
            sheet.error(r["row"], "credit_code", message)
        elif code in taken:
            sheet.error(
                r["row"],
                "credit_code",
                _("This code is already registered in another organization."),
            )
    names = {r["name"] for r in rows if r["name"] and r["parent"] is not None}
    variants = set().union(*(_variants(n) for n in names)) if names else set()
    parent_ids = {r["parent"].pk for r in rows if r["parent"] is not None}
    existing = {
        (p, to_simplified(n))
        for p, n in Organization.objects.filter(
            parent_id__in=parent_ids, name__in=variants
        ).values_list("parent_id", "name")
    }
    for r in rows:
        if (
            r["parent"] is not None
            and r["name"]
            and (r["parent"].pk, to_simplified(r["name"])) in existing
        ):
            sheet.error(r["row"], "name", _("This enterprise is already a member of the chamber."))


def parse_people(user: Any, data: bytes, filename: str = "") -> Parsed:
    sheet = _Sheet("people", data, filename)
    parsed = Parsed("people", errors=sheet.errors)
    if sheet.errors:
        return parsed
    positions = _choice_lookup(Position.choices)
    orgs = _organizations_by_name(
        user, {str(v.get("organization", "")) for _n, v in sheet.rows}, bodies_only=False
    )
    seen_ids: dict[str, int] = {}
    seen_people: dict[tuple[int, str, str], int] = {}
    for n, values in sheet.rows:
        ok = sheet.required(n, values, "name") & sheet.required(n, values, "organization")
        record: dict[str, Any] = {"row": n}
        record["name"] = sheet.clean(n, values, "name", _text(50))
        position = str(values.get("position", "") or "").strip()
        record["position"] = positions.get(position.lower(), "") if position else Position.STAFF
        if not record["position"]:
            sheet.error(
                n, "position", _("“%(value)s” is not a known position.") % {"value": position}
            )
        record["phone"] = sheet.clean(n, values, "phone", _phone)
        record["id_number"] = sheet.clean(
            n, values, "id_number", lambda v: clean_id_number(str(v)) if v else ""
        )
        record["is_party_member"] = sheet.clean(n, values, "is_party_member", _yes_no)
        record["is_volunteer"] = sheet.clean(n, values, "is_volunteer", _yes_no)
        org = (
            _match_org(sheet, n, "organization", str(values["organization"]), orgs) if ok else None
        )
        record["organization"] = org
        record["id_number_hash"] = (
            hash_id_number(record["id_number"]) if record["id_number"] else ""
        )
        if record["id_number_hash"]:
            first = seen_ids.setdefault(record["id_number_hash"], n)
            if first != n:
                sheet.error(
                    n, "id_number", _("The same ID number is on row %(row)d.") % {"row": first}
                )
        if org is not None and record["name"]:
            first = seen_people.setdefault((org.pk, record["name"], record["phone"] or ""), n)
            if first != n:
                sheet.error(n, "name", _("The same person is on row %(row)d.") % {"row": first})
        parsed.rows.append(record)
    hashes = {r["id_number_hash"] for r in parsed.rows if r["id_number_hash"]}
    taken = set(
        Person.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", flat=True)
    )
    org_ids = {r["organization"].pk for r in parsed.rows if r["organization"] is not None}
    names = {r["name"] for r in parsed.rows if r["name"]}
    existing = set(
        Person.objects.filter(organization_id__in=org_ids, name__in=names).values_list(
            "organization_id", "name", "phone"
        )
    )
    for r in parsed.rows:
        if r["id_number_hash"] in taken:
            sheet.error(
                r["row"], "id_number", _("A person with this ID number is already registered.")
            )
        if (
            r["organization"] is not None
            and (r["organization"].pk, r["name"], r["phone"] or "") in existing
        ):
            sheet.error(
                r["row"], "name", _("This person is already registered with the organization.")
            )
    parsed.errors.sort(key=lambda e: (e.row, e.column))
    return parsed


def require_importer(user: Any) -> None:
    """Importing is for the staff and admins of a chamber or association (403 for others)."""
    from django.core.exceptions import PermissionDenied

    if not writable_organizations(user, manage=True).exclude(kind=OrgKind.ENTERPRISE).exists():
        raise PermissionDenied(_("Only the staff of a chamber or association may import members."))


PARSERS = {"organizations": parse_organizations, "people": parse_people}


def import_file(user: Any, kind: str, data: bytes, filename: str = "") -> int:
    """Validate the whole file, then import it in one transaction; returns how many were created.

    Raises ImportRejected with every bad row when the file is not clean: nothing is saved then.
    """
    from . import services

    parsed = PARSERS[kind](user, data, filename)
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    try:
        if kind == "organizations":
            return len(services.import_organizations(rows=parsed.rows))
        return len(services.import_people(rows=parsed.rows))
    except IntegrityError:  # someone registered the same code between the check and the import
        raise ImportRejected(
            [
                RowError(
                    1,
                    "",
                    _(
                        "Some of these records were registered meanwhile; "
                        "upload the file again to see which."
                    ),
                )
            ]
        )
