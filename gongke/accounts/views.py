import importlib

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongke.registry.models import OrgKind, Person, Place, PlaceKind

from .access import is_platform_admin, role_over, scoped, visible_organizations
from .models import ApiToken, Role

# Apps that add panels to the home dashboard: each may define dashboard.home_panels(request),
# returning a list of rendered HTML fragments.
DASHBOARD_APPS = ["gongke.resumption", "gongke.community", "gongke.census", "gongke.donations"]


def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


def _panels(request: HttpRequest) -> list[str]:
    panels: list[str] = []
    for app in DASHBOARD_APPS:
        try:
            module = importlib.import_module(f"{app}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app}.dashboard":
                raise
            continue
        panels.extend(module.home_panels(request))
    return panels


@login_required
def home(request: HttpRequest) -> HttpResponse:
    orgs = visible_organizations(request.user)
    counts = orgs.aggregate(
        chambers=Count("pk", filter=Q(kind=OrgKind.CHAMBER)),
        associations=Count("pk", filter=Q(kind__in=[OrgKind.ASSOCIATION, OrgKind.FEDERATION])),
        enterprises=Count("pk", filter=Q(kind=OrgKind.ENTERPRISE)),
        executives=Count("pk", filter=Q(kind=OrgKind.ENTERPRISE, is_executive=True)),
    )
    people = scoped(request.user, Person.objects.all()).aggregate(
        people=Count("pk"),
        party=Count("pk", filter=Q(is_party_member=True)),
        volunteers=Count("pk", filter=Q(is_volunteer=True)),
    )
    places = scoped(request.user, Place.objects.all()).aggregate(
        areas=Count("pk", filter=Q(kind__in=[PlaceKind.COMPOUND, PlaceKind.VILLAGE])),
        posts=Count("pk", filter=Q(kind=PlaceKind.POST)),
    )
    by_township = list(
        orgs.filter(kind=OrgKind.ENTERPRISE, township__isnull=False)
        .values("township__name").annotate(n=Count("pk")).order_by("-n")[:15]
    )
    chart = {
        "tooltip": {},
        "grid": {"left": 90, "right": 20, "top": 10, "bottom": 30},
        "xAxis": {"type": "value"},
        "yAxis": {"type": "category", "inverse": True, "data": [r["township__name"] for r in by_township]},
        "series": [{"type": "bar", "name": _("Member enterprises"), "data": [r["n"] for r in by_township]}],
    }
    membership = request.user.primary_membership
    return render(request, "home.html", {
        "counts": counts, "people": people, "places": places, "chart": chart,
        "role": role_over(request.user, membership.organization) if membership else None,
        "panels": _panels(request),
    })


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("language", "")
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in dict(settings.LANGUAGES):
        translation.activate(code)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 86400, samesite="Lax",
                            secure=settings.SESSION_COOKIE_SECURE)
        if request.user.is_authenticated and request.user.language != code:
            request.user.language = code
            request.user.save(update_fields=["language"])
    return response


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    raw = None
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()[:100]
        if not name:
            messages.error(request, _("Give the device a name."))
        else:
            _token, raw = ApiToken.issue(user=request.user, name=name)
    items = request.user.api_tokens.filter(revoked_at__isnull=True).order_by("-created_at")
    return render(request, "accounts/tokens.html", {"tokens": items, "raw": raw})


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    from django.utils import timezone

    token = get_object_or_404(ApiToken, pk=pk, user=request.user, revoked_at__isnull=True)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, _("The token was revoked."))
    return redirect("accounts:tokens")


def audit_entries(user):
    """Audit entries a user may read: platform admins all, organization admins their subtree."""
    qs = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
    if is_platform_admin(user):
        return qs
    q = Q(pk__in=[])
    for m in user.cached_memberships:
        if m.role == Role.ORG_ADMIN:
            q |= Q(additional_data__org_path__startswith=m.organization.path)
    return qs.filter(q)


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    if not (is_platform_admin(request.user) or any(m.role == Role.ORG_ADMIN for m in request.user.cached_memberships)):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only an organization admin may read the audit trail."))
    qs = audit_entries(request.user)
    f = request.GET
    if f.get("actor"):
        qs = qs.filter(Q(actor__username__icontains=f["actor"]) | Q(actor__display_name__icontains=f["actor"]))
    if f.get("model"):
        qs = qs.filter(content_type__model=f["model"])
    if f.get("action") in {"0", "1", "2", "3"}:
        qs = qs.filter(action=int(f["action"]))
    if f.get("since"):
        qs = qs.filter(timestamp__date__gte=f["since"])
    if f.get("until"):
        qs = qs.filter(timestamp__date__lte=f["until"])
    if f.get("q"):
        qs = qs.filter(object_repr__icontains=f["q"])
    page = Paginator(qs, 50).get_page(f.get("page"))
    models = (LogEntry.objects.values_list("content_type__model", flat=True).distinct().order_by("content_type__model"))
    return render(request, "accounts/audit.html", {"page": page, "models": list(models), "filters": f})
