"""预算问答 web app: a chat over the loaded budgets, plus a staff tab to add documents.

    python app.py [--host 127.0.0.1] [--port 7860] [--public] [--index DIR]

Environment: BUDGETQA_HOST, BUDGETQA_PORT, BUDGETQA_PUBLIC (1/true/yes). `--public` drops the
staff tab (upload, table browser) entirely, so its endpoints do not exist.

The one module that imports gradio, and a thin layer: rendering lives in `qa.render`, the
shared engine and the input checks in `qa.service`. Here: the events as plain functions
(service in, values out; tests/test_app.py calls them), the Gradio layout, and the CLI.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import corpus  # noqa: E402
from corpus import BudgetDocument  # noqa: E402
from qa.analyze import MAX_QUESTION_CHARS  # noqa: E402
from qa.render import answer_markdown, browse_html, findings_markdown, md_escape, source_html  # noqa: E402
from qa.service import (  # noqa: E402
    MAX_UPLOAD_BYTES, UPLOAD_SUFFIXES, EngineService, InputError, Progress, check_question, check_upload,
    default_engine_factory, internal_error_message, unreadable_message,
)

log = logging.getLogger("budgetqa.app")

DEFAULT_CONCURRENCY = 4   # answers are CPU-light (milliseconds); uploads run one at a time
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
    "How much is the official reception expense?",
]

STAGES = {"parse": "解析文档", "facts": "写入数据表", "embed": "计算向量", "done": "索引完成", "load": "载入文档"}

CSS = """
.bqa-sources { max-height: 520px; overflow: auto; }
.bqa-browser { max-height: 640px; overflow: auto; }
"""

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

def document_choices(documents: Sequence[BudgetDocument]) -> list[tuple[str, str]]:
    """(label, doc_id) per document; a title shared by several documents gets its id."""
    titles = [d.title for d in documents]
    return [(d.title + (f"（{d.doc_id}）" if titles.count(d.title) > 1 else ""), d.doc_id) for d in documents]


def selector_choices(documents: Sequence[BudgetDocument]) -> list[tuple[str, str]]:
    """The chat's document/year selector: "all", then each document."""
    return [("全部文档", ALL_DOCUMENTS)] + document_choices(documents)


def doc_ids_for(choice: str | None) -> set[str] | None:
    return {choice} if choice else None


def table_choices(doc: BudgetDocument | None) -> list[tuple[str, str]]:
    if doc is None:
        return []
    return [(t.display_title + ("（空表）" if t.empty or not t.rows else ""), t.key) for t in doc.tables]


# --------------------------------------------------------------------------------------
# Events (plain functions: service in, values out)
# --------------------------------------------------------------------------------------

Message = dict[str, str]   # a chat message as gr.Chatbot holds it: {"role", "content"}


def chat_turn(service: EngineService, message: str, history: list[Message] | None,
              doc_choice: str | None) -> tuple[list[Message], str, str]:
    """One chat exchange → (history, textbox value, source HTML)."""
    history = list(history or [])
    try:
        question = check_question(message)
    except InputError as e:
        history.append({"role": "assistant", "content": f"⚠️ {e}"})
        return history, message, ""
    history.append({"role": "user", "content": question})
    try:
        answer = service.ask(question, doc_ids_for(doc_choice))
        documents = service.documents()
    except Exception:  # noqa: BLE001 — keep the page alive, log the details
        log.exception("answer failed for %r", question)
        history.append({"role": "assistant", "content": "❌ 内部错误，未能回答该问题。"})
        return history, "", ""
    seconds = answer.timings.get("app_total")
    history.append({"role": "assistant", "content": answer_markdown(answer, seconds)})
    return history, "", source_html(answer, documents)


def ask_api(service: EngineService, question: str, doc_id: str | None = None) -> dict[str, Any]:
    """The structured answer (Answer.to_dict()) for API clients; InputError on bad input."""
    return service.ask(check_question(question), doc_ids_for(doc_id)).to_dict()


