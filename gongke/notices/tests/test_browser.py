"""The main flow in a real browser: a chamber's staff writes and sends a notice; a member's
reporter sees the home banner, reads and acknowledges; the sender sees the roll-up's chart."""

import pytest

from gongke.notices.models import Notice, Recipient

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_send_read_acknowledge_and_roll_up(cast, page, sign_in):
    sign_in(page, "staff_a")
    page.goto("/notices/new/")
    page.select_option("select[name=organization]", str(cast.chamber_a.pk))
    page.fill("input[name=title]", "关于报送复工人数的通知")
    page.fill("textarea[name=body]", "各会员企业：\n\n请回执复工人数。")
    page.check("input[name=all]")
    page.fill("textarea[name=answer_fields]", "复工人数 | number | required")
    page.click("[data-testid=notice-form] button.primary")
    page.wait_for_url("**/notices/*/")
    page.on("dialog", lambda d: d.accept())
    page.click("[data-testid=send]")
    page.wait_for_selector("[data-testid=totals]")
    notice = Notice.objects.get()
    assert notice.status == "sent"

    page.context.clear_cookies()
    sign_in(page, "reporter_a1")
    page.goto("/")
    page.click(f"[data-testid=notices-banner] a[href='/notices/received/{notice.pk}/']")
    page.fill("input[name=f1]", "60")
    page.click("[data-testid=acknowledge]")
    page.wait_for_selector("[data-testid=ack] .badge.green")
    r = Recipient.objects.get(notice=notice, user=cast.reporter_a1)
    assert r.answers == {"f1": "60"}

    page.context.clear_cookies()
    sign_in(page, "staff_a")
    page.goto(f"/notices/{notice.pk}/")
    page.wait_for_selector(".chart canvas, .chart svg")
    assert "100.0%" in page.inner_text("[data-testid=totals]")
