"""Word .docx documents: body paragraphs as TextLines, tables as RawTables, in body order.

The one module that imports python-docx, which opens the package; the body XML is then
walked directly, so text boxes, deleted text and field codes stay out.
"""

from __future__ import annotations

import io
import itertools
import zipfile
from typing import Any, Iterator

from ..blocks import Block, ParseError, RawCell, RawTable, TextLine
from ..grid import Grid, clean_office_cell
from ..model import Location
from .sniff import is_encrypted_ooxml, is_ole, password_error

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Containers whose content is part of the flow (content controls, custom XML, tracked insertions).
_W_TRANSPARENT = {_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "smartTag", _W + "fldSimple", _W + "hyperlink"}
# Text inside drawings/objects is a text box or a fallback copy of one: not body text.
_W_SKIP = {_W + "drawing", _W + "pict", _W + "object", _W + "del", _W + "moveFrom",
           "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"}


def docx_blocks(data: bytes, source: str) -> list[Block]:
    """A Word .docx: body paragraphs as TextLines, tables as RawTables, in body order.

    `line` in locations counts paragraphs and table rows from the top of the body, so a
    table row has its own line number as it would in a text rendering.
    """
    body = _open_body(data, source)
    counter = itertools.count(1)
    blocks = list(_blocks(body, source, counter))
    if not blocks:
        raise ParseError(f"{source}: the Word document has no text or tables; check that this is the right file.")
    return blocks


def _open_body(data: bytes, source: str) -> Any:
    import docx

    if is_ole(data):
        if is_encrypted_ooxml(data):
            raise password_error(source, "Word")
        raise ParseError(
            f"{source}: an old binary Word .doc file, not .docx; open it in Word or WPS "
            "and save it as .docx."
        )
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ParseError(
            f"{source}: not a valid .docx file (not a zip archive; corrupt, truncated or "
            "another format); re-download it, or open it in Word and save it as .docx."
        )
    main = _ooxml_main_part(data)
    if main is None or not main.startswith("word/"):
        raise ParseError(
            f"{source}: a zip archive but not a Word document (no word/document.xml main "
            f"part{'' if main is None else ', it holds ' + main}); check the file, or open it "
            "in Word and save it as .docx."
        )
    try:
        return docx.Document(io.BytesIO(data)).element.body
    except (KeyError, ValueError) as e:
        raise ParseError(
            f"{source}: a zip archive but not a Word document (no word/document.xml main "
            f"part: {e}); check the file, or open it in Word and save it as .docx."
        ) from e
    except Exception as e:  # damaged XML parts and the like
        raise ParseError(
            f"{source}: the Word document could not be read ({type(e).__name__}: {e}); "
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


def _blocks(container, source: str, counter: Iterator[int]) -> Iterator[Block]:
    for child in container:
        tag = child.tag
        if tag == _W + "p":
            for text in _paragraph_text(child).split("\n"):
                n = next(counter)
                if text.strip():
                    yield TextLine(text.strip(), Location(source, n))
        elif tag == _W + "tbl":
            yield from _table(child, source, counter)
        elif tag in _W_TRANSPARENT:
            yield from _blocks(child, source, counter)


def _paragraph_text(p) -> str:
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


def _cell_text(tc) -> str:
    """All paragraphs of a cell (nested tables included), joined as one label."""
    lines = [_paragraph_text(p) for p in _paragraphs(tc)]
    return clean_office_cell("\n".join(lines))


def _paragraphs(el) -> Iterator:
    """Paragraphs under `el` in order, not those in text boxes or drawings."""
    for child in el:
        if child.tag == _W + "p":
            yield child
        elif isinstance(child.tag, str) and child.tag not in _W_SKIP:
            yield from _paragraphs(child)


def _children(el, tag: str) -> Iterator:
    """Direct children with `tag`, looking through content controls and custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag in _W_TRANSPARENT:
            yield from _children(child, tag)


def _w_int(el, path: str, default: int) -> int:
    found = el.find(path)
    if found is None:
        return default
    try:
        return max(int(found.get(_W + "val", default)), 0)
    except ValueError:
        return default


def _vmerge(tc) -> str | None:
    """'restart' (top of a vertical merge), 'continue' (covered), or None."""
    vm = tc.find(f"{_W}tcPr/{_W}vMerge")
    if vm is None:
        return None
    return "restart" if vm.get(_W + "val") == "restart" else "continue"


def _raw_rows(tbl) -> list[list[tuple[int, int, str, str | None]]]:
    """Each row as (grid column, gridSpan, text, vMerge) per cell; gridBefore shifts the start."""
    rows = []
    for tr in _children(tbl, _W + "tr"):
        col = _w_int(tr, f"{_W}trPr/{_W}gridBefore", 0)
        cells = []
        for tc in _children(tr, _W + "tc"):
            span = max(_w_int(tc, f"{_W}tcPr/{_W}gridSpan", 1), 1)
            cells.append((col, span, _cell_text(tc), _vmerge(tc)))
            col += span
        rows.append(cells)
    return rows


def _grid(tbl) -> Grid:
    raw = _raw_rows(tbl)
    grid_cols = len(tbl.findall(f"{_W}tblGrid/{_W}gridCol"))
    width = max([grid_cols] + [c + s for row in raw for c, s, _, _ in row] or [0])
    grid: Grid = []
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


def _table(tbl, source: str, counter: Iterator[int]) -> Iterator[Block]:
    grid = _grid(tbl)
    lines = [next(counter) for _ in grid]
    texts = [c.text for row in grid for c in row if c is not None and c.text]
    if not texts:
        return
    if _is_single_box(grid):
        # A one-cell table is a framed paragraph (a boxed title or note), not a grid.
        yield TextLine(texts[0], Location(source, lines[0]))
        return
    yield RawTable(
        rows=grid,
        location=Location(source, lines[0]),
        row_locations=[Location(source, n) for n in lines],
    )


def _is_single_box(grid: Grid) -> bool:
    """One anchor covering the whole grid."""
    return sum(1 for row in grid for c in row if c is not None) == 1
