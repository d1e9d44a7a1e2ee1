"""Fever alerts: raised with their passage, delivered by robot and email, handled by staff."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gongke.accounts.access import require_write
from gongke.accounts.models import Role, User
from gongke.lib.masking import mask_text
from gongke.lib.robots import post_webhook
from gongke.registry.models import Organization, Place

from ..models import (
    FEVER,
    Alert,
    DutySettings,
    Passage,
)

logger = logging.getLogger(__name__)


# An alert whose notification was not queued (or whose job was lost) is delivered by the sweep
# once it is this old; a queued job normally claims it within seconds.
SWEEP_AFTER = timedelta(minutes=1)


# Backends that deliver nothing to anyone (a development default): email counts as not set up.
UNDELIVERED_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@dataclass
class FeverNotice:
    """What the guard is told about the alert their passage raised: whether its notification is
    queued (True), could not be queued and waits for the sweep (False), or is queued when the
    caller's transaction commits (None), and who is told, as set up (the group robot, how many
    people by email; neither: nobody is told, and the guard must call)."""

    alert_id: int
    organization: str
    queued: bool | None = None
    robot: bool = False
    emails: int = 0

    def message(self) -> str:
        name = {"organization": self.organization}
        if self.queued is False:
            return (
                _(
                    "Fever: do not let them pass. The alert is saved but could not be sent yet "
                    "(it is retried within minutes): call %(organization)s now."
                )
                % name
            )
        if not self.robot and not self.emails:
            return (
                _(
                    "Fever: do not let them pass. No alert channel is set up for %(organization)s, "
                    "so nobody has been told: call them now."
                )
                % name
            )
        channels = []
        if self.robot:
            channels.append(_("the group robot"))
        if self.emails:
            channels.append(
                ngettext("email to %(n)d person", "email to %(n)d people", self.emails)
                % {"n": self.emails}
            )
        return _(
            "Fever: do not let them pass. The alert is being sent to %(organization)s by "
            "%(channels)s."
        ) % {**name, "channels": _(", ").join(channels)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.alert_id,
            "queued": self.queued,
            "robot": self.robot,
            "emails": self.emails,
            "message": self.message(),
        }


def _email_users(organization_ids: set[int]) -> Any:
    return (
        User.objects.filter(
            is_active=True,
            memberships__organization_id__in=organization_ids,
            memberships__role__in=[Role.ORG_ADMIN, Role.ORG_STAFF],
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _channels(organization: Organization) -> tuple[bool, int]:
    """Who an alert of this organization reaches, as set up: (group robot?, people by email)."""
    config = DutySettings.for_organization(organization)
    robot = bool(config and config.fever_webhook_url)
    emails = 0
    if (config is None or config.fever_email) and (
        settings.EMAIL_BACKEND not in UNDELIVERED_EMAIL_BACKENDS
    ):
        ids = {organization.pk} | ({config.organization_id} if config else set())
        emails = _email_users(ids).count()
    return robot, emails


def raise_fever_alerts(passages: list[Passage], post: Place) -> dict[int, FeverNotice]:
    """An alert for each fever among `passages` (stored, in the caller's transaction); their
    notification is queued when it commits. Answers {passage id: notice}."""
    alerts = [
        Alert(
            organization_id=post.organization_id,
            post=post,
            passage=p,
            label=p.label[:50],
            temperature=p.temperature,
            occurred_at=p.occurred_at,
        )
        for p in passages
        if p.temperature is not None and p.temperature >= FEVER
    ]
    if not alerts:
        return {}
    Alert.objects.bulk_create(alerts)
    name = post.organization.name
    robot, emails = _channels(post.organization)
    notices = {
        p.pk: FeverNotice(alert_id=a.pk, organization=name, robot=robot, emails=emails)
        for p, a in zip((a.passage for a in alerts), alerts, strict=True)
        if p is not None
    }
    transaction.on_commit(lambda: _queue(list(notices.values())))
    return notices


def _queue(notices: list[FeverNotice]) -> None:
    """Enqueues each alert's notification; a queue that refuses (its storage full, locked or
    gone) loses nothing: the alert is stored, sweep_fever_alerts delivers it."""
    from ..tasks import notify_fever

    for notice in notices:
        try:
            notify_fever(notice.alert_id)
            notice.queued = True
        except Exception:
            logger.exception("fever alert %s: could not queue its notification", notice.alert_id)
            notice.queued = False


def sweep_fever_alerts(*, now: datetime | None = None) -> int:
    """Delivers every alert not notified yet that was raised over SWEEP_AFTER ago (its job was
    never queued, or lost); notify_fever's claim makes each delivery happen once. Answers how
    many it delivered."""
    cutoff = (now or timezone.now()) - SWEEP_AFTER
    ids = list(
        Alert.objects.filter(notified_at__isnull=True, raised_at__lte=cutoff)
        .order_by("raised_at", "pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in ids if notify_fever(alert_id=pk) is not None)


@transaction.atomic
def handle_alert(*, alert: Alert, user: Any, note: str) -> Alert:
    require_write(user, alert.organization)
    if not note.strip():
        raise ValidationError({"handling_note": _("Say what was done.")})
    alert.handled_at, alert.handled_by, alert.handling_note = (
        timezone.now(),
        user,
        note.strip()[:200],
    )
    alert.save(update_fields=["handled_at", "handled_by", "handling_note"])
    return alert


def _fever_text(alert: Alert) -> str:
    """The message about one alert, in the active language, times in settings.TIME_ZONE.

    The label is a name, a plate or an already masked number; mask_text also catches a phone or
    ID number typed into the name field, so none leaves the system in clear."""
    place = " · ".join(
        name
        for name in (alert.post.parent.name if alert.post.parent else "", alert.post.name)
        if name
    )
    link = settings.SITE_URL.rstrip("/") + reverse("community:alerts") + "?open=1"
    return "\n".join(
        [
            _("Fever alert: %(place)s") % {"place": place},
            _("%(who)s, %(temperature)s °C, at %(time)s")
            % {
                "who": mask_text(alert.label),
                "temperature": alert.temperature,
                "time": timezone.localtime(alert.occurred_at).strftime("%Y-%m-%d %H:%M"),
            },
            _("%(organization)s: follow up at once and record what was done: %(link)s")
            % {"organization": alert.organization.name, "link": link},
        ]
    )


def _email_fever(alert: Alert, config: DutySettings | None) -> int:
    """One email to each admin and staff member with an address, of the alert's organization and
    of the organization whose settings apply, in the recipient's own language."""
    organizations = {alert.organization_id} | ({config.organization_id} if config else set())
    users = _email_users(organizations)
    messages = []
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = _("Fever alert: %(temperature)s °C at %(post)s") % {
                "temperature": alert.temperature,
                "post": alert.post.name,
            }
            messages.append(EmailMessage(subject, _fever_text(alert), to=[user.email]))
    if not messages:
        return 0
    return get_connection(fail_silently=True).send_messages(messages) or 0


