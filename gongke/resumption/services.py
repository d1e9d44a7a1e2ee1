"""Writes of the work-resumption app. Web views and the API call these same functions."""

import datetime as dt
import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gongke.accounts.models import Membership, Role
from gongke.lib.excel import RowError, SheetError, map_headers, read_rows
from gongke.lib.lengths import too_long
from gongke.lib.robots import post_webhook
from gongke.registry.models import Organization, OrgKind

from .models import (
    FEVER_AT,
    LOCAL,
    REPORT_FIGURES,
    Application,
    ApplicationEvent,
    Attachment,
    DailyReport,
    FeverCase,
    FeverNote,
    Lease,
    Notification,
    ReliefProgramme,
    ReminderRun,
    ReportingSettings,
    ReviewAction,
    Slot,
    StaffMember,
    StaffTemperature,
    Status,
    deadline_for,
    local_today,
    validate_attachment,
)

log = logging.getLogger(__name__)

APPLICATION_FIELDS = [
    "category",
    "batch",
    "planned_date",
    "staff_total",
    "staff_planned",
    "responsible_person",
    "responsible_phone",
    "masks_in_stock",
    "masks_per_person_day",
    "disinfectant_litres",
    "disinfectant_per_person_day",
    "temperature_twice_daily",
    "distancing",
    "disinfection",
    "vehicle_rules",
    "note",
]


def _require_enterprise(org: Organization) -> None:
    if org.kind != OrgKind.ENTERPRISE:
        raise ValidationError(_("Only a member enterprise can do this."))


# --- Applications ---------------------------------------------------------------------------


@transaction.atomic
def save_application(
    *,
    enterprise: Organization,
    user: Any,
    data: dict[str, Any],
    application: Application | None = None,
) -> Application:
    """Create a draft or change a draft/returned application."""
    _require_enterprise(enterprise)
    if application is None:
        application = Application(enterprise=enterprise, created_by=user)
    elif not application.is_editable:
        raise ValidationError(_("A submitted or approved application can no longer be changed."))
    for name, value in data.items():
        if name in APPLICATION_FIELDS:
            setattr(application, name, value)
    if not application.responsible_person:
        application.responsible_person = enterprise.legal_representative
    application.full_clean(exclude=["enterprise", "created_by"])
    application.save()
    return application


@transaction.atomic
def submit_application(*, application: Application, user: Any) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_editable:
        raise ValidationError(_("This application has already been submitted."))
    _counts_from_stock(application)
    errors = application.checklist_errors()
    if errors:
        raise ValidationError(errors)
    action = (
        ReviewAction.RESUBMITTED
        if application.status == Status.RETURNED
        else ReviewAction.SUBMITTED
    )
    application.status = Status.SUBMITTED
    application.submitted_at = timezone.now()
    application.save(update_fields=["status", "submitted_at", "updated_at"])
    ApplicationEvent.objects.create(application=application, action=action, by=user)
    return application


def _counts_from_stock(application: Application) -> None:
    """Where Gongke keeps the enterprise's prevention stock (supplies), the 15-day check counts
    that stock, not the figures typed into the application."""
    from gongke.supplies.services import prevention_stock

    known = prevention_stock(application.enterprise)
    changed = []
    if known.masks is not None and known.masks != application.masks_in_stock:
        application.masks_in_stock = known.masks
        changed.append("masks_in_stock")
    if known.disinfectant_litres is not None:
        application.disinfectant_litres = known.disinfectant_litres.quantize(Decimal("0.01"))
        changed.append("disinfectant_litres")
    if changed:
        application.save(update_fields=[*changed, "updated_at"])


