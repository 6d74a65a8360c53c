"""app.py: the pure rendering/checking functions, the shared engine service, and the app
through its API (gradio_client) against the real engine on a free localhost port."""

from __future__ import annotations

import os
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import app  # noqa: E402
from conftest import free_port  # noqa: E402
import corpus  # noqa: E402
from qa.answer import Answer, Citation  # noqa: E402

DOC_ID = "2024_wuhan-jkq_intelligent-manufacturing-park_budget"
TITLE = "武汉经济技术开发区智能制造产业园管理办公室 2024 年部门预算"


def _cite(**kw) -> Citation:
    base = dict(document=TITLE, doc_id=DOC_ID, section="附表7 一般公共预算“三公”经费支出表", table="附表7",
                row="公务接待费", column="公务接待费", text="5.54 0.00 5.04 0.00 5.04 0.50",
                location="budget.txt, line 325", value=Decimal("0.50"), unit="万元", row_id="附表7:1")
    base.update(kw)
    return Citation(**base)


RECEPTION = Answer("公务接待费是多少", "公务接待费为 0.50 万元。", "lookup", Decimal("0.50"), "万元", (_cite(),))


class FakeEngine:
    """Stands in for qa.Engine where the test is about the app, not the answers."""

    def __init__(self, docs):
        self.docs = list(docs)
        self.added = []

    def ensure_index(self, progress=None):
        if progress:
            progress("embed", 0.5)

    def documents(self):
        return list(self.docs)

    def answer(self, question, doc_ids=None):
        return RECEPTION if "接待" in question else Answer(question, "未找到。", "not_found", reason="no match")

    def add_document(self, path, progress=None):
        doc = corpus.load(path)  # raises ParseError before anything changes
        self.added.append(Path(path).name)
        self.docs.append(doc)
        return doc, list(doc.findings)


# ---------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------

def test_question_cap():
    assert app.check_question("  公务接待费是多少 \n") == "公务接待费是多少"
    assert app.check_question("问" * app.MAX_QUESTION_CHARS) == "问" * 500
    with pytest.raises(app.InputError, match="500"):
        app.check_question("问" * 501)
    with pytest.raises(app.InputError):
        app.check_question("   ")
    with pytest.raises(app.InputError):
        app.check_question(None)


def test_chat_turn_rejects_long_question_without_calling_engine():
    service = app.EngineService(lambda: pytest.fail("engine must not be created"))
    history, box, source = app.chat_turn(service, "x" * 501, [], "")
    assert "问题过长" in history[-1]["content"] and history[-1]["role"] == "assistant"
    assert box == "x" * 501 and source == ""   # the text stays for editing


@pytest.mark.parametrize("raw, clean", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\x\\2024 预算.PDF", "2024_预算.pdf"),
    ("..hidden.xlsx", "hidden.xlsx"),
    ("a;rm -rf $HOME|x.docx", "a_rm_-rf_HOME_x.docx"),
    ("bad\x00name\n.html", "badname.html"),
    ("", "upload"),
    ("...", "upload"),
    ("<script>.txt", "script.txt"),
])
def test_sanitize_filename(raw, clean):
    assert app.sanitize_filename(raw) == clean


def test_sanitize_filename_truncates_but_keeps_suffix():
    name = app.sanitize_filename("预" * 300 + ".xlsx")
    assert name.endswith(".xlsx") and len(name) == app.MAX_FILENAME_CHARS


def test_check_upload(tmp_path):
    good = tmp_path / "2024 budget.TXT"
    good.write_text("预算", encoding="utf-8")
    assert app.check_upload(good) == "2024_budget.txt"
    exe = tmp_path / "run.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(app.InputError, match="不支持"):
        app.check_upload(exe)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(app.InputError, match="空"):
        app.check_upload(empty)
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(app.InputError, match="过大"):
        app.check_upload(big, max_bytes=1024)
    assert app.MAX_UPLOAD_BYTES == 20 * 1024 * 1024


# ---------------------------------------------------------------------------------------
# Answer → Markdown / HTML
# ---------------------------------------------------------------------------------------

