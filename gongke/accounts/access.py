"""THE access path. Every read and write of a scoped record goes through these functions.

The one rule (docs/access.md), applied per membership:
- a platform admin reaches everything;
- any other membership reaches its organization's subtree, except a duty officer's, which
  reaches only its posts, their compounds/villages and what is tied to them (and its own
  organization as an organization);
- a user reaches the union; a write needs a membership with a writing role that reaches the row.

A record outside the reach does not exist for the user: 404, never 403, so its existence is not
revealed. Inside, a role that may not write gets 403.

Each model says how its rows are reached with a `Reach` (the lookup to the owning organization,
and for rows tied to a duty post or a compound, the lookup to that place). The apps' access.py
modules hold one Reach per model and offer `get_<obj>(user, id, *, write=False)` and
`<objs>_for(user)`:

    PASSAGE = Reach(org="post__organization", post="post")
    qs = scoped(user, Passage.objects.all(), reach=PASSAGE)
    obj = get_for_user(user, Passage.objects.all(), reach=PASSAGE, pk=pk, write=True)

The narrowing is SQL (subqueries on the membership's posts), so it adds no query of its own,
and nothing about permissions is kept on model instances or between requests.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Model, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.registry.models import Organization, OrganizationQuerySet, OrgKind, Place

from .models import MANAGE_ROLES, ROLE_RANK, WRITE_ROLES, Membership, Role, User

M = TypeVar("M", bound=Model)
# A query set keeps its own class through scoping (its custom methods: search, bodies...).
QS = TypeVar("QS", bound=QuerySet[Any])


@dataclass(frozen=True)
class Reach:
    """How rows of one model are reached. `org` is the lookup to the owning organization ("" for
    Organization itself); `post` the lookup to the duty post a row is tied to; `area` the lookup
    to the compound or village it is tied to ("pk" when the model is Place itself)."""

    org: str = "organization"
    post: str | None = None
    area: str | None = None


ORGANIZATION = Reach(org="")
NOTHING = Q(pk__in=[])


def _memberships(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    return user.cached_memberships


def is_platform_admin(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_platform_admin)


def _lookup(prefix: str, rest: str) -> str:
    return f"{prefix}__{rest}" if prefix else rest


def membership_q(m: Membership, reach: Reach) -> Q:
    """THE rule: the rows of a model that one membership reaches."""
    in_subtree = Q(**{_lookup(reach.org, "path__startswith"): m.organization.path})
    if m.role != Role.DUTY_OFFICER:
        return in_subtree
    if not reach.org:
        return Q(pk=m.organization_id)
    # The through table alone: the cheapest subquery to build and to run (asked per passage).
    posts = Membership.posts.through.objects.filter(membership_id=m.pk).values("place_id")
    tied = NOTHING
    if reach.post is not None:
        tied |= Q(**{f"{reach.post}__in": posts})
    if reach.area is not None:
        areas = Place.objects.filter(children__duty_memberships=m.pk).values("pk")
        tied |= Q(**{f"{reach.area}__in": areas})
    return tied & in_subtree if tied is not NOTHING else NOTHING


def reach_q(user: Any, reach: Reach, *, roles: Collection[Role] | None = None) -> Q:
    """The rows the user reaches (through memberships with one of `roles`, if given)."""
    if is_platform_admin(user):
        return Q()
    q = NOTHING
    for m in _memberships(user):
        if roles is None or Role(m.role) in roles:
            q |= membership_q(m, reach)
    return q


def _reach(field: str | None, reach: Reach | None) -> Reach:
    if reach is not None:
        return reach
    return Reach(org=field if field is not None else "organization")


def scope_q(user: Any, field: str = "organization") -> Q:
    """A Q limiting a query to what the user reaches through the organization at `field`."""
    return reach_q(user, Reach(org=field))


def scoped(user: Any, qs: QS, *, field: str | None = None, reach: Reach | None = None) -> QS:
    return qs.filter(reach_q(user, _reach(field, reach)))


def visible_organizations(
    user: Any, *, roles: Collection[Role] | None = None
) -> OrganizationQuerySet:
    """Organizations the user reaches (through memberships with one of `roles`, if given)."""
    return Organization.objects.filter(reach_q(user, ORGANIZATION, roles=roles))


# Roles that read an organization's own work (donations, work resumption, its figures): a duty
# officer's membership reaches its posts and names its organization, nothing more.
ORGANIZATION_READERS = frozenset(set(Role) - {Role.DUTY_OFFICER})


def get_root(user: Any, pk: Any = None, *, roles: Collection[Role] = ORGANIZATION_READERS):
    """The organization whose subtree a dashboard or a list of figures is about: the one asked
    for (404 if not reached), else the user's own, else the top one they reach (403 if none)."""
    orgs = visible_organizations(user, roles=roles)
    if pk not in (None, ""):
        try:
            return orgs.get(pk=pk)
        except (Organization.DoesNotExist, ValueError, TypeError):
            raise Http404(_("Not found."))
    own = getattr(user, "primary_organization", None)
    if own is not None and orgs.filter(pk=own.pk).exists():
        return own
    top = orgs.order_by("depth", "path").first()
    if top is None:  # nothing asked for, nothing reached: the page is not for this role
        raise PermissionDenied(_("Your role does not cover this page."))
    return top


