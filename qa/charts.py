"""Comparisons as pictures: an answer over several years, several departments, or a whole and
its parts (`Answer.figures`) → a bar chart with the computed changes and their formulas.

The chart is an inline SVG written here, without a plotting library, a font file or the
network: the browser draws its Chinese labels with the page's own fonts. Every bar is an
exact `Decimal` from the answer's figures; every change is computed from those with its
formula, as the answer sentences write formulas (1,122.86, not 1122.86).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from corpus.numbers import convert, group_thousands as fmt

from .answer import Answer, Figure
from .units import is_money

ChartKind = Literal["years", "departments", "parts"]

_PCT = Decimal("0.01")
WIDTH = 640           # the SVG's own coordinates; it scales to the panel's width
ROW = 30              # one bar's band
TOP = 34              # the title's band
VALUE_ROOM = 110      # right of the longest bar: its value and unit
BAR_COLOUR = {"years": "#1565c0", "departments": "#2e7d32", "parts": "#ef6c00"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal


@dataclass(frozen=True)
class Change:
    """A computed comparison: 2024年比2023年 −0.30 万元, with the formula that gives it."""

    label: str
    value: Decimal
    unit: str
    formula: str

    @property
    def text(self) -> str:
        """2024年比2023年：减少 0.30 万元（1.05 − 1.35 = −0.30）."""
        if self.unit == "%" and "占" in self.label:
            return f"{self.label} {self.value}%（{self.formula}）"
        word = ("增长" if self.value >= 0 else "下降") if self.unit == "%" else ("增加" if self.value >= 0 else "减少")
        amount = f"{abs(self.value)}%" if self.unit == "%" else f"{fmt(abs(self.value))} {self.unit}".rstrip()
        return f"{self.label}{word} {amount}（{self.formula}）"


@dataclass(frozen=True)
class Chart:
    kind: ChartKind
    title: str
    unit: str
    bars: tuple[Bar, ...]
    changes: tuple[Change, ...] = ()


# --------------------------------------------------------------------------------------
# Changes
# --------------------------------------------------------------------------------------

def year_changes(values: list[tuple[int, Decimal]], unit: str) -> tuple[Change, ...]:
    """Each year against the year before (the difference, then the growth rate when the
    earlier figure is not 0), and the last against the first when more than two years."""
    pairs = list(zip(values[1:], values[:-1]))
    if len(values) > 2:
        pairs.append((values[-1], values[0]))
    out: list[Change] = []
    for (year, a), (base_year, b) in pairs:
        label = f"{year}年比{base_year}年"
        out.append(Change(label, a - b, unit, f"{fmt(a)} − {fmt(b)} = {fmt(a - b)}"))
        if b:
            rate = ((a - b) / b * 100).quantize(_PCT, rounding=ROUND_HALF_UP)
            out.append(Change(label, rate, "%", f"（{fmt(a)} − {fmt(b)}）÷ {fmt(b)} = {rate}%"))
    return tuple(out)


def part_shares(parts: list[tuple[str, Decimal]], whole: Decimal) -> tuple[Change, ...]:
    """Each part's share of the whole: 公务接待费占合计 2.82%（1.35 ÷ 47.91 = 2.82%）."""
    if not whole:
        return ()
    out = []
    for name, value in parts:
        share = (value / whole * 100).quantize(_PCT, rounding=ROUND_HALF_UP)
        out.append(Change(f"{name}占合计", share, "%", f"{fmt(value)} ÷ {fmt(whole)} = {share}%"))
    return tuple(out)


# --------------------------------------------------------------------------------------
# The chart of an answer
# --------------------------------------------------------------------------------------

