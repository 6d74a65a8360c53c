"""The answer engine: a question in, an `Answer` with exact figures and citations out.

The engine is thin: its index (built on first use, reloaded after each added document) is an
`index.live.LiveIndex`; it reads which documents and facts a question is about (`qa.scope`)
and runs the answer strategies in order (`qa.strategies`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Set
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import corpus
from corpus.facts import DocumentInfo
from corpus.model import Finding
from index.config import IndexConfig
from index.live import LiveIndex, LoadedIndex, SourceFinding
from index.search import Filters, SearchIndex

from .analyze import analyze, says_previous_year, validate_question, with_previous_year
from .answer import Answer, Candidate
from .budgets import named
from .compose import guard, source_phrase
from .factbase import StoredFacts
from .render import format_figure
from .scope import Asked, Retriever, documents_for, no_execution_figures, timings, unknown_year
from .strategies import first_answer, not_found_answer
from .text import norm_question
from .unnamed import MANY_BUDGETS, ask_which, holders

if TYPE_CHECKING:  # llama-index loads with the search index, which a figure's answer may not need
    from llama_index.core.schema import NodeWithScore


class Engine:
    """Loads an index once (lazily) and answers questions from it. Thread-safe."""

    def __init__(self, index_dir: str | Path | None = None, *, retrieval: str = "hybrid",
                 config: IndexConfig | None = None):
        self.config = config or IndexConfig.from_env()
        self.index_dir = Path(index_dir) if index_dir else self.config.index_dir
        self.retrieval = retrieval
        self.live_index = LiveIndex(self.index_dir, self.config)
        self._lock = threading.Lock()  # guards the fact base
        self._facts: tuple[LoadedIndex, StoredFacts] | None = None

    # ------------------------------------------------------------------ the index

    def ensure_index(self, progress: Callable[[str, float], None] | None = None) -> None:
        """Build the bundled corpus's index on first use; rebuild an index made by older
        parsing code from its own sources (unchanged texts keep their cached embeddings)."""
        self.live_index.ensure(progress)

    def search_index(self) -> SearchIndex:
        return self.live_index.search_index()

    def reload(self) -> None:
        self.live_index.reload()

    def documents(self) -> list[corpus.BudgetDocument]:
        """Every loaded document as parsed, as the index keeps them (reads each one)."""
        self._fact_base()  # the index loads now, not at the first question
        return self.live_index.documents()

    def catalogue(self) -> list[DocumentInfo]:
        """Every loaded document as the fact store lists it, without reading a parsed one."""
        self._fact_base()
        return self.live_index.catalogue()

    def parsed(self) -> Mapping[str, corpus.BudgetDocument]:
        """doc_id → the document as parsed, read when asked for (the page asks for those an
        answer cites and the one the table browser shows)."""
        return self.live_index.parsed()

    def add_document(self, path: str | Path, progress: Callable[[str, float], None] | None = None,
                     source: str | Path | None = None, parsed: corpus.BudgetDocument | None = None,
                     replaces: str | None = None) -> tuple[corpus.BudgetDocument, tuple[Finding, ...]]:
        """Parse a new document (unless it comes `parsed`) and update the index incrementally,
        in place of document `replaces` when given; a bad file raises `corpus.ParseError` and
        leaves the loaded index untouched. `source` is where the file will live when `path`
        is a staged copy of it."""
        doc = self.live_index.add_document(path, progress, source=source, parsed=parsed, replaces=replaces)
        return doc, doc.findings

    def remove_document(self, doc_id: str, progress: Callable[[str, float], None] | None = None) -> None:
        """Take a document out of the index (one atomic rebuild)."""
        self.live_index.remove_document(doc_id, progress)

    def source_findings(self) -> list[SourceFinding]:
        """The indexed documents whose files are gone or changed since they were indexed."""
        return self.live_index.source_findings()

    def _fact_base(self) -> StoredFacts:
        """The loaded index's facts, read from its store as questions need them."""
        loaded = self.live_index.current()
        with self._lock:
            if self._facts is None or self._facts[0] is not loaded:
                self._facts = loaded, StoredFacts(loaded.store, loaded.documents)
            return self._facts[1]

    # ------------------------------------------------------------------ retrieval

    def retrieve(self, question: str, k: int = 10, doc_ids: Set[str] | None = None,
                 any_kind: bool = False) -> list[NodeWithScore]:
        """The index nodes nearest the question, searched with the question as the engine
        reads it: English terms translated, colloquial terms expanded to printed names, and
        prose questions searched among passages only."""
        q = analyze(question) if question and question.strip() else None
        query = norm_question(question or "")
        kinds = None
        if q is not None:
            query = " ".join([q.expanded, *q.alias_targets])
            prose = q.operation == "prose" and q.wants != "text" and not any_kind
            kinds = frozenset({"text", "field", "record"}) if prose else None
        filters = Filters(doc_ids=frozenset(doc_ids) if doc_ids else None, node_kinds=kinds)
        return self.search_index().retrieve(query, k=k, mode=self.retrieval, filters=filters)

    # ------------------------------------------------------------------ answering

    def answer(self, question: str, doc_ids: set[str] | None = None) -> Answer:
        started = time.perf_counter()
        problem = validate_question(question)
        if problem:
            return Answer(question or "", problem, "not_found", reason="bad input")
        return answer_from(self._fact_base(), question, self.retrieve, doc_ids, started)


