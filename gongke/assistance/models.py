"""服务 Services: packages for residents in lockdown and services for small firms.

Residents: a member business (a registry enterprise) offers fixed-price packages, under the price
cap an association sets for its subtree. An order window puts one package on sale in one compound
for one delivery day, until a cut-off time and up to a daily capacity; it closes by itself when
either is reached. The capacity is held by the database: `Window.ordered` is a counter row raised
by one conditional UPDATE per order (services.place_order), so two workers can never sell the
same last unit. Orders are merged per building into a pick list for the supplier and into
delivery tasks that duty volunteers carry to each building.

Small firms: members offer services (remote office tools, counselling, training sessions with
seats); firms request them, the association assigns, the firm gives feedback. Seats are held the
same way as capacity (`Session.taken`).
"""

import secrets
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.masking import FreeTextField, mask_phone
from gongke.registry.models import Organization, Person, Place

MONEY: dict[str, Any] = {"max_digits": 10, "decimal_places": 2}


class PriceCap(models.Model):
    """The highest price an association allows for a package offered in its subtree. A package
    answers to every cap above its supplier: the lowest one holds."""

    organization = models.OneToOneField(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="price_cap",
    )
    amount = models.DecimalField(_("price cap (yuan)"), **MONEY)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["organization__path"]
        verbose_name = _("price cap")
        verbose_name_plural = _("price caps")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="assistance_cap_positive")
        ]

    def __str__(self) -> str:
        return f"{self.organization} ≤ {self.amount}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


PHOTO_TYPES = {".jpg", ".jpeg", ".png", ".webp"}


class Package(models.Model):
    supplier = models.ForeignKey(
        Organization,
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="packages",
    )
    name = models.CharField(pgettext_lazy("package", "name"), max_length=100)
    contents = models.TextField(_("contents"), max_length=2000)
    price = models.DecimalField(_("price (yuan)"), **MONEY)
    photo = models.FileField(_("photo"), upload_to="assistance/packages/%Y/%m/", blank=True)
    is_active = models.BooleanField(_("on offer"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["supplier__path", "name", "pk"]
        verbose_name = _("package")
        verbose_name_plural = _("packages")
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="assistance_package_price")
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.supplier.path}


class ShopKey(models.Model):
    """The secret in a compound's ordering QR code: whoever holds it may order there (it grants
    nothing else, unlike a post's self-registration key)."""

    place = models.OneToOneField(Place, on_delete=models.CASCADE, related_name="shop_key")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return str(self.place)

    @classmethod
    def for_place(cls, place: Place) -> "ShopKey":
        key, _created = cls.objects.get_or_create(
            place=place, defaults={"token": secrets.token_urlsafe(18)}
        )
        return key

    def get_additional_data(self) -> dict:
        return {"org_path": self.place.organization.path}


class WindowQuerySet(models.QuerySet):
    def open_at(self, when=None):
        """Windows taking orders now: not closed by hand, before the cut-off, not full."""
        when = when or timezone.now()
        return self.filter(closed_at__isnull=True, closes_at__gt=when, ordered__lt=F("capacity"))


class Window(models.Model):
    """One package on sale in one compound for one delivery day."""

    compound = models.ForeignKey(
        Place,
        verbose_name=_("compound or village"),
        on_delete=models.PROTECT,
        related_name="order_windows",
    )
    package = models.ForeignKey(
        Package, verbose_name=_("package"), on_delete=models.PROTECT, related_name="windows"
    )
    day = models.DateField(_("delivery day"))
    closes_at = models.DateTimeField(_("cut-off time"))
    capacity = models.PositiveIntegerField(_("daily capacity"))
    # The capacity counter: raised only by the conditional UPDATE in services.place_order.
    ordered = models.PositiveIntegerField(_("ordered"), default=0, editable=False)
    max_per_order = models.PositiveSmallIntegerField(_("at most per order"), default=5)
    price = models.DecimalField(_("price (yuan)"), editable=False, **MONEY)
    closed_at = models.DateTimeField(_("closed by hand"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = WindowQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "compound__name", "pk"]
        verbose_name = _("order window")
        verbose_name_plural = _("order windows")
        constraints = [
            models.CheckConstraint(
                condition=Q(ordered__lte=F("capacity")), name="assistance_window_not_oversold"
            ),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="assistance_window_capacity"),
            models.CheckConstraint(
                condition=Q(max_per_order__gt=0), name="assistance_window_max_per_order"
            ),
            models.UniqueConstraint(
                fields=["compound", "package", "day"], name="assistance_window_once_a_day"
            ),
        ]
        indexes = [models.Index(fields=["compound", "day"])]

    def __str__(self) -> str:
        return f"{self.compound} · {self.package} · {self.day}"

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.ordered)

    def is_open(self, when=None) -> bool:
        when = when or timezone.now()
        return self.closed_at is None and self.closes_at > when and self.ordered < self.capacity

    @property
    def state(self) -> str:
        if self.closed_at is not None:
            return str(_("Closed"))
        if self.ordered >= self.capacity:
            return str(_("Sold out"))
        if self.closes_at <= timezone.now():
            return str(_("Past the cut-off"))
        return str(pgettext_lazy("window", "Open"))

    def get_additional_data(self) -> dict:
        return {"org_path": self.compound.organization.path}


class Source(models.TextChoices):
    PUBLIC = "public", _("Resident, from the QR code")
    GRID = "grid", _("Grid worker, for a resident")


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Proof(models.TextChoices):
    CODE = "code", _("Resident's code")
    PHOTO = "photo", _("Photo")


class OrderQuerySet(models.QuerySet):
    def live(self):
        return self.exclude(status=OrderStatus.CANCELLED)


