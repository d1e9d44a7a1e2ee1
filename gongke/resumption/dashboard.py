"""Home dashboard panel: reminders for a reporter, today's figures for an association."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from gongke.accounts.models import Role

from . import stats
from .access import home_org
from .models import DailyReport, Notification, local_today


def home_panels(request: HttpRequest) -> list[str]:
    user = request.user
    org = home_org(user)
    day = local_today()
    notices = []
    # Only reporters get reminders: nobody else pays a query for them.
    if any(m.role == Role.REPORTER for m in user.cached_memberships):  # type: ignore[union-attr]
        notices = list(
            Notification.objects.filter(user=user, day=day, read_at__isnull=True)[:5]  # type: ignore[misc]
        )
    figures = stats.panel(org, day) if org is not None and not org.is_enterprise else None
    # An enterprise's own user sees whether today's report is in, with the way to send it.
    own = None
    if org is not None and org.is_enterprise:
        own = {"org": org, "sent": DailyReport.objects.filter(enterprise=org, day=day).exists()}
    if figures is None and own is None and not notices:
        return []
    context = {"o": figures, "own": own, "notices": notices, "day": day}
    return [render_to_string("resumption/panel.html", context, request)]
