"""入户排查 pages. Designed for a phone at the door: one household per page, big buttons, the
numeric keyboard for temperatures. Every fetch goes through the access path."""

from datetime import timedelta
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.db.models.functions import Length
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongke.accounts.access import can_write
from gongke.lib.excel import SheetError, read_upload, xlsx_response
from gongke.registry.models import Place

from . import lists, services
from .access import (
    AREA,
    ISOLATION,
    RESIDENT,
    RETURN,
    VISIT,
    get_area,
    get_household,
    get_isolation,
    get_resident,
    visible,
)
from .forms import (
    CheckForm,
    EndIsolationForm,
    HouseholdForm,
    ImportForm,
    IsolationForm,
    ResidentEditForm,
    ResidentForm,
    ReturnForm,
    RevealForm,
    VisitForm,
)
from .models import DailyCheck, Household, Isolation, Resident, ReturnRecord, Visit, VisitOutcome
from .stats import daily_counts, day_bounds


def _areas(user):
    return visible(
        user, Place.objects.areas().select_related("organization", "township"), field=AREA
    )


def _error(request: HttpRequest, exc: ValidationError) -> None:
    for msg in (m for ms in getattr(exc, "message_dict", {"": exc.messages}).values() for m in ms):
        messages.error(request, msg)


def _form_errors(request: HttpRequest, form) -> None:
    for field, errs in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errs:
            messages.error(request, f"{label}: {e}" if label else e)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    areas = _areas(request.user).search(request.GET.get("q"))
    page = Paginator(
        areas.annotate(
            n_households=Count("households_set", distinct=True),
            n_residents=Count("households_set__residents", distinct=True),
        ).order_by("name"),
        50,
    ).get_page(request.GET.get("page"))
    found = None
    who = request.GET.get("who", "").strip()
    if who:
        found = visible(
            request.user, Resident.objects.select_related("household__place"), field=RESIDENT
        ).search(who)[:50]
    today = timezone.localdate()
    return render(
        request,
        "census/index.html",
        {
            "page": page,
            "filters": request.GET,
            "found": found,
            "who": who,
            "counts": daily_counts(places=_areas(request.user), day=today),
            "today": today,
        },
    )


def _households(place: Place, q: str, *, todo: bool = False):
    """The compound's households in the order one walks them: building, unit, room, where
    "2" comes before "10" (shorter first, then alphabetical), with today's state of each."""
    today = timezone.localdate()
    start, end = day_bounds(today)
    qs = place.households_set.annotate(
        n_residents=Count("residents", filter=Q(residents__moved_out_on__isnull=True))
    )
    if q:
        matching = Resident.objects.filter(household=OuterRef("pk")).search(q)
        qs = qs.filter(Q(room__icontains=q) | Q(building=q) | Exists(matching))
    isolating = Isolation.objects.filter(resident__household=OuterRef("pk")).running_on(today)
    visited = Visit.objects.filter(
        household=OuterRef("pk"), visited_at__gte=start, visited_at__lt=end
    )
    qs = qs.annotate(isolating=Exists(isolating), visited=Exists(visited))
    if todo:
        qs = qs.filter(~Exists(visited))
    return qs.order_by(
        Length("building"), "building", Length("unit"), "unit", Length("room"), "room"
    )


