"""Disinfection spots and their log; the publicity checklist."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    DisinfectionLog,
    PublicityItem,
    Spot,
)


@transaction.atomic
def save_spot(*, spot: Spot | None = None, **fields: Any) -> Spot:
    spot = spot or Spot()
    for name, value in fields.items():
        setattr(spot, name, value)
    spot.due_at = spot.last_done_at + spot.interval if spot.last_done_at else None
    spot.full_clean()
    spot.save()
    return spot


@transaction.atomic
def log_disinfection(
    *, spot: Spot, done_by: str, agent: str, user: Any = None, done_at: datetime | None = None
) -> DisinfectionLog:
    if not agent.strip():
        raise ValidationError({"agent": _("Say which disinfectant was used.")})
    if not done_by.strip():
        raise ValidationError({"done_by": _("Say who disinfected.")})
    log = DisinfectionLog.objects.create(
        spot=spot,
        done_at=done_at or timezone.now(),
        done_by=done_by.strip()[:50],
        agent=agent.strip()[:100],
        recorded_by=user,
    )
    if spot.last_done_at is None or log.done_at > spot.last_done_at:
        spot.last_done_at = log.done_at
        spot.due_at = log.done_at + spot.interval
        spot.save(update_fields=["last_done_at", "due_at"])
    return log


@transaction.atomic
def check_publicity(*, item: PublicityItem, user: Any, done: bool = True) -> PublicityItem:
    item.done_at = timezone.now() if done else None
    item.done_by = user if done else None
    item.save(update_fields=["done_at", "done_by"])
    return item
