"""Work resumption's to-dos on the home page (gongke.lib.todos)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from gongke.accounts.access import may
from gongke.accounts.models import Role
from gongke.lib.todos import Todo, provider

from . import stats
from .access import applications_for, fevers_for, home_org, visible_enterprises
from .models import DailyReport, Status, deadline_for, local_today
from .services import expected_q


@provider("resumption")
def resumption_todos(user: Any) -> list[Todo]:
    day = local_today()
    out: list[Todo] = []
    roles = {m.role for m in user.cached_memberships}
    if Role.REPORTER in roles:
        # The reporter's own enterprises expected to report today and not yet in.
        own = [m.organization_id for m in user.cached_memberships if m.role == Role.REPORTER]
        due = (
            visible_enterprises(user)
            .filter(expected_q(day), pk__in=own)
            .exclude(pk__in=DailyReport.objects.filter(day=day).values("enterprise_id"))
            .select_related("parent")
        )
        for e in due[:5]:
            out.append(
                Todo(
                    _("Send today's report for %(name)s (deadline %(at)s)")
                    % {"name": e.name, "at": f"{deadline_for(e.parent, day):%H:%M}"},
                    reverse("resumption:enterprise", args=[e.pk]),
                    urgent=True,
                )
            )
    org = home_org(user)
    if org is not None and not org.is_enterprise:
        missing = stats.panel(org, day)["missing"]
        if missing:
            out.append(
                Todo(
                    _("%(n)s members have not reported today") % {"n": missing},
                    reverse("resumption:missing") + f"?org={org.pk}",
                    missing,
                )
            )
    if may(user, "review"):
        pending = applications_for(user).filter(status=Status.SUBMITTED).count()
        if pending:
            out.append(
                Todo(
                    _("%(n)s resumption applications awaiting review") % {"n": pending},
                    reverse("resumption:applications") + "?status=submitted",
                    pending,
                )
            )
    if roles & {Role.REPORTER, Role.ORG_STAFF, Role.ORG_ADMIN, Role.PLATFORM_ADMIN} or (
        user.is_platform_admin
    ):
        fevers = fevers_for(user).filter(closed_at__isnull=True).count()
        if fevers:
            out.append(
                Todo(
                    _("%(n)s staff fever cases to follow up") % {"n": fevers},
                    reverse("resumption:fevers") + "?show=open",
                    fevers,
                    urgent=True,
                )
            )
    return out
