"""Writes of the services app: one function per use case, called alike by the pages, the public
ordering page and the API. Each refuses bad input with a ValidationError in the user's language
and writes nothing then.

Capacity and seats are held by the database, not by Python: an order raises its window's counter
with one conditional UPDATE (`ordered + quantity <= capacity`, before the cut-off, not closed)
and is written in the same transaction. PostgreSQL re-checks the condition on the row it has
locked; SQLite's writers run one at a time (BEGIN IMMEDIATE). Either way an UPDATE that finds
no room changes nothing and the order is refused: a window is never oversold.
"""

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongke.registry.models import Organization, OrgKind, Person, Place, PlaceKind

from .models import (
    PHOTO_TYPES,
    Complaint,
    DeliveryTask,
    Offer,
    Order,
    OrderStatus,
    Package,
    PriceCap,
    Proof,
    RequestStatus,
    ServiceRequest,
    Session,
    Source,
    Window,
)

CENT = Decimal("0.01")

# --- Photos ---------------------------------------------------------------------------------

MAGIC = {
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".webp": (b"RIFF",),
}


def check_photo(file: Any) -> None:
    """A package or delivery photo: a JPEG, PNG or WebP (by its first bytes, not only its name)
    of at most PHOTO_MAX_BYTES. Checked before anything is stored; nothing is decoded."""
    suffix = PurePath(file.name or "").suffix.lower()
    if suffix not in PHOTO_TYPES:
        raise ValidationError({"photo": _("Upload a photo: a JPG, PNG or WebP file.")})
    if file.size > settings.PHOTO_MAX_BYTES:
        raise ValidationError(
            {
                "photo": _("A photo may be at most %(mb)s MB.")
                % {"mb": f"{settings.PHOTO_MAX_BYTES / 1_000_000:g}"}
            }
        )
    file.seek(0)
    head = file.read(12)
    file.seek(0)
    ok = any(head.startswith(m) for m in MAGIC[suffix])
    if suffix == ".webp":
        ok = ok and head[8:12] == b"WEBP"
    if not ok:
        raise ValidationError({"photo": _("This file is not the photo its name says.")})


# --- Price caps and packages ----------------------------------------------------------------


def _money(value: Any, field: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip()).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter an amount in yuan, such as 68 or 68.50.")})
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("Enter an amount above zero.")})
    if amount >= Decimal("100000000"):
        raise ValidationError({field: _("This amount is too large.")})
    return amount


def cap_for(organization: Organization) -> PriceCap | None:
    """The cap that holds for a package of `organization`: the lowest set on it or above it."""
    prefixes = [organization.path[: i + 5] for i in range(0, len(organization.path), 5)]
    return (
        PriceCap.objects.filter(organization__path__in=prefixes)
        .select_related("organization")
        .order_by("amount", "pk")
        .first()
    )


def _check_cap(supplier: Organization, price: Decimal) -> None:
    cap = cap_for(supplier)
    if cap is not None and price > cap.amount:
        raise ValidationError(
            {
                "price": _("%(org)s caps the price of a package at %(cap)s yuan.")
                % {"org": cap.organization.name, "cap": cap.amount}
            }
        )


@transaction.atomic
def set_price_cap(*, organization: Organization, amount: Any, user: Any) -> PriceCap:
    if organization.kind == OrgKind.ENTERPRISE:
        raise ValidationError(
            {"organization": _("Price caps are set by an association, not by a member business.")}
        )
    value = _money(amount, "amount")
    cap, _created = PriceCap.objects.update_or_create(
        organization=organization, defaults={"amount": value, "set_by": user}
    )
    return cap


