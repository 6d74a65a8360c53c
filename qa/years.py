"""Questions over several years' budgets: one figure per year, each from that year's own
document, then their sum (三年的“三公”经费一共多少), difference (2025年比2023年增加了多少) or
growth (2019年比2017年增长了百分之多少). A total (预算总额, 部门预算) is each year's 收支总表
支出总计 (`qa.totals`); any other metric is found in each year's document by the linker,
exactly as a lookup would find it there. A year whose figure cannot be found makes the whole
answer give up (None): a sum over some of the years would be a wrong figure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from corpus.facts import Fact
from corpus.numbers import convert

from .analyze import analyze, read_years
from .answer import Answer
from .budgets import budget_figures
from .compose import citations, fact_label, fmt
from .compute import Computed, percentage_change
from .scope import Asked, department_spans, fixed_spans
from .resolve import whole_budget
from .totals import names_whole_budget
from .units import exact_money, in_one_unit, is_money, requested_unit

Across = Literal["sum", "growth", "difference"]

_SUM = re.compile(r"合计|一共|总共|共计|加起来|加在一起|之和|总和|累计|共(?:有|是|为)?多少")
_GROWTH = re.compile(r"(?:增长|增加|上升|提高|下降|减少|降低)了?(?:百分之多少|百分之几|多少%|几%|的?百分比|的?比例|的?幅度|多少个百分点)"
                     r"|增长率|增幅|降幅|下降率")
_CHANGE = re.compile(r"(?:增加|减少|增长|下降|多|少|相差|差|变化|变动)了?(?:多少|几)|相差|差额")
_ASKS = re.compile(r"(?:分别|各自|各)?(?:是|为|有)?(?:多少|几)")
# A run of years as a question writes it (2017年到2019年三年的, 2017、2018、2019三年), and a
# count of years (三年, 两年): they say which documents, never what is asked.
_YEARS = re.compile(r"(?:(?<![\d.])(?:19|20)\d{2}(?![\d.])\s*年?度?\s*(?:(?:[、，,和与及]|到|至|[-—–－~～])\s*)?)+"
                    r"(?:[两二三四五六七八九十]年度?)?"
                    r"|[两二三四五六七八九十]年度?|各年|每年")


@dataclass(frozen=True)
class YearFigure:
    year: int
    fact: Fact


def operation(text: str) -> Across | None:
    """What a question over several years asks of the yearly figures."""
    if _GROWTH.search(text):
        return "growth"
    if _CHANGE.search(text):
        return "difference"
    if _SUM.search(text):
        return "sum"
    return None


def metric(asked: Asked) -> str:
    """The metric the question asks about, without the department, the years and the
    operation: 江苏省高院2019年预算总额比2017年增长了百分之多少 → 预算总额."""
    text = list(asked.question.expanded)
    for start, end in department_spans(asked.question, asked.documents, asked.doc_ids):
        text[start:end] = " " * (end - start)
    masked = "".join(text)
    before, _, after = masked.partition("比")
    words = _clean(before)
    if not words and after:  # 2025年比2023年办公费增加了多少
        words = _clean(after)
    return words


def _clean(text: str) -> str:
    ends = [m.start() for m in (p.search(text) for p in (_GROWTH, _CHANGE, _SUM, _ASKS)) if m]
    text = text[:min(ends)] if ends else text
    text = _YEARS.sub(" ", text)
    text = re.sub(r"\s+", "", text)
    return re.sub(r"^(的|之|中|里)+|(的|是|为|有)+$", "", text)


def compared_years(text: str) -> tuple[int, int] | None:
    """(this, base) of a comparison: the year before 比 against the year after it; without
    比, the later of two years against the earlier."""
    before, said, after = text.partition("比")
    if said:
        this, base = set(read_years(before)), set(read_years(after))
        if len(this) == 1 and len(base) == 1 and this != base:
            return this.pop(), base.pop()
    years = sorted(set(read_years(text)))
    return (years[1], years[0]) if len(years) == 2 else None


def year_figure(asked: Asked, year: int, what: str) -> YearFigure | None:
    """The metric's figure in the document(s) of one year; none when two budgets of the year
    state it equally well (two departments' totals, or their rows of the same name)."""
    docs = frozenset(d for d in asked.doc_ids if asked.doc_years.get(d) == year)
    if not docs or not what:
        return None
    sub = analyze(f"{year}年{what}")
    sub = replace(sub, operation="lookup", wants=sub.wants if sub.wants.startswith("count") else "money")
    part = replace(asked, question=sub, facts=[f for f in asked.facts if f.doc_id in docs], doc_ids=docs,
                   doc_years={d: year for d in docs}, fixed=fixed_spans(sub, asked.documents, docs))
    if names_whole_budget(what):
        total = whole_budget(part)
        return YearFigure(year, total) if total is not None else None
    rs = [r for r in part.readings() if not r.leftover and r.fact.value is not None and not r.fact.change]
    if not rs:
        return None
    best = [r.fact for r in rs if r.key.fit == rs[0].key.fit]
    if len({_publication(asked, f) for f in best}) > 1:
        return None  # as good in two budgets of the year (no department named): not one figure
    return YearFigure(year, rs[0].fact)


def _publication(asked: Asked, fact: Fact) -> str:
    info = asked.documents.get(fact.doc_id)
    return info.publication if info and info.publication else fact.doc_id


def across_years(asked: Asked, ops: tuple[Across, ...], whole_only: bool = False) -> Computed | None:
    """The question's metric in each year it names, combined as it asks (one of `ops`);
    with `whole_only`, only when the metric is the whole budget."""
    q = asked.question
    years = sorted(set(q.years))
    if len(years) < 2 or not set(years) <= set(asked.doc_years.values()):
        return None
    op = operation(q.expanded)
    if op is None or op not in ops:
        return None
    what = metric(asked)
    if whole_only and not names_whole_budget(what):
        return None
    if op == "sum":
        figures = [year_figure(asked, y, what) for y in years]
        found = [f for f in figures if f is not None]
        return _sum(found, what) if len(found) == len(figures) and _one_department(asked, found) else None
    pair = compared_years(q.expanded)
    if pair is None:
        return None
    this, base = year_figure(asked, pair[0], what), year_figure(asked, pair[1], what)
    if this is None or base is None or this.fact is base.fact or not _one_department(asked, [this, base]):
        return None
    direction = _direction(q.expanded)
    if op == "growth":
        return _growth(this, base, what, direction)
    return _difference(this, base, what, requested_unit(q), direction)


def each_year(asked: Asked) -> list[YearFigure] | None:
    """万里街道2023年到2025年的公务接待费（分别是多少）: a plain question over several loaded
    years, neither a sum nor a change — the metric's figure in each year's own document, or
    None when a year has none (a comparison with a year missing is not one)."""
    q = asked.question
    years = sorted(set(q.years))
    if q.operation != "lookup" or len(years) < 2 or not set(years) <= set(asked.doc_years.values()):
        return None
    if operation(q.expanded) is not None or not _listed_years(q.expanded):
        return None
    what = metric(asked)
    figures = [year_figure(asked, y, what) for y in years]
    found = [f for f in figures if f is not None]
    if len(found) != len(figures) or not _one_department(asked, found):
        return None
    return found if all(in_one_unit(found[0].fact, f.fact) for f in found) else None


def each_year_answer(asked: Asked) -> Answer | None:
    """Each year's figure (`each_year`), cited each from its own document, with the changes
    from year to year as the formula: 2024年 1.05 − 2023年 1.35 = −0.30."""
    found = each_year(asked)
    if not found:
        return None
    first = found[0].fact
    values = [(f.year, both[1]) for f in found if (both := in_one_unit(first, f.fact)) is not None]
    unit = first.unit or ""
    listed = "；".join(f"{year}年 {fmt(v)} {unit}".rstrip() for year, v in values)
    formula = "；".join(f"{y}年 {fmt(a)} − {by}年 {fmt(b)} = {fmt(a - b)}"
                       for (y, a), (by, b) in zip(values[1:], values[:-1]))
    span = [f.year for f in found]
    said = f"{span[0]}—{span[-1]}" if span == list(range(span[0], span[-1] + 1)) else "、".join(map(str, span))
    text = f"{said}年{_label(found[0], metric(asked))}：{listed}"
    facts = [f.fact for f in found]
    return Answer(asked.question.raw, text, "lookup", None, first.unit, citations(facts, asked.documents),
                  formula=formula, timings=asked.timings(), figures=budget_figures(facts, asked.documents))


def _listed_years(text: str) -> bool:
    """The years are written as one list or range (2023年到2025年, 2023、2025年): a question
    that names two years apart (2024年的行政运行在2023年的执行数) asks one figure, not each."""
    return any(len(set(read_years(m.group(0)))) >= 2 for m in _YEARS.finditer(text))


def _one_department(asked: Asked, figures: list[YearFigure]) -> bool:
    """Every year's figure is the same department's: years of two departments add up to nothing."""
    return len({asked.documents[f.fact.doc_id].department for f in figures}) == 1


def _direction(text: str) -> int:
    """The way the question expects the change to go: +1 增加/增长, −1 减少/下降, 0 unsaid (相差)."""
    up, down = re.search(r"增加|增长|上升|提高|多了", text), re.search(r"减少|下降|降低|少了", text)
    return 1 if up and not down else -1 if down and not up else 0


def _signed(change: Decimal, direction: int) -> Decimal:
    """The answer to "增加了多少" is the increase: negative when the figure fell; to "减少了多少",
    the decrease; to "相差多少", the size of the change."""
    return abs(change) if direction == 0 else change * direction


def _label(figure: YearFigure, what: str) -> str:
    """What the figures are; without the year a column prints (2023年“三公”经费预算数): the
    years are the formula's."""
    if names_whole_budget(what):
        return "收支总预算（支出总计）"
    return re.sub(r"^(?:19|20)\d{2}\s*年度?", "", fact_label(figure.fact))


def _sum(figures: list[YearFigure], what: str) -> Computed | None:
    first = figures[0].fact
    values: list[Decimal] = []
    for f in figures:
        both = in_one_unit(first, f.fact)
        if both is None:
            return None
        values.append(both[1])
    value = sum(values, Decimal(0))
    unit = first.unit or ""
    span = f"{figures[0].year}—{figures[-1].year}年"
    formula = " + ".join(f"{f.year}年 {fmt(v)}" for f, v in zip(figures, values)) + f" = {fmt(value)}"
    return Computed(value, unit, formula, f"{span}{_label(figures[0], what)}合计 {fmt(value)} {unit}（{formula}）",
                    tuple(f.fact for f in figures))


def _difference(this: YearFigure, base: YearFigure, what: str, wanted: str | None,
                direction: int) -> Computed | None:
    both = in_one_unit(this.fact, base.fact)
    if both is None:
        return None
    a, b, unit = both
    if wanted and is_money(unit) and wanted != unit:  # 增加了多少元, the documents in 万元
        a, b, unit = exact_money(convert(a, unit, wanted)), exact_money(convert(b, unit, wanted)), wanted
    change = a - b
    word = "增加" if change >= 0 else "减少"
    formula = f"{this.year}年 {fmt(a)} − {base.year}年 {fmt(b)} = {fmt(change)}"
    sentence = f"{this.year}年{_label(this, what)}比{base.year}年{word} {fmt(abs(change))} {unit}（{formula}）"
    return Computed(_signed(change, direction), unit, formula, sentence, (this.fact, base.fact))


def _growth(this: YearFigure, base: YearFigure, what: str, direction: int) -> Computed | None:
    found = percentage_change(this.fact, base.fact)
    if found is None:
        return None
    value, a, b = found
    word = "增长" if value >= 0 else "下降"
    formula = f"（{this.year}年 {fmt(a)} − {base.year}年 {fmt(b)}）÷ {fmt(b)} = {value}%"
    sentence = f"{this.year}年{_label(this, what)}比{base.year}年{word} {abs(value)}%（{formula}）"
    return Computed(_signed(value, direction), "%", formula, sentence, (this.fact, base.fact))
