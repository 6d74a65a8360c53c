"""A spreadsheet as positioned texts and merges → `TextLine`s and `RawTable`s.

What the xlsx and xls readers share. A sheet has no "table" object, so the one layout
judgement made here is where a grid starts and ends: caption rows above a grid (a title,
"单位：万元") and note rows below it must become TextLines, or the assembler would see
them as header or data rows. See `_chunks` and `_split_chunk`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..blocks import Block, ParseError, RawCell, RawTable, TextLine
from ..grid import Grid, drop_unmerged_blank_columns
from ..model import Location


@dataclass
class Sheet:
    """What both spreadsheet readers extract: displayed texts by 1-based (row, col), merged
    ranges as inclusive (row0, col0, row1, col1), and which positions have a border."""

    name: str
    texts: dict[tuple[int, int], str]
    merges: list[tuple[int, int, int, int]]
    bordered: set[tuple[int, int]] = field(default_factory=set)
    merges_known: bool = True  # False: xlrd opened the file without formatting records


@dataclass
class _RowInfo:
    """One sheet row, seen as layout: its visible cells (col, text, width)."""

    row: int
    cells: list[tuple[int, str, int]]
    covered: bool  # a vertical merge from a row above reaches into this row
    starts_vmerge: bool  # one of its cells is merged down into the next rows
    bordered: bool

    @property
    def coverage(self) -> int:
        return sum(w for _, _, w in self.cells)


_TABLE_LABEL = re.compile(
    r"^\s*(附表|附件|公开|表)\s*[0-9０-９一二三四五六七八九十]+(\s*[-—－.]\s*[0-9０-９]+)*"
)
_UNIT_LINE = re.compile(r"^\s*(金额)?单位\s*[:：]")
_CAPTION_FIELD = re.compile(
    r"^\s*(部门\s*[/／]?\s*单位|部门|预算单位|编制单位|填报单位|部门名称|单位名称)\s*[:：]"
)


class _SheetLayout:
    """Indexes of one sheet's texts and merges by row, so classifying rows stays linear."""

    def __init__(self, sheet: Sheet):
        self.sheet = sheet
        self.anchors: dict[tuple[int, int], tuple[int, int]] = {}
        self.covered: dict[tuple[int, int], tuple[int, int]] = {}
        self.covered_by_row: dict[int, list[tuple[int, tuple[int, int]]]] = {}
        for r0, c0, r1, c1 in sheet.merges:
            self.anchors[(r0, c0)] = (r1, c1)
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    if (r, c) != (r0, c0):
                        self.covered[(r, c)] = (r0, c0)
                        self.covered_by_row.setdefault(r, []).append((c, (r0, c0)))
        self.texts_by_row: dict[int, list[tuple[int, str]]] = {}
        for (r, c), text in sheet.texts.items():
            if (r, c) not in self.covered:  # Excel keeps only the top-left value of a merge
                self.texts_by_row.setdefault(r, []).append((c, text))

    def occupied_rows(self) -> list[int]:
        """Rows with text, or reached by a merge whose anchor has text (a header's 2nd row)."""
        rows = set(self.texts_by_row)
        for r, covered in self.covered_by_row.items():
            if any(anchor in self.sheet.texts for _, anchor in covered):
                rows.add(r)
        return sorted(rows)

    def row_info(self, row: int) -> _RowInfo:
        cells, starts_vmerge, bordered = [], False, False
        for c, text in sorted(self.texts_by_row.get(row, [])):
            r1, c1 = self.anchors.get((row, c), (row, c))
            cells.append((c, text, c1 - c + 1))
            starts_vmerge |= r1 > row
            bordered |= (row, c) in self.sheet.bordered
        covered = any(
            anchor[0] < row and anchor in self.sheet.texts for _, anchor in self.covered_by_row.get(row, [])
        )
        return _RowInfo(row, cells, covered, starts_vmerge, bordered)


def _groups(rows: list[int]) -> list[list[int]]:
    """Runs of consecutive occupied rows: blank rows separate tables."""
    out: list[list[int]] = []
    for r in rows:
        if out and out[-1][-1] == r - 1:
            out[-1].append(r)
        else:
            out.append([r])
    return out


def _any_cell(info: _RowInfo, pattern: re.Pattern[str]) -> bool:
    return any(pattern.match(text) for _, text, _ in info.cells)


def _is_leading_caption(info: _RowInfo, width: int, borders: bool) -> bool:
    """A row above the grid: a title, 部门/单位, 单位：万元, or a paragraph of text."""
    if len(info.cells) <= 1:
        return True
    if _any_cell(info, _TABLE_LABEL) or _any_cell(info, _UNIT_LINE) or _any_cell(info, _CAPTION_FIELD):
        return True
    if borders and not info.bordered:
        return True
    # A sparse unmerged row ("编制日期   2024-01-01") is a caption; a header row, even one
    # with few labels, covers most of the width through its merges.
    return info.coverage * 2 < width and not info.starts_vmerge


def _ends_grid(info: _RowInfo) -> bool:
    """Inside a grid, only a new table's label or unit line starts another table."""
    if info.covered:
        return False
    return _any_cell(info, _TABLE_LABEL) or _any_cell(info, _UNIT_LINE)


def _is_trailing_note(info: _RowInfo, borders: bool) -> bool:
    """A one-cell row after a grid (注：…, 此表为空表, the next table's title)."""
    if len(info.cells) != 1 or info.covered or info.starts_vmerge:
        return False
    return not borders or not info.bordered or info.cells[0][2] >= 2


