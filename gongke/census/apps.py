from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CensusConfig(AppConfig):
    """入户排查 — door-to-door census: households, residents, returns, home isolation, visits."""

    name = "gongke.census"
    verbose_name = _("Door-to-door census")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, todos  # noqa: F401 (todos registers the home page's to-dos)

        auditlog.register(models.Household, exclude_fields=["updated_at"])
        auditlog.register(
            models.Resident,
            exclude_fields=["search_text", "id_number_hash", "updated_at"],
            mask_fields=["phone"],
        )
        auditlog.register(models.ReturnRecord)
        auditlog.register(models.Isolation)
        auditlog.register(models.DailyCheck, exclude_fields=["checked_at"])
        auditlog.register(models.Visit)
