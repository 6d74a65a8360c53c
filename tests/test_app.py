"""app.py and qa/service.py: the input checks, the shared engine service, the events, and the
app through its API (gradio_client) against the real engine on a free localhost port.
Rendering is tested in test_render.py."""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import app  # noqa: E402
from conftest import DOC_ID, RECEPTION, free_port, seed_citation, variant  # noqa: E402

OTHER_DEPT = "武汉经济技术开发区示范园管理办公室"
import corpus  # noqa: E402
from corpus.facts import DocumentInfo  # noqa: E402
from qa import http as qa_http  # noqa: E402
from qa.analyze import MAX_QUESTION_CHARS, validate_question  # noqa: E402
from qa.answer import Answer  # noqa: E402
from qa.service import (  # noqa: E402
    MAX_FILENAME_CHARS, MAX_UPLOAD_BYTES, EngineService, InputError, check_question, check_upload, sanitize_filename,
)



class FakeEngine:
    """Stands in for qa.Engine where the test is about the app, not the answers."""

    def __init__(self, docs):
        self.docs = list(docs)
        self.added = []

    def ensure_index(self, progress=None):
        if progress:
            progress("embed", 0.5)

    def catalogue(self):
        return [DocumentInfo.of(d) for d in self.docs]

    def parsed(self):
        return {d.doc_id: d for d in self.docs}

    def answer(self, question, doc_ids=None):
        return RECEPTION if "接待" in question else Answer(question, "未找到。", "not_found", reason="no match")

    def source_findings(self):
        return []

    def add_document(self, path, progress=None, source=None, parsed=None, replaces=None):
        doc = replace(parsed or corpus.load(path), source=str(source or path))  # ParseError before any change
        self.added.append(Path(path).name)
        self.docs = [d for d in self.docs if d.doc_id != replaces] + [doc]
        return doc, list(doc.findings)

    def remove_document(self, doc_id, progress=None):
        self.docs = [d for d in self.docs if d.doc_id != doc_id]


# ---------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------

def test_question_cap():
    assert check_question("  公务接待费是多少 \n") == "公务接待费是多少"
    assert check_question("问" * MAX_QUESTION_CHARS) == "问" * 500
    with pytest.raises(InputError, match="500"):
        check_question("问" * 501)
    with pytest.raises(InputError):
        check_question("   ")
    with pytest.raises(InputError):
        check_question(None)
    with pytest.raises(InputError, match="没有文字"):
        check_question("？？？")


def test_validate_question_is_the_one_check():
    assert validate_question("公务接待费是多少") is None
    assert validate_question(None) == validate_question(" \n") == "请输入一个问题，例如“公务接待费是多少”。"
    assert validate_question("问" * 501) == "问题太长（501 字），请控制在 500 字以内。"
    assert validate_question("？！…") == "问题里没有文字，请换一种问法，例如“公务接待费是多少”。"


def test_chat_turn_rejects_long_question_without_calling_engine():
    service = EngineService(lambda: pytest.fail("engine must not be created"))
    previous = [{"role": "user", "content": "公务接待费是多少"}, {"role": "assistant", "content": "### 0.50 万元"}]
    history, box, source, notice, answer = app.chat_turn(service, "x" * 501, previous, "")
    # the warning is not appended to the chat, where it would join the previous answer's bubble
    assert history == previous and answer is None
    assert "问题太长（501 字）" in notice and 'role="alert"' in notice and "【注意】" in notice
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
    assert sanitize_filename(raw) == clean


def test_sanitize_filename_truncates_but_keeps_suffix():
    name = sanitize_filename("预" * 300 + ".xlsx")
    assert name.endswith(".xlsx") and len(name) == MAX_FILENAME_CHARS


def test_check_upload(tmp_path):
    good = tmp_path / "2024 budget.TXT"
    good.write_text("预算", encoding="utf-8")
    assert check_upload(good) == "2024_budget.txt"
    exe = tmp_path / "run.exe"
    exe.write_bytes(b"MZ")
    with pytest.raises(InputError, match="不支持"):
        check_upload(exe)
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="空"):
        check_upload(empty)
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"x" * 2048)
    with pytest.raises(InputError, match="过大"):
        check_upload(big, max_bytes=1024)
    assert MAX_UPLOAD_BYTES == 20 * 1024 * 1024


