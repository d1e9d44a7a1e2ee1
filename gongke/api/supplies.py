"""/api/v1/supplies: the catalog, warehouses, stock, the stock ledger (receive, issue first
expiry first out, transfer, return, stocktake, reverse), balances at a date and the stock card —
through the same access path and services as the pages. Quantities are whole base units, or
packs with `unit` ("箱")."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongke.accounts.access import may
from gongke.lib.excel import bytes_response, read_upload
from gongke.registry.access import get_organization
from gongke.supplies import access, importer, services
from gongke.supplies.models import Item, Lot, Movement, Need, Offer, PurchaseOrder, Shipment
from gongke.supplies.views import filter_stock

from .idempotency import once
from .pagination import Pages
from .schemas import In, Yuan

router = Router()


def _key(request: HttpRequest) -> str | None:
    return request.headers.get("Idempotency-Key")


# --- Catalog -----------------------------------------------------------------------------------


class PackOut(Schema):
    name: str
    quantity: int


class ItemOut(Schema):
    id: int
    organization_id: int
    name: str
    category: str
    base_unit: str
    standard: str
    shelf_life_days: int | None
    daily_use: Decimal
    is_active: bool
    packs: list[PackOut]

    @staticmethod
    def resolve_packs(obj) -> list:
        return list(obj.packs.all())


class PackIn(Schema):
    name: str = Field(..., max_length=10)
    quantity: int = Field(..., ge=1, le=10**12)


class ItemIn(In):
    model = Item

    organization_id: int
    name: str
    category: str
    base_unit: str
    standard: str = ""
    shelf_life_days: int | None = None
    daily_use: Decimal = Decimal(0)
    packs: list[PackIn] = []


@router.get("/items", response=list[ItemOut])
@paginate(Pages, page_size=100)
def list_items(request: HttpRequest, q: str | None = None, category: str | None = None):
    qs = access.items_for(request.user).search(q).prefetch_related("packs")
    if category:
        qs = qs.filter(category=category)
    return qs.order_by("category", "name", "pk")


@router.get("/items/{item_id}", response=ItemOut)
def get_item(request: HttpRequest, item_id: int):
    return access.get_item(request.user, item_id)


@router.post("/items", response={201: ItemOut})
def create_item(request: HttpRequest, payload: ItemIn):
    org = get_organization(request.user, payload.organization_id)

    def create():
        item = services.save_item(
            user=request.user,
            organization=org,
            name=payload.name,
            category=payload.category,
            base_unit=payload.base_unit,
            standard=payload.standard,
            shelf_life_days=payload.shelf_life_days,
            daily_use=payload.daily_use,
            packs=[(p.name, p.quantity) for p in payload.packs],
        )
        return 201, ItemOut.from_orm(item)

    return once(request, _key(request), "supplies.item.create", create)


# --- Warehouses and stock ------------------------------------------------------------------------


class WarehouseOut(Schema):
    id: int
    name: str
    organization_id: int
    township: str | None = Field(None, alias="township.name")


@router.get("/warehouses", response=list[WarehouseOut])
@paginate(Pages, page_size=100)
def list_warehouses(request: HttpRequest):
    return access.warehouses_for(request.user).select_related("township").order_by("name", "pk")


class LotOut(Schema):
    id: int
    item_id: int
    owner_id: int
    source: str
    gift_id: int | None
    supplier: str
    batch: str
    expires_on: datetime.date | None
    received_on: datetime.date
    code: str


class StockOut(Schema):
    lot: LotOut
    warehouse_id: int
    item_id: int
    quantity: int


class StockFilter(Schema):
    q: str | None = None
    warehouse: int | None = None
    item: int | None = None
    category: str | None = None
    expiring: int | None = Field(None, ge=0, le=36500)
    sort: str | None = None


@router.get("/stock", response=list[StockOut])
@paginate(Pages, page_size=100)
def list_stock(request: HttpRequest, filters: Query[StockFilter]):
    params = {k: str(v) for k, v in filters.dict().items() if v is not None}
    return filter_stock(request.user, params)


class FlowDayOut(Schema):
    day: datetime.date
    came_in: int = Field(..., alias="in")
    went_out: int = Field(..., alias="out")


class NeedMetOut(Schema):
    need_id: int
    recipient: str
    met_percent: float


class FiguresOut(Schema):
    flow: list[FlowDayOut]
    needs_open: int
    needs_met_percent: float
    needs: list[NeedMetOut]


@router.get("/figures", response=FiguresOut, by_alias=True)
def figures(request: HttpRequest, warehouse_id: int | None = None, days: int = 30):
    """The dashboard's figures: pieces in and out per day (the last `days`, at most 366) over the
    movements the caller reaches, and the share received of each open need and of all."""
    moves = access.movements_for(request.user)
    if warehouse_id is not None:
        moves = moves.filter(warehouse_id=warehouse_id)
    flow = services.flow_by_day(moves, days=max(1, min(days, 366)))
    board = services.rank(
        services.progress(access.needs_for(request.user).open().select_related("recipient")[:500])
    )
    return {
        "flow": flow,
        "needs_open": len(board),
        "needs_met_percent": round(services.met_overall(board) * 100, 1),
        "needs": [
            {
                "need_id": p.need.pk,
                "recipient": p.need.recipient.name,
                "met_percent": round(p.met_share * 100, 1),
            }
            for p in board
        ],
    }


class BalanceOut(Schema):
    item_id: int
    warehouse_id: int | None
    on: datetime.date | None
    quantity: int


@router.get("/balance", response=BalanceOut)
def get_balance(
    request: HttpRequest,
    item_id: int,
    warehouse_id: int | None = None,
    on: datetime.date | None = None,
):
    """What the warehouses the user reaches (or one of them) hold of an item, now or at the end
    of a past day."""
    item = access.get_item(request.user, item_id)
    if warehouse_id is not None:
        warehouse = access.get_warehouse(request.user, warehouse_id)
        quantity = services.balance(item=item, warehouse=warehouse, on=on)
    elif on is None:
        quantity = sum(
            access.stocks_for(request.user).filter(item=item).values_list("quantity", flat=True)
        )
    else:
        quantity = sum(
            access.movements_for(request.user)
            .filter(item=item, occurred_at__lt=services.end_of(on))
            .values_list("quantity", flat=True)
        )
    return {"item_id": item.pk, "warehouse_id": warehouse_id, "on": on, "quantity": quantity}


class LotDetail(LotOut):
    stock: list[dict]

    @staticmethod
    def resolve_stock(obj) -> list[dict]:
        return [
            {"warehouse_id": s.warehouse_id, "quantity": s.quantity}
            for s in obj.stocks.filter(quantity__gt=0)
        ]


@router.get("/lots/{lot_id}", response=LotDetail)
def get_lot(request: HttpRequest, lot_id: int):
    return access.get_lot(request.user, lot_id)


class PickOut(Schema):
    lot_id: int = Field(..., alias="lot.pk")
    batch: str = Field(..., alias="lot.batch")
    expires_on: datetime.date | None = Field(None, alias="lot.expires_on")
    available: int
    quantity: int


class FefoOut(Schema):
    picks: list[PickOut]
    missing: int


@router.get("/fefo", response=FefoOut)
def suggest_lots(request: HttpRequest, item_id: int, warehouse_id: int, quantity: int):
    """The lots to issue from, first expiry first out, and what is missing."""
    item = access.get_item(request.user, item_id)
    warehouse = access.get_warehouse(request.user, warehouse_id)
    picks, missing = services.fefo(item=item, warehouse=warehouse, quantity=max(quantity, 0))
    return {"picks": picks, "missing": missing}


# --- The ledger ------------------------------------------------------------------------------------


class MovementOut(Schema):
    id: int
    lot_id: int
    warehouse_id: int
    item_id: int
    kind: str
    quantity: int
    occurred_at: datetime.datetime
    recipient_id: int | None
    counterpart_id: int | None
    pair_id: int | None
    reverses_id: int | None
    reason: str


class MovementFilter(Schema):
    warehouse: int | None = None
    item: int | None = None
    lot: int | None = None
    kind: str | None = None


@router.get("/movements", response=list[MovementOut])
@paginate(Pages, page_size=100)
def list_movements(request: HttpRequest, filters: Query[MovementFilter]):
    qs = access.movements_for(request.user)
    for field in ("warehouse", "item", "lot", "kind"):
        value = getattr(filters, field)
        if value is not None:
            qs = qs.filter(**{field if field == "kind" else f"{field}_id": value})
    return qs.order_by("-occurred_at", "-pk")


class CardLineOut(Schema):
    movement: MovementOut
    balance: int


class CardOut(Schema):
    opening: int
    lines: list[CardLineOut]


@router.get("/card", response=CardOut)
def stock_card(
    request: HttpRequest,
    item_id: int,
    warehouse_id: int,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
):
    item = access.get_item(request.user, item_id)
    warehouse = access.get_warehouse(request.user, warehouse_id)
    movements = access.movements_for(request.user).filter(item=item, warehouse=warehouse)
    opening, lines = services.stock_card(movements, since=since, until=until)
    return {"opening": opening, "lines": lines}


class QuantityIn(In):
    quantity: Decimal = Field(..., gt=0, lt=10**12)
    unit: str = Field("", max_length=10)


class ReceiveIn(QuantityIn):
    model = Lot

    warehouse_id: int
    item_id: int
    owner_id: int | None = None
    source: str = "purchase"
    supplier: str = ""
    batch: str = ""
    expires_on: datetime.date | None = None
    received_on: datetime.date | None = None
    note: str = ""


@router.post("/receipts", response={201: LotDetail})
def receive(request: HttpRequest, payload: ReceiveIn):
    warehouse = access.get_warehouse(request.user, payload.warehouse_id, write=True)
    item = access.get_item(request.user, payload.item_id)
    owner = None
    if payload.owner_id is not None:
        owner = get_organization(request.user, payload.owner_id)

    def create():
        lot = services.receive(
            user=request.user,
            warehouse=warehouse,
            item=item,
            quantity=services.to_base(item, payload.quantity, payload.unit),
            owner=owner,
            source=payload.source,
            supplier=payload.supplier,
            batch=payload.batch,
            expires_on=payload.expires_on,
            received_on=payload.received_on,
            note=payload.note,
        )
        return 201, LotDetail.from_orm(lot)

    return once(request, _key(request), "supplies.receive", create)


class GiftStockIn(QuantityIn):
    model = Lot

    gift_id: int
    warehouse_id: int
    item_id: int
    batch: str = ""
    expires_on: datetime.date | None = None


@router.post("/gift-receipts", response={201: LotDetail})
def take_gift_into_stock(request: HttpRequest, payload: GiftStockIn):
    """A goods gift recorded in the donations ledger becomes a lot in a warehouse."""
    from gongke.donations.access import get_gift

    gift = get_gift(request.user, payload.gift_id)
    warehouse = access.get_warehouse(request.user, payload.warehouse_id, write=True)
    item = access.get_item(request.user, payload.item_id)

    def create():
        lot = services.take_gift_into_stock(
            user=request.user,
            gift=gift,
            warehouse=warehouse,
            item=item,
            quantity=services.to_base(item, payload.quantity, payload.unit),
            batch=payload.batch,
            expires_on=payload.expires_on,
        )
        return 201, LotDetail.from_orm(lot)

    return once(request, _key(request), "supplies.gift-receipt", create)


class IssueIn(QuantityIn):
    model = Movement

    warehouse_id: int
    item_id: int
    recipient_id: int | None = None
    reason: str = ""


@router.post("/issues", response={201: list[MovementOut]})
def issue(request: HttpRequest, payload: IssueIn):
    """Issue goods first expiry first out: all or nothing."""
    warehouse = access.get_warehouse(request.user, payload.warehouse_id, write=True)
    item = access.get_item(request.user, payload.item_id)
    recipient = None
    if payload.recipient_id is not None:
        recipient = access.get_recipient(request.user, payload.recipient_id)

    def create():
        done = services.issue(
            user=request.user,
            warehouse=warehouse,
            item=item,
            quantity=services.to_base(item, payload.quantity, payload.unit),
            recipient=recipient,
            reason=payload.reason,
        )
        return 201, [MovementOut.from_orm(m) for m in done]

    return once(request, _key(request), "supplies.issue", create)


class TransferIn(In):
    model = Movement

    lot_id: int
    from_warehouse_id: int
    to_warehouse_id: int
    quantity: int = Field(..., ge=1, le=10**12)


@router.post("/transfers", response={201: list[MovementOut]})
def transfer(request: HttpRequest, payload: TransferIn):
    lot = access.get_lot(request.user, payload.lot_id)
    source = access.get_warehouse(request.user, payload.from_warehouse_id, write=True)
    destination = access.get_warehouse(request.user, payload.to_warehouse_id)

    def create():
        out = services.transfer(
            user=request.user,
            lot=lot,
            source=source,
            destination=destination,
            quantity=payload.quantity,
        )
        legs = Movement.objects.filter(pk__in=[out.pk, out.pair_id]).order_by("pk")
        return 201, [MovementOut.from_orm(m) for m in legs]

    return once(request, _key(request), "supplies.transfer", create)


class ReturnIn(In):
    model = Movement

    lot_id: int
    warehouse_id: int
    quantity: int = Field(..., ge=1, le=10**12)
    recipient_id: int | None = None
    reason: str


@router.post("/returns", response={201: MovementOut})
def return_goods(request: HttpRequest, payload: ReturnIn):
    lot = access.get_lot(request.user, payload.lot_id)
    warehouse = access.get_warehouse(request.user, payload.warehouse_id, write=True)
    recipient = None
    if payload.recipient_id is not None:
        recipient = access.get_recipient(request.user, payload.recipient_id)

    def create():
        m = services.return_goods(
            user=request.user,
            lot=lot,
            warehouse=warehouse,
            quantity=payload.quantity,
            recipient=recipient,
            reason=payload.reason,
        )
        return 201, MovementOut.from_orm(m)

    return once(request, _key(request), "supplies.return", create)


class AdjustIn(In):
    model = Movement

    lot_id: int
    warehouse_id: int
    counted: int = Field(..., ge=0, le=10**12)
    reason: str


class AdjustOut(Schema):
    movement: MovementOut | None
    quantity: int


@router.post("/adjustments", response={201: AdjustOut})
def adjust(request: HttpRequest, payload: AdjustIn):
    """A stocktake: the counted quantity becomes the balance (movement null when it agreed)."""
    lot = access.get_lot(request.user, payload.lot_id)
    warehouse = access.get_warehouse(request.user, payload.warehouse_id, write=True)

    def create():
        m = services.adjust(
            user=request.user,
            lot=lot,
            warehouse=warehouse,
            counted=payload.counted,
            reason=payload.reason,
        )
        out = MovementOut.from_orm(m) if m is not None else None
        return 201, {"movement": out, "quantity": payload.counted}

    return once(request, _key(request), "supplies.adjust", create)


class ReverseIn(In):
    model = Movement

    reason: str


@router.post("/movements/{movement_id}/reversal", response={201: MovementOut})
def reverse(request: HttpRequest, movement_id: int, payload: ReverseIn):
    movement = access.get_movement(request.user, movement_id, write=True)

    def create():
        m = services.reverse(user=request.user, movement=movement, reason=payload.reason)
        return 201, MovementOut.from_orm(m)

    return once(request, _key(request), "supplies.reverse", create)


# --- Needs, offers, matching, shipments -----------------------------------------------------------


class NeedLineOut(Schema):
    id: int
    item_id: int
    quantity: int
    committed: int
    in_transit: int
    received: int
    unmet: int


class NeedOut(Schema):
    id: int
    organization_id: int
    recipient_id: int
    recipient: str
    urgency: int
    contact_name: str
    contact_phone: str
    source: str
    confirmed_at: datetime.datetime
    ttl_days: int
    stale: bool
    closed_at: datetime.datetime | None
    unmet_share: float
    lines: list[NeedLineOut]


def _need_out(p: services.NeedProgress) -> dict:
    n = p.need
    return {
        "id": n.pk,
        "organization_id": n.organization_id,
        "recipient_id": n.recipient_id,
        "recipient": n.recipient.name,
        "urgency": n.urgency,
        "contact_name": n.contact_name,
        "contact_phone": n.masked_contact_phone,
        "source": n.source,
        "confirmed_at": n.confirmed_at,
        "ttl_days": n.ttl_days,
        "stale": p.stale,
        "closed_at": n.closed_at,
        "unmet_share": round(p.unmet_share, 4),
        "lines": [
            {
                "id": lp.line.pk,
                "item_id": lp.line.item_id,
                "quantity": lp.line.quantity,
                "committed": lp.committed,
                "in_transit": lp.in_transit,
                "received": lp.received,
                "unmet": lp.unmet,
            }
            for lp in p.lines
        ],
    }


@router.get("/needs", response=list[NeedOut])
@paginate(Pages, page_size=50)
def list_needs(request: HttpRequest, state: str | None = None, q: str | None = None):
    """The needs board: urgency × unmet share, stale needs last."""
    from gongke.supplies.views import _board

    params = {k: v for k, v in {"state": state, "q": q}.items() if v}
    return [_need_out(p) for p in _board(request.user, params)]


class NeedLineIn(Schema):
    item_id: int
    quantity: int = Field(..., ge=1, le=10**12)


class NeedIn(In):
    model = Need

    organization_id: int
    recipient_id: int
    lines: list[NeedLineIn]
    urgency: int = Field(1, ge=1, le=3)
    contact_name: str = ""
    contact_phone: str = ""
    source: str = ""
    ttl_days: int = Field(3, ge=1, le=60)
    note: str = ""


@router.post("/needs", response={201: NeedOut})
def post_need(request: HttpRequest, payload: NeedIn):
    org = get_organization(request.user, payload.organization_id)
    recipient = access.get_recipient(request.user, payload.recipient_id)
    lines = [(access.get_item(request.user, x.item_id), x.quantity) for x in payload.lines]

    def create():
        need = services.post_need(
            user=request.user,
            organization=org,
            recipient=recipient,
            lines=lines,
            **payload.dict(exclude={"organization_id", "recipient_id", "lines"}),
        )
        (p,) = services.progress([need])
        return 201, _need_out(p)

    return once(request, _key(request), "supplies.need.create", create)


@router.post("/needs/{need_id}/confirmation", response={201: NeedOut})
def confirm_need(request: HttpRequest, need_id: int):
    need = access.get_need(request.user, need_id, write=True)
    services.confirm_need(user=request.user, need=need)
    (p,) = services.progress([need])
    return 201, _need_out(p)


class OfferOut(Schema):
    id: int
    organization_id: int
    item_id: int
    quantity: int
    township_id: int | None
    available_until: datetime.date
    expires_on: datetime.date | None
    closed_at: datetime.datetime | None


class OfferIn(In):
    model = Offer

    organization_id: int
    item_id: int
    quantity: int = Field(..., ge=1, le=10**12)
    available_until: datetime.date
    expires_on: datetime.date | None = None
    note: str = ""


@router.get("/offers", response=list[OfferOut])
@paginate(Pages, page_size=100)
def list_offers(request: HttpRequest):
    return services.open_offers(access.offers_for(request.user)).order_by("available_until", "pk")


@router.post("/offers", response={201: OfferOut})
def post_offer(request: HttpRequest, payload: OfferIn):
    org = get_organization(request.user, payload.organization_id)
    item = access.get_item(request.user, payload.item_id)

    def create():
        offer = services.post_offer(
            user=request.user,
            organization=org,
            item=item,
            quantity=payload.quantity,
            available_until=payload.available_until,
            expires_on=payload.expires_on,
            note=payload.note,
        )
        return 201, OfferOut.from_orm(offer)

    return once(request, _key(request), "supplies.offer.create", create)


class MatchOut(Schema):
    need_line_id: int
    offer_id: int
    quantity: int
    score: float


@router.get("/needs/{need_id}/matches", response=list[MatchOut])
def need_matches(request: HttpRequest, need_id: int):
    """Open offers the user sees, best first, for each line of the need."""
    need = access.get_need(request.user, need_id)
    board = services.progress([need])
    offers = list(services.open_offers(access.offers_for(request.user)))
    found = services.suggestions(board, offers)
    return [m for ms in found.values() for m in ms]


class AcceptIn(In):
    need_line_id: int
    offer_id: int
    quantity: int = Field(..., ge=1, le=10**12)


class ShipmentLineOut(Schema):
    id: int
    item_id: int
    lot_id: int | None
    need_line_id: int | None
    quantity: int
    received_quantity: int | None
    damaged_quantity: int


class ShipmentOut(Schema):
    id: int
    organization_id: int
    warehouse_id: int | None
    offer_id: int | None
    need_id: int | None
    recipient_id: int
    status: str
    code: str
    packed_at: datetime.datetime
    sent_at: datetime.datetime | None
    received_at: datetime.datetime | None
    received_by: str
    remark: str
    lines: list[ShipmentLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        return list(obj.lines.all())


@router.post("/needs/{need_id}/matches", response={201: ShipmentOut})
def accept_match(request: HttpRequest, need_id: int, payload: AcceptIn):
    """Accept an offer for a line of the need: the shipment from the member is created."""
    need = access.get_need(request.user, need_id, write=True)
    line = need.lines.filter(pk=payload.need_line_id).first()
    if line is None:
        raise Http404
    offer = access.get_offer(request.user, payload.offer_id)

    def create():
        shipment = services.accept_match(
            user=request.user, line=line, offer=offer, quantity=payload.quantity
        )
        return 201, ShipmentOut.from_orm(shipment)

    return once(request, _key(request), "supplies.match.accept", create)


@router.get("/shipments", response=list[ShipmentOut])
@paginate(Pages, page_size=50)
def list_shipments(request: HttpRequest, status: str | None = None):
    qs = access.shipments_for(request.user).prefetch_related("lines")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-packed_at", "-pk")


@router.get("/shipments/{shipment_id}", response=ShipmentOut)
def get_shipment(request: HttpRequest, shipment_id: int):
    return access.get_shipment(request.user, shipment_id)


class ShipmentIn(In):
    warehouse_id: int
    recipient_id: int
    need_id: int | None = None
    lines: list[NeedLineIn]


@router.post("/shipments", response={201: ShipmentOut})
def pack_shipment(request: HttpRequest, payload: ShipmentIn):
    """Pack goods from a warehouse for a recipient unit (lots first expiry first out)."""
    warehouse = access.get_warehouse(request.user, payload.warehouse_id, write=True)
    recipient = access.get_recipient(request.user, payload.recipient_id)
    need = access.get_need(request.user, payload.need_id) if payload.need_id else None
    lines = [(access.get_item(request.user, x.item_id), x.quantity) for x in payload.lines]

    def create():
        shipment = services.pack_shipment(
            user=request.user, warehouse=warehouse, recipient=recipient, lines=lines, need=need
        )
        return 201, ShipmentOut.from_orm(shipment)

    return once(request, _key(request), "supplies.shipment.create", create)


@router.post("/shipments/{shipment_id}/dispatch", response={201: ShipmentOut})
def send_shipment(request: HttpRequest, shipment_id: int):
    shipment = access.get_shipment(request.user, shipment_id, write=True)

    def create():
        return 201, ShipmentOut.from_orm(
            services.send_shipment(user=request.user, shipment=shipment)
        )

    return once(request, _key(request), "supplies.shipment.send", create)


class ReceivedLineIn(Schema):
    line_id: int
    received: int = Field(..., ge=0, le=10**12)
    damaged: int = Field(0, ge=0, le=10**12)


class ShipmentReceiptIn(In):
    model = Shipment

    received_by: str
    remark: str = ""
    lines: list[ReceivedLineIn] = []


@router.post("/shipments/{shipment_id}/receipt", response={201: ShipmentOut})
def receive_shipment(request: HttpRequest, shipment_id: int, payload: ShipmentReceiptIn):
    """The recipient's receipt: who received it, and per line what arrived and was damaged."""
    shipment = access.get_shipment(request.user, shipment_id, write=True)

    def create():
        done = services.receive_shipment(
            user=request.user,
            shipment=shipment,
            received_by=payload.received_by,
            received={x.line_id: (x.received, x.damaged) for x in payload.lines},
            remark=payload.remark,
        )
        return 201, ShipmentOut.from_orm(done)

    return once(request, _key(request), "supplies.shipment.receive", create)


