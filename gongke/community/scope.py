"""Which posts and compounds a user reaches: the access path, narrowed for duty officers.

A duty officer reaches only the posts they are bound to and those posts' compounds; everyone
else reaches the posts and compounds of their organizations' subtrees. Outside: 404.
"""

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.accounts.access import duty_post_ids, get_for_user, is_platform_admin, scoped
from gongke.accounts.models import Membership, Role
from gongke.census.models import Resident
from gongke.registry.models import Place


def duty_posts(user: Any) -> set[int] | None:
    """accounts.access.duty_post_ids, remembered on the request's user (asked twice per passage)."""
    if not getattr(user, "is_authenticated", False):
        return duty_post_ids(user)
    if not hasattr(user, "_community_duty_posts"):
        user._community_duty_posts = duty_post_ids(user)
    return user._community_duty_posts


def visible_posts(user: Any) -> QuerySet[Place]:
    qs = scoped(user, Place.objects.posts().filter(is_active=True), field="organization")
    ids = duty_posts(user)
    return qs if ids is None else qs.filter(pk__in=ids)


def visible_areas(user: Any) -> QuerySet[Place]:
    qs = scoped(user, Place.objects.areas(), field="organization")
    ids = duty_posts(user)
    return qs if ids is None else qs.filter(children__pk__in=ids).distinct()


def _duty_only(user: Any) -> bool:
    """True when duty_post_ids(user) would limit the user to posts (read from loaded memberships)."""
    ms = user.cached_memberships if getattr(user, "is_authenticated", False) else []
    return not is_platform_admin(user) and all(m.role == Role.DUTY_OFFICER for m in ms)


def get_post(user: Any, pk: Any, *, write: bool = False, resident_id: int | None = None) -> Place:
    """The post, or 404. With resident_id, post.resident_name is that resident's name if they
    live in the post's compound (None otherwise), found in the same query: see post_residents."""
    qs = Place.objects.posts().select_related("organization", "parent")
    if resident_id:
        qs = qs.annotate(
            resident_name=Subquery(
                Resident.objects.filter(
                    pk=resident_id, household__place_id=OuterRef("parent_id")
                ).values("name")[:1]
            )
        )
    duty_only = _duty_only(user)
    if duty_only:
        # The same rule as duty_post_ids, folded into the one query (every passage asks this).
        qs = qs.filter(
            pk__in=Membership.posts.through.objects.filter(membership__user=user).values("place_id")
        )
    return get_for_user(user, qs, pk=pk, write=write)


def post_residents(post: Place, resident_id: int | None) -> dict[int, str] | None:
    """The residents map record_passages wants, from a post fetched with get_post(resident_id=…)."""
    if not resident_id:
        return None
    name = getattr(post, "resident_name", None)
    return {} if name is None else {resident_id: name}


def get_area(user: Any, pk: Any, *, write: bool = False) -> Place:
    area = get_for_user(
        user, Place.objects.areas().select_related("organization"), pk=pk, write=write
    )
    ids = duty_posts(user)
    if ids is not None and not area.children.filter(pk__in=ids).exists():
        raise Http404(_("Not found."))
    return area


def get_place(user: Any, pk: Any, *, write: bool = False) -> Place:
    """A compound, village or post (disinfection spots may be at either)."""
    place = get_for_user(
        user, Place.objects.select_related("organization", "parent"), pk=pk, write=write
    )
    if place.kind == "post":
        return get_post(user, pk, write=write)
    return get_area(user, pk, write=write)


def visible_alerts(user: Any, qs: QuerySet | None = None) -> QuerySet:
    """Fever alerts through the access path; a duty officer sees only their own posts' alerts
    (an alert carries a resident's name and temperature)."""
    from .models import Alert

    qs = scoped(user, qs if qs is not None else Alert.objects.all(), field="organization")
    ids = duty_posts(user)
    return qs if ids is None else qs.filter(post_id__in=ids)


def get_post_for_passage(request: Any, pk: Any, *, resident_id: int | None = None) -> Place:
    """The post a passage is written at: get_post(write=True) and the duty-post check, asked of
    the database on every passage (nothing kept per process: another worker must see a change)."""
    from .services import check_post_access

    post = get_post(request.user, pk, write=True, resident_id=resident_id)
    check_post_access(request.user, post)
    return post