def test_document_selector(seed_doc):
    assert app.selector_choices([seed_doc]) == [("全部文档", ""), ("武汉经济技术开发区智能制造产业园管理办公室 · 2024 年 · 部门预算", seed_doc.doc_id)]
    assert qa_http.doc_ids_for("") is None and app.doc_ids_for(DOC_ID) == {DOC_ID}
    assert ("附表1 收支总表（收入）", "附表1/收入") in app.table_choices(seed_doc)


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

    service = EngineService(factory)
    assert not service.loaded and not made
    stages = []
    service.engine(progress=lambda stage, fraction: stages.append(stage))
    assert stages == ["embed", "load"] and made == [1]
    service = EngineService(factory)
    made.clear()
    threads = [threading.Thread(target=service.ask, args=("公务接待费是多少",)) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == [1] and service.loaded
    answer = service.ask("公务接待费是多少")
    assert answer.value == Decimal("0.50") and "app_total" in answer.timings


def test_answers_go_on_while_a_document_is_added(seed_doc, seed_path, tmp_path):
    events = []

    class Slow(FakeEngine):
        def add_document(self, path, progress=None, source=None, parsed=None, replaces=None):
            events.append("add-start")
            time.sleep(0.2)
            events.append("add-end")
            return seed_doc, []

        def answer(self, question, doc_ids=None):
            events.append("answer")
            return RECEPTION

    service = EngineService(lambda: Slow([seed_doc]), data_dir=tmp_path / "data")
    service.data_dir.mkdir()
    service.engine()
    src = variant(seed_path, tmp_path, "new", OTHER_DEPT, 2023, "0.80")
    adder = threading.Thread(target=service.add_upload, args=(src, "new.txt"))
    adder.start()
    deadline = time.monotonic() + 30
    while "add-start" not in events and time.monotonic() < deadline:   # the upload is parsed first
        time.sleep(0.01)
    service.ask("公务接待费是多少")
    adder.join()
    assert events == ["add-start", "answer", "add-end"]


def test_upload_document_bad_and_good_files(tmp_path, seed_doc, seed_path):
    engine = FakeEngine([seed_doc])
    data = tmp_path / "data"
    data.mkdir()
    service = EngineService(lambda: engine, data_dir=data)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"this is not a spreadsheet")
    ok, status, findings, _ = app.upload_document(service, str(broken))
    assert not ok and "无法导入 broken.xlsx" in status and findings == ""
    assert list(engine.parsed().values()) == [seed_doc] and not list(data.iterdir())   # nothing left behind
    ok, status, *_ = app.upload_document(service, str(tmp_path / "missing.txt"))
    assert not ok and "不存在" in status
    ok, *_ = app.upload_document(service, None)
    assert not ok
    # a good file is stored in the data folder under its sanitised name, then indexed
    upload = variant(seed_path, tmp_path / "a", "my budget (2024)", OTHER_DEPT, 2023, "0.80")
    ok, status, findings, asks = app.upload_document(service, str(upload))
    assert ok and not asks and "已导入" in status and "完整性检查" in findings
    assert engine.added == ["my_budget_(2024).txt"]
    assert [p.name for p in data.iterdir()] == ["my_budget_(2024).txt"]
    # another budget under the same name is refused, and the stored file stays
    other = variant(seed_path, tmp_path / "b", "my budget (2024)", "武汉经济技术开发区试验区管理办公室", 2022, "0.70")
    ok, status, *_ = app.upload_document(service, str(other))
    assert not ok and "同名" in status and (data / "my_budget_(2024).txt").read_bytes() == upload.read_bytes()


@pytest.mark.parametrize("name, content", [("broken.xlsx", b"this is not a spreadsheet"),
                                           ("broken.pdf", b"%PDF-1.4 truncated"),
                                           ("broken.docx", b"PK not a word file")])
def test_a_refused_file_is_explained_in_chinese_naming_it_once(tmp_path, seed_doc, name, content):
    service = EngineService(lambda: FakeEngine([seed_doc]), data_dir=tmp_path / "data")
    broken = tmp_path / name
    broken.write_bytes(content)
    ok, status, *_ = app.upload_document(service, str(broken))
    assert not ok and status.count(name) == 1 and "请" in status          # what to do
    text = re.sub(r"<[^>]+>", "", status)                                   # the status mark's markup
    words = set(re.findall(r"[A-Za-z]{3,}", text.replace(name, "")))
    assert words <= {"PDF", "Excel", "Word", "WPS", "xlsx", "docx"}, status  # no English message, no exception names


