"""Home = what to do next, in a real browser: a chamber's staff follows a to-do to its list; a
duty officer's home leads to the post's console."""

import datetime as dt

import pytest

from gongke.community.models import Alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_staff_follow_a_to_do_to_the_alerts_and_a_guard_to_the_post(cast, live_server, page):
    base = live_server.url
    Alert.objects.create(
        organization=cast.chamber_a,
        post=cast.post_a,
        label="路人甲",
        temperature="38.4",
        occurred_at=dt.datetime.now(dt.UTC),
    )
    sign_in(page, base, "staff_a", cast.password)
    todo = page.locator("[data-testid=todos] a[href*='/community/alerts/']")
    todo.click()
    page.wait_for_url("**/community/alerts/?open=1")
    assert page.locator("text=路人甲").count() == 1

    page.context.clear_cookies()
    sign_in(page, base, "guard_a", cast.password)
    page.locator(f"[data-testid=todos] a[href$='/community/post/{cast.post_a.pk}/']").click()
    page.wait_for_url(f"**/community/post/{cast.post_a.pk}/")
