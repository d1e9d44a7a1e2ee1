"""The figures people brief with: totals by organization, donor, recipient, township, campaign
and day; money vs goods; pledged vs received vs allocated; donors above a threshold; the
largest gifts. Every figure counts receipts (each yuan once, where it entered) or allocations
(where it finally went), never transfers, so nothing is counted twice.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from gongke.registry.models import Organization

from .models import Campaign, DonorKind, Entry, EntryKind, Gift, GiftQuerySet, Nature
from .rollups import Figures, rollup

THRESHOLD = Decimal("100000")


@dataclass
class Scope:
    """What the figures are about: an organization's subtree, optionally one campaign and a period."""

    root: Organization
    campaign: Campaign | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None

    def entries(self) -> QuerySet[Entry]:
        qs = Entry.objects.all()
        if self.campaign is not None:
            qs = qs.filter(gift__campaign=self.campaign)
        if self.since:
            qs = qs.filter(occurred_on__gte=self.since)
        if self.until:
            qs = qs.filter(occurred_on__lte=self.until)
        return qs

    def local(self) -> QuerySet[Entry]:
        """Entries on the books of the subtree."""
        return self.entries().filter(organization__path__startswith=self.root.path)


def totals(scope: Scope) -> tuple[Figures, list[tuple[Organization, Figures]]]:
    """The root's figures and each direct child's (a body's children: chambers, enterprises)."""
    figures = rollup(scope.root, scope.entries())
    children = list(scope.root.children.order_by("name"))
    rows = [(c, figures[c.pk]) for c in children if figures[c.pk].inflow or figures[c.pk].pledged]
    rows.sort(key=lambda r: -r[1].inflow)
    return figures[scope.root.pk], rows


def by_day(scope: Scope) -> list[dict[str, Any]]:
    return list(
        scope.local()
        .filter(kind=EntryKind.RECEIPT)
        .values("occurred_on")
        .annotate(
            money=Sum("amount", filter=Q(gift__nature=Nature.MONEY)),
            goods=Sum("amount", filter=Q(gift__nature=Nature.GOODS)),
        )
        .order_by("occurred_on")
    )


def by_township(scope: Scope) -> list[dict[str, Any]]:
    return list(
        scope.local()
        .filter(kind=EntryKind.RECEIPT)
        .values("gift__township__name")
        .annotate(total=Sum("amount"))
        .order_by("-total")[:20]
    )


def by_recipient(scope: Scope) -> list[dict[str, Any]]:
    return list(
        scope.local()
        .filter(kind=EntryKind.ALLOCATION)
        .values("recipient_id", "recipient__name")
        .annotate(total=Sum("amount"), gifts=Count("gift", distinct=True))
        .order_by("-total")[:20]
    )


def by_campaign(scope: Scope) -> list[dict[str, Any]]:
    return list(
        scope.local()
        .filter(kind=EntryKind.RECEIPT)
        .values("gift__campaign_id", "gift__campaign__name")
        .annotate(total=Sum("amount"), gifts=Count("gift", distinct=True))
        .order_by("-total")[:20]
    )


def by_donor(scope: Scope, limit: int = 20) -> list[dict[str, Any]]:
    return list(
        scope.local()
        .filter(kind=EntryKind.RECEIPT)
        .values("gift__donor_id", "gift__donor__name", "gift__donor__kind")
        .annotate(total=Sum("amount"), gifts=Count("gift", distinct=True))
        .order_by("-total")[:limit]
    )


def donors_above(
    scope: Scope,
    threshold: Decimal = THRESHOLD,
    *,
    executive: bool | None = None,
    kind: str | None = None,
) -> int:
    """How many donors gave more than `threshold` in all (the briefing's "30 executive-committee
    enterprises gave over 10万"): per donor of the county's register (merged records count as
    the one kept), never a collective line; `executive` narrows to executive-committee
    enterprises (or to every other donor), `kind` to one kind of donor."""
    entries = (
        scope.local().filter(kind=EntryKind.RECEIPT).exclude(gift__donor__kind=DonorKind.GROUP)
    )
    if executive is not None:
        entries = entries.filter(
            Q(gift__donor__enterprise__is_executive=True)
            if executive
            else ~Q(gift__donor__enterprise__is_executive=True)
        )
    if kind:
        entries = entries.filter(gift__donor__kind=kind)
    return (
        entries.values("gift__donor_id")
        .annotate(total=Sum("amount"))
        .filter(total__gt=threshold)
        .count()
    )


