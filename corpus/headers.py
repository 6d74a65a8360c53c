"""Multi-row table headers resolved into one column path per grid column.

A header cell covers a range of columns: known from the format (PDF bbox, XLSX merge,
HTML colspan) or, for tab-separated text, inferred — it runs right until the next
non-empty cell of its row, but never past the range of the cell above it. So in

    科目编码 | 科目名称 | 合计 | 基本支出 |        |        | 项目支出
             |          |      | 小计     | 人员经费 | 公用经费 |

column 4 resolves to (基本支出, 人员经费) and column 6 to (项目支出,).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .blocks import RawCell
from .text import clean_label


@dataclass(frozen=True)
class HeaderSpan:
    row: int
    start: int
    end: int  # inclusive
    text: str


def header_spans(rows: Sequence[Sequence[RawCell | None]]) -> list[HeaderSpan]:
    """Every non-empty header cell with the column range it covers."""
    width = len(rows[0]) if rows else 0
    spans: list[HeaderSpan] = []
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell is None or not clean_label(cell.text):
                continue
            if cell.span is not None:
                end = c + max(cell.span, 1) - 1
            elif r == len(rows) - 1 and r > 0:
                end = c  # the bottom header row names single columns
            else:
                end = min(_next_filled(row, c) - 1, _bound_above(spans, c, width))
            spans.append(HeaderSpan(r, c, min(end, width - 1), clean_label(cell.text)))
    return spans


def _next_filled(row: Sequence[RawCell | None], c: int) -> int:
    for j in range(c + 1, len(row)):
        cell = row[j]
        if cell is not None and clean_label(cell.text):
            return j
        if cell is not None and cell.span is not None:
            return j  # an explicitly empty cell of known width ends the span too
    return len(row)


def _bound_above(spans: list[HeaderSpan], c: int, width: int) -> int:
    """The right edge of the deepest header cell above that covers column c."""
    covering = [s for s in spans if s.start <= c <= s.end]
    if not covering:
        return width - 1
    return max(covering, key=lambda s: s.row).end


def column_paths(rows: Sequence[Sequence[RawCell | None]]) -> list[tuple[str, ...]]:
    """One path per column: the texts of the header cells covering it, top to bottom."""
    width = len(rows[0]) if rows else 0
    spans = header_spans(rows)
    paths = []
    for c in range(width):
        covering = sorted((s for s in spans if s.start <= c <= s.end), key=lambda s: s.row)
        path: list[str] = []
        for s in covering:
            if not path or path[-1] != s.text:  # a vertically merged cell repeated per row
                path.append(s.text)
        paths.append(tuple(path))
    return paths


def is_column_number_row(row: Sequence[RawCell | None]) -> bool:
    """The `1 2 3 … 14` row (栏次) some templates print under the header."""
    texts = [clean_label(c.text) for c in row if c is not None and clean_label(c.text)]
    if len(texts) < 3:
        return False
    return texts == [str(i) for i in range(1, len(texts) + 1)] or all(
        re.fullmatch(r"栏次|\d+", t) for t in texts
    ) and texts[0] == "栏次"
