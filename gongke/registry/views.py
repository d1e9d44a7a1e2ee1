"""登记 Registry pages: thin views over the access path and registry services."""

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gongke.accounts.access import (
    can_write,
    is_platform_admin,
    writable_organizations,
)
from gongke.accounts.models import Role
from gongke.lib.excel import XLSX_TYPE, read_upload, xlsx_response

from . import services
from .access import (
    get_organization,
    get_person,
    get_place,
    organizations_for,
    people_for,
    places_for,
)
from .forms import OrganizationForm, PersonForm, PlaceForm
from .imports import (
    KINDS,
    ImportRejected,
    column_labels,
    import_file,
    require_importer,
    template_xlsx,
)
from .models import Industry, OrgKind, PlaceKind, Position, Township


def _truthy(value: str | None) -> bool:
    return value in {"1", "true", "on", "yes"}


def _id(value: str | None) -> int | None:
    """A record id from a filter parameter; anything else (typed by hand, cut off) is ignored."""
    return int(value) if value and value.isdigit() else None


def _require_some_manage_rights(user) -> None:
    """A "new" page is for staff and admins; read-only roles get 403 before seeing a form."""
    if not is_platform_admin(user) and not writable_organizations(user, manage=True).exists():
        raise PermissionDenied(_("Your role may only read here."))


def filter_organizations(user, params):
    qs = organizations_for(user).select_related("parent", "township").search(params.get("q"))
    if params.get("kind") in OrgKind.values:
        qs = qs.filter(kind=params["kind"])
    if _id(params.get("parent")):
        qs = qs.filter(parent_id=_id(params.get("parent")))
    if _id(params.get("township")):
        qs = qs.filter(township_id=_id(params.get("township")))
    if params.get("industry"):
        qs = qs.filter(industry=params["industry"])
    if _truthy(params.get("executive")):
        qs = qs.filter(is_executive=True)
    return qs


@login_required
def organizations(request: HttpRequest) -> HttpResponseBase:
    qs = filter_organizations(request.user, request.GET)
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Name"),
            _("Kind"),
            _("Parent"),
            _("Unified social credit code"),
            _("Industry"),
            _("Township"),
            _("Legal representative"),
            _("Executive committee enterprise"),
            _("Number of staff"),
            _("Contact"),
            _("Contact phone"),
        ]
        rows = (
            [
                o.name,
                o.get_kind_display(),
                o.parent.name if o.parent else "",
                o.credit_code,
                o.get_industry_display(),
                o.township.name if o.township else "",
                o.legal_representative,
                _("Yes") if o.is_executive else "",
                o.staff_count,
                o.contact_name,
                o.masked_contact_phone,
            ]
            for o in qs.iterator(chunk_size=1000)
        )
        return xlsx_response(_("organizations") + ".xlsx", headers, rows)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    parents = organizations_for(request.user).bodies().only("pk", "name", "depth")
    return render(
        request,
        "registry/organizations.html",
        {
            "page": page,
            "kinds": OrgKind.choices,
            "industries": Industry.choices,
            "parents": parents,
            "townships": Township.objects.all(),
            "filters": request.GET,
        },
    )


@login_required
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organization(request.user, pk)
    children = organizations_for(request.user).filter(parent=org)
    children = children.select_related("township").order_by("name")
    return render(
        request,
        "registry/organization.html",
        {
            "org": org,
            "ancestors": org.ancestors(),
            "children_page": Paginator(children, 50).get_page(request.GET.get("page")),
            "people": people_for(request.user).filter(organization=org)[:200],
            "places": places_for(request.user)
            .filter(organization=org)
            .select_related("parent")[:200],
            "can_edit": can_write(request.user, org, manage=True),
            # The open data switch (gongke/opendata): an admin over a federation or a chamber.
            "can_publish": org.kind in (OrgKind.FEDERATION, OrgKind.ASSOCIATION, OrgKind.CHAMBER)
            and can_write(request.user, org, roles={Role.ORG_ADMIN, Role.PLATFORM_ADMIN}),
        },
    )


@login_required
def organization_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org = None
    if pk is not None:
        org = get_organization(request.user, pk, manage=True)
    else:
        _require_some_manage_rights(request.user)
    # A new record's defaults come from the link; an existing one's from the record itself.
    initial = {} if org else {"parent": request.GET.get("parent"), "kind": request.GET.get("kind")}
    form = OrganizationForm(request.POST or None, instance=org, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if org is None:
            org = services.create_organization(by=request.user, **data)
            messages.success(request, _("The organization was created."))
        else:
            services.update_organization(org, **data)
            messages.success(request, _("The changes were saved."))
        return redirect("registry:organization", pk=org.pk)
    return render(
        request,
        "registry/edit.html",
        {
            "form": form,
            "object": org,
            "title": _("Edit organization") if org else _("New organization"),
        },
    )


def filter_people(user, params):
    qs = people_for(user).select_related("organization").search(params.get("q"))
    if _id(params.get("organization")):
        qs = qs.filter(organization_id=_id(params.get("organization")))
    if params.get("position") in Position.values:
        qs = qs.filter(position=params["position"])
    if _truthy(params.get("party")):
        qs = qs.filter(is_party_member=True)
    if _truthy(params.get("volunteer")):
        qs = qs.filter(is_volunteer=True)
    return qs


@login_required
def people(request: HttpRequest) -> HttpResponseBase:
    qs = filter_people(request.user, request.GET)
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Full name"),
            _("Organization"),
            _("Position"),
            _("Title"),
            _("Phone"),
            _("ID number"),
            _("Party member"),
            _("Volunteer"),
        ]
        rows = (
            [
                p.name,
                p.organization.name,
                p.get_position_display(),
                p.title,
                p.masked_phone,
                p.id_number_masked,
                _("Yes") if p.is_party_member else "",
                _("Yes") if p.is_volunteer else "",
            ]
            for p in qs.iterator(chunk_size=1000)
        )
        return xlsx_response(_("people") + ".xlsx", headers, rows)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/people.html",
        {"page": page, "positions": Position.choices, "filters": request.GET},
    )


