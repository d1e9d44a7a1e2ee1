"""/api/v1/donations: campaigns, donors, gifts and their ledger, receipts, figures, imports,
and the two public reads (verify a receipt, the honor list) — through the same access path and
services as the pages. Amounts may be sent as numbers or as people write them ("64.8万")."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from gongke.accounts.access import (
    get_for_user,
    get_root,
    reference_organizations,
)
from gongke.donations import access, figures, importer, services
from gongke.donations.access import donors_for, entries_for, gifts_for
from gongke.donations.models import Campaign, Donor, Entry, EntryKind, Gift, Receipt
from gongke.donations.views import filter_gifts
from gongke.lib.chinese import capital_amount
from gongke.lib.excel import read_upload
from gongke.registry.access import get_organization
from gongke.registry.models import Organization, OrgKind

from .idempotency import once
from .pagination import Pages
from .schemas import In, Yuan

router = Router()


# --- Campaigns -------------------------------------------------------------------------------


class CampaignOut(Schema):
    id: int
    organization_id: int
    name: str
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    description: str
    initiative_url: str
    is_public: bool


class CampaignIn(In):
    model = Campaign

    organization_id: int  # the organizer
    name: str
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    description: str = ""
    initiative_url: str = ""
    is_public: bool = True


@router.post("/campaigns", response={201: CampaignOut})
def create_campaign(request: HttpRequest, payload: CampaignIn):
    org = get_for_user(
        request.user, Organization.objects.all(), field="", pk=payload.organization_id, manage=True
    )

    def create():
        campaign = services.create_campaign(
            user=request.user, organization=org, **payload.dict(exclude={"organization_id"})
        )
        return 201, CampaignOut.from_orm(campaign)

    return once(
        request, request.headers.get("Idempotency-Key"), "donations.campaign.create", create
    )


# --- Donors ----------------------------------------------------------------------------------


class DonorOut(Schema):
    id: int
    kind: str
    name: str
    organization_id: int
    enterprise_id: int | None
    township: str | None = Field(None, alias="township.name")
    contact_name: str
    contact_phone: str = Field(..., alias="masked_contact_phone")
    merged_into_id: int | None = None


class DonorSummary(DonorOut):
    gift_count: int = 0
    received: Yuan | None = None


@router.get("/donors", response=list[DonorSummary])
@paginate(Pages, page_size=50)
def list_donors(request: HttpRequest, q: str | None = None, kind: str | None = None):
    qs = donors_for(request.user).filter(merged_into__isnull=True).search(q)
    qs = qs.select_related("township")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.annotate(
        gift_count=Count("gifts", distinct=True),
        received=Sum("gifts__entries__amount", filter=Q(gifts__entries__kind=EntryKind.RECEIPT)),
    ).order_by("name", "pk")


@router.get("/donors/{donor_id}", response=DonorOut)
def get_donor(request: HttpRequest, donor_id: int):
    return access.get_donor(request.user, donor_id)


class DonorMergeIn(Schema):
    merged_id: int = Field(..., description="the other record of the same donor")


class DonorMergeOut(Schema):
    id: int
    kept_id: int
    merged_id: int
    gifts: list[int] = Field(..., description="the gifts moved (moved back on undo)")
    merged_at: datetime.datetime
    undone_at: datetime.datetime | None


@router.post("/donors/{donor_id}/merges", response={201: DonorMergeOut})
def merge_donor(request: HttpRequest, donor_id: int, payload: DonorMergeIn):
    """Merge another record of the same donor into this one: its gifts join this history."""
    kept = access.get_donor(request.user, donor_id, write=True)
    merged = access.get_donor(request.user, payload.merged_id, write=True)

    def create():
        merge = services.merge_donors(user=request.user, kept=kept, merged=merged)
        return 201, DonorMergeOut.from_orm(merge)

    return once(request, request.headers.get("Idempotency-Key"), "donations.donor.merge", create)


@router.post("/donors/merges/{merge_id}/undo", response=DonorMergeOut)
def undo_merge(request: HttpRequest, merge_id: int):
    """Give the merged record back exactly the gifts the merge moved."""
    merge = access.get_merge(request.user, merge_id, write=True)
    return services.undo_merge(user=request.user, merge=merge)


# --- Gifts and the ledger --------------------------------------------------------------------


class EntryOut(Schema):
    id: int
    gift_id: int
    kind: str
    organization_id: int
    to_organization_id: int | None
    recipient_id: int | None
    amount: Yuan
    quantity: Decimal | None
    occurred_on: datetime.date
    reverses_id: int | None
    reason: str
    receipt_number: str | None = None
    receipt_code: str | None = None

    @staticmethod
    def resolve_receipt_number(obj) -> str | None:
        return obj.receipt.label if hasattr(obj, "receipt") else None

    @staticmethod
    def resolve_receipt_code(obj) -> str | None:
        return obj.receipt.code if hasattr(obj, "receipt") else None


class GiftOut(Schema):
    id: int
    organization_id: int
    campaign_id: int | None
    donor_id: int
    donor_name: str = Field(..., alias="donor.name")
    donor_kind: str = Field(..., alias="donor.kind")
    nature: str
    item: str
    quantity: Decimal | None
    unit: str
    value: Yuan
    approximation: str
    amount_text: str
    given_on: datetime.date
    is_anonymous: bool
    note: str
    code: str
    client_key: str
    pledged: Yuan | None = None
    received: Yuan | None = None
    allocated: Yuan | None = None


class GiftDetail(GiftOut):
    entries: list[EntryOut]

    @staticmethod
    def resolve_entries(obj) -> list:
        return list(obj.entries.select_related("receipt"))


class GiftIn(In):
    model = Gift
    model_names = {
        "donor_name": (Donor, "name"),
        "contact_name": (Donor, "contact_name"),
        "contact_phone": (Donor, "contact_phone"),
        "amount": "amount_text",
    }

    organization_id: int
    donor_kind: str
    donor_name: str = ""
    enterprise_id: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    nature: str = "money"
    amount: str | Decimal
    item: str = ""
    quantity: Decimal | None = None
    unit: str = ""
    given_on: datetime.date | None = None
    campaign_id: int | None = None
    is_anonymous: bool = False
    received: bool = True
    issue_receipt: bool = False
    note: str = ""
    client_key: str = ""


class GiftFilter(Schema):
    q: str | None = None
    donor: str | None = None
    campaign: int | None = None
    nature: str | None = None
    status: str | None = None
    approximate: bool | None = None
    org: int | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None


@router.get("/gifts", response=list[GiftOut])
@paginate(Pages, page_size=50)
def list_gifts(request: HttpRequest, filters: Query[GiftFilter]):
    params = {
        k: ("1" if v is True else str(v))
        for k, v in filters.dict().items()
        if v not in (None, False)
    }
    return filter_gifts(request.user, params)


def _gift(request: HttpRequest, gift_id: int) -> Gift:
    return get_object_or_404(
        gifts_for(request.user).with_totals().select_related("donor", "organization"), pk=gift_id
    )


@router.get("/gifts/{gift_id}", response=GiftDetail)
def get_gift(request: HttpRequest, gift_id: int):
    return _gift(request, gift_id)


@router.post("/gifts", response={201: GiftDetail})
def create_gift(request: HttpRequest, payload: GiftIn):
    org = get_organization(request.user, payload.organization_id, manage=True)
    campaign = None
    if payload.campaign_id:
        campaign = get_object_or_404(
            Campaign.objects.filter(organization__in=reference_organizations(request.user)),
            pk=payload.campaign_id,
        )
    enterprise = None
    if payload.enterprise_id:
        enterprise = get_organization(
            request.user, payload.enterprise_id, qs=access.donor_enterprises(request.user)
        )
    value, approximation, text = services.read_amount(payload.amount)
    client_key = payload.client_key or request.headers.get("Idempotency-Key", "")

    def create():
        donor = services.find_or_create_donor(
            user=request.user,
            organization=org,
            kind=payload.donor_kind,
            name=payload.donor_name,
            enterprise=enterprise,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
        )
        gift = services.record_gift(
            user=request.user,
            organization=org,
            donor=donor,
            nature=payload.nature,
            value=value,
            approximation=approximation,
            amount_text=text,
            given_on=payload.given_on,
            campaign=campaign,
            item=payload.item,
            quantity=payload.quantity,
            unit=payload.unit,
            is_anonymous=payload.is_anonymous,
            received=payload.received,
            issue_receipt=payload.received and payload.issue_receipt,
            note=payload.note,
            client_key=client_key,
        )
        return 201, GiftDetail.from_orm(_gift(request, gift.pk))

    return once(request, request.headers.get("Idempotency-Key"), "donations.gift.create", create)


class ReceiveIn(In):
    model = Entry

    amount: str | Decimal
    quantity: Decimal | None = None
    occurred_on: datetime.date | None = None
    issue_receipt: bool = False


class ForwardIn(In):
    model = Entry

    from_organization_id: int
    to_organization_id: int
    amount: str | Decimal
    quantity: Decimal | None = None
    occurred_on: datetime.date | None = None


class AllocateIn(In):
    model = Entry

    organization_id: int
    recipient_id: int
    amount: str | Decimal
    quantity: Decimal | None = None
    occurred_on: datetime.date | None = None


class ReverseIn(In):
    reason: str
    # The day the correction belongs to; empty: today.
    occurred_on: datetime.date | None = None


def _entry_once(request: HttpRequest, endpoint: str, make):
    def create():
        entry = make()
        return 201, EntryOut.from_orm(Entry.objects.select_related("receipt").get(pk=entry.pk))

    return once(request, request.headers.get("Idempotency-Key"), endpoint, create)


@router.post("/gifts/{gift_id}/receipts", response={201: EntryOut})
def receive_gift(request: HttpRequest, gift_id: int, payload: ReceiveIn):
    gift = _gift(request, gift_id)
    amount = services.read_amount(payload.amount)[0]
    return _entry_once(
        request,
        "donations.gift.receive",
        lambda: services.receive_gift(
            user=request.user,
            gift=gift,
            amount=amount,
            quantity=payload.quantity,
            occurred_on=payload.occurred_on,
            issue_receipt=payload.issue_receipt,
        ),
    )


@router.post("/gifts/{gift_id}/transfers", response={201: EntryOut})
def forward_gift(request: HttpRequest, gift_id: int, payload: ForwardIn):
    gift = _gift(request, gift_id)
    source = get_for_user(
        request.user, Organization.objects.all(), field="", pk=payload.from_organization_id
    )
    target = get_object_or_404(reference_organizations(request.user), pk=payload.to_organization_id)
    amount = services.read_amount(payload.amount)[0]
    return _entry_once(
        request,
        "donations.gift.forward",
        lambda: services.forward_gift(
            user=request.user,
            gift=gift,
            from_organization=source,
            to_organization=target,
            amount=amount,
            quantity=payload.quantity,
            occurred_on=payload.occurred_on,
        ),
    )


@router.post("/gifts/{gift_id}/allocations", response={201: EntryOut})
def allocate_gift(request: HttpRequest, gift_id: int, payload: AllocateIn):
    gift = _gift(request, gift_id)
    holder = get_for_user(
        request.user, Organization.objects.all(), field="", pk=payload.organization_id
    )
    recipient = get_object_or_404(services.recipients_for(request.user), pk=payload.recipient_id)
    amount = services.read_amount(payload.amount)[0]
    return _entry_once(
        request,
        "donations.gift.allocate",
        lambda: services.allocate_gift(
            user=request.user,
            gift=gift,
            organization=holder,
            recipient=recipient,
            amount=amount,
            quantity=payload.quantity,
            occurred_on=payload.occurred_on,
        ),
    )


@router.get("/entries", response=list[EntryOut])
@paginate(Pages, page_size=100)
def list_entries(
    request: HttpRequest,
    kind: str | None = None,
    gift_id: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
):
    qs = entries_for(request.user).select_related("receipt").order_by("-occurred_on", "-pk")
    if kind:
        qs = qs.filter(kind=kind)
    if gift_id:
        qs = qs.filter(gift_id=gift_id)
    if since:
        qs = qs.filter(occurred_on__gte=since)
    if until:
        qs = qs.filter(occurred_on__lte=until)
    return qs


@router.post("/entries/{entry_id}/reversal", response={201: EntryOut})
def reverse_entry(request: HttpRequest, entry_id: int, payload: ReverseIn):
    entry = access.get_entry(request.user, entry_id, write=True)
    return _entry_once(
        request,
        "donations.entry.reverse",
        lambda: services.reverse_entry(
            user=request.user,
            entry=entry,
            reason=payload.reason,
            occurred_on=payload.occurred_on,
        ),
    )


class ReceiptOut(Schema):
    id: int
    organization_id: int
    prefix: str
    year: int
    number: int
    label: str
    code: str
    entry_id: int
    amount: Yuan = Field(..., alias="entry.amount")
    amount_in_words: str
    issued_at: datetime.datetime
    handler: str
    void: bool

    @staticmethod
    def resolve_amount_in_words(obj) -> str:
        return capital_amount(obj.entry.amount)

    @staticmethod
    def resolve_void(obj) -> bool:
        return hasattr(obj.entry, "reversed_by")


@router.post("/entries/{entry_id}/receipt", response={201: ReceiptOut})
def issue_receipt(request: HttpRequest, entry_id: int):
    entry = access.get_entry(request.user, entry_id, write=True)
    receipt = services.issue_receipt_for(user=request.user, entry=entry)
    return Status(201, Receipt.objects.select_related("entry").get(pk=receipt.pk))


@router.get("/receipts", response=list[ReceiptOut])
@paginate(Pages, page_size=100)
def list_receipts(request: HttpRequest, year: int | None = None, void: bool | None = None):
    """The receipt register (收据存根): every receipt the caller's organizations issued, in
    number order."""
    qs = access.receipts_for(request.user).select_related(
        "issued_by", "entry", "entry__reversed_by"
    )
    if year is not None:
        qs = qs.filter(year=year)
    if void is not None:
        qs = qs.filter(entry__reversed_by__isnull=not void)
    return qs.order_by("prefix", "year", "number", "pk")


@router.get("/receipts/{receipt_id}", response=ReceiptOut)
def get_receipt(request: HttpRequest, receipt_id: int):
    return access.get_receipt(request.user, receipt_id)


# --- Figures ---------------------------------------------------------------------------------


class FiguresOut(Schema):
    organization_id: int
    pledged: Yuan
    received: Yuan
    received_money: Yuan
    received_goods: Yuan
    inflow: Yuan
    outflow: Yuan
    allocated: Yuan
    held: Yuan


class Bucket(Schema):
    key: str | None
    total: Yuan


class FiguresReport(Schema):
    total: FiguresOut
    children: list[FiguresOut]
    donors: int
    donors_above_threshold: int
    by_day: list[Bucket]
    by_township: list[Bucket]
    by_recipient: list[Bucket]
    by_campaign: list[Bucket]
    by_donor: list[Bucket]
    largest_gifts: list[GiftOut]


def _figures_out(org_id: int, f) -> FiguresOut:
    return FiguresOut(
        organization_id=org_id,
        pledged=f.pledged,
        received=f.received,
        received_money=f.received_money,
        received_goods=f.received_goods,
        inflow=f.inflow,
        outflow=f.outflow,
        allocated=f.allocated,
        held=f.held,
    )


@router.get("/figures", response=FiguresReport)
def get_figures(
    request: HttpRequest,
    org: int | None = None,
    campaign: int | None = None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    threshold: Decimal = figures.THRESHOLD,
    executive: bool | None = None,
    donor_kind: str | None = None,
):
    """`donors_above_threshold` counts donors, not records; `executive` narrows it to
    executive-committee enterprises (false: every other donor), `donor_kind` to one kind."""
    root = get_root(request.user, org)
    camp = None
    if campaign:
        camp = get_object_or_404(
            Campaign.objects.filter(organization__in=reference_organizations(request.user)),
            pk=campaign,
        )
    scope = figures.Scope(root=root, campaign=camp, since=since, until=until)
    total, children = figures.totals(scope)
    return {
        "total": _figures_out(root.pk, total),
        "children": [_figures_out(o.pk, f) for o, f in children],
        "donors": figures.donor_count(scope),
        "donors_above_threshold": figures.donors_above(
            scope, threshold, executive=executive, kind=donor_kind
        ),
        "by_day": [
            {"key": r["occurred_on"].isoformat(), "total": (r["money"] or 0) + (r["goods"] or 0)}
            for r in figures.by_day(scope)
        ],
        "by_township": [
            {"key": r["gift__township__name"], "total": r["total"]}
            for r in figures.by_township(scope)
        ],
        "by_recipient": [
            {"key": r["recipient__name"], "total": r["total"]} for r in figures.by_recipient(scope)
        ],
        "by_campaign": [
            {"key": r["gift__campaign__name"], "total": r["total"]}
            for r in figures.by_campaign(scope)
        ],
        "by_donor": [
            {"key": r["gift__donor__name"] or None, "total": r["total"]}
            for r in figures.by_donor(scope)
        ],
        "largest_gifts": figures.largest_gifts(scope),
    }


# --- Import ----------------------------------------------------------------------------------


class GiftRowErrorOut(Schema):
    row: int
    column: str
    message: str


class DuplicateOut(Schema):
    row: int
    donor: str
    amount: Decimal
    date: datetime.date
    gift_id: int | None = Field(None, description="the known gift this line looks like")
    other_row: int | None = Field(None, description="the earlier line of the file it looks like")


class GiftImportOut(Schema):
    ok: bool
    rows: int
    created: int
    skipped: int
    linked: int = Field(0, description="lines judged the same as a known gift: no new gift")
    examples: int = Field(0, description="the template's example rows, never imported")
    errors: list[GiftRowErrorOut]
    review_id: int | None = Field(
        None, description="held for a duplicate review: nothing was imported yet"
    )
    duplicates: list[DuplicateOut] = []


def _duplicates(candidates: list[dict]) -> list[dict]:
    return [
        {
            "row": c["row"],
            "donor": c["donor"],
            "amount": c["amount"],
            "date": c["date"],
            "gift_id": c.get("gift"),
            "other_row": c.get("other_row"),
        }
        for c in candidates
    ]


def _import_answer(result: importer.ImportResult):
    if not result.ok:
        status = 422
    elif result.review is not None:
        status = 202
    else:
        status = 201 if result.created or result.linked else 200
    return Status(
        status,
        {
            "ok": result.ok,
            "rows": result.rows,
            "created": result.created,
            "skipped": result.skipped,
            "linked": result.linked,
            "examples": result.examples,
            "errors": [e.as_dict() for e in result.errors],
            "review_id": result.review.pk if result.review is not None else None,
            "duplicates": _duplicates(result.duplicates),
        },
    )


@router.post(
    "/imports",
    response={200: GiftImportOut, 201: GiftImportOut, 202: GiftImportOut, 422: GiftImportOut},
)
def import_gifts(request: HttpRequest, organization_id: Form[int], file: File[UploadedFile]):
    """Import a gift list. 202: lines look like known gifts; nothing is imported until the
    review (`review_id`) is answered at POST /imports/reviews/{review_id}."""
    org = get_for_user(
        request.user, Organization.objects.all(), field="", pk=organization_id, write=True
    )
    result = importer.import_gifts(
        user=request.user, organization=org, data=read_upload(file), filename=file.name or ""
    )
    return _import_answer(result)


class ReviewOut(Schema):
    id: int
    organization_id: int
    filename: str
    status: str
    duplicates: list[DuplicateOut]
    batch_id: int | None

    @staticmethod
    def resolve_duplicates(obj) -> list[dict]:
        return _duplicates(obj.candidates)


@router.get("/imports/reviews/{review_id}", response=ReviewOut)
def get_review(request: HttpRequest, review_id: int):
    return access.get_review(request.user, review_id)


class DecisionIn(Schema):
    row: int
    same: bool


class DecisionsIn(Schema):
    decisions: list[DecisionIn]
    rest: bool | None = Field(
        None, description="for every line not listed: true same gift, false different"
    )


@router.post(
    "/imports/reviews/{review_id}",
    response={200: GiftImportOut, 201: GiftImportOut, 202: GiftImportOut, 422: GiftImportOut},
)
def answer_review(request: HttpRequest, review_id: int, payload: DecisionsIn):
    """Say for each line of a held import whether it is the same gift as the one it looks like
    (no new gift; counted once) or a different one; the file is then imported. 202 again when
    lines look like known gifts that were not answered (or that changed meanwhile). A review
    already imported answers with its import (a replay adds nothing)."""
    review = access.get_review(request.user, review_id, write=True)
    decisions = {d.row: d.same for d in payload.decisions}
    if payload.rest is not None:
        for c in review.candidates:
            decisions.setdefault(c["row"], payload.rest)
    return _import_answer(
        importer.commit_review(user=request.user, review=review, decisions=decisions)
    )


# --- Public reads (no authentication) --------------------------------------------------------


class PublicStep(Schema):
    kind: str
    occurred_on: datetime.date
    organization: str
    to: str | None
    amount: Yuan
    # Goods: how many pieces took this step, in the gift's unit (none when not counted).
    quantity: Decimal | None = None
    unit: str = ""


class VerifyOut(Schema):
    code: str
    receipt: str | None
    receipt_void: bool
    donor: str
    nature: str
    item: str
    quantity: Decimal | None
    unit: str
    given_on: datetime.date
    collected_by: str
    received: Yuan
    received_in_words: str
    path: list[PublicStep]


@router.get("/verify/{code}", response=VerifyOut, auth=None)
def verify(request: HttpRequest, code: str):
    code = code.strip().upper()
    receipt = Receipt.objects.select_related("organization", "entry").filter(code=code).first()
    gift = get_object_or_404(
        Gift.objects.select_related("organization"),
        **({"pk": receipt.entry.gift_id} if receipt else {"code": code}),
    )
    position = services.gift_position(gift)
    steps = []
    for e in (
        gift.entries.live()
        .exclude(kind=EntryKind.PLEDGE)
        .select_related("organization", "to_organization", "recipient")
    ):
        to = (
            e.to_organization.name
            if e.to_organization
            else (e.recipient.name if e.recipient else None)
        )
        steps.append(
            {
                "kind": e.kind,
                "occurred_on": e.occurred_on,
                "organization": e.organization.name,
                "to": to,
                "amount": e.amount,
                "quantity": e.quantity,
                "unit": gift.unit if e.quantity is not None else "",
            }
        )
    received = position[EntryKind.RECEIPT]
    return {
        "code": code,
        "receipt": receipt.label if receipt else None,
        "receipt_void": bool(receipt and Entry.objects.filter(reverses=receipt.entry).exists()),
        "donor": gift.shown_name,
        "nature": gift.nature,
        "item": gift.item,
        "quantity": gift.quantity,
        "unit": gift.unit,
        "given_on": gift.given_on,
        "collected_by": gift.organization.name,
        "received": received,
        "received_in_words": capital_amount(received) if received > 0 else "",
        "path": steps,
    }


class HonorOut(Schema):
    donor: str = Field(..., alias="shown_name")
    nature: str
    item: str
    quantity: Decimal | None
    unit: str
    received: Yuan
    approximation: str
    given_on: datetime.date


@router.get("/honor/{org_id}/{campaign_id}", response=list[HonorOut], auth=None)
@paginate(Pages, page_size=50)
def honor(request: HttpRequest, org_id: int, campaign_id: int, q: str | None = None):
    org = get_object_or_404(Organization.objects.exclude(kind=OrgKind.ENTERPRISE), pk=org_id)
    campaign = get_object_or_404(
        Campaign.objects.select_related("organization"), pk=campaign_id, is_public=True
    )
    if not (
        org.path.startswith(campaign.organization.path)
        or campaign.organization.path.startswith(org.path)
    ):
        raise Http404
    return (
        Gift.objects.filter(campaign=campaign, organization__path__startswith=org.path)
        .with_totals()
        .filter(received__gt=0)
        .search(q)
        .order_by("-given_on", "-pk")
    )


# --- A campaign's own figures (after the schemas it reuses) ---------------------------------


class CampaignReport(Schema):
    campaign: CampaignOut
    organizer: str
    total: FiguresOut
    donors: int
    by_day: list[Bucket]
    by_township: list[Bucket]
    honor: list[HonorOut]


@router.get("/campaigns", response=list[CampaignOut])
def list_campaigns(request: HttpRequest):
    return Campaign.objects.filter(organization__in=reference_organizations(request.user))


@router.get("/campaigns/{campaign_id}", response=CampaignReport)
def get_campaign(request: HttpRequest, campaign_id: int):
    """A campaign with its own totals (over the organizer's subtree), charts' series and honor
    list (what the honor page shows: received gifts, anonymous donors unnamed)."""
    campaign = access.get_campaign(request.user, campaign_id)
    report = figures.campaign_report(campaign)
    return {
        "campaign": campaign,
        "organizer": campaign.organization.name,
        "total": _figures_out(campaign.organization_id, report["total"]),
        "donors": report["donors"],
        "by_day": [
            {"key": r["occurred_on"].isoformat(), "total": (r["money"] or 0) + (r["goods"] or 0)}
            for r in report["by_day"]
        ],
        "by_township": [
            {"key": r["gift__township__name"], "total": r["total"]} for r in report["by_township"]
        ],
        "honor": list(report["honor"][:200]),
    }
