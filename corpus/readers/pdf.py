"""PDF reader: a text-layer PDF → text lines and raw table grids, in reading order.

Tables come from ruling lines (pdfplumber's lattice finder); everything outside a table is
read as words grouped into lines. The reader only fixes layout: invisible cell fills,
wrapped cell text, a table cut by a page break, a unit split over two lines. It does not
interpret budget semantics; that is the assembler's job (`corpus.assemble`).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..blocks import Block, NoTextLayer, ParseError, RawCell, RawTable, TextLine
from ..grid import Grid, clean_pdf_cell, drop_spacer_columns, is_blank_row
from ..limits import TooLarge
from ..model import Location
from ..pages import Box, PageLayout, PageTable, Word
from ..text import PAGE_FOLIO, PDF_GLYPH_FIXES

# How far apart (pt) two x-positions may be and still count as the same column line.
_X_TOLERANCE = 4.0

_NUMBER = re.compile(r"^[-−]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$")
# A unit cut short by wrapping in a narrow cell: "单位：万" with "元" on the next line.
_CUT_UNIT = re.compile(r"单位[:：]\s*[十百千万亿]*$")
_UNIT_TAIL = re.compile(r"^[十百千万亿]*元[)）]?$")


@dataclass
class _PageTable:
    """A table as found on one page, with the geometry needed to join it to its
    continuation on the next page."""

    rows: Grid
    edges: list[float]  # x-positions of the column lines, left to right
    row_pages: list[int]  # the page each row was printed on


@dataclass
class _Item:
    """A block on a page, still carrying its vertical position for ordering."""

    top: float
    block: TextLine | _PageTable


def pdf_blocks(path: Path, max_pages: int | None = None) -> list[Block]:
    """Read a PDF with a text layer into blocks; tables continued across pages are one RawTable.
    More than `max_pages` pages raises `corpus.limits.TooLarge` before any page is read."""
    path = Path(path)
    if path.is_file() and path.stat().st_size == 0:
        raise ParseError(f"{path.name}: the file is empty (0 bytes); download or copy it again")
    pdfplumber = _import_pdfplumber()
    try:
        with pdfplumber.open(path) as pdf:
            pages = _read_pages(pdf, path.name, max_pages)
    except ParseError:
        raise
    except Exception as exc:  # pdfminer raises many unrelated types for a broken file
        if not _raised_by_pdf_library(exc):
            raise  # a bug here or a missing file is not a corrupt PDF
        raise _parse_error(path, exc) from exc
    if not any(pages):
        raise NoTextLayer(f"{path.name}: no text layer: this looks like a scanned PDF; OCR is not supported")
    return _to_blocks(_join_continued_tables(pages), path.name)


def _import_pdfplumber() -> Any:
    # Imported here so that importing `corpus` stays cheap for non-PDF work.
    import pdfplumber

    return pdfplumber


def _raised_by_pdf_library(exc: Exception) -> bool:
    """Whether the innermost frame of the failure is in pdfminer/pdfplumber."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    filename = tb.tb_frame.f_code.co_filename if tb is not None else ""
    return any(f"{sep}{lib}{sep}" in filename for lib in ("pdfminer", "pdfplumber") for sep in "/\\")


def _parse_error(path: Path, exc: Exception) -> ParseError:
    """Turn a pdfminer failure into a message that says what to do."""
    what = f"{type(exc).__name__}: {exc}".strip().rstrip(":")
    if "password" in what.lower() or "encrypt" in what.lower():
        hint = "the PDF is encrypted; save an unencrypted copy and try again"
    else:
        hint = "the file is truncated or corrupt; download it again or re-export it from the original"
    return ParseError(f"{path.name}: cannot read PDF ({what}); {hint}")


def _read_pages(pdf: Any, source: str, max_pages: int | None) -> list[list[_Item]]:
    """Every page as its items, top to bottom. Pages without text are empty lists."""
    from tqdm import tqdm

    if not pdf.pages:
        raise ParseError(f"{source}: the PDF has no pages; check that the file is a complete budget document")
    if max_pages is not None and len(pdf.pages) > max_pages:
        raise TooLarge(source, "max_pages", max_pages, len(pdf.pages))
    return [
        _read_and_release(page, source)
        for page in tqdm(pdf.pages, desc=source, unit="page", disable=not sys.stderr.isatty())
    ]


