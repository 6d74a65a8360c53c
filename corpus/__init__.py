"""Budget documents (txt, pdf, xlsx, xls, docx, html) → a typed `BudgetDocument`.

    import corpus
    doc = corpus.load("corpus/data/2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt")
    doc.table("附表7").rows[0].value("公务接待费")   # Decimal('0.50'), unit 万元
"""

from __future__ import annotations

from pathlib import Path

from .blocks import Block, NoTextLayer, ParseError, UnsupportedFormat
from .limits import ReadLimits, TooLarge, check
from .model import (
    BudgetDocument, Cell, Field, Finding, KeyValueRecord, Location, Paragraph, Row, Section, Table,
)
from .readers import SUPPORTED_SUFFIXES, read_blocks

__all__ = [
    "BudgetDocument", "Cell", "Field", "Finding", "KeyValueRecord", "Location", "Paragraph", "Row",
    "Section", "Table", "ParseError", "NoTextLayer", "UnsupportedFormat", "ReadLimits", "TooLarge",
    "load", "load_dir", "load_parts", "default_corpus_dir", "SUPPORTED_SUFFIXES",
]


def default_corpus_dir() -> Path:
    """The bundled default corpus: the seed budget that ships with the project."""
    return Path(__file__).resolve().parent / "data"


def load(path: str | Path, limits: ReadLimits | None = None) -> BudgetDocument:
    """Parse one budget document. Raises `ParseError` (naming the file) on bad input, and
    `TooLarge` (a ParseError) for a file over `limits` (default: from the environment)."""
    from .assemble import assemble

    path = Path(path)
    if not path.exists():
        raise ParseError(f"{path}: no such file")
    if path.is_dir():
        raise ParseError(f"{path}: is a folder; use load_dir() or pass a file")
    limits = limits or ReadLimits.from_env()
    doc = assemble(read_blocks(path, limits=limits), path)
    check(path.name, "max_paragraphs", len(doc.paragraphs), limits)   # before any is embedded
    return doc


def load_parts(paths: list[str | Path]) -> BudgetDocument:
    """A department that publishes narrative and tables as separate files: parse them as
    one document, in the order given; the first file names the document."""
    from .assemble import assemble
    import hashlib

    files = [Path(p) for p in paths]
    if not files:
        raise ParseError("load_parts: no files given")
    blocks: list[Block] = []
    digest = hashlib.sha256()
    for f in files:
        if not f.exists():
            raise ParseError(f"{f}: no such file")
        blocks.extend(read_blocks(f))
        digest.update(f.read_bytes())
    return assemble(blocks, files[0], data=digest.digest(), sources=tuple(f.name for f in files))


def load_dir(directory: str | Path) -> list[BudgetDocument]:
    """Every supported document in a folder (not recursive), sorted by name."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ParseError(f"{directory}: not a folder")
    files = sorted(p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
    return [load(p) for p in files]
