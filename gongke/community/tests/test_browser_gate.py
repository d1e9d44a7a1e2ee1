"""The gate at 3 a.m. (issue 11), on a 390×844 phone: a fever is seen and decided, nothing is
lost across a session expiry or an offline restart, three taps for a known resident, readable in
dark mode."""

import pytest

from .helpers import resident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def guard(request, cast, phone, sign_in):
    sign_in(phone, "guard_a", cast.password)
    return phone


def _db(fn):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run():
        try:
            return fn()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def _passages(**filters):
    from gongke.community.models import Passage

    return _db(
        lambda: list(
            Passage.objects.filter(**filters)
            .order_by("occurred_at")
            .values_list("direction", "decision", "temperature", "reason")
        )
    )


def _in_view(page, selector):
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box["y"] >= 0 and box["y"] + box["height"] <= 844


def _until(page, script, timeout=15.0):
    """Polls `script` (an expression, maybe a promise) until it is true. Not wait_for_function:
    its polling evaluates a string, which the pages' CSP (no unsafe-eval) refuses."""
    import time

    end = time.monotonic() + timeout
    while not page.evaluate(script):
        assert time.monotonic() < end, f"never true: {script}"
        page.wait_for_timeout(100)


def _open_console(page, post):
    page.goto(f"/community/post/{post.pk}/")
    _until(page, f"localStorage.getItem('gongke.consolekey.{post.pk}') !== null")


def test_a_fever_is_shown_in_view_and_needs_a_decision_before_it_passes(cast, guard):
    from playwright.sync_api import expect

    page = guard
    _open_console(page, cast.post_a)
    page.click("input[name=subject][value=outsider] + span")
    page.fill("input[name=name]", "王五")
    page.fill("input[name=temperature]", "38.2")
    panel = page.locator("[data-fever-panel]")
    expect(panel).to_be_visible()
    assert _in_view(page, "[data-fever-panel]")  # at once, where the guard looks
    assert page.evaluate("document.activeElement.name") == "temperature"  # focus stays put

    page.click("button[name=decision][value=pass]")  # the big button does not wave it through
    expect(page.locator("[data-flash]")).to_contain_text("处置")
    assert _passages() == []

    panel.locator("[data-fever-decision=pass]").click()  # pass, but only with a reason
    expect(page.locator("input[name=reason]")).to_be_visible()
    page.click("button[name=decision][value=pass]")
    assert _passages() == []
    page.fill("input[name=reason]", "慢性病，已电话联系社区医生")
    page.click("button[name=decision][value=pass]")
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    assert _passages() == [("in", "pass", 38.2, "慢性病，已电话联系社区医生")] or _passages()[0][
        :2
    ] == ("in", "pass")

    # The next one is sent to the fever clinic in one tap on the panel; the reason says why.
    page.fill("input[name=name]", "赵六")
    page.fill("input[name=temperature]", "39.0")
    expect(panel).to_be_visible()
    assert _in_view(page, "[data-fever-panel]")
    panel.locator("[data-fever-decision=fever_clinic]").click()
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    clinic = _passages(decision="fever_clinic")
    assert len(clinic) == 1 and "39.0" in clinic[0][3]
    # What the guard is told about the alert comes from the server, and is in view.
    expect(page.locator("[data-flash]")).to_contain_text("发热")
    assert _in_view(page, "[data-flash]")


