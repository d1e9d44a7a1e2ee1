"""Import of gift lists from Excel or CSV, from the template the app offers.

Every row is read and checked first; if any row is bad, every bad row is reported (row,
column, reason) and nothing is saved. Each row gets a key (the file's own 编号 column, or a hash
of the row's content and its occurrence in the file) in the county's one key space (the keys a
form or the API gave, the verification codes the app's own export writes in that column, the
lines a clerk judged to be a known gift): a row whose key is known is skipped before any other
check, so importing a file again, or the app's export edited, adds only the new lines.

Lines that look like a gift already known (same donor, amount and date anywhere in the county,
or earlier in the same file) hold the import back for a duplicate review (ImportReview): the
clerk says "same gift" (no new gift: the line is recorded as another report of it, counted once)
or "different" for each, and only then is the file saved, in bulk, in one transaction, with one
summary audit entry and one audit entry per decision.
"""

import datetime
import gc
import hashlib
import io
import pickle  # noqa: S403 - only our own rows, signed with the secret key (_pack/_unpack)
import re
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from gongke.accounts.access import require_write, writable_organizations
from gongke.lib.amounts import AmountError, parse_amount
from gongke.lib.chinese import quick_search_key
from gongke.lib.excel import RowError, SheetError, build_xlsx, formula_cells, read_sheet
from gongke.lib.lengths import check_lengths, too_long
from gongke.registry.models import Organization

from . import bulk
from .access import donor_enterprises
from .models import (
    Campaign,
    Donor,
    DonorKind,
    DuplicateDecision,
    Entry,
    Gift,
    ImportBatch,
    ImportReview,
    Nature,
    ReviewStatus,
    new_codes,
)
from .services import (
    county_of,
    gift_row,
    is_collective,
    opening_entry_rows,
    recipients_for,
    register_donors,
)

# A row's own number is its gift's client_key, as a form's or the API's key is (100 characters).
KEY_LENGTH = 100
# The template's example rows carry a number starting with this word (in any of the site's
# languages): such a row is an example, never a gift.
EXAMPLE = gettext_lazy("Example")

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
    ("unit", pgettext_lazy("measure", "Unit"), False),
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
    spec: dict[str, dict[Any, list[Any]]] = {
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
            DonorKind.GROUP: [gettext_lazy("Group (collective line)"), "集体", "群体"],
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
            "key": f"{_('Example')}-1",
        },
        {
            "donor": _("Zhang San"),
            "donor_kind": _("Individual"),
            "anonymous": _("Yes"),
            "nature": _("Money"),
            "amount": "近10万",
            "date": "2020-02-02",
            "status": _("Pledged"),
            "key": f"{_('Example')}-2",
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
            "key": f"{_('Example')}-3",
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
        _(
            "The rows whose number starts with “Example” are examples: they are never imported. "
            "Add your rows below them or replace them."
        ),
        _(
            "Lines that look like a gift already recorded (same donor, amount and date) are shown "
            "for review before anything is saved: you say whether each is the same gift or another."
        ),
    ]
    return build_xlsx(headers, rows, sheet=_("Gifts"), notes=notes)


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    skipped: int = 0
    linked: int = 0  # lines judged the same as a known gift: reports of it, no new gift
    examples: int = 0
    errors: list[RowError] = field(default_factory=list)
    batch: ImportBatch | None = None
    # Held back: the lines that look like known gifts wait for the clerk's word.
    review: ImportReview | None = None
    duplicates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _search_key(*texts: str) -> str:
    # Each text's key on its own: names and items repeat over thousands of rows, pairs less.
    return " ".join(quick_search_key(t) for t in texts if t)[:1000]


@dataclass(slots=True)
class _Row:
    """A checked row: its gift's values (services.gift_row) and how its ledger opens."""

    number: int
    key: str
    donor: tuple[str, Any]
    # gift_row's values, in the order of _Reader.fields (a third of a dict); None in a head
    # whose values are still packed (_Checked.parts)
    gift: Any
    received: bool
    recipient_id: int | None
    # (donor name, yuan, date): what makes two lines look like one gift (none for the anonymous)
    signature: tuple[str, Decimal, datetime.date] | None


# Rows per part when a held file's checked rows are packed and saved (bulk.BATCH's size).
PART = 10_000