# --- Procurement ------------------------------------------------------------------------------------


class OrderLineOut(Schema):
    id: int
    item_id: int
    quantity: int
    unit_price: Decimal
    cost_yuan: Yuan
    received: int = 0


class OrderOut(Schema):
    id: int
    organization_id: int
    kind: str
    supplier: str
    country: str
    currency: str
    rate: Decimal
    ordered_on: datetime.date
    customs_on: datetime.date | None
    arrival_on: datetime.date | None
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj) -> list:
        lines = list(obj.lines.all())
        got = services.received_per_line(lines)
        for line in lines:
            line.received = got.get(line.pk, 0)
        return lines


@router.get("/orders", response=list[OrderOut])
@paginate(Pages, page_size=50)
def list_orders(request: HttpRequest):
    return access.orders_for(request.user).prefetch_related("lines").order_by("-ordered_on", "-pk")


class OrderLineIn(Schema):
    item_id: int
    quantity: int = Field(..., ge=1, le=10**12)
    unit_price: Decimal = Field(Decimal(0), ge=0, lt=10**10)


class OrderIn(In):
    model = PurchaseOrder

    organization_id: int
    kind: str
    supplier: str
    country: str = ""
    currency: str = "CNY"
    rate: Decimal = Field(Decimal(1), gt=0, lt=10**6)
    ordered_on: datetime.date | None = None
    customs_on: datetime.date | None = None
    arrival_on: datetime.date | None = None
    note: str = ""
    lines: list[OrderLineIn]


