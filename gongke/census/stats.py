"""Census figures other apps read (community's daily picture, briefings).

Interface agreed between the census and community work; the census app fills it in.
"""

from datetime import date

from django.db.models import QuerySet

from gongke.registry.models import Place


def daily_counts(*, places: QuerySet[Place], day: date) -> dict[str, int]:
    """Figures for the compounds/villages in `places` on `day` (Asia/Shanghai):

    households, residents, households_visited (visits recorded that day), returned (residents
    back from elsewhere, total), in_isolation (isolations running that day), isolations_ending
    (isolations whose last day is `day`).
    """
    return {"households": 0, "residents": 0, "households_visited": 0, "returned": 0, "in_isolation": 0,
            "isolations_ending": 0}
