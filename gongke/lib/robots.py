"""Group robots: a text message to a WeCom (企业微信) or DingTalk (钉钉) group robot webhook."""

import http.client
import json
import logging
import urllib.error
import urllib.request
from urllib.parse import urlsplit

log = logging.getLogger(__name__)


def post_webhook(url: str, text: str, *, timeout: float = 5.0) -> str:
    """Post a text message to a WeCom or DingTalk group robot; both take the same text payload.

    Answers the HTTP status ("200") or "error: …". Errors are logged, never raised: a broken
    robot must not stop the messages sent after it (emails, other reminders)."""
    body = json.dumps({"msgtype": "text", "text": {"content": text}}, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (admin-configured URL)
            return str(response.status)
    # http.client.HTTPException is not an OSError: a server that answers garbage raises it.
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        # The host only: the robot's key (WeCom ?key=, DingTalk ?access_token=) is a secret.
        log.warning("robot webhook at %s failed: %s", _host(url), exc)
        return f"error: {exc}"[:100]


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc
    except ValueError:
        return "?"
