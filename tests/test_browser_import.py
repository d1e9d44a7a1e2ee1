"""The import page in a real browser: the htmx upload shows every bad row, then imports."""

import pytest

from gongke.lib.excel import build_xlsx
from gongke.registry.models import Organization

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

HEADERS = ["企业名称 *", "所属商会 *", "统一社会信用代码"]


def test_a_chamber_secretary_fixes_a_bad_file_and_imports_it(
    cast, live_server, signed_in, query, tmp_path
):
    page = signed_in("admin_a", cast.password)
    page.goto(f"{live_server.url}/registry/import/organizations/")

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(
        build_xlsx(HEADERS, [["好企业", "青原县钣金商会", ""], ["坏企业", "青原县钣金商会", "123"]])
    )
    page.evaluate("window.stillHere = true")  # survives only if htmx swaps instead of reloading
    page.set_input_files("input[type=file]", str(bad))
    page.click("#import-form button[type=submit]")
    errors = page.locator("[data-testid=row-errors] tbody tr")
    errors.first.wait_for()
    assert errors.count() == 1 and "统一社会信用代码" in errors.first.inner_text()
    assert not query(lambda: Organization.objects.filter(name="好企业").exists())
    assert page.evaluate("window.stillHere === true")

    good = tmp_path / "good.xlsx"
    good.write_bytes(
        build_xlsx(
            HEADERS, [["好企业", "青原县钣金商会", ""], ["另一家企业", "青原县钣金商会", ""]]
        )
    )
    page.set_input_files("input[type=file]", str(good))
    page.click("#import-form button[type=submit]")
    page.locator("[data-testid=imported]").wait_for()
    names = ["好企业", "另一家企业"]
    assert (
        query(lambda: Organization.objects.filter(name__in=names, parent=cast.chamber_a).count())
        == 2
    )
