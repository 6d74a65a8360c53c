"""预算问答 web app: a chat over the loaded budgets, plus a staff tab to add, replace and remove documents.

    python app.py [--host 127.0.0.1] [--port 7860] [--public] [--index DIR] [--staff-file FILE]
    python app.py --hash-password NAME      # prints an account line for BUDGETQA_STAFF / the account file

Environment: BUDGETQA_HOST, BUDGETQA_PORT, BUDGETQA_PUBLIC (1/true/yes), BUDGETQA_STAFF (account
lines), BUDGETQA_STAFF_FILE (default .budgetqa/staff). `--public` drops the staff tab (upload,
table browser) entirely, so its endpoints do not exist. Otherwise the page is the staff page:
with accounts configured it asks for sign-in (Gradio's login, every endpoint but `POST
/api/ask`), and an upload is refused, in Chinese, unless the signed-in user is one of them; with
none, uploads are refused and the tab says how to create an account.

The one module that imports gradio, and a thin layer: rendering lives in `qa.render`, the
shared engine and the input checks in `qa.service`. Here: the events as plain functions
(service in, values out; tests/test_app.py calls them), the Gradio layout, and the CLI.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping, Sequence

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# Gradio's queue recomputes its monitoring summary (a pandas DataFrame of up to 10,000 past
# events) after every event, by default: under 50 users that was most of the CPU a cached
# answer costs. The summary only feeds the monitoring dashboard, which this app does not enable.
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "1000000")
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "1000")

from corpus import BudgetDocument  # noqa: E402
from qa.analyze import MAX_QUESTION_CHARS  # noqa: E402
from qa.answer import Answer  # noqa: E402
from qa.catalog import Catalogued, added_document, catalog_html, document_choices  # noqa: E402
from qa.charts import chart_for, chart_html  # noqa: E402
from qa.evidence import evidence_panel, evidence_routes  # noqa: E402
from qa.export import answer_folder, answer_json, cited_table, export_name, write_table_csv, write_table_xlsx  # noqa: E402
from qa.http import api_routes, ask_api, doc_ids_for  # noqa: E402
from qa.render import Documents, answer_markdown, browse_html, esc, mark, md_escape, source_html  # noqa: E402
from qa.service import (  # noqa: E402
    LOGIN_MESSAGE, MAX_UPLOAD_BYTES, NO_STAFF_MESSAGE, UPLOAD_SUFFIXES, EngineService, InputError, StaffAccounts,
    StaffConfigError, check_question, default_engine_factory, staff_line,
)
from qa.staff import (  # noqa: E402, F401 — the staff tab's events (upload_document: tests call it here)
    progress_reporter, removal_prompt, remove_document, source_notes_markdown, upload_document,
)

log = logging.getLogger("budgetqa.app")

DEFAULT_CONCURRENCY = 16  # answers run at once (benchmarks/load.py); uploads one at a time
QUEUE_SIZE = 256          # waiting events (50 users with a question each fit)
STATUS_EVERY = 1.0        # queue positions sent every second: "auto" broadcast them after every event, O(waiting²)
ALL_DOCUMENTS = ""        # the document selector's "all documents" value

EXAMPLES = [
    "公务接待费是多少",
    "邮电费是多少",
    "2089999是多少",
    "一般行政管理事务的项目支出是多少",
    "在职人员中事业编制有几人",
    "哪一类功能支出最多",
    "公务接待费占“三公”经费的比例是多少",
    "什么是基本支出",
    "“三公”经费是多少",
]

# The page's style, its Chinese for Gradio's own strings, and the script that translates the
# strings Gradio hard-codes: files in static/, read once here.
STATIC = Path(__file__).resolve().parent / "static"
CSS = (STATIC / "page.css").read_text(encoding="utf-8")
_I18N = json.loads((STATIC / "i18n.json").read_text(encoding="utf-8"))
TRANSLATIONS: dict[str, str] = _I18N["gradio"]
LOCALES: tuple[str, ...] = tuple(_I18N["locales"])
HEAD = (STATIC / "head.html").read_text(encoding="utf-8").replace(
    "__HARD_CODED__", json.dumps(_I18N["hard_coded"], ensure_ascii=False))

_SERVICE: EngineService | None = None


def get_service(index_dir: str | Path | None = None) -> EngineService:
    """The process-wide service (the engine itself is still created lazily)."""
    global _SERVICE
    if _SERVICE is None:
        _SERVICE = EngineService(default_engine_factory(index_dir))
    return _SERVICE


# --------------------------------------------------------------------------------------
# Choices of the dropdowns
# --------------------------------------------------------------------------------------

def selector_choices(documents: Sequence[Catalogued]) -> list[tuple[str, str]]:
    """The chat's document/year selector: "all", then each document as 部门 · 年度 · 类型."""
    return [("全部文档", ALL_DOCUMENTS)] + document_choices(documents)


