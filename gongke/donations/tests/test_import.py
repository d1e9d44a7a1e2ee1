import datetime
from decimal import Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gongke.donations import importer, services
from gongke.donations.models import Donor, DonorKind, Entry, EntryKind, Gift, Nature
from gongke.lib.excel import build_xlsx, read_sheet

HEADERS = [
    "捐赠方",
    "是否匿名",
    "类别",
    "金额或估值（元）",
    "物品",
    "数量",
    "单位",
    "日期",
    "状态",
    "受赠单位",
]


def _xlsx(rows, headers=HEADERS):
    return build_xlsx(headers, rows)


def import_all(user, organization, data, filename="gifts.xlsx", *, same=False):
    """An import, with every line that looks like a known gift judged `same` (or different)."""
    result = importer.import_gifts(
        user=user, organization=organization, data=data, filename=filename
    )
    if result.review is not None:
        decisions = {c["row"]: same for c in result.duplicates}
        result = importer.commit_review(user=user, review=result.review, decisions=decisions)
    return result


GOOD = [
    ["京博集团", "否", "资金", "64.8万", "", "", "", "2020-02-01", "已到账", ""],
    ["张三", "是", "资金", "近10万", "", "", "", "2020-02-02", "认捐", ""],
    [
        "瑞丰商贸有限公司",
        "否",
        "物资",
        "12,000",
        "N95口罩",
        "2000",
        "只",
        "2020-02-03",
        "已到账",
        "青原县人民医院",
    ],
    ["李四", "否", "资金", "壹拾万元整", "", "", "", "2020/2/4", "", ""],
    ["李四", "否", "资金", "壹拾万元整", "", "", "", "2020/2/4", "", ""],
]


def test_it_imports_a_clean_file_with_amounts_as_written(cast):
    result = import_all(cast.admin_a, cast.chamber_a, _xlsx(GOOD))
    assert result.ok, result.errors
    assert result.created == 5
    jb = Gift.objects.get(donor__name="京博集团")
    assert jb.value == Decimal("648000") and jb.donor.enterprise == cast.a1
    zhang = Gift.objects.get(donor__name="张三")
    assert zhang.approximation == "nearly" and zhang.is_anonymous and zhang.public_name == ""
    assert not zhang.entries.filter(kind=EntryKind.RECEIPT).exists()
    masks = Gift.objects.get(item="N95口罩")
    assert (
        masks.quantity == 2000
        and masks.entries.filter(kind=EntryKind.ALLOCATION, recipient=cast.hospital).exists()
    )
    # Two identical rows judged different are two gifts: one may give the same amount twice.
    assert Gift.objects.filter(donor__name="李四").count() == 2


def test_importing_the_same_file_twice_adds_nothing(cast):
    data = _xlsx(GOOD)
    import_all(cast.admin_a, cast.chamber_a, data, "a.xlsx")
    counts = Gift.objects.count(), Entry.objects.count(), Donor.objects.count()
    again = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="a.xlsx"
    )
    assert again.ok and again.created == 0 and again.skipped == 5
    assert (Gift.objects.count(), Entry.objects.count(), Donor.objects.count()) == counts


def test_bad_rows_are_reported_row_by_row_and_nothing_is_imported(cast):
    rows = GOOD + [
        ["王五", "否", "资金", "十万块左右吧", "", "", "", "2020-02-05", "", ""],
        ["", "否", "物资", "500", "", "", "", "2020-13-01", "", ""],
        ["赵六", "也许", "资金", "100", "", "", "", "2020-02-05", "", "不存在的单位"],
    ]
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=_xlsx(rows), filename="bad.xlsx"
    )
    assert not result.ok
    by_row = {}
    for e in result.errors:
        by_row.setdefault(e.row, []).append(e.column)
    label = {key: str(text) for key, text, _required in importer.COLUMNS}
    assert set(by_row) == {7, 8, 9}
    assert label["amount"] in by_row[7]
    assert set(by_row[8]) >= {label["item"], label["date"]}
    assert set(by_row[9]) >= {label["anonymous"], label["recipient"]}
    assert Gift.objects.count() == 0


def test_a_csv_file_and_a_missing_column(cast):
    csv = '捐赠方,金额或估值（元）,日期\n京博集团,"1,200.50",2020-02-01\n'.encode()
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=csv, filename="a.csv"
    )
    assert result.ok and Gift.objects.get().value == Decimal("1200.50")
    missing = importer.import_gifts(
        user=cast.admin_a,
        organization=cast.chamber_a,
        data="捐赠方,日期\n京博集团,2020-02-01\n".encode(),
        filename="b.csv",
    )
    assert not missing.ok and missing.errors[0].row == 1


