"""What was asked, over which facts: the documents a question is about, the facts they hold,
and the parts of the question that name the document (its year, its department) rather than
the metric. An `Asked` is everything an answer strategy reads."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Protocol

from llama_index.core.schema import NodeWithScore

from corpus.facts import DocumentInfo, Fact

from .analyze import Question
from .linker import FactNames, Reading, Span, fact_names, readings
from .text import longest_common_substring, norm_name

# A department named at the start of a question (武汉经开区教育局2024年的…).
_ORG = re.compile(r"^(?:请问)?((?:(?![的之])[\u4e00-\u9fff]){2,}?(?:局|委员会|办公室|办事处|街道|法院|检察院|医院|学校|大学|中心|公司|管委会|政府|厅))")


class Retriever(Protocol):
    """`Engine.retrieve`: the index nodes nearest a question, best first."""

    def __call__(self, question: str, k: int = 10, doc_ids: Set[str] | None = None,
                 any_kind: bool = False) -> list[NodeWithScore]: ...


@dataclass(frozen=True)
class FactBase:
    """The loaded facts as qa reads them: each fact's names by role, normalised once."""

    facts: Sequence[Fact]
    names: Mapping[int, FactNames]
    documents: Mapping[str, DocumentInfo]

    @classmethod
    def of(cls, facts: Sequence[Fact], documents: Mapping[str, DocumentInfo]) -> FactBase:
        return cls(facts, {f.id: fact_names(f) for f in facts}, documents)


@dataclass(frozen=True)
class Asked:
    """A question over the documents it is about: what every answer strategy reads."""

    question: Question
    facts: Sequence[Fact]                   # the facts of the documents in scope
    names: Mapping[int, FactNames]
    documents: Mapping[str, DocumentInfo]   # every loaded document (citations name them)
    doc_ids: frozenset[str]                 # the documents in scope
    doc_years: Mapping[str, int]            # their years
    fixed: Sequence[Span]                   # parts of the question about the document, not the metric
    started: float                          # time.perf_counter() when the question came in
    retrieve: Retriever

    @classmethod
    def over(cls, question: Question, base: FactBase, docs: set[str], started: float,
             retrieve: Retriever) -> Asked:
        return cls(question, [f for f in base.facts if f.doc_id in docs], base.names, base.documents,
                   frozenset(docs), {d: base.documents[d].year for d in docs},
                   fixed_spans(question, base.documents, docs), started, retrieve)

    def readings(self) -> list[Reading]:
        """Every fact that explains the question, best first."""
        return readings(self.question, self.facts, self.names, self.doc_years, self.fixed)

    def timings(self) -> dict[str, float]:
        return timings(self.started)


def timings(started: float) -> dict[str, float]:
    """An answer's `timings`: seconds since the question came in."""
    return {"total_s": time.perf_counter() - started}


def documents_for(q: Question, documents: Mapping[str, DocumentInfo],
                  doc_ids: Set[str] | None) -> tuple[set[str], str | None]:
    """The documents a question is about (those asked for, narrowed to a department the
    question names), or the reason no loaded document can answer it."""
    docs = set(documents) if doc_ids is None else set(doc_ids) & set(documents)
    if not docs:
        return set(), "没有载入任何预算文件"
    for org in _orgs(q):
        known = [d for d in docs if _org_matches(org, documents[d].department or documents[d].title)]
        if not known:
            names = "、".join(sorted({documents[d].department or d for d in docs}))
            return set(), f"没有载入“{org}”的预算文件（已载入：{names}）"
        docs = set(known)
    if not any(is_final(documents[d]) for d in docs):
        # Only a 决算 has actual spending: refuse a 决算 question only when none is in scope.
        if "决算" in q.expanded:
            return set(), "已载入的是部门预算，没有决算数据"
        if q.phase == "决算" or re.search(r"实际(支出|执行|完成|到位)|执行数|完成数", q.expanded):
            return set(), "预算文件只有预算数，没有实际执行（决算）数据"
    return docs, None


def is_final(info: DocumentInfo) -> bool:
    """A 决算 (部门决算 / 单位决算), whatever the document's type field spells."""
    return any(str(getattr(info, name, "") or "").endswith("决算") for name in ("doc_type", "kind"))


def unknown_year(asked: Asked) -> str | None:
    """Why the question cannot be answered when it asks about a year that no document is
    for and no fact mentions; None when it can."""
    years = set(asked.doc_years.values())
    for year in asked.question.years:
        if year in years:
            continue
        mentioned = any(f.compare_year == year or str(year) in (f.subject + f.topic + f.column + f.context).replace(" ", "")
                        for f in asked.facts)
        if not mentioned:
            have = "、".join(str(y) for y in sorted(years))
            return f"这些文件中没有 {year} 年的数据（已载入 {have} 年的文件）"
    return None


def fixed_spans(q: Question, documents: Mapping[str, DocumentInfo], docs: Set[str]) -> list[Span]:
    """Parts of the question that are about the document, not the metric: its year,
    its department, 预算/决算."""
    spans = []
    years = {documents[d].year for d in docs}
    for m in re.finditer(r"((?:19|20)\d{2})\s*年(度)?", q.expanded):
        if int(m.group(1)) in years:
            spans.append(m.span())
    for d in docs:
        dept = norm_name(documents[d].department or "")
        for part in {dept, dept[-12:], dept[-9:]} if dept else ():
            at = q.expanded.find(part) if len(part) >= 4 else -1
            if at >= 0:
                spans.append((at, at + len(part)))
    for org in _orgs(q):  # 万里街道的公务接待费: the department that was asked about
        at = q.expanded.find(org)
        if at >= 0 and any(_org_matches(org, documents[d].department or documents[d].title) for d in docs):
            spans.append((at, at + len(org)))
    for word in ("部门预算", "单位预算"):
        at = q.expanded.find(word)
        if at >= 0:
            spans.append((at, at + len(word)))
    return spans


def _orgs(q: Question) -> list[str]:
    """A department named at the start of the question, read before 的 is dropped (so
    法院的政府采购 is not the department 法院政府)."""
    raw = re.sub(r"\s+", "", q.raw)
    return [norm_name(m.group(1)) for m in _ORG.finditer(raw)]


def _org_matches(org: str, department: str) -> bool:
    dept = norm_name(department)
    org = norm_name(org)
    if org in dept or dept in org:
        return True
    _, common = longest_common_substring(org, dept)
    return common >= 0.8 * len(org)  # a short form of the name (武汉经开区… for 武汉经济技术开发区…)