@dataclass(slots=True)
class _Checked:
    """A file read and checked: its new rows, the donors they name (saved or found with the
    gifts), the order of gift_row's fields in each row, and the rows skipped as known or as the
    template's examples.

    Rows taken from a review (_unpack) come as heads (number, key, donor, signature; gift None)
    with their bodies still packed in parts (`packed`, PART rows each, in the order of `heads`):
    `parts()` unpacks one part at a time while the rows are saved, so committing a review never
    holds every row's values at once."""

    rows: list[_Row]
    donors: dict[tuple[str, Any], dict[str, Any]]
    fields: tuple[str, ...]
    skipped: int
    examples: int
    heads: list[_Row] = field(default_factory=list)
    packed: list[bytes] = field(default_factory=list)
    gone: set[int] = field(default_factory=set)  # rows known since they were packed

    def parts(self) -> Iterator[list[_Row]]:
        if not self.packed:
            for start in range(0, len(self.rows), PART):
                yield self.rows[start : start + PART]
            return
        for i, part in enumerate(self.packed):
            heads = self.heads[i * PART : (i + 1) * PART]
            bodies = pickle.loads(zlib.decompress(part))  # noqa: S301 - signed (_unpack)
            yield [
                _Row(h.number, h.key, h.donor, gift, received, recipient_id, h.signature)
                for h, (gift, received, recipient_id) in zip(heads, bodies, strict=True)
                if h.number not in self.gone
            ]


# Where a rule of services.new_gift names a gift field, the column that holds it.
FIELD_COLUMNS = {
    "nature": "nature",
    "item": "item",
    "quantity": "quantity",
    "unit": "unit",
    "value": "amount",
    "amount_text": "amount",
    "note": "note",
    "public_name": "donor",
    "search_text": "donor",
    "client_key": "key",
    "recipient": "recipient",
    "name": "donor",
}


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


FORMULA_MESSAGE = gettext_lazy(
    "This cell holds a formula: type its value instead, or delete the row if it is a total."
)


def amount_message(exc: AmountError) -> str:
    return str(AMOUNT_MESSAGES.get(exc.code, AMOUNT_MESSAGES["invalid"]))


