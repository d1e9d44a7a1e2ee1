"""复工复产 Work resumption: applications to reopen, daily reports before a deadline, staff
temperatures and fever follow-up, rent and fee relief by landlord members.

An enterprise is a registry Organization of kind "enterprise"; "its association" is its parent
(the chamber or association it belongs to). Every record here hangs off `enterprise`, so the
access path is `scoped(user, qs, field="enterprise")`.
"""

import calendar
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.masking import FreeCharField, FreeTextField
from gongke.lib.robots import validate_robot_url
from gongke.registry.models import Organization, OrgKind

LOCAL = ZoneInfo("Asia/Shanghai")
MIN_COVER_DAYS = 15
FEVER_AT = Decimal("37.3")
DEFAULT_DEADLINE = dt.time(10, 0)
MASKS_PER_PERSON_DAY = 2
CENT = Decimal("0.01")


def local_today() -> dt.date:
    return dt.datetime.now(LOCAL).date()


def cover_days(
    stock: int | Decimal | None, staff: int | None, per_person_day: int | Decimal
) -> Decimal | None:
    """Days a stock lasts: stock / (staff × daily use per person); None when nobody is on site."""
    if stock is None or not staff or not per_person_day:
        return None
    return (Decimal(stock) / (Decimal(staff) * Decimal(per_person_day))).quantize(
        Decimal("0.1"), ROUND_HALF_UP
    )


class ReportingSettings(models.Model):
    """What an association asks of its members' daily reports: the deadline and the reminders."""

    association = models.OneToOneField(
        Organization,
        verbose_name=_("association"),
        on_delete=models.CASCADE,
        related_name="reporting_settings",
    )
    deadline = models.TimeField(
        _("daily deadline"),
        default=DEFAULT_DEADLINE,
        help_text=_("Beijing time. Reports after it count as late."),
    )
    webhook_url = models.URLField(
        _("group robot webhook"),
        blank=True,
        help_text=_("WeCom or DingTalk group robot address; leave empty for none."),
        validators=[validate_robot_url],
    )
    email_reminders = models.BooleanField(_("email reminders"), default=True)
    period_start = models.DateField(
        _("reporting starts on"),
        null=True,
        blank=True,
        help_text=_("Members are expected to report from this day on; empty: from the start."),
    )
    period_end = models.DateField(
        _("reporting ends on"),
        null=True,
        blank=True,
        help_text=_("The last day members report; empty: until further notice."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("reporting settings")
        verbose_name_plural = _("reporting settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="resumption_period_ends_after_start",
                violation_error_message=_("The reporting period ends before it starts."),
            )
        ]

    def __str__(self) -> str:
        return str(self.association)

    @property
    def robot(self) -> str:
        if "dingtalk" in self.webhook_url:
            return "dingtalk"
        return "wecom" if self.webhook_url else ""

    def get_additional_data(self) -> dict:
        return {"org_path": self.association.path}


def deadline_for(association: Organization | None, day: dt.date) -> dt.datetime:
    settings_ = (
        ReportingSettings.objects.filter(association=association).first() if association else None
    )
    at = settings_.deadline if settings_ else DEFAULT_DEADLINE
    return dt.datetime.combine(day, at, tzinfo=LOCAL)


# --- Applications ---------------------------------------------------------------------------


class Category(models.TextChoices):
    SUPPLY = "supply", _("Essential supplies and public services")
    KEY_PROJECT = "key_project", _("Key project")
    INDUSTRY = "industry", _("Industrial enterprise")
    COMMERCE = "commerce", _("Commerce and services")
    SMALL = "small", _("Small business and self-employed")
    OTHER = "other", _("Other")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")


class ApplicationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Status.SUBMITTED)


