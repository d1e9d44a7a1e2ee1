"""Console keys: a post's phone keeps sending passages for the whole shift, whatever happens to
the browser session (an idle timeout at 3 a.m. must not strand a fever on the phone)."""

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from gongke.accounts.access import require_write
from gongke.registry.models import Place

from ..models import ConsoleKey, PostKey


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def issue_console_key(*, post: Place, user: Any, device: str = "") -> tuple[ConsoleKey, str]:
    """A new key for this browser at this post (the caller fetched the post with write=True);
    answers the key and its raw value, which is shown to that browser only, once."""
    require_write(user, post.organization)
    raw = "gkc_" + secrets.token_urlsafe(32)
    key = ConsoleKey.objects.create(
        post=post,
        user=user,
        device=device.strip()[:100],
        prefix=raw[:8],
        key_hash=_digest(raw),
        expires_at=timezone.now() + timedelta(hours=settings.CONSOLE_KEY_HOURS),
    )
    return key, raw


def console_key(raw: str, *, post_id: int, now: datetime | None = None) -> ConsoleKey | None:
    """The live key `raw` for this post (not expired, not revoked, its user active), or None.
    The caller still checks, through the access path, that the user may write at the post."""
    if not raw:
        return None
    now = now or timezone.now()
    key = (
        ConsoleKey.objects.select_related("user")
        .filter(
            key_hash=_digest(raw),
            post_id=post_id,
            revoked_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
    if key is not None and (
        key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5)
    ):
        ConsoleKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


@transaction.atomic
def revoke_console_key(*, key: ConsoleKey, user: Any) -> ConsoleKey:
    require_write(user, key.post.organization)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


@transaction.atomic
def set_self_registration(*, key: PostKey, user: Any, require_temperature: bool) -> PostKey:
    """The post's rule for its QR page: whether a passage needs a temperature there."""
    require_write(user, key.post.organization)
    key.require_temperature = require_temperature
    key.save(update_fields=["require_temperature"])
    return key
