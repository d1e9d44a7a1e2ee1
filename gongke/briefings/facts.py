"""The facts a briefing is written from: per section, the numbers for an organization's subtree
and a period, the same numbers for the period of equal length before it, and what each counts.

Each section returns a JSON-ready dict (or None when it has nothing to say, so the briefing leaves
it out); `collect` gathers them with the period, so a briefing stores its facts once and every
rendering (zh-Hans, zh-Hant, English, PDF, DOCX, WeChat) is written from the same snapshot.
Each app is read through its own roll-ups where it has them (donations.figures, resumption.stats,
volunteers.rollups) and its models' subtree lookups otherwise; nothing here writes.

Values are ints, or strings for Decimals (exact yuan, 亩). The caller has checked that the user
reads `root` (briefings.access): every figure is inside its subtree.
"""

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Count, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL

from gongke.assistance.models import Order, OrderStatus
from gongke.census.models import Isolation, Visit
from gongke.census.stats import day_bounds
from gongke.community.models import Alert, Passage, Shift
from gongke.donations import figures as donation_figures
from gongke.donations.models import DonorKind, EntryKind
from gongke.donations.rollups import rollup as donation_rollup
from gongke.notices.models import Notice, Recipient
from gongke.registry.models import Organization, Place, PlaceKind
from gongke.resumption import stats as resumption_stats
from gongke.supplies.models import Kind as MovementKind
from gongke.supplies.models import Movement, Need
from gongke.volunteers.rollups import rollup as field_rollup

Facts = dict[str, Any]
MAX_DAYS = 366


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period of equal length just before [start, end]."""
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_bounds(start)[0], day_bounds(end)[1]


def _pct(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def _money(value: Any) -> str:
    return str(Decimal(value or 0).quantize(Decimal("0.01")))


# --- Sections: each (root, start, end) -> figures of that period -----------------------------


def mobilization(root: Organization, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Notices sent by the subtree in the period and how many of their recipients acknowledged."""
    lo, hi = _bounds(start, end)
    sent = Notice.objects.filter(
        organization__path__startswith=root.path, sent_at__gte=lo, sent_at__lt=hi
    )
    r = Recipient.objects.filter(notice__in=sent.values("pk")).aggregate(
        recipients=Count("pk"),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False)),
    )
    return {
        "notices": sent.count(),
        "recipients": r["recipients"],
        "acknowledged": r["acknowledged"],
        "ack_pct": _pct(r["acknowledged"], r["recipients"]),
    }


