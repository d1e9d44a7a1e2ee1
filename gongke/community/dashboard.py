"""Home dashboard panel: today's passages, unhandled fever alerts, overdue spots."""

from django.template.loader import render_to_string
from django.utils import timezone

from .access import alerts_for, posts_for, spots_for
from .models import Alert, Passage, Spot


def home_panels(request) -> list[str]:
    user = request.user
    posts = posts_for(user)
    if not posts.exists():
        return []
    ctx = {
        "passages": Passage.objects.filter(post__in=posts).on_day(timezone.localdate()).count(),
        "alerts": alerts_for(user, Alert.objects.filter(handled_at__isnull=True)).count(),
        "overdue": spots_for(user, Spot.objects.overdue()).count(),
    }
    return [render_to_string("community/panel.html", ctx, request)]
