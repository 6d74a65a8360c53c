"""Blocks (text lines and raw grids, any format) → one `BudgetDocument`.

Reads the text around each grid for its id (附表7, 公开09表, 表9), title and unit; keeps a
stack of headings for section paths; rejoins paragraphs broken by page breaks; sends
form-like tables (申报表) to the form parser and the rest to the table builder.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from .blocks import Block, RawCell, RawTable, TextLine
from . import schema
from .checks import run_checks
from .continued import merge_continued_tables
from .forms import is_form_title, is_subtable_marker, parse_form
from .identity import Identity, guess_messages, identify
from .model import BudgetDocument, Finding, KeyValueRecord, Location, Paragraph, Section, Table
from .numbers import parse_unit_line
from .tables import TableContext, build_tables
from .titles import inferred_titles, numbered_title, title_in_frame
from .text import (
    HAN,
    LIST_NUMBER,
    clean_label,
    join_paragraph_lines,
    normalize_text,
)

_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
_HEADINGS = [
    (re.compile(r"^[一二三四五六七八九十]+[、.．]"), 1),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), 2),
    (re.compile(r"^\d{1,2}[、.．](?!\d)"), 3),
]
_SENTENCE_END = "。！？；：:;!?…"
_CN_NUMBER = "一二三四五六七八九十"
_ENDS_TABLE = re.compile(r"表(?:[（(][^（）()]{1,12}[）)])?$")  # "财政拨款支出预算表（功能科目）"
_TABLE_ID = re.compile(
    r"^(?P<id>附表\s*\d+(?:[-－]\d+)?|公开\s*\d+\s*表|表\s*\d+(?:[-－]\d+)?|[" + HAN + r"]{1,4}\d{1,2}表"
    r"|公开表\s*[" + _CN_NUMBER + r"]{1,3}|表[" + _CN_NUMBER + r"]{1,3})"
    r"(?:\s+(?P<rest>.+))?$"
)
# Words a heading or table title ends with: a short line ending so after a heading's first
# line finishes it ("第三部分 江苏省高级人民法院 2018" / "年度预算情况说明").
_HEADING_END = re.compile(r"(说明|情况|概况|解释|预算表|决算表|总表|支出表|收入表)$")
_META = re.compile(r"^(部门/单位|部门（单位）|部门\(单位\)|编制(部门|单位)|填报日期|申报日期|预算单位)\s*[:：]?")
_EMPTY_NOTE = re.compile(r"(此表|本表)(为|是)?空表|本表无数据|此表无数据")
_NOTE = re.compile(r"^(备注|注)\s*[:：]")
_TITLE = re.compile(
    r"^(?P<dept>.*?)\s*(?P<year>(?:19|20)\d{2})\s*年度?\s*(?:[区市省县]级)?\s*(?P<scope>部门|单位)?\s*(?P<type>预算|决算)"
    r"|^(?P<year2>(?:19|20)\d{2})\s*年度?\s*(?P<dept2>.+?)(?:部门|单位)?(?P<type2>预算|决算)"
)
# The Shanghai 项目经费情况说明: one unnumbered title per project, then 一、项目概述 … 六、年度预算安排.
_PROJECT_TITLE = re.compile(r"[^，。；：:,;、\d]{0,36}经费情况说明")
_TOC_ENTRY = re.compile(r"([.…·]{3,}|\s)\d{1,3}$")
_TOC = re.compile(r"^目\s*录$")
_IDENTITY_LINES = 400  # identity is read from the first lines (cover, captions, first headings)

def table_kind(title: str) -> str:
    """What a table is for, from its title, so questions can prefer the designed table
    (“三公” questions → the 三公 table) whatever the template calls it. The table types
    themselves are the canonical schema's (corpus.schema)."""
    return schema.table_kind(title)


@dataclass
class _Pending:
    """Context gathered from lines above the next grid."""

    id: str | None = None
    title: str | None = None
    unit: str | None = None
    lines: list[TextLine] = field(default_factory=list)
    continues_form: str | None = None  # a form block (年度绩效目标表) cut off by a page break


