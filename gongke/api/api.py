"""/api/v1: one NinjaAPI, routers per domain, JSON errors in the caller's language."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError

from gongke.census.reveals import TooManyReveals

from .auth import session_auth, token_auth
from .docs import API_DESCRIPTION, document
from .messages import pydantic_message
from .schemas import bound_parameters


class GongkeAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """In the caller's language, with examples (gongke/api/docs.py)."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return document(schema)


api = GongkeAPI(
    title="Gongke 共克 API",
    version="1",
    description=API_DESCRIPTION,
    auth=[token_auth, session_auth],
    urls_namespace="api",
)


def _error(request, status: int, detail: str, errors: dict | None = None):
    return api.create_response(request, {"detail": detail, "errors": errors or {}}, status=status)


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, _("Not found."))


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return _error(request, 403, str(exc) or _("You may not do this."))


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return _error(request, 401, _("Sign in or send a valid API token."))


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        errors = {
            field: [str(m) for e in errs for m in e.messages]
            for field, errs in exc.error_dict.items()
        }
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return _error(request, 422, _("The data is not valid."), errors=errors)


@api.exception_handler(TooManyReveals)
def too_many_reveals(request, exc: TooManyReveals):
    return _error(request, 429, " ".join(str(m) for m in exc.messages))


@api.exception_handler(NinjaValidationError)
def invalid_schema(request, exc: NinjaValidationError):
    errors: dict[str, list[str]] = {}
    for e in exc.errors:
        loc = ".".join(str(p) for p in e.get("loc", [])[1:] if p != "payload") or "__all__"
        errors.setdefault(loc, []).append(pydantic_message(e))
    return _error(request, 422, _("The data is not valid."), errors=errors)


def _mount() -> None:
    from . import (
        assistance,
        briefings,
        census,
        community,
        donations,
        notices,
        registry,
        resumption,
        supplies,
        volunteers,
    )

    # URLs are matched in this order, one pattern after another: community first, because a
    # guard's tablet posts a passage every few seconds (the OpenAPI document lists it first too).
    api.add_router("/community", community.router, tags=["community"])
    api.add_router("/registry", registry.router, tags=["registry"])
    api.add_router("/donations", donations.router, tags=["donations"])
    api.add_router("/census", census.router, tags=["census"])
    api.add_router("/resumption", resumption.router, tags=["resumption"])
    api.add_router("/volunteers", volunteers.router, tags=["volunteers"])
    api.add_router("/notices", notices.router, tags=["notices"])
    api.add_router("/supplies", supplies.router, tags=["supplies"])
    api.add_router("/assistance", assistance.router, tags=["assistance"])
    api.add_router("/briefings", briefings.router, tags=["briefings"])
    for router in (
        assistance.router,
        community.router,
        registry.router,
        donations.router,
        census.router,
        resumption.router,
        volunteers.router,
        notices.router,
        supplies.router,
        briefings.router,
    ):
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    bound_parameters(model)


_mount()