class Application(models.Model):
    enterprise = models.ForeignKey(
        Organization,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="resumption_applications",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    batch = models.PositiveSmallIntegerField(
        _("batch"), default=1, validators=[MinValueValidator(1)]
    )
    planned_date = models.DateField(_("planned reopening date"))
    staff_total = models.PositiveIntegerField(_("staff in total"))
    staff_planned = models.PositiveIntegerField(_("staff planned back"))
    responsible_person = models.CharField(_("person responsible for prevention"), max_length=50)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=20, blank=True)
    masks_in_stock = models.PositiveIntegerField(_("masks in stock"), default=0)
    masks_per_person_day = models.PositiveSmallIntegerField(
        _("masks per person a day"), default=MASKS_PER_PERSON_DAY, validators=[MinValueValidator(1)]
    )
    disinfectant_litres = models.DecimalField(
        _("disinfectant in stock (litres)"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    disinfectant_per_person_day = models.DecimalField(
        _("disinfectant per person a day (litres)"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("0.020"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    temperature_twice_daily = models.BooleanField(_("temperature taken twice a day"), default=False)
    distancing = models.BooleanField(_("1 m between desks, meals staggered"), default=False)
    disinfection = models.BooleanField(_("premises disinfected daily"), default=False)
    vehicle_rules = models.BooleanField(
        _("vehicles aired and wiped with 75% alcohol after each trip"), default=False
    )
    note = FreeTextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("resumption application")
        verbose_name_plural = _("resumption applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(staff_planned__lte=F("staff_total")),
                name="resumption_app_planned_within_total",
            ),
        ]
        indexes = [models.Index(fields=["status", "enterprise"])]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_category_display()} · {self.planned_date}"

    @property
    def mask_cover_days(self) -> Decimal | None:
        return cover_days(self.masks_in_stock, self.staff_planned, self.masks_per_person_day)

    @property
    def disinfectant_cover_days(self) -> Decimal | None:
        return cover_days(
            self.disinfectant_litres, self.staff_planned, self.disinfectant_per_person_day
        )

    @property
    def is_editable(self) -> bool:
        return self.status in (Status.DRAFT, Status.RETURNED)

    def clean(self) -> None:
        if (
            self.staff_planned is not None
            and self.staff_total is not None
            and self.staff_planned > self.staff_total
        ):
            raise ValidationError(
                {"staff_planned": _("More staff planned back than the enterprise has.")}
            )

    def checklist_errors(self) -> dict[str, list[str]]:
        """What keeps the application from being submitted: the prevention checklist incomplete
        or less than 15 days of supplies — the message shows the figures so they can be fixed."""
        errors: dict[str, list[str]] = {}
        staff = self.staff_planned or 0
        masks = self.mask_cover_days
        if staff and (masks is None or masks < MIN_COVER_DAYS):
            errors["masks_in_stock"] = [
                str(
                    _(
                        "Masks cover %(days)s days: %(stock)s masks for %(staff)s staff at %(rate)s a day each. "
                        "At least %(min)s days are needed, that is %(need)s masks."
                    )
                    % {
                        "days": masks or 0,
                        "stock": self.masks_in_stock,
                        "staff": staff,
                        "rate": self.masks_per_person_day,
                        "min": MIN_COVER_DAYS,
                        "need": staff * self.masks_per_person_day * MIN_COVER_DAYS,
                    }
                )
            ]
        litres = self.disinfectant_cover_days
        if staff and (litres is None or litres < MIN_COVER_DAYS):
            need = (Decimal(staff) * self.disinfectant_per_person_day * MIN_COVER_DAYS).quantize(
                CENT
            )
            errors["disinfectant_litres"] = [
                str(
                    _(
                        "Disinfectant covers %(days)s days: %(stock)s litres for %(staff)s staff at %(rate)s litres a day "
                        "each. At least %(min)s days are needed, that is %(need)s litres."
                    )
                    % {
                        "days": litres or 0,
                        "stock": self.disinfectant_litres,
                        "staff": staff,
                        "rate": self.disinfectant_per_person_day,
                        "min": MIN_COVER_DAYS,
                        "need": need,
                    }
                )
            ]
        for name in ("temperature_twice_daily", "distancing", "disinfection", "vehicle_rules"):
            if not getattr(self, name):
                errors[name] = [
                    str(_("This prevention measure must be in place before reopening."))
                ]
        if not self.responsible_person.strip():
            errors["responsible_person"] = [str(_("Name the person responsible for prevention."))]
        return errors

    def get_additional_data(self) -> dict:
        return {"org_path": self.enterprise.path}


class ReviewAction(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned with comments")


class ApplicationEvent(models.Model):
    """The review history of an application: append-only, one row per step."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=ReviewAction.choices)
    comment = FreeTextField(_("comments"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.application.enterprise.path}


ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xls", ".xlsx"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def validate_attachment(f) -> None:
    if PurePath(f.name).suffix.lower() not in ATTACHMENT_TYPES:
        raise ValidationError(_("Attach a PDF, an image (JPG, PNG), a Word or an Excel file."))
    if f.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("An attachment may be at most 10 MB."))


class Attachment(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(
        _("file"), upload_to="resumption/applications/%Y/%m/", validators=[validate_attachment]
    )
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.application.enterprise.path}


# --- Daily reports --------------------------------------------------------------------------


FIGURE_COLUMNS = [
    "staff_on_site",
    "staff_returned",
    "staff_isolated",
    "vehicles",
    "fevers",
    "masks",
]


class DailyReportQuerySet(models.QuerySet):
    def in_subtree(self, org: Organization):
        # An id subquery rather than a join on the path: each enterprise's days are then one
        # range of the covering index below, and the report rows themselves are never read.
        members = Organization.objects.filter(path__startswith=org.path, kind=OrgKind.ENTERPRISE)
        return self.filter(enterprise__in=members.values("pk"))


class DailyReport(models.Model):
    """One enterprise's figures for one day. Unique per (enterprise, day): a retried request or a
    double submit updates the same row. `submitted_at` keeps the first submission, for lateness."""

    enterprise = models.ForeignKey(
        Organization,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="daily_reports",
    )
    day = models.DateField(_("day"))
    staff_on_site = models.PositiveIntegerField(_("staff on site"))
    staff_returned = models.PositiveIntegerField(_("back from elsewhere"), default=0)
    staff_isolated = models.PositiveIntegerField(_("in isolation"), default=0)
    vehicles = models.PositiveIntegerField(_("vehicles in service"), default=0)
    fevers = models.PositiveIntegerField(_("fevers"), default=0)
    masks = models.PositiveIntegerField(_("masks in stock"), default=0)
    disinfectant_litres = models.DecimalField(
        _("disinfectant in stock (litres)"),
        max_digits=9,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    note = FreeCharField(_("note"), max_length=500, blank=True)
    carried_forward = models.BooleanField(_("carried forward"), default=False)
    late = models.BooleanField(_("late"), default=False)
    submitted_at = models.DateTimeField(_("submitted"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = DailyReportQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "enterprise__path"]
        verbose_name = _("daily report")
        verbose_name_plural = _("daily reports")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "day"], name="resumption_one_report_a_day"
            ),
            models.CheckConstraint(
                condition=Q(disinfectant_litres__gte=0), name="resumption_report_stock_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["day", "enterprise"], name="resumption_report_day_ent"),
            # Covers the dashboard's sums (fields, not INCLUDE, so SQLite covers them too).
            models.Index(
                fields=["enterprise", "day", "late", *FIGURE_COLUMNS],
                name="resumption_report_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.day}"

    @property
    def mask_cover_days(self) -> Decimal | None:
        return cover_days(self.masks, self.staff_on_site, MASKS_PER_PERSON_DAY)

    @property
    def short_of_masks(self) -> bool:
        days = self.mask_cover_days
        return days is not None and days < MIN_COVER_DAYS

    def get_additional_data(self) -> dict:
        return {"org_path": self.enterprise.path}


REPORT_FIGURES = [
    "staff_on_site",
    "staff_returned",
    "staff_isolated",
    "vehicles",
    "fevers",
    "masks",
    "disinfectant_litres",
]


class Notification(models.Model):
    """An in-app message on a user's home panel (reminders to report)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="resumption_notices"
    )
    enterprise = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30, default="missing_report")
    day = models.DateField()
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "enterprise", "kind", "day"], name="resumption_notice_once"
            )
        ]

    def __str__(self) -> str:
        return self.message


