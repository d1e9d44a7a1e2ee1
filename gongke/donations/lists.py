"""The lists of donations (gongke.lib.listing)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.listing import Column, Filter, Kind, Listing

from .models import Receipt


def _years(request: HttpRequest) -> list[tuple[int, str]]:
    this = timezone.localdate().year
    return [(y, str(y)) for y in range(this, this - 6, -1)]


def _void(qs: QuerySet, value: str) -> QuerySet:
    if value == "void":
        return qs.filter(entry__reversed_by__isnull=False)
    if value == "valid":
        return qs.filter(entry__reversed_by__isnull=True)
    return qs


def _donor(receipt: Receipt) -> str:
    gift = receipt.entry.gift
    return gift.public_name or gift.donor.name or str(_("Anonymous"))


def _state(receipt: Receipt) -> str:
    return str(_("Void") if hasattr(receipt.entry, "reversed_by") else _("Valid"))


# 收据存根: every receipt issued, in number order, void ones marked; what a finance office checks
# the receipt books against.
RECEIPTS = Listing(
    "donations.receipts",
    columns=[
        Column("label", _("Receipt number"), "label", order=("prefix", "year", "number")),
        Column(
            "issued",
            pgettext_lazy("receipt", "Issued"),
            "issued_at",
            order="issued_at",
            kind=Kind.DATETIME,
        ),
        Column("organization", _("Issuing organization"), "organization.name"),
        Column("donor", _("Donor"), _donor),
        Column(
            "amount", _("Amount (yuan)"), "entry.amount", order="entry__amount", kind=Kind.MONEY
        ),
        Column(
            "received_on",
            pgettext_lazy("receipt", "Received on"),
            "entry.occurred_on",
            kind=Kind.DATE,
        ),
        Column("handler", _("Handled by"), "handler"),
        Column("state", pgettext_lazy("receipt", "State"), _state),
        Column("code", _("Verification code"), "code"),
    ],
    filters=[
        Filter("year", _("Year"), choices=_years),
        Filter(
            "state",
            pgettext_lazy("receipt", "State"),
            choices=[("valid", _("Valid")), ("void", _("Void"))],
            apply=_void,
        ),
        Filter("q", _("Search"), input="search", apply=lambda qs, v: qs.filter(code__icontains=v)),
    ],
    default_sort="label",
    sheet=_("Receipt register"),
)
