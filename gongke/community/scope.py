"""Which posts and compounds a user reaches: the access path, narrowed for duty officers.

A duty officer reaches only the posts they are bound to and those posts' compounds; everyone
else reaches the posts and compounds of their organizations' subtrees. Outside: 404.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from gongke.accounts.access import duty_post_ids, get_for_user, scoped
from gongke.registry.models import Place


def visible_posts(user: Any) -> QuerySet[Place]:
    qs = scoped(user, Place.objects.posts().filter(is_active=True), field="organization")
    ids = duty_post_ids(user)
    return qs if ids is None else qs.filter(pk__in=ids)


def visible_areas(user: Any) -> QuerySet[Place]:
    qs = scoped(user, Place.objects.areas(), field="organization")
    ids = duty_post_ids(user)
    return qs if ids is None else qs.filter(children__pk__in=ids).distinct()


def get_post(user: Any, pk: Any, *, write: bool = False) -> Place:
    post = get_for_user(
        user, Place.objects.posts().select_related("organization", "parent"), pk=pk, write=write
    )
    ids = duty_post_ids(user)
    if ids is not None and post.pk not in ids:
        raise Http404(_("Not found."))
    return post


def get_area(user: Any, pk: Any, *, write: bool = False) -> Place:
    area = get_for_user(
        user, Place.objects.areas().select_related("organization"), pk=pk, write=write
    )
    ids = duty_post_ids(user)
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
