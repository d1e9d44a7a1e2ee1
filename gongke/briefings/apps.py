from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BriefingsConfig(AppConfig):
    """简报 — Briefings."""

    name = "gongke.briefings"
    verbose_name = _("Briefings")