def _read_and_release(page: Any, source: str) -> list[_Item]:
    try:
        return _read_page(page, source)
    finally:
        page.close()  # drop the page's parsed objects: budgets can run to hundreds of pages


def _read_page(page: Any, source: str) -> list[_Item]:
    if not page.chars:
        return []
    page = page.filter(_is_visible)
    tables = _find_tables(page)
    items = [_Item(t.bbox[1], _page_table(t, page.page_number)) for t in tables]
    items += _text_items(page, [t.bbox for t in tables], source)
    return sorted(items, key=lambda item: item.top)


# --- tables on one page -------------------------------------------------------------------


def _is_visible(obj: dict) -> bool:
    """Drop white, unstroked rectangles: spreadsheet exports paint every cell's background
    white, and pdfplumber would take those invisible boxes for ruling lines (a 27-column
    grid of spacers, or a frame around a table of contents)."""
    if obj.get("object_type") not in ("rect", "line", "curve"):
        return True
    stroked = obj.get("stroke") and not _is_white(obj.get("stroking_color"))
    filled = obj.get("fill") and not _is_white(obj.get("non_stroking_color"))
    return bool(stroked or filled)


def _is_white(color: Any) -> bool:
    if color is None:
        return False  # no colour set: PDF's default is black
    values = tuple(color) if isinstance(color, (tuple, list)) else (color,)
    if not values or not all(isinstance(v, (int, float)) for v in values):
        return False  # a pattern or named colour: assume it shows
    if len(values) == 4:  # CMYK: white is no ink
        return max(values) <= 0.01
    return min(values) >= 0.99


def _find_tables(page: Any) -> list[Any]:
    """Lattice tables; a table whose frame is open at the top or bottom (continued from or
    onto another page) is closed with an explicit rule so its first or last row is kept."""
    tables = page.find_tables()
    closing = _closing_rules(page, tables)
    return page.find_tables({"explicit_horizontal_lines": closing}) if closing else tables


def _closing_rules(page: Any, tables: list[Any]) -> list[dict]:
    verticals = [e for e in page.edges if e["orientation"] == "v" and e["height"] > 2]
    rules = []
    for t in tables:
        x0, top, x1, bottom = t.bbox
        mine = [e for e in verticals if x0 - _X_TOLERANCE <= e["x0"] <= x1 + _X_TOLERANCE]
        lo, hi = _vertical_extent(mine, top, bottom)
        rules += [_rule(x0, x1, y) for y, edge in ((lo, top), (hi, bottom)) if abs(y - edge) > 3]
    return rules


def _vertical_extent(verticals: list[dict], top: float, bottom: float) -> tuple[float, float]:
    """How far the table's column lines really run, following chained line segments."""
    changed = True
    while changed:
        changed = False
        for e in verticals:
            if e["top"] < top - 0.5 and e["bottom"] >= top - 2:
                top, changed = e["top"], True
            if e["bottom"] > bottom + 0.5 and e["top"] <= bottom + 2:
                bottom, changed = e["bottom"], True
    return top, bottom


def _rule(x0: float, x1: float, y: float) -> dict:
    return {"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y,
            "width": x1 - x0, "height": 0, "doctop": y}


def _page_table(table: Any, page_number: int) -> _PageTable:
    """pdfplumber's table → a grid where each cell spans the columns its bbox covers."""
    edges = sorted({cell[0] for cell in table.cells} | {table.bbox[2]})
    rows = []
    for row, texts in zip(table.rows, table.extract()):
        grid: list[RawCell | None] = [None] * (len(edges) - 1)
        for bbox, text in zip(row.cells, texts):
            if bbox is not None:
                start, end = _column(edges, bbox[0]), _column(edges, bbox[2])
                grid[start] = RawCell(clean_pdf_cell(text or ""), max(1, end - start))
        rows.append(grid)
    rows = [r for r in rows if not is_blank_row(r)]
    return _PageTable(rows, edges, [page_number] * len(rows))


