"""What a person reads of an answer or a table, as text: plain text for the command line,
Markdown for the chat, HTML for cited source tables and the table browser.

Pure functions without gradio, shared by `python -m qa ask` and app.py. Every figure goes
through `format_figure`, which uses the same printed format as the answer sentence
(45,084.94), so a heading never shows a figure differently from the sentence under it.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Iterable, Mapping, Sequence

from corpus import BudgetDocument, Finding, Row, Table
from corpus.numbers import group_thousands

from .answer import Answer, Citation, Figure
from .budgets import several_departments

MAX_SOURCE_TABLES = 3
MAX_SOURCE_ROWS = 16      # longer cited tables show only the rows around the cited ones
SOURCE_CONTEXT_ROWS = 4

HIT_ROW_STYLE = "background:#fff3b0"
HIT_CELL_STYLE = "background:#ffd54f;font-weight:700;outline:2px solid #f57f17"
TABLE_STYLE = "border-collapse:collapse;font-size:13px;width:100%"
CELL_STYLE = "border:1px solid #ccc;padding:3px 6px"
HEAD_STYLE = CELL_STYLE + ";background:#f0f0f0;text-align:center"
NUM_STYLE = CELL_STYLE + ";text-align:right;font-variant-numeric:tabular-nums"

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")


# --------------------------------------------------------------------------------------
# Figures and plain text
# --------------------------------------------------------------------------------------

def format_figure(value: Decimal | None, unit: str | None) -> str:
    """`45,084.94 万元`, `9.03%`: the document's digits in the answer sentence's format."""
    if value is None:
        return ""
    text = group_thousands(Decimal(format(value, "f")))  # "1E+2" written out as 100 before grouping
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "％") else f"{text} {unit}"


def split_formula(answer: Answer) -> tuple[str, str | None]:
    """The sentence and the formula to show under it, the formula once: a sentence that
    ends in “（formula）” loses that bracket; a formula the sentence already states (digits
    compared without thousands separators) is not repeated."""
    sentence, formula = answer.answer, answer.formula
    if not formula:
        return sentence, None
    bracket = f"（{formula}）"
    if bracket in sentence:
        return sentence.replace(bracket, "", 1).rstrip(), formula
    if formula.replace(",", "") in sentence.replace(",", ""):
        return sentence, None
    return sentence, formula


def readable(answer: Answer) -> str:
    """The answer for a terminal: the sentence, the formula, one line per source."""
    sentence, formula = split_formula(answer)
    lines = [sentence]
    if formula:
        lines.append(f"公式：{formula}")
    for n, c in enumerate(answer.citations, 1):
        where = " · ".join(p for p in (c.section, c.row, c.column) if p)
        lines.append(f"  [{n}] {c.document} — {where} — {c.location}")
        if c.text:
            lines.append(f"      “{c.text[:160]}”")
    if answer.kind == "not_found" and answer.candidates:
        lines.append("  相近的指标：" + "、".join(c.label for c in answer.candidates))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Answer → Markdown
# --------------------------------------------------------------------------------------

def md_escape(text: object) -> str:
    """Literal text inside Markdown: HTML characters as entities, Markdown marks escaped."""
    text = str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def place(location: str) -> str:
    """Where in the printed document, for a reader: 第 12 页 (PDF), 工作表“支出” (spreadsheet);
    "" for a text file's line number, which only the tooltip and the JSON keep."""
    parts = []
    sheet = re.search(r", sheet (.+?)(?:, p\.\d+|, line \d+|$)", location)
    if sheet:
        parts.append(f"工作表“{sheet.group(1)}”")
    page = re.search(r", p\.(\d+)", location)
    if page:
        parts.append(f"第 {page.group(1)} 页")
    return " ".join(parts)


def where(location: object) -> str:
    """A table's place for staff, in Chinese: 文件 x.pdf 第 9 页 (工作表“支出”, 第 12 行)."""
    loc = str(location)
    line = re.search(r", line (\d+)", loc)
    said = " ".join(p for p in (place(loc), f"第 {line.group(1)} 行" if line else "") if p)
    return f"文件 {loc.split(',')[0]}" + (f" {said}" if said else "")


Documents = Mapping[str, BudgetDocument] | Iterable[BudgetDocument]
"""The documents a page shows from: the index's lazy doc_id mapping (it reads a document only
when asked for it), or a list of them."""


def by_id(documents: Documents) -> Mapping[str, BudgetDocument]:
    """doc_id → document: a mapping as it is (no document read before it is asked for), a list indexed."""
    return documents if isinstance(documents, Mapping) else {d.doc_id: d for d in documents}


def document_name(c: Citation, documents: Mapping[str, BudgetDocument] | None = None) -> str:
    """Whose budget: department · year and kind (武汉…管理办公室 · 2024 年部门预算), read from the
    parsed document; its title when the document does not say."""
    doc = (documents or {}).get(c.doc_id)
    if doc is None or not doc.department:
        return c.document
    when = f"{doc.year} 年" if doc.year else ""
    kind = doc.kind or (f"部门{doc.doc_type}" if doc.doc_type else "")
    return " · ".join(p for p in (doc.department, f"{when}{kind}") if p)


