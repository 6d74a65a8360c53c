"""Integrity checks: totals add up, and the same figure agrees across tables.

Findings are recorded, never raised. A difference within rounding (0.01 per addend) is a
warning; anything larger is an error.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Iterable, Iterator

from .model import ColumnPath, Finding, Row, Table
from .schema import schema_findings
from .tables import PLACEHOLDERS
from .text import strip_list_number

_SUBJECT_CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")
_TOTAL_NAME = re.compile(r"(合计|总计)$")
_SUBTOTAL_NAME = re.compile(r"^小计$")
_OF_WHICH = re.compile(r"^其中")
CENT = Decimal("0.01")


def run_checks(tables: Iterable[Table]) -> list[Finding]:
    tables = list(tables)
    findings: list[Finding] = []
    for table in tables:
        findings.extend(schema_findings(table))
        if table.empty:
            continue
        findings.extend(check_children_sum(table))
        findings.extend(check_total_rows(table))
        findings.extend(check_column_sums(table))
        findings.extend(check_unparsed_numbers(table))
    findings.extend(check_cross_tables(tables))
    return findings


def check_unparsed_numbers(table: Table) -> Iterator[Finding]:
    """A cell in a numeric column that is not a number (`22.6l`): kept as raw text, reported."""
    for i in _numeric_columns(table):
        for row in table.rows:
            cell = row.cells[i]
            if cell.value is None and cell.raw and cell.raw not in PLACEHOLDERS and not _TOTAL_NAME.search(cell.raw):
                yield Finding("unparsed_number", "error",
                              f"{_where(table, row, table.columns[i])}：“{cell.raw}”不是数字，已按文字保留",
                              row.location, table.key, row.id, table.columns[i])


def _finding(check: str, table: Table, row: Row, column: ColumnPath, expected: Decimal,
             actual: Decimal, what: str, addends: int) -> Finding:
    diff = abs(expected - actual)
    severity = "warning" if diff <= CENT * max(addends, 1) else "error"
    message = f"{_where(table, row, column)}：印的是 {actual}，{what}为 {expected}"
    return Finding(check, severity, message, row.location, table.key, row.id, column, expected, actual)


def _where(table: Table, row: Row, column: ColumnPath) -> str:
    """Where a finding is, as staff read it (the messages are shown on the staff tab)."""
    return f"{table.display_title}，行“{f'{row.code} ' if row.code else ''}{row.label}”，列“{' / '.join(column)}”"


def _numeric_columns(table: Table) -> list[int]:
    return [i for i in range(len(table.columns)) if any(r.cells[i].value is not None for r in table.rows)]


def _value(row: Row, i: int) -> Decimal:
    value = row.cells[i].value
    return value if value is not None else Decimal(0)


def _subtotal(table: Table, row: Row, i: int) -> Decimal:
    """A row's printed figure; a group that prints none (a 专项 over several 政府采购 lines) counts
    as the sum of its rows."""
    printed = row.cells[i].value
    if printed is not None:
        return printed
    return sum((_subtotal(table, c, i) for c in table.children(row)), Decimal(0))


def _is_subject_coded(table: Table) -> bool:
    codes = [r.code for r in table.rows if r.code]
    return bool(codes) and all(_SUBJECT_CODE.match(c) for c in codes)


def check_children_sum(table: Table) -> Iterator[Finding]:
    """类 = Σ款 = Σ项 (by 科目编码), and numbered labels (本年收入 = Σ(一)…)."""
    if any(r.code for r in table.rows) and not _is_subject_coded(table):
        return  # project or unit codes: their nesting is not a sum we can trust
    for row in table.rows:
        children = table.children(row)
        if not children:
            continue
        for i in _numeric_columns(table):
            printed = row.cells[i].value
            if printed is None or all(c.cells[i].value is None for c in children):
                continue
            expected = sum((_subtotal(table, c, i) for c in children), Decimal(0))
            if expected != printed:
                yield _finding("children_sum", table, row, table.columns[i], expected,
                               printed, "其下级科目之和", len(children))


def check_total_rows(table: Table) -> Iterator[Finding]:
    """A 合计 row equals the sum of the top-level rows it closes (or opens, when printed
    first); a later 总计 includes the previous total."""
    if any(r.code for r in table.rows) and not _is_subject_coded(table):
        return
    rows = list(table.rows)
    totals = [k for k, r in enumerate(rows) if r.is_total]
    for n, k in enumerate(totals):
        if k == 0:
            end = totals[n + 1] if n + 1 < len(totals) else len(rows)
            parts = [r for r in rows[1:end] if r.level == 1]
        else:
            start = totals[n - 1] if n > 0 else -1
            parts = [r for r in rows[start + 1:k] if r.level == 1]
            if start >= 0 and not _sibling_totals(rows[start].label, rows[k].label):
                parts.append(rows[start])
        if not parts:
            continue
        for i in _numeric_columns(table):
            total = rows[k].cells[i].value
            if total is None or all(p.cells[i].value is None for p in parts):
                continue
            expected = sum((_value(p, i) for p in parts), Decimal(0))
            if expected != total:
                yield _finding("total_row", table, rows[k], table.columns[i], expected, total,
                               "它所合计的各行之和", len(parts))


def _sibling_totals(first: str, later: str) -> bool:
    """人员经费合计 then 公用经费合计: two lists stacked in one table, each closed by its own
    合计; the later one does not include the earlier (a 收入总计 after 本年收入合计 does)."""
    a, b = (re.sub(r"\s", "", x) for x in (first, later))
    if not (a.endswith("合计") and b.endswith("合计")):
        return False
    a, b = a[:-2], b[:-2]
    return bool(a) and bool(b) and a not in b and b not in a


def check_column_sums(table: Table) -> Iterator[Finding]:
    """Within a row: 合计 = Σ its sibling columns (基本支出 + 项目支出), 小计 = Σ the
    columns beside it under the same heading (人员经费 + 公用经费). “其中” columns are
    parts of another column, never addends."""
    numeric = set(_numeric_columns(table))
    for total_col, addend_cols in _column_groups(table.columns, numeric):
        for row in table.rows:
            total = row.cells[total_col].value
            if total is None or all(row.cells[c].value is None for c in addend_cols):
                continue
            expected = sum((_value(row, c) for c in addend_cols), Decimal(0))
            if expected != total:
                names = " + ".join(table.columns[c][-1] for c in addend_cols)
                yield _finding("column_sum", table, row, table.columns[total_col], expected, total,
                               f"{names} 之和", len(addend_cols))


def _column_groups(columns: tuple[ColumnPath, ...], numeric: set[int]) -> list[tuple[int, list[int]]]:
    """(total column, the columns that add up to it) for every heading level."""
    groups = []
    prefixes = {p[:d] for p in columns for d in range(len(p))}
    for prefix in prefixes:
        depth = len(prefix)
        members = [i for i, p in enumerate(columns) if len(p) > depth and p[:depth] == prefix]
        heads: dict[str, list[int]] = {}
        for i in members:
            heads.setdefault(columns[i][depth], []).append(i)
        total = next((cols[0] for name, cols in heads.items() if len(cols) == 1
                      and (_TOTAL_NAME.search(name) or _SUBTOTAL_NAME.match(name))
                      and len(columns[cols[0]]) == depth + 1), None)
        if total is None or total not in numeric:
            continue
        addends = []
        for name, cols in heads.items():
            if cols == [total] or _OF_WHICH.match(name):
                continue
            addends.extend(_group_value_columns(columns, cols, depth + 1))
        addends = [c for c in addends if c in numeric]
        if addends:
            groups.append((total, addends))
    return sorted(groups)


def _group_value_columns(columns: tuple[ColumnPath, ...], cols: list[int], depth: int) -> list[int]:
    """The column(s) that carry a heading's value: itself, its 小计, or all its leaves."""
    if len(cols) == 1:
        return cols
    subtotal = [i for i in cols if len(columns[i]) > depth and
                (_SUBTOTAL_NAME.match(columns[i][depth]) or _TOTAL_NAME.search(columns[i][depth]))]
    if subtotal:
        return subtotal[:1]
    return [i for i in cols if not any(_OF_WHICH.match(part) for part in columns[i][depth:])]


