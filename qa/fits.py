"""Whether a fact can answer the question at all, before any name is matched: the unit it
wants (money, a count, a percent), the phase (a 决算 question never gets a 预算 figure) and
the year (another year than the document's only from a fact that says that year)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from corpus.facts import Fact
from corpus.numbers import MONEY_UNITS

from .analyze import Question

_SAME_UNIT = {"名": "人", "位": "人", "台（套）": "台", "台/套": "台"}  # 设备 48 台（套） answers 多少台


def unit_fits(q: Question, fact: Fact) -> bool:
    if q.operation == "change" and fact.kind != "empty_table" and not fact.change:
        return False  # "比2023年增加了多少" asks for the change, never the level
    if q.operation != "change" and fact.change:
        return False  # and "X是多少" asks for the level, never a change
    wants = q.wants
    if fact.kind == "empty_table":
        return wants in ("money", "any")
    if wants == "text":
        return fact.value is None and fact.kind == "field"
    if fact.value is None:
        return False
    unit = _SAME_UNIT.get(fact.unit or "", fact.unit or "")
    if wants == "money":
        return unit in MONEY_UNITS
    if wants == "percent":
        return unit == "%"
    if wants == "count:*":
        return unit not in MONEY_UNITS and unit != "%"
    if wants.startswith("count:"):
        target = _SAME_UNIT.get(wants[6:], wants[6:])
        return unit == target
    return unit != "%" or "%" in q.expanded or "百分" in q.expanded


# The fact phases that answer a question asking for a phase: a 决算 question never gets a
# 预算 figure, nor a 预算 question a 决算 figure; an unsaid phase is the document's own
# (a 预算's 预算数, a 决算's 决算数), never the 年初预算 or 调整预算 a 决算 prints beside it.
_PHASE_FITS: dict[str, frozenset[str]] = {
    "决算": frozenset({"决算", ""}),
    "预算": frozenset({"预算", "年初预算", "上年", ""}),
    "年初预算": frozenset({"年初预算", "预算", ""}),
    "调整预算": frozenset({"调整预算", ""}),
    "": frozenset({"预算", "决算", "上年", ""}),
}


def phase_fits(q: Question, fact: Fact) -> bool:
    return fact.phase in _PHASE_FITS.get(q.phase, _PHASE_FITS[""])


def year_fits(q: Question, fact: Fact, doc_years: Mapping[str, int]) -> bool:
    """A question about another year than the document's only takes facts that say that year."""
    other = [y for y in q.years if y != doc_years.get(fact.doc_id)]
    stated = {int(y) for y in re.findall(r"((?:19|20)\d{2})年", fact.subject)} if fact.kind == "narrative" else set()
    if q.years and stated and not stated & set(q.years):
        return False  # "2023年当年预算执行数" in a 2024 budget answers no question about 2024
    if not other:
        return True
    year = str(other[0])
    if fact.compare_year == other[0]:
        return True
    said = " ".join((fact.subject, fact.topic, fact.column, fact.context))
    return year in said.replace(" ", "")
