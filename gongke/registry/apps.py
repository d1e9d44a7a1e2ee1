from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "gongke.registry"
    verbose_name = _("Registry")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(
            models.Organization,
            exclude_fields=["search_text", "updated_at"],
            mask_fields=["contact_phone", "legal_representative_phone"],
        )
        auditlog.register(
            models.Person,
            exclude_fields=["search_text", "updated_at", "id_number_hash"],
            mask_fields=["phone"],
        )
        auditlog.register(
            models.Place,
            exclude_fields=["search_text", "updated_at"],
            mask_fields=["contact_phone"],
        )
        auditlog.register(models.Township, exclude_fields=["search_text"])