@transaction.atomic
def review_application(
    *, application: Application, user: Any, approve: bool, comment: str = ""
) -> Application:
    """The association approves, or returns the application with comments saying what to change."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Status.SUBMITTED:
        raise ValidationError(_("Only a submitted application can be reviewed."))
    comment = comment.strip()
    if not approve and not comment:
        raise ValidationError(
            {"comment": [_("Say what must be changed when returning an application.")]}
        )
    application.status = Status.APPROVED if approve else Status.RETURNED
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    ApplicationEvent.objects.create(
        application=application,
        by=user,
        comment=comment,
        action=ReviewAction.APPROVED if approve else ReviewAction.RETURNED,
    )
    return application


@transaction.atomic
def add_attachment(*, application: Application, user: Any, file: Any) -> Attachment:
    if not application.is_editable:
        raise ValidationError(_("A submitted or approved application can no longer be changed."))
    validate_attachment(file)
    return Attachment.objects.create(
        application=application, file=file, name=file.name[:200], size=file.size, uploaded_by=user
    )


# --- Daily reports --------------------------------------------------------------------------


def _figures(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in REPORT_FIGURES:
        value = data.get(name)
        if value in (None, ""):
            if name == "staff_on_site":
                errors[name] = [_("This field is required.")]
            continue
        try:
            number: Any = Decimal(str(value)) if name == "disinfectant_litres" else int(value)
        except (ValueError, TypeError, InvalidOperation):
            errors[name] = [_("Enter a whole number.")]
            continue
        if number < 0:
            errors[name] = [_("A figure cannot be negative.")]
            continue
        if name == "disinfectant_litres":
            number = number.quantize(Decimal("0.01"))
        out[name] = number
    if not errors and out.get("staff_isolated", 0) > out.get("staff_on_site", 0) + out.get(
        "staff_returned", 0
    ):
        errors["staff_isolated"] = [
            _("More staff in isolation than staff on site and back from elsewhere.")
        ]
    if errors:
        raise ValidationError(errors)
    if data.get("note"):
        out["note"] = str(data["note"]).strip()[:500]
    return out


HISTORY_CACHE_SECONDS = 300


def history_generation() -> int:
    return cache.get_or_set("resumption:history-generation", 1, None) or 1


def _past_day_changed() -> None:
    try:
        cache.incr("resumption:history-generation")
    except ValueError:
        cache.set("resumption:history-generation", 2, None)


def _save_report(
    *,
    enterprise: Organization,
    user: Any,
    day: dt.date,
    figures: dict[str, Any],
    now: dt.datetime,
    carried_forward: bool = False,
) -> tuple[DailyReport, bool]:
    late = now > deadline_for(enterprise.parent, day)
    if day < now.astimezone(LOCAL).date():
        transaction.on_commit(_past_day_changed)
    defaults = dict(figures, carried_forward=carried_forward)
    report = DailyReport.objects.filter(enterprise=enterprise, day=day).first()
    if report is not None:
        for name, value in defaults.items():
            setattr(report, name, value)
        report.save()
        return report, False
    try:
        with transaction.atomic():
            report = DailyReport.objects.create(
                enterprise=enterprise,
                day=day,
                submitted_at=now,
                late=late,
                submitted_by=user,
                **defaults,
            )
    except IntegrityError:
        # A double submit raced us: the first one made the row; this one updates it.
        report = DailyReport.objects.get(enterprise=enterprise, day=day)
        for name, value in defaults.items():
            setattr(report, name, value)
        report.save()
        return report, False
    # The report is in: the reminders to send it no longer apply.
    Notification.objects.filter(
        enterprise=enterprise, day=day, kind="missing_report", read_at__isnull=True
    ).update(read_at=now)
    return report, True


def _check_day(day: dt.date, today: dt.date) -> None:
    if day > today:
        raise ValidationError(
            {"day": [_("A report cannot be made for a day that has not come yet.")]}
        )


@transaction.atomic
def submit_report(
    *,
    enterprise: Organization,
    user: Any,
    data: dict[str, Any],
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> tuple[DailyReport, bool]:
    """Record an enterprise's figures for a day; a second submission the same day corrects them."""
    _require_enterprise(enterprise)
    now = now or timezone.now()
    today = now.astimezone(LOCAL).date()
    day = day or today
    _check_day(day, today)
    return _save_report(enterprise=enterprise, user=user, day=day, figures=_figures(data), now=now)