@login_required
def person(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_person(request.user, pk)
    return render(
        request,
        "registry/person.html",
        {"person": obj, "can_edit": can_write(request.user, obj.organization, manage=True)},
    )


@login_required
def person_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    obj = None
    if pk is not None:
        obj = get_person(request.user, pk, manage=True)
    else:
        _require_some_manage_rights(request.user)
    initial = {} if obj else {"organization": request.GET.get("organization")}
    form = PersonForm(request.POST or None, instance=obj, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        obj = services.save_person(person=obj, **data)
        messages.success(request, _("The changes were saved."))
        return redirect("registry:person", pk=obj.pk)
    return render(
        request,
        "registry/edit.html",
        {"form": form, "object": obj, "title": _("Edit person") if obj else _("New person")},
    )


def filter_places(user, params):
    qs = places_for(user).select_related("organization", "parent", "township")
    qs = qs.search(params.get("q"))
    kind = params.get("kind")
    if kind == "compound":  # compounds and villages are one list for the people who run them
        qs = qs.filter(kind__in=[PlaceKind.COMPOUND, PlaceKind.VILLAGE])
    elif kind in PlaceKind.values:
        qs = qs.filter(kind=kind)
    if _id(params.get("organization")):
        qs = qs.filter(organization_id=_id(params.get("organization")))
    if _id(params.get("township")):
        qs = qs.filter(township_id=_id(params.get("township")))
    return qs


@login_required
def places(request: HttpRequest) -> HttpResponseBase:
    qs = filter_places(request.user, request.GET)
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Name"),
            _("Kind"),
            _("Recipient kind"),
            _("Organization"),
            _("Compound or village"),
            _("Township"),
            _("Address"),
            _("Households"),
            _("Contact"),
            _("Contact phone"),
        ]
        rows = (
            [
                p.name,
                p.get_kind_display(),
                p.get_recipient_kind_display(),
                p.organization.name,
                p.parent.name if p.parent else "",
                p.township.name if p.township else "",
                p.address,
                p.households,
                p.contact_name,
                p.masked_contact_phone,
            ]
            for p in qs.iterator(chunk_size=1000)
        )
        return xlsx_response(_("places") + ".xlsx", headers, rows)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/places.html",
        {
            "page": page,
            "kinds": PlaceKind.choices,
            "townships": Township.objects.all(),
            "filters": request.GET,
        },
    )


@login_required
def place(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_place(request.user, pk)
    return render(
        request,
        "registry/place.html",
        {
            "place": obj,
            "children": places_for(request.user).filter(parent=obj),
            "can_edit": can_write(request.user, obj.organization, manage=True),
        },
    )


@login_required
def place_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    obj = None
    if pk is not None:
        obj = get_place(request.user, pk, manage=True)
    else:
        _require_some_manage_rights(request.user)
    initial = {} if obj else {"kind": request.GET.get("kind"), "parent": request.GET.get("parent")}
    form = PlaceForm(request.POST or None, instance=obj, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        obj = services.save_place(place=obj, **form.cleaned_data)
        messages.success(request, _("The changes were saved."))
        return redirect("registry:place", pk=obj.pk)
    return render(
        request,
        "registry/edit.html",
        {"form": form, "object": obj, "title": _("Edit place") if obj else _("New place")},
    )


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    names = {
        "organizations": _("member enterprises import template"),
        "people": _("people import template"),
    }
    response = HttpResponse(template_xlsx(kind), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(names[kind] + '.xlsx')}"
    return response


@login_required
def import_members(request: HttpRequest, kind: str = "organizations") -> HttpResponse:
    """Upload page: every bad row is listed; a clean file is imported whole, or nothing is."""
    if kind not in KINDS:
        raise Http404
    require_importer(request.user)
    ctx: dict = {"kind": kind, "kinds": list(KINDS), "columns": column_labels(kind)}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            ctx["errors"] = []
            ctx["problem"] = _("Choose a file to upload.")
        else:
            try:
                ctx["created"] = import_file(
                    request.user, kind, read_upload(upload), upload.name or ""
                )
            except ImportRejected as exc:
                ctx["errors"] = exc.errors
                ctx["problem"] = str(exc)
        if request.headers.get("HX-Request"):
            return render(request, "registry/import_result.html", ctx)
    return render(request, "registry/import.html", ctx)