def test_the_templates_example_rows_are_never_imported(cast):
    template = importer.template_xlsx()
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=template, filename="template.xlsx"
    )
    assert not result.ok and result.errors[0].row == 0 and Gift.objects.count() == 0
    # The clerk's own line below the examples is imported; the examples still are not.
    headers, lines = read_sheet(template, "template.xlsx")
    examples = [values for _number, values in lines]
    own = ["", "", "", "", "", "500", "", "", "", "2020-02-05", "", "", "", "", "", ""]
    own[0] = "周七"
    mine = import_all(cast.admin_a, cast.chamber_a, build_xlsx(headers, [*examples, own]))
    assert mine.ok and mine.created == 1 and mine.examples == 3, mine.errors
    assert Gift.objects.get().donor.name == "周七"


def test_a_county_list_names_the_chamber_that_collected_each_gift(cast):
    headers = ["捐赠方", "金额", "日期", "收集单位"]
    rows = [
        ["张三", "1000", "2020-02-01", "青原县钣金商会"],
        ["李四", "2000", "2020-02-01", "南湖镇商会"],
        ["王五", "3000", "2020-02-01", ""],
    ]
    result = importer.import_gifts(
        user=cast.fed_admin,
        organization=cast.federation,
        data=_xlsx(rows, headers),
        filename="county.xlsx",
    )
    assert result.ok, result.errors
    assert Gift.objects.get(donor__name="李四").organization == cast.chamber_b
    assert Gift.objects.get(donor__name="王五").organization == cast.federation
    outside = importer.import_gifts(
        user=cast.admin_a,
        organization=cast.chamber_a,
        data=_xlsx([["赵六", "1", "2020-02-01", "南湖镇商会"]], headers),
        filename="x.xlsx",
    )
    assert not outside.ok and outside.errors[0].row == 2


def test_an_import_writes_each_gifts_ledger_on_the_collectors_books(cast):
    result = import_all(cast.admin_a, cast.chamber_a, _xlsx(GOOD))
    assert result.ok, result.errors
    for gift in Gift.objects.all():
        entries = list(gift.entries.order_by("pk"))
        kinds = [e.kind for e in entries]
        assert kinds[0] == EntryKind.PLEDGE and kinds == sorted(
            kinds, key=[EntryKind.PLEDGE, EntryKind.RECEIPT, EntryKind.ALLOCATION].index
        )
        assert (EntryKind.RECEIPT in kinds) == (gift.donor.name != "张三")
        assert all(
            (e.organization_id, e.amount, e.quantity, e.occurred_on)
            == (gift.organization_id, gift.value, gift.quantity, gift.given_on)
            for e in entries
        )
        # Who imported is on the gift and the batch, not repeated on every entry.
        assert gift.created_by == cast.admin_a and all(e.created_by_id is None for e in entries)
    assert result.batch is not None and result.batch.created_by == cast.admin_a
    assert Entry.objects.count() == 5 + 4 + 1


# --- One definition of a gift's ledger: importing N lines = entering them one by one ---------

LINE_HEADERS = [
    "捐赠方",
    "捐赠方类型",
    "是否匿名",
    "类别",
    "金额",
    "物品",
    "数量",
    "单位",
    "日期",
    "状态",
    "受赠单位",
]
DONORS = [
    ("京博集团", DonorKind.ENTERPRISE, "企业"),
    ("张三", DonorKind.INDIVIDUAL, "个人"),
    ("李四", DonorKind.INDIVIDUAL, "个人"),
    ("瑞丰商贸有限公司", DonorKind.ORGANIZATION, "组织"),
    ("", DonorKind.ANONYMOUS, "匿名"),
]
lines = st.lists(
    st.fixed_dictionaries(
        {
            "donor": st.sampled_from(DONORS),
            "anonymous": st.booleans(),
            "goods": st.one_of(
                st.none(),
                st.tuples(
                    st.sampled_from(["N95口罩", "防护服"]),
                    st.integers(1, 5000),
                    st.sampled_from(["只", "套"]),
                ),
            ),
            "amount": st.one_of(
                st.sampled_from(
                    ["1200.50", "64.8万", "近10万", "2000余万元", "壹拾万元整", "12,000"]
                ),
                st.decimals(Decimal("0.01"), Decimal("99999999.99"), places=2).map(str),
            ),
            "given_on": st.dates(datetime.date(2020, 1, 1), datetime.date(2020, 12, 31)),
            "received": st.booleans(),
            "allocated": st.booleans(),
        }
    ),
    min_size=1,
    max_size=6,
)


