"""Old-format .xls workbooks (BIFF, xlrd), with merges and number formats when xlrd has them.

The one module that imports xlrd. The dispatcher sends a zip workbook or an HTML page saved
under an .xls name to their own readers.
"""

from __future__ import annotations

from typing import Any

from ..blocks import Block, ParseError
from ..grid import clean_office_cell
from .numfmt import excel_number_text, temporal_text
from .sheet import Sheet, center_across_merges, workbook_blocks
from .sniff import is_encrypted_ooxml, is_ole, password_error


def xls_blocks(data: bytes, source: str) -> list[Block]:
    """An .xls workbook: every visible sheet, top to bottom, as TextLines and RawTables."""
    if not is_ole(data):
        raise ParseError(
            f"{source}: not a valid .xls file (corrupt, truncated or another format); "
            "re-download it, or open it in Excel and save it as .xlsx."
        )
    if is_encrypted_ooxml(data):
        raise password_error(source, "Excel")
    book = _open_book(data, source)
    sheets = [_sheet(book, sh) for sh in book.sheets() if sh.visibility == 0]
    return workbook_blocks(sheets, source)


def _open_book(data: bytes, source: str) -> Any:
    import xlrd

    last: Exception | None = None
    # formatting_info gives merges and number formats; some writers' files only open without.
    for formatting in (True, False):
        try:
            return xlrd.open_workbook(file_contents=data, formatting_info=formatting, on_demand=False)
        except xlrd.XLRDError as e:
            if "encrypted" in str(e).lower():
                raise password_error(source, "Excel") from e
            last = e
        except Exception as e:  # xlrd raises assorted errors on damaged records
            last = e
    raise ParseError(
        f"{source}: the .xls workbook could not be read ({type(last).__name__}: {last}); "
        "open it in Excel and save it as .xlsx."
    ) from last


def _sheet(book: Any, sh: Any) -> Sheet:
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
            text = _cell_text(book, sh, r, c)
            if text:
                texts[(r + 1, c + 1)] = text
            xf = _xf(book, sh, r, c)
            if xf is not None and _has_border(xf):
                bordered.add((r + 1, c + 1))
            if xf is not None and xf.alignment.hor_align == 6:  # centred across selection
                across.add((r + 1, c + 1))
    # xlrd ranges are 0-based, half-open: (rlo, rhi, clo, chi)
    merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sh.merged_cells]
    merges += center_across_merges(texts, across, merges)
    return Sheet(sh.name, texts, merges, bordered, merges_known=bool(book.formatting_info))


def _xf(book: Any, sh: Any, r: int, c: int) -> Any:
    if not book.formatting_info:
        return None
    try:
        return book.xf_list[sh.cell_xf_index(r, c)]
    except (IndexError, AttributeError):
        return None


def _number_format(book: Any, sh: Any, r: int, c: int) -> str | None:
    xf = _xf(book, sh, r, c)
    fmt = book.format_map.get(xf.format_key) if xf is not None else None
    return fmt.format_str if fmt is not None else None


def _has_border(xf: Any) -> bool:
    b = xf.border
    return any((b.left_line_style, b.right_line_style, b.top_line_style, b.bottom_line_style))


def _cell_text(book: Any, sh: Any, r: int, c: int) -> str:
    import xlrd

    kind, value = sh.cell_type(r, c), sh.cell_value(r, c)
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_NUMBER:
        return excel_number_text(value, _number_format(book, sh, r, c))
    if kind == xlrd.XL_CELL_DATE:
        try:
            return temporal_text(xlrd.xldate.xldate_as_datetime(value, book.datemode))
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return excel_number_text(value, None)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERR")
    return clean_office_cell(str(value))
