"""The home page's volunteer to-dos: today's team shifts, open tasks, sign-ups waiting for
approval, no-shows not yet seen — in the teams the user reaches."""

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from .access import tasks_for, teams_for
from .models import NoShow, SignUp, TeamShift


def todo(user: Any) -> dict[str, int] | None:
    teams = teams_for(user)
    if not teams.exists():
        return None
    today = timezone.localdate()
    start = timezone.make_aware(datetime.combine(today, time.min))
    ids = teams.values("pk")
    return {
        "shifts": TeamShift.objects.filter(
            team__in=ids, shift__starts_at__lt=start + timedelta(days=1), shift__ends_at__gt=start
        ).count(),
        "tasks": tasks_for(user).filter(done_at__isnull=True).count(),
        "signups": SignUp.objects.filter(team__in=ids, status="pending").count(),
        "no_shows": NoShow.objects.filter(volunteer__team__in=ids, seen_at__isnull=True).count(),
    }
