"""The facts a question reads, and their names.

The engine's `StoredFacts` reads them from the fact store, only for the documents a question
is about and only when a strategy needs them, keeping the most recently read documents;
`readings` reads fewer still: the facts whose names the question can match, found through the
store's name index (`index.factstore`). Names were computed once when the index was built.
`FactBase.of` holds a list of facts in memory (parsed documents, tests).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Protocol, overload

from corpus.facts import DocumentInfo, Fact
from corpus.names import FactNames, bigrams, fact_names
from index.backends import Facts

from .linker import FactPool, Listed, names_in

KEEP_DOCUMENTS = 64         # documents whose facts and names stay read (a department's years and kinds)
KEEP_NAMED = 50_000         # facts read through the name index, kept until past this, then forgotten at once
_DIRECT_ROLES = ("row", "column", "table")               # a name the question says accepts a fact in these roles
_ALIASED_ROLES = ("row", "column", "table", "context")   # an alias names the fact by these (never a parent)


class FactSource(Protocol):
    """What `Asked` reads facts from."""

    documents: Mapping[str, DocumentInfo]
    names: Mapping[int, FactNames]

    def facts_of(self, docs: Set[str]) -> Sequence[Fact]: ...

    def pool(self, docs: Set[str]) -> FactPool: ...


@dataclass(frozen=True)
class FactBase:
    """Facts held in memory, each fact's names computed here."""

    facts: Sequence[Fact]
    names: Mapping[int, FactNames]
    documents: Mapping[str, DocumentInfo]

    @classmethod
    def of(cls, facts: Sequence[Fact], documents: Mapping[str, DocumentInfo]) -> FactBase:
        departments = {d: info.department for d, info in documents.items()}
        return cls(facts, {f.id: fact_names(f, departments.get(f.doc_id, "")) for f in facts}, documents)

    def facts_of(self, docs: Set[str]) -> Sequence[Fact]:
        return [f for f in self.facts if f.doc_id in docs]

    def pool(self, docs: Set[str]) -> FactPool:
        return Listed(self.facts_of(docs))


class StoredFacts:
    """The facts of a fact store, read on demand. Thread-safe."""

    def __init__(self, store: Facts, documents: Mapping[str, DocumentInfo]):
        self.store = store
        self.documents = documents
        self.names: Mapping[int, FactNames] = _StoredNames(self)
        self._lock = threading.RLock()
        self._read: OrderedDict[str, list[Fact]] = OrderedDict()   # documents read whole, the latest last
        self._facts_read: dict[int, Fact] = {}        # their facts by id
        self._names_read: dict[int, FactNames] = {}   # and their names
        self._fetched: dict[int, Fact] = {}           # facts read by id, through the name index
        self._named: dict[int, FactNames] = {}        # their names (and any other looked up by id)
        self._tables: dict[str, set[str]] = {}

    def facts_of(self, docs: Set[str]) -> Sequence[Fact]:
        return ScopeFacts(self, frozenset(docs))

    def pool(self, docs: Set[str]) -> FactPool:
        return StoredPool(self, frozenset(docs))

    def read(self, docs: Iterable[str]) -> list[Fact]:
        """Every fact of these documents, in the store's order (by id)."""
        with self._lock:
            out = [f for d in docs for f in self._document(d)]
        return sorted(out, key=lambda f: f.id)

    def _document(self, doc_id: str) -> list[Fact]:
        facts = self._read.get(doc_id)
        if facts is None:
            facts = self._read[doc_id] = self.store.facts([doc_id])
            self._facts_read.update((f.id, f) for f in facts)
            self._names_read.update(self.store.names_of(f.id for f in facts))
            while len(self._read) > KEEP_DOCUMENTS:
                for f in self._read.popitem(last=False)[1]:
                    del self._facts_read[f.id], self._names_read[f.id]
        self._read.move_to_end(doc_id)
        return facts

    def name_of(self, fact_id: int) -> FactNames:
        with self._lock:
            if fact_id in self._names_read:
                return self._names_read[fact_id]
            if fact_id not in self._named:
                self._named.update(self.store.names_of([fact_id]))
            return self._named[fact_id]

    def count(self) -> int:
        with self._lock:
            return self.store.count()

    def has_table(self, docs: Set[str], table_type: str) -> bool:
        with self._lock:
            for d in docs:
                if d not in self._tables:
                    self._tables[d] = self.store.table_types_of(d)
            return any(table_type in self._tables[d] for d in docs)

    def named(self, docs: Set[str], text: str, aliased: Iterable[str], codes: Iterable[str],
              empty_table: str | None) -> list[Fact]:
        """The facts of these documents `readings` can accept for this text (`FactPool.named`),
        with their names kept for `names`."""
        scope = None if docs >= self.documents.keys() else docs  # all of them: no filter to send
        with self._lock:
            ids = self.store.fact_ids_named(scope, self.said(text), _DIRECT_ROLES)
            ids |= self.store.fact_ids_named(scope, self.store.names_said_as(aliased), _ALIASED_ROLES)
            codes = list(codes)
            if codes:
                ids |= self.store.fact_ids_where(scope, codes=codes)
            if empty_table:
                ids |= self.store.fact_ids_where(scope, kind="empty_table", table_type=empty_table)
            return self._by_id(ids)

    def said(self, text: str) -> list[str]:
        """The stored names this text says (`qa.linker.names_in`), found through the name index."""
        with self._lock:
            return names_in(text, self.store.names_near(bigrams(text)))

    def said_as(self, targets: Iterable[str]) -> list[str]:
        """The stored names an alias's targets are (`FactStore.names_said_as`)."""
        with self._lock:
            return self.store.names_said_as(targets)

    def holding(self, docs: Set[str], names: Iterable[str]) -> dict[str, set[str]]:
        """Which of these names each document in scope has a fact named by, as a row or a
        column (`FactStore.documents_naming`): counted in the name index, no fact read."""
        scope = None if docs >= self.documents.keys() else docs
        with self._lock:
            return self.store.documents_naming(scope, names, ("row", "column"))

    def _by_id(self, ids: set[int]) -> list[Fact]:
        """These facts in id order, each converted from its row once (until forgotten)."""
        if len(self._fetched) + len(ids) > KEEP_NAMED:
            self._fetched.clear()
            self._named.clear()
        missing = [i for i in ids if i not in self._facts_read and i not in self._fetched]
        self._fetched.update((f.id, f) for f in self.store.facts_by_id(missing))
        self._named.update(self.store.names_of(missing))
        return [self._facts_read.get(i) or self._fetched[i] for i in sorted(ids)]


