"""包保小区 Community duty: posts and passages, rosters, disinfection and publicity.

Posts are registry Places (kind="post", parent = the compound or village, organization = the
organization assigned to it). Everything here is scoped through that post's or place's
organization: passage.post.organization, shift.post.organization, spot.place.organization.
"""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.masking import FreeCharField, FreeTextField, mask_phone
from gongke.lib.robots import validate_robot_url
from gongke.registry.models import Organization, Person, Place

FEVER = Decimal("37.3")
LOWEST_TEMPERATURE = Decimal("34.0")
HIGHEST_TEMPERATURE = Decimal("43.0")


class PostKey(models.Model):
    """The secret in a post's QR code: whoever holds it may self-register at that post."""

    post = models.OneToOneField(Place, on_delete=models.CASCADE, related_name="community_key")
    token = models.CharField(max_length=64, unique=True)
    # The post's own rule: its thermometer is at the gate, so a passage without a reading is
    # incomplete there (the self-registration page then asks for one).
    require_temperature = models.BooleanField(
        _("temperature required on self-registration"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.post)

    @classmethod
    def for_post(cls, post: Place) -> "PostKey":
        key, _created = cls.objects.get_or_create(
            post=post, defaults={"token": secrets.token_urlsafe(18)}
        )
        return key

    def get_additional_data(self) -> dict:
        return {"org_path": self.post.organization.path}


class Direction(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class SubjectKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    OUTSIDER = "outsider", _("Outsider")
    VEHICLE = "vehicle", _("Vehicle")


class Decision(models.TextChoices):
    PASS = "pass", _("Passed")
    REFUSED = "refused", _("Refused")
    TURNED_BACK = "turned_back", _("Persuaded to turn back")
    FEVER_CLINIC = "fever_clinic", _("Sent to the fever clinic")


class ConsoleKey(models.Model):
    """Keeps one phone's guard console signed in for a shift, at one post only.

    Issued to a signed-in duty officer's browser (the raw key lives only in that browser's
    storage; only its hash is kept), it lets that browser send passages to that post after the
    session has ended, until it expires or is revoked. It reads nothing and opens no page."""

    post = models.ForeignKey(
        Place, verbose_name=_("post"), on_delete=models.CASCADE, related_name="console_keys"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="console_keys",
    )
    device = models.CharField(_("device"), max_length=100, blank=True)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("console key")
        verbose_name_plural = _("console keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.device or self.prefix} @ {self.post}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.post.organization.path}


class Source(models.TextChoices):
    CONSOLE = "console", _("Guard console")
    SELF = "self", _("Self-registration")
    API = "api", _("API")


class PassageQuerySet(models.QuerySet):
    def on_day(self, day):
        start = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time()))
        return self.filter(occurred_at__gte=start, occurred_at__lt=start + timedelta(days=1))


class Passage(models.Model):
    # Made on the device: a passage synced twice is stored once.
    client_id = models.UUIDField(unique=True)
    # No index of its own: Index(post, occurred_at) below serves every look-up by post, and each
    # index is one more write per passage.
    post = models.ForeignKey(
        Place,
        verbose_name=_("post"),
        on_delete=models.PROTECT,
        related_name="passages",
        db_index=False,
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    subject = models.CharField(_("who"), max_length=10, choices=SubjectKind.choices)
    resident = models.ForeignKey(
        "census.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="passages",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    plate = models.CharField(_("plate"), max_length=12, blank=True)
    driver = models.CharField(_("driver"), max_length=50, blank=True)
    passengers = models.PositiveSmallIntegerField(_("passengers"), default=0)
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    decision = models.CharField(
        _("decision"), max_length=12, choices=Decision.choices, default=Decision.PASS
    )
    reason = FreeCharField(_("reason"), max_length=200, blank=True)
    # Pairs an out with the next in: "r<resident>", "v<plate>", "i<id hash>", "p<phone>", "n<name>".
    subject_key = models.CharField(max_length=80, blank=True, editable=False)
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.CONSOLE
    )
    occurred_at = models.DateTimeField(_("time"))
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = PassageQuerySet.as_manager()

    class Meta:
        verbose_name = _("passage")
        verbose_name_plural = _("passages")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["post", "occurred_at"]),
            models.Index(fields=["occurred_at"]),  # retention purge
            # Refusals are counted over weeks of a county's passages (briefings): a few percent
            # of the rows, so a small index that spares reading millions of rows for `decision`.
            # `decision` in it too, so SQLite counts from the index alone (it does not deduce
            # the column from the condition).
            models.Index(
                fields=["post", "occurred_at", "decision"],
                condition=Q(decision__in=["refused", "turned_back"]),
                name="community_passage_refused",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature__isnull=True)
                | Q(temperature__gte=LOWEST_TEMPERATURE, temperature__lte=HIGHEST_TEMPERATURE),
                name="community_passage_plausible_temperature",
                violation_error_message=_("A temperature must be between 34.0 and 43.0 °C."),
            ),
            models.CheckConstraint(
                condition=Q(passengers__lte=99), name="community_passage_passengers"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.subject == SubjectKind.VEHICLE:
            return self.plate
        return self.name or self.id_number_masked or mask_phone(self.phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def is_fever(self) -> bool:
        return self.temperature is not None and self.temperature >= FEVER

    def get_additional_data(self) -> dict:
        return {"org_path": self.post.organization.path}


class OutingQuerySet(models.QuerySet):
    def open(self):
        return self.filter(returned_at__isnull=True)


class Outing(models.Model):
    """Someone (or a vehicle) who went out through a post of the compound and is not back yet.

    Opened by an "out" passage and closed by the next "in" of the same subject anywhere in the
    compound; kept as its own small table so "who is out" never scans the passages.
    """

    place = models.ForeignKey(
        Place,
        verbose_name=_("compound or village"),
        on_delete=models.PROTECT,
        related_name="outings",
        db_index=False,  # Index(place, returned_at) below serves look-ups by compound
    )
    subject_key = models.CharField(max_length=80)
    subject = models.CharField(_("who"), max_length=10, choices=SubjectKind.choices)
    label = models.CharField(_("name"), max_length=50)
    resident = models.ForeignKey(
        "census.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    left_at = models.DateTimeField(_("out since"))
    returned_at = models.DateTimeField(_("back at"), null=True, blank=True)

    objects = OutingQuerySet.as_manager()

    class Meta:
        verbose_name = _("outing")
        verbose_name_plural = _("outings")
        ordering = ["left_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "subject_key"],
                condition=Q(returned_at__isnull=True),
                name="community_one_open_outing",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("left_at")),
                name="community_outing_back_after_out",
            ),
        ]
        indexes = [models.Index(fields=["place", "returned_at"])]

    def __str__(self) -> str:
        return self.label

    def get_additional_data(self) -> dict:
        return {"org_path": self.place.organization.path}


class DutySettings(models.Model):
    """How an organization hears of a fever at its posts when nobody is looking at the app.

    An organization without settings of its own follows its nearest ancestor that has some
    (a federation can set one robot for all its chambers); with none anywhere, the defaults:
    email on, no robot."""

    organization = models.OneToOneField(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="duty_settings",
    )
    fever_webhook_url = models.URLField(
        _("group robot webhook for fever alerts"),
        blank=True,
        help_text=_("WeCom or DingTalk group robot address; leave empty for none."),
        validators=[validate_robot_url],
    )
    fever_email = models.BooleanField(
        _("email fever alerts"),
        default=True,
        help_text=_("To the organization's admins and staff who have an email address."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("duty settings")
        verbose_name_plural = _("duty settings")

    def __str__(self) -> str:
        return str(self.organization)

    @classmethod
    def for_organization(cls, org: Organization) -> "DutySettings | None":
        """The organization's own settings, else its nearest ancestor's: one query."""
        return (
            cls.objects.filter(Q(organization=org) | Q(organization__in=org.ancestors()))
            .select_related("organization")
            .order_by("-organization__depth")
            .first()
        )

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class Alert(models.Model):
    """A fever at a post, for the post's organization to act on at once."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="community_alerts",
    )
    post = models.ForeignKey(
        Place, verbose_name=_("post"), on_delete=models.PROTECT, related_name="+"
    )
    passage = models.ForeignKey(
        Passage, null=True, blank=True, on_delete=models.SET_NULL, related_name="alerts"
    )
    label = models.CharField(_("who"), max_length=50)
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    occurred_at = models.DateTimeField(_("time"))
    # Server time the alert was stored (occurred_at is the device's, maybe hours before an
    # offline sync): the sweep of undelivered alerts counts from it.
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    notified_at = models.DateTimeField(_("notified"), null=True, blank=True)
    # What notify_fever delivered: the robot's answer ("200", "error: …", "" for no robot) and
    # how many emails went out.
    robot_status = models.CharField(_("group robot"), max_length=100, blank=True)
    emails_sent = models.PositiveSmallIntegerField(_("emails sent"), default=0)
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handling_note = FreeCharField(_("what was done"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fever alert")
        verbose_name_plural = _("fever alerts")
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["organization", "handled_at"]),
            # The sweep's: only alerts still waiting for their notification.
            models.Index(
                fields=["raised_at"],
                condition=Q(notified_at__isnull=True),
                name="community_alert_unnotified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.temperature}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class IdReveal(models.Model):
    """A request to see who is behind a masked ID number, with its reason: the audit of it."""

    passage = models.ForeignKey(
        Passage, null=True, on_delete=models.SET_NULL, related_name="reveals"
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = FreeCharField(_("reason"), max_length=200)
    matched = models.BooleanField(_("number matched"), null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.reason

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class Shift(models.Model):
    post = models.ForeignKey(
        Place, verbose_name=_("post"), on_delete=models.PROTECT, related_name="shifts"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    handover_note = FreeTextField(_("handover note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["post", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="community_shift_ends_after_start",
                violation_error_message=_("A shift must end after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["post", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.post} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.post.organization.path}


class Assignment(models.Model):
    shift = models.ForeignKey(
        Shift, verbose_name=_("shift"), on_delete=models.CASCADE, related_name="assignments"
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_assignments",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duty_assignments",
    )
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("signed out"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(user__isnull=False),
                name="community_assignment_someone",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.user)

    def get_additional_data(self) -> dict:
        return {"org_path": self.shift.post.organization.path}


class SpotKind(models.TextChoices):
    STAIRWELL = "stairwell", _("Stairwell")
    BIN = "bin", _("Bin")
    POST = "post", _("Duty post")
    OTHER = "other", _("Other")


class SpotQuerySet(models.QuerySet):
    def overdue(self, now=None):
        """Spots whose last disinfection is older than their interval (or never done)."""
        return self.filter(
            Q(due_at__isnull=True) | Q(due_at__lt=now or timezone.now()), is_active=True
        )


class Spot(models.Model):
    place = models.ForeignKey(
        Place,
        verbose_name=_("compound or village"),
        on_delete=models.PROTECT,
        related_name="disinfection_spots",
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=SpotKind.choices, default=SpotKind.STAIRWELL
    )
    interval = models.DurationField(_("every"), default=timedelta(hours=24))
    # Kept by the services (last done + interval) so the overdue list is one indexed query.
    last_done_at = models.DateTimeField(_("last disinfected"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    is_active = models.BooleanField(default=True)

    objects = SpotQuerySet.as_manager()

    class Meta:
        verbose_name = _("disinfection spot")
        verbose_name_plural = _("disinfection spots")
        ordering = ["place", "kind", "name"]

    def __str__(self) -> str:
        return self.name

    def is_overdue(self, now=None) -> bool:
        return self.due_at is None or self.due_at < (now or timezone.now())

    def get_additional_data(self) -> dict:
        return {"org_path": self.place.organization.path}


class DisinfectionLog(models.Model):
    spot = models.ForeignKey(
        Spot, verbose_name=_("spot"), on_delete=models.CASCADE, related_name="logs"
    )
    done_at = models.DateTimeField(_("time"))
    done_by = models.CharField(_("by"), max_length=50)
    agent = models.CharField(_("disinfectant"), max_length=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("disinfection")
        verbose_name_plural = _("disinfections")
        ordering = ["-done_at"]
        indexes = [models.Index(fields=["spot", "done_at"])]

    def __str__(self) -> str:
        return f"{self.spot} {self.done_at}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.spot.place.organization.path}


class PublicityKind(models.TextChoices):
    BANNER = "banner", _("Banner")
    POSTER = "poster", _("Poster")
    BULLETIN = "bulletin", _("Notice-board bulletin")
    MASK_BIN = "mask_bin", _("Bin for used masks")


class PublicityItem(models.Model):
    place = models.ForeignKey(
        Place,
        verbose_name=_("compound or village"),
        on_delete=models.PROTECT,
        related_name="publicity_items",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=PublicityKind.choices)
    description = FreeCharField(_("what"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("publicity item")
        verbose_name_plural = _("publicity items")
        ordering = ["place", "kind", "description"]

    def __str__(self) -> str:
        return self.description

    def get_additional_data(self) -> dict:
        return {"org_path": self.place.organization.path}
