"""Writes to the catalog and the stock ledger, and the ledger's reads (balances, stock card,
first-expiry-first-out).

Every write checks the writer's role over the organization it writes for, runs in one
transaction and only ever adds movements. Stock changes through `_take` and `_put` alone: a
conditional UPDATE of the lot's Stock row (`quantity >= n` for a take) in the same transaction
as the movement. On PostgreSQL the UPDATE locks the row and re-reads it after a concurrent writer
commits; on SQLite a write transaction holds the database's one writer lock from BEGIN
(IMMEDIATE, see settings); and the CHECK constraint on Stock refuses a negative balance
whatever happens. So concurrent issuers never take more than there is."""

import datetime
import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from gongke.lib.chinese import search_key
from gongke.lib.lengths import check_lengths
from gongke.registry.models import Organization, Place, PlaceKind

from .access import require_supplies_write
from .models import (
    Category,
    Item,
    Kind,
    Lot,
    Movement,
    Need,
    NeedLine,
    Offer,
    OrderKind,
    OrderLine,
    Pack,
    PurchaseOrder,
    Shipment,
    ShipmentLine,
    ShipmentStatus,
    Source,
    Stock,
    Urgency,
)

MAX_QUANTITY = 10**12


# --- Catalog ---------------------------------------------------------------------------------


@transaction.atomic
def save_item(
    *,
    user: Any,
    organization: Organization,
    name: str,
    category: str,
    base_unit: str,
    standard: str = "",
    shelf_life_days: int | None = None,
    daily_use: Decimal | int | str = 0,
    packs: Iterable[tuple[str, int]] = (),
    item: Item | None = None,
) -> Item:
    """Add an item to an organization's catalog (or change one), with its pack conversions."""
    require_supplies_write(user, organization)
    if item is None:
        item = Item(organization=organization)
    elif item.organization_id != organization.pk:
        raise ValidationError({"organization": [_("An item stays in its organization's catalog.")]})
    if category not in Category.values:
        raise ValidationError({"category": [_("Choose a category.")]})
    item.name = (name or "").strip()
    item.category = category
    item.base_unit = (base_unit or "").strip()
    item.standard = (standard or "").strip()
    item.shelf_life_days = shelf_life_days
    item.daily_use = Decimal(str(daily_use or 0))
    item.search_text = search_key(item.name, item.standard)
    if Item.objects.filter(organization=organization, name=item.name).exclude(pk=item.pk).exists():
        raise ValidationError({"name": [_("The catalog already has an item of this name.")]})
    item.full_clean(exclude=["search_text"])
    item.save()
    wanted = {}
    for pack_name, quantity in packs:
        pack_name = (pack_name or "").strip()
        if not pack_name:
            continue
        if not isinstance(quantity, int) or quantity <= 0 or quantity > MAX_QUANTITY:
            raise ValidationError({"packs": [_("A pack holds a whole number of base units.")]})
        if pack_name == item.base_unit or pack_name in wanted:
            raise ValidationError({"packs": [_("Each pack has a name of its own.")]})
        wanted[pack_name] = quantity
    check_lengths(Pack, {"name": max(wanted, key=len, default="")})
    item.packs.exclude(name__in=wanted).delete()
    for pack_name, quantity in wanted.items():
        Pack.objects.update_or_create(item=item, name=pack_name, defaults={"quantity": quantity})
    return item


def to_base(item: Item, quantity: Any, unit: str = "") -> int:
    """A quantity in one of the item's packs (or its base unit) -> whole base units."""
    try:
        amount = Decimal(str(quantity))
    except Exception:
        raise ValidationError({"quantity": [_("Enter a whole number.")]})
    per = 1
    if unit and unit != item.base_unit:
        pack = next((p for p in item.packs.all() if p.name == unit), None)
        if pack is None:
            raise ValidationError({"unit": [_("This item has no such pack.")]})
        per = pack.quantity
    base = amount * per
    if base != base.to_integral_value() or not amount.is_finite():
        raise ValidationError(
            {
                "quantity": [
                    _("The quantity must be a whole number of %(unit)s.") % {"unit": item.base_unit}
                ]
            }
        )
    if base <= 0 or base > MAX_QUANTITY:
        raise ValidationError({"quantity": [_("The quantity must be more than zero.")]})
    return int(base)


def in_packs(item: Item, quantity: int) -> str:
    """2,050 只 -> "2箱 1盒 … 50只": how a storekeeper counts it (largest packs first)."""
    parts = []
    rest = quantity
    for pack in sorted(item.packs.all(), key=lambda p: -p.quantity):
        if rest >= pack.quantity:
            parts.append(f"{rest // pack.quantity}{pack.name}")
            rest %= pack.quantity
    if rest or not parts:
        parts.append(f"{rest}{item.base_unit}")
    return " ".join(parts)


# --- The ledger's one way to change stock ---------------------------------------------------