def citation_line(c: Citation, documents: Mapping[str, BudgetDocument] | None = None) -> str:
    """One readable line: whose budget · table/section · row · column · value (page). The
    file and line stay in the tooltip (and in the JSON)."""
    parts = [f"《{md_escape(document_name(c, documents))}》", md_escape(c.section)]
    if c.table is not None:
        if c.row:
            parts.append(f"行：{md_escape(c.row)}")
        if c.column:
            parts.append(f"列：{md_escape(c.column)}")
        if c.value is not None:
            parts.append(f"**{md_escape(format_figure(c.value, c.unit))}**")
    else:
        parts.append(f"“{md_escape(c.text)}”")
    where = place(c.location)
    line = " · ".join(p for p in parts if p) + (f"（{md_escape(where)}）" if where else "")
    return f'<span class="bqa-cite" title="{esc(c.location)}">{line}</span>'


def answer_markdown(answer: Answer, seconds: float | None = None,
                    documents: Documents = ()) -> str:
    """The chat message for an answer: figure with unit, the sentence, the formula once,
    the reason when the sentence does not already say it, citations."""
    cited = by_id(documents)
    sentence, formula = split_formula(answer)
    blocks: list[str] = []
    if answer.kind in ("lookup", "computed") and answer.value is not None:
        blocks.append(f"### {md_escape(format_figure(answer.value, answer.unit))}")
    if several_departments(answer.figures):  # a table, not a run-on sentence of every budget
        blocks.append(f"**{md_escape(answer.figures[0].label)}**：已载入的各份预算分别为（可在问题中写明部门或年度）")
    else:
        blocks.append(md_escape(sentence))
    if len(answer.figures) > 1:
        blocks.append(figures_markdown(answer.figures))
    if formula:
        blocks.append("计算：`" + formula.replace("`", "'") + "`")
    if answer.kind == "not_found" and answer.reason and answer.reason not in answer.answer:
        blocks.append(f"原因：{md_escape(answer.reason)}")
    if answer.citations:
        lines = [f"{i}. {citation_line(c, cited)}" for i, c in enumerate(answer.citations, 1)]
        blocks.append("**来源**\n\n" + "\n".join(lines))
    if seconds is not None:
        blocks.append(f"_用时 {seconds * 1000:.0f} ms_")
    return "\n\n".join(blocks)


def figures_markdown(figures: Sequence[Figure]) -> str:
    """An answer's figures as a compact table: 部门 | 年度 | 数额 | 来源 for several budgets,
    项目 | 数额 | 来源 for the parts of a whole."""
    if all(f.role == "part" for f in figures):
        lines = ["| 项目 | 数额 | 来源 |", "|---|---:|---|"]
        rows = [[f.label, format_figure(f.value, f.unit), f.source] for f in figures]
        return "\n".join(lines + ["| " + " | ".join(md_escape(c) for c in cells) + " |" for cells in rows])
    one = len({f.budget.department for f in figures}) == 1  # one department's years: its name is said above
    lines = ["| 年度 | 数额 | 来源 |", "|---|---:|---|"] if one else ["| 部门 | 年度 | 数额 | 来源 |", "|---|---|---:|---|"]
    for f in figures:
        year = f"{f.budget.year} 年" if f.budget.year else "—"
        cells = [year + f.budget.kind, format_figure(f.value, f.unit), f.source] if one else \
            [f.budget.department, year + f.budget.kind, format_figure(f.value, f.unit), f.source]
        lines.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    return "\n".join(lines)



MARKS = {"error": "错误", "warning": "注意", "ok": "完成", "info": "提示"}


def mark(kind: str) -> str:
    """A status mark as text (【错误】), not an emoji a machine without an emoji font shows as
    an empty box; the page styles `.bqa-mark` by its kind."""
    word = MARKS.get(kind, MARKS["info"])
    return f'<span class="bqa-mark bqa-mark-{kind if kind in MARKS else "info"}">【{word}】</span>'


def findings_markdown(findings: Iterable[Finding]) -> str:
    """The integrity findings of a document, one line each with where to look."""
    findings = list(findings)
    if not findings:
        return "完整性检查：未发现问题。"
    lines = [f"完整性检查：{len(findings)} 条发现"]
    for f in findings:
        lines.append(f"- {mark(f.severity)}{md_escape(f.message)}（{md_escape(f.location)}）")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------
# Tables → HTML
# --------------------------------------------------------------------------------------

def esc(text: object) -> str:
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
    keep: set[int] = set()
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


