"""志愿服务 pages: teams, sign-ups, shifts, hours, tasks (staff); the volunteer's own phone pages
(sign-up link, personal pass, check-in at a post's QR code); lent resources and field operations.
Every fetch goes through volunteers.access (community.access for posts)."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from gongke.accounts.access import WRITERS, get_root, may, writable_organizations
from gongke.community.access import get_post, posts_for
from gongke.community.models import Assignment
from gongke.lib import ratelimit
from gongke.lib.excel import xlsx_response
from gongke.lib.masking import mask_phone
from gongke.registry.models import Person, Place, PlaceKind

from . import pdf, services
from .access import (
    get_hours_entry,
    get_issue,
    get_no_show,
    get_operation,
    get_resource,
    get_route,
    get_signup,
    get_task,
    get_team,
    get_volunteer,
    hours_for,
    operations_for,
    resources_for,
    teams_for,
    volunteer_by_pass,
)
from .forms import (
    DeploymentForm,
    DoneForm,
    HoursForm,
    MemberForm,
    OperationForm,
    ResourceForm,
    ReverseForm,
    RoundForm,
    RouteForm,
    ShiftForm,
    SignUpForm,
    TaskForm,
    TeamForm,
)
from .models import (
    NoShow,
    Operation,
    ResourceKind,
    SignUpStatus,
    TeamShift,
    Volunteer,
    VolunteerStatus,
)
from .rollups import rollup

PASS_COOKIE = "gk_volunteer"
CHECK_IN_SALT = "gongke.volunteers.check-in"


def _writer_orgs(user):
    return writable_organizations(user, roles=WRITERS["volunteers"])


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for e in errors:
                form.add_error(field if field in form.fields else None, e)
    else:
        form.add_error(None, exc)


def _hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"))


# --- Teams -----------------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponseBase:
    q = request.GET.get("q", "").strip()
    teams = teams_for(request.user).annotate(
        members=Count("volunteers", filter=Q(volunteers__status="active"), distinct=True),
        pending=Count("signups", filter=Q(signups__status="pending"), distinct=True),
    )
    if q:
        teams = teams.filter(Q(name__icontains=q) | Q(organization__name__icontains=q))
    sort = request.GET.get("sort", "name")
    teams = teams.order_by({"members": "-members", "pending": "-pending"}.get(sort, "name"), "pk")
    if request.GET.get("export") == "xlsx":
        headers = [_("Team"), _("Organization"), _("Leader"), _("Volunteers"), _("Waiting")]
        rows = (
            [t.name, t.organization.name, t.leader.name if t.leader else "", t.members, t.pending]
            for t in teams
        )
        return xlsx_response(_("volunteer teams") + ".xlsx", headers, rows)
    page = Paginator(teams, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/index.html",
        {"page": page, "q": q, "sort": sort, "can_write": may(request.user, "volunteers")},
    )


def _team_form(request, data=None, instance=None):
    orgs = _writer_orgs(request.user)
    places = Place.objects.filter(
        organization__in=orgs, kind__in=[PlaceKind.COMPOUND, PlaceKind.VILLAGE]
    )
    people = Person.objects.filter(organization__in=orgs).order_by("name")
    return TeamForm(data, instance=instance, organizations=orgs, places=places, people=people)


@login_required
def team_new(request: HttpRequest) -> HttpResponseBase:
    if not may(request.user, "volunteers"):
        raise PermissionDenied(_("Your role may only read here."))
    form = _team_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.save_team(**form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Team created."))
            return redirect("volunteers:team", team.pk)
    return render(request, "volunteers/form.html", {"form": form, "title": _("New team")})


@login_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    team = get_team(request.user, pk, write=True)
    form = _team_form(request, request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_team(team=team, **form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            return redirect("volunteers:team", team.pk)
    return render(request, "volunteers/form.html", {"form": form, "title": team.name})


def _team_people(team):
    return Person.objects.filter(organization__path__startswith=team.organization.path).order_by(
        "name"
    )


def _active(team):
    return team.volunteers.filter(status=VolunteerStatus.ACTIVE).select_related("person")


@login_required
def team(request: HttpRequest, pk: int) -> HttpResponseBase:
    t = get_team(request.user, pk)
    can_write = may(request.user, "volunteers", t.organization)
    now = timezone.now()
    volunteers = list(
        t.volunteers.select_related("person")
        .annotate(minutes=Sum("hours__minutes"))
        .order_by("status", "person__name")
    )
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Name"),
            _("Skills"),
            _("Availability"),
            pgettext("volunteer", "Pledge"),
            _("Hours"),
            _("Status"),
        ]
        rows = (
            [
                v.person.name,
                v.skills,
                v.availability,
                timezone.localdate(v.pledge_signed_at) if v.pledge_signed_at else "",
                _hours(v.minutes),
                v.get_status_display(),
            ]
            for v in volunteers
        )
        return xlsx_response(f"{t.name}.xlsx", headers, rows)
    shifts = (
        TeamShift.objects.filter(team=t, shift__ends_at__gte=now - dt.timedelta(days=1))
        .select_related("shift__post")
        .prefetch_related("shift__assignments__person", "shift__assignments__attendance")
        .order_by("shift__starts_at")[:30]
    )
    ctx = {
        "team": t,
        "can_write": can_write,
        "volunteers": volunteers,
        "signups": t.signups.filter(status=SignUpStatus.PENDING),
        "shifts": shifts,
        "no_shows": NoShow.objects.filter(volunteer__team=t, seen_at__isnull=True).select_related(
            "volunteer__person", "assignment__shift__post"
        ),
        "tasks": t.tasks.filter(done_at__isnull=True).select_related("post", "volunteer__person"),
        "routes": t.routes.select_related("place"),
    }
    if can_write:
        import segno

        join_url = settings.SITE_URL.rstrip("/") + reverse("volunteers:join", args=[t.signup_token])
        ctx |= {
            "join_url": join_url,
            "join_svg": segno.make(join_url, error="m").svg_inline(border=2, omitsize=True),
            "member_form": MemberForm(people=_team_people(t)),
            "task_form": TaskForm(posts=posts_for(request.user), volunteers=_active(t)),
            "route_form": RouteForm(places=_areas(t)),
        }
    return render(request, "volunteers/team.html", ctx)


@login_required
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponseBase:
    t = get_team(request.user, pk, write=True)
    form = MemberForm(request.POST, people=_team_people(t))
    if form.is_valid():
        services.add_volunteer(team=t, **form.cleaned_data)
        messages.success(request, _("Volunteer added."))
    else:
        messages.error(request, _("Choose a person of the team's organization."))
    return redirect("volunteers:team", t.pk)


@login_required
@require_POST
def member_leave(request: HttpRequest, pk: int) -> HttpResponseBase:
    v = get_volunteer(request.user, pk, write=True)
    services.leave_team(volunteer=v)
    return redirect("volunteers:team", v.team_id)


@login_required
@require_POST
def signup_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponseBase:
    signup = get_signup(request.user, pk, write=True)
    try:
        if decision == "approve":
            services.approve_signup(signup=signup, user=request.user)
            messages.success(
                request, _("Sign-up approved: %(name)s joined.") % {"name": signup.name}
            )
        else:
            services.reject_signup(signup=signup, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("volunteers:team", signup.team_id)


@login_required
def shift_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    t = get_team(request.user, pk, write=True)
    form = ShiftForm(request.POST or None, posts=posts_for(request.user), volunteers=_active(t))
    if request.method == "POST" and form.is_valid():
        post = get_post(request.user, form.cleaned_data["post"].pk, manage=True)
        try:
            services.create_team_shift(
                team=t,
                post=post,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
                volunteers=list(form.cleaned_data["volunteers"]),
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Shift added to the post's roster."))
            return redirect("volunteers:team", t.pk)
    return render(request, "volunteers/form.html", {"form": form, "title": _("New shift")})


@login_required
@require_POST
def task_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    t = get_team(request.user, pk, write=True)
    form = TaskForm(request.POST, posts=posts_for(request.user), volunteers=_active(t))
    if form.is_valid():
        try:
            services.save_task(team=t, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("The task was not saved: give it a title."))
    return redirect("volunteers:team", t.pk)


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int) -> HttpResponseBase:
    task = get_task(request.user, pk, write=True)
    form = DoneForm(request.POST)
    minutes = form.cleaned_data["minutes"] if form.is_valid() else 0
    try:
        services.complete_task(task=task, minutes=minutes or 0, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("volunteers:team", task.team_id)


@login_required
@require_POST
def no_show_seen(request: HttpRequest, pk: int) -> HttpResponseBase:
    no_show = get_no_show(request.user, pk, write=True)
    services.mark_no_show_seen(no_show=no_show)
    return redirect("volunteers:team", no_show.volunteer.team_id)


@login_required
def post_qr(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The check-in QR code to print at a post (each post one, signed so it cannot be guessed)."""
    import segno

    post = get_post(request.user, pk, manage=True)
    url = settings.SITE_URL.rstrip("/") + check_in_path(post.pk)
    svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True)
    return render(request, "volunteers/post_qr.html", {"post": post, "url": url, "svg": svg})


