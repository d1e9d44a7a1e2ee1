"""Excel imports of a stocktake (counted quantities per lot and warehouse) and of needs lists.

The file is checked against the upload limits before it is parsed (gongke.lib.excel), its rows
stream from python-calamine, every row is checked and every bad one reported (row, column,
reason in the user's language); only a clean file is written, in one transaction, through the
same services as the forms and the API (`services.adjust`, `services.post_need`). A stocktake
imported twice changes nothing the second time (a count that agrees writes no movement)."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongke.lib.excel import Col, RowError, SheetError, map_headers, read_rows, template_xlsx
from gongke.registry.models import Place

from . import services
from .access import items_for, recipients_for
from .forms import writing_organizations, writing_warehouses
from .models import Item, Stock, Urgency

LANGUAGES = ("zh-hans", "zh-hant", "en")


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    required: bool = False
    note: Any = ""


STOCKTAKE = [
    Column("warehouse", gettext_lazy("Warehouse"), True),
    Column("item", gettext_lazy("Item"), True),
    Column(
        "batch",
        gettext_lazy("Batch or trace code"),
        note=gettext_lazy("May stay empty when the warehouse holds one lot of the item."),
    ),
    Column("counted", gettext_lazy("Counted quantity"), True),
    Column("unit", gettext_lazy("Unit"), note=gettext_lazy("Empty: the item's base unit.")),
    Column("reason", gettext_lazy("Reason")),
]
NEEDS = [
    Column(
        "recipient",
        gettext_lazy("Recipient unit"),
        True,
        gettext_lazy("The rows of one recipient unit make one need."),
    ),
    Column("item", gettext_lazy("Item"), True),
    Column("quantity", gettext_lazy("Quantity"), True),
    Column("unit", gettext_lazy("Unit"), note=gettext_lazy("Empty: the item's base unit.")),
    Column("urgency", gettext_lazy("Urgency")),
    Column("contact_name", gettext_lazy("Contact")),
    Column("contact_phone", gettext_lazy("Contact phone")),
    Column("source", gettext_lazy("Source")),
    Column("ttl_days", gettext_lazy("Valid for (days)")),
]
KINDS = {"stocktake": STOCKTAKE, "needs": NEEDS}


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0  # stock movements (a stocktake) or needs
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rejected(Exception):
    """Raised inside the transaction so that nothing of a failing file stays written."""


def _names(label: Any) -> list[str]:
    out = []
    for code in LANGUAGES:
        with translation.override(code):
            out.append(str(label))
    return out


def template(kind: str) -> bytes:
    columns = KINDS[kind]
    choices = {"urgency": [str(label) for _v, label in Urgency.choices]}
    example = {
        "stocktake": ["钣金商会一号仓", "N95口罩", "B2020-01", 2380, "只", _("Monthly stocktake")],
        "needs": ["县人民医院", "N95口罩", 2, "箱", str(Urgency.HIGH.label), "", "", "", 3],
    }[kind]
    return template_xlsx(
        [
            Col(
                str(c.label) + (" *" if c.required else ""),
                choices=choices.get(c.key, ()),
                note=c.note,
            )
            for c in columns
        ],
        sheet=_("Stocktake") if kind == "stocktake" else _("Needs"),
        notes=[
            _("Columns marked * are required. One row per lot counted or per item needed."),
            _(
                "Every row is checked first: if any row is wrong, nothing is imported and each "
                "problem is listed."
            ),
        ],
        example=example,
    )


class _Sheet:
    """The file's rows as {column key: value}, with its errors."""

    def __init__(self, kind: str, data: bytes, filename: str) -> None:
        self.columns = KINDS[kind]
        self.labels = {c.key: str(c.label) for c in self.columns}
        self.errors: list[RowError] = []
        self.rows: Iterator[tuple[int, dict[str, Any]]] = iter(())
        try:
            headers, rows = read_rows(data, filename)
        except SheetError as exc:
            self.errors.append(RowError(1, "", str(exc)))
            return
        cleaned = [h.replace("*", "").replace("＊", "").strip() for h in headers]
        found, missing = map_headers(
            cleaned, {c.key: [c.key, *_names(c.label)] for c in self.columns}
        )
        for key in missing:
            if next(c for c in self.columns if c.key == key).required:
                self.errors.append(
                    RowError(1, self.labels[key], _("This column is missing from the header row."))
                )
        by_header = {headers[cleaned.index(h)]: key for key, h in found.items()}

        def keyed() -> Iterator[tuple[int, dict[str, Any]]]:
            for number, row in rows:
                yield number, {by_header[h]: v for h, v in row.items() if h in by_header}

        self.rows = keyed()

    def error(self, row: int, key: str, message: Any) -> None:
        self.errors.append(RowError(row, self.labels.get(key, key), str(message)))

    def each(self) -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            yield from self.rows
        except SheetError as exc:
            self.errors.append(RowError(1, "", str(exc)))


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _by_name(objects: Any) -> dict[str, Any]:
    """Name -> object; a name two objects share maps to None (ambiguous)."""
    out: dict[str, Any] = {}
    for o in objects:
        out[o.name] = None if o.name in out else o
    return out


