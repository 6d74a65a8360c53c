"""Number and unit parsing: examples from the documents, and properties over generated input."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, strategies as st

from corpus.numbers import column_unit, convert, parse_number, parse_quantity, parse_unit_line


@pytest.mark.parametrize("raw,value", [
    ("45,084.94", D("45084.94")), ("45084.94", D("45084.94")), ("0.00", D("0.00")), ("693000", D("693000")),
    ("１２３.５", D("123.5")), (" 1,122.86 ", D("1122.86")), ("-5.00", D("-5.00")), ("(1,234.50)", D("-1234.50")),
])
def test_numbers_as_printed(raw, value):
    assert parse_number(raw) == value


@pytest.mark.parametrize("raw", ["", "  ", "合计", "[30209]", "1,23", "12.3.4", "027-84396580", "2023 年", None])
def test_not_numbers(raw):
    assert parse_number(raw) is None


@pytest.mark.parametrize("raw,expected", [
    ("10 万元", (D("10"), "万元")), ("1.97%", (D("1.97"), "%")), ("300人次", (D("300"), "人次")),
    ("25", (D("25"), None)), ("完成", (None, None)),
])
def test_quantities(raw, expected):
    assert parse_quantity(raw) == expected


@pytest.mark.parametrize("line,unit", [
    ("单位：万元", "万元"), ("单位:元", "元"), ("金额单位：万元", "万元"), ("单位：万", "万元"),
    ("（单位：万元）", "万元"), ("单位：亿元", "亿元"), ("部门/单位：武汉经济技术开发区", None),
])
def test_unit_lines(line, unit):
    assert parse_unit_line(line) == unit


def test_column_units():
    assert column_unit("单价(元)") == "元"
    assert column_unit("采购金额合计（元）") == "元"
    assert column_unit("合计") is None


def test_unit_conversion_is_exact():
    assert convert(D("693000"), "元", "万元") == D("69.3")
    assert convert(D("15621.11"), "万元", "元") == D("156211100")
    with pytest.raises(ValueError):
        convert(D("1"), "人", "元")


money = st.decimals(min_value=D("-1e12"), max_value=D("1e12"), places=2, allow_nan=False, allow_infinity=False)


@given(money)
def test_formatted_money_round_trips(value):
    assert parse_number(f"{value:,.2f}") == value
    assert parse_number(f"{value:.2f}") == value


@given(st.text())
def test_parse_number_never_raises(text):
    result = parse_number(text)
    assert result is None or isinstance(result, D)


@given(st.text())
def test_parse_quantity_and_unit_lines_never_raise(text):
    parse_quantity(text)
    parse_unit_line(text)


@given(money, st.sampled_from(["元", "万元", "亿元"]), st.sampled_from(["元", "万元", "亿元"]))
def test_conversion_round_trips(value, a, b):
    assert convert(convert(value, a, b), b, a) == value
