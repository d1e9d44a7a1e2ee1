"""防疫物资 Supplies: a catalog of items, lots in warehouses and an append-only stock ledger.

Quantities are whole numbers of an item's base unit (只, 套, 副, 毫升): a pack (箱 = 1,000 只)
is converted on the way in and out, so every sum is an exact integer on both databases.

The ledger: every change of stock is a Movement (receive, transfer out/in, issue, return, count
adjustment) of one lot in one warehouse, never edited nor deleted; a correction is a reversing
movement (the negative quantity, the same kind, a reason). `Stock` holds the current balance of
each lot in each warehouse; the services change it only with a conditional UPDATE
(`quantity >= n`) in the same transaction as the movement, and a CHECK constraint refuses a
negative balance whatever writes it: stock never goes below zero under concurrent issuers, on
PostgreSQL (row locks) and SQLite (one writer at a time) alike. The sum of a lot's movements in a
warehouse always equals its Stock row (tests/test_ledger_machine.py holds this).

Scoping: stock, movements and lots are reached through the warehouse's organization (the
custodian) and the lot's owner (goods held on behalf of another organization).
"""

import base64
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.masking import FreeCharField, mask_phone
from gongke.registry.models import Organization, Place, SearchQuerySet, Township

_NO_LOOKALIKES = str.maketrans("IO", "89")


def new_code() -> str:
    """A public trace code: 12 characters, 60 random bits, no I or O to misread."""
    return base64.b32encode(secrets.token_bytes(10)).decode()[:12].translate(_NO_LOOKALIKES)


class Category(models.TextChoices):
    N95 = "n95", _("N95 mask")
    SURGICAL_MASK = "surgical_mask", _("Surgical mask")
    PROTECTIVE_SUIT = "protective_suit", _("Protective suit")
    CHEMICAL_SUIT = "chemical_suit", _("Chemical protective suit")
    GLOVES = "gloves", _("Gloves")
    THERMOMETER = "thermometer", _("Infrared thermometer")
    DISINFECTANT = "disinfectant", _("Disinfectant")
    ALCOHOL = "alcohol", _("75% alcohol")
    GOGGLES = "goggles", _("Goggles")
    OTHER = "other", _("Other")


class Item(models.Model):
    """One kind of goods in an organization's catalog (shared with the organizations below it).

    `daily_use` is the organization's planning norm per person and day in base units (2 surgical
    masks for office staff); 0 leaves the item out of days of cover."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("kept by"), on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    base_unit = models.CharField(_("base unit"), max_length=10)
    standard = models.CharField(_("standard"), max_length=100, blank=True)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    daily_use = models.DecimalField(
        _("daily use per person"), max_digits=8, decimal_places=2, default=0
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=500, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SearchQuerySet.as_manager()

    class Meta:
        ordering = ["category", "name"]
        verbose_name = _("item")
        verbose_name_plural = _("items")
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="supplies_item_unique"),
            models.CheckConstraint(condition=Q(daily_use__gte=0), name="supplies_item_daily_use"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class Pack(models.Model):
    """A pack of an item in base units: 1 箱 = 1,000 只, 1 盒 = 50 只."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="packs"
    )
    name = models.CharField(pgettext_lazy("pack", "name"), max_length=10)
    quantity = models.PositiveIntegerField(_("base units per pack"))

    class Meta:
        ordering = ["-quantity"]
        verbose_name = _("pack")
        verbose_name_plural = _("packs")
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="supplies_pack_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplies_pack_positive"),
        ]

    def __str__(self) -> str:
        return f"1{self.name} = {self.quantity}{self.item.base_unit}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.item.organization.path}


class Source(models.TextChoices):
    PURCHASE = "purchase", _("Purchase")
    IMPORT = "import", _("Import")
    GIFT = "gift", _("Donation in kind")
    OTHER = "other", _("Other")


class LotQuerySet(models.QuerySet):
    def search(self, query: str | None):
        from gongke.lib.chinese import normalize_query

        q = normalize_query(query)
        if not q:
            return self
        return self.filter(
            Q(item__search_text__icontains=q) | Q(batch__icontains=q) | Q(code__iexact=q)
        )


