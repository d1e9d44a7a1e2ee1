"""The census panel of the home dashboard: whose isolation ends today, whose check is missing."""

from django.db.models import Count, Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from .access import ISOLATION, visible
from .models import DailyCheck, Isolation


def home_panels(request: HttpRequest) -> list[str]:
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
    return [render_to_string("census/panel.html", {"counts": counts, "ending": ending}, request)]
