"""Real Traditional Chinese (issue 12.6): Taiwan/Hong Kong vocabulary in the interface, Traditional
fonts first, names and receipt numerals in the reader's script."""

import datetime
import importlib.util
from pathlib import Path

import pytest

from gongke.donations import services
from gongke.donations.models import DonorKind, Nature, Receipt
from gongke.lib.chinese import in_reader_script

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("gongke_i18n", ROOT / "scripts" / "i18n.py")
assert _spec and _spec.loader
i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n)

# What a Taiwan or Hong Kong reader expects for each mainland word (issue 12.6's reviewed list).
VOCABULARY = {
    "二维码": "QR 碼",
    "用户": "使用者",
    "导入": "匯入",
    "导出": "匯出",
    "模板": "範本",
    "数据": "資料",
    "登录": "登入",
    "账号": "帳號",
    "信用代码": "信用代碼",
    "类型": "類型",
    "审核": "審核",
}


@pytest.mark.parametrize(("mainland", "expected"), VOCABULARY.items())
def test_the_interface_uses_taiwan_and_hong_kong_words(mainland, expected):
    assert expected in i18n.to_traditional_ui(f"请{mainland}。")


def test_every_catalog_message_with_a_mainland_word_reads_the_local_way():
    """In the zh_Hant catalogs `scripts/i18n.py compile` writes (what Django loads)."""
    checked = 0
    for name in ["core", *i18n.APP_CATALOGS]:
        hant = i18n.read_catalog(i18n.catalog_path(name, "zh_Hant"))
        for entry in i18n.read_catalog(i18n.catalog_path(name)):
            if not entry.id or isinstance(entry.string, tuple) or not entry.string:
                continue
            for mainland, expected in VOCABULARY.items():
                if mainland in entry.string:
                    shown = hant.get(entry.id, entry.context).string
                    assert expected in shown, (entry.id, shown)
                    checked += 1
    assert checked > 50


def test_the_stylesheet_puts_traditional_fonts_first_for_zh_hant():
    css = (ROOT / "gongke" / "static" / "gongke" / "app.css").read_text(encoding="utf-8")
    rule = css[css.index(":lang(zh-Hant)") :].split("}")[0]
    assert rule.index("PingFang TC") < rule.index("sans-serif")
    assert "SC" not in rule


def test_names_follow_the_readers_script():
    assert in_reader_script("京博集团", "zh-hant") == "京博集團"
    assert in_reader_script("京博集團", "zh-hans") == "京博集团"
    assert in_reader_script("京博集團", "en") == "京博集團"
    # Characters only: a registered name keeps its words (s2twp would make 软件 軟體).
    assert in_reader_script("青原软件有限公司", "zh-hant") == "青原軟件有限公司"


def reader(client_for, user, language):
    client = client_for(user)
    user.language = language
    user.save(update_fields=["language"])
    return client


@pytest.mark.parametrize(
    ("language", "shown", "hidden"),
    [("zh-hant", "京博集團", "京博集团"), ("zh-hans", "京博集团", "京博集團")],
)
def test_the_register_shows_names_in_the_readers_script(cast, client_for, language, shown, hidden):
    page = reader(client_for, cast.admin_a, language).get("/registry/?kind=enterprise")
    text = page.content.decode()
    assert shown in text and hidden not in text


def test_the_receipt_writes_capital_numerals_in_the_readers_script(cast, client_for):
    donor = services.find_or_create_donor(
        user=cast.admin, organization=cast.chamber_a, kind=DonorKind.INDIVIDUAL, name="张伟"
    )
    services.record_gift(
        user=cast.admin,
        organization=cast.chamber_a,
        donor=donor,
        value="66000",
        nature=Nature.MONEY,
        given_on=datetime.date(2020, 2, 1),
        issue_receipt=True,
    )
    receipt = Receipt.objects.get()
    hant = reader(client_for, cast.admin_a, "zh-hant").get(f"/donations/receipts/{receipt.pk}/")
    text = hant.content.decode()
    assert "陸萬陸仟元整" in text and "陆" not in text
    assert "張偉" in text
    hans = reader(client_for, cast.staff_a, "zh-hans").get(f"/donations/receipts/{receipt.pk}/")
    assert "陆万陆仟元整" in hans.content.decode()
