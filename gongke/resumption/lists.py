"""The lists of work resumption (gongke.lib.listing): columns, sorting, filters and exports."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.listing import Column, Filter, Kind, Listing

from .access import visible_enterprises
from .models import Category, Status


def _search(field: str, *more: str):
    def apply(qs: QuerySet, value: str) -> QuerySet:
        q = Q(**{f"{field}__icontains": value})
        for f in more:
            q |= Q(**{f"{f}__icontains": value})
        return qs.filter(q)

    return apply


def _associations(request: HttpRequest) -> list[tuple[Any, Any]]:
    """The associations the user's enterprises belong to (a short list: a county has ~40)."""
    rows = (
        visible_enterprises(request.user)
        .filter(parent__isnull=False)
        .values_list("parent_id", "parent__name")
        .distinct()
        .order_by("parent__name")
    )
    return list(rows[:500])


ASSOCIATION = Filter(
    "association", _("Association"), choices=_associations, field="enterprise__parent_id"
)

APPLICATIONS = Listing(
    "resumption.applications",
    columns=[
        Column("enterprise", _("Enterprise"), "enterprise.name", order="enterprise__name"),
        Column(
            "association",
            _("Association"),
            "enterprise.parent.name",
            order="enterprise__parent__name",
        ),
        Column("category", _("category"), "get_category_display", order="category"),
        Column("batch", _("batch"), order="batch", kind=Kind.INT),
        Column("planned_date", _("planned reopening date"), order="planned_date", kind=Kind.DATE),
        Column("staff_planned", _("staff planned back"), order="staff_planned", kind=Kind.INT),
        Column("staff_total", _("staff in total"), kind=Kind.INT, show=False),
        Column("responsible_person", _("person responsible for prevention"), show=False),
        Column("responsible_phone", _("responsible person's phone"), kind=Kind.PHONE, show=False),
        Column("status", _("status"), "get_status_display", order="status"),
        Column("updated_at", _("updated"), order="updated_at", kind=Kind.DATETIME),
    ],
    filters=[
        Filter("q", _("Search"), input="search", apply=_search("enterprise__name")),
        Filter("status", _("status"), choices=Status.choices),
        Filter("category", _("category"), choices=Category.choices),
        ASSOCIATION,
    ],
    default_sort="-updated_at",
    sheet=_("Applications"),
)

FEVERS = Listing(
    "resumption.fevers",
    columns=[
        Column("enterprise", _("Enterprise"), "enterprise.name", order="enterprise__name"),
        Column("person_name", pgettext_lazy("person", "name"), order="person_name"),
        Column("day", _("day"), order="day", kind=Kind.DATE),
        Column("temperature", _("temperature (°C)"), order="temperature", kind=Kind.NUMBER),
        Column("is_open", _("open"), show=False),
        Column("closed_at", _("closed"), order="closed_at", kind=Kind.DATETIME),
        Column("outcome", _("outcome")),
    ],
    filters=[
        Filter("q", _("Search"), input="search", apply=_search("person_name", "enterprise__name")),
        Filter(
            "show",
            _("status"),
            choices=[("open", _("Open")), ("closed", _("Closed"))],
            apply=lambda qs, v: qs.filter(closed_at__isnull=(v == "open")),
        ),
        ASSOCIATION,
    ],
    default_sort="-day",
    sheet=_("Fever cases"),
)

MISSING = Listing(
    "resumption.missing",
    columns=[
        Column("name", _("Enterprise"), order="name"),
        Column("association", _("Association"), "parent.name", order="parent__name"),
        Column("contact_name", _("Contact"), order="contact_name"),
        Column("contact_phone", _("Phone"), kind=Kind.PHONE),
    ],
    filters=[
        Filter("q", _("Search"), input="search", apply=_search("name", "contact_name")),
        Filter(
            "association",
            _("Association"),
            choices=_associations,
            field="parent_id",
        ),
    ],
    default_sort="association",
    tiebreak="path",
    page_sizes=(50, 100, 200, 500),
    default_size=100,
    sheet=_("Missing reports"),
)

LEASES = Listing(
    "resumption.leases",
    columns=[
        Column("programme", _("Programme"), "programme.name", order="programme__name"),
        Column(
            "landlord", _("landlord"), "programme.landlord.name", order="programme__landlord__name"
        ),
        Column("association", _("Association"), "programme.landlord.parent.name"),
        Column("tenant_name", _("tenant"), order="tenant_name"),
        Column("premises", _("premises")),
        Column("starts_on", _("lease start"), order="starts_on", kind=Kind.DATE),
        Column("ends_on", _("lease end"), order="ends_on", kind=Kind.DATE),
        Column("monthly_rent", _("monthly rent (yuan)"), order="monthly_rent", kind=Kind.MONEY),
        Column("monthly_fee", _("monthly property fee (yuan)"), kind=Kind.MONEY),
        Column("rent_waived", _("Rent waived (yuan)"), kind=Kind.MONEY),
        Column("fee_waived", _("Property fees waived (yuan)"), kind=Kind.MONEY),
        Column("total_waived", _("Total waived (yuan)"), kind=Kind.MONEY),
    ],
    default_sort="programme",
    sheet=_("Rent relief"),
)
