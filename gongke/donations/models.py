"""捐赠 Donations: donors, gifts and an append-only ledger that counts each yuan once.

A gift is one line (money, or one kind of goods with its estimated value) given by one donor
and collected by one organization. What happens to it afterwards is a sequence of ledger
entries: pledge, receipt (fully or in parts), transfer to another organization (the gift's
path: a chamber forwards to the federation, which forwards to a township), allocation to a
recipient unit. Nothing is edited or deleted: a correction is a reversal entry (the negative of
the entry it reverses, with a reason), so every sum over entries is the corrected figure.

Scoping: a gift by its collecting organization; an entry by the organization whose books it
is on (for a transfer, the sending one). See services.py for the writes and rollups.py for
the figures.
"""

import base64
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from gongke.lib.masking import FreeCharField, FreeTextField, mask_phone
from gongke.registry.models import Organization, Place, SearchQuerySet, Township

ZERO = models.Value(0, output_field=models.DecimalField(max_digits=16, decimal_places=2))


def new_code() -> str:
    # 12 characters (60 random bits), short enough to type from paper; I and O become 8 and 9
    # so nobody mistakes them for 1 and 0.
    return base64.b32encode(secrets.token_bytes(10)).decode()[:12].translate(_NO_LOOKALIKES)


def new_codes(count: int) -> list[str]:
    """`count` codes like new_code's, from one call for random bytes (an import needs 100,000)."""
    # 10 random bytes are exactly 16 base32 characters, so each code is the first 12 of its 16.
    text = base64.b32encode(secrets.token_bytes(10 * count)).decode().translate(_NO_LOOKALIKES)
    return [text[i : i + 12] for i in range(0, 16 * count, 16)]


_NO_LOOKALIKES = str.maketrans("IO", "89")


class Campaign(models.Model):
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="donation_campaigns",
    )
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    description = FreeTextField(_("description"), blank=True)
    # The initiative letter (倡议书): a link, typically to the notice that published it. Notices
    # sit above donations in the layers, so the campaign keeps the address, not a key.
    initiative_url = models.URLField(_("initiative letter (link)"), max_length=500, blank=True)
    is_public = models.BooleanField(
        _("public honor list"),
        default=True,
        help_text=_("Show the honor list of this campaign to everyone."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="donations_campaign_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": [_("The campaign cannot end before it starts.")]})

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class DonorKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("Member enterprise")
    INDIVIDUAL = "individual", _("Individual")
    ORGANIZATION = "organization", _("Other organization")
    # A collective line ("某商会其他会员", "…统一战线联盟"): many givers under one name, never
    # counted as one donor in the threshold counts.
    GROUP = "group", _("Group (collective line)")
    ANONYMOUS = "anonymous", _("Anonymous")


