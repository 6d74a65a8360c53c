"""An index folder in use: built on first use, rebuilt when the parsing code changed, grown
one document at a time, reloaded after each build, and the parsed documents behind it.

This is the one place that manages an index's life-cycle; `qa.Engine` (and through it
app.py) and `evaluation` share it. Builds swap their folder in atomically (`index.store`),
so questions go on being answered from the loaded index while a build runs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import corpus
from corpus.facts import DocumentInfo, Fact
from corpus.model import BudgetDocument

from .config import IndexConfig
from .factstore import FactStore
from .search import SearchIndex
from .store import (
    FACTS, MANIFEST, BuildReport, Progress, build_index, pipeline_fingerprint, read_manifest, resolve_source,
)


@dataclass(frozen=True)
class LoadedIndex:
    """One build of the index as read from its folder: the facts, the documents, the manifest."""

    facts: list[Fact]
    documents: dict[str, DocumentInfo]
    manifest: dict[str, Any]

    @classmethod
    def read(cls, folder: Path) -> LoadedIndex:
        manifest = read_manifest(folder)
        store = FactStore(folder / FACTS)
        try:
            facts = store.facts()
            documents = {d.doc_id: d for d in store.documents()}
        finally:
            store.close()
        return cls(facts, documents, manifest)


def _sources(manifest: dict[str, Any]) -> list[Path]:
    """The files an index was built from, as this checkout sees them."""
    return [resolve_source(info["source"]) for info in manifest["documents"].values()]


class LiveIndex:
    """An index folder that questions are answered from. Thread-safe: one build at a time,
    and readers keep the index they loaded until `reload()`."""

    def __init__(self, folder: str | Path, config: IndexConfig):
        self.folder = Path(folder)
        self.config = config
        self._lock = threading.RLock()        # guards the loaded state
        self._build_lock = threading.Lock()   # one build at a time; answers go on meanwhile
        self._loaded: LoadedIndex | None = None
        self._search: SearchIndex | None = None
        self._parsed: dict[str, BudgetDocument] = {}

    def ensure(self, progress: Progress | None = None, *, show_bars: bool | None = None) -> BuildReport | None:
        """Build the bundled corpus's index when the folder has none; rebuild an index made
        by older parsing code from its own sources (unchanged texts keep their cached
        embeddings). Returns the build's report, or None when the index was current."""
        with self._build_lock:
            if not (self.folder / MANIFEST).exists():
                return build_index([corpus.default_corpus_dir()], self.folder, self.config,
                                   progress=progress, show_bars=show_bars)
            manifest = read_manifest(self.folder)
            if manifest.get("pipeline") == pipeline_fingerprint():
                return None
            sources = [s for s in _sources(manifest) if s.exists()]
            report = build_index(sources or [corpus.default_corpus_dir()], self.folder, self.config,
                                 progress=progress, show_bars=show_bars)
            self.reload()
            return report

    def current(self) -> LoadedIndex:
        """The loaded index, read on first use (and built first if need be)."""
        if self._loaded is None:
            self.ensure()
        with self._lock:
            if self._loaded is None:
                self._loaded = LoadedIndex.read(self.folder)
            return self._loaded

    def search_index(self) -> SearchIndex:
        with self._lock:
            if self._search is None:
                self.current()
                self._search = SearchIndex(self.folder, self.config)
            return self._search

    def reload(self) -> None:
        """Forget the loaded index; the next use reads the folder again."""
        with self._lock:
            self._loaded, self._search = None, None

    def documents(self) -> list[BudgetDocument]:
        """The indexed documents as parsed (for the table browser), parsed once each."""
        out = []
        for doc_id, info in self.current().manifest["documents"].items():
            if doc_id not in self._parsed:
                self._parsed[doc_id] = corpus.load(resolve_source(info["source"]))
            out.append(self._parsed[doc_id])
        return out

    def add_document(self, path: str | Path, progress: Progress | None = None) -> BudgetDocument:
        """Parse a new document and update the index incrementally; a bad file raises
        `corpus.ParseError` and leaves the index untouched."""
        doc = corpus.load(path)  # parse first: a bad file never reaches the index
        self.current()  # an index to add to (built first if there is none)
        with self._build_lock:
            # the folder's own list, read under the build lock: it includes a document that
            # another build added since this index was loaded
            sources = _sources(read_manifest(self.folder))
            build_index(sources + [Path(path)], self.folder, self.config, progress=progress)
        with self._lock:
            self.reload()
            self._parsed.pop(doc.doc_id, None)
        return doc
