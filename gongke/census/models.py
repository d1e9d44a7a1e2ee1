"""入户排查 Door-to-door census: households and residents of a compound or village, who came back
from elsewhere, who is in home isolation (with a daily temperature check), and the visits made.

Scoped through the compound's responsible organization: household.place.organization.
A person is one record: the keyed hash of the ID number is unique county-wide, and registering
someone again merges into the record already there (services.register_resident).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.masking import FreeCharField, FreeTextField, mask_phone
from gongke.registry.models import Place, SearchQuerySet

FEVER = Decimal("37.3")  # the threshold every epidemic-prevention form uses
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
DEFAULT_ISOLATION_DAYS = 14


class HouseholdQuerySet(models.QuerySet):
    def in_places(self, places):
        return self.filter(place__in=places)


class Household(models.Model):
    place = models.ForeignKey(
        Place,
        verbose_name=_("compound or village"),
        on_delete=models.PROTECT,
        related_name="households_set",
    )
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(pgettext_lazy("building", "unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    note = FreeTextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["place", "building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "building", "unit", "room"], name="census_one_household_per_room"
            )
        ]

    def __str__(self) -> str:
        return "-".join(p for p in (self.building, self.unit, self.room) if p)

    def get_additional_data(self) -> dict:
        return {"org_path": self.place.organization.path}


class Gender(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class Relation(models.TextChoices):
    HOUSEHOLDER = "householder", _("Householder")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", pgettext_lazy("relative", "Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    RELATIVE = "relative", _("Other relative")
    TENANT = "tenant", _("Tenant")
    OTHER = "other", _("Other")


class ResidentQuerySet(SearchQuerySet):
    def present(self):
        """Those still living here (not moved out)."""
        return self.filter(moved_out_on__isnull=True)


class Resident(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="residents"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The ID number itself is never stored: a keyed hash to match on, a masked form to show.
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    relation = models.CharField(
        _("relation to the householder"), max_length=20, choices=Relation.choices, blank=True
    )
    moved_out_on = models.DateField(_("moved out on"), null=True, blank=True)
    note = FreeTextField(_("note"), blank=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="census_one_resident_per_id_number",
                violation_error_message=_("A resident with this ID number is already registered."),
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=1890, birth_year__lte=2100),
                name="census_resident_plausible_birth_year",
                violation_error_message=_("The year of birth is not plausible."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_householder(self) -> bool:
        return self.relation == Relation.HOUSEHOLDER

    def get_additional_data(self) -> dict:
        return {"org_path": self.household.place.organization.path}


class ReturnRecord(models.Model):
    """返乡/返岗登记: a resident back from elsewhere — from where, when, how."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="returns"
    )
    from_place = FreeCharField(_("came back from"), max_length=100)
    returned_on = models.DateField(_("returned on"))
    transport = models.CharField(
        _("transport"),
        max_length=100,
        blank=True,
        help_text=_("Train, flight or bus number, or own car."),
    )
    note = FreeTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return from elsewhere")
        verbose_name_plural = _("returns from elsewhere")
        ordering = ["-returned_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "returned_on", "from_place"], name="census_one_return_record"
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_place} {self.returned_on}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.resident.household.place.organization.path}


class IsolationQuerySet(models.QuerySet):
    def running_on(self, day: date):
        return self.filter(start__lte=day, end_day__gte=day)

    def ending_on(self, day: date):
        return self.filter(end_day=day)

    def open(self):
        """Not yet confirmed ended (the end was not signed off)."""
        return self.filter(ended_at__isnull=True)


class IsolationReason(models.TextChoices):
    RETURNED = "returned", _("Back from elsewhere")
    CONTACT = "contact", _("Close contact")
    SYMPTOMS = "symptoms", _("Symptoms")
    OTHER = "other", _("Other")


class Isolation(models.Model):
    """居家隔离: home isolation of `days` days from `start`; `end_day` is the last day (kept in the
    database so 'running on' and 'ending on' are plain indexed comparisons on every backend)."""

    resident = models.ForeignKey(
        Resident, verbose_name=_("resident"), on_delete=models.CASCADE, related_name="isolations"
    )
    start = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"), default=DEFAULT_ISOLATION_DAYS)
    end_day = models.DateField(_("last day"), editable=False)
    reason = models.CharField(
        _("reason"),
        max_length=20,
        choices=IsolationReason.choices,
        default=IsolationReason.RETURNED,
    )
    note = FreeTextField(_("note"), blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True, editable=False)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_note = FreeCharField(_("why it ended"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IsolationQuerySet.as_manager()

    class Meta:
        verbose_name = _("home isolation")
        verbose_name_plural = _("home isolations")
        ordering = ["end_day", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(days__gte=1, days__lte=60),
                name="census_isolation_days_range",
                violation_error_message=_("An isolation lasts from 1 to 60 days."),
            ),
            models.CheckConstraint(
                condition=Q(end_day__gte=models.F("start")),
                name="census_isolation_ends_after_start",
                violation_error_message=_("An isolation cannot end before it starts."),
            ),
            models.UniqueConstraint(
                fields=["resident"],
                condition=Q(ended_at__isnull=True),
                name="census_one_open_isolation_per_resident",
                violation_error_message=_("This resident is already in home isolation."),
            ),
        ]
        indexes = [models.Index(fields=["end_day", "start"])]

    def __str__(self) -> str:
        return f"{self.resident} {self.start}–{self.end_day}"

    def day_number(self, day: date) -> int:
        """Day N of the isolation on `day` (1 on the first day)."""
        return (day - self.start).days + 1

    @property
    def planned_end(self) -> date:
        return self.start + timedelta(days=self.days - 1)

    def get_additional_data(self) -> dict:
        return {"org_path": self.resident.household.place.organization.path}


class DailyCheck(models.Model):
    """The daily check of someone in home isolation: temperature and symptoms, once a day."""

    isolation = models.ForeignKey(
        Isolation, verbose_name=_("home isolation"), on_delete=models.CASCADE, related_name="checks"
    )
    day = models.DateField(_("day"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    symptoms = models.CharField(
        _("symptoms"),
        max_length=200,
        blank=True,
        help_text=_("Cough, fatigue, sore throat… leave empty if none."),
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("daily check")
        verbose_name_plural = _("daily checks")
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["isolation", "day"], name="census_one_check_per_day"),
            models.CheckConstraint(
                condition=Q(temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX),
                name="census_plausible_temperature",
                violation_error_message=_(
                    "A body temperature must be between 34.0 and 43.0 °C: check the reading."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.temperature}"

    @property
    def is_fever(self) -> bool:
        return self.temperature >= FEVER

    def get_additional_data(self) -> dict:
        return {"org_path": self.isolation.resident.household.place.organization.path}


class VisitOutcome(models.TextChoices):
    MET = "met", _("Met the household")
    NOBODY_HOME = "nobody_home", _("Nobody home")
    VACANT = "vacant", _("Vacant")
    REFUSED = "refused", _("Refused to answer")


class Visit(models.Model):
    """One door knocked on: who went, when, what came of it."""

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_at = models.DateTimeField(_("visited at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=VisitOutcome.choices, default=VisitOutcome.MET
    )
    note = FreeTextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["visited_at"])]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_at:%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.household.place.organization.path}
