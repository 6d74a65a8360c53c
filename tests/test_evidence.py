"""The printed page as evidence, on the two real PDFs (上海 万里街道 2024, 江苏 高级法院 2019):
the engine's cited cell is found on its page — the box holds exactly the printed figure —,
rendered with the cell outlined, cached, and served; a cell that cannot be told apart is
never outlined."""

from __future__ import annotations

import os
import time
from dataclasses import astuple
from decimal import Decimal as D
from pathlib import Path

import numpy as np
import pdfplumber
import pytest
from PIL import Image

import corpus.pageimage as pageimage
from conftest import PDF_DIR, seed_citation
from corpus.pageimage import page_evidence
from corpus.pages import CellQuery, locate_cell
from index.config import IndexConfig
from index.store import build_index
from qa import Engine
from qa.evidence import Evidence, answer_evidence, cell_query, evidence_html, evidence_routes, source_file_of

WANLI = PDF_DIR / "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf"
JIANGSU = PDF_DIR / "06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf"


@pytest.fixture(scope="module")
def pdf_engine(tmp_path_factory):
    out = tmp_path_factory.mktemp("evidence-index") / "index"
    build_index([PDF_DIR], out, IndexConfig.from_env(), show_bars=False)
    return Engine(out)


def evidence(engine, question, cache_dir):
    answer = engine.answer(question)
    return answer, answer_evidence(answer, engine.documents(), source_file_of(engine), cache_dir)


def printed_in(pdf: Path, page: int, cell) -> str:
    with pdfplumber.open(pdf) as doc:
        return doc.pages[page - 1].within_bbox((cell.x0, cell.top, cell.x1, cell.bottom)).extract_text().strip()


def words_on(pdf: Path, page: int, text: str) -> list[dict]:
    with pdfplumber.open(pdf) as doc:
        return sorted((w for w in doc.pages[page - 1].extract_words() if w["text"] == text), key=lambda w: w["x0"])


def holds(cell, word: dict) -> bool:
    x, y = (word["x0"] + word["x1"]) / 2, (word["top"] + word["bottom"]) / 2
    return cell.x0 <= x <= cell.x1 and cell.top <= y <= cell.bottom


def red_box(image: Image.Image) -> list[int]:
    """The bounding box (pixels, inclusive) of the outline's red on a rendered page."""
    rgb = np.asarray(image.convert("RGB")).astype(int)
    ys, xs = np.nonzero((rgb[..., 0] > 180) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90))
    return [xs.min(), ys.min(), xs.max(), ys.max()]


def test_reception_expense_is_outlined_on_its_printed_page(pdf_engine, tmp_path):
    answer, found = evidence(pdf_engine, "万里街道的公务接待费是多少", tmp_path)
    assert answer.value == D("1.35")
    first = found[0]
    assert (first.citation.table, first.images.page) == ("表9", 31)
    assert first.images.located
    assert printed_in(WANLI, 31, first.images.cell) == "1.35"
    with Image.open(first.images.crop_png) as crop, Image.open(first.images.page_png) as page:
        assert page.size == (1684, 1191)                 # A4 landscape at 144 dpi
        assert crop.width > 1000 and 150 < crop.height < 600
        assert red_box(page) == pytest.approx([v * 2 for v in astuple(first.images.cell)], abs=2)
    html = evidence_html(found)
    assert "原文第 31 页" in html and f'src="evidence/{first.images.crop_png.name}"' in html
    assert 'alt="原文第 31 页的截图：表9' in html and "查看第 31 页整页" in html


def test_equal_figures_in_one_row_are_told_apart(pdf_engine, tmp_path):
    """表8's 公务接待费 row prints 13,500 twice (合计 and 公用经费) and its header is on p.29:
    the cited 合计 is the left one."""
    _, found = evidence(pdf_engine, "万里街道的公务接待费是多少", tmp_path)
    second = found[1]
    assert (second.citation.table, second.citation.column, second.images.page) == ("表8", "一般公共预算基本支出 / 合计", 30)
    left, right = words_on(WANLI, 30, "13,500")
    assert holds(second.images.cell, left) and not holds(second.images.cell, right)
    assert printed_in(WANLI, 30, second.images.cell) == "13,500"


def test_side_by_side_totals_pick_the_cited_side(pdf_engine, tmp_path):
    """收入总计 and 支出总计 are printed on one line with the same figure."""
    _, found = evidence(pdf_engine, "万里街道收入总计是多少", tmp_path)
    cell = found[0].images.cell
    income, spending = words_on(WANLI, 10, "156,211,123")[-2:]
    assert holds(cell, income) and not holds(cell, spending)


