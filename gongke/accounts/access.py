"""THE access path. Every read and write of a scoped record goes through these functions.

A user sees the subtrees of the organizations they are members of (platform admins see all).
A record outside those subtrees does not exist for them: 404, never 403, so its existence is
not revealed. Inside, a read-only role (viewer) gets 403 on any write.

Usage, for a model whose organization is reached through `field` (a lookup path such as
"organization" or "post__organization"; "" for Organization itself):

    qs = scoped(request.user, Passage.objects.all(), field="post__organization")
    obj = get_for_user(request.user, Donation.objects.all(), pk=pk, write=True)
"""

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.registry.models import Organization, OrgKind

from .models import MANAGE_ROLES, ROLE_RANK, WRITE_ROLES, Membership, Role, User

M = TypeVar("M", bound=Model)


def _memberships(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    return user.cached_memberships


def is_platform_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_platform_admin)


def scope_q(user: Any, field: str = "organization") -> Q:
    """A Q limiting a query to the user's subtrees; matches nothing for a user without any."""
    if is_platform_admin(user):
        return Q()
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    q = Q(pk__in=[])
    for m in _memberships(user):
        q |= Q(**{lookup: m.organization.path})
    return q


def scoped(user: Any, qs: QuerySet[M], *, field: str = "organization") -> QuerySet[M]:
    return qs.filter(scope_q(user, field))


def visible_organizations(user: Any) -> QuerySet[Organization]:
    return scoped(user, Organization.objects.all(), field="")


def reference_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations whose shared lists (recipient units, warehouses) a user may pick from:
    their subtrees and the ancestors above them. Reading only; writing stays in the subtree."""
    if is_platform_admin(user):
        return Organization.objects.all()
    paths: set[str] = set()
    for m in _memberships(user):
        p = m.organization.path
        paths.update(p[: i + 5] for i in range(0, len(p), 5))
    return Organization.objects.filter(Q(path__in=paths) | scope_q(user, ""))


def role_over(user: Any, org: Organization) -> Role | None:
    """The strongest role the user holds over `org`, or None if it is outside their subtrees."""
    if is_platform_admin(user):
        return Role.PLATFORM_ADMIN
    roles = [Role(m.role) for m in _memberships(user) if org.path.startswith(m.organization.path)]
    return max(roles, key=lambda r: ROLE_RANK[r]) if roles else None


def require_write(user: Any, org: Organization, *, manage: bool = False) -> Role:
    """Raise 404 outside the user's subtrees and 403 for a role that may not write here.

    manage=True asks for staff or admin (registry edits, users); plain writes admit reporters
    and duty officers too, whose own apps narrow further (their enterprise, their posts).
    """
    role = role_over(user, org)
    if role is None:
        raise Http404(_("Not found."))
    allowed = MANAGE_ROLES if manage else WRITE_ROLES
    if role not in allowed:
        raise PermissionDenied(_("Your role may only read here."))
    return role


def require_admin(user: Any, org: Organization) -> None:
    role = role_over(user, org)
    if role is None:
        raise Http404(_("Not found."))
    if role not in {Role.ORG_ADMIN, Role.PLATFORM_ADMIN}:
        raise PermissionDenied(_("Only an organization admin may do this."))


def _org_of(obj: Model, field: str) -> Organization:
    if not field:
        assert isinstance(obj, Organization)
        return obj
    target: Any = obj
    for part in field.split("__"):
        target = getattr(target, part)
    return target


def get_for_user(
    user: Any,
    qs: QuerySet[M],
    *,
    field: str = "organization",
    write: bool = False,
    manage: bool = False,
    **lookup: Any,
) -> M:
    """One record through the access path: 404 if absent or outside, 403 if read-only role."""
    try:
        obj = scoped(user, qs, field=field).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404(_("Not found."))
    if write or manage:
        require_write(user, _org_of(obj, field), manage=manage)
    return obj


def can_write(user: Any, org: Organization, *, manage: bool = False) -> bool:
    role = role_over(user, org)
    return role is not None and role in (MANAGE_ROLES if manage else WRITE_ROLES)


def writable_organizations(user: Any, *, manage: bool = False) -> QuerySet[Organization]:
    """Organizations the user may write to: subtrees of their writing memberships."""
    if is_platform_admin(user):
        return Organization.objects.all()
    allowed = MANAGE_ROLES if manage else WRITE_ROLES
    q = Q(pk__in=[])
    for m in _memberships(user):
        if Role(m.role) in allowed:
            q |= Q(path__startswith=m.organization.path)
    return Organization.objects.filter(q)


def duty_post_ids(user: Any) -> set[int] | None:
    """The posts a duty officer is bound to; None means 'not limited to posts'."""
    ms = _memberships(user)
    if is_platform_admin(user) or any(Role(m.role) != Role.DUTY_OFFICER for m in ms):
        return None
    return {p.pk for m in ms for p in m.posts.all()}


def admin_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations whose users `user` manages: the subtrees where they are organization admin."""
    if is_platform_admin(user):
        return Organization.objects.all()
    q = Q(pk__in=[])
    for m in _memberships(user):
        if Role(m.role) == Role.ORG_ADMIN:
            q |= Q(path__startswith=m.organization.path)
    return Organization.objects.filter(q)


