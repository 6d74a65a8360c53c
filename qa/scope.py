"""What was asked, over which facts: the documents a question is about, the facts they hold,
and the parts of the question that name the document (its year, its department) rather than
the metric. An `Asked` is everything an answer strategy reads."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from corpus.facts import DocumentInfo, Fact
from corpus.names import FactNames
from corpus.organisations import OPENING_NAME, ends_like_organisation
from corpus.text import HAN

from .analyze import FINAL_ACCOUNT, Question
from .departments import OPENERS, DepartmentMatch, match_departments, org_phrases
from .factbase import FactBase as FactBase  # the in-memory facts, as tests build them
from .factbase import FactSource, ScopeFacts, Within
from .linker import FactPool, Listed, Reading, Span, readings
from .text import nfkc, norm_name, norm_question

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore



class Retriever(Protocol):
    """`Engine.retrieve`: the index nodes nearest a question, best first."""

    def __call__(self, question: str, k: int = 10, doc_ids: Set[str] | None = None,
                 any_kind: bool = False) -> list[NodeWithScore]: ...


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
    pool: FactPool | None = None            # where `readings` finds the facts in scope it can name

    @classmethod
    def over(cls, question: Question, base: FactSource, docs: set[str], started: float,
             retrieve: Retriever) -> Asked:
        return cls(question, base.facts_of(docs), base.names, base.documents,
                   frozenset(docs), {d: base.documents[d].year for d in docs},
                   fixed_spans(question, base.documents, docs), started, retrieve, base.pool(docs))

    def readings(self) -> list[Reading]:
        """Every fact that explains the question, best first."""
        q = masked(self.question, department_spans(self.question, self.documents, self.doc_ids))
        return readings(q, self._pool(), self.names, self.doc_years, self.fixed)

    def _pool(self) -> FactPool:
        """The scope's pool; a strategy that narrowed `facts` (one year's documents) reads
        the pool's facts among its own."""
        if self.pool is None:
            return Listed(self.facts)
        return self.pool if isinstance(self.facts, ScopeFacts) else Within(self.facts, self.pool)

    def about_the_metric(self) -> Question:
        """The question with its department, year and 部门预算 blanked: only the metric's words
        (规划和自然资源局 holds a 和 that joins no two items)."""
        return masked(self.question, self.fixed)

    def named_sub_unit(self) -> str:
        """An organisation the question names besides its department ("省高院下属的江苏省法官
        培训学院"): a unit inside it, whose own budget the department's documents do not print."""
        if not department_spans(self.question, self.documents, self.doc_ids):
            return ""
        phrases = org_phrases(self.about_the_metric().expanded)
        return re.sub(r"^(?:下属|所属|直属)", "", phrases[0]) if phrases else ""

    def timings(self) -> dict[str, float]:
        return timings(self.started)


def timings(started: float) -> dict[str, float]:
    """An answer's `timings`: seconds since the question came in."""
    return {"total_s": time.perf_counter() - started}


def documents_for(q: Question, documents: Mapping[str, DocumentInfo],
                  doc_ids: Set[str] | None) -> tuple[set[str], str | None]:
    """The documents a question is about: those asked for, narrowed to the department it
    names (`qa.departments`), the year it names and the kind it names (部门/单位, 预算/决算)
    — each only when loaded documents fit — or the reason no loaded document can answer it."""
    docs = set(documents) if doc_ids is None else set(doc_ids) & set(documents)
    if not docs:
        return set(), "没有载入任何预算文件"
    links = department_links(q, documents, docs)
    if links:
        docs = {d for d in docs if documents[d].department in {m.department for m in links}}
    else:
        for org in _unlinked_orgs(q):
            return set(), f"没有载入“{org}”的预算文件（已载入：{_some_departments(documents, docs)}）"
    docs = _of_named_years(q, documents, docs)
    docs = _of_named_kind(q, documents, docs)
    if not any(is_final(documents[d]) for d in docs) and FINAL_ACCOUNT.search(q.expanded):
        # Only a 决算 has actual spending: refuse a 决算 question only when none is in scope.
        return set(), "已载入的是部门预算，没有决算数据"
    return docs, None


def no_execution_figures(asked: Asked) -> str | None:
    """Why an execution question (实际支出, 执行数) cannot be answered: no 决算 in scope and no
    figure of the documents states an execution (a 预算's 编制说明 can: "2023年当年预算执行数为
    1899.77万元"); None when it can."""
    q = asked.question
    if any(is_final(asked.documents[d]) for d in asked.doc_ids):
        return None
    if q.phase != "决算" and not re.search(r"实际(支出|执行|完成|到位)|执行数|完成数", q.expanded):
        return None
    if any(f.phase == "决算" for f in asked.facts):
        return None
    return "预算文件只有预算数，没有实际执行（决算）数据"


def is_final(info: DocumentInfo) -> bool:
    """A 决算 (部门决算 / 单位决算), whatever the document's type field spells."""
    return any(str(getattr(info, name, "") or "").endswith("决算") for name in ("doc_type", "kind"))


def department_links(q: Question, documents: Mapping[str, DocumentInfo], docs: Set[str]) -> tuple[DepartmentMatch, ...]:
    """The departments of `docs` the question names, each with the words and the rule."""
    names = frozenset(documents[d].department for d in docs if documents[d].department)
    return _links(_as_written(q), names)


@lru_cache(maxsize=1024)
def _links(text: str, departments: frozenset[str]) -> tuple[DepartmentMatch, ...]:
    return tuple(match_departments(text, departments))


