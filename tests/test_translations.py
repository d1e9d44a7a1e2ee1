"""Every user-visible string has a zh-Hans translation, and each meaning has its own word.

Django merges every app's catalog into one table per language (the core catalog gongke/locale
first, then apps in INSTALLED_APPS order), so a msgid means one thing across the whole site: an
English word with two Chinese meanings ("Unit": 单元 of a building, 单位 of measure; "Sign in":
登录 to the account, 签到 for a shift) needs a context (pgettext, {% translate … context … %}).
"""

import importlib.util
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.template.base import Lexer, TokenType
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("gongke_i18n", ROOT / "scripts" / "i18n.py")
assert _spec and _spec.loader
i18n = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n)

# %(name)s, %(n)d, %s, %d (not %% nor the "% a" of "75% alcohol") and {name} / {0} / {}
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[a-zA-Z]|%[sd]|\{\w*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text.replace("%%", "")))


def zh_hans_entries():
    for name in ["core", *i18n.APP_CATALOGS]:
        for entry in i18n.read_catalog(i18n.catalog_path(name)):
            if entry.id:
                yield name, entry


def test_it_translates_every_message_into_simplified_chinese():
    missing = i18n.untranslated()
    assert not missing, "no zh_Hans msgstr (run `python scripts/i18n.py check`):\n" + "\n".join(
        map(repr, missing)
    )


def test_it_finds_messages_in_python_and_in_templates():
    found = {(m.context, m.msgid) for m in i18n.messages_in_code()}
    assert ("shift", "Sign in") in found  # {% translate "Sign in" context "shift" %}
    assert (None, "Audit trail") in found  # templates/accounts/, a core template
    assert (None, "%(n)d resident") in found  # ngettext in census/services.py


class _VisibleText(HTMLParser):
    """English words a user would read: text and the attributes browsers show."""

    ATTRIBUTES = {"placeholder", "title", "aria-label", "alt", "label", "data-confirm"}
    WORD = re.compile(r"[A-Za-z]{2,}")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_code = 0

    def handle_starttag(self, tag, attrs):
        self.in_code += tag in ("script", "style")
        for name, value in attrs:
            visible = name in self.ATTRIBUTES or name.startswith("data-msg")
            if visible and value and self.WORD.search(value):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        self.in_code -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.in_code and self.WORD.search(data):
            self.found.append(repr(data.strip()))


def untranslated_template_text(source: str) -> list[str]:
    """What a template shows in English outside {% translate %} and {% blocktranslate %}."""
    parts, skipping = [], False
    for token in Lexer(source).tokenize():
        word = (token.contents.split() or [""])[0]
        if token.token_type == TokenType.BLOCK:
            # Inside a translation block or a comment, the text is the message or not shown.
            if word in ("blocktranslate", "blocktrans", "comment"):
                skipping = True
            elif word in ("endblocktranslate", "endblocktrans", "endcomment"):
                skipping = False
            parts.append(" ")  # a tag between <tr and class="…" keeps the element whole
        elif token.token_type == TokenType.TEXT and not skipping:
            parts.append(token.contents)
        else:
            parts.append("\x00")  # a value or a translation: never English in the source
    parser = _VisibleText()
    parser.feed("".join(parts).replace("\x00", "0"))
    parser.close()
    return parser.found


def test_it_marks_every_english_text_of_the_templates_for_translation():
    found = [
        f"{path.relative_to(ROOT)}: {text}"
        for path in sorted(i18n.PACKAGE.rglob("templates/**/*.html"))
        for text in untranslated_template_text(path.read_text(encoding="utf-8"))
    ]
    assert not found, "English outside {% translate %}:\n" + "\n".join(found)


def test_it_finds_english_left_out_of_translation_in_a_template():
    source = (
        '{% load i18n %}<button title="Remove">{% translate "Save" %}</button>'
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}<p>Nothing here</p>"
        "<script>let ok = 1;</script>{# a comment #}"
    )
    assert untranslated_template_text(source) == ["<button title='Remove'>", "'Nothing here'"]


