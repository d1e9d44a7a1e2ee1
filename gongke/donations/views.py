"""捐赠 Donations pages: thin views over the access path, the services and the figures."""

import csv
import datetime
from decimal import Decimal
from typing import Any, cast
from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongke.accounts.access import (
    can_write,
    get_root,
    reference_organizations,
    visible_organizations,
)
from gongke.lib.chinese import capital_amount, in_reader_script, normalize_query
from gongke.lib.excel import build_xlsx, bytes_response, read_upload
from gongke.registry.models import Organization, OrganizationQuerySet, OrgKind

from . import figures, importer, lists, services
from .access import (
    donor_enterprises,
    donors_for,
    entries_for,
    get_campaign,
    get_donor,
    get_entry,
    get_gift,
    get_merge,
    get_receipt,
    get_review,
    gifts_for,
    receipts_for,
    require_booker,
    require_booking,
)
from .forms import (
    AllocateForm,
    CampaignForm,
    ForwardForm,
    GiftForm,
    ImportForm,
    ReceiveForm,
    ReverseForm,
)
from .models import Campaign, Donor, DonorKind, EntryKind, Gift, Nature, Receipt, ReviewStatus

PAGE = 50


# --- Reads through the access path -----------------------------------------------------------


def _root(request: HttpRequest) -> Organization:
    """The organization whose subtree the figures are about: chosen, or the user's own."""
    return get_root(request.user, request.GET.get("org"))


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _export(request: HttpRequest, name: str, headers: list[str], rows) -> HttpResponse | None:
    kind = request.GET.get("export")
    if kind == "xlsx":
        # Built in memory (returns an HttpResponse like the CSV branch); lists adopting
        # gongke.lib.listing stream instead.
        return bytes_response(f"{name}.xlsx", build_xlsx(headers, rows))
    if kind == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.csv"
        response.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with a BOM
        writer = csv.writer(response)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        return response
    return None


# A cell a spreadsheet would run as a formula (=, +, -, @, or a tab or return first): names and
# notes come from the public and from imported files (CSV injection, OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _yes(value: bool) -> str:
    return _("Yes") if value else ""


# --- Figures ---------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    root = _root(request)
    campaigns = Campaign.objects.filter(organization__in=reference_organizations(request.user))
    campaign = None
    if request.GET.get("campaign"):
        campaign = (
            get_object_or_404(campaigns, pk=request.GET["campaign"])
            if request.GET["campaign"].isdigit()
            else None
        )
    try:
        threshold = Decimal(request.GET.get("threshold") or figures.THRESHOLD)
    except Exception:
        threshold = figures.THRESHOLD
    scope = figures.Scope(
        root=root,
        campaign=campaign,
        since=_date(request.GET.get("since")),
        until=_date(request.GET.get("until")),
    )
    total, children = figures.totals(scope)
    if request.GET.get("export"):
        headers = [
            _("Organization"),
            _("Pledged"),
            _("Received"),
            _("Money"),
            _("Goods"),
            _("Forwarded in"),
            _("Forwarded out"),
            _("Allocated"),
            _("Held"),
        ]
        rows = [
            [
                o.name,
                f.pledged,
                f.received,
                f.received_money,
                f.received_goods,
                f.inflow - f.received,
                f.outflow,
                f.allocated,
                f.held,
            ]
            for o, f in [(root, total), *children]
        ]
        response = _export(request, _("donation totals"), headers, rows)
        if response:
            return response
    return render(
        request,
        "donations/index.html",
        {
            "root": root,
            "total": total,
            "children": children,
            "campaign": campaign,
            "campaigns": campaigns.select_related("organization"),
            "filters": request.GET,
            "threshold": threshold,
            "donors_above": figures.donors_above(
                scope,
                threshold,
                executive={"1": True, "0": False}.get(request.GET.get("executive", "")),
                kind=request.GET.get("donor_kind")
                if request.GET.get("donor_kind") in DonorKind.values
                else None,
            ),
            "donor_kinds": DonorKind.choices,
            "donor_count": figures.donor_count(scope),
            "largest": figures.largest_gifts(scope),
            "top_donors": figures.by_donor(scope, 10),
            "recipients": figures.by_recipient(scope),
            "by_campaign": figures.by_campaign(scope),
            "charts": figures.charts(scope, total),
            "bodies": visible_organizations(request.user)
            .bodies()
            .only("pk", "name", "depth")[:300],
        },
    )


