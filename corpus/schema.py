"""The canonical budget schema: what a table is and what each of its columns measures,
modelled once from the national publication standards (`corpus/standards/*.json`), so
every template's printed titles and headers map to the same keys.

A table title maps to a table type (收支总表, 一般公共预算基本支出表, 三公 …) and a phase
(预算 or 决算); a column maps to measures: phase (预算 / 决算 / 年初预算 / 调整预算 / 上年),
fund scope (一般公共预算 / 政府性基金 / 国有资本经营 / 财政拨款 / 全部资金) and spending type
(基本 / 人员 / 公用 / 项目). Facts carry these keys; questions are linked to the same keys.
The printed labels stay on the facts for citations.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from .model import Finding, Table

STANDARDS = Path(__file__).resolve().parent / "standards"

PHASES = ("预算", "决算", "年初预算", "调整预算", "上年")
FUND_SCOPES = ("一般公共预算", "政府性基金", "国有资本经营", "财政拨款", "全部资金")
SPENDING_TYPES = ("基本", "人员", "公用", "项目")
UNKNOWN = "other"


@dataclass(frozen=True)
class TableType:
    type: str
    kind: str          # the coarse group the answer ranking prefers (Fact.table_kind)
    budget: str        # the standard name of the 预算 table
    final: str         # the standard name of the 决算 table
    patterns: tuple[re.Pattern[str], ...]
    fund_scope: str
    spending: str


@dataclass(frozen=True)
class Measures:
    """What one column of one table measures."""

    table_type: str
    phase: str
    fund_scope: str
    spending: str


@lru_cache(maxsize=1)
def table_types() -> tuple[TableType, ...]:
    data = json.loads((STANDARDS / "table_types.json").read_text(encoding="utf-8"))
    return tuple(TableType(t["type"], t["kind"], t["budget"], t["final"],
                           tuple(re.compile(p) for p in t["patterns"]), t["fund_scope"], t["spending"])
                 for t in data["types"])


@lru_cache(maxsize=1)
def _measure_patterns() -> dict[str, tuple[tuple[str, re.Pattern[str]], ...]]:
    data = json.loads((STANDARDS / "measures.json").read_text(encoding="utf-8"))
    return {key: tuple((name, re.compile(p)) for name, p in data[key]) for key in ("phase", "fund_scope", "spending")}


def _plain(title: str) -> str:
    """A title without its number, year and quotes: `十一、2017年…“三公”经费…` → `…三公经费…`."""
    return re.sub(r"[\s“”\"'‘’]", "", title)


def table_type(title: str) -> TableType | None:
    """The standard table type a printed title names, or None."""
    plain = _plain(title)
    for t in table_types():
        if any(p.search(plain) for p in t.patterns):
            return t
    return None


def table_kind(title: str) -> str:
    """The ranking group of a table (三公 questions → the 三公 table), `other` when unknown."""
    t = table_type(title)
    return t.kind if t else UNKNOWN


def table_phase(title: str, doc_type: str | None = None) -> str:
    """决算 when the table or its document is a 决算, else 预算."""
    return "决算" if "决算" in title or (doc_type or "").endswith("决算") else "预算"


def _first(key: str, text: str) -> str:
    for name, pattern in _measure_patterns()[key]:
        if pattern.search(text):
            return name
    return ""


# 预算 inside these names is a fund or an organisation, not the budget figure.
_NOT_PHASE = re.compile(r"一般公共预算|政府性基金预算|国有资本经营预算|社会保险基金预算|预算单位|预算编码|预算级次")


def said_phase(text: str) -> str:
    """The phase a text names: 调整预算 / 年初预算 / 决算 / 上年, or 预算 for a plain 预算
    (not the 预算 of 一般公共预算), or "" when it names none."""
    plain = _NOT_PHASE.sub("", text)
    return _first("phase", plain) or ("预算" if "预算" in plain else "")


def column_phase(column: str, table_phase_: str, doc_year: int | None) -> str:
    """The phase of a column: what its header says, else its table's. In a 决算 table a plain
    预算数 is the 年初预算 (the standard 决算 tables print 预算数 beside 决算数); a year other
    than the document's is the previous year's figure."""
    said = said_phase(column)
    years = [int(y) for y in re.findall(r"((?:19|20)\d{2})\s*年", column)]
    if said not in ("", "预算"):
        return said
    if doc_year and years and all(y < doc_year for y in years):
        return "上年"
    if said == "预算" and table_phase_ == "决算":
        return "年初预算"
    return table_phase_


def measures(title: str, column: str, doc_type: str | None = None, doc_year: int | None = None) -> Measures:
    """The canonical keys of one column of a table titled `title`; the column's own words
    (一般公共预算 / 基本支出 / 决算数) win over the table's, and the title's own fund words over
    its type's usual fund (一般公共预算“三公”经费…支出预算表 is of the 一般公共预算, though a
    “三公” table is usually of all 财政拨款)."""
    t = table_type(title)
    phase = column_phase(column, table_phase(title, doc_type), doc_year)
    fund = _first("fund_scope", column) or _first("fund_scope", _plain(title)) or (t.fund_scope if t else "")
    spending = _first("spending", column) or (t.spending if t else "")
    return Measures(t.type if t else "", phase, fund, spending)


# The three budgets are disjoint: a column of one in a table of another is misread.
_BUDGETS = ("一般公共预算", "政府性基金", "国有资本经营")


def schema_findings(table: Table) -> Iterator[Finding]:
    """A table the schema cannot place: its figures keep their printed labels but carry no
    canonical table type, so questions cannot be linked to it by type. A figure column of a
    placed table that names another budget than its table's cannot be given a fund scope."""
    t = table_type(table.title)
    title = table.display_title or table.id
    if t is None:
        yield Finding("schema_table_type", "warning",
                      f"{title}：表名无法对应到标准预算/决算表类型，该表数字只能按原表标签引用",
                      table.location, table.key)
        return
    for i, column in enumerate(table.columns):
        said = _first("fund_scope", " / ".join(column))
        numeric = any(r.cells[i].value is not None for r in table.rows if i < len(r.cells))
        if numeric and t.fund_scope in _BUDGETS and said in _BUDGETS and said != t.fund_scope:
            yield Finding("schema_column", "warning",
                          f"{title}：列“{' / '.join(column)}”属于{said}，与表类型（{t.fund_scope}）不符，"
                          "无法确定其资金范围", table.location, table.key, column=column)


def narrative_phase(subject: str, unit: str | None, document_phase: str) -> str:
    """The phase of a figure in a sentence: what its clause says (年初预算为 … / 支出决算为 …),
    else its document's. A share (完成年初预算的 97.97%) is a rate of both: no phase."""
    if unit == "%":
        return ""
    said = said_phase(subject)
    if said == "预算" and document_phase == "决算":
        return "年初预算"  # 涉及预算金额 in a 决算: the budgeted amount
    return said or document_phase


def narrative_fund_scope(section: str, subject: str) -> str:
    """The funds a sentence's figure is of: what its clause says, else its heading
    (五、一般公共预算财政拨款支出决算情况说明 → 一般公共预算)."""
    return _first("fund_scope", subject) or _first("fund_scope", section.split(" > ")[-1] if section else "") \
        or _first("fund_scope", section)
