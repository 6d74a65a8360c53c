"""End to end: the app on a free localhost port, driven in headless Chromium (Debian's
/usr/bin/chromium, installed by `make test`). Asks the reception-expense question and checks
the figure, the cited table and the highlighted source cell; saves test-output/chat.png;
then clicks an example question."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import app  # noqa: E402
from conftest import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "test-output" / "chat.png"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def chromium_page(**options):
    """A page of Debian's headless Chromium, 1280×1100, in Chinese; closed after use."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "run `make test`: it installs Debian's chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 1100}, locale="zh-CN", **options)
        finally:
            browser.close()


@pytest.fixture(scope="module")
def app_url():
    service = app.get_service()
    service.engine()  # build/load the index before the browser's clock starts
    demo = app.build_app(service)
    _, url = app.serve(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True)
    try:
        yield url
    finally:
        demo.close()


def test_chat_answer_in_browser(app_url):
    from playwright.sync_api import expect

    with chromium_page() as page:
        page.goto(app_url)
        expect(page.locator("#bqa-status")).to_contain_text("已加载", timeout=60_000)
        box = page.locator("#bqa-question textarea")
        box.fill("公务接待费是多少")
        box.press("Enter")
        chat = page.locator("#bqa-chat")
        expect(chat).to_contain_text("0.50", timeout=60_000)
        expect(chat).to_contain_text("万元")
        expect(chat).to_contain_text("附表7")
        source = page.locator("#bqa-source")
        expect(source).to_contain_text("附表7 一般公共预算“三公”经费支出表")
        expect(source.locator("tr.bqa-hit td.bqa-hit-cell").filter(has_text="0.50").first).to_be_visible()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        # an example question asks itself when clicked
        page.get_by_role("button", name="2089999是多少").click()
        expect(chat).to_contain_text("9.76", timeout=60_000)
        expect(source).to_contain_text("2089999")
    assert SCREENSHOT.stat().st_size > 10_000


def test_downloads_warning_and_screen_reader_text_in_browser(app_url):
    """The cited table downloads as CSV and XLSX and the answer as JSON; a refused question
    is warned about under the box, not inside the previous answer's bubble; the box stops at
    500 characters; the status a screen reader hears is Chinese, never a raw i18n key."""
    import json
    import re

    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1100}, locale="zh-CN", accept_downloads=True)
            page.goto(app_url)
            expect(page.locator("#bqa-status")).to_contain_text("已加载", timeout=60_000)
            page.evaluate("""window.__heard = []; new MutationObserver(() => {
                for (const e of document.querySelectorAll('[role=status][aria-live]')) {
                    const t = e.textContent.trim(); if (t) window.__heard.push(t); } })
              .observe(document.body, {subtree: true, childList: true, characterData: true});""")
            box = page.locator("#bqa-question textarea")
            box.fill("公务接待费是多少")
            box.press("Enter")
            chat = page.locator("#bqa-chat")
            expect(chat).to_contain_text("0.50", timeout=60_000)
            expect(chat).to_contain_text("《武汉经济技术开发区智能制造产业园管理办公室 · 2024 年部门预算》")
            expect(chat).not_to_contain_text("budget.txt")
            downloads = {}
            for which in ("csv", "xlsx", "json"):
                with page.expect_download() as info:
                    page.locator(f"#bqa-download-{which}").click()
                downloads[which] = info.value
            assert downloads["csv"].suggested_filename.endswith("附表7.csv")
            assert "5.54,0.00,5.04,0.00,5.04,0.50" in Path(downloads["csv"].path()).read_text(encoding="utf-8-sig")
            assert downloads["xlsx"].suggested_filename.endswith("附表7.xlsx")
            answer = json.loads(Path(downloads["json"].path()).read_text(encoding="utf-8"))
            assert answer["value"] == 0.5 and answer["citations"][0]["table"] == "附表7"
            page.wait_for_function("window.__heard.includes('完成')", timeout=30_000)
            heard = page.evaluate("window.__heard")
            assert not [h for h in heard if re.search(r"common\.|status\.|[A-Za-z]{3,}", h)], heard
            # the box stops at 500 characters; an empty question is warned about under the box
            assert box.get_attribute("maxlength") == "500"
            box.fill("问" * 600)
            assert len(box.input_value()) == 500
            bubbles = chat.locator(".message").count()
            box.fill("")
            box.press("Enter")
            expect(page.locator("#bqa-notice [role=alert]")).to_contain_text("请输入一个问题", timeout=30_000)
            assert chat.locator(".message").count() == bubbles
            expect(chat).not_to_contain_text("请输入一个问题")
            expect(page.locator("#bqa-download-csv")).to_be_visible()   # the last answer's sources stay
            expect(page.locator("#bqa-source")).to_contain_text("附表7")
            page.screenshot(path=str(SCREENSHOT.with_name("chat-downloads.png")), full_page=True)
        finally:
            browser.close()


