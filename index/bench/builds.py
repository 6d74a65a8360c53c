"""Builds measured for the benchmark: parsing rates, the embedding need of a corpus, and cold
and warm builds, each in a freshly spawned process so its peak RSS is its own (ru_maxrss is a
high-water mark: builds sharing a process would all report the largest one's peak)."""

from __future__ import annotations

import multiprocessing
import pickle
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from corpus.model import BudgetDocument

from ..config import IndexConfig
from ..embeddings import CachedEmbedder, EmbeddingCache, load_embedder, text_hash
from ..nodes import document_nodes, embed_text
from ..store import BuildReport, build_index
from .synthesis import SEED, parse_templates, synthetic_corpus


def in_fresh_process(fn: Callable[..., Any], *args: Any) -> Any:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def pages(doc: BudgetDocument) -> int:
    """The highest page anything of the document was read from (0 for a text file)."""
    locations = [x.location for group in (doc.tables, doc.paragraphs, doc.sections, doc.records) for x in group]
    return max((loc.page or 0 for loc in locations), default=0)


@dataclass(frozen=True)
class ParseRate:
    files: int
    pages: int
    seconds: dict[int, float]  # worker processes → seconds for all files

    def pages_per_second(self, workers: int) -> float:
        return self.pages / self.seconds[workers]


def parse_rate(paths: list[Path]) -> tuple[list[BudgetDocument], ParseRate]:
    """The templates parsed with 1 and then 2 worker processes, timed; the documents of the first run."""
    seconds, docs = {}, []
    for workers in (1, 2):
        started = time.perf_counter()
        docs = parse_templates(paths, workers)
        seconds[workers] = time.perf_counter() - started
    return docs, ParseRate(len(paths), sum(pages(d) for d in docs), seconds)


@dataclass(frozen=True)
class Need:
    """What a corpus asks of the embedder: its nodes, their distinct texts, and how many of
    those the cache lacks."""

    nodes: int
    distinct: int
    uncached: int

    @property
    def reuse(self) -> float:
        """The share of nodes whose text another node of the corpus already has (0 when the
        distinct texts were not counted: an extrapolated need)."""
        return 1 - self.distinct / self.nodes if self.distinct and self.nodes else 0.0


def embedding_need(docs: list[BudgetDocument], config: IndexConfig) -> Need:
    hashes = [text_hash(embed_text(n)) for doc in docs for n in document_nodes(doc)]
    distinct = list(set(hashes))
    cache = EmbeddingCache.in_dir(config.cache_dir)
    try:
        key = CachedEmbedder(load_embedder(config.embedder), cache).model_key  # no model load
        return Need(len(hashes), len(distinct), len(distinct) - len(cache.get_many(key, "passage", distinct)))
    finally:
        cache.close()


def _build_worker(templates_file: Path, n: int, folder: Path, out: Path, config: IndexConfig) -> tuple[BuildReport, float]:
    templates = pickle.loads(templates_file.read_bytes())
    parsed = synthetic_corpus(templates, range(n), folder)  # before the build: not in its seconds
    report = build_index(list(parsed), out, config, parsed=parsed, show_bars=False)
    return report, peak_rss_mb()


def measured_build(templates_file: Path, n: int, folder: Path, out: Path, config: IndexConfig) -> tuple[BuildReport, float]:
    """Synthetic documents 0..n-1 built into `out`: the report and the process's peak RSS (MB)."""
    return in_fresh_process(_build_worker, templates_file, n, folder, out, config)


def _seed_worker(out: Path, config: IndexConfig) -> tuple[BuildReport, float]:
    return build_index([SEED], out, config, show_bars=False), peak_rss_mb()


def measured_seed_build(out: Path, config: IndexConfig) -> tuple[BuildReport, float]:
    """The seed file itself, parsed and built (the product's first start)."""
    return in_fresh_process(_seed_worker, out, config)