def table_choices(doc: BudgetDocument | None) -> list[tuple[str, str]]:
    if doc is None:
        return []
    return [(t.display_title + ("（空表）" if t.empty or not t.rows else ""), t.key) for t in doc.tables]


# --------------------------------------------------------------------------------------
# Events (plain functions: service in, values out)
# --------------------------------------------------------------------------------------

Message = dict[str, str]   # a chat message as gr.Chatbot holds it: {"role", "content"}


def notice_html(text: str) -> str:
    """A warning under the question box, announced to screen readers (role="alert"); never a
    chat message, which the Chatbot would merge into the previous answer's bubble."""
    return f'<div role="alert">{mark("warning")}{esc(text)}</div>'


def chat_turn(service: EngineService, message: str, history: list[Message] | None,
              doc_choice: str | None) -> tuple[list[Message], str, str, str, Answer | None]:
    """One chat exchange → (history, textbox value, source HTML (a PDF figure's page first), notice HTML, the answer).
    A question the app refuses leaves the history as it was, keeps the text for editing and
    says why in the notice."""
    history = list(history or [])
    try:
        question = check_question(message)
    except InputError as e:
        return history, message, "", notice_html(str(e)), None
    history.append({"role": "user", "content": question})
    try:
        answer = service.ask(question, doc_ids_for(doc_choice))
        documents = service.parsed()   # only the cited ones are read
    except Exception:  # noqa: BLE001 — keep the page alive, log the details
        log.exception("answer failed for %r", question)
        history.append({"role": "assistant", "content": f"{mark('error')}内部错误，未能回答该问题。"})
        return history, "", "", "", None
    seconds = answer.timings.get("app_total")
    history.append({"role": "assistant", "content": answer_markdown(answer, seconds, documents)})
    sources = evidence_panel(service.engine(), answer, documents) + source_html(answer, documents)
    return history, "", sources, "", answer


def download_files(answer: Answer | None, documents: Documents,
                   folder: str | Path | None = None) -> tuple[str | None, str | None, str | None]:
    """The answer's take-away files → (cited table CSV, cited table XLSX, answer JSON) paths;
    None where there is nothing (no answer; no cited table for a prose answer)."""
    if answer is None:
        return None, None, None
    out = Path(folder) if folder else answer_folder()
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "answer.json"
    json_path.write_text(answer_json(answer), encoding="utf-8")
    found = cited_table(answer, documents)
    if found is None:
        return None, None, str(json_path)
    doc, table = found
    stem = export_name(doc, table)
    csv_path = write_table_csv(table, out / f"{stem}.csv")
    xlsx_path = write_table_xlsx(doc, table, out / f"{stem}.xlsx", answer)
    return str(csv_path), str(xlsx_path), str(json_path)


# --------------------------------------------------------------------------------------
# Gradio layout
# --------------------------------------------------------------------------------------