def _quantity(
    sheet: _Sheet, number: int, key: str, item: Item, value: Any, unit: str
) -> int | None:
    if _text(value) in ("0", "0.0") and key == "counted":
        return 0
    try:
        return services.to_base(item, value if _text(value) else "x", unit)
    except ValidationError as exc:
        sheet.error(number, "unit" if "unit" in exc.message_dict else key, exc.messages[0])
        return None


def _first_errors(exc: ValidationError) -> str:
    return "; ".join(exc.messages)


def _empty_file(sheet: _Sheet, result: ImportResult) -> None:
    if not sheet.errors and not result.rows:
        sheet.errors.append(RowError(1, "", _("The file holds no rows to import.")))


# --- Stocktake ----------------------------------------------------------------------------------


def import_stocktake(*, user: Any, data: bytes, filename: str = "") -> ImportResult:
    """Counted quantities per lot and warehouse replace the balances (services.adjust)."""
    sheet = _Sheet("stocktake", data, filename)
    result = ImportResult()
    warehouses = _by_name(writing_warehouses(user))
    items = _by_name(items_for(user).filter(is_active=True).prefetch_related("packs"))
    parsed: list[tuple[int, Place, Item, str, int, str]] = []
    for number, row in sheet.each():
        result.rows += 1
        warehouse = warehouses.get(_text(row.get("warehouse")))
        if warehouse is None:
            sheet.error(number, "warehouse", _("No warehouse of yours has this name."))
        item = items.get(_text(row.get("item")))
        if item is None:
            sheet.error(number, "item", _("No item of the catalog has this name."))
            continue
        counted = _quantity(
            sheet, number, "counted", item, row.get("counted"), _text(row.get("unit"))
        )
        if warehouse is None or counted is None:
            continue
        reason = _text(row.get("reason")) or _("Stocktake (Excel import)")
        parsed.append((number, warehouse, item, _text(row.get("batch")), counted, reason))
    _empty_file(sheet, result)
    # Lots are looked up for the rows read well even when others are wrong: every bad row is
    # reported at once.
    stocks: dict[tuple[int, int], list[Stock]] = {}
    for s in Stock.objects.filter(
        warehouse__in={p[1].pk for p in parsed}, item__in={p[2].pk for p in parsed}
    ).select_related("lot", "warehouse"):
        stocks.setdefault((s.warehouse_id, s.item_id), []).append(s)
    counts: list[tuple[int, Stock, int, str]] = []
    seen: set[int] = set()
    for number, warehouse, item, batch, counted, reason in parsed:
        candidates = stocks.get((warehouse.pk, item.pk), [])
        if batch:
            candidates = [s for s in candidates if batch in (s.lot.batch, s.lot.code)]
        if not candidates:
            sheet.error(number, "batch", _("The warehouse holds no such lot of this item."))
            continue
        if len(candidates) > 1:
            sheet.error(
                number, "batch", _("The warehouse holds several lots of this item: name the batch.")
            )
            continue
        stock = candidates[0]
        if stock.pk in seen:
            sheet.error(number, "batch", _("This lot is counted twice in the file."))
            continue
        seen.add(stock.pk)
        counts.append((number, stock, counted, reason))
    if sheet.errors:
        result.errors = sorted(sheet.errors, key=lambda e: e.row)
        return result
    try:
        with transaction.atomic():
            for number, stock, counted, reason in counts:
                try:
                    moved = services.adjust(
                        user=user,
                        lot=stock.lot,
                        warehouse=stock.warehouse,
                        counted=counted,
                        reason=reason,
                    )
                except ValidationError as exc:
                    sheet.error(number, "counted", _first_errors(exc))
                    raise _Rejected
                result.created += moved is not None
    except _Rejected:
        result.created = 0
        result.errors = sheet.errors
    return result


