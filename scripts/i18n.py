"""Translations.

    python scripts/i18n.py extract [core|APP ...]   update zh_Hans catalogs from the code (needs GNU gettext)
    python scripts/i18n.py compile   derive zh_Hant (OpenCC) and en catalogs, compile all to .mo

Source strings are English; zh_Hans is translated by hand; zh_Hant is converted from zh_Hans at
build time, so it is complete whenever zh_Hans is; en maps every string to itself (without it,
English users would fall back to the default language, Chinese). Compiling uses Babel, so a
machine without gettext can build.
"""

import subprocess
import sys
from pathlib import Path

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
    "resumption",
    "briefings",
]


def extract(targets: list[str]) -> int:
    """makemessages for each target ("core" or an app name), each into its own catalog."""
    import os

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
            for app in APP_CATALOGS:
                ignores += ["--ignore", f"{app}/*"]
        status |= subprocess.call(
            [sys.executable, "-m", "django", "makemessages", *common, *ignores], cwd=cwd, env=env
        )
    return status


def _derive(source: Path, target_lang: str) -> Path:
    from babel.messages.catalog import Catalog
    from opencc import OpenCC

    with source.open("rb") as f:
        original = read_po(f, locale="zh_Hans")
    catalog = Catalog(locale=target_lang, domain=original.domain, charset="utf-8", fuzzy=False)
    cc = OpenCC("s2t")
    for message in original:
        if not message.id:
            continue
        if target_lang == "zh_Hant":
            if isinstance(message.string, (list, tuple)):
                string = tuple(cc.convert(s) for s in message.string)
            else:
                string = cc.convert(message.string or "")
        else:  # en: the English source strings are the translation
            string = (
                (message.id[0], message.id[1])
                if isinstance(message.id, (list, tuple))
                else message.id
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
    sys.exit(extract(sys.argv[2:]) if command == "extract" else compile_all())
