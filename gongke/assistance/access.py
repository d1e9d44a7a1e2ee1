"""Services through the one access path (gongke.accounts.access, docs/access.md).

- Packages and price caps: read in the supplier's (the organization's) subtree; written by staff
  and admins there (WRITERS["assistance"]).
- Order windows, orders, delivery tasks, complaints: tied to a compound, so read in the
  compound organization's subtree and by the duty officers of the compound's posts (the grid
  workers); windows are managed by staff and admins, orders placed, delivered, marked paid and
  complained about also by those duty officers (WRITERS["orders"]). The supplier's side reads
  its windows (the pick list), never an order's name, phone or room.
- Service offers and sessions: read and written like packages, through the provider.
- Service requests: the firm's and its association's (WRITERS["requests"]: the firm's reporter
  files and rates them; assigning is for staff and admins); the provider reads them too.
"""

from typing import Any, TypeVar

from django.db.models import BooleanField, ExpressionWrapper, Model, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.accounts.access import (
    NOTHING,
    ORGANIZATION,
    WRITERS,
    Reach,
    get_for_user,
    is_platform_admin,
    reach_q,
    reference_organizations,
    scoped,
    writable_organizations,
)
from gongke.registry.models import Organization, OrgKind, Place

from .models import (
    Complaint,
    DeliveryTask,
    Offer,
    Order,
    Package,
    PriceCap,
    ServiceRequest,
    Session,
    Window,
    WindowQuerySet,
)

M = TypeVar("M", bound=Model)

PACKAGE = Reach(org="supplier")
PRICE_CAP = Reach()
WINDOW = Reach(org="compound__organization", area="compound")
WINDOW_SUPPLIER = Reach(org="package__supplier")
ORDER = Reach(org="window__compound__organization", area="window__compound")
TASK = ORDER
COMPLAINT = Reach(org="order__window__compound__organization", area="order__window__compound")
OFFER = Reach(org="provider")
REQUEST = Reach(org="firm")
REQUEST_PROVIDER = Reach(org="offer__provider")
AREA = Reach(area="pk")

MANAGERS = WRITERS["assistance"]
ORDER_WRITERS = WRITERS["orders"]
REQUESTERS = WRITERS["requests"]


def packages_for(user: Any, qs: QuerySet[Package] | None = None) -> QuerySet[Package]:
    qs = qs if qs is not None else Package.objects.all()
    return scoped(user, qs.select_related("supplier"), reach=PACKAGE)


def get_package(user: Any, pk: Any, *, write: bool = False) -> Package:
    qs = Package.objects.select_related("supplier")
    return get_for_user(user, qs, reach=PACKAGE, roles=MANAGERS if write else None, pk=pk)


def price_caps_for(user: Any) -> QuerySet[PriceCap]:
    return scoped(user, PriceCap.objects.select_related("organization"), reach=PRICE_CAP)


def windows_for(user: Any, qs: WindowQuerySet | None = None) -> WindowQuerySet:
    """Windows of the compounds the user reaches, and those selling the packages of suppliers
    the user reaches (the supplier's side: its pick lists)."""
    qs = qs if qs is not None else Window.objects.all()
    return qs.filter(reach_q(user, WINDOW) | reach_q(user, WINDOW_SUPPLIER)).select_related(
        "compound__organization", "package__supplier"
    )


def get_window(user: Any, pk: Any, *, write: bool = False, order: bool = False) -> Window:
    """A window, 404 outside the reach. write=True: may manage it (close it, make tasks);
    order=True: may order, deliver and record payments in it (duty officers too). Without either,
    the supplier's side reaches it as well (its pick list)."""
    if write or order:
        qs = Window.objects.select_related("compound__organization", "package__supplier")
        roles = MANAGERS if write else ORDER_WRITERS
        return get_for_user(user, qs, reach=WINDOW, roles=roles, pk=pk)
    return _one(windows_for(user), pk)


