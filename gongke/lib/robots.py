"""Group robots: a text message to a WeCom (企业微信) or DingTalk (钉钉) group robot webhook.

A robot address is typed by an organization admin, and the server posts to it: left open, it
would reach this server's loopback and the private network, and the delivery status would
tell open ports from closed ones. So an address must name one of ROBOT_ALLOWED_HOSTS — by
default the robots' own public https hosts — checked when it is saved and again before each
post, and a redirect is never followed.
"""

import http.client
import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

log = logging.getLogger(__name__)

DEFAULT_PORTS = {"https": 443, "http": 80}


def _origin(scheme: str, host: str, port: int | None) -> tuple[str, str, int]:
    return scheme, host.lower().rstrip("."), port or DEFAULT_PORTS[scheme]


def allowed_origins() -> set[tuple[str, str, int]]:
    """ROBOT_ALLOWED_HOSTS as (scheme, host, port): a bare host means https on port 443; an
    operator may name a scheme and port (`http://10.0.0.5:8080` for an intranet relay)."""
    origins = set()
    for entry in settings.ROBOT_ALLOWED_HOSTS:
        entry = entry.strip()
        if not entry:
            continue
        parts = urlsplit(entry if "://" in entry else f"https://{entry}")
        if parts.scheme in DEFAULT_PORTS and parts.hostname:
            origins.add(_origin(parts.scheme, parts.hostname, parts.port))
    return origins


def robot_url_allowed(url: str) -> bool:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return False
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.username is not None:
        return False
    return _origin(parts.scheme, parts.hostname, port) in allowed_origins()


def validate_robot_url(value: str) -> None:
    """Model field validator: an empty address passes (no robot)."""
    if value and not robot_url_allowed(value):
        raise ValidationError(
            _(
                "Only a WeCom or DingTalk group robot address may be used "
                "(https://qyapi.weixin.qq.com/… or https://oapi.dingtalk.com/…)."
            ),
            code="robot_host",
        )


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx status


_opener = urllib.request.build_opener(_NoRedirects)


def post_webhook(url: str, text: str, *, timeout: float = 5.0) -> str:
    """Post a text message to a WeCom or DingTalk group robot; both take the same text payload.

    Answers "200" when the robot took the message, else "error: …" (an HTTP 200 whose body
    carries a non-zero errcode is an error: a wrong key, a message too long, a rate limit).
    Errors are logged, never raised: a broken robot must not stop the messages sent after it
    (emails, other reminders)."""
    if not robot_url_allowed(url):
        log.warning("robot webhook at %s refused: not in ROBOT_ALLOWED_HOSTS", _host(url))
        return "error: address not allowed"
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with _opener.open(request, timeout=timeout) as response:  # noqa: S310 (allowed hosts only)
            status, reply = response.status, response.read(64 * 1024)
    # http.client.HTTPException is not an OSError: a server that answers garbage raises it.
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        # The host only: the robot's key (WeCom ?key=, DingTalk ?access_token=) is a secret.
        log.warning("robot webhook at %s failed: %s", _host(url), exc)
        return f"error: {exc}"[:100]
    errcode, errmsg = _errcode(reply)
    if errcode != 0:
        log.warning("robot webhook at %s answered errcode %s: %s", _host(url), errcode, errmsg)
        return f"error: errcode {errcode} {errmsg}"[:100]
    return str(status)


def _errcode(reply: bytes) -> tuple[object, str]:
    """Both robots answer {"errcode": 0, "errmsg": "ok"} on success."""
    try:
        data = json.loads(reply)
    except ValueError:
        return "?", "the reply is not JSON"
    if not isinstance(data, dict) or "errcode" not in data:
        return "?", "the reply has no errcode"
    return data["errcode"], str(data.get("errmsg", ""))


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.rpartition("@")[2]
    except ValueError:
        return "?"