def test_a_known_resident_goes_out_and_back_in_with_three_taps_each(cast, guard):
    from playwright.sync_api import expect

    from gongke.community.models import Outing

    r = _db(lambda: resident(cast.compound_a, name="张三", room="301"))
    page = guard
    _open_console(page, cast.post_a)
    for direction in ("out", "in"):
        page.fill("[data-resident-search]", "zs")  # typing the initials: not a tap
        page.click("[data-resident-results] button")  # tap 1: who (the direction follows)
        expect(page.locator(f"input[name=direction][value={direction}]")).to_be_checked()
        page.click("button[data-temp='36.5']")  # tap 2: temperature
        assert _in_view(page, "button[name=decision][value=pass]")  # no scrolling on 390×844
        page.click("button[name=decision][value=pass]")  # tap 3
        # The guard's own entry shows under 刚刚登记 at once, and stays there once sent.
        expect(page.locator("[data-pending-list] li, [data-mine] li").first).to_contain_text("张三")
        expect(page.locator("[data-pending-list] li")).to_have_count(0)
        expect(page.locator("[data-mine] li").first).to_contain_text("张三")
    assert [p[0] for p in _passages(resident_id=r.pk)] == ["out", "in"]
    assert _db(lambda: Outing.objects.open().count()) == 0


def test_the_console_loads_no_chart_library(cast, guard):
    page = guard
    scripts = []
    page.on(
        "request", lambda req: scripts.append(req.url) if req.resource_type == "script" else None
    )
    _open_console(page, cast.post_a)
    assert scripts and not any("echarts" in s for s in scripts)


def test_no_passage_is_lost_when_the_session_ends(cast, guard):
    """The session ends (idle timeout) while the console is open: the console key still sends;
    when the key is revoked too, the console says so loudly, keeps the passage, and sends it once
    the guard has signed in again."""
    from playwright.sync_api import expect

    from gongke.community.models import ConsoleKey

    page = guard
    _open_console(page, cast.post_a)
    page.context.clear_cookies()  # the session is gone
    page.click("input[name=subject][value=outsider] + span")
    page.fill("input[name=name]", "钱七")
    page.fill("input[name=temperature]", "38.2")
    page.locator("[data-fever-decision=turned_back]").click()
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    assert [p[:2] for p in _passages()] == [("in", "turned_back")]

    _db(lambda: ConsoleKey.objects.update(revoked_at="2020-01-01T00:00:00Z"))
    page.fill("input[name=name]", "孙八")
    page.fill("input[name=temperature]", "36.6")
    page.click("button[name=decision][value=pass]")
    alarm = page.locator("[data-alarm]")
    expect(alarm).to_be_visible()
    expect(alarm).to_contain_text("未送出")
    assert _in_view(page, "[data-alarm]")
    expect(page.locator("[data-pending-list] li.pending")).to_have_count(1)
    assert len(_passages()) == 1

    page.click("[data-alarm-login]")
    page.fill("input[name=username]", "guard_a")
    page.fill("input[name=password]", cast.password)
    page.click("form.form button[type=submit]")
    page.wait_for_url(f"**/community/post/{cast.post_a.pk}/")
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    expect(page.locator("[data-alarm]")).to_be_hidden()
    assert len(_passages()) == 2


@pytest.fixture
def network(live_server):
    """network(up=False): the server accepts connections and closes them unanswered, as a dead
    spot does (the browser's offline switch does not reach a service worker's own requests).
    The live server outlives the test: it is always back up afterwards."""
    httpd = live_server.thread.httpd

    def switch(up):
        if up:
            vars(httpd).pop("finish_request", None)
        else:
            httpd.finish_request = lambda request, address: None

    yield switch
    switch(True)


def test_the_console_opens_offline_after_the_tab_is_lost_and_keeps_what_was_entered(
    cast, guard, network
):
    from playwright.sync_api import expect

    _db(lambda: resident(cast.compound_a, name="张三", room="301"))
    page = guard
    context = page.context
    _open_console(page, cast.post_a)
    _until(page, "navigator.serviceWorker.ready.then(() => true)")
    _until(
        page, "caches.open('gongke-gate-v1').then(c => c.match(location.pathname)).then(r => !!r)"
    )
    context.set_offline(True)
    network(up=False)
    page.click("input[name=subject][value=outsider] + span")
    page.fill("input[name=name]", "李四")
    page.click("button[data-temp='36.4']")
    page.click("button[name=decision][value=pass]")
    expect(page.locator("[data-pending-list] li.pending")).to_have_count(1)
    page.close()  # the tab is discarded

    page = context.new_page()
    page.goto(f"/community/post/{cast.post_a.pk}/")
    expect(page.locator("[data-netstate]")).to_contain_text("离线")
    expect(page.locator("[data-pending-list] li.pending")).to_have_count(1)
    page.fill("[data-resident-search]", "zs")  # the resident list came with the kept page
    expect(page.locator("[data-resident-results] button")).to_have_count(1)
    assert _passages() == []

    network(up=True)
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    assert len(_passages()) == 1


