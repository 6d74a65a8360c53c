"""Readers for office formats (XLSX, XLS, DOCX, HTML): a file in, `Block`s out, in reading order.

These readers only report layout: text outside tables becomes `TextLine`s, table grids
become `RawTable`s with merges resolved (`span` = columns covered, None where a merge
covers a position). Titles, units, header rows and 科目编码 are the assembler's business.

The one layout judgement made here is where a spreadsheet's grid starts and ends,
because a sheet has no "table" object: caption rows above a grid (a title, "单位：万元")
and note rows below it must become TextLines, or the assembler would see them as header
or data rows. See `_chunks` and `_split_chunk`.
"""

from __future__ import annotations

import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .blocks import Block, ParseError, RawCell, RawTable, TextLine
from .model import Location

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, .doc, encrypted OOXML
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")  # present in password-protected OOXML


# ----------------------------------------------------------------------------------------
# Shared: file sniffing and errors
# ----------------------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    if not data:
        raise ParseError(f"{path.name}: the file is empty (0 bytes); download or export it again.")
    return data


def _is_encrypted_ooxml(data: bytes) -> bool:
    """Excel and Word save a password-protected .xlsx/.docx as an OLE file, not a zip."""
    return data.startswith(_OLE_MAGIC) and _ENCRYPTION_STREAM in data


def _password_error(path: Path, app: str) -> ParseError:
    return ParseError(
        f"{path.name}: the file is password-protected (encrypted); open it in {app}, "
        "remove the password, save it and load it again."
    )


def _looks_like_html(data: bytes) -> bool:
    """Many sites serve an HTML table under a .xls name; sniff instead of failing."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<") and (b"<table" in data[:200_000].lower() or b"<html" in head)


def _location(source: str, line: int | None, sheet: str | None = None) -> Location:
    return Location(source=source, line=line, sheet=sheet)


# ----------------------------------------------------------------------------------------
# Shared: cell text
# ----------------------------------------------------------------------------------------


def _is_cjk(ch: str) -> bool:
    """CJK ideographs, fullwidth forms and CJK punctuation (incl. the curly quotes of “三公”)."""
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xF900 <= o <= 0xFAFF
        or 0xFE30 <= o <= 0xFE4F
        or 0xFF00 <= o <= 0xFFEF
        or 0x2018 <= o <= 0x201D
    )


def _join_lines(lines: list[str]) -> str:
    """Join wrapped lines: no space between Chinese characters (公务用车 / 购置费), else one."""
    out = ""
    for line in lines:
        if out and not (_is_cjk(out[-1]) and _is_cjk(line[0])):
            out += " "
        out += line
    return out


def _clean_cell_text(text: str) -> str:
    """A cell's text on one line: a header wrapped inside a cell reads as one label."""
    lines = [ln.strip() for ln in re.split(r"\r\n|\r|\n|\x0b", text)]
    return _join_lines([ln for ln in lines if ln]).replace("\t", " ")


# ----------------------------------------------------------------------------------------
# Shared: number formats (XLSX and XLS store floats; the document prints formatted text)
# ----------------------------------------------------------------------------------------


def _excel_decimal(value: float | int | Decimal) -> Decimal:
    """The decimal Excel means: it keeps 15 significant digits, so 45084.939999999995 (a
    SUM of two-decimal figures) is 45084.94. Digits beyond the 15th are binary noise."""
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    return Decimal(format(value, ".15g"))


def _plain_number(d: Decimal) -> str:
    """General format: every significant digit, no exponent, no trailing zeros."""
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


@lru_cache(maxsize=256)
def _split_sections(fmt: str) -> tuple[str, ...]:
    """Split a number format on ';' outside quotes and brackets."""
    sections, cur, quoted, bracket, escaped = [], "", False, False, False
    for ch in fmt:
        if escaped:
            cur += ch
            escaped = False
            continue
        if ch == "\\" and not quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif ch == "[" and not quoted:
            bracket = True
        elif ch == "]" and not quoted:
            bracket = False
        elif ch == ";" and not quoted and not bracket:
            sections.append(cur)
            cur = ""
            continue
        cur += ch
    sections.append(cur)
    return tuple(sections)


def _pick_section(sections: tuple[str, ...], d: Decimal) -> tuple[str, bool]:
    """Excel's rule: positive;negative;zero. Returns (section, add_minus_sign)."""
    if d < 0 and len(sections) >= 2:
        return sections[1], False
    if d == 0 and len(sections) >= 3:
        return sections[2], False
    return sections[0], d < 0


_NUMBER_CHARS = set("0#?.,")


