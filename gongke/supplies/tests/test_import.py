"""Excel import of a stocktake and of a needs list: page and API, every bad row reported,
nothing half-imported, the same file twice changes nothing."""

import io

from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from gongke.lib.excel import build_xlsx
from gongke.supplies import services
from gongke.supplies.models import Kind, Movement, Need

COUNT = ["仓库", "物品", "批号或追溯码", "实点数量", "单位", "原因"]
NEEDS = ["受赠单位", "物品", "数量", "单位", "紧急程度", "联系人", "联系电话", "来源", "有效天数"]


def _file(headers, rows, name="count.xlsx"):
    return SimpleUploadedFile(name, build_xlsx(headers, rows))


def test_the_templates_are_spreadsheets_with_the_columns(stores, client_for):
    c = client_for(stores.staff_a)
    for kind, first in (("stocktake", "仓库 *"), ("needs", "受赠单位 *")):
        r = c.get(f"/supplies/import/{kind}/template.xlsx")
        assert r.status_code == 200
        rows = CalamineWorkbook.from_filelike(io.BytesIO(r.content)).get_sheet_by_index(0)
        assert rows.to_python()[0][0] == first


def test_a_stocktake_corrects_the_balances_and_a_second_import_changes_nothing(stores, client_for):
    w = stores
    services.receive(user=w.staff_a, warehouse=w.main, item=w.gloves, quantity=500)
    rows = [
        ["钣金商会一号仓", "N95口罩", "B2020-01", 2, "箱", "月末盘点"],
        ["钣金商会一号仓", "医用手套", "", 480, "", ""],
    ]
    c = client_for(w.staff_a)
    r = c.post("/supplies/import/", {"kind": "stocktake", "file": _file(COUNT, rows)})
    assert r.status_code == 302
    assert services.balance(item=w.n95, warehouse=w.main) == 2000
    assert services.balance(item=w.gloves, warehouse=w.main) == 480
    adjusted = Movement.objects.filter(kind=Kind.ADJUST).order_by("pk")
    assert [(m.quantity, m.reason) for m in adjusted] == [
        (-400, "月末盘点"),
        (-20, "盘点（Excel 导入）"),
    ]
    assert LogEntry.objects.get_for_objects(adjusted).count() == 2
    c.post("/supplies/import/", {"kind": "stocktake", "file": _file(COUNT, rows)})
    assert Movement.objects.filter(kind=Kind.ADJUST).count() == 2


def test_a_stocktake_with_a_bad_row_imports_nothing_and_names_each_row(stores, client_for):
    w = stores
    services.receive(user=w.staff_a, warehouse=w.main, item=w.n95, quantity=100, batch="B2")
    rows = [
        ["钣金商会一号仓", "N95口罩", "B2020-01", 2000, "", ""],  # right
        ["南湖镇商会仓库", "N95口罩", "", 10, "", ""],  # another chamber's warehouse
        ["钣金商会一号仓", "口罩王", "", 10, "", ""],  # no such item
        ["钣金商会一号仓", "N95口罩", "", 10, "", ""],  # two lots: which?
        ["钣金商会一号仓", "N95口罩", "B2", "十个", "", ""],  # not a number
    ]
    r = client_for(w.staff_a).post(
        "/supplies/import/", {"kind": "stocktake", "file": _file(COUNT, rows)}
    )
    assert r.status_code == 200
    errors = [(e.row, e.column) for e in r.context["result"].errors]
    assert errors == [(3, "仓库"), (4, "物品"), (5, "批号或追溯码"), (6, "实点数量")]
    assert "nothing was imported" in r.content.decode() or "未导入" in r.content.decode()
    assert not Movement.objects.filter(kind=Kind.ADJUST).exists()
    assert services.balance(item=w.n95, warehouse=w.main) == 2500


