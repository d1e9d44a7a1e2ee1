"""The main flows in a real browser (Debian's chromium through Playwright): a reporter sends
today's report; the chamber reports for its members on one page (htmx, no reload) and sees
the dashboard's charts drawn."""

import pytest

from gongke.registry import services as registry
from gongke.registry.models import OrgKind
from gongke.resumption.models import DailyReport

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_page(page):
    return page  # the project's shared Playwright tab (root conftest)


def sign_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_a_reporter_reports_and_the_chamber_fills_in_the_rest_and_sees_the_charts(
    cast, live_server, browser_page
):
    page, base = browser_page, live_server.url
    a2 = registry.create_organization(
        parent=cast.chamber_a, kind=OrgKind.ENTERPRISE, name="青原钣金二厂"
    )

    sign_in(page, base, "reporter_a1", cast.password)
    page.goto(f"{base}/resumption/")
    page.fill("input[name=staff_on_site]", "60")
    page.fill("input[name=vehicles]", "4")
    page.fill("input[name=masks]", "3000")
    page.click("form.form button[type=submit]")
    page.locator(".messages li").wait_for()
    assert DailyReport.objects.get(enterprise=cast.a1).staff_on_site == 60

    page.context.clear_cookies()
    sign_in(page, base, "staff_a", cast.password)
    page.goto(f"{base}/resumption/association/{cast.chamber_a.pk}/batch/")
    page.evaluate("window.stillHere = true")  # survives only if htmx swaps instead of reloading
    page.fill(f"input[name='{a2.pk}-staff_on_site']", "8")
    page.fill(f"input[name='{a2.pk}-vehicles']", "很多")
    page.click("#batch button[type=submit]")
    page.locator("#batch .error").first.wait_for()
    assert page.evaluate("window.stillHere === true")
    assert not DailyReport.objects.filter(enterprise=a2).exists()
    page.fill(f"input[name='{a2.pk}-vehicles']", "1")
    page.click("#batch button[type=submit]")
    page.locator("#batch .badge.green, #batch .badge.yellow").nth(1).wait_for()
    assert DailyReport.objects.get(enterprise=a2).staff_on_site == 8

    page.goto(f"{base}/briefings/resumption/")
    page.locator("[data-chart=trend-chart] canvas").wait_for()
    assert "复工复产" in page.title()
