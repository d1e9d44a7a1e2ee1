"""Who sees which donation records, on top of the one access path (accounts.access).

A gift is seen by the subtree that collected it and by every organization it was forwarded to;
a ledger entry by both of its ends; a donor by the subtree that keeps it and by whoever sees one
of its gifts.
"""

from typing import Any

from django.db.models import Q, QuerySet

from gongke.accounts.access import is_platform_admin, scope_q

from .models import Donor, Entry, Gift


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
