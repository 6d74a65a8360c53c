"""Refuse a file over `corpus.limits.ReadLimits` before a reader inflates it.

Checked in this order, each cheap before the next: the file's size (stat), a text's line
count, a zip's directory (declared sizes and ratios: a zip bomb is refused without being
inflated), then the rows and cells its sheet or document XML holds, counted in a streamed
read that stops at the limit (openpyxl would build every cell first: ~10 KB of memory a row).
After reading, the tables of every format are counted once more (PDF, .xls, HTML, text).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from ..blocks import Block, RawTable
from ..limits import MB, ReadLimits, check
from .sniff import is_zip

CHUNK = 1 * MB
_TAIL = 16  # a tag split between two chunks is counted in the next one

# (member name pattern, row tag, cell tag) per zipped format; tags may carry a namespace prefix
_ZIP_TABLES = {
    "xlsx": (re.compile(r"xl/worksheets/[^/]+\.xml$"), rb"<(?:\w+:)?row[\s>/]", rb"<(?:\w+:)?c[\s>/]"),
    "docx": (re.compile(r"word/[^/]+\.xml$"), rb"<w:tr[\s>/]", rb"<w:tc[\s>/]"),
}


def check_file(path: Path, fmt: str, limits: ReadLimits) -> None:
    """The file's size, before it is read."""
    size = path.stat().st_size
    check(path.name, "max_file_bytes", size, limits)
    if fmt in ("txt", "html"):
        check(path.name, "max_text_bytes", size, limits)


def check_text(data: bytes, source: str, limits: ReadLimits) -> None:
    check(source, "max_text_lines", data.count(b"\n") + 1, limits)


_HTML_TAGS = re.compile(rb"<(tr)[\s>/]|<t[dh][\s>/]", re.IGNORECASE)


def check_html(data: bytes, source: str, limits: ReadLimits) -> None:
    """An HTML page's lines, then its table rows and cells, counted in the bytes before the
    page is parsed into a tree (a node per cell)."""
    check_text(data, source, limits)
    _count(source, (m.group(1) is not None for m in _HTML_TAGS.finditer(data)), limits)


def check_zip(data: bytes, fmt: str, source: str, limits: ReadLimits) -> None:
    """An .xlsx or .docx: declared sizes and ratios first, then its table rows and cells.
    Python's zipfile never inflates a member past its declared size, so the declared sizes
    bound everything read here and later by openpyxl or python-docx."""
    if not is_zip(data):
        return  # not a zip: the reader says what it is
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with archive:
        members = archive.infolist()
        check(source, "max_unzipped_bytes", sum(m.file_size for m in members), limits)
        for m in members:
            if m.file_size > MB:
                check(source, "max_zip_ratio", m.file_size // max(m.compress_size, 1), limits)
        if fmt in _ZIP_TABLES:
            _count_tables(archive, members, fmt, source, limits)


def _count_tables(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], fmt: str, source: str,
                  limits: ReadLimits) -> None:
    names, row_tag, cell_tag = _ZIP_TABLES[fmt]
    pattern = re.compile(b"(" + row_tag + b")|" + cell_tag)

    def tags() -> Iterable[bool]:
        for m in members:
            if names.match(m.filename):
                with archive.open(m) as fh:
                    yield from _tags(fh, pattern)
    try:
        _count(source, tags(), limits)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return  # a damaged member: the reader reports it


def _count(source: str, tags: Iterable[bool], limits: ReadLimits) -> None:
    """Count rows (True) and cells (False) as they come; stop at the first over its limit."""
    rows = cells = 0
    for is_row in tags:
        if is_row:
            rows += 1
            check(source, "max_rows", rows, limits)
        else:
            cells += 1
            check(source, "max_cells", cells, limits)


def _tags(fh: IO[bytes], pattern: re.Pattern[bytes]) -> Iterable[bool]:
    """Whether each tag found is a row (else a cell), reading a chunk at a time."""
    tail = b""
    while chunk := fh.read(CHUNK):
        buf = tail + chunk
        cut = len(buf) - _TAIL
        for m in pattern.finditer(buf, 0, cut + _TAIL):
            if m.start() >= cut:
                break
            yield m.group(1) is not None
        tail = buf[max(cut, 0):]
    for m in pattern.finditer(tail):
        yield m.group(1) is not None


def check_blocks(blocks: list[Block], source: str, limits: ReadLimits) -> None:
    """Rows and cells of every table read, whatever the format."""
    rows = cells = 0
    for b in blocks:
        if isinstance(b, RawTable):
            rows += len(b.rows)
            cells += sum(len(r) for r in b.rows)
    check(source, "max_rows", rows, limits)
    check(source, "max_cells", cells, limits)