@dataclass
class _State:
    source: str
    sections: list[Section] = field(default_factory=list)
    stack: list[tuple[int, str]] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    records: list[KeyValueRecord] = field(default_factory=list)
    para_text: str = ""
    para_loc: Location | None = None
    pending: _Pending = field(default_factory=_Pending)
    title_line: str | None = None
    first_lines: list[str] = field(default_factory=list)  # the cover, captions and contents: who and when
    toc_page: int | None = None
    last_form: tuple[str, str] | None = None  # (table id, title) of the last form table
    last_form_raw: RawTable | None = None
    last_form_ctx: TableContext | None = None
    in_toc: bool = False
    toc_lines: set[str] = field(default_factory=set)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self.stack)


def assemble(blocks: list[Block], source_path: Path, data: bytes | None = None, sources: tuple[str, ...] = ()) -> BudgetDocument:
    state = _State(source=source_path.name)
    for block in merge_continued_tables(join_wrapped_headings(blocks)):
        if isinstance(block, RawTable):
            _on_table(state, block)
        else:
            _on_line(state, block)
    _flush_paragraph(state)
    return _document(state, source_path, data, sources)


def join_wrapped_headings(blocks: list[Block]) -> list[Block]:
    """A heading or numbered line cut by the page width continues on the next line: join
    them before anything reads the line ("九、…培训费支出预算情" + "况说明"). The cut is seen
    by the reader (`TextLine.wrapped`), or, for a centred heading, by a short next line that
    ends like a heading. A joined list item that ends a sentence is narrative as before."""
    out: list[Block] = []
    for block in blocks:
        prev = out[-1] if out else None
        if isinstance(block, TextLine) and isinstance(prev, TextLine) and _continues_heading(prev, block):
            out[-1] = TextLine(join_paragraph_lines(prev.text.strip(), block.text.strip()), prev.location, block.wrapped)
            continue
        out.append(block)
    return out


def _continues_heading(line: TextLine, nxt: TextLine) -> bool:
    text, more = normalize_text(line.text).strip(), normalize_text(nxt.text).strip()
    if not text or not more or text[-1] in _SENTENCE_END:
        return False
    if line.location.page != nxt.location.page and not (line.wrapped and re.search(r"[，。；：]", more)):
        # a line cut at the page's foot runs on to the next page as running text; a page
        # that opens with a title line ("…主要职能") starts something new
        return False
    if not (_PART.match(text) or any(p.match(text) for p, _ in _HEADINGS)):
        return False
    compact = more.replace(" ", "")
    if _is_line_start(more) or parse_unit_line(compact) or _META.match(compact) or _TABLE_ID.match(more):
        return False
    if line.wrapped:
        return True
    # a heading that already ends like one ("一、说明") is whole; the next line is its text
    return not _HEADING_END.search(text.replace(" ", "")) and len(compact) <= 12 \
        and bool(_HEADING_END.search(text.replace(" ", "") + compact)) and not re.search(r"[，。；：:、]", compact)


def _is_line_start(text: str) -> bool:
    """A line that starts something of its own: a heading, part or list number."""
    return bool(_PART.match(text) or LIST_NUMBER.match(text) or any(p.match(text) for p, _ in _HEADINGS))


