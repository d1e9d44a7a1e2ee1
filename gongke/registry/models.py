"""登记 Registry: organizations, people and places that every other app builds on.

Organizations form one tree (supervising office → federation/association → chambers → member
enterprises). Each node stores its materialized `path` ("0001.0007.0123.") so a subtree is one
indexed prefix query on SQLite and PostgreSQL alike. The access path (accounts.access) scopes
every read and write by that prefix.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.chinese import normalize_query
from gongke.lib.idnumbers import validate_credit_code
from gongke.lib.masking import FreeTextField, mask_id_number, mask_phone


class OrgKind(models.TextChoices):
    OFFICE = "office", _("Supervising office")
    FEDERATION = "federation", _("Federation of industry and commerce")
    ASSOCIATION = "association", _("Industry association")
    CHAMBER = "chamber", _("Chamber of commerce")
    ENTERPRISE = "enterprise", _("Member enterprise")


class ChamberKind(models.TextChoices):
    INDUSTRY = "industry", _("Industry chamber")
    TOWNSHIP = "township", _("Township chamber")
    ASSOCIATION = "association", _("Association chamber")


class Industry(models.TextChoices):
    # GB/T 4754 sections, the classification every Chinese registry uses.
    AGRICULTURE = "A", _("Agriculture, forestry, animal husbandry and fishery")
    MINING = "B", _("Mining")
    MANUFACTURING = "C", _("Manufacturing")
    UTILITIES = "D", _("Electricity, heat, gas and water")
    CONSTRUCTION = "E", _("Construction")
    TRADE = "F", _("Wholesale and retail")
    TRANSPORT = "G", _("Transport, storage and post")
    HOSPITALITY = "H", _("Accommodation and catering")
    IT = "I", _("Information technology")
    FINANCE = "J", _("Finance")
    REAL_ESTATE = "K", _("Real estate")
    LEASING = "L", _("Leasing and business services")
    RESEARCH = "M", _("Research and technical services")
    ENVIRONMENT = "N", _("Water, environment and public facilities")
    SERVICES = "O", _("Resident services and repair")
    EDUCATION = "P", _("Education")
    HEALTH = "Q", _("Health and social work")
    CULTURE = "R", _("Culture, sports and entertainment")
    OTHER = "T", _("Other")


class SearchQuerySet(models.QuerySet):
    def search(self, query: str | None):
        """Name search in either script or by pinyin (full or initials): jbjt finds 京博集团."""
        q = normalize_query(query)
        if not q:
            return self
        return self.filter(search_text__icontains=q)


class Township(models.Model):
    """A township or subdistrict (乡镇/街道): where enterprises, compounds and villages are."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=20, blank=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)

    objects = SearchQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("township")
        verbose_name_plural = _("townships")

    def __str__(self) -> str:
        return self.name


class OrganizationQuerySet(SearchQuerySet):
    def subtree(self, org: "Organization"):
        return self.filter(path__startswith=org.path)

    def enterprises(self):
        return self.filter(kind=OrgKind.ENTERPRISE)

    def bodies(self):
        """Everything that is not an enterprise: offices, federations, associations, chambers."""
        return self.exclude(kind=OrgKind.ENTERPRISE)


