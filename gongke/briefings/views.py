"""简报 and dashboards: read-only pages over every app's data, each through the app's access path."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gongke.accounts.access import can_write, role_over
from gongke.accounts.http import AuthenticatedRequest
from gongke.lib.todos import todos_for
from gongke.registry.access import organizations_for, people_for, places_for
from gongke.registry.models import OrgKind, PlaceKind
from gongke.resumption import stats
from gongke.resumption.access import dashboard_org, home_org, visible_enterprises
from gongke.resumption.views import day_asked

from . import panels


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "briefings/index.html")


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    membership = request.user.primary_membership
    role = role_over(request.user, membership.organization) if membership else None
    if role in panels.BY_ROLE:
        return render(
            request,
            "briefings/home.html",
            {
                "role": role,
                "focused": True,
                "todos": todos_for(request.user),
                "panels": panels.panels_for(request, role),
            },
        )
    orgs = organizations_for(request.user)
    counts = orgs.aggregate(
        chambers=Count("pk", filter=Q(kind=OrgKind.CHAMBER)),
        associations=Count("pk", filter=Q(kind__in=[OrgKind.ASSOCIATION, OrgKind.FEDERATION])),
        enterprises=Count("pk", filter=Q(kind=OrgKind.ENTERPRISE)),
        executives=Count("pk", filter=Q(kind=OrgKind.ENTERPRISE, is_executive=True)),
    )
    people = people_for(request.user).aggregate(
        people=Count("pk"),
        party=Count("pk", filter=Q(is_party_member=True)),
        volunteers=Count("pk", filter=Q(is_volunteer=True)),
    )
    places = places_for(request.user).aggregate(
        areas=Count("pk", filter=Q(kind__in=[PlaceKind.COMPOUND, PlaceKind.VILLAGE])),
        posts=Count("pk", filter=Q(kind=PlaceKind.POST)),
    )
    by_township = list(
        orgs.filter(kind=OrgKind.ENTERPRISE, township__isnull=False)
        .values("township__name")
        .annotate(n=Count("pk"))
        .order_by("-n")[:15]
    )
    chart = {
        "tooltip": {},
        "grid": {"left": 90, "right": 20, "top": 10, "bottom": 30},
        "xAxis": {"type": "value"},
        "yAxis": {
            "type": "category",
            "inverse": True,
            "data": [r["township__name"] for r in by_township],
        },
        "series": [
            {"type": "bar", "name": _("Member enterprises"), "data": [r["n"] for r in by_township]}
        ],
    }
    return render(
        request,
        "briefings/home.html",
        {
            "counts": counts,
            "people": people,
            "places": places,
            "chart": chart,
            "role": role,
            "todos": todos_for(request.user),
            "panels": panels.panels_for(request, role),
        },
    )


@login_required
def resumption(request: HttpRequest) -> HttpResponse:
    org = dashboard_org(request.user, request.GET.get("org"))
    day = day_asked(request)
    overview = stats.overview(org, day)
    period = stats.period_asked(request.GET, day)
    trend = stats.trend(org, period)
    industries = stats.breakdown(org, day, "industry")
    townships = stats.breakdown(org, day, "township")
    # The user's own level first (a federation sees itself), then each association with members.
    bodies = list(
        visible_enterprises(request.user)
        .values("parent_id", "parent__name")
        .annotate(n=Count("pk"))
        .order_by("parent__path")
    )
    home = home_org(request.user)
    if (
        home is not None
        and not home.is_enterprise
        and all(b["parent_id"] != home.pk for b in bodies)
    ):
        total = sum(b["n"] for b in bodies)
        bodies.insert(0, {"parent_id": home.pk, "parent__name": home.name, "n": total})
    return render(
        request,
        "briefings/resumption.html",
        {
            "org": org,
            "day": day,
            "o": overview,
            "industries": industries,
            "townships": townships,
            "associations": stats.per_association(org, period),
            "period": period,
            "trend_choices": stats.TREND_CHOICES,
            "trend_partial": any(r["partial"] for r in trend),
            "trend_chart": stats.trend_chart(trend),
            "industry_chart": stats.breakdown_chart(industries),
            "township_chart": stats.breakdown_chart(townships),
            "bodies": bodies,
            "can_manage": can_write(request.user, org, manage=True) and not org.is_enterprise,
        },
    )
