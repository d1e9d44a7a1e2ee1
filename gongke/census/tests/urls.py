"""Until the lead mounts the census router on /api/v1/census, tests mount it on a NinjaAPI of
their own with the same auth and error handling (once mounted, tests use the real one)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from gongke.api import api as core
from gongke.api.auth import session_auth, token_auth
from gongke.census.api import router
from gongke.urls import urlpatterns as core_urls

MOUNTED = any(r is router for _prefix, r in core.api._routers)

urlpatterns = list(core_urls)
if MOUNTED:
    BASE = "/api/v1/census"
else:
    BASE = "/census-api"
    test_api = NinjaAPI(
        title="census (tests)",
        version="test",
        auth=[token_auth, session_auth],
        urls_namespace="census-test-api",
    )
    for exc, handler in (
        (Http404, core.not_found),
        (PermissionDenied, core.forbidden),
        (AuthenticationError, core.unauthenticated),
        (ValidationError, core.invalid),
        (NinjaValidationError, core.invalid_schema),
    ):
        test_api.add_exception_handler(exc, handler)
    test_api.add_router("", router)
    urlpatterns.append(path("census-api/", test_api.urls))