def reference_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations whose shared lists (recipient units, warehouses) a user may pick from:
    what they reach and the ancestors above it. Reading only; writing stays in the subtree."""
    if is_platform_admin(user):
        return Organization.objects.all()
    paths: set[str] = set()
    for m in _memberships(user):
        p = m.organization.path
        paths.update(p[: i + 5] for i in range(0, len(p), 5))
    return Organization.objects.filter(Q(path__in=paths) | reach_q(user, ORGANIZATION))


def _reaches_org(m: Membership, org: Organization) -> bool:
    if m.role == Role.DUTY_OFFICER:
        return m.organization_id == org.pk
    return org.path.startswith(m.organization.path)


def role_over(user: Any, org: Organization) -> Role | None:
    """The strongest role the user holds over `org` itself, or None if they do not reach it."""
    if is_platform_admin(user):
        return Role.PLATFORM_ADMIN
    roles = [Role(m.role) for m in _memberships(user) if _reaches_org(m, org)]
    return max(roles, key=lambda r: ROLE_RANK[r]) if roles else None


def _roles(manage: bool, roles: Collection[Role] | None) -> Collection[Role]:
    if roles is not None:
        return roles
    return MANAGE_ROLES if manage else WRITE_ROLES


def _refuse_write(roles: Collection[Role]) -> PermissionDenied:
    if set(roles) <= {Role.ORG_ADMIN, Role.PLATFORM_ADMIN}:
        return PermissionDenied(_("Only an organization admin may do this."))
    return PermissionDenied(_("Your role may only read here."))


def require_write(
    user: Any, org: Organization, *, manage: bool = False, roles: Collection[Role] | None = None
) -> Role:
    """Raise 404 when the user does not reach `org` and 403 when no role of theirs over it may
    write (manage=True: staff or admin; `roles`: exactly these)."""
    role = role_over(user, org)
    if role is None:
        raise Http404(_("Not found."))
    allowed = _roles(manage, roles)
    if is_platform_admin(user):
        return role
    writing = [Role(m.role) for m in _memberships(user) if _reaches_org(m, org)]
    if not any(r in allowed for r in writing):
        raise _refuse_write(allowed)
    return role


def require_admin(user: Any, org: Organization) -> None:
    require_write(user, org, roles={Role.ORG_ADMIN, Role.PLATFORM_ADMIN})


def get_for_user(
    user: Any,
    qs: QuerySet[M],
    *,
    field: str | None = None,
    reach: Reach | None = None,
    write: bool = False,
    manage: bool = False,
    roles: Collection[Role] | None = None,
    **lookup: Any,
) -> M:
    """One record through the access path: 404 if absent or not reached; with write (manage:
    staff or admin; roles: exactly these), 403 unless a membership with a writing role reaches
    it. One query either way."""
    r = _reach(field, reach)
    qs = scoped(user, qs, reach=r)
    allowed = _roles(manage, roles)
    check = (write or manage or roles is not None) and not is_platform_admin(user)
    if check and all(Role(m.role) in allowed for m in _memberships(user)):
        check = False  # every membership that reaches the row may write it
    if check:
        writers = reach_q(user, r, roles=allowed)
        if writers is not NOTHING:
            # Whether a writing membership reaches the row, read in the same query.
            qs = qs.annotate(gk_may_write=ExpressionWrapper(writers, output_field=BooleanField()))
    try:
        obj = qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404(_("Not found."))
    if check and not obj.__dict__.pop("gk_may_write", False):
        raise _refuse_write(allowed)
    return obj


def get_remembered(
    user: Any,
    model: type[M],
    pk: Any,
    *,
    roles: Collection[Role] | None,
    decide: Callable[[], M],
    fetch: Callable[[], M | None],
) -> M:
    """`decide()` (a get_for_user of `model` by `pk` with `roles`), its answer (ok, 403 or 404)
    remembered for a few seconds in the shared cache under the access generation
    (accounts.grants): while it holds, `fetch()` reads the row by its pk alone (None: absent),
    without building the narrowing subqueries (the guard's passage path asks the same question
    every few seconds). Only for models whose reach is decided by organizations, places and
    memberships, the rows whose every change starts a new generation (a post is a place)."""
    from . import grants

    if not getattr(user, "is_authenticated", False):
        return decide()
    mode = ",".join(sorted(roles)) if roles is not None else "read"
    key = f"gk:decide:{user.pk}:{model._meta.label_lower}:{pk}:{mode}"
    gen, known = grants.recall(key)
    if known == "ok":
        obj = fetch()
        if obj is None:
            raise Http404(_("Not found."))
        return obj
    if known == "404":
        raise Http404(_("Not found."))
    if known == "403":
        raise _refuse_write(_roles(False, roles))
    try:
        obj = decide()
    except Http404:
        grants.remember(key, gen, "404")
        raise
    except PermissionDenied:
        grants.remember(key, gen, "403")
        raise
    grants.remember(key, gen, "ok")
    return obj


def can_write(
    user: Any, org: Organization, *, manage: bool = False, roles: Collection[Role] | None = None
) -> bool:
    try:
        require_write(user, org, manage=manage, roles=roles)
    except (Http404, PermissionDenied):
        return False
    return True


def writable_organizations(
    user: Any, *, manage: bool = False, roles: Collection[Role] | None = None
) -> QuerySet[Organization]:
    """Organizations the user may write to through a membership with a writing role."""
    return visible_organizations(user, roles=_roles(manage, roles))


def admin_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations whose users `user` manages: the subtrees where they are organization admin."""
    return writable_organizations(user, roles={Role.ORG_ADMIN, Role.PLATFORM_ADMIN})


