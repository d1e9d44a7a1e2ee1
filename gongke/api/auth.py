"""Token auth for devices, session auth for the browser; both feed the audit trail's actor."""

from auditlog.context import auditlog_value
from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from gongke.accounts.models import ApiToken


def _attach(request, user) -> None:
    request.user = user
    try:
        auditlog_value.get()["actor"] = user
    except LookupError:
        pass


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        found = ApiToken.authenticate(token)
        if found is None:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        _attach(request, found.user)
        return found.user


class BrowserSession(SessionAuth):
    """Django's session, with CSRF on writes as the browser requires."""


token_auth = TokenAuth()
session_auth = BrowserSession()