def upload_document(service: EngineService, file_path: str | None,
                    progress: Progress | None = None) -> tuple[bool, str, str]:
    """Check and add one uploaded file → (ok, status markdown, findings markdown).
    A bad file leaves the corpus folder, the corpus and the index as they were."""
    if not file_path:
        return False, "请先选择文件。", ""
    try:
        clean = check_upload(file_path)
        doc, findings = service.add_upload(file_path, clean, progress=progress)
    except InputError as e:
        return False, f"❌ {md_escape(e)}", ""
    except corpus.ParseError as e:
        return False, f"❌ {md_escape(unreadable_message(clean, e))}", ""
    except Exception:  # noqa: BLE001 — report, keep the app running
        log.exception("add_document failed for %s", file_path)
        return False, f"❌ {md_escape(internal_error_message(clean))}", ""
    status = (f"✅ 已导入《{md_escape(doc.title)}》（{md_escape(doc.doc_id)}）：{len(doc.tables)} 张表，"
              f"{len(doc.paragraphs)} 段文字；索引已更新。")
    return True, status, findings_markdown(findings)


def source_notes_markdown(service: EngineService) -> str:
    """The staff tab's notes on indexed files that are gone or changed; empty when none."""
    notes = service.source_notes()
    return "#### 源文件提示\n" + "\n".join(f"- ⚠️ {md_escape(n)}" for n in notes) if notes else ""


def progress_reporter(progress: Callable[..., Any] | None) -> Callable[..., None] | None:
    """Adapt gr.Progress to the engine's progress callback: accepts (stage, fraction) as
    index.store reports it, (done, total) or (fraction,), and never raises."""
    if progress is None:
        return None

    def report(*args: Any, **kwargs: Any) -> None:
        nums = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
        texts = [a for a in args if isinstance(a, str)]
        desc = kwargs.get("desc") or kwargs.get("message") or (texts[0] if texts else None)
        desc = STAGES.get(desc, desc) if desc else desc
        try:
            if len(nums) >= 2 and nums[1]:
                progress((int(nums[0]), int(nums[1])), desc=desc)
            elif nums:
                progress(max(0.0, min(1.0, float(nums[0]))), desc=desc)
            else:
                progress(None, desc=desc)
        except Exception:  # noqa: BLE001 — progress display must never break the work
            log.debug("progress update failed", exc_info=True)

    return report


# --------------------------------------------------------------------------------------
# Gradio layout
# --------------------------------------------------------------------------------------

def build_app(service: EngineService | None = None, public: bool = False):
    """The Blocks app. The engine is not touched here: the first page load (or question)
    creates it, with a progress bar."""
    import gradio as gr

    service = service or get_service()

    def ready(progress) -> None:
        """First use: build/load the index with a progress bar instead of a frozen page."""
        if not service.loaded:
            progress(0, desc="正在加载索引（首次启动需要建立索引，约半分钟）…")
            service.engine(progress=progress_reporter(progress))

    def warm_up(progress=gr.Progress()):
        ready(progress)
        docs = service.documents()
        choices = selector_choices(docs)
        updates = [service.loaded_message(docs), gr.update(choices=choices, value=ALL_DOCUMENTS, visible=len(docs) > 1)]
        if not public:
            dc = document_choices(docs)
            updates.append(gr.update(choices=dc, value=dc[0][1] if dc else None))
            updates.append(source_notes_markdown(service))
        return updates

    def respond(message, history, doc_choice, progress=gr.Progress()):
        ready(progress)
        return chat_turn(service, message, history, doc_choice)

    def ask(question: str, doc_id: str | None = None) -> dict[str, Any]:
        """Answer one question; returns Answer.to_dict() (answer, kind, value, unit, citations, ...)."""
        try:
            return ask_api(service, question, doc_id)
        except InputError as e:
            raise gr.Error(str(e)) from None

    with gr.Blocks(title="预算问答") as demo:
        gr.Markdown("# 预算问答\n对部门预算提问：每个答案给出确切数字、单位和出处（表 / 行 / 列）。")
        status = gr.Markdown("正在加载…", elem_id="bqa-status")
        with gr.Tab("问答"):
            doc_select = gr.Dropdown(choices=[("全部文档", ALL_DOCUMENTS)], value=ALL_DOCUMENTS,
                                     label="文档 / 年度", visible=False, interactive=True)
            chatbot = gr.Chatbot(label="问答", height=520, elem_id="bqa-chat", buttons=["copy"])
            with gr.Row():
                msg = gr.Textbox(placeholder=f"输入问题，回车发送（最多 {MAX_QUESTION_CHARS} 字）",
                                 show_label=False, scale=8, max_lines=4, elem_id="bqa-question")
                send = gr.Button("提问", variant="primary", scale=1, elem_id="bqa-send")
            examples = gr.Examples(examples=[[q] for q in EXAMPLES], inputs=[msg], label="示例问题",
                                   api_visibility="private")
            gr.Markdown("#### 出处")
            source = gr.HTML(elem_classes=["bqa-sources"], elem_id="bqa-source")
            chat_io: dict[str, Any] = dict(fn=respond, inputs=[msg, chatbot, doc_select],
                                           outputs=[chatbot, msg, source], api_visibility="private")
            msg.submit(**chat_io)
            send.click(**chat_io)
            examples.load_input_event.then(**chat_io)

        warm_outputs = [status, doc_select]
        if not public:
            warm_outputs.extend(_staff_tab(gr, service, status, doc_select))
        gr.api(ask, api_name="ask", concurrency_limit="default")
        demo.load(warm_up, outputs=warm_outputs, concurrency_limit=None, api_visibility="private",
                  show_progress="full")
    demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY, max_size=64)
    return demo