@lru_cache(maxsize=256)
def _tokenize_section(section: str) -> tuple[tuple[str, str], ...] | None:
    """Pieces ('lit', text) and ('num', pattern) of one section; None when we do not
    format it ourselves (General, text, scientific, fraction, date codes)."""
    pieces: list[tuple[str, str]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            pieces.append(("lit", section[i + 1 : end]))
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(section):
            pieces.append(("lit", section[i + 1]))
            i += 2
            continue
        if ch in "_*":  # padding to a character's width / fill: nothing printable
            i += 2
            continue
        if ch == "[":
            end = section.find("]", i)
            end = len(section) if end < 0 else end
            code = section[i + 1 : end]
            if code.startswith("$"):  # [$¥-804]: a currency symbol
                pieces.append(("lit", code[1:].split("-")[0]))
            i = end + 1
            continue
        if ch in _NUMBER_CHARS and (ch not in ".," or _has_placeholder(section)):
            if pieces and pieces[-1][0] == "num":
                pieces[-1] = ("num", pieces[-1][1] + ch)
            else:
                pieces.append(("num", ch))
            i += 1
            continue
        if ch in "Ee/@" or ch.lower() in "ymdhs" or section[i:].lower().startswith("general"):
            return None
        pieces.append(("lit", ch))
        i += 1
    return tuple(pieces)


def _has_placeholder(section: str) -> bool:
    return any(c in "0#?" for c in section)


def _format_pattern(d: Decimal, pattern: str) -> str:
    """Format |d| by a digit pattern such as '#,##0.00' or '0.0'."""
    int_pat, _, dec_pat = pattern.partition(".")
    scale_commas = len(int_pat) - len(int_pat.rstrip(","))  # '#,##0,' divides by 1000
    int_pat = int_pat.rstrip(",")
    d = abs(d) / (Decimal(1000) ** scale_commas)
    max_dec = sum(c in "0#?" for c in dec_pat)
    min_dec = dec_pat.count("0")
    text = format(d.quantize(Decimal(1).scaleb(-max_dec), rounding=ROUND_HALF_UP), "f")
    int_text, _, dec_text = text.partition(".")
    while len(dec_text) > min_dec and dec_text.endswith("0"):
        dec_text = dec_text[:-1]
    min_int = int_pat.count("0")
    int_text = int_text.lstrip("0").rjust(min_int, "0")
    if "," in int_pat and int_text:
        int_text = f"{int(int_text):,}".rjust(min_int, "0")
    return int_text + ("." + dec_text if dec_text or "." in pattern and not max_dec else "")


def format_number(value: float | int | Decimal, number_format: str | None) -> str:
    """The text a spreadsheet shows for a number under its number format.

    Handles the formats budget sheets use (General, 0.00, #,##0.00, percent, literal
    text, accounting formats whose zero section prints "-"); anything else falls back to
    every significant digit, so a figure is never silently cut.
    """
    d = _excel_decimal(value)
    sections = _split_sections(number_format or "General")
    section, minus = _pick_section(sections, d)
    pieces = _tokenize_section(section)
    if pieces is None:
        return _plain_number(d)
    if "%" in section.replace('"%"', ""):
        d *= 100
    out, number_done = [], False
    for kind, text in pieces:
        if kind == "lit":
            out.append(text)
        elif not number_done:  # a second digit group ("0 0") is folded into the first
            out.append(_format_pattern(d, "".join(t for k, t in pieces if k == "num")))
            number_done = True
    result = "".join(out).strip()
    if minus and any(ch.isdigit() and ch != "0" for ch in result):
        result = "-" + result
    return result


def _temporal_text(value: datetime | date | time | timedelta) -> str:
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()
    if isinstance(value, (datetime, date, time)):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    return str(value)


# ----------------------------------------------------------------------------------------
# Shared: a spreadsheet as positioned texts + merges → TextLines and RawTables
# ----------------------------------------------------------------------------------------


@dataclass
class _Sheet:
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

    def __init__(self, sheet: _Sheet):
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


def _grid_rows(layout: _SheetLayout, infos: list[_RowInfo]) -> list[list[RawCell | None]]:
    """The grid of some rows: anchors with their span, None where a merge inside the grid
    covers a position, "" for empty positions; pure blank columns are dropped."""
    rows = {i.row for i in infos}
    cols = set()
    for info in infos:
        for c, _, w in info.cells:
            cols.update(range(c, c + w))
        cols.update(c for c, a in layout.covered_by_row.get(info.row, []) if a[0] in rows)
    c_lo, c_hi = min(cols), max(cols)
    grid: list[list[RawCell | None]] = []
    for info in infos:
        row: list[RawCell | None] = []
        for c in range(c_lo, c_hi + 1):
            anchor = layout.covered.get((info.row, c))
            if anchor is not None and anchor[0] in rows and anchor[1] >= c_lo:
                row.append(None)
                continue
            r1, c1 = layout.anchors.get((info.row, c), (info.row, c))
            span = min(c1, c_hi) - c + 1
            text = "" if anchor is not None else layout.sheet.texts.get((info.row, c), "")
            if not layout.sheet.merges_known:
                span = None  # we cannot tell an unmerged cell from a merge: let the assembler infer
            row.append(RawCell(text, span if anchor is None else 1))
        grid.append(row)
    return _drop_blank_columns(grid)


def _drop_blank_columns(grid: list[list[RawCell | None]]) -> list[list[RawCell | None]]:
    """A column with no text and no merge in any row is a spacer, not a table column."""
    def blank(j: int) -> bool:
        return all(isinstance(r[j], RawCell) and r[j].text == "" and r[j].span in (1, None) for r in grid)

    keep = [j for j in range(len(grid[0])) if not blank(j)]
    if len(keep) == len(grid[0]) or not keep:
        return grid
    return [[r[j] for j in keep] for r in grid]


def _uses_borders(infos: list[_RowInfo]) -> bool:
    """Borders tell grid from captions only when most multi-cell rows have them; one
    underlined title must not turn a borderless table into captions."""
    multi = [i for i in infos if len(i.cells) >= 2]
    return bool(multi) and 2 * sum(i.bordered for i in multi) >= len(multi)


def _sheet_blocks(sheet: _Sheet, source: str) -> list[Block]:
    layout = _SheetLayout(sheet)
    blocks: list[Block] = []
    chunks = [c for g in _groups(layout.occupied_rows()) for c in _chunks([layout.row_info(r) for r in g])]
    for chunk in chunks:
        for kind, seg in _split_chunk(chunk):
            if kind == "text":
                blocks.extend(
                    TextLine(text, _location(source, seg[0].row, sheet.name)) for _, text, _ in seg[0].cells
                )
            else:
                blocks.append(
                    RawTable(
                        rows=_grid_rows(layout, seg),
                        location=_location(source, seg[0].row, sheet.name),
                        row_locations=[_location(source, i.row, sheet.name) for i in seg],
                    )
                )
    return blocks


def _center_across_merges(
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


def _workbook_blocks(sheets: list[_Sheet], path: Path) -> list[Block]:
    blocks: list[Block] = []
    for sheet in sheets:
        blocks.extend(_sheet_blocks(sheet, path.name))
    if not blocks:
        raise ParseError(
            f"{path.name}: the workbook has no cells with content (every visible sheet is "
            "empty); check that this is the right file, or unhide the sheets that hold the tables."
        )
    return blocks


# ----------------------------------------------------------------------------------------
# XLSX (openpyxl)
# ----------------------------------------------------------------------------------------


def read_xlsx(path: str | Path) -> list[Block]:
    """An .xlsx/.xlsm workbook: every visible sheet, top to bottom, as TextLines and RawTables."""
    path = Path(path)
    data = _read_bytes(path)
    if data.startswith(_OLE_MAGIC):
        if _is_encrypted_ooxml(data):
            raise _password_error(path, "Excel")
        return read_xls(path)  # an old-format workbook saved under an .xlsx name
    if not data.startswith(_ZIP_MAGIC) and _looks_like_html(data):
        return read_html(path)
    wb = _open_openpyxl(path, data)
    try:
        styles = _openpyxl_style_ids(wb)
        sheets = [_openpyxl_sheet(ws, styles) for ws in wb.worksheets if ws.sheet_state == "visible"]
    finally:
        wb.close()
    return _workbook_blocks(sheets, path)


def _open_openpyxl(path: Path, data: bytes):
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ParseError(
            f"{path.name}: not a valid .xlsx file (not a zip archive; corrupt, truncated or "
            "another format); re-download it, or open it in Excel and save it as .xlsx."
        )
    try:
        # A file object, not the path: openpyxl refuses names not ending in .xlsx, and
        # mislabelled workbooks are common. data_only: the cached values Excel displays.
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except KeyError as e:
        raise ParseError(
            f"{path.name}: a zip archive but not an Excel workbook ({e}); check the file, or "
            "open it in Excel and save it as .xlsx."
        ) from e
    except Exception as e:  # openpyxl raises many types for damaged parts
        raise ParseError(
            f"{path.name}: the workbook could not be read ({type(e).__name__}: {e}); open it in "
            "Excel and save it again as .xlsx."
        ) from e


def _openpyxl_sheet(ws, styles: tuple[set[int], set[int]]) -> _Sheet:
    bordered_ids, across_ids = styles
    hidden_rows = {r for r, d in ws.row_dimensions.items() if d.hidden}
    hidden_cols = _openpyxl_hidden_cols(ws)
    texts: dict[tuple[int, int], str] = {}
    bordered: set[tuple[int, int]] = set()
    across: set[tuple[int, int]] = set()
    # ws._cells holds only the cells the file defines; iter_rows over the dimension would
    # create a million empty cells for a sheet formatted down to row 1048576.
    for (r, c), cell in ws._cells.items():
        if r in hidden_rows or c in hidden_cols:
            continue  # hidden rows/columns are not part of the printed document
        text = _openpyxl_text(cell)
        if text:
            texts[(r, c)] = text
        if cell._style.borderId in bordered_ids:
            bordered.add((r, c))
        if cell._style.alignmentId in across_ids:
            across.add((r, c))
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    return _Sheet(ws.title, texts, merges + _center_across_merges(texts, across, merges), bordered)


def _openpyxl_hidden_cols(ws) -> set[int]:
    from openpyxl.utils import column_index_from_string

    hidden: set[int] = set()
    for key, dim in ws.column_dimensions.items():
        if dim.hidden:
            lo = dim.min or column_index_from_string(key)
            hidden.update(range(lo, (dim.max or lo) + 1))
    return hidden


def _openpyxl_style_ids(wb) -> tuple[set[int], set[int]]:
    """Ids of the workbook's border styles that draw a line, and of its alignments that
    centre across the selection. Checked by id per cell because `cell.border` and
    `cell.alignment` build a style proxy each time, which dominates reading a large sheet."""
    bordered = {
        i
        for i, b in enumerate(wb._borders)
        if any(side is not None and side.style for side in (b.left, b.right, b.top, b.bottom))
    }
    across = {i for i, a in enumerate(wb._alignments) if a.horizontal == "centerContinuous"}
    return bordered, across


def _openpyxl_text(cell) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float, Decimal)):
        return format_number(v, cell.number_format)
    if isinstance(v, (datetime, date, time, timedelta)):
        return _temporal_text(v)
    return _clean_cell_text(str(v))


