"""/api/v1/registry: organizations, people, places — through the same access path as the pages."""

from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, FilterSchema, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongke.accounts.access import (
    get_for_user,
    reference_organizations,
)
from gongke.lib.excel import read_upload
from gongke.registry import access, imports, services
from gongke.registry.access import (
    organizations_for,
    people_for,
    places_for,
)
from gongke.registry.models import Organization, Person, Place, Township

from .idempotency import once
from .pagination import Pages
from .schemas import In

router = Router()


class OrganizationOut(Schema):
    id: int
    kind: str
    chamber_kind: str
    name: str
    short_name: str
    parent_id: int | None
    depth: int
    credit_code: str
    industry: str
    township: str | None = Field(None, alias="township.name")
    legal_representative: str
    is_executive: bool
    staff_count: int | None
    address: str
    contact_name: str
    contact_phone: str = Field(..., alias="masked_contact_phone")
    is_active: bool


class OrganizationIn(In):
    model = Organization

    kind: str
    parent_id: int | None = None  # none: a new tree (the first federation), platform admins only
    name: str
    chamber_kind: str = ""
    short_name: str = ""
    credit_code: str = ""
    industry: str = ""
    township: str = ""
    legal_representative: str = ""
    legal_representative_phone: str = ""
    is_executive: bool = False
    staff_count: int | None = None
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""


class OrganizationPatch(In):
    model = Organization
    patch = True

    name: str | None = None
    short_name: str | None = None
    credit_code: str | None = None
    industry: str | None = None
    township: str | None = None
    legal_representative: str | None = None
    legal_representative_phone: str | None = None
    is_executive: bool | None = None
    staff_count: int | None = None
    address: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    is_active: bool | None = None


class OrganizationFilter(FilterSchema):
    q: str | None = None
    kind: str | None = None
    parent_id: int | None = None
    township: str | None = None
    industry: str | None = None
    is_executive: bool | None = None


def _filter_orgs(qs, f: OrganizationFilter):
    qs = qs.search(f.q)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.parent_id:
        qs = qs.filter(parent_id=f.parent_id)
    if f.township:
        qs = qs.filter(township__name=f.township)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.is_executive is not None:
        qs = qs.filter(is_executive=f.is_executive)
    return qs


@router.get("/organizations", response=list[OrganizationOut])
@paginate(Pages, page_size=50)
def list_organizations(request: HttpRequest, filters: Query[OrganizationFilter]):
    return _filter_orgs(organizations_for(request.user).select_related("township"), filters)


@router.get("/organizations/{org_id}", response=OrganizationOut)
def get_organization(request: HttpRequest, org_id: int):
    return get_for_user(
        request.user, Organization.objects.select_related("township"), field="", pk=org_id
    )


def _township(name: str | None):
    return services.get_or_create_township(name) if name else None


@router.post("/organizations", response={201: OrganizationOut})
def create_organization(request: HttpRequest, payload: OrganizationIn):
    parent = None
    if payload.parent_id is not None:
        parent = get_for_user(
            request.user, Organization.objects.all(), field="", pk=payload.parent_id, manage=True
        )

    def create():
        data = payload.dict(exclude={"parent_id", "township"})
        org = services.create_organization(
            parent=parent, by=request.user, township=_township(payload.township), **data
        )
        return 201, OrganizationOut.from_orm(org)

    return once(request, request.headers.get("Idempotency-Key"), "registry.org.create", create)


@router.patch("/organizations/{org_id}", response=OrganizationOut)
def update_organization(request: HttpRequest, org_id: int, payload: OrganizationPatch):
    org = get_for_user(request.user, Organization.objects.all(), field="", pk=org_id, manage=True)
    data = payload.dict(exclude_unset=True)
    if "township" in data:
        data["township"] = _township(data["township"])
    return services.update_organization(org, **data)


class PersonOut(Schema):
    id: int
    organization_id: int
    name: str
    position: str
    title: str
    phone: str = Field(..., alias="masked_phone")
    id_number: str = Field(..., alias="id_number_masked")
    is_party_member: bool
    is_volunteer: bool


class PersonIn(In):
    model = Person

    organization_id: int
    name: str
    position: str = "staff"
    title: str = ""
    phone: str = ""
    id_number: str = ""
    is_party_member: bool = False
    is_volunteer: bool = False


