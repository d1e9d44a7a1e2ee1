"""服务 pages: packages, order windows, orders per building, pick lists, delivery, complaints,
figures, services for small firms; and the public ordering page behind a compound's QR code."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongke.accounts.access import may
from gongke.lib.excel import xlsx_response
from gongke.lib.masking import mask_phone
from gongke.lib.ratelimit import client_key, take
from gongke.registry.access import get_person, people_for
from gongke.registry.models import OrgKind

from . import services
from .access import (
    MANAGERS,
    delivers,
    get_complaint,
    get_compound,
    get_firm,
    get_offer,
    get_order,
    get_package,
    get_request,
    get_session,
    get_task,
    get_window,
    managed_compounds,
    offers_for,
    orders_for,
    packages_for,
    price_caps_for,
    requests_for,
    tasks_for,
    windows_for,
    with_full,
    writable_suppliers,
)
from .forms import CapForm, OfferForm, PackageForm, SessionForm, WindowForm
from .models import (
    Order,
    OrderStatus,
    Package,
    RequestStatus,
    ServiceRequest,
    ShopKey,
    Source,
    Window,
)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


def _into(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _page(request: HttpRequest, qs: Any, size: int = 50) -> Any:
    return Paginator(qs, size).get_page(request.GET.get("page"))


def _export(request: HttpRequest) -> bool:
    return request.GET.get("export") == "xlsx"


def _ann(obj: Any, name: str) -> Any:
    """An annotation the query added (mypy knows only the model's fields)."""
    return getattr(obj, name, None)


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


# --- Order windows (the app's front page) -----------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponseBase:
    qs = windows_for(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(compound__search_text__icontains=q) | qs.filter(package__name__icontains=q)
    state = request.GET.get("state", "")
    if state == "open":
        qs = qs.open_at()
    day = request.GET.get("day", "")
    if day:
        try:
            qs = qs.filter(day=day)
        except ValidationError:
            day = ""
    qs = qs.order_by("-day", "compound__name", "pk")
    if _export(request):
        return xlsx_response(
            "order-windows.xlsx",
            [
                _("Delivery day"),
                _("Compound or village"),
                _("Package"),
                _("Supplier"),
                _("Price (yuan)"),
                _("Cut-off time"),
                _("Daily capacity"),
                _("Ordered"),
                _("State"),
            ],
            (
                [
                    w.day,
                    w.compound.name,
                    w.package.name,
                    w.package.supplier.name,
                    w.price,
                    _local(w.closes_at),
                    w.capacity,
                    w.ordered,
                    w.state,
                ]
                for w in qs
            ),
        )
    return render(
        request,
        "assistance/index.html",
        {
            "page": _page(request, qs),
            "q": q,
            "state": state,
            "day": day,
            "can_manage": may(request.user, "assistance"),
        },
    )


@login_required
def window_new(request: HttpRequest) -> HttpResponseBase:
    if not may(request.user, "assistance"):
        raise _forbidden()
    compounds = managed_compounds(request.user).order_by("name")
    packages = packages_for(request.user, Package.objects.filter(is_active=True))
    form = WindowForm(request.POST or None, choices={"compound": compounds, "package": packages})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            compound = get_compound(request.user, d["compound"], manage=True)
            package = get_package(request.user, d["package"])
            window = services.open_window(
                compound=compound,
                package=package,
                day=d["day"],
                closes_at=d["closes_at"],
                capacity=d["capacity"],
                max_per_order=d["max_per_order"],
                user=request.user,
            )
        except ValidationError as exc:
            _into(form, exc)
        else:
            messages.success(request, _("The order window is open."))
            return redirect("assistance:window", pk=window.pk)
    return render(
        request,
        "assistance/window_new.html",
        {"form": form, "compounds": compounds, "packages": packages},
    )


def _forbidden() -> Exception:
    from django.core.exceptions import PermissionDenied

    return PermissionDenied(_("Your role may only read here."))


@login_required
def window(request: HttpRequest, pk: int) -> HttpResponseBase:
    w = get_window(request.user, pk)
    full = delivers(request.user, w)
    supplier_only = not full and not orders_for(request.user).filter(window=w).exists()
    orders = Order.objects.filter(window=w).order_by("building", "unit", "room", "pk")
    if _export(request) and not supplier_only:
        return xlsx_response(
            f"orders-{w.day}.xlsx",
            [
                _("Order number"),
                _("Building"),
                pgettext("building", "Unit"),
                _("Room"),
                _("Name"),
                _("Phone"),
                _("Quantity"),
                _("Amount (yuan)"),
                _("Paid"),
                _("Status"),
                _("Note"),
            ],
            (
                [
                    o.number,
                    o.building,
                    o.unit,
                    o.room if full else o.masked_room,
                    o.name if full else o.name[:1] + "*",
                    o.phone if full else o.masked_phone,
                    o.quantity,
                    o.amount,
                    _("Yes") if o.paid else _("No"),
                    o.get_status_display(),
                    o.note,
                ]
                for o in orders
            ),
        )
    return render(
        request,
        "assistance/window.html",
        {
            "w": w,
            "full": full,
            "supplier_only": supplier_only,
            "buildings": services.buildings(w),
            "orders": [] if supplier_only else _page(request, orders, 100),
            "page": None if supplier_only else _page(request, orders, 100),
            "tasks": list(w.tasks.select_related("person")),
            "can_manage": may(request.user, "assistance", w.compound.organization),
            "client_id": uuid.uuid4().hex,
        },
    )


@login_required
@require_POST
def window_close(request: HttpRequest, pk: int) -> HttpResponseBase:
    w = get_window(request.user, pk, write=True)
    services.close_window(window=w, user=request.user)
    messages.success(request, _("Ordering has been closed."))
    return redirect("assistance:window", pk=w.pk)


@login_required
@require_POST
def window_tasks(request: HttpRequest, pk: int) -> HttpResponseBase:
    w = get_window(request.user, pk, order=True)
    tasks = services.make_tasks(window=w, user=request.user)
    messages.success(request, _("%(n)d delivery tasks, one per building.") % {"n": len(tasks)})
    return redirect("assistance:window", pk=w.pk)


@login_required
@require_POST
def window_order(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A grid worker orders for a resident who can't (an elderly resident without a phone)."""
    w = get_window(request.user, pk, order=True)
    try:
        order, created = services.place_order(
            window=w, data=request.POST.dict(), source=Source.GRID, user=request.user
        )
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("assistance:window", pk=w.pk)
    if created:
        messages.success(
            request,
            _("Order %(n)d placed. The resident's delivery code is %(code)s.")
            % {"n": order.number, "code": order.code},
        )
    return redirect("assistance:order", pk=order.pk)


@login_required
def picklist(request: HttpRequest, pk: int) -> HttpResponseBase:
    """What the supplier packs for one window: the total and the count per building (no names,
    phones or rooms). Printable; ?export=xlsx for Excel."""
    w = get_window(request.user, pk)
    rows = services.buildings(w)
    if _export(request):
        return xlsx_response(
            f"pick-list-{w.day}.xlsx",
            [_("Building"), _("Orders"), _("Packages")],
            [[b.building, b.orders, b.quantity] for b in rows]
            + [[_("Total"), sum(b.orders for b in rows), sum(b.quantity for b in rows)]],
        )
    return render(
        request,
        "assistance/picklist.html",
        {
            "w": w,
            "rows": rows,
            "orders": sum(b.orders for b in rows),
            "quantity": sum(b.quantity for b in rows),
        },
    )


@login_required
def poster(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The compound's ordering QR code, to print and post at the gate."""
    import segno

    compound = get_compound(request.user, pk, manage=True)
    key = ShopKey.for_place(compound)
    # SITE_URL, not the request's host: the poster is printed once and must keep working.
    url = settings.SITE_URL.rstrip("/") + reverse("assistance:shop", args=[key.token])
    svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True)
    return render(request, "assistance/poster.html", {"compound": compound, "url": url, "svg": svg})


# --- Packages and price caps ------------------------------------------------------------------


@login_required
def packages(request: HttpRequest) -> HttpResponseBase:
    qs = packages_for(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(supplier__search_text__icontains=q)
    if _export(request):
        return xlsx_response(
            "packages.xlsx",
            [_("Package"), _("Supplier"), _("Contents"), _("Price (yuan)"), _("On offer")],
            (
                [p.name, p.supplier.name, p.contents, p.price, _("Yes") if p.is_active else _("No")]
                for p in qs
            ),
        )
    return render(
        request,
        "assistance/packages.html",
        {"page": _page(request, qs), "q": q, "can_manage": may(request.user, "assistance")},
    )


def _package_form(request: HttpRequest, package: Package | None) -> HttpResponseBase:
    suppliers = writable_suppliers(request.user).order_by("path")
    initial = {}
    if package is not None:
        initial = {
            "supplier": package.supplier_id,
            "name": package.name,
            "contents": package.contents,
            "price": package.price,
            "is_active": package.is_active,
        }
    form = PackageForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        choices={"supplier": suppliers},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            supplier = get_for_supplier(request, d["supplier"])
            package = services.save_package(
                supplier=supplier,
                user=request.user,
                name=d["name"],
                contents=d["contents"],
                price=d["price"],
                photo=d.get("photo"),
                is_active=d["is_active"],
                package=package,
            )
        except ValidationError as exc:
            _into(form, exc)
        else:
            messages.success(request, _("The package has been saved."))
            return redirect("assistance:package", pk=package.pk)
    return render(
        request,
        "assistance/package_form.html",
        {"form": form, "suppliers": suppliers, "package": package},
    )


def get_for_supplier(request: HttpRequest, pk: Any) -> Any:
    from gongke.registry.access import get_organization

    supplier = get_organization(request.user, pk)
    if not writable_suppliers(request.user).filter(pk=supplier.pk).exists():
        raise _forbidden()
    return supplier


@login_required
def package_new(request: HttpRequest) -> HttpResponseBase:
    if not may(request.user, "assistance"):
        raise _forbidden()
    return _package_form(request, None)


@login_required
def package(request: HttpRequest, pk: int) -> HttpResponseBase:
    p = get_package(request.user, pk, write=request.method == "POST")
    if request.method == "POST" or request.GET.get("edit"):
        if not may(request.user, "assistance", p.supplier):
            raise _forbidden()
        return _package_form(request, p)
    return render(
        request,
        "assistance/package.html",
        {
            "p": p,
            "cap": services.cap_for(p.supplier),
            "windows": windows_for(request.user, p.windows.all())[:50],
            "can_manage": may(request.user, "assistance", p.supplier),
        },
    )


@login_required
def package_photo(request: HttpRequest, pk: int) -> FileResponse:
    p = get_package(request.user, pk)
    if not p.photo:
        raise Http404(_("Not found."))
    return FileResponse(p.photo.open("rb"))


@login_required
def caps(request: HttpRequest) -> HttpResponseBase:
    from gongke.accounts.access import writable_organizations

    bodies = writable_organizations(request.user, roles=MANAGERS).exclude(kind=OrgKind.ENTERPRISE)
    form = CapForm(request.POST or None, choices={"organization": bodies})
    if request.method == "POST":
        if not may(request.user, "assistance"):
            raise _forbidden()
        if form.is_valid():
            from gongke.registry.access import get_organization

            org = get_organization(request.user, form.cleaned_data["organization"])
            from gongke.accounts.access import require_write

            require_write(request.user, org, roles=MANAGERS)
            try:
                services.set_price_cap(
                    organization=org, amount=form.cleaned_data["amount"], user=request.user
                )
            except ValidationError as exc:
                _into(form, exc)
            else:
                messages.success(request, _("The price cap has been set."))
                return redirect("assistance:caps")
    qs = price_caps_for(request.user)
    if _export(request):
        return xlsx_response(
            "price-caps.xlsx",
            [_("Organization"), _("Price cap (yuan)"), _("Updated")],
            ([c.organization.name, c.amount, _local(c.updated_at)] for c in qs),
        )
    return render(
        request,
        "assistance/caps.html",
        {
            "caps": qs,
            "form": form,
            "bodies": bodies,
            "can_manage": may(request.user, "assistance"),
        },
    )


# --- Orders -----------------------------------------------------------------------------------


@login_required
def orders(request: HttpRequest) -> HttpResponseBase:
    qs = with_full(request.user, orders_for(request.user))
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        qs = qs.filter(status=status)
    paid = request.GET.get("paid", "")
    if paid in ("0", "1"):
        qs = qs.filter(paid=paid == "1")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(window__compound__search_text__icontains=q) | qs.filter(building=q)
    qs = qs.order_by("-window__day", "window__compound__name", "building", "room", "pk")
    if _export(request):
        return xlsx_response(
            "orders.xlsx",
            [
                _("Delivery day"),
                _("Compound or village"),
                _("Package"),
                _("Order number"),
                _("Building"),
                pgettext("building", "Unit"),
                _("Room"),
                _("Name"),
                _("Phone"),
                _("Quantity"),
                _("Amount (yuan)"),
                _("Paid"),
                _("Status"),
                _("Refunded (yuan)"),
            ],
            (
                [
                    o.window.day,
                    o.window.compound.name,
                    o.window.package.name,
                    o.number,
                    o.building,
                    o.unit,
                    o.room if _ann(o, "full") else o.masked_room,
                    o.name if _ann(o, "full") else o.name[:1] + "*",
                    o.phone if _ann(o, "full") else o.masked_phone,
                    o.quantity,
                    o.amount,
                    _("Yes") if o.paid else _("No"),
                    o.get_status_display(),
                    o.refunded,
                ]
                for o in qs
            ),
        )
    return render(
        request,
        "assistance/orders.html",
        {
            "page": _page(request, qs),
            "q": q,
            "status": status,
            "paid": paid,
            "statuses": OrderStatus.choices,
        },
    )


@login_required
def order(request: HttpRequest, pk: int) -> HttpResponseBase:
    o = get_order(request.user, pk)
    full = delivers(request.user, o.window)
    return render(
        request,
        "assistance/order.html",
        {
            "o": o,
            "full": full,
            "complaints": o.complaints.all(),
            "can_manage": may(request.user, "assistance", o.window.compound.organization),
            "can_order": full,
        },
    )


@login_required
@require_POST
def order_paid(request: HttpRequest, pk: int) -> HttpResponseBase:
    o = get_order(request.user, pk, write=True)
    try:
        services.mark_paid(order=o, paid=request.POST.get("paid") == "1", user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    return redirect(request.POST.get("next") or reverse("assistance:order", args=[o.pk]))


@login_required
@require_POST
def order_deliver(request: HttpRequest, pk: int) -> HttpResponseBase:
    o = get_order(request.user, pk, write=True)
    try:
        services.deliver_order(
            order=o,
            user=request.user,
            code=request.POST.get("code", ""),
            photo=request.FILES.get("photo"),
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Delivered: order %(n)d.") % {"n": o.number})
    nxt = request.POST.get("next", "")
    if nxt.startswith("/assistance/"):
        return redirect(nxt)
    return redirect("assistance:order", pk=o.pk)


@login_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponseBase:
    o = get_order(request.user, pk, write=True)
    try:
        services.cancel_order(order=o, user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The order has been cancelled."))
    return redirect("assistance:order", pk=o.pk)


@login_required
@require_POST
def order_complaint(request: HttpRequest, pk: int) -> HttpResponseBase:
    o = get_order(request.user, pk, write=True)
    try:
        services.record_complaint(order=o, text=request.POST.get("text", ""), user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The complaint has been recorded."))
    return redirect("assistance:order", pk=o.pk)


# --- Delivery tasks ---------------------------------------------------------------------------


@login_required
def tasks(request: HttpRequest) -> HttpResponseBase:
    qs = tasks_for(request.user)
    if request.GET.get("open") != "0":
        qs = qs.filter(done_at__isnull=True)
    qs = qs.order_by("-window__day", "window__compound__name", "building")
    if _export(request):
        return xlsx_response(
            "delivery-tasks.xlsx",
            [
                _("Delivery day"),
                _("Compound or village"),
                _("Package"),
                _("Building"),
                _("Volunteer"),
                _("Done at"),
            ],
            (
                [
                    t.window.day,
                    t.window.compound.name,
                    t.window.package.name,
                    t.building,
                    t.person.name if t.person else "",
                    _local(t.done_at),
                ]
                for t in qs
            ),
        )
    return render(
        request,
        "assistance/tasks.html",
        {"page": _page(request, qs), "open": request.GET.get("open") != "0"},
    )


@login_required
def task(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The volunteer's phone page: the building's orders, each delivered with the resident's
    code or a photo."""
    t = get_task(request.user, pk)
    full = delivers(request.user, t.window)
    orders = Order.objects.live().filter(window=t.window, building=t.building)
    people = people_for(request.user).filter(
        organization__path__startswith=t.window.compound.organization.path
    )
    return render(
        request,
        "assistance/task.html",
        {
            "t": t,
            "full": full,
            "orders": orders.order_by("unit", "room", "pk"),
            "people": people.order_by("-is_volunteer", "name")[:200],
        },
    )


@login_required
@require_POST
def task_assign(request: HttpRequest, pk: int) -> HttpResponseBase:
    t = get_task(request.user, pk, write=True)
    person = None
    if request.POST.get("person"):
        person = get_person(request.user, request.POST["person"])
        if not person.organization.path.startswith(t.window.compound.organization.path):
            raise Http404(_("Not found."))
    services.assign_task(task=t, person=person, user=request.user)
    messages.success(request, _("The task has been assigned."))
    return redirect("assistance:task", pk=t.pk)


# --- Complaints -------------------------------------------------------------------------------


@login_required
def complaints(request: HttpRequest) -> HttpResponseBase:
    from .access import complaints_for

    qs = complaints_for(request.user)
    if request.GET.get("open") == "1":
        qs = qs.filter(resolved_at__isnull=True)
    if _export(request):
        return xlsx_response(
            "complaints.xlsx",
            [
                _("Recorded at"),
                _("Compound or village"),
                _("Package"),
                _("Order number"),
                _("Complaint"),
                _("Resolution"),
                _("Refund (yuan)"),
                _("Resolved at"),
            ],
            (
                [
                    _local(c.created_at),
                    c.order.window.compound.name,
                    c.order.window.package.name,
                    c.order.number,
                    c.text,
                    c.resolution,
                    c.refund,
                    _local(c.resolved_at),
                ]
                for c in qs
            ),
        )
    return render(
        request,
        "assistance/complaints.html",
        {"page": _page(request, qs), "open": request.GET.get("open") == "1"},
    )


@login_required
@require_POST
def complaint_resolve(request: HttpRequest, pk: int) -> HttpResponseBase:
    c = get_complaint(request.user, pk, manage=True)
    try:
        services.resolve_complaint(
            complaint=c,
            resolution=request.POST.get("resolution", ""),
            refund=request.POST.get("refund", ""),
            user=request.user,
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The complaint has been resolved."))
    return redirect("assistance:order", pk=c.order_id)


# --- Figures per compound and day -------------------------------------------------------------


@login_required
def figures(request: HttpRequest) -> HttpResponseBase:
    rows = services.figures(orders_for(request.user))
    if _export(request):
        return xlsx_response(
            "order-figures.xlsx",
            [
                _("Delivery day"),
                _("Compound or village"),
                _("Orders"),
                _("Packages"),
                _("Amount (yuan)"),
                _("Paid (yuan)"),
                _("Delivered"),
                _("Cancelled"),
                _("Refunded (yuan)"),
            ],
            (
                [
                    r["window__day"],
                    r["window__compound__name"],
                    r["orders"],
                    r["packages"],
                    r["total"],
                    r["paid_total"],
                    r["delivered"],
                    r["cancelled"],
                    r["refunded_total"],
                ]
                for r in rows
            ),
        )
    return render(request, "assistance/figures.html", {"page": _page(request, rows, 100)})


# --- Services for small firms -----------------------------------------------------------------


@login_required
def offers(request: HttpRequest) -> HttpResponseBase:
    qs = services.offer_counts(offers_for(request.user)).order_by("kind", "title", "pk")
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    if _export(request):
        return xlsx_response(
            "service-offers.xlsx",
            [
                _("Service"),
                _("Kind"),
                _("Provider"),
                _("Requests"),
                _("Assigned"),
                _("Average rating"),
            ],
            (
                [
                    o.title,
                    o.get_kind_display(),
                    o.provider.name,
                    _ann(o, "n_requests"),
                    _ann(o, "n_assigned"),
                    round(_ann(o, "avg_rating"), 1) if _ann(o, "avg_rating") else "",
                ]
                for o in qs
            ),
        )
    from .models import OfferKind

    return render(
        request,
        "assistance/offers.html",
        {
            "page": _page(request, qs),
            "kind": kind,
            "kinds": OfferKind.choices,
            "can_manage": may(request.user, "assistance"),
        },
    )


@login_required
def offer_new(request: HttpRequest) -> HttpResponseBase:
    if not may(request.user, "assistance"):
        raise _forbidden()
    providers = writable_suppliers(request.user).order_by("path")
    form = OfferForm(request.POST or None, choices={"provider": providers})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            provider = get_for_supplier(request, d["provider"])
            offer = services.save_offer(
                provider=provider,
                kind=d["kind"],
                title=d["title"],
                description=d["description"],
                user=request.user,
            )
        except ValidationError as exc:
            _into(form, exc)
        else:
            messages.success(request, _("The service is in the catalogue."))
            return redirect("assistance:offer", pk=offer.pk)
    return render(request, "assistance/offer_new.html", {"form": form, "providers": providers})


@login_required
def offer(request: HttpRequest, pk: int) -> HttpResponseBase:
    o = get_offer(request.user, pk)
    from gongke.accounts.access import writable_organizations

    from .access import REQUESTERS

    firms = writable_organizations(request.user, roles=REQUESTERS).filter(kind=OrgKind.ENTERPRISE)
    return render(
        request,
        "assistance/offer.html",
        {
            "o": o,
            "sessions": o.sessions.all(),
            "requests": requests_for(request.user, ServiceRequest.objects.filter(offer=o)),
            "firms": firms[:200],
            "session_form": SessionForm(),
            "can_manage": may(request.user, "assistance", o.provider),
        },
    )


@login_required
@require_POST
def offer_session(request: HttpRequest, pk: int) -> HttpResponseBase:
    o = get_offer(request.user, pk, write=True)
    form = SessionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, str(e))
        return redirect("assistance:offer", pk=o.pk)
    try:
        services.add_session(offer=o, user=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The session has been added."))
    return redirect("assistance:offer", pk=o.pk)


@login_required
@require_POST
def offer_request(request: HttpRequest, pk: int) -> HttpResponseBase:
    o = get_offer(request.user, pk)
    firm = get_firm(request.user, request.POST.get("firm"))
    session = None
    if request.POST.get("session"):
        session = get_session(o, request.POST["session"])
    try:
        services.request_service(
            offer=o,
            firm=firm,
            session=session,
            need=request.POST.get("need", ""),
            user=request.user,
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The request has been sent to the association."))
    return redirect("assistance:offer", pk=o.pk)


@login_required
def service_requests(request: HttpRequest) -> HttpResponseBase:
    qs = requests_for(request.user)
    status = request.GET.get("status", "")
    if status in RequestStatus.values:
        qs = qs.filter(status=status)
    if _export(request):
        return xlsx_response(
            "service-requests.xlsx",
            [
                _("Requested at"),
                _("Firm"),
                _("Service"),
                _("Session"),
                _("Status"),
                _("Assigned to"),
                _("Rating"),
                _("Feedback"),
            ],
            (
                [
                    _local(r.created_at),
                    r.firm.name,
                    r.offer.title,
                    str(r.session) if r.session else "",
                    r.get_status_display(),
                    r.assignee.name if r.assignee else "",
                    r.rating or "",
                    r.feedback,
                ]
                for r in qs
            ),
        )
    return render(
        request,
        "assistance/requests.html",
        {
            "page": _page(request, qs),
            "status": status,
            "statuses": RequestStatus.choices,
        },
    )


@login_required
def service_request(request: HttpRequest, pk: int) -> HttpResponseBase:
    r = get_request(request.user, pk)
    people = people_for(request.user).filter(organization=r.offer.provider)
    return render(
        request,
        "assistance/request.html",
        {
            "r": r,
            "people": people.order_by("name")[:200],
            "can_assign": may(request.user, "assistance", r.firm),
            "can_rate": may(request.user, "requests", r.firm),
        },
    )


@login_required
@require_POST
def request_assign(request: HttpRequest, pk: int) -> HttpResponseBase:
    r = get_request(request.user, pk, manage=True)
    person = get_person(request.user, request.POST.get("person"))
    try:
        services.assign_request(request=r, person=person, user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The request has been assigned."))
    return redirect("assistance:request", pk=r.pk)


@login_required
@require_POST
def request_feedback(request: HttpRequest, pk: int) -> HttpResponseBase:
    r = get_request(request.user, pk, write=True)
    try:
        services.give_feedback(
            request=r,
            rating=request.POST.get("rating"),
            feedback=request.POST.get("feedback", ""),
            user=request.user,
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("Thank you: the feedback has been recorded."))
    return redirect("assistance:request", pk=r.pk)


# --- The public ordering page (no account: the compound's QR code) ----------------------------

ORDER_SALT = "assistance.order"


def _compound_by_token(token: str) -> Any:
    key = get_object_or_404(ShopKey.objects.select_related("place"), token=token)
    if not key.place.is_active:
        raise Http404
    return key.place


def _open_windows(compound: Any) -> list[Window]:
    return list(
        Window.objects.open_at()
        .filter(compound=compound, day__gte=timezone.localdate())
        .select_related("package__supplier")
        .order_by("day", "closes_at", "pk")
    )


def shop(request: HttpRequest, token: str) -> HttpResponseBase:
    """What is on sale in this compound, and the order form. Shows no one's personal data."""
    errors: Any = None
    data: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        data = request.POST.dict()
        wait = take(f"shop:{token[:64]}:{client_key(request)}", 1, limit=settings.ORDERS_PER_MINUTE)
        if wait:
            compound = _compound_by_token(token)
            context = {"busy": True, "data": data, "client_id": data.get("client_id")}
            response = _shop_page(request, compound, token, context, status=429)
            response["Retry-After"] = str(wait)
            return response
        # The window asked for, in this compound, in one query (the busiest request of the app).
        w = (
            Window.objects.select_related("compound__organization", "package")
            .filter(compound__shop_key__token=token, compound__is_active=True)
            .filter(pk=int(data["window"]) if data.get("window", "").isdigit() else None)
            .first()
        )
        if w is None:
            errors = {"window": [_("Choose a package that is on sale.")]}
            status = 422
        else:
            try:
                order, _created = services.place_order(window=w, data=data, source=Source.PUBLIC)
            except ValidationError as exc:
                messages_by_field = (
                    exc.message_dict if hasattr(exc, "error_dict") else {"all": exc.messages}
                )
                # "__all__" can't be read in a template: the form's own errors go under "all".
                errors = {
                    ("all" if k == "__all__" else k): [str(m) for m in v]
                    for k, v in messages_by_field.items()
                }
                status = 422
            else:
                signed = signing.dumps(order.pk, salt=ORDER_SALT)
                return redirect("assistance:shop-done", token=token, signed=signed)
    compound = _compound_by_token(token)
    context = {
        "errors": errors,
        "data": data,
        # A new key per form shown; the same key sent twice is one order (a double tap).
        "client_id": data.get("client_id") if errors else None,
    }
    return _shop_page(request, compound, token, context, status=status)


def _shop_page(
    request: HttpRequest, compound: Any, token: str, context: dict[str, Any], *, status: int
) -> HttpResponseBase:
    context = {
        **context,
        "compound": compound,
        "token": token,
        "windows": _open_windows(compound),
        "client_id": context.get("client_id") or uuid.uuid4().hex,
    }
    return render(request, "assistance/shop.html", context, status=status)


def shop_done(request: HttpRequest, token: str, signed: str) -> HttpResponseBase:
    """The resident's receipt: order number and delivery code (the link is theirs alone: it is
    signed), the phone masked."""
    compound = _compound_by_token(token)
    try:
        pk = signing.loads(signed, salt=ORDER_SALT)
    except signing.BadSignature:
        raise Http404
    o = get_object_or_404(
        Order.objects.select_related("window__package"), pk=pk, window__compound=compound
    )
    return render(
        request,
        "assistance/shop_done.html",
        {"compound": compound, "o": o, "phone": mask_phone(o.phone), "token": token},
    )


def shop_photo(request: HttpRequest, token: str, pk: int) -> FileResponse:
    """A package's photo, for a package on sale in this compound."""
    compound = _compound_by_token(token)
    p = get_object_or_404(Package.objects.filter(windows__compound=compound).distinct(), pk=pk)
    if not p.photo:
        raise Http404
    return FileResponse(p.photo.open("rb"))
