"""The staff tab's events as plain functions, service in, markdown out (app.py wires them to
the page; tests call them): add a document (and confirm a replacement), remove one, the notes
on source files, and the progress callback that drives the page's bar."""

from __future__ import annotations

import logging
from typing import Any, Callable

import corpus

from .render import findings_markdown, mark, md_escape
from .service import EngineService, InputError, Progress, check_upload, internal_error_message, unreadable_message

log = logging.getLogger("budgetqa.app")

STAGES = {"parse": "解析文档", "facts": "写入数据表", "embed": "计算向量", "done": "索引完成", "load": "载入文档"}


def upload_document(service: EngineService, file_path: str | None, progress: Progress | None = None,
                    refusal: str | None = None, decision: str = "ask") -> tuple[bool, str, str, bool]:
    """Check and add one uploaded file → (ok, status markdown, findings markdown, asks) where
    `asks` means the staff must choose: replace the loaded document of the same department,
    year and kind (decision "replace") or add the file beside it ("add"). A bad file leaves
    the corpus folder, the corpus and the index as they were; so does a `refusal` (why the
    user may not change the index: `StaffAccounts.may_change`)."""
    if refusal:
        return False, f"{mark('error')}{md_escape(refusal)}", "", False
    if not file_path:
        return False, "请先选择文件。", "", False
    clean = ""
    try:
        clean = check_upload(file_path)
        result = service.add_upload(file_path, clean, progress=progress, decision=decision)
    except InputError as e:
        return False, f"{mark('error')}{md_escape(e)}", "", False
    except corpus.ParseError as e:
        return False, f"{mark('error')}{md_escape(unreadable_message(clean, e))}", "", False
    except Exception:  # noqa: BLE001 — report, keep the app running
        log.exception("add_document failed for %s", file_path)
        return False, f"{mark('error')}{md_escape(internal_error_message(clean))}", "", False
    kind = "ok" if result.ok else "warning"
    findings = findings_markdown(result.findings) if result.ok else ""
    return result.ok, f"{mark(kind)}{md_escape(result.message)}", findings, result.outcome == "confirm"


def removal_prompt(service: EngineService, doc_id: str | None, refusal: str | None = None) -> tuple[str, bool]:
    """What removing `doc_id` would do, before it is done → (markdown, whether to offer the confirm button)."""
    if refusal:
        return f"{mark('error')}{md_escape(refusal)}", False
    doc = next((d for d in service.documents() if d.doc_id == doc_id), None)
    if doc is None:
        return "请先选择要删除的文档。", False
    return (f"{mark('warning')}将从索引中删除《{md_escape(doc.title)}》（{md_escape(doc.doc_id)}）：删除后不能再就它提问，"
            "也不会出现在表格浏览中。确认删除请点“确认删除”；不删除请改选其他文档。"), True


def remove_document(service: EngineService, doc_id: str | None, progress: Progress | None = None,
                    refusal: str | None = None) -> tuple[bool, str]:
    """Remove a loaded document (confirmed) → (ok, status markdown)."""
    if refusal:
        return False, f"{mark('error')}{md_escape(refusal)}"
    if not doc_id:
        return False, "请先选择要删除的文档。"
    try:
        doc = service.remove_document(doc_id, progress=progress)
    except InputError as e:
        return False, f"{mark('error')}{md_escape(e)}"
    except Exception:  # noqa: BLE001 — report, keep the app running
        log.exception("remove_document failed for %s", doc_id)
        return False, (f"{mark('error')}删除 {md_escape(doc_id)} 时出现内部错误，索引未改变。"
                       "请稍后重试；如仍失败，请联系管理员（详情已记入日志）。")
    return True, f"{mark('ok')}已删除《{md_escape(doc.title)}》（{md_escape(doc.doc_id)}）；索引已更新。"


def source_notes_markdown(service: EngineService) -> str:
    """The staff tab's notes on indexed files that are gone or changed; empty when none."""
    notes = service.source_notes()
    return "#### 源文件提示\n" + "\n".join(f"- {mark('warning')}{md_escape(n)}" for n in notes) if notes else ""


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
