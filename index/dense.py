"""Dense vector index on FAISS: exact inner product while small, HNSW once large.

faiss is used directly rather than through llama-index's FaissVectorStore: that store adds
nodes one by one as pydantic objects, numbers them by position (our chunk ids would need a
sidecar file anyway), persists nothing but the raw faiss file, cannot pass HNSW search
parameters and rejects filters. Here an IndexIDMap2 keeps the caller's int ids inside the
faiss file itself, so save/load is one file plus a small JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

import faiss
import numpy as np

from index.atomic import write_json_atomic
from index.config import DEFAULT_HNSW_THRESHOLD

INDEX_FILE = "dense.faiss"
META_FILE = "dense.json"
FLAT, HNSW = "flat", "hnsw"
# An `allowed` set this small is scored exactly, vector by vector, instead of over-fetching.
EXACT_SUBSET_MAX = 1024


@dataclass(frozen=True)
class HnswParams:
    m: int = 32  # graph degree: recall vs memory
    ef_construction: int = 80  # faiss default 40; doubled: slower build, better graph
    ef_search: int = 128  # raised to k when k is larger


def _as_matrix(vectors: np.ndarray, dim: int) -> np.ndarray:
    """float32, C-contiguous, unit rows (inner product == cosine); zero rows stay zero."""
    x = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(-1, dim))
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


@contextmanager
def _one_thread() -> Iterator[None]:
    """Run faiss on the calling thread only, for the duration of one query.

    One query has too little work to share: measured on this 2-core machine while other
    processes were busy, a flat 10k search took 24 ms median with faiss's default 2 OpenMP
    threads and 0.8 ms with one. omp_set_num_threads changes only the calling thread's
    setting, so builds running elsewhere keep their threads.
    """
    previous = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(previous)


def _new_index(kind: str, dim: int, hnsw: HnswParams) -> faiss.IndexIDMap2:
    if kind == FLAT:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    graph = faiss.IndexHNSWFlat(dim, hnsw.m, faiss.METRIC_INNER_PRODUCT)
    graph.hnsw.efConstruction = hnsw.ef_construction
    return faiss.IndexIDMap2(graph)


class DenseIndex:
    """add(ids, vectors) / search(vector, k) -> [(id, cosine)], best first."""

    def __init__(
        self,
        dim: int,
        *,
        hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD,
        hnsw: HnswParams = HnswParams(),
    ) -> None:
        self.dim = dim
        self.hnsw_threshold = hnsw_threshold
        self.hnsw = hnsw
        self.kind = FLAT
        self._index = _new_index(FLAT, dim, hnsw)
        self._ids: set[int] = set()

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def add(self, ids: Sequence[int], vectors: np.ndarray) -> None:
        new_ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        matrix = _as_matrix(vectors, self.dim)
        self._check_new_ids(new_ids, len(matrix))
        if self.kind == FLAT and len(self) + len(new_ids) > self.hnsw_threshold:
            self._switch_to_hnsw()
        self._index.add_with_ids(matrix, new_ids)
        self._ids.update(new_ids.tolist())

    def _check_new_ids(self, new_ids: np.ndarray, n_vectors: int) -> None:
        if len(new_ids) != n_vectors:
            raise ValueError(f"{len(new_ids)} ids for {n_vectors} vectors")
        if len(set(new_ids.tolist())) != len(new_ids) or self._ids.intersection(new_ids.tolist()):
            raise ValueError("duplicate ids: each id may be added once")

    def _switch_to_hnsw(self) -> None:
        # Growing past the threshold: move the stored vectors into a fresh HNSW graph.
        ids, vectors = self._stored()
        self._index = _new_index(HNSW, self.dim, self.hnsw)
        self.kind = HNSW
        if len(ids):
            self._index.add_with_ids(vectors, ids)

    def _stored(self) -> tuple[np.ndarray, np.ndarray]:
        inner = faiss.downcast_index(self._index.index)
        ids = faiss.vector_to_array(self._index.id_map).astype(np.int64)
        return ids, inner.reconstruct_n(0, len(self))

    def search(self, vector: np.ndarray, k: int, *, allowed: AbstractSet[int] | None = None) -> list[tuple[int, float]]:
        """Top-k (id, score). With `allowed`, only those ids are returned: the search
        over-fetches and filters (the index itself has no metadata filters)."""
        if k <= 0 or len(self) == 0:
            return []
        query = _as_matrix(vector, self.dim)
        if len(query) != 1:
            raise ValueError(f"search takes one vector, got {len(query)}")
        if allowed is None:
            return self._raw_search(query, k)
        return self._filtered_search(query, k, allowed)

    def _raw_search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        params = None
        if self.kind == HNSW:
            # generated by SWIG at import time: not in the module's Python source
            params = faiss.SearchParametersHNSW(efSearch=max(self.hnsw.ef_search, k))  # type: ignore[attr-defined]
        with _one_thread():
            scores, ids = self._index.search(query, min(k, len(self)), params=params)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0]) if i >= 0]

    def _filtered_search(self, query: np.ndarray, k: int, allowed: AbstractSet[int]) -> list[tuple[int, float]]:
        wanted = self._ids.intersection(allowed)
        fetch = 4 * k
        if len(wanted) <= max(fetch, EXACT_SUBSET_MAX):
            return self._exact_subset(query, wanted, k)  # cheaper than searching everything
        while True:
            hits = [hit for hit in self._raw_search(query, fetch) if hit[0] in wanted]
            if len(hits) >= min(k, len(wanted)):
                return hits[:k]
            if fetch >= len(self):
                break
            fetch *= 2
        # Only HNSW gets here: its graph walk can return fewer than ntotal hits even with
        # k >= ntotal (seen with faiss 1.15). Score the allowed vectors exactly instead.
        return self._exact_subset(query, wanted, k)

    def _exact_subset(self, query: np.ndarray, wanted: set[int], k: int) -> list[tuple[int, float]]:
        if not wanted:
            return []
        ids = np.fromiter(sorted(wanted), dtype=np.int64, count=len(wanted))
        vectors = np.vstack([self._index.reconstruct(int(i)) for i in ids])
        scores = vectors @ query[0]
        order = np.lexsort((ids, -scores))[:k]
        return [(int(ids[i]), float(scores[i])) for i in order]

    def save(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / (INDEX_FILE + ".tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, folder / INDEX_FILE)
        meta = {"dim": self.dim, "kind": self.kind, "hnsw_threshold": self.hnsw_threshold, "hnsw": asdict(self.hnsw)}
        write_json_atomic(folder / META_FILE, meta)

    @classmethod
    def load(cls, folder: str | Path) -> DenseIndex:
        folder = Path(folder)
        meta = json.loads((folder / META_FILE).read_text(encoding="utf-8"))
        dense = cls(meta["dim"], hnsw_threshold=meta["hnsw_threshold"], hnsw=HnswParams(**meta["hnsw"]))
        # faiss's SWIG wrapper returns the most derived type: the IndexIDMap2 that save() wrote
        dense._index = cast(faiss.IndexIDMap2, faiss.read_index(str(folder / INDEX_FILE)))
        dense.kind = meta["kind"]
        dense._ids = set(faiss.vector_to_array(dense._index.id_map).tolist())
        if dense._index.d != dense.dim:
            raise ValueError(f"{folder}: faiss index has dim {dense._index.d}, metadata says {dense.dim}")
        return dense