def managed_users(user: Any) -> QuerySet[User]:
    """Users with a membership inside the subtrees `user` administers (platform admins: all)."""
    if is_platform_admin(user):
        return User.objects.all()
    paths = [m.organization.path for m in _memberships(user) if Role(m.role) == Role.ORG_ADMIN]
    if not paths:
        return User.objects.none()
    ids = Membership.objects.filter(_or_paths(paths, "organization__path")).values("user_id")
    # Platform admins are managed by the platform alone.
    return User.objects.filter(pk__in=ids, is_superuser=False).exclude(
        memberships__role=Role.PLATFORM_ADMIN
    )


def _or_paths(paths: list[str], lookup: str) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{lookup}__startswith": p})
    return q


def get_managed_user(user: Any, pk: Any, *, entirely: bool = False) -> User:
    """A user the admin manages, 404 otherwise. entirely=True (deactivate, reset password) also
    asks that every membership of theirs is inside the admin's subtrees: 403 if not."""
    if not (
        is_platform_admin(user) or any(Role(m.role) == Role.ORG_ADMIN for m in _memberships(user))
    ):
        raise PermissionDenied(_("Only an organization admin may do this."))
    try:
        target = managed_users(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found."))
    if entirely and not is_platform_admin(user):
        inside = admin_organizations(user)
        if target.memberships.exclude(organization__in=inside).exists():
            raise PermissionDenied(_("This user also belongs to organizations you do not manage."))
    return target


# --- What pages offer: menus and buttons ------------------------------------------------------
# These decide only what a page shows; every write still goes through the app's access helper.

_MANAGE = frozenset(MANAGE_ROLES)
# The roles that write in each area (docs/access.md, "Who may write").
WRITERS: dict[str, frozenset[Role]] = {
    "registry": _MANAGE,
    "donations": _MANAGE,
    "census": _MANAGE | {Role.DUTY_OFFICER},
    "passages": _MANAGE | {Role.DUTY_OFFICER},
    "community": _MANAGE,
    "resumption": _MANAGE | {Role.REPORTER},
    "review": _MANAGE,
    "users": frozenset({Role.ORG_ADMIN, Role.PLATFORM_ADMIN}),
}
MENUS = ("registry", "donations", "resumption", "community", "census", "users")


def menus_for(user: Any) -> set[str]:
    """The main-menu entries in which the user reaches something (docs/access.md, "reaches"):
    a duty officer community duty and census; a membership of an enterprise its registry entry
    and work resumption; any other membership every app; users and audit for organization admins.
    """
    if is_platform_admin(user):
        return set(MENUS)
    menus: set[str] = set()
    for m in _memberships(user):
        role = Role(m.role)
        if role == Role.DUTY_OFFICER:
            menus |= {"community", "census"}
        elif role == Role.REPORTER or m.organization.kind == OrgKind.ENTERPRISE:
            menus |= {"registry", "resumption"}
        else:
            menus |= {"registry", "donations", "resumption", "community", "census"}
        if role == Role.ORG_ADMIN:
            menus.add("users")
    return menus


def may(user: Any, area: str, org: Organization | None = None) -> bool:
    """Whether one of the user's memberships writes in `area` (a key of WRITERS) over `org`, or
    anywhere when `org` is None. Usage in templates: {% may "donations" gift.organization as can %}.
    """
    if is_platform_admin(user):
        return True
    writers = WRITERS[area]
    return any(
        Role(m.role) in writers and (org is None or org.path.startswith(m.organization.path))
        for m in _memberships(user)
    )


__all__ = [
    "User",
    "admin_organizations",
    "get_managed_user",
    "managed_users",
    "can_write",
    "duty_post_ids",
    "get_for_user",
    "is_platform_admin",
    "may",
    "menus_for",
    "reference_organizations",
    "require_admin",
    "require_write",
    "role_over",
    "scope_q",
    "scoped",
    "visible_organizations",
    "writable_organizations",
]