def _chunks(infos: list[_RowInfo]) -> list[list[_RowInfo]]:
    """Cut a run of rows before each table label or unit line, so two tables printed
    without a blank row between them are judged (borders, width) each on its own."""
    out: list[list[_RowInfo]] = []
    for info in infos:
        if not out or _ends_grid(info):
            out.append([])
        out[-1].append(info)
    return out


def _split_chunk(infos: list[_RowInfo]) -> list[tuple[str, list[_RowInfo]]]:
    """Split rows into ('text', [row]) and ('grid', rows) segments, in order: leading
    caption rows, one grid, then trailing one-cell rows (notes) peeled off the grid."""
    width = _width(infos)
    borders = _uses_borders(infos)
    segments: list[tuple[str, list[_RowInfo]]] = []
    grid: list[_RowInfo] = []
    for info in infos:
        if not grid and _is_leading_caption(info, width, borders):
            segments.append(("text", [info]))
        else:
            grid.append(info)
    tail: list[_RowInfo] = []
    while len(grid) > 1 and _is_trailing_note(grid[-1], borders):
        tail.insert(0, grid.pop())
    if grid:
        segments.append(("grid", grid))
    segments.extend(("text", [t]) for t in tail)
    return segments


def _width(infos: list[_RowInfo]) -> int:
    cols = [c for i in infos for c, _, w in i.cells] + [c + w - 1 for i in infos for c, _, w in i.cells]
    return max(cols) - min(cols) + 1 if cols else 0


def _grid_rows(layout: _SheetLayout, infos: list[_RowInfo]) -> Grid:
    """The grid of some rows: anchors with their span, None where a merge inside the grid
    covers a position, "" for empty positions; pure blank columns are dropped."""
    rows = {i.row for i in infos}
    cols: set[int] = set()
    for info in infos:
        for c, _, w in info.cells:
            cols.update(range(c, c + w))
        cols.update(c for c, a in layout.covered_by_row.get(info.row, []) if a[0] in rows)
    c_lo, c_hi = min(cols), max(cols)
    grid: Grid = []
    for info in infos:
        row: list[RawCell | None] = []
        for c in range(c_lo, c_hi + 1):
            anchor = layout.covered.get((info.row, c))
            if anchor is not None and anchor[0] in rows and anchor[1] >= c_lo:
                row.append(None)
                continue
            r1, c1 = layout.anchors.get((info.row, c), (info.row, c))
            span: int | None = min(c1, c_hi) - c + 1
            text = "" if anchor is not None else layout.sheet.texts.get((info.row, c), "")
            if not layout.sheet.merges_known:
                span = None  # we cannot tell an unmerged cell from a merge: let the assembler infer
            row.append(RawCell(text, span if anchor is None else 1))
        grid.append(row)
    return drop_unmerged_blank_columns(grid)


def _uses_borders(infos: list[_RowInfo]) -> bool:
    """Borders tell grid from captions only when most multi-cell rows have them; one
    underlined title must not turn a borderless table into captions."""
    multi = [i for i in infos if len(i.cells) >= 2]
    return bool(multi) and 2 * sum(i.bordered for i in multi) >= len(multi)


def sheet_blocks(sheet: Sheet, source: str) -> list[Block]:
    """One sheet, top to bottom: caption and note rows as TextLines, each grid as a RawTable."""
    layout = _SheetLayout(sheet)
    blocks: list[Block] = []
    chunks = [c for g in _groups(layout.occupied_rows()) for c in _chunks([layout.row_info(r) for r in g])]
    for chunk in chunks:
        for kind, seg in _split_chunk(chunk):
            if kind == "text":
                blocks.extend(
                    TextLine(text, Location(source, seg[0].row, sheet=sheet.name)) for _, text, _ in seg[0].cells
                )
            else:
                blocks.append(
                    RawTable(
                        rows=_grid_rows(layout, seg),
                        location=Location(source, seg[0].row, sheet=sheet.name),
                        row_locations=[Location(source, i.row, sheet=sheet.name) for i in seg],
                    )
                )
    return blocks


def center_across_merges(
    texts: dict[tuple[int, int], str],
    across: set[tuple[int, int]],
    merges: list[tuple[int, int, int, int]],
) -> list[tuple[int, int, int, int]]:
    """Excel's "Center Across Selection" (跨列居中) shows a label over the empty cells to
    its right that carry the same alignment, with no merge record: it reads as a merge."""
    taken = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
    out = []
    for r, c in sorted(across):
        if (r, c) not in texts or (r, c) in taken:
            continue
        c1 = c
        while (r, c1 + 1) in across and (r, c1 + 1) not in texts and (r, c1 + 1) not in taken:
            c1 += 1
        if c1 > c:
            out.append((r, c, r, c1))
    return out


def workbook_blocks(sheets: list[Sheet], source: str) -> list[Block]:
    """Every sheet's blocks, in order; a workbook with nothing in it is an error."""
    blocks: list[Block] = []
    for sheet in sheets:
        blocks.extend(sheet_blocks(sheet, source))
    if not blocks:
        raise ParseError(
            f"{source}: the workbook has no cells with content (every visible sheet is "
            "empty); check that this is the right file, or unhide the sheets that hold the tables."
        )
    return blocks