class Order(models.Model):
    window = models.ForeignKey(
        Window, verbose_name=_("order window"), on_delete=models.PROTECT, related_name="orders"
    )
    # The window's counter after this order: its number within the window, shown to the resident.
    number = models.PositiveIntegerField(_("order number"))
    client_id = models.CharField(max_length=64)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    amount = models.DecimalField(_("amount (yuan)"), **MONEY)
    building = models.CharField(_("building"), max_length=20)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    note = FreeTextField(_("note"), blank=True, max_length=200)
    source = models.CharField(_("placed by"), max_length=10, choices=Source.choices)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Told to the resident when ordering; the deliverer asks for it (proof of delivery).
    code = models.CharField(_("delivery code"), max_length=6)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    paid = models.BooleanField(_("paid"), default=False)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proof = models.CharField(
        _("proof of delivery"), max_length=10, choices=Proof.choices, blank=True
    )
    proof_photo = models.FileField(
        _("photo of the delivery"), upload_to="assistance/deliveries/%Y/%m/", blank=True
    )
    refunded = models.DecimalField(_("refunded (yuan)"), default=Decimal("0"), **MONEY)
    created_at = models.DateTimeField(_("ordered at"), auto_now_add=True)

    objects = OrderQuerySet.as_manager()

    class Meta:
        ordering = ["window", "building", "unit", "room", "pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["window", "number"], name="assistance_order_number"),
            models.UniqueConstraint(fields=["window", "client_id"], name="assistance_order_once"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="assistance_order_quantity"),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=F("amount")),
                name="assistance_order_refund_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["window", "building"])]

    def __str__(self) -> str:
        return f"{self.window.package} #{self.number}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_room(self) -> str:
        return "*" * len(self.room) if self.room else ""

    @property
    def address(self) -> str:
        return " ".join(p for p in (self.building, self.unit, self.room) if p)

    @property
    def masked_address(self) -> str:
        return " ".join(p for p in (self.building, self.unit, self.masked_room) if p)

    def get_additional_data(self) -> dict:
        return {"org_path": self.window.compound.organization.path}


class DeliveryTask(models.Model):
    """Carrying one window's orders from the gate to one building."""

    window = models.ForeignKey(
        Window, verbose_name=_("order window"), on_delete=models.CASCADE, related_name="tasks"
    )
    building = models.CharField(_("building"), max_length=20)
    person = models.ForeignKey(
        Person,
        verbose_name=_("volunteer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="delivery_tasks",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["window", "building"]
        verbose_name = _("delivery task")
        verbose_name_plural = _("delivery tasks")
        constraints = [
            models.UniqueConstraint(fields=["window", "building"], name="assistance_task_once")
        ]

    def __str__(self) -> str:
        return f"{self.window} · {self.building}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.window.compound.organization.path}


class Complaint(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="complaints"
    )
    text = FreeTextField(_("complaint"), max_length=1000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    resolution = FreeTextField(_("resolution"), blank=True, max_length=1000)
    refund = models.DecimalField(_("refund (yuan)"), default=Decimal("0"), **MONEY)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        constraints = [
            models.CheckConstraint(condition=Q(refund__gte=0), name="assistance_refund_positive")
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.created_at:%Y-%m-%d}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.order.window.compound.organization.path}


# --- Services for small firms ---------------------------------------------------------------


class OfferKind(models.TextChoices):
    REMOTE_OFFICE = "remote_office", _("Remote office tools")
    COUNSELLING = "counselling", _("Counselling")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class Offer(models.Model):
    provider = models.ForeignKey(
        Organization,
        verbose_name=_("provider"),
        on_delete=models.PROTECT,
        related_name="service_offers",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OfferKind.choices)
    title = models.CharField(pgettext_lazy("service", "title"), max_length=200)
    description = FreeTextField(_("description"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("on offer"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["kind", "title", "pk"]
        verbose_name = _("service offer")
        verbose_name_plural = _("service offers")

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        return {"org_path": self.provider.path}


class Session(models.Model):
    """A dated training session with a number of seats."""

    offer = models.ForeignKey(
        Offer, verbose_name=_("service offer"), on_delete=models.CASCADE, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    seats = models.PositiveIntegerField(_("seats"))
    # The seat counter: raised only by the conditional UPDATE in services.request_service.
    taken = models.PositiveIntegerField(_("seats taken"), default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(taken__lte=F("seats")), name="assistance_session_not_overbooked"
            ),
            models.CheckConstraint(condition=Q(seats__gt=0), name="assistance_session_seats"),
        ]

    def __str__(self) -> str:
        return f"{self.offer} · {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def remaining(self) -> int:
        return max(0, self.seats - self.taken)

    def get_additional_data(self) -> dict:
        return {"org_path": self.offer.provider.path}


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ASSIGNED = "assigned", _("Assigned")
    CANCELLED = "cancelled", _("Cancelled")


class ServiceRequest(models.Model):
    offer = models.ForeignKey(
        Offer, verbose_name=_("service offer"), on_delete=models.PROTECT, related_name="requests"
    )
    session = models.ForeignKey(
        Session,
        verbose_name=_("training session"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="requests",
    )
    firm = models.ForeignKey(
        Organization, verbose_name=_("firm"), on_delete=models.PROTECT, related_name="+"
    )
    need = FreeTextField(_("what is needed"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    assignee = models.ForeignKey(
        Person,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    feedback = FreeTextField(_("feedback"), blank=True, max_length=1000)
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="assistance_request_rating",
            )
        ]

    def __str__(self) -> str:
        return f"{self.firm} · {self.offer}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.firm.path}
