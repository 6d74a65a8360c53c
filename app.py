"""预算问答 web app: a chat over the loaded budgets, plus a staff tab to add documents.

    python app.py [--host 127.0.0.1] [--port 7860] [--public] [--index DIR]

Environment: BUDGETQA_HOST, BUDGETQA_PORT, BUDGETQA_PUBLIC (1/true/yes). `--public` drops the
staff tab (upload, table browser) entirely, so its endpoints do not exist.

Layout of this module: plain functions first (input checks, answer → Markdown/HTML, table
rendering, upload checks) — these are what tests/test_app.py exercises — then `EngineService`
(the one shared engine, created lazily, guarded by a lock), then the thin Gradio wiring.
"""

from __future__ import annotations

import argparse
import html
import logging
import os
import re
import shutil
import threading
import time
import unicodedata
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import corpus  # noqa: E402
from index.config import STATE_DIR  # noqa: E402
from corpus.model import BudgetDocument, Row, Table  # noqa: E402
from qa.answer import Answer, Citation  # noqa: E402

log = logging.getLogger("budgetqa.app")

MAX_QUESTION_CHARS = 500
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_SUFFIXES = tuple(corpus.SUPPORTED_SUFFIXES)  # .txt .pdf .xlsx .xls .docx .html .htm
MAX_FILENAME_CHARS = 120
MAX_SOURCE_TABLES = 3
MAX_SOURCE_ROWS = 16      # longer cited tables show only the rows around the cited ones
SOURCE_CONTEXT_ROWS = 4
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

HIT_ROW_STYLE = "background:#fff3b0"
HIT_CELL_STYLE = "background:#ffd54f;font-weight:700;outline:2px solid #f57f17"
TABLE_STYLE = "border-collapse:collapse;font-size:13px;width:100%"
CELL_STYLE = "border:1px solid #ccc;padding:3px 6px"
HEAD_STYLE = CELL_STYLE + ";background:#f0f0f0;text-align:center"
NUM_STYLE = CELL_STYLE + ";text-align:right;font-variant-numeric:tabular-nums"


# --------------------------------------------------------------------------------------
# Input checks
# --------------------------------------------------------------------------------------

class InputError(ValueError):
    """A question or upload the app refuses, with a message fit to show the user."""


def check_question(text: str | None, limit: int = MAX_QUESTION_CHARS) -> str:
    """The question, stripped; raises InputError when it is empty or longer than `limit`."""
    question = (text or "").strip()
    if not question:
        raise InputError("请输入问题。")
    if len(question) > limit:
        raise InputError(f"问题过长（{len(question)} 字），请精简到 {limit} 字以内。"
                         f" (Question too long: {len(question)} characters; the limit is {limit}.)")
    return question


def sanitize_filename(name: str, max_chars: int = MAX_FILENAME_CHARS) -> str:
    """A safe file name: no folders, no control or shell characters, no leading dots.
    Chinese characters are kept; the suffix is lower-cased."""
    name = unicodedata.normalize("NFKC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]                         # drop any folder part
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[^\w.\-()（）]+", "_", name)                  # \w keeps CJK letters
    name = re.sub(r"\.{2,}", ".", name).strip("._ ")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem = stem.strip("._ ") or "upload"
    suffix = suffix.lower()
    keep = max_chars - (len(suffix) + 1 if suffix else 0)
    stem = stem[:max(keep, 1)]
    return f"{stem}.{suffix}" if suffix else stem


def check_upload(path: str | Path, name: str | None = None, max_bytes: int = MAX_UPLOAD_BYTES) -> str:
    """Validate an uploaded file; returns its sanitised name. Raises InputError."""
    path = Path(path)
    clean = sanitize_filename(name or path.name)
    suffix = Path(clean).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise InputError(f"不支持的文件类型“{suffix or '（无扩展名）'}”；支持：{' '.join(UPLOAD_SUFFIXES)}")
    if not path.is_file():
        raise InputError("上传的文件不存在。")
    size = path.stat().st_size
    if size == 0:
        raise InputError("上传的文件是空的。")
    if size > max_bytes:
        raise InputError(f"文件过大（{size / 1048576:.1f} MB），上限 {max_bytes / 1048576:.0f} MB。")
    return clean


# --------------------------------------------------------------------------------------
# Answer → Markdown
# --------------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")


def md_escape(text: str | None) -> str:
    """Literal text inside Markdown: HTML characters as entities, Markdown marks escaped."""
    text = str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def format_figure(value: Decimal | int | float | None, unit: str | None) -> str:
    """`0.50 万元`; exact digits as the document prints them (no float rounding)."""
    if value is None:
        return ""
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "％") else f"{text} {unit}"


