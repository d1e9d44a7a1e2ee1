"""Census figures other apps read (community's daily picture, briefings).

Interface agreed between the census and community work; the census app fills it in.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gongke.registry.models import Place

from .models import Household, Isolation, Resident, ReturnRecord, Visit


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in the local time zone (Asia/Shanghai), as aware datetimes."""
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, start + timedelta(days=1)


def daily_counts(*, places: QuerySet[Place], day: date) -> dict[str, int]:
    """Figures for the compounds/villages in `places` on `day` (Asia/Shanghai):

    households, residents, households_visited (visits recorded that day), returned (residents
    back from elsewhere, total), in_isolation (isolations running that day), isolations_ending
    (isolations whose last day is `day`).

    Five queries whatever the number of places (`places` is used as a subquery).
    """
    start, end = day_bounds(day)
    households = Household.objects.filter(place__in=places).count()
    residents = (
        Resident.objects.filter(household__place__in=places, created_at__lt=end).present().count()
    )
    visited = (
        Visit.objects.filter(household__place__in=places, visited_at__gte=start, visited_at__lt=end)
        .values("household")
        .distinct()
        .count()
    )
    returned = (
        ReturnRecord.objects.filter(resident__household__place__in=places, returned_on__lte=day)
        .values("resident")
        .distinct()
        .count()
    )
    iso = Isolation.objects.filter(resident__household__place__in=places).aggregate(
        running=Count("pk", filter=Q(start__lte=day, end_day__gte=day)),
        ending=Count("pk", filter=Q(end_day=day)),
    )
    return {
        "households": households,
        "residents": residents,
        "households_visited": visited,
        "returned": returned,
        "in_isolation": iso["running"],
        "isolations_ending": iso["ending"],
    }
