"""Who sees which donation records, on the one access path (accounts.access, docs/access.md).

A gift is seen by the subtree that collected it and by every organization it was forwarded to;
a ledger entry by both of its ends; a donor by the subtree that keeps it and by whoever sees one
of its gifts. A duty officer's membership reaches none of them. Staff and admins write (the
services check the writer's role over the organization they write for); others read.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.accounts.access import is_platform_admin, require_write, scope_q

from .models import Donor, Entry, Gift, Receipt


def gifts_for(user: Any) -> QuerySet[Gift]:
    """Gifts a user may see: collected in their subtrees, or forwarded into them."""
    if is_platform_admin(user):  # (an empty Q would swallow the OR below)
        return Gift.objects.all()
    forwarded = Entry.objects.filter(scope_q(user, "to_organization")).values("gift_id")
    return Gift.objects.filter(scope_q(user, "organization") | Q(pk__in=forwarded))


def entries_for(user: Any) -> QuerySet[Entry]:
    if is_platform_admin(user):
        return Entry.objects.all()
    return Entry.objects.filter(scope_q(user, "organization") | scope_q(user, "to_organization"))


def donors_for(user: Any) -> QuerySet[Donor]:
    """Donors kept in the user's subtrees, and those who gave to gifts the user can see."""
    if is_platform_admin(user):
        return Donor.objects.all()
    return Donor.objects.filter(
        scope_q(user, "organization") | Q(pk__in=gifts_for(user).values("donor_id"))
    )


def _one(qs: QuerySet, pk: Any):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found."))


def get_gift(user: Any, pk: Any, *, write: bool = False) -> Gift:
    gift = _one(gifts_for(user).select_related("donor", "organization", "campaign"), pk)
    if write:
        require_write(user, gift.organization, manage=True)
    return gift


def get_entry(user: Any, pk: Any, *, write: bool = False) -> Entry:
    entry = _one(entries_for(user).select_related("organization", "gift"), pk)
    if write:
        require_write(user, entry.organization, manage=True)
    return entry


def get_donor(user: Any, pk: Any) -> Donor:
    return _one(donors_for(user).select_related("organization", "enterprise", "township"), pk)


def receipts_for(user: Any) -> QuerySet[Receipt]:
    if is_platform_admin(user):
        return Receipt.objects.all()
    return Receipt.objects.filter(scope_q(user, "organization"))


def get_receipt(user: Any, pk: Any) -> Receipt:
    qs = receipts_for(user).select_related(
        "organization", "entry", "entry__gift", "entry__gift__donor", "entry__reversed_by"
    )
    return _one(qs, pk)
