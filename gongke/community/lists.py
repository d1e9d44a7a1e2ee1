"""The lists of community duty (gongke.lib.listing): fever alerts, passages, the roster."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gongke.lib.listing import Column, Filter, Kind, Listing

from .access import areas_for
from .models import Decision, Direction


def _search_alerts(qs: QuerySet, value: str) -> QuerySet:
    return qs.filter(Q(label__icontains=value) | Q(post__name__icontains=value))


ALERTS = Listing(
    "community.alerts",
    columns=[
        Column("occurred_at", _("Time"), order="occurred_at", kind=Kind.DATETIME),
        Column("label", _("Who"), order="label"),
        Column("temperature", _("Temperature"), order="temperature", kind=Kind.NUMBER),
        Column("post", _("Post"), "post.name", order="post__name"),
        Column("organization", _("Organization"), "organization.name", order="organization__name"),
        Column("notified_at", _("Sent"), order="notified_at", kind=Kind.DATETIME),
        Column("handled_at", _("Handled"), order="handled_at", kind=Kind.DATETIME),
        Column("handling_note", _("what was done"), show=False),
    ],
    filters=[
        Filter("q", _("Search"), input="search", apply=_search_alerts),
        Filter(
            "open",
            _("Not yet handled"),
            choices=[("1", _("Not yet handled"))],
            apply=lambda qs, v: qs.filter(handled_at__isnull=True),
        ),
    ],
    default_sort="-occurred_at",
    sheet=_("Fever alerts"),
)

PASSAGES = Listing(
    "community.passages",
    columns=[
        Column("occurred_at", _("Time"), order="occurred_at", kind=Kind.DATETIME),
        Column("direction", _("Direction"), "get_direction_display", order="direction"),
        Column("label", _("Who"), order="name"),
        Column("subject", _("who"), "get_subject_display", show=False),
        Column("phone", _("Phone"), kind=Kind.PHONE),
        Column("id_number_masked", _("ID number"), kind=Kind.ID),
        Column("plate", _("plate"), show=False),
        Column("passengers", _("passengers"), kind=Kind.INT, show=False),
        Column("temperature", _("Temperature"), order="temperature", kind=Kind.NUMBER),
        Column("decision", _("Decision"), "get_decision_display", order="decision"),
        Column("reason", _("Reason")),
    ],
    filters=[
        Filter("decision", _("Decision"), choices=Decision.choices),
        Filter("direction", _("Direction"), choices=Direction.choices),
        Filter(
            "q",
            _("Search"),
            input="search",
            apply=lambda qs, v: qs.filter(Q(name__icontains=v) | Q(plate__icontains=v)),
        ),
    ],
    default_sort="-occurred_at",
    page_sizes=(50, 100, 200, 500),
    default_size=100,
    sheet=_("Passages"),
)


def _areas(request: HttpRequest) -> list[tuple[object, object]]:
    return list(areas_for(request.user).order_by("name").values_list("pk", "name")[:1000])


ROSTER = Listing(
    "community.roster",
    columns=[
        Column("name", _("Post"), order="name"),
        Column("area", _("Compound or village"), "parent.name", order="parent__name"),
        Column("organization", _("Organization"), "organization.name", order="organization__name"),
    ],
    filters=[
        Filter("q", _("Search"), input="search", field="name__icontains"),
        Filter("area", _("Compound or village"), choices=_areas, field="parent_id"),
    ],
    default_sort="area",
    page_sizes=(10, 25, 50, 100),
    default_size=25,
    sheet=_("Roster"),
)


def _people(shift) -> str:
    return ", ".join(str(a) for a in shift.assignments.all())


SHIFTS = Listing(
    "community.shifts",
    columns=[
        Column("post", _("Post"), "post.name", order="post__name"),
        Column("area", _("Compound or village"), "post.parent.name"),
        Column("starts_at", _("starts"), order="starts_at", kind=Kind.DATETIME),
        Column("ends_at", _("ends"), order="ends_at", kind=Kind.DATETIME),
        Column("people", _("On duty"), _people),
    ],
    default_sort="starts_at",
    sheet=_("Roster"),
)