def table_html(table: Table, hit_rows: Iterable[str] = (), hit_cells: Iterable[tuple[str, str]] = (),
               caption: str | None = None, window: bool = True, caption_title: str | None = None) -> str:
    """A parsed table as HTML: grouped column headers, hierarchy indented by level, cited
    rows (by row id) and cells ((row id, "col / path")) highlighted."""
    rows_hit, cells_hit = set(hit_rows), set(hit_cells)
    out = [f'<table class="bqa-table" style="{TABLE_STYLE}">']
    if caption:
        tip = f' title="{esc(caption_title)}"' if caption_title else ""
        out.append(f'<caption style="text-align:left;font-weight:600;padding:4px 0"{tip}>{esc(caption)}</caption>')
    out.append("<thead>")
    for line in header_rows(table.columns):
        out.append("<tr>" + "".join(
            f'<th colspan="{cs}" rowspan="{rs}" style="{HEAD_STYLE}">{esc(text)}</th>' for text, cs, rs in line
        ) + "</tr>")
    out.append("</thead><tbody>")
    ncols = max(len(table.columns), 1)
    rows = visible_rows(table.rows, rows_hit) if window else list(table.rows)
    for row in rows:
        if row is None:
            out.append(f'<tr><td colspan="{ncols}" style="{CELL_STYLE};text-align:center;color:#888">…</td></tr>')
            continue
        out.append(row_html(row, row.id in rows_hit, cells_hit))
    if not table.rows:
        out.append(f'<tr><td colspan="{ncols}" style="{CELL_STYLE};color:#888">（本表无数据）</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def row_html(row: Row, hit: bool, hit_cells: set[tuple[str, str]]) -> str:
    """One table row; cells show the document's own text, the label indented by level."""
    label_at = label_column(row)
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


def label_column(row: Row) -> int | None:
    """The index of the cell that holds the row's label, if any."""
    for i, c in enumerate(row.cells):
        if c.raw and c.raw == row.label:
            return i
    return None


def browse_html(doc: BudgetDocument | None, key: str | None) -> str:
    """A table as parsed: unit, location, column paths, then all rows with indentation."""
    table = doc.table(key) if doc and key else None
    if table is None:
        return "<p>请选择文档和表格。</p>"
    cols = "".join(f"<li><code>{esc(column_name(c))}</code></li>" for c in table.columns)
    notes = "".join(f"<li>{esc(n)}</li>" for n in table.notes)
    meta = (f"<p><b>{esc(table.display_title)}</b> · 单位：{esc(table.unit or '—')} · "
            f"{len(table.rows)} 行 · 类型：{esc(table.kind)} · {esc(where(table.location))}</p>"
            f"<details><summary>列路径（{len(table.columns)}）</summary><ol>{cols}</ol></details>")
    if notes:
        meta += f"<details><summary>注</summary><ul>{notes}</ul></details>"
    return meta + table_html(table, window=False)


# --------------------------------------------------------------------------------------
# Answer → its sources as HTML
# --------------------------------------------------------------------------------------

def source_html(answer: Answer, documents: Documents) -> str:
    """The cited source tables with the cited rows/cells highlighted; prose citations as
    quoted passages with their section path."""
    if not answer.citations:
        return ""
    cited = by_id(documents)
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
            parts.append(passage_html(item, cited))
        elif tables < MAX_SOURCE_TABLES:
            tables += 1
            parts.append(cited_table_html(cited.get(item[0]), item[1], groups[item]))
    return '<div class="bqa-sources">' + "".join(parts) + "</div>"


def passage_html(c: Citation, documents: Mapping[str, BudgetDocument] | None = None) -> str:
    where = place(c.location)
    return (f'<div class="bqa-passage" style="margin:6px 0">'
            f'<div style="color:#555;font-size:13px" title="{esc(c.location)}">《{esc(document_name(c, documents))}》 › '
            f'{esc(c.section)}{f"（{esc(where)}）" if where else ""}</div>'
            f'<blockquote style="border-left:4px solid #f57f17;margin:4px 0;padding:4px 10px;background:#fffbe6">'
            f'{esc(c.text)}</blockquote></div>')


def cited_table_html(doc: BudgetDocument | None, key: str, cites: list[Citation]) -> str:
    """One cited table with its cited rows and cells highlighted; a form or an unknown
    document falls back to quoting the citations."""
    table = doc.table(key) if doc else None
    if doc is None or table is None:
        return "".join(passage_html(c, {doc.doc_id: doc} if doc else None) for c in cites)
    rows, cells = set(), set()
    for c in cites:
        row = cited_row(table, c)
        if row is not None:
            rows.add(row.id)
            if c.column:
                cells.add((row.id, c.column))
    unit = f"（单位：{table.unit}）" if table.unit else ""
    where = place(str(table.location))
    name = document_name(cites[0], {doc.doc_id: doc})
    caption = f"《{name}》 {table.display_title}{unit}" + (f" — {where}" if where else "")
    return table_html(table, rows, cells, caption=caption, caption_title=str(table.location))


def cited_row(table: Table, c: Citation) -> Row | None:
    """The row a citation names: by row id, else by its label (with or without code)."""
    if c.row_id:
        row = table.row_by_id(c.row_id)
        if row is not None:
            return row
    for r in table.rows:
        if c.row in (r.label, f"{r.code} {r.label}" if r.code else r.label):
            return r
    return None
