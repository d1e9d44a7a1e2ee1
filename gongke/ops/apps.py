from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operator commands: demo county, admin creation, backup and restore."""

    name = "gongke.ops"
    verbose_name = "Operations"
