"""/api/v1/assistance: packages for residents (price caps, packages, order windows, orders, delivery
tasks, complaints, figures) and services for small firms (offers, sessions, requests) — the same
services and access path as the pages. Creating calls take an Idempotency-Key; an order is also
unique per (window, client_id), so a retry never takes capacity twice."""

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from gongke.accounts.access import require_write
from gongke.assistance import services
from gongke.assistance.access import (
    MANAGERS,
    complaints_for,
    delivers,
    get_complaint,
    get_compound,
    get_firm,
    get_offer,
    get_order,
    get_package,
    get_request,
    get_session,
    get_window,
    offers_for,
    orders_for,
    packages_for,
    price_caps_for,
    requests_for,
    tasks_for,
    windows_for,
    with_full,
)
from gongke.assistance.models import (
    Complaint,
    Offer,
    Order,
    Package,
    ServiceRequest,
    Session,
    Source,
    Window,
)
from gongke.registry.access import get_organization, get_person

from .idempotency import once
from .pagination import Pages
from .schemas import In, Yuan

router = Router()


def _key(request: HttpRequest) -> str | None:
    return request.headers.get("Idempotency-Key")


# --- Price caps and packages ----------------------------------------------------------------


class CapIn(In):
    organization_id: int
    amount: Decimal = Field(..., max_digits=10, decimal_places=2)


class CapOut(Schema):
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    amount: Yuan


@router.get("/caps", response=list[CapOut])
@paginate(Pages, page_size=100)
def list_caps(request: HttpRequest):
    return price_caps_for(request.user)


@router.post("/caps", response={200: CapOut})
def set_cap(request: HttpRequest, payload: CapIn):
    org = get_organization(request.user, payload.organization_id)
    require_write(request.user, org, roles=MANAGERS)

    def create():
        cap = services.set_price_cap(organization=org, amount=payload.amount, user=request.user)
        return 200, CapOut.from_orm(cap)

    return once(request, _key(request), "assistance.cap", create)


class PackageIn(In):
    model = Package

    supplier_id: int
    name: str
    contents: str = Field(..., max_length=2000)
    price: Decimal = Field(..., max_digits=10, decimal_places=2)
    is_active: bool = True


class PackageOut(Schema):
    id: int
    supplier_id: int
    supplier: str = Field(..., alias="supplier.name")
    name: str
    contents: str
    price: Yuan
    is_active: bool
    has_photo: bool

    @staticmethod
    def resolve_has_photo(obj) -> bool:
        return bool(obj.photo)


@router.get("/packages", response=list[PackageOut])
@paginate(Pages, page_size=100)
def list_packages(request: HttpRequest, active: bool | None = None):
    qs = packages_for(request.user)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.post("/packages", response={201: PackageOut})
def create_package(request: HttpRequest, payload: PackageIn):
    supplier = get_organization(request.user, payload.supplier_id)
    require_write(request.user, supplier, roles=MANAGERS)

    def create():
        package = services.save_package(
            supplier=supplier,
            user=request.user,
            name=payload.name,
            contents=payload.contents,
            price=payload.price,
            is_active=payload.is_active,
        )
        return 201, PackageOut.from_orm(package)

    return once(request, _key(request), "assistance.package", create)


# --- Order windows --------------------------------------------------------------------------


class WindowIn(In):
    model = Window

    compound_id: int
    package_id: int
    day: dt.date
    closes_at: dt.datetime
    capacity: int
    max_per_order: int = 5


class BuildingOut(Schema):
    building: str
    orders: int
    quantity: int
    delivered: int


class WindowOut(Schema):
    id: int
    compound_id: int
    compound: str = Field(..., alias="compound.name")
    package_id: int
    package: str = Field(..., alias="package.name")
    supplier: str = Field(..., alias="package.supplier.name")
    day: dt.date
    closes_at: dt.datetime
    capacity: int
    ordered: int
    remaining: int
    max_per_order: int
    price: Yuan
    is_open: bool

    @staticmethod
    def resolve_is_open(obj) -> bool:
        return obj.is_open()


class WindowDetailOut(WindowOut):
    buildings: list[BuildingOut]

    @staticmethod
    def resolve_buildings(obj) -> list:
        return services.buildings(obj)


