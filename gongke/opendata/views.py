"""Open data: public pages and /open/v1 downloads (no sign-in), and the switch an admin turns on.

Every public answer is rate-limited per client address (gongke.lib.ratelimit, counted in the
shared cache) and cacheable: Cache-Control public, an ETag and Last-Modified, 304 to a conditional
GET. A dataset's bodies are computed once per version and kept in Django's cache, shared by every
worker; what is asked on each request is only whether the organization still publishes (one
indexed query), so switching off takes effect at once.
"""

import datetime as dt
import gzip
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongke.accounts.access import require_admin
from gongke.briefings import formats as briefing_formats
from gongke.briefings.models import Briefing, Status
from gongke.briefings.render import language_asked
from gongke.donations.models import Campaign
from gongke.lib.ratelimit import client_key, take
from gongke.registry.access import get_organization

from . import figures, publish, services
from .forms import PublicationForm
from .models import PUBLISHERS, Publication

API_VERSION = publish.API_VERSION


# --- Limits and caching --------------------------------------------------------------------


def _refuse_if_busy(request: HttpRequest, *, as_json: bool) -> HttpResponse | None:
    limit = settings.OPENDATA_PER_MINUTE
    wait = take(f"opendata:{client_key(request)}", 1, limit=limit)
    if not wait:
        return None
    message = _(
        "Too many requests: open data answers %(limit)d requests a minute from one address. "
        "Try again in %(wait)d seconds."
    ) % {"limit": limit, "wait": wait}
    if as_json:
        response: HttpResponse = JsonResponse({"detail": message}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(wait)
    return response


def _cacheable(
    request: HttpRequest,
    body: bytes,
    content_type: str,
    *,
    modified: dt.datetime,
    etag: str | None = None,
    gzipped: bool = False,
    filename: str = "",
) -> HttpResponse:
    """`body` (gzipped if `gzipped`: sent so to a client that takes gzip, unpacked for another)
    with the headers a cache and a conditional GET need."""
    etag = etag or publish.etag(body)
    if gzipped:
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            etag = etag[:-1] + '-gzip"'  # another representation, another tag (RFC 9110)
        else:
            body, gzipped = gzip.decompress(body), False
    response = HttpResponse(body, content_type=content_type)
    if gzipped:
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=settings.OPENDATA_MAX_AGE)
    return (
        get_conditional_response(
            request, etag=etag, last_modified=int(modified.timestamp()), response=response
        )
        or response
    )


# --- What is published ---------------------------------------------------------------------


def _publication(org_id: int) -> Publication:
    """An organization that publishes, else 404 (whether it exists is not revealed)."""
    pub = (
        Publication.objects.open()
        .select_related("organization")
        .filter(organization_id=org_id, organization__kind__in=PUBLISHERS)
        .first()
    )
    if pub is None:
        raise Http404(_("Not found."))
    return pub


def _dataset_entries(request: HttpRequest, pub: Publication, cut: dt.datetime) -> list[dict]:
    org_id = pub.organization_id
    return [
        {
            "name": d.slug,
            "title": str(d.title),
            "description": str(d.description),
            "version": figures.version_of(cut),
            "as_of": cut.isoformat(),
            "json": request.build_absolute_uri(
                reverse("opendata:data", args=[org_id, d.slug, "json"])
            ),
            "csv": request.build_absolute_uri(
                reverse("opendata:data", args=[org_id, d.slug, "csv"])
            ),
        }
        for d in figures.DATASETS.values()
    ]


def published_briefings(organization: Any) -> list[dict[str, Any]]:
    """The organization's published briefings, newest first: what went out, as it went out (a
    later edit is a version of its own, published or not)."""
    found = Briefing.objects.filter(organization=organization, status=Status.PUBLISHED).order_by(
        "-published_at", "-pk"
    )[:100]
    return [
        {
            "title": b.title,
            "number": b.version,
            "url": reverse("opendata:briefing", args=[organization.pk, b.pk, "pdf"]),
            "html": reverse("opendata:briefing", args=[organization.pk, b.pk, "html"]),
            "published_at": b.published_at,
        }
        for b in found
    ]


def briefing(request: HttpRequest, org_id: int, pk: int, fmt: str) -> HttpResponse:
    """A published briefing of a publishing organization, for anyone: the A4 PDF or the page
    ready for an article. Drafts, signed-off versions and other organizations' answer 404."""
    if busy := _refuse_if_busy(request, as_json=False):
        return busy
    pub = _publication(org_id)
    b = Briefing.objects.filter(
        pk=pk, organization=pub.organization, status=Status.PUBLISHED
    ).first()
    if b is None or fmt not in ("pdf", "html"):
        raise Http404(_("Not found."))
    language = language_asked(request.GET.get("lang"), get_language())
    return briefing_formats.response(b, fmt, language)


