from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    """服务 — services for residents (fixed-price packages ordered by compound) and for small
    firms (a catalogue of member offers). Named assistance: every app has a services.py."""

    name = "gongke.assistance"
    verbose_name = _("Services")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.PriceCap)
        auditlog.register(models.Package)
        auditlog.register(models.ShopKey, exclude_fields=["token"])
        auditlog.register(models.Window, exclude_fields=["ordered"])
        auditlog.register(models.Order, mask_fields=["phone"], exclude_fields=["code"])
        auditlog.register(models.DeliveryTask)
        auditlog.register(models.Complaint)
        auditlog.register(models.Offer)
        auditlog.register(models.Session, exclude_fields=["taken"])
        auditlog.register(models.ServiceRequest)
