"""What a build makes of each new file before anything is written: the document as parsed,
its facts, its nodes and their vectors.

A build (index.store) takes these from an `Ingest`: the local one (a process pool parses,
then facts, nodes and vectors are made in the building process) or Ray's (index.rayingest,
the same steps on a Ray cluster). Both make each document with `describe` and `placed`, and
the build writes what they return the same way, so the index does not depend on which ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Mapping, Protocol

import numpy as np

from corpus.facts import Fact, document_facts
from corpus.model import BudgetDocument

from .config import IndexConfig

if TYPE_CHECKING:  # llama-index loads when a build runs, not to answer
    from llama_index.core.schema import TextNode

    from .embeddings import CachedEmbedder
    from .nodes import ChunkerConfig

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class IngestJob:
    """The new or changed files of a build, in build order, and how to read them."""
    files: tuple[Path, ...]
    config: IndexConfig
    chunker: ChunkerConfig
    # the source each file stands for when it is not where it stays (a staged upload)
    origins: Mapping[Path, Path] = field(default_factory=dict)
    # files parsed before the build (an upload, checked before it is added: parsed once)
    parsed: Mapping[Path, BudgetDocument] = field(default_factory=dict)

    def origin(self, path: Path) -> Path:
        return self.origins.get(path, path)


@dataclass(frozen=True, eq=False)  # eq=False: an array has no single truth value
class Ingested:
    doc: BudgetDocument
    facts: tuple[Fact, ...]
    nodes: tuple[TextNode, ...]
    vectors: np.ndarray  # one row per node (shape (0, 0) when there are no nodes)


@dataclass(frozen=True)
class IngestResult:
    documents: tuple[Ingested, ...]  # in the order of IngestJob.files
    embedded: int                    # texts the model embedded (not found in the cache)


class Ingest(Protocol):
    """Parse, describe and embed `job.files`. `embedder` is the build's (the local ingest
    embeds with it; Ray's workers open their own on the same cache folder)."""

    def __call__(self, job: IngestJob, embedder: CachedEmbedder, progress: Progress, bars: bool) -> IngestResult: ...


def placed(doc: BudgetDocument, origin: Path) -> BudgetDocument:
    """The document as parsed from where it is, known by where it stays."""
    return replace(doc, source=str(origin))


def describe(doc: BudgetDocument, chunker: ChunkerConfig) -> tuple[tuple[Fact, ...], tuple[TextNode, ...]]:
    """A document's facts and its nodes for the search indexes."""
    from .nodes import document_nodes

    return tuple(document_facts(doc)), tuple(document_nodes(doc, chunker))


def split_rows(vectors: np.ndarray, counts: list[int]) -> list[np.ndarray]:
    """`vectors` cut into consecutive pieces of `counts` rows (one per document)."""
    if not len(vectors):
        return [np.empty((0, 0), dtype=np.float32) for _ in counts]
    return np.split(vectors, np.cumsum(counts)[:-1])


def stacked(parts: list[np.ndarray]) -> np.ndarray:
    """The rows of `parts` in order; pieces without rows (no nodes) are skipped."""
    rows = [p for p in parts if len(p)]
    return np.vstack(rows) if rows else np.empty((0, 0), dtype=np.float32)
