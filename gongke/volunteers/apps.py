from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """志愿服务与外勤作业 — Volunteers and field operations."""

    name = "gongke.volunteers"
    verbose_name = _("Volunteers")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import models

        auditlog.register(models.Team, exclude_fields=["signup_token"])
        auditlog.register(models.Volunteer, exclude_fields=["pass_token"])
        auditlog.register(models.SignUp, mask_fields=["phone"])
        auditlog.register(models.TeamShift)
        auditlog.register(models.Attendance)
        auditlog.register(models.NoShow)
        auditlog.register(models.HoursEntry)
        auditlog.register(models.Task)
        auditlog.register(models.Route)
        auditlog.register(models.Round, m2m_fields={"volunteers"})
        auditlog.register(models.Issue)
        auditlog.register(models.Resource)
        auditlog.register(models.Deployment)
        auditlog.register(models.Operation)
        auditlog.register(models.Operation.drones.through)
        auditlog.register(models.Operation.pilots.through)