def check_in_path(post_id: int) -> str:
    sig = signing.Signer(salt=CHECK_IN_SALT).signature(str(post_id))
    return reverse("volunteers:check_in", args=[post_id, sig])


# --- Patrols --------------------------------------------------------------------------------


def _areas(team):
    return Place.objects.filter(
        organization__path__startswith=team.organization.path,
        kind__in=[PlaceKind.COMPOUND, PlaceKind.VILLAGE],
    ).order_by("name")


@login_required
@require_POST
def route_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    t = get_team(request.user, pk, write=True)
    form = RouteForm(request.POST, places=_areas(t))
    if form.is_valid():
        route = services.save_route(team=t, **form.cleaned_data)
        return redirect("volunteers:route", route.pk)
    messages.error(request, _("Give the route a name and a compound or village."))
    return redirect("volunteers:team", t.pk)


def _round_issues(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()][:50]


@login_required
def route(request: HttpRequest, pk: int) -> HttpResponseBase:
    r = get_route(request.user, pk)
    form = RoundForm(request.POST or None, volunteers=_active(r.team))
    if request.method == "POST":
        r = get_route(request.user, pk, write=True)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.log_round(
                    route=r,
                    started_at=data["started_at"],
                    ended_at=data["ended_at"],
                    volunteers=list(data["volunteers"]),
                    notes=data["notes"],
                    issues=_round_issues(data["issues"]),
                    user=request.user,
                )
            except ValidationError as exc:
                _errors(form, exc)
            else:
                messages.success(request, _("Round logged."))
                return redirect("volunteers:route", r.pk)
    rounds = r.rounds.prefetch_related("volunteers__person", "issues__task").order_by(
        "-started_at", "-pk"
    )
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Started"),
            pgettext("patrol", "Ended"),
            _("Volunteers"),
            pgettext("patrol", "Notes"),
            _("Issues found"),
        ]
        rows = (
            [
                timezone.localtime(x.started_at).replace(tzinfo=None),
                timezone.localtime(x.ended_at).replace(tzinfo=None),
                "、".join(v.person.name for v in x.volunteers.all()),
                x.notes,
                "；".join(i.description for i in x.issues.all()),
            ]
            for x in rounds
        )
        return xlsx_response(f"{r.name}.xlsx", headers, rows)
    page = Paginator(rounds, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/route.html",
        {
            "route": r,
            "page": page,
            "form": form,
            "can_write": may(request.user, "volunteers", r.team.organization),
            "posts": posts_for(request.user).filter(parent=r.place),
        },
    )


