"""Lists that scale (gongke.lib.listing) and Excel people can work with (gongke.lib.excel):
sorting, page numbers and sizes, filters remembered per user, an export on every list that
streams, is scoped by the access path and masks numbers; sheets with a name, a frozen header,
an autofilter, typed cells and widths; templates with dropdowns, notes and no importable example;
headers that differ are mapped."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from gongke.lib.excel import Col, Kind, build_xlsx, header_key, map_headers, template_xlsx
from gongke.registry.models import Organization, OrgKind
from gongke.resumption import services
from gongke.resumption.models import Application, Category, DailyReport, FeverCase, Status


def _book(response) -> list[list]:
    data = response.getvalue()
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def _sheet_xml(data: bytes, n: int = 1) -> str:
    return zipfile.ZipFile(io.BytesIO(data)).read(f"xl/worksheets/sheet{n}.xml").decode()


def _members(parent, n):
    return Organization.objects.bulk_create(
        [
            Organization(
                name=f"成员企业{i:04d}",
                kind=OrgKind.ENTERPRISE,
                parent=parent,
                path=f"{parent.path}m{i:04d}/",
                contact_phone="13812345678",
            )
            for i in range(n)
        ]
    )


@pytest.fixture
def many_missing(cast):
    return _members(cast.chamber_a, 130)


def test_the_missing_list_is_paged_sorted_and_filtered(cast, client_for, many_missing):
    c = client_for(cast.admin_a)
    url = reverse("resumption:missing")
    r = c.get(url, {"org": cast.chamber_a.pk})
    lst = r.context["list"]
    assert lst.page.paginator.count == 131 and len(lst.page.object_list) == 100
    assert 'aria-current="page">1<' in r.content.decode()
    r = c.get(url, {"org": cast.chamber_a.pk, "sort": "-name", "size": 50, "page": 2})
    names = [e.name for e in r.context["list"].page]
    assert len(names) == 50 and names == sorted(names, reverse=True)
    r = c.get(url, {"org": cast.chamber_a.pk, "q": "0012"})
    assert [e.name for e in r.context["list"].page] == ["成员企业0012"]


def test_filters_sort_and_page_size_are_remembered_for_the_user(cast, client_for, many_missing):
    c = client_for(cast.admin_a)
    url = reverse("resumption:missing")
    c.get(url, {"org": cast.chamber_a.pk, "sort": "-name", "size": 50})
    again = c.get(url, {"org": cast.chamber_a.pk}).context["list"]
    assert (again.sort_key, again.descending, again.size) == ("name", True, 50)
    # Another user's lists are their own.
    other = client_for(cast.staff_a).get(url, {"org": cast.chamber_a.pk}).context["list"]
    assert other.size == 100
    reset = c.get(url, {"org": cast.chamber_a.pk, "reset": 1}).context["list"]
    assert reset.size == 100


def test_a_bad_sort_size_or_page_falls_back_quietly(cast, client_for, many_missing):
    r = client_for(cast.admin_a).get(
        reverse("resumption:missing"),
        {"org": cast.chamber_a.pk, "sort": "password", "size": "100000", "page": "x"},
    )
    lst = r.context["list"]
    assert r.status_code == 200 and lst.size == 100 and lst.page.number == 1


def test_the_missing_export_has_every_row_masked_and_no_one_else_s(cast, client_for, many_missing):
    r = client_for(cast.admin_a).get(
        reverse("resumption:missing"), {"org": cast.chamber_a.pk, "export": "xlsx"}
    )
    rows = _book(r)
    assert len(rows) == 132  # the header and every member, not one page
    assert any("138****5678" in r for r in rows) and not any(
        "13812345678" in map(str, x) for x in rows
    )
    # The outsider's export of its own chamber holds none of chamber A's members.
    other = client_for(cast.outsider_b).get(reverse("resumption:missing"), {"export": "xlsx"})
    assert not any("成员企业" in str(v) for row in _book(other) for v in row)


LIST_EXPORTS: list[tuple[str, list[int], str]] = [
    ("resumption:applications", [], "admin_a"),
    ("resumption:fevers", [], "admin_a"),
    ("resumption:relief", [], "admin_a"),
    ("community:alerts", [], "admin_a"),
    ("community:roster", [], "admin_a"),
    ("census:visits", [], "admin_a"),
    ("accounts:users", [], "admin_a"),
    ("accounts:audit", [], "admin_a"),
]


@pytest.mark.parametrize(("name", "args", "who"), LIST_EXPORTS)
def test_every_list_exports_a_sheet_with_a_frozen_filtered_header(
    cast, client_for, name, args, who
):
    r = client_for(getattr(cast, who)).get(reverse(name, args=args), {"export": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in r["Content-Disposition"]
    data = r.getvalue()
    xml = _sheet_xml(data)
    assert '<pane ySplit="1"' in xml and "<autoFilter" in xml and "<cols>" in xml
    workbook = zipfile.ZipFile(io.BytesIO(data)).read("xl/workbook.xml").decode()
    assert 'name="Sheet1"' not in workbook  # a named sheet
    page = client_for(getattr(cast, who)).get(reverse(name, args=args)).content.decode()
    assert "export=xlsx" in page  # and the list offers it


def test_passages_export_through_the_post_s_access_and_mask_numbers(cast, client_for):
    from gongke.community.models import Passage

    Passage.objects.create(
        client_id="00000000-0000-0000-0000-00000000abcd",
        post=cast.post_a,
        direction="in",
        subject="outsider",
        name="过路人",
        phone="13912345678",
        id_number_masked="110***************",
        occurred_at=dt.datetime.now(dt.UTC),
        decision="allowed",
    )
    url = reverse("community:passages", args=[cast.post_a.pk])
    rows = _book(client_for(cast.guard_a).get(url, {"export": "xlsx"}))
    assert "过路人" in rows[1] and "139****5678" in rows[1]
    assert client_for(cast.outsider_b).get(url, {"export": "xlsx"}).status_code == 404


def test_an_export_is_scoped_like_the_list(cast, client_for):
    for org in (cast.a1, cast.b1):
        Application.objects.create(
            enterprise=org,
            category=Category.INDUSTRY,
            planned_date=dt.date(2020, 2, 10),
            staff_total=10,
            staff_planned=5,
            responsible_person="负责人",
            responsible_phone="13700001111",
            status=Status.SUBMITTED,
        )
    rows = _book(
        client_for(cast.admin_a).get(reverse("resumption:applications"), {"export": "xlsx"})
    )
    assert len(rows) == 2 and cast.a1.name in rows[1] and "137****1111" in rows[1]
    rows = _book(
        client_for(cast.admin).get(
            reverse("resumption:applications"), {"export": "xlsx", "status": "submitted"}
        )
    )
    assert len(rows) == 3


def test_an_export_writes_dates_and_money_as_typed_cells(cast):
    data = build_xlsx(
        [Col("日期", Kind.DATE), Col("金额", Kind.MONEY), Col("人数", Kind.INT), "说明"],
        [[dt.date(2020, 2, 10), Decimal("1234567.80"), 12, "=cmd()"]],
        sheet="捐赠",
    )
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    assert rows[1][0] == dt.date(2020, 2, 10) and rows[1][1] == 1234567.8 and rows[1][2] == 12
    assert rows[1][3] == "=cmd()"  # text stays text, never a formula
    styles = zipfile.ZipFile(io.BytesIO(data)).read("xl/styles.xml").decode()
    assert "#,##0.00" in styles and "yyyy-mm-dd" in styles
    assert "<f>" not in _sheet_xml(data)


def test_a_template_has_dropdowns_notes_and_nothing_importable(cast):
    data = template_xlsx(
        [Col("姓名"), Col("时段", choices=["早", "晚"]), Col("体温", Kind.NUMBER)],
        sheet="体温",
        notes=["每人每次测温一行。"],
        example=["张三", "早", "36.5"],
    )
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names[0] == "体温" and len(book.sheet_names) == 2
    assert book.get_sheet_by_index(0).to_python() == [["姓名", "时段", "体温"]]
    assert "张三" in str(book.get_sheet_by_index(1).to_python())
    xml = _sheet_xml(data)
    assert "<dataValidation" in xml and "早,晚" in xml


def test_the_temperature_template_imports_nothing_and_lists_the_staff(cast, client_for):
    services.add_staff(enterprise=cast.a1, names=["张三", "李四"])
    r = client_for(cast.reporter_a1).get(reverse("resumption:health_template", args=[cast.a1.pk]))
    data = r.getvalue()
    assert "<dataValidation" in _sheet_xml(data)
    count, errors = services.import_temperatures(
        enterprise=cast.a1, user=cast.reporter_a1, filename="t.xlsx", data=data
    )
    assert (count, errors) == (0, [])


def test_headers_are_compared_without_script_case_spaces_or_units():
    assert header_key(" 體溫（℃） ") == header_key("体温") == "体温"
    assert header_key("Time of Day") == header_key("time_of_day")
    found, missing = map_headers(
        ["員工", "溫度(°C)"], {"name": ["姓名", "员工"], "t": ["体温", "温度"]}
    )
    assert found == {"name": "員工", "t": "溫度(°C)"} and missing == []
    found, missing = map_headers(["A"], {"name": ["姓名"]}, {"name": "A"})
    assert found == {"name": "A"}


def test_the_lists_cost_a_fixed_number_of_queries(cast, client_for, django_assert_max_num_queries):
    _members(cast.chamber_a, 60)
    for e in Organization.objects.filter(kind=OrgKind.ENTERPRISE)[:20]:
        FeverCase.objects.create(
            enterprise=e,
            reading=services.record_temperature(
                enterprise=e,
                user=cast.admin,
                person_name="x",
                day=dt.date(2020, 2, 10),
                slot="pm",
                temperature="36.0",
            ),
            person_name="x",
            temperature=Decimal("38.0"),
            day=dt.date(2020, 2, 10),
        )
    c = client_for(cast.admin_a)
    c.get(reverse("resumption:missing"), {"org": cast.chamber_a.pk})  # sessions warmed up
    with django_assert_max_num_queries(14):
        assert c.get(reverse("resumption:missing"), {"org": cast.chamber_a.pk}).status_code == 200
    with django_assert_max_num_queries(14):
        assert c.get(reverse("resumption:fevers")).status_code == 200
    assert DailyReport.objects.count() == 0
