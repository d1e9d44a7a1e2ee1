"""Deployment checks of our own, run by `gongke check --deploy`."""

from django.conf import settings
from django.core.checks import Error, Warning, register


@register(deploy=True)
def check_keys(app_configs, **kwargs):
    problems = []
    if settings.SECRET_KEY == settings.DEFAULT_SECRET_KEY:
        problems.append(
            Error(
                "SECRET_KEY is the published development key.",
                hint="Set SECRET_KEY to 60 random characters.",
                id="gongke.E001",
            )
        )
    if settings.ID_HASH_KEY == settings.DEFAULT_SECRET_KEY:
        problems.append(
            Error(
                "ID_HASH_KEY is the published development key: stored ID numbers could be "
                "recovered from their hashes.",
                hint="Set ID_HASH_KEY.",
                id="gongke.E002",
            )
        )
    elif settings.ID_HASH_KEY == settings.SECRET_KEY:
        problems.append(
            Warning(
                "ID_HASH_KEY is not set: ID numbers are matched with SECRET_KEY, so rotating "
                "SECRET_KEY would orphan every stored ID number.",
                hint="Set ID_HASH_KEY to its own random value and never change it.",
                id="gongke.W001",
            )
        )
    return problems


@register(deploy=True)
def check_demo_passwords(app_configs, **kwargs):
    """The demo county's password is published in the README: no account may keep it.

    Checked for the demo's usernames and every platform admin (hashing is slow by design, so
    not for every user of a large county); a database not migrated yet has no users."""
    from django.contrib.auth import get_user_model
    from django.db import DatabaseError
    from django.db.models import Q

    from .demo import DEMO_PASSWORD, DEMO_USERS

    names = [username for username, *_rest in DEMO_USERS]
    try:
        users = list(
            get_user_model()
            .objects.filter(Q(username__in=names) | Q(is_superuser=True), is_active=True)
            .only("username", "password")
        )
    except DatabaseError:
        return []
    found = sorted(u.username for u in users if u.check_password(DEMO_PASSWORD))
    if not found:
        return []
    return [
        Error(
            f"These accounts still have the demo password, which is published: {', '.join(found)}.",
            hint="Change their passwords, or start from an empty database without the demo.",
            id="gongke.E003",
        )
    ]
