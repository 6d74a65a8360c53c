"""End to end over several budgets (the seed, 万里街道 2023/2024/2025, 普陀区商务委 and 财政局
2025), in headless Chromium: the loaded budgets are listed by department and filter; a
question that names no department is answered by a table of one figure per budget with its
chart; a year-over-year question shows its chart with the changes; no English on the page.
Saves test-output/compare-*.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import app  # noqa: E402
from conftest import SEED, free_port  # noqa: E402
from qa.service import EngineService, default_engine_factory  # noqa: E402
from test_app_browser import chromium_page  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "test-output"
EXTRA = ROOT / "evaluation" / "corpora" / "extra"
PDFS = ("shanghai_putuo_wanli_jiedao_2023_bumen_yusuan.pdf", "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf",
        "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf", "shanghai_putuo_shangwuwei_2025_bumen_yusuan.pdf",
        "shanghai_putuo_caizhengju_2025_bumen_yusuan.pdf")
WANLI = "上海市普陀区人民政府万里街道办事处"
# Words a Chinese page may show in Latin letters: file formats of the downloads, the API link.
LATIN_ALLOWED = {"CSV", "XLSX", "JSON", "API", "Gradio"}


@pytest.fixture(scope="module")
def compare_url(tmp_path_factory):
    from index.config import IndexConfig
    from index.store import build_index

    out = tmp_path_factory.mktemp("index") / "compare"
    build_index([SEED, *(EXTRA / n for n in PDFS)], out, IndexConfig.from_env(), show_bars=False)
    service = EngineService(default_engine_factory(out))
    service.engine()  # loaded before the browser's clock starts
    demo = app.build_app(service)
    _, url = app.serve(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True, service=service)
    try:
        yield url
    finally:
        demo.close()


def ask(page, question: str) -> None:
    box = page.locator("#bqa-question textarea")
    box.fill(question)
    box.press("Enter")


def test_budgets_by_department_tables_and_charts_in_browser(compare_url):
    from playwright.sync_api import expect

    OUT.mkdir(parents=True, exist_ok=True)
    with chromium_page() as page:
        page.goto(compare_url)
        expect(page.locator("#bqa-status")).to_contain_text("已加载 6 份文档", timeout=120_000)
        catalog = page.locator("#bqa-catalog")
        expect(catalog).to_contain_text("4 个部门，6 份预算")
        expect(catalog.locator("details summary")).to_have_text(
            ["上海市普陀区人民政府万里街道办事处", "上海市普陀区商务委员会", "上海市普陀区财政局",
             "武汉经济技术开发区智能制造产业园管理办公室"])
        expect(catalog.locator("details").first.locator("li")).to_have_text(
            ["2025 年 · 部门预算", "2024 年 · 部门预算", "2023 年 · 部门预算"])
        page.locator("#bqa-catalog-filter textarea, #bqa-catalog-filter input").first.fill("财政局")
        expect(catalog.locator("details")).to_have_count(1, timeout=30_000)
        expect(catalog).to_contain_text("上海市普陀区财政局")
        page.screenshot(path=str(OUT / "compare-catalog.png"), full_page=True)
        page.locator("#bqa-catalog-filter textarea, #bqa-catalog-filter input").first.fill("")
        expect(catalog.locator("details")).to_have_count(4, timeout=30_000)

        # no department named, three loaded for 2025: a table of one figure per budget, and its chart
        ask(page, "2025年公务接待费是多少")
        chat = page.locator("#bqa-chat")
        table = chat.locator("table").last
        expect(table).to_contain_text("上海市普陀区商务委员会", timeout=60_000)
        expect(table.locator("th")).to_have_text(["部门", "年度", "数额", "来源"])
        expect(table.locator("tbody tr")).to_have_count(3)
        expect(table.locator("tbody tr").nth(2)).to_contain_text("0.95 万元")
        chart = page.locator("#bqa-chart")
        expect(chart.locator("rect.bqa-bar")).to_have_count(3)
        assert chart.locator("rect.bqa-bar").nth(1).get_attribute("data-value") == "1.00"
        expect(chart.locator("svg")).to_be_visible()
        page.screenshot(path=str(OUT / "compare-departments.png"), full_page=True)

        # one department over three years: each year's own figure, the chart, the changes
        ask(page, "万里街道2023年到2025年的机关运行经费分别是多少")
        expect(chat).to_contain_text("2023年 786.09 万元；2024年 443.18 万元；2025年 464.64 万元", timeout=60_000)
        expect(chat).to_contain_text(f"据《{WANLI} 2023、2024、2025 年部门预算》")
        expect(chart.locator("rect.bqa-bar")).to_have_count(3)
        assert [chart.locator("rect.bqa-bar").nth(i).get_attribute("data-label") for i in range(3)] == [
            "2023 年", "2024 年", "2025 年"]
        expect(chart.locator(".bqa-changes li").first).to_have_text(
            "2024年比2023年减少 342.91 万元（443.18 − 786.09 = -342.91）")
        chart.scroll_into_view_if_needed()
        page.screenshot(path=str(OUT / "compare-years.png"), full_page=True)

        # every citation is on the page without an inner scroll box
        ask(page, "万里街道2023—2025年公务接待费")
        expect(chart.locator(".bqa-changes")).to_contain_text("2025年比2023年增加 0.00 万元", timeout=60_000)
        source = page.locator("#bqa-source")
        expect(source.locator("table.bqa-table")).to_have_count(3)
        scrolls = page.evaluate("""() => [...document.querySelectorAll('#bqa-source, #bqa-source *')]
            .filter(e => e.scrollHeight > e.clientHeight + 2 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowY))
            .map(e => e.className)""")
        assert scrolls == [], scrolls

        # a whole broken into its parts: the seed's “三公” total, 0.00 + 5.04 + 0.50 = 5.54
        ask(page, "智能制造产业园管理办公室2024年“三公”经费是多少")
        expect(chat).to_contain_text("5.54 万元", timeout=60_000)
        expect(chart.locator("svg")).to_have_attribute("data-kind", "parts")
        assert [chart.locator("rect.bqa-bar").nth(i).get_attribute("data-value") for i in range(3)] == [
            "0.00", "5.04", "0.50"]
        expect(chart.locator(".bqa-changes")).to_contain_text("公务接待费占合计 9.03%（0.50 ÷ 5.54 = 9.03%）")
        page.screenshot(path=str(OUT / "compare-parts.png"), full_page=True)

        # no English words on the Chinese page (file formats and the API link aside), nor on the staff tab
        latin = set(re.findall(r"[A-Za-z]{3,}", page.evaluate("document.body.innerText"))) - LATIN_ALLOWED
        assert not latin, latin
        page.get_by_role("tab", name="管理（工作人员）").click()
        expect(page.locator("#bqa-upload")).to_be_visible()
        expect(page.locator("#bqa-no-staff")).to_contain_text("python app.py --hash-password")  # a command
        staff = page.evaluate("document.body.innerText").replace(page.locator("#bqa-no-staff").inner_text(), "")
        files = re.compile(r"[\w.-]*\.(?:pdf|txt|xlsx?|docx|html?)\b")   # file names and the formats accepted
        latin = set(re.findall(r"[A-Za-z]{3,}", files.sub(" ", staff))) - LATIN_ALLOWED
        page.screenshot(path=str(OUT / "compare-staff.png"), full_page=True)
        assert not latin, latin
    for name in ("compare-catalog.png", "compare-departments.png", "compare-years.png", "compare-parts.png"):
        assert (OUT / name).stat().st_size > 10_000