def test_format_figure_keeps_printed_digits():
    assert app.format_figure(Decimal("0.50"), "万元") == "0.50 万元"
    assert app.format_figure(Decimal("9.03"), "%") == "9.03%"
    assert app.format_figure(Decimal("1E+2"), "人") == "100 人"
    assert app.format_figure(None, "万元") == ""


def test_answer_markdown_lookup():
    md = app.answer_markdown(RECEPTION, seconds=0.012)
    assert md.startswith("### 0.50 万元")
    for part in (TITLE, "附表7 一般公共预算“三公”经费支出表", "行：公务接待费", "列：公务接待费", "budget.txt, line 325"):
        assert part in md
    assert "12 ms" in md


def test_answer_markdown_computed_shows_formula():
    ans = Answer("比例", "公务接待费占“三公”经费的 9.03%。", "computed", Decimal("9.03"), "%",
                 (_cite(), _cite(column="“三公”经费合计", value=Decimal("5.54"))), formula="0.50 / 5.54 × 100 = 9.03%")
    md = app.answer_markdown(ans)
    assert "### 9.03%" in md and "计算：`0.50 / 5.54 × 100 = 9.03%`" in md
    assert "1. " in md and "2. " in md and "列：“三公”经费合计" in md


def test_answer_markdown_not_found_and_passage():
    md = app.answer_markdown(Answer("x", "没有找到相关数据。", "not_found", reason="没有匹配的科目"))
    assert "没有找到" in md and "原因：没有匹配的科目" in md and "###" not in md
    prose = Citation(document=TITLE, doc_id=DOC_ID, section="第三部分 › 名词解释", table=None, row=None, column=None,
                     text="基本支出：指为保障机构正常运转……", location="budget.txt, line 500")
    md = app.answer_markdown(Answer("什么是基本支出", "基本支出：指为保障机构正常运转……", "passage", citations=(prose,)))
    assert "“基本支出：指为保障机构正常运转……”" in md and "第三部分 › 名词解释" in md


def test_answer_markdown_escapes_markup():
    ans = Answer("q", "a *b* <img src=x onerror=alert(1)>", "not_found", reason="[x](javascript:1)")
    md = app.answer_markdown(ans)
    assert "<img" not in md and "&lt;img" in md and "\\[x\\]" in md and "\\*b\\*" in md


def test_source_html_highlights_cited_row_and_cell(seed_doc):
    html = app.source_html(RECEPTION, [seed_doc])
    assert "附表7 一般公共预算“三公”经费支出表" in html and "单位：万元" in html
    assert 'data-row="附表7:1" class="bqa-hit"' in html
    hit_cell = html.split('class="bqa-hit-cell"', 1)[1].split("</td>", 1)[0]
    assert hit_cell.endswith(">0.50")
    # grouped header: 公务用车购置及运行费 spans its three sub-columns
    assert 'colspan="3" rowspan="1"' in html and "公务用车购置及运行费" in html


def test_source_html_matches_row_without_row_id(seed_doc):
    cite = _cite(table="附表3", row="2010302 一般行政管理事务", column="项目支出", row_id=None, value=Decimal("625.55"))
    html = app.source_html(Answer("q", "625.55 万元", "lookup", Decimal("625.55"), "万元", (cite,)), [seed_doc])
    row = html.split('class="bqa-hit"', 1)
    assert len(row) == 2 and "一般行政管理事务" in row[1].split("</tr>", 1)[0]


def test_source_html_passage_and_escaping(seed_doc):
    prose = Citation(document=TITLE, doc_id=DOC_ID, section="第三部分 › 名词解释", table=None, row=None, column=None,
                     text="基本支出 <script>alert(1)</script>", location="budget.txt, line 500")
    html = app.source_html(Answer("q", "a", "passage", citations=(prose,)), [seed_doc])
    assert "<blockquote" in html and "第三部分 › 名词解释" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert app.source_html(Answer("q", "a", "not_found"), [seed_doc]) == ""


def test_source_html_unknown_table_falls_back_to_quote(seed_doc):
    cite = _cite(table="附表13", row=None, column=None, text="部门名称 武汉…")
    html = app.source_html(Answer("q", "a", "lookup", citations=(cite,)), [seed_doc])
    assert "<blockquote" in html and "部门名称" in html