class Donor(models.Model):
    """Who gives. A member enterprise has one donor record (kept by the enterprise itself, so
    everyone above it sees its whole history); a named person, organization or group has one
    record in the county's register (kept by the county's federation, whichever chamber met
    them; services.find_or_create_donor). Records found later to be one donor are merged
    (DonorMerge): the merged record stays, pointing at the one kept."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("kept by"), on_delete=models.PROTECT, related_name="donors"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DonorKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    enterprise = models.OneToOneField(
        Organization,
        verbose_name=_("member enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donor",
    )
    township = models.ForeignKey(
        Township,
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donors",
    )
    # Private: never on a public page, masked everywhere else.
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SearchQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "name"],
                condition=~Q(kind="anonymous"),
                name="donations_donor_unique_name",
            ),
            models.CheckConstraint(
                condition=Q(kind="anonymous") | ~Q(name=""), name="donations_donor_named"
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(_("Anonymous"))

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class Nature(models.TextChoices):
    MONEY = "money", _("Money")
    GOODS = "goods", _("Goods")


class Approximation(models.TextChoices):
    EXACT = "", _("Exact")
    OVER = "over", _("Over (余/多)")
    NEARLY = "nearly", _("Nearly (近)")
    ABOUT = "about", _("About (约)")


class GiftQuerySet(models.QuerySet):
    def with_totals(self):
        """Pledged, received, allocated and the value still held, summed over the ledger."""

        def total(kind):
            return Coalesce(Sum("entries__amount", filter=Q(entries__kind=kind)), ZERO)

        return self.annotate(
            pledged=total(EntryKind.PLEDGE),
            received=total(EntryKind.RECEIPT),
            allocated=total(EntryKind.ALLOCATION),
        )

    def search(self, query: str | None):
        from gongke.lib.chinese import normalize_query

        q = normalize_query(query)
        return self.filter(search_text__icontains=q) if q else self


class Gift(models.Model):
    # No single-column indexes where a composite index below leads with the column, or where
    # nobody searches (created_by): each index costs every one of 100,000 imported rows.
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("collected by"),
        on_delete=models.PROTECT,
        related_name="gifts",
        db_index=False,
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gifts",
        db_index=False,
    )
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="gifts"
    )
    nature = models.CharField(_("money or goods"), max_length=10, choices=Nature.choices)
    item = models.CharField(_("item"), max_length=200, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(pgettext_lazy("measure", "unit"), max_length=20, blank=True)
    # The value in yuan as first declared (the money, or the goods' estimated value). Figures
    # never read it: they sum the ledger, where corrections live.
    value = models.DecimalField(_("declared value (yuan)"), max_digits=16, decimal_places=2)
    approximation = models.CharField(
        _("approximation"), max_length=10, choices=Approximation.choices, blank=True, default=""
    )
    amount_text = models.CharField(_("amount as written"), max_length=50, blank=True)
    given_on = models.DateField(_("date"))
    is_anonymous = models.BooleanField(_("anonymous on the honor list"), default=False)
    township = models.ForeignKey(
        Township,
        verbose_name=_("township"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gifts",
        db_index=False,
    )
    note = FreeCharField(_("note"), max_length=500, blank=True)
    code = models.CharField(
        _("verification code"), max_length=16, unique=True, default=new_code, editable=False
    )
    # Idempotency: a client's own key (API, import column) or the hash of an imported row.
    client_key = models.CharField(max_length=100, blank=True, editable=False)
    # Searchable text that is safe to show: empty for anonymous gifts.
    search_text = models.CharField(max_length=1000, blank=True, editable=False)
    public_name = models.CharField(max_length=200, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = GiftQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("gift")
        verbose_name_plural = _("gifts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "client_key"],
                condition=~Q(client_key=""),
                name="donations_gift_unique_client_key",
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="donations_gift_value_positive"),
            models.CheckConstraint(
                condition=Q(nature="money") | ~Q(item=""), name="donations_goods_have_item"
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "given_on"]),
            models.Index(fields=["organization", "given_on"]),
        ]

    def __str__(self) -> str:
        if self.nature == Nature.GOODS:
            return f"{self.item} {self.quantity or ''}{self.unit}".strip()
        return f"¥{self.value:,}"

    @property
    def shown_name(self) -> str:
        """The donor's name where the public may see it."""
        return self.public_name or str(_("Anonymous"))

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class EntryKind(models.TextChoices):
    PLEDGE = "pledge", _("Pledge")
    RECEIPT = "receipt", _("Receipt")
    TRANSFER = "transfer", _("Forwarded")
    ALLOCATION = "allocation", _("Allocation")


class EntryQuerySet(models.QuerySet):
    def live(self):
        """Entries not cancelled by a reversal (and not reversals themselves)."""
        return self.filter(reverses__isnull=True, reversed_by__isnull=True)


