"""Writes to the registry. Every write keeps `search_text` and the tree `path` right."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Model
from django.utils.translation import gettext as _

from gongke.lib.chinese import search_key
from gongke.lib.idnumbers import clean_id_number, hash_id_number
from gongke.lib.masking import mask_id_number

from .models import Organization, OrgKind, Person, Place, PlaceKind, Township

SEGMENT = 4  # base-36 characters per level: 1.6 million children under one parent
DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _encode(n: int) -> str:
    out = ""
    for _step in range(SEGMENT):
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
    index = _decode(last[len(prefix) : len(prefix) + SEGMENT]) + 1 if last else 1
    return f"{prefix}{_encode(index)}."


def _normalise(org: Organization) -> None:
    from django.core.exceptions import ValidationError

    from gongke.lib.idnumbers import clean_credit_code

    code = (org.credit_code or "").strip().upper()
    try:
        org.credit_code = clean_credit_code(code) if code else ""
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.messages})
    # The form and the API both write through here: a chamber says which kind it is, nothing
    # else carries a chamber kind.
    if org.kind != OrgKind.CHAMBER:
        org.chamber_kind = ""
    elif not org.chamber_kind:
        raise ValidationError({"chamber_kind": _("Choose the kind of chamber.")})


def _org_search_text(org: Organization) -> str:
    return search_key(org.name, org.short_name, org.credit_code, org.legal_representative)


@transaction.atomic
def create_organization(
    *, parent: Organization | None, by: Any = None, **fields: Any
) -> Organization:
    """`by`, the user asking (None: an operator's command or the demo). An organization without
    a parent starts a new tree: only a platform admin may create one."""
    if parent is None and by is not None and not getattr(by, "is_platform_admin", False):
        raise PermissionDenied(_("Only a platform admin may create a top-level organization."))
    org = Organization(parent=parent, **fields)
    if parent is not None:
        parent = Organization.objects.select_for_update().get(pk=parent.pk)
    org.path = _next_path(parent)
    org.depth = (parent.depth + 1) if parent else 0
    org.search_text = _org_search_text(org)
    _normalise(org)
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
    _normalise(org)
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
        child.path = org.path + child.path[len(old_path) :]
        child.depth = child.depth - old_depth + org.depth
        child.save(update_fields=["path", "depth"])


def _person_search_text(person: Person) -> str:
    return search_key(person.name, person.title)


@transaction.atomic
def save_person(
    *, person: Person | None = None, id_number: str | None = None, **fields: Any
) -> Person:
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
    if place.kind != PlaceKind.RECIPIENT:
        place.recipient_kind = ""
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


def _common_path(paths: list[str]) -> str:
    """The deepest organization path above all of `paths` (whole segments only)."""
    if not paths:
        return ""
    prefix = paths[0]
    for p in paths[1:]:
        while not p.startswith(prefix):
            prefix = prefix[: prefix.rstrip(".").rfind(".") + 1]
    return prefix


def _log_import(model: type[Model], count: int, org_paths: list[str], names: list[str]) -> None:
    """bulk_create skips the audit trail: one summary entry records the whole import."""
    from auditlog.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_pk="",
        object_repr=f"import: {count} × {model._meta.model_name}",
        action=LogEntry.Action.CREATE,
        changes={"imported": [None, count], "names": [None, ", ".join(names[:50])]},
        additional_data={"org_path": _common_path(org_paths), "import": True},
    )


@transaction.atomic
def import_organizations(*, rows: list[dict[str, Any]]) -> list[Organization]:
    """Member enterprises from a validated import (imports.parse_organizations), in bulk."""
    from .models import OrgKind

    parent_ids = {r["parent"].pk for r in rows}
    parents = {p.pk: p for p in Organization.objects.select_for_update().filter(pk__in=parent_ids)}
    next_index: dict[int, int] = {}
    for parent in parents.values():
        last = Organization.objects.filter(
            depth=parent.depth + 1, path__startswith=parent.path
        ).aggregate(m=Max("path"))["m"]
        next_index[parent.pk] = (
            _decode(last[len(parent.path) : len(parent.path) + SEGMENT]) + 1 if last else 1
        )
    townships = {
        name: get_or_create_township(name)
        for name in {r["township"] for r in rows if r["township"]}
    }
    orgs = []
    for r in rows:
        parent = parents[r["parent"].pk]
        index = next_index[parent.pk]
        next_index[parent.pk] = index + 1
        org = Organization(
            kind=OrgKind.ENTERPRISE,
            parent=parent,
            path=f"{parent.path}{_encode(index)}.",
            depth=parent.depth + 1,
            name=r["name"],
            credit_code=r["credit_code"] or "",
            industry=r["industry"] or "",
            township=townships.get(r["township"]) if r["township"] else None,
            legal_representative=r["legal_representative"] or "",
            legal_representative_phone=r["legal_representative_phone"] or "",
            is_executive=bool(r["is_executive"]),
            staff_count=r["staff_count"],
            contact_name=r["contact_name"] or "",
            contact_phone=r["contact_phone"] or "",
        )
        org.search_text = _org_search_text(org)
        orgs.append(org)
    created = Organization.objects.bulk_create(orgs, batch_size=500)
    _log_import(
        Organization, len(created), [p.path for p in parents.values()], [o.name for o in created]
    )
    return created


@transaction.atomic
def import_people(*, rows: list[dict[str, Any]]) -> list[Person]:
    """People from a validated import (imports.parse_people), in bulk; ID numbers as hash and mask."""
    people = []
    for r in rows:
        person = Person(
            organization=r["organization"],
            name=r["name"],
            position=r["position"],
            phone=r["phone"] or "",
            is_party_member=bool(r["is_party_member"]),
            is_volunteer=bool(r["is_volunteer"]),
        )
        if r["id_number"]:
            person.id_number_hash = hash_id_number(r["id_number"])
            person.id_number_masked = mask_id_number(r["id_number"])
        person.search_text = _person_search_text(person)
        people.append(person)
    created = Person.objects.bulk_create(people, batch_size=500)
    _log_import(
        Person, len(created), [r["organization"].path for r in rows], [p.name for p in created]
    )
    return created
