"""The daily picture (每日情况) of a compound or of an organization's compounds.

A handful of aggregate queries, whatever the number of passages: each is bounded by the
(post, occurred_at) index to one day of the places' posts.
"""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone

from gongke.census import stats as census_stats
from gongke.registry.models import Place

from .models import FEVER, Decision, Direction, DisinfectionLog, Outing, Passage, Shift, SubjectKind


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _coverage(post_ids: list[int], start: datetime, end: datetime) -> tuple[int, int]:
    """(hours covered by staffed shifts, hours in the day × posts)."""
    from .services import uncovered

    posts = list(Place.objects.filter(pk__in=post_ids).only("pk"))
    gaps = uncovered(posts=posts, start=start, end=end)
    total = (end - start).total_seconds() * len(posts)
    holes = sum((e - s).total_seconds() for spans in gaps.values() for s, e in spans)
    return round((total - holes) / 3600), round(total / 3600)


def daily_picture(*, areas: QuerySet[Place], day: date) -> dict[str, Any]:
    start, end = day_bounds(day)
    area_ids = list(areas.values_list("pk", flat=True))
    post_ids = list(
        Place.objects.posts().filter(parent_id__in=area_ids).values_list("pk", flat=True)
    )
    passages = Passage.objects.filter(
        post_id__in=post_ids, occurred_at__gte=start, occurred_at__lt=end
    )
    figures = passages.aggregate(
        passages=Count("pk"),
        ins=Count("pk", filter=Q(direction=Direction.IN)),
        outs=Count("pk", filter=Q(direction=Direction.OUT)),
        vehicles=Count("pk", filter=Q(subject=SubjectKind.VEHICLE)),
        outsiders=Count("pk", filter=Q(subject=SubjectKind.OUTSIDER)),
        refused=Count("pk", filter=Q(decision=Decision.REFUSED)),
        turned_back=Count("pk", filter=Q(decision=Decision.TURNED_BACK)),
        fevers=Count("pk", filter=Q(temperature__gte=FEVER)),
    )
    figures["out_now"] = Outing.objects.open().filter(place_id__in=area_ids).count()
    figures["spots_disinfected"] = (
        DisinfectionLog.objects.filter(
            spot__place_id__in=area_ids + post_ids, done_at__gte=start, done_at__lt=end
        )
        .values("spot_id")
        .distinct()
        .count()
    )
    figures["shifts"] = Shift.objects.filter(
        post_id__in=post_ids, starts_at__lt=end, ends_at__gt=start
    ).count()
    figures["hours_covered"], figures["hours_total"] = _coverage(post_ids, start, end)
    census = census_stats.daily_counts(places=Place.objects.filter(pk__in=area_ids), day=day)
    figures["households_visited"] = census.get("households_visited", 0)
    figures["isolations_ending"] = census.get("isolations_ending", 0)
    figures["in_isolation"] = census.get("in_isolation", 0)
    figures["day"] = day
    figures["posts"] = len(post_ids)
    figures["areas"] = len(area_ids)
    return figures


def hourly(*, areas: QuerySet[Place], day: date) -> dict[str, Any]:
    """Passages per hour (in / out) for the day's chart, as ECharts options."""
    start, end = day_bounds(day)
    post_ids = Place.objects.posts().filter(parent__in=areas).values("pk")
    rows = (
        Passage.objects.filter(post_id__in=post_ids, occurred_at__gte=start, occurred_at__lt=end)
        .annotate(h=ExtractHour("occurred_at"))
        .values_list("h", "direction")
        .annotate(n=Count("pk"))
        .order_by()
    )
    ins, outs = [0] * 24, [0] * 24
    for h, direction, n in rows:
        (ins if direction == Direction.IN else outs)[h] += n
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {},
        "xAxis": {"type": "category", "data": [f"{h:02d}" for h in range(24)]},
        "yAxis": {"type": "value"},
        "series": [
            {"name": str(Direction.IN.label), "type": "bar", "stack": "p", "data": ins},
            {"name": str(Direction.OUT.label), "type": "bar", "stack": "p", "data": outs},
        ],
    }
