"""Search keys in bulk. gongke.lib.chinese.search_key reads pinyin phrase by phrase (~0.4 ms a
name); an import of 100,000 lines with tens of thousands of distinct names cannot afford that,
so imports read pinyin character by character from a cache. The key has the same shape
(simplified text, full pinyin, initials); only rare polyphonic characters inside phrases may
read differently (重庆 gives zhongqing here, chongqing there)."""

from functools import lru_cache

from pypinyin import lazy_pinyin

from gongke.lib.chinese import to_simplified


@lru_cache(maxsize=20000)
def _reading(ch: str) -> str:
    if ch.isascii():
        return ch
    return "".join(lazy_pinyin(ch, errors="default")).lower()


@lru_cache(maxsize=100000)
def quick_search_key(*texts: str) -> str:
    parts: list[str] = []
    for text in texts:
        if not text:
            continue
        simple = to_simplified(text).lower()
        readings = [_reading(ch) for ch in simple]
        parts.extend(
            [simple, "".join(readings), "".join(r[:1] for r in readings if r and not r.isspace())]
        )
    return " ".join(dict.fromkeys(p for p in parts if p))[:1000]