def _on_line(state: _State, line: TextLine) -> None:
    text = normalize_text(line.text).strip()
    if not text:
        return
    if len(state.first_lines) < _IDENTITY_LINES:
        state.first_lines.append(text)
    if _skip_toc(state, line, text):
        return
    if state.title_line is None and _on_cover(line) and _TITLE.match(text.replace(" ", "")):
        state.title_line = text  # the cover title is not narrative
        return
    if _EMPTY_NOTE.search(text) and state.tables and not state.para_text:
        _mark_last_empty(state, text)
        return
    if _NOTE.match(text) and state.tables and not state.para_text:
        last = state.tables[-1]
        state.tables[-1] = replace(last, notes=last.notes + (text,))
        return
    if _PART.match(text) and len(text) <= 80:
        _flush_paragraph(state)
        state.pending = _Pending()
        _push_heading(state, 0, _heading_text(text), line.location)
        return
    if state.last_form and is_subtable_marker(text):
        state.pending = _Pending(continues_form=text)
        return
    if _table_context_line(state, line, text):
        return
    heading = _heading_level(text)
    if heading is None and _PROJECT_TITLE.fullmatch(text.replace(" ", "")):
        heading = 0  # a project's own 说明 ("商业创新专项（政策资金）经费情况说明") holds its 一、…七、
    if heading is None and _toc_heading(state, text):
        heading = 1
    if heading is not None:
        _release_pending(state)
        _flush_paragraph(state)
        _push_heading(state, heading, _heading_text(text), line.location)
        return
    _add_paragraph_line(state, text, line.location)


def _on_cover(line: TextLine) -> bool:
    """Titles come from the cover: the first pages of a PDF, the first lines of a text."""
    loc = line.location
    return (loc.page is None or loc.page <= 3) and (loc.line is None or loc.line <= 40 or loc.page is not None)


def _skip_toc(state: _State, line: TextLine, text: str) -> bool:
    """Skip a table of contents: it starts at 目录 and ends when a heading seen in it
    comes round again."""
    if _TOC.match(text.replace(" ", "")):
        state.in_toc, state.toc_page = True, line.location.page
        return True
    if state.in_toc:
        key = re.sub(r"^[-•·]\s*", "", text).replace(" ", "")
        key = re.sub(r"[.…·\s]*\d*$", "", key)  # dotted leaders and page numbers
        if line.location.page is not None and line.location.page != state.toc_page and not _TOC_ENTRY.search(text):
            if not _continues_toc(state, key):
                state.in_toc = False  # a contents page without 第X部分 headings ends with its page
                return False
            state.toc_page = line.location.page
        if key in state.toc_lines and _PART.match(key):
            state.in_toc = False
            return False
        state.toc_lines.add(key)
        return True
    return False


def _continues_toc(state: _State, key: str) -> bool:
    """A contents list runs on to the next page when that page opens with a numbered entry
    the list has not had yet (a repeat is the body's first heading)."""
    numbered = bool(LIST_NUMBER.match(key)) and _heading_level(key) is not None
    return numbered and key not in state.toc_lines and not re.search(r"[，。；]", key)


def _toc_heading(state: _State, text: str) -> bool:
    """An unnumbered heading that the table of contents lists under a number: the contents'
    "二、部门机构设置" printed over its page as "上海市…办事处（部门）机构设置", "四、单位预算
    编制说明" as "2025年单位预算编制说明". The line must end with the entry's words (without
    their 部门/单位 prefix) and be no sentence."""
    compact = re.sub(r"[（(][^（）()]{1,6}[）)]", "", text.replace(" ", ""))
    if len(compact) > 40 or re.search(r"[，。；：:,;]", compact):
        return False
    for entry in state.toc_lines:
        key = LIST_NUMBER.sub("", entry, count=1)
        if key == entry or _PART.match(key):
            continue  # only numbered entries name a section; 第X部分 lines are read as parts
        words = re.sub(r"^(部门|单位)", "", key)
        if len(words) >= 2 and compact.endswith(words):
            return True
    return False


