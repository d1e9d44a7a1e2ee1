"""Fixtures for the foundation's browser tests (Playwright with Debian's chromium)."""

import shutil

import pytest


@pytest.fixture
def browser_page(live_server, monkeypatch):
    """A chromium page in Chinese, against the live server; skipped without chromium."""
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed")
    monkeypatch.setenv(
        "DJANGO_ALLOW_ASYNC_UNSAFE", "true"
    )  # the ORM is used beside Playwright's loop
    from django.db import connection
    from playwright.sync_api import sync_playwright

    # The live server's request threads must not keep connections past the test.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page(locale="zh-CN")
        yield page
        browser.close()


@pytest.fixture
def sign_in(live_server, browser_page):
    def go(username, password):
        browser_page.goto(f"{live_server.url}/accounts/login/")
        browser_page.fill("input[name=username]", username)
        browser_page.fill("input[name=password]", password)
        browser_page.click("form.form button[type=submit]")
        browser_page.wait_for_url(f"{live_server.url}/")
        return browser_page

    return go


@pytest.fixture
def query():
    return _query


def _query(fn):
    """Run an ORM check from a browser test in a thread of its own, closing its connection.

    While Playwright's loop runs, the ORM in the test body gets a connection of its own that
    would outlive the test (and keep PostgreSQL from dropping the test database)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()
