"""The parts of a computed question (差旅费, 会议费, 支出总计 …) → the one fact each names.

A part is looked up with the same linker as a lookup, over the documents of the question's
years. A part that names the whole budget (支出总计, 全部支出, 预算总额) is the 收支总表's
grand total (`qa.totals`), never a table's own 总计 row: the 政府采购预算表 has one too, and a
share of it is not a share of the budget.
"""

from __future__ import annotations

import re
from dataclasses import replace

from corpus.facts import Fact

from .analyze import Wants, analyze
from .compute import Resolve
from .scope import Asked, fixed_spans
from .text import norm_name
from .totals import grand_total, names_whole_budget


def resolver(asked: Asked) -> Resolve:
    """A part of a computed question (差旅费, 会议费 …) → the one fact it names."""
    years = set(asked.question.years) & set(asked.doc_years.values())

    def resolve(text: str, wants: Wants, fund_scope: str = "") -> Fact | None:
        sub = replace(analyze(text), wants=wants, operation="lookup")
        part = replace(asked, question=sub, fixed=fixed_spans(sub, asked.documents, asked.doc_ids))
        if not sub.years and years:  # "2025年水费和电费": 电费 is 2025's too
            part = replace(part, facts=[f for f in asked.facts if asked.doc_years.get(f.doc_id) in years])
        words = _metric_words(part) if wants == "money" and not fund_scope else ""
        if words and names_whole_budget(words):
            return whole_budget(part)
        rs = [r for r in part.readings() if not r.leftover and r.fact.value is not None and not r.fact.change
              and (not fund_scope or r.fact.fund_scope == fund_scope)]
        if rs:
            return rs[0].fact
        # "全部支出预算": the whole side said with its phase, when no line prints those words
        return whole_budget(part) if words and names_whole_budget(_PHASE_WORD.sub("", words)) else None

    return resolve


_PHASE_WORD = re.compile(r"(预算|决算)数?")


def _metric_words(part: Asked) -> str:
    """The part's words without its department and year (占万里街道2025年全部支出 → 全部支出)."""
    text = "".join(" " if any(a <= i < b for a, b in part.fixed) else ch for i, ch in enumerate(part.question.expanded))
    return re.sub(r"(?:19|20)\d{2}\s*年度?|\s", "", text)


def whole_budget(part: Asked) -> Fact | None:
    """The grand total of the one budget in scope (its 收入总计 when income is named, else its
    支出总计); None when the documents in scope state different totals or none."""
    docs = {f.doc_id for f in part.facts}
    totals = [t for t in (grand_total(part.facts, d) for d in sorted(docs)) if t is not None]
    if not totals or len({(t.value_fact.unit, t.value_fact.value) for t in totals}) > 1:
        return None
    if "收入" in part.question.expanded:
        income = [f for f in totals[0].facts if norm_name(f.row_label).startswith("收入")]
        if income:
            return income[0]
    return totals[0].value_fact
