"""The home dashboard's panels, one per app, read-only over the apps' data and access paths.

Each panel returns rendered HTML fragments (none when it has nothing to say for this user).
"""

from collections.abc import Callable

from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from gongke.accounts.access import reach_q
from gongke.accounts.models import Role
from gongke.assistance.access import ORDER, ORDER_WRITERS, TASK, orders_for, tasks_for
from gongke.assistance.models import DeliveryTask, Order, OrderStatus
from gongke.census.access import ISOLATION, visible
from gongke.census.models import DailyCheck, Isolation
from gongke.community.access import alerts_for, posts_for, spots_for
from gongke.community.models import Alert, Passage, Spot
from gongke.donations import figures
from gongke.donations.rollups import rollup
from gongke.notices.access import inbox_for
from gongke.notices.services import mark_delivered
from gongke.resumption import stats
from gongke.resumption.access import home_org
from gongke.resumption.models import DailyReport, Notification, local_today
from gongke.volunteers.todo import todo as volunteer_todo


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


def assistance(request: HttpRequest) -> list[str]:
    """To do: orders to deliver today (and overdue), delivery tasks still open."""
    user = request.user
    today = timezone.localdate()
    # Only where the user delivers: a viewer has nothing to do here.
    orders = orders_for(
        user, Order.objects.filter(status=OrderStatus.PLACED, window__day__lte=today)
    ).filter(reach_q(user, ORDER, roles=ORDER_WRITERS))
    counts = orders.aggregate(orders=Count("pk"), packages=Sum("quantity"))
    if not counts["orders"]:
        return []
    tasks = tasks_for(user, DeliveryTask.objects.filter(done_at__isnull=True)).filter(
        reach_q(user, TASK, roles=ORDER_WRITERS), window__day__lte=today
    )
    ctx = {"counts": counts, "tasks": tasks.count()}
    return [render_to_string("briefings/panels/assistance.html", ctx, request)]


def donations(request: HttpRequest) -> list[str]:
    """What was received, pledged and allocated in the user's subtree."""
    root = getattr(request.user, "primary_organization", None)
    if root is None:
        return []
    scope = figures.Scope(root=root)
    total = rollup(root, organizations=root.__class__.objects.filter(pk=root.pk))[root.pk]
    ctx = {"root": root, "total": total, "donors_above": figures.donors_above(scope)}
    return [render_to_string("briefings/panels/donations.html", ctx, request)]


def volunteers(request: HttpRequest) -> list[str]:
    """Today's team shifts, open tasks, sign-ups to approve, no-shows to see."""
    t = volunteer_todo(request.user)
    if t is None:
        return []
    return [render_to_string("volunteers/panel.html", {"t": t}, request)]


def notices(request: HttpRequest) -> list[str]:
    """The banner of notices addressed to the user: shown until read, and those still to
    acknowledge. Showing it delivers them (in the app)."""
    rows = list(
        inbox_for(request.user)
        .filter(
            Q(read_at__isnull=True) | Q(acknowledged_at__isnull=True, notice__ack_required=True)
        )
        .order_by("-notice__sent_at", "-pk")[:6]
    )
    if not rows:
        return []
    mark_delivered(user=request.user)
    return [
        render_to_string(
            "briefings/panels/notices.html", {"rows": rows[:5], "more": len(rows) > 5}, request
        )
    ]


Panel = Callable[[HttpRequest], list[str]]
ALL: list[Panel] = [notices, resumption, community, census, assistance, donations, volunteers]
# What each role's home leads with: a guard at a gate needs the post and the census, a reporter
# the day's report. Others (admins, staff, viewers) see every panel and the register's figures.
BY_ROLE: dict[Role, list[Panel]] = {
    Role.DUTY_OFFICER: [notices, community, census, assistance],
    Role.REPORTER: [notices, resumption, donations],
}


def panels_for(request: HttpRequest, role: Role | None) -> list[str]:
    out: list[str] = []
    for panel in BY_ROLE.get(role, ALL) if role else ALL:
        out.extend(panel(request))
    return out