# ----------------------------------------------------------------------------------------
# XLS (xlrd)
# ----------------------------------------------------------------------------------------


def read_xls(path: str | Path) -> list[Block]:
    """An old-format .xls workbook (BIFF), with merges and number formats when xlrd has them."""
    path = Path(path)
    data = _read_bytes(path)
    if data.startswith(_ZIP_MAGIC):
        return read_xlsx(path)  # a new-format workbook saved under an .xls name
    if not data.startswith(_OLE_MAGIC):
        if _looks_like_html(data):
            return read_html(path)  # "Excel export" pages are often HTML named .xls
        raise ParseError(
            f"{path.name}: not a valid .xls file (corrupt, truncated or another format); "
            "re-download it, or open it in Excel and save it as .xlsx."
        )
    if _is_encrypted_ooxml(data):
        raise _password_error(path, "Excel")
    book = _open_xlrd(path, data)
    sheets = [_xlrd_sheet(book, sh) for sh in book.sheets() if sh.visibility == 0]
    return _workbook_blocks(sheets, path)


def _open_xlrd(path: Path, data: bytes):
    import xlrd

    last: Exception | None = None
    # formatting_info gives merges and number formats; some writers' files only open without.
    for formatting in (True, False):
        try:
            return xlrd.open_workbook(file_contents=data, formatting_info=formatting, on_demand=False)
        except xlrd.XLRDError as e:
            if "encrypted" in str(e).lower():
                raise _password_error(path, "Excel") from e
            last = e
        except Exception as e:  # xlrd raises assorted errors on damaged records
            last = e
    raise ParseError(
        f"{path.name}: the .xls workbook could not be read ({type(last).__name__}: {last}); "
        "open it in Excel and save it as .xlsx."
    ) from last


