"""Reciprocal rank fusion (Cormack et al., 2009): score(d) = sum_i w_i / (k + rank_i(d)).

Only ranks matter, so BM25 scores and cosine similarities, which live on unrelated scales,
can be combined without calibration.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

DEFAULT_RRF_K = 60

Id = TypeVar("Id", bound=Hashable)  # whatever the ranked lists name their items by


@dataclass(frozen=True)
class FusedHit(Generic[Id]):
    id: Id
    score: float
    ranks: tuple[int | None, ...]  # 1-based rank in each input list, None if absent


def rrf_fuse(
    rankings: Sequence[Sequence[tuple[Id, float]]],
    *,
    k: int = DEFAULT_RRF_K,
    weights: Sequence[float] | None = None,
    limit: int | None = None,
) -> list[FusedHit[Id]]:
    """Fuse ranked hit lists [(id, score), ...] (best first; the scores are ignored).

    Ties are broken by the best rank an id reached in any list, then by the earliest list
    (and position) it appeared in, so the order never depends on hashing or float noise.
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    if len(weights) != len(rankings):
        raise ValueError(f"{len(weights)} weights for {len(rankings)} rankings")
    ranks = _ranks_by_id(rankings)  # insertion order = first appearance
    hits = [FusedHit(doc_id, _rrf_score(r, weights, k), r) for doc_id, r in ranks.items()]
    first_seen = {doc_id: n for n, doc_id in enumerate(ranks)}
    hits.sort(key=lambda h: (-round(h.score, 12), _best_rank(h.ranks), first_seen[h.id]))
    return hits if limit is None else hits[:limit]


def _ranks_by_id(rankings: Sequence[Sequence[tuple[Id, float]]]) -> dict[Id, tuple[int | None, ...]]:
    ranks: dict[Id, list[int | None]] = {}
    for list_no, ranking in enumerate(rankings):
        for position, (doc_id, _score) in enumerate(ranking, start=1):
            slots = ranks.setdefault(doc_id, [None] * len(rankings))
            if slots[list_no] is None:  # a repeated id keeps its best (first) rank
                slots[list_no] = position
    return {doc_id: tuple(slots) for doc_id, slots in ranks.items()}


def _rrf_score(ranks: tuple[int | None, ...], weights: Sequence[float], k: int) -> float:
    return sum(w / (k + r) for w, r in zip(weights, ranks) if r is not None)


def _best_rank(ranks: tuple[int | None, ...]) -> int:
    return min(r for r in ranks if r is not None)
