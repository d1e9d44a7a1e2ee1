"""Chinese text helpers: script conversion, pinyin search keys, capital numerals."""

from decimal import Decimal
from functools import lru_cache

import opencc
from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=4)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    return _converter("t2s").convert(text) if text else ""


def to_traditional(text: str) -> str:
    return _converter("s2t").convert(text) if text else ""


def in_reader_script(text: str | None, language: str | None = None) -> str:
    """A name (of a person, an organization) or a figure in words as the reader writes: in
    Traditional characters for zh-hant, Simplified for zh-hans, as entered otherwise. Character
    conversion only (s2t/t2s, never the interface's vocabulary changes): a registered name keeps
    its words."""
    if not text:
        return ""
    from django.utils.translation import get_language

    language = (language or get_language() or "").lower()
    if language == "zh-hant":
        return to_traditional(str(text))
    if language.startswith("zh"):
        return to_simplified(str(text))
    return str(text)


def pinyin_initials(text: str) -> str:
    """京博集团 -> jbjt. Latin letters and digits pass through."""
    return "".join(
        p[0] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default") if p
    ).lower()


def pinyin_full(text: str) -> str:
    return "".join(lazy_pinyin(text, errors="default")).lower()


def search_key(*texts: str | None) -> str:
    """One lower-case string to match a query against, whatever script or pinyin it uses.

    Holds the simplified text, its full pinyin and its pinyin initials, for each input.
    """
    parts: list[str] = []
    for text in texts:
        if not text:
            continue
        simple = to_simplified(str(text)).lower()
        parts.extend([simple, pinyin_full(simple), pinyin_initials(simple)])
    return " ".join(dict.fromkeys(p for p in parts if p))[:1000]


@lru_cache(maxsize=20000)
def _reading(ch: str) -> str:
    return ch if ch.isascii() else "".join(lazy_pinyin(ch, errors="default")).lower()


@lru_cache(maxsize=100000)
def quick_search_key(*texts: str) -> str:
    """search_key for bulk imports: pinyin read character by character from a cache (search_key
    reads phrase by phrase, ~0.4 ms a name). Same shape; only rare polyphones inside phrases may
    read differently (重庆: zhongqing here, chongqing there)."""
    parts: list[str] = []
    for text in texts:
        if not text:
            continue
        simple = to_simplified(text).lower()
        readings = [_reading(ch) for ch in simple]
        initials = "".join(r[:1] for r in readings if r and not r.isspace())
        parts.extend([simple, "".join(readings), initials])
    return " ".join(dict.fromkeys(p for p in parts if p))[:1000]


def normalize_query(query: str | None) -> str:
    """What a user typed, in the same form as search_key: simplified, lower case, no spaces."""
    return to_simplified((query or "").strip()).lower().replace(" ", "")


def capital_amount(amount: Decimal | int | str) -> str:
    """Amount in yuan as written on a receipt: 100000 -> 壹拾万元整."""
    import cn2an

    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    return cn2an.an2cn(str(value), "rmb")