class _Reader:
    def __init__(
        self,
        *,
        user: Any,
        organization: Organization,
        known: Mapping[str, int],
        county: Organization | None = None,
    ):
        self.user = user
        self.organization = organization
        self.county = county or organization
        self.known = known
        self.skipped = 0
        self.examples = 0
        self.example_words = tuple(
            _example_word(lang).lower() for lang in ("en", "zh-hans", "zh-hant")
        )
        self.words = _choice_words()
        # Donor enterprises are references: only those the importer reaches can be named.
        enterprises = donor_enterprises(user).values_list(
            "pk", "name", "credit_code", "township_id"
        )
        self.enterprise_by_name = {name: pk for pk, name, _code, _t in enterprises}
        self.enterprise_by_code = {code: pk for pk, _name, code, _t in enterprises if code}
        self.enterprise_names = {pk: (name, code) for pk, name, code, _t in enterprises}
        self.township_of = {pk: township for pk, _n, _c, township in enterprises}
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
        for pk, name, short, township in writable.values_list(
            "pk", "name", "short_name", "township_id"
        ):
            self.township_of[pk] = township
            self.collectors[name] = pk
            if short:
                self.collectors.setdefault(short, pk)
        self.seen: Counter[str] = Counter()
        self.labels = {key: str(lbl) for key, lbl, _r in COLUMNS}
        self.keys = [key for key, _l, _r in COLUMNS]
        self.today = timezone.localdate()
        self.user_id = user.pk if getattr(user, "is_authenticated", False) else None
        # One unsaved donor per donor the file names; saved (or found) with the gifts.
        self.donors: dict[tuple[str, Any], dict[str, Any]] = {}
        self.fields: tuple[str, ...] = ()

    def donor(self, kind: str, name: str, enterprise_id: int | None) -> tuple[str, Any]:
        """The key of the donor a row names; its values are kept to be saved if it is new."""
        key = _donor_key(kind, name, enterprise_id)
        if key not in self.donors:
            if enterprise_id:
                name, code = self.enterprise_names[enterprise_id]
                donor = {
                    "organization_id": enterprise_id,
                    "kind": DonorKind.ENTERPRISE.value,
                    "name": name,
                    "enterprise_id": enterprise_id,
                    "township_id": self.township_of.get(enterprise_id),
                    "search_text": quick_search_key(name, code or ""),
                }
            else:
                # Named donors join the county's register; each anonymous line is its own.
                keeper = self.organization if kind == DonorKind.ANONYMOUS else self.county
                donor = {
                    "organization_id": keeper.pk,
                    "kind": kind,
                    "name": name,
                    "enterprise_id": None,
                    "township_id": None,
                    "search_text": quick_search_key(name) if name else "",
                }
            check_lengths(Donor, donor)
            self.donors[key] = donor
        return key

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
        # The key first: a line already known (imported, entered, judged the same) is skipped
        # before any other check, so an edited export or a list sent again is cheap to import.
        own_key = str(get("key") or "").strip()
        if own_key:
            if own_key.lower().startswith(self.example_words):
                self.examples += 1
                return None
            if len(own_key) > KEY_LENGTH:
                errors.append(RowError(number, label["key"], too_long(KEY_LENGTH)))
                return None
            key = own_key
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
        if key in self.known:
            self.skipped += 1
            return None
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
            else (
                DonorKind.GROUP
                if is_collective(name)
                else DonorKind.ORGANIZATION
                if name.endswith(ORG_WORDS)
                else DonorKind.INDIVIDUAL
            )
        )
        if not name:
            default_kind = DonorKind.ANONYMOUS
        kind = self.choice("donor_kind", get("donor_kind"), default_kind)
        if kind is None:
            err(
                label["donor_kind"],
                _("Write enterprise, individual, organization, group or anonymous."),
            )
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
        assert given_on is not None and kind is not None and nature is not None
        assert collector_id is not None
        if kind == DonorKind.ANONYMOUS:
            name = ""
        try:
            donor = self.donor(kind, name, enterprise_id)
            gift = gift_row(
                organization_id=collector_id,
                donor_id=None,
                donor_kind=kind,
                donor_name=name,
                nature=nature,
                value=value,
                given_on=given_on,
                township_id=(self.township_of.get(enterprise_id) if enterprise_id else None)
                or self.township_of.get(collector_id),
                campaign_id=campaign_id,
                item=item if nature == Nature.GOODS else "",
                quantity=quantity,
                unit=str(get("unit") or "").strip(),
                is_anonymous=anonymous == "yes",
                approximation=approximation,
                amount_text=str(amount_raw)[:50],
                note=str(get("note") or "").strip(),
                client_key=key,
                created_by_id=self.user_id,
                search=_search_key,
                today=self.today,
            )
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                column = label.get(FIELD_COLUMNS.get(field_name, ""), "")
                errors.extend(RowError(number, column, m) for m in messages)
            return None
        self.fields = self.fields or tuple(gift)
        if kind == DonorKind.ANONYMOUS:
            signature = None
        else:
            shown = self.enterprise_names[enterprise_id][0] if enterprise_id else name
            signature = (shown, gift["value"], given_on)
        return _Row(
            number=number,
            key=key,
            donor=donor,
            gift=tuple(gift.values()),
            received=status == "received",
            recipient_id=recipient_id,
            signature=signature,
        )


def _example_word(lang: str) -> str:
    with translation.override(lang):
        return str(EXAMPLE)


def _read(
    *, user: Any, organization: Organization, data: bytes, filename: str, known: Mapping[str, int]
) -> tuple["_Checked | None", list[RowError]]:
    """Every row read and checked, nothing written: (the new rows, []) or (None, every bad
    row)."""
    try:
        headers, rows = read_sheet(data, filename)
        aliases = _aliases()
        columns = [(i, key) for i, h in enumerate(headers) if h and (key := aliases.get(h.lower()))]
        found = {key for _i, key in columns}
        errors = [
            RowError(1, str(label), _("This column is missing."))
            for key, label, required in COLUMNS
            if required and key not in found
        ]
        if errors:
            return None, errors
        # A formula comes in as the value it last computed: a total row's =SUM(...) would be
        # one more gift. Reported where it is, before anything else is read.
        imported = {i for i, _key in columns}
        errors = [
            RowError(row, headers[col], str(FORMULA_MESSAGE))
            for row, col in formula_cells(data, filename)
            if row > 1 and col in imported
        ]
        if errors:
            return None, errors
        reader = _Reader(
            user=user, organization=organization, known=known, county=county_of(organization)
        )
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
            if item is not None and not errors:
                parsed.append(item)
    except SheetError as exc:
        return None, [RowError(0, "", str(exc))]
    if errors:
        return None, errors
    if not parsed and not reader.skipped:
        return None, [RowError(0, "", _("The file has no gifts in it."))]
    checked = _Checked(
        rows=parsed,
        donors=reader.donors,
        fields=reader.fields,
        skipped=reader.skipped,
        examples=reader.examples,
    )
    return checked, errors


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