@router.get("/windows", response=list[WindowOut])
@paginate(Pages, page_size=100)
def list_windows(
    request: HttpRequest,
    compound_id: int | None = None,
    day: dt.date | None = None,
    open: bool | None = None,
):
    qs = windows_for(request.user)
    if compound_id:
        qs = qs.filter(compound_id=compound_id)
    if day:
        qs = qs.filter(day=day)
    if open:
        qs = qs.open_at()
    return qs.order_by("-day", "compound__name", "pk")


@router.post("/windows", response={201: WindowOut})
def open_window(request: HttpRequest, payload: WindowIn):
    compound = get_compound(request.user, payload.compound_id, manage=True)
    package = get_package(request.user, payload.package_id)

    def create():
        window = services.open_window(
            compound=compound,
            package=package,
            day=payload.day,
            closes_at=payload.closes_at,
            capacity=payload.capacity,
            max_per_order=payload.max_per_order,
            user=request.user,
        )
        return 201, WindowOut.from_orm(window)

    return once(request, _key(request), "assistance.window", create)


@router.get("/windows/{window_id}", response=WindowDetailOut)
def window_detail(request: HttpRequest, window_id: int):
    """The window with its orders merged per building: the supplier's pick list."""
    return get_window(request.user, window_id)


@router.post("/windows/{window_id}/close", response=WindowOut)
def close_window(request: HttpRequest, window_id: int):
    window = get_window(request.user, window_id, write=True)
    return services.close_window(window=window, user=request.user)


class TaskOut(Schema):
    id: int
    window_id: int
    compound: str = Field(..., alias="window.compound.name")
    day: dt.date = Field(..., alias="window.day")
    building: str
    person_id: int | None
    person: str | None = Field(None, alias="person.name")
    done_at: dt.datetime | None


@router.post("/windows/{window_id}/tasks", response={201: list[TaskOut]})
def make_tasks(request: HttpRequest, window_id: int):
    window = get_window(request.user, window_id, order=True)

    def create():
        tasks = services.make_tasks(window=window, user=request.user)
        for t in tasks:
            t.window = window
        return 201, [TaskOut.from_orm(t) for t in tasks]

    return once(request, _key(request), "assistance.tasks", create)


# --- Orders ---------------------------------------------------------------------------------


class OrderIn(In):
    model = Order

    client_id: str = Field(..., min_length=1, max_length=64)
    quantity: int = 1
    building: str
    unit: str = ""
    room: str
    name: str
    phone: str
    note: str = Field("", max_length=200)


class OrderOut(Schema):
    """The resident's name, phone and room in full only for those who deliver in the compound."""

    id: int
    window_id: int
    number: int
    quantity: int
    amount: Yuan
    building: str
    unit: str
    room: str
    name: str
    phone: str
    source: str
    status: str
    paid: bool
    refunded: Yuan
    proof: str
    delivered_at: dt.datetime | None
    created_at: dt.datetime
    code: str | None = None

    @staticmethod
    def resolve_room(obj) -> str:
        return obj.room if getattr(obj, "full", False) else obj.masked_room

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.name if getattr(obj, "full", False) else obj.name[:1] + "*"

    @staticmethod
    def resolve_phone(obj) -> str:
        return obj.phone if getattr(obj, "full", False) else obj.masked_phone

    @staticmethod
    def resolve_code(obj) -> str | None:
        # Told to whoever placed the order (to pass on to the resident); never listed.
        return obj.code if getattr(obj, "just_placed", False) else None


def _order_out(request: HttpRequest, order: Order, **flags: bool) -> OrderOut:
    order.full = delivers(request.user, order.window)  # type: ignore[attr-defined]
    for name, value in flags.items():
        setattr(order, name, value)
    return OrderOut.from_orm(order)


@router.post("/windows/{window_id}/orders", response={200: OrderOut, 201: OrderOut})
def place_order(request: HttpRequest, window_id: int, payload: OrderIn):
    """A grid worker orders for a resident. The same client_id twice answers the first order."""
    window = get_window(request.user, window_id, order=True)

    def create():
        order, created = services.place_order(
            window=window, data=payload.dict(), source=Source.GRID, user=request.user
        )
        return (201 if created else 200), _order_out(request, order, just_placed=True)

    return once(request, _key(request), "assistance.order", create, atomic=False)