def donations(root: Organization, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Money and goods received in the subtree (each yuan once, where it entered), donors, donors
    over 10万, and the largest givers by name (never an anonymous one)."""
    scope = donation_figures.Scope(root=root, since=start, until=end)
    totals = donation_rollup(
        root, scope.entries(), organizations=Organization.objects.filter(pk=root.pk)
    )[root.pk]
    top = list(
        scope.local()
        .filter(kind=EntryKind.RECEIPT, gift__is_anonymous=False)
        .exclude(gift__donor__kind__in=[DonorKind.ANONYMOUS, DonorKind.GROUP])
        .values("gift__donor_id", "gift__donor__name")
        .annotate(total=Sum("amount"))
        .order_by("-total", "gift__donor_id")[:3]
    )
    approximate = scope.local().filter(kind=EntryKind.RECEIPT).exclude(gift__approximation="")
    return {
        "received": _money(totals.received),
        "money": _money(totals.received_money),
        "goods": _money(totals.received_goods),
        "allocated": _money(totals.allocated),
        "donors": donation_figures.donor_count(scope),
        "donors_over": donation_figures.donors_above(scope),
        "executive_over": donation_figures.donors_above(scope, executive=True),
        "threshold": _money(donation_figures.THRESHOLD),
        "approximate": approximate.exists(),
        "top": [{"name": t["gift__donor__name"], "amount": _money(t["total"])} for t in top],
    }


def supplies(root: Organization, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Stock received and handed out by the subtree's warehouses (in each item's smallest unit:
    a count of pieces, as the ledger keeps them), units supplied, needs posted and met."""
    lo, hi = _bounds(start, end)
    moves = Movement.objects.filter(
        warehouse__organization__path__startswith=root.path,
        occurred_at__gte=lo,
        occurred_at__lt=hi,
        reverses__isnull=True,
        reversed_by__isnull=True,
    ).aggregate(
        receipts=Count("pk", filter=Q(kind=MovementKind.RECEIVE)),
        received=Sum("quantity", filter=Q(kind=MovementKind.RECEIVE)),
        issues=Count("pk", filter=Q(kind=MovementKind.ISSUE)),
        issued=Sum("quantity", filter=Q(kind=MovementKind.ISSUE)),
        recipients=Count("recipient", distinct=True, filter=Q(kind=MovementKind.ISSUE)),
    )
    needs = Need.objects.filter(organization__path__startswith=root.path)
    return {
        "receipts": moves["receipts"],
        "received": moves["received"] or 0,
        "issues": moves["issues"],
        # Issues are stored as negative quantities leaving the warehouse.
        "issued": abs(moves["issued"] or 0),
        "recipients": moves["recipients"],
        "needs": needs.filter(created_at__gte=lo, created_at__lt=hi).count(),
        "needs_met": needs.filter(closed_at__gte=lo, closed_at__lt=hi).count(),
    }


def resumption(root: Organization, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Work resumption on the period's last day, as the resumption dashboard counts it."""
    o = resumption_stats.overview(root, end)
    return {
        "members": o["members"],
        "approved": o["approved"],
        "reported": o["reported"],
        "completeness": o["completeness"],
        "staff": o["staff"],
        "vehicles": o["vehicles"],
    }


def _posts(root: Organization) -> QuerySet[Place]:
    return Place.objects.filter(kind=PlaceKind.POST, organization__path__startswith=root.path)


# The condition of the index community_passage_refused, written out: SQLite uses a partial index
# only for a query whose condition it can compare as written, never with bound parameters.
REFUSED = RawSQL(
    "\"community_passage\".\"decision\" IN ('refused', 'turned_back')", [], BooleanField()
)


def passage_counts(
    root: Organization, periods: list[tuple[dt.date, dt.date]]
) -> list[dict[str, int]]:
    """Passages and refusals at the subtree's posts in each period. A county's 28 days of
    passages are millions of rows: each count reads only an index (post, time; and the small
    index of refusals), every period in one pass over it."""
    lo = min(_bounds(*p)[0] for p in periods)
    hi = max(_bounds(*p)[1] for p in periods)
    windows = [Q(occurred_at__gte=a, occurred_at__lt=b) for a, b in (_bounds(*p) for p in periods)]
    at_posts = Passage.objects.filter(
        post__in=_posts(root).values("pk"), occurred_at__gte=lo, occurred_at__lt=hi
    )
    totals = at_posts.aggregate(**{f"n{i}": Count("pk", filter=w) for i, w in enumerate(windows)})
    refused = at_posts.filter(REFUSED).aggregate(
        **{f"n{i}": Count("pk", filter=w) for i, w in enumerate(windows)}
    )
    return [{"passages": totals[f"n{i}"], "refused": refused[f"n{i}"]} for i in range(len(periods))]


def community(
    root: Organization, start: dt.date, end: dt.date, passages: dict[str, int] | None = None
) -> dict[str, Any]:
    """Duty posts staffed, passages, refusals and fevers at the posts; households visited and
    isolations begun in the census of the subtree's compounds and villages. `passages`: the
    period's passage_counts, when counted already."""
    lo, hi = _bounds(start, end)
    posts = _posts(root)
    if passages is None:
        [passages] = passage_counts(root, [(start, end)])
    areas = Place.objects.filter(
        kind__in=[PlaceKind.COMPOUND, PlaceKind.VILLAGE], organization__path__startswith=root.path
    )
    return {
        "posts": posts.count(),
        "posts_staffed": Shift.objects.filter(
            post__in=posts.values("pk"), starts_at__lt=hi, ends_at__gt=lo
        )
        .values("post")
        .distinct()
        .count(),
        "passages": passages["passages"],
        "refused": passages["refused"],
        "fevers": Alert.objects.filter(
            post__in=posts.values("pk"), occurred_at__gte=lo, occurred_at__lt=hi
        ).count(),
        "households_visited": Visit.objects.filter(
            household__place__in=areas.values("pk"), visited_at__gte=lo, visited_at__lt=hi
        )
        .values("household")
        .distinct()
        .count(),
        "isolations": Isolation.objects.filter(
            resident__household__place__in=areas.values("pk"), start__gte=start, start__lte=end
        ).count(),
    }


def field_operations(root: Organization, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Disinfection flown or sprayed: 亩, operations, cities and counties (volunteers' roll-up)."""
    r = field_rollup(root, start, end)
    return {
        "operations": r.operations,
        "area_mu": str(r.area_mu),
        "cities": r.cities,
        "counties": r.counties,
    }


def services(root: Organization, start: dt.date, end: dt.date) -> dict[str, Any]:
    """Packages delivered to residents of the subtree's compounds and villages."""
    lo, hi = _bounds(start, end)
    r = Order.objects.filter(
        window__compound__organization__path__startswith=root.path,
        status=OrderStatus.DELIVERED,
        delivered_at__gte=lo,
        delivered_at__lt=hi,
    ).aggregate(orders=Count("pk"), packages=Sum("quantity"))
    return {"orders": r["orders"], "packages": r["packages"] or 0}


Section = Callable[[Organization, dt.date, dt.date], dict[str, Any]]
# The order a briefing tells them in, and the figures of which one at least must be non-zero for
# the section to be told (the rest leave it out).
SECTIONS: list[tuple[str, Section, tuple[str, ...]]] = [
    ("mobilization", mobilization, ("notices",)),
    ("donations", donations, ("received",)),
    ("supplies", supplies, ("receipts", "issues", "needs", "needs_met")),
    ("resumption", resumption, ("reported",)),
    ("community", community, ("passages", "households_visited", "isolations", "fevers")),
    ("field", field_operations, ("operations",)),
    ("services", services, ("orders",)),
]


def section(facts: Facts, key: str) -> dict[str, Any] | None:
    """One section of collected facts ({"key", "now", "before"}), None when it was left out."""
    return next((s for s in facts["sections"] if s["key"] == key), None)


def collect(root: Organization, start: dt.date, end: dt.date) -> Facts:
    """Every section with data in the period, with the previous period's figures beside it."""
    prev_start, prev_end = previous_period(start, end)
    # A list, not a dict: PostgreSQL's jsonb keeps an object's keys in an order of its own, and
    # the text must be written in the same order from the stored facts.
    sections: list[dict[str, Any]] = []
    for key, section, markers in SECTIONS:
        if key == "community":
            # Both periods' passages in one scan; the rest of the section per period.
            counts = passage_counts(root, [(start, end), (prev_start, prev_end)])
            now = community(root, start, end, counts[0])
            before = community(root, prev_start, prev_end, counts[1])
        else:
            now = section(root, start, end)
        if not any(Decimal(str(now[k])) for k in markers):
            continue
        if key != "community":
            before = section(root, prev_start, prev_end)
        before.pop("top", None)
        sections.append({"key": key, "now": now, "before": before})
    return {
        "organization": root.name,
        "organization_id": root.pk,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "previous": [prev_start.isoformat(), prev_end.isoformat()],
        "sections": sections,
    }
