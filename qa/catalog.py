"""The loaded budgets as a person looks for them: by department, then year and kind
(部门 · 年度 · 类型), never by a file's raw title — the page's list (with its filter) and the
labels of its document selectors. Pure functions without gradio."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Protocol


NO_DEPARTMENT = "（文件未写明部门）"
# Departments flow into columns and a department's years into one line: a long list stays short.
_COLUMNS_STYLE = "column-width:26em;column-gap:2em"
_YEARS_STYLE = "list-style:none;display:flex;flex-wrap:wrap;gap:0 1.2em;margin:2px 0 0 1.2em;padding:0"


class Catalogued(Protocol):
    """A document as the list shows it: the fact store's `DocumentInfo` (no parsed document
    read) or a parsed `BudgetDocument`."""

    @property
    def doc_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def department(self) -> str | None: ...
    @property
    def year(self) -> int | None: ...
    @property
    def kind(self) -> str | None: ...
    @property
    def doc_type(self) -> str | None: ...
    @property
    def sha256(self) -> str: ...


def department(doc: Catalogued) -> str:
    return doc.department or NO_DEPARTMENT


def kind(doc: Catalogued) -> str:
    """部门预算 / 单位预算 / 部门决算 / 单位决算; the phase alone when that is all it says."""
    return doc.kind or (f"部门{doc.doc_type}" if doc.doc_type else "类型未知")


def doc_label(doc: Catalogued) -> str:
    """`上海市普陀区人民政府万里街道办事处 · 2024 年 · 部门预算`."""
    year = f"{doc.year} 年" if doc.year else "年度未知"
    return f"{department(doc)} · {year} · {kind(doc)}"


def ordered(documents: Sequence[Catalogued]) -> list[Catalogued]:
    """By department, then the latest year first, then kind and file."""
    return sorted(documents, key=lambda d: (department(d), -(d.year or 0), kind(d), d.doc_id))


def document_choices(documents: Sequence[Catalogued]) -> list[tuple[str, str]]:
    """(部门 · 年度 · 类型, doc_id) per document; the files of one budget (文件 and 表格)
    share a label, so each of them also names its file."""
    docs = ordered(documents)
    labels = [doc_label(d) for d in docs]
    return [(label + (f"（{d.doc_id}）" if labels.count(label) > 1 else ""), d.doc_id)
            for label, d in zip(labels, docs)]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def matches(doc: Catalogued, query: str) -> bool:
    """Every word of the filter is in the department, year, kind, title or file name."""
    said = _squash(" ".join([doc_label(doc), doc.title, doc.doc_id]))
    return all(_squash(w) in said for w in query.split())


def catalog_html(documents: Sequence[Catalogued], query: str = "") -> str:
    """The loaded budgets grouped by department, each year and kind once with its files
    counted; only those the filter matches."""
    query = (query or "").strip()
    shown = [d for d in ordered(documents) if matches(d, query)]
    departments: dict[str, dict[tuple[int, str], int]] = {}
    for d in shown:
        budgets = departments.setdefault(department(d), {})
        budgets[(d.year or 0, kind(d))] = budgets.get((d.year or 0, kind(d)), 0) + 1
    if not documents:
        return '<p class="bqa-catalog-empty">尚未载入预算文件。工作人员可在“管理”页上传。</p>'
    if not shown:
        return f'<p class="bqa-catalog-empty">没有与“{html.escape(query)}”相符的预算，请换一个部门名称或年度。</p>'
    total = sum(len(b) for b in departments.values())
    out = [f'<p style="margin:0 0 4px 0">{len(departments)} 个部门，{total} 份预算'
           f'（{len(shown)} 个文件）{"，筛选：“" + html.escape(query) + "”" if query else ""}</p>',
           f'<div class="bqa-catalog" style="{_COLUMNS_STYLE}">']
    for name, budgets in departments.items():
        items = "".join(f'<li data-year="{year or ""}">{f"{year} 年" if year else "年度未知"} · {html.escape(k)}'
                        f'{f"（{n} 个文件）" if n > 1 else ""}</li>'
                        for (year, k), n in budgets.items())
        out.append(f'<details open class="bqa-department" style="break-inside:avoid;margin:0 0 6px 0">'
                   f'<summary style="font-weight:600">{html.escape(name)}</summary>'
                   f'<ul style="{_YEARS_STYLE}">{items}</ul></details>')
    out.append("</div>")
    return "".join(out)


def added_document(before: set[tuple[str, str]], documents: Sequence[Catalogued]) -> str | None:
    """The id of the document an upload added or replaced: the one whose (id, content hash)
    was not loaded `before`."""
    return next((d.doc_id for d in documents if (d.doc_id, d.sha256) not in before), None)
