"""Excel import of members: every bad row is shown, nothing is saved until the file is clean."""

import io

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from gongke.lib.excel import build_xlsx
from gongke.registry.models import Organization, Person

pytestmark = pytest.mark.django_db

ORG_HEADERS = [
    "企业名称 *",
    "统一社会信用代码",
    "行业",
    "乡镇",
    "法定代表人",
    "法定代表人电话",
    "执委企业",
    "员工人数",
    "联系人",
    "联系电话",
    "所属商会 *",
]
PEOPLE_HEADERS = ["姓名 *", "所属组织 *", "职务", "电话", "身份证号", "党员", "志愿者"]
GOOD_CODE = "91110108551385082Q"
GOOD_ID = "11010519491231002X"


def xlsx(headers, rows):
    return SimpleUploadedFile("members.xlsx", build_xlsx(headers, rows))


def org_row(name="瑞丰五金有限公司", code="", industry="制造业", chamber="青原县钣金商会", **kw):
    row = [
        name,
        code,
        industry,
        "东城街道",
        "张强",
        "13900001111",
        "是",
        85,
        "刘敏",
        "13900002222",
        chamber,
    ]
    return row


def post(client, kind, upload, **extra):
    return client.post(f"/registry/import/{kind}/", {"file": upload}, **extra)


def test_the_template_has_headers_in_the_users_language_an_example_and_notes(cast, client_for):
    response = client_for(cast.admin_a).get("/registry/import/organizations/template.xlsx")
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.getvalue()))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "企业名称 *" and rows[0][-1] == "所属商会 *"
    assert rows[1][0]  # the example row
    assert len(book.sheet_names) == 2
    english = client_for(cast.admin_a)
    cast.admin_a.language = "en"
    cast.admin_a.save()
    book = CalamineWorkbook.from_filelike(
        io.BytesIO(english.get("/registry/import/people/template.xlsx").content)
    )
    assert book.get_sheet_by_index(0).to_python()[0][0] == "Full name *"


def test_a_clean_file_is_imported_whole_with_one_audit_entry(cast, client_for):
    rows = [org_row(f"瑞丰{i}号有限公司") for i in range(30)]
    rows[0][1] = GOOD_CODE
    response = post(client_for(cast.admin_a), "organizations", xlsx(ORG_HEADERS, rows))
    assert response.status_code == 200
    assert "30" in response.content.decode()
    created = Organization.objects.filter(name__startswith="瑞丰", parent=cast.chamber_a)
    assert created.count() == 30
    first = created.get(name="瑞丰0号有限公司")
    assert first.credit_code == GOOD_CODE and first.industry == "C" and first.is_executive
    assert first.township == cast.township_east and first.staff_count == 85
    assert Organization.objects.search("rf0h").filter(pk=first.pk).exists()
    assert len({o.path for o in created}) == 30 and all(
        o.path.startswith(cast.chamber_a.path) for o in created
    )
    entries = LogEntry.objects.filter(additional_data__import=True)
    assert entries.count() == 1
    assert entries.get().actor == cast.admin_a and entries.get().remote_addr == "127.0.0.1"
    assert entries.get().additional_data["org_path"] == cast.chamber_a.path


def test_every_bad_row_is_listed_and_nothing_is_saved(cast, client_for):
    rows = [
        org_row("好企业"),
        org_row("坏代码", code="91110108551385082X"),
        org_row("", industry="不存在的行业"),
        org_row("别人的", chamber="南湖镇商会"),
        org_row("重复代码一", code=GOOD_CODE),
        org_row("重复代码二", code=GOOD_CODE),
        org_row("已注册", code="91110000600037341L"),
        org_row("京博集团"),
    ]
    response = post(client_for(cast.admin_a), "organizations", xlsx(ORG_HEADERS, rows))
    page = response.content.decode()
    assert response.status_code == 200
    assert not Organization.objects.filter(name="好企业").exists()
    assert {e.row for e in response.context["errors"]} == {3, 4, 5, 7, 8, 9}
    assert "统一社会信用代码" in page and "所属商会" in page
    assert "不是您管理的组织" in page or "南湖镇商会" in page


