"""A spreadsheet number as the sheet displays it (`excel_number_text`): Excel's number formats.

XLSX and XLS store floats; the document a person reads prints formatted text (45,084.94,
12.34%, "-" for an accounting zero). Shared by the xlsx and xls readers.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache


def _excel_decimal(value: float | int | Decimal) -> Decimal:
    """The decimal Excel means: it keeps 15 significant digits, so 45084.939999999995 (a
    SUM of two-decimal figures) is 45084.94. Digits beyond the 15th are binary noise."""
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    return Decimal(format(value, ".15g"))


def _plain_number(d: Decimal) -> str:
    """General format: every significant digit, no exponent, no trailing zeros."""
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


@lru_cache(maxsize=256)
def _split_sections(fmt: str) -> tuple[str, ...]:
    """Split a number format on ';' outside quotes and brackets."""
    sections, cur, quoted, bracket, escaped = [], "", False, False, False
    for ch in fmt:
        if escaped:
            cur += ch
            escaped = False
            continue
        if ch == "\\" and not quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "[" and not quoted:
            bracket = True
        elif ch == "]" and not quoted:
            bracket = False
        elif ch == ";" and not quoted and not bracket:
            sections.append(cur)
            cur = ""
            continue
        cur += ch
    sections.append(cur)
    return tuple(sections)


def _pick_section(sections: tuple[str, ...], d: Decimal) -> tuple[str, bool]:
    """Excel's rule: positive;negative;zero. Returns (section, add_minus_sign)."""
    if d < 0 and len(sections) >= 2:
        return sections[1], False
    if d == 0 and len(sections) >= 3:
        return sections[2], False
    return sections[0], d < 0


_NUMBER_CHARS = set("0#?.,")


@lru_cache(maxsize=256)
def _tokenize_section(section: str) -> tuple[tuple[str, str], ...] | None:
    """Pieces ('lit', text) and ('num', pattern) of one section; None when we do not
    format it ourselves (General, text, scientific, fraction, date codes)."""
    pieces: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            pieces.append(("lit", section[i + 1 : end]))
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(section):
            pieces.append(("lit", section[i + 1]))
            i += 2
            continue
        if ch in "_*":  # padding to a character's width / fill: nothing printable
            i += 2
            continue
        if ch == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            code = section[i + 1 : end]
            if code.startswith("$"):  # [$¥-804]: a currency symbol
                pieces.append(("lit", code[1:].split("-")[0]))
            i = end + 1
            continue
        if ch in _NUMBER_CHARS and (ch not in ".," or _has_placeholder(section)):
            if pieces and pieces[-1][0] == "num":
                pieces[-1] = ("num", pieces[-1][1] + ch)
            else:
                pieces.append(("num", ch))
            i += 1
            continue
        if ch in "Ee/@" or ch.lower() in "ymdhs" or section[i:].lower().startswith("general"):
            return None
        pieces.append(("lit", ch))
        i += 1
    return tuple(pieces)


def _has_placeholder(section: str) -> bool:
    return any(c in "0#?" for c in section)


def _format_pattern(d: Decimal, pattern: str) -> str:
    """Format |d| by a digit pattern such as '#,##0.00' or '0.0'."""
    int_pat, _, dec_pat = pattern.partition(".")
    scale_commas = len(int_pat) - len(int_pat.rstrip(","))  # '#,##0,' divides by 1000
    int_pat = int_pat.rstrip(",")
    d = abs(d) / (Decimal(1000) ** scale_commas)
    max_dec = sum(c in "0#?" for c in dec_pat)
    min_dec = dec_pat.count("0")
    text = format(d.quantize(Decimal(1).scaleb(-max_dec), rounding=ROUND_HALF_UP), "f")
    int_text, _, dec_text = text.partition(".")
    while len(dec_text) > min_dec and dec_text.endswith("0"):
        dec_text = dec_text[:-1]
    min_int = int_pat.count("0")
    int_text = int_text.lstrip("0").rjust(min_int, "0")
    if "," in int_pat and int_text:
        int_text = f"{int(int_text):,}".rjust(min_int, "0")
    return int_text + ("." + dec_text if dec_text or "." in pattern and not max_dec else "")


def excel_number_text(value: float | int | Decimal, number_format: str | None) -> str:
    """The text a spreadsheet shows for a number under its number format.

    Handles the formats budget sheets use (General, 0.00, #,##0.00, percent, literal
    text, accounting formats whose zero section prints "-"); anything else falls back to
    every significant digit, so a figure is never silently cut.
    """
    d = _excel_decimal(value)
    sections = _split_sections(number_format or "General")
    section, minus = _pick_section(sections, d)
    pieces = _tokenize_section(section)
    if pieces is None:
        return _plain_number(d)
    if "%" in section.replace('"%"', ""):
        d *= 100
    out, number_done = [], False
    for kind, text in pieces:
        if kind == "lit":
            out.append(text)
        elif not number_done:  # a second digit group ("0 0") is folded into the first
            out.append(_format_pattern(d, "".join(t for k, t in pieces if k == "num")))
            number_done = True
    result = "".join(out).strip()
    if minus and any(ch.isdigit() and ch != "0" for ch in result):
        result = "-" + result
    return result


def temporal_text(value: datetime | date | time | timedelta) -> str:
    """A date or time cell as ISO text (a date without its midnight)."""
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime, date, time)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)
