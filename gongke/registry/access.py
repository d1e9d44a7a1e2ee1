"""The register through the one access path (gongke.accounts.access, docs/access.md).

Reading follows each membership's reach; writing the register (organizations, people, places,
imports) is for staff and admins.
"""

from typing import Any

from django.db.models import QuerySet

from gongke.accounts.access import ORGANIZATION, Reach, get_for_user, scoped

from .models import (
    Organization,
    OrganizationQuerySet,
    Person,
    PersonQuerySet,
    Place,
    PlaceQuerySet,
)

PLACE = Reach(post="pk", area="pk")
PERSON = Reach()


def organizations_for(user: Any) -> OrganizationQuerySet:
    return scoped(user, Organization.objects.all(), reach=ORGANIZATION)


def get_organization(
    user: Any, pk: Any, *, manage: bool = False, qs: QuerySet[Organization] | None = None
) -> Organization:
    """An organization the user reaches (404 otherwise); manage=True: staff or admin over it."""
    qs = qs if qs is not None else Organization.objects.select_related("parent", "township")
    return get_for_user(user, qs, reach=ORGANIZATION, manage=manage, pk=pk)


def places_for(user: Any) -> PlaceQuerySet:
    return scoped(user, Place.objects.all(), reach=PLACE)


def get_place(user: Any, pk: Any, *, manage: bool = False) -> Place:
    qs = Place.objects.select_related("organization", "parent", "township")
    return get_for_user(user, qs, reach=PLACE, manage=manage, pk=pk)


def people_for(user: Any) -> PersonQuerySet:
    return scoped(user, Person.objects.all(), reach=PERSON)


def get_person(user: Any, pk: Any, *, manage: bool = False) -> Person:
    qs = Person.objects.select_related("organization")
    return get_for_user(user, qs, reach=PERSON, manage=manage, pk=pk)
