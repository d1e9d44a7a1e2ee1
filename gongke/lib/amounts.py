"""Amounts of money as people write them: 1,200.50 · 64.8万 · 2000余万元 · 近10万 · 壹拾万元整.

parse_amount returns the exact yuan (Decimal, 2 places) and the approximation the writer
meant ("余"/"多"/"以上" over, "近" nearly, "约"/"左右" about), so a list that says "2000余万元"
is imported as 20,000,000.00 with the flag "over" instead of pretending to be exact.

Errors carry a stable `code` (and English text): the app that shows them translates the code,
so this module has no strings of its own to translate.
"""

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000000")  # 1 万亿: anything larger is a typing mistake

EXACT = ""
OVER = "over"
NEARLY = "nearly"
ABOUT = "about"

# Longest markers first so "将近" is not read as "近".
_PREFIXES = [
    ("将近", NEARLY),
    ("接近", NEARLY),
    ("大约", ABOUT),
    ("近", NEARLY),
    ("约", ABOUT),
    ("逾", OVER),
    ("超过", OVER),
]
_INFIXES = [("以上", OVER), ("左右", ABOUT), ("余", OVER), ("多", OVER), ("来", ABOUT)]
_CURRENCY = ["人民币", "RMB", "CNY", "¥", "￥"]

_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000, "億": 100_000_000}
_NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)?)(十|拾|百|佰|千|仟)?(万|萬)?(亿|億)?(万|萬)?$")


class AmountError(ValueError):
    """An amount that cannot be read. `code` names the problem for translation."""

    def __init__(self, code: str, message: str, text: str = ""):
        super().__init__(message)
        self.code = code
        self.text = text


@dataclass(frozen=True)
class Amount:
    value: Decimal
    approximation: str = EXACT

    @property
    def is_approximate(self) -> bool:
        return self.approximation != EXACT


def _strip_markers(text: str) -> tuple[str, str]:
    approximation = EXACT
    for marker, kind in _PREFIXES:
        if text.startswith(marker):
            text, approximation = text[len(marker) :], kind
            break
    for marker, kind in _INFIXES:
        if marker in text:
            text = text.replace(marker, "", 1)
            approximation = approximation or kind
    return text, approximation


def _chinese_integer(text: str) -> int:
    """壹拾万零伍佰 -> 100500; 一千二百 -> 1200; also a bare digit string 二〇二〇 -> 2020."""
    if (
        text
        and all(ch in _DIGITS for ch in text)
        and len(text) > 1
        and not any(ch in "零〇" for ch in text[:1])
    ):
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total = section = digit = 0
    last_big = None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _SMALL:
            section += (digit or 1) * _SMALL[ch]
            digit = 0
        elif ch in _BIG:
            unit = _BIG[ch]
            if last_big is not None and unit > last_big:
                total = (total + section + digit) * unit
            else:
                total += (section + digit) * unit
            last_big = unit
            section = digit = 0
        else:
            raise AmountError("chinese", f"'{ch}' is not a Chinese numeral.", text)
    return total + section + digit


def _chinese_amount(text: str) -> Decimal:
    """Capital or plain Chinese numerals with 元/角/分: 壹拾万元整, 叁佰元伍角陆分."""
    text = text.removesuffix("整").removesuffix("正")
    text = text.replace("圆", "元")
    if "元" in text:
        yuan_part, _, rest = text.partition("元")
    elif "角" in text or "分" in text:
        yuan_part, rest = "", text
    else:
        yuan_part, rest = text, ""
    value = Decimal(_chinese_integer(yuan_part.rstrip("零"))) if yuan_part else Decimal(0)
    if rest:
        rest = rest.lstrip("零")
        jiao, sep, fen = rest.partition("角")
        if not sep:
            jiao, fen = "", rest
        if jiao:
            value += Decimal(_chinese_integer(jiao)) / 10
        fen = fen.lstrip("零").removesuffix("分")
        if fen:
            value += Decimal(_chinese_integer(fen)) / 100
    return value


def _normalize(raw: Any) -> str:
    text = unicodedata.normalize("NFKC", str(raw)).strip()
    text = re.sub(r"\s+", "", text)
    for cur in _CURRENCY:
        text = text.replace(cur, "")
    return text.replace("，", ",").replace("。", ".")


def parse_amount(raw: Any, *, allow_zero: bool = False) -> Amount:
    """Read an amount of yuan as written in a Chinese list; raise AmountError with a code."""
    if isinstance(raw, bool) or raw is None:
        raise AmountError("empty", "The amount is empty.")
    if isinstance(raw, int | Decimal):
        value, approximation = Decimal(raw), EXACT
    elif isinstance(raw, float):
        # Excel keeps numbers as floats: repr gives the shortest exact decimal it meant.
        value, approximation = Decimal(repr(raw)), EXACT
    else:
        text = _normalize(raw)
        if not text:
            raise AmountError("empty", "The amount is empty.")
        if text.startswith("-") or text.startswith("负"):
            raise AmountError("negative", "The amount cannot be negative.", text)
        text, approximation = _strip_markers(text)
        text = text.removesuffix("元整").removesuffix("元正")
        value = _read_number(text)
    if not value.is_finite():
        raise AmountError("invalid", "The amount is not a number.", str(raw))
    if value < 0:
        raise AmountError("negative", "The amount cannot be negative.", str(raw))
    if value == 0 and not allow_zero:
        raise AmountError("zero", "The amount cannot be zero.", str(raw))
    if value != value.quantize(CENT):
        raise AmountError("cents", "An amount of money has at most two decimals (fen).", str(raw))
    if value > MAX_AMOUNT:
        raise AmountError("too_large", "The amount is too large.", str(raw))
    return Amount(value.quantize(CENT), approximation)


def _read_number(text: str) -> Decimal:
    if not text:
        raise AmountError("invalid", "The amount has no number in it.", text)
    if any(ch in _DIGITS or ch in _SMALL for ch in text) and not re.search(r"\d", text):
        try:
            return _chinese_amount(text)
        except AmountError:
            raise AmountError("invalid", "The amount is not a number.", text)
    body = text.removesuffix("元").removesuffix("圆")
    if "," in body:
        if not re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?(十|拾|百|佰|千|仟)?(万|萬|亿|億)*", body):
            raise AmountError("separators", "The thousands separators are misplaced.", text)
        body = body.replace(",", "")
    match = _NUMBER_RE.match(body)
    if not match:
        raise AmountError("invalid", "The amount is not a number.", text)
    number, small, wan1, yi, wan2 = match.groups()
    try:
        value = Decimal(number)
    except InvalidOperation:
        raise AmountError("invalid", "The amount is not a number.", text)
    if small:
        value *= _SMALL[small]
    if wan1:
        value *= 10_000
    if yi:
        value *= 100_000_000
    if wan2:
        value *= 10_000
    return value