def test_the_phone_checks_a_passage_before_it_is_queued_and_a_refused_one_is_corrected(cast, guard):
    from playwright.sync_api import expect

    page = guard
    _open_console(page, cast.post_a)
    page.context.set_offline(True)
    page.click("input[name=subject][value=outsider] + span")
    page.fill("input[name=name]", "周九")
    page.fill("input[name=temperature]", "375")
    page.click("button[name=decision][value=pass]")
    expect(page.locator("[data-field-msg]")).to_contain_text("34.0")
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    page.click("input[name=subject][value=vehicle] + span")
    page.fill("input[name=plate]", "ABC")
    page.fill("input[name=temperature]", "")
    page.click("button[name=decision][value=pass]")
    expect(page.locator("[data-field-msg]")).to_contain_text("京A12345")
    page.click("input[name=subject][value=outsider] + span")
    page.click("button[name=decision][value=refused]")  # refusing needs a reason
    expect(page.locator("input[name=reason]")).to_be_visible()
    expect(page.locator("[data-pending-list] li")).to_have_count(0)

    # The server refuses what the phone could not know (here: a clock far ahead): shown with
    # its reason, then corrected and sent, or discarded.
    page.evaluate(
        """(post) => localStorage.setItem('gongke.passages.console.' + post, JSON.stringify([
        {client_id: crypto.randomUUID(), occurred_at: '2099-01-01T00:00:00Z', direction: 'in',
         subject: 'outsider', name: '吴十', decision: 'pass', reason: '', temperature: '36.5',
         label: '吴十'}]))""",
        cast.post_a.pk,
    )
    page.context.set_offline(False)
    page.reload()
    failed = page.locator("[data-pending-list] li.failed")
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("时钟")
    failed.locator("button[data-action=fix]").click()
    expect(page.locator("input[name=name]")).to_have_value("吴十")
    page.click("button[name=decision][value=pass]")
    expect(page.locator("[data-pending-list] li")).to_have_count(0)
    assert len(_passages()) == 1


