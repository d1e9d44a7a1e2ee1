"""Translations.

    python scripts/i18n.py extract [core|APP ...]   update zh_Hans catalogs from the code (needs GNU gettext)
    python scripts/i18n.py compile   derive zh_Hant (OpenCC) and en catalogs, compile all to .mo
    python scripts/i18n.py check     list messages in the code without a zh_Hans translation

Source strings are English; zh_Hans is translated by hand; zh_Hant is converted from zh_Hans at
build time, so it is complete whenever zh_Hans is: OpenCC's phrase-level s2twp (Taiwan
vocabulary: 用户 → 使用者, 导入 → 匯入, 数据 → 資料, 登录 → 登入), then TRADITIONAL_TERMS; en maps every string to itself (without it,
English users would fall back to the default language, Chinese). Compiling uses Babel, so a
machine without gettext can build.
"""

import ast
import functools
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "gongke"


def locale_dirs() -> list[Path]:
    return sorted(
        p for p in PACKAGE.glob("**/locale") if p.is_dir() and "node_modules" not in p.parts
    )


# Apps with a catalog of their own (gongke/<app>/locale); every other string (templates/, lib/,
# api/, ops/, settings) goes to the core catalog gongke/locale.
APP_CATALOGS = [
    "registry",
    "accounts",
    "census",
    "community",
    "donations",
    "supplies",
    "resumption",
    "notices",
    "assistance",
    "briefings",
    "volunteers",
    "opendata",
]


# (function, positions of context, singular, plural) as makemessages passes them to xgettext.
KEYWORDS = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
SKIPPED_DIRS = {"migrations", "tests", "vendor", "node_modules", "locale", "__pycache__"}


class Message:
    """One msgid as the code uses it: where, with which context, singular and plural."""

    def __init__(
        self, catalog: str, where: str, context: str | None, msgid: str, plural: str | None
    ):
        self.catalog, self.where = catalog, where
        self.context, self.msgid, self.plural = context, msgid, plural

    def __repr__(self) -> str:
        context = f" (context {self.context!r})" if self.context else ""
        return f"{self.where}: {self.msgid!r}{context}"


def catalog_of(path: Path) -> str:
    """The catalog a source file's messages belong to: its app's, or "core" (as extract() does)."""
    first = path.relative_to(PACKAGE).parts[0]
    return first if first in APP_CATALOGS else "core"


def _calls(source: str) -> Iterator[tuple[int, str, list[str | None]]]:
    """(line, function, literal string arguments or None) of every translation call in Python."""
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in KEYWORDS:
            args = [
                a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                for a in node.args
            ]
            yield node.lineno, name, args


_STRING = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_TEMPLATE_CALL = re.compile(
    rf"\b(_|gettext|ngettext|pgettext|npgettext)\(\s*({_STRING})"
    rf"(?:\s*,\s*({_STRING}))?(?:\s*,\s*({_STRING}))?"
)


def _template_calls(source: str, origin: str) -> Iterator[tuple[int, str, list[str | None]]]:
    """The same for a template, through Django's own templatize (what makemessages feeds xgettext)."""
    from django.utils.translation.template import templatize

    text = templatize(source, origin)
    for match in _TEMPLATE_CALL.finditer(text):
        args = [ast.literal_eval(a) if a else None for a in match.groups()[1:]]
        yield text.count("\n", 0, match.start()) + 1, match[1], args


def messages_in_code() -> list[Message]:
    """Every message the code and templates mark for translation, without GNU gettext."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        parts = path.relative_to(PACKAGE).parts
        if SKIPPED_DIRS & set(parts) or not path.is_file():
            continue
        if path.suffix == ".py":
            calls = _calls(path.read_text(encoding="utf-8"))
        elif path.suffix in {".html", ".txt"} and "templates" in parts:
            calls = _template_calls(path.read_text(encoding="utf-8"), str(path))
        else:
            continue
        for line, name, args in calls:
            positions = KEYWORDS[name]
            context, msgid, plural = (
                args[at] if at is not None and at < len(args) else None for at in positions
            )
            if msgid:  # a variable (gettext(name)) is translated where its literal is marked
                where = f"{path.relative_to(ROOT)}:{line}"
                found.append(Message(catalog_of(path), where, context, msgid, plural))
    return found


def catalog_path(catalog: str, lang: str = "zh_Hans") -> Path:
    base = PACKAGE if catalog == "core" else PACKAGE / catalog
    return base / "locale" / lang / "LC_MESSAGES" / "django.po"


def untranslated() -> list[Message]:
    """Messages with no usable zh_Hans translation in their app's catalog or the core one."""
    translations = {c: read_catalog(catalog_path(c)) for c in ["core", *APP_CATALOGS]}
    missing = []
    for message in messages_in_code():
        for catalog in (message.catalog, "core"):
            entry = translations[catalog].get(message.msgid, message.context)
            if entry is not None and entry.string and all(entry.string) and not entry.fuzzy:
                break
        else:
            missing.append(message)
    return missing


def read_catalog(path: Path) -> "Catalog":
    with path.open("rb") as f:
        return read_po(f, locale=path.parent.parent.name)


