from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from gongke.census import services
from gongke.census.models import Household, Resident
from gongke.lib.excel import build_xlsx

from .conftest import make_id

HEADERS = services.import_template_headers()


def _sheet(rows):
    return build_xlsx(HEADERS, rows)


def test_the_template_downloads(census, client_for):
    response = client_for(census.staff_a).get(reverse("census:import-template"))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/vnd.openxml"
    )


def test_it_imports_households_and_merges_the_known(census, client_for):
    data = _sheet(
        [
            ["1", "2", "501", "王伟", "", make_id(), "户主", ""],
            ["1", "2", "501", "李娜", "13900000000", "", "配偶", ""],
            ["5", "1", "101", "陈静", "", "", "", ""],
        ]
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("census.xlsx", data)
    response = client_for(census.staff_a).post(
        reverse("census:area-import", args=[census.compound_a.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert Household.objects.filter(place=census.compound_a).count() == 2
    assert Resident.objects.filter(household__place=census.compound_a).count() == 3


def test_it_reports_every_bad_row_and_imports_nothing(census, client_for):
    data = _sheet(
        [
            ["1", "2", "601", "赵强", "", "110105194912310021", "户主", ""],
            ["1", "2", "", "钱多", "", "", "", ""],
            ["1", "2", "602", "孙丽", "", "", "邻居", ""],
            ["1", "2", "603", "周杰", "", make_id("11010519800101004"), "", ""],
            ["1", "2", "604", "吴敏", "", make_id("11010519800101004"), "", ""],
        ]
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(census.staff_a).post(
        reverse("census:area-import", args=[census.compound_a.pk]),
        {"file": SimpleUploadedFile("bad.xlsx", data)},
    )
    assert response.status_code == 422
    errors = {(e.row, e.column) for e in response.context["errors"]}
    assert errors == {(2, "身份证号"), (3, "房号"), (4, "与户主关系"), (6, "身份证号")}
    assert Household.objects.filter(place=census.compound_a).count() == 1


def test_a_file_without_the_needed_columns_is_refused(census):
    import pytest

    data = build_xlsx(["楼栋", "电话"], [["1", "138"]])
    with pytest.raises(services.ImportFailed) as exc:
        services.import_households(
            user=census.admin_a, place=census.compound_a, data=data, filename="x.xlsx"
        )
    assert {e.column for e in exc.value.errors} == {"房号", "姓名"}


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(max_size=25), st.text(max_size=60), st.text(max_size=20)), max_size=6
    )
)
def test_the_row_check_never_crashes(rows):
    data = build_xlsx(HEADERS, [[" ", "", room, name, "", idn, "", ""] for room, name, idn in rows])
    clean, errors = services._check_rows(data, "x.xlsx")
    assert all(e.row >= 2 for e in errors) or not rows


def test_an_import_merges_within_the_file_and_leaves_one_audit_entry(census):
    from auditlog.models import LogEntry

    data = _sheet(
        [
            ["1", "2", "501", "王伟", "13812345678", make_id(), "户主", "老人独居"],
            ["7", "1", "101", "陈静", "13900000000", "", "", ""],
            ["7", "1", "101", "陈静", "13900000000", "", "户主", ""],
        ]
    )
    result = services.import_households(
        user=census.staff_a, place=census.compound_a, data=data, filename="a.xlsx"
    )
    assert (result.households, result.residents_created, result.residents_merged) == (1, 1, 2)
    assert Resident.objects.filter(household__place=census.compound_a).count() == 2
    assert Resident.objects.get(name="陈静").relation == "householder"
    census.resident.refresh_from_db()
    assert census.resident.note == "老人独居"
    entry = LogEntry.objects.get_for_object(census.compound_a).get(actor=census.staff_a)
    assert "census_import" in entry.changes


def test_an_import_does_not_take_over_another_organizations_resident(census):
    import pytest

    services.register_resident(
        user=census.outsider_b,
        household=census.household_b,
        name="孙丽",
        id_number=make_id("11010519800101004"),
    )
    data = _sheet([["1", "1", "101", "孙丽", "", make_id("11010519800101004"), "", ""]])
    with pytest.raises(services.ImportFailed) as exc:
        services.import_households(
            user=census.staff_a, place=census.compound_a, data=data, filename="a.xlsx"
        )
    assert [(e.row, e.column) for e in exc.value.errors] == [(2, "身份证号")]
    assert Household.objects.filter(place=census.compound_a).count() == 1
