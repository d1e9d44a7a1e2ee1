"""简报 and dashboards: read-only pages over every app's data, each through the app's access path."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongke.accounts.access import can_write, role_over
from gongke.accounts.http import AuthenticatedRequest
from gongke.lib.listing import Column, Filter, Kind, Listing
from gongke.lib.todos import todos_for
from gongke.registry.access import organizations_for, people_for, places_for
from gongke.registry.models import OrgKind, PlaceKind
from gongke.resumption import stats
from gongke.resumption.access import dashboard_org, home_org, visible_enterprises
from gongke.resumption.views import day_asked

from . import formats, panels, services
from . import render as text
from .access import SIGNERS, WRITERS, briefing_organizations, briefings_for, get_briefing
from .models import Briefing, Status

BRIEFINGS = Listing(
    "briefings.briefings",
    columns=[
        Column("number", gettext_lazy("Number"), "doc_number", order=("year", "number", "version")),
        Column("title", pgettext_lazy("document", "Title"), "title", order="title"),
        Column(
            "organization",
            gettext_lazy("Issued by"),
            "organization.name",
            order="organization__name",
        ),
        Column("start", gettext_lazy("From"), "start", order="start", kind=Kind.DATE),
        Column("end", gettext_lazy("To"), "end", order="end", kind=Kind.DATE),
        Column("status", gettext_lazy("Status"), "get_status_display", order="status"),
    ],
    filters=[Filter("status", gettext_lazy("Status"), choices=Status.choices)],
    default_sort="-number",
    sheet=gettext_lazy("Briefings"),
)


def _language(request: HttpRequest) -> str:
    """The language asked for (?lang=), else the reader's own."""
    return text.language_asked(request.GET.get("lang"), get_language())


@login_required
def index(request: HttpRequest) -> HttpResponseBase:
    lst = BRIEFINGS.bind(request, briefings_for(request.user))
    if lst.exporting:
        return lst.export("briefings.xlsx")
    may_write = briefing_organizations(request.user).exists()
    return render(request, "briefings/index.html", {"list": lst, "may_write": may_write})


@login_required
def new(request: AuthenticatedRequest) -> HttpResponse:
    orgs = briefing_organizations(request.user).order_by("path")
    if not orgs.exists():
        raise PermissionDenied(_("Your role may only read here."))
    today = timezone.localdate()
    form = {
        "organization": request.POST.get("organization", ""),
        "start": request.POST.get("start", (today - dt.timedelta(days=6)).isoformat()),
        "end": request.POST.get("end", today.isoformat()),
        "title": request.POST.get("title", ""),
    }
    errors: list[str] = []
    if request.method == "POST":
        org = (
            orgs.filter(pk=form["organization"]).first() if form["organization"].isdigit() else None
        )
        if org is None:
            errors.append(_("Choose the organization the briefing is about."))
        else:
            try:
                b = services.generate_briefing(
                    user=request.user, organization=org, start=form["start"],
                    end=form["end"], title=form["title"],
                )  # fmt: skip
            except ValidationError as e:
                errors.extend(e.messages)
            else:
                return redirect("briefings:briefing", b.pk)
    if not form["organization"] and request.user.primary_organization is not None:
        form["organization"] = str(request.user.primary_organization.pk)
    return render(
        request,
        "briefings/new.html",
        {"orgs": orgs, "form": form, "errors": errors},
        status=422 if errors else 200,
    )


@login_required
def briefing(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    b = get_briefing(request.user, pk)
    lang = _language(request)
    title, body = b.version_in(lang)
    role = role_over(request.user, b.organization)
    may_write = role in WRITERS
    return render(
        request,
        "briefings/briefing.html",
        {
            "b": b,
            "lang": lang,
            "title": title,
            "paragraphs": [line for line in body.splitlines() if line.strip()],
            # The generated text, untouched: each figure says on hover what it counts.
            "html": text.as_html(b.facts, lang)
            if (not b.body_en if lang == text.EN else not b.edited)
            else "",
            "notes": text.notes(b.facts, lang),
            "languages": [(text.ZH, "简体中文"), (text.HANT, "繁體中文"), (text.EN, "English")],
            "may_write": may_write,
            "may_sign": role in SIGNERS
            and b.status == Status.DRAFT
            and b.author_id != request.user.pk,
            "may_publish": may_write and b.status == Status.SIGNED,
            "versions": Briefing.objects.filter(
                organization=b.organization, year=b.year, number=b.number
            ).order_by("version"),
        },
    )


@login_required
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    b = get_briefing(request.user, pk, write=True)
    errors: list[str] = []
    form = {"title": b.title, "body": b.body, "body_en": b.body_en}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            b = services.edit_briefing(user=request.user, briefing=b, **form)
        except ValidationError as e:
            errors.extend(e.messages)
        else:
            return redirect("briefings:briefing", b.pk)
    return render(
        request,
        "briefings/edit.html",
        {"b": b, "form": form, "errors": errors, "generated_en": text.text(b.facts, text.EN)},
        status=422 if errors else 200,
    )


def _act(request: AuthenticatedRequest, pk: int, act, **access) -> HttpResponse:
    b = get_briefing(request.user, pk, **access)
    try:
        act(user=request.user, briefing=b)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("briefings:briefing", b.pk)


@login_required
@require_POST
def sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.sign_briefing, sign=True)


@login_required
@require_POST
def publish(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.publish_briefing, write=True)


@login_required
def download(request: AuthenticatedRequest, pk: int, fmt: str) -> HttpResponse:
    return formats.response(get_briefing(request.user, pk), fmt, _language(request))


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