def _column(edges: list[float], x: float) -> int:
    """Index of the column line nearest to x."""
    return min(range(len(edges)), key=lambda i: abs(edges[i] - x))


def _header_rows(rows: Grid) -> int | None:
    """Rows before the first row holding a number. A table with no number at all (an
    empty table: header plus a 合计 row of blank cells) ends its header at the first row
    with a blank cell, since header cells are labelled; None when neither tells."""
    for i, row in enumerate(rows):
        if any(c is not None and _NUMBER.match(c.text) for c in row):
            return i
    blank = next((i for i, row in enumerate(rows) if any(c is not None and not c.text for c in row)), 0)
    return blank or None


# --- text outside tables ------------------------------------------------------------------


def _text_items(page: Any, table_boxes: list[tuple], source: str) -> list[_Item]:
    """Lines of words outside the tables, without page numbers."""
    outside = page.filter(lambda o: o.get("object_type") != "char" or not _inside_any(o, table_boxes))
    lines = repair_unit_lines(_group_lines(outside.extract_words()))
    lines = _drop_page_numbers(lines, page.height)
    location = Location(source=source, page=page.page_number)
    margin = _right_margin(lines)
    return [_Item(line[0]["top"], TextLine(_line_text(line), location, _reaches(line, margin))) for line in lines]


def _right_margin(lines: list[list[dict]]) -> float | None:
    """The right edge of the body text: the rightmost x1 that at least three long lines reach
    (within 3pt). A page of short lines (a table's title and unit) has none."""
    ends = sorted((line[-1]["x1"] for line in lines if len(_line_text(line)) >= 10), reverse=True)
    return next((x for i, x in enumerate(ends) if i + 2 < len(ends) and x - ends[i + 2] <= 3), None)


def _reaches(line: list[dict], margin: float | None) -> bool:
    """A line ending within one character of the margin was wrapped by the page width."""
    if margin is None:
        return False
    size = max(w["bottom"] - w["top"] for w in line)
    return line[-1]["x1"] >= margin - size


