"""Table titles where the template does not print them as a plain title line.

- A title numbered like a heading, with or without a year: "一、收支预算总表",
  "十一、2017年…“三公”经费…支出预算表". Without a year it must name a standard table
  type (corpus.schema), so a narrative heading ending in 表 is not taken for one.
- A title printed inside the grid's frame: a first row of one cell across the table
  ("财政项目支出绩效目标填报表", then "（2023年度）").
- No title at all (a tables-only file whose title is an image or a page header): the
  table type is inferred from what the standard tables print — their columns and the
  codes of their rows — and the table is titled with the standard name, marked as
  inferred: "表6（推断：一般公共预算基本支出预算表）". A `inferred_title` finding says so.
"""

from __future__ import annotations

import re
from dataclasses import replace

from . import schema
from .blocks import RawTable
from .grid import cell_text
from .model import Finding, Table

_CN_NUMBER = "一二三四五六七八九十"
_NUMBERED = re.compile(r"^(?P<number>[" + _CN_NUMBER + r"]{1,3})[、.．]\s*(?P<title>.+表(?:[（(][^（）()]{1,12}[）)])?)$")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年")
_TITLE_END = re.compile(r"表(?:[（(][^（）()]{1,12}[）)])?$")
_CAPTION = re.compile(r"^[（(][^（）()]{1,16}[）)]$")  # "（2023年度）" under a title
INFERRED = "推断："


def numbered_title(compact: str) -> tuple[str, str] | None:
    """(number, title) of a numbered title line, or None."""
    m = _NUMBERED.match(compact)
    if not m or len(compact) > 80 or re.search(r"[，。；：:]", compact):
        return None
    title = m.group("title")
    if _YEAR.search(title) or schema.table_type(title) is not None:
        return m.group("number"), title
    return None


def title_in_frame(raw: RawTable) -> tuple[str, RawTable] | None:
    """A title printed as the grid's first row (one cell across the table), with the
    caption rows under it; the title and the grid without those rows."""
    rows = raw.rows
    n, parts = 0, []
    while n < len(rows) and (text := _only_text(rows[n])) is not None:
        if n == 0 and not _TITLE_END.search(text):
            return None
        if n > 0 and not _CAPTION.match(text):
            break
        parts.append(text)
        n += 1
    if not parts or n >= len(rows):
        return None
    header = raw.header_rows - n if raw.header_rows is not None and raw.header_rows >= n else None
    rest = RawTable(rows[n:], raw.row_locations[n] if raw.row_locations else raw.location,
                    raw.row_locations[n:], header, raw.title, raw.unit)
    return "".join(parts), rest


def _only_text(row: list) -> str | None:
    texts = [cell_text(c) for c in row if cell_text(c)]
    return texts[0] if len(texts) == 1 and len(row) > 1 else None


_ECONOMIC = re.compile(r"^3\d{2}(\d{2})?$")
_FUNCTIONAL = re.compile(r"^2\d{2}(\d{2}){0,2}$")


def inferred_type(tables: list[Table]) -> schema.TableType | None:
    """The standard table type a grid without a title is, from its columns and row codes;
    None when the standard tables it could be are not told apart by those."""
    words = " ".join(part for t in tables for path in t.columns for part in path)
    codes = [r.code for t in tables for r in t.rows if r.code]
    if "公务接待" in words or "因公出国" in words:
        return _type("三公")
    if "机关运行经费" in words:
        return _type("机关运行经费")
    if "采购" in words:
        return _type("政府采购")
    economic = codes and sum(1 for c in codes if _ECONOMIC.match(c)) * 2 > len(codes)
    if economic:
        return _type("一般公共预算基本支出表" if "一般公共预算" in words else "财政拨款基本支出表")
    functional = codes and all(_FUNCTIONAL.match(c) for c in codes)
    if functional and "基本支出" in words and "项目支出" in words and "一般公共预算" in words:
        return _type("一般公共预算支出表")
    return None


def _type(name: str) -> schema.TableType | None:
    return next((t for t in schema.table_types() if t.type == name), None)


def inferred_titles(tables: list[Table], doc_type: str | None) -> tuple[tuple[Table, ...], list[Finding]]:
    """A document's tables, those printed without a title titled from their inferred type,
    in the same order; and the findings that say so."""
    findings: list[Finding] = []
    titled = {}
    for table_id in dict.fromkeys(t.id for t in tables):
        group, said = with_inferred_title([t for t in tables if t.id == table_id], doc_type)
        titled[table_id] = iter(group)
        findings += said
    return tuple(next(titled[t.id]) for t in tables), findings


def with_inferred_title(tables: list[Table], doc_type: str | None) -> tuple[list[Table], list[Finding]]:
    """Untitled tables titled from their inferred type, and the finding that says so."""
    if not tables or tables[0].title:
        return tables, []
    first = tables[0]
    t = inferred_type(tables)
    if t is None:
        return tables, [Finding("inferred_title", "warning",
                                f"{first.id}：没有印出表名，按表头和科目也无法确定是哪张标准表",
                                first.location, first.key)]
    name = t.final if (doc_type or "").endswith("决算") else t.budget
    title = f"（{INFERRED}{name}）"
    out = [replace(x, title=title, kind=t.kind) for x in tables]
    return out, [Finding("inferred_title", "warning",
                         f"{first.id}：没有印出表名，按表头和科目推断为{name}", first.location, first.key)]