# --- /open/v1: the machine-readable side ---------------------------------------------------


def api_index(request: HttpRequest) -> HttpResponse:
    """Every organization that publishes, with its datasets, their version and as-of time."""
    if busy := _refuse_if_busy(request, as_json=True):
        return busy
    cut = figures.as_of()
    pubs = (
        Publication.objects.open()
        .filter(organization__kind__in=PUBLISHERS)
        .select_related("organization")
        .order_by("organization__path")
    )
    document = {
        "version": API_VERSION,
        "organizations": [
            {
                "id": p.organization_id,
                "name": p.organization.name,
                "page": request.build_absolute_uri(
                    reverse("opendata:page", args=[p.organization_id])
                ),
                "datasets": _dataset_entries(request, p, cut),
            }
            for p in pubs
        ],
    }
    body = json.dumps(document, ensure_ascii=False).encode()
    # Changed when a version begins, an organization switches on or off, or one is renamed.
    latest = Publication.objects.aggregate(
        switched=Max("changed_at"), renamed=Max("organization__updated_at")
    )
    modified = max([cut, *(t for t in latest.values() if t is not None)])
    return _cacheable(request, body, "application/json", modified=modified)


def api_organization(request: HttpRequest, org_id: int) -> HttpResponse:
    if busy := _refuse_if_busy(request, as_json=True):
        return busy
    pub = _publication(org_id)
    cut = figures.as_of()
    document = {
        "version": API_VERSION,
        "id": pub.organization_id,
        "name": pub.organization.name,
        "datasets": _dataset_entries(request, pub, cut),
    }
    body = json.dumps(document, ensure_ascii=False).encode()
    modified = max(cut, pub.changed_at, pub.organization.updated_at)
    return _cacheable(request, body, "application/json", modified=modified)


def data(request: HttpRequest, org_id: int, slug: str, fmt: str) -> HttpResponse:
    as_json = fmt == "json"
    if busy := _refuse_if_busy(request, as_json=as_json):
        return busy
    dataset = figures.DATASETS.get(slug)
    if dataset is None:
        raise Http404(_("Not found."))
    pub = _publication(org_id)
    cut = figures.as_of()
    snap = publish.snapshot(pub, dataset, cut, fmt)
    return _cacheable(
        request,
        snap["gzip"],
        "application/json" if as_json else "text/csv; charset=utf-8",
        modified=snap["generated_at"],
        etag=snap["etag"],
        gzipped=True,
        filename="" if as_json else f"{slug}-{pub.organization_id}-{figures.version_of(cut)}.csv",
    )


# --- Pages ---------------------------------------------------------------------------------


def index(request: HttpRequest) -> HttpResponse:
    if busy := _refuse_if_busy(request, as_json=False):
        return busy
    pubs = (
        Publication.objects.open()
        .filter(organization__kind__in=PUBLISHERS)
        .select_related("organization")
        .order_by("organization__path")
    )
    # Pages are not marked public: every page carries its visitor's CSRF token (the language switch),
    # which a shared cache would hand to the next visitor. The downloads are what caches keep.
    return render(request, "opendata/index.html", {"publications": pubs})


def page(request: HttpRequest, org_id: int) -> HttpResponse:
    """A publishing organization's public page: its campaigns and honor lists, its published
    briefings, its datasets."""
    if busy := _refuse_if_busy(request, as_json=False):
        return busy
    pub = _publication(org_id)
    org = pub.organization
    campaigns = Campaign.objects.filter(
        is_public=True, organization__path__startswith=org.path
    ).order_by("-starts_on", "name", "pk")
    cut = figures.as_of()
    return render(
        request,
        "opendata/page.html",
        {
            "org": org,
            "campaigns": campaigns,
            "briefings": published_briefings(org),
            "datasets": _dataset_entries(request, pub, cut),
            "version": figures.version_of(cut),
            "as_of": cut,
            "api": reverse("opendata:api-organization", args=[org.pk]),
        },
    )


@login_required
def settings_page(request: HttpRequest, org_id: int) -> HttpResponse:
    """The switch: an organization admin of a federation, association or chamber."""
    org = get_organization(request.user, org_id)
    require_admin(request.user, org)
    pub = Publication.objects.filter(organization=org).first()
    initial = {"is_open": bool(pub and pub.is_open), "county_code": pub.county_code if pub else ""}
    form = PublicationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_publication(user=request.user, organization=org, **form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("opendata:settings", org_id=org.pk)
    return render(
        request,
        "opendata/settings.html",
        {"org": org, "form": form, "may_publish": org.kind in PUBLISHERS, "pub": pub},
    )