def build_app(service: EngineService | None = None, public: bool = False, staff: StaffAccounts | None = None):
    """The Blocks app. The engine is not touched here: the first page load (or question)
    creates it, with a progress bar. `public`: no staff tab at all. Otherwise uploads are
    allowed only to a user signed in as one of `staff` (none: uploads refused); `serve` with
    the same accounts turns the sign-in on."""
    import gradio as gr

    service = service or get_service()
    staff = staff if staff is not None else StaffAccounts()

    def ready(progress) -> None:
        """First use: build/load the index with a progress bar instead of a frozen page."""
        if not service.loaded:
            progress(0, desc="正在加载索引（首次启动需要建立索引，约半分钟）…")
            service.engine(progress=progress_reporter(progress))

    def warm_up(progress=gr.Progress()):
        ready(progress)
        docs = service.documents()
        choices = selector_choices(docs)
        updates = [service.loaded_message(docs), catalog_html(docs),
                   gr.update(choices=choices, value=ALL_DOCUMENTS, visible=len(docs) > 1)]
        if not public:
            dc = document_choices(docs)
            updates.append(gr.update(choices=dc, value=dc[0][1] if dc else None))
            updates.append(gr.update(choices=dc, value=None))
            updates.append(source_notes_markdown(service))
        return updates

    def respond(message, history, doc_choice, progress=gr.Progress()):
        ready(progress)
        history, box, source, notice, answer = chat_turn(service, message, history, doc_choice)
        if notice:   # a refused question: the previous answer's chart, sources and downloads stay
            return [history, box, gr.update(), gr.update(), notice, gr.update(), gr.update(), gr.update()]
        files = download_files(answer, service.parsed()) if answer is not None else (None, None, None)
        buttons = [gr.update(value=f, visible=f is not None) for f in files]
        chart = chart_html(chart_for(answer)) if answer is not None else ""
        return [history, box, chart, source, notice, *buttons]

    async def ask(question: str, doc_id: str | None = None) -> dict[str, Any]:
        """Answer one question; returns Answer.to_dict() (answer, kind, value, unit, citations, ...)."""
        import anyio

        try:   # a remembered answer is served in the event loop; the engine runs in a thread
            known = service.cached(check_question(question), doc_ids_for(doc_id))
            if known is not None:
                return replace(known, timings={**known.timings, "app_total": 0.0}).to_dict()
            return await anyio.to_thread.run_sync(ask_api, service, question, doc_id)
        except InputError as e:
            raise gr.Error(str(e)) from None

    # delete_cache: the downloads Gradio copied into its cache go after an hour, checked hourly
    with gr.Blocks(title="预算问答", delete_cache=(3600, 3600)) as demo:
        gr.Markdown("# 预算问答\n对部门预算提问：每个答案写明是哪个部门、哪一年、哪类预算，给出确切数字、单位和出处（表 / 行 / 列）。")
        status = gr.Markdown("正在加载…", elem_id="bqa-status")
        with gr.Accordion("已载入的预算（按部门、年度）", open=True, elem_id="bqa-catalog-box"):
            catalog_filter = gr.Textbox(label="筛选已载入的预算", placeholder="按部门、年度或类型筛选，如：万里街道 2024",
                                        show_label=False, max_lines=1, elem_id="bqa-catalog-filter")
            catalog = gr.HTML(elem_id="bqa-catalog")
        catalog_filter.change(lambda query: catalog_html(service.documents(), query), inputs=[catalog_filter],
                              outputs=[catalog], api_visibility="private")
        with gr.Tab("问答"):
            doc_select = gr.Dropdown(choices=[("全部文档", ALL_DOCUMENTS)], value=ALL_DOCUMENTS,
                                     label="文档 / 年度", visible=False, interactive=True)
            chatbot = gr.Chatbot(label="问答", height=520, elem_id="bqa-chat", buttons=["copy"])
            chart = gr.HTML(elem_id="bqa-chart", elem_classes=["bqa-chart"])
            with gr.Row():
                msg = gr.Textbox(placeholder=f"输入问题，回车发送（最多 {MAX_QUESTION_CHARS} 字）",
                                 label="问题", show_label=False, scale=8, max_lines=4, elem_id="bqa-question",
                                 max_length=MAX_QUESTION_CHARS)
                send = gr.Button("提问", variant="primary", scale=1, elem_id="bqa-send")
            notice = gr.HTML(elem_id="bqa-notice", elem_classes=["bqa-notice"])
            examples = gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[msg], label="示例问题",
                                   api_visibility="private")
            gr.Markdown("#### 出处")
            with gr.Row():
                get_csv = gr.DownloadButton("下载出处表格（CSV）", visible=False, size="sm", elem_id="bqa-download-csv")
                get_xlsx = gr.DownloadButton("下载出处表格（XLSX）", visible=False, size="sm", elem_id="bqa-download-xlsx")
                get_json = gr.DownloadButton("下载答案及出处（JSON）", visible=False, size="sm", elem_id="bqa-download-json")
            source = gr.HTML(elem_classes=["bqa-sources"], elem_id="bqa-source")
            chat_io: dict[str, Any] = dict(fn=respond, inputs=[msg, chatbot, doc_select],
                                           outputs=[chatbot, msg, chart, source, notice, get_csv, get_xlsx, get_json],
                                           api_visibility="private")
            msg.submit(**chat_io)
            send.click(**chat_io)
            examples.load_input_event.then(**chat_io)

        warm_outputs = [status, catalog, doc_select]
        if not public:
            warm_outputs.extend(_staff_tab(gr, service, [status, catalog, doc_select], staff))
        gr.api(ask, api_name="ask", concurrency_limit="default")
        demo.load(warm_up, outputs=warm_outputs, concurrency_limit=None, api_visibility="private",
                  show_progress="full")
    demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY, max_size=QUEUE_SIZE, status_update_rate=STATUS_EVERY)
    return demo


