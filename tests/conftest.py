"""Fixtures for the foundation's browser tests; the browser itself is the root conftest's."""

import pytest


@pytest.fixture
def signed_in(page, sign_in):
    """signed_in(username, password) -> the shared browser tab, signed in, on the home page."""

    def go(username, password):
        sign_in(page, username, password)
        page.wait_for_url("**/")
        return page

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