def _table_context_line(state: _State, line: TextLine, text: str) -> bool:
    """Id, title, unit and department lines belong to the next grid, not the narrative."""
    pending = state.pending
    compact = text.replace(" ", "")
    m = _TABLE_ID.match(text)
    if m and len(text) <= 60:
        _flush_paragraph(state)
        # the title printed above the id ("收支预算总表" over "公开表一") stays the title
        above = pending.title if pending.lines and not pending.id else None
        state.pending = _Pending(id=re.sub(r"\s+", "", m.group("id")), title=m.group("rest") or above)
        _absorb_inline_unit(state.pending)
        return True
    numbered = numbered_title(compact)
    if numbered:
        _flush_paragraph(state)
        title = clean_label(LIST_NUMBER.sub("", text, count=1))
        state.pending = _Pending(id=f"表{numbered[0]}", title=title, lines=[line])
        return True
    unit = parse_unit_line(compact)
    if unit and len(compact) <= 30:
        pending.unit = unit
        return True
    if _META.match(compact) and len(compact) <= 80:
        return True
    if pending.id and not pending.title and len(text) <= 60 and text[-1] not in _SENTENCE_END:
        pending.title = clean_label(text)
        return True
    if not pending.id and len(compact) <= 60 and (_ENDS_TABLE.search(compact) or is_form_title(compact)) \
            and compact[-1] not in _SENTENCE_END and not _heading_level(text):
        _flush_paragraph(state)
        state.pending = _Pending(title=clean_label(text), lines=[line])
        return True
    return False


def _absorb_inline_unit(pending: _Pending) -> None:
    """`附表5 一般公共预算支出表 单位：万元` on one line."""
    if pending.title:
        unit = parse_unit_line(pending.title.replace(" ", ""))
        if unit:
            pending.unit = unit
            pending.title = re.split(r"\s*(?:金额)?单位\s*[:：]", pending.title)[0].strip() or None


def _heading_level(text: str) -> int | None:
    """一、 / （一） / 1. headings are short and are not sentences; a numbered line with a
    comma or a figure in it is a list item that happens to be cut by a page break."""
    if len(text) > 40 or text[-1] in "。；;，,":
        return None
    for pattern, level in _HEADINGS:
        if pattern.match(text):
            if level == 3 and (len(text) > 30 or re.search(r"[，。；：:]|\d+\.\d", text[2:])):
                return None
            if level < 3 and re.search(r"[，。；]", text):
                return None
            return level
    return None


def _heading_text(text: str) -> str:
    """Headings keep their single spaces (`第三部分 武汉… 2024 年部门预算情况说明`)."""
    return re.sub(r"\s+", " ", text).strip()


def _push_heading(state: _State, level: int, text: str, location: Location) -> None:
    while state.stack and state.stack[-1][0] >= level:
        state.stack.pop()
    state.stack.append((level, text))
    state.sections.append(Section(state.path, location))


def _release_pending(state: _State) -> None:
    """A line taken for a table title that no table followed is narrative after all."""
    held, state.pending.lines = state.pending.lines, []
    if held and (not state.pending.id or numbered_title(held[0].text.replace(" ", ""))):
        state.pending.id = state.pending.title = None
        for line in held:
            _flush_paragraph(state)
            level = _heading_level(normalize_text(line.text).strip())
            if level is not None:  # a numbered title that no table followed is a heading
                _push_heading(state, level, _heading_text(line.text), line.location)
            else:
                state.para_text, state.para_loc = line.text.strip(), line.location


def _add_paragraph_line(state: _State, text: str, location: Location) -> None:
    """Lines that do not end a sentence continue into the next line (page breaks and PDF
    wrapping cut `行` / `政编制 18 人`)."""
    _release_pending(state)
    if state.para_text and state.para_text[-1] not in _SENTENCE_END and not LIST_NUMBER.match(text):
        state.para_text = join_paragraph_lines(state.para_text, text)
        return
    _flush_paragraph(state)
    state.para_text, state.para_loc = text, location


def _flush_paragraph(state: _State) -> None:
    if state.para_text and state.para_loc is not None:
        state.paragraphs.append(Paragraph(state.path, state.para_text, state.para_loc))
    state.para_text, state.para_loc = "", None


