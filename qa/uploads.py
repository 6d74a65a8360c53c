"""What an uploaded file must be before it reaches the index, and what the staff are told.

A file is checked by name and size (`check_upload`), parsed once (`parse_upload`: a file
over `corpus.ReadLimits` or with no budget table or figure is refused), then compared with
the loaded documents (`compare`): the same content is already loaded; the same department,
year and kind asks whether to replace it. `qa.service.EngineService.add_upload` runs these
in order and returns an `UploadResult`; every message is Chinese, names the file once and
says what to do next.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Sequence

import corpus
from corpus import BudgetDocument, Finding
from corpus.facts import FactKind, document_facts

log = logging.getLogger("budgetqa.app")

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
UPLOAD_SUFFIXES = tuple(corpus.SUPPORTED_SUFFIXES)  # .txt .pdf .xlsx .xls .docx .html .htm
MAX_FILENAME_CHARS = 120


class InputError(ValueError):
    """A question or upload the app refuses, with a message fit to show the user."""


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
        raise InputError(f"无法导入 {clean}：文件过大（{size / 1048576:.1f} MB），上限 {max_bytes / 1048576:.0f} MB。"
                         "预算文件通常只有几 MB：请确认选对了文件；确为预算文件的，请拆分后分别上传。")
    return clean


# What each format is called, and the program that opens it, in what the user is told.
FORMATS = {".pdf": ("PDF 文件", "PDF 阅读器"), ".xlsx": ("Excel 表格（.xlsx）", "Excel 或 WPS"),
           ".xls": ("Excel 表格（.xls）", "Excel 或 WPS"), ".docx": ("Word 文档（.docx）", "Word 或 WPS"),
           ".html": ("网页文件", "浏览器"), ".htm": ("网页文件", "浏览器"), ".txt": ("文本文件", "文本编辑器")}


def unreadable_message(name: str, error: Exception) -> str:
    """What the user is told when a file cannot be parsed: in Chinese, the file named once,
    and what to do. The reader's own (English, technical) message goes to the log only."""
    log.info("cannot parse %s: %s", name, error)
    if isinstance(error, corpus.TooLarge):
        return too_large_message(name, error)
    kind, program = FORMATS.get(Path(name).suffix.lower(), ("预算文件", "相应的软件"))
    if "empty" in str(error) or "no text or tables" in str(error):
        return f"无法导入 {name}：文件中没有可读取的文字或表格。请确认选对了文件，重新导出后再上传。"
    return (f"无法导入 {name}：它不是可读取的 {kind}（可能已损坏、不完整，或扩展名与内容不符）。"
            f"请先用 {program} 打开确认，重新下载或另存一份完整的文件后再上传。")


def internal_error_message(name: str) -> str:
    return f"导入 {name} 时出现内部错误，语料和索引都未改变。请稍后重试；如仍失败，请联系管理员（详情已记入日志）。"


# What each of corpus.ReadLimits measures, and its unit, in what the user is told.
LIMITS = {"max_file_bytes": ("文件大小", "字节"), "max_text_bytes": ("文本大小", "字节"),
          "max_text_lines": ("文本行数", "行"), "max_unzipped_bytes": ("解压后的大小", "字节"),
          "max_zip_ratio": ("压缩比", "倍"), "max_rows": ("表格行数", "行"),
          "max_cells": ("表格单元格数", "个"), "max_pages": ("页数", "页"),
          "max_paragraphs": ("文字段落数", "段")}


def too_large_message(name: str, error: corpus.TooLarge) -> str:
    what, unit = LIMITS.get(error.measure, (error.measure, ""))
    return (f"无法导入 {name}：{what}超过上限（{error.found:,} {unit}，上限 {error.limit:,} {unit}），文件未导入。"
            "预算文件远小于这个上限：请确认选对了文件（不是数据导出或压缩包）；确为预算文件的，请拆分后分别上传，"
            f"或请管理员调高 BUDGETQA_{error.measure.upper()}。")


