"""A device token's grant (user, memberships, posts fetched for writing) is remembered for a few
seconds: the access rules stay the same and a revocation counts within that time — at once when
it goes through a save (signals), after the grant's TTL when rows change without signals."""

import json

import pytest
from django.utils import timezone

from gongke.accounts import grants
from gongke.accounts import services as accounts
from gongke.accounts.models import ApiToken, Membership, Role, User
from gongke.community.models import Outing, Passage
from gongke.registry import services as registry

from .helpers import item, resident

URL = "/api/v1/community/passages"


def send(client, **fields):
    return client.post(URL, json.dumps(item(**fields)), content_type="application/json")


@pytest.fixture
def later(monkeypatch):
    """later() moves the grants' clock past their TTL (no sleeping)."""
    shift = [0.0]
    real = grants.clock
    monkeypatch.setattr(grants, "clock", lambda: real() + shift[0])

    def move():
        shift[0] += grants.grant_ttl() + 1

    return move


def test_a_remembered_grant_asks_the_database_less(cast, api_for, django_assert_max_num_queries):
    api = api_for(cast.guard_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    # Token, user, memberships and the post come from the grant: the passage's own writes stay.
    with django_assert_max_num_queries(6):
        assert send(api, post_id=cast.post_a.pk).status_code == 201


def test_a_duty_officer_stays_limited_to_their_posts(cast, api_for):
    other = registry.save_place(
        organization=cast.post_a.organization,
        kind="post",
        name="东城花园西门卡口",
        parent=cast.compound_a,
        township=cast.post_a.township,
    )
    api = api_for(cast.guard_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    assert send(api, post_id=other.pk).status_code == 404
    assert send(api, post_id=cast.post_b.pk).status_code == 404
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    assert send(api, post_id=other.pk).status_code == 404


def test_another_organization_and_a_viewer_are_still_refused(cast, api_for):
    outsider, viewer = api_for(cast.outsider_b), api_for(cast.viewer_a)
    for _ in range(2):
        assert send(outsider, post_id=cast.post_a.pk).status_code == 404
        assert send(viewer, post_id=cast.post_a.pk).status_code == 403
    assert not Passage.objects.filter(post=cast.post_a).exists()


def test_a_remembered_post_still_checks_the_resident_lives_there(cast, api_for):
    api = api_for(cast.guard_a)
    mine, theirs = resident(cast.compound_a), resident(cast.compound_b, name="王五")
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    ok = send(api, post_id=cast.post_a.pk, subject="resident", resident_id=mine.pk, name="")
    assert ok.status_code == 201, ok.content
    assert Passage.objects.get(pk=ok.json()["id"]).resident_id == mine.pk
    wrong = send(api, post_id=cast.post_a.pk, subject="resident", resident_id=theirs.pk, name="")
    assert wrong.status_code == 422
    assert "resident_id" in wrong.json()["errors"]


def test_revoking_a_device_token_counts_at_once(cast, client_for, api_for):
    api = api_for(cast.guard_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    token = ApiToken.objects.get(user=cast.guard_a)
    client_for(cast.guard_a).post(f"/accounts/tokens/{token.pk}/revoke/")
    assert send(api, post_id=cast.post_a.pk).status_code == 401


def test_deactivating_a_user_counts_at_once(cast, api_for):
    api = api_for(cast.guard_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    accounts.set_active(user=cast.guard_a, active=False)
    assert send(api, post_id=cast.post_a.pk).status_code == 401


def test_unbinding_a_post_counts_at_once(cast, api_for):
    api = api_for(cast.guard_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    accounts.bind_posts(membership=cast.guard_a.memberships.get(), posts=[])
    assert send(api, post_id=cast.post_a.pk).status_code == 404


def test_a_role_turned_viewer_counts_at_once(cast, api_for):
    api = api_for(cast.staff_a)
    post = cast.post_a
    assert send(api, post_id=post.pk).status_code == 201
    membership = cast.staff_a.memberships.get()
    membership.role = Role.VIEWER
    membership.save()
    assert send(api, post_id=post.pk).status_code == 403


def test_a_token_revoked_without_signals_counts_after_the_ttl(cast, api_for, later):
    api = api_for(cast.guard_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    ApiToken.objects.filter(user=cast.guard_a).update(revoked_at=timezone.now())
    assert send(api, post_id=cast.post_a.pk).status_code == 201  # within the TTL
    later()
    assert send(api, post_id=cast.post_a.pk).status_code == 401


def test_a_user_deactivated_without_signals_counts_after_the_ttl(cast, api_for, later):
    api = api_for(cast.guard_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    User.objects.filter(pk=cast.guard_a.pk).update(is_active=False)
    later()
    assert send(api, post_id=cast.post_a.pk).status_code == 401


def test_a_binding_removed_without_signals_counts_after_the_ttl(cast, api_for, later):
    api = api_for(cast.guard_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    Membership.posts.through.objects.filter(membership__user=cast.guard_a).delete()
    later()
    assert send(api, post_id=cast.post_a.pk).status_code == 404


def test_a_role_lowered_without_signals_counts_after_the_ttl(cast, api_for, later):
    api = api_for(cast.guard_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    Membership.objects.filter(user=cast.guard_a).update(role=Role.VIEWER)
    later()
    assert send(api, post_id=cast.post_a.pk).status_code == 403


def test_one_passage_at_a_time_opens_and_closes_an_outing_exactly_once(cast, api_for):
    api = api_for(cast.guard_a)
    r = resident(cast.compound_a)
    out = item(post_id=cast.post_a.pk, subject="resident", resident_id=r.pk, direction="out")
    first = api.post(URL, json.dumps(out), content_type="application/json")
    again = api.post(URL, json.dumps(out), content_type="application/json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Passage.objects.count() == 1
    [outing] = Outing.objects.all()
    assert outing.returned_at is None and outing.resident_id == r.pk
    back = send(api, post_id=cast.post_a.pk, subject="resident", resident_id=r.pk, name="")
    assert back.status_code == 201
    outing.refresh_from_db()
    assert outing.returned_at is not None and Outing.objects.count() == 1


def test_a_remembered_post_is_read_by_one_statement(cast, api_for):
    """After the first passage, access to the post is remembered: the post (and the resident's
    name) is one statement, then the passage's insert and its outing."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(cast.guard_a)
    r = resident(cast.compound_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        ok = send(api, post_id=cast.post_a.pk, subject="resident", resident_id=r.pk, name="")
    assert ok.status_code == 201, ok.content
    # The test client's session and the test's own savepoints aside.
    sql = [
        q["sql"].split()[0]
        for q in ctx.captured_queries
        if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]
    assert sql == ["SELECT", "INSERT", "UPDATE"], sql


def test_a_remembered_answer_is_the_users_own(cast, api_for):
    assert send(api_for(cast.guard_a), post_id=cast.post_a.pk).status_code == 201
    assert send(api_for(cast.viewer_a), post_id=cast.post_a.pk).status_code == 403
    assert send(api_for(cast.outsider_b), post_id=cast.post_a.pk).status_code == 404
    assert send(api_for(cast.guard_ab), post_id=cast.post_a.pk).status_code == 201
    # A viewer of chamber B: reads post_b, may not write there.
    assert send(api_for(cast.guard_ab), post_id=cast.post_b.pk).status_code == 403


def test_a_post_handed_to_another_organization_counts_at_once(cast, api_for):
    api = api_for(cast.staff_a)
    assert send(api, post_id=cast.post_a.pk).status_code == 201
    post = cast.post_a
    post.organization = cast.chamber_b
    post.save()
    assert send(api, post_id=post.pk).status_code == 404


def test_the_console_page_path_is_remembered_too(cast, client_for):
    """The browser console posts through the same get_post: a session user's answer changes at
    once when their binding does."""
    from gongke.accounts import grants

    web = client_for(cast.guard_a)
    assert send(web, post_id=cast.post_a.pk).status_code == 201
    gen = grants.generation()
    accounts.bind_posts(membership=cast.guard_a.memberships.get(), posts=[])
    assert grants.generation() != gen
    assert send(web, post_id=cast.post_a.pk).status_code == 404
