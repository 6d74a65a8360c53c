"""The printed page as an image: a PDF page rendered (pypdfium2), the cited cell outlined,
and a band of the page around it cropped out — rendered once, then served from a cache.

The cache is a folder of files named by a key made of the source file's sha256, the query
(page, value, row, column) and the drawing settings, so a changed file or a new way of
drawing never reuses an old picture. Every file is written to a temporary name and renamed,
so a reader never sees half a PNG; the metadata file is written last and is what a later
call trusts.

    ev = page_evidence(Path("budget.pdf"), doc.sha256, query, Path(".budgetqa/cache/pages"))
    ev.crop_png, ev.page_png, ev.located     # crop is None when the cell was not located
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .pages import Box, CellQuery, Located, locate_cell

DRAWING_VERSION = 4
SCALE = 2.0                     # 144 dpi: table digits stay sharp in the crop
OUTLINE = (211, 47, 47)         # the page's red, visible on white and on grey fills
OUTLINE_PX = 4
ROWS_ABOVE_PT = 110.0           # the band: about five rows above the cell …
ROWS_BELOW_PT = 70.0            # … and three below
MARGIN_PT = 10.0                # left and right of the table
RULE_PAD_PT = 0.8               # above and below the rules the band stops on (a row's text starts ~3pt in)
GAP_PX = 10                     # between the headers and the band when rows between are left out
GAP_COLOUR = (200, 200, 200)

# PDFium is not thread-safe (pypdfium2's documentation): the app answers several questions at
# once, so renders take turns. A render is ~50 ms; locating and PNG encoding run in parallel.
_PDFIUM = threading.Lock()


@dataclass(frozen=True)
class PageEvidence:
    """The cited cell's page as images: the whole page (outlined when located) and the crop."""

    page: int
    page_png: Path
    crop_png: Path | None       # None: the cell could not be told apart on the page
    cell: Box | None

    @property
    def located(self) -> bool:
        return self.cell is not None


def cache_key(sha256: str, query: CellQuery) -> str:
    text = f"{DRAWING_VERSION}|{SCALE}|{sha256}|{query.key()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# Cells kept in the cache (70–150 KB each): the least recently shown beyond this are removed
# when a new one is rendered, so a public page's cache never fills the disk (~300 MB at most).
CELLS_KEPT = 2_000


def page_evidence(source: Path | None, sha256: str, query: CellQuery, cache_dir: Path,
                  keep: int = CELLS_KEPT) -> PageEvidence | None:
    """The images for a cited cell, from the cache or rendered now from `source` (a PDF whose
    sha256 must still be `sha256`). None when there is no such page or no usable file. The
    cache keeps the `keep` cells shown most recently."""
    key = cache_key(sha256, query)
    cached = _read_cached(cache_dir, key)
    if cached is not None:
        return cached
    if source is None or not source.is_file() or _sha256(source) != sha256:
        return None
    located = locate_cell(source, query)
    images = render(source, query.page, located)
    if images is None:
        return None
    page_png = _write_png(cache_dir / f"{key}-page.png", images[0])
    crop_png = _write_png(cache_dir / f"{key}-crop.png", images[1]) if images[1] is not None else None
    cell = located.cell if located else None
    meta = {"page": query.page, "page_png": page_png.name, "crop_png": crop_png.name if crop_png else None,
            "cell": [cell.x0, cell.top, cell.x1, cell.bottom] if cell else None}
    _write_atomic(cache_dir / f"{key}.json", json.dumps(meta).encode("utf-8"))
    _trim(cache_dir, keep)
    return PageEvidence(query.page, page_png, crop_png, cell)


def _trim(cache_dir: Path, keep: int) -> None:
    """Remove the cells shown least recently beyond the newest `keep` (a cell's .json is
    touched each time it is served from the cache). Another thread's removal is no error."""
    entries = []
    for meta in cache_dir.glob("*.json"):
        try:
            entries.append((meta.stat().st_mtime, meta))
        except OSError:
            continue
    entries.sort()
    for _, meta in entries[:max(0, len(entries) - keep)]:
        for suffix in (".json", "-page.png", "-crop.png"):
            (cache_dir / f"{meta.stem}{suffix}").unlink(missing_ok=True)