def test_header_rows_groups_column_paths():
    cols = (("合计",), ("本年拨款", "一般公共预算"), ("本年拨款", "政府性基金"), ("单位资金",))
    assert app.header_rows(cols) == [
        [("合计", 1, 2), ("本年拨款", 2, 1), ("单位资金", 1, 2)],
        [("一般公共预算", 1, 1), ("政府性基金", 1, 1)],
    ]


def test_long_tables_show_rows_around_the_hit(seed_doc):
    rows = seed_doc.table("附表6").rows           # 38 rows
    shown = app.visible_rows(rows, {rows[30].id}, limit=10, context=2)
    assert [r.id for r in shown if r] == [r.id for r in rows[28:33]]
    assert shown[0] is None and shown[-1] is None
    assert len(app.visible_rows(rows, set(), limit=100)) == len(rows)


def test_browse_html_shows_paths_units_and_indentation(seed_doc):
    html = app.browse_html(seed_doc, "附表3")
    assert "单位：万元" in html and "<code>科目编码</code>" in html
    row = html.split('data-row="附表3:4"', 1)[1].split("</tr>", 1)[0]   # 2010301 行政运行, level 3
    assert "padding-left:4.0em" in row and "行政运行" in row
    assert "请选择" in app.browse_html(seed_doc, "附表99")
    assert ("附表1 收支总表（收入）", "附表1/收入") in app.table_choices(seed_doc)


def test_findings_markdown(seed_doc):
    md = app.findings_markdown(seed_doc.findings)
    assert "2 条发现" in md and "845.12" in md and "line 277" in md
    assert "未发现问题" in app.findings_markdown([])


def test_document_selector(seed_doc):
    assert app.selector_choices([seed_doc]) == [("全部文档", ""), (seed_doc.title, seed_doc.doc_id)]
    assert app.doc_ids_for("") is None and app.doc_ids_for(DOC_ID) == {DOC_ID}


def test_progress_reporter_adapts_call_styles():
    calls = []
    report = app.progress_reporter(lambda p, desc=None: calls.append((p, desc)))
    report("embed", 0.5)
    report(3, 10)
    report("解析")
    report(2.0, desc="x")
    assert calls == [(0.5, "计算向量"), ((3, 10), None), (None, "解析"), (1.0, "x")]
    assert app.progress_reporter(None) is None
    app.progress_reporter(lambda *a, **k: 1 / 0)(0.1)   # never raises


def test_parse_args_env_and_defaults():
    args = app.parse_args([], {})
    assert (args.host, args.port, args.public, args.index) == ("127.0.0.1", 7860, False, None)
    args = app.parse_args([], {"BUDGETQA_HOST": "0.0.0.0", "BUDGETQA_PORT": "8000", "BUDGETQA_PUBLIC": "1"})
    assert (args.host, args.port, args.public) == ("0.0.0.0", 8000, True)
    assert app.parse_args(["--port", "9000", "--index", "/x"], {}).index == "/x"


# ---------------------------------------------------------------------------------------
# The shared engine service and the upload logic (fake engine)
# ---------------------------------------------------------------------------------------

