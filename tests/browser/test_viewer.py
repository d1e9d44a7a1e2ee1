"""A viewer in a real browser: menus of what they read, no write buttons, and a styled 403 that
says why and leads home, without any script the CSP would refuse."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_viewer_reads_without_write_buttons_and_a_write_url_explains_itself(cast, page, sign_in):
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, "viewer_a", cast.password)
    menus = page.locator("header [data-menu]").evaluate_all("els => els.map(e => e.dataset.menu)")
    assert set(menus) == {
        "home",
        "registry",
        "donations",
        "supplies",
        "resumption",
        "community",
        "census",
        "volunteers",
        "assistance",
        "notices",
        "briefings",
    }

    page.click("header [data-menu=donations]")
    page.wait_for_load_state()
    assert page.locator("a[href='/donations/gifts/new/']").count() == 0

    page.goto("/registry/organizations/new/")
    panel = page.locator("[data-testid=error-403]")
    assert "您的角色在此仅可查看。" in panel.inner_text()
    assert page.locator("header.topbar").is_visible()
    panel.locator("a.button").click()
    page.wait_for_url("**/")
    assert page.locator("h1").first.inner_text().startswith("概况")

    page.goto("/no/such/page/")
    assert "页面不存在" in page.locator("[data-testid=error-404]").inner_text()
    assert refused == []
