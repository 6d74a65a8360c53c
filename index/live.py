"""An index folder in use: built on first use, rebuilt when the parsing code changed, grown
one document at a time, reloaded when its folder changes, and the parsed documents behind it.

This is the one place that manages an index's life-cycle; `qa.Engine` (and through it
app.py) and `evaluation` share it. Builds swap their folder in atomically (`index.store`),
so questions go on being answered from the loaded index while a build runs, here or in
another process sharing the folder (a public instance beside a staff one).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterable, Mapping

import corpus
from corpus.facts import DocumentInfo
from corpus.model import BudgetDocument

from .config import IndexConfig
from .backends import Facts, store_for
from .search import SearchIndex
from .store import (
    FORMAT_VERSION, BuildReport, Progress, build_folder, build_index, build_lock, clean_stale, has_index,
    index_inputs, is_current, kept_source, load_documents, read_manifest, resolve_source,
)

log = logging.getLogger("budgetqa.index")


@dataclass(frozen=True)
class LoadedIndex:
    """One build of the index as read from its folder: its fact store (open, read on demand),
    the documents (as `DocumentInfo` and as parsed), the manifest, and the build folder they
    came from."""

    store: Facts
    documents: dict[str, DocumentInfo]
    manifest: dict[str, Any]
    parsed: Mapping[str, BudgetDocument]  # each read when first asked for (`layout.KeptDocuments`)
    build: Path

    @classmethod
    def read(cls, folder: Path, config: IndexConfig | None = None) -> LoadedIndex:
        """`config` names the store the facts are in (`IndexConfig.store`); from the environment by default."""
        build = build_folder(folder)  # resolved once: every file below comes from the same build
        manifest = read_manifest(build)
        # read on demand, through the store's own name index (SQLite or PostgreSQL)
        store = store_for(config or IndexConfig.from_env()).open_facts(build)
        documents = {d.doc_id: d for d in store.documents()}
        return cls(store, documents, manifest, _parsed_documents(build, manifest), build)

    def parsed_files(self, files: Iterable[Path]) -> dict[Path, BudgetDocument]:
        """Those of `files` this index holds (matched by content), as it parsed them: a build
        of the same files elsewhere (another store) need not parse them again."""
        # by the manifest's sha256s: only the matching documents are read
        by_sha = {info["sha256"]: doc_id for doc_id, info in self.manifest["documents"].items() if doc_id in self.parsed}
        out = {}
        for path in files:
            with Path(path).open("rb") as fh:
                digest = hashlib.file_digest(fh, "sha256").hexdigest()
            doc = self.parsed[by_sha[digest]] if digest in by_sha else None
            if doc is not None and doc.sha256 == digest:  # an index of the old layout re-parsed its sources
                out[Path(path)] = doc
        return out


def _parsed_documents(build: Path, manifest: dict[str, Any]) -> Mapping[str, BudgetDocument]:
    """The documents as parsed: from the index itself; an index written before it kept them
    is read from its sources, and a source that cannot be read is left out, never fatal."""
    if manifest.get("format_version") == FORMAT_VERSION:
        return load_documents(build, manifest)
    out = {}
    for doc_id, info in manifest["documents"].items():
        try:
            out[doc_id] = corpus.load(resolve_source(info["source"]))
        except corpus.ParseError as err:
            log.warning("document %s left out of the table browser: %s", doc_id, err)
    return out


@dataclass(frozen=True)
class SourceFinding:
    """An indexed document whose file is gone or changed since it was indexed. The index
    answers from what it kept, so this is for staff to know, not a failure."""

    doc_id: str
    path: Path
    problem: str  # "missing" or "changed"

    @property
    def message(self) -> str:
        if self.problem == "missing":
            return (f"文档“{self.path.name}”的源文件已不在 {self.path.parent}。问答和表格浏览不受影响（索引保存了"
                    "它的解析结果和副本）；如需恢复源文件，请把它放回原处。")
        return (f"文档“{self.path.name}”的源文件在建立索引后被改动过。索引仍按导入时的内容回答；"
                "如需使用新内容，请重新上传该文件。")


def source_findings(manifest: dict[str, Any]) -> list[SourceFinding]:
    out = []
    for doc_id, info in manifest["documents"].items():
        path = resolve_source(info["source"])
        if not path.is_file():
            out.append(SourceFinding(doc_id, path, "missing"))
        elif hashlib.sha256(path.read_bytes()).hexdigest() != info["sha256"]:
            out.append(SourceFinding(doc_id, path, "changed"))
    return out


class LiveIndex:
    """An index folder that questions are answered from. Thread-safe: one build at a time,
    and readers keep the index they loaded until the folder's `CURRENT` names another build."""

    def __init__(self, folder: str | Path, config: IndexConfig):
        self.folder = Path(folder)
        self.config = config
        self._lock = threading.RLock()        # guards the loaded state
        self._build_lock = threading.Lock()   # one build at a time; answers go on meanwhile
        self._loaded: LoadedIndex | None = None
        self._search: SearchIndex | None = None

    def ensure(self, progress: Progress | None = None, *, show_bars: bool | None = None) -> BuildReport | None:
        """Build the bundled corpus's index when the folder has none; rebuild an index made
        by older parsing code from the copies it keeps of its files (unchanged texts keep
        their cached embeddings). Returns the build's report, or None when the index was current."""
        with self._build_lock:
            self._clean()
            if not has_index(self.folder):
                return build_index([corpus.default_corpus_dir()], self.folder, self.config,
                                   progress=progress, show_bars=show_bars)
            if is_current(read_manifest(self.folder)):
                return None
            inputs = index_inputs(self.folder)
            report = build_index(list(inputs) or [corpus.default_corpus_dir()], self.folder, self.config,
                                 progress=progress, show_bars=show_bars, origins=inputs)
            self.reload()
            return report

    def _clean(self) -> None:
        """At start: remove what a killed build left, unless another process is building now."""
        if self.folder.is_dir():
            with build_lock(self.folder, wait=False) as held:
                if held:
                    clean_stale(self.folder)

    def current(self) -> LoadedIndex:
        """The loaded index, read on first use (and built first if need be), and read again
        when another build has been put in use since (by this process or another)."""
        if self._loaded is None:
            self.ensure()
        with self._lock:
            if self._loaded is None or self._loaded.build != build_folder(self.folder):
                self._loaded, self._search = LoadedIndex.read(self.folder, self.config), None
            return self._loaded

    def search_index(self) -> SearchIndex:
        with self._lock:
            loaded = self.current()
            if self._search is None:
                self._search = SearchIndex(loaded.build, self.config)
            return self._search

    def reload(self) -> None:
        """Forget the loaded index; the next use reads the folder again."""
        with self._lock:
            self._loaded, self._search = None, None

    def documents(self) -> list[BudgetDocument]:
        """Every indexed document as parsed, from the index itself (reads each one: for a
        list of them, `catalogue`; for one, `parsed`)."""
        return list(self.current().parsed.values())

    def catalogue(self) -> list[DocumentInfo]:
        """Every indexed document as the fact store lists it (who, year, kind, file), in the
        manifest's order, without reading a parsed document."""
        loaded = self.current()
        return [loaded.documents[d] for d in loaded.manifest["documents"] if d in loaded.documents]

    def parsed(self) -> Mapping[str, BudgetDocument]:
        """doc_id → the document as parsed, each read when asked for (the few an answer cites)."""
        return self.current().parsed

    def source_file(self, doc_id: str) -> Path | None:
        """The file a document was parsed from (the index's own copy when it kept one), for
        showing its printed pages; None for a document not in the index or without a file."""
        loaded = self.current()
        info = loaded.manifest["documents"].get(doc_id)
        return kept_source(loaded.build, info) if info else None

    def source_findings(self) -> list[SourceFinding]:
        """The indexed documents whose files are gone or changed (shown to staff)."""
        return source_findings(self.current().manifest)

    def add_document(self, path: str | Path, progress: Progress | None = None, source: str | Path | None = None,
                     parsed: BudgetDocument | None = None, replaces: str | None = None) -> BudgetDocument:
        """Parse a new document (unless it comes `parsed`) and update the index incrementally,
        in place of document `replaces` when given (one build: the index holds the old
        document or the new one, never neither); a bad file raises `corpus.ParseError` and
        leaves the index untouched. `source` is where the file will live when `path` is a
        staged copy of it."""
        path = Path(path)
        final = Path(source) if source else path
        # parse first: a bad file never reaches the index
        doc = replace(parsed if parsed is not None else corpus.load(path), source=str(final))
        self.current()  # an index to add to (built first if there is none)
        with self._build_lock:
            # the folder's own list, read under the build lock: it includes a document that
            # another build added since this index was loaded
            inputs = {**index_inputs(self.folder, without=[replaces] if replaces else []), path: final}
            build_index(list(inputs), self.folder, self.config, progress=progress, origins=inputs,
                        parsed={path: doc})
        self.reload()
        return doc

    def remove_document(self, doc_id: str, progress: Progress | None = None) -> None:
        """Rebuild the index without document `doc_id` (the others keep their nodes and
        vectors); swapped in atomically like any build. An unknown id changes nothing."""
        self.current()
        with self._build_lock:
            inputs = index_inputs(self.folder, without=[doc_id])
            if doc_id not in read_manifest(self.folder)["documents"] or not inputs:
                return   # nothing to remove, or nothing would be left to answer from
            build_index(list(inputs), self.folder, self.config, progress=progress, origins=inputs)
        self.reload()
