"""Plain-text budgets (text extracted from a PDF, tables tab-separated) and encoding detection."""

from __future__ import annotations

import re
from pathlib import Path

from .blocks import Block, ParseError, RawCell, RawTable, TextLine
from .model import Location

# Lines that look like table rows but are really the title/unit/department lines around a
# table (the seed prints "附表5\t\t一般公共预算支出表\t\t单位：万元" on one tab line).
_META_CELL = re.compile(r"^(附表\s*\d+|部门/单位|部门（单位）|单位\s*[:：]|填报日期|申报日期)")


def decode_bytes(data: bytes, source: str) -> str:
    """Detect the encoding (UTF-8, UTF-8 with BOM, GBK/GB18030 …) rather than assume it."""
    if not data.strip():
        raise ParseError(f"{source}: the file is empty; export the budget again and retry")
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # GB18030 is a superset of GBK and GB2312; strict decoding fails on binary garbage.
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_like_text(text):
        return text
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or not _looks_like_text(str(best)):
        raise ParseError(
            f"{source}: not readable as text in any known encoding (binary file?); "
            "supported formats are .txt, .pdf, .xlsx, .xls, .docx, .html"
        )
    return str(best)


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return control / len(text) < 0.01


def read_txt(path: Path) -> list[Block]:
    text = decode_bytes(path.read_bytes(), path.name)
    return text_to_blocks(text, path.name)


def text_to_blocks(text: str, source: str) -> list[Block]:
    """Tab lines become table grids (a run of them, blank lines allowed in between, is one
    table); everything else becomes text lines with their line numbers."""
    blocks: list[Block] = []
    grid: list[tuple[int, list[str]]] = []

    def flush() -> None:
        if grid:
            blocks.append(_grid_to_table(grid, source))
            grid.clear()

    for lineno, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = line.replace("\f", "")
        if not line.strip():
            continue
        if "\t" in line:
            cells = line.split("\t")
            if _META_CELL.match(next((c.strip() for c in cells if c.strip()), "")):
                flush()
                for cell in cells:
                    if cell.strip():
                        blocks.append(TextLine(cell.strip(), Location(source, line=lineno)))
                continue
            grid.append((lineno, cells))
            continue
        flush()
        blocks.append(TextLine(line.strip(), Location(source, line=lineno)))
    flush()
    return blocks


def _grid_to_table(grid: list[tuple[int, list[str]]], source: str) -> RawTable:
    width = max(len(cells) for _, cells in grid)
    rows = [[RawCell(c.strip()) for c in cells] + [RawCell("")] * (width - len(cells)) for _, cells in grid]
    locations = [Location(source, line=lineno) for lineno, _ in grid]
    return RawTable(rows=rows, location=locations[0], row_locations=locations)