def _county_keys(county: Organization) -> dict[str, int]:
    """The county's key space: client key, verification code, key of a line judged the same ->
    gift id (one read of its gifts, one of the decisions)."""
    known: dict[str, int] = {}
    gifts = Gift.objects.filter(organization__path__startswith=county.path).values_list(
        "pk", "client_key", "code"
    )
    for pk, key, code in gifts.iterator(chunk_size=10_000):
        if key:
            known[key] = pk
        known[code] = pk
    same = DuplicateDecision.objects.filter(
        same=True, gift__organization__path__startswith=county.path
    ).values_list("client_key", "gift_id")
    known.update(same)
    return known


def _county_signatures(
    county: Organization, dates: set[datetime.date]
) -> dict[tuple[str, Decimal, datetime.date], int]:
    """The county's gifts on the file's dates by (donor name, yuan, date). Read after the file
    and once the key space is let go: a county of 100,000 gifts never holds both at once (with
    the file's rows that took the import over 600 MB)."""
    signatures: dict[tuple[str, Decimal, datetime.date], int] = {}
    if not dates:
        return signatures
    # Lists span weeks: their few dates by name; a long span as a range (bounded parameters).
    on = (
        {"given_on__in": sorted(dates)}
        if len(dates) <= 500
        else {"given_on__range": (min(dates), max(dates))}
    )
    gifts = Gift.objects.filter(organization__path__startswith=county.path, **on).values_list(
        "pk", "donor__name", "value", "given_on"
    )
    for pk, name, value, given_on in gifts.iterator(chunk_size=10_000):
        if name:
            signatures.setdefault((name, value, given_on), pk)
    return signatures


def _candidates(
    rows: list[_Row], signatures: Mapping[tuple[str, Decimal, datetime.date], int]
) -> list[dict[str, Any]]:
    """The new lines that look like a gift already known: one in the county (`gift`) or an
    earlier line of the file (`other_row`), in the file's order."""
    first_in_file: dict[tuple[str, Decimal, datetime.date], int] = {}
    out: list[dict[str, Any]] = []
    for r in rows:
        sig = r.signature
        if sig is None:
            continue
        match: dict[str, Any] = {}
        if (gift := signatures.get(sig)) is not None:
            match = {"gift": gift}
        elif (first := first_in_file.setdefault(sig, r.number)) != r.number:
            match = {"other_row": first}
        if match:
            out.append(
                {"row": r.number, "donor": sig[0], "amount": str(sig[1]), "date": str(sig[2])}
                | match
            )
    return out