class Organization(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    chamber_kind = models.CharField(
        _("chamber kind"), max_length=20, choices=ChamberKind.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # Enterprise details
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
    )
    industry = models.CharField(_("industry"), max_length=2, choices=Industry.choices, blank=True)
    township = models.ForeignKey(
        Township,
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organizations",
    )
    legal_representative = models.CharField(
        _("legal representative"),
        max_length=50,
        blank=True,
        help_text=_("The first person responsible for epidemic prevention in the enterprise."),
    )
    legal_representative_phone = models.CharField(
        _("legal representative's phone"), max_length=20, blank=True
    )
    is_executive = models.BooleanField(_("executive committee enterprise"), default=False)
    staff_count = models.PositiveIntegerField(_("staff"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    note = FreeTextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="registry_org_unique_credit_code",
            ),
            models.CheckConstraint(
                condition=Q(kind="chamber") | Q(chamber_kind=""),
                name="registry_org_chamber_kind_only_for_chambers",
            ),
        ]
        indexes = [models.Index(fields=["kind", "path"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_enterprise(self) -> bool:
        return self.kind == OrgKind.ENTERPRISE

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def masked_legal_representative_phone(self) -> str:
        return mask_phone(self.legal_representative_phone)

    def ancestors(self) -> models.QuerySet["Organization"]:
        prefixes = [self.path[: i + 5] for i in range(0, len(self.path) - 5, 5)]
        return Organization.objects.filter(path__in=prefixes).order_by("depth")

    def is_within(self, other: "Organization") -> bool:
        return self.path.startswith(other.path)

    def get_additional_data(self) -> dict:
        return {"org_path": self.path}


class Position(models.TextChoices):
    CHAIRMAN = "chairman", _("Chairman")
    VICE_CHAIRMAN = "vice_chairman", _("Vice-chairman")
    SECRETARY_GENERAL = "secretary_general", _("Secretary-general")
    PARTY_SECRETARY = "party_secretary", _("Party secretary")
    STAFF = "staff", _("Staff")
    MEMBER = "member", _("Individual member")


class PersonQuerySet(SearchQuerySet):
    pass


class Person(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="people",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    position = models.CharField(
        _("position"), max_length=30, choices=Position.choices, default=Position.STAFF
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # The ID number itself is never stored: a keyed hash to match on and a masked form to show.
    id_number_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    is_party_member = models.BooleanField(_("party member"), default=False)
    is_volunteer = models.BooleanField(_("volunteer"), default=False)
    note = FreeTextField(_("note"), blank=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["organization__path", "name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class PlaceKind(models.TextChoices):
    COMPOUND = "compound", _("Residential compound")
    VILLAGE = "village", _("Village")
    POST = "post", _("Duty post")
    WAREHOUSE = "warehouse", _("Warehouse")
    RECIPIENT = "recipient", _("Recipient unit")


class RecipientKind(models.TextChoices):
    HOSPITAL = "hospital", _("Hospital")
    CDC = "cdc", _("Centre for disease control")
    POLICE = "police", _("Police")
    TOWNSHIP_GOVERNMENT = "township_government", _("Township government")
    COMMUNITY = "community", _("Community")
    RED_CROSS = "red_cross", _("Red Cross")
    OTHER = "other", _("Other")


class PlaceQuerySet(SearchQuerySet):
    def posts(self):
        return self.filter(kind=PlaceKind.POST)

    def areas(self):
        return self.filter(kind__in=[PlaceKind.COMPOUND, PlaceKind.VILLAGE])

    def recipients(self):
        return self.filter(kind=PlaceKind.RECIPIENT)


class Place(models.Model):
    """A compound, village, duty post, warehouse or recipient unit.

    `organization` is the organization responsible for it (the one assigned to a compound, the
    owner of a warehouse, the federation that keeps the list of recipient units).
    """

    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    recipient_kind = models.CharField(
        _("recipient kind"), max_length=30, choices=RecipientKind.choices, blank=True
    )
    name = models.CharField(_("name"), max_length=200)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="places",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("compound or village"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    township = models.ForeignKey(
        Township,
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    without_property_management = models.BooleanField(
        _("without property management"),
        default=False,
        help_text=_("A 三无小区: no owner, no management, no committee."),
    )
    households = models.PositiveIntegerField(
        pgettext_lazy("count", "households"), null=True, blank=True
    )
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="recipient") | Q(recipient_kind=""),
                name="registry_place_recipient_kind_only_for_recipients",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.kind == PlaceKind.POST and (
            self.parent is None or self.parent.kind not in (PlaceKind.COMPOUND, PlaceKind.VILLAGE)
        ):
            raise ValidationError({"parent": _("A duty post belongs to a compound or village.")})

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


__all__ = [
    "ChamberKind",
    "Industry",
    "OrgKind",
    "Organization",
    "Person",
    "Place",
    "PlaceKind",
    "Position",
    "RecipientKind",
    "Township",
    "mask_id_number",
]
