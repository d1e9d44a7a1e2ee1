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
