"""Units in answers: the money unit a question asks for, exact conversions between money
units, and whether two facts state the same figure."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TypeGuard

from corpus.numbers import MONEY_UNITS, convert
from corpus.facts import Fact

from .analyze import Question


def is_money(unit: str | None) -> TypeGuard[str]:
    return unit in MONEY_UNITS


def requested_unit(q: Question) -> str | None:
    """The money unit the question asks for (`差旅费是多少元`), if any."""
    m = re.search(r"多少(万元|亿元|元)|(?<![万亿])元$", q.expanded.rstrip("?？"))
    if m:
        return m.group(1) or "元"
    return "元" if q.english and re.search(r"\bin yuan\b|(?<!万)元", q.expanded) else None


def exact_money(value: Decimal) -> Decimal:
    """Two decimals when that is exact (95400.00, 69.30), else every digit, never 9.54E+4."""
    cents = value.quantize(Decimal("0.01"))
    return cents if cents == value else Decimal(f"{value:f}")


def same_figure(a: Fact, b: Fact) -> bool:
    """Both facts state the same amount (money compared across 元/万元/亿元)."""
    if a.value is None or b.value is None:
        return False
    if a.unit == b.unit:
        return a.value == b.value
    if is_money(a.unit) and is_money(b.unit):
        return convert(a.value, a.unit, b.unit) == b.value
    return False


def in_one_unit(a: Fact, b: Fact) -> tuple[Decimal, Decimal, str] | None:
    """Both values in a's unit (money converts exactly; other units must agree)."""
    if a.value is None or b.value is None:
        return None
    if a.unit == b.unit:
        return a.value, b.value, a.unit or ""
    if is_money(a.unit) and is_money(b.unit):
        return a.value, convert(b.value, b.unit, a.unit), a.unit
    return None
