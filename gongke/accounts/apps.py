from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gongke.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import grants, models  # noqa: F401 — grants connects its signals

        auditlog.register(
            models.User,
            include_fields=[
                "username",
                "display_name",
                "phone",
                "email",
                "is_active",
                "language",
                "is_superuser",
            ],
            mask_fields=["phone"],
        )
        auditlog.register(models.Membership, m2m_fields={"posts"})
        auditlog.register(models.ApiToken, exclude_fields=["key_hash", "last_used_at"])
