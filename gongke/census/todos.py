"""The census's to-dos on the home page (gongke.lib.todos): isolations not checked today."""

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from gongke.lib.todos import Todo, provider

from .access import ISOLATION, visible
from .models import DailyCheck, Isolation


@provider("census")
def census_todos(user: Any) -> list[Todo]:
    today = timezone.localdate()
    running = visible(user, Isolation.objects.running_on(today), field=ISOLATION)
    checked = DailyCheck.objects.filter(day=today).values("isolation")
    counts = running.aggregate(
        missing=Count("pk", filter=~Q(pk__in=checked)),
        ending=Count("pk", filter=Q(end_day=today)),
    )
    out = []
    if counts["missing"]:
        out.append(
            Todo(
                _("%(n)s people in home isolation not yet checked today")
                % {"n": counts["missing"]},
                reverse("census:isolations") + "?show=missing",
                counts["missing"],
            )
        )
    if counts["ending"]:
        out.append(
            Todo(
                _("%(n)s home isolations end today") % {"n": counts["ending"]},
                reverse("census:isolations") + "?show=ending",
                counts["ending"],
            )
        )
    return out