def _staff_tab(gr, service: EngineService, page: list, staff: StaffAccounts):
    """Upload (with a confirm step to replace a loaded document), removal (with a confirm
    step) and the table browser. `page`: the status line, the budget list and the chat's
    document selector, which a change updates. Returns the browser's and the removal's
    document dropdowns and the notes on source files (filled on load). Changes need a
    signed-in staff user."""
    with gr.Tab("管理（工作人员）"):
        if not staff:
            gr.Markdown(f"{mark('warning')}{md_escape(NO_STAFF_MESSAGE)}", elem_id="bqa-no-staff")
        notes = gr.Markdown(elem_id="bqa-source-notes")
        gr.Markdown(f"上传预算文件（{' '.join(UPLOAD_SUFFIXES)}，不超过 {MAX_UPLOAD_BYTES // 1048576} MB）："
                    "解析、完整性检查，加入语料并增量更新索引。")
        upload = gr.File(label="预算文件", file_types=list(UPLOAD_SUFFIXES), type="filepath", elem_id="bqa-upload")
        add = gr.Button("解析并加入", variant="primary")
        upload_status = gr.Markdown()
        with gr.Row():
            replace_button = gr.Button("替换已加载的文档", variant="stop", visible=False, elem_id="bqa-replace")
            add_part = gr.Button("作为另一部分一并加入", visible=False, elem_id="bqa-add-part")
        upload_findings = gr.Markdown()
        gr.Markdown("### 删除文档")
        with gr.Row():
            remove_doc = gr.Dropdown(label="要删除的文档", choices=[], interactive=True, elem_id="bqa-remove-doc",
                                     allow_custom_value=True)   # an id the service checks, also over the API
            remove = gr.Button("删除所选文档", elem_id="bqa-remove")
            confirm_remove = gr.Button("确认删除", variant="stop", visible=False, elem_id="bqa-confirm-remove")
        remove_status = gr.Markdown()
        gr.Markdown("### 表格浏览")
        with gr.Row():
            browse_doc = gr.Dropdown(label="文档", choices=[], interactive=True)
            browse_table = gr.Dropdown(label="表格", choices=[], interactive=True)
        browser = gr.HTML(elem_classes=["bqa-browser"])

    def on_doc(doc_id):
        doc = service.parsed().get(doc_id)
        tc = table_choices(doc)
        key = tc[0][1] if tc else None
        return gr.update(choices=tc, value=key), browse_html(doc, key)

    def on_table(doc_id, key):
        return browse_html(service.parsed().get(doc_id), key)

    def refusal_for(request) -> str | None:
        refusal = staff.may_change(getattr(request, "username", None))
        if refusal:
            log.warning("change refused (user %r): not signed in as staff", getattr(request, "username", None))
        return refusal

    def changed(new: str | None = None):
        """The page after the index changed: status line, budget list, selector, browser (turned
        to `new`, the document just added) and removal list."""
        docs = service.documents()
        dc = document_choices(docs)
        return (service.loaded_message(docs), catalog_html(docs),
                gr.update(choices=selector_choices(docs), visible=len(docs) > 1),
                gr.update(choices=dc, value=new) if new else gr.update(choices=dc), gr.update(choices=dc, value=None))

    def upload_with(decision):
        def on_upload(file_path, request, progress=gr.Progress()):
            refusal = refusal_for(request)
            if not refusal:
                progress(0, desc="解析文件…")
            before = {(d.doc_id, d.sha256) for d in service.documents()}
            ok, status_md, findings_md, asks = upload_document(service, file_path, progress_reporter(progress),
                                                               refusal=refusal, decision=decision)
            buttons = [gr.update(visible=asks)] * 2
            # the table browser turns to the document just added
            after = changed(added_document(before, service.documents())) if ok else (gr.update(),) * 5
            return (status_md, findings_md, *buttons, *after)
        # Gradio passes the request (and its signed-in user) to a parameter annotated gr.Request; a
        # string annotation naming the local `gr` would not resolve, so the class itself is set here.
        on_upload.__annotations__["request"] = gr.Request
        return on_upload

    def on_remove_asked(doc_id, request):
        prompt, offer = removal_prompt(service, doc_id, refusal_for(request))
        return prompt, gr.update(visible=offer)

    def on_remove(doc_id, request, progress=gr.Progress()):
        ok, status_md = remove_document(service, doc_id, progress_reporter(progress), refusal=refusal_for(request))
        return (status_md, gr.update(visible=False), *(changed() if ok else (gr.update(),) * 5))

    on_remove_asked.__annotations__["request"] = on_remove.__annotations__["request"] = gr.Request
    browse_doc.change(on_doc, inputs=[browse_doc], outputs=[browse_table, browser], api_visibility="private")
    browse_table.change(on_table, inputs=[browse_doc, browse_table], outputs=[browser], api_visibility="private")
    after = [*page, browse_doc, remove_doc]
    upload_outputs = [upload_status, upload_findings, replace_button, add_part, *after]
    for button, decision, name in ((add, "ask", "upload"), (replace_button, "replace", "upload_replace"),
                                   (add_part, "add", "upload_add_part")):
        button.click(upload_with(decision), inputs=[upload], outputs=upload_outputs, api_name=name,
                     concurrency_limit=1, concurrency_id="upload")
    remove.click(on_remove_asked, inputs=[remove_doc], outputs=[remove_status, confirm_remove],
                 api_visibility="private")
    confirm_remove.click(on_remove, inputs=[remove_doc], outputs=[remove_status, confirm_remove, *after],
                         api_name="remove", concurrency_limit=1, concurrency_id="upload")
    return browse_doc, remove_doc, notes


