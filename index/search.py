"""Retrieval over a built index: lexical (BM25), dense (vectors) and their reciprocal-rank fusion.

Where the lexical and dense indexes live (the build folder's bm25s and FAISS files, or
PostgreSQL) is the configured `index.backends.Store`'s business.

Vocabulary follows llama-index: `retrieve()` returns `NodeWithScore`s, best first. The
embedder loads lazily, on the first dense query, so lexical-only use never pays for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .backends import Retrieval, store_for
from .config import IndexConfig
from .fusion import rrf_fuse
from .layout import NODES
from .nodetable import NodeTable
from .store import build_folder, check_manifest, read_manifest

if TYPE_CHECKING:  # faiss, bm25s and llama-index load when an index is opened (a CLI answer may need none)
    from llama_index.core.schema import NodeWithScore, TextNode

    from .embeddings import CachedEmbedder

MODES = ("hybrid", "lexical", "dense")


@dataclass(frozen=True)
class Filters:
    """Restrict results to documents (and kinds of node); each store applies them its own way."""

    doc_ids: frozenset[str] | None = None
    department: str | None = None
    year: int | None = None
    node_kinds: frozenset[str] | None = None  # e.g. only prose (text, field, record) for "为什么" questions

    def is_empty(self) -> bool:
        return self == Filters()

    def allows(self, node: TextNode) -> bool:
        meta = node.metadata
        return self.allows_kind(meta.get("node_kind")) and self.allows_document(
            meta.get("doc_id"), meta.get("department"), meta.get("year"))

    # The two halves apart: a `NodeTable` decides each once per document and per kind, not per node.
    def allows_kind(self, node_kind: Any) -> bool:
        return self.node_kinds is None or node_kind in self.node_kinds

    def allows_document(self, doc_id: Any, department: Any, year: Any) -> bool:
        if self.doc_ids is not None and doc_id not in self.doc_ids:
            return False
        if self.department and self.department not in (department or ""):
            return False
        if self.year and year != self.year:
            return False
        return True


class SearchIndex:
    def __init__(self, folder: Path, config: IndexConfig | None = None):
        self.folder = Path(folder)
        self.config = config or IndexConfig.from_env()
        data = build_folder(self.folder)  # resolved once: every file below comes from the same build
        self.manifest = read_manifest(data)
        store = store_for(self.config)
        check_manifest(self.manifest, self.folder, self.config.embedder, store.kind)
        self.nodes = NodeTable.open(data / NODES)  # node i read when a search returns it
        self.retrieval: Retrieval = store.open_search(data, self.nodes)
        self._embedder: CachedEmbedder | None = None

    @property
    def embedder(self) -> CachedEmbedder:
        if self._embedder is None:
            from .embeddings import CachedEmbedder, EmbeddingCache, load_embedder

            self._embedder = CachedEmbedder(load_embedder(self.config.embedder, batch_size=self.config.batch_size),
                                            EmbeddingCache.in_dir(self.config.cache_dir))
        return self._embedder

    def lexical(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        return self.retrieval.lexical(query, k, filters)

    def dense_search(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        vector = self.embedder.embed_queries([query])[0]
        return self.retrieval.dense(vector, k, filters)

    def retrieve(self, query: str, k: int | None = None, mode: str = "hybrid",
                 filters: Filters | None = None) -> list[NodeWithScore]:
        if mode not in MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}; expected one of {MODES}")
        k = k or self.config.top_k
        if filters is not None and not filters.is_empty() and not len(self.nodes.allowed(filters)):
            return []  # the filters exclude every document
        if mode == "lexical":
            ranked = self.lexical(query, k, filters)
        elif mode == "dense":
            ranked = self.dense_search(query, k, filters)
        else:
            fetch = max(k * 3, 30)
            fused = rrf_fuse([self.lexical(query, fetch, filters), self.dense_search(query, fetch, filters)],
                             k=self.config.rrf_k, weights=[1.0, self.config.dense_weight], limit=k)
            ranked = [(int(h.id), h.score) for h in fused]
        from llama_index.core.schema import NodeWithScore

        return [NodeWithScore(node=self.nodes[i], score=score) for i, score in ranked[:k]]