def not_a_budget_message(name: str) -> str:
    return (f"无法导入 {name}：文件中没有预算表格，也没有写明金额的预算数字，不像是一份预算或决算。"
            "预算文件应包含部门预算（决算）的表格，如收支总表、一般公共预算支出表、“三公”经费支出表，"
            "或写明金额的预算说明。请确认选对了文件；如文件不完整，请重新下载完整的版本后再上传。")


def parse_upload(path: Path, name: str, source: Path) -> BudgetDocument:
    """The upload parsed, once, known by `source` (where it will live). Raises InputError
    for a file over the limits or with no budget table or figure; corpus.ParseError for a
    file that cannot be read."""
    try:
        doc = corpus.load(path)
    except corpus.TooLarge as e:
        raise InputError(too_large_message(name, e)) from None
    if not has_budget_figures(doc):
        raise InputError(not_a_budget_message(name))
    return replace(doc, source=str(source))


MONEY_UNITS = frozenset({"元", "千元", "万元", "百万元", "亿元"})


def has_budget_figures(doc: BudgetDocument) -> bool:
    """A figure in a table, or an amount of money in the text (a department's narrative file
    published apart from its tables has no table, but its 万元 figures answer questions);
    head counts alone (编制 17 人, the first page of a truncated file) are not a budget."""
    return any(f.value is not None and (f.kind is not FactKind.NARRATIVE or f.unit in MONEY_UNITS)
               for f in document_facts(doc))


# --------------------------------------------------------------------------------------
# Already loaded?
# --------------------------------------------------------------------------------------

Outcome = Literal["added", "replaced", "duplicate", "confirm"]


@dataclass(frozen=True)
class UploadResult:
    """What became of an upload. `added`/`replaced`: in the index (`existing` is the document
    replaced); `duplicate`: nothing added, `existing` has the same content; `confirm`: nothing
    added yet, `existing` is for the same department, year and kind: upload again with
    decision "replace" (or "add", a second part of the same budget) to go on."""

    outcome: Outcome
    doc: BudgetDocument
    findings: tuple[Finding, ...] = ()
    existing: BudgetDocument | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("added", "replaced")

    @property
    def message(self) -> str:
        doc, old = self.doc, self.existing
        name = Path(doc.source).name
        size = f"{len(doc.tables)} 张表，{len(doc.paragraphs)} 段文字"
        if self.outcome == "added":
            return f"已导入《{doc.title}》（{doc.doc_id}）：{size}；索引已更新。"
        assert old is not None
        if self.outcome == "replaced":
            return f"已用 {name} 替换《{old.title}》（{old.doc_id}）：{size}；索引已更新。"
        if self.outcome == "duplicate":
            return (f"{name} 与已加载的文档内容相同，已加载为《{old.title}》（{old.doc_id}），未重复导入。"
                    "如需更新该文档，请上传修改后的文件。")
        return (f"已加载同一部门、同一年度的{doc.kind or '预算'}《{old.title}》（{old.doc_id}），内容与 {name} 不同。"
                "请选择：用新文件替换它，或作为同一预算的另一部分（如单独发布的说明或表格）一并加入；不确定时请先核对两个文件。")


def content_digest(doc: BudgetDocument) -> str:
    """A hash of what a document says, not of its bytes or name: a copy re-encoded (GBK) or
    renamed has the same digest."""
    tables = [(t.key, t.title, t.unit, [(r.label, r.code, [c.raw for c in r.cells]) for r in t.rows])
              for t in doc.tables]
    body = [doc.title, doc.department, doc.year, doc.kind, tables, [p.text for p in doc.paragraphs],
            [(r.title, [(f.key, f.raw) for f in r.fields]) for r in doc.records]]
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def compare(doc: BudgetDocument, loaded: Sequence[BudgetDocument]) -> tuple[Outcome | None, BudgetDocument | None]:
    """("duplicate", the loaded copy) for the same bytes or content; ("confirm", the loaded
    document) for the same department, year and kind; (None, None) when it is new."""
    digest = content_digest(doc)
    for old in loaded:
        if old.sha256 == doc.sha256 or content_digest(old) == digest:
            return "duplicate", old
    if doc.publication != doc.doc_id:   # identity fully known
        for old in loaded:
            if old.publication == doc.publication:
                return "confirm", old
    return None, None