def extract(targets: list[str]) -> int:
    """makemessages for each target ("core" or an app name), each into its own catalog."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "gongke.settings",
        "PYTHONPATH": str(ROOT),
        "GONGKE_I18N_EXTRACT": "1",
    }
    common = [
        "-l",
        "zh_Hans",
        "--no-obsolete",
        "--no-location",
        "--ignore",
        "node_modules/*",
        "--ignore",
        "migrations/*",
        "--ignore",
        "tests/*",
        "--ignore",
        "static/vendor/*",
    ]
    status = 0
    for target in targets or ["core", *APP_CATALOGS]:
        cwd = PACKAGE if target == "core" else PACKAGE / target
        (cwd / "locale").mkdir(exist_ok=True)
        ignores: list[str] = []
        if target == "core":
            # Not "app/*": makemessages matches ignore patterns against directory basenames too,
            # which would drop templates/accounts/ with the accounts app.
            for app in APP_CATALOGS:
                ignores += ["--ignore", f"{app}/*/*", "--ignore", f"{app}/*.py"]
        status |= subprocess.call(
            [sys.executable, "-m", "django", "makemessages", *common, *ignores], cwd=cwd, env=env
        )
    return status


# Reviewed corrections applied after s2twp, in order: words it leaves in mainland usage, and the
# few it changes to a meaning this site does not have. Keep each with its reason.
TRADITIONAL_TERMS = [
    # Words s2twp leaves in mainland usage.
    ("二維碼", "QR 碼"),
    ("掃碼", "掃描 QR 碼"),
    ("賬", "帳"),  # 帳號, 帳戶, 入帳: 帳 is the Taiwan and Hong Kong form
    ("模板", "範本"),  # an Excel template to fill in
    ("質量", "品質"),
    ("反饋", "回饋"),
    ("跟蹤", "追蹤"),
    ("自定義", "自訂"),
    ("只讀", "唯讀"),
    ("令牌", "權杖"),  # a device token
    ("電子郵箱", "電子郵件"),
    ("日誌", "紀錄"),
    ("郵箱", "電子郵件"),
    # Words s2twp changes to a meaning this site does not have (it reads them as software terms).
    ("社群", "社區"),  # 社区 here is a residential community, not an online one
    ("型別", "類型"),  # 类型: a kind of record, not a data type
    ("程式碼", "代碼"),  # 统一社会信用代码: a registration code, not source code
    ("物件", "對象"),  # 对象: the entry a reversal is for, not an object
    ("稽核", "審核"),  # 审核: reviewing an application stays 審核 ...
    ("審計", "稽核"),  # ... while the audit trail is 稽核
]


@functools.cache
def _s2twp():
    from opencc import OpenCC

    return OpenCC("s2twp")


def to_traditional_ui(text: str) -> str:
    """A zh_Hans interface string in the words a Taiwan or Hong Kong reader expects."""
    converted = _s2twp().convert(text)
    for simplified_usage, usage in TRADITIONAL_TERMS:
        converted = converted.replace(simplified_usage, usage)
    return converted


def _celsius(text: str) -> str:
    return text.replace("°C", "℃")


def _derive(source: Path, target_lang: str) -> Path:
    with source.open("rb") as f:
        original = read_po(f, locale="zh_Hans")
    catalog = Catalog(locale=target_lang, domain=original.domain, charset="utf-8", fuzzy=False)
    for message in original:
        if not message.id:
            continue
        if target_lang == "zh_Hant":
            if isinstance(message.string, (list, tuple)):
                string = tuple(to_traditional_ui(s) for s in message.string)
            else:
                string = to_traditional_ui(message.string or "")
        else:  # en: the English source strings are the translation, temperatures in ℃ as
            # everywhere else (issue 12.9), whatever the source string says
            string = (
                (_celsius(message.id[0]), _celsius(message.id[1]))
                if isinstance(message.id, (list, tuple))
                else _celsius(message.id)
            )
        catalog.add(message.id, string, context=message.context, flags=message.flags)
    out = source.parent.parent.parent / target_lang / "LC_MESSAGES" / source.name
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as f:
        write_po(f, catalog)
    return out


def compile_all() -> int:
    count = 0
    for base in locale_dirs():
        for po in base.glob("zh_Hans/LC_MESSAGES/*.po"):
            targets = [po, _derive(po, "zh_Hant"), _derive(po, "en")]
            for path in targets:
                # The locale gives the plural rule when a hand-edited file lost its header.
                with path.open("rb") as f:
                    catalog = read_po(f, locale=path.parent.parent.name)
                with path.with_suffix(".mo").open("wb") as f:
                    write_mo(f, catalog, use_fuzzy=False)
                count += 1
    print(f"compiled {count} catalogs")
    return 0


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "compile"
    if command == "check":
        import django

        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongke.settings")
        django.setup()
        missing = untranslated()
        for message in missing:
            print(message)
        sys.exit(1 if missing else 0)
    sys.exit(extract(sys.argv[2:]) if command == "extract" else compile_all())