def _same_candidates(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def pairs(c: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
        return [(d["row"], d.get("gift"), d.get("other_row")) for d in c]

    return pairs(a) == pairs(b)


def import_gifts(
    *,
    user: Any,
    organization: Organization,
    data: bytes,
    filename: str,
    review: ImportReview | None = None,
    decisions: Mapping[int, bool] | None = None,
) -> ImportResult:
    """Check the whole file, then save all of it or nothing.

    Lines that look like known gifts hold the file back: the answer carries the review (saved,
    with the file and its checked rows) and nothing else is written. `commit_review` calls this
    again with the clerk's decisions (row -> same gift?): the checked rows are taken from the
    review, not read and checked again; what may have changed since (keys and gifts entered
    meanwhile, the user's reach) is asked of the database in a few set-based queries. If the
    lines looking known have changed since the review was shown (another import, a gift
    entered meanwhile), the review is shown again.

    The file is read and every row checked before the transaction begins: the write lock (on
    SQLite, the whole database's) is held only while the checked rows are written, so passages
    and other writes never wait on a spreadsheet being parsed."""
    require_write(user, organization, manage=True)
    county = county_of(organization)
    with _no_cycle_collection():
        known = _county_keys(county)
        checked = _unpack(review, user=user) if review is not None else None
        if checked is not None:
            checked.gone = {r.number for r in checked.rows if r.key in known}
            if checked.gone:
                checked.rows = [r for r in checked.rows if r.number not in checked.gone]
                checked.skipped += len(checked.gone)
            errors: list[RowError] = []
        else:
            checked, errors = _read(
                user=user, organization=organization, data=data, filename=filename, known=known
            )
        del known
        rows = checked.rows if checked is not None else []
        skipped = checked.skipped if checked is not None else 0
        result = ImportResult(
            rows=len(rows) + skipped + len({e.row for e in errors}), skipped=skipped, errors=errors
        )
        if errors:
            return result
        assert checked is not None
        result.examples = checked.examples
        signatures = _county_signatures(
            county, {r.signature[2] for r in rows if r.signature is not None}
        )
        candidates = _candidates(rows, signatures)
        del signatures
        decided = decisions or {}
        if candidates and (
            review is None
            or not _same_candidates(candidates, review.candidates)
            or any(c["row"] not in decided for c in candidates)
        ):
            result.review = _hold(
                review, user=user, organization=organization, data=data, filename=filename
            )
            result.review.candidates = candidates
            result.review.checked = (
                review.checked if review is not None and checked.packed else _pack(checked)
            )
            result.review.save(update_fields=["candidates", "checked"])
            result.duplicates = candidates
            return result
        with transaction.atomic():
            _save(
                result,
                rows,
                checked,
                user=user,
                organization=organization,
                filename=filename,
                candidates=candidates,
                decided=decided,
                review=review,
            )
    return result


_CHECKED_SALT = "gongke.donations.importer.checked"


def _pack(checked: _Checked) -> bytes:
    """A held file's checked rows, kept with its review so that committing the clerk's decisions
    does not read and check the file again (that doubled an import's work: bench/README.md).
    The heads (what the review and the key check need) and the names it points at apart from the
    bodies, which are packed PART rows at a time; pickled as plain tuples (C-speed both ways) and
    signed: only rows this server checked are ever unpickled."""
    rows = checked.rows
    fields = checked.fields
    at, campaign = fields.index("organization_id"), fields.index("campaign_id")
    reach = {
        "collectors": {r.gift[at] for r in rows},
        "campaigns": {r.gift[campaign] for r in rows} - {None},
        "recipients": {r.recipient_id for r in rows} - {None},
    }
    heads = [(r.number, r.key, r.donor, r.signature) for r in rows]
    packed = [
        zlib.compress(
            pickle.dumps(
                [(r.gift, r.received, r.recipient_id) for r in rows[start : start + PART]],
                protocol=pickle.HIGHEST_PROTOCOL,
            ),
            1,
        )
        for start in range(0, len(rows), PART)
    ]
    head = (heads, checked.donors, fields, checked.skipped, checked.examples, reach)
    # Without the pickler's memo: it would remember each of the heads' ~500,000 objects (40 MB
    # on 100,000 rows) to share the few that repeat.
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(head)
    body = pickle.dumps(
        (zlib.compress(out.getbuffer(), 1), packed), protocol=pickle.HIGHEST_PROTOCOL
    )
    return salted_hmac(_CHECKED_SALT, body, algorithm="sha256").digest() + body


def _unpack(review: ImportReview, *, user: Any) -> _Checked | None:
    """The checked rows kept with a review, if they are still good for this user: signed by this
    server, and every organization, recipient unit, campaign and member enterprise they name
    still within the user's reach (asked in one query each). None: read the file again (its
    messages then say what changed)."""
    blob = memoryview(review.checked or b"")
    mac, body = blob[:32], blob[32:]
    if not body or not constant_time_compare(
        bytes(mac), salted_hmac(_CHECKED_SALT, bytes(body), algorithm="sha256").digest()
    ):
        return None
    head, packed = pickle.loads(body)  # noqa: S301 - signed above
    plain, donors, fields, skipped, examples, reach = pickle.loads(zlib.decompress(head))  # noqa: S301
    heads = [_Row(number, key, donor, None, False, None, sig) for number, key, donor, sig in plain]
    del plain
    organization = review.organization
    enterprises = {d["enterprise_id"] for d in donors.values() if d["enterprise_id"]}
    up = [organization.path[: i + 5] for i in range(0, len(organization.path), 5)]
    reachable = [
        (
            writable_organizations(user, manage=True).filter(path__startswith=organization.path),
            reach["collectors"],
        ),
        (recipients_for(user), reach["recipients"]),
        (Campaign.objects.filter(organization__path__in=up), reach["campaigns"]),
        (donor_enterprises(user), enterprises),
    ]
    for within, ids in reachable:
        if ids and within.filter(pk__in=ids).count() != len(ids):
            return None
    return _Checked(
        rows=heads,
        donors=donors,
        fields=fields,
        skipped=skipped,
        examples=examples,
        heads=heads,
        packed=packed,
    )


def _hold(
    review: ImportReview | None,
    *,
    user: Any,
    organization: Organization,
    data: bytes,
    filename: str,
) -> ImportReview:
    if review is not None:
        return review
    return ImportReview.objects.create(
        organization=organization,
        filename=filename[:255],
        data=data,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def commit_review(
    *, user: Any, review: ImportReview, decisions: Mapping[int, bool]
) -> ImportResult:
    """Import a held file with the clerk's decisions (row -> same gift?). A review already
    committed answers with its import again (a replayed request adds nothing)."""
    require_write(user, review.organization, manage=True)
    if review.status == ReviewStatus.COMMITTED:
        batch = review.batch
        assert batch is not None
        return ImportResult(
            rows=batch.rows,
            created=batch.created,
            skipped=batch.skipped,
            linked=batch.linked,
            batch=batch,
        )
    return import_gifts(
        user=user,
        organization=review.organization,
        data=bytes(review.data),
        filename=review.filename,
        review=review,
        decisions=decisions,
    )


def _save(
    result: ImportResult,
    rows: list[_Row],
    checked: _Checked,
    *,
    user: Any,
    organization: Organization,
    filename: str,
    candidates: list[dict[str, Any]],
    decided: Mapping[int, bool],
    review: ImportReview | None,
) -> None:
    """The checked rows written, a part at a time (gifts, then their opening entries)."""
    fields = checked.fields
    at = fields.index("organization_id") if fields else 0  # no fields: every row was known
    same_rows = {c["row"] for c in candidates if decided[c["row"]]}
    judged = {c["row"] for c in candidates} | {
        c["other_row"] for c in candidates if "other_row" in c
    }
    result.linked = len(same_rows)
    result.created = len(rows) - len(same_rows)
    if connection.vendor == "sqlite":
        # SQLite's default page cache (2 MB) thrashes on the random-key indexes (codes, row
        # keys) of 100,000 new gifts; 32 MB for this connection keeps them in memory (64 MB
        # was no faster and cost 37 MB more peak memory: bench/README.md).
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -32768")
    donor_ids = _donor_ids(
        organization, {r.donor: checked.donors[r.donor] for r in rows if r.number not in same_rows}
    )
    codes = iter(new_codes(result.created))
    # The gift and collector of each line the review names: its decision points at them.
    gift_of_row: dict[int, int] = {}
    collector_of_row: dict[int, int] = {}
    for part in checked.parts():
        new = [r for r in part if r.number not in same_rows]
        ids = bulk.insert(
            Gift,
            (
                {
                    **dict(zip(fields, r.gift, strict=True)),
                    "donor_id": donor_ids[r.donor],
                    "code": next(codes),
                }
                for r in new
            ),
            count=len(new),
        )
        # Imported entries carry no created_by: who imported them is their gift's created_by
        # and the ImportBatch's (a foreign key per entry cost PostgreSQL ~0.8 s of checks at
        # commit).
        bulk.insert(
            Entry,
            (
                entry
                for gift_id, r in zip(ids, new, strict=True)
                for entry in opening_entry_rows(
                    {**dict(zip(fields, r.gift, strict=True)), "id": gift_id},
                    received=r.received,
                    recipient_id=r.recipient_id,
                )
            ),
        )
        if judged:
            gift_of_row.update(
                (r.number, gift_id)
                for r, gift_id in zip(new, ids, strict=True)
                if r.number in judged
            )
            collector_of_row.update((r.number, r.gift[at]) for r in part if r.number in judged)
    now_user = user if getattr(user, "is_authenticated", False) else None
    result.batch = ImportBatch.objects.create(
        organization=organization,
        filename=filename[:255],
        rows=result.rows,
        created=result.created,
        skipped=result.skipped,
        linked=result.linked,
        created_by=now_user,
    )
    # The rows bypass auditlog: one summary entry for the whole file.
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
            "linked": ["", str(result.linked)],
        },
        additional_data={"org_path": organization.path},
    )
    if review is not None:
        if candidates:
            keys = {r.number: r.key for r in rows if r.number in judged}
            _record_decisions(
                review, candidates, decided, gift_of_row, keys, collector_of_row, user=now_user
            )
        review.status = ReviewStatus.COMMITTED
        review.batch = result.batch
        # The gifts are saved: neither the file nor its checked rows are kept twice.
        review.data = b""
        review.checked = b""
        review.save(update_fields=["status", "batch", "data", "checked"])


def _record_decisions(
    review: ImportReview,
    candidates: list[dict[str, Any]],
    decided: Mapping[int, bool],
    gift_of_row: dict[int, int],
    key_of_row: Mapping[int, str],
    collector_of_row: Mapping[int, int],
    *,
    user: Any,
) -> None:
    """One DuplicateDecision and one audit entry per line the clerk judged."""
    decisions = []
    for c in candidates:  # in the file's order: an earlier line's gift is known when needed
        target = c["gift"] if "gift" in c else gift_of_row[c["other_row"]]
        same = decided[c["row"]]
        if same:
            gift_of_row[c["row"]] = target
        decisions.append(
            DuplicateDecision(
                review=review,
                row=c["row"],
                client_key=key_of_row[c["row"]],
                organization_id=collector_of_row[c["row"]],
                gift_id=target,
                same=same,
                decided_by=user,
            )
        )
    saved = DuplicateDecision.objects.bulk_create(decisions, batch_size=1000)
    kind = ContentType.objects.get_for_model(DuplicateDecision)
    paths = dict(
        Organization.objects.filter(pk__in={d.organization_id for d in saved}).values_list(
            "pk", "path"
        )
    )
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=kind,
                object_pk=str(d.pk),
                object_id=d.pk,
                object_repr=f"{review.filename[:100]} #{d.row}",
                action=LogEntry.Action.CREATE,
                actor=user,
                changes={
                    "row": ["", str(d.row)],
                    "gift": ["", str(d.gift_id)],
                    "same": ["", str(d.same)],
                },
                additional_data={"org_path": paths[d.organization_id]},
            )
            for d in saved
        ],
        batch_size=1000,
    )


