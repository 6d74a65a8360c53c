"""End to end, the printed page as evidence: the app over the two real PDFs on a free
localhost port, in headless Chromium (Debian's /usr/bin/chromium, installed by `make test`).
Asks 万里街道's reception expense, checks the page band with the outlined cell is shown and
loaded from the page's own server, with its page number and Chinese alt text, that the whole
page opens, and saves test-output/evidence.png."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import app  # noqa: E402
from conftest import PDF_DIR, free_port  # noqa: E402
from index.config import IndexConfig  # noqa: E402
from index.store import build_index  # noqa: E402
from qa.service import EngineService, default_engine_factory  # noqa: E402
from test_app_browser import chromium_page  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOT = ROOT / "test-output" / "evidence.png"


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    out = tmp_path_factory.mktemp("evidence-app") / "index"
    build_index([PDF_DIR], out, IndexConfig.from_env(), show_bars=False)
    service = EngineService(default_engine_factory(out), data_dir=tmp_path_factory.mktemp("uploads"))
    service.engine()  # load the index before the browser's clock starts
    demo = app.build_app(service, public=True)
    _, url = app.serve(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True, service=service)
    try:
        yield url
    finally:
        demo.close()


def test_pdf_answer_shows_the_printed_page(app_url):
    from playwright.sync_api import expect

    with chromium_page() as page:
        page.goto(app_url)
        expect(page.locator("#bqa-status")).to_contain_text("已加载", timeout=60_000)
        box = page.locator("#bqa-question textarea")
        box.fill("万里街道的公务接待费是多少")
        box.press("Enter")
        expect(page.locator("#bqa-chat")).to_contain_text("1.35", timeout=60_000)
        source = page.locator("#bqa-source")
        expect(source).to_contain_text("原文第 31 页", timeout=30_000)
        crop = source.locator("figure.bqa-page img.bqa-page-image").first
        crop.scroll_into_view_if_needed()
        expect(crop).to_be_visible()
        page.wait_for_function("""() => { const i = document.querySelector('#bqa-source img.bqa-page-image');
                                    return i && i.complete && i.naturalWidth > 0; }""", timeout=30_000)
        width = crop.evaluate("i => i.naturalWidth")
        assert width > 1000, width                      # the table's width at 144 dpi
        assert crop.get_attribute("alt").startswith("原文第 31 页的截图：表9")
        expect(source.locator("figure.bqa-page").first).to_contain_text("1.35 万元")
        expect(source).to_contain_text("红框为所引的格")
        # the rebuilt table stays below the page band
        expect(source.locator("tr.bqa-hit td.bqa-hit-cell").filter(has_text="1.35").first).to_be_attached()
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        source.screenshot(path=str(SCREENSHOT))
        # a click on the band opens the whole page
        with page.context.expect_page() as opened:
            crop.click()
        whole = opened.value
        whole.wait_for_load_state()
        assert whole.url.endswith("-page.png")
        size = whole.evaluate("() => { const i = document.querySelector('img'); return [i.naturalWidth, i.naturalHeight]; }")
        assert size == [1684, 1191], size               # A4 landscape at 144 dpi
    assert SCREENSHOT.stat().st_size > 10_000
