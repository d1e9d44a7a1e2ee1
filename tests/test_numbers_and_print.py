"""Numbers and dates written one way everywhere (issue 12.9) and dashboards that print (12.10).
The browser halves (thousands separators, tiles on one line, A4) are in test_browser_pages.py."""

import datetime
import importlib.util
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("gongke_i18n", ROOT / "scripts" / "i18n.py")
assert _spec and _spec.loader
i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n)


def render(text: str, **context) -> str:
    return Template(text).render(Context(context))


def test_a_temperature_is_written_with_one_decimal_and_the_celsius_sign():
    assert render("{{ t|celsius }}", t=Decimal("37.8")) == "37.8 ℃"
    assert render("{{ t|celsius }}", t=37) == "37.0 ℃"
    assert render("{{ t|celsius }}", t=None) == ""


def test_no_page_or_catalog_writes_degrees_celsius_another_way():
    templates = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "gongke").rglob("*.html")
        if re.search(r"\}\}\s*°C|>\s*°C|\"°C\"", p.read_text(encoding="utf-8"))
    ]
    assert templates == []
    for name in ["core", *i18n.APP_CATALOGS]:
        for entry in i18n.read_catalog(i18n.catalog_path(name)):
            strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
            assert not any("°C" in (s or "") for s in strings), entry.id
    for language in ["en", "zh-hant", "zh-hans"]:
        with translation.override(language):
            assert "℃" in translation.gettext("temperature (°C)")


def test_a_date_shows_its_year_only_when_it_is_not_this_years():
    today = timezone.localdate()
    assert render("{{ d|when }}", d=today.replace(month=3, day=1)) == "03-01"
    assert render("{{ d|when }}", d=datetime.date(today.year - 1, 12, 30)) == (
        f"{today.year - 1}-12-30"
    )
    moment = timezone.make_aware(datetime.datetime(today.year - 1, 12, 31, 20, 5))
    assert render("{{ d|when }}", d=moment) == f"{today.year - 1}-12-31 20:05"


def test_no_page_writes_a_month_and_day_without_a_way_to_its_year():
    # A date that may be from another year goes through |when (03-01, or 2025-12-30); a bare
    # "m-d" drops the year of last winter's records without a word. Times of day alone are fine.
    bare = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in (ROOT / "gongke").rglob("*.html")
        for m in re.finditer(r'\|date:"([^"]*)"', p.read_text(encoding="utf-8"))
        if re.search(r"[mndjb]", m.group(1)) and not re.search(r"[YyoU]", m.group(1))
    ]
    assert bare == []


def test_a_dashboard_prints_its_organization_period_and_time(cast, client_for):
    page = client_for(cast.admin_a).get("/donations/?since=2020-02-01&until=2020-02-29")
    text = page.content.decode()
    head = text[text.index('class="print-head"') :].split("</div>")[0]
    assert cast.chamber_a.name in head
    assert "2020-02-01 – 2020-02-29" in head
    assert "打印于" in head and timezone.localtime().strftime("%Y-%m-%d") in head


def test_the_stylesheet_prints_on_a4():
    css = (ROOT / "gongke" / "static" / "gongke" / "app.css").read_text(encoding="utf-8")
    assert "@page { size: A4;" in css
    printing = css[css.index("@media print") :]
    assert ".print-head { display: flex" in printing


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_print_line_is_translated(cast, client_for, language):
    cast.admin_a.language = language
    cast.admin_a.save(update_fields=["language"])
    text = client_for(cast.admin_a).get("/").content.decode()
    assert ("Printed" in text) == (language == "en")
