"""The import page in a real browser: the htmx upload shows every bad row, then imports."""

import os
import shutil

import pytest

from gongke.lib.excel import build_xlsx
from gongke.registry.models import Organization

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]

HEADERS = ["企业名称 *", "所属商会 *", "统一社会信用代码"]


@pytest.fixture
def browser_page(live_server, monkeypatch):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM is used beside Playwright's loop
    from django.db import connection

    # The live server's request threads must not keep PostgreSQL connections past the test,
    # or the test database cannot be dropped.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(locale="zh-CN")
        yield page
        browser.close()
    if connection.vendor == "postgresql":
        # A connection opened beside Playwright's event loop outlives the test; end it so the
        # test database can be dropped.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


def test_a_chamber_secretary_fixes_a_bad_file_and_imports_it(
    cast, live_server, browser_page, tmp_path
):
    page = browser_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "admin_a")
    page.fill("input[name=password]", cast.password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/registry/import/organizations/")

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        build_xlsx(HEADERS, [["好企业", "青原县钣金商会", ""], ["坏企业", "青原县钣金商会", "123"]])
    )
    page.evaluate("window.stillHere = true")  # survives only if htmx swaps instead of reloading
    page.set_input_files("input[type=file]", str(bad))
    page.click("#import-form button[type=submit]")
    errors = page.locator("[data-testid=row-errors] tbody tr")
    errors.first.wait_for()
    assert errors.count() == 1 and "统一社会信用代码" in errors.first.inner_text()
    assert not Organization.objects.filter(name="好企业").exists()
    assert page.evaluate("window.stillHere === true")

    good = tmp_path / "good.xlsx"
    good.write_bytes(
        build_xlsx(
            HEADERS, [["好企业", "青原县钣金商会", ""], ["另一家企业", "青原县钣金商会", ""]]
        )
    )
    page.set_input_files("input[type=file]", str(good))
    page.click("#import-form button[type=submit]")
    page.locator("[data-testid=imported]").wait_for()
    assert (
        Organization.objects.filter(
            name__in=["好企业", "另一家企业"], parent=cast.chamber_a
        ).count()
        == 2
    )