@login_required
@require_POST
def issue_task(request: HttpRequest, pk: int) -> HttpResponseBase:
    issue = get_issue(request.user, pk, write=True)
    post = None
    if request.POST.get("post", "").isdigit():
        post = get_post(request.user, request.POST["post"], manage=True)
    services.issue_to_task(issue=issue, post=post)
    messages.success(request, _("The issue is now a task for the team."))
    return redirect("volunteers:route", issue.round.route_id)


# --- Volunteers and hours --------------------------------------------------------------------


@login_required
def volunteer(request: HttpRequest, pk: int) -> HttpResponseBase:
    v = get_volunteer(request.user, pk)
    entries = v.hours.select_related("reverses").order_by("-day", "-pk")
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    total = v.hours.aggregate(m=Sum("minutes"))["m"]
    return render(
        request,
        "volunteers/volunteer.html",
        {
            "v": v,
            "entries": entries[:200],
            "total": _hours(total),
            "can_write": may(request.user, "volunteers", v.team.organization),
            "form": HoursForm(initial={"day": timezone.localdate()}),
            "since": since,
            "until": until,
            "phone": mask_phone(v.person.phone),
        },
    )


@login_required
@require_POST
def hours_new(request: HttpRequest, pk: int) -> HttpResponseBase:
    v = get_volunteer(request.user, pk, write=True)
    form = HoursForm(request.POST)
    if form.is_valid():
        try:
            services.record_hours(volunteer=v, user=request.user, **form.cleaned_data)
            messages.success(request, _("Hours recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Enter the day and the minutes."))
    return redirect("volunteers:volunteer", v.pk)