class ReminderRun(models.Model):
    """One association's reminders for one day were sent: the periodic task runs them once."""

    association = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    missing = models.PositiveIntegerField(default=0)
    emails = models.PositiveIntegerField(default=0)
    webhook_status = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "day"], name="resumption_reminders_once")
        ]


# --- Health checks --------------------------------------------------------------------------


class Slot(models.TextChoices):
    # 早/晚: the two readings of the day as staff call them.
    AM = "am", pgettext_lazy("temperature reading", "Morning")
    PM = "pm", pgettext_lazy("temperature reading", "Evening")


class StaffMember(models.Model):
    """Who works at an enterprise, so a missing morning or evening reading shows by name."""

    enterprise = models.ForeignKey(
        Organization,
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="resumption_staff",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    is_active = models.BooleanField(_("on the staff list"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "name"], name="resumption_staff_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.enterprise.path}


class StaffTemperature(models.Model):
    enterprise = models.ForeignKey(
        Organization,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="staff_temperatures",
    )
    person_name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    day = models.DateField(_("day"))
    slot = models.CharField(_("time of day"), max_length=2, choices=Slot.choices)
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        validators=[
            MinValueValidator(Decimal("34.0"), _("A temperature below 34.0 °C is not plausible.")),
            MaxValueValidator(Decimal("43.0"), _("A temperature above 43.0 °C is not plausible.")),
        ],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "person_name", "slot"]
        verbose_name = _("staff temperature")
        verbose_name_plural = _("staff temperatures")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "person_name", "day", "slot"],
                name="resumption_one_reading_a_slot",
            ),
            models.CheckConstraint(
                condition=Q(temperature__gte=Decimal("34.0"), temperature__lte=Decimal("43.0")),
                name="resumption_temperature_plausible",
                violation_error_message=_("A temperature must lie between 34.0 and 43.0 °C."),
            ),
        ]
        indexes = [models.Index(fields=["day", "enterprise"], name="resumption_temp_day_ent")]

    def __str__(self) -> str:
        return f"{self.person_name} {self.day} {self.slot} {self.temperature}"

    @property
    def is_fever(self) -> bool:
        return self.temperature >= FEVER_AT

    def get_additional_data(self) -> dict:
        return {"org_path": self.enterprise.path}


