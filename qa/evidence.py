"""The printed page as evidence: for a figure cited from a PDF table, the band of the original
page around the cell, the cell outlined, with its page number; the whole page a click away.

A citation names the cell as parsed (table, row id, column path, value, page); here it
becomes a `corpus.pages.CellQuery`, and `corpus.pageimage` locates, renders and caches it.
The images are served by the page's own server (`evidence_routes`: `GET /evidence/<name>.png`,
from the cache folder only), so the page needs no network and no data-URI megabytes per
answer. Text, spreadsheet and Word sources keep the rebuilt table (`qa.render`) alone.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from corpus import BudgetDocument
from corpus.pageimage import PageEvidence, page_evidence
from corpus.pages import CellQuery

from .answer import Answer, Citation
from .render import Documents, by_id, column_name, document_name, esc, format_figure

log = logging.getLogger("budgetqa.evidence")

MAX_EVIDENCE = 2                       # page crops per answer: the first cited cells
ROUTE = "/evidence/{name}"
URL_PREFIX = "evidence/"               # relative: works behind a proxy's path prefix too
_FILE_NAME = re.compile(r"^[0-9a-f]{32}-(?:page|crop)\.png$")
_PAGE = re.compile(r", p\.(\d+)")

SourceFile = Callable[[str], Path | None]


@dataclass(frozen=True)
class Evidence:
    citation: Citation
    images: PageEvidence


def page_cache_dir() -> Path:
    """Rendered pages live beside the other caches (`BUDGETQA_CACHE_DIR`, default
    .budgetqa/cache), not in an index build folder, which is never written after it is swapped in."""
    from index.config import IndexConfig

    return IndexConfig.from_env().cache_dir / "pages"


def cell_query(c: Citation, doc: BudgetDocument | None) -> CellQuery | None:
    """The cited cell as a query for its PDF page; None for prose, a source that is not a
    PDF, or a citation without a page or a figure."""
    page = _PAGE.search(c.location)
    if doc is None or c.table is None or c.value is None or page is None or not doc.source.lower().endswith(".pdf"):
        return None
    table = doc.table(c.table)
    row = table.row_by_id(c.row_id) if table is not None and c.row_id else None
    label, code = _row_names(c, row)
    column = tuple(c.column.split(" / ")) if c.column else ()
    side = c.table.partition("/")[2]          # 表1/本年收入: the half of a 收支总表, named in its header
    column += tuple(side.split(" / ")) if side else ()
    ordinal, same = 0, 1
    if row is not None:
        equal = [cell for cell in row.cells if cell.value == c.value]
        ranks = [i for i, cell in enumerate(equal) if column_name(cell.column) == c.column]
        ordinal, same = (ranks[0] if ranks else 0), max(1, len(equal))
    names = {label, code, f"{code} {label}"}
    texts = tuple(x.raw for x in row.cells if x.raw and x.value is None and x.raw not in names) if row else ()
    return CellQuery(int(page.group(1)), c.value, label, code, column, ordinal, same, texts)


def _row_names(c: Citation, row: Any) -> tuple[str | None, str | None]:
    """The row's label and code as parsed, else as the citation names them."""
    if row is not None:
        return row.label or None, row.code or None
    if not c.row:
        return None, None
    code, _, label = c.row.partition(" ")
    return (label, code) if code.isdigit() and label else (c.row, None)


def answer_evidence(answer: Answer, documents: Documents, source_file: SourceFile,
                    cache_dir: Path | None = None) -> list[Evidence]:
    """The page images of the answer's first cited PDF cells (rendered now or from the cache)."""
    cited = by_id(documents)
    folder = cache_dir or page_cache_dir()
    out: list[Evidence] = []
    seen: set[str] = set()
    for c in answer.citations:
        doc = cited.get(c.doc_id)
        try:
            query = cell_query(c, doc)
            if doc is None or query is None or f"{doc.sha256}|{query.key()}" in seen:
                continue
            seen.add(f"{doc.sha256}|{query.key()}")
            images = page_evidence(source_file(c.doc_id), doc.sha256, query, folder)
        except Exception:  # noqa: BLE001 — a page that fails to show must not cost the answer
            log.exception("the printed page of %s could not be shown", c.location)
            continue
        if images is not None:
            out.append(Evidence(c, images))
        if len(out) == MAX_EVIDENCE:
            break
    return out


