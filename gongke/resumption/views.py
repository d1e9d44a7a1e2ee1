"""Pages of work resumption: thin views over the access path, services and stats."""

import datetime as dt
from decimal import Decimal
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Field, Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongke.accounts.access import can_write, get_for_user, role_over, scoped
from gongke.accounts.models import User
from gongke.lib.excel import (
    Col,
    Kind,
    SheetError,
    bytes_response,
    read_upload,
    template_xlsx,
)

from . import lists, services
from .access import (
    applications_for,
    body_for,
    dashboard_org,
    enterprise_for,
    fevers_for,
    home_org,
    leases_for,
    may_report,
    require_reporting,
    require_review,
    visible_enterprises,
)
from .forms import (
    ApplicationForm,
    AttachmentForm,
    ImportForm,
    LeaseForm,
    NoteForm,
    ProgrammeForm,
    ReportForm,
    ReviewForm,
    SettingsForm,
    StaffForm,
    TemperatureForm,
)
from .models import (
    REPORT_FIGURES,
    Application,
    Attachment,
    DailyReport,
    FeverCase,
    Lease,
    Notification,
    ReliefProgramme,
    ReportingSettings,
    StaffMember,
    Status,
    deadline_for,
    local_today,
)


def day_asked(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return local_today()


def _verbose_name(name: str) -> Any:
    field = DailyReport._meta.get_field(name)
    assert isinstance(field, Field)  # the report's figures are its own columns
    return field.verbose_name


def _errors_into(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    org = home_org(request.user)
    if org is not None and org.is_enterprise:
        return redirect("resumption:enterprise", pk=org.pk)
    return redirect("briefings:resumption")


# --- Enterprise page: today's report ----------------------------------------------------------


@login_required
def enterprise(request: HttpRequest, pk: int) -> HttpResponse:
    org = enterprise_for(request.user, pk)
    today = local_today()
    report = DailyReport.objects.filter(enterprise=org, day=today).first()
    yesterday = DailyReport.objects.filter(
        enterprise=org, day=today - dt.timedelta(days=1)
    ).exists()
    form = ReportForm(instance=report)
    if request.method == "POST":
        require_reporting(request.user, org)
        form = ReportForm(request.POST, instance=report)
        if form.is_valid():
            try:
                services.submit_report(enterprise=org, user=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("Today's report has been saved."))
                return redirect("resumption:enterprise", pk=org.pk)
    recent = DailyReport.objects.filter(enterprise=org).order_by("-day")[:14]
    return render(
        request,
        "resumption/enterprise.html",
        {
            "org": org,
            "form": form,
            "report": report,
            "today": today,
            "can_carry": yesterday and report is None,
            "deadline": deadline_for(org.parent, today),
            "recent": recent,
            "may_report": may_report(request.user, org),
            "applications": Application.objects.filter(enterprise=org)[:10],
            "fevers": FeverCase.objects.filter(enterprise=org, closed_at__isnull=True),
            "notices": Notification.objects.filter(
                user=cast(User, request.user), enterprise=org, read_at__isnull=True
            )[:5],
        },
    )


@login_required
@require_POST
def carry_forward(request: HttpRequest, pk: int) -> HttpResponse:
    org = enterprise_for(request.user, pk, write=True)
    try:
        services.carry_forward(enterprise=org, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Yesterday's figures were carried forward as today's report."))
    return redirect("resumption:enterprise", pk=org.pk)


# --- Association: dashboard, missing list, batch, settings ------------------------------------


@login_required
def missing(request: HttpRequest) -> HttpResponseBase:
    org = dashboard_org(request.user, request.GET.get("org"))
    day = day_asked(request)
    lst = lists.MISSING.bind(request, services.missing_enterprises(org, day))
    if lst.exporting or request.GET.get("format") == "xlsx":
        return lst.export(f"未报送-{day}.xlsx")
    context = {
        "org": org,
        "day": day,
        "list": lst,
        "deadline": deadline_for(org if not org.is_enterprise else org.parent, day),
    }
    template = (
        "resumption/missing_rows.html"
        if request.headers.get("HX-Request")
        else "resumption/missing.html"
    )
    return render(request, template, context)


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    association = body_for(request.user, pk)
    day = day_asked(request)
    if request.method == "POST":
        association = body_for(request.user, pk, manage=True)
    members = list(
        services.member_enterprises(association).filter(parent=association).order_by("path")
    )
    existing = {
        r.enterprise_id: r for r in DailyReport.objects.filter(enterprise__in=members, day=day)
    }
    errors: dict[str, list[str]] = {}
    posted: dict[int, dict[str, Any]] = {}
    if request.method == "POST":
        for m in members:
            row = {name: request.POST.get(f"{m.pk}-{name}", "").strip() for name in REPORT_FIGURES}
            if any(row.values()):
                posted[m.pk] = row
        try:
            saved = services.submit_batch(
                association=association, user=request.user, rows=posted, day=day
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("%(n)s reports saved.") % {"n": len(saved)})
            return redirect(f"{request.path}?day={day.isoformat()}")
    rows = []
    for m in members:
        r = existing.get(m.pk)
        values = posted.get(m.pk) or {
            name: (getattr(r, name) if r else "") for name in REPORT_FIGURES
        }
        rows.append(
            {
                "org": m,
                "report": r,
                "values": [(name, values.get(name, "")) for name in REPORT_FIGURES],
                "errors": errors.get(str(m.pk), []),
            }
        )
    template = (
        "resumption/batch_form.html"
        if request.headers.get("HX-Request")
        else "resumption/batch.html"
    )
    return render(
        request,
        template,
        {
            "association": association,
            "day": day,
            "rows": rows,
            "errors": errors,
            "figures": [_verbose_name(n) for n in REPORT_FIGURES],
        },
    )


@login_required
def reporting_settings(request: HttpRequest, pk: int) -> HttpResponse:
    # The robot's address is a secret (whoever has it can post to the group): managers only,
    # for reading too.
    association = body_for(request.user, pk, manage=True)
    instance = ReportingSettings.objects.filter(association=association).first()
    form = SettingsForm(instance=instance)
    if request.method == "POST":
        form = SettingsForm(request.POST, instance=instance)
        if form.is_valid():
            services.save_reporting_settings(association=association, data=form.cleaned_data)
            messages.success(request, _("Reporting settings saved."))
            return redirect("resumption:settings", pk=association.pk)
    return render(request, "resumption/settings.html", {"association": association, "form": form})


# --- Applications -----------------------------------------------------------------------------


@login_required
def applications(request: HttpRequest) -> HttpResponseBase:
    lst = lists.APPLICATIONS.bind(request, applications_for(request.user))
    if lst.exporting:
        return lst.export(_("applications") + f"-{local_today()}.xlsx")
    own = visible_enterprises(request.user).order_by("path")[:50]
    return render(
        request,
        "resumption/applications.html",
        {"list": lst, "enterprises": [e for e in own if may_report(request.user, e)]},
    )


@login_required
def application_new(request: HttpRequest, enterprise_pk: int) -> HttpResponse:
    # A write form: only for those who may write it (403 for readers, GET included).
    org = enterprise_for(request.user, enterprise_pk, write=True)
    form = ApplicationForm(
        initial={"responsible_person": org.legal_representative, "staff_total": org.staff_count}
    )
    if request.method == "POST":
        form = ApplicationForm(request.POST)
        if form.is_valid():
            try:
                application = services.save_application(
                    enterprise=org, user=request.user, data=form.cleaned_data
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(
                    request, _("Draft saved. Check it and submit it to the association.")
                )
                return redirect("resumption:application", pk=application.pk)
    return render(request, "resumption/application_form.html", {"org": org, "form": form})


def _application(request: HttpRequest, pk: int) -> Application:
    return get_for_user(
        request.user,
        Application.objects.select_related("enterprise__parent"),
        field="enterprise",
        pk=pk,
    )


@login_required
def application(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    role_parent = role_over(request.user, app.enterprise.parent) if app.enterprise.parent else None
    return render(
        request,
        "resumption/application.html",
        {
            "app": app,
            "events": app.events.select_related("by"),
            "attachments": app.attachments.all(),
            "errors": app.checklist_errors() if app.is_editable else {},
            "may_edit": app.is_editable and may_report(request.user, app.enterprise),
            "may_review": app.status == Status.SUBMITTED
            and role_parent is not None
            and can_write(request.user, app.enterprise.parent, manage=True),  # type: ignore[arg-type]
            "review_form": ReviewForm(),
            "attachment_form": AttachmentForm(),
        },
    )


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    require_reporting(request.user, app.enterprise)
    form = ApplicationForm(instance=app)
    if request.method == "POST":
        form = ApplicationForm(request.POST, instance=Application.objects.get(pk=app.pk))
        if form.is_valid():
            try:
                services.save_application(
                    enterprise=app.enterprise,
                    user=request.user,
                    application=app,
                    data=form.cleaned_data,
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                messages.success(request, _("Application saved."))
                return redirect("resumption:application", pk=app.pk)
    return render(
        request,
        "resumption/application_form.html",
        {"org": app.enterprise, "form": form, "app": app},
    )


@login_required
def attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Attachments are served through the access path, never as public media URLs."""
    app = _application(request, pk)
    f = get_object_or_404(Attachment, application=app, pk=attachment_pk)
    return FileResponse(f.file.open("rb"), as_attachment=True, filename=f.name)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    require_reporting(request.user, app.enterprise)
    try:
        services.submit_application(application=app, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Application submitted to the association."))
    return redirect("resumption:application", pk=app.pk)


@login_required
@require_POST
def application_review(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    require_review(request.user, app.enterprise)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        services.review_application(
            application=app,
            user=request.user,
            approve="approve" in request.POST,
            comment=form.cleaned_data.get("comment", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Review recorded."))
    return redirect("resumption:application", pk=app.pk)


@login_required
@require_POST
def application_attach(request: HttpRequest, pk: int) -> HttpResponse:
    app = _application(request, pk)
    require_reporting(request.user, app.enterprise)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(
                application=app, user=request.user, file=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Attachment added."))
    else:
        messages.error(request, _("Choose a file to attach."))
    return redirect("resumption:application", pk=app.pk)


# --- Health checks ----------------------------------------------------------------------------


@login_required
def health(request: HttpRequest, pk: int) -> HttpResponse:
    org = enterprise_for(request.user, pk)
    day = day_asked(request)
    form = TemperatureForm(initial={"day": day})
    import_form = ImportForm()
    staff_form = StaffForm()
    import_errors: list = []
    if request.method == "POST":
        require_reporting(request.user, org)
        if "file" in request.FILES:
            import_form = ImportForm(request.POST, request.FILES)
            if import_form.is_valid():
                f = import_form.cleaned_data["file"]
                data = read_upload(f)
                mapping = {
                    k[4:]: str(request.POST.get(k, ""))
                    for k in request.POST
                    if k.startswith("map_") and request.POST.get(k)
                }
                count, import_errors = services.import_temperatures(
                    enterprise=org, user=request.user, data=data, filename=f.name, mapping=mapping
                )
                if not import_errors:
                    messages.success(request, _("%(n)s readings imported.") % {"n": count})
                    return redirect(f"{request.path}?day={day.isoformat()}")
                if any(e.row == 1 for e in import_errors):
                    # Columns not recognised: offer the file's headers to map them by hand.
                    try:
                        headers, _missing = services.temperature_headers(data, f.name)
                    except SheetError:
                        headers = []
                    import_form = ImportForm(headers=headers)
        elif "names" in request.POST:
            staff_form = StaffForm(request.POST)
            if staff_form.is_valid():
                try:
                    n = services.add_staff(
                        enterprise=org, names=staff_form.cleaned_data["names"].splitlines()
                    )
                except ValidationError as exc:
                    _errors_into(staff_form, exc)
                else:
                    messages.success(request, _("%(n)s names put on the staff list.") % {"n": n})
                    return redirect(f"{request.path}?day={day.isoformat()}")
        elif "remove" in request.POST:
            member = get_object_or_404(
                StaffMember, enterprise=org, pk=request.POST.get("remove") or 0
            )
            services.remove_staff(member=member)
            return redirect(f"{request.path}?day={day.isoformat()}")
        else:
            form = TemperatureForm(request.POST)
            if form.is_valid():
                try:
                    reading = services.record_temperature(
                        enterprise=org, user=request.user, **form.cleaned_data
                    )
                except ValidationError as exc:
                    _errors_into(form, exc)
                else:
                    if reading.is_fever:
                        messages.warning(
                            request, _("Fever recorded: follow it up under fever cases.")
                        )
                    return redirect(f"{request.path}?day={reading.day.isoformat()}")
    sheet = services.temperature_sheet(org, day)
    return render(
        request,
        "resumption/health.html",
        {
            "org": org,
            "day": day,
            "form": form,
            "import_form": import_form,
            "staff_form": staff_form,
            "import_errors": import_errors,
            "sheet": sheet,
            "staff": StaffMember.objects.filter(enterprise=org, is_active=True),
            "missing": {
                "am": sum(1 for r in sheet if r["listed"] and r["am"] is None),
                "pm": sum(1 for r in sheet if r["listed"] and r["pm"] is None),
            },
            "may_report": may_report(request.user, org),
        },
    )


@login_required
def health_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The import sheet: headers only (nothing in it can be imported by mistake), the time of
    day as a dropdown, the staff list's names as another, the rules and an example on a notes
    sheet."""
    org = enterprise_for(request.user, pk)
    names = list(
        StaffMember.objects.filter(enterprise=org, is_active=True).values_list("name", flat=True)
    )
    columns = [
        Col("姓名", choices=names[:500], strict=False, note=_("As on the staff list.")),
        Col("日期", Kind.DATE, note=_("For example 2020-02-10.")),
        Col("时段", choices=["早", "晚"], note=_("早 (morning) or 晚 (evening).")),
        Col("体温", Kind.NUMBER, note=_("In °C, for example 36.5.")),
    ]
    notes = [
        _("One row per person and reading; a second reading of the same time replaces the first."),
        _("A reading of 37.3 °C or more opens a fever case."),
        _("Nothing is imported while any row has an error; every error is listed."),
        _("Other column names are recognised too (员工, 温度, 早晚…), or can be matched by hand."),
    ]
    return bytes_response(
        f"体温导入模板-{org.name}.xlsx",
        template_xlsx(
            columns,
            sheet=_("Temperatures"),
            notes=notes,
            example=["张三", local_today().isoformat(), "早", "36.5"],
        ),
    )


@login_required
def fevers(request: HttpRequest) -> HttpResponseBase:
    lst = lists.FEVERS.bind(request, fevers_for(request.user))
    if lst.exporting:
        return lst.export(_("fever cases") + f"-{local_today()}.xlsx")
    return render(request, "resumption/fevers.html", {"list": lst})


@login_required
def fever(request: HttpRequest, pk: int) -> HttpResponse:
    case = get_for_user(
        request.user, FeverCase.objects.select_related("enterprise"), field="enterprise", pk=pk
    )
    form = NoteForm()
    if request.method == "POST":
        require_reporting(request.user, case.enterprise)
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.add_fever_note(
                    case=case,
                    user=request.user,
                    text=form.cleaned_data["text"],
                    close="close" in request.POST,
                )
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                return redirect("resumption:fever", pk=case.pk)
    return render(
        request,
        "resumption/fever.html",
        {
            "case": case,
            "notes": case.notes.select_related("by"),
            "form": form,
            "may_report": may_report(request.user, case.enterprise),
        },
    )


# --- Rent relief ------------------------------------------------------------------------------


def _totals(leases: list[Lease]) -> dict[str, Decimal]:
    rent = sum((x.rent_waived for x in leases), Decimal("0.00"))
    fee = sum((x.fee_waived for x in leases), Decimal("0.00"))
    return {"rent": rent, "fee": fee, "total": rent + fee}


@login_required
def relief(request: HttpRequest) -> HttpResponseBase:
    leases = lists.LEASES.bind(request, leases_for(request.user))
    if leases.exporting:
        return leases.export(_("rent relief") + f"-{local_today()}.xlsx")
    qs = scoped(
        request.user, ReliefProgramme.objects.select_related("landlord__parent"), field="landlord"
    )
    programmes = list(
        qs.prefetch_related(Prefetch("leases", queryset=Lease.objects.select_related("programme")))
    )
    rows: list[dict[str, Any]] = []
    for p in programmes:
        rows.append(
            {"programme": p, "leases": len(p.leases.all()), **_totals(list(p.leases.all()))}
        )
    writable = [
        e
        for e in visible_enterprises(request.user).order_by("path")[:200]
        if may_report(request.user, e)
    ]
    form = ProgrammeForm(
        landlords=visible_enterprises(request.user).filter(pk__in=[e.pk for e in writable])
    )
    if request.method == "POST":
        form = ProgrammeForm(request.POST, landlords=visible_enterprises(request.user))
        if form.is_valid():
            landlord = enterprise_for(request.user, form.cleaned_data["landlord"].pk, write=True)
            data = {k: v for k, v in form.cleaned_data.items() if k != "landlord"}
            try:
                programme = services.save_programme(landlord=landlord, **data)
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                return redirect("resumption:programme", pk=programme.pk)
    by_association: dict[str, Decimal] = {}
    for r in rows:
        parent = r["programme"].landlord.parent
        key = parent.name if parent else ""
        by_association[key] = by_association.get(key, Decimal("0.00")) + r["total"]
    return render(
        request,
        "resumption/relief.html",
        {
            "rows": rows,
            "form": form,
            "may_create": bool(writable),
            "by_association": sorted(by_association.items()),
            "grand": _totals([lease for p in programmes for lease in p.leases.all()]),
        },
    )


@login_required
def programme(request: HttpRequest, pk: int) -> HttpResponseBase:
    p = get_for_user(
        request.user, ReliefProgramme.objects.select_related("landlord"), field="landlord", pk=pk
    )
    form = LeaseForm(initial={"starts_on": p.starts_on})
    if request.method == "POST":
        require_reporting(request.user, p.landlord)
        form = LeaseForm(request.POST)
        if form.is_valid():
            try:
                services.add_lease(programme=p, **form.cleaned_data)
            except ValidationError as exc:
                _errors_into(form, exc)
            else:
                return redirect("resumption:programme", pk=p.pk)
    if request.GET.get("export") == "xlsx":
        one = lists.LEASES.bind(request, leases_for(request.user).filter(programme=p))
        return one.export(f"{p.name}.xlsx")
    leases = list(p.leases.select_related("programme"))
    return render(
        request,
        "resumption/programme.html",
        {
            "p": p,
            "leases": leases,
            "totals": _totals(leases),
            "form": form,
            "may_report": may_report(request.user, p.landlord),
        },
    )


@login_required
@require_POST
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    from django.utils import timezone

    updated = Notification.objects.filter(user=cast(User, request.user), pk=pk).update(
        read_at=timezone.now()
    )
    if not updated:
        raise Http404
    return HttpResponse("")
