"""Who sees and writes which supplies, on the one access path (accounts.access, docs/access.md).

- The catalog (items) of an organization is shared with everything below it: a user picks from
  the items of their subtrees and of the bodies above them; staff and admins of the keeping
  organization edit it.
- Stock, lots and movements are reached through the warehouse's organization (the custodian)
  and the lot's owner (goods held on behalf of another organization); staff and admins of the
  custodian move them.
- Needs, offers and shipments by the organization that keeps them.
A duty officer's membership reaches none of it (its reach is its posts).
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.accounts.access import (
    WRITERS,
    is_platform_admin,
    reference_organizations,
    require_write,
    scope_q,
)
from gongke.registry.access import get_place, places_for
from gongke.registry.models import Organization, Place, PlaceKind, SearchQuerySet

from .models import Item, Lot, Movement, Need, NeedQuerySet, Offer, PurchaseOrder, Shipment, Stock


def _one(qs: QuerySet, pk: Any):
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("Not found."))


def require_supplies_write(user: Any, org: Organization) -> None:
    """404 unless the user reaches `org`, 403 unless a role of theirs there writes supplies."""
    require_write(user, org, roles=WRITERS["supplies"])


# --- Catalog ---------------------------------------------------------------------------------


def items_for(user: Any) -> SearchQuerySet:
    return Item.objects.filter(organization__in=reference_organizations(user))


def get_item(user: Any, pk: Any, *, write: bool = False) -> Item:
    item = _one(items_for(user).select_related("organization"), pk)
    if write:
        require_supplies_write(user, item.organization)
    return item


# --- Warehouses, stock, lots, movements --------------------------------------------------------


def warehouses_for(user: Any) -> QuerySet[Place]:
    return places_for(user).filter(kind=PlaceKind.WAREHOUSE)


def get_warehouse(user: Any, pk: Any, *, write: bool = False) -> Place:
    place = get_place(user, pk)
    if place.kind != PlaceKind.WAREHOUSE:
        raise Http404(_("Not found."))
    if write:
        require_supplies_write(user, place.organization)
    return place


def recipients_for(user: Any) -> QuerySet[Place]:
    """Recipient units a user may send to: kept by their subtree or the bodies above it."""
    return Place.objects.recipients().filter(
        organization__in=reference_organizations(user), is_active=True
    )


def get_recipient(user: Any, pk: Any) -> Place:
    return _one(recipients_for(user), pk)


def _held(user: Any, *, warehouse: str, owner: str) -> Q:
    return scope_q(user, f"{warehouse}__organization") | scope_q(user, owner)


def stocks_for(user: Any) -> QuerySet[Stock]:
    if is_platform_admin(user):
        return Stock.objects.all()
    return Stock.objects.filter(_held(user, warehouse="warehouse", owner="lot__owner"))


def movements_for(user: Any) -> QuerySet[Movement]:
    if is_platform_admin(user):
        return Movement.objects.all()
    return Movement.objects.filter(_held(user, warehouse="warehouse", owner="lot__owner"))


def lots_for(user: Any) -> QuerySet[Lot]:
    if is_platform_admin(user):
        return Lot.objects.all()
    held = Stock.objects.filter(scope_q(user, "warehouse__organization")).values("lot_id")
    received = Movement.objects.filter(
        scope_q(user, "warehouse__organization"), kind="receive"
    ).values("lot_id")
    return Lot.objects.filter(scope_q(user, "owner") | Q(pk__in=held) | Q(pk__in=received))


def get_lot(user: Any, pk: Any) -> Lot:
    return _one(lots_for(user).select_related("item", "owner", "gift"), pk)


def get_movement(user: Any, pk: Any, *, write: bool = False) -> Movement:
    qs = movements_for(user).select_related("lot", "item", "warehouse__organization")
    movement = _one(qs, pk)
    if write:
        require_supplies_write(user, movement.warehouse.organization)
    return movement


# --- Needs, offers, shipments ------------------------------------------------------------------


def needs_for(user: Any) -> NeedQuerySet:
    return Need.objects.filter(scope_q(user, "organization"))


def get_need(user: Any, pk: Any, *, write: bool = False) -> Need:
    need = _one(needs_for(user).select_related("organization", "recipient"), pk)
    if write:
        require_supplies_write(user, need.organization)
    return need


def offers_for(user: Any) -> QuerySet[Offer]:
    return Offer.objects.filter(scope_q(user, "organization"))


def get_offer(user: Any, pk: Any, *, write: bool = False) -> Offer:
    offer = _one(offers_for(user).select_related("organization", "item", "township"), pk)
    if write:
        require_supplies_write(user, offer.organization)
    return offer


def shipments_for(user: Any) -> QuerySet[Shipment]:
    return Shipment.objects.filter(scope_q(user, "organization"))


def get_shipment(user: Any, pk: Any, *, write: bool = False) -> Shipment:
    qs = shipments_for(user).select_related("organization", "warehouse", "recipient", "offer")
    shipment = _one(qs, pk)
    if write:
        require_supplies_write(user, shipment.organization)
    return shipment


def orders_for(user: Any) -> QuerySet[PurchaseOrder]:
    return PurchaseOrder.objects.filter(scope_q(user, "organization"))


def get_order(user: Any, pk: Any, *, write: bool = False) -> PurchaseOrder:
    order = _one(orders_for(user).select_related("organization"), pk)
    if write:
        require_supplies_write(user, order.organization)
    return order
