from decimal import Decimal

from gongke.donations import importer
from gongke.donations.models import Donor, Entry, EntryKind, Gift
from gongke.lib.excel import build_xlsx

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
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=_xlsx(GOOD), filename="gifts.xlsx"
    )
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
    # Two identical rows are two gifts: the same person may give the same amount twice.
    assert Gift.objects.filter(donor__name="李四").count() == 2


def test_importing_the_same_file_twice_adds_nothing(cast):
    data = _xlsx(GOOD)
    importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=data, filename="a.xlsx"
    )
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


def test_the_template_reads_back_cleanly(cast):
    result = importer.import_gifts(
        user=cast.admin_a,
        organization=cast.chamber_a,
        data=importer.template_xlsx(),
        filename="template.xlsx",
    )
    assert result.ok, result.errors
    assert result.created == 3


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
    result = importer.import_gifts(
        user=cast.admin_a, organization=cast.chamber_a, data=_xlsx(GOOD), filename="gifts.xlsx"
    )
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