def test_people_are_imported_with_id_numbers_kept_only_masked(cast, client_for):
    rows = [
        ["陈静", "青原县钣金商会", "秘书长", "13900003333", GOOD_ID, "是", "否"],
        ["王芳", "京博集团", "Staff", "", "", "", "是"],
        ["李雷", "京博集團", "副會長", "", "", "否", ""],
    ]
    response = post(client_for(cast.admin_a), "people", xlsx(PEOPLE_HEADERS, rows))
    assert response.status_code == 200
    chen = Person.objects.get(name="陈静")
    assert chen.position == "secretary_general" and chen.is_party_member and not chen.is_volunteer
    assert chen.id_number_masked == "110***************" and GOOD_ID not in chen.id_number_hash
    assert Person.objects.get(name="王芳").organization == cast.a1
    assert Person.objects.get(name="李雷").position == "vice_chairman"


def test_bad_people_rows_are_listed(cast, client_for):
    rows = [
        ["陈静", "青原县钣金商会", "秘书长", "13900003333", "110105194912310021", "是", "否"],
        ["王芳", "南湖镇商会", "厨师", "abc", "", "也许", ""],
        ["A", "青原县钣金商会", "", "", GOOD_ID, "", ""],
        ["B", "青原县钣金商会", "", "", GOOD_ID, "", ""],
    ]
    response = post(client_for(cast.admin_a), "people", xlsx(PEOPLE_HEADERS, rows))
    errors = response.context["errors"]
    by_row = {}
    for e in errors:
        by_row.setdefault(e.row, set()).add(e.column)
    assert by_row[2] == {"身份证号"}
    assert by_row[3] == {"所属组织", "职务", "电话", "党员"}
    assert by_row[5] == {"身份证号"}
    assert "110105194912310021" not in response.content.decode()
    assert not Person.objects.filter(name__in=["A", "B", "陈静"]).exists()


def test_headers_in_english_or_traditional_are_understood(cast, client_for):
    headers = ["Enterprise name", "Chamber", "Industry"]
    response = post(
        client_for(cast.admin_a),
        "organizations",
        xlsx(headers, [["Acme Ltd", "青原县钣金商会", "C"]]),
    )
    assert response.context["created"] == 1
    headers = ["企業名稱", "所屬商會", "行業"]
    response = post(
        client_for(cast.admin_a),
        "organizations",
        xlsx(headers, [["遠大", "青原縣鈑金商會", "製造業"]]),
    )
    assert response.context["created"] == 1


def test_a_missing_required_column_and_an_unreadable_file_are_reported(cast, client_for):
    response = post(client_for(cast.admin_a), "organizations", xlsx(["企业名称"], [["X"]]))
    assert response.context["errors"][0].column == "所属商会"
    response = post(
        client_for(cast.admin_a), "organizations", SimpleUploadedFile("x.xlsx", b"not excel")
    )
    assert response.context["errors"][0].row == 1