@router.post("/orders", response={201: OrderOut})
def place_order(request: HttpRequest, payload: OrderIn):
    org = get_organization(request.user, payload.organization_id)
    lines = [
        (access.get_item(request.user, x.item_id), x.quantity, x.unit_price) for x in payload.lines
    ]

    def create():
        order = services.place_order(
            user=request.user,
            organization=org,
            lines=lines,
            **payload.dict(exclude={"organization_id", "lines"}),
        )
        return 201, OrderOut.from_orm(order)

    return once(request, _key(request), "supplies.order.create", create)


class OrderReceiptIn(In):
    model = Lot

    line_id: int
    warehouse_id: int
    quantity: int = Field(..., ge=1, le=10**12)
    batch: str = ""
    expires_on: datetime.date | None = None


@router.post("/orders/{order_id}/receipts", response={201: LotDetail})
def receive_order(request: HttpRequest, order_id: int, payload: OrderReceiptIn):
    """A part of the order arrives in a warehouse: a lot of the line's item."""
    order = access.get_order(request.user, order_id, write=True)
    line = order.lines.filter(pk=payload.line_id).select_related("item", "order").first()
    if line is None:
        raise Http404
    warehouse = access.get_warehouse(request.user, payload.warehouse_id, write=True)

    def create():
        lot = services.receive_order_line(
            user=request.user,
            line=line,
            warehouse=warehouse,
            quantity=payload.quantity,
            batch=payload.batch,
            expires_on=payload.expires_on,
        )
        return 201, LotDetail.from_orm(lot)

    return once(request, _key(request), "supplies.order.receive", create)


