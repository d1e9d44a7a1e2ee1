"""Duty rosters: shifts, who is on them, signing in and out, the gaps nobody covers."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongke.registry.models import Place, PlaceKind

from ..models import (
    Assignment,
    Shift,
)


def _assignable(post: Place) -> None:
    if post.kind != PlaceKind.POST:
        raise ValidationError({"post": _("Shifts are kept for duty posts.")})


@transaction.atomic
def create_shift(
    *,
    post: Place,
    starts_at: datetime,
    ends_at: datetime,
    people: Sequence[Any] = (),
    users: Sequence[Any] = (),
) -> Shift:
    _assignable(post)
    shift = Shift(post=post, starts_at=starts_at, ends_at=ends_at)
    shift.full_clean()
    shift.save()
    for person in people:
        Assignment.objects.create(shift=shift, person=person)
    for u in users:
        Assignment.objects.create(shift=shift, user=u)
    return shift


@transaction.atomic
def assign(*, shift: Shift, person: Any = None, user: Any = None) -> Assignment:
    a = Assignment(shift=shift, person=person, user=user)
    a.full_clean()
    a.save()
    return a


@transaction.atomic
def sign_in(*, assignment: Assignment, at: datetime | None = None) -> Assignment:
    """Signs in to a shift, no earlier than SHIFT_SIGN_IN_EARLY_MINUTES before it starts (a
    sign-in hours ahead says someone is at the post who is not)."""
    if assignment.signed_in_at is None:
        at = at or timezone.now()
        shift = assignment.shift
        early = timedelta(minutes=settings.SHIFT_SIGN_IN_EARLY_MINUTES)
        if at < shift.starts_at - early:
            raise ValidationError(
                _("Too early: signing in opens %(minutes)d minutes before the shift starts.")
                % {"minutes": settings.SHIFT_SIGN_IN_EARLY_MINUTES}
            )
        assignment.signed_in_at = at
        assignment.save(update_fields=["signed_in_at"])
    return assignment


@transaction.atomic
def sign_out(
    *, assignment: Assignment, handover_note: str = "", at: datetime | None = None
) -> Assignment:
    if assignment.signed_in_at is None:
        raise ValidationError(_("Sign in before signing out."))
    assignment.signed_out_at = at or timezone.now()
    assignment.save(update_fields=["signed_out_at"])
    if handover_note.strip():
        shift = assignment.shift
        shift.handover_note = (
            shift.handover_note + "\n" if shift.handover_note else ""
        ) + handover_note.strip()
        shift.save(update_fields=["handover_note"])
    return assignment


def uncovered(
    *, posts: list[Place], start: datetime, end: datetime
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Per post, the stretches of [start, end) no staffed shift covers (a shift with nobody is a gap)."""
    spans: dict[int, list[tuple[datetime, datetime]]] = {p.pk: [] for p in posts}
    shifts = (
        Shift.objects.filter(
            post__in=posts, starts_at__lt=end, ends_at__gt=start, assignments__isnull=False
        )
        .distinct()
        .order_by("starts_at")
        .values_list("post_id", "starts_at", "ends_at")
    )
    for post_id, s, e in shifts:
        spans[post_id].append((max(s, start), min(e, end)))
    gaps: dict[int, list[tuple[datetime, datetime]]] = {}
    for post_id, covered in spans.items():
        holes, cursor = [], start
        for s, e in sorted(covered):
            if s > cursor:
                holes.append((cursor, s))
            cursor = max(cursor, e)
        if cursor < end:
            holes.append((cursor, end))
        gaps[post_id] = holes
    return gaps