def _plain_label(label: str) -> str:
    return strip_list_number(label).replace(" ", "")


def check_cross_tables(tables: list[Table]) -> Iterator[Finding]:
    """The same figure printed in two tables agrees: 收支总表 支出 lines vs 支出总表 类 rows
    (both all funds), and 一般公共预算支出表 基本支出 vs 基本支出表 合计."""
    by_kind: dict[str, list[Table]] = {}
    for t in tables:
        by_kind.setdefault(t.kind, []).append(t)
    for summary in by_kind.get("收支总表", []):
        if summary.part is None or "支出" not in summary.part:
            continue
        for detail in by_kind.get("支出总表", []):
            yield from _compare_labels(summary, detail)


def _compare_labels(summary: Table, detail: Table) -> Iterator[Finding]:
    if not summary.rows or not detail.rows:
        return
    total_col = next((i for i, p in enumerate(detail.columns) if p and _TOTAL_NAME.search(p[0]) and len(p) == 1), None)
    value_col = next((i for i, c in enumerate(summary.rows[0].cells) if c.column and c.column[-1] in ("预算数", "金额", "决算数")), None)
    if total_col is None or value_col is None:
        return
    detail_rows = {_plain_label(r.label): r for r in detail.rows if r.level in (1, None) and not r.is_total}
    for row in summary.rows:
        if row.is_total:
            continue
        other = detail_rows.get(_plain_label(row.label))
        mine = row.cells[value_col].value
        theirs = other.cells[total_col].value if other else None
        if other is None or mine is None or theirs is None or mine == theirs:
            continue
        diff = abs(mine - theirs)
        yield Finding(
            "cross_table", "warning" if diff <= CENT else "error",
            f"“{row.label}”在{summary.display_title}中为 {mine}，在{detail.display_title}中为 {theirs}",
            row.location, summary.key, row.id, summary.columns[value_col], theirs, mine,
        )
