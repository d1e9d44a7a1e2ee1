from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongke.lib.amounts import ABOUT, EXACT, NEARLY, OVER, AmountError, parse_amount
from gongke.lib.chinese import capital_amount

cents = st.integers(min_value=1, max_value=10**14).map(lambda n: Decimal(n) / 100)


@pytest.mark.parametrize(
    "text, value, approximation",
    [
        ("1,200.50", "1200.50", EXACT),
        ("64.8万", "648000", EXACT),
        ("2000余万元", "20000000", OVER),
        ("近10万", "100000", NEARLY),
        ("壹拾万元整", "100000", EXACT),
        ("十多万", "100000", OVER),
        ("约3万元", "30000", ABOUT),
        ("100万以上", "1000000", OVER),
        ("１２，０００元", "12000", EXACT),
        ("¥ 5000", "5000", EXACT),
        ("1.2亿", "120000000", EXACT),
        ("三千五百元", "3500", EXACT),
        ("叁佰元伍角陆分", "300.56", EXACT),
        (1200.5, "1200.5", EXACT),
        (30000, "30000", EXACT),
    ],
)
def test_it_reads_amounts_as_people_write_them(text, value, approximation):
    amount = parse_amount(text)
    assert amount.value == Decimal(value)
    assert amount.approximation == approximation


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "empty"),
        ("abc", "invalid"),
        ("1,20.5", "separators"),
        ("-5", "negative"),
        ("0", "zero"),
        ("1.234", "cents"),
        ("12x万", "invalid"),
        ("9999999亿", "too_large"),
        (None, "empty"),
    ],
)
def test_it_names_what_is_wrong_with_junk(text, code):
    with pytest.raises(AmountError) as info:
        parse_amount(text)
    assert info.value.code == code


@given(cents)
def test_capital_numerals_read_back_to_the_same_amount(value):
    assert parse_amount(capital_amount(value)).value == value


@given(cents)
def test_digits_with_thousands_separators_read_back(value):
    assert parse_amount(f"{value:,}").value == value
    assert parse_amount(f"{value}元").value == value


@given(st.integers(min_value=1, max_value=10**8), st.sampled_from(["余", "多"]))
def test_wan_with_over_marks_the_flag(n, marker):
    amount = parse_amount(f"{n}{marker}万元")
    assert amount.value == Decimal(n) * 10000
    assert amount.approximation == OVER


@given(st.text(max_size=12))
def test_anything_either_parses_or_raises_an_amount_error(text):
    try:
        amount = parse_amount(text)
    except AmountError as exc:
        assert exc.code
    else:
        assert amount.value > 0
        assert amount.value == amount.value.quantize(Decimal("0.01"))