@login_required
def area(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_area(request.user, pk)
    q = request.GET.get("q", "").strip()
    todo = request.GET.get("todo") == "1"
    page = Paginator(_households(place, q, todo=todo), 100).get_page(request.GET.get("page"))
    groups = [
        ((b, u), list(hs))
        for (b, u), hs in groupby(page.object_list, key=lambda h: (h.building, h.unit))
    ]
    return render(
        request,
        "census/area.html",
        {
            "place": place,
            "page": page,
            "groups": groups,
            "q": q,
            "todo": todo,
            "form": HouseholdForm(),
            "can_edit": can_write(request.user, place.organization),
            "counts": daily_counts(
                places=Place.objects.filter(pk=place.pk), day=timezone.localdate()
            ),
        },
    )


@login_required
@require_POST
def household_new(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_area(request.user, pk, write=True)
    form = HouseholdForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("census:area", pk=place.pk)
    try:
        household, created = services.save_household(place=place, **form.cleaned_data)
    except ValidationError as exc:
        _error(request, exc)
        return redirect("census:area", pk=place.pk)
    if not created:
        messages.info(request, _("This household was already registered."))
    return redirect("census:household", pk=household.pk)


@login_required
def household(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_household(request.user, pk)
    return _household_page(request, obj, ResidentForm())


@login_required
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_household(request.user, pk, write=True)
    initial = {f: getattr(obj, f) for f in HouseholdForm.base_fields}
    form = HouseholdForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_household(household=obj, **form.cleaned_data)
        except ValidationError as exc:
            obj.refresh_from_db()  # the page names the household as it still is
            for field, errs in exc.message_dict.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("census:household", pk=obj.pk)
    return render(
        request,
        "census/household_edit.html",
        {"household": obj, "form": form},
        status=422 if form.errors else 200,
    )


@login_required
def household_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Asks first; a household with records attached is shown what they are and kept."""
    obj = get_household(request.user, pk, write=True)
    if request.method == "POST":
        try:
            services.delete_household(household=obj)
        except services.HouseholdInUse as exc:
            messages.error(request, exc.message)
            return redirect("census:household", pk=obj.pk)
        messages.success(request, _("Household %(address)s was deleted.") % {"address": str(obj)})
        return redirect("census:area", pk=obj.place_id)
    attached = services.attached_records(obj)
    return render(
        request,
        "census/household_delete.html",
        {"household": obj, "attached": services.attached_lines(attached)},
    )


def _household_page(
    request: HttpRequest, obj: Household, form: ResidentForm, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    running = Prefetch(
        "isolations", queryset=Isolation.objects.running_on(today), to_attr="running"
    )
    residents = obj.residents.all().prefetch_related(running)
    return render(
        request,
        "census/household.html",
        {
            "household": obj,
            "residents": residents,
            "visits": obj.visits.select_related("by")[:10],
            "form": form,
            "outcomes": VisitOutcome.choices,
            "today": today,
            "can_edit": can_write(request.user, obj.place.organization),
        },
        status=status,
    )


@login_required
@require_POST
def resident_new(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_household(request.user, pk, write=True)
    form = ResidentForm(request.POST)
    if not form.is_valid():
        return _household_page(request, obj, form, status=422)
    try:
        resident, created = services.register_resident(
            user=request.user, household=obj, **form.cleaned_data
        )
    except ValidationError as exc:
        for field, errs in exc.message_dict.items():
            for e in errs:
                form.add_error(field if field in form.fields else None, e)
        return _household_page(request, obj, form, status=422)
    if created:
        messages.success(request, _("%(name)s was registered.") % {"name": resident.name})
    else:
        messages.info(
            request,
            _("%(name)s was already registered: the record was updated, not duplicated.")
            % {"name": resident.name},
        )
    return redirect("census:household", pk=obj.pk)


@login_required
@require_POST
def visit_new(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_household(request.user, pk, write=True)
    form = VisitForm(request.POST)
    if form.is_valid():
        services.record_visit(user=request.user, household=obj, **form.cleaned_data)
        messages.success(request, _("The visit was recorded."))
    else:
        _form_errors(request, form)
    return redirect("census:household", pk=obj.pk)


@login_required
def resident(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_resident(request.user, pk)
    today = timezone.localdate()
    isolations = obj.isolations.prefetch_related("checks").order_by("-start")
    # Likely duplicates: the same name in the same compound (a merge is always confirmed by a person).
    twins = (
        Resident.objects.filter(household__place=obj.household.place, name=obj.name)
        .exclude(pk=obj.pk)
        .select_related("household")
    )
    return render(
        request,
        "census/resident.html",
        {
            "resident": obj,
            "returns": obj.returns.all(),
            "isolations": isolations,
            "twins": twins,
            "today": today,
            "return_form": ReturnForm(),
            "isolation_form": IsolationForm(),
            "reveal_form": RevealForm(),
            "can_edit": can_write(request.user, obj.household.place.organization),
        },
    )


@login_required
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_resident(request.user, pk, write=True)
    initial = {f: getattr(obj, f) for f in services.RESIDENT_FIELDS}
    form = ResidentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_resident(resident=obj, **form.cleaned_data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("census:resident", pk=obj.pk)
    return render(request, "census/resident_edit.html", {"resident": obj, "form": form})


@login_required
@require_POST
def resident_merge(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    survivor = get_resident(request.user, pk, write=True)
    duplicate = get_resident(request.user, other, write=True)
    try:
        services.merge_residents(user=request.user, survivor=survivor, duplicate=duplicate)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The two records were merged into one."))
    return redirect("census:resident", pk=survivor.pk)


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_resident(request.user, pk, write=True)
    form = RevealForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("census:resident", pk=obj.pk)
    try:
        shown = services.reveal_id_number(
            user=request.user, resident=obj, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.info(
            request,
            _(
                "Your request was recorded in the audit trail. The full number is not stored: "
                "read it from the person's ID card. On record: %(masked)s"
            )
            % {"masked": shown or "—"},
        )
    return redirect("census:resident", pk=obj.pk)


@login_required
@require_POST
def return_new(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_resident(request.user, pk, write=True)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("census:resident", pk=obj.pk)
    data = form.cleaned_data
    isolate = data.pop("isolate")
    try:
        with transaction.atomic():  # the return and its isolation, or neither
            record, _created = services.record_return(user=request.user, resident=obj, **data)
            if isolate:
                services.start_isolation(user=request.user, resident=obj, start=record.returned_on)
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The return was recorded."))
    return redirect("census:resident", pk=obj.pk)


@login_required
@require_POST
def isolation_new(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_resident(request.user, pk, write=True)
    form = IsolationForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("census:resident", pk=obj.pk)
    try:
        _iso, created = services.start_isolation(
            user=request.user, resident=obj, **form.cleaned_data
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        if created:
            messages.success(request, _("Home isolation started."))
        else:
            messages.info(request, _("This resident is already in home isolation."))
    return redirect("census:resident", pk=obj.pk)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else default)


@login_required
@require_POST
def check_new(request: HttpRequest, pk: int) -> HttpResponse:
    iso = get_isolation(request.user, pk, write=True)
    form = CheckForm(request.POST)
    if form.is_valid():
        try:
            check, _created = services.record_check(
                user=request.user, isolation=iso, **form.cleaned_data
            )
        except ValidationError as exc:
            _error(request, exc)
        else:
            if check.is_fever:
                messages.warning(
                    request,
                    _(
                        "%(name)s has a fever (%(t)s °C): report it to the township health "
                        "centre now."
                    )
                    % {"name": iso.resident.name, "t": check.temperature},
                )
            else:
                messages.success(
                    request, _("Check recorded for %(name)s.") % {"name": iso.resident.name}
                )
    else:
        _form_errors(request, form)
    return _back(request, reverse("census:resident", args=[iso.resident_id]))


@login_required
@require_POST
def isolation_end(request: HttpRequest, pk: int) -> HttpResponse:
    iso = get_isolation(request.user, pk, write=True)
    form = EndIsolationForm(request.POST)
    form.is_valid()
    try:
        services.end_isolation(
            user=request.user, isolation=iso, note=form.cleaned_data.get("note", "")
        )
    except ValidationError as exc:
        _error(request, exc)
    else:
        messages.success(
            request, _("The isolation of %(name)s was ended.") % {"name": iso.resident.name}
        )
    return _back(request, reverse("census:resident", args=[iso.resident_id]))


def running_isolations(user, day):
    """Isolations running on `day` in the user's scope, with that day's check (or None)."""
    today_check = DailyCheck.objects.filter(isolation=OuterRef("pk"), day=day)
    return (
        visible(user, Isolation.objects.running_on(day), field=ISOLATION)
        .select_related("resident__household__place__organization")
        .annotate(checked=Exists(today_check))
        .prefetch_related(
            Prefetch("checks", queryset=DailyCheck.objects.filter(day=day), to_attr="today")
        )
        .order_by("end_day", "resident__household__place__name", "resident__name")
    )


@login_required
def isolations(request: HttpRequest) -> HttpResponseBase:
    today = timezone.localdate()
    qs = running_isolations(request.user, today)
    if (request.GET.get("place") or "").isdigit():
        qs = qs.filter(resident__household__place_id=int(request.GET["place"]))
    if request.GET.get("show") == "missing":
        qs = qs.filter(checked=False)
    elif request.GET.get("show") == "ending":
        qs = qs.filter(end_day__lte=today + timedelta(days=1))
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Compound or village"),
            _("Household"),
            pgettext("person", "Name"),
            _("Phone"),
            _("First day"),
            _("Last day"),
            _("Day"),
            _("Temperature (°C)"),
            _("Symptoms"),
        ]
        rows = (
            [
                i.resident.household.place.name,
                str(i.resident.household),
                i.resident.name,
                i.resident.masked_phone,
                i.start,
                i.end_day,
                i.day_number(today),
                i.today[0].temperature if i.today else "",
                i.today[0].symptoms if i.today else "",
            ]
            for i in qs
        )
        return xlsx_response(_("home isolations") + f"-{today}.xlsx", headers, rows)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    for iso in page.object_list:
        iso.day_n = iso.day_number(today)
    return render(
        request,
        "census/isolations.html",
        {
            "page": page,
            "today": today,
            "tomorrow": today + timedelta(days=1),
            "filters": request.GET,
            "check_form": CheckForm(),
        },
    )


@login_required
def area_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    place = get_area(request.user, pk)
    qs = (
        Resident.objects.filter(household__place=place)
        .select_related("household")
        .prefetch_related("returns")
        .order_by("household__building", "household__unit", "household__room", "pk")
    )
    headers = [
        *services.import_template_headers(),
        _("Gender"),
        _("Year of birth"),
        _("Moved out on"),
        _("Came back from"),
        _("Returned on"),
    ]
    # Export carries masked numbers and phones only, so it cannot be re-imported as a source of IDs.
    rows = (
        [
            r.household.building,
            r.household.unit,
            r.household.room,
            r.name,
            r.masked_phone,
            r.id_number_masked,
            r.get_relation_display(),
            r.note,
            r.get_gender_display(),
            r.birth_year or "",
            r.moved_out_on or "",
            r.returns.all()[0].from_place if r.returns.all() else "",
            r.returns.all()[0].returned_on if r.returns.all() else "",
        ]
        for r in qs.iterator(chunk_size=500)
    )
    return xlsx_response(f"{place.name}-{_('residents')}.xlsx", headers, rows)


@login_required
def import_template(request: HttpRequest) -> HttpResponseBase:
    notes = [
        _("One row per resident; people of the same household repeat the building, unit and room."),
        _("Room and name are required. The ID number is checked (18 digits with its check digit)."),
        _("Relation: 户主, 配偶, 子女, 父母, 孙子女, 亲属, 租户 or 其他."),
        _(
            "A resident already registered (same ID number, or same name and phone in the same household) "
            "is updated, not duplicated."
        ),
    ]
    sample = [
        ["1", "2", "501", "王伟", "13812345678", "", "户主", ""],
        ["1", "2", "501", "李娜", "", "", "配偶", ""],
    ]
    return xlsx_response(
        _("census-template") + ".xlsx", services.import_template_headers(), sample, notes=notes
    )


@login_required
def area_import(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_area(request.user, pk, write=True)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.import_households(
                user=request.user, place=place, data=read_upload(upload), filename=upload.name
            )
        except SheetError as exc:
            form.add_error("file", str(exc))
        except services.ImportFailed as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _(
                    "Imported: %(h)s new households, %(c)s new residents, %(m)s already "
                    "registered and updated."
                )
                % {
                    "h": result.households,
                    "c": result.residents_created,
                    "m": result.residents_merged,
                },
            )
            return redirect("census:area", pk=place.pk)
    return render(
        request,
        "census/import.html",
        {"place": place, "form": form, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
def visits(request: HttpRequest) -> HttpResponseBase:
    qs = visible(
        request.user,
        Visit.objects.select_related("household__place", "by"),
        field=VISIT,
    )
    lst = lists.VISITS.bind(request, qs)
    if lst.exporting:
        return lst.export(_("visits") + f"-{timezone.localdate()}.xlsx")
    return render(request, "census/visits.html", {"list": lst, "page": lst.page})


@login_required
def returns(request: HttpRequest) -> HttpResponseBase:
    """返乡人员名单: who came back from elsewhere, latest first, within the last `days` days."""
    try:
        days = max(1, min(int(request.GET.get("days", 14)), 365))
    except ValueError:
        days = 14
    since = timezone.localdate() - timedelta(days=days - 1)
    qs = visible(
        request.user,
        ReturnRecord.objects.filter(returned_on__gte=since).select_related(
            "resident__household__place"
        ),
        field=RETURN,
    ).order_by("-returned_on", "resident__household__place__name", "pk")
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Returned on"),
            _("Came back from"),
            _("Transport"),
            pgettext("person", "Name"),
            _("Phone"),
            _("Compound or village"),
            _("Household"),
            _("Note"),
        ]
        rows = (
            [
                r.returned_on,
                r.from_place,
                r.transport,
                r.resident.name,
                r.resident.masked_phone,
                r.resident.household.place.name,
                str(r.resident.household),
                r.note,
            ]
            for r in qs.iterator(chunk_size=500)
        )
        return xlsx_response(
            _("returns from elsewhere") + f"-{timezone.localdate()}.xlsx", headers, rows
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "census/returns.html", {"page": page, "days": days})