@router.get("/people", response=list[PersonOut])
@paginate(Pages, page_size=50)
def list_people(
    request: HttpRequest,
    q: str | None = None,
    organization_id: int | None = None,
    is_party_member: bool | None = None,
    is_volunteer: bool | None = None,
):
    qs = people_for(request.user).search(q)
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    if is_party_member is not None:
        qs = qs.filter(is_party_member=is_party_member)
    if is_volunteer is not None:
        qs = qs.filter(is_volunteer=is_volunteer)
    return qs


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int):
    return access.get_person(request.user, person_id)


@router.post("/people", response={201: PersonOut})
def create_person(request: HttpRequest, payload: PersonIn):
    org = get_for_user(
        request.user, Organization.objects.all(), field="", pk=payload.organization_id, manage=True
    )

    def create():
        person = services.save_person(organization=org, **payload.dict(exclude={"organization_id"}))
        return 201, PersonOut.from_orm(person)

    return once(request, request.headers.get("Idempotency-Key"), "registry.person.create", create)


class PlaceOut(Schema):
    id: int
    kind: str
    recipient_kind: str
    name: str
    organization_id: int
    parent_id: int | None
    township: str | None = Field(None, alias="township.name")
    address: str
    without_property_management: bool
    households: int | None
    is_active: bool


class PlaceIn(In):
    model = Place

    kind: str
    name: str
    organization_id: int
    recipient_kind: str = ""
    parent_id: int | None = None
    township: str = ""
    address: str = ""
    without_property_management: bool = False
    households: int | None = None
    contact_name: str = ""
    contact_phone: str = ""


@router.get("/places", response=list[PlaceOut])
@paginate(Pages, page_size=50)
def list_places(
    request: HttpRequest,
    q: str | None = None,
    kind: str | None = None,
    organization_id: int | None = None,
    parent_id: int | None = None,
):
    # Recipient units kept by a federation are shared with everyone beneath it.
    if kind == "recipient":
        qs = Place.objects.filter(organization__in=reference_organizations(request.user))
    else:
        qs = places_for(request.user)
    qs = qs.select_related("township").search(q)
    if kind:
        qs = qs.filter(kind=kind)
    if organization_id:
        qs = qs.filter(organization_id=organization_id)
    if parent_id:
        qs = qs.filter(parent_id=parent_id)
    return qs


@router.get("/places/{place_id}", response=PlaceOut)
def get_place(request: HttpRequest, place_id: int):
    return access.get_place(request.user, place_id)


@router.post("/places", response={201: PlaceOut})
def create_place(request: HttpRequest, payload: PlaceIn):
    org = get_for_user(
        request.user, Organization.objects.all(), field="", pk=payload.organization_id, manage=True
    )
    parent = None
    if payload.parent_id:
        parent = access.get_place(request.user, payload.parent_id)

    def create():
        data = payload.dict(exclude={"organization_id", "parent_id", "township"})
        place = services.save_place(
            organization=org, parent=parent, township=_township(payload.township), **data
        )
        return 201, PlaceOut.from_orm(place)

    return once(request, request.headers.get("Idempotency-Key"), "registry.place.create", create)


class TownshipOut(Schema):
    id: int
    name: str
    code: str


@router.get("/townships", response=list[TownshipOut])
def list_townships(request: HttpRequest, q: str | None = None):
    return Township.objects.search(q)[:500]


class RegistryImportOut(Schema):
    created: int


class RegistryRowErrorOut(Schema):
    row: int
    column: str
    message: str


class RegistryImportRejectedOut(Schema):
    detail: str
    errors: list[RegistryRowErrorOut]


@router.post("/import/{kind}", response={201: RegistryImportOut, 422: RegistryImportRejectedOut})
def import_members(
    request: HttpRequest,
    kind: Literal["organizations", "people"],
    file: UploadedFile = File(...),  # noqa: B008
):
    """An Excel (or CSV) file like the page's template: every bad row comes back, or all are imported."""
    imports.require_importer(request.user)
    try:
        created = imports.import_file(request.user, kind, read_upload(file), file.name or "")
    except imports.ImportRejected as exc:
        return Status(422, {"detail": str(exc), "errors": [e.as_dict() for e in exc.errors]})
    return Status(201, {"created": created})
