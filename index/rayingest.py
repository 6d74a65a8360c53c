"""Ingestion on Ray: `python -m index build --ray [ADDRESS]`.

The new files of a build go through Ray Data, one row (and one block, so files spread over
the cluster's CPUs) per file: `map(_parse)` → `map(_describe)` (facts and nodes) →
`map(_embed)`, each step the same code the local build runs (index.ingest). What comes back
is written by the build's own writer (index.store), so a Ray build and a local build of the
same files give the same index. Rows carry documents, facts, nodes and vectors pickled
(bytes columns): Arrow then needs no schema for them.

The steps are functions, not an actor pool: Ray Data fuses the three maps into one task per
file, any free CPU runs it, and each worker process loads the embedder once (`_embedder`) and
keeps it for the next file. Workers embed through the embedding cache at the build's cache
folder (BUDGETQA_CACHE_DIR) as seen on their machine: on one machine it is the local build's.
A worker reads a file at its path, so on a cluster the files sit in a folder every machine
sees at the same path (a shared file system), as for Ray Data's own file readers; rows stay
small however many files there are.

Ray is an optional extra (`pip install -e '.[ray]'`), imported only when a Ray build runs.
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

import corpus

from .config import PROJECT_ROOT, IndexConfig
from .ingest import Ingested, IngestJob, IngestResult, Progress, describe, placed
from .layout import IndexProblem

if TYPE_CHECKING:
    from .embeddings import CachedEmbedder
    from .nodes import ChunkerConfig

LOCAL_CPUS = 2  # `--ray` without an address: a Ray instance on this machine's two cores


class RayMissing(IndexProblem):
    def __init__(self) -> None:
        super().__init__("未安装 Ray：先运行 .venv/bin/pip install -e '.[ray]'（或 make install），再用 --ray 构建。")


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayMissing() from None
    return ray


def connect(address: str | None = None) -> bool:
    """Join the Ray cluster at `address`, or start Ray here with two CPUs; quietly, without a
    dashboard or a usage report. False when this process was already connected."""
    ray = import_ray()
    if ray.is_initialized():
        return False
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves the machine
    quiet = {"logging_level": logging.ERROR, "log_to_driver": False}
    if address:
        ray.init(address=address, **quiet)
    else:
        # workers import this checkout, as the building process does (not another install)
        ray.init(num_cpus=LOCAL_CPUS, include_dashboard=False,
                 runtime_env={"env_vars": {"PYTHONPATH": str(PROJECT_ROOT)}}, **quiet)
    return True


@dataclass(frozen=True)
class RayIngest:
    """An `index.ingest.Ingest` that runs on Ray. Connects for the build and disconnects
    after it, unless the caller was connected already (then the connection is the caller's)."""
    address: str | None = None

    def __call__(self, job: IngestJob, embedder: CachedEmbedder, progress: Progress, bars: bool) -> IngestResult:
        ray = import_ray()
        started = connect(self.address)
        try:
            return _ingest(ray, job, progress, bars)
        finally:
            if started:
                ray.shutdown()


def _ingest(ray: Any, job: IngestJob, progress: Progress, bars: bool) -> IngestResult:
    if not job.files:
        return IngestResult((), 0)
    from tqdm import tqdm

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # one bar, ours, as in a local build; no execution log
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # its notices, e.g. "progress bars disabled"
    items = [{"n": n, "path": str(path), "origin": str(job.origin(path)),
              "parsed": _dumps(job.parsed[path]) if path in job.parsed else b""}
             for n, path in enumerate(job.files)]
    dataset = (ray.data.from_items(items, override_num_blocks=len(items))
               .map(_parse)
               .map(_describe, fn_kwargs={"chunker": job.chunker})
               .map(_embed, fn_kwargs={"config": job.config}))
    progress("parse", 0.0)
    rows = []
    with tqdm(total=len(items), desc="ray: parse, facts, embed", unit="doc", disable=not bars) as bar:
        for row in dataset.iter_rows():
            rows.append(row)
            bar.update(1)
            progress("embed", len(rows) / len(items))
    rows.sort(key=lambda r: r["n"])  # rows come back as they finish; the index keeps the files' order
    for r in rows:
        if r["error"]:
            raise pickle.loads(r["error"])  # the first file that cannot be parsed, as a local build says
    documents = tuple(Ingested(pickle.loads(r["doc"]), pickle.loads(r["facts"]), pickle.loads(r["nodes"]),
                               pickle.loads(r["vectors"])) for r in rows)
    return IngestResult(documents, sum(int(r["embedded"]) for r in rows))


# ----------------------------------------------------------------- the steps, run by Ray workers


def _parse(row: dict[str, Any]) -> dict[str, Any]:
    """The document, or the file's `corpus.ParseError` in "error": raised in a worker, Ray would
    hand the build its own exception with the file's message as a traceback string."""
    empty = {"n": row["n"], "doc": b"", "error": b"", "facts": b"", "nodes": b"", "vectors": b"", "embedded": 0}
    try:
        doc = pickle.loads(row["parsed"]) if row["parsed"] else corpus.load(Path(row["path"]))
    except corpus.ParseError as err:
        return {**empty, "error": _dumps(err)}
    return {**empty, "doc": _dumps(placed(doc, Path(row["origin"])))}


def _describe(row: dict[str, Any], chunker: ChunkerConfig) -> dict[str, Any]:
    if row["error"]:
        return row
    facts, nodes = describe(pickle.loads(row["doc"]), chunker)
    return {**row, "facts": _dumps(facts), "nodes": _dumps(nodes)}


def _embed(row: dict[str, Any], config: IndexConfig) -> dict[str, Any]:
    from .nodes import embed_text

    if row["error"]:
        return row
    embedder = _embedder(config.embedder, config.batch_size, str(config.cache_dir))
    misses = embedder.misses
    texts = [embed_text(n) for n in pickle.loads(row["nodes"])]
    # no nodes, no model load: the writer skips an empty piece whatever its width
    vectors = embedder.embed_passages(texts) if texts else np.empty((0, 0), dtype=np.float32)
    return {**row, "vectors": _dumps(vectors), "embedded": embedder.misses - misses}


def _dumps(value: object) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


@functools.cache
def _embedder(name: str, batch_size: int, cache_dir: str) -> CachedEmbedder:
    """One embedder per worker process, loaded by the first file it embeds."""
    from .embeddings import CachedEmbedder, EmbeddingCache, load_embedder

    return CachedEmbedder(load_embedder(name, batch_size=batch_size), EmbeddingCache.in_dir(cache_dir))
