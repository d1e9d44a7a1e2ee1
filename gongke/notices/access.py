"""Notices through the one access path (gongke.accounts.access, docs/access.md).

Two sides: the sender's (a notice belongs to the organization that issues it: its subtree's
readers follow it, its staff and admins write it) and the recipient's (the inbox: the rows
addressed to the user themselves, whatever their role).
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.accounts.access import (
    WRITERS,
    Reach,
    get_for_user,
    scoped,
    writable_organizations,
)
from gongke.registry.models import Organization

from .models import Notice, NoticeQuerySet, Recipient

NOTICE = Reach(org="organization")
# A recipient row is reached through the recipient's own organization: a chamber's secretary
# chases and records acknowledgements for their members, whoever sent the notice.
RECIPIENT = Reach(org="organization")


def notices_for(user: Any) -> NoticeQuerySet:
    return scoped(user, Notice.objects.select_related("organization"), reach=NOTICE)


def get_notice(user: Any, pk: Any, *, write: bool = False) -> Notice:
    """A notice of an organization the user reaches (404 otherwise); write=True: the roles that
    write notices (WRITERS["notices"]) over it, 403 for the others."""
    qs = Notice.objects.select_related("organization", "created_by", "approved_by")
    roles = WRITERS["notices"] if write else None
    return get_for_user(user, qs, reach=NOTICE, roles=roles, pk=pk)


def recipients_for(user: Any) -> QuerySet[Recipient]:
    return scoped(user, Recipient.objects.all(), reach=RECIPIENT)


def get_recipient(user: Any, notice_pk: Any, pk: Any, *, write: bool = False) -> Recipient:
    """One recipient row in the user's reach (write: to record an acknowledgement on the
    recipient's behalf)."""
    roles = WRITERS["notices"] if write else None
    qs = Recipient.objects.filter(notice_id=notice_pk).select_related("notice", "organization")
    return get_for_user(user, qs, reach=RECIPIENT, roles=roles, pk=pk)


def inbox_for(user: Any) -> QuerySet[Recipient]:
    """The notices addressed to the user: their own recipient rows."""
    if not getattr(user, "is_authenticated", False):
        return Recipient.objects.none()
    return Recipient.objects.filter(user=user).select_related(
        "notice", "notice__organization", "organization"
    )


def get_received(user: Any, notice_pk: Any) -> Recipient:
    """The user's own recipient row of a notice (404 when it was not sent to them)."""
    try:
        return inbox_for(user).get(notice_id=notice_pk)
    except (Recipient.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found."))


def sending_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations the user may issue notices for."""
    return writable_organizations(user, roles=WRITERS["notices"]).order_by("path")
