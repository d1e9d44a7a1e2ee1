"""Pages of notices: thin views over the access path and the services."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from gongke.accounts.access import WRITERS, can_write, may, require_write
from gongke.accounts.http import AuthenticatedRequest
from gongke.lib.excel import xlsx_response
from gongke.registry.access import get_organization

from . import services
from .access import (
    get_notice,
    get_received,
    get_recipient,
    inbox_for,
    notices_for,
    recipients_for,
)
from .channels import read_open_token
from .forms import AttachmentForm, NoticeForm, OnBehalfForm, SendForm, SettingsForm
from .models import Channel, Delivery, DeliveryStatus, Kind, Notice, Recipient, Source, Status
from .rollups import chart, rollup

PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for m in exc.messages:
        messages.error(request, m)


# --- The inbox ----------------------------------------------------------------------------------


@login_required
def index(request: AuthenticatedRequest) -> HttpResponseBase:
    """Notices addressed to me: unacknowledged first."""
    services.mark_delivered(user=request.user)
    qs = inbox_for(request.user)
    show = request.GET.get("show", "")
    if show == "open":
        qs = qs.filter(acknowledged_at__isnull=True, notice__ack_required=True)
    elif show == "unread":
        qs = qs.filter(read_at__isnull=True)
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(notice__title__icontains=q)
    qs = qs.order_by("-notice__sent_at", "-pk")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/inbox.html",
        {"page": page, "show": show, "q": q, "may_send": may(request.user, "notices")},
    )


@login_required
def received(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """A notice as its recipient reads it (reading it marks it read) and acknowledges it."""
    r = get_received(request.user, pk)
    if request.method == "POST":
        try:
            services.acknowledge(
                recipient=r,
                user=request.user,
                note=request.POST.get("note", ""),
                answers={f["key"]: request.POST.get(f["key"], "") for f in r.notice.fields},
                file=request.FILES.get("file"),
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Acknowledged. Thank you."))
            return redirect("notices:received", pk=pk)
    else:
        services.mark_read(recipient=r, source=Source.APP)
    title, body = r.notice.version()
    return render(
        request,
        "notices/received.html",
        {
            "linked": services.campaign_figures(r.notice),
            "r": r,
            "notice": r.notice,
            "title": title,
            "body": body,
            "answered": [(f["label"], r.answers.get(f["key"], "")) for f in r.notice.fields],
        },
    )


@login_required
def attachment(request: AuthenticatedRequest, pk: int, attachment_pk: int) -> FileResponse:
    """An attachment, for the notice's senders and its recipients."""
    try:
        notice = get_notice(request.user, pk)
    except Http404:
        notice = get_received(request.user, pk).notice
    a = get_object_or_404(notice.attachments, pk=attachment_pk)
    return FileResponse(a.file.open("rb"), as_attachment=True, filename=a.name)


# --- The sender's side -------------------------------------------------------------------------

SORTS = {"new": ("-created_at", "-pk"), "old": ("created_at", "pk"), "title": ("title", "pk")}


@login_required
def issued(request: AuthenticatedRequest) -> HttpResponseBase:
    qs = notices_for(request.user)
    q = request.GET.get("q", "").strip()
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    qs = qs.search(q)
    if status in Status.values:
        qs = qs.filter(status=status)
    if kind in Kind.values:
        qs = qs.filter(kind=kind)
    sort = request.GET.get("sort", "new")
    qs = qs.order_by(*SORTS.get(sort, SORTS["new"]))
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/issued.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "kind": kind,
            "sort": sort,
            "statuses": Status.choices,
            "kinds": Kind.choices,
            "may_send": may(request.user, "notices"),
        },
    )


