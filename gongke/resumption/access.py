"""Who may do what in work resumption, on top of the one access path (gongke.accounts.access).

Reporting (daily reports, temperatures, applications) is for the enterprise's reporter and for
its association's staff; a duty officer or a viewer inside the subtree reads only. Reviewing and
the association's settings are for the association's staff and admins.
"""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.accounts.access import (
    ORGANIZATION_READERS,
    get_for_user,
    get_root,
    require_write,
    role_over,
    scoped,
    visible_organizations,
)
from gongke.accounts.models import Role
from gongke.registry.models import Organization, OrgKind

from .models import Application, FeverCase, Lease

REPORTING_ROLES = {Role.REPORTER, Role.ORG_STAFF, Role.ORG_ADMIN, Role.PLATFORM_ADMIN}


def require_reporting(user: Any, enterprise: Organization) -> None:
    role = role_over(user, enterprise)
    if role is None:
        raise Http404(_("Not found."))
    if role not in REPORTING_ROLES:
        raise PermissionDenied(_("Your role may only read here."))


def may_report(user: Any, enterprise: Organization) -> bool:
    return role_over(user, enterprise) in REPORTING_ROLES


def enterprise_for(user: Any, pk: Any, *, write: bool = False) -> Organization:
    org = get_for_user(
        user,
        Organization.objects.filter(kind=OrgKind.ENTERPRISE).select_related("parent", "township"),
        field="",
        pk=pk,
    )
    if write:
        require_reporting(user, org)
    return org


def body_for(user: Any, pk: Any, *, manage: bool = False) -> Organization:
    """An association (or any non-enterprise body) whose work resumption the user follows (a duty
    officer's membership does not); manage=True for its staff only."""
    org = get_root(user, pk)
    if org.kind == OrgKind.ENTERPRISE:
        raise Http404(_("Not found."))
    if manage:
        require_write(user, org, manage=True)
    return org


def require_review(user: Any, enterprise: Organization) -> None:
    """The enterprise's association (or above) reviews; the enterprise itself may not."""
    association = enterprise.parent
    if association is None or role_over(user, association) is None:
        raise PermissionDenied(_("Only the association's staff may review applications."))
    require_write(user, association, manage=True)


def visible_enterprises(user: Any) -> QuerySet[Organization]:
    return visible_organizations(user).filter(kind=OrgKind.ENTERPRISE)


def home_org(user: Any) -> Organization | None:
    """The organization a user's pages open on: their strongest membership, or for a platform
    admin the top of the tree."""
    m = user.primary_membership
    # A duty officer's organization: its work resumption is not theirs to follow.
    org = m.organization if m is not None and m.role in ORGANIZATION_READERS else None
    if org is None and user.is_platform_admin:
        org = Organization.objects.filter(parent__isnull=True).order_by("path").first()
    return org


def dashboard_org(user: Any, pk: Any = None) -> Organization:
    return get_root(user, pk)


def applications_for(user: Any) -> QuerySet[Application]:
    return scoped(
        user, Application.objects.select_related("enterprise__parent"), field="enterprise"
    )


def fevers_for(user: Any) -> QuerySet[FeverCase]:
    return scoped(user, FeverCase.objects.select_related("enterprise"), field="enterprise")


def leases_for(user: Any) -> QuerySet[Lease]:
    return scoped(
        user,
        Lease.objects.select_related("programme__landlord__parent", "tenant"),
        field="programme__landlord",
    )