def _staff_tab(gr, service: EngineService, status, doc_select):
    """Upload + table browser. Returns the browser's document dropdown and the notes on
    source files (both filled on load)."""
    with gr.Tab("管理（工作人员）"):
        notes = gr.Markdown(elem_id="bqa-source-notes")
        gr.Markdown(f"上传预算文件（{' '.join(UPLOAD_SUFFIXES)}，不超过 {MAX_UPLOAD_BYTES // 1048576} MB）："
                    "解析、完整性检查，加入语料并增量更新索引。")
        upload = gr.File(label="预算文件", file_types=list(UPLOAD_SUFFIXES), type="filepath", elem_id="bqa-upload")
        add = gr.Button("解析并加入", variant="primary")
        upload_status = gr.Markdown()
        upload_findings = gr.Markdown()
        gr.Markdown("### 表格浏览")
        with gr.Row():
            browse_doc = gr.Dropdown(label="文档", choices=[], interactive=True)
            browse_table = gr.Dropdown(label="表格", choices=[], interactive=True)
        browser = gr.HTML(elem_classes=["bqa-browser"])

    def documents_by_id():
        return {d.doc_id: d for d in service.documents()}

    def on_doc(doc_id):
        doc = documents_by_id().get(doc_id)
        tc = table_choices(doc)
        key = tc[0][1] if tc else None
        return gr.update(choices=tc, value=key), browse_html(doc, key)

    def on_table(doc_id, key):
        return browse_html(documents_by_id().get(doc_id), key)

    def on_upload(file_path, progress=gr.Progress()):
        progress(0, desc="解析文件…")
        ok, status_md, findings_md = upload_document(service, file_path, progress=progress_reporter(progress))
        if not ok:
            return status_md, findings_md, gr.update(), gr.update(), gr.update()
        docs = service.documents()
        return (status_md, findings_md, service.loaded_message(docs),
                gr.update(choices=selector_choices(docs), visible=len(docs) > 1),
                gr.update(choices=document_choices(docs)))

    browse_doc.change(on_doc, inputs=[browse_doc], outputs=[browse_table, browser], api_visibility="private")
    browse_table.change(on_table, inputs=[browse_doc, browse_table], outputs=[browser], api_visibility="private")
    add.click(on_upload, inputs=[upload], outputs=[upload_status, upload_findings, status, doc_select, browse_doc],
              api_name="upload", concurrency_limit=1, concurrency_id="upload")
    return browse_doc, notes


def serve(demo, host: str = "127.0.0.1", port: int = 7860, block: bool = True, quiet: bool = False):
    """Launch on host:port; returns (app, local_url) when block is False."""
    import gradio as gr

    app, url, _ = demo.launch(server_name=host, server_port=port, share=False, prevent_thread_lock=not block,
                              max_file_size=MAX_UPLOAD_BYTES, show_error=False, quiet=quiet, css=CSS,
                              theme=gr.themes.Default(), footer_links=["api"], ssr_mode=False)
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
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    args = parse_args(argv)
    demo = build_app(get_service(args.index), public=args.public)
    serve(demo, host=args.host, port=args.port, block=True)


if __name__ == "__main__":
    main()
