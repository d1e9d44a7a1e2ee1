"""Home dashboard panel: today's passages, unhandled fever alerts, overdue spots."""

from django.template.loader import render_to_string
from django.utils import timezone

from gongke.accounts.access import scoped

from .models import Alert, Passage, Spot
from .scope import visible_alerts, visible_posts


def home_panels(request) -> list[str]:
    user = request.user
    posts = visible_posts(user)
    if not posts.exists():
        return []
    ctx = {
        "passages": Passage.objects.filter(post__in=posts).on_day(timezone.localdate()).count(),
        "alerts": visible_alerts(user, Alert.objects.filter(handled_at__isnull=True)).count(),
        "overdue": scoped(user, Spot.objects.overdue(), field="place__organization").count(),
    }
    return [render_to_string("community/panel.html", ctx, request)]
