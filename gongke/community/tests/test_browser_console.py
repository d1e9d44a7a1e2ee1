"""A duty officer at the gate on a phone: a known resident in three taps, then a passage made
with the network down, kept on the phone as pending, and synced once when it comes back."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone_signed_in(request, cast):
    try:
        phone = request.getfixturevalue("phone")
        sign_in = request.getfixturevalue("sign_in")
    except pytest.FixtureLookupError:
        pytest.skip("the root conftest's browser fixtures (phone, sign_in) are not available")
    sign_in(phone, "guard_a", cast.password)
    return phone


def _count(**filters):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    from gongke.community.models import Passage

    def run():
        try:
            return Passage.objects.filter(**filters).count()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_a_guard_registers_a_resident_in_three_taps_and_survives_a_dead_spot(cast, phone_signed_in):
    from playwright.sync_api import expect

    from .helpers import resident

    r = resident(cast.compound_a, name="张三", room="301")
    page = phone_signed_in
    page.goto(f"/community/post/{cast.post_a.pk}/")
    expect(page.locator("input[name=plate]")).to_be_hidden()  # only what a resident needs
    page.fill("[data-resident-search]", "zs")
    page.click("[data-resident-results] button")  # tap 1: the resident
    page.click("button[data-temp='36.5']")  # tap 2: the temperature
    page.click("button[name=decision][value=pass]")  # tap 3: pass
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    assert _count(resident_id=r.pk, temperature="36.5") == 1

    page.context.set_offline(True)
    page.click("input[name=subject][value=outsider] + span")
    expect(page.locator("input[name=id_number]")).to_be_visible()
    expect(page.locator("input[name=plate]")).to_be_hidden()
    page.fill("input[name=name]", "外来人员")
    page.click("button[data-temp='36.6']")
    page.click("button[name=decision][value=turned_back]")  # asks for the reason first
    page.fill("input[name=reason]", "非本小区居民")
    page.click("button[name=decision][value=turned_back]")
    page.wait_for_selector("[data-pending-list] li.pending")
    assert _count() == 1

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    assert _count(decision="turned_back") == 1
    page.reload()
    page.evaluate("window.dispatchEvent(new Event('online'))")
    assert _count() == 2


def test_a_resident_self_registers_once_and_then_passes_with_one_tap(request, cast):
    from playwright.sync_api import expect

    from gongke.community.models import PostKey

    try:
        page = request.getfixturevalue("phone")
    except pytest.FixtureLookupError:
        pytest.skip("the root conftest's browser fixtures (phone) are not available")
    token = PostKey.for_post(cast.post_a).token
    page.goto(f"/community/p/{token}/")
    page.fill("input[name=name]", "李四")
    page.fill("input[name=phone]", "13912345678")
    page.fill("input[name=temperature]", "36.4")
    page.click("button[name=direction][value=in]")
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    assert _count(name="李四", source="self", direction="in") == 1

    page.reload()
    expect(page.locator("[data-me-name]")).to_contain_text("李四")
    page.click("button[name=direction][value=out]")  # the one tap
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    assert _count(name="李四", direction="out") == 1


def test_a_phone_over_the_self_registration_limit_keeps_its_passage_and_sends_it_later(
    request, cast, settings, monkeypatch
):
    from types import SimpleNamespace

    from django.core.cache import cache
    from playwright.sync_api import expect

    from gongke.community.models import PostKey
    from gongke.lib import ratelimit

    try:
        page = request.getfixturevalue("phone")
    except pytest.FixtureLookupError:
        pytest.skip("the root conftest's browser fixtures (phone) are not available")
    cache.clear()
    settings.SELF_SYNC_PER_MINUTE = 1
    server = SimpleNamespace(t=1_800_000_000.0 + 5)  # 55 s before the server's window turns
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: server.t))
    page.clock.install()
    page.goto(f"/community/p/{PostKey.for_post(cast.post_a).token}/")
    page.fill("input[name=name]", "李四")
    page.click("button[name=direction][value=in]")
    expect(page.locator("[data-pending-list] li")).to_have_count(0)

    page.click("button[name=direction][value=out]")  # the second in this minute: 429
    expect(page.locator("[data-netstate]")).to_contain_text("繁忙")
    expect(page.locator("[data-pending-list] li.pending")).to_have_count(1)
    assert _count(name="李四", direction="out") == 0

    sent = []
    page.on("request", lambda r: sent.append(r.url) if r.url.endswith("/sync") else None)
    page.clock.run_for(45_000)  # three regular ticks, all inside the Retry-After: none sends
    assert sent == []
    server.t += 60
    page.clock.run_for(16_000)
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    assert _count(name="李四", direction="out") == 1
    cache.clear()
