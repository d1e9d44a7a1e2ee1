"""Token auth for devices, session auth for the browser; both feed the audit trail's actor.

A device token's *grant* — the user with their memberships — is kept in Django's cache, which
every worker shares (settings.CACHES: a SQLite file beside the data, or Redis), for a few
seconds (TOKEN_GRANT_TTL, default 5 s): a guard's tablet registers a passage every few seconds
and each one would otherwise look the token, the user and the memberships up again. Nothing is
kept in a worker's own memory, so what one worker learns every worker sees.

Revocation still takes effect:
- within the TTL, always: every grant carries its own expiry and is rebuilt from the database
  after it (a revoked token, a deactivated user or a changed membership then counts as usual);
- at once, in every worker: saving or deleting a token, a user, a membership, a post binding,
  an organization or a place starts a new generation (kept in the cache beside the grants), and
  a grant of an earlier generation is not used.
Only successful look-ups are kept; a refused token is asked of the database every time.
"""

import time
import uuid
from typing import Any

from auditlog.context import auditlog_value
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from ninja.security import HttpBearer, SessionAuth

from gongke.accounts.models import ApiToken, Membership, User
from gongke.registry.models import Organization, Place

GENERATION_KEY = "gk:grant:gen"


def grant_ttl() -> float:
    return float(getattr(settings, "TOKEN_GRANT_TTL", 5))


def clock() -> float:
    """Wall-clock seconds; tests move it forward instead of sleeping."""
    return time.time()


def _generation() -> str:
    gen = cache.get(GENERATION_KEY)
    if gen is None:
        # A fresh random generation (never a counter that could come back after an eviction).
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        gen = cache.get(GENERATION_KEY) or "0"
    return gen


# Saves that touch only these fields change nobody's access (every browser sign-in saves
# last_login): they keep the grants.
NO_ACCESS_FIELDS = frozenset(
    {"last_login", "language", "last_used_at", "display_name", "updated_at"}
)


def forget_grants(update_fields: Any = None, **_kwargs: Any) -> None:
    """Start a new generation now and again at commit (a grant rebuilt in between could have
    read the old rows): every grant remembered so far is ignored from here on."""
    if update_fields and set(update_fields) <= NO_ACCESS_FIELDS:
        return
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(GENERATION_KEY, uuid.uuid4().hex, None))


for _model in (ApiToken, User, Membership, Organization, Place):
    post_save.connect(forget_grants, sender=_model, dispatch_uid=f"gk_grant_save_{_model.__name__}")
    post_delete.connect(
        forget_grants, sender=_model, dispatch_uid=f"gk_grant_delete_{_model.__name__}"
    )
m2m_changed.connect(forget_grants, sender=Membership.posts.through, dispatch_uid="gk_grant_posts")


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
        # The generation and the grant in one read of the cache.
        found_in_cache = cache.get_many([GENERATION_KEY, key])
        generation = found_in_cache.get(GENERATION_KEY) or _generation()
        grant = found_in_cache.get(key)
        now = clock()
        if grant is None or grant["generation"] != generation or grant["expires"] <= now:
            found = ApiToken.authenticate(token)
            if found is None:
                return None
            user = found.user
            user.cached_memberships  # noqa: B018 — loaded now, kept with the grant
            grant = {
                "user": user,
                "token_id": found.pk,
                "last_used_at": found.last_used_at,
                "expires": now + grant_ttl(),
                "generation": generation,
            }
            cache.set(key, grant, grant_ttl())
        stamp = timezone.now()
        last = grant["last_used_at"]
        if last is None or (stamp - last).total_seconds() > 300:
            ApiToken.objects.filter(pk=grant["token_id"]).update(last_used_at=stamp)
            grant["last_used_at"] = stamp
            cache.set(key, grant, max(1, int(grant["expires"] - now)))
        # Each read of the cache is a fresh copy: one request's attributes never show in another's.
        user = grant["user"]
        _attach(request, user)
        return user


class BrowserSession(SessionAuth):
    """Django's session, with CSRF on writes as the browser requires."""


token_auth = TokenAuth()
session_auth = BrowserSession()