class FeverCase(models.Model):
    """A reading of 37.3 °C or more, followed up with notes until someone closes it."""

    enterprise = models.ForeignKey(
        Organization,
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="fever_cases",
    )
    reading = models.OneToOneField(
        StaffTemperature, on_delete=models.PROTECT, related_name="fever_case"
    )
    person_name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    day = models.DateField(_("day"))
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome = FreeCharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        ordering = ["closed_at", "-day", "person_name"]
        verbose_name = _("fever case")
        verbose_name_plural = _("fever cases")
        indexes = [models.Index(fields=["enterprise", "closed_at"], name="resumption_fever_open")]

    def __str__(self) -> str:
        return f"{self.person_name} {self.temperature} ℃"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def get_additional_data(self) -> dict:
        return {"org_path": self.enterprise.path}


class FeverNote(models.Model):
    case = models.ForeignKey(FeverCase, on_delete=models.CASCADE, related_name="notes")
    text = FreeCharField(_("follow-up"), max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return self.text

    def get_additional_data(self) -> dict:
        return {"org_path": self.case.enterprise.path}


# --- Rent and fee relief --------------------------------------------------------------------


def validate_percentages(value) -> None:
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(p, int) and not isinstance(p, bool) and 0 <= p <= 100 for p in value)
    ):
        raise ValidationError(
            _("Give one whole percentage from 0 to 100 for each month, e.g. 100, 50.")
        )


