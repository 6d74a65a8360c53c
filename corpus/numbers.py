"""Numbers and units as budget documents print them. Money stays `Decimal` end to end."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from .text import HAN, normalize_text

# Units of money we convert between, in 元.
MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "百万元": Decimal(1000000),
    "亿元": Decimal(100000000),
}

# Thousands separators must group by three; "1,23" is not a number we trust.
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$")
_QUANTITY = re.compile(
    r"^(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?P<unit>%|‰|[" + HAN + r"]{1,3})?$"
)
_UNIT_LINE = re.compile(r"(?:金额)?单位\s*[:：]\s*(?P<unit>[千百]?万?亿?元|万|亿|人|个|辆|%)")
_COLUMN_UNIT = re.compile(r"[（(]\s*(?P<unit>[千百]?万?亿?元|人|个|辆|台|平方米|%)\s*[）)]\s*$")


def _clean_numeric(raw: str) -> str:
    s = normalize_text(raw).strip()
    s = s.replace("−", "-").replace("－", "-").replace(" ", "").replace("\u00a0", "")
    if s.startswith("(") and s.endswith(")"):
        s = "-" + s[1:-1]  # accounting negative
    return s


def parse_number(raw: str | None) -> Decimal | None:
    """`45,084.94`, `45084.94`, `0.00`, `-1.5` → Decimal; anything else (empty, text,
    a code such as `[30209]`) → None. An empty cell is "no value", not 0."""
    if raw is None:
        return None
    s = _clean_numeric(raw)
    if not s or not _NUMBER.match(s):
        return None
    try:
        return Decimal(s.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex already rules this out
        return None


def parse_quantity(raw: str | None) -> tuple[Decimal | None, str | None]:
    """A number with an optional trailing unit: `10 万元`, `1.97%`, `300人次`, `25`."""
    if raw is None:
        return None, None
    s = _clean_numeric(raw)
    m = _QUANTITY.match(s)
    if not m:
        return None, None
    return Decimal(m.group("num").replace(",", "")), m.group("unit")


def parse_unit_line(text: str) -> str | None:
    """The unit a `单位：万元` line (or `金额单位：元`) declares, if any."""
    m = _UNIT_LINE.search(normalize_text(text).replace(" ", ""))
    if not m:
        return None
    unit = m.group("unit")
    return {"万": "万元", "亿": "亿元"}.get(unit, unit)


def column_unit(header: str) -> str | None:
    """A unit printed in a column header: `单价(元)`, `采购金额合计（元）`."""
    m = _COLUMN_UNIT.search(header)
    return m.group("unit") if m else None


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert money between 元, 万元, 亿元 … exactly."""
    if from_unit == to_unit:
        return value
    if from_unit not in MONEY_UNITS or to_unit not in MONEY_UNITS:
        raise ValueError(f"cannot convert {from_unit} to {to_unit}")
    return value * MONEY_UNITS[from_unit] / MONEY_UNITS[to_unit]


def is_money_unit(unit: str | None) -> bool:
    return unit in MONEY_UNITS


def group_thousands(value: Decimal) -> str:
    """As a person expects to read it: thousands separators, the document's decimals
    (45,084.94, 0.50). Not a spreadsheet's number format: see readers.numfmt."""
    return f"{value:,}"
