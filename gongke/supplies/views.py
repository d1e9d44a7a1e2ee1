"""防疫物资 Supplies pages: thin views over the access path and the services."""

import datetime
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongke.accounts.access import get_root, may
from gongke.lib.chinese import normalize_query
from gongke.lib.excel import bytes_response, read_upload, xlsx_response
from gongke.registry.models import Organization

from . import importer, lists, services
from .access import (
    get_item,
    get_lot,
    get_movement,
    get_need,
    get_offer,
    get_order,
    get_shipment,
    get_warehouse,
    items_for,
    movements_for,
    needs_for,
    offers_for,
    orders_for,
    shipments_for,
    stocks_for,
    warehouses_for,
)
from .forms import (
    AdjustForm,
    GiftStockForm,
    ImportForm,
    IssueForm,
    ItemForm,
    NeedForm,
    OfferForm,
    OrderForm,
    OrderReceiveForm,
    ReceiptForm,
    ReceiveForm,
    ReturnForm,
    ReverseForm,
    ShipmentForm,
    TransferForm,
)
from .models import (
    Category,
    Kind,
    Lot,
    Movement,
    Need,
    OrderKind,
    Shipment,
    ShipmentStatus,
    Stock,
    Urgency,
)

PAGE = 50


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() and len(str(value)) < 12 else None


def _require_writer(user: Any) -> None:
    if not may(user, "supplies"):
        raise PermissionDenied(_("Your role may only read here."))


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _invalid(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errors:
            messages.error(request, f"{label}: {e}" if label else e)


# --- Stock -----------------------------------------------------------------------------------


def filter_stock(user: Any, params) -> QuerySet[Stock]:
    qs = (
        stocks_for(user)
        .filter(quantity__gt=0)
        .select_related("lot", "lot__owner", "item", "warehouse")
    )
    if (w := _int(params.get("warehouse"))) is not None:
        qs = qs.filter(warehouse_id=w)
    if (i := _int(params.get("item"))) is not None:
        qs = qs.filter(item_id=i)
    if params.get("category") in Category.values:
        qs = qs.filter(item__category=params["category"])
    if q := normalize_query(params.get("q")):
        qs = qs.filter(
            Q(item__search_text__icontains=q) | Q(lot__batch__icontains=q) | Q(lot__code__iexact=q)
        )
    if (days := _int(params.get("expiring"))) is not None:
        qs = qs.filter(lot__expires_on__lte=timezone.localdate() + datetime.timedelta(days=days))
    order = {
        "expiry": ["lot__expires_on", "pk"],
        "-quantity": ["-quantity", "pk"],
        "item": ["item__name", "warehouse__name", "pk"],
    }.get(params.get("sort") or "", ["warehouse__name", "item__name", "lot__expires_on", "pk"])
    return qs.order_by(*order)


@login_required
def index(request: HttpRequest) -> HttpResponseBase:
    """The stock page: totals per item and warehouse (now or at the end of a past day), lots
    expiring soon."""
    user = request.user
    on = _date(request.GET.get("on"))
    totals: Any
    if on is not None:
        totals = (
            movements_for(user)
            .filter(occurred_at__lt=services.end_of(on))
            .values("item_id", "item__name", "item__base_unit", "warehouse_id", "warehouse__name")
            .annotate(total=Sum("quantity"))
            .filter(total__gt=0)
            .order_by("warehouse__name", "item__name")
        )
    else:
        totals = (
            stocks_for(user)
            .values("item_id", "item__name", "item__base_unit", "warehouse_id", "warehouse__name")
            .annotate(total=Sum("quantity"), lots=Count("lot", filter=Q(quantity__gt=0)))
            .filter(total__gt=0)
            .order_by("warehouse__name", "item__name")
        )
    if (w := _int(request.GET.get("warehouse"))) is not None:
        totals = totals.filter(warehouse_id=w)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            _("stock") + ".xlsx",
            [_("Warehouse"), _("Item"), _("Quantity"), _("Base unit")],
            (
                [t["warehouse__name"], t["item__name"], t["total"], t["item__base_unit"]]
                for t in totals
            ),
        )
    page = Paginator(totals, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "supplies/index.html",
        {
            "page": page,
            "rows": page.object_list,
            "on": on,
            "filters": request.GET,
            "warehouses": warehouses_for(user).only("pk", "name"),
            "expiring": services.expiring(stocks_for(user), within_days=30)[:20],
            "can_write": may(user, "supplies"),
            **_dashboard_charts(user, warehouse=w),
        },
    )


