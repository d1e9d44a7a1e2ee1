from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """通知 / 倡议书 — Notices and initiative letters."""

    name = "gongke.notices"
    verbose_name = _("Notices")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.NoticeSettings, mask_fields=["webhook_url"])
        auditlog.register(models.Notice, exclude_fields=["updated_at"])
        auditlog.register(models.NoticeAttachment)
        # Recipients change state in bulk (read, delivered); the acknowledgements are what an
        # auditor asks about, and they are the recipient rows' own fields: registered too.
        auditlog.register(
            models.Recipient, include_fields=["acknowledged_at", "ack_source", "note"]
        )