# --- Gifts -----------------------------------------------------------------------------------


def filter_gifts(user: Any, params) -> QuerySet[Gift]:
    qs = (
        gifts_for(user)
        .with_totals()
        .select_related("donor", "donor__enterprise", "organization", "campaign")
        .search(params.get("q"))
    )
    donor_q = (params.get("donor") or "").strip()
    if donor_q:
        qs = qs.filter(donor__search_text__icontains=normalize_query(donor_q))
    if (params.get("campaign") or "").isdigit():
        qs = qs.filter(campaign_id=params["campaign"])
    if params.get("nature") in Nature.values:
        qs = qs.filter(nature=params["nature"])
    if params.get("approximate") == "1":
        qs = qs.exclude(approximation="")
    if (params.get("org") or "").isdigit():
        org = Organization.objects.filter(pk=params["org"]).first()
        if org is not None:
            qs = qs.filter(organization__path__startswith=org.path)
    status = params.get("status")
    if status == "pledged":
        qs = qs.filter(received__lt=F("pledged"))
    elif status == "received":
        qs = qs.filter(received__gt=0)
    elif status == "allocated":
        qs = qs.filter(allocated__gt=0)
    if since := _date(params.get("since")):
        qs = qs.filter(given_on__gte=since)
    if until := _date(params.get("until")):
        qs = qs.filter(given_on__lte=until)
    if (params.get("min") or "").replace(".", "", 1).isdigit():
        qs = qs.filter(received__gte=Decimal(params["min"]))
    return qs.order_by("-given_on", "-pk")


def _gift_row(g: Any) -> list[Any]:  # a Gift annotated .with_totals(), donor__enterprise
    """A gift as the import reads it back (the template's columns first), then its figures.
    The number is the gift's own key or its verification code: importing the export, edited,
    adds only the lines added to it."""
    enterprise = g.donor.enterprise
    return [
        g.donor.name,
        g.donor.get_kind_display(),
        enterprise.credit_code if enterprise is not None else "",
        _("Yes") if g.is_anonymous else _("No"),
        g.get_nature_display(),
        g.amount_text or g.value,
        g.item,
        g.quantity,
        g.unit,
        g.given_on,
        _("Received") if g.pledged and g.received >= g.pledged else _("Pledged"),
        g.campaign.name if g.campaign else "",
        g.organization.name,
        g.client_key if g.client_key and not g.client_key.startswith("r:") else g.code,
        g.note,
        g.value,
        g.get_approximation_display() if g.approximation else "",
        g.pledged,
        g.received,
        g.allocated,
        g.code,
    ]


GIFT_HEADERS = [
    *(label for key, label, _r in importer.COLUMNS if key != "recipient"),
    gettext_lazy("Declared value"),
    gettext_lazy("Approximation"),
    gettext_lazy("Pledged"),
    gettext_lazy("Received"),
    gettext_lazy("Allocated"),
    gettext_lazy("Verification code"),
]


def _gift_headers() -> list[str]:
    return [str(h) for h in GIFT_HEADERS]


@login_required
def gifts(request: HttpRequest) -> HttpResponse:
    qs = filter_gifts(request.user, request.GET)
    response = _export(
        request, _("gifts"), _gift_headers(), (_gift_row(g) for g in qs.iterator(chunk_size=1000))
    )
    if response:
        return response
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/gifts.html",
        {
            "page": page,
            "filters": request.GET,
            "natures": Nature.choices,
            "campaigns": Campaign.objects.filter(
                organization__in=reference_organizations(request.user)
            ),
        },
    )


