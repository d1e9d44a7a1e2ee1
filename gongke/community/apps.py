from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    """包保小区 — Community duty."""

    name = "gongke.community"
    verbose_name = _("Community duty")