# --- Needs --------------------------------------------------------------------------------------


def _urgency(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return Urgency.NORMAL
    for code, label in Urgency.choices:
        if text == str(code) or text.casefold() in {n.casefold() for n in _names(label)}:
            return code
    return None


def import_needs(*, user: Any, organization: Any, data: bytes, filename: str = "") -> ImportResult:
    """A needs list: the rows of one recipient unit become one need (services.post_need)."""
    sheet = _Sheet("needs", data, filename)
    result = ImportResult()
    if organization not in writing_organizations(user):
        sheet.errors.append(RowError(1, "", _("Your role may only read here.")))
    recipients = _by_name(recipients_for(user))
    items = _by_name(items_for(user).filter(is_active=True).prefetch_related("packs"))
    needs: dict[int, dict[str, Any]] = {}
    for number, row in sheet.each():
        result.rows += 1
        recipient = recipients.get(_text(row.get("recipient")))
        if recipient is None:
            sheet.error(number, "recipient", _("No recipient unit of yours has this name."))
        item = items.get(_text(row.get("item")))
        quantity = None
        if item is None:
            sheet.error(number, "item", _("No item of the catalog has this name."))
        else:
            quantity = _quantity(
                sheet, number, "quantity", item, row.get("quantity"), _text(row.get("unit"))
            )
        urgency = _urgency(row.get("urgency"))
        if urgency is None:
            sheet.error(number, "urgency", _("Choose one of the values in the list."))
        ttl = _text(row.get("ttl_days")) or "3"
        if not ttl.isdigit() or not 0 < int(ttl) <= 60:
            sheet.error(number, "ttl_days", _("Write a number of days from 1 to 60."))
        if recipient is None or item is None or quantity is None or urgency is None:
            continue
        need = needs.setdefault(
            recipient.pk,
            {
                "recipient": recipient,
                "lines": {},
                "rows": {},
                "urgency": urgency,
                "ttl_days": int(ttl) if ttl.isdigit() else 3,
                "contact_name": "",
                "contact_phone": "",
                "source": "",
            },
        )
        if item.pk in need["lines"]:
            sheet.error(number, "item", _("This recipient unit needs this item on another row."))
            continue
        need["lines"][item.pk] = (item, quantity)
        need["rows"][item.pk] = number
        need["urgency"] = max(need["urgency"], urgency)
        for key in ("contact_name", "contact_phone", "source"):
            need[key] = need[key] or _text(row.get(key))
    _empty_file(sheet, result)
    if sheet.errors:
        result.errors = sheet.errors
        return result
    try:
        with transaction.atomic():
            for need in needs.values():
                try:
                    services.post_need(
                        user=user,
                        organization=organization,
                        recipient=need["recipient"],
                        lines=list(need["lines"].values()),
                        urgency=need["urgency"],
                        contact_name=need["contact_name"],
                        contact_phone=need["contact_phone"],
                        source=need["source"],
                        ttl_days=need["ttl_days"],
                    )
                except ValidationError as exc:
                    sheet.error(min(need["rows"].values()), "recipient", _first_errors(exc))
                    raise _Rejected
                result.created += 1
    except _Rejected:
        result.created = 0
        result.errors = sheet.errors
    return result