class Lot(models.Model):
    """What one receipt brought in: one item, one batch, one expiry, one owner."""

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="lots"
    )
    owner = models.ForeignKey(
        Organization, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="supply_lots"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # A donation in kind taken into stock (the donations ledger keeps its value and donor).
    gift = models.ForeignKey(
        "donations.Gift",
        verbose_name=_("gift"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supply_lots",
    )
    # A purchase or import received in parts: each part is a lot of one order line.
    order_line = models.ForeignKey(
        "OrderLine",
        verbose_name=_("order line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lots",
    )
    supplier = models.CharField(_("supplier or donor"), max_length=200, blank=True)
    batch = models.CharField(_("batch"), max_length=50, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    received_on = models.DateField(_("received on"))
    code = models.CharField(
        _("trace code"), max_length=16, unique=True, default=new_code, editable=False
    )
    note = FreeCharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LotQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.CheckConstraint(
                condition=~Q(source="gift") | Q(gift__isnull=False),
                name="supplies_gift_lot_has_gift",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.batch or self.code}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.owner.path}


class Stock(models.Model):
    """The current balance of one lot in one warehouse; never negative (a CHECK constraint)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="stocks")
    warehouse = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="stocks")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="stocks")
    quantity = models.BigIntegerField(_("quantity"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["lot", "warehouse"], name="supplies_stock_once"),
            models.CheckConstraint(
                condition=Q(quantity__gte=0), name="supplies_stock_never_negative"
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "item"])]


class Kind(models.TextChoices):
    RECEIVE = "receive", pgettext_lazy("movement", "Receipt")
    TRANSFER_OUT = "transfer_out", _("Transfer out")
    TRANSFER_IN = "transfer_in", _("Transfer in")
    ISSUE = "issue", _("Issue")
    RETURN = "return", pgettext_lazy("movement", "Return")
    ADJUST = "adjust", _("Count adjustment")


INWARD = (Kind.RECEIVE, Kind.TRANSFER_IN, Kind.RETURN)
OUTWARD = (Kind.ISSUE, Kind.TRANSFER_OUT)


class Movement(models.Model):
    """One line of the stock ledger. Append-only: never updated, never deleted.

    `quantity` is the signed change of the lot's balance in the warehouse: positive for a
    receipt, transfer in or return, negative for an issue or transfer out, either for a count
    adjustment; a reversal has the kind of the movement it reverses and the opposite sign."""

    lot = models.ForeignKey(
        Lot, verbose_name=_("lot"), on_delete=models.PROTECT, related_name="movements"
    )
    warehouse = models.ForeignKey(
        Place, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    # The lot's item, kept here so a balance per item and warehouse at a date is one index range.
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    quantity = models.BigIntegerField(_("quantity"))
    occurred_at = models.DateTimeField(_("time"))
    recipient = models.ForeignKey(
        Place,
        verbose_name=_("recipient unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supply_movements",
    )
    # The other end of a transfer; its other leg.
    counterpart = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    pair = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shipment = models.ForeignKey(
        "Shipment", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = FreeCharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind__in=[k.value for k in INWARD], quantity__gt=0)
                    | Q(kind__in=[k.value for k in OUTWARD], quantity__lt=0)
                    | (Q(kind="adjust") & ~Q(quantity=0))
                    | (Q(reverses__isnull=False) & ~Q(quantity=0))
                ),
                name="supplies_movement_sign",
            ),
            models.CheckConstraint(
                condition=(Q(reverses__isnull=True) & ~Q(kind="adjust")) | ~Q(reason=""),
                name="supplies_movement_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["transfer_out", "transfer_in"])
                | Q(counterpart__isnull=False),
                name="supplies_transfer_has_counterpart",
            ),
        ]
        indexes = [
            models.Index(fields=["item", "warehouse", "occurred_at"]),
            models.Index(fields=["lot", "warehouse"]),
            models.Index(fields=["warehouse", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def get_additional_data(self) -> dict:
        return {"warehouse": self.warehouse_id}


# --- Needs, offers, shipments -----------------------------------------------------------------


class Urgency(models.IntegerChoices):
    CRITICAL = 3, _("Critical")
    HIGH = 2, _("High")
    NORMAL = 1, _("Normal")


class NeedQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class Need(models.Model):
    """A frontline unit's request for goods, verified by someone who confirmed it with the unit.

    It goes stale when nobody re-confirms it within `ttl_days`: the board shows it last."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("kept by"),
        on_delete=models.PROTECT,
        related_name="supply_needs",
    )
    recipient = models.ForeignKey(
        Place,
        verbose_name=_("recipient unit"),
        on_delete=models.PROTECT,
        related_name="supply_needs",
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.NORMAL
    )
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    source = FreeCharField(_("source"), max_length=200, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("last confirmed"))
    ttl_days = models.PositiveSmallIntegerField(_("valid for (days)"), default=3)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    note = FreeCharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-confirmed_at", "-pk"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.CheckConstraint(condition=Q(ttl_days__gt=0), name="supplies_need_ttl_positive")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} #{self.pk}"

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def stale_at(self):
        import datetime

        return self.confirmed_at + datetime.timedelta(days=self.ttl_days)

    def is_stale(self, now=None) -> bool:
        from django.utils import timezone

        return (now or timezone.now()) >= self.stale_at

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class NeedLine(models.Model):
    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.BigIntegerField(_("quantity"))

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplies_need_line_positive"),
            models.UniqueConstraint(fields=["need", "item"], name="supplies_need_line_once"),
        ]

    def get_additional_data(self) -> dict:
        return {"need": self.need_id}


class Offer(models.Model):
    """A member's offer of goods it holds: item, quantity, where, until when."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("offered by"),
        on_delete=models.PROTECT,
        related_name="supply_offers",
    )
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="offers"
    )
    quantity = models.BigIntegerField(_("quantity"))
    township = models.ForeignKey(
        Township,
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    available_until = models.DateField(_("available until"))
    expires_on = models.DateField(_("goods expire on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    note = FreeCharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="supplies_offer_positive")
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.quantity}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class ShipmentStatus(models.TextChoices):
    PACKED = "packed", _("Packed")
    SENT = "sent", _("Sent")
    RECEIVED = "received", pgettext_lazy("shipment", "Received")


class Shipment(models.Model):
    """Goods on their way to a recipient unit, from a warehouse (its lots leave stock when sent)
    or from a member (an accepted offer). The recipient's receipt says who received what, when,
    and any shortfall or damage."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="supply_shipments",
    )
    warehouse = models.ForeignKey(
        Place,
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    offer = models.ForeignKey(
        Offer,
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("need"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    recipient = models.ForeignKey(
        Place,
        verbose_name=_("recipient unit"),
        on_delete=models.PROTECT,
        related_name="supply_shipments",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ShipmentStatus.choices, default=ShipmentStatus.PACKED
    )
    code = models.CharField(
        _("trace code"), max_length=16, unique=True, default=new_code, editable=False
    )
    packed_at = models.DateTimeField(_("packed"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(pgettext_lazy("shipment", "received"), null=True, blank=True)
    received_by = models.CharField(_("received by"), max_length=50, blank=True)
    remark = FreeCharField(_("shortfall or damage"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-packed_at", "-pk"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.CheckConstraint(
                condition=Q(warehouse__isnull=False) | Q(offer__isnull=False),
                name="supplies_shipment_has_origin",
            )
        ]

    def __str__(self) -> str:
        return self.code

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    lot = models.ForeignKey(
        Lot,
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipment_lines",
    )
    need_line = models.ForeignKey(
        NeedLine, null=True, blank=True, on_delete=models.PROTECT, related_name="shipment_lines"
    )
    quantity = models.BigIntegerField(_("quantity"))
    received_quantity = models.BigIntegerField(_("received quantity"), null=True, blank=True)
    damaged_quantity = models.BigIntegerField(_("damaged"), default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="supplies_shipment_line_positive"
            ),
            models.CheckConstraint(
                condition=Q(received_quantity__isnull=True) | Q(received_quantity__gte=0),
                name="supplies_shipment_line_received",
            ),
            models.CheckConstraint(
                condition=Q(damaged_quantity__gte=0), name="supplies_shipment_line_damaged"
            ),
        ]

    def get_additional_data(self) -> dict:
        return {"shipment": self.shipment_id}


# --- Procurement ---------------------------------------------------------------------------------


class OrderKind(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic purchase")
    IMPORT = "import", _("Import")


class PurchaseOrder(models.Model):
    """Goods bought at home or abroad (through members' overseas contacts), received in parts:
    each receipt is a lot tied to its order line."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="purchase_orders",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OrderKind.choices)
    supplier = models.CharField(_("supplier"), max_length=200)
    country = models.CharField(_("country"), max_length=50, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    rate = models.DecimalField(
        _("yuan per unit of currency"), max_digits=12, decimal_places=6, default=1
    )
    ordered_on = models.DateField(_("ordered on"))
    customs_on = models.DateField(_("customs cleared on"), null=True, blank=True)
    arrival_on = models.DateField(_("expected arrival"), null=True, blank=True)
    note = FreeCharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        constraints = [
            models.CheckConstraint(condition=Q(rate__gt=0), name="supplies_order_rate_positive")
        ]

    def __str__(self) -> str:
        return f"{self.supplier} {self.ordered_on:%Y-%m-%d}"

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class OrderLine(models.Model):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.BigIntegerField(_("quantity"))
    # In the order's currency per base unit; cost in yuan = quantity × unit price × rate.
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=4, default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="supplies_order_line_positive"
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="supplies_order_line_price"
            ),
        ]

    @property
    def cost_yuan(self):
        from decimal import Decimal

        return (Decimal(self.quantity) * self.unit_price * self.order.rate).quantize(
            Decimal("0.01")
        )

    def get_additional_data(self) -> dict:
        return {"order": self.order_id}