def _donor_key(kind: str, name: str, enterprise_id: int | None) -> tuple[str, Any]:
    if enterprise_id:
        return ("enterprise", enterprise_id)
    return (kind, name)


def _donor_ids(
    organization: Organization, donors: dict[tuple[str, Any], dict[str, Any]]
) -> dict[tuple[str, Any], int]:
    """The id of every donor the new rows name: a member enterprise's own donor record, a donor
    the organization already keeps under that kind and name, or a new one (inserted in bulk).
    All anonymous rows of one file share one new anonymous donor."""
    out: dict[tuple[str, Any], int] = {}
    enterprises = {
        values["enterprise_id"]: key for key, values in donors.items() if values["enterprise_id"]
    }
    for pk, enterprise_id in Donor.objects.filter(enterprise_id__in=list(enterprises)).values_list(
        "pk", "enterprise_id"
    ):
        out[enterprises[enterprise_id]] = pk
    kept = register_donors(county_of(organization)).order_by("-pk")
    for pk, kind, name in kept.values_list("pk", "kind", "name"):
        if (kind, name) in donors:
            out[(kind, name)] = pk  # the oldest record of the name wins
    pending = [key for key in donors if key not in out]
    for key, pk in zip(
        pending, bulk.insert(Donor, (donors[k] for k in pending), count=len(pending)), strict=True
    ):
        out[key] = pk
    return out