@login_required
def new(request: AuthenticatedRequest) -> HttpResponseBase:
    if not may(request.user, "notices"):
        raise PermissionDenied(_("Your role may only read here."))
    form = NoticeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        org = form.cleaned_data["organization"]
        try:
            notice = services.save_notice(
                user=request.user, organization=org, data=form.data_for_service()
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("notices:notice", pk=notice.pk)
    return render(request, "notices/form.html", {"form": form})


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(field if field in form.fields else None, e)
    else:
        for m in exc.messages:
            form.add_error(None, m)


@login_required
def edit(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    notice = get_notice(request.user, pk, write=True)
    if not notice.is_editable:
        messages.error(request, _("Only a draft can be changed."))
        return redirect("notices:notice", pk=pk)
    form = NoticeForm(request.POST or None, user=request.user, notice=notice)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_notice(user=request.user, notice=notice, data=form.data_for_service())
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("notices:notice", pk=pk)
    return render(request, "notices/form.html", {"form": form, "notice": notice})


@login_required
def notice(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    n = get_notice(request.user, pk)
    writer = can_write(request.user, n.organization, roles=WRITERS["notices"])
    ctx: dict[str, Any] = {
        "notice": n,
        "writer": writer,
        "may_approve": writer and services.may_approve(request.user, n),
        "send_form": SendForm(),
        "attach_form": AttachmentForm(),
        "attachments": list(n.attachments.all()),
        "linked": services.campaign_figures(n),
    }
    if not n.is_sent:
        ctx["audience_size"] = services.audience_size(n)
        return render(request, "notices/notice.html", ctx)
    unit = request.GET.get("unit")
    unit_id = int(unit) if unit and unit.isdigit() else None
    data = rollup(n, unit=unit_id)
    state = request.GET.get("state", "")
    recipients = _filtered(n, state, unit_id).select_related("organization")
    ctx.update(
        {
            "rollup": data,
            "unit": unit_id,
            "chart": chart(data, _("% read"), _("% acknowledged")),
            "state": state,
            "page": Paginator(recipients, 50).get_page(request.GET.get("page")),
            "calls": Delivery.objects.filter(
                notice=n, channel=Channel.CALL, recipient__acknowledged_at__isnull=True
            )
            .select_related("recipient")
            .order_by("recipient__name")[:100],
            "failed": Delivery.objects.filter(notice=n, status=DeliveryStatus.FAILED).count(),
            "on_behalf_form": OnBehalfForm(),
        }
    )
    return render(request, "notices/notice.html", ctx)


STATES = {
    "unread": {"read_at__isnull": True},
    "unacknowledged": {"acknowledged_at__isnull": True},
    "acknowledged": {"acknowledged_at__isnull": False},
}


def _filtered(n: Notice, state: str, unit: int | None):
    qs = n.recipients.all()
    if state in STATES:
        qs = qs.filter(**STATES[state])
    if unit is not None:
        qs = qs.filter(unit_id=unit)
    return qs


@login_required
@require_POST
def send(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    n = get_notice(request.user, pk, write=True)
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid date and time."))
        return redirect("notices:notice", pk=pk)
    try:
        n = services.send_notice(notice=n, user=request.user, at=form.cleaned_data["send_at"])
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, n.get_status_display())
    return redirect("notices:notice", pk=pk)


@login_required
@require_POST
def approve(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    n = get_notice(request.user, pk, write=True)
    try:
        n = services.approve_notice(notice=n, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, n.get_status_display())
    return redirect("notices:notice", pk=pk)


@login_required
@require_POST
def withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    n = get_notice(request.user, pk, write=True)
    try:
        services.return_to_draft(notice=n, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("notices:notice", pk=pk)


@login_required
@require_POST
def remind(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    n = get_notice(request.user, pk, write=True)
    try:
        count = services.remind_rest(notice=n, user=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("%(n)s recipients reminded.") % {"n": count})
    return redirect("notices:notice", pk=pk)


@login_required
@require_POST
def attach(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    n = get_notice(request.user, pk, write=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_attachment(notice=n, user=request.user, file=form.cleaned_data["file"])
        except ValidationError as exc:
            _errors(request, exc)
    else:
        messages.error(request, _("Choose a file."))
    return redirect("notices:notice", pk=pk)


@login_required
@require_POST
def on_behalf(request: AuthenticatedRequest, pk: int, recipient_pk: int) -> HttpResponseBase:
    r = get_recipient(request.user, pk, recipient_pk, write=True)
    try:
        services.acknowledge_on_behalf(
            recipient=r, user=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Acknowledgement recorded."))
    if request.POST.get("back") == "calls":
        return redirect("notices:calls")
    return redirect("notices:notice", pk=pk)


@login_required
def answer_file(request: AuthenticatedRequest, pk: int, recipient_pk: int) -> FileResponse:
    get_notice(request.user, pk)
    r = get_recipient(request.user, pk, recipient_pk)
    if not r.ack_file:
        raise Http404(_("Not found."))
    return FileResponse(r.ack_file.open("rb"), as_attachment=True)


@login_required
def calls(request: AuthenticatedRequest) -> HttpResponseBase:
    """Calls to make: recipients in the user's reach whom a notice's ladder asks to call and who
    have not acknowledged yet, whoever sent the notice."""
    qs = (
        Delivery.objects.filter(
            channel=Channel.CALL,
            recipient__in=recipients_for(request.user).filter(acknowledged_at__isnull=True),
        )
        .select_related("recipient", "recipient__organization", "notice")
        .order_by("recipient__organization__path", "recipient__name", "pk")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notices/calls.html",
        {
            "page": page,
            "may_send": may(request.user, "notices"),
            "writer": may(request.user, "notices"),
        },
    )


@login_required
def export_pending(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """The non-responders (phones masked), to chase by telephone."""
    n = get_notice(request.user, pk)
    rows = (
        n.recipients.unacknowledged()
        .select_related("unit", "organization")
        .values_list("unit__name", "organization__name", "name", "phone_masked", "read_at")
    )
    headers = [_("Chamber"), _("Organization"), _("Name"), _("Phone"), _("Read")]
    suffix = _("not acknowledged")
    return xlsx_response(
        f"{n.title[:50]}-{suffix}.xlsx",
        headers,
        ((u, o, nm, ph, _("yes") if read else _("no")) for u, o, nm, ph, read in rows),
    )


@login_required
def export_answers(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    n = get_notice(request.user, pk)
    fields = [f for f in n.fields if f["kind"] != "file"]
    headers = [
        _("Chamber"), _("Organization"), _("Name"), _("Phone"), _("Acknowledged"), _("Source"),
        _("Note"), *[f["label"] for f in fields],
    ]  # fmt: skip
    sources = dict(Source.choices)
    rows = (
        n.recipients.filter(acknowledged_at__isnull=False)
        .select_related("unit", "organization")
        .order_by("unit__path", "organization__path", "pk")
    )

    def lines():
        for r in rows.iterator(chunk_size=2000):
            yield [
                r.unit.name, r.organization.name, r.name, r.phone_masked,
                r.acknowledged_at.replace(tzinfo=None) if r.acknowledged_at else "",
                str(sources.get(r.ack_source, r.ack_source)), r.note,
                *[r.answers.get(f["key"], "") for f in fields],
            ]  # fmt: skip

    suffix = _("answers")
    return xlsx_response(f"{n.title[:50]}-{suffix}.xlsx", headers, lines())


@login_required
def notice_settings(request: AuthenticatedRequest, org_pk: int) -> HttpResponseBase:
    org = get_organization(request.user, org_pk)
    writer = can_write(request.user, org, roles=WRITERS["notices"])
    config = services.settings_for(org)
    if request.method == "POST":
        require_write(request.user, org, roles=WRITERS["notices"])
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                services.save_settings(organization=org, data=form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, _("Settings saved."))
                return redirect("notices:settings", org_pk=org.pk)
    else:
        initial: dict[str, Any] = {"requires_approval": bool(config and config.requires_approval)}
        # The robot's address is a secret: shown only to those who may change it.
        if writer and config:
            initial["webhook_url"] = config.webhook_url
        form = SettingsForm(initial=initial)
    return render(request, "notices/settings.html", {"org": org, "form": form, "writer": writer})


# --- Public -------------------------------------------------------------------------------------


def public(request: HttpRequest, pk: int) -> HttpResponseBase:
    """An initiative letter published on a public page (only once it is sent)."""
    n = get_object_or_404(
        Notice.objects.select_related("organization"), pk=pk, is_public=True, status=Status.SENT
    )
    title, body = n.version()
    ctx = {"notice": n, "title": title, "body": body, "linked": services.campaign_figures(n)}
    return render(request, "notices/public.html", ctx)


@never_cache
def opened(request: HttpRequest, token: str) -> HttpResponseBase:
    """The email's tracking pixel: read, marked unverified (mail clients fetch images on their
    own, and many never do)."""
    pk = read_open_token(token)
    if pk is not None:
        r = Recipient.objects.filter(pk=pk).first()
        if r is not None:
            services.mark_read(recipient=r, source=Source.EMAIL_OPEN)
    return HttpResponse(PIXEL, content_type="image/gif")
