"""The census's narrowing of the access path: personal data of residents.

Everything goes through accounts.access (the organization subtree). On top of it, a duty officer
sees only the compounds/villages of the duty posts they are bound to: the guard at one compound's
gate has no business reading the residents of the organization's other compounds.
"""

from typing import Any, TypeVar

from django.db.models import Model, Q, QuerySet

from gongke.accounts.access import get_for_user, is_platform_admin, scoped
from gongke.accounts.models import Role
from gongke.registry.models import Place

M = TypeVar("M", bound=Model)

# Lookup paths to the owning organization, for each census model.
AREA = "organization"
HOUSEHOLD = "place__organization"
RESIDENT = "household__place__organization"
ISOLATION = "resident__household__place__organization"
VISIT = "household__place__organization"


def _narrow(user: Any, qs: QuerySet[M], field: str) -> QuerySet[M]:
    """Each duty-officer membership reaches only its posts' areas; other memberships their subtree."""
    if is_platform_admin(user) or not any(
        m.role == Role.DUTY_OFFICER for m in getattr(user, "cached_memberships", [])
    ):
        return qs
    place = field.removesuffix("organization")  # "" for Place itself, else "...place__"
    key = f"{place}pk__in" if not place else f"{place.removesuffix('__')}__in"
    q = Q(pk__in=[])
    for m in user.cached_memberships:
        if m.role == Role.DUTY_OFFICER:
            posts = [p.pk for p in m.posts.all()]
            q |= Q(**{key: Place.objects.filter(children__in=posts).values("pk")})
        else:
            q |= Q(**{f"{field}__path__startswith": m.organization.path})
    return qs.filter(q)


def visible(user: Any, qs: QuerySet[M], *, field: str) -> QuerySet[M]:
    return _narrow(user, scoped(user, qs, field=field), field)


def fetch(user: Any, qs: QuerySet[M], *, field: str, write: bool = False, **lookup: Any) -> M:
    """get_for_user, narrowed for duty officers: 404 outside, 403 for a read-only role."""
    return get_for_user(user, _narrow(user, qs, field), field=field, write=write, **lookup)