def test_it_keeps_the_placeholders_of_every_message():
    wrong = []
    for name, entry in zh_hans_entries():
        if isinstance(entry.id, str):
            pairs = [(entry.id, entry.string)]
        else:  # Chinese has one plural form: it reads like the English plural
            pairs = [(entry.id[1], s) for s in entry.string]
        for msgid, msgstr in pairs:
            if msgstr and placeholders(msgid) != placeholders(msgstr):
                wrong.append(f"{name}: {msgid!r} -> {msgstr!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_it_gives_a_message_one_translation_across_catalogs():
    # Only one of them would show everywhere; a second meaning needs a context.
    seen = defaultdict(set)
    for name, entry in zh_hans_entries():
        msgid = entry.id if isinstance(entry.id, str) else entry.id[0]
        string = entry.string if isinstance(entry.string, str) else tuple(entry.string)
        seen[(entry.context, msgid)].add((string, name))
    clashes = {key: sorted(v) for key, v in seen.items() if len({s for s, _ in v}) > 1}
    assert not clashes, "\n".join(f"{key}: {v}" for key, v in clashes.items())


@pytest.mark.parametrize(
    ("language", "context", "msgid", "expected"),
    [
        ("zh-hans", "shift", "Sign in", "签到"),
        ("zh-hans", None, "Sign in", "登录"),
        ("zh-hant", "shift", "Sign in", "簽到"),
        ("zh-hant", None, "Sign in", "登入"),
        ("en", "shift", "Sign in", "Sign in"),
        ("zh-hans", "measure", "Unit", "单位"),
        ("zh-hant", "building", "Unit", "單元"),
        ("en", "building", "Unit", "Unit"),
    ],
)
def test_it_keeps_contexts_in_the_derived_catalogs(language, context, msgid, expected):
    with translation.override(language):
        got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    assert got == expected


def test_it_derives_traditional_and_english_catalogs_with_their_contexts(tmp_path):
    source = tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.po"
    source.parent.mkdir(parents=True)
    source.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgctxt "shift"\nmsgid "Sign in"\nmsgstr "签到"\n\n'
        'msgid "Sign in"\nmsgstr "登录"\n',
        encoding="utf-8",
    )
    for lang, shift, account in [("zh_Hant", "簽到", "登入"), ("en", "Sign in", "Sign in")]:
        with i18n._derive(source, lang).open("rb") as f:
            catalog = read_po(f)
        assert catalog.get("Sign in", "shift").string == shift
        assert catalog.get("Sign in").string == account


# --- The right word on the page (zh-Hans) ---------------------------------------------------


def label(html: str, field: str) -> str:
    match = re.search(rf'<label for="id_{field}">([^<]*)</label>', html)
    assert match, f"no label for {field}"
    return match[1].strip().rstrip(":：")


def zh_hans(client_for, user):
    client = client_for(user)
    client.cookies["gongke_language"] = "zh-hans"
    return client


def test_it_says_签到_on_the_roster_and_登录_on_the_login_page(cast, client, client_for):
    from django.utils import timezone

    from gongke.community import services

    now = timezone.now()
    shift = services.create_shift(
        post=cast.post_a,
        starts_at=now - timezone.timedelta(hours=1),
        ends_at=now + timezone.timedelta(hours=1),
        users=[cast.guard_a],
    )
    guard = zh_hans(client_for, cast.guard_a)
    page = guard.get(f"/community/shift/{shift.pk}/").content.decode()
    assert ">签到</button>" in page and "登录" not in page
    assert "<th>值班人员</th>" in page  # not the passages' 对象
    assert "退出" in page  # the account's sign-out in the menu stays 退出

    services.sign_in(assignment=shift.assignments.get())
    page = guard.get(f"/community/shift/{shift.pk}/").content.decode()
    assert ">签退</button>" in page

    client.cookies["gongke_language"] = "zh-hans"
    login = client.get("/accounts/login/").content.decode()
    assert "登录" in login and "签到" not in login


def test_it_says_单元_for_a_household_and_单位_for_donated_goods(cast, client_for):
    admin = zh_hans(client_for, cast.admin_a)
    area = admin.get(f"/census/area/{cast.compound_a.pk}/").content.decode()
    assert label(area, "unit") == "单元"

    staff = zh_hans(client_for, cast.staff_a)
    gift = staff.get("/donations/gifts/new/").content.decode()
    assert label(gift, "unit") == "单位"


def test_it_says_姓名_for_a_person_and_名称_for_an_organization(cast, client_for):
    admin = zh_hans(client_for, cast.admin_a)
    person = admin.get("/registry/people/new/").content.decode()
    assert label(person, "name") == "姓名"
    organization = admin.get(f"/registry/organizations/{cast.a1.pk}/edit/").content.decode()
    assert label(organization, "name") == "名称"
