"""The census (personal data of residents) through the one access path (docs/access.md).

A duty officer's membership reaches only the compounds/villages of the posts it is bound to —
the guard at one compound's gate has no business reading the residents of the organization's
other compounds; other memberships reach their organization's subtree. Duty officers, staff and
admins write; viewers and reporters read only.

    qs = visible(user, Household.objects.all(), field=HOUSEHOLD)
    resident = fetch(user, Resident.objects.all(), field=RESIDENT, pk=pk, write=True)
"""

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from gongke.accounts.access import WRITERS as WRITERS_BY_AREA
from gongke.accounts.access import Reach, get_for_user, scoped
from gongke.registry.models import Place

from .models import Household, Isolation, Resident

M = TypeVar("M", bound=Model)
QS = TypeVar("QS", bound=QuerySet[Any])

# How each census model is reached: its owning organization and its compound/village.
AREA = Reach(area="pk")
HOUSEHOLD = Reach(org="place__organization", area="place")
RESIDENT = Reach(org="household__place__organization", area="household__place")
ISOLATION = Reach(org="resident__household__place__organization", area="resident__household__place")
RETURN = ISOLATION
VISIT = Reach(org="household__place__organization", area="household__place")

WRITERS = WRITERS_BY_AREA["census"]


def visible(user: Any, qs: QS, *, field: Reach) -> QS:
    return scoped(user, qs, reach=field)


def fetch(user: Any, qs: QuerySet[M], *, field: Reach, write: bool = False, **lookup: Any) -> M:
    """One census record: 404 outside the user's reach, 403 for a role that may not write."""
    return get_for_user(user, qs, reach=field, roles=WRITERS if write else None, **lookup)


def get_area(user: Any, pk: Any, *, write: bool = False) -> Place:
    qs = Place.objects.areas().select_related("organization")
    return fetch(user, qs, field=AREA, pk=pk, write=write)


def get_household(user: Any, pk: Any, *, write: bool = False) -> Household:
    qs = Household.objects.select_related("place__organization")
    return fetch(user, qs, field=HOUSEHOLD, pk=pk, write=write)


def get_resident(user: Any, pk: Any, *, write: bool = False) -> Resident:
    qs = Resident.objects.select_related("household__place__organization")
    return fetch(user, qs, field=RESIDENT, pk=pk, write=write)


def get_isolation(user: Any, pk: Any, *, write: bool = False) -> Isolation:
    qs = Isolation.objects.select_related("resident__household__place__organization")
    return fetch(user, qs, field=ISOLATION, pk=pk, write=write)
