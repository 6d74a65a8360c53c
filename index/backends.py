"""Where a build keeps its facts and search indexes: `store_for(config)` picks one `Store`.

- `EmbeddedStore` (the default): facts.sqlite, bm25/ (bm25s) and dense/ (FAISS) in the build
  folder. Nothing to run, one folder to copy: right for one machine and a few thousand budgets.
- `PostgresStore` (`IndexConfig.store` = `postgresql://…`): the same data in a PostgreSQL
  server with pgvector (`index.pgstore`), for a corpus beyond one process's memory or shared
  by several machines.

Both answer identically (tests/test_pgstore.py asks every gold set of both). The rest of the
code sees only the `Store` protocol, `Facts` (the public methods of `index.factstore.FactStore`)
and `Retrieval`.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from corpus.facts import DocumentInfo, Fact
from corpus.model import BudgetDocument
from corpus.names import NAME_ROLES, FactNames

from .config import IndexConfig
from .factstore import FactStore
from .layout import FACTS

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode

    from .dense import DenseIndex
    from .lexical import BM25Index
    from .nodetable import NodeTable
    from .search import Filters

EMBEDDED, POSTGRESQL = "sqlite", "postgresql"


class Facts(Protocol):
    """The fact store's contract (`FactStore`, `pgstore.PgFactStore`): what a build writes and
    what an answer reads, the name index's look-ups included."""

    def replace_document(self, doc: BudgetDocument, facts: Iterable[Fact]) -> int: ...
    def remove_document(self, doc_id: str, commit: bool = True) -> None: ...
    def documents(self) -> list[DocumentInfo]: ...
    def facts(self, doc_ids: Iterable[str] | None = None, kinds: Iterable[str] | None = None) -> list[Fact]: ...
    def facts_by_id(self, fact_ids: Iterable[int]) -> list[Fact]: ...
    def names_of(self, fact_ids: Iterable[int]) -> dict[int, FactNames]: ...
    def names_near(self, grams: Iterable[str]) -> list[str]: ...
    def names_said_as(self, targets: Iterable[str]) -> list[str]: ...
    def fact_ids_named(self, doc_ids: Iterable[str] | None, names: Iterable[str],
                       roles: Iterable[str] = NAME_ROLES) -> set[int]: ...
    def documents_naming(self, doc_ids: Iterable[str] | None, names: Iterable[str],
                         roles: Iterable[str] = NAME_ROLES) -> dict[str, set[str]]: ...
    def fact_ids_where(self, doc_ids: Iterable[str] | None, *, codes: Iterable[str] = (), kind: str | None = None,
                       table_type: str | None = None) -> set[int]: ...
    def table_types_of(self, doc_id: str) -> set[str]: ...
    def by_code(self, code: str) -> list[Fact]: ...
    def count(self) -> int: ...
    def close(self) -> None: ...


class Retrieval(Protocol):
    """A build's lexical and dense search: (node position, score), best first."""

    def lexical(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]: ...
    def dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[int, float]]: ...


class Store(Protocol):
    @property
    def kind(self) -> str: ...

    def new_facts(self, build: Path, previous: Path | None) -> Facts:
        """The fact store of a build being written, holding the previous build's facts."""
        ...

    def open_facts(self, build: Path) -> Facts: ...

    def write_search(self, build: Path, nodes: Sequence[TextNode], texts: Sequence[str], vectors: np.ndarray,
                     dim: int) -> None: ...

    def open_search(self, build: Path, nodes: NodeTable) -> Retrieval: ...

    def discard(self, build: Path) -> None:
        """Forget what a failed build wrote outside its folder."""
        ...

    def tidy(self) -> None:
        """Forget what builds whose folder is gone wrote outside it."""
        ...


def store_for(config: IndexConfig) -> Store:
    return PostgresStore(config.store) if config.store else EmbeddedStore(config.hnsw_threshold)


# ------------------------------------------------------------------------------------- embedded


@dataclass(frozen=True)
class EmbeddedStore:
    hnsw_threshold: int
    kind: str = EMBEDDED

    def new_facts(self, build: Path, previous: Path | None) -> Facts:
        if previous is not None and (previous / FACTS).exists():
            shutil.copy2(previous / FACTS, build / FACTS)
        return FactStore(build / FACTS)

    def open_facts(self, build: Path) -> Facts:
        return FactStore(build / FACTS)

    def write_search(self, build: Path, nodes: Sequence[TextNode], texts: Sequence[str], vectors: np.ndarray,
                     dim: int) -> None:
        from .dense import DenseIndex
        from .lexical import BM25Index

        BM25Index.build(texts).save(build / "bm25")
        dense = DenseIndex(dim, hnsw_threshold=self.hnsw_threshold)
        dense.add(list(range(len(nodes))), vectors)
        dense.save(build / "dense")

    def open_search(self, build: Path, nodes: NodeTable) -> Retrieval:
        from .dense import DenseIndex
        from .lexical import BM25Index

        # bm25s memory-mapped: a query reads the postings of its tokens only (~5 MB of 23 MB
        # resident after loading at N = 100)
        return EmbeddedRetrieval(BM25Index.load(build / "bm25", mmap=True), DenseIndex.load(build / "dense"), nodes)

    def discard(self, build: Path) -> None:
        pass  # everything it wrote is in the build folder

    def tidy(self) -> None:
        pass


class EmbeddedRetrieval:
    def __init__(self, bm25: BM25Index, vectors: DenseIndex, nodes: NodeTable):
        self.bm25, self.vectors, self.nodes = bm25, vectors, nodes
        # a hybrid query asks for the same filter's nodes twice (lexical, then dense)
        self._allowed = lru_cache(maxsize=8)(self._allowed_positions)

    def _allowed_positions(self, filters: Filters | None) -> frozenset[int] | None:
        # the files have no metadata filters: the allowed node positions are listed here
        if filters is None or filters.is_empty():
            return None
        return frozenset(self.nodes.allowed(filters).tolist())

    def lexical(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        allowed = self._allowed(filters)
        hits = self.bm25.search(query, k if allowed is None else len(self.nodes))
        return [h for h in hits if allowed is None or h[0] in allowed][:k]

    def dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        return self.vectors.search(vector, k, allowed=self._allowed(filters))


# ----------------------------------------------------------------------------------- PostgreSQL


@dataclass(frozen=True)
class PostgresStore:
    url: str
    kind: str = POSTGRESQL

    def new_facts(self, build: Path, previous: Path | None) -> Facts:
        from . import pgstore

        with pgstore.connect(self.url) as conn:
            pgstore.create_schema(conn, build)
        return pgstore.PgFactStore(self.url, build).create(copy_from=previous)

    def open_facts(self, build: Path) -> Facts:
        from . import pgstore

        return pgstore.PgFactStore(self.url, build)

    def write_search(self, build: Path, nodes: Sequence[TextNode], texts: Sequence[str], vectors: np.ndarray,
                     dim: int) -> None:
        from . import pgstore

        with pgstore.connect(self.url) as conn:
            pgstore.write_nodes(conn, build, nodes, texts, vectors, dim)

    def open_search(self, build: Path, nodes: NodeTable) -> Retrieval:
        from . import pgstore

        return pgstore.PgRetrieval(self.url, build)

    def discard(self, build: Path) -> None:
        from . import pgstore

        with pgstore.connect(self.url) as conn:
            pgstore.drop_schema(conn, build)

    def tidy(self) -> None:
        from . import pgstore

        with pgstore.connect(self.url) as conn:
            pgstore.drop_orphans(conn)
