"""The home dashboard's panels, one per app, read-only over the apps' data and access paths.

Each panel returns rendered HTML fragments (none when it has nothing to say for this user).
"""

from collections.abc import Callable

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from gongke.accounts.models import Role
from gongke.census.access import ISOLATION, visible
from gongke.census.models import DailyCheck, Isolation
from gongke.community.access import alerts_for, posts_for, spots_for
from gongke.community.models import Alert, Passage, Spot
from gongke.donations import figures
from gongke.donations.rollups import rollup
from gongke.resumption import stats
from gongke.resumption.access import home_org
from gongke.resumption.models import DailyReport, Notification, local_today


def resumption(request: HttpRequest) -> list[str]:
    """Reminders for a reporter, today's figures for an association."""
    user = request.user
    org = home_org(user)
    day = local_today()
    notices = []
    # Only reporters get reminders: nobody else pays a query for them.
    if any(m.role == Role.REPORTER for m in user.cached_memberships):  # type: ignore[union-attr]
        notices = list(
            Notification.objects.filter(user=user, day=day, read_at__isnull=True)[:5]  # type: ignore[misc]
        )
    o = stats.panel(org, day) if org is not None and not org.is_enterprise else None
    # An enterprise's own user sees whether today's report is in, with the way to send it.
    own = None
    if org is not None and org.is_enterprise:
        own = {"org": org, "sent": DailyReport.objects.filter(enterprise=org, day=day).exists()}
    if o is None and own is None and not notices:
        return []
    context = {"o": o, "own": own, "notices": notices, "day": day}
    return [render_to_string("briefings/panels/resumption.html", context, request)]


def community(request: HttpRequest) -> list[str]:
    """Today's passages, unhandled fever alerts, overdue disinfection at the posts reached."""
    user = request.user
    posts = posts_for(user)
    if not posts.exists():
        return []
    ctx = {
        "passages": Passage.objects.filter(post__in=posts).on_day(timezone.localdate()).count(),
        "alerts": alerts_for(user, Alert.objects.filter(handled_at__isnull=True)).count(),
        "overdue": spots_for(user, Spot.objects.overdue()).count(),
    }
    return [render_to_string("briefings/panels/community.html", ctx, request)]


def census(request: HttpRequest) -> list[str]:
    """Whose isolation ends today, whose daily check is missing."""
    today = timezone.localdate()
    running = visible(request.user, Isolation.objects.running_on(today), field=ISOLATION)
    checked = DailyCheck.objects.filter(day=today).values("isolation")
    counts = running.aggregate(
        running=Count("pk"),
        ending=Count("pk", filter=Q(end_day=today)),
        missing=Count("pk", filter=~Q(pk__in=checked)),
        fever=Count("pk", filter=Q(pk__in=checked.filter(temperature__gte="37.3"))),
    )
    if not counts["running"]:
        return []
    ending = list(running.filter(end_day=today).select_related("resident__household__place")[:10])
    ctx = {"counts": counts, "ending": ending}
    return [render_to_string("briefings/panels/census.html", ctx, request)]


def donations(request: HttpRequest) -> list[str]:
    """What was received, pledged and allocated in the user's subtree."""
    root = getattr(request.user, "primary_organization", None)
    if root is None:
        return []
    scope = figures.Scope(root=root)
    total = rollup(root, organizations=root.__class__.objects.filter(pk=root.pk))[root.pk]
    ctx = {"root": root, "total": total, "donors_above": figures.donors_above(scope)}
    return [render_to_string("briefings/panels/donations.html", ctx, request)]


Panel = Callable[[HttpRequest], list[str]]
ALL: list[Panel] = [resumption, community, census, donations]
# What each role's home leads with: a guard at a gate needs the post and the census, a reporter
# the day's report. Others (admins, staff, viewers) see every panel and the register's figures.
BY_ROLE: dict[Role, list[Panel]] = {
    Role.DUTY_OFFICER: [community, census],
    Role.REPORTER: [resumption, donations],
}


def panels_for(request: HttpRequest, role: Role | None) -> list[str]:
    out: list[str] = []
    for panel in BY_ROLE.get(role, ALL) if role else ALL:
        out.extend(panel(request))
    return out