class _StoredNames(Mapping[int, FactNames]):
    """Each fact's names by id, as the store kept them at build time."""

    def __init__(self, base: StoredFacts):
        self._base = base

    def __getitem__(self, fact_id: int) -> FactNames:
        return self._base.name_of(fact_id)

    def __iter__(self) -> Iterator[int]:
        raise TypeError("the names of a fact store are read by fact id, not listed")

    def __len__(self) -> int:
        return self._base.count()


class ScopeFacts(Sequence[Fact]):
    """The facts of the documents in scope, read from the store when first used."""

    def __init__(self, base: StoredFacts, docs: frozenset[str]):
        self.base = base
        self.docs = docs
        self._facts: list[Fact] | None = None

    def _all(self) -> list[Fact]:
        if self._facts is None:
            self._facts = self.base.read(sorted(self.docs))
        return self._facts

    @overload
    def __getitem__(self, i: int) -> Fact: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[Fact]: ...

    def __getitem__(self, i: int | slice) -> Fact | Sequence[Fact]:
        return self._all()[i]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[Fact]:
        return iter(self._all())


@dataclass(frozen=True)
class StoredPool:
    """The facts in scope a question can name, through the store's name index."""

    base: StoredFacts
    docs: frozenset[str]

    def has_table(self, table_type: str) -> bool:
        return self.base.has_table(self.docs, table_type)

    def named(self, text: str, aliased: Iterable[str], codes: Iterable[str], empty_table: str | None) -> Iterable[Fact]:
        return self.base.named(self.docs, text, aliased, codes, empty_table)


@dataclass(frozen=True)
class Within:
    """Some of the facts in scope (a strategy's narrower list): those of them the pool names."""

    facts: Sequence[Fact]
    pool: FactPool

    def has_table(self, table_type: str) -> bool:
        return Listed(self.facts).has_table(table_type)

    def named(self, text: str, aliased: Iterable[str], codes: Iterable[str], empty_table: str | None) -> Iterable[Fact]:
        aliased = list(aliased)
        ids = {f.id for f in self.pool.named(text, aliased, codes, empty_table)}
        return [f for f in self.facts if f.id in ids]