@login_required
def donor_suggestions(request: HttpRequest) -> HttpResponse:
    """The gift form's donor field, as it is typed: member enterprises the user books for and
    donors already in the register they reach, by name, credit code or pinyin initials (jbjt
    finds 京博集团), as <option>s for its datalist."""
    require_booker(request.user)
    q = (request.GET.get("donor_name") or "").strip()[:50]
    options: list[tuple[str, str]] = []
    if q:
        enterprises = cast(OrganizationQuerySet, donor_enterprises(request.user))
        for org in enterprises.search(q).order_by("name", "pk")[:8]:
            options.append((org.name, f"{_('Member enterprise')} · {org.credit_code}"))
        seen = {name for name, _label in options}
        donors = (
            donors_for(request.user)
            .filter(merged_into=None)
            .exclude(kind=DonorKind.ANONYMOUS)
            .search(q)
            .order_by("name", "pk")[:8]
        )
        for donor in donors:
            if donor.name not in seen:
                seen.add(donor.name)
                options.append((donor.name, donor.get_kind_display()))
    return render(request, "donations/donor_options.html", {"options": options})


@login_required
def gift_new(request: HttpRequest) -> HttpResponse:
    require_booker(request.user)
    form = GiftForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            with transaction.atomic():  # no donor left behind when the gift is refused
                donor = services.find_or_create_donor(
                    user=request.user,
                    organization=d["organization"],
                    kind=d["donor_kind"],
                    name=d["donor_name"],
                    enterprise=d["enterprise"],
                    contact_name=d["contact_name"],
                    contact_phone=d["contact_phone"],
                )
                value, approximation, text = d["amount"]
                gift = services.record_gift(
                    user=request.user,
                    organization=d["organization"],
                    donor=donor,
                    nature=d["nature"],
                    value=value,
                    approximation=approximation,
                    amount_text=text,
                    given_on=d["given_on"],
                    campaign=d["campaign"],
                    item=d["item"],
                    quantity=d["quantity"],
                    unit=d["unit"],
                    is_anonymous=d["is_anonymous"],
                    received=d["received"],
                    issue_receipt=d["received"] and d["issue_receipt"],
                    note=d["note"],
                    client_key=request.POST.get("client_key", ""),
                )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The gift was recorded."))
            return redirect("donations:gift", pk=gift.pk)
    return render(
        request,
        "donations/form.html",
        {
            "form": form,
            "title": _("Record a gift"),
            "client_key": request.POST.get("client_key") or _new_key(),
        },
    )