def managed_users(user: Any) -> QuerySet[User]:
    """Users with a membership inside the subtrees `user` administers (platform admins: all)."""
    if is_platform_admin(user):
        return User.objects.all()
    ids = Membership.objects.filter(reach_q(user, Reach(), roles={Role.ORG_ADMIN})).values(
        "user_id"
    )
    # Platform admins are managed by the platform alone.
    return User.objects.filter(pk__in=ids, is_superuser=False).exclude(
        memberships__role=Role.PLATFORM_ADMIN
    )


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
    "volunteers": _MANAGE,
    "notices": _MANAGE,
    "supplies": _MANAGE,
    "users": frozenset({Role.ORG_ADMIN, Role.PLATFORM_ADMIN}),
    # Services: packages, price caps, order windows, service offers, assigning requests.
    "assistance": _MANAGE,
    # Ordering for a resident, delivering, recording payments and complaints (grid workers too).
    "orders": _MANAGE | {Role.DUTY_OFFICER},
    # A firm's requests for services and its feedback.
    "requests": _MANAGE | {Role.REPORTER},
}
MENUS = (
    "registry",
    "donations",
    "supplies",
    "resumption",
    "community",
    "census",
    "volunteers",
    "assistance",
    "notices",
    "briefings",
    "users",
)


def menus_for(user: Any) -> set[str]:
    """The main-menu entries in which the user reaches something (docs/access.md, "reaches"):
    a duty officer community duty, census and services (orders in their compounds); a membership
    of an enterprise its registry entry, work resumption and services (its packages and
    requests); any other membership every app; users and audit for organization admins.
    """
    if is_platform_admin(user):
        return set(MENUS)
    menus: set[str] = set()
    for m in _memberships(user):
        role = Role(m.role)
        # Every member has an inbox of notices addressed to them.
        menus.add("notices")
        if role == Role.DUTY_OFFICER:
            menus |= {"community", "census", "assistance"}
        elif role == Role.REPORTER or m.organization.kind == OrgKind.ENTERPRISE:
            menus |= {"registry", "resumption", "assistance"}
        else:
            menus |= {
                "registry",
                "donations",
                "supplies",
                "resumption",
                "community",
                "census",
                "volunteers",
                "assistance",
                "briefings",
            }
        if role == Role.ORG_ADMIN:
            menus.add("users")
    return menus


def may(user: Any, area: str, org: Organization | None = None) -> bool:
    """Whether one of the user's memberships writes in `area` (a key of WRITERS) over `org`, or
    anywhere when `org` is None. Usage in templates: {% may "donations" gift.organization as can %}.
    """
    if org is not None:
        return can_write(user, org, roles=WRITERS[area])
    return is_platform_admin(user) or any(Role(m.role) in WRITERS[area] for m in _memberships(user))


__all__ = [
    "ORGANIZATION",
    "Reach",
    "membership_q",
    "reach_q",
    "User",
    "admin_organizations",
    "get_managed_user",
    "managed_users",
    "can_write",
    "get_for_user",
    "get_remembered",
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
