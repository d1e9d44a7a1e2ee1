"""The lists of supplies that use gongke.lib.listing (sortable columns, page sizes, remembered
filters, the same rows exported)."""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gongke.lib.chinese import normalize_query
from gongke.lib.listing import Column, Filter, Kind, Listing

from .access import warehouses_for
from .models import Category


def _search(qs, value):
    q = normalize_query(value)
    if not q:
        return qs
    return qs.filter(
        Q(item__search_text__icontains=q) | Q(lot__batch__icontains=q) | Q(lot__code__iexact=q)
    )


def _expiring(qs, value):
    # Expired lots are included: they are the first to deal with.
    limit = timezone.localdate() + datetime.timedelta(days=int(value))
    return qs.filter(lot__expires_on__lte=limit)


def _warehouses(request):
    return [(w.pk, w.name) for w in warehouses_for(request.user).only("pk", "name")]


LOTS = Listing(
    "supplies.lots",
    columns=[
        Column("warehouse", _("Warehouse"), "warehouse.name", order="warehouse__name"),
        Column("item", _("Item"), "item.name", order="item__name"),
        Column("batch", _("Batch"), "lot.batch", order="lot__batch"),
        Column(
            "expires_on", _("Expires on"), "lot.expires_on", order="lot__expires_on", kind=Kind.DATE
        ),
        Column("quantity", _("Quantity"), order="quantity", kind=Kind.INT),
        Column("unit", _("Base unit"), "item.base_unit"),
        Column("owner", _("Owner"), "lot.owner.name", order="lot__owner__name"),
        Column("source", _("Source"), "lot.get_source_display", order="lot__source"),
        Column("code", _("Trace code"), "lot.code", show=False),
    ],
    filters=[
        Filter("q", _("Item, batch or trace code"), input="search", apply=_search),
        Filter("warehouse", _("Warehouse"), choices=_warehouses, field="warehouse_id"),
        Filter("category", _("Category"), choices=Category.choices, field="item__category"),
        Filter(
            "expiring",
            _("Expiry"),
            choices=[
                (7, _("Expiring within 7 days")),
                (30, _("Expiring within 30 days")),
                (90, _("Expiring within 90 days")),
            ],
            apply=_expiring,
        ),
    ],
    default_sort="warehouse",
    tiebreak="pk",
    sheet=_("Lots"),
)