def test_a_needs_list_posts_one_need_per_recipient_unit(stores, client_for):
    w = stores
    rows = [
        [w.hospital.name, "N95口罩", 2, "箱", "紧急", "张医生", "13812345678", "来电", 5],
        [w.hospital.name, "医用手套", 300, "", "", "", "", "", ""],
    ]
    r = client_for(w.staff_a).post(
        "/supplies/import/",
        {"kind": "needs", "organization": w.chamber_a.pk, "file": _file(NEEDS, rows)},
    )
    assert r.status_code == 302, r.context["result"].errors if r.context else r
    need = Need.objects.get()
    assert need.organization == w.chamber_a and need.ttl_days == 5 and need.urgency == 2
    assert sorted(need.lines.values_list("quantity", flat=True)) == [300, 2000]


def test_a_reader_may_not_import(stores, client_for):
    r = client_for(stores.viewer_a).post(
        "/supplies/import/", {"kind": "stocktake", "file": _file(COUNT, [])}
    )
    assert r.status_code == 403


def test_the_api_imports_a_needs_list_once_per_key_and_reports_bad_rows(stores, api_for):
    w = stores
    c = api_for(w.staff_a)
    good = build_xlsx(NEEDS, [[w.hospital.name, "N95口罩", 1000, "", "", "", "", "", ""]])
    for _ in range(2):
        r = c.post(
            "/api/v1/supplies/imports/needs",
            {"organization_id": w.chamber_a.pk, "file": SimpleUploadedFile("n.xlsx", good)},
            headers={"Idempotency-Key": "needs-1"},
        )
        assert r.status_code == 201, r.content
        assert r.json()["created"] == 1
    assert Need.objects.count() == 1
    bad = build_xlsx(NEEDS, [[w.hospital.name, "N95口罩", -5, "", "", "", "", "", ""]])
    r = c.post(
        "/api/v1/supplies/imports/needs",
        {"organization_id": w.chamber_a.pk, "file": SimpleUploadedFile("n.xlsx", bad)},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["row"] == 2
    assert Need.objects.count() == 1
    r = api_for(w.outsider_b).post(
        "/api/v1/supplies/imports/needs",
        {"organization_id": w.chamber_a.pk, "file": SimpleUploadedFile("n.xlsx", good)},
    )
    assert r.status_code == 404


def test_the_api_imports_a_stocktake(stores, api_for):
    data = build_xlsx(COUNT, [["钣金商会一号仓", "N95口罩", "", 2390, "", "破损"]])
    r = api_for(stores.staff_a).post(
        "/api/v1/supplies/imports/stocktake", {"file": SimpleUploadedFile("c.xlsx", data)}
    )
    assert r.status_code == 201, r.content
    assert services.balance(item=stores.n95, warehouse=stores.main) == 2390
    r = api_for(stores.viewer_a).post(
        "/api/v1/supplies/imports/stocktake", {"file": SimpleUploadedFile("c.xlsx", data)}
    )
    assert r.status_code == 403


def test_a_needs_list_sent_twice_from_one_form_is_posted_once(stores, client_for):
    w = stores
    c = client_for(w.staff_a)
    page = c.get("/supplies/import/")
    once = page.context["once"]
    assert f'name="once" value="{once}"' in page.content.decode()
    rows = [[w.hospital.name, "N95口罩", 2, "箱", "紧急", "张医生", "13812345678", "来电", 5]]

    def send(rows):
        return c.post(
            "/supplies/import/",
            {
                "kind": "needs",
                "organization": w.chamber_a.pk,
                "once": once,
                "file": _file(NEEDS, rows),
            },
        )

    # A file with a bad row imports nothing, and the corrected one may use the same form.
    assert send([["不存在的单位", "N95口罩", 2, "箱", "", "", "", "", ""]]).status_code == 200
    assert send(rows).status_code == 302
    again = send(rows)  # a double tap, or the browser re-sending after a reload
    assert again.status_code == 302 and again["Location"] == "/supplies/import/"
    assert Need.objects.count() == 1
    assert "已经提交过" in c.get(again["Location"]).content.decode()