@pytest.mark.parametrize("question,page,printed", [
    ("江苏省高级人民法院的公务接待费是多少", 14, "86.95"),
    ("江苏省高级人民法院项目支出是多少", 9, "10,208.94"),
])
def test_jiangsu_figures_are_outlined(pdf_engine, tmp_path, question, page, printed):
    _, found = evidence(pdf_engine, question, tmp_path)
    assert found[0].images.page == page
    assert printed_in(JIANGSU, page, found[0].images.cell) == printed


def test_jiangsu_economic_row_is_found_by_its_label(pdf_engine, tmp_path):
    _, found = evidence(pdf_engine, "江苏省高级人民法院的公务接待费是多少", tmp_path)
    row = found[1]
    assert (row.citation.row, row.images.page) == ("30217 公务接待费", 11)
    assert printed_in(JIANGSU, 11, row.images.cell) == "41.95"


def test_rendered_once_then_served_from_the_cache(pdf_engine, tmp_path, monkeypatch):
    _, first = evidence(pdf_engine, "万里街道机关运行经费是多少", tmp_path)
    files = sorted(tmp_path.iterdir())
    stamps = {f: f.stat().st_mtime_ns for f in files}
    assert len(first) == 1 and len(files) == 3           # one cell: its JSON, page and crop

    def no_render(*args, **kw):
        raise AssertionError("rendered again")
    monkeypatch.setattr(pageimage, "render", no_render)
    monkeypatch.setattr(pageimage, "locate_cell", no_render)
    _, again = evidence(pdf_engine, "万里街道机关运行经费是多少", tmp_path)
    assert [e.images for e in again] == [e.images for e in first]
    pictures = {f: t for f, t in stamps.items() if f.suffix == ".png"}
    assert {f: f.stat().st_mtime_ns for f in pictures} == pictures   # not written again


def test_the_cache_keeps_the_cells_shown_most_recently(tmp_path):
    sha = pageimage._sha256(WANLI)
    cells = [CellQuery(page=31, value=D(v), row_label=None, row_code=None, column=()) for v in ("1.35", "47.91", "443.18")]
    first, second = (page_evidence(WANLI, sha, q, tmp_path, keep=2) for q in cells[:2])
    assert first is not None and second is not None
    meta = {q: tmp_path / f"{pageimage.cache_key(sha, q)}.json" for q in cells}
    now = time.time()
    os.utime(meta[cells[0]], (now - 10, now - 10))
    os.utime(meta[cells[1]], (now - 5, now - 5))
    assert page_evidence(WANLI, sha, cells[0], tmp_path, keep=2) == first   # shown again: now the newest
    page_evidence(WANLI, sha, cells[2], tmp_path, keep=2)
    assert meta[cells[0]].exists() and meta[cells[2]].exists() and not meta[cells[1]].exists()
    assert not second.page_png.exists()                                      # its pictures went with it
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_a_cell_that_cannot_be_told_apart_is_never_outlined(tmp_path):
    """Page 30 prints 0 in many rows; without a row or column the zero is ambiguous: the
    page is shown whole, unmarked, and the page says so."""
    query = CellQuery(page=30, value=D("0"), row_label=None, row_code=None, column=())
    assert locate_cell(WANLI, query) is None
    sha = pageimage._sha256(WANLI)
    shown = page_evidence(WANLI, sha, query, tmp_path)
    assert shown is not None and not shown.located and shown.crop_png is None
    assert shown.page_png.is_file()
    assert locate_cell(WANLI, CellQuery(page=99, value=D("1.35"), row_label=None, row_code=None, column=())) is None
    assert page_evidence(WANLI, "0" * 64, query, tmp_path / "other") is None   # the file is not the one indexed


def test_unmarked_page_says_so(pdf_engine, tmp_path):
    answer = pdf_engine.answer("万里街道的公务接待费是多少")
    query = CellQuery(page=30, value=D("0"), row_label=None, row_code=None, column=())
    unmarked = page_evidence(WANLI, pageimage._sha256(WANLI), query, tmp_path)
    html = evidence_html([Evidence(answer.citations[0], unmarked)])
    assert "未能在第 30 页上确定这一格的位置" in html and "-crop.png" not in html
    assert f'src="evidence/{unmarked.page_png.name}"' in html


def test_text_sources_keep_the_rebuilt_table(seed_doc):
    assert cell_query(seed_citation(), seed_doc) is None