@transaction.atomic
def carry_forward(
    *,
    enterprise: Organization,
    user: Any,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> DailyReport:
    """Nothing changed since yesterday: repeat yesterday's figures as today's report."""
    _require_enterprise(enterprise)
    now = now or timezone.now()
    day = day or now.astimezone(LOCAL).date()
    previous = DailyReport.objects.filter(
        enterprise=enterprise, day=day - dt.timedelta(days=1)
    ).first()
    if previous is None:
        raise ValidationError(_("There is no report from the day before to carry forward."))
    figures = {name: getattr(previous, name) for name in REPORT_FIGURES}
    report, _created = _save_report(
        enterprise=enterprise, user=user, day=day, figures=figures, now=now, carried_forward=True
    )
    return report


@transaction.atomic
def submit_batch(
    *,
    association: Organization,
    user: Any,
    rows: dict[int, dict[str, Any]],
    day: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[DailyReport]:
    """An association reports for many members at once. Rows left blank are skipped; nothing is
    saved unless every filled row is valid (errors come back keyed by enterprise id)."""
    now = now or timezone.now()
    today = now.astimezone(LOCAL).date()
    day = day or today
    _check_day(day, today)
    members = {o.pk: o for o in member_enterprises(association).filter(pk__in=list(rows))}
    errors: dict[str, list[str]] = {}
    cleaned: list[tuple[Organization, dict[str, Any]]] = []
    for pk, data in rows.items():
        if pk not in members:
            raise PermissionDenied(_("Not a member of this association."))
        if all(data.get(n) in (None, "") for n in REPORT_FIGURES):
            continue
        try:
            cleaned.append((members[pk], _figures(data)))
        except ValidationError as exc:
            errors[str(pk)] = [f"{members[pk].name}: {m}" for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    return [
        _save_report(enterprise=e, user=user, day=day, figures=f, now=now)[0] for e, f in cleaned
    ]


def member_enterprises(org: Organization) -> QuerySet[Organization]:
    """Active enterprises under an association (or under any body, for a federation's view)."""
    return Organization.objects.filter(
        path__startswith=org.path, kind=OrgKind.ENTERPRISE, is_active=True
    )


def expected_q(day: dt.date, prefix: str = "") -> Q:
    """Enterprises expected to report on `day`: their association's reporting period (when it
    has one) holds the day."""
    settings_ = f"{prefix}parent__reporting_settings__"
    return ~Q(**{f"{settings_}period_start__gt": day}) & ~Q(**{f"{settings_}period_end__lt": day})


def expected_enterprises(org: Organization, day: dt.date) -> QuerySet[Organization]:
    return member_enterprises(org).filter(expected_q(day))


def missing_enterprises(org: Organization, day: dt.date) -> QuerySet[Organization]:
    reported = DailyReport.objects.filter(enterprise=OuterRef("pk"), day=day)
    return (
        expected_enterprises(org, day)
        .filter(~Exists(reported))
        .select_related("parent")
        .order_by("path")
    )


# --- Reminders ------------------------------------------------------------------------------


def send_reminders(*, association: Organization, day: dt.date) -> ReminderRun | None:
    """Remind the reporters of every member that has not reported for `day`: in the app, by email
    and through the group robot. Runs once per association and day."""
    missing = list(missing_enterprises(association, day).filter(parent=association))
    run, created = ReminderRun.objects.get_or_create(
        association=association, day=day, defaults={"missing": len(missing)}
    )
    if not created:
        return None
    if not missing:
        return run
    config = ReportingSettings.objects.filter(association=association).first()
    reporters = Membership.objects.filter(
        organization__in=missing, role=Role.REPORTER
    ).select_related("user", "organization")
    notices = []
    emails = 0
    for m in reporters:
        message = _(
            "%(enterprise)s has not sent its daily report for %(day)s yet. Please report now."
        ) % {"enterprise": m.organization.name, "day": day.isoformat()}
        notices.append(
            Notification(user=m.user, enterprise=m.organization, day=day, message=message)
        )
        if m.user.email and (config is None or config.email_reminders):
            emails += send_mail(
                _("Daily report missing"),
                message,
                settings.DEFAULT_FROM_EMAIL,
                [m.user.email],
                fail_silently=True,
            )
    Notification.objects.bulk_create(notices, ignore_conflicts=True)
    run.emails = emails
    if config and config.webhook_url:
        names = "、".join(e.name for e in missing[:30])
        more = _(" and %(n)s more") % {"n": len(missing) - 30} if len(missing) > 30 else ""
        text = _(
            "%(association)s · %(day)s: %(n)s members have not reported yet: %(names)s%(more)s"
        ) % {
            "association": association.name,
            "day": day.isoformat(),
            "n": len(missing),
            "names": names,
            "more": more,
        }
        run.webhook_status = post_webhook(config.webhook_url, text)
    run.save(update_fields=["emails", "webhook_status"])
    return run


def due_associations(now: dt.datetime) -> list[Organization]:
    """Associations whose deadline has passed today and whose reminders have not gone out."""
    local = now.astimezone(LOCAL)
    day = local.date()
    parents = Organization.objects.filter(
        pk__in=Organization.objects.filter(kind=OrgKind.ENTERPRISE, is_active=True).values(
            "parent_id"
        )
    )
    done = set(ReminderRun.objects.filter(day=day).values_list("association_id", flat=True))
    deadlines = dict(ReportingSettings.objects.values_list("association_id", "deadline"))
    from .models import DEFAULT_DEADLINE

    return [
        a
        for a in parents
        if a.pk not in done and local.time() >= deadlines.get(a.pk, DEFAULT_DEADLINE)
    ]


def remind_due(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    day = now.astimezone(LOCAL).date()
    sent = 0
    for association in due_associations(now):
        if send_reminders(association=association, day=day) is not None:
            sent += 1
    return sent


@transaction.atomic
def save_reporting_settings(
    *, association: Organization, data: dict[str, Any]
) -> ReportingSettings:
    if association.kind == OrgKind.ENTERPRISE:
        raise ValidationError(_("Reporting settings belong to an association, not an enterprise."))
    config, _created = ReportingSettings.objects.get_or_create(association=association)
    for name in ("deadline", "webhook_url", "email_reminders", "period_start", "period_end"):
        if name in data:
            setattr(config, name, data[name])
    config.full_clean(exclude=["association"])
    config.save()
    return config


# --- Health checks --------------------------------------------------------------------------


def _open_fever(reading: StaffTemperature) -> None:
    if reading.temperature >= FEVER_AT:
        FeverCase.objects.get_or_create(
            reading=reading,
            defaults={
                "enterprise": reading.enterprise,
                "person_name": reading.person_name,
                "temperature": reading.temperature,
                "day": reading.day,
            },
        )


def _temperature(value: Any) -> Decimal:
    try:
        t = Decimal(str(value).replace("℃", "").replace("°C", "").strip()).quantize(Decimal("0.1"))
    except InvalidOperation:
        raise ValidationError(_("Enter a temperature such as 36.5."))
    if not Decimal("34.0") <= t <= Decimal("43.0"):
        raise ValidationError(_("A temperature must lie between 34.0 and 43.0 °C."))
    return t


@transaction.atomic
def record_temperature(
    *,
    enterprise: Organization,
    user: Any,
    person_name: str,
    day: dt.date,
    slot: str,
    temperature: Any,
) -> StaffTemperature:
    _require_enterprise(enterprise)
    name = person_name.strip()
    if not name:
        raise ValidationError({"person_name": [_("This field is required.")]})
    if slot not in Slot.values:
        raise ValidationError({"slot": [_("Choose morning or afternoon.")]})
    try:
        t = _temperature(temperature)
    except ValidationError as exc:
        raise ValidationError({"temperature": exc.messages})
    reading, created = StaffTemperature.objects.update_or_create(
        enterprise=enterprise,
        person_name=name,
        day=day,
        slot=slot,
        defaults={"temperature": t, "recorded_by": user},
    )
    _open_fever(reading)
    return reading


SLOT_WORDS = {
    "am": Slot.AM,
    "pm": Slot.PM,
    "上午": Slot.AM,
    "下午": Slot.PM,
    "早": Slot.AM,
    "晚": Slot.PM,
    "morning": Slot.AM,
    "afternoon": Slot.PM,
    "evening": Slot.PM,
    "早上": Slot.AM,
    "晚上": Slot.PM,
}
# Each column by the names people give it (compared by gongke.lib.excel.header_key: script,
# case, spaces and units in brackets do not matter); the template's header comes first.
IMPORT_COLUMNS = {
    "name": ["姓名", "name", "员工", "员工姓名", "人员", "职工姓名", "person"],
    "day": ["日期", "day", "date", "测温日期"],
    "slot": ["时段", "slot", "早晚", "早/晚", "上午下午", "time of day"],
    "temperature": ["体温", "temperature", "温度", "体温℃", "测温结果"],
}


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        raise ValidationError(_("Enter a date such as 2020-02-10."))


def import_temperatures(
    *,
    enterprise: Organization,
    user: Any,
    data: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
) -> tuple[int, list[RowError]]:
    """Import readings from a spreadsheet (姓名, 日期, 时段, 体温, or headers that differ: see
    IMPORT_COLUMNS, or `mapping` column → the file's header as the user chose it). Every bad row
    is reported by row and column; nothing is saved unless the whole file is clean."""
    _require_enterprise(enterprise)
    try:
        readings, errors = _read_temperatures(
            enterprise=enterprise, user=user, data=data, filename=filename, mapping=mapping
        )
    except SheetError as exc:
        return 0, [RowError(1, "", str(exc))]
    if errors:
        return 0, errors
    # Parsed and checked before the write lock is taken: passages never wait on a spreadsheet.
    with transaction.atomic():
        return _save_temperatures(
            enterprise=enterprise, user=user, filename=filename, readings=readings
        )


NAME_LENGTH = StaffTemperature._meta.get_field("person_name").max_length or 0


def temperature_headers(data: bytes, filename: str) -> tuple[list[str], list[str]]:
    """The file's headers and the columns not found among them (for the mapping form)."""
    headers, _rows = read_rows(data, filename)
    return headers, map_headers(headers, IMPORT_COLUMNS)[1]


def _read_temperatures(
    *,
    enterprise: Organization,
    user: Any,
    data: bytes,
    filename: str,
    mapping: dict[str, str] | None = None,
) -> tuple[dict[tuple[str, dt.date, str], StaffTemperature], list[RowError]]:
    headers, rows = read_rows(data, filename)
    column, missing = map_headers(headers, IMPORT_COLUMNS, mapping)
    if missing:
        return {}, [RowError(1, IMPORT_COLUMNS[m][0], _("The column is missing.")) for m in missing]
    errors: list[RowError] = []
    readings: dict[tuple[str, dt.date, str], StaffTemperature] = {}
    today = local_today()
    for number, row in rows:
        name = str(row[column["name"]] or "").strip()
        if not name:
            errors.append(RowError(number, column["name"], _("This field is required.")))
        elif len(name) > NAME_LENGTH:
            errors.append(RowError(number, column["name"], too_long(NAME_LENGTH)))
            name = ""
        try:
            day = _day(row[column["day"]])
            if day > today:
                raise ValidationError(_("The date lies in the future."))
        except ValidationError as exc:
            errors.append(RowError(number, column["day"], exc.messages[0]))
            day = None
        slot = SLOT_WORDS.get(str(row[column["slot"]]).strip().lower())
        if slot is None:
            errors.append(
                RowError(number, column["slot"], _("Write 早 (morning) or 晚 (evening)."))
            )
        try:
            t = _temperature(row[column["temperature"]])
        except ValidationError as exc:
            errors.append(RowError(number, column["temperature"], exc.messages[0]))
            t = None
        if name and day and slot and t is not None:
            key = (name, day, slot)
            if key in readings:
                errors.append(
                    RowError(
                        number,
                        column["name"],
                        _("This person's reading for that time is twice in the file."),
                    )
                )
            readings[key] = StaffTemperature(
                enterprise=enterprise,
                person_name=name,
                day=day,
                slot=slot,
                temperature=t,
                recorded_by=user,
            )
    return readings, errors


def _save_temperatures(
    *,
    enterprise: Organization,
    user: Any,
    filename: str,
    readings: dict[tuple[str, dt.date, str], StaffTemperature],
) -> tuple[int, list[RowError]]:
    existing = {
        (r.person_name, r.day, r.slot): r
        for r in StaffTemperature.objects.filter(
            enterprise=enterprise, day__in={k[1] for k in readings}
        )
    }
    new, changed = [], []
    for key, reading in readings.items():
        old = existing.get(key)
        if old is None:
            new.append(reading)
        else:
            old.temperature, old.recorded_by = reading.temperature, user
            changed.append(old)
    StaffTemperature.objects.bulk_create(new)
    StaffTemperature.objects.bulk_update(changed, ["temperature", "recorded_by"])
    fevers = StaffTemperature.objects.filter(
        enterprise=enterprise,
        temperature__gte=FEVER_AT,
        fever_case__isnull=True,
        day__in={k[1] for k in readings},
    )
    FeverCase.objects.bulk_create(
        [
            FeverCase(
                enterprise=enterprise,
                reading=r,
                person_name=r.person_name,
                temperature=r.temperature,
                day=r.day,
            )
            for r in fevers
        ]
    )
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(StaffTemperature),
        object_pk=str(enterprise.pk),
        object_repr=f"{enterprise.name}: {len(readings)}",
        action=LogEntry.Action.CREATE,
        actor=user,
        changes={"imported": ["", str(len(readings))], "file": ["", filename[:100]]},
        additional_data={"org_path": enterprise.path},
    )
    return len(readings), []


@transaction.atomic
def add_fever_note(*, case: FeverCase, user: Any, text: str, close: bool = False) -> FeverCase:
    text = text.strip()
    if not case.is_open:
        raise ValidationError(_("This case is closed."))
    if not text:
        raise ValidationError({"text": [_("Write what was done or found.")]})
    FeverNote.objects.create(case=case, text=text, by=user)
    if close:
        case.closed_at = timezone.now()
        case.outcome = text[:200]
        case.save(update_fields=["closed_at", "outcome"])
    return case


# --- Rent relief ----------------------------------------------------------------------------


@transaction.atomic
def save_programme(
    *,
    landlord: Organization,
    name: str,
    rent_percentages: list[int],
    fee_percentages: list[int],
    starts_on: dt.date,
) -> ReliefProgramme:
    _require_enterprise(landlord)
    programme = ReliefProgramme(
        landlord=landlord,
        name=name.strip(),
        rent_percentages=rent_percentages,
        fee_percentages=fee_percentages or [],
        starts_on=starts_on,
    )
    programme.full_clean(exclude=["landlord"])
    if programme.fee_percentages:
        from .models import validate_percentages

        validate_percentages(programme.fee_percentages)
    programme.save()
    return programme


@transaction.atomic
def add_lease(
    *,
    programme: ReliefProgramme,
    tenant_name: str,
    monthly_rent: Decimal,
    starts_on: dt.date,
    monthly_fee: Decimal = Decimal("0"),
    premises: str = "",
    tenant: Organization | None = None,
    ends_on: dt.date | None = None,
) -> Lease:
    lease = Lease(
        programme=programme,
        tenant=tenant,
        tenant_name=(tenant_name or (tenant.name if tenant else "")).strip(),
        monthly_rent=monthly_rent,
        monthly_fee=monthly_fee,
        premises=premises,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    lease.full_clean(exclude=["programme", "tenant"])
    lease.save()
    return lease


# --- Staff list -----------------------------------------------------------------------------


@transaction.atomic
def add_staff(*, enterprise: Organization, names: list[str]) -> int:
    """Put names on the enterprise's staff list (one per line as typed; a name already there is
    put back if it was removed). Returns how many were added or put back."""
    _require_enterprise(enterprise)
    limit = StaffMember._meta.get_field("name").max_length or 50
    clean = {n.strip() for n in names if n.strip()}
    if too := [n for n in clean if len(n) > limit]:
        raise ValidationError({"names": [f"{too[0][:20]}…: {too_long(limit)}"]})
    existing = {
        m.name: m for m in StaffMember.objects.filter(enterprise=enterprise, name__in=clean)
    }
    back = [m for m in existing.values() if not m.is_active]
    for m in back:
        m.is_active = True
        m.save(update_fields=["is_active"])
    new = [StaffMember(enterprise=enterprise, name=n) for n in sorted(clean - set(existing))]
    for m in new:
        m.save()  # one by one: each addition is audited
    return len(new) + len(back)


@transaction.atomic
def remove_staff(*, member: StaffMember) -> None:
    """Off the list (readings already taken stay)."""
    member.is_active = False
    member.save(update_fields=["is_active"])


def temperature_sheet(enterprise: Organization, day: dt.date) -> list[dict[str, Any]]:
    """Each person on the staff list and anyone with a reading that day: the morning and the
    evening reading, None where it is missing."""
    readings: dict[str, dict[str, StaffTemperature]] = {}
    for r in StaffTemperature.objects.filter(enterprise=enterprise, day=day):
        readings.setdefault(r.person_name, {})[r.slot] = r
    listed = list(
        StaffMember.objects.filter(enterprise=enterprise, is_active=True).values_list(
            "name", flat=True
        )
    )
    names = listed + sorted(set(readings) - set(listed))
    return [
        {
            "name": n,
            "listed": n in listed,
            "am": readings.get(n, {}).get(Slot.AM),
            "pm": readings.get(n, {}).get(Slot.PM),
        }
        for n in names
    ]
