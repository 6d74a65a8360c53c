"""A question that does not say which budget, asked over many budgets.

Which budgets hold what the question names is counted in the fact store's name index (the
documents whose facts carry its most specific names as a row or a column; no fact is read).
Past `MANY_BUDGETS` of them the answer is the question back — how many budgets hold the item,
the most recent few, and the words to add — never one budget's figure picked for the asker.
When few hold it, the question is answered over those alone, as over any few budgets: one
budget gives its figure, several give each budget's. A scope of `MANY_BUDGETS` budgets or
fewer (the seed, the development corpus) is answered as it always was.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from corpus.facts import DocumentInfo

from .answer import Answer
from .budgets import budget_of
from .factbase import StoredFacts
from .linker import Span, alias_spans, name_spans
from .scope import Asked, timings
from .totals import asks_total_budget

MANY_BUDGETS = 20  # budgets in scope past which a question that does not say which is counted first
SHOWN = 5          # budgets the question back lists, the most recent first
ASKS_WHICH = "问题没有写明部门和年度"  # the reason of the question back
_LEADING_YEAR = re.compile(r"^\s*(?:19|20)\d{2}\s*年度?")


@dataclass(frozen=True)
class Holders:
    """The budgets that hold what a question names."""

    names: tuple[str, ...]     # the question's most specific names that some document holds, most held first
    docs: frozenset[str]       # the documents holding one of them
    budgets: int               # how many budgets (publications) those documents are
    in_scope: int              # how many budgets the question was asked over


def publications(documents: Mapping[str, DocumentInfo], docs: Iterable[str]) -> set[str]:
    """The budgets these documents are: a narrative file and a tables file of one budget are one."""
    return {documents[d].publication or d for d in docs}


def holders(asked: Asked, base: StoredFacts) -> Holders | None:
    """Which budgets in scope hold what the question names; None when the scope is
    `MANY_BUDGETS` budgets or fewer, the question asks for prose, or nothing it names is held."""
    in_scope = len(publications(asked.documents, asked.doc_ids))
    if in_scope <= MANY_BUDGETS or asked.question.operation == "prose":
        return None
    if asks_total_budget(asked.question, asked.fixed):  # 预算是多少: every budget prints its total
        return Holders(("收支总预算",), asked.doc_ids, in_scope, in_scope)
    q = asked.about_the_metric()
    spans = name_spans(q.expanded, base.said(q.expanded))
    for target, at in alias_spans(q).items():  # 三公经费 → the names it stands for, said where the alias is
        for name in base.said_as([target]):
            spans.setdefault(name, at[0])
    specific = [n for n, span in spans.items() if not any(_within(span, other) for other in spans.values())]
    held = base.holding(asked.doc_ids, specific)
    if not held:
        return None
    counts = {n: sum(n in names for names in held.values()) for n in specific}
    names = sorted((n for n in specific if counts[n]), key=lambda n: (-counts[n], n))
    whole = tuple(n for n in names if n in q.expanded)  # the item as the question says it, when a name is said whole
    return Holders(whole or tuple(names), frozenset(held), len(publications(asked.documents, held)), in_scope)


def _within(span: Span, other: Span) -> bool:
    """`span` lies inside `other` and is shorter: 支出 inside 本年支出合计 says less."""
    return other[0] <= span[0] and span[1] <= other[1] and span != other


def ask_which(asked: Asked, found: Holders) -> Answer:
    """The question back: how many budgets hold the item, the most recent few, and how to ask
    for one of them."""
    q = asked.question
    firsts: dict[str, DocumentInfo] = {}
    for d in sorted(found.docs):
        info = asked.documents[d]
        firsts.setdefault(info.publication or d, info)
    latest = sorted(firsts.values(), key=lambda i: (-(i.year or 0), i.department, i.doc_id))
    item = "、".join(f"“{n}”" for n in found.names[:2])
    shown = "；".join(budget_of(i, i.doc_id).name for i in latest[:SHOWN])
    first = latest[0]
    example = f"{first.department}{first.year or ''}{'年' if first.year else ''}{_LEADING_YEAR.sub('', q.raw).strip()}"
    text = (f"已载入的 {found.in_scope:,} 份预算中有 {found.budgets:,} 份列有{item}，问题没有写明是哪个部门、哪一年的预算，"
            f"不能只给其中一份的数字。请在问题中写明部门和年度，例如“{example}”。最近年度的几份：{shown}"
            f"{'等' if found.budgets > SHOWN else ''}。")
    reason = f"{ASKS_WHICH}，{found.budgets:,} 份预算都有这一项"
    return Answer(q.raw, text, "not_found", reason=reason, timings=timings(asked.started))
