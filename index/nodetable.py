"""The nodes of a built index, read on demand from its nodes.jsonl.

A served index used to hold every node as a llama-index `TextNode` (text, metadata and the
pydantic object around them): measured at N = 100 synthetic budgets (23,776 nodes), 127 MB of
the 390 MB a serving process holds with its search index loaded, the largest single part
(the FAISS vectors 51 MB, bm25s 24 MB), growing with the corpus. A search needs only a few
nodes whole — the k it returns — and, to filter, four values of each: its document, the
document's department and year, and its kind. So `NodeTable` keeps the byte offset of each
line of nodes.jsonl and those four values as small integer columns (a document number and a
kind number per node: 14 bytes a node with its offset), and parses a node's line when it is
asked for. The build saves those columns beside the file (nodes.table.npz); an index built
before that is scanned once when opened, and reads the same way.
"""

from __future__ import annotations

import json
import os
import weakref
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

import numpy as np

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode

    from .search import Filters

# What a filter reads of a node's metadata: (doc_id, department, year), the same for every
# node of a document, and node_kind. Kept as they are in the file (None when missing), so a
# filter decides exactly as it would over the node's metadata.
DocumentKey = tuple[Any, Any, Any]
PARSED_KEPT = 256  # nodes kept parsed: a hybrid search and the passages after it ask for the same few


def table_path(nodes: Path) -> Path:
    """Where the build saves a nodes file's table: nodes.jsonl → nodes.table.npz."""
    return nodes.with_suffix(".table.npz")


class NodeTable(Sequence["TextNode"]):
    """`table[i]` is node i of the build (the position BM25 and FAISS number it by), parsed
    from its line of nodes.jsonl; `allowed(filters)` is the positions a filter keeps,
    computed from the columns without reading a node."""

    def __init__(self, path: Path, offsets: np.ndarray, documents: tuple[DocumentKey, ...], document_of: np.ndarray,
                 kinds: tuple[Any, ...], kind_of: np.ndarray) -> None:
        self.path = path
        self._offsets = offsets  # n + 1 entries: line i is bytes offsets[i]:offsets[i + 1]
        self._documents, self._document_of = documents, document_of
        self._kinds, self._kind_of = kinds, kind_of
        # one descriptor for the table's life, read with pread (no shared file position, so
        # threads may read at once); a build folder removed under a serving process stays readable
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)
        self._parsed = lru_cache(maxsize=PARSED_KEPT)(self._parse)
        # a hybrid search asks for one filter's positions three times (the empty check, lexical, dense)
        self.allowed = lru_cache(maxsize=8)(self._allowed)

    @classmethod
    def open(cls, path: Path) -> NodeTable:
        """The table the build saved beside nodes.jsonl (`save`); a scan of the file for an
        index built before there was one, or when the saved table does not end where the file
        does."""
        saved = table_path(path)
        if saved.exists():
            with np.load(saved, allow_pickle=False) as z:
                offsets = z["offsets"]
                if int(offsets[-1]) == path.stat().st_size:
                    documents, kinds = json.loads(z["keys"].tobytes())
                    return cls(path, offsets, tuple(tuple(d) for d in documents), z["document_of"],
                               tuple(kinds), z["kind_of"])
        return cls.read(path)

    def save(self) -> None:
        """Write the columns beside nodes.jsonl, so opening the index needs no scan of it
        (1.9 s at N = 1,000 synthetic budgets)."""
        keys = json.dumps([self._documents, self._kinds], ensure_ascii=False).encode("utf-8")
        with table_path(self.path).open("wb") as fh:
            np.savez(fh, offsets=self._offsets, document_of=self._document_of, kind_of=self._kind_of,
                     keys=np.frombuffer(keys, dtype=np.uint8))

    @classmethod
    def read(cls, path: Path) -> NodeTable:
        """Scan nodes.jsonl once: each line's offset and the values filters read."""
        offsets, document_of, kind_of = [], [], []
        documents: dict[DocumentKey, int] = {}
        kinds: dict[Any, int] = {}
        position = 0
        with path.open("rb") as fh:
            for line in fh:
                if line.strip():  # as load_nodes: blank lines are not nodes
                    meta = json.loads(line)["metadata"]
                    key = (meta.get("doc_id"), meta.get("department"), meta.get("year"))
                    offsets.append(position)
                    document_of.append(documents.setdefault(key, len(documents)))
                    kind_of.append(kinds.setdefault(meta.get("node_kind"), len(kinds)))
                position += len(line)
        # a line ends where the next begins (json.loads skips the blank lines between)
        return cls(path, np.array([*offsets, position], dtype=np.int64), tuple(documents),
                   np.array(document_of, dtype=np.int32), tuple(kinds), np.array(kind_of, dtype=np.int16))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> TextNode: ...
    @overload
    def __getitem__(self, i: slice) -> list[TextNode]: ...

    def __getitem__(self, i: int | slice) -> TextNode | list[TextNode]:
        if isinstance(i, slice):
            return [self._parsed(j) for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(f"node {i} of {len(self)}")
        return self._parsed(i % len(self))

    def __iter__(self) -> Iterator[TextNode]:
        return (self._parse(i) for i in range(len(self)))  # a whole pass is not kept parsed

    def _parse(self, i: int) -> TextNode:
        from llama_index.core.schema import TextNode

        start, end = int(self._offsets[i]), int(self._offsets[i + 1])
        return TextNode.from_dict(json.loads(os.pread(self._fd, end - start, start)))

    def doc_ids(self) -> set[Any]:
        """The documents the nodes belong to, read from the columns."""
        return {doc_id for doc_id, _, _ in self._documents}

    def _allowed(self, filters: Filters) -> np.ndarray:
        """The positions of the nodes `filters` keeps, ascending (`allowed`, kept for the last few filters)."""
        documents = np.fromiter((filters.allows_document(*key) for key in self._documents), dtype=bool,
                                count=len(self._documents))
        kinds = np.fromiter((filters.allows_kind(kind) for kind in self._kinds), dtype=bool, count=len(self._kinds))
        return np.flatnonzero(documents[self._document_of] & kinds[self._kind_of])