# --- Imports ------------------------------------------------------------------------------------


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportOut(Schema):
    ok: bool
    rows: int
    created: int = Field(..., description="stock movements written (a stocktake) or needs posted")
    errors: list[ImportErrorOut]


def _import_answer(result: importer.ImportResult) -> tuple[int, dict]:
    return (201 if result.ok else 422), {
        "ok": result.ok,
        "rows": result.rows,
        "created": result.created,
        "errors": [e.as_dict() for e in result.errors],
    }


@router.get("/imports/{kind}/template")
def import_template(request: HttpRequest, kind: str):
    """The Excel template of a stocktake (`stocktake`) or a needs list (`needs`)."""
    if kind not in importer.KINDS:
        raise Http404
    return bytes_response(f"{kind}.xlsx", importer.template(kind))


@router.post("/imports/stocktake", response={201: ImportOut, 422: ImportOut})
def import_stocktake(request: HttpRequest, file: File[UploadedFile]):
    """Counted quantities (warehouse, item, batch, counted) replace the balances: every row is
    checked, and nothing is written unless all are right (422 lists each bad row)."""
    if not may(request.user, "supplies"):
        raise PermissionDenied(_("Your role does not allow this here."))
    data, name = read_upload(file), file.name or ""

    def create():
        return _import_answer(
            importer.import_stocktake(user=request.user, data=data, filename=name)
        )

    return once(request, _key(request), "supplies.import.stocktake", create)


@router.post("/imports/needs", response={201: ImportOut, 422: ImportOut})
def import_needs(request: HttpRequest, organization_id: Form[int], file: File[UploadedFile]):
    """A needs list kept by `organization_id`: the rows of one recipient unit make one need."""
    org = get_organization(request.user, organization_id)
    access.require_supplies_write(request.user, org)
    data, name = read_upload(file), file.name or ""

    def create():
        result = importer.import_needs(
            user=request.user, organization=org, data=data, filename=name
        )
        return _import_answer(result)

    return once(request, _key(request), "supplies.import.needs", create)
