"""Browser sessions end after SESSION_IDLE_SECONDS without a request and SESSION_MAX_SECONDS
after sign-in, whatever happens in between. The clocks run for real: the limits are set to a
few seconds and the tests wait them out."""

import time

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def signed_in(cast, address="10.2.2.2"):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": "staff_a", "password": cast.password})
    assert response.status_code == 302
    return client


def expired(response):
    return response.status_code == 302 and "expired=1" in response.url


def test_an_idle_session_ends(cast, settings):
    settings.SESSION_IDLE_SECONDS = 1
    client = signed_in(cast)
    assert client.get("/").status_code == 200
    time.sleep(1.5)
    response = client.get("/registry/")
    assert expired(response)
    assert response.url.startswith("/accounts/login/")
    assert client.get("/").status_code == 302  # signed out for good


def test_a_session_idle_from_its_sign_in_ends(cast, settings):
    """The idle clock starts at sign-in, not at the first page after it."""
    settings.SESSION_IDLE_SECONDS = 1
    client = signed_in(cast)
    time.sleep(1.5)
    assert expired(client.get("/"))


def test_an_active_session_goes_on(cast, settings):
    settings.SESSION_IDLE_SECONDS = 3
    client = signed_in(cast)
    for _ in range(4):  # 4 s in all, never 3 s without a request
        time.sleep(1)
        assert client.get("/").status_code == 200


def test_a_session_ends_at_its_absolute_limit_even_when_busy(cast, settings):
    settings.SESSION_IDLE_SECONDS = 60
    settings.SESSION_MAX_SECONDS = 2
    client = signed_in(cast)
    assert client.get("/").status_code == 200
    time.sleep(1.2)
    assert client.get("/").status_code == 200
    time.sleep(1.2)
    assert expired(client.get("/"))


def test_an_expired_session_on_the_api_answers_401(cast, settings):
    settings.SESSION_IDLE_SECONDS = 1
    client = signed_in(cast)
    time.sleep(1.5)
    response = client.get("/api/v1/registry/organizations")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_login_page_says_the_session_ended(client, db):
    page = client.get("/accounts/login/?expired=1")
    assert page.status_code == 200
    assert 'class="notice"' in page.content.decode()


def test_the_session_cookie_is_http_only_and_lax(cast):
    client = signed_in(cast)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_a_device_token_request_stores_no_session(cast):
    """A device registers a passage every few seconds: none may leave a session row behind or
    be handed a session cookie (found by bench/passages_http.py: one INSERT per passage)."""
    import uuid

    from django.contrib.sessions.models import Session
    from django.test import Client

    from gongke.accounts.models import ApiToken

    _token, raw = ApiToken.issue(user=cast.guard_a, name="tablet")
    for _ in range(2):
        r = Client(headers={"Authorization": f"Bearer {raw}"}).post(
            "/api/v1/community/passages",
            {
                "post_id": cast.post_a.pk,
                "client_id": str(uuid.uuid4()),
                "direction": "in",
                "name": "张三",
            },
            content_type="application/json",
        )
        assert r.status_code == 201, r.content
        assert "sessionid" not in r.cookies
    assert not Session.objects.exists()
