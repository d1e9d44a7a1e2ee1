"""Writes to the registry. Every write keeps `search_text` and the tree `path` right."""

from typing import Any

from django.db import transaction
from django.db.models import Max

from gongke.lib.chinese import search_key
from gongke.lib.idnumbers import clean_id_number, hash_id_number
from gongke.lib.masking import mask_id_number

from .models import Organization, Person, Place, Township

SEGMENT = 4  # base-36 characters per level: 1.6 million children under one parent
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _encode(n: int) -> str:
    out = ""
    for _ in range(SEGMENT):
        n, r = divmod(n, 36)
        out = DIGITS[r] + out
    return out


def _decode(segment: str) -> int:
    n = 0
    for ch in segment:
        n = n * 36 + DIGITS.index(ch)
    return n


def _next_path(parent: Organization | None) -> str:
    prefix = parent.path if parent else ""
    depth = (parent.depth + 1) if parent else 0
    siblings = Organization.objects.filter(depth=depth, path__startswith=prefix)
    last = siblings.aggregate(m=Max("path"))["m"]
    index = _decode(last[len(prefix): len(prefix) + SEGMENT]) + 1 if last else 1
    return f"{prefix}{_encode(index)}."


def _org_search_text(org: Organization) -> str:
    return search_key(org.name, org.short_name, org.credit_code, org.legal_representative)


@transaction.atomic
def create_organization(*, parent: Organization | None, **fields: Any) -> Organization:
    org = Organization(parent=parent, **fields)
    if parent is not None:
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
    org.path = _next_path(parent)
    org.depth = (parent.depth + 1) if parent else 0
    org.search_text = _org_search_text(org)
    org.full_clean(exclude=["path"])
    org.save()
    return org


@transaction.atomic
def update_organization(org: Organization, **fields: Any) -> Organization:
    new_parent = fields.pop("parent", org.parent)
    for name, value in fields.items():
        setattr(org, name, value)
    org.search_text = _org_search_text(org)
    if new_parent != org.parent:
        _move(org, new_parent)
    org.full_clean(exclude=["path"])
    org.save()
    return org


def _move(org: Organization, new_parent: Organization | None) -> None:
    if new_parent is not None and new_parent.path.startswith(org.path):
        from django.core.exceptions import ValidationError
        from django.utils.translation import gettext as _

        raise ValidationError({"parent": _("An organization cannot be moved under itself.")})
    old_path, old_depth = org.path, org.depth
    org.parent = new_parent
    org.path = _next_path(new_parent)
    org.depth = (new_parent.depth + 1) if new_parent else 0
    for child in Organization.objects.filter(path__startswith=old_path).exclude(pk=org.pk):
        child.path = org.path + child.path[len(old_path):]
        child.depth = child.depth - old_depth + org.depth
        child.save(update_fields=["path", "depth"])


def _person_search_text(person: Person) -> str:
    return search_key(person.name, person.title)


@transaction.atomic
def save_person(*, person: Person | None = None, id_number: str | None = None, **fields: Any) -> Person:
    """Create (person=None) or change a person; an ID number is kept only as hash and mask."""
    person = person or Person()
    for name, value in fields.items():
        setattr(person, name, value)
    if id_number:
        compact = clean_id_number(id_number)
        person.id_number_hash = hash_id_number(compact)
        person.id_number_masked = mask_id_number(compact)
    person.search_text = _person_search_text(person)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def save_place(*, place: Place | None = None, **fields: Any) -> Place:
    place = place or Place()
    for name, value in fields.items():
        setattr(place, name, value)
    place.search_text = search_key(place.name, place.address)
    place.full_clean()
    place.save()
    return place


def get_or_create_township(name: str) -> Township:
    township, created = Township.objects.get_or_create(name=name.strip())
    if created or not township.search_text:
        township.search_text = search_key(township.name)
        township.save(update_fields=["search_text"])
    return township