def donor_count(scope: Scope) -> int:
    return scope.local().filter(kind=EntryKind.RECEIPT).values("gift__donor_id").distinct().count()


def largest_gifts(scope: Scope, limit: int = 10) -> list[Gift]:
    gifts = Gift.objects.filter(organization__path__startswith=scope.root.path)
    if scope.campaign is not None:
        gifts = gifts.filter(campaign=scope.campaign)
    return list(
        gifts.with_totals()
        .filter(received__gt=0)
        .select_related("donor", "organization")
        .order_by("-received")[:limit]
    )


def charts(scope: Scope, figures: Figures) -> dict[str, dict]:
    """ECharts options for the figures page."""
    days = by_day(scope)
    towns = by_township(scope)
    return {
        "trend": {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [_("Money"), _("Goods")]},
            "grid": {"left": 70, "right": 20, "top": 30, "bottom": 30},
            "xAxis": {"type": "category", "data": [d["occurred_on"].isoformat() for d in days]},
            "yAxis": {"type": "value"},
            "series": [
                {
                    "type": "bar",
                    "stack": "t",
                    "name": _("Money"),
                    "data": [float(d["money"] or 0) for d in days],
                },
                {
                    "type": "bar",
                    "stack": "t",
                    "name": _("Goods"),
                    "data": [float(d["goods"] or 0) for d in days],
                },
            ],
        },
        "townships": {
            "tooltip": {},
            "grid": {"left": 90, "right": 20, "top": 10, "bottom": 30},
            "xAxis": {"type": "value"},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [t["gift__township__name"] or _("Unknown") for t in towns],
            },
            "series": [
                {"type": "bar", "name": _("Received"), "data": [float(t["total"]) for t in towns]}
            ],
        },
        "nature": {
            "tooltip": {"trigger": "item"},
            "series": [
                {
                    "type": "pie",
                    "radius": ["40%", "70%"],
                    "data": [
                        {"name": _("Money"), "value": float(figures.received_money)},
                        {"name": _("Goods"), "value": float(figures.received_goods)},
                    ],
                }
            ],
        },
        "stages": {
            "tooltip": {},
            "grid": {"left": 70, "right": 20, "top": 10, "bottom": 30},
            "xAxis": {
                "type": "category",
                "data": [_("Pledged"), _("Received"), _("Allocated"), _("Held")],
            },
            "yAxis": {"type": "value"},
            "series": [
                {
                    "type": "bar",
                    "data": [
                        float(figures.pledged),
                        float(figures.received),
                        float(figures.allocated),
                        float(figures.held),
                    ],
                }
            ],
        },
    }


def honor_gifts(campaign: Campaign, root: Organization | None = None) -> GiftQuerySet:
    """A campaign's honor list (公示) under `root` (default: its organizer): received gifts, the
    anonymous unnamed (shown_name), latest first."""
    root = root or campaign.organization
    return (
        Gift.objects.filter(campaign=campaign, organization__path__startswith=root.path)
        .with_totals()
        .filter(received__gt=0)
        .only(
            "pk", "public_name", "nature", "item", "quantity", "unit", "given_on", "approximation"
        )
        .order_by("-given_on", "-pk")
    )


def campaign_report(campaign: Campaign) -> dict[str, Any]:
    """A campaign's own figures: totals over its organizer's subtree, its donors, the series its
    charts draw, and its honor list."""
    scope = Scope(root=campaign.organization, campaign=campaign)
    total, _children = totals(scope)
    return {
        "scope": scope,
        "total": total,
        "donors": donor_count(scope),
        "by_day": by_day(scope),
        "by_township": by_township(scope),
        "charts": charts(scope, total),
        "honor": honor_gifts(campaign),
    }
