"""Format readers: a file in, `Block`s out (text lines and raw grids, in reading order).

One module per format (txt, pdf, xlsx, xls, docx, html), each the only importer of its
library; `read_blocks` is the one dispatch. The name says which format a file claims to
be; for spreadsheets the bytes decide (`sniff.actual_format`), so an old workbook saved
as .xlsx, a new one saved as .xls or an HTML page named .xls are still read.

    from corpus.readers import read_blocks
    blocks = read_blocks(Path("budget.xlsx"))
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..blocks import Block, ParseError, UnsupportedFormat
from ..limits import ReadLimits
from .docx import docx_blocks
from .guard import check_blocks, check_file, check_html, check_text, check_zip
from .html import html_blocks
from .pdf import pdf_blocks
from .sniff import Format, actual_format
from .txt import txt_blocks
from .xls import xls_blocks
from .xlsx import xlsx_blocks

__all__ = [
    "Format", "FORMATS", "SUPPORTED_SUFFIXES", "claimed_format", "read_blocks",
    "read_txt", "read_pdf", "read_xlsx", "read_xls", "read_docx", "read_html",
]

FORMATS: dict[str, Format] = {
    ".txt": "txt", ".pdf": "pdf", ".xlsx": "xlsx", ".xls": "xls", ".docx": "docx", ".html": "html", ".htm": "html",
}
SUPPORTED_SUFFIXES = tuple(FORMATS)

# Readers of a file's bytes; the name is used in messages and locations.
_BYTE_READERS: dict[Format, Callable[[bytes, str], list[Block]]] = {
    "xlsx": xlsx_blocks, "xls": xls_blocks, "docx": docx_blocks, "html": html_blocks,
}


def claimed_format(path: Path) -> Format:
    """The format a file's extension names."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UnsupportedFormat(
            f"{path.name}: unsupported file type '{suffix or '(none)'}'; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}"
        )
    return FORMATS[suffix]


def read_blocks(path: str | Path, claimed: Format | None = None, limits: ReadLimits | None = None) -> list[Block]:
    """Read a budget file into blocks. `claimed` stands in for the extension. A file over
    `limits` (default: `ReadLimits.from_env()`) raises `corpus.limits.TooLarge` before the
    reader inflates it."""
    path = Path(path)
    limits = limits or ReadLimits.from_env()
    fmt = claimed or claimed_format(path)
    check_file(path, fmt, limits)
    if fmt == "pdf":
        blocks = pdf_blocks(path, limits.max_pages)  # pdfplumber reads the file itself, a page at a time
    else:
        blocks = _read_bytes(path, fmt, limits)
    check_blocks(blocks, path.name, limits)
    return blocks


def _read_bytes(path: Path, fmt: Format, limits: ReadLimits) -> list[Block]:
    data = path.read_bytes()
    if fmt == "txt":
        check_text(data, path.name, limits)
        return txt_blocks(data, path.name)
    if not data:
        raise ParseError(f"{path.name}: the file is empty (0 bytes); download or export it again.")
    actual = actual_format(fmt, data)
    if actual in ("xlsx", "docx"):
        check_zip(data, actual, path.name, limits)
    elif actual == "html":
        check_html(data, path.name, limits)
    return _BYTE_READERS[actual](data, path.name)


# A file read as the format its name would claim (the extension is not looked at).


def read_txt(path: str | Path) -> list[Block]:
    return read_blocks(path, "txt")


def read_pdf(path: str | Path) -> list[Block]:
    return read_blocks(path, "pdf")


def read_xlsx(path: str | Path) -> list[Block]:
    return read_blocks(path, "xlsx")


def read_xls(path: str | Path) -> list[Block]:
    return read_blocks(path, "xls")


def read_docx(path: str | Path) -> list[Block]:
    return read_blocks(path, "docx")


def read_html(path: str | Path) -> list[Block]:
    return read_blocks(path, "html")
