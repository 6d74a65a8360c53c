"""XLSX workbooks (openpyxl): every visible sheet, top to bottom, as TextLines and RawTables.

The one module that imports openpyxl. It reads OOXML (zip) workbooks; the dispatcher sends
an old-format workbook or an HTML page saved under an .xlsx name to their own readers.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from ..blocks import Block, ParseError
from ..grid import clean_office_cell
from .numfmt import excel_number_text, temporal_text
from .sheet import Sheet, center_across_merges, workbook_blocks


def xlsx_blocks(data: bytes, source: str) -> list[Block]:
    """An .xlsx/.xlsm workbook: every visible sheet, top to bottom, as TextLines and RawTables."""
    wb = _open_workbook(data, source)
    try:
        styles = _style_ids(wb)
        sheets = [_sheet(ws, styles) for ws in wb.worksheets if ws.sheet_state == "visible"]
    finally:
        wb.close()
    return workbook_blocks(sheets, source)


def _open_workbook(data: bytes, source: str) -> Any:
    import openpyxl

    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ParseError(
            f"{source}: not a valid .xlsx file (not a zip archive; corrupt, truncated or "
            "another format); re-download it, or open it in Excel and save it as .xlsx."
        )
    try:
        # A file object, not the path: openpyxl refuses names not ending in .xlsx, and
        # mislabelled workbooks are common. data_only: the cached values Excel displays.
        return openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except KeyError as e:
        raise ParseError(
            f"{source}: a zip archive but not an Excel workbook ({e}); check the file, or "
            "open it in Excel and save it as .xlsx."
        ) from e
    except Exception as e:  # openpyxl raises many types for damaged parts
        raise ParseError(
            f"{source}: the workbook could not be read ({type(e).__name__}: {e}); open it in "
            "Excel and save it again as .xlsx."
        ) from e


def _sheet(ws: Any, styles: tuple[set[int], set[int]]) -> Sheet:
    bordered_ids, across_ids = styles
    hidden_rows = {r for r, d in ws.row_dimensions.items() if d.hidden}
    hidden_cols = _hidden_cols(ws)
    texts: dict[tuple[int, int], str] = {}
    bordered: set[tuple[int, int]] = set()
    across: set[tuple[int, int]] = set()
    # ws._cells holds only the cells the file defines; iter_rows over the dimension would
    # create a million empty cells for a sheet formatted down to row 1048576.
    for (r, c), cell in ws._cells.items():
        if r in hidden_rows or c in hidden_cols:
            continue  # hidden rows/columns are not part of the printed document
        text = _cell_text(cell)
        if text:
            texts[(r, c)] = text
        if cell._style.borderId in bordered_ids:
            bordered.add((r, c))
        if cell._style.alignmentId in across_ids:
            across.add((r, c))
    merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
    return Sheet(ws.title, texts, merges + center_across_merges(texts, across, merges), bordered)


def _hidden_cols(ws: Any) -> set[int]:
    from openpyxl.utils import column_index_from_string

    hidden: set[int] = set()
    for key, dim in ws.column_dimensions.items():
        if dim.hidden:
            lo = dim.min or column_index_from_string(key)
            hidden.update(range(lo, (dim.max or lo) + 1))
    return hidden


def _style_ids(wb: Any) -> tuple[set[int], set[int]]:
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


def _cell_text(cell: Any) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float, Decimal)):
        return excel_number_text(v, cell.number_format)
    if isinstance(v, (datetime, date, time, timedelta)):
        return temporal_text(v)
    return clean_office_cell(str(v))
