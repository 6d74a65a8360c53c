"""The typed model of a budget document: what every later stage reads.

Everything here is a frozen dataclass. Money is `Decimal`, never float; a cell that is
empty in the document has `value is None` ("no value"), which is different from 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ColumnPath = tuple[str, ...]


@dataclass(frozen=True)
class Location:
    """Where something came from: a file plus a line (text), page (PDF) or sheet (XLSX)."""

    source: str
    line: int | None = None
    page: int | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        parts = [self.source]
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet}")
        if self.page is not None:
            parts.append(f"p.{self.page}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts) if len(parts) > 1 else self.source


@dataclass(frozen=True)
class Cell:
    """One table cell: the raw text as printed, and its parsed value when it is a number."""

    raw: str
    value: Decimal | None
    unit: str | None
    column: ColumnPath

    @property
    def is_number(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Row:
    """A data row. `code` is the 科目编码 (or unit/project code) when the row has one."""

    id: str
    index: int
    label: str
    code: str | None
    level: int | None
    parent: str | None
    cells: tuple[Cell, ...]
    location: Location
    is_total: bool = False

    def cell(self, *column: str) -> Cell | None:
        """The cell whose column path equals `column`, or ends with it."""
        wanted = tuple(column)
        for c in self.cells:
            if c.column == wanted:
                return c
        for c in self.cells:
            if c.column[-len(wanted):] == wanted:
                return c
        return None

    def value(self, *column: str) -> Decimal | None:
        c = self.cell(*column)
        return c.value if c else None


@dataclass(frozen=True)
class Table:
    """A table as the document prints it. Two-sided tables (收入 | 支出) become two Tables
    that share `id` and differ in `part`."""

    id: str
    title: str
    unit: str | None
    columns: tuple[ColumnPath, ...]
    rows: tuple[Row, ...]
    location: Location
    section: tuple[str, ...] = ()
    part: str | None = None
    empty: bool = False
    notes: tuple[str, ...] = ()
    kind: str = "other"

    @property
    def key(self) -> str:
        """Unique within a document: the id, plus the half for two-sided tables."""
        return f"{self.id}/{self.part}" if self.part else self.id

    @property
    def display_title(self) -> str:
        half = f"（{self.part}）" if self.part else ""
        gap = "" if self.title.startswith("（") else " "  # an inferred title: 表6（推断：…）
        return f"{self.id}{gap}{self.title}{half}".strip()

    def row(self, label_or_code: str) -> Row | None:
        for r in self.rows:
            if r.code == label_or_code:
                return r
        for r in self.rows:
            if r.label == label_or_code:
                return r
        return None

    def row_by_id(self, row_id: str) -> Row | None:
        for r in self.rows:
            if r.id == row_id:
                return r
        return None

    def children(self, row: Row) -> list[Row]:
        return [r for r in self.rows if r.parent == row.id]


@dataclass(frozen=True)
class Paragraph:
    """A narrative paragraph with the heading path it sits under."""

    section: tuple[str, ...]
    text: str
    location: Location


@dataclass(frozen=True)
class Section:
    """A heading, with the full path of headings above it."""

    path: tuple[str, ...]
    location: Location

    @property
    def title(self) -> str:
        return self.path[-1]


@dataclass(frozen=True)
class Field:
    """One key-value pair of a form-like table (项目负责人: 张亮)."""

    key: str
    raw: str
    value: Decimal | None = None
    unit: str | None = None


@dataclass(frozen=True)
class KeyValueRecord:
    """A project or department form (绩效目标申报表, 项目申报表) as fields plus sub-tables."""

    id: str
    table_id: str
    title: str
    fields: tuple[Field, ...]
    subtables: tuple[tuple[str, tuple[tuple[Field, ...], ...]], ...]
    unit: str | None
    location: Location
    form: str = ""  # the form's printed title (…部门项目申报表(含绩效目标))

    def get(self, key: str) -> str | None:
        for f in self.fields:
            if f.key == key:
                return f.raw
        return None

    def field(self, key: str) -> Field | None:
        for f in self.fields:
            if f.key == key:
                return f
        return None

    def subtable(self, name: str) -> tuple[tuple[Field, ...], ...]:
        for title, rows in self.subtables:
            if title == name:
                return rows
        return ()


@dataclass(frozen=True)
class Finding:
    """An integrity-check result. Findings are data, not exceptions: a document with a
    broken sum still loads, and the finding says where to look."""

    check: str
    severity: str
    message: str
    location: Location
    table: str | None = None
    row: str | None = None
    column: ColumnPath | None = None
    expected: Decimal | None = None
    actual: Decimal | None = None


@dataclass(frozen=True)
class BudgetDocument:
    """One parsed file. Who and when (`corpus.identity`): `department`, `year`, `kind`
    (部门预算 / 单位预算 / 部门决算 / 单位决算), `level` (省级 / 市级 / 区级 / 县级) and `region`
    (江苏省, 上海市普陀区); `doc_type` is the phase of the kind (预算 / 决算)."""

    doc_id: str
    title: str
    department: str | None
    year: int | None
    doc_type: str | None
    source: str
    sha256: str
    sections: tuple[Section, ...] = ()
    tables: tuple[Table, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()
    records: tuple[KeyValueRecord, ...] = ()
    findings: tuple[Finding, ...] = ()
    sources: tuple[str, ...] = field(default=())
    kind: str | None = None
    level: str | None = None
    region: str | None = None

    @property
    def publication(self) -> str:
        """The logical budget this file belongs to: a department's narrative file and its
        tables file (same department, year and kind) are one publication."""
        return publication_key(self.department, self.year, self.kind, self.doc_id)

    def table(self, key: str) -> Table | None:
        """A table by key (`附表7`, `附表1/支出`) or, failing that, by id alone (first half)."""
        for t in self.tables:
            if t.key == key:
                return t
        for t in self.tables:
            if t.id == key:
                return t
        return None

    def record(self, title: str) -> KeyValueRecord | None:
        for r in self.records:
            if r.title == title:
                return r
        return None


def publication_key(department: str | None, year: int | None, kind: str | None, doc_id: str) -> str:
    """`江苏省政协办公厅|2018|部门预算`; a file whose identity is not fully known is its own."""
    if department and year and kind:
        return f"{department}|{year}|{kind}"
    return doc_id
