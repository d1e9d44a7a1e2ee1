"""Import of gift lists from Excel or CSV, from the template the app offers.

Every row is read and checked first; if any row is bad, every bad row is reported (row,
column, reason) and nothing is saved. A clean file is saved in bulk in one transaction with one
summary audit entry. Each row gets a stable key (the file's own 编号 column, or a hash of the
row's content and its occurrence in the file), unique per organization: importing the same
file twice adds nothing.
"""

import datetime
import gc
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import psycopg
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from python_calamine import CalamineWorkbook

from gongke.accounts.access import require_write, writable_organizations
from gongke.lib.amounts import AmountError, parse_amount
from gongke.lib.chinese import quick_search_key
from gongke.lib.excel import RowError, SheetError, build_xlsx, read_rows
from gongke.registry.models import Organization

from .access import donor_enterprises
from .models import (
    Campaign,
    Donor,
    DonorKind,
    Entry,
    EntryKind,
    Gift,
    ImportBatch,
    Nature,
    new_codes,
)
from .services import recipients_for

BATCH = 2000

# (key, header as shown in the template, required)
COLUMNS = [
    ("donor", gettext_lazy("Donor"), False),
    ("donor_kind", gettext_lazy("Donor kind"), False),
    ("credit_code", gettext_lazy("Unified social credit code"), False),
    ("anonymous", gettext_lazy("Anonymous"), False),
    ("nature", gettext_lazy("Money or goods"), False),
    ("amount", gettext_lazy("Amount or estimated value (yuan)"), True),
    ("item", gettext_lazy("Item"), False),
    ("quantity", gettext_lazy("Quantity"), False),
    ("unit", gettext_lazy("Unit"), False),
    ("date", gettext_lazy("Date"), True),
    ("status", gettext_lazy("Status"), False),
    ("campaign", gettext_lazy("Campaign"), False),
    ("recipient", gettext_lazy("Recipient unit"), False),
    ("collector", gettext_lazy("Collected by"), False),
    ("key", gettext_lazy("Number"), False),
    ("note", gettext_lazy("Note"), False),
]

# Headers people already use in their own lists, besides the template's.
HEADER_ALIASES = {
    "donor": [
        "捐赠方",
        "捐赠人",
        "捐赠单位",
        "捐赠者",
        "捐赠单位/个人",
        "单位名称",
        "姓名",
        "名称",
    ],
    "donor_kind": ["捐赠方类型", "类型", "捐赠人类型"],
    "credit_code": ["统一社会信用代码", "信用代码"],
    "anonymous": ["是否匿名", "匿名"],
    "nature": ["类别", "捐赠类别", "款物类别", "资金或物资"],
    "amount": [
        "金额",
        "金额（元）",
        "金额(元)",
        "捐赠金额",
        "捐款金额",
        "金额或估值（元）",
        "价值（元）",
        "估值",
    ],
    "item": ["物品", "物资名称", "品名", "捐赠物资"],
    "quantity": ["数量"],
    "unit": ["单位", "计量单位"],
    "date": ["日期", "捐赠日期", "时间", "到账日期"],
    "status": ["状态", "到账情况"],
    "campaign": ["活动", "募捐活动"],
    "recipient": ["受赠单位", "受捐单位", "去向", "拨付单位"],
    "collector": ["收集单位", "经办单位", "接收单位"],
    "key": ["编号", "序号编号", "票据号"],
    "note": ["备注"],
}

ORG_WORDS = (
    "公司",
    "集团",
    "厂",
    "商会",
    "协会",
    "联合会",
    "合作社",
    "银行",
    "医院",
    "学校",
    "中心",
    "店",
    "社",
)


def _aliases() -> dict[str, str]:
    """Header text (in any of the site's languages, or the English key) -> column key."""
    out: dict[str, str] = {}
    for key, names in HEADER_ALIASES.items():
        for name in names:
            out[name.lower()] = key
    for key, label, _required in COLUMNS:
        out[key] = key
        for lang in ("en", "zh-hans", "zh-hant"):
            with translation.override(lang):
                out[str(label).strip().lower()] = key
    return out


