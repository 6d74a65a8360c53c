"""An index folder on disk, as `index.store` writes it: `CURRENT` names the build in use,
`builds/<name>/` holds the build (manifest, nodes, facts, the documents as parsed, copies of
their files). Reading it, checking it is current, and the lock builds take turns with."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import pickle
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping

from corpus.model import BudgetDocument

from .config import PROJECT_ROOT
from .lexical import TOKENIZER_VERSION

if TYPE_CHECKING:
    from llama_index.core.schema import TextNode

FORMAT_VERSION = 2  # 2: builds/<name> behind CURRENT, with documents/ and sources/
MANIFEST = "manifest.json"
NODES = "nodes.jsonl"
FACTS = "facts.sqlite"
CURRENT = "CURRENT"
BUILDS = "builds"
DOCUMENTS = "documents"
SOURCES = "sources"
LOCK = ".lock"
KEPT_DOCUMENTS = 32  # parsed documents a serving process keeps: an answer cites a few, the browser shows one

log = logging.getLogger("budgetqa.index")


class IndexProblem(Exception):
    """Base for index problems that a user can fix."""


class IndexMissing(IndexProblem):
    """No index at the given folder."""


class IndexMismatch(IndexProblem):
    """The index was built with another embedder or an older format."""


def portable(path: Path) -> str:
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


def build_folder(folder: str | Path) -> Path:
    """The folder the index at `folder` is read from: the build `CURRENT` names, or `folder`
    itself for an index written before builds had folders of their own (or a build folder)."""
    folder = Path(folder)
    try:
        name = (folder / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        if (folder / MANIFEST).exists():
            return folder
        raise IndexMissing(f"no index at {folder}: build one with `python -m index build --out {folder}`") from None
    return folder / BUILDS / name


def has_index(folder: str | Path) -> bool:
    try:
        return (build_folder(folder) / MANIFEST).exists()
    except IndexMissing:
        return False


def read_manifest(folder: Path) -> dict:
    path = build_folder(folder) / MANIFEST
    if not path.exists():
        raise IndexMissing(f"no index at {folder}: build one with `python -m index build --out {folder}`")
    return json.loads(path.read_text(encoding="utf-8"))


def is_current(manifest: dict) -> bool:
    """Whether this code would write the same index: same format and same parsing code."""
    return manifest.get("format_version") == FORMAT_VERSION and manifest.get("pipeline") == pipeline_fingerprint()


def check_manifest(manifest: dict, folder: Path, embedder_name: str, store: str = "sqlite") -> None:
    """Raise IndexMismatch unless this code, with this embedder and store kind
    (`index.backends`), can read the index."""
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
    if manifest.get("store", "sqlite") != store:
        raise IndexMismatch(f"index at {folder} keeps its facts and search indexes in {manifest.get('store', 'sqlite')}, "
                            f"but {store} is configured (BUDGETQA_STORE); {rebuild}")


def load_nodes(folder: Path) -> list[TextNode]:
    """The nodes of a built index, in the order the BM25 and dense indexes number them."""
    from llama_index.core.schema import TextNode

    with (build_folder(folder) / NODES).open(encoding="utf-8") as fh:
        return [TextNode.from_dict(json.loads(line)) for line in fh if line.strip()]


def load_documents(folder: Path, manifest: dict) -> KeptDocuments:
    """The documents as parsed when the index was built, from the index alone, each read
    when first asked for."""
    return KeptDocuments(build_folder(folder), manifest)


class KeptDocuments(Mapping[str, BudgetDocument]):
    """doc_id → the document as parsed, read from its pickle in the build folder when asked
    for; the last `KEPT_DOCUMENTS` asked for are kept. Answering a question never asks (it
    reads the fact store), the page asks for the few an answer cites or the table browser
    shows, and a check over every document (an upload's duplicate check) passes through
    without keeping them: at N = 1,000 synthetic budgets all of them were ~570 MB. The
    pickles are the index's own files, written by `build_index`, never input from outside."""

    def __init__(self, build: Path, manifest: dict, kept: int = KEPT_DOCUMENTS) -> None:
        self._build = build
        self._sha256 = {doc_id: info["sha256"] for doc_id, info in manifest["documents"].items()}
        self._kept = kept
        self._read: OrderedDict[str, BudgetDocument] = OrderedDict()
        self._lock = threading.Lock()   # the page's sessions ask from several threads

    def __getitem__(self, doc_id: str) -> BudgetDocument:
        with self._lock:
            if doc_id in self._read:
                self._read.move_to_end(doc_id)
                return self._read[doc_id]
        with (self._build / DOCUMENTS / f"{self._sha256[doc_id]}.pickle").open("rb") as fh:
            doc = pickle.load(fh)
        with self._lock:
            self._read[doc_id] = doc
            while len(self._read) > self._kept:
                self._read.popitem(last=False)
        return doc

    def __iter__(self) -> Iterator[str]:
        return iter(self._sha256)

    def __len__(self) -> int:
        return len(self._sha256)


def index_inputs(folder: Path, without: Iterable[str] = ()) -> dict[Path, Path]:
    """The files to rebuild the index at `folder` from, each with the source it stands for:
    the copy kept in the index, else the original; documents `without` are left out (a
    removal). A document with neither file is dropped, and logged."""
    data = build_folder(folder)
    inputs: dict[Path, Path] = {}
    left_out = set(without)
    for doc_id, info in read_manifest(folder)["documents"].items():
        if doc_id in left_out:
            continue
        original = resolve_source(info["source"])
        kept = kept_source(data, info)
        if kept is not None:
            inputs[kept] = original
        else:
            log.warning("document %s dropped: neither its file %s nor a copy in the index exists", doc_id, original)
    return inputs


def kept_source(build: Path, info: Mapping) -> Path | None:
    """A document's file: the copy kept in the build folder, else the original; None when
    neither exists."""
    copy = build / info["copy"] if info.get("copy") else None
    if copy is not None and copy.exists():
        return copy
    original = resolve_source(info["source"])
    return original if original.exists() else None


@contextlib.contextmanager
def build_lock(out: Path, wait: bool = True) -> Iterator[bool]:
    """One build of `out` at a time, across processes (a staff and a public instance may
    share the folder). Yields whether the lock is held: False only when `wait` is False and
    another process is building."""
    out.mkdir(parents=True, exist_ok=True)
    with (out / LOCK).open("a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
