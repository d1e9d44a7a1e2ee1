from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    """简报 — Briefings."""

    name = "gongke.briefings"
    verbose_name = _("Briefings")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        # The facts are the snapshot the text was written from: kept, not a change worth a diff.
        auditlog.register(models.Briefing, exclude_fields=["updated_at", "facts"])
