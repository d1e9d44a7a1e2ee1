"""包保小区 pages: the guard console, self-registration, daily picture, roster, disinfection."""

import json
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from gongke.accounts.access import (
    can_write,
    may,
    visible_organizations,
)
from gongke.accounts.http import AuthenticatedRequest
from gongke.census.models import Resident
from gongke.lib.ratelimit import client_key, take
from gongke.registry.access import get_organization
from gongke.registry.models import Person, Place, PlaceKind

from . import lists, picture, services
from .access import (
    alerts_for,
    areas_for,
    get_alert,
    get_area,
    get_passage,
    get_post,
    get_shift,
    posts_for,
    spots_for,
)
from .forms import DutySettingsForm
from .models import (
    FEVER,
    Alert,
    Assignment,
    ConsoleKey,
    Decision,
    Direction,
    DisinfectionLog,
    DutySettings,
    Outing,
    Passage,
    PostKey,
    PublicityItem,
    PublicityKind,
    Shift,
    Source,
    Spot,
    SpotKind,
    SubjectKind,
)

ROSTER_HOURS = 72
GAP_HOURS = 24
MAX_CONSOLE_BATCH = 2000


def _day(request: HttpRequest) -> date:
    return parse_date(request.GET.get("day") or "") or timezone.localdate()


def _alerts(user) -> Any:
    return (
        alerts_for(user, Alert.objects.filter(handled_at__isnull=True))
        .select_related("post")
        .order_by("-occurred_at")
    )


@login_required
def index(request: HttpRequest) -> HttpResponse:
    posts = (
        posts_for(request.user)
        .select_related("parent", "organization")
        .order_by("parent__name", "name")
    )
    page = Paginator(posts, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "community/index.html",
        {
            "page": page,
            "alerts": _alerts(request.user)[:20],
            "overdue": spots_for(request.user, Spot.objects.overdue()).count(),
            "organizations": visible_organizations(request.user).bodies()[:50],
        },
    )


def _area_context(request: HttpRequest, area: Place) -> dict[str, Any]:
    day = _day(request)
    areas = Place.objects.filter(pk=area.pk)
    return {
        "area": area,
        "day": day,
        "figures": picture.daily_picture(areas=areas, day=day),
        "chart": picture.hourly(areas=areas, day=day),
        "posts": posts_for(request.user).filter(parent=area).order_by("name"),
        "out": Outing.objects.open().filter(place=area).order_by("left_at")[:200],
    }


