"""Plain-text budgets (text extracted from a PDF, tables tab-separated)."""

from __future__ import annotations

import re

from ..blocks import Block, RawCell, RawTable, TextLine
from ..model import Location
from .encoding import decode_bytes

# Lines that look like table rows but are really the title/unit/department lines around a
# table (the seed prints "附表5\t\t一般公共预算支出表\t\t单位：万元" on one tab line).
_META_CELL = re.compile(r"^(附表\s*\d+|部门/单位|部门（单位）|单位\s*[:：]|填报日期|申报日期)")


def txt_blocks(data: bytes, source: str) -> list[Block]:
    """A text file's bytes, in whatever encoding, as blocks."""
    return text_to_blocks(decode_bytes(data, source), source)


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
    rows = [_padded(cells, width) for _, cells in grid]
    locations = [Location(source, line=lineno) for lineno, _ in grid]
    return RawTable(rows=rows, location=locations[0], row_locations=locations)


def _padded(cells: list[str], width: int) -> list[RawCell | None]:
    row: list[RawCell | None] = [RawCell(c.strip()) for c in cells]
    return row + [RawCell("")] * (width - len(cells))