class Entry(models.Model):
    """One line of the ledger. Append-only: never updated, never deleted.

    A reversal has the kind and parties of the entry it reverses, the negative amount and a
    reason, so sums over entries are the corrected figures without any special case.
    """

    gift = models.ForeignKey(
        Gift,
        verbose_name=_("gift"),
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=False,
    )
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="donation_entries",
        db_index=False,
    )
    # A transfer: the organization the gift was forwarded to.
    to_organization = models.ForeignKey(
        Organization,
        verbose_name=_("forwarded to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donation_entries_in",
        db_index=False,
    )
    recipient = models.ForeignKey(
        Place,
        verbose_name=_("recipient unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="donation_entries",
        db_index=False,
    )
    amount = models.DecimalField(_("value (yuan)"), max_digits=16, decimal_places=2)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    occurred_on = models.DateField(_("date"))
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = FreeCharField(_("reason"), max_length=500, blank=True)
    # Empty on the entries an import writes: who imported them is their gift's created_by and
    # the ImportBatch's (a foreign key per entry cost PostgreSQL ~0.8 s of checks at commit
    # for 100,000 gifts).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_on", "pk"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="donations_entry_not_zero"),
            models.CheckConstraint(
                condition=Q(reverses__isnull=False) | Q(amount__gt=0),
                name="donations_entry_positive_unless_reversal",
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | ~Q(reason=""),
                name="donations_reversal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind="transfer") | Q(to_organization__isnull=False),
                name="donations_transfer_has_destination",
            ),
            models.CheckConstraint(
                condition=~Q(kind="allocation") | Q(recipient__isnull=False),
                name="donations_allocation_has_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "kind"]),
            models.Index(fields=["gift", "kind"]),
            models.Index(fields=["occurred_on"]),
            # Most entries have neither: index only those that do.
            models.Index(
                fields=["to_organization"],
                condition=Q(to_organization__isnull=False),
                name="donations_entry_to_org",
            ),
            models.Index(
                fields=["recipient"],
                condition=Q(recipient__isnull=False),
                name="donations_entry_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def is_reversal(self) -> bool:
        return self.reverses_id is not None

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class ReceiptCounter(models.Model):
    """The last receipt number per organization and year, locked while a number is taken."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="donations_one_counter")
        ]


def receipt_prefix(organization_id: int) -> str:
    """The organization's part of its receipt numbers: its own id, so two organizations never
    share a number (a finance office files receipts of many issuers together)."""
    return f"GK{organization_id:04d}"


class Receipt(models.Model):
    """A receipt for one receipt entry, numbered per organization and year without gaps: the
    organization's prefix, the year of issue and the sequence (GK0012-2026-000031)."""

    entry = models.OneToOneField(
        Entry, verbose_name=_("ledger entry"), on_delete=models.PROTECT, related_name="receipt"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="donation_receipts",
    )
    prefix = models.CharField(_("prefix"), max_length=20, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    code = models.CharField(
        _("verification code"), max_length=16, unique=True, default=new_code, editable=False
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organization", "year", "number"]
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "number"], name="donations_receipt_number_once"
            ),
            models.UniqueConstraint(
                fields=["prefix", "year", "number"], name="donations_receipt_label_once"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.prefix}-{self.year}-{self.number:06d}"

    @property
    def handler(self) -> str:
        """Who issued it (经办人), as the receipt prints it."""
        return str(self.issued_by) if self.issued_by_id else ""

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class ImportBatch(models.Model):
    """One imported file: who, when, how many rows; its rows are gifts with client keys."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="donation_imports",
    )
    filename = models.CharField(_("file"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("gifts created"), default=0)
    skipped = models.PositiveIntegerField(_("rows already imported"), default=0)
    linked = models.PositiveIntegerField(_("rows judged the same as a known gift"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the review")
    COMMITTED = "committed", _("Imported")


class ImportReview(models.Model):
    """An import held back until a clerk has said, for each line that looks like a gift already
    known (same donor, amount and date anywhere in the county, or earlier in the file), whether
    it is the same gift or a different one. The file and its checked rows wait here (not in a
    worker's memory); committing the decisions takes the checked rows (importer._unpack) and
    reads the file again only when they no longer hold (another key, another reach)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="donation_reviews",
    )
    filename = models.CharField(_("file"), max_length=255)
    data = models.BinaryField(editable=False)
    # The rows as checked at upload, signed (importer._pack); empty once committed.
    checked = models.BinaryField(editable=False, default=b"")
    # [{row, key, donor, amount, date, collector, gift (id) | other_row}], as found at upload
    candidates = models.JSONField(default=list, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    batch = models.OneToOneField(
        ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="review"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("duplicate review")
        verbose_name_plural = _("duplicate reviews")

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class DuplicateDecision(models.Model):
    """A clerk's word on one imported line that looked like a known gift. "Same gift": no new
    gift; the line is recorded here as another report of `gift` (counted once, shown as reported
    by both), and its key joins the county's key space so the line is never imported again.
    "Different": the line became its own gift. Append-only, like the ledger."""

    review = models.ForeignKey(
        ImportReview, on_delete=models.PROTECT, related_name="decisions", db_index=False
    )
    row = models.PositiveIntegerField(_("row"))
    client_key = models.CharField(max_length=100, blank=True)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    gift = models.ForeignKey(
        Gift,
        verbose_name=_("gift"),
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,
    )
    same = models.BooleanField(_("same gift"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "row"]
        verbose_name = _("duplicate decision")
        verbose_name_plural = _("duplicate decisions")
        constraints = [
            models.UniqueConstraint(fields=["review", "row"], name="donations_decision_once")
        ]
        indexes = [
            models.Index(fields=["gift"], condition=Q(same=True), name="donations_same_gift"),
            models.Index(
                fields=["client_key"], condition=Q(same=True), name="donations_same_gift_key"
            ),
        ]

    def get_additional_data(self) -> dict:
        return {"org_path": self.organization.path}


class DonorMerge(models.Model):
    """Two donor records found to be one donor: the gifts of `merged` moved to `kept`. Undone by
    moving exactly those gifts back (`gifts`), so a merge is reversible and both are audited."""

    kept = models.ForeignKey(
        Donor, verbose_name=_("donor kept"), on_delete=models.PROTECT, related_name="merges_in"
    )
    merged = models.ForeignKey(
        Donor, verbose_name=_("donor merged"), on_delete=models.PROTECT, related_name="merges_out"
    )
    gifts = models.JSONField(default=list, editable=False)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(_("undone"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("donor merge")
        verbose_name_plural = _("donor merges")

    def get_additional_data(self) -> dict:
        return {"org_path": self.kept.organization.path}
