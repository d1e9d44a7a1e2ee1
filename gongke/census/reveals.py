"""Looking behind a masked ID number: a reveal request (census) or matching a typed candidate
number against the stored hash (a post's passage). Both are audited with a reason.

A match answers yes or no, so repeated matching is a guessing oracle: with the birth year and
gender on the record, the hidden part of a masked number (only the first three digits show)
still leaves ~10^8 candidates, and a per-user allowance keeps any guessing far from that.
Each user may look behind ID_REVEALS_PER_HOUR numbers an hour, counted in the cache every
worker shares. The first look refused in a window raises an alarm: an audit entry and an email
(and a WARNING log line) to the admins of the record's organization and its ancestors.

    from gongke.census import reveals
    reveals.spend(user=request.user, organization=org)        # raises TooManyReveals
    with transaction.atomic():
        reveals.audit(user=..., instance=resident, organization=org, reason=..., matched=...)
"""

import logging
from typing import Any

from auditlog.models import LogEntry
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from gongke.accounts.models import Role, User
from gongke.lib import ratelimit
from gongke.lib.masking import mask_text
from gongke.registry.models import Organization

log = logging.getLogger(__name__)
WINDOW = 3600
MIN_REASON = 4


class TooManyReveals(ValidationError):
    """The user's hourly allowance is used up (the API answers 429)."""


def clean_reason(reason: str) -> str:
    """The same rule for every look behind a number: a reason of a few words, kept whole."""
    reason = " ".join(str(reason or "").split())
    if len(reason) < MIN_REASON:
        raise ValidationError(
            {"reason": [_("Give a reason (at least a few words) for revealing an ID number.")]}
        )
    return mask_text(reason)[:200]


def spend(*, user: Any, organization: Organization) -> None:
    """Count one look against the user's allowance, or refuse it (and raise the alarm once)."""
    wait = ratelimit.take(
        f"id-reveal:{user.pk}", 1, limit=settings.ID_REVEALS_PER_HOUR, seconds=WINDOW
    )
    if not wait:
        return
    window = int(timezone.now().timestamp() // WINDOW)
    if cache.add(f"id-reveal-alarm:{user.pk}:{window}", 1, timeout=WINDOW + 1):
        _alarm(user=user, organization=organization)
    raise TooManyReveals(
        _(
            "You have looked behind %(n)s ID numbers within the hour, the most allowed. Try "
            "again in %(minutes)s minutes; your organization's admins have been told."
        )
        % {"n": settings.ID_REVEALS_PER_HOUR, "minutes": max(1, wait // 60)},
        code="too_many_reveals",
    )


def audit(
    *,
    user: Any,
    instance: models.Model,
    organization: Organization,
    reason: str,
    shown: str,
    matched: bool | None = None,
) -> LogEntry:
    """The audit entry of one look: who, which record, why, and whether a candidate matched."""
    changes = {"id_number": [shown, reason]}
    if matched is not None:
        changes["matched"] = ["", str(matched)]
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user,
        changes=changes,
        additional_data={"org_path": organization.path, "reason": reason},
    )


def _admins(organization: Organization):
    """Admins of the organization and of every organization above it, with an email address."""
    paths = [organization.path[:n] for n in range(5, len(organization.path) + 1, 5)]
    return (
        User.objects.filter(
            is_active=True,
            memberships__role=Role.ORG_ADMIN,
            memberships__organization__path__in=paths,
        )
        .distinct()
        .order_by("pk")
    )


def _alarm(*, user: Any, organization: Organization) -> None:
    limit = settings.ID_REVEALS_PER_HOUR
    log.warning(
        "ID number reveals: user %s (%s) passed %s within the hour at %s",
        user.pk,
        user.username,
        limit,
        organization.path,
    )
    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=user,
        changes={"id_number_reveals": ["", f"over {limit} within the hour"]},
        additional_data={"org_path": organization.path, "alarm": "id_number_reveals"},
    )
    messages = []
    for admin in _admins(organization).exclude(email=""):
        with translation.override(admin.language or settings.LANGUAGE_CODE):
            subject = _("Alarm: %(user)s looked behind too many ID numbers") % {
                "user": user.display_name or user.username
            }
            body = _(
                "%(user)s (%(username)s) tried to look behind more than %(n)s ID numbers within "
                "an hour at %(organization)s, and was stopped. Check the audit trail for the "
                "reasons given, and talk to them."
            ) % {
                "user": user.display_name or user.username,
                "username": user.username,
                "n": limit,
                "organization": organization.name,
            }
        messages.append(EmailMessage(subject, body, to=[admin.email]))
    if messages:
        get_connection(fail_silently=True).send_messages(messages)