def _one(qs: QuerySet[M], pk: Any) -> M:
    try:
        return qs.get(pk=pk)
    except (qs.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404(_("Not found."))


def delivers(user: Any, window: Window) -> bool:
    """Whether the user sees residents' names, phones and rooms in full: those who place and
    deliver orders in the window's compound. Everyone else sees them masked."""
    writers = reach_q(user, WINDOW, roles=ORDER_WRITERS)
    return Window.objects.filter(writers, pk=window.pk).exists()


def orders_for(user: Any, qs: QuerySet[Order] | None = None) -> QuerySet[Order]:
    qs = qs if qs is not None else Order.objects.all()
    return scoped(user, qs.select_related("window__compound", "window__package"), reach=ORDER)


def get_order(user: Any, pk: Any, *, write: bool = False, manage: bool = False) -> Order:
    qs = Order.objects.select_related("window__compound__organization", "window__package")
    roles = MANAGERS if manage else ORDER_WRITERS if write else None
    return get_for_user(user, qs, reach=ORDER, roles=roles, pk=pk)


def tasks_for(user: Any, qs: QuerySet[DeliveryTask] | None = None) -> QuerySet[DeliveryTask]:
    qs = qs if qs is not None else DeliveryTask.objects.all()
    return scoped(
        user, qs.select_related("window__compound", "window__package", "person"), reach=TASK
    )


def get_task(user: Any, pk: Any, *, write: bool = False) -> DeliveryTask:
    qs = DeliveryTask.objects.select_related(
        "window__compound__organization", "window__package", "person"
    )
    return get_for_user(user, qs, reach=TASK, roles=ORDER_WRITERS if write else None, pk=pk)


def complaints_for(user: Any, qs: QuerySet[Complaint] | None = None) -> QuerySet[Complaint]:
    qs = qs if qs is not None else Complaint.objects.all()
    return scoped(
        user,
        qs.select_related("order__window__compound", "order__window__package"),
        reach=COMPLAINT,
    )


def get_complaint(user: Any, pk: Any, *, manage: bool = False) -> Complaint:
    qs = Complaint.objects.select_related(
        "order__window__compound__organization", "order__window__package"
    )
    return get_for_user(user, qs, reach=COMPLAINT, roles=MANAGERS if manage else None, pk=pk)


def offers_for(user: Any, qs: QuerySet[Offer] | None = None) -> QuerySet[Offer]:
    """The catalogue: the offers of the businesses the user reaches, and those of the members of
    any association the user belongs to or sits under (a firm sees its chamber's catalogue)."""
    qs = qs if qs is not None else Offer.objects.all()
    listed = (
        Q(provider__parent__in=reference_organizations(user))
        if not is_platform_admin(user)
        else Q()
    )
    return qs.filter(reach_q(user, OFFER) | listed).select_related("provider")


def get_offer(user: Any, pk: Any, *, write: bool = False) -> Offer:
    if write:
        qs = Offer.objects.select_related("provider")
        return get_for_user(user, qs, reach=OFFER, roles=MANAGERS, pk=pk)
    return _one(offers_for(user), pk)


def get_session(offer: Offer, pk: Any) -> Session:
    """A session of an offer already fetched through the access path (404 if not its own)."""
    return _one(Session.objects.filter(offer=offer), pk)


def requests_for(user: Any, qs: QuerySet[ServiceRequest] | None = None) -> QuerySet[ServiceRequest]:
    qs = qs if qs is not None else ServiceRequest.objects.all()
    return qs.filter(reach_q(user, REQUEST) | reach_q(user, REQUEST_PROVIDER)).select_related(
        "firm", "offer__provider", "session", "assignee"
    )


def get_request(user: Any, pk: Any, *, write: bool = False, manage: bool = False) -> ServiceRequest:
    """write=True: the firm's side (feedback, cancel); manage=True: the association (assign)."""
    qs = ServiceRequest.objects.select_related("firm", "offer__provider", "session", "assignee")
    if write or manage:
        return get_for_user(
            user, qs, reach=REQUEST, roles=MANAGERS if manage else REQUESTERS, pk=pk
        )
    return _one(requests_for(user, qs), pk)


def get_firm(user: Any, pk: Any) -> Organization:
    """The firm a request is filed for: an enterprise the user may file for."""
    qs = Organization.objects.filter(kind=OrgKind.ENTERPRISE)
    return get_for_user(user, qs, reach=ORGANIZATION, roles=REQUESTERS, pk=pk)


def with_full(user: Any, qs: QuerySet[M], reach: Reach = ORDER) -> QuerySet[M]:
    """Rows annotated `full`: whether the user sees the resident's name, phone and room in full
    (a writer of orders in that compound: who delivers), in the same query as the rows."""
    if is_platform_admin(user):
        return qs.annotate(full=Value(True, output_field=BooleanField()))
    q = reach_q(user, reach, roles=ORDER_WRITERS)
    if q is NOTHING:
        return qs.annotate(full=Value(False, output_field=BooleanField()))
    return qs.annotate(full=ExpressionWrapper(q, output_field=BooleanField()))


def managed_compounds(user: Any) -> QuerySet[Place]:
    """Compounds and villages where the user may open order windows."""
    return Place.objects.areas().filter(reach_q(user, AREA, roles=MANAGERS))


def ordering_compounds(user: Any) -> QuerySet[Place]:
    """Compounds and villages where the user may order for residents (grid workers too)."""
    return Place.objects.areas().filter(reach_q(user, AREA, roles=ORDER_WRITERS))


def get_compound(user: Any, pk: Any, *, manage: bool = False) -> Place:
    qs = Place.objects.areas().select_related("organization")
    return get_for_user(user, qs, reach=AREA, roles=MANAGERS if manage else None, pk=pk)


def writable_suppliers(user: Any) -> QuerySet[Organization]:
    return writable_organizations(user, roles=MANAGERS).filter(kind=OrgKind.ENTERPRISE)