def _xlrd_sheet(book, sh) -> _Sheet:
    hidden_rows = {r for r, info in getattr(sh, "rowinfo_map", {}).items() if info.hidden}
    hidden_cols = {c for c, info in getattr(sh, "colinfo_map", {}).items() if info.hidden}
    texts: dict[tuple[int, int], str] = {}
    bordered: set[tuple[int, int]] = set()
    across: set[tuple[int, int]] = set()
    for r in range(sh.nrows):
        if r in hidden_rows:
            continue
        for c in range(sh.row_len(r)):
            if c in hidden_cols:
                continue
            text = _xlrd_text(book, sh, r, c)
            if text:
                texts[(r + 1, c + 1)] = text
            xf = _xlrd_xf(book, sh, r, c)
            if xf is not None and _xlrd_has_border(xf):
                bordered.add((r + 1, c + 1))
            if xf is not None and xf.alignment.hor_align == 6:  # centred across selection
                across.add((r + 1, c + 1))
    # xlrd ranges are 0-based, half-open: (rlo, rhi, clo, chi)
    merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sh.merged_cells]
    merges += _center_across_merges(texts, across, merges)
    return _Sheet(sh.name, texts, merges, bordered, merges_known=bool(book.formatting_info))


def _xlrd_xf(book, sh, r: int, c: int):
    if not book.formatting_info:
        return None
    try:
        return book.xf_list[sh.cell_xf_index(r, c)]
    except (IndexError, AttributeError):
        return None


