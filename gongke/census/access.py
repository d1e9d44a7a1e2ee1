"""The census's narrowing of the access path: personal data of residents.

Everything goes through accounts.access (the organization subtree). On top of it, a duty officer
sees only the compounds/villages of the duty posts they are bound to: the guard at one compound's
gate has no business reading the residents of the organization's other compounds.
"""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from gongke.accounts.access import duty_post_ids, get_for_user, scoped
from gongke.registry.models import Place

M = TypeVar("M", bound=Model)

# Lookup paths to the owning organization, for each census model.
AREA = "organization"
HOUSEHOLD = "place__organization"
RESIDENT = "household__place__organization"
ISOLATION = "resident__household__place__organization"
VISIT = "household__place__organization"


def _narrow(user: Any, qs: QuerySet[M], field: str) -> QuerySet[M]:
    posts = duty_post_ids(user)
    if posts is None:
        return qs
    place = field.removesuffix("organization")  # "" for Place itself, else "...place__"
    areas = Place.objects.filter(children__in=posts).values("pk")
    return qs.filter(
        **{f"{place}pk__in" if not place else f"{place.removesuffix('__')}__in": areas}
    )


def visible(user: Any, qs: QuerySet[M], *, field: str) -> QuerySet[M]:
    return _narrow(user, scoped(user, qs, field=field), field)


def fetch(user: Any, qs: QuerySet[M], *, field: str, write: bool = False, **lookup: Any) -> M:
    """get_for_user, narrowed for duty officers: 404 outside, 403 for a read-only role."""
    return get_for_user(user, _narrow(user, qs, field), field=field, write=write, **lookup)
