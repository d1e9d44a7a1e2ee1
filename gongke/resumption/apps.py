from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResumptionConfig(AppConfig):
    """复工复产 — Work resumption."""

    name = "gongke.resumption"
    verbose_name = _("Work resumption")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models, todos  # noqa: F401 (todos registers the home page's to-dos)

        auditlog.register(models.ReportingSettings)
        auditlog.register(
            models.Application, exclude_fields=["updated_at"], mask_fields=["responsible_phone"]
        )
        auditlog.register(models.ApplicationEvent)
        auditlog.register(models.Attachment)
        auditlog.register(models.DailyReport, exclude_fields=["updated_at"])
        auditlog.register(models.StaffTemperature)
        auditlog.register(models.FeverCase)
        auditlog.register(models.FeverNote)
        auditlog.register(models.ReliefProgramme)
        auditlog.register(models.Lease)
        auditlog.register(models.StaffMember)