def _dashboard_charts(user: Any, *, warehouse: int | None) -> dict[str, Any]:
    """In and out per day (last 30 days) and needs met %, each as ECharts options."""
    moves = movements_for(user)
    if warehouse is not None:
        moves = moves.filter(warehouse_id=warehouse)
    flow = services.flow_by_day(moves, days=30)
    board = services.rank(
        services.progress(needs_for(user).open().select_related("recipient")[:500])
    )
    shown = board[:20]
    met = services.met_overall(board)
    return {
        "flow_chart": {
            "tooltip": {"trigger": "axis"},
            "legend": {"data": [pgettext("stock flow", "In"), pgettext("stock flow", "Out")]},
            "grid": {"left": 70, "right": 20, "top": 30, "bottom": 30},
            "xAxis": {"type": "category", "data": [d["day"].strftime("%m-%d") for d in flow]},
            "yAxis": {"type": "value"},
            "series": [
                {
                    "type": "bar",
                    "name": pgettext("stock flow", "In"),
                    "data": [d["in"] for d in flow],
                },
                {
                    "type": "bar",
                    "name": pgettext("stock flow", "Out"),
                    "data": [d["out"] for d in flow],
                },
            ],
        },
        "flow_total": {"in": sum(d["in"] for d in flow), "out": sum(d["out"] for d in flow)},
        "needs_chart": {
            "tooltip": {},
            "grid": {"left": 140, "right": 30, "top": 10, "bottom": 30},
            "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
            "yAxis": {
                "type": "category",
                "inverse": True,
                "data": [p.need.recipient.name for p in shown],
            },
            "series": [
                {
                    "type": "bar",
                    "name": pgettext("need", "Met"),
                    "data": [round(p.met_share * 100, 1) for p in shown],
                }
            ],
        },
        "needs_open": len(board),
        "needs_met": round(met * 100, 1),
    }


@login_required
def stock(request: HttpRequest) -> HttpResponseBase:
    """Every lot in every warehouse, with search, filters, sort and export."""
    qs = (
        stocks_for(request.user)
        .filter(quantity__gt=0)
        .select_related("lot", "lot__owner", "item", "warehouse")
    )
    lst = lists.LOTS.bind(request, qs)
    if lst.exporting:
        return lst.export(_("lots") + ".xlsx")
    return render(request, "supplies/stock.html", {"list": lst, "page": lst.page})


@login_required
def card(request: HttpRequest, item_id: int, warehouse_id: int) -> HttpResponseBase:
    """The stock card of an item in a warehouse (库存卡)."""
    item = get_item(request.user, item_id)
    warehouse = get_warehouse(request.user, warehouse_id)
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    movements = movements_for(request.user).filter(item=item, warehouse=warehouse)
    opening, lines = services.stock_card(movements, since=since, until=until)
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                timezone.localtime(line.movement.occurred_at).strftime("%Y-%m-%d %H:%M"),
                line.movement.get_kind_display(),
                line.movement.lot.batch or line.movement.lot.code,
                line.movement.quantity,
                line.balance,
                str(line.movement.recipient or line.movement.counterpart or ""),
                line.movement.reason,
            ]
            for line in lines
        )
        headers = [
            _("Time"),
            _("Kind"),
            _("Lot"),
            _("Change"),
            _("Balance"),
            _("Recipient or other warehouse"),
            _("Reason"),
        ]
        return xlsx_response(f"{item.name}-{warehouse.name}.xlsx", headers, rows)
    return render(
        request,
        "supplies/card.html",
        {
            "item": item,
            "warehouse": warehouse,
            "opening": opening,
            "lines": lines,
            "closing": lines[-1].balance if lines else opening,
            "filters": request.GET,
        },
    )


@login_required
def movements(request: HttpRequest) -> HttpResponseBase:
    """The stock ledger."""
    qs = movements_for(request.user).select_related(
        "lot", "item", "warehouse", "recipient", "counterpart", "reversed_by"
    )
    if (w := _int(request.GET.get("warehouse"))) is not None:
        qs = qs.filter(warehouse_id=w)
    if (i := _int(request.GET.get("item"))) is not None:
        qs = qs.filter(item_id=i)
    if request.GET.get("kind") in Kind.values:
        qs = qs.filter(kind=request.GET["kind"])
    if since := _date(request.GET.get("since")):
        qs = qs.filter(occurred_at__gte=services.end_of(since - datetime.timedelta(days=1)))
    if until := _date(request.GET.get("until")):
        qs = qs.filter(occurred_at__lt=services.end_of(until))
    qs = qs.order_by("-occurred_at", "-pk")
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                timezone.localtime(m.occurred_at).strftime("%Y-%m-%d %H:%M"),
                m.warehouse.name,
                m.item.name,
                m.lot.batch or m.lot.code,
                m.get_kind_display(),
                m.quantity,
                str(m.recipient or m.counterpart or ""),
                m.reason,
            ]
            for m in qs.iterator(chunk_size=1000)
        )
        headers = [
            _("Time"),
            _("Warehouse"),
            _("Item"),
            _("Lot"),
            _("Kind"),
            _("Change"),
            _("Recipient or other warehouse"),
            _("Reason"),
        ]
        return xlsx_response(_("stock movements") + ".xlsx", headers, rows)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "supplies/movements.html",
        {
            "page": page,
            "filters": request.GET,
            "kinds": Kind.choices,
            "warehouses": warehouses_for(request.user).only("pk", "name"),
            "items": items_for(request.user).only("pk", "name"),
            "can_write": may(request.user, "supplies"),
            "reverse_form": ReverseForm(),
        },
    )


