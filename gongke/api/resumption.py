"""/api/v1/resumption: applications, daily reports, missing reports, temperatures, fevers, relief,
dashboard figures — the same services and access path as the pages. Creating calls take an
Idempotency-Key; a daily report is also unique per (enterprise, day), so a retry never makes two."""

import datetime as dt
import json
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from gongke.accounts.access import get_for_user, reference_organizations, scoped
from gongke.lib.excel import read_upload
from gongke.resumption import services, stats
from gongke.resumption.access import (
    body_for,
    dashboard_org,
    enterprise_for,
    require_reporting,
    require_review,
)
from gongke.resumption.models import (
    Application,
    ApplicationEvent,
    DailyReport,
    FeverCase,
    Lease,
    ReliefProgramme,
    ReportingSettings,
    StaffTemperature,
    local_today,
)

from .idempotency import once
from .pagination import Pages
from .schemas import In, Yuan

router = Router()


class ReportIn(In):
    model = DailyReport

    enterprise_id: int
    day: dt.date | None = None
    staff_on_site: int
    staff_returned: int = 0
    staff_isolated: int = 0
    vehicles: int = 0
    fevers: int = 0
    masks: int = 0
    disinfectant_litres: Decimal = Decimal("0")
    note: str = ""


class ReportOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str = Field(..., alias="enterprise.name")
    day: dt.date
    staff_on_site: int
    staff_returned: int
    staff_isolated: int
    vehicles: int
    fevers: int
    masks: int
    disinfectant_litres: Decimal
    mask_cover_days: Decimal | None
    note: str
    carried_forward: bool
    late: bool
    submitted_at: dt.datetime


@router.get("/reports", response=list[ReportOut])
@paginate(Pages, page_size=100)
def list_reports(
    request: HttpRequest,
    day: dt.date | None = None,
    enterprise_id: int | None = None,
    late: bool | None = None,
):
    qs = scoped(request.user, DailyReport.objects.select_related("enterprise"), field="enterprise")
    if day:
        qs = qs.filter(day=day)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    if late is not None:
        qs = qs.filter(late=late)
    return qs.order_by("-day", "enterprise__path")


@router.post("/reports", response={200: ReportOut, 201: ReportOut})
def submit_report(request: HttpRequest, payload: ReportIn):
    enterprise = enterprise_for(request.user, payload.enterprise_id, write=True)

    def create():
        report, created = services.submit_report(
            enterprise=enterprise,
            user=request.user,
            day=payload.day,
            data=payload.dict(exclude={"enterprise_id", "day"}),
        )
        return (201 if created else 200), ReportOut.from_orm(report)

    return once(request, request.headers.get("Idempotency-Key"), "resumption.report", create)


class CarryIn(In):
    enterprise_id: int
    day: dt.date | None = None


@router.post("/reports/carry-forward", response={201: ReportOut})
def carry_forward(request: HttpRequest, payload: CarryIn):
    enterprise = enterprise_for(request.user, payload.enterprise_id, write=True)

    def create():
        report = services.carry_forward(enterprise=enterprise, user=request.user, day=payload.day)
        return 201, ReportOut.from_orm(report)

    return once(request, request.headers.get("Idempotency-Key"), "resumption.report.carry", create)


class ReportBatchRow(In):
    model = DailyReport

    enterprise_id: int
    staff_on_site: int | None = None
    staff_returned: int | None = None
    staff_isolated: int | None = None
    vehicles: int | None = None
    fevers: int | None = None
    masks: int | None = None
    disinfectant_litres: Decimal | None = None


class ReportBatchIn(In):
    association_id: int
    day: dt.date | None = None
    rows: list[ReportBatchRow]


@router.post("/reports/batch", response={201: list[ReportOut]})
def submit_batch(request: HttpRequest, payload: ReportBatchIn):
    association = body_for(request.user, payload.association_id, manage=True)

    def create():
        rows = {r.enterprise_id: r.dict(exclude={"enterprise_id"}) for r in payload.rows}
        reports = services.submit_batch(
            association=association, user=request.user, rows=rows, day=payload.day
        )
        return 201, [ReportOut.from_orm(r) for r in reports]

    return once(request, request.headers.get("Idempotency-Key"), "resumption.report.batch", create)


class MissingOut(Schema):
    id: int
    name: str
    association: str = Field(..., alias="parent.name")
    contact_name: str
    contact_phone: str = Field(..., alias="masked_contact_phone")