def _new_key() -> str:
    import secrets

    return secrets.token_hex(12)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def gift(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_gift(request.user, pk)
    entries = list(
        obj.entries.select_related(
            "organization", "to_organization", "recipient", "receipt", "reversed_by", "created_by"
        )
    )
    holders = services.holders(obj)
    writable = [o for o, _amount in holders if can_write(request.user, o, manage=True)]
    today = timezone.localdate()
    return render(
        request,
        "donations/gift.html",
        {
            "gift": obj,
            "entries": entries,
            "holders": holders,
            "position": services.gift_position(obj),
            "can_write": can_write(request.user, obj.organization, manage=True),
            "receive_form": ReceiveForm(initial={"occurred_on": today}),
            "forward_form": ForwardForm(
                user=request.user, holders=writable, initial={"occurred_on": today}
            )
            if writable
            else None,
            "allocate_form": AllocateForm(
                user=request.user, holders=writable, initial={"occurred_on": today}
            )
            if writable
            else None,
            "reverse_form": ReverseForm(),
            "anonymous": _("Anonymous"),
            "reports": obj.reports.filter(same=True).select_related("organization", "review"),
        },
    )


def _gift_for_write(request: HttpRequest, pk: int) -> Gift:
    # 404 outside, 403 for readers; the service checks the writer's role over the organization
    # it writes for.
    gift = get_gift(request.user, pk)
    require_booking(request.user, gift, [o for o, _a in services.holders(gift)])
    return gift


def _act(request: HttpRequest, gift: Gift, action) -> HttpResponse:
    try:
        action()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The ledger was updated."))
    return redirect("donations:gift", pk=gift.pk)


def _invalid(request: HttpRequest, gift: Gift, form) -> HttpResponse:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errors:
            messages.error(request, f"{label}: {e}" if label else e)
    return redirect("donations:gift", pk=gift.pk)


@login_required
@require_POST
def gift_receive(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _gift_for_write(request, pk)
    form = ReceiveForm(request.POST)
    if not form.is_valid():
        return _invalid(request, obj, form)
    d = form.cleaned_data
    return _act(
        request,
        obj,
        lambda: services.receive_gift(
            user=request.user,
            gift=obj,
            amount=d["amount"][0],
            quantity=d["quantity"],
            occurred_on=d["occurred_on"],
            issue_receipt=d["issue_receipt"],
        ),
    )


@login_required
@require_POST
def gift_forward(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _gift_for_write(request, pk)
    holders = [o for o, _a in services.holders(obj)]
    form = ForwardForm(request.POST, user=request.user, holders=holders)
    if not form.is_valid():
        return _invalid(request, obj, form)
    d = form.cleaned_data
    return _act(
        request,
        obj,
        lambda: services.forward_gift(
            user=request.user,
            gift=obj,
            from_organization=d["from_organization"],
            to_organization=d["to_organization"],
            amount=d["amount"][0],
            quantity=d["quantity"],
            occurred_on=d["occurred_on"],
        ),
    )


@login_required
@require_POST
def gift_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    obj = _gift_for_write(request, pk)
    holders = [o for o, _a in services.holders(obj)]
    form = AllocateForm(request.POST, user=request.user, holders=holders)
    if not form.is_valid():
        return _invalid(request, obj, form)
    d = form.cleaned_data
    return _act(
        request,
        obj,
        lambda: services.allocate_gift(
            user=request.user,
            gift=obj,
            organization=d["organization"],
            recipient=d["recipient"],
            amount=d["amount"][0],
            quantity=d["quantity"],
            occurred_on=d["occurred_on"],
        ),
    )


@login_required
@require_POST
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry(request.user, pk, write=True)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, entry.gift, form)
    return _act(
        request,
        entry.gift,
        lambda: services.reverse_entry(
            user=request.user,
            entry=entry,
            reason=form.cleaned_data["reason"],
            occurred_on=form.cleaned_data["occurred_on"],
        ),
    )


@login_required
@require_POST
def entry_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_entry(request.user, pk, write=True)
    try:
        receipt = services.issue_receipt_for(user=request.user, entry=entry)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("donations:gift", pk=entry.gift_id)
    return redirect("donations:receipt", pk=receipt.pk)


# --- Ledger ----------------------------------------------------------------------------------


@login_required
def ledger(request: HttpRequest) -> HttpResponse:
    qs = (
        entries_for(request.user)
        .select_related("gift", "gift__donor", "organization", "to_organization", "recipient")
        .order_by("-occurred_on", "-pk")
    )
    if request.GET.get("kind") in EntryKind.values:
        qs = qs.filter(kind=request.GET["kind"])
    if request.GET.get("reversals") == "1":
        qs = qs.filter(reverses__isnull=False)
    if since := _date(request.GET.get("since")):
        qs = qs.filter(occurred_on__gte=since)
    if until := _date(request.GET.get("until")):
        qs = qs.filter(occurred_on__lte=until)
    headers = [
        _("Date"),
        _("Kind"),
        _("Organization"),
        _("Forwarded to"),
        _("Recipient unit"),
        _("Value (yuan)"),
        _("Quantity"),
        _("Donor"),
        _("Reason"),
    ]
    rows = (
        [
            e.occurred_on,
            e.get_kind_display(),
            e.organization.name,
            e.to_organization.name if e.to_organization else "",
            e.recipient.name if e.recipient else "",
            e.amount,
            e.quantity,
            e.gift.donor.name or _("Anonymous"),
            e.reason,
        ]
        for e in qs.iterator(chunk_size=1000)
    )
    response = _export(request, _("donation ledger"), headers, rows)
    if response:
        return response
    return render(
        request,
        "donations/ledger.html",
        {
            "page": Paginator(qs, PAGE).get_page(request.GET.get("page")),
            "kinds": EntryKind.choices,
            "filters": request.GET,
        },
    )


# --- Donors ----------------------------------------------------------------------------------


@login_required
def donors(request: HttpRequest) -> HttpResponse:
    qs = (
        donors_for(request.user)
        .search(request.GET.get("q"))
        .select_related("organization", "enterprise")
    )
    if request.GET.get("kind"):
        qs = qs.filter(kind=request.GET["kind"])
    qs = (
        qs.filter(merged_into__isnull=True)
        .annotate(
            received=Sum(
                "gifts__entries__amount", filter=Q(gifts__entries__kind=EntryKind.RECEIPT)
            ),
            gift_count=Count("gifts", distinct=True),
        )
        .order_by("-received", "name")
    )
    headers = [_("Donor"), _("Donor kind"), _("Kept by"), _("Gifts"), _("Received")]
    rows = (
        [
            d.name or _("Anonymous"),
            d.get_kind_display(),
            d.organization.name,
            d.gift_count,
            d.received,
        ]
        for d in qs.iterator(chunk_size=1000)
    )
    response = _export(request, _("donors"), headers, rows)
    if response:
        return response
    return render(
        request,
        "donations/donors.html",
        {
            "page": Paginator(qs, PAGE).get_page(request.GET.get("page")),
            "filters": request.GET,
            "kinds": DonorKind.choices,
        },
    )


@login_required
def donor(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_donor(request.user, pk)
    history = (
        gifts_for(request.user)
        .filter(donor=obj)
        .with_totals()
        .select_related("organization", "campaign", "donor", "donor__enterprise")
        .order_by("-given_on", "-pk")
    )
    response = _export(
        request,
        obj.name or _("Anonymous"),
        _gift_headers(),
        (_gift_row(g) for g in history.iterator(chunk_size=1000)),
    )
    if response:
        return response
    sums = history.aggregate(
        pledged=Sum("entries__amount", filter=Q(entries__kind=EntryKind.PLEDGE)),
        received=Sum("entries__amount", filter=Q(entries__kind=EntryKind.RECEIPT)),
    )
    recipients = (
        entries_for(request.user)
        .filter(gift__donor=obj, kind=EntryKind.ALLOCATION)
        .values("recipient__name")
        .annotate(total=Sum("amount"))
        .order_by("-total")
    )
    writer = can_write(request.user, obj.organization, manage=True)
    collectors = Organization.objects.filter(pk__in=history.values("organization_id"))
    # The county's register is kept by the federation; a chamber that booked the donor's gifts
    # still sees the contact it gave.
    show_contact = writer or any(
        can_write(request.user, o, manage=True) for o in collectors.only("pk", "path")[:20]
    )
    similar = Donor.objects.none()
    if writer and obj.merged_into_id is None and obj.kind != DonorKind.ANONYMOUS:
        query = (request.GET.get("merge_q") or obj.name).strip()
        similar = (
            services.register_donors(services.county_of(obj.organization))
            .filter(pk__in=donors_for(request.user).values("pk"))
            .exclude(pk=obj.pk)
            .filter(enterprise__isnull=True)
            .search(query)
            .select_related("organization")[:10]
        )
    return render(
        request,
        "donations/donor.html",
        {
            "donor": obj,
            "page": Paginator(history, PAGE).get_page(request.GET.get("page")),
            "sums": sums,
            "recipients": recipients,
            "show_contact": show_contact,
            "similar": similar,
            "merges": obj.merges_in.select_related("merged", "merged_by").order_by("-merged_at"),
            "can_merge": writer,
            "merge_q": request.GET.get("merge_q", ""),
        },
    )


@login_required
@require_POST
def donor_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """Merge another record of the same donor into this one (its gifts move here)."""
    kept = get_donor(request.user, pk, write=True)
    merged = get_donor(request.user, request.POST.get("other"), write=True)
    try:
        services.merge_donors(user=request.user, kept=kept, merged=merged)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The two records are now one donor."))
    return redirect("donations:donor", pk=kept.pk)


@login_required
@require_POST
def donor_unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    merge = get_merge(request.user, pk, write=True)
    try:
        services.undo_merge(user=request.user, merge=merge)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The merge was undone: each record has its own gifts again."))
    return redirect("donations:donor", pk=merge.kept_id)


# --- Campaigns -------------------------------------------------------------------------------


@login_required
def campaigns(request: HttpRequest) -> HttpResponse:
    qs = Campaign.objects.filter(
        organization__in=reference_organizations(request.user)
    ).select_related("organization")
    response = _export(
        request,
        _("campaigns"),
        [_("Name"), _("Organization"), _("From"), _("To"), _("Public honor list")],
        ([c.name, c.organization.name, c.starts_on, c.ends_on, _yes(c.is_public)] for c in qs),
    )
    if response:
        return response
    if request.method == "POST":
        require_booker(request.user)
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.create_campaign(user=request.user, **d)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The campaign was created."))
            return redirect("donations:campaigns")
    return render(request, "donations/campaigns.html", {"campaigns": qs, "form": form})


@login_required
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """A campaign: its period, organizer and initiative letter, its own totals, charts and honor
    list."""
    obj = get_campaign(request.user, pk)
    report = figures.campaign_report(obj)
    page = Paginator(report["honor"], PAGE).get_page(request.GET.get("page"))
    return render(request, "donations/campaign.html", {"campaign": obj, **report, "page": page})


# --- Import ----------------------------------------------------------------------------------


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    from gongke.lib.excel import XLSX_TYPE

    name = _("gift import template")
    response = HttpResponse(importer.template_xlsx(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.xlsx"
    return response


@login_required
def import_gifts(request: HttpRequest) -> HttpResponse:
    require_booker(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = importer.import_gifts(
            user=request.user,
            organization=form.cleaned_data["organization"],
            data=read_upload(upload),
            filename=upload.name,
        )
        if result.review is not None:
            return redirect("donations:import-review", pk=result.review.pk)
        if result.ok:
            _imported(request, result)
            return redirect("donations:gifts")
    return render(request, "donations/import.html", {"form": form, "result": result})


def _imported(request: HttpRequest, result: importer.ImportResult) -> None:
    messages.success(
        request,
        _(
            "%(created)s gifts imported, %(skipped)s rows were already imported, %(linked)s lines "
            "recorded as another report of a known gift."
        )
        % {"created": result.created, "skipped": result.skipped, "linked": result.linked},
    )


# Candidates shown on the review page; the rest take the choice for "every other line".
REVIEW_SHOWN = 500


@login_required
def import_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The lines of a held import that look like known gifts: same gift, or different?"""
    review = get_review(request.user, pk, write=request.method == "POST")
    candidates = review.candidates
    if request.method == "POST" and review.status == ReviewStatus.OPEN:
        rest = request.POST.get("rest")
        decisions = {}
        for c in candidates:
            choice = request.POST.get(f"row-{c['row']}") or rest
            if choice in ("same", "different"):
                decisions[c["row"]] = choice == "same"
        try:
            result = importer.commit_review(user=request.user, review=review, decisions=decisions)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("donations:import-review", pk=review.pk)
        if result.errors:
            return render(request, "donations/import.html", {"form": None, "result": result})
        if result.review is not None:
            messages.error(
                request,
                _("Say for every line whether it is the same gift or a different one."),
            )
            return redirect("donations:import-review", pk=review.pk)
        _imported(request, result)
        return redirect("donations:gifts")
    shown = candidates[:REVIEW_SHOWN]
    ids = {c["gift"] for c in shown if "gift" in c}
    gifts = Gift.objects.select_related("organization").in_bulk(ids)
    visible = set(gifts_for(request.user).filter(pk__in=ids).values_list("pk", flat=True))
    rows = [
        {**c, "known": gifts.get(c.get("gift", 0)), "visible": c.get("gift") in visible}
        for c in shown
    ]
    decided = review.decisions.select_related("gift", "organization").order_by("row")[:REVIEW_SHOWN]
    return render(
        request,
        "donations/import_review.html",
        {
            "review": review,
            "rows": rows,
            "more": len(candidates) - len(shown),
            "decisions": decided if review.status == ReviewStatus.COMMITTED else [],
            "can_write": can_write(request.user, review.organization, manage=True),
        },
    )


# --- Receipts --------------------------------------------------------------------------------


def _receipt_context(receipt: Receipt) -> dict[str, Any]:
    entry = receipt.entry
    return {
        "receipt": receipt,
        "gift": entry.gift,
        "entry": entry,
        "capital": in_reader_script(capital_amount(entry.amount)),  # 陸 for a zh-Hant reader
        "void": hasattr(entry, "reversed_by"),
        "verify_path": f"/donations/verify/{receipt.code}/",
        "handler": receipt.handler,
    }


@login_required
def receipts(request: HttpRequest) -> HttpResponseBase:
    """收据存根: the register of every receipt the user's organizations issued, void ones
    marked, with the list features and its Excel export."""
    qs = receipts_for(request.user).select_related(
        "organization",
        "issued_by",
        "entry",
        "entry__gift",
        "entry__gift__donor",
        "entry__reversed_by",
    )
    lst = lists.RECEIPTS.bind(request, qs)
    if lst.exporting:
        return lst.export(_("receipt-register") + f"-{timezone.localdate()}.xlsx")
    return render(request, "donations/receipts.html", {"list": lst, "page": lst.page})


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    obj = get_receipt(request.user, pk)
    ctx = _receipt_context(obj)
    ctx["verify_url"] = request.build_absolute_uri(ctx["verify_path"])
    # segno's own SVG (our markup, no user text in it): the same code the PDF prints.
    ctx["qr_svg"] = segno.make(ctx["verify_url"], error="m").svg_inline(scale=3)
    return render(request, "donations/receipt.html", ctx)


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from .pdf import receipt_pdf as build

    obj = get_receipt(request.user, pk)
    ctx = _receipt_context(obj)
    data = build(ctx, verify_url=request.build_absolute_uri(ctx["verify_path"]))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename={obj.label}.pdf"
    return response


# --- Public pages (no login) -----------------------------------------------------------------


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone holding a receipt checks it: the gift and where it went, nothing private."""
    code = code.strip().upper()
    receipt = (
        Receipt.objects.select_related("organization", "entry", "entry__reversed_by")
        .filter(code=code)
        .first()
    )
    gift_qs = Gift.objects.select_related("organization", "campaign")
    obj = (
        gift_qs.filter(pk=receipt.entry.gift_id).first()
        if receipt
        else gift_qs.filter(code=code).first()
    )
    if obj is None:
        return render(request, "donations/verify.html", {"code": code, "gift": None}, status=404)
    entries = list(
        obj.entries.select_related(
            "organization", "to_organization", "recipient", "receipt"
        ).filter(reverses__isnull=True, reversed_by__isnull=True)
    )
    position = services.gift_position(obj)
    return render(
        request,
        "donations/verify.html",
        {
            "code": code,
            "gift": obj,
            "receipt": receipt,
            "entries": entries,
            "position": position,
            "capital": in_reader_script(capital_amount(position[EntryKind.RECEIPT]))
            if position[EntryKind.RECEIPT] > 0
            else "",
            "void": bool(receipt and hasattr(receipt.entry, "reversed_by")),
        },
    )


def honor(request: HttpRequest, org_id: int, campaign_id: int) -> HttpResponse:
    """公示: who gave what and when, for one organization's subtree in one public campaign."""
    org = get_object_or_404(Organization.objects.exclude(kind=OrgKind.ENTERPRISE), pk=org_id)
    campaign = get_object_or_404(
        Campaign.objects.select_related("organization"), pk=campaign_id, is_public=True
    )
    if not (
        org.path.startswith(campaign.organization.path)
        or campaign.organization.path.startswith(org.path)
    ):
        raise Http404(_("Not found."))
    qs = figures.honor_gifts(campaign, org).search(request.GET.get("q"))
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "donations/honor.html",
        {"org": org, "campaign": campaign, "page": page, "filters": request.GET},
    )


def verify_lookup(request: HttpRequest) -> HttpResponse:
    code = (request.GET.get("code") or "").strip()
    if code:
        return redirect("donations:verify", code=code)
    return render(request, "donations/verify.html", {"code": "", "gift": None, "ask": True})