def serve(demo, host: str = "127.0.0.1", port: int = 7860, block: bool = True, quiet: bool = False,
          service: EngineService | None = None, staff: StaffAccounts | None = None):
    """Launch on host:port, with `POST /api/ask` (`api_routes`) on the same FastAPI app;
    returns (app, local_url) when block is False. With `staff` accounts, the page and every
    Gradio endpoint need sign-in (`POST /api/ask` stays open: it only answers)."""
    import gradio as gr

    i18n = gr.I18n(**{locale: dict(TRANSLATIONS) for locale in LOCALES})
    app, url, _ = demo.launch(server_name=host, server_port=port, share=False, prevent_thread_lock=not block,
                              max_file_size=MAX_UPLOAD_BYTES, show_error=False, quiet=quiet, css=CSS,
                              theme=gr.themes.Default(), footer_links=["api"], ssr_mode=False, i18n=i18n, head=HEAD,
                              app_kwargs={"routes": api_routes(service or get_service()) + evidence_routes()},
                              auth=staff.check if staff else None, auth_message=LOGIN_MESSAGE if staff else None)
    return app, url


# --------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------

def _env_flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def parse_args(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> argparse.Namespace:
    env = os.environ if environ is None else environ
    p = argparse.ArgumentParser(description="预算问答 web app")
    p.add_argument("--host", default=env.get("BUDGETQA_HOST") or "127.0.0.1",
                   help="interface to listen on (default 127.0.0.1; env BUDGETQA_HOST)")
    p.add_argument("--port", type=int, default=int(env.get("BUDGETQA_PORT") or 7860),
                   help="port (default 7860; env BUDGETQA_PORT)")
    p.add_argument("--public", action="store_true", default=_env_flag(env.get("BUDGETQA_PUBLIC")),
                   help="public mode: chat only, no staff tab (env BUDGETQA_PUBLIC=1)")
    p.add_argument("--index", default=None, metavar="DIR", help="index folder (default: the project's)")
    p.add_argument("--staff-file", default=None, metavar="FILE",
                   help="staff account lines (default: env BUDGETQA_STAFF_FILE, else .budgetqa/staff; "
                        "also env BUDGETQA_STAFF)")
    p.add_argument("--hash-password", default=None, metavar="NAME",
                   help="print an account line NAME:scrypt$… for a password read from the terminal (or stdin), then exit")
    return p.parse_args(argv)


def read_new_password() -> str:
    """The new password: asked twice on a terminal, else the first line of stdin."""
    import getpass
    import sys

    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("口令：")
    if getpass.getpass("再输入一次：") != first:
        raise SystemExit("两次输入的口令不一致。")
    return first


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    if args.hash_password is not None:
        try:
            print(staff_line(args.hash_password, read_new_password()))
        except ValueError as e:
            raise SystemExit(str(e)) from None
        return
    try:
        staff = None if args.public else StaffAccounts.from_env(file=args.staff_file)
    except StaffConfigError as e:
        raise SystemExit(str(e)) from None
    if staff is not None and not staff:
        log.warning("no staff accounts: uploads are refused (python app.py --hash-password NAME)")
    service = get_service(args.index)
    demo = build_app(service, public=args.public, staff=staff)
    serve(demo, host=args.host, port=args.port, block=True, service=service, staff=staff)


if __name__ == "__main__":
    main()
