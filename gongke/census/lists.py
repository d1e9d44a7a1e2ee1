"""The lists of the census (gongke.lib.listing)."""

from django.utils.translation import gettext_lazy as _

from gongke.lib.listing import Column, Filter, Kind, Listing

from .models import VisitOutcome

VISITS = Listing(
    "census.visits",
    columns=[
        Column("visited_at", _("Time"), order="visited_at", kind=Kind.DATETIME),
        Column(
            "area", _("Compound or village"), "household.place.name", order="household__place__name"
        ),
        Column("household", _("Household"), lambda v: str(v.household)),
        Column("outcome", _("Outcome"), "get_outcome_display", order="outcome"),
        Column("by", _("Visited by"), lambda v: str(v.by or ""), order="by__username"),
        Column("note", _("Note")),
    ],
    filters=[
        Filter("outcome", _("Outcome"), choices=VisitOutcome.choices),
        Filter("since", _("Since"), input="date", field="visited_at__date__gte"),
    ],
    default_sort="-visited_at",
    sheet=_("Visits"),
)