@router.get("/missing", response=list[MissingOut])
def list_missing(
    request: HttpRequest, organization_id: int | None = None, day: dt.date | None = None
):
    org = dashboard_org(request.user, organization_id)
    return list(services.missing_enterprises(org, day or local_today()))


class ApplicationIn(In):
    model = Application

    enterprise_id: int
    category: str
    batch: int = 1
    planned_date: dt.date
    staff_total: int
    staff_planned: int
    responsible_person: str = ""
    responsible_phone: str = ""
    masks_in_stock: int = 0
    masks_per_person_day: int = 2
    disinfectant_litres: Decimal = Decimal("0")
    disinfectant_per_person_day: Decimal = Decimal("0.020")
    temperature_twice_daily: bool = False
    distancing: bool = False
    disinfection: bool = False
    vehicle_rules: bool = False
    note: str = ""
    submit: bool = False


class EventOut(Schema):
    action: str
    comment: str
    by: str | None = Field(None, alias="by.username")
    at: dt.datetime


class ApplicationOut(Schema):
    id: int
    enterprise_id: int
    enterprise: str = Field(..., alias="enterprise.name")
    category: str
    batch: int
    planned_date: dt.date
    staff_total: int
    staff_planned: int
    responsible_person: str
    masks_in_stock: int
    mask_cover_days: Decimal | None
    disinfectant_litres: Decimal
    disinfectant_cover_days: Decimal | None
    temperature_twice_daily: bool
    distancing: bool
    disinfection: bool
    vehicle_rules: bool
    status: str
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None
    events: list[EventOut] = Field(..., alias="event_list")


def _with_events(qs):
    events = ApplicationEvent.objects.select_related("by").order_by("at", "pk")
    return qs.prefetch_related(Prefetch("events", queryset=events, to_attr="event_list"))


def _out(application: Application) -> ApplicationOut:
    application.event_list = list(  # type: ignore[attr-defined]
        application.events.select_related("by").order_by("at", "pk")
    )
    return ApplicationOut.from_orm(application)


@router.get("/applications", response=list[ApplicationOut])
@paginate(Pages, page_size=50)
def list_applications(
    request: HttpRequest, status: str | None = None, enterprise_id: int | None = None
):
    qs = scoped(request.user, Application.objects.select_related("enterprise"), field="enterprise")
    if status:
        qs = qs.filter(status=status)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    # Models, not schemas: the paginator slices the query and ninja validates each row once.
    return _with_events(qs).order_by("-created_at", "pk")


@router.get("/applications/{app_id}", response=ApplicationOut)
def get_application(request: HttpRequest, app_id: int):
    return _out(
        get_for_user(
            request.user,
            Application.objects.select_related("enterprise"),
            field="enterprise",
            pk=app_id,
        )
    )


@router.post("/applications", response={201: ApplicationOut})
def create_application(request: HttpRequest, payload: ApplicationIn):
    enterprise = enterprise_for(request.user, payload.enterprise_id, write=True)

    def create():
        # Save-and-submit is one step: refused supplies leave no draft behind.
        with transaction.atomic():
            application = services.save_application(
                enterprise=enterprise,
                user=request.user,
                data=payload.dict(exclude={"enterprise_id", "submit"}),
            )
            if payload.submit:
                application = services.submit_application(
                    application=application, user=request.user
                )
        return 201, _out(application)

    return once(request, request.headers.get("Idempotency-Key"), "resumption.application", create)


def _application_for(request: HttpRequest, app_id: int) -> Application:
    return get_for_user(
        request.user,
        Application.objects.select_related("enterprise__parent"),
        field="enterprise",
        pk=app_id,
    )


@router.post("/applications/{app_id}/submit", response=ApplicationOut)
def submit_application(request: HttpRequest, app_id: int):
    application = _application_for(request, app_id)
    require_reporting(request.user, application.enterprise)
    return _out(services.submit_application(application=application, user=request.user))


class ReviewIn(In):
    approve: bool
    comment: str = ""


@router.post("/applications/{app_id}/review", response=ApplicationOut)
def review_application(request: HttpRequest, app_id: int, payload: ReviewIn):
    application = _application_for(request, app_id)
    require_review(request.user, application.enterprise)
    return _out(
        services.review_application(
            application=application,
            user=request.user,
            approve=payload.approve,
            comment=payload.comment,
        )
    )


class AttachmentOut(Schema):
    id: int
    name: str
    size: int