@transaction.atomic
def save_package(
    *,
    supplier: Organization,
    user: Any,
    name: str,
    contents: str,
    price: Any,
    photo: Any = None,
    is_active: bool = True,
    package: Package | None = None,
) -> Package:
    errors: dict[str, list[str]] = {}
    if supplier.kind != OrgKind.ENTERPRISE:
        errors["supplier"] = [_("Packages are offered by a member business.")]
    name, contents = (name or "").strip(), (contents or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    if not contents:
        errors["contents"] = [_("Say what is in the package.")]
    if len(name) > 100 or len(contents) > 2000:
        errors["contents"] = [_("This text is too long.")]
    if errors:
        raise ValidationError(errors)
    value = _money(price, "price")
    _check_cap(supplier, value)
    if photo:
        check_photo(photo)
    package = package or Package(supplier=supplier)
    package.supplier, package.name, package.contents = supplier, name, contents
    package.price, package.is_active = value, is_active
    if photo:
        package.photo.save(f"package{PurePath(photo.name).suffix.lower()}", photo, save=False)
    package.save()
    return package


# --- Order windows --------------------------------------------------------------------------


def _aware(value: dt.datetime) -> dt.datetime:
    """A time without a zone (an API caller's) is Beijing time, as the pages' times are."""
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@transaction.atomic
def open_window(
    *,
    compound: Place,
    package: Package,
    day: dt.date,
    closes_at: dt.datetime,
    capacity: int,
    user: Any,
    max_per_order: int = 5,
) -> Window:
    closes_at = _aware(closes_at)
    errors: dict[str, list[str]] = {}
    if compound.kind not in (PlaceKind.COMPOUND, PlaceKind.VILLAGE):
        errors["compound"] = [_("Orders are taken for a compound or a village.")]
    if not package.is_active:
        errors["package"] = [_("This package is no longer on offer.")]
    if closes_at <= timezone.now():
        errors["closes_at"] = [_("The cut-off time has already passed.")]
    if not 0 < capacity <= 100_000:
        errors["capacity"] = [_("Enter a capacity between 1 and 100,000.")]
    if not 0 < max_per_order <= 100:
        errors["max_per_order"] = [_("Enter a number between 1 and 100.")]
    if Window.objects.filter(compound=compound, package=package, day=day).exists():
        errors["day"] = [_("This package is already on sale in this compound that day.")]
    if errors:
        raise ValidationError(errors)
    _check_cap(package.supplier, package.price)
    return Window.objects.create(
        compound=compound,
        package=package,
        day=day,
        closes_at=closes_at,
        capacity=capacity,
        max_per_order=max_per_order,
        price=package.price,
        created_by=user,
    )


@transaction.atomic
def close_window(*, window: Window, user: Any) -> Window:
    if window.closed_at is None:
        window.closed_at = timezone.now()
        window.save(update_fields=["closed_at"])
    return window


# --- Orders ---------------------------------------------------------------------------------


def _order_fields(window: Window, data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, limit, required in (
        ("building", 20, True),
        ("unit", 20, False),
        ("room", 20, True),
        ("name", 50, True),
        ("phone", 20, True),
        ("note", 200, False),
    ):
        value = str(data.get(name) or "").strip()
        if "\x00" in value:
            value = value.replace("\x00", "")
        if required and not value:
            errors[name] = [_("This field is required.")]
        elif len(value) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
        clean[name] = value
    phone = clean.get("phone", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
        errors["phone"] = [_("Enter a phone number of digits only.")]
    try:
        quantity = int(data.get("quantity") or 1)
    except (TypeError, ValueError):
        quantity = 0
    if not 0 < quantity <= window.max_per_order:
        errors["quantity"] = [
            _("Order between 1 and %(n)d packages.") % {"n": window.max_per_order}
        ]
    clean["quantity"] = quantity
    client_id = str(data.get("client_id") or "").strip()
    if not client_id or len(client_id) > 64 or not client_id.isprintable():
        errors["client_id"] = [_("The form is out of date: open the page again.")]
    clean["client_id"] = client_id
    if errors:
        raise ValidationError(errors)
    return clean


def _why_refused(window: Window, quantity: int) -> ValidationError:
    window.refresh_from_db(fields=["ordered", "closed_at", "closes_at", "capacity"])
    if window.closed_at is not None or window.closes_at <= timezone.now():
        return ValidationError(_("Ordering has closed for this package."))
    if window.remaining == 0:
        return ValidationError(_("Sold out: the day's capacity has been ordered."))
    return ValidationError(
        {
            "quantity": _("Only %(n)d left: order fewer packages.") % {"n": window.remaining},
        }
    )


def place_order(
    *, window: Window, data: dict[str, Any], source: str = Source.PUBLIC, user: Any = None
) -> tuple[Order, bool]:
    """An order in `window` (a resident from the QR code, or a grid worker for a resident).
    Returns (order, created): the same client_id twice answers the first order (a double tap,
    a retry after a lost answer) and never takes capacity twice."""
    clean = _order_fields(window, data)
    quantity = clean["quantity"]
    try:
        with transaction.atomic():
            number = _take(window, quantity)
            if number is None:
                seen = Order.objects.filter(window=window, client_id=clean["client_id"]).first()
                if seen is not None:
                    return seen, False
                raise _why_refused(window, quantity)
            order = Order.objects.create(
                window=window,
                number=number,
                amount=(window.price * quantity).quantize(CENT),
                source=source,
                placed_by=user if getattr(user, "is_authenticated", False) else None,
                code=f"{secrets.randbelow(10000):04d}",
                **clean,
            )
    except IntegrityError:
        # The same client_id again (a double tap, a retry): the first order stands, and the
        # rollback gave back what this attempt took.
        seen = Order.objects.filter(window=window, client_id=clean["client_id"]).first()
        if seen is None:
            raise
        return seen, False
    return order, True


def _take(window: Window, quantity: int) -> int | None:
    """Raise the window's counter by `quantity` if it fits, before the cut-off and not closed;
    the counter after it (the order's number), or None when it does not fit. One statement:
    the condition is checked on the row the UPDATE holds (RETURNING: SQLite 3.35+, PostgreSQL),
    so two orders can never both take the last unit."""
    table = connection.ops.quote_name(Window._meta.db_table)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET ordered = ordered + %s WHERE id = %s AND closed_at IS NULL"
            " AND closes_at > %s AND ordered + %s <= capacity RETURNING ordered",
            [quantity, window.pk, now, quantity],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


@transaction.atomic
def cancel_order(*, order: Order, user: Any) -> Order:
    """Cancel an order not yet delivered: its packages go back to the window's capacity."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.PLACED:
        raise ValidationError(_("Only an order not yet delivered can be cancelled."))
    Window.objects.filter(pk=order.window_id).update(ordered=F("ordered") - order.quantity)
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status"])
    return order


@transaction.atomic
def mark_paid(*, order: Order, paid: bool, user: Any) -> Order:
    if order.status == OrderStatus.CANCELLED:
        raise ValidationError(_("This order was cancelled."))
    order.paid = paid
    order.paid_at = timezone.now() if paid else None
    order.save(update_fields=["paid", "paid_at"])
    return order


@transaction.atomic
def deliver_order(*, order: Order, user: Any, code: str = "", photo: Any = None) -> Order:
    """Proof of delivery: the code the resident was given, or a photo of the package at the
    door. The building's task is done when its last order is delivered."""
    order = Order.objects.select_for_update().select_related("window").get(pk=order.pk)
    if order.status != OrderStatus.PLACED:
        raise ValidationError(_("This order is not waiting for delivery."))
    code = (code or "").strip()
    if code:
        if not secrets.compare_digest(code.encode(), order.code.encode()):
            raise ValidationError({"code": _("This is not the resident's code.")})
        order.proof = Proof.CODE
    elif photo:
        check_photo(photo)
        order.proof = Proof.PHOTO
        order.proof_photo.save(f"delivery{PurePath(photo.name).suffix.lower()}", photo, save=False)
    else:
        raise ValidationError(
            {"code": _("Enter the resident's code or take a photo of the delivery.")}
        )
    order.status = OrderStatus.DELIVERED
    order.delivered_at = timezone.now()
    order.delivered_by = user
    order.save()
    waiting = (
        Order.objects.filter(window=order.window, building=order.building)
        .filter(status=OrderStatus.PLACED)
        .exists()
    )
    if not waiting:
        DeliveryTask.objects.filter(
            window=order.window, building=order.building, done_at__isnull=True
        ).update(done_at=timezone.now())
    return order


# --- Merged per building: pick list and delivery tasks --------------------------------------


@dataclass
class Building:
    building: str
    orders: int
    quantity: int
    delivered: int


def buildings(window: Window) -> list[Building]:
    """The window's live orders merged per building (one grouped query)."""
    rows = (
        Order.objects.live()
        .filter(window=window)
        .values("building")
        .annotate(
            orders=Count("pk"),
            quantity=Sum("quantity"),
            delivered=Count("pk", filter=Q(status=OrderStatus.DELIVERED)),
        )
        .order_by("building")
    )
    return [Building(**r) for r in rows]


@transaction.atomic
def make_tasks(*, window: Window, user: Any) -> list[DeliveryTask]:
    """One delivery task per building with orders (again: new buildings only)."""
    have = set(DeliveryTask.objects.filter(window=window).values_list("building", flat=True))
    new = [
        DeliveryTask(window=window, building=b.building)
        for b in buildings(window)
        if b.building not in have
    ]
    DeliveryTask.objects.bulk_create(new, ignore_conflicts=True)
    return list(DeliveryTask.objects.filter(window=window))


@transaction.atomic
def assign_task(*, task: DeliveryTask, person: Person | None, user: Any) -> DeliveryTask:
    task.person = person
    task.save(update_fields=["person"])
    return task


# --- Complaints and refunds -----------------------------------------------------------------


@transaction.atomic
def record_complaint(*, order: Order, text: str, user: Any) -> Complaint:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what went wrong.")})
    if len(text) > 1000:
        raise ValidationError({"text": _("At most %(n)d characters.") % {"n": 1000}})
    return Complaint.objects.create(order=order, text=text, recorded_by=user)


@transaction.atomic
def resolve_complaint(
    *, complaint: Complaint, resolution: str, refund: Any, user: Any
) -> Complaint:
    """Close a complaint, with a refund of at most what was paid and not yet refunded (the
    order's refunded total rises in one conditional UPDATE: two refunds can't pass the amount)."""
    if complaint.resolved_at is not None:
        raise ValidationError(_("This complaint has already been resolved."))
    resolution = (resolution or "").strip()[:1000]
    if not resolution:
        raise ValidationError({"resolution": _("Say how it was resolved.")})
    amount = Decimal("0")
    if str(refund or "").strip() not in ("", "0"):
        amount = _money(refund, "refund")
        raised = Order.objects.filter(
            pk=complaint.order_id, refunded__lte=F("amount") - amount
        ).update(refunded=F("refunded") + amount)
        if not raised:
            order = Order.objects.get(pk=complaint.order_id)
            raise ValidationError(
                {
                    "refund": _("At most %(n)s yuan can still be refunded on this order.")
                    % {"n": order.amount - order.refunded}
                }
            )
    complaint.resolution, complaint.refund = resolution, amount
    complaint.resolved_at, complaint.resolved_by = timezone.now(), user
    complaint.save()
    return complaint


# --- Figures per compound and day -----------------------------------------------------------


def figures(orders: QuerySet[Order]) -> list[dict[str, Any]]:
    """Per compound and delivery day: orders, packages, amount, paid, delivered, refunded (one
    grouped query over the orders given, already scoped)."""
    live = Q(status__in=[OrderStatus.PLACED, OrderStatus.DELIVERED])
    return list(
        orders.values("window__compound_id", "window__compound__name", "window__day")
        .annotate(
            orders=Count("pk", filter=live),
            packages=Sum("quantity", filter=live, default=0),
            total=Sum("amount", filter=live, default=Decimal("0")),
            paid_total=Sum("amount", filter=live & Q(paid=True), default=Decimal("0")),
            delivered=Count("pk", filter=Q(status=OrderStatus.DELIVERED)),
            cancelled=Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
            refunded_total=Sum("refunded", default=Decimal("0")),
        )
        .order_by("-window__day", "window__compound__name")
    )


# --- Services for small firms ---------------------------------------------------------------


@transaction.atomic
def save_offer(
    *,
    provider: Organization,
    kind: str,
    title: str,
    description: str = "",
    is_active: bool = True,
    user: Any,
    offer: Offer | None = None,
) -> Offer:
    from .models import OfferKind

    title = (title or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("This field is required.")]
    if kind not in OfferKind.values:
        errors["kind"] = [_("Choose a kind of service.")]
    if errors:
        raise ValidationError(errors)
    offer = offer or Offer(provider=provider)
    offer.provider, offer.kind, offer.title = provider, kind, title[:200]
    offer.description, offer.is_active = (description or "").strip()[:2000], is_active
    offer.save()
    return offer


@transaction.atomic
def add_session(
    *, offer: Offer, starts_at: dt.datetime, seats: int, place: str = "", user: Any
) -> Session:
    starts_at = _aware(starts_at)
    errors: dict[str, list[str]] = {}
    if starts_at <= timezone.now():
        errors["starts_at"] = [_("A session is planned for a time still to come.")]
    if not 0 < seats <= 10_000:
        errors["seats"] = [_("Enter a number of seats between 1 and 10,000.")]
    if errors:
        raise ValidationError(errors)
    return Session.objects.create(
        offer=offer, starts_at=starts_at, seats=seats, place=(place or "").strip()[:200]
    )


@transaction.atomic
def request_service(
    *,
    offer: Offer,
    firm: Organization,
    user: Any,
    session: Session | None = None,
    need: str = "",
) -> ServiceRequest:
    """A firm asks for a service; for a training session it takes a seat (refused when the
    session is full or has started: the seat counter is raised by a conditional UPDATE)."""
    if not offer.is_active:
        raise ValidationError({"offer": _("This service is no longer on offer.")})
    if session is not None:
        if session.offer_id != offer.pk:
            raise ValidationError({"session": _("This session belongs to another service.")})
        taken = Session.objects.filter(
            pk=session.pk, taken__lt=F("seats"), starts_at__gt=timezone.now()
        ).update(taken=F("taken") + 1)
        if not taken:
            raise ValidationError({"session": _("This session is full or has already begun.")})
    return ServiceRequest.objects.create(
        offer=offer, firm=firm, session=session, need=(need or "").strip()[:1000], requested_by=user
    )


@transaction.atomic
def assign_request(*, request: ServiceRequest, person: Person, user: Any) -> ServiceRequest:
    if request.status == RequestStatus.CANCELLED:
        raise ValidationError(_("This request was cancelled."))
    if not person.organization.path.startswith(request.offer.provider.path):
        raise ValidationError({"person": _("Assign someone of the business offering the service.")})
    request.assignee, request.status, request.assigned_at = (
        person,
        RequestStatus.ASSIGNED,
        timezone.now(),
    )
    request.save(update_fields=["assignee", "status", "assigned_at"])
    return request


@transaction.atomic
def cancel_request(*, request: ServiceRequest, user: Any) -> ServiceRequest:
    request = ServiceRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == RequestStatus.CANCELLED:
        return request
    if request.session_id is not None:
        Session.objects.filter(pk=request.session_id).update(taken=F("taken") - 1)
    request.status = RequestStatus.CANCELLED
    request.save(update_fields=["status"])
    return request


@transaction.atomic
def give_feedback(
    *, request: ServiceRequest, rating: Any, feedback: str, user: Any
) -> ServiceRequest:
    if request.status != RequestStatus.ASSIGNED:
        raise ValidationError(_("Feedback is given once the service has been assigned."))
    try:
        value = int(rating)
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError({"rating": _("Rate from 1 to 5.")})
    request.rating, request.feedback = value, (feedback or "").strip()[:1000]
    request.feedback_at = timezone.now()
    request.save(update_fields=["rating", "feedback", "feedback_at"])
    return request


def offer_counts(offers: QuerySet[Offer]) -> QuerySet[Offer]:
    """Each offer with its requests counted (one grouped query)."""
    from django.db.models import Avg

    active = ~Q(requests__status=RequestStatus.CANCELLED)
    return offers.annotate(
        n_requests=Count("requests", filter=active),
        n_assigned=Count("requests", filter=Q(requests__status=RequestStatus.ASSIGNED)),
        n_feedback=Count("requests", filter=Q(requests__rating__isnull=False)),
        avg_rating=Avg("requests__rating"),
    )
