"""Home dashboard panel: reminders for a reporter, today's figures for an association."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from . import stats
from .access import home_org
from .models import Notification, local_today


def home_panels(request: HttpRequest) -> list[str]:
    user = request.user
    org = home_org(user)
    day = local_today()
    notices = list(Notification.objects.filter(user=user, day=day, read_at__isnull=True)[:5])  # type: ignore[misc]
    overview = stats.overview(org, day) if org is not None and not org.is_enterprise else None
    if overview is None and not notices:
        return []
    return [
        render_to_string(
            "resumption/panel.html", {"o": overview, "notices": notices, "day": day}, request
        )
    ]