def evidence_html(items: Iterable[Evidence], documents: Mapping[str, BudgetDocument] | None = None) -> str:
    """Each cited cell's page band as an image (alt text in Chinese), the page number, and a
    link to the whole page; a cell not located shows the whole page, unmarked, and says so."""
    parts = [_figure(e, documents) for e in items]
    return f'<div class="bqa-evidence">{"".join(parts)}</div>' if parts else ""


def _figure(e: Evidence, documents: Mapping[str, BudgetDocument] | None) -> str:
    c, ev = e.citation, e.images
    cell = "，".join(f"{name}“{text}”" for name, text in (("行", c.row), ("列", c.column)) if text) or c.section
    figure = format_figure(c.value, c.unit)
    page_url = URL_PREFIX + ev.page_png.name
    where = f"原文第 {ev.page} 页"
    head = (f'<figcaption style="font-size:13px;color:#333;margin:2px 0 4px" title="{esc(c.location)}">'
            f'<b>{where}</b> · 《{esc(document_name(c, documents))}》 {esc(c.section)}'
            f' · {esc(cell)} <b>{esc(figure)}</b></figcaption>')
    if ev.crop_png is not None:
        alt = f"{where}的截图：{c.section}，{cell}的格用红框标出，印的是 {figure}"
        img, width = URL_PREFIX + ev.crop_png.name, "100%"
        note = "红框为所引的格。 "
    else:
        alt = f"{where}的整页截图（未标出所引的格）"
        img, width = page_url, "min(100%, 760px)"    # a whole page: readable without filling the panel
        note = f"未能在第 {ev.page} 页上确定这一格的位置：上图是整页原文，未作标记，请按表名和行名查找。 "
    return (f'<figure class="bqa-page" style="margin:4px 0 12px">{head}'
            f'<a href="{esc(page_url)}" target="_blank" rel="noopener" title="打开第 {ev.page} 页整页">'
            f'<img class="bqa-page-image" src="{esc(img)}" alt="{esc(alt)}" loading="lazy" '
            f'style="max-width:{width};border:1px solid #bbb;display:block"></a>'
            f'<div style="font-size:12px;color:#555;margin-top:2px">{esc(note)}'
            f'<a class="bqa-page-link" href="{esc(page_url)}" target="_blank" rel="noopener">查看第 {ev.page} 页整页</a></div>'
            f'</figure>')


def source_file_of(engine: Any) -> SourceFile:
    """How to find a document's file through an engine (`qa.Engine.live_index`); an engine
    without an index has none, and its PDF answers keep the rebuilt table only."""
    live = getattr(engine, "live_index", None)
    if live is None:
        return lambda doc_id: None
    return live.source_file


def evidence_panel(engine: Any, answer: Answer, documents: Documents) -> str:
    """The page images for an answer as HTML: what the app puts above the rebuilt tables."""
    cited = by_id(documents)
    return evidence_html(answer_evidence(answer, cited, source_file_of(engine)), cited)


def evidence_routes(cache_dir: Path | None = None) -> list[Any]:
    """`GET /evidence/<name>.png`: a rendered page from the cache folder, by its exact cache
    name (no paths): immutable, since the name is a hash of what it shows."""
    from starlette.requests import Request
    from starlette.responses import FileResponse, PlainTextResponse, Response
    from starlette.routing import Route

    folder = cache_dir or page_cache_dir()

    async def page_image(request: Request) -> Response:
        name = request.path_params["name"]
        path = folder / name
        if not _FILE_NAME.match(name) or not path.is_file():
            return PlainTextResponse("没有这张页面图片：请重新提问以重新生成。", status_code=404)
        return FileResponse(path, media_type="image/png",
                            headers={"Cache-Control": "public, max-age=31536000, immutable"})

    return [Route(ROUTE, page_image, methods=["GET"])]