def _choice_words() -> dict[str, dict[str, str]]:
    """Values people type in the choice columns, in every language, mapped to stored values."""
    spec = {
        "nature": {
            Nature.MONEY: [gettext_lazy("Money"), "资金", "现金", "善款", "款"],
            Nature.GOODS: [gettext_lazy("Goods"), "物资", "物品", "实物"],
        },
        "donor_kind": {
            DonorKind.ENTERPRISE: [gettext_lazy("Member enterprise"), "企业", "会员企业"],
            DonorKind.INDIVIDUAL: [gettext_lazy("Individual"), "个人"],
            DonorKind.ORGANIZATION: [
                gettext_lazy("Other organization"),
                "组织",
                "单位",
                "社会组织",
            ],
            DonorKind.ANONYMOUS: [gettext_lazy("Anonymous"), "匿名"],
        },
        "status": {
            "received": [gettext_lazy("Received"), "已到账", "已收到", "到账", "已接收"],
            "pledged": [gettext_lazy("Pledged"), "认捐", "已认捐", "未到账"],
        },
        "yesno": {
            "yes": [gettext_lazy("Yes"), "是", "y", "yes", "1", "true", "匿名"],
            "no": [gettext_lazy("No"), "否", "n", "no", "0", "false", ""],
        },
    }
    out: dict[str, dict[str, str]] = {}
    for column, values in spec.items():
        table = out.setdefault(column, {})
        for stored, words in values.items():
            table[str(stored)] = str(stored)
            for w in words:
                for lang in ("en", "zh-hans", "zh-hant"):
                    with translation.override(lang):
                        table[str(w).strip().lower()] = str(stored)
    return out


def template_xlsx() -> bytes:
    headers = [str(label) for _key, label, _req in COLUMNS]
    examples = [
        {
            "donor": "京博集团",
            "donor_kind": _("Member enterprise"),
            "anonymous": _("No"),
            "nature": _("Money"),
            "amount": "64.8万",
            "date": "2020-02-01",
            "status": _("Received"),
            "key": "JB-001",
        },
        {
            "donor": _("Zhang San"),
            "donor_kind": _("Individual"),
            "anonymous": _("Yes"),
            "nature": _("Money"),
            "amount": "近10万",
            "date": "2020-02-02",
            "status": _("Pledged"),
        },
        {
            "donor": "瑞丰商贸有限公司",
            "donor_kind": _("Other organization"),
            "anonymous": _("No"),
            "nature": _("Goods"),
            "amount": "12,000",
            "item": "N95口罩",
            "quantity": "2000",
            "unit": "只",
            "date": "2020-02-03",
            "status": _("Received"),
        },
    ]
    rows = [[example.get(key, "") for key, _label, _req in COLUMNS] for example in examples]
    notes = [
        _(
            "One row per gift. Amounts may be written as 1,200.50 · 64.8万 · 2000余万元 · 近10万 · 壹拾万元整; "
            "余/多/近/约 are kept as a flag."
        ),
        _(
            "For goods give the item, quantity and unit; the amount is their estimated value in yuan."
        ),
        _(
            "Status: received (default) or pledged. Anonymous: yes keeps the name off the honor list."
        ),
        _(
            "Campaign, recipient unit and collected by must match names already in the system; "
            "collected by may name an organization under yours (empty: yours)."
        ),
        _(
            "Number: your own reference; a row with a number already imported is skipped. Without it, "
            "importing the same file again adds nothing."
        ),
    ]
    return build_xlsx(headers, rows, sheet=_("Gifts"), notes=notes)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class _Row:
    number: int
    key: str
    donor_kind: str
    donor_name: str
    enterprise_id: int | None
    anonymous: bool
    nature: str
    value: Decimal
    approximation: str
    amount_text: str
    item: str
    quantity: Decimal | None
    unit: str
    given_on: datetime.date
    received: bool
    campaign_id: int | None
    recipient_id: int | None
    note: str
    collector_id: int


_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    m = _DATE_RE.match(str(value).strip())
    if not m:
        raise ValueError
    return datetime.date(int(m[1]), int(m[2]), int(m[3]))


@lru_cache(maxsize=50000)
def _amount(raw: Any) -> tuple[Decimal, str]:
    # Lists repeat the same few amounts and dates thousands of times: read each once.
    amount = parse_amount(raw)
    return amount.value, amount.approximation