def test_engine_is_created_lazily_once(seed_doc):
    made = []

    def factory():
        time.sleep(0.05)
        made.append(1)
        return FakeEngine([seed_doc])

    service = app.EngineService(factory)
    assert not service.loaded and not made
    stages = []
    service.engine(progress=lambda stage, fraction: stages.append(stage))
    assert stages == ["embed", "load"] and made == [1]
    service = app.EngineService(factory)
    made.clear()
    threads = [threading.Thread(target=service.ask, args=("公务接待费是多少",)) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == [1] and service.loaded
    answer = service.ask("公务接待费是多少")
    assert answer.value == Decimal("0.50") and "app_total" in answer.timings


def test_answers_go_on_while_a_document_is_added(seed_doc, tmp_path):
    events = []

    class Slow(FakeEngine):
        def add_document(self, path, progress=None):
            events.append("add-start")
            time.sleep(0.2)
            events.append("add-end")
            return seed_doc, []

        def answer(self, question, doc_ids=None):
            events.append("answer")
            return RECEPTION

    service = app.EngineService(lambda: Slow([seed_doc]), data_dir=tmp_path / "data")
    service.data_dir.mkdir()
    service.engine()
    src = tmp_path / "new.txt"
    src.write_text("x", encoding="utf-8")
    adder = threading.Thread(target=service.add_upload, args=(src, "new.txt"))
    adder.start()
    time.sleep(0.05)
    service.ask("公务接待费是多少")
    adder.join()
    assert events == ["add-start", "answer", "add-end"]


def test_upload_document_bad_and_good_files(tmp_path, seed_doc, seed_path):
    engine = FakeEngine([seed_doc])
    data = tmp_path / "data"
    data.mkdir()
    service = app.EngineService(lambda: engine, data_dir=data)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a spreadsheet")
    ok, status, findings = app.upload_document(service, str(broken))
    assert not ok and "无法导入 broken.xlsx" in status and findings == ""
    assert engine.documents() == [seed_doc] and not list(data.iterdir())   # nothing left behind
    ok, status, _ = app.upload_document(service, str(tmp_path / "missing.txt"))
    assert not ok and "不存在" in status
    ok, status, _ = app.upload_document(service, None)
    assert not ok
    # a good file is stored in the data folder under its sanitised name, then indexed
    upload = tmp_path / "my budget (2024).txt"
    upload.write_bytes(seed_path.read_bytes())
    ok, status, findings = app.upload_document(service, str(upload))
    assert ok and "已导入" in status and "2 条发现" in findings
    assert engine.added == ["my_budget_(2024).txt"]
    assert [p.name for p in data.iterdir()] == ["my_budget_(2024).txt"]
    # the same name again is refused, and the stored file stays
    ok, status, _ = app.upload_document(service, str(upload))
    assert not ok and "同名" in status and (data / "my_budget_(2024).txt").exists()


def test_chat_turn_appends_messages_and_source(seed_doc):
    service = app.EngineService(lambda: FakeEngine([seed_doc]))
    history, box, source = app.chat_turn(service, "公务接待费是多少", [], app.ALL_DOCUMENTS)
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert "0.50 万元" in history[1]["content"] and box == ""
    assert "bqa-hit" in source


# ---------------------------------------------------------------------------------------
# The running app, through its API, with the real engine
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    from gradio_client import Client

    demo = app.build_app(app.get_service())
    _, url = app.serve(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True)
    try:
        yield Client(url, verbose=False)
    finally:
        demo.close()


def _check_reception(result: dict) -> None:
    assert result["kind"] == "lookup"
    assert result["value"] == 0.5 and result["unit"] == "万元"
    cite = next(c for c in result["citations"] if c["table"] == "附表7")
    assert cite["doc_id"] == DOC_ID and cite["value"] == 0.5 and cite["unit"] == "万元"
    assert "公务接待费" in (cite["row"] or "") + (cite["column"] or "")
    assert cite["location"] and cite["row_id"]


def test_api_answers_with_structured_citation(client):
    result = client.predict("公务接待费是多少", None, api_name="/ask")
    _check_reception(result)
    assert "0.50" in result["answer"]
    assert result["timings"]["app_total"] < 5


def test_api_rejects_too_long_question(client):
    with pytest.raises(Exception, match="问题过长"):
        client.predict("问" * 501, None, api_name="/ask")


def test_api_broken_upload_reports_error_and_app_keeps_working(client, tmp_path):
    from gradio_client import handle_file

    before = [d.doc_id for d in app.get_service().documents()]
    broken = tmp_path / "broken-budget.xlsx"
    broken.write_bytes(b"PK\x03\x04 definitely not a workbook")
    status, findings, *_ = client.predict(handle_file(str(broken)), api_name="/upload")
    assert status.startswith("❌") and "broken-budget.xlsx" in status
    assert [d.doc_id for d in app.get_service().documents()] == before
    assert not (corpus.default_corpus_dir() / "broken-budget.xlsx").exists()
    _check_reception(client.predict("公务接待费是多少", None, api_name="/ask"))
