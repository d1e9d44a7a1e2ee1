"""开放数据 Open data: whether an organization publishes its aggregate figures.

Off by default; only an organization admin of a federation, association or chamber (or a platform
admin) switches it on (docs/access.md). What is published is computed in figures.py."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gongke.registry.models import Organization, OrgKind

# The bodies that may publish: enterprises report through their chamber, never on their own.
PUBLISHERS = (OrgKind.FEDERATION, OrgKind.ASSOCIATION, OrgKind.CHAMBER)


class PublicationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(is_open=True, organization__is_active=True)


class Publication(models.Model):
    organization = models.OneToOneField(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="open_data",
    )
    is_open = models.BooleanField(_("publish open data"), default=False)
    # The county the organization serves (GB/T 2260): the administrative codes of every row,
    # and the township codes looked up by name among its townships when a township has none.
    county_code = models.CharField(
        _("county code (GB/T 2260)"),
        max_length=6,
        blank=True,
        validators=[RegexValidator(r"^\d{6}$", _("Six digits, e.g. 360803."))],
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("open data publication")
        verbose_name_plural = _("open data publications")

    def __str__(self) -> str:
        return str(self.organization)

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}
