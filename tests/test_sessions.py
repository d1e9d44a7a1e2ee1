"""Browser sessions end after SESSION_IDLE_SECONDS without a request and SESSION_MAX_SECONDS
after sign-in, whatever happens in between."""

import time

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def shift(client, **ages):
    session = client.session
    now = int(time.time())
    for key, seconds in ages.items():
        session[key] = now - seconds
    session.save()


def test_an_active_session_goes_on(cast, client_for):
    client = client_for(cast.staff_a)
    assert client.get("/").status_code == 200
    shift(client, gk_seen=settings.SESSION_IDLE_SECONDS - 60)
    assert client.get("/").status_code == 200
    assert client.session["gk_seen"] >= int(time.time()) - 5  # the request counted as activity


def test_an_idle_session_ends(cast, client_for):
    client = client_for(cast.staff_a)
    client.get("/")
    shift(client, gk_seen=settings.SESSION_IDLE_SECONDS + 1)
    response = client.get("/registry/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/") and "expired=1" in response.url
    assert client.get("/").status_code == 302  # signed out for good


def test_a_session_ends_at_its_absolute_limit_even_when_busy(cast, client_for):
    client = client_for(cast.staff_a)
    client.get("/")
    shift(client, gk_started=settings.SESSION_MAX_SECONDS + 1, gk_seen=10)
    response = client.get("/")
    assert response.status_code == 302 and "expired=1" in response.url


def test_an_expired_session_on_the_api_answers_401(cast, client_for):
    client = client_for(cast.staff_a)
    client.get("/")
    shift(client, gk_seen=settings.SESSION_IDLE_SECONDS + 1)
    response = client.get("/api/v1/registry/organizations")
    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_login_page_says_the_session_ended(client, db):
    page = client.get("/accounts/login/?expired=1")
    assert page.status_code == 200
    assert 'class="notice"' in page.content.decode()


def test_the_session_cookie_is_http_only_and_lax(cast, client):
    client.post(
        "/accounts/login/",
        {"username": "staff_a", "password": cast.password},
        REMOTE_ADDR="10.2.2.2",
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