def test_staff_see_indexed_files_that_are_gone(seed_doc, tmp_path):
    from index.live import SourceFinding

    gone = SourceFinding(seed_doc.doc_id, tmp_path / "uploads" / "budget.txt", "missing")

    class Gone(FakeEngine):
        def source_findings(self):
            return [gone]

    assert app.source_notes_markdown(EngineService(lambda: FakeEngine([seed_doc]))) == ""
    notes = app.source_notes_markdown(EngineService(lambda: Gone([seed_doc])))
    assert "源文件已不在" in notes and "budget.txt" in notes and "问答和表格浏览不受影响" in notes


def test_chat_turn_appends_messages_and_source(seed_doc):
    service = EngineService(lambda: FakeEngine([seed_doc]))
    history, box, source, notice, answer = app.chat_turn(service, "公务接待费是多少", [], app.ALL_DOCUMENTS)
    assert [m["role"] for m in history] == ["user", "assistant"]
    assert "0.50 万元" in history[1]["content"] and box == "" and notice == ""
    assert "bqa-hit" in source and answer is not None and answer.value == Decimal("0.50")


def test_download_files_table_csv_xlsx_and_answer_json(seed_doc, tmp_path):
    import csv
    import json

    from openpyxl import load_workbook

    csv_path, xlsx_path, json_path = app.download_files(RECEPTION, [seed_doc], tmp_path)
    assert json.loads(Path(json_path).read_text(encoding="utf-8")) == json.loads(json.dumps(RECEPTION.to_dict()))
    rows = list(csv.reader(Path(csv_path).read_text(encoding="utf-8-sig").splitlines()))
    assert Path(csv_path).name == f"{DOC_ID}_附表7.csv"
    assert rows[0] == ["“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费 / 小计", "公务用车购置及运行费 / 公务用车购置费",
                       "公务用车购置及运行费 / 公务用车运行费", "公务接待费"]
    assert rows[1] == ["5.54", "0.00", "5.04", "0.00", "5.04", "0.50"]
    ws = load_workbook(xlsx_path).active
    assert "附表7 一般公共预算“三公”经费支出表（单位：万元）" in ws["A1"].value
    assert ws["F3"].value == "公务接待费" and ws["F4"].value == 0.5 and ws["F4"].number_format == "#,##0.00"
    assert ws["F4"].fill.fgColor.rgb.endswith("FFD54F") and ws["A4"].fill.fgColor.rgb.endswith("FFF3B0")  # cited cell, row
    # a prose answer has no table to download, only the JSON; no answer, nothing
    prose = Answer("什么是基本支出", "基本支出：……", "passage", citations=(seed_citation(table=None),))
    assert app.download_files(prose, [seed_doc], tmp_path / "p")[:2] == (None, None)
    assert app.download_files(None, [seed_doc]) == (None, None, None)


# ---------------------------------------------------------------------------------------
# The running app, through its API, with the real engine
# ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def client():
    """The staff page, signed in as staff (tests/test_app_auth.py: without sign-in)."""
    from gradio_client import Client

    from qa.service import StaffAccounts, staff_line

    staff = StaffAccounts.parse(staff_line("staff", "口令-for-tests"))
    demo = app.build_app(app.get_service(), staff=staff)
    _, url = app.serve(demo, host="127.0.0.1", port=free_port(), block=False, quiet=True, staff=staff)
    try:
        yield Client(url, auth=("staff", "口令-for-tests"), verbose=False)
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
    with pytest.raises(Exception, match="问题太长"):
        client.predict("问" * 501, None, api_name="/ask")


def test_api_broken_upload_reports_error_and_app_keeps_working(client, tmp_path):
    from gradio_client import handle_file

    before = [d.doc_id for d in app.get_service().documents()]
    broken = tmp_path / "broken-budget.xlsx"
    broken.write_bytes(b"PK\x03\x04 definitely not a workbook")
    status, findings, *_ = client.predict(handle_file(str(broken)), api_name="/upload")
    assert status.startswith('<span class="bqa-mark bqa-mark-error">【错误】') and "broken-budget.xlsx" in status
    assert [d.doc_id for d in app.get_service().documents()] == before
    assert not (corpus.default_corpus_dir() / "broken-budget.xlsx").exists()
    _check_reception(client.predict("公务接待费是多少", None, api_name="/ask"))
