"""通知 / 倡议书: a notice or initiative letter, its recipients (fixed when it is sent), each
channel's outcome per recipient, and the acknowledgements.

A recipient moves sent → delivered → read → acknowledged; each step keeps its time and where it
came from (the app, the API, an email open — unverified —, a work notice's read receipt, a staff
member recording it on someone's behalf).
"""

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from gongke.lib.masking import FreeTextField
from gongke.lib.robots import validate_robot_url
from gongke.registry.models import Organization, Person
from gongke.resumption.models import Category


class Kind(models.TextChoices):
    INITIATIVE = "initiative", _("Initiative letter")
    NOTICE = "notice", pgettext_lazy("document", "Notice")
    RULES = "rules", _("Rules")
    REQUEST = "request", _("Request")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting approval")
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")


class Channel(models.TextChoices):
    APP = "app", _("In the app")
    EMAIL = "email", _("Email")
    ROBOT = "robot", _("Group robot")
    SMS = "sms", _("SMS / work notice")
    CALL = "call", _("Call by the secretary")


class Source(models.TextChoices):
    """Where a state came from."""

    APP = "app", _("in the app")
    API = "api", _("through the API")
    EMAIL = "email", _("email sent")
    EMAIL_OPEN = "email_open", _("email opened (unverified)")
    SMS = "sms", _("SMS / work notice")
    RECEIPT = "receipt", _("work notice read receipt")
    ON_BEHALF = "on_behalf", _("recorded by staff")


class FieldKind(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    FILE = "file", _("File")


ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".xls", ".xlsx", ".doc", ".docx"}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024


def validate_attachment(f) -> None:
    if PurePath(f.name).suffix.lower() not in ATTACHMENT_TYPES:
        raise ValidationError(_("Attach a PDF, an image (JPG, PNG), a Word or an Excel file."))
    if f.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(_("An attachment may be at most 10 MB."))


class NoticeSettings(models.Model):
    """Per sending organization: whether a second person approves before sending, and the
    organization's group robot (WeCom or DingTalk)."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="notice_settings"
    )
    requires_approval = models.BooleanField(
        _("a second person approves before sending"), default=False
    )
    webhook_url = models.URLField(
        _("group robot address (WeCom or DingTalk)"),
        max_length=500,
        blank=True,
        validators=[validate_robot_url],
    )

    class Meta:
        verbose_name = _("notice settings")
        verbose_name_plural = _("notice settings")

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class NoticeQuerySet(models.QuerySet):
    def search(self, q: str) -> "NoticeQuerySet":
        return self.filter(Q(title__icontains=q) | Q(doc_number__icontains=q)) if q else self


class Notice(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NOTICE)
    title = models.CharField(_("title"), max_length=200)
    # Sanitized HTML (services.clean_body): headings, lists, tables; never a script.
    body = models.TextField(_("body"))
    title_hant = models.CharField(_("title (Traditional Chinese)"), max_length=200, blank=True)
    body_hant = models.TextField(_("body (Traditional Chinese)"), blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("body (English)"), blank=True)
    doc_number = models.CharField(_("document number"), max_length=60, blank=True)
    signature = models.CharField(_("issuing organization (signature)"), max_length=200)
    signed_on = models.DateField(_("date of issue"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    # Who receives it: services.AUDIENCE_KEYS (subtree, chambers, industries, townships,
    # executive, positions, party members, volunteers, hand-picked organizations and people).
    audience = models.JSONField(_("audience"), default=dict, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    # The chasing ladder: [{"hours": 6, "channels": ["robot", "email"]}, ...]
    ladder = models.JSONField(_("chasing ladder"), default=list, blank=True)
    ack_required = models.BooleanField(_("acknowledgement asked"), default=True)
    ack_note_required = models.BooleanField(_("a note is required"), default=False)
    # Fields the sender defines: [{"key": "f1", "label": "认捐金额", "kind": "number",
    # "required": true}, ...]
    fields = models.JSONField(_("fields to answer"), default=list, blank=True)
    due_at = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    send_at = models.DateTimeField(_("send at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    ladder_done = models.PositiveSmallIntegerField(default=0)  # steps of the ladder taken
    is_public = models.BooleanField(_("published on a public page"), default=False)
    # Linked work: a donation campaign the letter launches (its totals and honor list shown on
    # it), a work-resumption requirement (category, batch, daily reports from a date).
    campaign = models.ForeignKey(
        "donations.Campaign",
        verbose_name=_("donation campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices",
    )
    resumption_category = models.CharField(
        _("work resumption category"), max_length=20, choices=Category.choices, blank=True
    )
    resumption_batch = models.PositiveSmallIntegerField(
        _("work resumption batch"), null=True, blank=True
    )
    reports_from = models.DateField(_("daily reports from"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("document", "notice")
        verbose_name_plural = pgettext_lazy("document", "notices")
        indexes = [models.Index(fields=["status", "send_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False), name="notice_sent_has_time"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}

    @property
    def is_editable(self) -> bool:
        return self.status == Status.DRAFT

    @property
    def is_sent(self) -> bool:
        return self.status == Status.SENT

    def version(self, language: str | None = None) -> tuple[str, str]:
        """(title, body) in the reader's language when that version was written."""
        lang = (language or get_language() or "").lower()
        if lang.startswith("zh-hant") and self.body_hant:
            return self.title_hant or self.title, self.body_hant
        if lang.startswith("en") and self.body_en:
            return self.title_en or self.title, self.body_en
        return self.title, self.body


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="notices/%Y/%m/", validators=[validate_attachment])
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
        return {"org_path": self.notice.organization.path}