@login_required
def lot(request: HttpRequest, pk: int) -> HttpResponseBase:
    obj = get_lot(request.user, pk)
    stocks = list(stocks_for(request.user).filter(lot=obj).select_related("warehouse"))
    ledger = list(
        movements_for(request.user)
        .filter(lot=obj)
        .select_related("warehouse", "recipient", "counterpart", "reversed_by")
        .order_by("occurred_at", "pk")
    )
    writer = may(request.user, "supplies")
    return render(
        request,
        "supplies/lot.html",
        {
            "lot": obj,
            "stocks": stocks,
            "movements": ledger,
            "can_write": writer,
            "transfer_form": TransferForm(user=request.user, lot=obj) if writer else None,
            "adjust_form": AdjustForm(user=request.user, lot=obj) if writer else None,
            "return_form": ReturnForm(user=request.user, lot=obj) if writer else None,
            "reverse_form": ReverseForm(),
        },
    )


# --- Writes ------------------------------------------------------------------------------------


def _quantity(item, d) -> int:
    return services.to_base(item, d["quantity"], d.get("unit") or "")


@login_required
def receive(request: HttpRequest) -> HttpResponseBase:
    _require_writer(request.user)
    form = ReceiveForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            new = services.receive(
                user=request.user,
                warehouse=d["warehouse"],
                item=d["item"],
                quantity=_quantity(d["item"], d),
                owner=d["owner"],
                source=d["source"],
                supplier=d["supplier"],
                batch=d["batch"],
                expires_on=d["expires_on"],
                received_on=d["received_on"],
                note=d["note"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The goods were received into stock."))
            return redirect("supplies:lot", pk=new.pk)
    from gongke.donations.access import gifts_for

    gifts = (
        gifts_for(request.user)
        .filter(nature="goods", supply_lots__isnull=True)
        .select_related("donor")
        .order_by("-given_on", "-pk")[:20]
    )
    return render(
        request, "supplies/form.html", {"form": form, "title": _("Receive goods"), "gifts": gifts}
    )


@login_required
def gift_receive(request: HttpRequest, gift_id: int) -> HttpResponseBase:
    """Take a goods gift recorded in the donations ledger into stock."""
    from gongke.donations.access import get_gift

    gift = get_gift(request.user, gift_id)
    _require_writer(request.user)
    initial = {"quantity": gift.quantity, "unit": gift.unit}
    form = GiftStockForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            new = services.take_gift_into_stock(
                user=request.user,
                gift=gift,
                warehouse=d["warehouse"],
                item=d["item"],
                quantity=_quantity(d["item"], d),
                batch=d["batch"],
                expires_on=d["expires_on"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The goods were received into stock."))
            return redirect("supplies:lot", pk=new.pk)
    title = _("Take a gift into stock") + f": {gift}"
    return render(request, "supplies/form.html", {"form": form, "title": title})


@login_required
def issue(request: HttpRequest) -> HttpResponseBase:
    """Issue goods; before confirming, the first-expiry-first-out lots are shown."""
    _require_writer(request.user)
    form = IssueForm(request.POST or None, user=request.user)
    picks: list[services.Pick] = []
    missing = 0
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            quantity = _quantity(d["item"], d)
            picks, missing = services.fefo(
                item=d["item"], warehouse=d["warehouse"], quantity=quantity
            )
            if request.POST.get("confirm") == "1":
                done = services.issue(
                    user=request.user,
                    warehouse=d["warehouse"],
                    item=d["item"],
                    quantity=quantity,
                    recipient=d["recipient"],
                    reason=d["reason"],
                )
                messages.success(
                    request,
                    _("Issued %(n)s %(unit)s from %(lots)s lot(s).")
                    % {"n": quantity, "unit": d["item"].base_unit, "lots": len(done)},
                )
                return redirect("supplies:movements")
        except ValidationError as exc:
            _form_errors(form, exc)
    return render(
        request,
        "supplies/issue.html",
        {"form": form, "picks": picks, "missing": missing, "title": _("Issue goods")},
    )


def _lot_action(request: HttpRequest, pk: int, form_class, action) -> HttpResponseBase:
    obj = get_lot(request.user, pk)
    holders = [obj.owner, *Organization.objects.filter(places__stocks__lot=obj)]
    if not any(may(request.user, "supplies", org) for org in holders):
        raise PermissionDenied(_("Your role may only read here."))
    form = form_class(request.POST, user=request.user, lot=obj)
    if not form.is_valid():
        _invalid(request, form)
    else:
        try:
            action(obj, form.cleaned_data)
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("The stock ledger was updated."))
    return redirect("supplies:lot", pk=obj.pk)


@login_required
@require_POST
def lot_transfer(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _lot_action(
        request,
        pk,
        TransferForm,
        lambda lot, d: services.transfer(
            user=request.user,
            lot=lot,
            source=d["source"],
            destination=d["destination"],
            quantity=d["quantity"],
        ),
    )


@login_required
@require_POST
def lot_adjust(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _lot_action(
        request,
        pk,
        AdjustForm,
        lambda lot, d: services.adjust(
            user=request.user,
            lot=lot,
            warehouse=d["warehouse"],
            counted=d["counted"],
            reason=d["reason"],
        ),
    )


@login_required
@require_POST
def lot_return(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _lot_action(
        request,
        pk,
        ReturnForm,
        lambda lot, d: services.return_goods(
            user=request.user,
            lot=lot,
            warehouse=d["warehouse"],
            quantity=d["quantity"],
            recipient=d["recipient"],
            reason=d["reason"],
        ),
    )


@login_required
@require_POST
def movement_reverse(request: HttpRequest, pk: int) -> HttpResponseBase:
    movement = get_movement(request.user, pk, write=True)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
    else:
        try:
            services.reverse(
                user=request.user, movement=movement, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("The movement was reversed."))
    return redirect("supplies:lot", pk=movement.lot_id)


# --- Catalog -----------------------------------------------------------------------------------


@login_required
def items(request: HttpRequest) -> HttpResponseBase:
    qs = (
        items_for(request.user)
        .search(request.GET.get("q"))
        .select_related("organization")
        .prefetch_related("packs")
        .annotate(
            in_stock=Sum("stocks__quantity", filter=Q(stocks__in=stocks_for(request.user))),
            next_expiry=Min("lots__expires_on"),
            last_receipt=Max("lots__received_on"),
        )
    )
    if request.GET.get("category") in Category.values:
        qs = qs.filter(category=request.GET["category"])
    qs = qs.order_by("category", "name", "pk")
    if request.GET.get("export") == "xlsx":
        rows = (
            [
                i.name,
                i.get_category_display(),
                i.base_unit,
                " ".join(f"{p.name}={p.quantity}" for p in i.packs.all()),
                i.standard,
                i.shelf_life_days,
                i.daily_use,
                i.in_stock or 0,
                i.organization.name,
            ]
            for i in qs
        )
        headers = [
            _("Name"),
            _("Category"),
            _("Base unit"),
            _("Packs"),
            _("Standard"),
            _("Shelf life (days)"),
            _("Daily use per person"),
            _("In stock"),
            _("Catalog of"),
        ]
        return xlsx_response(_("items") + ".xlsx", headers, rows)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "supplies/items.html",
        {
            "page": page,
            "filters": request.GET,
            "categories": Category.choices,
            "can_write": may(request.user, "supplies"),
        },
    )


@login_required
def item_edit(request: HttpRequest, pk: int | None = None) -> HttpResponseBase:
    obj = get_item(request.user, pk, write=True) if pk is not None else None
    if obj is None:
        _require_writer(request.user)
    initial = {}
    if obj is not None:
        initial = {
            "organization": obj.organization,
            "name": obj.name,
            "category": obj.category,
            "base_unit": obj.base_unit,
            "standard": obj.standard,
            "shelf_life_days": obj.shelf_life_days,
            "daily_use": obj.daily_use,
            "packs": "\n".join(f"{p.name}={p.quantity}" for p in obj.packs.all()),
        }
    form = ItemForm(request.POST or None, user=request.user, initial=initial)
    if obj is not None:
        form.fields["organization"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.save_item(
                user=request.user,
                organization=obj.organization if obj else d["organization"],
                name=d["name"],
                category=d["category"],
                base_unit=d["base_unit"],
                standard=d["standard"],
                shelf_life_days=d["shelf_life_days"],
                daily_use=d["daily_use"] or 0,
                packs=d["packs"],
                item=obj,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The item was saved."))
            return redirect(f"{_items_url()}?q={saved.name}")
    title = _("Edit item") if obj else _("Add an item")
    return render(request, "supplies/form.html", {"form": form, "title": title})


def _items_url() -> str:
    return reverse("supplies:items")


# --- Needs, offers, matching ------------------------------------------------------------------


def _board(user: Any, params) -> list[services.NeedProgress]:
    qs = needs_for(user).select_related("recipient", "organization", "verified_by")
    state = params.get("state") or "open"
    if state == "closed":
        qs = qs.filter(closed_at__isnull=False)
    elif state != "all":
        qs = qs.open()
    if q := normalize_query(params.get("q")):
        qs = qs.filter(
            Q(recipient__search_text__icontains=q) | Q(lines__item__search_text__icontains=q)
        ).distinct()
    if (u := _int(params.get("urgency"))) is not None:
        qs = qs.filter(urgency=u)
    board = services.rank(services.progress(qs[:2000]))
    if params.get("stale") == "1":
        board = [p for p in board if p.stale]
    elif params.get("stale") == "0":
        board = [p for p in board if not p.stale]
    return board


@login_required
def needs(request: HttpRequest) -> HttpResponseBase:
    """The needs board: ranked by urgency × unmet share, stale needs last."""
    board = _board(request.user, request.GET)
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Recipient unit"),
            _("Urgency"),
            _("Item"),
            _("Needed"),
            _("Committed"),
            _("In transit"),
            _("Received"),
            _("Unmet"),
            _("Last confirmed"),
            _("Stale"),
        ]
        rows = (
            [
                p.need.recipient.name,
                p.need.get_urgency_display(),
                lp.line.item.name,
                lp.line.quantity,
                lp.committed,
                lp.in_transit,
                lp.received,
                lp.unmet,
                timezone.localtime(p.need.confirmed_at).strftime("%Y-%m-%d %H:%M"),
                _("Yes") if p.stale else "",
            ]
            for p in board
            for lp in p.lines
        )
        return xlsx_response(_("needs") + ".xlsx", headers, rows)
    page = Paginator(board, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "supplies/needs.html",
        {
            "page": page,
            "filters": request.GET,
            "urgencies": Urgency.choices,
            "can_write": may(request.user, "supplies"),
        },
    )


@login_required
def need_new(request: HttpRequest) -> HttpResponseBase:
    _require_writer(request.user)
    form = NeedForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            need = services.post_need(
                user=request.user,
                organization=d["organization"],
                recipient=d["recipient"],
                lines=d["lines"],
                urgency=d["urgency"],
                contact_name=d["contact_name"],
                contact_phone=d["contact_phone"],
                source=d["source"],
                ttl_days=d["ttl_days"],
                note=d["note"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The need was posted."))
            return redirect("supplies:need", pk=need.pk)
    return render(request, "supplies/form.html", {"form": form, "title": _("Post a need")})


@login_required
def need(request: HttpRequest, pk: int) -> HttpResponseBase:
    obj = get_need(request.user, pk)
    (p,) = services.progress([obj])
    writer = may(request.user, "supplies", obj.organization)
    offers = list(
        services.open_offers(offers_for(request.user)).select_related("organization", "item")
    )
    matches = services.suggestions([p], offers) if writer else {}
    by_id = {o.pk: o for o in offers}
    return render(
        request,
        "supplies/need.html",
        {
            "p": p,
            "need": obj,
            "can_write": writer,
            "suggested": [
                (lp, [(m, by_id[m.offer_id]) for m in matches.get(lp.line.pk, [])])
                for lp in p.lines
            ],
            "shipments": obj.shipments.select_related(
                "recipient", "warehouse", "offer__organization"
            ),
        },
    )


def _need_action(request: HttpRequest, pk: int, action) -> HttpResponseBase:
    obj = get_need(request.user, pk, write=True)
    try:
        result = action(obj)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The need was updated."))
        if isinstance(result, Shipment):
            return redirect("supplies:shipment", pk=result.pk)
    return redirect("supplies:need", pk=obj.pk)


@login_required
@require_POST
def need_confirm(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _need_action(request, pk, lambda n: services.confirm_need(user=request.user, need=n))


@login_required
@require_POST
def need_close(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _need_action(request, pk, lambda n: services.close_need(user=request.user, need=n))


@login_required
@require_POST
def need_accept(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Accept a suggested offer for one line of the need: the shipment is created."""

    def accept(n):
        line = n.lines.filter(pk=_int(request.POST.get("line"))).first()
        quantity = _int(request.POST.get("quantity"))
        if line is None or quantity is None:
            raise ValidationError(_("Choose a line of the need and a quantity."))
        offer = get_offer(request.user, request.POST.get("offer"))
        return services.accept_match(user=request.user, line=line, offer=offer, quantity=quantity)

    return _need_action(request, pk, accept)


@login_required
def offers(request: HttpRequest) -> HttpResponseBase:
    qs = offers_for(request.user).select_related("organization", "item", "township")
    if request.GET.get("state") != "all":
        qs = services.open_offers(qs)
    if (i := _int(request.GET.get("item"))) is not None:
        qs = qs.filter(item_id=i)
    if q := normalize_query(request.GET.get("q")):
        qs = qs.filter(
            Q(organization__search_text__icontains=q) | Q(item__search_text__icontains=q)
        )
    qs = qs.order_by("available_until", "pk")
    left = services.offer_remaining(qs[:2000])
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Offered by"),
            _("Item"),
            _("Quantity"),
            _("Left"),
            _("Available until"),
            _("Goods expire on"),
        ]
        rows = (
            [
                o.organization.name,
                o.item.name,
                o.quantity,
                left.get(o.pk, o.quantity),
                o.available_until,
                o.expires_on,
            ]
            for o in qs[:2000]
        )
        return xlsx_response(_("offers") + ".xlsx", headers, rows)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    for o in page.object_list:
        o.left = left.get(o.pk, o.quantity)
    return render(
        request,
        "supplies/offers.html",
        {
            "page": page,
            "filters": request.GET,
            "items": items_for(request.user).only("pk", "name"),
            "can_write": may(request.user, "supplies"),
        },
    )


@login_required
def offer_new(request: HttpRequest) -> HttpResponseBase:
    _require_writer(request.user)
    form = OfferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            offer = services.post_offer(
                user=request.user,
                organization=d["organization"],
                item=d["item"],
                quantity=d["quantity"],
                available_until=d["available_until"],
                expires_on=d["expires_on"],
                note=d["note"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The offer was posted."))
            return redirect("supplies:offer", pk=offer.pk)
    return render(request, "supplies/form.html", {"form": form, "title": _("Offer goods")})


@login_required
def offer(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An offer and the needs it could meet, best first."""
    obj = get_offer(request.user, pk)
    board = services.progress(
        needs_for(request.user)
        .open()
        .filter(lines__item=obj.item)
        .distinct()
        .select_related("recipient")
    )
    matches = services.suggestions(board, [obj])
    lines = {lp.line.pk: (p, lp) for p in board for lp in p.lines}
    found = sorted(
        ((m, *lines[line_id]) for line_id, ms in matches.items() for m in ms),
        key=lambda t: -t[0].score,
    )
    return render(
        request,
        "supplies/offer.html",
        {
            "offer": obj,
            "left": services.offer_remaining([obj])[obj.pk],
            "found": found[:20],
            "shipments": obj.shipments.select_related("recipient"),
        },
    )


# --- Shipments ------------------------------------------------------------------------------------


@login_required
def shipments(request: HttpRequest) -> HttpResponseBase:
    qs = shipments_for(request.user).select_related("recipient", "warehouse", "offer__organization")
    if request.GET.get("status") in ShipmentStatus.values:
        qs = qs.filter(status=request.GET["status"])
    if q := normalize_query(request.GET.get("q")):
        qs = qs.filter(Q(recipient__search_text__icontains=q) | Q(code__iexact=q))
    qs = qs.order_by("-packed_at", "-pk")
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Trace code"),
            _("From"),
            _("Recipient unit"),
            _("Status"),
            _("Packed"),
            _("Sent"),
            _("Received"),
            _("Received by"),
            _("Shortfall or damage"),
        ]
        rows = (
            [
                s.code,
                s.warehouse.name if s.warehouse else s.offer.organization.name if s.offer else "",
                s.recipient.name,
                s.get_status_display(),
                timezone.localtime(s.packed_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(s.sent_at).strftime("%Y-%m-%d %H:%M") if s.sent_at else "",
                timezone.localtime(s.received_at).strftime("%Y-%m-%d %H:%M")
                if s.received_at
                else "",
                s.received_by,
                s.remark,
            ]
            for s in qs.iterator(chunk_size=500)
        )
        return xlsx_response(_("shipments") + ".xlsx", headers, rows)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "supplies/shipments.html",
        {
            "page": page,
            "filters": request.GET,
            "statuses": ShipmentStatus.choices,
            "can_write": may(request.user, "supplies"),
        },
    )


@login_required
def shipment_new(request: HttpRequest) -> HttpResponseBase:
    """Pack goods from a warehouse for a recipient unit (lots first expiry first out)."""
    _require_writer(request.user)
    form = ShipmentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            shipment = services.pack_shipment(
                user=request.user,
                warehouse=d["warehouse"],
                recipient=d["recipient"],
                lines=d["lines"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The shipment was packed."))
            return redirect("supplies:shipment", pk=shipment.pk)
    return render(request, "supplies/form.html", {"form": form, "title": _("Pack a shipment")})


@login_required
def shipment(request: HttpRequest, pk: int) -> HttpResponseBase:
    obj = get_shipment(request.user, pk)
    return render(
        request,
        "supplies/shipment.html",
        {
            "shipment": obj,
            "lines": obj.lines.select_related("item", "lot"),
            "can_write": may(request.user, "supplies", obj.organization),
            "receipt_form": ReceiptForm(),
            "trace_url": request.build_absolute_uri(reverse("supplies:trace", args=[obj.code])),
        },
    )


def _shipment_action(request: HttpRequest, pk: int, action) -> HttpResponseBase:
    obj = get_shipment(request.user, pk, write=True)
    try:
        action(obj)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The shipment was updated."))
    return redirect("supplies:shipment", pk=obj.pk)


@login_required
@require_POST
def shipment_send(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _shipment_action(
        request, pk, lambda s: services.send_shipment(user=request.user, shipment=s)
    )


@login_required
@require_POST
def shipment_receive(request: HttpRequest, pk: int) -> HttpResponseBase:
    def receive_it(s):
        form = ReceiptForm(request.POST)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        received = {}
        for line in s.lines.all():
            got = _int(request.POST.get(f"received-{line.pk}"))
            damaged = _int(request.POST.get(f"damaged-{line.pk}")) or 0
            if got is not None:
                received[line.pk] = (got, damaged)
        services.receive_shipment(
            user=request.user,
            shipment=s,
            received_by=form.cleaned_data["received_by"],
            received=received,
            remark=form.cleaned_data["remark"],
        )

    return _shipment_action(request, pk, receive_it)


@login_required
def shipment_sheet(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The printable hand-over sheet (交接单) with a QR code of the public trace page."""
    from .pdf import handover_pdf

    obj = get_shipment(request.user, pk)
    url = request.build_absolute_uri(reverse("supplies:trace", args=[obj.code]))
    response = HttpResponse(
        handover_pdf(obj, list(obj.lines.select_related("item", "lot")), trace_url=url),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="handover-{obj.code}.pdf"'
    return response


# --- Public: the needs page, trace codes -----------------------------------------------------------


def public_needs(request: HttpRequest) -> HttpResponseBase:
    """Open, live needs for everyone: the unit, what it lacks, how urgent; never a contact."""
    qs = Need.objects.open().select_related("recipient")
    board = [
        p
        for p in services.rank(services.progress(qs.order_by("-confirmed_at")[:500]))
        if not p.stale
    ]
    return render(request, "supplies/public_needs.html", {"board": board[:200]})


def trace(request: HttpRequest, code: str) -> HttpResponseBase:
    """A lot's or a shipment's path: donor (or anonymous) → warehouse → recipient, in pieces
    and units with dates; names of organizations and units only, never a person's contact."""
    code = (code or "").strip().upper()[:16]
    lot = Lot.objects.filter(code=code).select_related("item", "owner", "gift").first()
    if lot is not None:
        steps = (
            Movement.objects.filter(lot=lot, reverses__isnull=True, reversed_by__isnull=True)
            .exclude(kind__in=[Kind.ADJUST])
            .select_related("warehouse", "recipient", "counterpart")
            .order_by("occurred_at", "pk")
        )
        donor = lot.gift.shown_name if lot.gift_id else lot.owner.name
        return render(
            request,
            "supplies/trace.html",
            {"lot": lot, "steps": steps, "donor": donor, "code": code},
        )
    shipment = (
        Shipment.objects.filter(code=code)
        .select_related("recipient", "warehouse", "offer__organization")
        .first()
    )
    if shipment is None:
        return render(request, "supplies/trace.html", {"code": code, "unknown": True}, status=404)
    return render(
        request,
        "supplies/trace.html",
        {"shipment": shipment, "lines": shipment.lines.select_related("item", "lot"), "code": code},
    )


# --- Days of cover ----------------------------------------------------------------------------------


@login_required
def cover(request: HttpRequest) -> HttpResponseBase:
    """Days of prevention supplies per member enterprise of an association; under 15 days first."""
    root = get_root(request.user, request.GET.get("org"))
    enterprises = list(
        Organization.objects.subtree(root)
        .enterprises()
        .filter(is_active=True)
        .order_by("name")[:500]
    )
    rows = []
    found = services.covers(enterprises)
    for e in enterprises:
        days = [c.days for c in found[e.pk] if c.days is not None]
        rows.append({"enterprise": e, "covers": found[e.pk], "least": min(days) if days else None})
    rows.sort(key=lambda r: (r["least"] is None, r["least"] or 0, r["enterprise"].name))
    if request.GET.get("short") == "1":
        rows = [r for r in rows if r["least"] is not None and r["least"] < services.MIN_COVER_DAYS]
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Enterprise"),
            _("Staff"),
            _("Item"),
            _("In stock"),
            _("Daily use"),
            _("Days of cover"),
        ]
        data = (
            [
                r["enterprise"].name,
                r["enterprise"].staff_count,
                c.item.name,
                c.stock,
                c.per_day,
                c.days,
            ]
            for r in rows
            for c in r["covers"]
        )
        return xlsx_response(_("days of cover") + ".xlsx", headers, data)
    return render(
        request,
        "supplies/cover.html",
        {"root": root, "rows": rows, "filters": request.GET, "minimum": services.MIN_COVER_DAYS},
    )


# --- Procurement ------------------------------------------------------------------------------------


@login_required
def orders(request: HttpRequest) -> HttpResponseBase:
    """Purchase orders with what was ordered and what has arrived."""
    qs = orders_for(request.user).select_related("organization").prefetch_related("lines__item")
    if request.GET.get("kind") in OrderKind.values:
        qs = qs.filter(kind=request.GET["kind"])
    if q := (request.GET.get("q") or "").strip():
        qs = qs.filter(Q(supplier__icontains=q) | Q(country__icontains=q))
    qs = qs.order_by("-ordered_on", "-pk")
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    lines = [line for o in page.object_list for line in o.lines.all()]
    got = services.received_per_line(lines)
    rows = [
        {
            "order": o,
            "lines": [(line, got.get(line.pk, 0)) for line in o.lines.all()],
            "cost": sum(line.cost_yuan for line in o.lines.all()),
        }
        for o in page.object_list
    ]
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Supplier"),
            _("Kind"),
            _("Country"),
            _("Ordered on"),
            _("Item"),
            _("Ordered"),
            _("Received"),
            _("Cost (yuan)"),
        ]
        data = []
        for o in qs[:2000]:
            ls = list(o.lines.all())
            arrived = services.received_per_line(ls)
            data += [
                [
                    o.supplier,
                    o.get_kind_display(),
                    o.country,
                    o.ordered_on,
                    line.item.name,
                    line.quantity,
                    arrived.get(line.pk, 0),
                    line.cost_yuan,
                ]
                for line in ls
            ]
        return xlsx_response(_("purchase orders") + ".xlsx", headers, data)
    return render(
        request,
        "supplies/orders.html",
        {
            "page": page,
            "rows": rows,
            "filters": request.GET,
            "kinds": OrderKind.choices,
            "can_write": may(request.user, "supplies"),
        },
    )


@login_required
def order_new(request: HttpRequest) -> HttpResponseBase:
    _require_writer(request.user)
    form = OrderForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            order = services.place_order(
                user=request.user,
                organization=d["organization"],
                kind=d["kind"],
                supplier=d["supplier"],
                lines=d["lines"],
                ordered_on=d["ordered_on"],
                country=d["country"],
                currency=d["currency"],
                rate=d["rate"],
                customs_on=d["customs_on"],
                arrival_on=d["arrival_on"],
                note=d["note"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The order was recorded."))
            return redirect("supplies:order", pk=order.pk)
    return render(
        request, "supplies/form.html", {"form": form, "title": _("Record a purchase order")}
    )


@login_required
def order(request: HttpRequest, pk: int) -> HttpResponseBase:
    obj = get_order(request.user, pk)
    lines = list(obj.lines.select_related("item"))
    got = services.received_per_line(lines)
    writer = may(request.user, "supplies", obj.organization)
    return render(
        request,
        "supplies/order.html",
        {
            "order": obj,
            "lines": [
                (line, got.get(line.pk, 0), line.quantity - got.get(line.pk, 0)) for line in lines
            ],
            "cost": sum(line.cost_yuan for line in lines),
            "lots": Lot.objects.filter(order_line__order=obj).select_related("item").order_by("pk"),
            "can_write": writer,
            "receive_form": OrderReceiveForm(user=request.user) if writer else None,
        },
    )


@login_required
@require_POST
def order_receive(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A part of the order arrives in a warehouse."""
    obj = get_order(request.user, pk, write=True)
    form = OrderReceiveForm(request.POST, user=request.user)
    if not form.is_valid():
        _invalid(request, form)
        return redirect("supplies:order", pk=obj.pk)
    d = form.cleaned_data
    line = obj.lines.filter(pk=d["line"]).select_related("item", "order").first()
    try:
        if line is None:
            raise ValidationError(_("Choose a line of the order."))
        services.receive_order_line(
            user=request.user,
            line=line,
            warehouse=d["warehouse"],
            quantity=d["quantity"],
            batch=d["batch"],
            expires_on=d["expires_on"],
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The goods were received into stock."))
    return redirect("supplies:order", pk=obj.pk)


# --- Imports ---------------------------------------------------------------------------------


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponseBase:
    if kind not in importer.KINDS:
        raise Http404(_("Not found."))
    name = _("stocktake template") if kind == "stocktake" else _("needs template")
    return bytes_response(f"{name}.xlsx", importer.template(kind))


IMPORT_ONCE_SECONDS = 24 * 3600


@login_required
def import_file(request: HttpRequest) -> HttpResponseBase:
    """A stocktake or a needs list from Excel: every row checked, all of it or nothing. The form
    carries a one-time key: sent twice (a double tap, a reload), a needs list is posted once."""
    _require_writer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    once = (request.POST.get("once") or "")[:64] or uuid.uuid4().hex
    if request.method == "POST" and form.is_valid():
        # In the shared cache, so a second worker sees the first one's send.
        sent = f"supplies:import:{request.user.pk}:{once}"
        if not cache.add(sent, 1, IMPORT_ONCE_SECONDS):
            messages.info(request, _("This file has already been sent: it was imported once."))
            return redirect("supplies:import")
        upload = form.cleaned_data["file"]
        data, name = read_upload(upload), upload.name or ""
        if form.cleaned_data["kind"] == "stocktake":
            result = importer.import_stocktake(user=request.user, data=data, filename=name)
            done, target = (
                _("%(n)s rows counted, %(created)s balances corrected."),
                "supplies:index",
            )
        else:
            result = importer.import_needs(
                user=request.user,
                organization=form.cleaned_data["organization"],
                data=data,
                filename=name,
            )
            done, target = _("%(n)s rows read, %(created)s needs posted."), "supplies:needs"
        if result.ok:
            messages.success(request, done % {"n": result.rows, "created": result.created})
            return redirect(target)
        cache.delete(sent)  # nothing was imported: the corrected file may use the same form
    return render(request, "supplies/import.html", {"form": form, "result": result, "once": once})