@router.get("/orders", response=list[OrderOut])
@paginate(Pages, page_size=100)
def list_orders(
    request: HttpRequest,
    window_id: int | None = None,
    status: str | None = None,
    paid: bool | None = None,
    building: str | None = None,
):
    qs = with_full(request.user, orders_for(request.user))
    if window_id:
        qs = qs.filter(window_id=window_id)
    if status:
        qs = qs.filter(status=status)
    if paid is not None:
        qs = qs.filter(paid=paid)
    if building:
        qs = qs.filter(building=building)
    return qs.order_by("-window__day", "building", "room", "pk")


@router.get("/orders/{order_id}", response=OrderOut)
def order_detail(request: HttpRequest, order_id: int):
    return _order_out(request, get_order(request.user, order_id))


class PaidIn(In):
    paid: bool


@router.post("/orders/{order_id}/paid", response=OrderOut)
def mark_paid(request: HttpRequest, order_id: int, payload: PaidIn):
    order = get_order(request.user, order_id, write=True)
    services.mark_paid(order=order, paid=payload.paid, user=request.user)
    return _order_out(request, order)


class DeliveredIn(In):
    code: str = Field(..., max_length=6)


@router.post("/orders/{order_id}/delivered", response=OrderOut)
def deliver(request: HttpRequest, order_id: int, payload: DeliveredIn):
    """Proof of delivery by the resident's code (a photo: the page's form)."""
    order = get_order(request.user, order_id, write=True)
    order = services.deliver_order(order=order, user=request.user, code=payload.code)
    return _order_out(request, order)


@router.post("/orders/{order_id}/cancel", response=OrderOut)
def cancel(request: HttpRequest, order_id: int):
    order = get_order(request.user, order_id, write=True)
    order = services.cancel_order(order=order, user=request.user)
    return _order_out(request, get_order(request.user, order.pk))


class ComplaintIn(In):
    text: str = Field(..., max_length=1000)


class ComplaintOut(Schema):
    id: int
    order_id: int
    text: str
    created_at: dt.datetime
    resolution: str
    refund: Yuan
    resolved_at: dt.datetime | None


@router.post("/orders/{order_id}/complaints", response={201: ComplaintOut})
def complain(request: HttpRequest, order_id: int, payload: ComplaintIn):
    order = get_order(request.user, order_id, write=True)

    def create():
        c = services.record_complaint(order=order, text=payload.text, user=request.user)
        return 201, ComplaintOut.from_orm(c)

    return once(request, _key(request), "assistance.complaint", create)


@router.get("/complaints", response=list[ComplaintOut])
@paginate(Pages, page_size=100)
def list_complaints(request: HttpRequest, open: bool | None = None):
    qs = complaints_for(request.user, Complaint.objects.all())
    if open:
        qs = qs.filter(resolved_at__isnull=True)
    return qs


class ResolveIn(In):
    resolution: str = Field(..., max_length=1000)
    refund: Decimal = Field(Decimal("0"), ge=0, max_digits=10, decimal_places=2)


@router.post("/complaints/{complaint_id}/resolve", response=ComplaintOut)
def resolve(request: HttpRequest, complaint_id: int, payload: ResolveIn):
    c = get_complaint(request.user, complaint_id, manage=True)
    return services.resolve_complaint(
        complaint=c, resolution=payload.resolution, refund=payload.refund, user=request.user
    )


@router.get("/tasks", response=list[TaskOut])
@paginate(Pages, page_size=100)
def list_tasks(request: HttpRequest, open: bool | None = None):
    qs = tasks_for(request.user)
    if open:
        qs = qs.filter(done_at__isnull=True)
    return qs.order_by("-window__day", "building", "pk")


class FigureOut(Schema):
    compound_id: int = Field(..., alias="window__compound_id")
    compound: str = Field(..., alias="window__compound__name")
    day: dt.date = Field(..., alias="window__day")
    orders: int
    packages: int
    amount: Yuan = Field(..., alias="total")
    paid: Yuan = Field(..., alias="paid_total")
    delivered: int
    cancelled: int
    refunded: Yuan = Field(..., alias="refunded_total")


@router.get("/figures", response=list[FigureOut])
def figures(request: HttpRequest, day: dt.date | None = None):
    """Per compound and delivery day."""
    qs = orders_for(request.user, Order.objects.all())
    if day:
        qs = qs.filter(window__day=day)
    return services.figures(qs)