def notify_fever(*, alert_id: int) -> Alert | None:
    """Tell people who are not looking at the app about a fever: the group robot and email, as
    the alert's organization asks (or its nearest ancestor with settings; email by default).

    Sends once per alert, and never raises: a broken robot does not stop the email, and the
    alert is marked notified whatever happened, with what was delivered recorded on it."""
    # Claimed in one statement before anything is sent: a second run (a retry, a job enqueued
    # twice, another worker) finds the alert taken. A crash after the claim loses the message
    # rather than sending it twice; the pages list every alert anyway.
    claimed = Alert.objects.filter(pk=alert_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return None
    alert = Alert.objects.select_related("organization", "post__parent").get(pk=alert_id)
    logger.warning("fever %s °C at %s (%s)", alert.temperature, alert.post, alert.organization)
    config = DutySettings.for_organization(alert.organization)
    if config is not None and config.fever_webhook_url:
        try:
            # A group has no one language: the site's (Simplified Chinese by default).
            with translation.override(settings.LANGUAGE_CODE):
                alert.robot_status = post_webhook(config.fever_webhook_url, _fever_text(alert))
        except Exception as exc:
            logger.exception("fever alert %s: robot failed", alert.pk)
            alert.robot_status = f"error: {exc}"[:100]
    if config is None or config.fever_email:
        try:
            alert.emails_sent = _email_fever(alert, config)
        except Exception:
            logger.exception("fever alert %s: email failed", alert.pk)
    alert.save(update_fields=["robot_status", "emails_sent"])
    return alert


@transaction.atomic
def save_duty_settings(
    *, organization: Organization, user: Any, data: dict[str, Any]
) -> DutySettings:
    require_write(user, organization, manage=True)
    config = DutySettings.objects.filter(organization=organization).first() or DutySettings(
        organization=organization
    )
    if isinstance(data.get("fever_webhook_url"), str):
        data = {**data, "fever_webhook_url": data["fever_webhook_url"].strip()}
    for name in ("fever_webhook_url", "fever_email"):
        if name in data:
            setattr(config, name, data[name])
    config.full_clean(exclude=["organization"])
    config.save()
    return config