def _take(lot: Lot, warehouse: Place, quantity: int) -> None:
    taken = Stock.objects.filter(lot=lot, warehouse=warehouse, quantity__gte=quantity).update(
        quantity=F("quantity") - quantity
    )
    if not taken:
        raise ValidationError(
            {
                "quantity": [
                    _("Not enough stock of %(lot)s in %(warehouse)s.")
                    % {"lot": lot, "warehouse": warehouse}
                ]
            }
        )


def _put(lot: Lot, warehouse: Place, quantity: int) -> None:
    if Stock.objects.filter(lot=lot, warehouse=warehouse).update(quantity=F("quantity") + quantity):
        return
    try:
        with transaction.atomic():
            Stock.objects.create(
                lot=lot, warehouse=warehouse, item_id=lot.item_id, quantity=quantity
            )
    except IntegrityError:  # a concurrent first receipt made the row
        Stock.objects.filter(lot=lot, warehouse=warehouse).update(quantity=F("quantity") + quantity)


def _apply(lot: Lot, warehouse: Place, delta: int) -> None:
    if delta < 0:
        _take(lot, warehouse, -delta)
    else:
        _put(lot, warehouse, delta)


def _record(
    *, lot: Lot, warehouse: Place, kind: str, quantity: int, user: Any, **extra: Any
) -> Movement:
    _apply(lot, warehouse, quantity)
    return Movement.objects.create(
        lot=lot,
        warehouse=warehouse,
        item_id=lot.item_id,
        kind=kind,
        quantity=quantity,
        occurred_at=timezone.now(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **extra,
    )


def _warehouse(place: Place) -> Place:
    if place.kind != PlaceKind.WAREHOUSE:
        raise ValidationError({"warehouse": [_("Choose a warehouse.")]})
    return place


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    check_lengths(Movement, {"reason": reason})
    return reason


# --- Writes ----------------------------------------------------------------------------------


@transaction.atomic
def receive(
    *,
    user: Any,
    warehouse: Place,
    item: Item,
    quantity: int,
    owner: Organization | None = None,
    source: str = Source.PURCHASE,
    gift: Any = None,
    supplier: str = "",
    batch: str = "",
    expires_on: datetime.date | None = None,
    received_on: datetime.date | None = None,
    note: str = "",
) -> Lot:
    """Goods arrive in a warehouse: a new lot and its receipt movement. `gift`: a donation in
    kind (donations.Gift) taken into stock (see take_gift_into_stock)."""
    require_supplies_write(user, _warehouse(warehouse).organization)
    if source not in Source.values:
        raise ValidationError({"source": [_("Choose a source.")]})
    if source == Source.GIFT and gift is None:
        raise ValidationError({"gift": [_("Choose the gift this stock came from.")]})
    if not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": [_("The quantity must be more than zero.")]})
    values = {"supplier": supplier.strip(), "batch": batch.strip(), "note": note.strip()}
    check_lengths(Lot, values)
    lot = Lot.objects.create(
        item=item,
        owner=owner or warehouse.organization,
        source=source,
        gift=gift,
        expires_on=expires_on,
        received_on=received_on or timezone.localdate(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **values,
    )
    _record(lot=lot, warehouse=warehouse, kind=Kind.RECEIVE, quantity=quantity, user=user)
    return lot


@transaction.atomic
def take_gift_into_stock(
    *, user: Any, gift: Any, warehouse: Place, item: Item, quantity: int, **lot: Any
) -> Lot:
    """A goods gift recorded in the donations ledger becomes a lot (its donor is the lot's
    source on the trace page). A gift is taken into stock at most up to its quantity in the
    item's base units."""
    from gongke.donations.models import Nature

    if gift.nature != Nature.GOODS:
        raise ValidationError({"gift": [_("Only a gift of goods can be taken into stock.")]})
    taken = (
        Movement.objects.filter(lot__gift=gift, kind=Kind.RECEIVE).aggregate(n=Sum("quantity"))["n"]
        or 0
    )
    if (
        gift.quantity is not None
        and item.base_unit == gift.unit
        and taken + quantity > gift.quantity
    ):
        raise ValidationError({"quantity": [_("More than the gift's quantity would be in stock.")]})
    lot.setdefault("supplier", gift.public_name or "")
    return receive(
        user=user,
        warehouse=warehouse,
        item=item,
        quantity=quantity,
        owner=lot.pop("owner", None) or gift.organization,
        source=Source.GIFT,
        gift=gift,
        **lot,
    )


@transaction.atomic
def transfer(*, user: Any, lot: Lot, source: Place, destination: Place, quantity: int) -> Movement:
    """Move part of a lot to another warehouse: two movements, each the other's pair."""
    require_supplies_write(user, _warehouse(source).organization)
    _warehouse(destination)
    if source.pk == destination.pk:
        raise ValidationError({"destination": [_("Choose another warehouse.")]})
    out = _record(
        lot=lot,
        warehouse=source,
        kind=Kind.TRANSFER_OUT,
        quantity=-quantity,
        user=user,
        counterpart=destination,
    )
    into = _record(
        lot=lot,
        warehouse=destination,
        kind=Kind.TRANSFER_IN,
        quantity=quantity,
        user=user,
        counterpart=source,
        pair=out,
    )
    out.pair = into
    out.save(update_fields=["pair"])
    return out


@dataclass
class Pick:
    """One lot suggested for an issue: first expiry first out."""

    lot: Lot
    available: int
    quantity: int


def fefo(*, item: Item, warehouse: Place, quantity: int) -> tuple[list[Pick], int]:
    """The lots to issue `quantity` from, the earliest expiry first (lots without an expiry
    last, then the oldest receipt), and what is still missing (0 when there is enough)."""
    stocks = (
        Stock.objects.filter(item=item, warehouse=warehouse, quantity__gt=0)
        .select_related("lot")
        .order_by(F("lot__expires_on").asc(nulls_last=True), "lot__received_on", "lot_id")
    )
    picks, rest = [], quantity
    for s in stocks:
        if rest <= 0:
            break
        n = min(rest, s.quantity)
        picks.append(Pick(lot=s.lot, available=s.quantity, quantity=n))
        rest -= n
    return picks, max(rest, 0)


@transaction.atomic
def issue(
    *,
    user: Any,
    warehouse: Place,
    item: Item,
    quantity: int,
    recipient: Place | None = None,
    reason: str = "",
    lots: list[tuple[Lot, int]] | None = None,
    shipment: Any = None,
) -> list[Movement]:
    """Goods leave a warehouse for a recipient unit (or for use, with a reason): from the given
    lots, else first expiry first out. All or nothing: not enough stock refuses the whole issue."""
    require_supplies_write(user, _warehouse(warehouse).organization)
    if recipient is None and not (reason or "").strip():
        raise ValidationError({"recipient": [_("Choose a recipient unit or give a reason.")]})
    if reason:
        check_lengths(Movement, {"reason": reason})
    if lots is None:
        picks, missing = fefo(item=item, warehouse=warehouse, quantity=quantity)
        if missing:
            raise ValidationError(
                {
                    "quantity": [
                        _("Only %(n)s %(unit)s of %(item)s are in stock here.")
                        % {"n": quantity - missing, "unit": item.base_unit, "item": item}
                    ]
                }
            )
        lots = [(p.lot, p.quantity) for p in picks]
    elif sum(n for _lot, n in lots) != quantity or any(lot.item_id != item.pk for lot, _n in lots):
        raise ValidationError({"lots": [_("The lots must add up to the quantity of this item.")]})
    return [
        _record(
            lot=lot,
            warehouse=warehouse,
            kind=Kind.ISSUE,
            quantity=-n,
            user=user,
            recipient=recipient,
            reason=(reason or "").strip(),
            shipment=shipment,
        )
        for lot, n in lots
        if n
    ]


@transaction.atomic
def return_goods(
    *, user: Any, lot: Lot, warehouse: Place, quantity: int, recipient: Place | None, reason: str
) -> Movement:
    """Goods come back to a warehouse (unused, from a recipient)."""
    require_supplies_write(user, _warehouse(warehouse).organization)
    return _record(
        lot=lot,
        warehouse=warehouse,
        kind=Kind.RETURN,
        quantity=quantity,
        user=user,
        recipient=recipient,
        reason=_reason(reason),
    )


@transaction.atomic
def adjust(*, user: Any, lot: Lot, warehouse: Place, counted: int, reason: str) -> Movement | None:
    """A stocktake: the counted quantity replaces the balance, by a movement of the difference
    (None when the count agrees)."""
    require_supplies_write(user, _warehouse(warehouse).organization)
    reason = _reason(reason)
    if not isinstance(counted, int) or not 0 <= counted <= MAX_QUANTITY:
        raise ValidationError({"counted": [_("Enter the number counted.")]})
    # Locked (PostgreSQL) or under the one writer (SQLite) from here to the commit.
    stock = Stock.objects.select_for_update().filter(lot=lot, warehouse=warehouse).first()
    current = stock.quantity if stock else 0
    if counted == current:
        return None
    return _record(
        lot=lot,
        warehouse=warehouse,
        kind=Kind.ADJUST,
        quantity=counted - current,
        user=user,
        reason=reason,
    )


@transaction.atomic
def reverse(*, user: Any, movement: Movement, reason: str) -> Movement:
    """Cancel a movement by its negative (a transfer: both legs). Refused when the stock it
    brought in has left already."""
    require_supplies_write(user, movement.warehouse.organization)
    reason = _reason(reason)
    legs = [movement]
    if movement.pair_id:
        legs.append(Movement.objects.select_related("warehouse").get(pk=movement.pair_id))
    for leg in legs:
        if leg.reverses_id or Movement.objects.filter(reverses=leg).exists():
            raise ValidationError(_("This movement was reversed already, or is a reversal."))
    # The incoming leg first: its stock must still be there to be taken back.
    legs.sort(key=lambda m: -m.quantity)
    done = [
        _record(
            lot=leg.lot,
            warehouse=leg.warehouse,
            kind=leg.kind,
            quantity=-leg.quantity,
            user=user,
            reverses=leg,
            reason=reason,
            recipient=leg.recipient,
            counterpart=leg.counterpart,
        )
        for leg in legs
    ]
    return next(m for m in done if m.reverses_id == movement.pk)


# --- Reads -----------------------------------------------------------------------------------


def end_of(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` in the local time zone (balances "at the end of" a day)."""
    start = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(start)


def balance(*, item: Item, warehouse: Place | None = None, on: datetime.date | None = None) -> int:
    """What a warehouse (or every warehouse) held of an item, now or at the end of a day."""
    if on is None:
        qs = Stock.objects.filter(item=item)
        if warehouse is not None:
            qs = qs.filter(warehouse=warehouse)
        return qs.aggregate(n=Sum("quantity"))["n"] or 0
    mq = Movement.objects.filter(item=item, occurred_at__lt=end_of(on))
    if warehouse is not None:
        mq = mq.filter(warehouse=warehouse)
    return mq.aggregate(n=Sum("quantity"))["n"] or 0


@dataclass
class CardLine:
    movement: Movement
    balance: int


def stock_card(
    movements: Any, *, since: datetime.date | None = None, until: datetime.date | None = None
) -> tuple[int, list[CardLine]]:
    """The stock card (库存卡) of an item in a warehouse: the opening balance before `since` and
    every movement with the balance after it. `movements`: the item's movements in the
    warehouse, already scoped."""
    opening = 0
    if since is not None:
        start = end_of(since - datetime.timedelta(days=1))
        opening = movements.filter(occurred_at__lt=start).aggregate(n=Sum("quantity"))["n"] or 0
        movements = movements.filter(occurred_at__gte=start)
    if until is not None:
        movements = movements.filter(occurred_at__lt=end_of(until))
    lines, running = [], opening
    for m in movements.select_related("lot", "recipient", "counterpart", "created_by").order_by(
        "occurred_at", "pk"
    ):
        running += m.quantity
        lines.append(CardLine(movement=m, balance=running))
    return opening, lines


def expiring(stocks: Any, *, within_days: int = 30):
    """Stock whose lot expires within `within_days` (or has expired), the earliest first."""
    limit = timezone.localdate() + datetime.timedelta(days=within_days)
    return (
        stocks.filter(quantity__gt=0, lot__expires_on__lte=limit)
        .select_related("lot", "item", "warehouse")
        .order_by("lot__expires_on", "pk")
    )


def flow_by_day(movements: Any, *, days: int = 30) -> list[dict[str, Any]]:
    """Goods in and out per local day over the last `days` days, in one aggregate query over
    the movements the caller may see: in = the positive changes (receipts, transfers in,
    returns, counts up), out = the negative ones. Days without a movement show zeros."""
    today = timezone.localdate()
    first = today - datetime.timedelta(days=days - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = (
        movements.filter(occurred_at__gte=start)
        .annotate(day=TruncDate("occurred_at"))
        .values("day")
        .annotate(
            came_in=Sum("quantity", filter=Q(quantity__gt=0)),
            went_out=Sum("quantity", filter=Q(quantity__lt=0)),
        )
        .order_by()
    )
    by_day = {r["day"]: r for r in rows}
    out = []
    for n in range(days):
        day = first + datetime.timedelta(days=n)
        r = by_day.get(day, {})
        out.append({"day": day, "in": r.get("came_in") or 0, "out": -(r.get("went_out") or 0)})
    return out


def met_overall(board: "list[NeedProgress]") -> float:
    """The share of all needed pieces received, over the needs given."""
    total = sum(p.quantity for p in board)
    received = sum(min(lp.received, lp.line.quantity) for p in board for lp in p.lines)
    return received / total if total else 0.0


# --- Needs -------------------------------------------------------------------------------------


@transaction.atomic
def post_need(
    *,
    user: Any,
    organization: Organization,
    recipient: Place,
    lines: Iterable[tuple[Item, int]],
    urgency: int = Urgency.NORMAL,
    contact_name: str = "",
    contact_phone: str = "",
    source: str = "",
    ttl_days: int = 3,
    note: str = "",
) -> Need:
    """A frontline unit's need, recorded by the staff member who verified it with the unit."""
    require_supplies_write(user, organization)
    if recipient.kind != PlaceKind.RECIPIENT:
        raise ValidationError({"recipient": [_("Choose a recipient unit.")]})
    values = {
        "contact_name": contact_name.strip(),
        "contact_phone": contact_phone.strip(),
        "source": source.strip(),
        "note": note.strip(),
    }
    check_lengths(Need, values)
    lines = list(lines)
    if not lines:
        raise ValidationError({"lines": [_("Name at least one item.")]})
    if len({item.pk for item, _n in lines}) != len(lines):
        raise ValidationError({"lines": [_("Name each item once.")]})
    if urgency not in Urgency.values or not 0 < ttl_days <= 60:
        raise ValidationError({"urgency": [_("Choose an urgency.")]})
    need = Need.objects.create(
        organization=organization,
        recipient=recipient,
        urgency=urgency,
        verified_by=user if getattr(user, "is_authenticated", False) else None,
        confirmed_at=timezone.now(),
        ttl_days=ttl_days,
        **values,
    )
    for item, quantity in lines:
        if not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
            raise ValidationError({"lines": [_("The quantity must be more than zero.")]})
        NeedLine.objects.create(need=need, item=item, quantity=quantity)
    return need


@transaction.atomic
def confirm_need(*, user: Any, need: Need) -> Need:
    """The unit still needs it: the time to live starts again, the confirmer is the verifier."""
    require_supplies_write(user, need.organization)
    need.confirmed_at = timezone.now()
    need.verified_by = user
    need.save(update_fields=["confirmed_at", "verified_by"])
    return need


@transaction.atomic
def close_need(*, user: Any, need: Need) -> Need:
    require_supplies_write(user, need.organization)
    if need.closed_at is None:
        need.closed_at = timezone.now()
        need.save(update_fields=["closed_at"])
    return need


@dataclass
class LineProgress:
    line: NeedLine
    committed: int = 0
    in_transit: int = 0
    received: int = 0

    @property
    def unmet(self) -> int:
        return max(0, self.line.quantity - self.committed - self.in_transit - self.received)


@dataclass
class NeedProgress:
    need: Need
    lines: list[LineProgress]
    stale: bool

    @property
    def quantity(self) -> int:
        return sum(lp.line.quantity for lp in self.lines)

    @property
    def unmet_share(self) -> float:
        total = self.quantity
        return sum(lp.unmet for lp in self.lines) / total if total else 0.0

    @property
    def met_share(self) -> float:
        total = self.quantity
        return (
            sum(min(lp.received, lp.line.quantity) for lp in self.lines) / total if total else 0.0
        )

    @property
    def score(self) -> float:
        return self.need.urgency * self.unmet_share


def progress(needs: Iterable[Need], *, now: datetime.datetime | None = None) -> list[NeedProgress]:
    """Each need with its lines' committed (packed), in transit (sent) and received quantities,
    in two queries whatever the number of needs."""
    now = now or timezone.now()
    needs = list(needs)
    lines = NeedLine.objects.filter(need__in=needs).select_related("item").order_by("pk")
    by_line: dict[int, LineProgress] = {}
    per_need: dict[int, list[LineProgress]] = {n.pk: [] for n in needs}
    for line in lines:
        lp = by_line[line.pk] = LineProgress(line=line)
        per_need[line.need_id].append(lp)
    shipped = (
        ShipmentLine.objects.filter(need_line__in=list(by_line))
        .values("need_line_id", "shipment__status")
        .annotate(quantity=Sum("quantity"), received=Sum("received_quantity"))
    )
    for row in shipped:
        lp = by_line[row["need_line_id"]]
        status = row["shipment__status"]
        if status == ShipmentStatus.PACKED:
            lp.committed += row["quantity"]
        elif status == ShipmentStatus.SENT:
            lp.in_transit += row["quantity"]
        else:
            lp.received += row["received"] or 0
    return [NeedProgress(need=n, lines=per_need[n.pk], stale=n.is_stale(now)) for n in needs]


def rank(board: list[NeedProgress]) -> list[NeedProgress]:
    """The board's order: live needs before stale ones, then urgency × unmet share, the
    largest first; posting time only breaks ties (the oldest first)."""
    return sorted(board, key=lambda p: (p.stale, -p.score, p.need.confirmed_at, p.need.pk))


# --- Offers and matching -------------------------------------------------------------------------


@transaction.atomic
def post_offer(
    *,
    user: Any,
    organization: Organization,
    item: Item,
    quantity: int,
    available_until: datetime.date,
    expires_on: datetime.date | None = None,
    note: str = "",
) -> Offer:
    require_supplies_write(user, organization)
    if not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
        raise ValidationError({"quantity": [_("The quantity must be more than zero.")]})
    if available_until < timezone.localdate():
        raise ValidationError({"available_until": [_("The date has passed.")]})
    check_lengths(Offer, {"note": note})
    return Offer.objects.create(
        organization=organization,
        item=item,
        quantity=quantity,
        township=organization.township,
        available_until=available_until,
        expires_on=expires_on,
        note=note.strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


def offer_remaining(offers: Iterable[Offer]) -> dict[int, int]:
    """What is left of each offer after the shipments made from it (one query)."""
    offers = list(offers)
    taken = dict(
        ShipmentLine.objects.filter(shipment__offer__in=offers)
        .values_list("shipment__offer_id")
        .annotate(n=Sum("quantity"))
    )
    return {o.pk: o.quantity - (taken.get(o.pk) or 0) for o in offers}


@dataclass(frozen=True)
class Match:
    need_line_id: int
    offer_id: int
    quantity: int
    score: float


def match(
    needs: list[tuple[int, int, int | None, int, float]],
    offers: list[tuple[int, int, int | None, int, datetime.date | None]],
    *,
    today: datetime.date,
    per_line: int = 5,
) -> dict[int, list[Match]]:
    """Suggested offers for each need line, best first.

    needs: (need line id, item id, township id of the recipient, unmet quantity, urgency);
    offers: (offer id, item id, township id, quantity left, goods' expiry). A pure function over
    plain tuples (2,000 needs × 5,000 offers take well under a second: bench/supplies.py).
    An offer scores by the share of the need it covers, then the same township, then goods that
    keep longest (expired goods are never suggested)."""
    # Per offer, once: (id, township, quantity left, how long its goods keep, 0..1).
    horizon = 365.0
    by_item: dict[int, list[tuple[int, int | None, int, float]]] = {}
    for offer_id, item_id, township, left, expires in offers:
        if left > 0 and (expires is None or expires > today):
            keeps = 1.0 if expires is None else min((expires - today).days, horizon) / horizon
            by_item.setdefault(item_id, []).append((offer_id, township, left, 0.1 * keeps))
    out: dict[int, list[Match]] = {}
    for line_id, item_id, township, unmet, _urgency in needs:
        if unmet <= 0:
            continue
        candidates = by_item.get(item_id, ())
        best = heapq.nsmallest(
            per_line,
            (
                (
                    -(
                        min(left, unmet) / unmet
                        + (0.5 if township is not None and township == o_township else 0.0)
                        + keeps
                    ),
                    offer_id,
                    min(left, unmet),
                )
                for offer_id, o_township, left, keeps in candidates
            ),
        )
        out[line_id] = [Match(line_id, o, n, round(-score, 4)) for score, o, n in best]
    return out


def suggestions(board: list[NeedProgress], offers: list[Offer]) -> dict[int, list[Match]]:
    """match() over the needs on a board and the open offers the user sees."""
    left = offer_remaining(offers)
    today = timezone.localdate()
    needs = [
        (lp.line.pk, lp.line.item_id, p.need.recipient.township_id, lp.unmet, float(p.need.urgency))
        for p in board
        if not p.stale and p.need.closed_at is None
        for lp in p.lines
    ]
    return match(
        needs,
        [(o.pk, o.item_id, o.township_id, left[o.pk], o.expires_on) for o in offers],
        today=today,
    )


def open_offers(qs: Any) -> Any:
    return qs.filter(closed_at__isnull=True, available_until__gte=timezone.localdate())


# --- Shipments -----------------------------------------------------------------------------------


@transaction.atomic
def accept_match(*, user: Any, line: NeedLine, offer: Offer, quantity: int) -> Shipment:
    """A member's offer meets a need: the shipment from the member to the recipient unit."""
    need = line.need
    require_supplies_write(user, need.organization)
    if offer.item_id != line.item_id:
        raise ValidationError({"offer": [_("The offer is for another item.")]})
    # The offer's row is locked while what is left of it is counted (SQLite: the one writer).
    Offer.objects.select_for_update().filter(pk=offer.pk).first()
    left = offer_remaining([offer])[offer.pk]
    if not 0 < quantity <= left:
        raise ValidationError({"quantity": [_("The offer has %(n)s left.") % {"n": left}]})
    shipment = Shipment.objects.create(
        organization=need.organization,
        offer=offer,
        need=need,
        recipient=need.recipient,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    ShipmentLine.objects.create(
        shipment=shipment, item_id=line.item_id, need_line=line, quantity=quantity
    )
    return shipment


@transaction.atomic
def pack_shipment(
    *,
    user: Any,
    warehouse: Place,
    recipient: Place,
    lines: Iterable[tuple[Item, int]],
    need: Need | None = None,
) -> Shipment:
    """Goods from a warehouse packed for a recipient unit: the lots are chosen first expiry
    first out now; they leave stock when the shipment is sent."""
    require_supplies_write(user, _warehouse(warehouse).organization)
    if recipient.kind != PlaceKind.RECIPIENT:
        raise ValidationError({"recipient": [_("Choose a recipient unit.")]})
    need_lines = {nl.item_id: nl for nl in need.lines.all()} if need is not None else {}
    shipment = Shipment.objects.create(
        organization=warehouse.organization,
        warehouse=warehouse,
        need=need,
        recipient=recipient,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    for item, quantity in lines:
        picks, missing = fefo(item=item, warehouse=warehouse, quantity=quantity)
        if missing:
            raise ValidationError(
                {
                    "lines": [
                        _("Only %(n)s %(unit)s of %(item)s are in stock here.")
                        % {"n": quantity - missing, "unit": item.base_unit, "item": item}
                    ]
                }
            )
        for pick in picks:
            ShipmentLine.objects.create(
                shipment=shipment,
                item=item,
                lot=pick.lot,
                need_line=need_lines.get(item.pk),
                quantity=pick.quantity,
            )
    if not shipment.lines.exists():
        raise ValidationError({"lines": [_("Name at least one item.")]})
    return shipment


@transaction.atomic
def send_shipment(*, user: Any, shipment: Shipment) -> Shipment:
    """The shipment leaves: a warehouse's lots are issued to the recipient (all or nothing)."""
    require_supplies_write(user, shipment.organization)
    if shipment.status != ShipmentStatus.PACKED:
        raise ValidationError(_("This shipment was sent already."))
    if shipment.warehouse is not None:
        for line in shipment.lines.select_related("lot", "item"):
            assert line.lot is not None  # a warehouse's lines name their lots when packed
            issue(
                user=user,
                warehouse=shipment.warehouse,
                item=line.item,
                quantity=line.quantity,
                recipient=shipment.recipient,
                lots=[(line.lot, line.quantity)],
                shipment=shipment,
            )
    shipment.status = ShipmentStatus.SENT
    shipment.sent_at = timezone.now()
    shipment.save(update_fields=["status", "sent_at"])
    return shipment


@transaction.atomic
def receive_shipment(
    *,
    user: Any,
    shipment: Shipment,
    received_by: str,
    received: dict[int, tuple[int, int]] | None = None,
    remark: str = "",
) -> Shipment:
    """The recipient's receipt: who received it, and per line what arrived and what was
    damaged (all of it, undamaged, unless told otherwise)."""
    require_supplies_write(user, shipment.organization)
    if shipment.status != ShipmentStatus.SENT:
        raise ValidationError(_("Only a shipment that was sent can be received."))
    received_by = (received_by or "").strip()
    if not received_by:
        raise ValidationError({"received_by": [_("Say who received the goods.")]})
    check_lengths(Shipment, {"received_by": received_by, "remark": remark})
    received = received or {}
    short = False
    for line in shipment.lines.all():
        got, damaged = received.get(line.pk, (line.quantity, 0))
        if not 0 <= got <= line.quantity or not 0 <= damaged <= got:
            raise ValidationError({"received": [_("A line received more than was sent.")]})
        line.received_quantity, line.damaged_quantity = got, damaged
        line.save(update_fields=["received_quantity", "damaged_quantity"])
        short |= got < line.quantity or damaged > 0
    if short and not remark.strip():
        raise ValidationError({"remark": [_("Describe the shortfall or damage.")]})
    shipment.status = ShipmentStatus.RECEIVED
    shipment.received_at = timezone.now()
    shipment.received_by = received_by
    shipment.remark = remark.strip()
    shipment.save(update_fields=["status", "received_at", "received_by", "remark"])
    return shipment


# --- Days of cover ---------------------------------------------------------------------------------

MIN_COVER_DAYS = 15


@dataclass
class Cover:
    item: Item
    stock: int
    per_day: Decimal
    days: Decimal | None


def days_of_cover(enterprise: Organization, *, staff: int | None = None) -> list[Cover]:
    """For each prevention item with a daily norm (the item's catalog is the enterprise's or an
    organization's above it): the enterprise's stock (owned by it, or in its own warehouses) ÷
    (staff × daily use). Empty when Gongke holds no stock for it at all (its figures are then
    unknown, not zero). Work resumption's 15-day check reads this."""
    return covers([enterprise], staff={enterprise.pk: staff} if staff is not None else None)[
        enterprise.pk
    ]


def covers(
    enterprises: list[Organization], *, staff: dict[int, int | None] | None = None
) -> dict[int, list[Cover]]:
    """days_of_cover for many enterprises in three queries."""
    ids = [e.pk for e in enterprises]
    stock: dict[int, dict[int, int]] = {pk: {} for pk in ids}
    owned = (
        Stock.objects.filter(lot__owner__in=ids)
        .values_list("lot__owner_id", "item_id")
        .annotate(n=Sum("quantity"))
    )
    # Goods in an enterprise's own warehouse but owned by someone else count too.
    kept = (
        Stock.objects.filter(warehouse__organization__in=ids)
        .exclude(lot__owner=F("warehouse__organization"))
        .values_list("warehouse__organization_id", "item_id")
        .annotate(n=Sum("quantity"))
    )
    for org_id, item_id, n in [*owned, *kept]:
        stock[org_id][item_id] = stock[org_id].get(item_id, 0) + n
    paths = {e.path[: i + 5] for e in enterprises for i in range(0, len(e.path), 5)}
    items = list(
        Item.objects.filter(organization__path__in=paths, daily_use__gt=0, is_active=True)
        .select_related("organization")
        .order_by("category", "name", "pk")
    )
    out: dict[int, list[Cover]] = {}
    for e in enterprises:
        held = stock[e.pk]
        if not held:
            out[e.pk] = []
            continue
        people = (staff or {}).get(e.pk, e.staff_count) if staff else e.staff_count
        rows = []
        for item in items:
            if not e.path.startswith(item.organization.path):
                continue
            per_day = Decimal(people or 0) * item.daily_use
            n = held.get(item.pk, 0)
            days = (Decimal(n) / per_day).quantize(Decimal("0.1")) if per_day else None
            rows.append(Cover(item=item, stock=n, per_day=per_day, days=days))
        out[e.pk] = rows
    return out


def short_of_cover(covers: list[Cover]) -> list[Cover]:
    return [c for c in covers if c.days is not None and c.days < MIN_COVER_DAYS]


MASKS = (Category.N95, Category.SURGICAL_MASK)
LIQUIDS = (Category.DISINFECTANT, Category.ALCOHOL)
LITRE_UNITS = {
    "升": Decimal(1),
    "L": Decimal(1),
    "l": Decimal(1),
    "毫升": Decimal("0.001"),
    "ml": Decimal("0.001"),
}


@dataclass
class PreventionStock:
    """What Gongke knows an enterprise holds: masks (pieces) and disinfectant (litres); None
    where it holds no stock of that kind in Gongke (the enterprise's own count stands)."""

    masks: int | None
    disinfectant_litres: Decimal | None


def prevention_stock(enterprise: Organization) -> PreventionStock:
    """Work resumption's 15-day check reads this instead of the typed-in counts where known."""
    rows = (
        Stock.objects.filter(Q(lot__owner=enterprise) | Q(warehouse__organization=enterprise))
        .filter(item__category__in=[*MASKS, *LIQUIDS])
        .values_list("item__category", "item__base_unit")
        .annotate(n=Sum("quantity"))
    )
    masks: int | None = None
    litres: Decimal | None = None
    for category, unit, n in rows:
        if category in MASKS:
            masks = (masks or 0) + n
        elif unit in LITRE_UNITS:
            litres = (litres or Decimal(0)) + Decimal(n) * LITRE_UNITS[unit]
    return PreventionStock(masks=masks, disinfectant_litres=litres)


# --- Procurement ------------------------------------------------------------------------------------


@transaction.atomic
def place_order(
    *,
    user: Any,
    organization: Organization,
    kind: str,
    supplier: str,
    lines: Iterable[tuple[Item, int, Decimal | int | str]],
    ordered_on: datetime.date | None = None,
    country: str = "",
    currency: str = "CNY",
    rate: Decimal | str | int = 1,
    customs_on: datetime.date | None = None,
    arrival_on: datetime.date | None = None,
    note: str = "",
) -> PurchaseOrder:
    """A purchase order (domestic, or an import with its currency and rate to the yuan)."""
    require_supplies_write(user, organization)
    if kind not in OrderKind.values:
        raise ValidationError({"kind": [_("Choose domestic purchase or import.")]})
    try:
        rate = Decimal(str(rate))
    except Exception:
        raise ValidationError({"rate": [_("Enter the exchange rate to the yuan.")]})
    if not rate.is_finite() or rate <= 0 or rate >= 10**6:
        raise ValidationError({"rate": [_("Enter the exchange rate to the yuan.")]})
    values = {
        "supplier": (supplier or "").strip(),
        "country": (country or "").strip(),
        "currency": (currency or "CNY").strip().upper(),
        "note": (note or "").strip(),
    }
    if not values["supplier"]:
        raise ValidationError({"supplier": [_("Name the supplier.")]})
    check_lengths(PurchaseOrder, values)
    order = PurchaseOrder.objects.create(
        organization=organization,
        kind=kind,
        rate=rate,
        ordered_on=ordered_on or timezone.localdate(),
        customs_on=customs_on,
        arrival_on=arrival_on,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        **values,
    )
    lines = list(lines)
    if not lines:
        raise ValidationError({"lines": [_("Name at least one item.")]})
    for item, quantity, raw_price in lines:
        try:
            price = Decimal(str(raw_price))
        except Exception:
            raise ValidationError({"lines": [_("Enter a unit price of zero or more.")]})
        if not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
            raise ValidationError({"lines": [_("The quantity must be more than zero.")]})
        if not price.is_finite() or price < 0 or price >= 10**10:
            raise ValidationError({"lines": [_("Enter a unit price of zero or more.")]})
        OrderLine.objects.create(order=order, item=item, quantity=quantity, unit_price=price)
    return order


def received_per_line(lines: Iterable[OrderLine]) -> dict[int, int]:
    """What arrived of each order line: its lots' receipts net of reversals (one query)."""
    ids = [line.pk for line in lines]
    return dict(
        Movement.objects.filter(lot__order_line__in=ids, kind=Kind.RECEIVE)
        .values_list("lot__order_line_id")
        .annotate(n=Sum("quantity"))
    )


@transaction.atomic
def receive_order_line(
    *, user: Any, line: OrderLine, warehouse: Place, quantity: int, **lot: Any
) -> Lot:
    """A part of an order arrives: a lot of the line's item, never more than is still due."""
    order = line.order
    require_supplies_write(user, order.organization)
    # Two parts of the same line received at once: the line is locked while what is due is read.
    OrderLine.objects.select_for_update().filter(pk=line.pk).first()
    due = line.quantity - received_per_line([line]).get(line.pk, 0)
    if quantity > due:
        raise ValidationError(
            {"quantity": [_("Only %(n)s are still due on this line.") % {"n": due}]}
        )
    new = receive(
        user=user,
        warehouse=warehouse,
        item=line.item,
        quantity=quantity,
        owner=order.organization,
        source=Source.IMPORT if order.kind == OrderKind.IMPORT else Source.PURCHASE,
        supplier=order.supplier,
        **lot,
    )
    new.order_line = line
    new.save(update_fields=["order_line"])
    return new