def citation_line(c: Citation) -> str:
    """One readable line: document · table/section · row · column · value (location)."""
    parts = [f"《{md_escape(c.document)}》", md_escape(c.section)]
    if c.table is not None:
        if c.row:
            parts.append(f"行：{md_escape(c.row)}")
        if c.column:
            parts.append(f"列：{md_escape(c.column)}")
        if c.value is not None:
            parts.append(f"**{md_escape(format_figure(c.value, c.unit))}**")
    else:
        parts.append(f"“{md_escape(c.text)}”")
    return " · ".join(p for p in parts if p) + f"（{md_escape(c.location)}）"


def answer_markdown(answer: Answer, seconds: float | None = None) -> str:
    """The chat message for an answer: figure with unit, formula, citations."""
    blocks: list[str] = []
    if answer.kind in ("lookup", "computed") and answer.value is not None:
        blocks.append(f"### {md_escape(format_figure(answer.value, answer.unit))}")
    blocks.append(md_escape(answer.answer))
    if answer.formula:
        blocks.append("计算：`" + answer.formula.replace("`", "'") + "`")
    if answer.kind == "not_found" and answer.reason:
        blocks.append(f"原因：{md_escape(answer.reason)}")
    if answer.citations:
        lines = [f"{i}. {citation_line(c)}" for i, c in enumerate(answer.citations, 1)]
        blocks.append("**来源**\n\n" + "\n".join(lines))
    if seconds is not None:
        blocks.append(f"_用时 {seconds * 1000:.0f} ms_")
    return "\n\n".join(blocks)


# --------------------------------------------------------------------------------------
# Tables → HTML
# --------------------------------------------------------------------------------------

