"""Delivery channels: email, the sending organization's group robot, and SMS or work notices
through a pluggable backend (settings.NOTICES_SMS_BACKEND).

A backend is a class with `send(messages) -> {id: (ok, detail)}`, messages being
(id, phone, text). NullBackend (the default) sends nothing and says so; HttpBackend posts the batch
as JSON to NOTICES_SMS_URL — an operator's SMS or DingTalk work-notice gateway — and reads back
{"results": {id: {"ok": bool, "detail": str}}}.
"""

import http.client
import json
import logging
import urllib.error
import urllib.request
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.html import escape
from django.utils.module_loading import import_string

from gongke.lib.robots import post_webhook

from .models import Channel, Delivery, Notice

log = logging.getLogger(__name__)

OPEN_SALT = "notices.open"


def open_token(recipient_id: int) -> str:
    return signing.dumps(recipient_id, salt=OPEN_SALT, compress=True)


def read_open_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=OPEN_SALT, max_age=60 * 60 * 24 * 90))
    except (signing.BadSignature, ValueError, TypeError):
        return None


class NullBackend:
    """No SMS gateway configured: every message is reported as not sent."""

    def send(self, messages: list[tuple[int, str, str]]) -> dict[int, tuple[bool, str]]:
        return {pk: (False, "no SMS backend configured") for pk, _phone, _text in messages}


class HttpBackend:
    """Posts {"messages": [{"id", "phone", "text"}]} to NOTICES_SMS_URL (an operator's gateway)."""

    def send(self, messages: list[tuple[int, str, str]]) -> dict[int, tuple[bool, str]]:
        url = settings.NOTICES_SMS_URL
        body = json.dumps(
            {
                "messages": [
                    {"id": pk, "phone": phone, "text": text} for pk, phone, text in messages
                ]
            },
            ensure_ascii=False,
        ).encode()
        request = urllib.request.Request(
            url, data=body, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                data = json.loads(response.read(1024 * 1024))
            results = data["results"]
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError, KeyError,
                TypeError) as exc:  # fmt: skip
            log.warning("SMS gateway failed: %s", exc)
            return {pk: (False, f"error: {exc}"[:100]) for pk, _phone, _text in messages}
        out = {}
        for pk, _phone, _text in messages:
            r = results.get(str(pk)) if isinstance(results, dict) else None
            ok = bool(isinstance(r, dict) and r.get("ok"))
            out[pk] = (ok, str((r or {}).get("detail", "")) if ok else f"error: {r}"[:100])
        return out


def sms_backend() -> Any:
    return import_string(settings.NOTICES_SMS_BACKEND)()


def _phone(d: Delivery) -> str:
    r = d.recipient
    if r is None:
        return ""
    if r.person is not None and r.person.phone:
        return r.person.phone
    return r.user.phone if r.user is not None else ""


def _email(notice: Notice, deliveries: list[Delivery], text: str) -> dict[int, tuple[bool, str]]:
    out: dict[int, tuple[bool, str]] = {}
    title, body = notice.version("zh-hans")
    messages = []
    for d in deliveries:
        user = d.recipient.user if d.recipient else None
        if user is None or not user.email or d.recipient_id is None:
            out[d.pk] = (False, "no email address")
            continue
        pixel = f"{settings.SITE_URL.rstrip('/')}/notices/o/{open_token(d.recipient_id)}.gif"
        html = (
            f"<h2>{escape(title)}</h2>{body}<p>{escape(notice.signature)}<br>"
            f"{notice.signed_on:%Y-%m-%d}</p><p>{escape(text)}</p>"
            f'<img src="{pixel}" width="1" height="1" alt="">'
        )
        m = EmailMultiAlternatives(title, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        m.attach_alternative(html, "text/html")
        messages.append((d.pk, m))
    if messages:
        with get_connection(fail_silently=False) as connection:
            for pk, m in messages:
                try:
                    connection.send_messages([m])
                    out[pk] = (True, "")
                except Exception as exc:  # one bad address must not stop the rest
                    out[pk] = (False, f"error: {exc}"[:100])
    return out


def send(notice: Notice, deliveries: list[Delivery], text: str) -> dict[int, tuple[bool, str]]:
    """Attempt each delivery; answers {delivery id: (ok, detail)}."""
    out: dict[int, tuple[bool, str]] = {}
    by_channel: dict[str, list[Delivery]] = {}
    for d in deliveries:
        by_channel.setdefault(d.channel, []).append(d)
    if by_channel.get(Channel.EMAIL):
        out.update(_email(notice, by_channel[Channel.EMAIL], text))
    if by_channel.get(Channel.SMS):
        sms = [(d.pk, _phone(d), text) for d in by_channel[Channel.SMS]]
        out.update({pk: (False, "no phone number") for pk, phone, _t in sms if not phone})
        sendable = [m for m in sms if m[1]]
        if sendable:
            out.update(sms_backend().send(sendable))
    for d in by_channel.get(Channel.ROBOT, []):
        config = getattr(notice.organization, "notice_settings", None)
        url = config.webhook_url if config is not None else ""
        if not url:
            out[d.pk] = (False, "no robot address")
            continue
        status = post_webhook(url, text)
        out[d.pk] = (not status.startswith("error"), status)
    # A call is a task for the chamber's secretary: it shows on the notice's page until the
    # recipient acknowledges (recorded on their behalf); nothing is sent.
    for d in by_channel.get(Channel.CALL, []):
        out[d.pk] = (True, "call task")
    return out
