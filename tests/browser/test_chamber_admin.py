"""A chamber admin signs in, switches to English and back, finds a member by pinyin initials."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chamber_admin_switches_language_and_finds_a_member_by_initials(cast, page, sign_in):
    sign_in(page, "admin_a", cast.password)
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").first.inner_text().startswith("概况")

    page.click("[data-testid=lang-en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text().startswith("Overview")

    page.click("[data-testid=lang-zh-hans]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.click("nav.mainnav >> text=会员名录")
    page.fill("input[name=q]", "jbjt")
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    page.click("table.list >> text=京博集团")
    page.wait_for_load_state()
    assert "京博集团" in page.locator("h1").first.inner_text()
    assert "91110000600037341L" in page.content()
    # The legal representative's phone is masked on the page.
    assert "13812345678" not in page.content()
    assert "138****5678" in page.content()


def test_the_language_choice_is_remembered_for_the_user(cast, page, browser, live_server, sign_in):
    sign_in(page, "admin_a", cast.password)
    page.click("[data-testid=lang-zh-hant]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    cast.admin_a.refresh_from_db()
    assert cast.admin_a.language == "zh-hant"

    other = browser.new_context(base_url=live_server.url, locale="en-US").new_page()
    sign_in(other, "admin_a", cast.password)
    assert other.locator("html").get_attribute("lang") == "zh-hant"
    other.context.close()


def test_the_site_is_in_simplified_chinese_unless_asked_otherwise(client):
    assert (
        client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").headers[
            "Content-Language"
        ]
        == "zh-hans"
    )
    assert (
        client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-TW,zh;q=0.9").headers[
            "Content-Language"
        ]
        == "zh-hant"
    )
    client.cookies["gongke_language"] = "en"
    assert "Sign in" in client.get("/accounts/login/").content.decode()
