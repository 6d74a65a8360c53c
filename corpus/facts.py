"""Facts: every figure a `BudgetDocument` prints, with where it came from.

One fact per numeric table cell, per field of a project form, per number in a narrative
sentence (with what it is about and the year it compares to), and one per empty table.
Pure extraction from the document model; the SQLite store that keeps them is
`index.factstore`, and qa answers from them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Iterator

from .model import BudgetDocument, Row, Table
from .schema import (
    measures,
    table_phase,
    table_type,
)


class FactKind(StrEnum):
    """What a fact was read from. A StrEnum: `fact.kind == "cell"` keeps working."""

    CELL = "cell"
    NARRATIVE = "narrative"
    FIELD = "field"
    EMPTY_TABLE = "empty_table"


@dataclass(frozen=True)
class Fact:
    """One figure and its provenance. `value` is None for an empty table or a form field
    that holds text."""

    doc_id: str
    kind: FactKind
    value: Decimal | None
    unit: str | None
    raw: str
    table_id: str = ""
    table_key: str = ""
    table_title: str = ""
    table_kind: str = ""
    # Canonical keys (corpus.schema): the standard table type, and the column's measures.
    table_type: str = ""
    phase: str = ""       # 预算 / 决算 / 年初预算 / 调整预算 / 上年
    fund_scope: str = ""  # 一般公共预算 / 政府性基金 / 国有资本经营 / 财政拨款 / 全部资金
    spending: str = ""    # 基本 / 人员 / 公用 / 项目
    code: str = ""
    row_id: str = ""
    row_label: str = ""
    row_path: str = ""
    row_level: int = 0
    is_total: bool = False
    column: str = ""
    col_index: int = 0
    context: str = ""  # other names of the same row/sentence, "|"-separated (text cells, the counted noun)
    subject: str = ""
    parent_subject: str = ""
    topic: str = ""
    compare_year: int = 0
    change: str = ""
    section: str = ""
    # The stock date a narrative figure is stated at ("截至2022年12月31日" → 2022-12-31, "年底"
    # → 12-31, "截至2024年8月" → 2024-08): 车辆, 固定资产 are counted on a day, not for the year.
    as_of: str = ""
    text: str = ""
    location: str = ""
    node_id: str = ""
    id: int = 0


@dataclass(frozen=True)
class DocumentInfo:
    """A document as the fact store lists it: who and when (`corpus.identity`), and the
    publication it belongs to (a narrative file and a tables file of one budget share it)."""

    doc_id: str
    title: str
    department: str
    year: int
    doc_type: str       # the phase: 预算 / 决算
    source: str
    sha256: str
    kind: str = ""      # 部门预算 / 单位预算 / 部门决算 / 单位决算
    level: str = ""     # 省级 / 市级 / 区级 / 县级
    region: str = ""    # 江苏省, 上海市普陀区
    publication: str = ""

    @classmethod
    def of(cls, doc: BudgetDocument) -> DocumentInfo:
        return cls(doc.doc_id, doc.title, doc.department or "", doc.year or 0, doc.doc_type or "", doc.source,
                   doc.sha256, doc.kind or "", doc.level or "", doc.region or "", doc.publication)


def document_facts(doc: BudgetDocument) -> list[Fact]:
    # prose, forms and lists build on the Fact model defined here: imported where used
    from .narrative import listed_count, paragraph_facts, record_facts

    out: list[Fact] = []
    for table in doc.tables:
        out.extend(table_facts(doc, table))
    for record in doc.records:
        out.extend(record_facts(doc, record))
    out.extend(paragraph_facts(doc))
    for table in doc.tables:
        out.extend(listed_count(doc, table))
    return out


def label_path(table: Table, row: Row) -> list[str]:
    """类 > 款 > 项: the row's label with its ancestors'."""
    path = []
    current: Row | None = row
    while current is not None:
        path.append(f"{current.code} {current.label}".strip() if current.code else current.label)
        current = table.row_by_id(current.parent) if current.parent else None
    return [p for p in reversed(path) if p]


def table_facts(doc: BudgetDocument, table: Table) -> Iterator[Fact]:
    base = Fact(doc_id=doc.doc_id, kind=FactKind.CELL, value=None, unit=None, raw="", table_id=table.id,
                table_key=table.key, table_title=table.display_title, table_kind=table.kind,
                section=" > ".join(table.section))
    kind = table_type(table.title)
    base = replace(base, table_type=kind.type if kind else "", phase=table_phase(table.title, doc.doc_type))
    if table.empty:
        yield replace(base, kind=FactKind.EMPTY_TABLE, unit=table.unit, raw="此表为空表",
                      text=f"{table.display_title}：此表为空表", location=str(table.location),
                      node_id=f"{doc.doc_id}::table::{table.key}")
        return
    for row in table.rows:
        path = label_path(table, row)
        display = "；".join(f"{' / '.join(c.column)} {c.raw}" for c in row.cells if c.raw)
        context = "|".join(re.sub(r"^\[[0-9A-Za-z]+\]", "", c.raw) for c in row.cells
                           if c.value is None and c.raw and c.raw not in (row.label, row.code))
        for index, cell in enumerate(row.cells):
            if cell.value is None:
                continue
            keys = measures(table.title, " / ".join(cell.column), doc.doc_type, doc.year)
            yield replace(
                base, table_type=keys.table_type, phase=keys.phase, fund_scope=keys.fund_scope,
                spending=keys.spending, value=cell.value, unit=cell.unit, raw=cell.raw, code=row.code or "", row_id=row.id,
                row_label=row.label, row_path=" > ".join(path), row_level=row.level or 0, is_total=row.is_total,
                column=" / ".join(cell.column), col_index=index, context=context, text=display,
                location=str(row.location), node_id=f"{doc.doc_id}::row::{row.id}",
            )
