"""The QR self-registration sync is open to anyone holding the poster's token, so one client
address gets a generous number of passages per minute at one post, and no more."""

import json
from types import SimpleNamespace

import pytest

from gongke.community.models import Passage, PostKey
from gongke.lib import ratelimit

from .helpers import item

START = 1_800_000_000.0  # the start of a minute


@pytest.fixture
def clock(monkeypatch, settings):
    """A clock the test moves, a limit of 3 passages, and no count left from other tests."""
    from django.core.cache import cache

    cache.clear()
    settings.SELF_SYNC_PER_MINUTE = 3
    now = SimpleNamespace(t=START + 5)
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: now.t))
    yield now
    cache.clear()


def sync(client, post, n=1, **meta):
    token = PostKey.for_post(post).token
    items = [item() for _ in range(n)]
    response = client.post(
        f"/community/p/{token}/sync",
        json.dumps({"items": items}),
        content_type="application/json",
        **meta,
    )
    return response, [i["client_id"] for i in items]


def stored(client_ids):
    return Passage.objects.filter(client_id__in=client_ids).count()


def test_passages_under_the_limit_are_stored(cast, client, clock):
    response, ids = sync(client, cast.post_a, 3)
    assert response.status_code == 200
    assert stored(ids) == 3


def test_over_the_limit_it_answers_429_and_stores_nothing_of_that_request(cast, client, clock):
    sync(client, cast.post_a, 2)
    response, ids = sync(client, cast.post_a, 2)  # 4 > 3: the whole request is refused
    assert response.status_code == 429
    assert response["Retry-After"] == "55"
    assert response.json()["retry_after"] == 55 and response.json()["detail"]
    assert stored(ids) == 0
    response, ids = sync(client, cast.post_a, 1)  # what was refused used up nothing
    assert response.status_code == 200 and stored(ids) == 1


def test_another_address_and_another_post_are_not_affected(cast, client, clock):
    sync(client, cast.post_a, 3)
    assert sync(client, cast.post_a)[0].status_code == 429
    assert sync(client, cast.post_a, REMOTE_ADDR="10.1.1.2")[0].status_code == 200
    assert sync(client, cast.post_b)[0].status_code == 200


def test_the_next_minute_starts_a_fresh_count(cast, client, clock):
    sync(client, cast.post_a, 3)
    assert sync(client, cast.post_a)[0].status_code == 429
    clock.t = START + 60
    response, ids = sync(client, cast.post_a, 3)
    assert response.status_code == 200 and stored(ids) == 3


def test_a_limit_of_zero_turns_it_off(cast, client, clock, settings):
    settings.SELF_SYNC_PER_MINUTE = 0
    response, ids = sync(client, cast.post_a, 10)
    assert response.status_code == 200 and stored(ids) == 10


def test_behind_a_proxy_the_address_it_saw_counts_not_what_the_client_wrote(
    cast, client, clock, settings
):
    settings.PROXY_COUNT = 1
    sync(client, cast.post_a, 3, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    forged = sync(client, cast.post_a, HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7")[0]
    assert forged.status_code == 429
    other = sync(client, cast.post_a, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.8")[0]
    assert other.status_code == 200


def test_an_ipv6_client_counts_by_its_64(cast, client, clock):
    sync(client, cast.post_a, 3, REMOTE_ADDR="2001:db8:1:2::a")
    assert sync(client, cast.post_a, REMOTE_ADDR="2001:db8:1:2::b")[0].status_code == 429
    assert sync(client, cast.post_a, REMOTE_ADDR="2001:db8:1:3::a")[0].status_code == 200


@pytest.mark.parametrize(
    "count, meta, expected",
    [
        (0, {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "10.0.0.1"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "1.2.3.4"),
        (1, {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}, "1.2.3.4"),
        (
            2,
            {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4, 10.0.0.9"},
            "1.2.3.4",
        ),
        (1, {"REMOTE_ADDR": "127.0.0.1"}, "127.0.0.1"),
    ],
)
def test_the_client_address(rf, settings, count, meta, expected):
    settings.PROXY_COUNT = count
    assert ratelimit.client_ip(rf.get("/", **meta)) == expected
