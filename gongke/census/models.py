"""入户排查 Door-to-door census: households and residents of a compound or village.

Scoped through the compound's responsible organization: household.place.organization.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from gongke.lib.masking import mask_phone
from gongke.registry.models import Place, SearchQuerySet


class Household(models.Model):
    place = models.ForeignKey(Place, verbose_name=_("compound or village"), on_delete=models.PROTECT,
                              related_name="households_set")
    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["place", "building", "unit", "room"]
        constraints = [
            models.UniqueConstraint(fields=["place", "building", "unit", "room"], name="census_one_household_per_room")
        ]

    def __str__(self) -> str:
        return "-".join(p for p in (self.building, self.unit, self.room) if p)

    def get_additional_data(self) -> dict:
        return {"org_path": self.place.organization.path}


class Resident(models.Model):
    household = models.ForeignKey(Household, verbose_name=_("household"), on_delete=models.PROTECT,
                                  related_name="residents")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The ID number itself is never stored: a keyed hash to match on, a masked form to show.
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SearchQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        ordering = ["household", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def get_additional_data(self) -> dict:
        return {"org_path": self.household.place.organization.path}
