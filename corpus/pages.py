"""Where a cited figure is printed on a PDF page: the cell's box, for showing the page itself.

Pure geometry over a `PageLayout` (the page's words and its ruled tables' cells, read by
`corpus.readers.pdf.page_layout`): the cited value is looked for among the page's words,
kept only on the row its label names and, among those, under the header its column path
names. Ambiguity is an answer too: when two cells fit equally well, `locate` returns None,
so the page is shown without an outline rather than with a wrong one.

    box = locate_cell(Path("budget.pdf"), CellQuery(page=31, value=Decimal("1.35"), row_label=None,
                      row_code=None, column=("2024年“三公”经费预算数", "公务接待费")))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .numbers import parse_number
from .text import normalize_text

# Characters that say what a label is; punctuation, quotes and spaces are left out so that
# “三公” matches "三公" and a wrapped header matches its joined form.
_MEANINGFUL = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]")


@dataclass(frozen=True)
class Box:
    """A rectangle on a page in PDF points, origin top left (pdfplumber's coordinates)."""

    x0: float
    top: float
    x1: float
    bottom: float

    @property
    def middle(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.top + self.bottom) / 2

    def contains_point(self, x: float, y: float) -> bool:
        return self.x0 <= x <= self.x1 and self.top <= y <= self.bottom

    def overlaps_columns(self, other: Box) -> bool:
        """Whether the two share more than a hairline of horizontal extent."""
        return min(self.x1, other.x1) - max(self.x0, other.x0) > 1.0

    def area(self) -> float:
        return (self.x1 - self.x0) * (self.bottom - self.top)


@dataclass(frozen=True)
class Word:
    text: str
    box: Box


@dataclass(frozen=True)
class PageTable:
    """A ruled table on the page: its frame and the box of every cell."""

    box: Box
    cells: tuple[Box, ...]


@dataclass(frozen=True)
class PageLayout:
    page: int            # 1-based, as citations print it
    width: float
    height: float
    words: tuple[Word, ...]
    tables: tuple[PageTable, ...]


@dataclass(frozen=True)
class CellQuery:
    """A cited cell as the parsed document knows it: its page, value, row and column."""

    page: int
    value: Decimal
    row_label: str | None
    row_code: str | None
    column: tuple[str, ...]
    # Which of the row's cells printing this same value is cited (0 = leftmost), and how
    # many there are: tells 合计 13,500 from 公用经费 13,500 when the header is on an earlier page.
    ordinal: int = 0
    same_in_row: int = 1
    # The row's other text cells, printed on its line too: they tell 一般公共预算资金 | 小计
    # from the 公共财政拨款资金 line its merged label also spans, and they are how a row
    # without a label (a procurement line: 印刷品 | 分散自行组织) is known.
    row_texts: tuple[str, ...] = ()

    def key(self) -> str:
        """A stable text of the query, for cache keys."""
        return "|".join([str(self.page), format(self.value, "f"), self.row_label or "", self.row_code or "",
                         " / ".join(self.column), f"{self.ordinal}/{self.same_in_row}", " / ".join(self.row_texts)])


@dataclass(frozen=True)
class Located:
    """The cited cell's box, the frame of the table it is in (None outside a ruled table) and
    the y of the table's row rules, so that a crop can stop on a rule, not through a row."""

    cell: Box
    frame: Box | None
    rules: tuple[float, ...] = ()
    header: Box | None = None   # the table's column headers, when printed on this page


@dataclass(frozen=True)
class _Placed:
    """A word with the ruled table and the (smallest) ruled cell it is printed in."""

    word: Word
    table: PageTable | None
    cell: Box | None

    @property
    def box(self) -> Box:
        """The cell for a word in a table, the word itself outside one."""
        return self.cell if self.cell is not None else self.word.box


def _place(layout: PageLayout) -> list[_Placed]:
    out = []
    for w in layout.words:
        x, y = w.box.middle
        table = next((t for t in layout.tables if t.box.contains_point(x, y)), None)
        cells = [c for c in table.cells if c.contains_point(x, y)] if table is not None else []
        out.append(_Placed(w, table, min(cells, key=Box.area) if cells else None))
    return out


def locate_cell(path: Path, query: CellQuery) -> Located | None:
    """The box of the cited cell on its page of the PDF at `path`, or None when it cannot
    be told apart (or the page does not exist)."""
    from .readers.pdf import page_layout  # the reader is the one module that opens PDFs

    layout = page_layout(path, query.page)
    return locate(layout, query) if layout is not None else None


def locate(layout: PageLayout, query: CellQuery) -> Located | None:
    """The cell on `layout` that prints the query's value on its row and under its column;
    None when no cell or more than one cell fits best."""
    placed = _place(layout)
    candidates = [p for p in placed if _printed_value(p.word.text) == query.value]
    if query.row_label or query.row_code:
        candidates = _on_row(placed, candidates, query)
    if query.row_texts:
        candidates = [c for c in candidates if all(squash(t) in _line(placed, c.box, c.table) for t in query.row_texts)]
    if not candidates:
        return None
    scores = [_column_score(placed, c, query.column) for c in candidates]
    winners = [c for c, s in zip(candidates, scores) if s == max(scores)]
    if len(winners) == 1:
        return _located(placed, winners[0])
    same_row = len({round(c.word.box.top) for c in winners}) == 1 and bool(query.row_label or query.row_code or query.row_texts)
    if same_row and len(winners) == query.same_in_row and 0 <= query.ordinal < len(winners):
        return _located(placed, sorted(winners, key=lambda c: c.word.box.x0)[query.ordinal])
    return None


def line_text(layout: PageLayout, box: Box) -> str:
    """What the page prints level with `box` (in its table: in the cells beside it, merged
    cells spanning it included), cell by cell, squashed."""
    x, y = box.middle
    table = next((t for t in layout.tables if t.box.contains_point(x, y)), None)
    return _line(_place(layout), box, table)


def _located(placed: list[_Placed], c: _Placed) -> Located:
    if c.table is None:
        return Located(c.box, None)
    rules = sorted({round(y, 1) for cell in c.table.cells for y in (cell.top, cell.bottom)})
    return Located(c.box, c.table.box, tuple(rules), _header(placed, c.table))


def _header(placed: list[_Placed], table: PageTable) -> Box | None:
    """The table's header rows: from its top down to its first row of figures (None when
    the page's part of the table starts with figures: a table continued from a page before)."""
    end = min((p.box.top for p in placed if p.table is table and _printed_value(p.word.text) is not None),
              default=table.box.top)
    return Box(table.box.x0, table.box.top, table.box.x1, end) if end > table.box.top + 1 else None


def _printed_value(text: str) -> Decimal | None:
    """A word's number as printed: 13,500 / 1.35 / 9.03% (the percent sign dropped)."""
    return parse_number(text.rstrip("%％"))


def squash(text: str) -> str:
    """Only the characters that carry meaning, full-width folded: for comparing labels."""
    return _MEANINGFUL.sub("", normalize_text(text))


def _on_line(placed: list[_Placed], band: Box, table: PageTable | None) -> list[_Placed]:
    """The words level with `band`: in a table, those whose cell spans it vertically (a label
    in a cell merged over several rows belongs to each of them); elsewhere, by their middle."""
    if table is None:
        return [p for p in placed if band.top - 1 <= p.word.box.middle[1] <= band.bottom + 1]
    return [p for p in placed if p.table is table and p.box.top < band.bottom - 1 and p.box.bottom > band.top + 1]


def _line(placed: list[_Placed], band: Box, table: PageTable | None) -> str:
    return squash("".join(_cell_texts(_on_line(placed, band, table))))


def _on_row(placed: list[_Placed], candidates: list[_Placed], query: CellQuery) -> list[_Placed]:
    """The candidates whose row label (or code) is printed left of them, on their line. Those
    whose nearest label to the left is the row's come first: a 收支总表 prints 收入总计 and
    支出总计 side by side on one line. A row printing another code is never the row: 21205
    and 2120501 are both 城乡社区环境卫生."""
    label, code = squash(query.row_label or ""), squash(query.row_code or "")
    nearest, anywhere = [], []
    for c in candidates:
        left = _cell_texts([p for p in _on_line(placed, c.box, c.table) if p.word.box.x1 <= c.word.box.x0 + 0.5])
        near_label, near_code = _row_names(left)
        if code and near_code and near_code != code:
            continue
        if (label and label in near_label) or (not label and code and near_code == code):
            nearest.append(c)
        elif label and label in squash("".join(left)):
            anywhere.append(c)
    return nearest or anywhere


def _row_names(cells: list[str]) -> tuple[str, str]:
    """The label nearest to the value's left and the code printed just before it: in the same
    cell (30217 公务接待费) or in up to three cells of digits (类 212 | 款 05 | 项 01)."""
    for i in range(len(cells) - 1, -1, -1):
        if _printed_value(cells[i]) is not None:
            continue                      # a figure of the row (or a code), not its label
        start = i
        while start > 0 and i - start < 3 and cells[start - 1].strip().isdigit():
            start -= 1
        code, label = "".join(t.strip() for t in cells[start:i]), squash(cells[i])
        joined = re.match(r"(\d{3,})(\D.*)", label)
        if not code and joined:
            code, label = joined.groups()
        return label, code
    return "", ""


def _cell_texts(placed: list[_Placed]) -> list[str]:
    """Words joined cell by cell, left to right, each cell's lines top to bottom, so that a
    label wrapped inside its cell reads as one."""
    groups: dict[Box, list[Word]] = {}
    for p in placed:
        groups.setdefault(p.box, []).append(p.word)
    ordered = sorted(groups.items(), key=lambda kv: (kv[0].x0, kv[0].top))
    return ["".join(w.text for w in sorted(ws, key=lambda w: (w.box.top, w.box.x0))) for _, ws in ordered]


def _column_score(placed: list[_Placed], c: _Placed, column: tuple[str, ...]) -> int:
    """How many parts of the column path are printed above the value, over its cell (within
    its table): the header cells of that column, spanning group headers included."""
    if not column:
        return 0
    above = [p for p in placed if p.word.box.bottom <= c.box.top + 0.5 and p.word.box.overlaps_columns(c.box)
             and (c.table is None or p.table is c.table)]
    header = squash("".join(_cell_texts(above)))
    return sum(1 for part in column if squash(part) and squash(part) in header)
