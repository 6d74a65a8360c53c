"""What a format reader hands to the assembler: text lines and raw table grids, in reading order.

Every reader (`corpus.readers`: txt, pdf, xlsx, xls, docx, html) turns its file into a list
of `Block`s; one assembler (`corpus.assemble`) turns blocks into a `BudgetDocument`. So
headings, table titles, units, header resolution, hierarchy and checks are written once,
for all formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Location


class ParseError(Exception):
    """A document could not be read; the message names the file and what to do."""


class UnsupportedFormat(ParseError):
    """The file's type is not one we read."""


class NoTextLayer(ParseError):
    """A PDF with no text layer (a scan); OCR is not supported."""


@dataclass
class RawCell:
    """One cell of a raw grid.

    `span` is the number of grid columns the cell covers when the reader knows it (a PDF
    cell's bbox, an XLSX merged range, a DOCX gridSpan); None means "infer from the empty
    cells around it", which is what a tab-separated text needs.
    """

    text: str
    span: int | None = None


@dataclass
class TextLine:
    """One line of text. `wrapped` is set by readers that see the page (PDF) when the line
    runs to the right margin of the body text, so the next line continues it: a heading
    or list item broken by the page width ("…支出预算情" / "况说明")."""

    text: str
    location: Location
    wrapped: bool = False


@dataclass
class RawTable:
    """A grid of cells as the reader saw it, already merged across pages.

    `rows[i][j]` is a RawCell, or None where a merged cell from the left or above covers
    the position. Every row has the same length. `header_rows`, when the reader knows
    it, is how many leading rows are header; otherwise the assembler decides.
    """

    rows: list[list[RawCell | None]]
    location: Location
    row_locations: list[Location] = field(default_factory=list)
    header_rows: int | None = None
    title: str | None = None
    unit: str | None = None


Block = TextLine | RawTable
