"""The access generation: what every worker checks before trusting a remembered access answer.

Two things are remembered in Django's cache, which every worker shares (settings.CACHES: a
SQLite file beside the data, or Redis), for a few seconds (TOKEN_GRANT_TTL, default 5 s):
a device token's *grant* (gongke.api.auth) and an access *decision* for one row
(accounts.access.get_remembered: "user U may write at post P"). A guard's tablet registers a
passage every few seconds; each would otherwise look the token, the user, the memberships and the
post narrowing up again. Nothing is kept in a worker's own memory, and no model instance carries a
permission: a decision is a word ("ok", "403", "404") under a key.

Revocation still takes effect:
- within the TTL, always: every entry carries its own expiry;
- at once, in every worker: saving or deleting a token, a user, a membership, a post binding,
  an organization or a place starts a new generation (kept in the cache beside the entries), and
  an entry of an earlier generation is not used. These are every row the access rule reads.
"""

import time
import uuid
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from gongke.registry.models import Organization, Place

from .models import ApiToken, Membership, User

GENERATION_KEY = "gk:grant:gen"


def grant_ttl() -> float:
    return float(getattr(settings, "TOKEN_GRANT_TTL", 5))


def clock() -> float:
    """Wall-clock seconds; tests move it forward instead of sleeping."""
    return time.time()


def generation() -> str:
    gen = cache.get(GENERATION_KEY)
    if gen is None:
        # A fresh random generation (never a counter that could come back after an eviction).
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        gen = cache.get(GENERATION_KEY) or "0"
    return gen


def recall(key: str) -> tuple[str, Any]:
    """The current generation and what is remembered under `key` for it (None if nothing, or if
    it belongs to an earlier generation or has expired), in one read of the cache."""
    found = cache.get_many([GENERATION_KEY, key])
    gen = found.get(GENERATION_KEY) or generation()
    entry = found.get(key)
    if entry is None or entry["generation"] != gen or entry["expires"] <= clock():
        return gen, None
    return gen, entry["value"]


def remember(key: str, gen: str, value: Any) -> None:
    """Keeps `value` under `key` for the generation read *before* it was worked out: if access
    changed meanwhile, the entry is of an old generation and never used."""
    ttl = grant_ttl()
    cache.set(key, {"value": value, "generation": gen, "expires": clock() + ttl}, ttl)


# Saves that touch only these fields change nobody's access (every browser sign-in saves
# last_login): they keep the grants.
NO_ACCESS_FIELDS = frozenset(
    {"last_login", "language", "last_used_at", "display_name", "updated_at"}
)


def forget_grants(update_fields: Any = None, **_kwargs: Any) -> None:
    """Start a new generation now and again at commit (an entry worked out in between could have
    read the old rows): everything remembered so far is ignored from here on."""
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