def esc(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def column_name(path: Sequence[str]) -> str:
    return " / ".join(path)


def header_rows(columns: Sequence[Sequence[str]]) -> list[list[tuple[str, int, int]]]:
    """Grouped header cells (text, colspan, rowspan) per header line, from column paths."""
    depth = max((len(c) for c in columns), default=1) or 1
    lines: list[list[tuple[str, int, int]]] = [[] for _ in range(depth)]
    for level in range(depth):
        i = 0
        while i < len(columns):
            col = columns[i]
            if len(col) <= level:          # covered by a rowspan from above
                i += 1
                continue
            j = i + 1
            if level < len(col) - 1:       # a group: merge neighbours sharing the prefix
                while j < len(columns) and len(columns[j]) > level + 1 and tuple(columns[j][:level + 1]) == tuple(col[:level + 1]):
                    j += 1
                lines[level].append((col[level], j - i, 1))
            else:
                lines[level].append((col[level], 1, depth - level))
            i = j
    return lines


def visible_rows(rows: Sequence[Row], hits: set[str], limit: int = MAX_SOURCE_ROWS,
                 context: int = SOURCE_CONTEXT_ROWS) -> list[Row | None]:
    """All rows when short; otherwise the rows near the hits, `None` marking a gap."""
    if len(rows) <= limit or not hits:
        return list(rows[:limit]) + ([None] if len(rows) > limit else [])
    keep = set()
    for i, r in enumerate(rows):
        if r.id in hits:
            keep.update(range(max(0, i - context), min(len(rows), i + context + 1)))
    out: list[Row | None] = []
    for i, r in enumerate(rows):
        if i in keep:
            out.append(r)
        elif out and out[-1] is not None:
            out.append(None)
    if out and out[0] is not None and min(keep) > 0:
        out.insert(0, None)
    return out


def _label_column(row: Row) -> int | None:
    for i, c in enumerate(row.cells):
        if c.raw and c.raw == row.label:
            return i
    return None


def table_html(table: Table, hit_rows: Iterable[str] = (), hit_cells: Iterable[tuple[str, str]] = (),
               caption: str | None = None, window: bool = True) -> str:
    """A parsed table as HTML: grouped column headers, hierarchy indented by level, cited
    rows (by row id) and cells ((row id, "col / path")) highlighted."""
    hit_rows, hit_cells = set(hit_rows), set(hit_cells)
    out = [f'<table class="bqa-table" style="{TABLE_STYLE}">']
    if caption:
        out.append(f'<caption style="text-align:left;font-weight:600;padding:4px 0">{esc(caption)}</caption>')
    out.append("<thead>")
    for line in header_rows(table.columns):
        out.append("<tr>" + "".join(
            f'<th colspan="{cs}" rowspan="{rs}" style="{HEAD_STYLE}">{esc(text)}</th>' for text, cs, rs in line
        ) + "</tr>")
    out.append("</thead><tbody>")
    ncols = max(len(table.columns), 1)
    rows = visible_rows(table.rows, hit_rows) if window else list(table.rows)
    for row in rows:
        if row is None:
            out.append(f'<tr><td colspan="{ncols}" style="{CELL_STYLE};text-align:center;color:#888">…</td></tr>')
            continue
        out.append(_row_html(row, row.id in hit_rows, hit_cells))
    if not table.rows:
        out.append(f'<tr><td colspan="{ncols}" style="{CELL_STYLE};color:#888">（本表无数据）</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def _row_html(row: Row, hit: bool, hit_cells: set[tuple[str, str]]) -> str:
    label_at = _label_column(row)
    attrs = f' class="bqa-hit" style="{HIT_ROW_STYLE}"' if hit else ""
    if row.is_total:
        attrs += ' data-total="1"'
    cells = []
    for i, cell in enumerate(row.cells):
        style = NUM_STYLE if cell.is_number else CELL_STYLE
        klass = ""
        if (row.id, column_name(cell.column)) in hit_cells:
            style += ";" + HIT_CELL_STYLE
            klass = ' class="bqa-hit-cell"'
        if i == label_at and row.level:
            style += f";padding-left:{0.4 + 1.2 * row.level:.1f}em"
        if row.is_total:
            style += ";font-weight:600"
        cells.append(f'<td{klass} style="{style}" title="{esc(column_name(cell.column))}">{esc(cell.raw)}</td>')
    return f'<tr data-row="{esc(row.id)}"{attrs}>' + "".join(cells) + "</tr>"


def _find_row(table: Table, c: Citation) -> Row | None:
    if c.row_id:
        row = table.row_by_id(c.row_id)
        if row is not None:
            return row
    for r in table.rows:
        if c.row in (r.label, f"{r.code} {r.label}" if r.code else r.label):
            return r
    return None


def passage_html(c: Citation) -> str:
    return (f'<div class="bqa-passage" style="margin:6px 0">'
            f'<div style="color:#555;font-size:13px">《{esc(c.document)}》 › {esc(c.section)}（{esc(c.location)}）</div>'
            f'<blockquote style="border-left:4px solid #f57f17;margin:4px 0;padding:4px 10px;background:#fffbe6">'
            f'{esc(c.text)}</blockquote></div>')


def _cited_table_html(doc: BudgetDocument | None, key: str, cites: list[Citation]) -> str:
    table = doc.table(key) if doc else None
    if table is None:                     # a form (KeyValueRecord) or an unknown document
        return "".join(passage_html(c) for c in cites)
    rows, cells = set(), set()
    for c in cites:
        row = _find_row(table, c)
        if row is not None:
            rows.add(row.id)
            if c.column:
                cells.add((row.id, c.column))
    unit = f"（单位：{table.unit}）" if table.unit else ""
    caption = f"《{doc.title}》 {table.display_title}{unit} — {table.location}"
    return table_html(table, rows, cells, caption=caption)


def source_html(answer: Answer, documents: Iterable[BudgetDocument]) -> str:
    """The cited source tables with the cited rows/cells highlighted; prose citations as
    quoted passages with their section path."""
    if not answer.citations:
        return ""
    by_id = {d.doc_id: d for d in documents}
    groups: dict[tuple[str, str], list[Citation]] = {}
    order: list[Citation | tuple[str, str]] = []      # citation order: passages and tables
    for c in answer.citations:
        if c.table is None:
            order.append(c)
        else:
            if (c.doc_id, c.table) not in groups:
                order.append((c.doc_id, c.table))
            groups.setdefault((c.doc_id, c.table), []).append(c)
    parts: list[str] = []
    tables = 0
    for item in order:
        if isinstance(item, Citation):
            parts.append(passage_html(item))
        elif tables < MAX_SOURCE_TABLES:
            tables += 1
            parts.append(_cited_table_html(by_id.get(item[0]), item[1], groups[item]))
    return '<div class="bqa-sources">' + "".join(parts) + "</div>"


# --------------------------------------------------------------------------------------
# Staff helpers: documents, tables, findings
# --------------------------------------------------------------------------------------

def document_choices(documents: Sequence[BudgetDocument]) -> list[tuple[str, str]]:
    return [(d.title + (f"（{d.doc_id}）" if _ambiguous(d, documents) else ""), d.doc_id) for d in documents]


def _ambiguous(doc: BudgetDocument, documents: Sequence[BudgetDocument]) -> bool:
    return sum(1 for d in documents if d.title == doc.title) > 1


def selector_choices(documents: Sequence[BudgetDocument]) -> list[tuple[str, str]]:
    """The chat's document/year selector: "all", then each document."""
    return [("全部文档", ALL_DOCUMENTS)] + document_choices(documents)


def doc_ids_for(choice: str | None) -> set[str] | None:
    return {choice} if choice else None


def table_choices(doc: BudgetDocument | None) -> list[tuple[str, str]]:
    if doc is None:
        return []
    return [(t.display_title + ("（空表）" if t.empty or not t.rows else ""), t.key) for t in doc.tables]


def browse_html(doc: BudgetDocument | None, key: str | None) -> str:
    """A table as parsed: unit, location, column paths, then all rows with indentation."""
    table = doc.table(key) if doc and key else None
    if table is None:
        return "<p>请选择文档和表格。</p>"
    cols = "".join(f"<li><code>{esc(column_name(c))}</code></li>" for c in table.columns)
    notes = "".join(f"<li>{esc(n)}</li>" for n in table.notes)
    meta = (f"<p><b>{esc(table.display_title)}</b> · 单位：{esc(table.unit or '—')} · "
            f"{len(table.rows)} 行 · 类型：{esc(table.kind)} · {esc(table.location)}</p>"
            f"<details><summary>列路径（{len(table.columns)}）</summary><ol>{cols}</ol></details>")
    if notes:
        meta += f"<details><summary>注</summary><ul>{notes}</ul></details>"
    return meta + table_html(table, window=False)


def findings_markdown(findings: Iterable[Any]) -> str:
    findings = list(findings)
    if not findings:
        return "完整性检查：未发现问题。"
    icon = {"error": "❌", "warning": "⚠️"}
    lines = [f"完整性检查：{len(findings)} 条发现"]
    for f in findings:
        sev = getattr(f, "severity", "info")
        lines.append(f"- {icon.get(sev, 'ℹ️')} {md_escape(getattr(f, 'message', f))}"
                     f"（{md_escape(getattr(f, 'location', ''))}）")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# The shared engine
# --------------------------------------------------------------------------------------

def default_engine_factory(index_dir: str | Path | None = None) -> Callable[[], Any]:
    def make() -> Any:
        import qa
        return qa.Engine(index_dir=index_dir)
    return make


class EngineService:
    """The one engine of the app: created on first use (explicitly, never at import),
    shared by all sessions; answers run concurrently, also while a document is being added
    (the engine swaps the new index in only when it is complete); uploads run one at a time.
    Uploaded files are stored in `data_dir` (`.budgetqa/uploads`, outside the source tree)
    and nowhere else."""

    def __init__(self, factory: Callable[[], Any], data_dir: str | Path | None = None):
        self._factory = factory
        self.data_dir = Path(data_dir) if data_dir else STATE_DIR / "uploads"
        self._upload_lock = threading.Lock()
        self._engine: Any = None
        self._init_lock = threading.Lock()
        self.load_seconds: float | None = None

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def engine(self, progress: Callable[[str, float], None] | None = None) -> Any:
        """The engine, its index built (first run) and loaded; `progress(stage, fraction)`."""
        if self._engine is None:
            with self._init_lock:
                if self._engine is None:
                    start = time.perf_counter()
                    engine = self._factory()
                    engine.ensure_index(progress=progress)   # builds the bundled corpus's index once
                    if progress:
                        progress("load", 1.0)
                    engine.documents()                         # loads facts and parsed documents
                    self.load_seconds = time.perf_counter() - start
                    log.info("engine ready in %.1f s", self.load_seconds)
                    self._engine = engine
        return self._engine

    def documents(self) -> list[BudgetDocument]:
        return list(self.engine().documents())

    def ask(self, question: str, doc_ids: set[str] | None = None) -> Answer:
        """engine.answer, with the app's wall time added as `timings["app_total"]`."""
        engine = self.engine()
        start = time.perf_counter()
        answer = engine.answer(question, doc_ids=doc_ids)
        elapsed = time.perf_counter() - start
        return replace(answer, timings={**answer.timings, "app_total": elapsed})

    def add_upload(self, src: str | Path, clean_name: str,
                   progress: Callable | None = None) -> tuple[BudgetDocument, list]:
        """Store the upload as data_dir/clean_name and add it to the engine. Any failure
        removes the stored copy; the engine keeps its previous corpus and index."""
        engine = self.engine()
        with self._upload_lock:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            dest = self.data_dir / clean_name
            if dest.exists():
                raise InputError(f"语料文件夹中已有同名文件 {clean_name}；请改名后再上传。")
            shutil.copyfile(src, dest)
            try:
                doc, findings = engine.add_document(dest, progress=progress)
            except BaseException:
                dest.unlink(missing_ok=True)
                raise
        return doc, list(findings)


_SERVICE: EngineService | None = None


def get_service(index_dir: str | Path | None = None) -> EngineService:
    """The process-wide service (the engine itself is still created lazily)."""
    global _SERVICE
    if _SERVICE is None:
        _SERVICE = EngineService(default_engine_factory(index_dir))
    return _SERVICE


# --------------------------------------------------------------------------------------
# Event logic (plain functions: service in, values out)
# --------------------------------------------------------------------------------------

def chat_turn(service: EngineService, message: str, history: list | None, doc_choice: str | None):
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


def ask_api(service: EngineService, question: str, doc_id: str | None = None) -> dict:
    """The structured answer (Answer.to_dict()) for API clients; InputError on bad input."""
    return service.ask(check_question(question), doc_ids_for(doc_id)).to_dict()


def upload_document(service: EngineService, file_path: str | None,
                    progress: Callable | None = None) -> tuple[bool, str, str]:
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
        return False, f"❌ 无法导入 {md_escape(clean)}：{md_escape(e)}", ""
    except Exception as e:  # noqa: BLE001 — report, keep the app running
        log.exception("add_document failed for %s", file_path)
        return False, f"❌ 导入时出错：{md_escape(type(e).__name__)}: {md_escape(e)}", ""
    status = (f"✅ 已导入《{md_escape(doc.title)}》（{md_escape(doc.doc_id)}）：{len(doc.tables)} 张表，"
              f"{len(doc.paragraphs)} 段文字；索引已更新。")
    return True, status, findings_markdown(findings)


STAGES = {"parse": "解析文档", "facts": "写入数据表", "embed": "计算向量", "done": "索引完成", "load": "载入文档"}


def loaded_message(service: EngineService, docs: Sequence[BudgetDocument]) -> str:
    took = f"（索引载入用时 {service.load_seconds:.1f} s）" if service.load_seconds else ""
    return f"已加载 {len(docs)} 份文档。{took}"


def progress_reporter(progress: Callable | None) -> Callable | None:
    """Adapt gr.Progress to the engine's progress callback: accepts (stage, fraction) as
    index.store reports it, (done, total) or (fraction,), and never raises."""
    if progress is None:
        return None

    def report(*args: Any, **kwargs: Any) -> None:
        nums = [a for a in args if isinstance(a, (int, float)) and not isinstance(a, bool)]
        texts = [a for a in args if isinstance(a, str)]
        desc = kwargs.get("desc") or kwargs.get("message") or (texts[0] if texts else None)
        desc = STAGES.get(desc, desc)
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
# Gradio wiring
# --------------------------------------------------------------------------------------

CSS = """
.bqa-sources { max-height: 520px; overflow: auto; }
.bqa-browser { max-height: 640px; overflow: auto; }
"""


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
        updates = [loaded_message(service, docs), gr.update(choices=choices, value=ALL_DOCUMENTS, visible=len(docs) > 1)]
        if not public:
            dc = document_choices(docs)
            updates.append(gr.update(choices=dc, value=dc[0][1] if dc else None))
        return updates

    def respond(message, history, doc_choice, progress=gr.Progress()):
        ready(progress)
        return chat_turn(service, message, history, doc_choice)

    def ask(question: str, doc_id: str | None = None) -> dict:
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
            chat_io = dict(fn=respond, inputs=[msg, chatbot, doc_select], outputs=[chatbot, msg, source],
                           api_visibility="private")
            msg.submit(**chat_io)
            send.click(**chat_io)
            examples.load_input_event.then(**chat_io)

        warm_outputs = [status, doc_select]
        if not public:
            warm_outputs.append(_staff_tab(gr, service, status, doc_select))
        gr.api(ask, api_name="ask", concurrency_limit="default")
        demo.load(warm_up, outputs=warm_outputs, concurrency_limit=None, api_visibility="private",
                  show_progress="full")
    demo.queue(default_concurrency_limit=DEFAULT_CONCURRENCY, max_size=64)
    return demo


def _staff_tab(gr, service: EngineService, status, doc_select):
    """Upload + table browser. Returns the browser's document dropdown (filled on load)."""
    with gr.Tab("管理（工作人员）"):
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
        return (status_md, findings_md, loaded_message(service, docs),
                gr.update(choices=selector_choices(docs), visible=len(docs) > 1),
                gr.update(choices=document_choices(docs)))

    browse_doc.change(on_doc, inputs=[browse_doc], outputs=[browse_table, browser], api_visibility="private")
    browse_table.change(on_table, inputs=[browse_doc, browse_table], outputs=[browser], api_visibility="private")
    add.click(on_upload, inputs=[upload], outputs=[upload_status, upload_findings, status, doc_select, browse_doc],
              api_name="upload", concurrency_limit=1, concurrency_id="upload")
    return browse_doc


def serve(demo, host: str = "127.0.0.1", port: int = 7860, block: bool = True, quiet: bool = False):
    """Launch on host:port; returns (app, local_url) when block is False."""
    import gradio as gr

    app, url, _ = demo.launch(server_name=host, server_port=port, share=False, prevent_thread_lock=not block,
                              max_file_size=MAX_UPLOAD_BYTES, show_error=False, quiet=quiet, css=CSS,
                              theme=gr.themes.Default(), footer_links=["api"], ssr_mode=False)
    return app, url


def _env_flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def parse_args(argv: Sequence[str] | None = None, environ: dict | None = None) -> argparse.Namespace:
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