def _ledger() -> list[tuple]:
    """Every gift with its entries, as the figures read them (not who or when it was typed)."""
    out = []
    for gift in Gift.objects.select_related("donor", "organization").order_by("pk"):
        entries = [
            (e.kind, e.organization.path, e.recipient_id, e.amount, e.quantity, e.occurred_on)
            for e in gift.entries.select_related("organization").order_by("pk")
        ]
        out.append(
            (
                gift.donor.kind,
                gift.donor.name,
                gift.public_name,
                gift.is_anonymous,
                gift.nature,
                gift.item,
                gift.quantity,
                gift.unit,
                gift.value,
                gift.approximation,
                gift.amount_text,
                gift.given_on,
                gift.organization.path,
                gift.township_id,
                entries,
            )
        )
    return out


def _import(cast, drawn) -> None:
    rows = []
    for line in drawn:
        name, _kind, word = line["donor"]
        item, quantity, unit = line["goods"] or ("", "", "")
        allocated = line["received"] and line["allocated"]
        rows.append(
            [
                name,
                word,
                "是" if line["anonymous"] else "否",
                "物资" if line["goods"] else "资金",
                line["amount"],
                item,
                str(quantity),
                unit,
                line["given_on"].isoformat(),
                "已到账" if line["received"] else "认捐",
                cast.hospital.name if allocated else "",
            ]
        )
    result = import_all(cast.admin_a, cast.chamber_a, build_xlsx(LINE_HEADERS, rows))
    assert result.ok and result.created == len(drawn), result.errors


def _enter_one_by_one(cast, drawn) -> None:
    for line in drawn:
        name, kind, _word = line["donor"]
        donor = services.find_or_create_donor(
            user=cast.admin_a,
            organization=cast.chamber_a,
            kind=kind,
            name=name,
            enterprise=cast.a1 if kind == DonorKind.ENTERPRISE else None,
        )
        value, approximation, text = services.read_amount(line["amount"])
        item, quantity, unit = line["goods"] or ("", None, "")
        services.record_gift(
            user=cast.admin_a,
            organization=cast.chamber_a,
            donor=donor,
            nature=Nature.GOODS if line["goods"] else Nature.MONEY,
            value=value,
            approximation=approximation,
            amount_text=text,
            item=item,
            quantity=quantity,
            unit=unit,
            given_on=line["given_on"],
            is_anonymous=line["anonymous"],
            received=line["received"],
            recipient=cast.hospital if line["received"] and line["allocated"] else None,
        )


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=lines)
def test_importing_lines_and_entering_them_one_by_one_give_the_same_ledger(cast, drawn):
    ledgers = []
    for write in (_import, _enter_one_by_one):
        with transaction.atomic():
            write(cast, drawn)
            ledgers.append(_ledger())
            transaction.set_rollback(True)
    imported, entered = ledgers
    assert len(imported) == len(drawn)
    assert imported == entered


def _with_formulas() -> bytes:
    """A list as people send it: two gifts and a total row summing them with a formula."""
    import io

    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet()
    for col, header in enumerate(["捐赠方", "金额", "日期", "小计"]):
        sheet.write(0, col, header)
    sheet.write_row(1, 0, ["张三", 500, "2020-02-01"])
    sheet.write_row(2, 0, ["李四", 300, "2020-02-01"])
    sheet.write(3, 0, "合计")
    sheet.write_formula(3, 1, "=SUM(B2:B3)", None, 800)
    sheet.write(3, 2, "2020-02-01")
    sheet.write_formula(1, 3, "=B2", None, 500)  # a column the import does not read
    book.close()
    return out.getvalue()


def test_formula_cells_are_reported_where_they_are_through_page_and_api(cast, client_for, api_for):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    message = "该单元格是公式：请填写数值本身；若是合计行，请删除该行。"
    page = client_for(cast.admin_a).post(
        reverse("donations:import"),
        {"organization": cast.chamber_a.pk, "file": SimpleUploadedFile("a.xlsx", _with_formulas())},
    )
    assert message in page.content.decode() and not Gift.objects.exists()
    answer = api_for(cast.admin_a).post(
        "/api/v1/donations/imports",
        {
            "organization_id": cast.chamber_a.pk,
            "file": SimpleUploadedFile("a.xlsx", _with_formulas()),
        },
        headers={"Accept-Language": "zh-hans"},
    )
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert [(e["row"], e["column"], e["message"]) for e in errors] == [(4, "金额", message)]
