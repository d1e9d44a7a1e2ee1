"""Who sees which donation records, on the one access path (accounts.access, docs/access.md).

A gift is seen by the subtree that collected it and by every organization it was forwarded to;
a ledger entry by both of its ends; a donor by the subtree that keeps it and by whoever sees one
of its gifts. A duty officer's membership reaches none of them. Staff and admins write (the
services check the writer's role over the organization they write for); others read.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.accounts.access import (
    can_write,
    is_platform_admin,
    require_write,
    scope_q,
    writable_organizations,
)
from gongke.registry.models import Organization, OrgKind, SearchQuerySet

from .models import Campaign, Donor, DonorMerge, Entry, Gift, GiftQuerySet, ImportReview, Receipt


def gifts_for(user: Any) -> GiftQuerySet:
    """Gifts a user may see: collected in their subtrees, or forwarded into them."""
    if is_platform_admin(user):  # (an empty Q would swallow the OR below)
        return Gift.objects.all()
    forwarded = Entry.objects.filter(scope_q(user, "to_organization")).values("gift_id")
    return Gift.objects.filter(scope_q(user, "organization") | Q(pk__in=forwarded))


def entries_for(user: Any) -> QuerySet[Entry]:
    if is_platform_admin(user):
        return Entry.objects.all()
    return Entry.objects.filter(scope_q(user, "organization") | scope_q(user, "to_organization"))


def donors_for(user: Any) -> SearchQuerySet:
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


def get_donor(user: Any, pk: Any, *, write: bool = False) -> Donor:
    donor = _one(donors_for(user).select_related("organization", "enterprise", "township"), pk)
    if write:
        require_write(user, donor.organization, manage=True)
    return donor


def merges_for(user: Any) -> QuerySet[DonorMerge]:
    """Merges of donor records, seen by whoever sees the record kept."""
    return DonorMerge.objects.filter(kept__in=donors_for(user))


def get_merge(user: Any, pk: Any, *, write: bool = False) -> DonorMerge:
    merge = _one(merges_for(user).select_related("kept__organization", "merged__organization"), pk)
    if write:
        require_write(user, merge.kept.organization, manage=True)
        require_write(user, merge.merged.organization, manage=True)
    return merge


def campaigns_read_for(user: Any) -> QuerySet[Campaign]:
    """Campaigns whose own figures and honor list the user may read: those organized within
    the user's reach (every gift they count lies under the organizer). Others see a public
    campaign's honor list only."""
    if is_platform_admin(user):
        return Campaign.objects.all()
    return Campaign.objects.filter(scope_q(user, "organization"))


def get_campaign(user: Any, pk: Any) -> Campaign:
    return _one(campaigns_read_for(user).select_related("organization"), pk)


def receipts_for(user: Any) -> QuerySet[Receipt]:
    if is_platform_admin(user):
        return Receipt.objects.all()
    return Receipt.objects.filter(scope_q(user, "organization"))


def get_receipt(user: Any, pk: Any) -> Receipt:
    qs = receipts_for(user).select_related(
        "organization", "entry", "entry__gift", "entry__gift__donor", "entry__reversed_by"
    )
    return _one(qs, pk)


def reviews_for(user: Any) -> QuerySet[ImportReview]:
    """Duplicate reviews of imports, by the organization the file was imported for."""
    if is_platform_admin(user):
        return ImportReview.objects.all()
    return ImportReview.objects.filter(scope_q(user, "organization"))


def get_review(user: Any, pk: Any, *, write: bool = False) -> ImportReview:
    review = _one(reviews_for(user).select_related("organization", "batch"), pk)
    if write:
        require_write(user, review.organization, manage=True)
    return review


def require_booker(user: Any) -> None:
    """403 unless some membership of the user books gifts (staff or admin) somewhere."""
    if not writable_organizations(user, manage=True).exists():
        raise PermissionDenied(_("Your role may only read here."))


def donor_enterprises(user: Any) -> QuerySet[Organization]:
    """Member enterprises a gift may name as its donor: those the user books gifts for. A donor
    row is kept in the enterprise's subtree, so a reader there may not create one."""
    return writable_organizations(user, manage=True).filter(kind=OrgKind.ENTERPRISE)


def require_booking(user: Any, gift: Gift, holders: list[Organization]) -> None:
    """Receiving, forwarding or allocating a gift: 403 unless the user books for its collector or
    for one of the organizations holding part of it."""
    if not any(can_write(user, o, manage=True) for o in [gift.organization, *holders]):
        raise PermissionDenied(_("Your role may only read here."))
