"""Lockout: 5 wrong passwords for one username from one address pause sign-in there for the
cool-off; it lifts by itself, and nobody can lock a colleague out from another address."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db


HOME = "10.1.1.1"
ELSEWHERE = "10.9.9.9"


def sign_in(username, password, address=HOME):
    return Client(REMOTE_ADDR=address).post(
        "/accounts/login/", {"username": username, "password": password}
    )


def fail(times, username="staff_a", address=HOME):
    for _ in range(times):
        response = sign_in(username, "wrong password", address)
    return response


def locked(response):
    return response.status_code == 429 and "registration/locked_out.html" in [
        t.name for t in response.templates
    ]


def test_four_failures_leave_the_account_open(cast):
    assert fail(4).status_code == 200
    assert sign_in("staff_a", cast.password).status_code == 302


def test_five_failures_lock_the_username_from_that_address(cast):
    fail(4)
    assert locked(fail(1))
    assert locked(sign_in("staff_a", cast.password))  # even the right password waits


def test_the_lock_lifts_after_the_cool_off(cast):
    fail(5)
    assert locked(sign_in("staff_a", cast.password))
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    assert sign_in("staff_a", cast.password).status_code == 302


def test_a_colleague_elsewhere_is_not_locked_out(cast):
    fail(5)
    assert sign_in("staff_a", cast.password, address=ELSEWHERE).status_code == 302
    assert sign_in("viewer_a", cast.password, address=HOME).status_code == 302  # another username


def test_a_successful_sign_in_resets_the_count(cast):
    fail(4)
    assert sign_in("staff_a", cast.password).status_code == 302
    fail(4)
    assert sign_in("staff_a", cast.password).status_code == 302


def test_the_wrong_password_message_warns_about_the_lock(cast):
    response = fail(1)
    assert response.context["form"].non_field_errors()


def test_behind_nginx_each_client_is_told_apart_by_the_address_nginx_saw(cast, settings):
    """PROXY_COUNT=1: every request comes from nginx's 127.0.0.1; the lock follows the client
    address nginx appended, so one person's mistakes do not lock out a colleague's phone."""
    settings.PROXY_COUNT = 1

    def via_nginx(password, client_address, forged=""):
        forwarded = f"{forged}, {client_address}" if forged else client_address
        return Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded).post(
            "/accounts/login/", {"username": "staff_a", "password": password}
        )

    for n in range(5):  # a forged first entry changes nothing
        response = via_nginx("wrong password", HOME, forged=f"1.2.3.{n}")
    assert locked(response)
    assert via_nginx(cast.password, ELSEWHERE).status_code == 302


def test_tries_during_the_lock_do_not_extend_it(cast):
    """The cool-off runs from the failure that locked: a neighbour behind the same address who
    keeps trying cannot keep the user locked out."""
    fail(5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=10))
    fail(3)  # while locked
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=6))
    assert sign_in("staff_a", cast.password).status_code == 302


def test_an_address_spraying_usernames_is_paused(cast, settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 6
    for n in range(6):  # one try per username: no username reaches the axes limit
        assert sign_in(f"nobody{n}", "wrong password").status_code == 200
    response = sign_in("staff_a", cast.password)
    assert response.status_code == 429
    assert "address_paused" in response.context
    # ... at that address only
    assert sign_in("staff_a", cast.password, address=ELSEWHERE).status_code == 302