def test_route_serves_cached_pages_only(pdf_engine, tmp_path):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    _, found = evidence(pdf_engine, "万里街道的公务接待费是多少", tmp_path)
    client = TestClient(Starlette(routes=evidence_routes(tmp_path)))
    ok = client.get(f"/evidence/{found[0].images.crop_png.name}")
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
    assert ok.content == found[0].images.crop_png.read_bytes()
    (tmp_path / "secret.txt").write_text("x")
    for name in ("secret.txt", "..%2Fsecret.txt", "0" * 32 + "-page.png"):
        assert client.get(f"/evidence/{name}").status_code == 404
    assert os.path.exists(found[0].images.page_png)


def test_a_parent_row_is_not_its_child_with_the_same_name():
    """表3 prints 城乡社区环境卫生 twice with the same figures: 212|05 and 212|05|01."""
    query = CellQuery(page=19, value=D("5993300"), row_label="城乡社区环境卫生", row_code="21205",
                      column=("支出预算", "项目支出"), ordinal=1, same_in_row=2)
    found = locate_cell(WANLI, query)
    figures = words_on(WANLI, 19, "5,993,300")           # parent left, parent right, child left, child right
    parent = [w for w in figures if w["top"] == min(f["top"] for f in figures)]
    assert found is not None and holds(found.cell, parent[1])
    assert not any(holds(found.cell, w) for w in figures if w is not parent[1])


def test_a_line_labelled_in_a_later_column_is_found_by_that_label(pdf_engine):
    """公开12表 (政府采购) prints its labels across columns (大类 > 专项名称 > 采购物品名称), each line
    in the column of its level; two lines print 9.00 twice. The 印刷品 line's 总计."""
    from qa.answer import Citation

    doc = next(d for d in pdf_engine.documents() if d.doc_id.startswith("06_"))
    table = doc.table("公开12表")
    row = next(r for r in table.rows if any(c.raw == "印刷品" for c in r.cells))
    c = Citation(doc.title, doc.doc_id, table.display_title, "公开12表", None, "总计", "", str(row.location),
                 D("9.00"), "万元", row.id)
    query = cell_query(c, doc)
    assert query.row_label == "印刷品"
    found = locate_cell(JIANGSU, query)
    line = words_on(JIANGSU, query.page, "印刷品")[0]
    nine = [w for w in words_on(JIANGSU, query.page, "9.00") if abs(w["top"] - line["top"]) < 3]
    assert found is not None and holds(found.cell, nine[-1])


def test_pages_render_from_several_threads_at_once(tmp_path):
    """The app answers questions concurrently; PDFium is not thread-safe, so renders take turns."""
    from concurrent.futures import ThreadPoolExecutor

    queries = [(WANLI, CellQuery(page=31, value=D("1.35"), row_label=None, row_code=None,
                                 column=("2024年“三公”经费预算数", "公务接待费"))),
               (JIANGSU, CellQuery(page=11, value=D("41.95"), row_label="公务接待费", row_code="30217", column=("金额",))),
               (WANLI, CellQuery(page=10, value=D("156211123"), row_label="收入总计", row_code=None, column=("预算数",))),
               (JIANGSU, CellQuery(page=14, value=D("86.95"), row_label=None, row_code=None, column=("“三公”经费", "公务接待费")))]
    def show(n: int):   # each query twice, into one folder: two threads may write the same files
        pdf, query = queries[n % len(queries)]
        return page_evidence(pdf, pageimage._sha256(pdf), query, tmp_path / str(n % len(queries)))

    with ThreadPoolExecutor(4) as pool:
        shown = list(pool.map(show, range(2 * len(queries))))
    assert all(s is not None and s.located and s.crop_png.stat().st_size > 5_000 for s in shown)


def test_a_label_merged_over_rows_names_the_line_of_its_other_cells(pdf_engine):
    """公开02表: 一般公共预算资金 is one cell over three lines (小计, 公共财政拨款（补助）资金,
    专项收入), and 小计 and 公共财政拨款 both print 37,188.34. The 小计 line is the cited one."""
    from qa.answer import Citation

    doc = next(d for d in pdf_engine.documents() if d.doc_id.startswith("06_"))
    row = doc.table("公开02表").row_by_id("公开02表:2")
    assert [c.raw for c in row.cells] == ["一般公共预算资金", "小计", "37,188.34"]
    c = Citation(doc.title, doc.doc_id, "公开02表 收入预算总表", "公开02表", row.label, "金额", "", str(row.location),
                 D("37188.34"), "万元", row.id)
    found = locate_cell(JIANGSU, cell_query(c, doc))
    subtotal = min(words_on(JIANGSU, 9, "小计"), key=lambda w: w["top"])     # the first 小计, under 收入总计
    assert found is not None and found.cell.top <= (subtotal["top"] + subtotal["bottom"]) / 2 <= found.cell.bottom
