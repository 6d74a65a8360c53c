"""Grids continued over pages: a grid right after another of the same width continues
it; a grid of header words cut off at a page's foot heads the wider grid after it."""

from __future__ import annotations

import re

from .blocks import Block, RawCell, RawTable, TextLine
from .grid import cell_text
from .numbers import parse_number
from .text import PAGE_NUMBER_LINE


def merge_continued_tables(blocks: list[Block]) -> list[Block]:
    """A grid right after another grid of the same width (nothing but page numbers in
    between) continues it; a repeated header at its top is dropped."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, TextLine) and PAGE_NUMBER_LINE.match(block.text):
            continue
        prev = out[-1] if out else None
        if isinstance(block, RawTable) and isinstance(prev, RawTable) and _header_fragment(prev, block):
            out[-1] = _prepend_header(prev, block)
            continue
        if isinstance(block, RawTable) and isinstance(prev, RawTable) and block.rows and prev.rows \
                and len(block.rows[0]) == len(prev.rows[0]):
            rows, locs = list(block.rows), list(block.row_locations or [block.location] * len(block.rows))
            header = [[cell_text(c) for c in r] for r in prev.rows[: prev.header_rows or 0]]
            while rows and header and [cell_text(c) for c in rows[0]] in header:
                rows.pop(0)
                locs.pop(0)
            prev_locs = prev.row_locations or [prev.location] * len(prev.rows)
            out[-1] = RawTable(prev.rows + rows, prev.location, prev_locs + locs, prev.header_rows, prev.title, prev.unit)
            continue
        out.append(block)
    return out


def _header_fragment(prev: RawTable, block: RawTable) -> bool:
    """A grid of header words only (收入 | 支出), cut off by the page's end, right before a
    wider grid whose width it divides: the top header row of that grid."""
    if not prev.rows or not block.rows or len(prev.rows) > 2:
        return False
    narrow, wide = len(prev.rows[0]), len(block.rows[0])
    texts = [cell_text(c) for r in prev.rows for c in r if cell_text(c)]
    return wide > narrow and wide % narrow == 0 and bool(texts) \
        and all(parse_number(t) is None and not re.search(r"\d", t) for t in texts)


def _prepend_header(prev: RawTable, block: RawTable) -> RawTable:
    """Spread each fragment cell over its share of the wider grid's columns."""
    share = len(block.rows[0]) // len(prev.rows[0])
    spread = [[x for c in row for x in [RawCell(cell_text(c), span=share)] + [None] * (share - 1)] for row in prev.rows]
    locs = [prev.location] * len(spread) + list(block.row_locations or [block.location] * len(block.rows))
    header = len(spread) + block.header_rows if block.header_rows is not None else None
    return RawTable(spread + block.rows, prev.location, locs, header, block.title or prev.title, block.unit or prev.unit)
