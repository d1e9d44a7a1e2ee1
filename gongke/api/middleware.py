"""Every answer under /api/ is JSON of one shape, {"detail": "...", "errors": {field: [...]}}, in
the caller's language: also an unknown URL (404), a wrong method (405), a refused CSRF token
(403), a crash (500) and a full disk (507), which Django would otherwise answer as HTML."""

import errno
import json
import logging
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import Http404, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger("django.request")

PREFIX = "/api/"


def body(detail: str, errors: dict | None = None) -> dict:
    return {"detail": detail, "errors": errors or {}}


def json_response(status: int, data: dict) -> HttpResponse:
    return HttpResponse(
        json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def header_language(request) -> str | None:
    """The first language of Accept-Language that Gongke speaks (English included: a program
    calling the API asks for its language explicitly)."""
    for part in request.headers.get("Accept-Language", "").lower().split(","):
        tag = part.split(";")[0].strip()
        if tag.startswith("zh"):
            hant = tag.startswith(("zh-tw", "zh-hk", "zh-mo", "zh-hant"))
            return "zh-hant" if hant else "zh-hans"
        if tag.startswith("en"):
            return "en"
    return None


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, OperationalError) and "full" in str(exc).lower()


def _plain_detail(status: int) -> str:
    if status == 404:
        return _("Not found.")
    if status == 405:
        return _("This method is not allowed here.")
    if status == 403:
        return _("You may not do this.")
    if status == 413:
        return _("The request is too large.")
    if status >= 500:
        return _("Something went wrong on the server; it has been logged.")
    return _("The request could not be handled.")


class ApiErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            return self.get_response(request)
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None else ""
        code = chosen or header_language(request)
        if code and code in dict(settings.LANGUAGES):
            translation.activate(code)
            request.LANGUAGE_CODE = code
        response = self.get_response(request)
        content_type = response.headers.get("Content-Type", "")
        if response.status_code >= 400 and not content_type.startswith("application/json"):
            allow = response.headers.get("Allow")
            response = json_response(
                response.status_code, body(_plain_detail(response.status_code))
            )
            if allow:
                response.headers["Allow"] = allow
        return response

    def process_exception(self, request, exc):
        # 404 and 403 are answers, not crashes: Django turns them into responses, which
        # __call__ then makes JSON.
        if not request.path.startswith(PREFIX) or isinstance(exc, Http404 | PermissionDenied):
            return None
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=sys.exc_info(),
            extra={"request": request},
        )
        if _disk_full(exc):
            return json_response(507, body(_("The server's disk is full; try again later.")))
        return json_response(500, body(_plain_detail(500)))