@lru_cache(maxsize=5000)
def _cached_date(value: Any) -> datetime.date:
    return _date(value)


AMOUNT_MESSAGES = {
    "empty": gettext_lazy("The amount is empty."),
    "negative": gettext_lazy("The amount cannot be negative."),
    "zero": gettext_lazy("The amount cannot be zero."),
    "cents": gettext_lazy("An amount of money has at most two decimals (fen)."),
    "too_large": gettext_lazy("The amount is too large."),
    "separators": gettext_lazy("The thousands separators are misplaced."),
    "invalid": gettext_lazy("The amount is not a number."),
}


def amount_message(exc: AmountError) -> str:
    return str(AMOUNT_MESSAGES.get(exc.code, AMOUNT_MESSAGES["invalid"]))


class _Reader:
    def __init__(self, *, user: Any, organization: Organization):
        self.user = user
        self.organization = organization
        self.words = _choice_words()
        # Donor enterprises are references: only those the importer reaches can be named.
        enterprises = donor_enterprises(user).values_list("pk", "name", "credit_code")
        self.enterprise_by_name = {name: pk for pk, name, _code in enterprises}
        self.enterprise_by_code = {code: pk for pk, _name, code in enterprises if code}
        up = [p for p in (organization.path[: i + 5] for i in range(0, len(organization.path), 5))]
        self.campaigns = dict(
            Campaign.objects.filter(organization__path__in=up).values_list("name", "pk")
        )
        self.recipients = dict(recipients_for(user).values_list("name", "pk"))
        # Rows may name the organization under the importing one that collected them (a county
        # list sent by the federation names each chamber).
        writable = writable_organizations(user, manage=True).filter(
            path__startswith=organization.path
        )
        self.collectors = {}
        for pk, name, short in writable.values_list("pk", "name", "short_name"):
            self.collectors[name] = pk
            if short:
                self.collectors.setdefault(short, pk)
        self.seen: Counter[str] = Counter()
        self.labels = {key: str(lbl) for key, lbl, _r in COLUMNS}
        self.keys = [key for key, _l, _r in COLUMNS]
        self.today = timezone.localdate()

    def choice(self, column: str, value: Any, default: str) -> str | None:
        text = str(value or "").strip().lower()
        if not text:
            return default
        return self.words[column].get(text)

    def read(self, number: int, row: dict[str, Any], errors: list[RowError]) -> _Row | None:
        bad: list[RowError] = []

        def err(column: str, message: str) -> None:
            bad.append(RowError(number, column, message))

        label = self.labels
        get = row.get
        name = str(get("donor") or "").strip()
        credit = str(get("credit_code") or "").strip().upper()
        enterprise_id = (
            self.enterprise_by_code.get(credit) if credit else self.enterprise_by_name.get(name)
        )
        if credit and enterprise_id is None:
            err(label["credit_code"], _("No member enterprise has this credit code."))
        default_kind = (
            DonorKind.ENTERPRISE
            if enterprise_id
            else (DonorKind.ORGANIZATION if name.endswith(ORG_WORDS) else DonorKind.INDIVIDUAL)
        )
        if not name:
            default_kind = DonorKind.ANONYMOUS
        kind = self.choice("donor_kind", get("donor_kind"), default_kind)
        if kind is None:
            err(label["donor_kind"], _("Write enterprise, individual, organization or anonymous."))
        elif kind == DonorKind.ENTERPRISE and enterprise_id is None:
            err(
                label["donor"],
                _("No member enterprise has this name; give its credit code or another kind."),
            )
        elif kind != DonorKind.ANONYMOUS and not name:
            err(label["donor"], _("Give the donor's name, or choose anonymous."))
        if kind != DonorKind.ENTERPRISE:
            enterprise_id = None
        anonymous = self.choice("yesno", get("anonymous"), "no")
        if anonymous is None:
            err(label["anonymous"], _("Write yes or no."))
        item = str(get("item") or "").strip()
        nature = self.choice("nature", get("nature"), Nature.GOODS if item else Nature.MONEY)
        if nature is None:
            err(label["nature"], _("Write money or goods."))
        elif nature == Nature.GOODS and not item:
            err(label["item"], _("Say what goods were given."))
        value = Decimal(0)
        approximation = ""
        amount_raw = get("amount")
        try:
            value, approximation = _amount(amount_raw)
        except AmountError as exc:
            err(label["amount"], amount_message(exc))
        quantity = None
        if nature == Nature.GOODS and str(get("quantity") or "").strip():
            try:
                quantity = Decimal(str(get("quantity")).replace(",", "")).quantize(Decimal("0.01"))
                if quantity <= 0:
                    raise InvalidOperation
            except (InvalidOperation, ValueError):
                err(label["quantity"], _("The quantity must be a number above zero."))
        given_on = None
        try:
            given_on = _cached_date(get("date"))
            if given_on > self.today:
                err(label["date"], _("The date is in the future."))
        except (ValueError, TypeError):
            err(label["date"], _("Write the date as 2020-02-01."))
        status = self.choice("status", get("status"), "received")
        if status is None:
            err(label["status"], _("Write received or pledged."))
        campaign_name = str(get("campaign") or "").strip()
        campaign_id = self.campaigns.get(campaign_name) if campaign_name else None
        if campaign_name and campaign_id is None:
            err(label["campaign"], _("No campaign of this organization has this name."))
        recipient_name = str(get("recipient") or "").strip()
        recipient_id = self.recipients.get(recipient_name) if recipient_name else None
        if recipient_name and recipient_id is None:
            err(label["recipient"], _("No recipient unit has this name."))
        if recipient_name and status == "pledged":
            err(label["recipient"], _("Only a received gift can be allocated."))
        collector_name = str(get("collector") or "").strip()
        collector_id = (
            self.collectors.get(collector_name) if collector_name else self.organization.pk
        )
        if collector_id is None:
            err(
                label["collector"],
                _("No organization under this one that you may write for has this name."),
            )
        if bad:
            errors.extend(bad)
            return None
        own_key = str(get("key") or "").strip()
        if own_key:
            key = "k:" + own_key[:90]
            if self.seen[key]:
                errors.append(
                    RowError(number, label["key"], _("This number appears twice in the file."))
                )
                return None
            self.seen[key] += 1
        else:
            content = "\x1f".join([str(get(k, "")) for k in self.keys])
            occurrence = self.seen[content]
            self.seen[content] += 1
            digest = hashlib.sha256(
                f"{self.organization.pk}\x1e{content}\x1e{occurrence}".encode()
            ).hexdigest()
            key = "r:" + digest[:40]
        assert given_on is not None and kind is not None and nature is not None
        assert collector_id is not None
        return _Row(
            number=number,
            key=key,
            donor_kind=kind,
            donor_name=name if kind != DonorKind.ANONYMOUS else "",
            enterprise_id=enterprise_id,
            anonymous=anonymous == "yes" or kind == DonorKind.ANONYMOUS,
            nature=nature,
            value=value,
            approximation=approximation,
            amount_text=str(amount_raw)[:50],
            item=item[:200] if nature == Nature.GOODS else "",
            quantity=quantity,
            unit=str(get("unit") or "").strip()[:20] if nature == Nature.GOODS else "",
            given_on=given_on,
            received=status == "received",
            campaign_id=campaign_id,
            recipient_id=recipient_id,
            note=str(get("note") or "").strip()[:500],
            collector_id=collector_id,
        )


