"""An organization admin in a real browser: creates a colleague, then deactivates them after
confirming."""

import os
import shutil

import pytest

from gongke.accounts.models import User

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]

GOOD = "Qingyuan-duty-2026!"


@pytest.fixture
def browser_page(live_server, monkeypatch):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM is used beside Playwright's loop
    from django.db import connection
    from playwright.sync_api import sync_playwright

    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(locale="zh-CN")
        yield page
        browser.close()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def test_an_admin_creates_and_then_deactivates_a_colleague(cast, live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "admin_a")
    page.fill("input[name=password]", cast.password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/accounts/users/new/")
    page.fill("input[name=username]", "zhang_wei")
    page.fill("input[name=display_name]", "张伟")
    page.select_option("select[name=organization]", str(cast.a1.pk))
    page.select_option("select[name=role]", "reporter")
    page.fill("input[name=password1]", GOOD)
    page.fill("input[name=password2]", GOOD)
    page.click("form.form button[type=submit]")
    page.wait_for_url("**/accounts/users/*/")
    user = User.objects.get(username="zhang_wei")

    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("button.danger")
    assert questions and User.objects.get(pk=user.pk).is_active  # said no: nothing happened
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button.danger")
    page.wait_for_selector(".messages li.success")
    assert not User.objects.get(pk=user.pk).is_active
