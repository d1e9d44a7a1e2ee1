"""Token auth for devices, session auth for the browser; both feed the audit trail's actor.

A device token's *grant* — the user with their memberships — is remembered in the shared cache
for TOKEN_GRANT_TTL seconds under the access generation (gongke.accounts.grants says why and how
revocation still takes effect at once). Only successful look-ups are kept; a refused token is
asked of the database every time.
"""

from auditlog.context import auditlog_value
from django.utils import timezone, translation
from ninja.security import HttpBearer, SessionAuth

from gongke.accounts import grants
from gongke.accounts.models import ApiToken


def _attach(request, user) -> None:
    request.user = user
    if user.language:
        # Chosen before authentication (a device sends no session): the user's own language.
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
    try:
        auditlog_value.get()["actor"] = user
    except LookupError:
        pass


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        key = f"gk:grant:{ApiToken.digest(token)}"
        gen, grant = grants.recall(key)
        if grant is None:
            found = ApiToken.authenticate(token)
            if found is None:
                return None
            user = found.user
            user.cached_memberships  # noqa: B018 — loaded now, kept with the grant
            grant = {"user": user, "token_id": found.pk, "last_used_at": found.last_used_at}
            grants.remember(key, gen, grant)
        stamp = timezone.now()
        last = grant["last_used_at"]
        if last is None or (stamp - last).total_seconds() > 300:
            ApiToken.objects.filter(pk=grant["token_id"]).update(last_used_at=stamp)
            grant["last_used_at"] = stamp
            grants.remember(key, gen, grant)
        # Each read of the cache is a fresh copy: one request's attributes never show in another's.
        user = grant["user"]
        _attach(request, user)
        return user


class BrowserSession(SessionAuth):
    """Django's session, with CSRF on writes as the browser requires."""

    def __call__(self, request):
        # Signed out answers 401 (sign in again), not a CSRF 403: with no session there is no
        # authority for a forged request to borrow, and the gate console tells the two apart.
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


token_auth = TokenAuth()
session_auth = BrowserSession()
