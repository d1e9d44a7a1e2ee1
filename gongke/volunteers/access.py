"""Volunteers and field operations through the one access path (gongke.accounts.access).

Teams, their volunteers, shifts, hours and tasks belong to the team's organization; lent
resources to the lending member; operations to the organization that ran them. Any membership
reaches its organization's subtree; a duty officer reaches none of it (their posts' rosters stay
in community duty). Staff and admins write (WRITERS["volunteers"]).

A volunteer without an account reaches only their own pass page, by its token.
"""

from typing import Any

from django.db.models import QuerySet

from gongke.accounts.access import WRITERS, Reach, get_for_user, scoped
from gongke.registry.models import Organization

from .models import (
    HoursEntry,
    Issue,
    NoShow,
    Operation,
    Resource,
    Route,
    SignUp,
    Task,
    Team,
    Volunteer,
)

TEAM = Reach(org="organization")
VOLUNTEER = Reach(org="team__organization")
SIGNUP = Reach(org="team__organization")
HOURS = Reach(org="volunteer__team__organization")
TASK = Reach(org="team__organization")
ROUTE = Reach(org="team__organization")
ISSUE = Reach(org="round__route__team__organization")
RESOURCE = Reach(org="organization")
OPERATION = Reach(org="organization")


def _roles(write: bool) -> frozenset | None:
    return WRITERS["volunteers"] if write else None


def teams_for(user: Any) -> QuerySet[Team]:
    return scoped(user, Team.objects.select_related("organization", "leader", "place"), reach=TEAM)


def volunteers_for(user: Any) -> QuerySet[Volunteer]:
    return scoped(
        user, Volunteer.objects.select_related("person", "team__organization"), reach=VOLUNTEER
    )


def hours_for(user: Any) -> QuerySet[HoursEntry]:
    return scoped(
        user, HoursEntry.objects.select_related("volunteer__person", "volunteer__team"), reach=HOURS
    )


def tasks_for(user: Any) -> QuerySet[Task]:
    return scoped(
        user, Task.objects.select_related("team", "post", "volunteer__person"), reach=TASK
    )


def resources_for(user: Any) -> QuerySet[Resource]:
    return scoped(user, Resource.objects.select_related("organization"), reach=RESOURCE)


def operations_for(user: Any) -> QuerySet[Operation]:
    return scoped(
        user, Operation.objects.select_related("organization", "division"), reach=OPERATION
    )


def get_team(user: Any, pk: Any, *, write: bool = False) -> Team:
    qs = Team.objects.select_related("organization", "leader", "place")
    return get_for_user(user, qs, reach=TEAM, roles=_roles(write), pk=pk)


def get_volunteer(user: Any, pk: Any, *, write: bool = False) -> Volunteer:
    qs = Volunteer.objects.select_related("person", "team__organization")
    return get_for_user(user, qs, reach=VOLUNTEER, roles=_roles(write), pk=pk)


def get_signup(user: Any, pk: Any, *, write: bool = False) -> SignUp:
    qs = SignUp.objects.select_related("team__organization")
    return get_for_user(user, qs, reach=SIGNUP, roles=_roles(write), pk=pk)


def get_hours_entry(user: Any, pk: Any, *, write: bool = False) -> HoursEntry:
    qs = HoursEntry.objects.select_related("volunteer__team__organization")
    return get_for_user(user, qs, reach=HOURS, roles=_roles(write), pk=pk)


def get_no_show(user: Any, pk: Any, *, write: bool = False) -> NoShow:
    qs = NoShow.objects.select_related("volunteer__team__organization")
    return get_for_user(user, qs, reach=HOURS, roles=_roles(write), pk=pk)


def get_task(user: Any, pk: Any, *, write: bool = False) -> Task:
    qs = Task.objects.select_related("team__organization", "volunteer")
    return get_for_user(user, qs, reach=TASK, roles=_roles(write), pk=pk)


def get_route(user: Any, pk: Any, *, write: bool = False) -> Route:
    qs = Route.objects.select_related("team__organization", "place")
    return get_for_user(user, qs, reach=ROUTE, roles=_roles(write), pk=pk)


def get_issue(user: Any, pk: Any, *, write: bool = False) -> Issue:
    qs = Issue.objects.select_related("round__route__team__organization")
    return get_for_user(user, qs, reach=ISSUE, roles=_roles(write), pk=pk)


def get_resource(user: Any, pk: Any, *, write: bool = False) -> Resource:
    qs = Resource.objects.select_related("organization")
    return get_for_user(user, qs, reach=RESOURCE, roles=_roles(write), pk=pk)


def get_operation(user: Any, pk: Any, *, write: bool = False) -> Operation:
    qs = Operation.objects.select_related("organization", "division")
    return get_for_user(user, qs, reach=OPERATION, roles=_roles(write), pk=pk)


def get_organization(user: Any, pk: Any, *, write: bool = False) -> Organization:
    """An organization a team, a resource or an operation is recorded for."""
    return get_for_user(
        user, Organization.objects.all(), reach=Reach(org=""), roles=_roles(write), pk=pk
    )


def volunteer_by_pass(token: str) -> Volunteer | None:
    """The volunteer whose personal link this is (active ones only), else None."""
    if not token or len(token) > 32:
        return None
    return (
        Volunteer.objects.select_related("person", "team__organization")
        .filter(pass_token=token, status="active")
        .first()
    )