# --- Services for small firms ---------------------------------------------------------------


class OfferIn(In):
    model = Offer

    provider_id: int
    kind: str
    title: str
    description: str = Field("", max_length=2000)


class OfferOut(Schema):
    id: int
    provider_id: int
    provider: str = Field(..., alias="provider.name")
    kind: str
    title: str
    description: str
    is_active: bool
    requests: int = Field(0, alias="n_requests")
    assigned: int = Field(0, alias="n_assigned")
    average_rating: float | None = Field(None, alias="avg_rating")


@router.get("/offers", response=list[OfferOut])
@paginate(Pages, page_size=100)
def list_offers(request: HttpRequest, kind: str | None = None):
    """The catalogue, each service with its requests counted."""
    qs = services.offer_counts(offers_for(request.user))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("kind", "title", "pk")


@router.post("/offers", response={201: OfferOut})
def create_offer(request: HttpRequest, payload: OfferIn):
    provider = get_organization(request.user, payload.provider_id)
    require_write(request.user, provider, roles=MANAGERS)

    def create():
        offer = services.save_offer(
            provider=provider,
            kind=payload.kind,
            title=payload.title,
            description=payload.description,
            user=request.user,
        )
        return 201, OfferOut.from_orm(offer)

    return once(request, _key(request), "assistance.offer", create)


class SessionIn(In):
    model = Session

    starts_at: dt.datetime
    seats: int
    place: str = ""


class SessionOut(Schema):
    id: int
    offer_id: int
    starts_at: dt.datetime
    place: str
    seats: int
    taken: int


@router.post("/offers/{offer_id}/sessions", response={201: SessionOut})
def add_session(request: HttpRequest, offer_id: int, payload: SessionIn):
    offer = get_offer(request.user, offer_id, write=True)

    def create():
        s = services.add_session(offer=offer, user=request.user, **payload.dict())
        return 201, SessionOut.from_orm(s)

    return once(request, _key(request), "assistance.session", create)


class RequestIn(In):
    offer_id: int
    firm_id: int
    session_id: int | None = None
    need: str = Field("", max_length=1000)


class RequestOut(Schema):
    id: int
    offer_id: int
    offer: str = Field(..., alias="offer.title")
    firm_id: int
    firm: str = Field(..., alias="firm.name")
    session_id: int | None
    need: str
    status: str
    assignee_id: int | None
    assignee: str | None = Field(None, alias="assignee.name")
    rating: int | None
    feedback: str
    created_at: dt.datetime


@router.get("/requests", response=list[RequestOut])
@paginate(Pages, page_size=100)
def list_requests(request: HttpRequest, status: str | None = None, offer_id: int | None = None):
    qs = requests_for(request.user, ServiceRequest.objects.all())
    if status:
        qs = qs.filter(status=status)
    if offer_id:
        qs = qs.filter(offer_id=offer_id)
    return qs


@router.post("/requests", response={201: RequestOut})
def request_service(request: HttpRequest, payload: RequestIn):
    offer = get_offer(request.user, payload.offer_id)
    firm = get_firm(request.user, payload.firm_id)
    session = get_session(offer, payload.session_id) if payload.session_id else None

    def create():
        r = services.request_service(
            offer=offer, firm=firm, session=session, need=payload.need, user=request.user
        )
        return 201, RequestOut.from_orm(r)

    return once(request, _key(request), "assistance.request", create)


class AssignIn(In):
    person_id: int


@router.post("/requests/{request_id}/assign", response=RequestOut)
def assign(request: HttpRequest, request_id: int, payload: AssignIn):
    r = get_request(request.user, request_id, manage=True)
    person = get_person(request.user, payload.person_id)
    return services.assign_request(request=r, person=person, user=request.user)


class FeedbackIn(In):
    rating: int = Field(..., ge=1, le=5)
    feedback: str = Field("", max_length=1000)


@router.post("/requests/{request_id}/feedback", response=RequestOut)
def feedback(request: HttpRequest, request_id: int, payload: FeedbackIn):
    r = get_request(request.user, request_id, write=True)
    return services.give_feedback(
        request=r, rating=payload.rating, feedback=payload.feedback, user=request.user
    )