def _some_departments(documents: Mapping[str, DocumentInfo], docs: Set[str], shown: int = 10) -> str:
    """The loaded departments, for a message: all of a few, the first `shown` of many and how many."""
    names = sorted({documents[d].department or d for d in docs})
    return "、".join(names) if len(names) <= shown else f"{'、'.join(names[:shown])} 等 {len(names)} 个部门"


def _as_written(q: Question) -> str:
    """The question as typed, half-width and without spaces, 的 kept (it ends a name)."""
    return re.sub(r"\s+", "", nfkc(q.raw)).lower()


def _unlinked_orgs(q: Question) -> list[str]:
    """An organisation named at the start of the question (after 请问/按/根据 and a year)."""
    text = re.sub(r"^(?:请问|按照?|根据|依据)?(?:(?:19|20)\d{2}\s*年度?)?", "", _as_written(q))
    return [norm_name(m.group(1)) for m in OPENING_NAME.finditer(text)]


def _of_named_years(q: Question, documents: Mapping[str, DocumentInfo], docs: set[str]) -> set[str]:
    """A question that names a year is about that year's documents, when any are loaded; a
    year with no document of its own stays open (a 2024 budget prints its 2023 figures)."""
    of_year = {d for d in docs if documents[d].year in q.years}
    return of_year or docs


# The words that name a kind of publication, and the kinds they pick.
_KIND_WORDS: tuple[tuple[re.Pattern[str], Callable[[str], bool]], ...] = (
    (re.compile(r"单位(?:预算|决算)|本级"), lambda kind: kind.startswith("单位")),
    (re.compile(r"部门(?:预算|决算)"), lambda kind: kind.startswith("部门")),
)


def _of_named_kind(q: Question, documents: Mapping[str, DocumentInfo], docs: set[str]) -> set[str]:
    """单位预算/本级 → the 单位 documents, 部门预算 → the department's; 决算 → 决算 documents,
    预算 → 预算 documents; each only when such documents are in scope. A department whose
    部门预算 and 单位预算 are both loaded is asked about its 部门预算 unless 单位 is said: the
    department's budget is what its name alone means."""
    for pattern, fits in _KIND_WORDS:
        if pattern.search(q.expanded):
            docs = {d for d in docs if fits(documents[d].kind)} or docs
            break
    else:
        docs = _departments_own(documents, docs)
    phase = "决算" if "决算" in q.expanded else "预算" if "预算" in q.expanded else None
    if phase:
        docs = {d for d in docs if documents[d].doc_type == phase} or docs
    return docs


def _departments_own(documents: Mapping[str, DocumentInfo], docs: set[str]) -> set[str]:
    """Drop a 单位 document whose department's 部门 document of the same year and phase is in scope."""
    own = {(documents[d].department, documents[d].year, documents[d].doc_type) for d in docs
           if documents[d].kind.startswith("部门")}
    return {d for d in docs if not (documents[d].kind.startswith("单位")
                                    and (documents[d].department, documents[d].year, documents[d].doc_type) in own)}


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
    its department, 部门预算/单位预算."""
    spans = []
    years = {documents[d].year for d in docs}
    for m in re.finditer(r"((?:19|20)\d{2})\s*年(度)?", q.expanded):
        if int(m.group(1)) in years:
            spans.append(m.span())
    spans += department_spans(q, documents, docs)
    for word in ("部门预算", "单位预算", "部门决算", "单位决算"):
        at = q.expanded.find(word)
        if at >= 0:
            spans.append((at, at + len(word)))
    spans += [m.span() for m in _SOURCE_WORDS.finditer(q.expanded)]
    return spans


# Where the asker says the figure comes from, or how it is worked out ("根据…预算说明，该局…",
# "（按2018年预算说明推算）"): words about the source, never a metric.
_SOURCE_WORDS = re.compile(r"(?:情况|编制)?说明(?:推算|计算|测算)?|(?<=[按据])(?:推算|测算)|该(?:局|委|部|部门|单位|办|院|厅|街道)")


def department_spans(q: Question, documents: Mapping[str, DocumentInfo], docs: Set[str]) -> list[Span]:
    """Where the question names a department in scope (江苏省高级人民法院, 万里街道): those words
    are about the document, never a metric (the 法院 of 高级人民法院 is not the row 法院)."""
    spans = []
    for link in department_links(q, documents, docs):
        written = norm_question(link.written)
        at = q.expanded.find(written)
        if at >= 0:
            opener = OPENERS.fullmatch(q.expanded[:at])  # 根据/按 … 的预算: the words that lead to the name
            start, end = _other_name(q.expanded, at, at + len(written)) or (0 if opener else at, at + len(written))
            spans.append((start, _region_after(q.expanded, end, link.department)))
    return spans


def _region_after(text: str, end: int, department: str) -> int:
    """`区财政局（普陀）`: a bracket right after the name holding words of the department's own
    full name (its region) is part of the name; the span then ends after it."""
    m = re.match(rf"\(([{HAN}]{{2,8}})\)", text[end:])
    return end + m.end() if m and m.group(1) in department else end


def _other_name(text: str, start: int, end: int) -> Span | None:
    """`普陀区经委（普陀区商务委员会）`: a name in brackets right after another name says the two
    are one department; both are about the document."""
    if start == 0 or text[start - 1] != "(":
        return None
    close = text.find(")", end)
    before = re.search(rf"[{HAN}]{{2,12}}$", text[:start - 1])
    if close < 0 or before is None or not ends_like_organisation(before.group(0)) or re.search(r"[\d年]", text[end:close]):
        return None
    return before.start(), close + 1


def masked(q: Question, spans: Sequence[Span]) -> Question:
    """The question with the department's words blanked, so no metric name is read from them."""
    text = list(q.expanded)
    for start, end in spans:
        text[start:end] = " " * (end - start)
    return replace(q, expanded="".join(text))