def _on_table(state: _State, raw: RawTable) -> None:
    _flush_paragraph(state)
    state.in_toc = False
    pending = state.pending
    if pending.continues_form and state.last_form_raw is not None and state.last_form_ctx is not None:
        _continue_form(state, raw, pending.continues_form, state.last_form_raw, state.last_form_ctx)
        return
    title = clean_label(pending.title or raw.title or "")
    framed = None if title else title_in_frame(raw)
    if framed is not None:
        title, raw = framed
    table_id = pending.id
    if table_id is None and state.last_form and is_form_title(title) and _same_title(title, state.last_form[1]):
        table_id = state.last_form[0]  # the next project's form under the same 附表
    if table_id is None and not title and state.last_form and not state.pending.unit:
        table_id, title = state.last_form  # a form continued after a page break
    if table_id is None:
        table_id = f"表{len({t.id for t in state.tables}) + 1}"
    unit = pending.unit or raw.unit
    ctx = TableContext(id=table_id, title=title, unit=unit, section=state.path, kind=table_kind(title))
    if is_form_title(title):
        state.records.extend(parse_form(raw, ctx, start=len([r for r in state.records if r.table_id == table_id])))
        state.last_form, state.last_form_raw, state.last_form_ctx = (table_id, title), raw, ctx
    else:
        state.tables.extend(build_tables(raw, ctx))
        state.last_form = state.last_form_raw = None
    state.pending = _Pending()


def _continue_form(state: _State, raw: RawTable, marker: str, last: RawTable, ctx: TableContext) -> None:
    """Re-read the last form (`last`, read in `ctx`) with the continued block appended under
    its marker line."""
    width = max(len(last.rows[0]), len(raw.rows[0]))
    pad = lambda rows: [r + [RawCell("")] * (width - len(r)) for r in rows]
    marker_row = [RawCell(marker)] + [RawCell("")] * (width - 1)
    merged = RawTable(pad(last.rows) + [marker_row] + pad(raw.rows), last.location)
    record = state.records.pop()
    start = int(record.id.rsplit(":", 1)[1]) - 1
    state.records.extend(parse_form(merged, ctx, start=start))
    state.last_form_raw = merged
    state.pending = _Pending()


def _same_title(a: str, b: str) -> bool:
    norm = lambda s: re.sub(r"[()（）\s]", "", s)
    return norm(a) == norm(b)


def _mark_last_empty(state: _State, text: str) -> None:
    last = state.tables[-1]
    has_values = any(c.value is not None for r in last.rows for c in r.cells)
    if has_values:  # a stray "故本表为空表" under a table that is not empty: keep as a note
        state.tables[-1] = replace(last, notes=last.notes + (text,))
        return
    for i in range(len(state.tables) - 1, -1, -1):
        if state.tables[i].id == last.id:
            state.tables[i] = replace(state.tables[i], empty=True, notes=state.tables[i].notes + (text,))


def _document(state: _State, source_path: Path, data: bytes | None, sources: tuple[str, ...]) -> BudgetDocument:
    headings = [text for s in state.sections for text in s.path[-1:]]
    ident = identify(state.first_lines, headings, source_path.stem)
    if data is None:
        data = source_path.read_bytes() if source_path.exists() else b""
    tables, inferred = inferred_titles(state.tables, ident.phase)
    return BudgetDocument(
        doc_id=source_path.stem,
        title=ident.title() or state.title_line or source_path.stem,
        department=ident.department,
        year=ident.year,
        doc_type=ident.phase,
        source=str(source_path),
        sha256=hashlib.sha256(data).hexdigest(),
        sections=tuple(state.sections),
        tables=tables,
        paragraphs=tuple(state.paragraphs),
        records=tuple(state.records),
        findings=tuple(_identity_findings(ident, source_path)) + tuple(inferred) + tuple(run_checks(tables)),
        sources=sources or (source_path.name,),
        kind=ident.kind.value if ident.kind else None,
        level=ident.level,
        region=ident.region,
    )


def _identity_findings(ident: Identity, source_path: Path) -> list[Finding]:
    """What the content did not say: guessed from the file name, or not known at all."""
    where = Location(source_path.name)
    out = [Finding("identity", "warning", m, where) for m in guess_messages(ident, source_path.name)]
    missing = [word for word, value in (("部门名称", ident.department), ("年度", ident.year),
                                        ("预算/决算", ident.kind)) if value is None]
    if missing:
        out.append(Finding("identity", "warning", f"没有读到{'、'.join(missing)}：问题按部门或年度选文件时不会选到这份文件", where))
    return out
