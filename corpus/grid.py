"""Raw grids (`RawCell` rows): cell text cleaning and spacer-column dropping, in one place.

Each source wraps cell text and pads grids its own way, so there is one rule per source,
named for it and kept side by side so the differences stay visible:

- cell text: `clean_office_cell` (spreadsheet, Word, HTML), `clean_pdf_cell`, and
  `cell_text`, the assembler's view of any cell as a label;
- columns: `drop_spacer_columns` (PDF), `drop_unmerged_blank_columns` (spreadsheets) and
  `drop_empty_columns` (the assembler, every format).
"""

from __future__ import annotations

import re

from .blocks import RawCell
from .text import PDF_CJK, PDF_GLYPH_FIXES, clean_label, join_wrapped_lines

Grid = list[list[RawCell | None]]

# --- cell text --------------------------------------------------------------------------------


def clean_office_cell(text: str) -> str:
    """A spreadsheet, Word or HTML cell on one line: the writer's line breaks join as in
    `join_wrapped_lines`, so a header wrapped inside a cell reads as one label; spaces
    inside a line are the author's and stay."""
    lines = [ln.strip() for ln in re.split(r"\r\n|\r|\n|\x0b", text)]
    return join_wrapped_lines([ln for ln in lines if ln]).replace("\t", " ")


def clean_pdf_cell(text: str) -> str:
    """Rejoin text wrapped inside a PDF cell: "机关运行经\\n费预算数" → "机关运行经费预算数".
    Only Latin words broken across lines get a space back; spreadsheet letter-spacing
    between Chinese characters ("合 计") is removed."""
    text = text.translate(PDF_GLYPH_FIXES).strip()
    text = re.sub(r"(?<=[A-Za-z])\s*\n\s*(?=[A-Za-z])", " ", text)
    text = re.sub(r"\s*\n\s*", "", text)
    return re.sub(rf"(?<=[{PDF_CJK}]) (?=[{PDF_CJK}])", "", text)


def cell_text(cell: RawCell | None) -> str:
    """A grid position's text as the assembler reads it: a label, "" where a merge covers it."""
    return clean_label(cell.text) if cell is not None else ""


# --- rows and columns -------------------------------------------------------------------------


def is_blank_row(row: list[RawCell | None]) -> bool:
    return all(c is None or not c.text for c in row)


def drop_spacer_columns(rows: Grid) -> Grid:
    """PDF grids: remove columns where no cell has text (spacer columns between ruling
    lines), shrinking the spans of cells that cover them. Works in place."""
    width = len(rows[0]) if rows else 0
    for j in reversed(range(width)):
        if all(_no_text(row[j]) for row in rows):
            for row in rows:
                _remove_column(row, j)
    return rows


def _no_text(cell: RawCell | None) -> bool:
    return cell is None or not cell.text


def _remove_column(row: list[RawCell | None], j: int) -> None:
    cell = row.pop(j)
    if cell is not None and (cell.span or 1) > 1:
        row.insert(j, RawCell(cell.text, (cell.span or 1) - 1))  # blank, but still covers the rest
        row.pop(j + 1)
        return
    for k in range(j - 1, -1, -1):  # the nearest cell to the left: does it cover j?
        owner = row[k]
        if owner is not None:
            if k + (owner.span or 1) > j:
                row[k] = RawCell(owner.text, (owner.span or 1) - 1)
            return


def drop_unmerged_blank_columns(grid: Grid) -> Grid:
    """Spreadsheet grids: a column with no text and no merge in any row is a spacer, not a
    table column. A position covered by a merge (None) keeps its column; spans are kept."""
    def blank(j: int) -> bool:
        return all(_unmerged_blank(r[j]) for r in grid)

    keep = [j for j in range(len(grid[0])) if not blank(j)]
    if len(keep) == len(grid[0]) or not keep:
        return grid
    return [[r[j] for j in keep] for r in grid]


def _unmerged_blank(cell: RawCell | None) -> bool:
    return isinstance(cell, RawCell) and cell.text == "" and cell.span in (1, None)


def drop_empty_columns(rows: Grid) -> Grid:
    """Any grid, in the assembler: spacer columns (all empty, or only covered by merges)
    carry nothing. A cell spanning dropped columns keeps the count of kept columns it
    covers; an empty cell of a dropped column goes with it."""
    if not rows:
        return rows
    width = len(rows[0])
    keep = [c for c in range(width) if any(r[c] is not None and cell_text(r[c]) for r in rows)]
    if len(keep) == width:
        return rows
    out = []
    for row in rows:
        new_row: list[RawCell | None] = []
        for c in keep:
            cell = row[c]
            if cell is not None and cell.span is not None and cell.span > 1:
                covered = sum(1 for k in keep if c <= k < c + cell.span)
                cell = RawCell(cell.text, max(covered, 1))
            new_row.append(cell)
        out.append(new_row)
    return out