@router.post("/applications/{app_id}/attachments", response={201: AttachmentOut})
def add_attachment(request: HttpRequest, app_id: int, file: File[UploadedFile]):
    application = _application_for(request, app_id)
    require_reporting(request.user, application.enterprise)

    def create():
        attachment = services.add_attachment(application=application, user=request.user, file=file)
        return 201, AttachmentOut.from_orm(attachment)

    return once(request, request.headers.get("Idempotency-Key"), "resumption.attachment", create)


class TemperatureIn(In):
    model = StaffTemperature

    enterprise_id: int
    person_name: str
    day: dt.date | None = None
    slot: str
    temperature: Decimal


class TemperatureOut(Schema):
    id: int
    enterprise_id: int
    person_name: str
    day: dt.date
    slot: str
    temperature: Decimal
    is_fever: bool


@router.post("/temperatures", response={201: TemperatureOut})
def record_temperature(request: HttpRequest, payload: TemperatureIn):
    enterprise = enterprise_for(request.user, payload.enterprise_id, write=True)

    def create():
        reading = services.record_temperature(
            enterprise=enterprise,
            user=request.user,
            person_name=payload.person_name,
            day=payload.day or local_today(),
            slot=payload.slot,
            temperature=payload.temperature,
        )
        return 201, TemperatureOut.from_orm(reading)

    return once(request, request.headers.get("Idempotency-Key"), "resumption.temperature", create)


class TemperatureImportError(Schema):
    row: int
    column: str
    message: str


class TemperatureImportOut(Schema):
    ok: bool
    imported: int
    errors: list[TemperatureImportError]


@router.post(
    "/temperatures/import",
    response={201: TemperatureImportOut, 422: TemperatureImportOut},
)
def import_temperatures(
    request: HttpRequest,
    enterprise_id: Form[int],
    file: File[UploadedFile],
    mapping: Form[str] = "",
):
    """The staff temperature sheet as the page imports it (the template's columns, or headers
    that differ; `mapping` as JSON {"name"|"day"|"slot"|"temperature": "the file's header"}).
    A readings' slot is unique per person and day, so sending the file again changes nothing."""
    enterprise = enterprise_for(request.user, enterprise_id, write=True)
    try:
        chosen = json.loads(mapping) if mapping else None
    except ValueError:
        chosen = None
    if not isinstance(chosen, dict):
        chosen = None
    count, errors = services.import_temperatures(
        enterprise=enterprise,
        user=request.user,
        data=read_upload(file),
        filename=file.name or "",
        mapping={str(k): str(v) for k, v in chosen.items()} if chosen else None,
    )
    body = {"ok": not errors, "imported": count, "errors": [e.as_dict() for e in errors]}
    return Status(422 if errors else 201, body)


class FeverOut(Schema):
    id: int
    enterprise_id: int
    person_name: str
    temperature: Decimal
    day: dt.date
    is_open: bool
    outcome: str


@router.get("/fevers", response=list[FeverOut])
@paginate(Pages, page_size=100)
def list_fevers(request: HttpRequest, open: bool | None = None):
    qs = scoped(request.user, FeverCase.objects.all(), field="enterprise")
    if open is not None:
        qs = qs.filter(closed_at__isnull=open)
    return qs


class FeverNoteIn(In):
    text: str
    close: bool = False


@router.post("/fevers/{case_id}/notes", response={201: FeverOut})
def add_fever_note(request: HttpRequest, case_id: int, payload: FeverNoteIn):
    case = get_for_user(
        request.user, FeverCase.objects.select_related("enterprise"), field="enterprise", pk=case_id
    )
    require_reporting(request.user, case.enterprise)

    def create():
        done = services.add_fever_note(
            case=case, user=request.user, text=payload.text, close=payload.close
        )
        return 201, FeverOut.from_orm(done)

    return once(request, request.headers.get("Idempotency-Key"), "resumption.fever.note", create)


class ProgrammeOut(Schema):
    id: int
    landlord_id: int
    landlord: str
    name: str
    rent_percentages: list[int]
    fee_percentages: list[int]
    leases: int
    rent_waived: Yuan
    fee_waived: Yuan
    total_waived: Yuan


class ProgrammeIn(In):
    model = ReliefProgramme

    landlord_id: int
    name: str
    rent_percentages: list[int]
    fee_percentages: list[int] = []
    starts_on: dt.date


class LeaseIn(In):
    model = Lease

    tenant_name: str = ""
    tenant_id: int | None = None
    premises: str = ""
    monthly_rent: Decimal
    monthly_fee: Decimal = Decimal("0")
    starts_on: dt.date
    ends_on: dt.date | None = None


