from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResumptionConfig(AppConfig):
    """复工复产 — Work resumption."""

    name = "gongke.resumption"
    verbose_name = _("Work resumption")