def chart_for(answer: Answer) -> Chart | None:
    """The answer's figures as a chart: its parts, its years (one department), or its
    departments; None for an answer of one figure, or of figures in units that do not
    convert into each other."""
    figures = answer.figures
    if len(figures) < 2:
        return None
    unit = figures[0].unit or ""
    values = [_in_unit(f, unit) for f in figures]
    if any(v is None for v in values):
        return None
    exact = [v for v in values if v is not None]
    label = figures[0].label
    if all(f.role == "part" for f in figures):
        whole = sum(exact, Decimal(0))
        bars = tuple(Bar(f.label, v) for f, v in zip(figures, exact))
        return Chart("parts", f"{answer_metric(answer)}的构成（{unit}）", unit, bars,
                     part_shares([(b.label, b.value) for b in bars], whole))
    departments = {f.budget.department for f in figures}
    years = [f.budget.year for f in figures]
    if len(departments) == 1 and all(years) and len(set(years)) == len(years):
        ordered = sorted((y, v) for y, v in zip(years, exact) if y)
        bars = tuple(Bar(f"{y} 年", v) for y, v in ordered)
        return Chart("years", f"{label}：各年度（{unit}）", unit, bars, year_changes(ordered, unit))
    one_year = len(set(years)) == 1
    bars = tuple(Bar(f.budget.department if one_year else f"{f.budget.department} {f.budget.year or ''} 年".strip(), v)
                 for f, v in zip(figures, exact))
    return Chart("departments", f"{label}：各部门（{unit}）", unit, bars)


def answer_metric(answer: Answer) -> str:
    """What a parts chart breaks down: the cited whole's row or column."""
    c = answer.citations[0] if answer.citations else None
    return (c.row or c.column or c.section) if c else answer.question


def _in_unit(figure: Figure, unit: str) -> Decimal | None:
    if (figure.unit or "") == unit:
        return figure.value
    if is_money(figure.unit) and is_money(unit):
        return convert(figure.value, figure.unit, unit)
    return None


# --------------------------------------------------------------------------------------
# SVG
# --------------------------------------------------------------------------------------

def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def chart_svg(chart: Chart) -> str:
    """Horizontal bars (long Chinese department names read best beside their bar), each with
    its value; `data-value` holds the exact figure for tests and tools."""
    label_room = min(300, max(len(b.label) for b in chart.bars) * 14 + 12)
    bar_room = WIDTH - label_room - VALUE_ROOM
    top = max((abs(b.value) for b in chart.bars), default=Decimal(0))
    height = TOP + ROW * len(chart.bars) + 8
    colour = BAR_COLOUR[chart.kind]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bqa-chart-svg" data-kind="{chart.kind}" '
           f'viewBox="0 0 {WIDTH} {height}" width="100%" style="max-width:{WIDTH}px" role="img" '
           f'aria-label="{esc(chart.title)}" font-size="13">',
           f'<title>{esc(chart.title)}</title>',
           f'<text x="4" y="20" font-size="14" font-weight="600" fill="#222">{esc(chart.title)}</text>']
    for i, bar in enumerate(chart.bars):
        y = TOP + i * ROW
        width = float(abs(bar.value) / top * bar_room) if top else 0.0
        out.append(f'<text x="{label_room - 6}" y="{y + 19}" text-anchor="end" fill="#333">{esc(bar.label)}</text>'
                   f'<rect class="bqa-bar" x="{label_room}" y="{y + 5}" width="{max(width, 1.0):.1f}" height="{ROW - 10}" '
                   f'fill="{colour}" data-label="{esc(bar.label)}" data-value="{bar.value}"/>'
                   f'<text x="{label_room + width + 6:.1f}" y="{y + 19}" fill="#222">{esc(fmt(bar.value))} '
                   f'{esc(chart.unit)}</text>')
    out.append("</svg>")
    return "".join(out)


def chart_html(chart: Chart | None) -> str:
    """The chart and, under it, its computed changes with their formulas; "" without a chart."""
    if chart is None:
        return ""
    changes = "".join(f"<li>{esc(c.text)}</li>" for c in chart.changes)
    listed = (f'<div style="font-weight:600;margin-top:6px">计算</div><ul class="bqa-changes" '
              f'style="margin:2px 0 0 1.2em;padding:0">{changes}</ul>') if changes else ""
    return (f'<figure class="bqa-chart" data-kind="{chart.kind}" style="margin:6px 0">'
            f"{chart_svg(chart)}{listed}</figure>")
