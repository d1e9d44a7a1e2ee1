from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    """捐赠 — Donations: donors, gifts, an append-only ledger, receipts, the public honor list."""

    name = "gongke.donations"
    verbose_name = _("Donations")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Campaign)
        auditlog.register(
            models.Donor, exclude_fields=["search_text"], mask_fields=["contact_phone", "address"]
        )
        auditlog.register(models.Gift, exclude_fields=["search_text", "public_name"])
        auditlog.register(models.Entry)
        auditlog.register(models.Receipt)
        auditlog.register(models.ImportBatch)
        auditlog.register(models.ImportReview, exclude_fields=["data", "checked", "candidates"])
        auditlog.register(models.DuplicateDecision)
        auditlog.register(models.DonorMerge, exclude_fields=["gifts"])
