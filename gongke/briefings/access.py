"""Who reads and writes briefings (docs/access.md): every role that reads an organization's own
work reads its briefings (not a duty officer, whose membership reaches its posts); its staff and
admins write them; only an admin signs one off, and never its author.

    qs = briefings_for(user)
    b = get_briefing(user, pk, write=True)   # 404 outside the reach, 403 for a viewer
"""

from typing import Any

from django.db.models import QuerySet

from gongke.accounts.access import (
    ORGANIZATION_READERS,
    Reach,
    get_for_user,
    reach_q,
    visible_organizations,
)
from gongke.accounts.models import MANAGE_ROLES, Role
from gongke.registry.models import Organization

from .models import Briefing

BRIEFING = Reach(org="organization")
WRITERS = frozenset(MANAGE_ROLES)
SIGNERS = frozenset({Role.ORG_ADMIN, Role.PLATFORM_ADMIN})


def briefings_for(user: Any) -> QuerySet[Briefing]:
    return Briefing.objects.filter(
        reach_q(user, BRIEFING, roles=ORGANIZATION_READERS)
    ).select_related("organization")


def get_briefing(user: Any, pk: Any, *, write: bool = False, sign: bool = False) -> Briefing:
    return get_for_user(
        user,
        briefings_for(user),
        reach=BRIEFING,
        roles=SIGNERS if sign else WRITERS if write else None,
        pk=pk,
    )


def briefing_organizations(user: Any) -> QuerySet[Organization]:
    """Organizations the user may write a briefing for (enterprises have none: a briefing is a
    body's report over its members)."""
    return visible_organizations(user, roles=WRITERS).exclude(kind="enterprise")