def parse_percentages(text: str) -> list[int]:
    """'100, 50' or '100，50' (full-width comma) or '100 50' → [100, 50]."""
    parts = [
        p
        for p in text.replace("，", ",").replace("%", "").replace(" ", ",").split(",")
        if p.strip()
    ]
    try:
        values = [int(p) for p in parts]
    except ValueError:
        raise ValidationError(
            _("Give one whole percentage from 0 to 100 for each month, e.g. 100, 50.")
        )
    validate_percentages(values)
    return values


class ReliefProgramme(models.Model):
    """A landlord member's relief: month by month, the share of rent and of property fees waived."""

    landlord = models.ForeignKey(
        Organization,
        verbose_name=_("landlord"),
        on_delete=models.PROTECT,
        related_name="relief_programmes",
    )
    name = models.CharField(_("name"), max_length=200)
    rent_percentages = models.JSONField(
        _("rent waived by month (%)"), validators=[validate_percentages]
    )
    fee_percentages = models.JSONField(
        _("property fees waived by month (%)"), default=list, blank=True
    )
    starts_on = models.DateField(_("starts on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["landlord__path", "name"]
        verbose_name = _("relief programme")
        verbose_name_plural = _("relief programmes")

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.landlord.path}


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def waived(
    amount: Decimal,
    percentages: list[int],
    *,
    start: dt.date | None = None,
    lease: tuple[dt.date | None, dt.date | None] = (None, None),
) -> Decimal:
    """What a month-by-month waiver forgives of a monthly amount, rounded to the fen each month.

    Month i of the programme runs from `start` + i months to the day before the next; a lease
    (its start and end, either open) gets each month's share for the days of that month it
    covers: a lease from 1 March gets nothing of a programme's February."""
    total = Decimal("0.00")
    first, last = lease
    for i, p in enumerate(percentages):
        share = amount * p / 100
        if start is not None and (first is not None or last is not None):
            month_start, next_start = add_months(start, i), add_months(start, i + 1)
            covered_from = max(month_start, first or month_start)
            covered_to = min(next_start - dt.timedelta(days=1), last or next_start)
            days = (covered_to - covered_from).days + 1
            if days <= 0:
                continue
            share = share * days / (next_start - month_start).days
        total += share.quantize(CENT, ROUND_HALF_UP)
    return total


class Lease(models.Model):
    programme = models.ForeignKey(
        ReliefProgramme,
        verbose_name=_("relief programme"),
        on_delete=models.CASCADE,
        related_name="leases",
    )
    tenant = models.ForeignKey(
        Organization,
        verbose_name=_("tenant member"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="resumption_leases",
    )
    tenant_name = models.CharField(_("tenant"), max_length=200)
    premises = models.CharField(_("premises"), max_length=200, blank=True)
    monthly_rent = models.DecimalField(
        _("monthly rent (yuan)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    monthly_fee = models.DecimalField(
        _("monthly property fee (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    starts_on = models.DateField(_("lease start"))
    ends_on = models.DateField(_("lease end"), null=True, blank=True)

    class Meta:
        ordering = ["tenant_name"]
        verbose_name = _("lease")
        verbose_name_plural = _("leases")
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_rent__gte=0, monthly_fee__gte=0),
                name="resumption_lease_amounts_positive",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="resumption_lease_ends_after_start",
                violation_error_message=_("The lease ends before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.tenant_name

    def _waived(self, amount: Decimal, percentages: list[int]) -> Decimal:
        return waived(
            amount,
            percentages,
            start=self.programme.starts_on,
            lease=(self.starts_on, self.ends_on),
        )

    @property
    def rent_waived(self) -> Decimal:
        return self._waived(self.monthly_rent, self.programme.rent_percentages)

    @property
    def fee_waived(self) -> Decimal:
        return self._waived(self.monthly_fee, self.programme.fee_percentages or [])

    @property
    def total_waived(self) -> Decimal:
        return self.rent_waived + self.fee_waived

    def get_additional_data(self) -> dict:
        return {"org_path": self.programme.landlord.path}
