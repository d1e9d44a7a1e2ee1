from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """包保小区 — Community duty."""

    name = "gongke.community"
    verbose_name = _("Community duty")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, todos  # noqa: F401 (todos registers the home page's to-dos)

        auditlog.register(models.PostKey, exclude_fields=["token"])
        auditlog.register(models.ConsoleKey, exclude_fields=["key_hash", "last_used_at"])
        auditlog.register(
            models.Passage, exclude_fields=["id_number_hash", "subject_key"], mask_fields=["phone"]
        )
        auditlog.register(models.Alert)
        auditlog.register(models.DutySettings, exclude_fields=["updated_at"])
        auditlog.register(models.IdReveal)
        auditlog.register(models.Shift)
        auditlog.register(models.Assignment)
        auditlog.register(models.Spot)
        auditlog.register(models.DisinfectionLog)
        auditlog.register(models.PublicityItem)
