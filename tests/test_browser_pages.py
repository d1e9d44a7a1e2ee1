"""Light and accessible pages in a real browser (issue 12.5 and 12.7).

Pages without charts stay under 150 KB over the wire and never fetch the charting library; pages
with charts fetch it and draw. axe-core (npm, served by the app from /static/vendor/) finds no
serious or critical violation on the main pages. Figures for a throttled phone: bench/pages.py.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The main pages a chamber admin works in; the first ones draw no chart.
WITHOUT_CHARTS = [
    "/registry/",
    "/registry/people/",
    "/accounts/users/",
    "/accounts/audit/",
    "/resumption/applications/",
    "/resumption/missing/",
    "/resumption/fevers/",
    "/community/alerts/",
    "/community/roster/",
    "/census/",
    "/donations/gifts/",
    "/donations/gifts/new/",
]
WITH_CHARTS = ["/", "/donations/", "/briefings/resumption/", "/community/"]

# Sum of what the page and everything it loaded cost on the wire (headers included).
TRANSFERRED = """() => {
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')];
  return {bytes: entries.reduce((sum, e) => sum + e.transferSize, 0),
          urls: entries.map(e => e.name)};
}"""


def test_pages_without_charts_are_light_and_never_fetch_the_charting_library(cast, page, sign_in):
    sign_in(page, "admin_a", cast.password)
    for url in WITHOUT_CHARTS:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        wire = page.evaluate(TRANSFERRED)
        assert not [u for u in wire["urls"] if "echarts" in u], url
        assert wire["bytes"] < 150_000, (url, wire["bytes"])


def test_pages_with_charts_fetch_the_library_and_draw(cast, page, sign_in):
    sign_in(page, "admin_a", cast.password)
    for url in WITH_CHARTS:
        page.goto(url)
        if not page.locator("[data-chart]").count():
            continue  # nothing to draw on this page for this user today
        page.wait_for_selector("[data-chart][data-chart-ready]")
        assert page.locator("[data-chart] canvas").count()
        wire = page.evaluate(TRANSFERRED)
        assert [u for u in wire["urls"] if "echarts" in u], url


SERIOUS = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`);
}"""


def axe_violations(page) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    return page.evaluate(SERIOUS)


A11Y_PAGES = [*WITH_CHARTS, *WITHOUT_CHARTS, "/accounts/profile/"]


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_main_pages_have_no_serious_accessibility_violations(
    cast, page, sign_in, live_server, lang
):
    page.context.add_cookies([{"name": "gongke_language", "value": lang, "url": live_server.url}])
    found = {}
    page.goto("/accounts/login/")
    if violations := axe_violations(page):
        found["/accounts/login/"] = violations
    sign_in(page, "admin_a", cast.password)
    for url in A11Y_PAGES:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        if violations := axe_violations(page):
            found[url] = violations
    assert found == {}, "\n".join(f"{u}: {v}" for u, v in found.items())


def test_a_keyboard_user_skips_to_the_content_and_reaches_a_scrolling_table(cast, phone, sign_in):
    sign_in(phone, "admin_a", cast.password)
    phone.goto("/accounts/users/")
    phone.keyboard.press("Tab")
    skip = phone.locator(":focus")
    assert skip.get_attribute("href") == "#content"
    phone.keyboard.press("Enter")
    assert phone.evaluate("location.hash") == "#content"
    # A table wider than the phone scrolls in a region that takes the keyboard's focus.
    region = phone.locator(".table-scroll").first
    assert region.get_attribute("tabindex") == "0"
    assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")


def test_figures_get_thousands_separators_and_tiles_keep_them_on_one_line(cast, phone, sign_in):
    """Issue 12.9: whatever template wrote the figure."""
    sign_in(phone, "admin_a", cast.password)
    phone.goto("/")
    lines = phone.evaluate(
        """() => {
      const tiles = document.createElement('section');
      tiles.className = 'tiles';
      tiles.innerHTML = '<div class="tile"><b>1234567</b><span>x</span></div>'
        + '<div class="tile"><b>21003.29万</b><span>y</span></div>';
      const table = document.createElement('table');
      table.className = 'list';
      table.innerHTML = '<tr><td class="num">1322</td><td class="num">2020-02-01</td><td>12345</td></tr>';
      document.querySelector('main').append(tiles, table);
      window.gongke.groupNumbers(document);
      const b = [...tiles.querySelectorAll('b')];
      return {
        texts: [...b.map(x => x.textContent), ...[...table.querySelectorAll('td')].map(x => x.textContent)],
        oneLine: b.every(x => x.offsetHeight < 1.5 * parseFloat(getComputedStyle(x).lineHeight)),
        fits: b.every(x => x.scrollWidth <= x.parentElement.clientWidth),
      };
    }"""
    )
    assert lines["texts"] == ["1,234,567", "21,003.29万", "1,322", "2020-02-01", "12345"]
    assert lines["oneLine"] and lines["fits"]


def test_a_dashboard_prints_on_a4_with_its_heading(cast, page, sign_in):
    """Issue 12.10: the print header shows, the navigation does not, the paper is A4."""
    sign_in(page, "admin_a", cast.password)
    page.goto("/donations/?since=2020-02-01&until=2020-02-29")
    page.emulate_media(media="print")
    assert page.locator(".print-head").is_visible()
    assert not page.locator(".topbar").is_visible()
    assert "2020-02-01 – 2020-02-29" in page.locator(".print-head").inner_text()
    pdf = page.pdf(prefer_css_page_size=True)
    assert b"/MediaBox [0 0 594.9" in pdf  # A4: 210 × 297 mm = 595 × 842 pt


def test_a_form_marks_required_fields_aligns_amounts_and_focuses_its_errors(cast, page, sign_in):
    """Issue 12.8."""
    sign_in(page, "staff_a", cast.password)
    page.goto("/donations/gifts/new/")
    marks = page.evaluate(
        """() => [...document.querySelectorAll('form.form label')].map(l => [
             getComputedStyle(l, '::before').content,
             !!(l.control && l.control.required)])"""
    )
    assert marks and all((mark == '"*"') == required for mark, required in marks), marks
    amount = page.locator("form.form input[name=amount]")
    assert amount.evaluate("e => getComputedStyle(e).textAlign") == "right"
    page.click("form.form button[type=submit]")
    page.wait_for_selector(".error-summary")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id").startswith("id_")