@login_required
@require_POST
def hours_reverse(request: HttpRequest, pk: int) -> HttpResponseBase:
    entry = get_hours_entry(request.user, pk, write=True)
    form = ReverseForm(request.POST)
    try:
        services.reverse_hours(
            entry=entry,
            note=form.cleaned_data["note"] if form.is_valid() else "",
            user=request.user,
        )
        messages.success(request, _("The entry was reversed."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("volunteers:volunteer", entry.volunteer_id)


@login_required
def hours(request: HttpRequest) -> HttpResponseBase:
    qs = hours_for(request.user)
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    if since:
        qs = qs.filter(day__gte=since)
    if until:
        qs = qs.filter(day__lte=until)
    if request.GET.get("team", "").isdigit():
        qs = qs.filter(volunteer__team_id=request.GET["team"])
    if request.GET.get("source"):
        qs = qs.filter(source=request.GET["source"])
    if request.GET.get("export") == "xlsx":
        headers = [_("Day"), _("Volunteer"), _("Team"), _("Hours"), _("How recorded"), _("Note")]
        rows = (
            [
                e.day,
                e.volunteer.person.name,
                e.volunteer.team.name,
                e.hours,
                e.get_source_display(),
                e.note,
            ]
            for e in qs.order_by("day", "pk")
        )
        return xlsx_response(_("volunteer hours") + ".xlsx", headers, rows)
    total = qs.aggregate(m=Sum("minutes"))["m"]
    page = Paginator(qs.order_by("-day", "-pk"), 100).get_page(request.GET.get("page"))
    from .models import HoursSource

    return render(
        request,
        "volunteers/hours.html",
        {
            "page": page,
            "total": _hours(total),
            "teams": teams_for(request.user),
            "sources": HoursSource.choices,
            "filters": request.GET,
        },
    )


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponseBase:
    v = get_volunteer(request.user, pk)
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    entries = v.hours.all()
    if since:
        entries = entries.filter(day__gte=since)
    if until:
        entries = entries.filter(day__lte=until)
    minutes = entries.aggregate(m=Sum("minutes"))["m"] or 0
    days = entries.filter(minutes__gt=0).values("day").distinct().count()
    body = pdf.certificate_pdf(
        volunteer=v,
        minutes=minutes,
        days=days,
        since=since,
        until=until,
        issued=timezone.localdate(),
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{v.pk}.pdf"'
    return response


# --- The volunteer's own phone pages (no account) --------------------------------------------


def join(request: HttpRequest, token: str) -> HttpResponseBase:
    t = get_object_or_404(teams_public(), signup_token=token)
    form = SignUpForm(request.POST or None)
    if request.method == "POST":
        if ratelimit.take(
            f"volunteers-join:{ratelimit.client_key(request)}", 1, limit=20, seconds=3600
        ):
            return render(
                request,
                "volunteers/join.html",
                {"team": t, "form": form, "limited": True},
                status=429,
            )
        if form.is_valid():
            try:
                services.sign_up(team=t, **form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                return render(request, "volunteers/join.html", {"team": t, "sent": True})
    return render(request, "volunteers/join.html", {"team": t, "form": form})


def teams_public():
    from .models import Team

    return Team.objects.select_related("organization").filter(signup_open=True)


def _pass_volunteer(request: HttpRequest) -> Volunteer | None:
    token = request.get_signed_cookie(PASS_COOKIE, default="", salt=PASS_COOKIE)
    return volunteer_by_pass(token or "")


def _with_pass(request: HttpRequest, response: HttpResponse, v: Volunteer) -> HttpResponseBase:
    response.set_signed_cookie(
        PASS_COOKIE,
        v.pass_token,
        salt=PASS_COOKIE,
        max_age=365 * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response


def pass_page(request: HttpRequest, token: str) -> HttpResponseBase:
    """The volunteer's personal page: their shifts, tasks and hours; keeps them known on this
    phone so a post's QR code checks them in."""
    v = volunteer_by_pass(token)
    if v is None:
        raise Http404
    now = timezone.now()
    assignments = (
        Assignment.objects.filter(
            person=v.person,
            shift__team_shift__team=v.team,
            shift__ends_at__gte=now - dt.timedelta(hours=12),
        )
        .select_related("shift__post", "attendance")
        .order_by("shift__starts_at")[:20]
    )
    open_ = v.attendances.filter(closed="").select_related("assignment__shift__post").first()
    minutes = v.hours.aggregate(m=Sum("minutes"))["m"]
    leads = NoShow.objects.filter(
        seen_at__isnull=True, volunteer__team__leader=v.person
    ).select_related("volunteer__person", "assignment__shift__post")
    ctx = {
        "v": v,
        "assignments": assignments,
        "open": open_,
        "total": _hours(minutes),
        "tasks": v.tasks.filter(done_at__isnull=True).select_related("post"),
        "no_shows": leads,
        "routes": v.team.routes.all(),
    }
    return _with_pass(request, render(request, "volunteers/pass.html", ctx), v)


@require_POST
def pass_check_out(request: HttpRequest, token: str) -> HttpResponseBase:
    v = volunteer_by_pass(token)
    if v is None:
        raise Http404
    try:
        entry = services.check_out(volunteer=v)
        messages.success(request, _("Checked out: %(h)s hours recorded.") % {"h": entry.hours})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("volunteers:pass", v.pass_token)


@require_POST
def pass_round(request: HttpRequest, token: str) -> HttpResponseBase:
    """A volunteer logs the round they just walked: route, how long, notes, issues found."""
    v = volunteer_by_pass(token)
    if v is None:
        raise Http404
    route = v.team.routes.filter(pk=request.POST.get("route") or 0).first()
    try:
        minutes = int(request.POST.get("minutes", ""))
    except ValueError:
        minutes = 0
    if route is None or not 1 <= minutes <= 24 * 60:
        messages.error(request, _("Choose the route and say how many minutes the round took."))
        return redirect("volunteers:pass", v.pass_token)
    now = timezone.now()
    services.log_round(
        route=route,
        started_at=now - dt.timedelta(minutes=minutes),
        ended_at=now,
        volunteers=[v],
        notes=request.POST.get("notes", "")[:2000],
        issues=_round_issues(request.POST.get("issues", "")[:3000]),
    )
    messages.success(request, _("Round logged."))
    return redirect("volunteers:pass", v.pass_token)


def check_in(request: HttpRequest, post: int, sig: str) -> HttpResponseBase:
    """The page a post's QR code opens: checks the volunteer known on this phone in."""
    expected = signing.Signer(salt=CHECK_IN_SALT).signature(str(post))
    if not constant_time_compare(expected, sig):
        raise Http404
    place = get_object_or_404(Place.objects.posts().filter(is_active=True), pk=post)
    v = _pass_volunteer(request)
    ctx: dict = {"post": place, "v": v}
    if v is not None and request.method == "POST":
        try:
            services.check_in(volunteer=v, post=place)
        except ValidationError as exc:
            ctx["error"] = " ".join(exc.messages)
        else:
            messages.success(request, _("Checked in at %(post)s.") % {"post": place.name})
            return redirect("volunteers:pass", v.pass_token)
    elif v is not None:
        ctx["assignment"] = services.current_assignment(volunteer=v, post=place, at=timezone.now())
    return render(request, "volunteers/check_in.html", ctx)


# --- Lent resources --------------------------------------------------------------------------


@login_required
def resources(request: HttpRequest) -> HttpResponseBase:
    qs = resources_for(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(name__icontains=q) | Q(organization__name__icontains=q) | Q(identifier__icontains=q)
        )
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    qs = qs.annotate(deployed=Count("deployments")).order_by(
        "organization__path", "kind", "name", "pk"
    )
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Lending member"),
            _("Kind"),
            _("Name"),
            _("Serial, plate or licence"),
            _("Available from"),
            _("Available until"),
            _("Insurance"),
            _("Insured until"),
            _("Deployments"),
        ]
        rows = (
            [
                r.organization.name,
                r.get_kind_display(),
                r.name,
                r.identifier,
                r.available_from,
                r.available_until,
                r.insurance,
                r.insured_until,
                r.deployed,
            ]
            for r in qs
        )
        return xlsx_response(_("lent resources") + ".xlsx", headers, rows)
    per_member = list(
        qs.order_by()
        .values("organization__name")
        .annotate(**{k: Count("pk", filter=Q(kind=k)) for k in ResourceKind.values})
        .order_by("organization__name")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/resources.html",
        {
            "page": page,
            "per_member": per_member,
            "kinds": ResourceKind.choices,
            "filters": request.GET,
            "can_write": may(request.user, "volunteers"),
        },
    )


@login_required
def resource_new(request: HttpRequest) -> HttpResponseBase:
    if not may(request.user, "volunteers"):
        raise PermissionDenied(_("Your role may only read here."))
    form = ResourceForm(request.POST or None, organizations=_writer_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.save_resource(**form.cleaned_data)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Resource registered."))
            return redirect("volunteers:resources")
    return render(
        request, "volunteers/form.html", {"form": form, "title": _("Register a lent resource")}
    )


@login_required
def resource(request: HttpRequest, pk: int) -> HttpResponseBase:
    r = get_resource(request.user, pk)
    can_write = may(request.user, "volunteers", r.organization)
    form = DeploymentForm(request.POST or None)
    if request.method == "POST":
        r = get_resource(request.user, pk, write=True)
        if form.is_valid():
            try:
                services.record_deployment(resource=r, **form.cleaned_data)
            except ValidationError as exc:
                _errors(form, exc)
            else:
                return redirect("volunteers:resource", r.pk)
    ops = Operation.objects.filter(Q(drones=r) | Q(pilots=r)).distinct().select_related("division")
    return render(
        request,
        "volunteers/resource.html",
        {
            "r": r,
            "form": form,
            "can_write": can_write,
            "operations": ops[:50],
            "deployments": r.deployments.all(),
        },
    )


# --- Field operations ------------------------------------------------------------------------


def _ops_scope(request):
    root = get_root(request.user, request.GET.get("org"))
    since, until = _date(request.GET.get("since")), _date(request.GET.get("until"))
    return root, since, until


@login_required
def operations(request: HttpRequest) -> HttpResponseBase:
    root, since, until = _ops_scope(request)
    qs = operations_for(request.user).filter(organization__path__startswith=root.path)
    if since:
        qs = qs.filter(day__gte=since)
    if until:
        qs = qs.filter(day__lte=until)
    if request.GET.get("kind"):
        qs = qs.filter(kind=request.GET["kind"])
    qs = qs.annotate(
        n_drones=Count("drones", distinct=True), n_pilots=Count("pilots", distinct=True)
    )
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Day"),
            _("Organization"),
            _("Kind"),
            _("Where"),
            _("Code"),
            _("Area (亩)"),
            _("Area (m²)"),
            _("Agent"),
            _("Drones"),
            _("Pilots"),
        ]
        rows = (
            [
                o.day,
                o.organization.name,
                o.get_kind_display(),
                o.division.name,
                o.division_id,
                o.area_mu,
                o.area_sqm,
                o.agent,
                o.n_drones,
                o.n_pilots,
            ]
            for o in qs.order_by("day", "pk")
        )
        return xlsx_response(_("field operations") + ".xlsx", headers, rows)
    page = Paginator(qs.order_by("-day", "-pk"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "volunteers/operations.html",
        {
            "page": page,
            "root": root,
            "r": rollup(root, since, until),
            "since": since,
            "until": until,
            "filters": request.GET,
            "orgs": _reached_orgs(request.user),
            "can_write": may(request.user, "volunteers"),
        },
    )


def _reached_orgs(user):
    from gongke.accounts.access import ORGANIZATION_READERS, visible_organizations

    return visible_organizations(user, roles=ORGANIZATION_READERS).exclude(kind="enterprise")[:200]


@login_required
def operation_new(request: HttpRequest) -> HttpResponseBase:
    if not may(request.user, "volunteers"):
        raise PermissionDenied(_("Your role may only read here."))
    orgs = _writer_orgs(request.user)
    form = OperationForm(
        request.POST or None, organizations=orgs, resources=resources_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.record_operation(
                organization=data.pop("organization"),
                division=data.pop("where"),
                drones=list(data.pop("drones")),
                pilots=list(data.pop("pilots")),
                user=request.user,
                **data,
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Operation recorded."))
            return redirect("volunteers:operations")
    return render(
        request, "volunteers/form.html", {"form": form, "title": _("Record a field operation")}
    )


@login_required
def operation(request: HttpRequest, pk: int) -> HttpResponseBase:
    op = get_operation(request.user, pk)
    return render(
        request,
        "volunteers/operation.html",
        {
            "op": op,
            "drones": op.drones.select_related("organization"),
            "pilots": op.pilots.select_related("organization"),
        },
    )


@login_required
def operations_map(request: HttpRequest) -> HttpResponseBase:
    """The counties covered, drawn by ECharts over the city maps the app serves (no tiles)."""
    from . import geo

    root, since, until = _ops_scope(request)
    r = rollup(root, since, until, counties=True)
    maps = geo.maps_for([c["code"] for c in r.by_county])
    return render(
        request,
        "volunteers/map.html",
        {
            "root": root,
            "r": r,
            "maps": maps,
            "counties": [{"name": c["name"], "value": float(c["area_mu"])} for c in r.by_county],
            "since": since,
            "until": until,
            "orgs": _reached_orgs(request.user),
        },
    )
