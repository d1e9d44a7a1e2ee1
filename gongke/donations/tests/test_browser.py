"""A chamber's staff records a gift in the browser; the donor checks the receipt on the public page."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_records_a_gift_and_anyone_verifies_its_receipt(
    cast, page, sign_in, browser, live_server
):
    sign_in(page, "staff_a", cast.password)
    page.goto("/donations/gifts/new/")
    page.select_option("select[name=organization]", str(cast.chamber_a.pk))
    page.select_option("select[name=donor_kind]", "individual")
    page.fill("input[name=donor_name]", "张伟")
    page.fill("input[name=contact_phone]", "13912345678")
    page.select_option("select[name=nature]", "money")
    page.fill("input[name=amount]", "壹拾万元整")
    page.click("form button[type=submit].primary")
    page.wait_for_load_state()
    errors = page.locator(".errorlist").all_inner_texts()
    assert not errors, errors
    assert "100,000.00" in page.content()

    page.click("td a[href*='/donations/receipts/']")  # the gift's own, not the register
    page.wait_for_load_state()
    receipt = page.content()
    assert "壹拾万元整" in receipt
    from gongke.donations.models import Receipt

    code = Receipt.objects.get().code

    anonymous = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    anonymous.goto(f"/donations/verify/{code}/")
    public = anonymous.content()
    assert "张伟" in public and "100,000.00" in public
    assert "13912345678" not in public and "139****5678" not in public
    anonymous.context.close()