CONTRAST = """() => {
  function lum(c) {
    const m = c.match(/[\\d.]+/g).map(Number);
    const [r, g, b] = m.slice(0, 3).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function ratio(a, b) { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); }
  function bg(el) {
    for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (c && !/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c;
    }
    return 'rgb(255, 255, 255)';
  }
  function shown(el) { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && getComputedStyle(el).opacity !== '0'; }
  const text = [], small = [];
  let checked = 0;
  document.querySelectorAll('body *').forEach(el => {
    if (!shown(el)) return;
    const own = Array.from(el.childNodes).some(n => n.nodeType === 3 && n.textContent.trim());
    if (own || (el.tagName === 'INPUT' && el.value)) {
      checked++;
      const r = ratio(getComputedStyle(el).color, bg(el));
      if (r < 4.5) text.push([el.tagName, el.className, (el.textContent || el.value).trim().slice(0, 20), r.toFixed(2)]);
    }
    const tappable = el.matches('a, button, summary, input:not([type=radio]):not([type=hidden]), .seg span');
    if (tappable) {
      const r = el.getBoundingClientRect();
      if (r.height < 44 || r.width < 44) small.push([el.tagName, el.className, (el.textContent || el.name || '').trim().slice(0, 20), Math.round(r.width), Math.round(r.height)]);
    }
  });
  const spans = Array.from(document.querySelectorAll('.seg:first-of-type span'));
  const on = document.querySelector('.seg input:checked + span');
  const off = spans.find(s => s !== on);
  return {checked, text, small, seg: ratio(getComputedStyle(on).backgroundColor, getComputedStyle(off).backgroundColor)};
}"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_console_is_readable_in_dark_and_light_mode(cast, guard, scheme):
    page = guard
    page.emulate_media(color_scheme=scheme)
    _db(lambda: resident(cast.compound_a, name="张三", room="301"))
    _open_console(page, cast.post_a)
    page.fill("[data-resident-search]", "zs")
    page.click("button[data-temp='36.5']")
    found = page.evaluate(CONTRAST)
    assert found["checked"] > 20, found  # the whole console, not an empty page
    assert found["seg"] >= 3, found
    assert found["text"] == [], found["text"]
    assert found["small"] == [], found["small"]

    # The QR self-registration page, in the same light.
    from gongke.community.models import PostKey

    page.goto(f"/community/p/{_db(lambda: PostKey.for_post(cast.post_a).token)}/")
    found = page.evaluate(CONTRAST)
    assert found["seg"] >= 3, found
    assert found["text"] == [], found["text"]
    assert found["small"] == [], found["small"]


def test_a_repeat_self_registration_is_one_tap_with_a_live_receipt(cast, phone, network):
    from playwright.sync_api import expect

    from gongke.community.models import PostKey

    def require():
        key = PostKey.for_post(cast.post_a)
        key.require_temperature = True
        key.save()
        return key.token

    token = _db(require)
    page = phone
    page.goto(f"/community/p/{token}/")
    expect(page.locator("[data-testid=lang-en]")).to_be_visible()  # a language switch
    page.locator("[data-testid=privacy] summary").click()
    expect(page.locator("[data-testid=privacy]")).to_contain_text("28")  # kept how long
    page.fill("input[name=name]", "李四")
    page.click("button[name=direction][value=in]")
    expect(page.locator("[data-field-msg]")).to_contain_text("体温")  # this post needs one
    assert _passages() == []
    page.fill("input[name=temperature]", "36.4")
    page.click("button[name=direction][value=in]")
    receipt = page.locator("[data-receipt]")
    expect(receipt.locator("[data-receipt-state]")).to_contain_text("已上传")
    expect(receipt).to_contain_text("进")

    page.reload()
    expect(page.locator("[data-forget]")).to_be_visible()  # "not me", as a button
    page.context.set_offline(True)
    network(up=False)
    page.fill("input[name=temperature]", "36.5")  # typing, not a tap
    page.click("button[name=direction][value=out]")  # the one tap
    expect(receipt.locator("[data-receipt-what]")).to_contain_text("出")
    expect(receipt.locator("[data-receipt-state]")).to_contain_text("未上传")  # not yet received
    clock = receipt.locator("[data-clock]").inner_text()
    page.wait_for_timeout(1100)
    assert receipt.locator("[data-clock]").inner_text() != clock  # a live clock, not a picture
    network(up=True)
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(receipt.locator("[data-receipt-state]")).to_contain_text("已上传")
    assert [p[0] for p in _passages(name="李四")] == ["in", "out"]


def test_staff_see_a_new_fever_alert_without_reloading(cast, page, sign_in):
    from playwright.sync_api import expect

    from .helpers import passage

    sign_in(page, "staff_a", cast.password)
    page.clock.install()
    page.goto("/community/alerts/")
    expect(page.locator("[data-testid=alert-list]")).not_to_contain_text("38.9")
    _db(lambda: passage(cast.post_a, name="周九", temperature="38.9"))
    page.clock.run_for(11_000)
    expect(page.locator("[data-testid=alert-list]")).to_contain_text("38.9")