class LeaseOut(Schema):
    id: int
    tenant_name: str
    starts_on: dt.date
    ends_on: dt.date | None
    monthly_rent: Yuan
    monthly_fee: Yuan
    rent_waived: Yuan
    fee_waived: Yuan
    total_waived: Yuan


@router.post("/relief", response={201: dict})
def create_programme(request: HttpRequest, payload: ProgrammeIn):
    landlord = enterprise_for(request.user, payload.landlord_id, write=True)

    def create():
        programme = services.save_programme(
            landlord=landlord,
            name=payload.name,
            rent_percentages=payload.rent_percentages,
            fee_percentages=payload.fee_percentages,
            starts_on=payload.starts_on,
        )
        return 201, {"id": programme.pk}

    return once(request, request.headers.get("Idempotency-Key"), "resumption.relief", create)


@router.post("/relief/{programme_id}/leases", response={201: LeaseOut})
def add_lease(request: HttpRequest, programme_id: int, payload: LeaseIn):
    programme = get_for_user(
        request.user,
        ReliefProgramme.objects.select_related("landlord"),
        field="landlord",
        pk=programme_id,
    )
    require_reporting(request.user, programme.landlord)
    # A member tenant is anyone the user may pick from: their own subtree and the ancestors'.
    tenant = (
        get_for_user(
            request.user, reference_organizations(request.user), field="", pk=payload.tenant_id
        )
        if payload.tenant_id
        else None
    )

    def create():
        lease = services.add_lease(
            programme=programme, tenant=tenant, **payload.dict(exclude={"tenant_id"})
        )
        return 201, LeaseOut.from_orm(lease)

    return once(request, request.headers.get("Idempotency-Key"), "resumption.lease", create)


@router.get("/relief", response=list[ProgrammeOut])
def list_relief(request: HttpRequest):
    qs = scoped(
        request.user,
        ReliefProgramme.objects.select_related("landlord").prefetch_related("leases"),
        field="landlord",
    )
    out = []
    for p in qs:
        leases = list(p.leases.all())
        rent = sum((lease.rent_waived for lease in leases), Decimal("0.00"))
        fee = sum((lease.fee_waived for lease in leases), Decimal("0.00"))
        out.append(
            {
                "id": p.pk,
                "landlord_id": p.landlord_id,
                "landlord": p.landlord.name,
                "name": p.name,
                "rent_percentages": p.rent_percentages,
                "fee_percentages": p.fee_percentages or [],
                "leases": len(leases),
                "rent_waived": rent,
                "fee_waived": fee,
                "total_waived": rent + fee,
            }
        )
    return out


class SettingsIn(In):
    model = ReportingSettings

    deadline: dt.time | None = None
    webhook_url: str | None = None
    email_reminders: bool | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None


class SettingsOut(Schema):
    association_id: int
    deadline: dt.time
    webhook_url: str
    email_reminders: bool
    period_start: dt.date | None
    period_end: dt.date | None


@router.get("/settings/{association_id}", response=SettingsOut)
def get_settings(request: HttpRequest, association_id: int):
    # The robot's address is a secret: managers only, for reading too.
    association = body_for(request.user, association_id, manage=True)
    config = ReportingSettings.objects.filter(association=association).first()
    return config or ReportingSettings(association=association)


@router.put("/settings/{association_id}", response=SettingsOut)
def put_settings(request: HttpRequest, association_id: int, payload: SettingsIn):
    association = body_for(request.user, association_id, manage=True)
    return services.save_reporting_settings(
        association=association, data=payload.dict(exclude_none=True)
    )


@router.get("/dashboard")
def dashboard(
    request: HttpRequest,
    organization_id: int | None = None,
    day: dt.date | None = None,
    days: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
):
    """Figures for `day` (default today) and the trend over the last `days` (7, 30 or 60) days
    up to it, or from `start` to `end`; each trend day says whether it is today, still open."""
    org = dashboard_org(request.user, organization_id)
    day = day or local_today()
    asked = {"days": str(days or ""), "start": str(start or ""), "end": str(end or "")}
    period = stats.period_asked(asked, day)
    return {
        "organization_id": org.pk,
        "day": day,
        "period": {"start": period.start, "end": period.end, "label": period.label},
        "overview": stats.overview(org, day),
        "trend": stats.trend(org, period),
        "associations": stats.per_association(org, period),
    }
