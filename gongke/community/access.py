"""Community duty through the one access path (gongke.accounts.access, docs/access.md).

A duty officer's membership reaches only its posts, their compounds/villages and what is tied to
them; other memberships reach their organization's subtree. Passages, alerts and shift sign-ins
are written by duty officers (at the posts they reach), staff and admins; posts, rosters,
disinfection plans and duty settings by staff and admins.
"""

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from gongke.accounts.access import WRITERS, Reach, get_for_user, get_remembered, scoped
from gongke.accounts.models import MANAGE_ROLES, Role
from gongke.census.models import Resident
from gongke.registry.models import Place

from .models import Alert, Assignment, Passage, PublicityItem, Shift, Spot
from .services import statements

POST = Reach(post="pk")
AREA = Reach(area="pk")
PLACE = Reach(post="pk", area="pk")
ALERT = Reach(post="post")
PASSAGE = Reach(org="post__organization", post="post")
SPOT = Reach(org="place__organization", post="place", area="place")
SHIFT = Reach(org="post__organization", post="post")
ASSIGNMENT = Reach(org="shift__post__organization", post="shift__post")
PUBLICITY = Reach(org="place__organization", area="place")

# Who writes what happens at a post (passages, alert decisions, signing in to a shift).
DUTY_WRITERS = set(WRITERS["passages"])


def _roles(write: bool, manage: bool) -> set[Role] | None:
    if manage:
        return set(MANAGE_ROLES)
    return DUTY_WRITERS if write else None


def posts_for(user: Any) -> QuerySet[Place]:
    return scoped(user, Place.objects.posts().filter(is_active=True), reach=POST)


def areas_for(user: Any) -> QuerySet[Place]:
    return scoped(user, Place.objects.areas(), reach=AREA)


def alerts_for(user: Any, qs: QuerySet[Alert] | None = None) -> QuerySet[Alert]:
    """Fever alerts (a resident's name and temperature): a duty officer sees only their posts'."""
    return scoped(user, qs if qs is not None else Alert.objects.all(), reach=ALERT)


def passages_for(user: Any, qs: QuerySet[Passage] | None = None) -> QuerySet[Passage]:
    return scoped(user, qs if qs is not None else Passage.objects.all(), reach=PASSAGE)


def spots_for(user: Any, qs: QuerySet[Spot] | None = None) -> QuerySet[Spot]:
    return scoped(user, qs if qs is not None else Spot.objects.all(), reach=SPOT)


def get_post(
    user: Any,
    pk: Any,
    *,
    write: bool = False,
    manage: bool = False,
    resident_id: int | None = None,
) -> Place:
    """The post, or 404. write=True: may record passages there (403 otherwise); manage=True: may
    change the post and its roster. With resident_id, post.resident_name is that resident's name
    if they live in the post's compound (None otherwise), found in the same query."""
    roles = _roles(write, manage)

    def decide() -> Place:
        qs = Place.objects.posts().select_related("organization", "parent")
        if resident_id:
            qs = qs.annotate(
                resident_name=Subquery(
                    Resident.objects.filter(
                        pk=resident_id, household__place_id=OuterRef("parent_id")
                    )
                    .order_by()
                    .values("name")[:1]
                )
            )
        return get_for_user(user, qs, reach=POST, roles=roles, pk=pk)

    if write and not manage:
        # Asked per passage: the answer is remembered (get_remembered says why that is safe),
        # and the post is then read by one hand-written statement (statements.py says why).
        return get_remembered(
            user,
            Place,
            pk,
            roles=roles,
            decide=decide,
            fetch=lambda: statements.post_for_passage(pk, resident_id),
        )
    return decide()


def post_residents(post: Place, resident_id: int | None) -> dict[int, str] | None:
    """The residents map record_passages wants, from a post fetched with get_post(resident_id=…)."""
    if not resident_id:
        return None
    name = getattr(post, "resident_name", None)
    return {} if name is None else {resident_id: name}


def get_area(user: Any, pk: Any, *, write: bool = False, manage: bool = False) -> Place:
    qs = Place.objects.areas().select_related("organization")
    return get_for_user(user, qs, reach=AREA, roles=_roles(write, manage), pk=pk)


def get_place(user: Any, pk: Any, *, write: bool = False, manage: bool = False) -> Place:
    """A compound, village or post (disinfection spots may be at either)."""
    qs = Place.objects.select_related("organization", "parent")
    return get_for_user(user, qs, reach=PLACE, roles=_roles(write, manage), pk=pk)


def get_alert(user: Any, pk: Any, *, write: bool = False) -> Alert:
    qs = Alert.objects.select_related("post", "organization")
    return get_for_user(user, qs, reach=ALERT, roles=_roles(write, False), pk=pk)


def get_passage(user: Any, pk: Any, *, write: bool = False) -> Passage:
    qs = Passage.objects.select_related("post__organization", "resident")
    return get_for_user(user, qs, reach=PASSAGE, roles=_roles(write, False), pk=pk)


def get_spot(user: Any, pk: Any, *, write: bool = False) -> Spot:
    qs = Spot.objects.select_related("place__organization")
    return get_for_user(user, qs, reach=SPOT, roles=_roles(write, False), pk=pk)


def get_shift(user: Any, pk: Any, *, write: bool = False, manage: bool = False) -> Shift:
    """A shift at a post the user reaches; write=True: sign in or out (duty officers included)."""
    qs = Shift.objects.select_related("post__organization", "post__parent")
    return get_for_user(user, qs, reach=SHIFT, roles=_roles(write, manage), pk=pk)


def get_assignment(user: Any, pk: Any, *, write: bool = False) -> Assignment:
    """A shift assignment; write=True: sign in or out at the shift's post."""
    qs = Assignment.objects.select_related("shift__post__organization")
    return get_for_user(user, qs, reach=ASSIGNMENT, roles=_roles(write, False), pk=pk)


def get_publicity_item(user: Any, pk: Any, *, write: bool = False) -> PublicityItem:
    qs = PublicityItem.objects.select_related("place__organization")
    return get_for_user(user, qs, reach=PUBLICITY, roles=_roles(write, False), pk=pk)
