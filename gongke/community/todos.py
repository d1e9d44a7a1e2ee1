"""Community duty's to-dos on the home page (gongke.lib.todos): alerts to handle, hours of the
roster nobody covers, and for a duty officer the way to their post."""

from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongke.accounts.access import may
from gongke.accounts.models import Role
from gongke.lib.todos import Todo, provider

from . import services
from .access import alerts_for, posts_for
from .models import Alert

GAP_HOURS = 24  # the roster's gaps looked at from the home page
GAP_POSTS = 500  # posts checked at most (a county has ~600; the roster page pages them all)


@provider("community")
def community_todos(user: Any) -> list[Todo]:
    out: list[Todo] = []
    if any(m.role == Role.DUTY_OFFICER for m in user.cached_memberships):
        for post in posts_for(user).select_related("parent").order_by("name")[:4]:
            out.append(
                Todo(
                    _("Open the duty console at %(post)s") % {"post": post.name},
                    reverse("community:console", args=[post.pk]),
                    urgent=True,
                )
            )
    if may(user, "passages"):
        alerts = alerts_for(user, Alert.objects.filter(handled_at__isnull=True)).count()
        if alerts:
            out.append(
                Todo(
                    _("%(n)s fever alerts to handle") % {"n": alerts},
                    reverse("community:alerts") + "?open=1",
                    alerts,
                    urgent=True,
                )
            )
    if may(user, "community"):
        start = timezone.now()
        posts = list(posts_for(user).order_by("pk")[:GAP_POSTS])
        if posts:
            gaps = services.uncovered(
                posts=posts, start=start, end=start + timedelta(hours=GAP_HOURS)
            )
            open_posts = sum(1 for spans in gaps.values() if spans)
            if open_posts:
                out.append(
                    Todo(
                        _("%(n)s duty posts have uncovered hours in the next 24 hours")
                        % {"n": open_posts},
                        reverse("community:roster"),
                        open_posts,
                    )
                )
    return out
