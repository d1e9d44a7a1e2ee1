from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuppliesConfig(AppConfig):
    """防疫物资 — Supplies: catalog, lots in warehouses, the stock ledger, needs, offers, shipments."""

    name = "gongke.supplies"
    verbose_name = _("Supplies")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, todos  # noqa: F401  (todos registers its provider)

        auditlog.register(models.Item, exclude_fields=["search_text"])
        auditlog.register(models.Pack)
        auditlog.register(models.Lot)
        auditlog.register(models.Movement)
        auditlog.register(models.Need, mask_fields=["contact_phone"])
        auditlog.register(models.NeedLine)
        auditlog.register(models.Offer)
        auditlog.register(models.Shipment)
        auditlog.register(models.ShipmentLine)
        auditlog.register(models.PurchaseOrder)
        auditlog.register(models.OrderLine)