def _cells(data: bytes, filename: str) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    """Header and rows (as lists) of the first sheet. Reads xlsx straight from calamine: the
    shared reader's per-cell work costs seconds on 100,000 rows. CSV and anything odd go
    through gongke.lib.excel.read_rows, which also words the errors."""
    if not filename.lower().endswith(".csv"):
        try:
            raw = (
                CalamineWorkbook.from_filelike(io.BytesIO(data))
                .get_sheet_by_index(0)
                .to_python(skip_empty_area=False)
            )
        except Exception:
            raw = None
        if raw and any(str(h).strip() for h in raw[0]):
            return [str(h).strip() for h in raw[0]], enumerate(raw[1:], start=2)
    headers, rows = read_rows(data, filename)
    return headers, ((n, [row.get(h, "") for h in headers]) for n, row in rows)


def read_file(
    *, user: Any, organization: Organization, data: bytes, filename: str
) -> tuple[list[_Row], list[RowError]]:
    try:
        headers, rows = _cells(data, filename)
    except SheetError as exc:
        return [], [RowError(0, "", str(exc))]
    aliases = _aliases()
    columns = [(i, key) for i, h in enumerate(headers) if h and (key := aliases.get(h.lower()))]
    found = {key for _i, key in columns}
    errors = [
        RowError(1, str(label), _("This column is missing."))
        for key, label, required in COLUMNS
        if required and key not in found
    ]
    if errors:
        return [], errors
    reader = _Reader(user=user, organization=organization)
    parsed: list[_Row] = []
    width = len(headers)
    for number, values in rows:
        if len(values) < width:
            values = list(values) + [""] * (width - len(values))
        # Strings stripped, whole floats as ints; inlined: 1.6 million calls on 100,000 rows.
        row: dict[str, Any] = {}
        for i, key in columns:
            value = values[i]
            if isinstance(value, str):
                value = value.strip()
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            row[key] = value
        if all(v == "" or v is None for v in row.values()):
            continue
        item = reader.read(number, row, errors)
        if item is not None:
            parsed.append(item)
    if not parsed and not errors:
        errors.append(RowError(0, "", _("The file has no gifts in it.")))
    return parsed, errors


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """An import allocates millions of rows, tuples and strings, none of them in reference
    cycles; each time their number grows the cycle collector walks every object in the process
    (0.4 s of 3.4 s of CPU on 100,000 rows). Plain reference counting still frees them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_gifts(
    *, user: Any, organization: Organization, data: bytes, filename: str
) -> ImportResult:
    """Check the whole file, then save all of it or nothing."""
    with _no_cycle_collection(), transaction.atomic():
        return _import_gifts(user=user, organization=organization, data=data, filename=filename)


def _import_gifts(
    *, user: Any, organization: Organization, data: bytes, filename: str
) -> ImportResult:
    require_write(user, organization, manage=True)
    rows, errors = read_file(user=user, organization=organization, data=data, filename=filename)
    result = ImportResult(rows=len(rows) + len({e.row for e in errors}), errors=errors)
    if errors:
        return result
    collectors = {r.collector_id for r in rows}
    existing = set(
        Gift.objects.filter(organization_id__in=collectors)
        .exclude(client_key="")
        .values_list("client_key", flat=True)
    )
    new = [r for r in rows if r.key not in existing]
    result.skipped = len(rows) - len(new)
    donors = _donors_for(organization, new)
    _save(new, donors, user if getattr(user, "is_authenticated", False) else None)
    result.created = len(new)
    now_user = user if getattr(user, "is_authenticated", False) else None
    result.batch = ImportBatch.objects.create(
        organization=organization,
        filename=filename[:255],
        rows=len(rows),
        created=result.created,
        skipped=result.skipped,
        created_by=now_user,
    )
    # bulk_create bypasses auditlog: one summary entry for the whole file.
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(ImportBatch),
        object_pk=str(result.batch.pk),
        object_id=result.batch.pk,
        object_repr=f"{filename[:100]}: {result.created}",
        action=LogEntry.Action.CREATE,
        actor=now_user,
        changes={
            "filename": ["", filename[:255]],
            "created": ["", str(result.created)],
            "skipped": ["", str(result.skipped)],
        },
        additional_data={"org_path": organization.path},
    )
    return result


def _ids(model, count: int) -> list[int]:
    """Primary keys for `count` new rows, taken before inserting so other rows can point at them.

    PostgreSQL hands them out from the sequence; on SQLite the import holds the write lock
    (transactions begin IMMEDIATE), so the next ids after the current maximum are ours."""
    if not count:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - our own table name
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Plain INSERTs (COPY on PostgreSQL): bulk_create spends ~0.4 ms a row preparing values,
    which was most of an import's time; here the values are prepared once, in _save."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY: no number or date is written out as text and parsed back.
            cursor.execute(
                "SELECT a.attname, t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                "WHERE a.attrelid = %s::regclass AND a.attnum > 0",
                [model._meta.db_table],
            )
            types = dict(cursor.fetchall())
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types([types[c] for c in columns])
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        for start in range(0, len(rows), BATCH):
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})", rows[start : start + BATCH]
            )


def _save(rows: list["_Row"], donors: dict, user: Any) -> None:
    ops = connection.ops
    if connection.vendor == "sqlite":
        # SQLite's default page cache (2 MB) thrashes on the random-key indexes (codes, row
        # keys) of 100,000 new gifts; 64 MB for this connection keeps them in memory.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")
    now = ops.adapt_datetimefield_value(timezone.now())
    user_id = user.pk if user is not None else None
    township_of = dict(
        Organization.objects.filter(
            pk__in={r.enterprise_id for r in rows if r.enterprise_id}
            | {r.collector_id for r in rows}
        ).values_list("pk", "township_id")
    )
    item_keys: dict[str, str] = {}
    ids = _ids(Gift, len(rows))

    def dec(value):
        return ops.adapt_decimalfield_value(value, 16, 2) if value is not None else None

    gifts: list[tuple] = []
    received: list[int] = []
    allocations: list[tuple[int, int]] = []
    # SQLite: the entries' rows are built here; PostgreSQL builds them from the gifts.
    entries: list[tuple] | None = None if connection.vendor == "postgresql" else []
    for gift_id, code, r in zip(ids, new_codes(len(rows)), rows, strict=True):
        donor_id = (
            donors[_donor_key(r)]
            if r.donor_kind != DonorKind.ANONYMOUS
            else donors[("anonymous", "")]
        )
        public_name = "" if r.anonymous else r.donor_name
        if r.item and r.item not in item_keys:
            item_keys[r.item] = quick_search_key(r.item)
        search = " ".join(
            p
            for p in (
                quick_search_key(public_name) if public_name else "",
                item_keys.get(r.item, ""),
            )
            if p
        )[:1000]
        value, quantity, day = dec(r.value), dec(r.quantity), ops.adapt_datefield_value(r.given_on)
        gifts.append(
            (
                gift_id,
                r.collector_id,
                r.campaign_id,
                donor_id,
                r.nature,
                r.item,
                quantity,
                r.unit,
                value,
                r.approximation,
                r.amount_text,
                day,
                r.anonymous,
                township_of.get(r.enterprise_id) or township_of.get(r.collector_id),
                r.note,
                code,
                r.key,
                search,
                public_name,
                user_id,
                now,
            )
        )
        if entries is not None:
            tail = (value, quantity, day, now, "")
            entries.append((gift_id, EntryKind.PLEDGE.value, r.collector_id, None, *tail))
            if r.received:
                entries.append((gift_id, EntryKind.RECEIPT.value, r.collector_id, None, *tail))
            if r.recipient_id:
                entries.append(
                    (gift_id, EntryKind.ALLOCATION.value, r.collector_id, r.recipient_id, *tail)
                )
        else:
            if r.received:
                received.append(gift_id)
            if r.recipient_id:
                allocations.append((gift_id, r.recipient_id))
    _insert(Gift, GIFT_COLUMNS, gifts)
    if entries is not None:
        _insert(Entry, ENTRY_COLUMNS, entries)
    else:
        _entries_from_gifts(ids, received, allocations)


GIFT_COLUMNS = [
    "id",
    "organization_id",
    "campaign_id",
    "donor_id",
    "nature",
    "item",
    "quantity",
    "unit",
    "value",
    "approximation",
    "amount_text",
    "given_on",
    "is_anonymous",
    "township_id",
    "note",
    "code",
    "client_key",
    "search_text",
    "public_name",
    "created_by_id",
    "created_at",
]

ENTRY_COLUMNS = [
    "gift_id",
    "kind",
    "organization_id",
    "recipient_id",
    "amount",
    "quantity",
    "occurred_on",
    "created_at",
    "reason",
]


def _entries_from_gifts(
    ids: list[int], received: list[int], allocations: list[tuple[int, int]]
) -> None:
    """The ledger of the new gifts: a pledge for each, a receipt for each received one and an
    allocation for each allocated one, on the collecting organization's books, for the gift's
    value, quantity and date, in that order (a gift's pledge comes before its receipt).

    They are left without created_by: who imported them is the gift's created_by and the
    ImportBatch's, and 217,000 foreign keys to the same user row were a quarter of
    PostgreSQL's commit (each is checked when the transaction commits). On PostgreSQL the
    entries are written by the server from the gift rows just copied, instead of being sent
    a second time."""
    entry = connection.ops.quote_name(Entry._meta.db_table)
    gift = connection.ops.quote_name(Gift._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in ENTRY_COLUMNS)
    by_kind = [
        (EntryKind.PLEDGE, "NULL", "unnest(%b::bigint[]) AS r(id)", [ids]),
        (EntryKind.RECEIPT, "NULL", "unnest(%b::bigint[]) AS r(id)", [received]),
        (
            EntryKind.ALLOCATION,
            "r.recipient_id",
            "unnest(%b::bigint[], %b::bigint[]) AS r(id, recipient_id)",
            [[a[0] for a in allocations], [a[1] for a in allocations]],
        ),
    ]
    # psycopg's own cursor binds the id arrays in binary; Django's quotes them as text.
    with psycopg.Cursor(connection.connection) as cursor:
        for kind, recipient, source, params in by_kind:
            if params[0]:
                cursor.execute(
                    f"INSERT INTO {entry} ({names}) SELECT g.id, %s, g.organization_id, "  # noqa: S608 - our own tables
                    f"{recipient}, g.value, g.quantity, g.given_on, g.created_at, '' "
                    f"FROM {gift} g JOIN {source} ON g.id = r.id",
                    [kind.value, *params],
                )


def _donor_key(r: _Row) -> tuple[str, Any]:
    if r.enterprise_id:
        return ("enterprise", r.enterprise_id)
    return (r.donor_kind, r.donor_name)


def _donors_for(organization: Organization, rows: list[_Row]) -> dict[tuple[str, Any], int]:
    """The donor id for every donor the rows name, inserting the new ones in bulk."""
    out: dict[tuple[str, Any], int] = {}
    enterprise_ids = {r.enterprise_id for r in rows if r.enterprise_id}
    for pk, enterprise_id in Donor.objects.filter(enterprise_id__in=enterprise_ids).values_list(
        "pk", "enterprise_id"
    ):
        out[("enterprise", enterprise_id)] = pk
    names = {
        (r.donor_kind, r.donor_name)
        for r in rows
        if not r.enterprise_id and r.donor_kind != DonorKind.ANONYMOUS
    }
    kept = Donor.objects.filter(organization=organization).exclude(kind=DonorKind.ANONYMOUS)
    for pk, kind, name in kept.values_list("pk", "kind", "name"):
        out[(kind, name)] = pk
    pending: list[tuple[tuple[str, Any], tuple]] = []
    missing = enterprise_ids - {k[1] for k in out if k[0] == "enterprise"}
    for ent_id, name, code, township_id in Organization.objects.filter(pk__in=missing).values_list(
        "pk", "name", "credit_code", "township_id"
    ):
        pending.append(
            (
                ("enterprise", ent_id),
                (
                    ent_id,
                    DonorKind.ENTERPRISE.value,
                    name,
                    ent_id,
                    township_id,
                    quick_search_key(name, code),
                ),
            )
        )
    for kind, name in sorted(names - set(out)):
        pending.append(
            ((kind, name), (organization.pk, kind, name, None, None, quick_search_key(name)))
        )
    if any(r.donor_kind == DonorKind.ANONYMOUS for r in rows):
        pending.append(
            (("anonymous", ""), (organization.pk, DonorKind.ANONYMOUS.value, "", None, None, ""))
        )
    ids = _ids(Donor, len(pending))
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _insert(
        Donor,
        [
            "id",
            "organization_id",
            "kind",
            "name",
            "enterprise_id",
            "township_id",
            "search_text",
            "contact_name",
            "contact_phone",
            "address",
            "created_at",
        ],
        [(pk, *values, "", "", "", now) for pk, (_key, values) in zip(ids, pending, strict=True)],
    )
    for pk, (key, _values) in zip(ids, pending, strict=True):
        out[key] = pk
    return out