def test_the_htmx_upload_answers_a_fragment(cast, client_for):
    response = post(
        client_for(cast.admin_a),
        "organizations",
        xlsx(ORG_HEADERS, [org_row("片段")]),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.content.decode()


def test_readers_and_reporters_may_not_import(cast, client_for):
    for user in (cast.viewer_a, cast.reporter_a1, cast.guard_a):
        assert client_for(user).get("/registry/import/").status_code == 403
    assert client_for(cast.admin_a).get("/registry/import/").status_code == 200
    assert client_for(cast.admin_a).get("/registry/import/nothing/").status_code == 404


def test_the_api_imports_a_clean_file_and_lists_row_errors_as_json(cast, api_for):
    api = api_for(cast.admin_a)
    bad = api.post(
        "/api/v1/registry/import/organizations",
        {"file": xlsx(ORG_HEADERS, [org_row("坏", code="91110108551385082X"), org_row("")])},
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["detail"]
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (2, "统一社会信用代码"),
        (3, "企业名称"),
    ]
    good = api.post(
        "/api/v1/registry/import/organizations", {"file": xlsx(ORG_HEADERS, [org_row("好")])}
    )
    assert good.status_code == 201
    assert good.json() == {"created": 1}
    assert LogEntry.objects.filter(additional_data__import=True).get().actor == cast.admin_a
    people = api.post(
        "/api/v1/registry/import/people",
        {"file": xlsx(PEOPLE_HEADERS, [["赵六", "好", "", "", "", "", ""]])},
    )
    assert people.status_code == 201


def test_the_api_refuses_an_outsider_and_a_viewer(cast, api_for):
    upload = xlsx(ORG_HEADERS, [org_row("X")])
    r = api_for(cast.outsider_b).post("/api/v1/registry/import/organizations", {"file": upload})
    assert r.status_code == 422  # chamber A is not one of theirs
    upload = xlsx(ORG_HEADERS, [org_row("X")])
    assert (
        api_for(cast.viewer_a)
        .post("/api/v1/registry/import/organizations", {"file": upload})
        .status_code
        == 403
    )


def test_export_follows_the_filters(cast, client_for):
    client = client_for(cast.fed_admin)
    response = client.get("/registry/", {"export": "xlsx", "kind": "enterprise", "executive": "1"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.getvalue()))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert [r[0] for r in rows[1:]] == ["京博集团"]
    response = client.get("/registry/people/", {"export": "xlsx"})
    assert response.status_code == 200
    response = client.get("/registry/places/", {"export": "xlsx", "kind": "post"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.getvalue()))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert sorted(r[0] for r in rows[1:]) == ["东城花园东门卡口", "南湖新村北门卡口"]


def test_errors_come_in_the_users_language(cast, client_for):
    cast.admin_a.language = "en"
    cast.admin_a.save()
    headers = ["Enterprise name", "Chamber", "Unified social credit code"]
    response = post(
        client_for(cast.admin_a), "organizations", xlsx(headers, [["X", "青原县钣金商会", "123"]])
    )
    error = response.context["errors"][0]
    assert error.column == "Unified social credit code"
    assert "not a valid unified social credit code" in error.message


def test_every_one_of_many_bad_rows_is_listed(cast, client_for):
    rows = [org_row(f"企业{i}", code="bad" if i % 2 else "") for i in range(120)]
    response = post(client_for(cast.admin_a), "organizations", xlsx(ORG_HEADERS, rows))
    assert len(response.context["errors"]) == 60
    assert Organization.objects.filter(name__startswith="企业").count() == 0


names = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=2, max_size=12
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            names,
            st.one_of(st.none(), st.integers(0, 100000)),
            st.sampled_from(["是", "否", "", "yes", "No"]),
        ),
        min_size=1,
        max_size=15,
        unique_by=lambda r: r[0],
    ),
    bad=st.sets(st.integers(0, 14)),
)
def test_the_parser_flags_exactly_the_bad_rows(cast, rows, bad):
    from gongke.registry.imports import parse_organizations

    headers = ["企业名称", "所属商会", "员工人数", "执委企业", "统一社会信用代码"]
    table = [
        [name, "青原县钣金商会", "" if staff is None else staff, flag, "X" if i in bad else ""]
        for i, (name, staff, flag) in enumerate(rows)
    ]
    parsed = parse_organizations(cast.admin_a, build_xlsx(headers, table))
    assert {e.row for e in parsed.errors} == {i + 2 for i in bad if i < len(rows)}
    for record, (name, staff, flag) in zip(parsed.rows, rows, strict=True):
        assert record["name"] == name and record["staff_count"] == staff
        assert record["is_executive"] == (flag.lower() in {"是", "yes"})


def test_a_record_registered_meanwhile_rejects_the_file_cleanly(cast, client_for, monkeypatch):
    from django.db import IntegrityError

    from gongke.registry import services

    def clash(**_kw):
        raise IntegrityError("registry_org_unique_credit_code")

    monkeypatch.setattr(services, "import_organizations", clash)
    response = post(client_for(cast.admin_a), "organizations", xlsx(ORG_HEADERS, [org_row("并发")]))
    assert response.status_code == 200 and response.context["errors"][0].row == 1


def test_people_and_place_exports_follow_the_filters(cast, client_for):
    from gongke.registry import services

    services.save_person(organization=cast.a1, name="党员甲", is_party_member=True)
    services.save_person(organization=cast.a1, name="群众乙")
    client = client_for(cast.admin_a)
    response = client.get("/registry/people/", {"export": "xlsx", "party": "1"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.getvalue()))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert [r[0] for r in rows[1:]] == ["党员甲"]
    response = client.get("/registry/people/", {"export": "xlsx", "q": "qzy"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.getvalue()))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert [r[0] for r in rows[1:]] == ["群众乙"]
    response = client.get("/registry/places/", {"export": "xlsx", "kind": "compound"})
    rows = (
        CalamineWorkbook.from_filelike(io.BytesIO(response.getvalue()))
        .get_sheet_by_index(0)
        .to_python()
    )
    assert [r[0] for r in rows[1:]] == ["东城花园小区"]


def test_the_upload_page_starts_empty_with_the_template_link(cast, client_for):
    page = client_for(cast.admin_a).get("/registry/import/people/").content.decode()
    assert 'data-testid="imported"' not in page and 'data-testid="row-errors"' not in page
    assert (
        "/registry/import/people/template.xlsx" in page
        and 'hx-post="/registry/import/people/"' in page
    )