def _inside_any(char: dict, boxes: list[tuple]) -> bool:
    x = (char["x0"] + char["x1"]) / 2
    y = (char["top"] + char["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _group_lines(words: list[dict]) -> list[list[dict]]:
    """Words whose vertical middle falls within the first word of a line belong to that line."""
    lines: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        middle = (word["top"] + word["bottom"]) / 2
        if lines and lines[-1][0]["top"] <= middle <= lines[-1][0]["bottom"]:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def repair_unit_lines(lines: list[list[dict]]) -> list[list[dict]]:
    """Put a unit wrapped in a narrow cell back together: "单位：万" over "元" → "单位：万元".
    The tail must sit directly under the cut unit (overlapping it horizontally) on the
    next line; the tail word is moved, the rest of that line stays as it is."""
    for upper, lower in zip(lines, lines[1:]):
        for word in upper:
            if not _CUT_UNIT.search(word["text"]):
                continue
            tail = next((w for w in lower if _UNIT_TAIL.match(w["text"]) and _overlaps(w, word)), None)
            if tail is not None:
                word["text"] += tail["text"]
                lower.remove(tail)
    return [line for line in lines if line]


def _overlaps(a: dict, b: dict) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"]


def _drop_page_numbers(lines: list[list[dict]], height: float) -> list[list[dict]]:
    """A first or last line that is only a page number, in the top or bottom margin."""
    def is_folio(i: int) -> bool:
        line = lines[i]
        in_margin = line[0]["bottom"] < height * 0.15 or line[0]["top"] > height * 0.85
        return i in (0, len(lines) - 1) and in_margin and bool(PAGE_FOLIO.match(_line_text(line)))

    return [line for i, line in enumerate(lines) if not is_folio(i)]


def _line_text(line: list[dict]) -> str:
    return " ".join(w["text"] for w in line).translate(PDF_GLYPH_FIXES).strip()


# --- tables continued over pages ----------------------------------------------------------


def _join_continued_tables(pages: list[list[_Item]]) -> list[_Item]:
    """A page that opens with a table continues the table that closed the previous page
    when their column lines line up; that continuation is appended, minus any repeated
    header."""
    items: list[_Item] = []
    for page in pages:
        first = page[0].block if page else None
        last = items[-1].block if items else None
        if isinstance(first, _PageTable) and isinstance(last, _PageTable) and _same_columns(last, first):
            _append(last, first)
            page = page[1:]
        items.extend(page)
    return items


def _same_columns(table: _PageTable, more: _PageTable) -> bool:
    """Every column line of the continuation is one of the table's, and both outer lines match."""
    def near(x: float) -> bool:
        return any(abs(x - e) <= _X_TOLERANCE for e in table.edges)

    left = abs(more.edges[0] - table.edges[0]) <= _X_TOLERANCE
    right = abs(more.edges[-1] - table.edges[-1]) <= _X_TOLERANCE
    return left and right and all(near(x) for x in more.edges)


def _append(table: _PageTable, more: _PageTable) -> None:
    rows = [_regrid(row, more.edges, table.edges) for row in more.rows]
    skip = _repeated_header(table, rows)
    table.rows += rows[skip:]
    table.row_pages += more.row_pages[skip:]


def _regrid(row: list[RawCell | None], src: list[float], dst: list[float]) -> list[RawCell | None]:
    """Place a continuation row's cells on the table's column lines (by x-position)."""
    out: list[RawCell | None] = [None] * (len(dst) - 1)
    for j, cell in enumerate(row):
        if cell is not None:
            start, end = _column(dst, src[j]), _column(dst, src[j + (cell.span or 1)])
            out[start] = RawCell(cell.text, max(1, end - start))
    return out


def _repeated_header(table: _PageTable, rows: Grid) -> int:
    """How many leading rows of a continuation repeat the table's own leading rows."""
    n = 0
    header = _header_rows(table.rows)
    limit = header if header is not None else len(table.rows)
    while n < min(limit, len(rows)) and _row_texts(rows[n]) == _row_texts(table.rows[n]):
        n += 1
    return n


def _row_texts(row: list[RawCell | None]) -> list[str | None]:
    return [c.text if c else None for c in row]


# --- final blocks -------------------------------------------------------------------------


def _to_blocks(items: list[_Item], source: str) -> list[Block]:
    blocks: list[Block] = []
    for item in items:
        block = item.block
        if isinstance(block, _PageTable):
            table = _raw_table(block, source)
            if table is not None:
                blocks.append(table)
        else:
            blocks.append(block)
    return blocks


def _raw_table(table: _PageTable, source: str) -> RawTable | None:
    rows = drop_spacer_columns(table.rows)
    if not rows or not rows[0]:
        return None
    locations = [Location(source=source, page=p) for p in table.row_pages]
    return RawTable(rows=rows, location=locations[0], row_locations=locations, header_rows=_header_rows(rows))


# --- one page's geometry, for showing the printed page (corpus.pages) --------------------


def page_layout(path: Path, page_number: int) -> PageLayout | None:
    """The words and ruled tables of one page (1-based), as the reader sees them (invisible
    fills dropped, tables closed as in `pdf_blocks`); None when the page does not exist."""
    pdfplumber = _import_pdfplumber()
    with pdfplumber.open(Path(path)) as pdf:
        if not 1 <= page_number <= len(pdf.pages):
            return None
        page = pdf.pages[page_number - 1].filter(_is_visible)
        words = tuple(Word(w["text"].translate(PDF_GLYPH_FIXES), _box(w)) for w in page.extract_words())
        tables = tuple(PageTable(_box(t.bbox), tuple(_box(c) for c in t.cells)) for t in _find_tables(page))
        return PageLayout(page_number, float(page.width), float(page.height), words, tables)


def _box(obj: dict | tuple) -> Box:
    if isinstance(obj, dict):
        return Box(float(obj["x0"]), float(obj["top"]), float(obj["x1"]), float(obj["bottom"]))
    x0, top, x1, bottom = obj
    return Box(float(x0), float(top), float(x1), float(bottom))