@login_required
def area(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_area(request.user, pk)
    return render(request, "community/area.html", _area_context(request, a))


@login_required
def out_list(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_area(request.user, pk)
    out = Outing.objects.open().filter(place=a).order_by("left_at")
    return render(
        request,
        "community/out.html",
        {
            "area": a,
            "page": Paginator(out, 100).get_page(request.GET.get("page")),
            "now": timezone.now(),
        },
    )


@login_required
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_organization(request.user, pk)
    day = _day(request)
    areas = areas_for(request.user).filter(organization__path__startswith=org.path)
    return render(
        request,
        "community/organization.html",
        {
            "org": org,
            "day": day,
            "figures": picture.daily_picture(areas=areas, day=day),
            "chart": picture.hourly(areas=areas, day=day),
            "areas": areas.order_by("name")[:300],
            "alerts": alerts_for(
                request.user,
                Alert.objects.filter(
                    organization__path__startswith=org.path, handled_at__isnull=True
                ),
            ).select_related("post")[:50],
            "can_manage": can_write(request.user, org, manage=True),
        },
    )


@login_required
def duty_settings(request: HttpRequest, pk: int) -> HttpResponse:
    # The robot's address is a secret (whoever has it can post to the group): managers only,
    # for reading too.
    org = get_organization(request.user, pk, manage=True)
    own = DutySettings.objects.filter(organization=org).first()
    # Not `request.POST or None`: a POST with the box unticked and no address is empty, yet a POST.
    form = DutySettingsForm(request.POST if request.method == "POST" else None, instance=own)
    if request.method == "POST" and form.is_valid():
        services.save_duty_settings(organization=org, user=request.user, data=form.cleaned_data)
        messages.success(request, _("Duty settings saved."))
        return redirect("community:settings", pk=org.pk)
    inherited = None if own else DutySettings.for_organization(org)
    return render(
        request,
        "community/settings.html",
        {"org": org, "form": form, "inherited": inherited},
    )


# Guard console


def _residents_json(post: Place) -> list[list[Any]]:
    """[id, name, room, search text, 1 if out now]: the console searches and infers the
    direction (someone out comes back in) on the phone, offline too."""
    area = post.parent_id or 0
    out = set(
        Outing.objects.open()
        .filter(place_id=area, resident_id__isnull=False)
        .values_list("resident_id", flat=True)
    )
    rows = Resident.objects.filter(household__place_id=area).values_list(
        "pk", "name", "household__building", "household__unit", "household__room", "search_text"
    )
    return [
        [pk, name, "-".join(x for x in (b, u, r) if x), st[:120], int(pk in out)]
        for pk, name, b, u, r, st in rows
    ]


def _handover(post: Place) -> Shift | None:
    """The last handover note left at this post in the past day: the next shift reads it."""
    now = timezone.now()
    return (
        Shift.objects.filter(post=post, ends_at__gte=now - timedelta(hours=24), starts_at__lte=now)
        .exclude(handover_note="")
        .order_by("-ends_at")
        .first()
    )


@login_required
def console(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_post(request.user, pk, write=request.method == "POST")
    if request.method == "POST":
        # The form also works without JavaScript: a plain post, then back to the console.
        [result] = services.record_passages(
            post=post, items=[request.POST.dict()], user=request.user
        )
        for errs in result.errors.values():
            for m in errs:
                messages.error(request, m)
        if result.status != "error":
            messages.success(request, _("Recorded."))
        if result.alert:  # what happened to the fever alert, as it is
            messages.warning(request, result.alert.message())
        return redirect("community:console", pk=post.pk)
    recent = (
        Passage.objects.filter(post=post).select_related("resident").order_by("-occurred_at")[:30]
    )
    area = post.parent
    village = area is not None and area.kind == PlaceKind.VILLAGE
    out_plates = list(
        Outing.objects.open()
        .filter(place_id=post.parent_id or 0, subject=SubjectKind.VEHICLE)
        .values_list("label", flat=True)[:500]
    )
    return render(
        request,
        "community/console.html",
        {
            "post": post,
            "village": village,
            "recent": recent,
            "residents": _residents_json(post),
            "out_plates": out_plates,
            "handover": _handover(post),
            "fever": str(FEVER),
            "sync_url": reverse("api:community_batch"),
            "can_write": can_write(request.user, post.organization),
            "temperatures": ["36.0", "36.2", "36.4", "36.5", "36.6", "36.8", "37.0", "37.2"],
            "decisions": Decision.choices,
            # A village's people are villagers, not a compound's residents.
            "subjects": [
                (v, _("Villager") if village and v == SubjectKind.RESIDENT else label)
                for v, label in SubjectKind.choices
            ],
            "directions": Direction.choices,
        },
    )


@login_required
@require_POST
def console_key(request: HttpRequest, pk: int) -> JsonResponse:
    """A key for this browser to keep sending passages at this post for the shift."""
    post = get_post(request.user, pk, write=True)
    key, raw = services.issue_console_key(
        post=post, user=request.user, device=request.headers.get("User-Agent", "")[:100]
    )
    return JsonResponse({"key": raw, "expires_at": key.expires_at.isoformat()}, status=201)


@csrf_exempt  # no cookie is read: the console key in the header is the credential
@require_POST
def console_sync(request: HttpRequest, pk: int) -> JsonResponse:
    """The console's passages, sent with its key: the same service as the API's batch."""
    key = services.console_key(request.headers.get("X-Console-Key", ""), post_id=pk)
    if key is None:
        return JsonResponse(
            {"detail": _("This phone's console key has expired or was revoked: sign in again.")},
            status=401,
        )
    try:
        post = get_post(key.user, pk, write=True)
    except (Http404, PermissionDenied):
        return JsonResponse(
            {"detail": _("This account may no longer record passages at this post.")},
            status=403,
        )
    try:
        body = json.loads(request.body or b"{}")
        items = body.get("items") or []
        if not isinstance(items, list) or len(items) > MAX_CONSOLE_BATCH:
            raise ValueError
    except (ValueError, AttributeError):
        return JsonResponse({"detail": _("The data is not valid.")}, status=422)
    with translation.override(key.user.language or translation.get_language()):
        results = services.record_passages(
            post=post, items=[i for i in items if isinstance(i, dict)], user=key.user
        )
        return JsonResponse({"results": [r.as_dict() for r in results]})


@login_required
def console_keys(request: HttpRequest, pk: int) -> HttpResponse:
    """The phones kept signed in at this post, and revoking one (a lost phone)."""
    post = get_post(request.user, pk, write=request.method == "POST")
    if request.method == "POST":
        key = get_object_or_404(ConsoleKey, pk=request.POST.get("key"), post=post)
        services.revoke_console_key(key=key, user=request.user)
        messages.success(request, _("The phone can no longer send passages here."))
        return redirect("community:console-keys", pk=post.pk)
    keys = ConsoleKey.objects.filter(
        post=post, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("user")
    return render(
        request,
        "community/console_keys.html",
        {"post": post, "keys": keys, "hours": settings.CONSOLE_KEY_HOURS},
    )


def service_worker(request: HttpRequest) -> HttpResponse:
    """Served under /community/ so that it may keep the console and the QR page for offline use."""
    response = render(request, "community/sw.js", content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    return response


@login_required
def manifest(request: HttpRequest, pk: int) -> JsonResponse:
    """Installs this post's console on the phone's home screen."""
    post = get_post(request.user, pk)
    return JsonResponse(
        {
            "name": f"{post.name} · {_('Gongke')}",
            "short_name": post.name[:12],
            "start_url": reverse("community:console", args=[post.pk]),
            "scope": reverse("community:index"),
            "display": "standalone",
            "background_color": "#111111",
            "theme_color": "#c8102e",
            "icons": [
                {
                    "src": static("community/icon.svg"),
                    "sizes": "any",
                    "type": "image/svg+xml",
                    "purpose": "any",
                }
            ],
        },
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
def passages(request: HttpRequest, pk: int) -> HttpResponseBase:
    post = get_post(request.user, pk)
    day = _day(request)
    qs = Passage.objects.filter(post=post).on_day(day).select_related("resident")
    lst = lists.PASSAGES.bind(request, qs)
    if lst.exporting:
        return lst.export(f"{post.name}-{day}.xlsx")
    return render(
        request,
        "community/passages.html",
        {"post": post, "day": day, "list": lst, "page": lst.page},
    )


@login_required
def passage(request: HttpRequest, pk: int) -> HttpResponse:
    p = get_passage(request.user, pk)
    reveal = None
    if request.method == "POST":
        try:
            reveal = services.reveal_id_number(
                passage=p,
                user=request.user,
                reason=request.POST.get("reason", ""),
                candidate=request.POST.get("candidate", ""),
            )
        except ValidationError as e:
            for errs in e.message_dict.values() if hasattr(e, "error_dict") else [e.messages]:
                for m in errs:
                    messages.error(request, m)
    return render(request, "community/passage.html", {"p": p, "reveal": reveal})


@login_required
def poster(request: HttpRequest, pk: int) -> HttpResponse:
    import segno

    # The QR code lets whoever holds it record passages at the post: for its writers alone.
    post = get_post(request.user, pk, write=True)
    key = PostKey.for_post(post)
    if request.method == "POST":
        services.set_self_registration(
            key=key, user=request.user, require_temperature=request.POST.get("temperature") == "1"
        )
        messages.success(request, _("Saved."))
        return redirect("community:poster", pk=post.pk)
    # SITE_URL, not the request's host: the poster is printed once and must work for years.
    url = settings.SITE_URL.rstrip("/") + reverse("community:self", args=[key.token])
    svg = segno.make(url, error="m").svg_inline(border=2, omitsize=True)
    return render(
        request,
        "community/poster.html",
        {"post": post, "url": url, "svg": svg, "key": key},
    )


# Self-registration: no account, the post's secret from the QR code


def _post_by_token(token: str) -> Place:
    key = get_object_or_404(
        PostKey.objects.select_related("post__parent", "post__organization"), token=token
    )
    if not key.post.is_active:
        raise Http404
    return key.post


def self_register(request: HttpRequest, token: str) -> HttpResponse:
    post = _post_by_token(token)
    return render(
        request,
        "community/self.html",
        {
            "post": post,
            "sync_url": reverse("community:self-sync", args=[token]),
            "require_temperature": post.community_key.require_temperature,
            "retention_days": settings.PASSAGE_RETENTION_DAYS,
        },
    )


@csrf_exempt  # no session is used: the token in the URL is the credential
@require_POST
def self_sync(request: HttpRequest, token: str) -> JsonResponse:
    post = _post_by_token(token)
    try:
        body = json.loads(request.body or b"{}")
        items = body.get("items") or []
        if not isinstance(items, list) or len(items) > 100:
            raise ValueError
    except (ValueError, AttributeError):
        return JsonResponse({"detail": _("The data is not valid.")}, status=422)
    # A self-registering visitor can only say who they are; the guard decides refusals.
    for item in items:
        if isinstance(item, dict):
            item.pop("resident_id", None)
            item["decision"] = Decision.PASS
            item["reason"] = ""
    clean = [i for i in items if isinstance(i, dict)]
    # The token is printed on a poster, so anyone may post here: one address gets a generous
    # share per post and minute. Refused means nothing stored; the phone keeps the passages
    # and sends them again after Retry-After (offline.js). An empty request still costs one.
    wait = take(
        f"self-sync:{post.pk}:{client_key(request)}",
        max(1, len(clean)),
        limit=settings.SELF_SYNC_PER_MINUTE,
    )
    if wait:
        response = JsonResponse(
            {
                "detail": _(
                    "Too many passages from this address at this post: send them again in a minute."
                ),
                "retry_after": wait,
            },
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
    results = services.record_passages(post=post, items=clean, source=Source.SELF)
    return JsonResponse({"results": [r.as_dict() for r in results]})


# Alerts


@login_required
def alerts(request: AuthenticatedRequest) -> HttpResponseBase:
    qs = alerts_for(request.user, Alert.objects.select_related("post", "organization"))
    lst = lists.ALERTS.bind(request, qs)
    if lst.exporting:
        return lst.export(_("fever alerts") + f"-{timezone.localdate()}.xlsx")
    home = request.user.primary_organization
    return render(
        request,
        "community/alerts.html",
        {
            "list": lst,
            "page": lst.page,
            "settings_org": home if home and can_write(request.user, home, manage=True) else None,
        },
    )


@login_required
@require_POST
def alert_handle(request: HttpRequest, pk: int) -> HttpResponse:
    a = get_alert(request.user, pk, write=True)
    try:
        services.handle_alert(alert=a, user=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("Marked as handled."))
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    return redirect("community:alerts")


# Roster


def _when(value: str | None) -> datetime | None:
    d = parse_datetime(value or "")
    if d is not None and timezone.is_naive(d):
        d = timezone.make_aware(d)
    return d


@login_required
def roster(request: HttpRequest) -> HttpResponseBase:
    """The next hours of each post's shifts and the hours nobody covers, a page of posts at a
    time (a county has hundreds); the export lists every shift of the posts filtered."""
    start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=ROSTER_HOURS)
    lst = lists.ROSTER.bind(
        request, posts_for(request.user).select_related("parent", "organization")
    )
    window = Shift.objects.filter(starts_at__lt=end, ends_at__gt=start)
    if lst.exporting:
        export = lists.SHIFTS.bind(
            request,
            window.filter(post__in=lst.queryset.values("pk"))
            .select_related("post__parent")
            .prefetch_related("assignments__person", "assignments__user"),
        )
        return export.export(_("roster") + f"-{start:%Y-%m-%d}.xlsx")
    posts = list(lst.page.object_list)
    # Gaps are what must be filled now: the next day; the roster shows three days of shifts.
    gaps = services.uncovered(posts=posts, start=start, end=start + timedelta(hours=GAP_HOURS))
    # Who may fill a gap, per organization planning it (one query per organization).
    plannable = {
        p.organization_id: p.organization
        for p in posts
        if may(request.user, "community", p.organization)
    }
    people = {
        org_id: list(
            Person.objects.filter(organization__path__startswith=org.path).order_by("name")[:300]
        )
        for org_id, org in plannable.items()
    }
    shifts = (
        window.filter(post__in=posts)
        .prefetch_related("assignments__person", "assignments__user")
        .order_by("starts_at")
    )
    by_post: dict[int, list[Shift]] = {}
    for s in shifts:
        by_post.setdefault(s.post_id, []).append(s)
    rows = [
        {
            "post": p,
            "shifts": by_post.get(p.pk, []),
            "gaps": gaps[p.pk],
            "gap_hours": round(sum((e - s).total_seconds() for s, e in gaps[p.pk]) / 3600, 1),
            "people": people.get(p.organization_id),
        }
        for p in posts
    ]
    return render(
        request,
        "community/roster.html",
        {
            "rows": rows,
            "start": start,
            "end": end,
            "hours": ROSTER_HOURS,
            "gap_end": start + timedelta(hours=GAP_HOURS),
            "list": lst,
        },
    )


@login_required
def shift_new(request: HttpRequest, pk: int) -> HttpResponse:
    post = get_post(request.user, pk, manage=True)
    people = Person.objects.filter(organization__path__startswith=post.organization.path).order_by(
        "name"
    )[:500]
    if request.method == "POST":
        try:
            starts, ends = _when(request.POST.get("starts_at")), _when(request.POST.get("ends_at"))
            if starts is None or ends is None:
                raise ValidationError(_("Enter when the shift starts and ends."))
            chosen = list(
                people.model.objects.filter(
                    pk__in=request.POST.getlist("people"),
                    organization__path__startswith=post.organization.path,
                )
            )
            services.create_shift(post=post, starts_at=starts, ends_at=ends, people=chosen)
            messages.success(request, _("Shift added."))
            return redirect("community:roster")
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    return render(request, "community/shift_new.html", {"post": post, "people": people})


@login_required
def shift(request: HttpRequest, pk: int) -> HttpResponse:
    s = get_shift(request.user, pk, write=request.method == "POST")
    if request.method == "POST":
        a = get_object_or_404(Assignment, pk=request.POST.get("assignment"), shift=s)
        try:
            if request.POST.get("action") == "in":
                services.sign_in(assignment=a)
            else:
                services.sign_out(assignment=a, handover_note=request.POST.get("handover_note", ""))
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        return redirect("community:shift", pk=s.pk)
    return render(
        request,
        "community/shift.html",
        {
            "shift": s,
            "assignments": s.assignments.select_related("person", "user"),
        },
    )


# Disinfection and publicity


@login_required
def spots(request: HttpRequest, pk: int) -> HttpResponse:
    action = request.POST.get("action") if request.method == "POST" else None
    # Duty officers log disinfection and tick publicity; planning spots and items is staff's.
    a = get_area(
        request.user, pk, write=action is not None, manage=action in {"spot", "publicity-new"}
    )
    places = [a.pk, *posts_for(request.user).filter(parent=a).values_list("pk", flat=True)]
    now = timezone.now()
    if request.method == "POST":
        try:
            if request.POST.get("action") == "log":
                spot = get_object_or_404(Spot, pk=request.POST.get("spot"), place_id__in=places)
                services.log_disinfection(
                    spot=spot,
                    done_by=request.POST.get("done_by", ""),
                    agent=request.POST.get("agent", ""),
                    user=request.user,
                )
                messages.success(request, _("Disinfection recorded."))
            elif request.POST.get("action") == "spot":
                services.save_spot(
                    place=a,
                    name=request.POST.get("name", "").strip(),
                    kind=request.POST.get("kind") or SpotKind.OTHER,
                    interval=timedelta(hours=int(request.POST.get("hours") or 24)),
                )
            elif request.POST.get("action") == "publicity":
                item = get_object_or_404(PublicityItem, pk=request.POST.get("item"), place=a)
                services.check_publicity(
                    item=item, user=request.user, done=request.POST.get("done") == "1"
                )
            elif request.POST.get("action") == "publicity-new":
                PublicityItem.objects.create(
                    place=a,
                    kind=request.POST.get("kind") or PublicityKind.POSTER,
                    description=request.POST.get("description", "").strip()[:200] or "—",
                    quantity=int(request.POST.get("quantity") or 1),
                )
        except (ValidationError, ValueError) as e:
            messages.error(request, " ".join(getattr(e, "messages", [str(e)])))
        return redirect("community:spots", pk=a.pk)
    spot_list = list(
        Spot.objects.filter(place_id__in=places, is_active=True)
        .select_related("place")
        .order_by("due_at", "name")
    )
    for s in spot_list:
        s.overdue = s.is_overdue(now)  # type: ignore[attr-defined]
    return render(
        request,
        "community/spots.html",
        {
            "area": a,
            "spots": spot_list,
            "overdue": sum(1 for s in spot_list if s.overdue),  # type: ignore[attr-defined]
            "logs": DisinfectionLog.objects.filter(spot__place_id__in=places).select_related(
                "spot"
            )[:30],
            "publicity": PublicityItem.objects.filter(place=a),
            "spot_kinds": SpotKind.choices,
            "publicity_kinds": PublicityKind.choices,
            "can_write": can_write(request.user, a.organization),
        },
    )
