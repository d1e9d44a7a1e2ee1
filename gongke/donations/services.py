"""Writes to the donations ledger. Every function checks the writer's access, runs in one
transaction and only ever adds rows: a correction is `reverse_entry`."""

import datetime
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from gongke.accounts.access import reference_organizations, require_write
from gongke.lib.chinese import search_key
from gongke.lib.lengths import check_lengths
from gongke.registry.models import Organization, OrgKind, Place, PlaceKind

from .access import donor_enterprises, gifts_for
from .models import (
    Campaign,
    Donor,
    DonorKind,
    DonorMerge,
    DuplicateDecision,
    Entry,
    EntryKind,
    Gift,
    Nature,
    Receipt,
    ReceiptCounter,
    receipt_prefix,
)

CENT = Decimal("0.01")
# The columns' max_digits: 16 for values, 14 for quantities, both with two decimals.
MAX_VALUE = Decimal(10) ** 14
MAX_QUANTITY = Decimal(10) ** 12
NATURES = frozenset(Nature.values)


def _today() -> datetime.date:
    return timezone.localdate()


def _money(value: Any, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except Exception:
        raise ValidationError({field: [_("Enter an amount in yuan.")]})
    if amount <= 0:
        raise ValidationError({field: [_("The amount must be more than zero.")]})
    return amount


def read_amount(raw: Any, field: str = "amount") -> tuple[Decimal, str, str]:
    """An amount as people write it -> (yuan, approximation flag, the text), or a ValidationError."""
    from gongke.lib.amounts import AmountError, parse_amount

    from .importer import amount_message

    try:
        amount = parse_amount(raw)
    except AmountError as exc:
        raise ValidationError({field: [amount_message(exc)]})
    return amount.value, amount.approximation, str(raw)[:50]


def donor_search_text(donor: Donor) -> str:
    return search_key(donor.name, donor.enterprise.credit_code if donor.enterprise else "")


@transaction.atomic
def create_campaign(*, user: Any, organization: Organization, name: str, **fields: Any) -> Campaign:
    require_write(user, organization, manage=True)
    campaign = Campaign(organization=organization, name=name.strip(), **fields)
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def find_or_create_donor(
    *,
    user: Any,
    organization: Organization,
    kind: str,
    name: str = "",
    enterprise: Organization | None = None,
    **private: Any,
) -> Donor:
    """The donor record to book a gift on: a member enterprise's own, or one kept by `organization`."""
    require_write(user, organization, manage=True)
    name = (name or "").strip()
    if enterprise is not None:
        # A donor enterprise is a reference: one the writer does not reach does not exist.
        if not donor_enterprises(user).filter(pk=enterprise.pk).exists():
            raise ValidationError(
                {"enterprise": [_("No member enterprise has this name or credit code.")]}
            )
        donor = Donor.objects.filter(enterprise=enterprise).first()
        if donor is None:
            donor = Donor(
                organization=enterprise,
                kind=DonorKind.ENTERPRISE,
                name=enterprise.name,
                enterprise=enterprise,
                township=enterprise.township,
            )
            donor.search_text = donor_search_text(donor)
            donor.save()
        return donor
    if kind == DonorKind.ENTERPRISE:
        # An enterprise donor is a member enterprise (the form's rule, and the API's).
        raise ValidationError(
            {"enterprise": [_("No member enterprise has this name or credit code.")]}
        )
    if kind == DonorKind.ANONYMOUS:
        donor = Donor(organization=organization, kind=kind, name="", **private)
        donor.save()
        return donor
    if kind not in DonorKind.values:
        raise ValidationError({"kind": [_("Choose what kind of donor this is.")]})
    if not name:
        raise ValidationError({"name": [_("Give the donor's name, or choose anonymous.")]})
    if kind == DonorKind.INDIVIDUAL and is_collective(name):
        kind = DonorKind.GROUP
    # One register per county: the same person through three chambers is one donor.
    county = county_of(organization)
    donor = register_donors(county).filter(kind=kind, name=name).order_by("pk").first()
    if donor is None:
        donor = Donor(organization=county, kind=kind, name=name, **private)
        donor.search_text = donor_search_text(donor)
        donor.save()
    return donor


# Names of collective lines: "某商会其他会员", "全体职工", "…统一战线联盟", "张三等5人".
_COLLECTIVE = re.compile(
    r"(其他|其它|全体|部分|广大)(会员|成员|职工|员工|党员|干部|群众|企业)|统一战线|联盟$|等\d*(人|家|户|名)$"
)


def is_collective(name: str) -> bool:
    return bool(_COLLECTIVE.search(name))


def register_donors(county: Organization):
    """The county's donor register: named donors kept anywhere in it, merged records left out."""
    return Donor.objects.filter(
        organization__path__startswith=county.path, merged_into__isnull=True
    ).exclude(kind=DonorKind.ANONYMOUS)


@transaction.atomic
def merge_donors(*, user: Any, kept: Donor, merged: Donor) -> DonorMerge:
    """Two records of one donor: `merged`'s gifts become `kept`'s (its history and total are
    one), `merged` points at `kept`. Undone by undo_merge. Both records' keepers must be the
    writer's."""
    require_write(user, kept.organization, manage=True)
    require_write(user, merged.organization, manage=True)
    kept = Donor.objects.select_for_update().get(pk=kept.pk)
    merged = Donor.objects.select_for_update().get(pk=merged.pk)
    if kept.pk == merged.pk:
        raise ValidationError({"donor": [_("Choose another donor to merge.")]})
    if kept.merged_into_id or merged.merged_into_id:
        raise ValidationError({"donor": [_("This donor was already merged into another.")]})
    if DonorKind.ANONYMOUS in (kept.kind, merged.kind):
        raise ValidationError({"donor": [_("An anonymous donor cannot be merged.")]})
    if merged.enterprise_id:
        raise ValidationError(
            {"donor": [_("A member enterprise's own record is the one to keep.")]}
        )
    if county_of(kept.organization).pk != county_of(merged.organization).pk:
        raise ValidationError({"donor": [_("Only donors of the same county can be merged.")]})
    gifts = list(Gift.objects.filter(donor=merged).values_list("pk", flat=True))
    Gift.objects.filter(pk__in=gifts).update(donor=kept)
    merged.merged_into = kept
    merged.save(update_fields=["merged_into"])
    return DonorMerge.objects.create(kept=kept, merged=merged, gifts=gifts, merged_by=user)


@transaction.atomic
def undo_merge(*, user: Any, merge: DonorMerge) -> DonorMerge:
    """The merged record gets back exactly the gifts the merge moved."""
    merge = DonorMerge.objects.select_for_update().select_related("kept", "merged").get(pk=merge.pk)
    require_write(user, merge.kept.organization, manage=True)
    require_write(user, merge.merged.organization, manage=True)
    if merge.undone_at is not None:
        raise ValidationError({"merge": [_("This merge was already undone.")]})
    Gift.objects.filter(pk__in=merge.gifts, donor=merge.kept).update(donor=merge.merged)
    merge.merged.merged_into = None
    merge.merged.save(update_fields=["merged_into"])
    merge.undone_at = timezone.now()
    merge.undone_by = user
    merge.save(update_fields=["undone_at", "undone_by"])
    return merge


def county_of(organization: Organization) -> Organization:
    """The county whose gifts share one key space and one duplicate review: the organization's
    federation (itself or the nearest above it); an organization under none is its own."""
    if organization.kind == OrgKind.FEDERATION:
        return organization
    above = organization.ancestors().filter(kind=OrgKind.FEDERATION).order_by("-depth").first()
    return above or organization


def gift_by_key(county: Organization, key: str) -> Gift | None:
    """The gift a client key names anywhere in the county: the key a form, the API or an import
    gave it, or the key of a line a clerk judged to be the same gift (DuplicateDecision)."""
    in_county = Gift.objects.filter(organization__path__startswith=county.path)
    gift = in_county.filter(client_key=key).first()
    if gift is None:
        same = DuplicateDecision.objects.filter(
            same=True, client_key=key, gift__organization__path__startswith=county.path
        ).first()
        gift = same.gift if same is not None else None
    return gift


def _entry(**fields: Any) -> Entry:
    entry = Entry(**fields)
    if entry.occurred_on and entry.occurred_on > _today():
        raise ValidationError({"occurred_on": [_("The date is in the future.")]})
    entry.save()
    return entry


def gift_row(
    *,
    organization_id: int,
    donor_id: int | None,
    donor_kind: str,
    donor_name: str,
    nature: str,
    value: Any,
    given_on: datetime.date,
    township_id: int | None = None,
    campaign_id: int | None = None,
    item: str = "",
    quantity: Any = None,
    unit: str = "",
    is_anonymous: bool = False,
    approximation: str = "",
    amount_text: str = "",
    note: str = "",
    client_key: str = "",
    created_by_id: int | None = None,
    search: Callable[..., str] = search_key,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The field values of a new gift, checked against every rule of a gift: the one definition
    that `record_gift` saves one at a time and the importer inserts in bulk (bulk.insert).
    Makes no query; the importer fills donor_id once its new donors are saved (and passes
    `today` once: the local date costs more to work out than the rest of a row's checks).
    ValidationError {field: [message]} when a rule is broken."""
    if nature not in NATURES:
        raise ValidationError({"nature": [_("Choose money or goods.")]})
    item = item.strip()
    if nature == Nature.GOODS and not item:
        raise ValidationError({"item": [_("Say what goods were given.")]})
    qty = None
    if nature == Nature.GOODS and quantity not in (None, ""):
        try:
            qty = Decimal(str(quantity)).quantize(CENT)
        except ArithmeticError:
            raise ValidationError({"quantity": [_("The quantity must be more than zero.")]})
        if qty <= 0:
            raise ValidationError({"quantity": [_("The quantity must be more than zero.")]})
        if qty >= MAX_QUANTITY:
            raise ValidationError({"quantity": [_("The quantity is too large.")]})
    amount = _money(value, "value")
    if amount >= MAX_VALUE:
        raise ValidationError({"value": [_("The amount is too large.")]})
    if given_on > (today or _today()):
        raise ValidationError({"given_on": [_("The date is in the future.")]})
    anonymous = is_anonymous or donor_kind == DonorKind.ANONYMOUS
    public_name = "" if anonymous else donor_name
    row = {
        "organization_id": organization_id,
        "campaign_id": campaign_id,
        "donor_id": donor_id,
        "nature": nature,
        "item": item,
        "quantity": qty,
        "unit": unit.strip() if nature == Nature.GOODS else "",
        "value": amount,
        "approximation": approximation,
        "amount_text": amount_text,
        "given_on": given_on,
        "is_anonymous": anonymous,
        "township_id": township_id,
        "note": note,
        "client_key": client_key,
        "public_name": public_name,
        "search_text": search(public_name, item),
        "created_by_id": created_by_id,
    }
    check_lengths(Gift, row)
    return row


def opening_entry_rows(
    gift: Mapping[str, Any],
    *,
    received: bool,
    recipient_id: int | None = None,
    created_by_id: int | None = None,
) -> list[dict[str, Any]]:
    """The ledger a new gift (its gift_row) opens with, in this order: its pledge; its receipt
    when it has arrived; its allocation when it went straight to a recipient unit (only a
    received gift can be). Each for the gift's whole value and quantity, on its collector's
    books, on the day it was given; gift_id is the row's "id" once the gift has one."""
    if recipient_id is not None and not received:
        raise ValidationError({"recipient": [_("Only a received gift can be allocated.")]})
    kinds = [EntryKind.PLEDGE]
    if received:
        kinds.append(EntryKind.RECEIPT)
    if recipient_id is not None:
        kinds.append(EntryKind.ALLOCATION)
    return [
        {
            "gift_id": gift.get("id"),
            "kind": kind.value,
            "organization_id": gift["organization_id"],
            "recipient_id": recipient_id if kind == EntryKind.ALLOCATION else None,
            "amount": gift["value"],
            "quantity": gift["quantity"],
            "occurred_on": gift["given_on"],
            "created_by_id": created_by_id,
        }
        for kind in kinds
    ]


@transaction.atomic
def record_gift(
    *,
    user: Any,
    organization: Organization,
    donor: Donor,
    nature: str,
    value: Any,
    given_on: datetime.date | None = None,
    campaign: Campaign | None = None,
    item: str = "",
    quantity: Any = None,
    unit: str = "",
    is_anonymous: bool = False,
    approximation: str = "",
    amount_text: str = "",
    note: str = "",
    received: bool = True,
    recipient: Place | None = None,
    client_key: str = "",
    issue_receipt: bool = False,
) -> Gift:
    """Book a gift: its pledge, its receipt when it has arrived, its allocation when it went
    straight to a recipient unit. Idempotent on client_key."""
    require_write(user, organization, manage=True)
    client_key = (client_key or "").strip()[:100]
    if client_key:
        # One key space per county: the same number from a form, the API or an import is one gift.
        existing = gift_by_key(county_of(organization), client_key)
        if existing is not None:
            if gifts_for(user).filter(pk=existing.pk).exists():
                return existing
            raise ValidationError(
                {
                    "client_key": [
                        _("Another organization of the county already used this number for a gift.")
                    ]
                }
            )
    if campaign is not None and not organization.path.startswith(campaign.organization.path):
        raise ValidationError({"campaign": [_("This campaign belongs to another organization.")]})
    if recipient is not None and not recipients_for(user).filter(pk=recipient.pk).exists():
        raise ValidationError({"recipient": [_("Choose a recipient unit from the list.")]})
    row = gift_row(
        organization_id=organization.pk,
        donor_id=donor.pk,
        donor_kind=donor.kind,
        donor_name=donor.name,
        nature=nature,
        value=value,
        given_on=given_on or _today(),
        township_id=donor.township_id or organization.township_id,
        campaign_id=campaign.pk if campaign is not None else None,
        item=item,
        quantity=quantity,
        unit=unit,
        is_anonymous=is_anonymous,
        approximation=approximation,
        amount_text=amount_text[:50],
        note=note,
        client_key=client_key,
        created_by_id=user.pk,
    )
    entries = [
        Entry(**values)
        for values in opening_entry_rows(
            row,
            received=received,
            recipient_id=recipient.pk if recipient is not None else None,
            created_by_id=user.pk,
        )
    ]
    gift = Gift(**row)
    try:
        with transaction.atomic():
            gift.save()
    except IntegrityError:
        # A retry raced the first request with the same key: answer with the first gift.
        return Gift.objects.get(organization=organization, client_key=client_key)
    for entry in entries:
        entry.gift = gift
        entry.save()
    if issue_receipt and received:
        issue_receipt_for(user=user, entry=entries[1])
    return gift


def gift_position(gift: Gift) -> dict[str, Decimal]:
    """Totals of one gift over its ledger: pledged, received, allocated."""
    rows = gift.entries.values("kind").annotate(total=Sum("amount"))
    totals = {kind: Decimal(0) for kind in EntryKind.values}
    for row in rows:
        totals[row["kind"]] = row["total"] or Decimal(0)
    return totals


def held_by(gift: Gift, organization: Organization) -> Decimal:
    """What of this gift rests with `organization` now: received or forwarded in, less what it
    forwarded on or allocated."""
    entries = gift.entries.filter(Q(organization=organization) | Q(to_organization=organization))
    held = Decimal(0)
    for e in entries:
        if e.kind == EntryKind.RECEIPT:
            held += e.amount
        elif e.kind == EntryKind.TRANSFER:
            held += e.amount if e.to_organization_id == organization.pk else -e.amount
        elif e.kind == EntryKind.ALLOCATION:
            held -= e.amount
    return held


def quantity_held_by(gift: Gift, organization: Organization) -> Decimal | None:
    """How many pieces of a counted gift (goods with a quantity) rest with `organization` now,
    by the same rule as held_by; None when the gift is not counted in pieces."""
    if gift.nature != Nature.GOODS or gift.quantity is None:
        return None
    entries = gift.entries.filter(
        Q(organization=organization) | Q(to_organization=organization), quantity__isnull=False
    )
    held = Decimal(0)
    for e in entries:
        assert e.quantity is not None
        if e.kind == EntryKind.RECEIPT:
            held += e.quantity
        elif e.kind == EntryKind.TRANSFER:
            held += e.quantity if e.to_organization_id == organization.pk else -e.quantity
        elif e.kind == EntryKind.ALLOCATION:
            held -= e.quantity
    return held


def _check_pieces(gift: Gift, organization: Organization, quantity: Any) -> Decimal | None:
    """The pieces a forward or an allocation hands on, checked against what the organization
    holds: 600 of 500 sheets are refused, as 600 of 500 yuan are."""
    if quantity in (None, ""):
        return None
    try:
        pieces = Decimal(str(quantity)).quantize(CENT)
    except ArithmeticError:
        raise ValidationError({"quantity": [_("The quantity must be more than zero.")]})
    if pieces <= 0:
        raise ValidationError({"quantity": [_("The quantity must be more than zero.")]})
    held = quantity_held_by(gift, organization)
    if held is not None and pieces > held:
        raise ValidationError(
            {
                "quantity": [
                    _("%(org)s holds only %(held)s %(unit)s of %(item)s.")
                    % {
                        "org": organization.name,
                        "held": f"{held.normalize():f}",
                        "unit": gift.unit,
                        "item": gift.item,
                    }
                ]
            }
        )
    return pieces


def holders(gift: Gift) -> list[tuple[Organization, Decimal]]:
    """The organizations that hold part of the gift now, with how much."""
    org_ids = set(gift.entries.values_list("organization_id", flat=True)) | set(
        gift.entries.exclude(to_organization=None).values_list("to_organization_id", flat=True)
    )
    orgs = Organization.objects.in_bulk(org_ids)
    out = [(org, held_by(gift, org)) for org in orgs.values()]
    return [(org, amount) for org, amount in out if amount > 0]


@transaction.atomic
def receive_gift(
    *,
    user: Any,
    gift: Gift,
    amount: Any,
    quantity: Any = None,
    occurred_on: datetime.date | None = None,
    issue_receipt: bool = False,
) -> Entry:
    """Record that (part of) a pledged gift arrived at its collecting organization."""
    require_write(user, gift.organization, manage=True)
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    amount = _money(amount)
    position = gift_position(gift)
    if position[EntryKind.RECEIPT] + amount > position[EntryKind.PLEDGE]:
        raise ValidationError(
            {
                "amount": [
                    _("More would be received than was pledged (%(left)s yuan left).")
                    % {"left": position[EntryKind.PLEDGE] - position[EntryKind.RECEIPT]}
                ]
            }
        )
    entry = _entry(
        gift=gift,
        kind=EntryKind.RECEIPT,
        organization=gift.organization,
        amount=amount,
        quantity=Decimal(str(quantity)) if quantity not in (None, "") else None,
        occurred_on=occurred_on or _today(),
        created_by=user,
    )
    if issue_receipt:
        issue_receipt_for(user=user, entry=entry)
    return entry


@transaction.atomic
def forward_gift(
    *,
    user: Any,
    gift: Gift,
    from_organization: Organization,
    to_organization: Organization,
    amount: Any,
    quantity: Any = None,
    occurred_on: datetime.date | None = None,
) -> Entry:
    """One step on the gift's path: the holder passes (part of) it to another organization."""
    require_write(user, from_organization, manage=True)
    if from_organization.pk == to_organization.pk:
        raise ValidationError(
            {"to_organization": [_("Choose another organization to forward to.")]}
        )
    if not reference_organizations(user).filter(pk=to_organization.pk).exists():
        raise ValidationError({"to_organization": [_("You cannot forward to this organization.")]})
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    amount = _money(amount)
    pieces = _check_pieces(gift, from_organization, quantity)
    held = held_by(gift, from_organization)
    if amount > held:
        raise ValidationError(
            {
                "amount": [
                    _("%(org)s holds only %(held)s yuan of this gift.")
                    % {"org": from_organization.name, "held": held}
                ]
            }
        )
    return _entry(
        gift=gift,
        kind=EntryKind.TRANSFER,
        organization=from_organization,
        to_organization=to_organization,
        amount=amount,
        quantity=pieces,
        occurred_on=occurred_on or _today(),
        created_by=user,
    )


def recipients_for(user: Any):
    """Recipient units a user may allocate to: those kept by their subtree or the bodies above."""
    return Place.objects.recipients().filter(
        organization__in=reference_organizations(user), is_active=True
    )


@transaction.atomic
def allocate_gift(
    *,
    user: Any,
    gift: Gift,
    organization: Organization,
    recipient: Place,
    amount: Any,
    quantity: Any = None,
    occurred_on: datetime.date | None = None,
) -> Entry:
    """The holder hands (part of) the gift to a recipient unit: where the yuan finally rests."""
    require_write(user, organization, manage=True)
    if (
        recipient.kind != PlaceKind.RECIPIENT
        or not recipients_for(user).filter(pk=recipient.pk).exists()
    ):
        raise ValidationError({"recipient": [_("Choose a recipient unit from the list.")]})
    gift = Gift.objects.select_for_update().get(pk=gift.pk)
    amount = _money(amount)
    pieces = _check_pieces(gift, organization, quantity)
    held = held_by(gift, organization)
    if amount > held:
        raise ValidationError(
            {
                "amount": [
                    _("%(org)s holds only %(held)s yuan of this gift.")
                    % {"org": organization.name, "held": held}
                ]
            }
        )
    return _entry(
        gift=gift,
        kind=EntryKind.ALLOCATION,
        organization=organization,
        recipient=recipient,
        amount=amount,
        quantity=pieces,
        occurred_on=occurred_on or _today(),
        created_by=user,
    )


@transaction.atomic
def reverse_entry(
    *, user: Any, entry: Entry, reason: str, occurred_on: datetime.date | None = None
) -> Entry:
    """Cancel an entry by adding its negative, with the reason. The only way to correct the ledger.

    The reversal is dated the day the correction belongs to (`occurred_on`: a receipt booked in
    February and found wrong in March is corrected in February's figures), by default today;
    never before the entry itself nor in the future."""
    require_write(user, entry.organization, manage=True)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the entry is reversed.")]})
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    occurred_on = occurred_on or _today()
    if occurred_on < entry.occurred_on:
        raise ValidationError(
            {"occurred_on": [_("A reversal cannot be dated before the entry it reverses.")]}
        )
    if entry.is_reversal:
        raise ValidationError(
            {"entry": [_("A reversal cannot itself be reversed; record the entry again.")]}
        )
    if Entry.objects.filter(reverses=entry).exists():
        raise ValidationError({"entry": [_("This entry was already reversed.")]})
    gift = Gift.objects.select_for_update().get(pk=entry.gift_id)
    # What was built on the entry must be reversed first, so no organization ends up holding less
    # than nothing and no more is received than pledged.
    if entry.kind == EntryKind.PLEDGE:
        position = gift_position(gift)
        if position[EntryKind.RECEIPT] > position[EntryKind.PLEDGE] - entry.amount:
            raise ValidationError({"entry": [_("Reverse the receipts of this gift first.")]})
    elif entry.kind == EntryKind.RECEIPT:
        if held_by(gift, entry.organization) < entry.amount:
            raise ValidationError(
                {"entry": [_("Reverse what was forwarded or allocated from it first.")]}
            )
    elif entry.kind == EntryKind.TRANSFER:
        assert entry.to_organization is not None
        if held_by(gift, entry.to_organization) < entry.amount:
            raise ValidationError(
                {"entry": [_("Reverse what was forwarded or allocated from it first.")]}
            )
    reversal = Entry(
        gift=gift,
        kind=entry.kind,
        organization=entry.organization,
        to_organization=entry.to_organization,
        recipient=entry.recipient,
        amount=-entry.amount,
        quantity=-entry.quantity if entry.quantity is not None else None,
        occurred_on=occurred_on,
        reverses=entry,
        reason=reason[:500],
        created_by=user,
    )
    if occurred_on > _today():
        raise ValidationError({"occurred_on": [_("The date is in the future.")]})
    reversal.save()
    return reversal


@transaction.atomic
def issue_receipt_for(*, user: Any, entry: Entry) -> Receipt:
    """Give a receipt entry its receipt: the next number of its organization's year, no gaps.

    The counter row is locked (select_for_update; SQLite takes the write lock at BEGIN), so two
    clerks issuing at once get consecutive numbers and a failed transaction gives its number back.
    """
    require_write(user, entry.organization, manage=True)
    if entry.kind != EntryKind.RECEIPT or entry.is_reversal:
        raise ValidationError({"entry": [_("Only a receipt entry gets a receipt.")]})
    existing = Receipt.objects.filter(entry=entry).first()
    if existing is not None:
        return existing
    gift = entry.gift
    opening = not Entry.objects.filter(gift=gift, kind=EntryKind.RECEIPT, pk__lt=entry.pk).exists()
    if gift.approximation and opening:
        # The gift's own receipt entry carries the amount as written ("近10万", "20余万"): a
        # receipt states an exact sum. A receipt entry recorded afterwards has a typed amount.
        raise ValidationError(
            {
                "entry": [
                    _(
                        "The amount received is approximate (%(text)s): reverse this entry and "
                        "record the exact amount received, then issue its receipt."
                    )
                    % {"text": gift.amount_text or gift.get_approximation_display()}
                ]
            }
        )
    year = timezone.localdate().year  # the year of issue, whatever day the gift arrived
    ReceiptCounter.objects.bulk_create(
        [ReceiptCounter(organization=entry.organization, year=year)], ignore_conflicts=True
    )
    counter = ReceiptCounter.objects.select_for_update().get(
        organization=entry.organization, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return Receipt.objects.create(
        entry=entry,
        organization=entry.organization,
        prefix=receipt_prefix(entry.organization_id),
        year=year,
        number=counter.last,
        issued_by=user,
    )
