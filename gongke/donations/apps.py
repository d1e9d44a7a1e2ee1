from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    """捐赠 — Donations."""

    name = "gongke.donations"
    verbose_name = _("Donations")