def test_staff_replace_and_remove_in_browser(seed_index, tmp_path):
    """Signed in on the staff page: an upload of the same department, year and kind shows the
    replace button, which replaces it; a removal asks for confirmation, then removes."""
    import shutil

    from playwright.sync_api import expect, sync_playwright

    from conftest import SEED_ROW, variant
    from qa.service import EngineService, StaffAccounts, default_engine_factory, staff_line

    shutil.copytree(seed_index, tmp_path / "index", symlinks=True)
    service = EngineService(default_engine_factory(tmp_path / "index"), data_dir=tmp_path / "uploads")
    other = variant(ROOT / "corpus" / "data" / "2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt",
                    tmp_path / "in", "2023_demo-park_budget", "武汉经济技术开发区示范园管理办公室", 2023, "0.80")
    assert service.add_upload(other, other.name).outcome == "added"
    revised = tmp_path / "in" / "revised.txt"
    revised.write_text((ROOT / "corpus" / "data" / "2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt")
                       .read_text(encoding="utf-8").replace(SEED_ROW, "5.64\t0.00\t5.04\t0.00\t5.04\t0.60"),
                       encoding="utf-8")
    staff = StaffAccounts.parse(staff_line("zhangsan", "口令-2024"))
    demo = app.build_app(service, staff=staff)
    _, url = app.serve(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True, service=service,
                       staff=staff)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1400}, locale="zh-CN")
                page.goto(url)
                page.locator("input[type=text]").first.fill("zhangsan")
                page.locator("input[type=password]").first.fill("口令-2024")
                page.locator("input[type=password]").first.press("Enter")
                expect(page.locator("#bqa-status")).to_contain_text("已加载 2 份文档", timeout=60_000)
                page.get_by_role("tab", name="管理（工作人员）").click()
                page.locator("#bqa-upload input[type=file]").set_input_files(str(revised))
                page.get_by_role("button", name="解析并加入").click()
                expect(page.locator("#bqa-replace")).to_be_visible(timeout=60_000)
                expect(page.locator("#bqa-add-part")).to_be_visible()
                page.locator("#bqa-replace").click()
                expect(page.get_by_text("已用 revised.txt 替换")).to_be_visible(timeout=120_000)
                expect(page.locator("#bqa-replace")).to_be_hidden()
                picker = page.locator("#bqa-remove-doc input")
                picker.click()
                picker.fill("2023_demo-park_budget")
                picker.press("Enter")
                page.locator("#bqa-remove").click()
                expect(page.locator("#bqa-confirm-remove")).to_be_visible(timeout=30_000)
                page.locator("#bqa-confirm-remove").click()
                expect(page.get_by_text("已删除《武汉经济技术开发区示范园管理办公室")).to_be_visible(timeout=120_000)
                expect(page.locator("#bqa-status")).to_contain_text("已加载 1 份文档")
            finally:
                browser.close()
    finally:
        demo.close()
    assert [d.doc_id for d in service.documents()] == ["revised"]
