from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpenDataConfig(AppConfig):
    """开放数据 — Open data: aggregate figures anyone may download, per organization that opts in."""

    name = "gongke.opendata"
    verbose_name = _("Open data")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Publication)