def _xlrd_number_format(book, sh, r: int, c: int) -> str | None:
    xf = _xlrd_xf(book, sh, r, c)
    fmt = book.format_map.get(xf.format_key) if xf is not None else None
    return fmt.format_str if fmt is not None else None


def _xlrd_has_border(xf) -> bool:
    b = xf.border
    return any((b.left_line_style, b.right_line_style, b.top_line_style, b.bottom_line_style))


def _xlrd_text(book, sh, r: int, c: int) -> str:
    import xlrd

    kind, value = sh.cell_type(r, c), sh.cell_value(r, c)
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_NUMBER:
        return format_number(value, _xlrd_number_format(book, sh, r, c))
    if kind == xlrd.XL_CELL_DATE:
        try:
            return _temporal_text(xlrd.xldate.xldate_as_datetime(value, book.datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return format_number(value, None)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERR")
    return _clean_cell_text(str(value))


# ----------------------------------------------------------------------------------------
# DOCX (python-docx opens the package; the body XML is walked directly)
# ----------------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Containers whose content is part of the flow (content controls, custom XML, tracked insertions).
_W_TRANSPARENT = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "smartTag", _W + "fldSimple", _W + "hyperlink"}
# Text inside drawings/objects is a text box or a fallback copy of one: not body text.
_W_SKIP = {_W + "drawing", _W + "pict", _W + "object", _W + "del", _W + "moveFrom",
           "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}


def read_docx(path: str | Path) -> list[Block]:
    """A Word .docx: body paragraphs as TextLines, tables as RawTables, in body order.

    `line` in locations counts paragraphs and table rows from the top of the body, so a
    table row has its own line number as it would in a text rendering.
    """
    path = Path(path)
    data = _read_bytes(path)
    body = _open_docx_body(path, data)
    counter = itertools.count(1)
    blocks = list(_docx_blocks(body, path.name, counter))
    if not blocks:
        raise ParseError(f"{path.name}: the Word document has no text or tables; check that this is the right file.")
    return blocks


def _open_docx_body(path: Path, data: bytes):
    import docx

    if data.startswith(_OLE_MAGIC):
        if _is_encrypted_ooxml(data):
            raise _password_error(path, "Word")
        raise ParseError(
            f"{path.name}: an old binary Word .doc file, not .docx; open it in Word or WPS "
            "and save it as .docx."
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ParseError(
            f"{path.name}: not a valid .docx file (not a zip archive; corrupt, truncated or "
            "another format); re-download it, or open it in Word and save it as .docx."
        )
    main = _ooxml_main_part(data)
    if main is None or not main.startswith("word/"):
        raise ParseError(
            f"{path.name}: a zip archive but not a Word document (no word/document.xml main "
            f"part{'' if main is None else ', it holds ' + main}); check the file, or open it "
            "in Word and save it as .docx."
        )
    try:
        return docx.Document(io.BytesIO(data)).element.body
    except (KeyError, ValueError) as e:
        raise ParseError(
            f"{path.name}: a zip archive but not a Word document (no word/document.xml main "
            f"part: {e}); check the file, or open it in Word and save it as .docx."
        ) from e
    except Exception as e:  # damaged XML parts and the like
        raise ParseError(
            f"{path.name}: the Word document could not be read ({type(e).__name__}: {e}); "
            "open it in Word and save it again as .docx."
        ) from e


def _ooxml_main_part(data: bytes) -> str | None:
    """The package's main part per _rels/.rels (word/document.xml for Word), if it exists:
    checked first because python-docx fails on a hollow package with unrelated errors."""
    import xml.etree.ElementTree as ET

    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        if "_rels/.rels" not in names:
            return None
        try:
            rels = ET.fromstring(z.read("_rels/.rels"))
        except ET.ParseError:
            return None
    for rel in rels:
        if rel.get("Type", "").endswith("/officeDocument"):
            target = rel.get("Target", "").lstrip("/")
            return target if target in names else None
    return None


def _docx_blocks(container, source: str, counter: Iterator[int]) -> Iterator[Block]:
    for child in container:
        tag = child.tag
        if tag == _W + "p":
            for text in _docx_paragraph_text(child).split("\n"):
                n = next(counter)
                if text.strip():
                    yield TextLine(text.strip(), _location(source, n))
        elif tag == _W + "tbl":
            yield from _docx_table(child, source, counter)
        elif tag in _W_TRANSPARENT:
            yield from _docx_blocks(child, source, counter)


def _docx_paragraph_text(p) -> str:
    """A paragraph's visible text: runs, tabs and line breaks; not deleted text, field
    codes or text boxes (drawings carry a second, fallback copy of their text)."""
    parts: list[str] = []

    def walk(el) -> None:
        for child in el:
            tag = child.tag
            if tag in _W_SKIP or not isinstance(tag, str):
                continue
            if tag == _W + "t":
                parts.append(child.text or "")
            elif tag == _W + "tab":
                parts.append("\t")
            elif tag in (_W + "br", _W + "cr"):
                parts.append("\n")
            elif tag == _W + "noBreakHyphen":
                parts.append("-")
            elif tag == _W + "tbl":
                continue
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _docx_cell_text(tc) -> str:
    """All paragraphs of a cell (nested tables included), joined as one label."""
    lines = [_docx_paragraph_text(p) for p in _docx_paragraphs(tc)]
    return _clean_cell_text("\n".join(lines))


def _docx_paragraphs(el) -> Iterator:
    """Paragraphs under `el` in order, not those in text boxes or drawings."""
    for child in el:
        if child.tag == _W + "p":
            yield child
        elif isinstance(child.tag, str) and child.tag not in _W_SKIP:
            yield from _docx_paragraphs(child)


def _docx_children(el, tag: str) -> Iterator:
    """Direct children with `tag`, looking through content controls and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _W_TRANSPARENT:
            yield from _docx_children(child, tag)


def _w_int(el, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return max(int(found.get(_W + "val", default)), 0)
    except ValueError:
        return default


def _docx_vmerge(tc) -> str | None:
    """'restart' (top of a vertical merge), 'continue' (covered), or None."""
    vm = tc.find(f"{_W}tcPr/{_W}vMerge")
    if vm is None:
        return None
    return "restart" if vm.get(_W + "val") == "restart" else "continue"


def _docx_raw_rows(tbl) -> list[list[tuple[int, int, str, str | None]]]:
    """Each row as (grid column, gridSpan, text, vMerge) per cell; gridBefore shifts the start."""
    rows = []
    for tr in _docx_children(tbl, _W + "tr"):
        col = _w_int(tr, f"{_W}trPr/{_W}gridBefore", 0)
        cells = []
        for tc in _docx_children(tr, _W + "tc"):
            span = max(_w_int(tc, f"{_W}tcPr/{_W}gridSpan", 1), 1)
            cells.append((col, span, _docx_cell_text(tc), _docx_vmerge(tc)))
            col += span
        rows.append(cells)
    return rows


def _docx_grid(tbl) -> list[list[RawCell | None]]:
    raw = _docx_raw_rows(tbl)
    grid_cols = len(tbl.findall(f"{_W}tblGrid/{_W}gridCol"))
    width = max([grid_cols] + [c + s for row in raw for c, s, _, _ in row] or [0])
    grid: list[list[RawCell | None]] = []
    open_above = [False] * width  # column is inside a vertical merge continuing downwards
    for cells in raw:
        row: list[RawCell | None] = [RawCell("", 1) for _ in range(width)]
        still_open = [False] * width
        for col, span, text, vmerge in cells:
            span = min(span, width - col)
            if vmerge == "continue" and open_above[col]:
                for k in range(col, col + span):
                    row[k] = None
                    still_open[k] = True
                continue
            row[col] = RawCell(text, span)
            for k in range(col + 1, col + span):
                row[k] = None
            if vmerge is not None:  # a 'continue' with nothing above starts a merge itself
                for k in range(col, col + span):
                    still_open[k] = True
        open_above = still_open
        grid.append(row)
    return grid


def _docx_table(tbl, source: str, counter: Iterator[int]) -> Iterator[Block]:
    grid = _docx_grid(tbl)
    lines = [next(counter) for _ in grid]
    texts = [c.text for row in grid for c in row if c is not None and c.text]
    if not texts:
        return
    if _is_single_box(grid):
        # A one-cell table is a framed paragraph (a boxed title or note), not a grid.
        yield TextLine(texts[0], _location(source, lines[0]))
        return
    yield RawTable(
        rows=grid,
        location=_location(source, lines[0]),
        row_locations=[_location(source, n) for n in lines],
    )


def _is_single_box(grid: list[list[RawCell | None]]) -> bool:
    """One anchor covering the whole grid."""
    return sum(1 for row in grid for c in row if c is not None) == 1


# ----------------------------------------------------------------------------------------
# HTML (stdlib html.parser builds a small tree; then a walk emits blocks)
# ----------------------------------------------------------------------------------------

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}
_SKIP_HTML = {"script", "style", "noscript", "template", "head", "title", "select", "option"}
_BLOCK = {"address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
          "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
          "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
          "tr", "td", "th", "caption", "body", "html"}
_TABLE_PARTS = {"thead", "tbody", "tfoot"}


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list["_Node | _Text"] = field(default_factory=list)


@dataclass
class _Text:
    text: str
    line: int


def _build_tree(text: str) -> _Node:
    """Parse HTML into a forgiving tree: end tags may be missing (td, tr, p, li), stray end
    tags are ignored, and no end tag closes anything outside its own table."""
    from html.parser import HTMLParser

    root = _Node("#root", {}, 1)
    stack = [root]

    def close_to(tags: set[str], stop: set[str]) -> None:
        for i in range(len(stack) - 1, 0, -1):
            if stack[i].tag in tags:
                del stack[i:]
                return
            if stack[i].tag in stop:
                return

    class Builder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            line = self.getpos()[0]
            if tag in ("td", "th"):
                close_to({"td", "th"}, {"tr", "table"})
            elif tag == "tr":
                close_to({"tr"}, {"table"} | _TABLE_PARTS)
            elif tag in _TABLE_PARTS:
                close_to(_TABLE_PARTS, {"table"})
            elif tag in ("p", "li"):
                close_to({tag}, {"table", "td", "th", "div", "ul", "ol"})
            node = _Node(tag, {k: v or "" for k, v in attrs}, line)
            stack[-1].children.append(node)
            if tag not in _VOID:
                stack.append(node)

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)
            if tag not in _VOID:
                close_to({tag}, set())

        def handle_endtag(self, tag):
            if tag == "table":
                close_to({"table"}, set())
            else:
                close_to({tag}, {"table"})

        def handle_data(self, data):
            stack[-1].children.append(_Text(data, self.getpos()[0]))

    parser = Builder(convert_charrefs=True)
    parser.feed(text)
    parser.close()
    return root


def _collapse(text: str) -> str:
    """HTML whitespace: runs become one space, except a line break between Chinese
    characters, which browsers drop (源文件换行 inside 一般公共\\n预算)."""
    def repl(m: re.Match[str]) -> str:
        s, start, end = m.group(0), m.start(), m.end()
        if "\n" in s and 0 < start and end < len(text) and _is_cjk(text[start - 1]) and _is_cjk(text[end]):
            return ""
        return " "

    return re.sub(r"[ \t\r\n\f\xa0]+", repl, text)


class _LineSink:
    """Accumulates inline text into lines; a block boundary or <br> ends a line."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, int]] = []
        self._parts: list[str] = []
        self._line: int | None = None

    def add(self, text: str, line: int) -> None:
        if self._line is None and text.strip():
            self._line = line
        self._parts.append(text)

    def flush(self) -> None:
        text = _collapse("".join(self._parts)).strip()
        if text:
            self.lines.append((text, self._line or 0))
        self._parts, self._line = [], None


def _html_cell_text(node: _Node) -> str:
    sink = _LineSink()
    _inline_walk(node, sink)
    sink.flush()
    return _join_lines([t for t, _ in sink.lines])


def _inline_walk(node: _Node, sink: _LineSink) -> None:
    """Text of a node with line breaks at <br> and block elements (used inside cells)."""
    for child in node.children:
        if isinstance(child, _Text):
            sink.add(child.text, child.line)
        elif child.tag in _SKIP_HTML:
            continue
        elif child.tag == "br":
            sink.flush()
        else:
            if child.tag in _BLOCK:
                sink.flush()
            _inline_walk(child, sink)
            if child.tag in _BLOCK:
                sink.flush()


def _table_rows(table: _Node) -> list[_Node]:
    """The table's own <tr>s (through thead/tbody/tfoot), not those of nested tables."""
    rows: list[_Node] = []
    for child in table.children:
        if isinstance(child, _Node):
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in _TABLE_PARTS:
                rows.extend(_table_rows(child))
    return rows


def _row_cells(tr: _Node) -> list[_Node]:
    return [c for c in tr.children if isinstance(c, _Node) and c.tag in ("td", "th")]


def _has_nested_table(node: _Node) -> bool:
    return any(isinstance(c, _Node) and (c.tag == "table" or _has_nested_table(c)) for c in node.children)


def _span_attr(cell: _Node, name: str, limit: int) -> int:
    try:
        value = int(re.match(r"\s*(\d+)", cell.attrs.get(name, "1")).group(1))
    except (AttributeError, ValueError):
        return 1
    return min(value, limit) if value > 0 else limit  # rowspan=0: to the end of the table


def _html_grid(rows: list[_Node]) -> list[list[RawCell | None]]:
    """The HTML table algorithm: cells fill the first free position, rowspan/colspan
    reserve positions below and to the right."""
    placed: dict[tuple[int, int], RawCell | None] = {}
    n = len(rows)
    for i, tr in enumerate(rows):
        j = 0
        for cell in _row_cells(tr):
            while (i, j) in placed:
                j += 1
            colspan = _span_attr(cell, "colspan", 1000) if "colspan" in cell.attrs else 1
            colspan = max(colspan, 1)
            rowspan = _span_attr(cell, "rowspan", n - i) if "rowspan" in cell.attrs else 1
            for di in range(max(rowspan, 1)):
                for dj in range(colspan):
                    placed.setdefault((i + di, j + dj), None)
            placed[(i, j)] = RawCell(_html_cell_text(cell), colspan)
            j += colspan
    width = max((j + 1 for _, j in placed), default=0)
    return [[placed[(i, j)] if (i, j) in placed else RawCell("", 1) for j in range(width)] for i in range(n)]


class _HtmlEmitter:
    def __init__(self, source: str):
        self.source = source
        self.blocks: list[Block] = []
        self.sink = _LineSink()

    def flush(self) -> None:
        self.sink.flush()
        for text, line in self.sink.lines:
            self.blocks.append(TextLine(text, _location(self.source, line)))
        self.sink.lines.clear()

    def walk(self, node: _Node) -> None:
        for child in node.children:
            if isinstance(child, _Text):
                self.sink.add(child.text, child.line)
            elif child.tag in _SKIP_HTML:
                continue
            elif child.tag == "table":
                self.flush()
                self.table(child)
            elif child.tag == "pre":
                self.flush()
                self.pre(child)
            elif child.tag == "br":
                self.sink.flush()
            else:
                if child.tag in _BLOCK:
                    self.sink.flush()
                self.walk(child)
                if child.tag in _BLOCK:
                    self.sink.flush()
        if node.tag == "#root":
            self.flush()

    def pre(self, node: _Node) -> None:
        """Preformatted text keeps its line breaks and tabs (a tab-separated table dump)."""
        parts: list[str] = []

        def gather(n: _Node) -> None:
            for c in n.children:
                if isinstance(c, _Text):
                    parts.append(c.text)
                elif c.tag == "br":
                    parts.append("\n")
                elif c.tag not in _SKIP_HTML:
                    gather(c)

        gather(node)
        for k, text in enumerate("".join(parts).split("\n")):
            if text.strip():
                self.blocks.append(TextLine(text.rstrip(), _location(self.source, node.line + k)))

    def table(self, node: _Node) -> None:
        for child in node.children:
            if isinstance(child, _Node) and child.tag == "caption":
                self.walk(child)
                self.flush()
        rows = _table_rows(node)
        grid = _html_grid(rows)
        anchors = [c for row in grid for c in row if c is not None]
        if any(_has_nested_table(c) for tr in rows for c in _row_cells(tr)) or len(anchors) <= 1:
            # A layout table (it holds other tables) or a one-cell frame: its content is
            # text flow, and the tables inside it are the data.
            for tr in rows:
                for cell in _row_cells(tr):
                    self.sink.flush()
                    self.walk(cell)
                    self.flush()
            return
        if not any(c.text for c in anchors):
            return
        self.blocks.append(
            RawTable(
                rows=grid,
                location=_location(self.source, node.line),
                row_locations=[_location(self.source, tr.line) for tr in rows],
            )
        )


def _declared_charset(data: bytes) -> str | None:
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", data[:4096], re.I)
    return m.group(1).decode("ascii").lower() if m else None


_GB_OR_UTF8 = {"utf8", "gb2312", "gbk", "gb18030", "cp936", "xgbk"}


def _decode_html(data: bytes, path: Path) -> str:
    """Bytes → text with the project's detection (UTF-8, then GB18030, then a guess); a
    <meta> charset outside that family (big5, utf-16) is tried first, since detection
    would read those as GB18030."""
    from .text import decode_bytes

    for bom in (b"\xff\xfe", b"\xfe\xff"):
        if data.startswith(bom):
            return data.decode("utf-16", errors="replace")
    declared = _declared_charset(data)
    if declared and declared.replace("-", "").replace("_", "") not in _GB_OR_UTF8:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, path.name)


def read_html(path: str | Path) -> list[Block]:
    """An HTML page: text as TextLines (one per block element or <br>), data tables as
    RawTables with colspan/rowspan resolved. `line` is the source line of the element."""
    path = Path(path)
    data = _read_bytes(path)
    if data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC):
        raise ParseError(
            f"{path.name}: an office document (zip/OLE), not HTML; load it under its real "
            "extension (.xlsx, .docx, .xls)."
        )
    emitter = _HtmlEmitter(path.name)
    emitter.walk(_build_tree(_decode_html(data, path)))
    if not emitter.blocks:
        raise ParseError(f"{path.name}: the HTML page has no text or tables; check that this is the right file.")
    return emitter.blocks
