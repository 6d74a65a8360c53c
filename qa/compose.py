"""From chosen facts to what a person reads: labels, citations, the sentence, and the guard
that every number in the sentence is backed by a cited source or a shown formula."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal

from corpus.numbers import group_thousands as fmt  # as printed: 45,084.94 / 0.50 / 693,000.00
from corpus.facts import DocumentInfo, Fact
from corpus.names import GLUED_HEADING, project_names

from .answer import Answer, Candidate, Citation
from .linker import Reading

_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


_COUNTS = ("家", "个", "项", "人", "名", "辆", "台", "套")


def fact_label(fact: Fact, column_named: bool = True) -> str:
    """What the figure is, in the document's own words."""
    if fact.kind == "cell":
        column = fact.column.split(" / ")
        row = fact.row_label if fact.row_label and not (fact.is_total and fact.row_label == "合计") else ""
        if not row:
            return " / ".join(column)
        if column_named and column and column[-1] not in ("合计", "预算数", "金额"):
            return f"{row}（{' / '.join(column)}）"
        return row
    if fact.kind == "narrative":
        subject = GLUED_HEADING.sub("", fact.subject)  # not the heading glued to it
        if fact.context and fact.unit in _COUNTS and not subject.endswith(fact.context):
            return fact.context  # "下属 5 家预算单位": what is counted, not the words before it
        if fact.change in ("增加", "减少", "增长", "下降"):  # the change, never read as the level
            return f"{subject or fact.topic}{fact.change}{'幅度' if fact.unit == '%' else '额'}"
        projects = project_names(fact.section)
        if projects and re.sub(r"^(19|20)\d{2}年度?", "", subject).startswith("项目"):
            return f"{projects[-1]} {subject}"  # "2025年度项目总预算" in 科技创新专项经费情况说明 is that 专项's
        return subject or fact.topic
    if fact.kind == "field":
        if fact.subject and fact.subject != fact.column:
            return f"{fact.row_label} {fact.subject} {fact.column}".strip()
        return f"{fact.row_label} {fact.column}".strip()
    return fact.table_title


def citation(fact: Fact, docs: Mapping[str, DocumentInfo]) -> Citation:
    info = docs.get(fact.doc_id)
    document = info.title if info else fact.doc_id
    if fact.kind == "narrative":
        return Citation(document, fact.doc_id, fact.section, None, None, None, fact.text, fact.location,
                        fact.value, fact.unit)
    if fact.kind == "field":
        return Citation(document, fact.doc_id, f"{fact.table_id} {fact.row_label}", fact.table_id,
                        fact.subject or fact.row_label, fact.column, fact.text, fact.location, fact.value, fact.unit,
                        fact.row_id)
    row = f"{fact.code} {fact.row_label}".strip() if fact.kind == "cell" else None
    return Citation(document, fact.doc_id, fact.table_title, fact.table_key, row or None,
                    fact.column or None, fact.text, fact.location, fact.value, fact.unit, fact.row_id or None)


def citations(facts: list[Fact], docs: Mapping[str, DocumentInfo]) -> tuple[Citation, ...]:
    """One citation per place (table row+column, or sentence); the first fact's first."""
    seen, out = set(), []
    for f in facts:
        key = (f.doc_id, f.table_key, f.row_id, f.column, f.text if f.kind == "narrative" else "")
        if key in seen:
            continue
        seen.add(key)
        out.append(citation(f, docs))
    return tuple(out)


def source_phrase(c: Citation) -> str:
    if c.table:
        parts = [c.section]
        if c.row:
            parts.append(c.row)
        if c.column:
            parts.append(c.column)
        return " · ".join(parts)
    return c.section or c.location


def candidates(readings: Sequence[Reading], limit: int = 5) -> tuple[Candidate, ...]:
    out = []
    for r in readings[:limit]:
        f = r.fact
        out.append(Candidate(fact_label(f), f.value, f.unit, f.table_title or f.section, float(r.covered)))
    return tuple(out)


def lookup_sentence(label: str, value: Decimal, unit: str | None, cites: tuple[Citation, ...]) -> str:
    first = source_phrase(cites[0])
    others = see_also(cites[1:])
    more = f"；同一数字另见{others}" if others else ""
    return f"{label}：{fmt(value)} {unit or ''}".rstrip() + f"（来源：{first}{more}）"


def see_also(cites: Sequence[Citation]) -> str:
    """The other places a figure is printed, unambiguously: tables by id (附表6、附表9), then
    narrative sections by their quoted heading (“七、一般公共预算‘三公’经费支出安排情况”一节), so a
    heading's list number never reads as another table."""
    tables = list(dict.fromkeys(c.table.split("/")[0] for c in cites if c.table))
    sections = list(dict.fromkeys(quoted(c.section.split(" > ")[-1]) + "一节" for c in cites
                                  if not c.table and c.section.strip()))
    if tables and sections:
        return "、".join(tables) + "，以及" + "、".join(sections)
    return "、".join(tables or sections)


def quoted(text: str) -> str:
    """A heading in Chinese quotation marks; quotation marks inside it become single ones."""
    inner = text.strip().replace("“", "‘").replace("”", "’")
    return f"“{inner}”"


def guard(answer: Answer) -> Answer:
    """Every number in the answer text must appear in a cited source or the formula; a
    failure is a bug, and saying nothing is better than saying a wrong figure."""
    if answer.kind in ("not_found", "passage"):
        return answer
    # the cited documents' titles too: a budget named in the answer may hold digits (第12局)
    sources = " ".join(filter(None, [answer.formula or ""] + [c.text for c in answer.citations]
                              + [c.document for c in answer.citations]
                              + [c.section for c in answer.citations] + [c.row or "" for c in answer.citations]
                              + [c.column or "" for c in answer.citations] + [c.location for c in answer.citations]))
    known = {n.replace(",", "") for n in _NUMBER.findall(sources)}
    known |= {str(c.value) for c in answer.citations if c.value is not None}
    stated = {n.replace(",", "") for n in _NUMBER.findall(answer.answer)}
    missing = {n for n in stated if n not in known and _normal(n) not in {_normal(k) for k in known}}
    if not missing:
        return answer
    return Answer(answer.question, "抱歉，内部校验未通过，无法给出可靠的数字。", "not_found",
                  reason=f"guard: {', '.join(sorted(missing))} not in any cited source", timings=answer.timings)


def _normal(number: str) -> str:
    try:
        return str(Decimal(number).normalize())
    except Exception:  # pragma: no cover - the regex only yields numbers
        return number
