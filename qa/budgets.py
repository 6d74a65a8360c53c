"""Whose budget: the department, year and kind every answer names (`named`), and the figures
of an answer that covers several budgets or breaks a whole into parts — the rows of its table
and the bars of its chart (`qa.charts`).

A budget is a publication (`DocumentInfo.publication`): a department's narrative file and its
tables file of one year and kind are one budget, never two.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from corpus.facts import DocumentInfo, Fact

from .answer import Answer, Budget, Citation, Figure
from .compose import citation, fact_label, source_phrase

# The column of a row that holds its whole; its parts are the row's other columns.
_WHOLE_COLUMN = ("合计", "小计", "总计")
# A question that asks what a whole is made of (三公经费由哪些构成, 各项分别是多少).
_ASKS_PARTS = re.compile(r"构成|组成|分别|各项|明细|分项|哪几项|哪些")
_LEADING_YEAR = re.compile(r"^(?:19|20)\d{2}\s*年度?")


def budget_of(info: DocumentInfo | None, doc_id: str) -> Budget:
    """The budget a document belongs to; its title (or id) as the department when the
    document does not say whose it is."""
    if info is None:
        return Budget(doc_id, None, "")
    kind = info.kind or (f"部门{info.doc_type}" if info.doc_type else "")
    return Budget(info.department or info.title, info.year or None, kind)


def budgets_of(cites: Iterable[Citation], documents: Mapping[str, DocumentInfo]) -> tuple[Budget, ...]:
    """The budgets cited, each once, in citation order."""
    return tuple(dict.fromkeys(budget_of(documents.get(c.doc_id), c.doc_id) for c in cites))


def budgets_phrase(budgets: Sequence[Budget]) -> str:
    """《上海市普陀区人民政府万里街道办事处 2023、2024、2025 年部门预算》: one department's years
    of one kind in one name; several departments one after the other."""
    groups: dict[tuple[str, str], list[int]] = {}
    for b in budgets:
        groups.setdefault((b.department, b.kind), []).extend([b.year] if b.year else [])
    names = []
    for (department, kind), years in groups.items():
        when = "、".join(str(y) for y in sorted(set(years)))
        names.append(f"《{Budget(department, None, (f'{when} 年' if when else '') + kind).name}》")
    return "".join(names)


def named(answer: Answer, documents: Mapping[str, DocumentInfo]) -> Answer:
    """The answer with the budgets it is from (`Answer.budgets`), its sentence opening with
    them (据《… 2024 年部门预算》，…) — unless it lists several departments' figures, each
    named on its own line of the answer's table."""
    if answer.kind == "not_found" or not answer.citations:
        return answer
    budgets = budgets_of(answer.citations, documents)
    if several_departments(answer.figures):
        return replace(answer, budgets=budgets)
    return replace(answer, answer=f"据{budgets_phrase(budgets)}，{answer.answer}", budgets=budgets)


def several_departments(figures: Sequence[Figure]) -> bool:
    """The figures are several departments' budgets: each named on its own line."""
    return len({f.budget.department for f in figures if f.role == "budget"}) > 1


def figure(fact: Fact, documents: Mapping[str, DocumentInfo], label: str | None = None,
           role: str = "budget") -> Figure:
    """A fact as one row of an answer's table: what, how much, whose, where printed."""
    value = fact.value if fact.value is not None else Decimal(0)
    what = label or _LEADING_YEAR.sub("", fact_label(fact)).strip()
    return Figure(what, value, fact.unit, budget_of(documents.get(fact.doc_id), fact.doc_id),
                  source_phrase(citation(fact, documents)), role)


def budget_figures(facts: Sequence[Fact], documents: Mapping[str, DocumentInfo]) -> tuple[Figure, ...]:
    """One figure per budget when the facts come from several budgets (years or departments);
    none when they are one budget's (a ratio of two rows is not a comparison of budgets)."""
    figures = tuple(figure(f, documents) for f in facts if f.value is not None)
    return figures if len({f.budget for f in figures}) > 1 else ()


def part_figures(fact: Fact, facts: Sequence[Fact], documents: Mapping[str, DocumentInfo],
                 question: str) -> tuple[Figure, ...]:
    """The parts a whole breaks into, when the question asks for a “三公” total or what a
    whole is made of: the other columns of the cited row that add up to it (公务用车购置及运行费
    by its 小计). None unless they add up exactly: a chart of parts that do not make the
    whole would mislead."""
    if fact.kind != "cell" or fact.value is None or not fact.value:
        return ()
    if fact.table_type != "三公" and not _ASKS_PARTS.search(question):
        return ()
    path = fact.column.split(" / ")
    if not path[-1].endswith(_WHOLE_COLUMN):  # 合计, “三公”经费合计
        return ()
    parent = path[:-1]
    row = [f for f in facts if f.doc_id == fact.doc_id and f.table_key == fact.table_key and f.row_id == fact.row_id
           and f.kind == "cell" and f.value is not None and f.id != fact.id]
    parts = [f for f in row if _is_part(f.column.split(" / "), parent)]
    if len(parts) < 2 or sum((f.value or Decimal(0) for f in parts), Decimal(0)) != fact.value \
            or any(f.unit != fact.unit for f in parts):
        return ()
    return tuple(figure(f, documents, label=_part_name(f.column.split(" / "), parent), role="part") for f in parts)


def _is_part(path: list[str], parent: list[str]) -> bool:
    """A column one level under the whole's parent (因公出国（境）费), or the subtotal of a
    group there (公务用车购置及运行费 / 小计) — never the group's own parts, counted twice."""
    if path[:len(parent)] != parent:
        return False
    rest = path[len(parent):]
    return (len(rest) == 1 and not rest[0].endswith(_WHOLE_COLUMN)) or (len(rest) == 2 and rest[1] in _WHOLE_COLUMN)


def _part_name(path: list[str], parent: list[str]) -> str:
    return path[len(parent)]