def no_passages(question: str, k: int = 10, doc_ids: Set[str] | None = None,
                any_kind: bool = False) -> list[NodeWithScore]:
    """A `Retriever` without a search index: the facts alone answer (the fact-store benchmark)."""
    return []


def answer_from(base: StoredFacts, question: str, retrieve: Retriever = no_passages,
                doc_ids: set[str] | None = None, started: float | None = None) -> Answer:
    """A valid question answered from a fact store's facts, passages searched with `retrieve`."""
    started = time.perf_counter() if started is None else started
    q = analyze(question)
    docs, reason = documents_for(q, base.documents, doc_ids)
    if not reason and says_previous_year(q.expanded):
        years = {base.documents[d].year for d in docs}
        said = with_previous_year(q.expanded, years.pop() if len(years) == 1 else None)
        if said is None:
            reason = "问题中的“上年”指哪一年？载入的预算不止一个年度，请写明年份（例如“2023年”）"
        else:
            q = analyze(said)
            docs, reason = documents_for(q, base.documents, doc_ids)
    if reason:
        return not_found_answer(q, reason, [], started)
    asked = Asked.over(q, base, docs, started, retrieve)
    reason = unknown_year(asked) or no_execution_figures(asked)
    if reason:
        return _offer_other_year(not_found_answer(q, reason, [], started), question, docs, base, started, retrieve)
    crowd = holders(asked, base)  # many budgets and the question does not say which
    if crowd is not None:
        if crowd.budgets > MANY_BUDGETS:
            return ask_which(asked, crowd)
        asked = Asked.over(q, base, set(crowd.docs), started, retrieve)
    return named(guard(first_answer(asked)), base.documents)


def _offer_other_year(missing: Answer, question: str, docs: set[str], base: StoredFacts, started: float,
                      retrieve: Retriever) -> Answer:
    """Asked for a year no document is for (2030): the not_found answer also says what
    the loaded years print for the same question (the 2024 figure), as candidates."""
    q = analyze(question)
    absent = [y for y in q.years if y not in {base.documents[d].year for d in docs}]
    have = sorted({base.documents[d].year for d in docs if base.documents[d].year}, reverse=True)
    if len(absent) != 1 or not have:
        return missing
    offers = []
    for year in have[:3]:
        again = analyze(question.replace(str(absent[0]), str(year)))
        year_docs, reason = documents_for(again, base.documents, docs)
        if reason:
            continue
        asked = Asked.over(again, base, year_docs, started, retrieve)
        found = guard(first_answer(asked))
        if found.kind in ("lookup", "computed") and found.value is not None and found.citations:
            offers.append((year, found))
    if not offers:
        return missing
    said = "；".join(f"{year} 年：{found.answer}" if found.kind == "computed" else
                    f"{year} 年的数字：{format_figure(found.value, found.unit)}（{source_phrase(found.citations[0])}）"
                    for year, found in offers)
    near = tuple(Candidate(found.question if found.kind == "computed" else
                           f"{year} 年 {found.citations[0].row or found.citations[0].column or found.question}",
                           found.value, found.unit, found.citations[0].section, 1.0) for year, found in offers)
    return replace(missing, answer=f"{missing.answer}{said}。", candidates=near + missing.candidates,
                   citations=(), timings=timings(started))
