"""Writes to users and memberships, as organization admins manage their people."""

from typing import Any

from auditlog.models import LogEntry
from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from gongke.registry.models import Organization, Place

from .models import Membership, Role, User


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    organization: Organization,
    role: str,
    display_name: str = "",
    phone: str = "",
    email: str = "",
) -> User:
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    user._audit_org_path = organization.path  # type: ignore[attr-defined]
    validate_password(password, user)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


@transaction.atomic
def change_role(*, membership: Membership, role: str) -> Membership:
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    if role != Role.DUTY_OFFICER:
        membership.posts.clear()
    return membership


@transaction.atomic
def bind_posts(*, membership: Membership, posts: list[Place]) -> Membership:
    membership.posts.set(posts)
    return membership


@transaction.atomic
def set_active(*, user: User, active: bool) -> User:
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=_now())
    return user


@transaction.atomic
def set_password(*, user: User, password: str, by_admin: bool) -> User:
    """Set a new password (validated: common and short passwords are refused) and log it."""
    validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    changes: dict[str, Any] = {"password": ["***", "***"], "reset_by_admin": [None, by_admin]}
    LogEntry.objects.log_create(user, action=LogEntry.Action.UPDATE, changes=changes)
    return user


def _now():
    from django.utils import timezone

    return timezone.now()