class RecipientQuerySet(models.QuerySet):
    def unacknowledged(self) -> "RecipientQuerySet":
        return self.filter(acknowledged_at__isnull=True)


class Recipient(models.Model):
    """One person a sent notice went to, fixed at sending: a user of the app (inbox, email)
    and/or a person of the register (SMS, work notice), in the organization they belong to."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="recipients")
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organization")
    )
    # The unit the roll-up counts it under: the chamber (or the organization one level under
    # the sender) its organization belongs to.
    unit = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices_received",
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=150)
    phone_masked = models.CharField(_("phone"), max_length=20, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_via = models.CharField(max_length=20, choices=Source.choices, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    read_via = models.CharField(max_length=20, choices=Source.choices, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_source = models.CharField(max_length=20, choices=Source.choices, blank=True)
    ack_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = FreeTextField(_("note"), blank=True)
    answers = models.JSONField(default=dict, blank=True)
    ack_file = models.FileField(
        _("file"), upload_to="notices/answers/%Y/%m/", blank=True, validators=[validate_attachment]
    )

    objects = RecipientQuerySet.as_manager()

    class Meta:
        ordering = ["unit__path", "organization__path", "name", "pk"]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "user"], condition=Q(user__isnull=False), name="recipient_user"
            ),
            models.UniqueConstraint(
                fields=["notice", "person"],
                condition=Q(person__isnull=False),
                name="recipient_person",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"]),
            models.Index(fields=["notice", "unit"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}

    @property
    def state(self) -> str:
        if self.acknowledged_at:
            return "acknowledged"
        if self.read_at:
            return "read"
        if self.delivered_at:
            return "delivered"
        return "sent"

    def is_late(self, now=None) -> bool:
        due = self.notice.due_at
        if due is None:
            return False
        if self.acknowledged_at:
            return self.acknowledged_at > due
        return (now or timezone.now()) > due


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")
    SKIPPED = "skipped", _("skipped")


class Delivery(models.Model):
    """One channel's attempt to reach one recipient (step 0 is the sending, the next ones the
    chasing ladder's steps and "remind the rest")."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    # None for the group robot: one message to the organization's group, not to a person.
    recipient = models.ForeignKey(
        Recipient, null=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    step = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        indexes = [models.Index(fields=["notice", "status"])]

    def __str__(self) -> str:
        return f"{self.channel} {self.status}"