def render(source: Path, page: int, located: Located | None) -> tuple[Any, Any | None] | None:
    """(the whole page, the band around the cell) as PIL images, the cell outlined on both;
    the band is None without a located cell. None when the page does not exist."""
    import pypdfium2 as pdfium  # a renderer only when a page is shown

    with _PDFIUM:
        pdf = pdfium.PdfDocument(str(source))
        try:
            if not 1 <= page <= len(pdf):
                return None
            pdf_page = pdf[page - 1]
            width_pt = pdf_page.get_width()
            image = pdf_page.render(scale=SCALE).to_pil().convert("RGB")
        finally:
            pdf.close()
    if located is None:
        return image, None
    scale = image.width / width_pt
    _outline(image, located.cell, scale)
    band = _band(located, image.size, scale)
    crop = image.crop(band)
    header = located.header
    if header is not None and header.bottom * scale < band[1]:   # headers far above: shown on top
        strip = image.crop((band[0], int((header.top - RULE_PAD_PT) * scale), band[2], int((header.bottom + RULE_PAD_PT) * scale)))
        crop = _stack(strip, crop)
    return image, crop


def _stack(upper: Any, lower: Any) -> Any:
    """Two pieces of the page one above the other, a grey bar between: rows were left out."""
    from PIL import Image

    joined = Image.new("RGB", (upper.width, upper.height + GAP_PX + lower.height), GAP_COLOUR)
    joined.paste(upper, (0, 0))
    joined.paste(lower, (0, upper.height + GAP_PX))
    return joined


def _outline(image: Any, cell: Box, scale: float) -> None:
    from PIL import ImageDraw

    # drawn on the cell's own rules and inward, so a crop that stops at a rule shows all of it
    box = [cell.x0 * scale, cell.top * scale, cell.x1 * scale, cell.bottom * scale]
    ImageDraw.Draw(image).rectangle(box, outline=OUTLINE, width=OUTLINE_PX)


def _band(located: Located, size: tuple[int, int], scale: float) -> tuple[int, int, int, int]:
    """Pixels to crop: the table's width (the page's without a table), some rows around the
    cell, cut on the table's row rules so that no row is shown halved."""
    cell = located.cell
    frame = located.frame or Box(0.0, 0.0, size[0] / scale, size[1] / scale)
    above = [y for y in located.rules if cell.top - ROWS_ABOVE_PT <= y <= cell.top]
    below = [y for y in located.rules if cell.bottom <= y <= cell.bottom + ROWS_BELOW_PT]
    top = min(above) if above else max(cell.top - ROWS_ABOVE_PT, frame.top)
    bottom = max(below) if below else min(cell.bottom + ROWS_BELOW_PT, frame.bottom)
    if located.header is not None and located.header.bottom > top:
        top = located.header.top          # a band reaching into the headers shows all of them
    left, right = min(frame.x0, cell.x0) - MARGIN_PT, max(frame.x1, cell.x1) + MARGIN_PT
    box = (left * scale, (top - RULE_PAD_PT) * scale, right * scale, (bottom + RULE_PAD_PT) * scale)
    return (max(0, int(box[0])), max(0, int(box[1])), min(size[0], int(box[2]) + 1), min(size[1], int(box[3]) + 1))


def _read_cached(cache_dir: Path, key: str) -> PageEvidence | None:
    try:
        meta = json.loads((cache_dir / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    page_png = cache_dir / meta["page_png"]
    crop_png = cache_dir / meta["crop_png"] if meta.get("crop_png") else None
    if not page_png.is_file() or (crop_png is not None and not crop_png.is_file()):
        return None   # a file cleaned away: render again
    cell = Box(*meta["cell"]) if meta.get("cell") else None
    with contextlib.suppress(OSError):
        os.utime(cache_dir / f"{key}.json")   # shown again: the last to be trimmed
    return PageEvidence(int(meta["page"]), page_png, crop_png, cell)


def _write_png(path: Path, image: Any) -> Path:
    from io import BytesIO

    buffer = BytesIO()
    # a page is a few inks on white: 64 colours keep it legible at a fraction of the bytes
    image.quantize(colors=64).save(buffer, format="PNG")
    _write_atomic(path, buffer.getvalue())
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)   # mkstemp's 0600 would hide the file from another instance's user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
