"""Raw grids → `Table`s: header rows, column paths, label and code columns, typed cells,
row hierarchy, and the split of two-sided (收入 | 支出) tables into two halves."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .blocks import RawCell, RawTable
from .grid import cell_text, drop_empty_columns
from .headers import column_paths, is_column_number_row
from .model import Cell, ColumnPath, Location, Row, Table
from .numbers import column_unit, parse_number
from .sidebyside import CODE_HEADER, PLACEHOLDERS, TOTAL_LABEL, block_totals, side_by_side

_NAME_HEADER = re.compile(r"(名称|项目|科目|单位)$")
_CODE_VALUE = re.compile(r"^\d{1,3}$|^\d{3}(\d{2}){1,3}$|^\[?\d{3,}\]?$|^[0-9A-Z]{8,}$")
_LABEL_LEVEL = [
    (re.compile(r"^[一二三四五六七八九十廿]+、"), 1),
    (re.compile(r"^[（(][一二三四五六七八九十]+[）)]"), 2),
    (re.compile(r"^\d+[.、．]"), 3),
]


@dataclass(frozen=True)
class TableContext:
    """What the text around a grid told us about it."""

    id: str
    title: str
    unit: str | None
    section: tuple[str, ...]
    kind: str


def split_header(raw: RawTable) -> tuple[list[list[RawCell | None]], list[int]]:
    """The header rows, and the indexes of the data rows (column-number rows dropped)."""
    rows = raw.rows
    if raw.header_rows is not None:
        n = raw.header_rows
    else:
        n = 0
        while n < len(rows) and not _is_data_row(rows[n]):
            n += 1  # nothing numeric at all leaves every row a header row: an empty table
    header = [r for r in rows[:n] if not is_column_number_row(r)]
    data = [i for i in range(n, len(rows)) if not is_column_number_row(rows[i])]
    return header, data


def _is_data_row(row: list[RawCell | None]) -> bool:
    if is_column_number_row(row):
        return False
    # Header cells can read 合计 too (a column name), so only a number marks data.
    return any(parse_number(cell_text(c)) is not None for c in row)


def build_tables(raw: RawTable, ctx: TableContext) -> list[Table]:
    rows = drop_empty_columns(raw.rows)
    raw = RawTable(rows, raw.location, raw.row_locations, raw.header_rows, raw.title, raw.unit)
    header, data_idx = split_header(raw)
    markers = [i for i in data_idx if _is_empty_marker(rows[i])]
    data_idx = [i for i in data_idx if i not in markers]
    if not rows:
        return [_table(ctx, (), (), raw.location, empty=True)]
    paths = column_paths(header) if header else [(f"列{c + 1}",) for c in range(len(rows[0]))]
    paths = [p or (f"列{c + 1}",) for c, p in enumerate(paths)]
    grid = [rows[i] for i in data_idx]
    parts = side_by_side(paths, grid)
    locations = raw.row_locations or [raw.location] * len(rows)
    shared = iter(block_totals([(cols, grid) for part in parts for cols in part.blocks]))
    tables = []
    for part in parts:
        data: list[tuple[list[RawCell | None], Location]] = []
        labels: list[str] = []
        for cols, inherited in zip(part.blocks, shared):  # a list in newspaper columns: block after block
            data += [([rows[i][c] for c in cols], locations[i]) for i in data_idx]
            labels += [inherited.get(n, "") for n in range(len(data_idx))]
        built = _build_rows(ctx, part.name, list(part.paths), data, labels)
        table = _table(ctx, part.paths, built, raw.location, part=part.name)
        if markers and not any(c.value is not None for r in built for c in r.cells):
            # "此表为空表" printed inside the grid (a bordered cell) rather than under it
            table = replace(table, empty=True, rows=(), notes=("此表为空表",))
        tables.append(table)
    return tables


def _is_empty_marker(row: list[RawCell | None]) -> bool:
    texts = [cell_text(c) for c in row if cell_text(c)]
    return len(texts) == 1 and bool(re.search(r"(此表|本表)(为|是)?空表|本表无数据", texts[0]))


def _table(ctx, columns, rows, location, part=None, empty=False) -> Table:
    return Table(
        id=ctx.id, title=ctx.title, unit=ctx.unit, columns=tuple(columns), rows=tuple(rows),
        location=location, section=ctx.section, part=part, empty=empty, kind=ctx.kind,
    )


def _column_roles(paths: list[ColumnPath], data: list[list[RawCell | None]]) -> tuple[list[int], int | None, set[int]]:
    """(code columns, label column, text columns). A column is text when any of its data
    cells is non-numeric text, or its header names a code; codes are never numbers."""
    code_cols = [c for c, p in enumerate(paths) if CODE_HEADER.search(p[-1])]
    text_cols = set(code_cols)
    for c in range(len(paths)):
        values = [cell_text(r[c]) for r in data if cell_text(r[c]) and cell_text(r[c]) not in PLACEHOLDERS]
        words = [v for v in values if parse_number(v) is None and not TOTAL_LABEL.search(v)]
        # Mostly text → a text column. A numeric column with a stray typo stays numeric, so
        # the typo is reported (checks.unparsed_number) instead of silently blanking the column.
        if values and len(words) * 2 > len(values):
            text_cols.add(c)
    label_col = next((c for c, p in enumerate(paths) if c not in code_cols and _NAME_HEADER.search(p[-1]) and c in text_cols), None)
    if label_col is None:
        label_col = next((c for c in sorted(text_cols) if c not in code_cols), None)
    if not code_cols and label_col is not None:
        # An unnamed first column holding codes (e.g. "201" before "一般公共服务支出").
        first = [cell_text(r[0]) for r in data if cell_text(r[0])]
        if label_col > 0 and first and all(_CODE_VALUE.match(v) for v in first):
            code_cols = [0]
            text_cols.add(0)
    return code_cols, label_col, text_cols


# A label-tier outline: the total a group's own row may print beside its name (一般公共预算资金 | 小计),
# and the id suffix of a group row split off its first line's row (see `_build_rows`).
_GROUP_TOTALS = ("小计", "合计")
_GROUP = ":group"


def _build_rows(ctx: TableContext, part: str | None, paths: list[ColumnPath],
                data: list[tuple[list[RawCell | None], Location]], row_labels: list[str] | None = None) -> list[Row]:
    grid = [cells for cells, _ in data]
    code_cols, label_col, text_cols = _column_roles(paths, grid)
    key = f"{ctx.id}/{part}" if part else ctx.id
    units = [column_unit(p[-1]) or ctx.unit for p in paths]
    rows: list[Row] = []
    stack: list[Row] = []
    heads = _group_heads([cell_text(cells[label_col]) if label_col is not None else "" for cells, _ in data])
    inherited = {i: label for i, label in enumerate(row_labels or []) if label}
    label_cols, tiers = _label_tiers(paths, grid, code_cols, text_cols, label_col)
    for index, (cells, location) in enumerate(data):
        code = _join_code([cell_text(cells[c]) for c in code_cols])
        label = cell_text(cells[label_col]) if label_col is not None else ""
        if not label and code and not code.isdigit() and not _CODE_VALUE.match(code):
            label, code = code, ""  # "合计" printed in the code column
        if not any(cell_text(c) for c in cells):
            continue  # a blank line inside the grid
        if not label and not code and label_col is not None and _all_blank(cells, text_cols) and not rows:
            label = "合计"  # the unlabelled first row of 附表10-style tables is the total
        if not label and not code and not any(cell_text(cells[c]) for c in range(len(cells)) if c not in text_cols):
            continue
        depth: int | None = None
        level: int | None
        if tiers and not code:
            found = _leftmost(cells, label_cols)
            if found:
                # (the last label column is an attribute of the line — 采购方式 — never a level under it)
                named = [(c, cell_text(cells[c])) for c in tiers
                         if c >= found[0] and c != label_cols[-1] and cell_text(cells[c]) not in ("", *_GROUP_TOTALS)]
                if len(named) >= 2:
                    # "省政协专项会议 | 会议费 | 758.49": a group named on its first line's row — the
                    # group is a row of its own (no figures), the figures are the line's (会议费),
                    # and the group's next lines ("| 培训费") sit under it beside this one
                    group_depth = tiers.index(named[0][0]) + 1
                    above = next((r for r in reversed(stack) if (r.level or 0) < group_depth), None)
                    group = Row(id=f"{key}:{index + 1}{_GROUP}", index=index, label=named[0][1], code=None,
                                level=group_depth, parent=above.id if above else None,
                                cells=tuple(_cell(None, paths[c], c in text_cols, units[c]) for c in range(len(paths))),
                                location=location)
                    rows.append(group)
                    while stack and (stack[-1].level or 0) >= group_depth:
                        stack.pop()
                    stack.append(group)
                    found = named[-1]
                depth, label = tiers.index(found[0]) + 1, found[1]
                if found[0] == label_cols[-1] and rows and rows[-1].level \
                        and rows[-1].cells[found[0]].raw not in ("", *_GROUP_TOTALS):
                    depth = rows[-1].level  # "| 分散自行组织 | 40.00": the line above's item, bought another way
        if not label and not code:
            label = inherited.get(index, "")
        typed = tuple(_cell(cells[c], paths[c], c in text_cols, units[c]) for c in range(len(paths)))
        is_total = bool(TOTAL_LABEL.search(label.replace(" ", ""))) and not code
        if depth is not None and not is_total:
            # label columns as levels (大类 > 专项名称 > 采购物品名称): the column a row's label sits in
            parent = next((r for r in reversed(stack) if (r.level or 0) < depth), None)
            level = depth
        else:
            level, parent = (0, None) if index in heads else _place(code, label, is_total, stack)
        row = Row(id=f"{key}:{index + 1}", index=index, label=label, code=code or None,
                  level=level, parent=parent.id if parent else None, cells=typed,
                  location=location, is_total=is_total)
        rows.append(row)
        if not is_total:
            while stack and (stack[-1].level or 0) >= (level or 0):
                stack.pop()
            stack.append(row)
    return _single_line_groups(rows)


def _single_line_groups(rows: list[Row]) -> list[Row]:
    """A group named on its line's row (see `_build_rows`) with that one line under it prints
    the line's figures as its own: "信息网络建设维护费 | 维修（护）费 | 274.00" is the 专项's 274.00."""
    lines: dict[str, list[Row]] = {}
    for r in rows:
        if r.parent and r.parent.endswith(_GROUP):
            lines.setdefault(r.parent, []).append(r)
    return [replace(r, cells=lines[r.id][0].cells) if r.id.endswith(_GROUP) and len(lines.get(r.id, ())) == 1
            else r for r in rows]


def _leftmost(cells: list[RawCell | None], cols: list[int]) -> tuple[int, str] | None:
    return next(((c, cell_text(cells[c])) for c in cols if cell_text(cells[c])), None)


def _label_tiers(paths, grid, code_cols, text_cols, label_col) -> tuple[list[int], list[int]]:
    """Label columns before the first figure, and those that hold some row's leftmost label.
    Two or more such tiers mean the columns are levels of one hierarchy (公开02表:
    一般公共预算资金 | 小计, then blank | 公共财政拨款（补助）资金); one tier means an ordinary label column."""
    numeric = [c for c in range(len(paths)) if c not in text_cols]
    end = numeric[0] if numeric else len(paths)
    cols = [c for c in sorted(text_cols) if c not in code_cols and c < end]
    if label_col is None or label_col not in cols:
        return cols, []
    tiers = sorted({found[0] for r in grid if (found := _leftmost(r, cols))
                    and found[1] not in _GROUP_TOTALS})
    # An outline puts each row's label in the column of its level; a row may carry attributes
    # to the right (省政协专项会议 | 会议费, then 住宿服务 alone under it). Rows whose labels all
    # start in one column are a flat table, whatever else they print.
    return cols, tiers if len(tiers) >= 2 else []


def _label_level(label: str) -> int | None:
    return next((lvl for pattern, lvl in _LABEL_LEVEL if pattern.match(label)), None)


def _group_heads(labels: list[str]) -> set[int]:
    """An unnumbered line followed by 一、 lines heads them (附表4: 本年支出 > 一、一般公共服务支出 …)."""
    return {
        i for i in range(len(labels) - 1)
        if labels[i] and _label_level(labels[i]) is None and not TOTAL_LABEL.search(labels[i])
        and _label_level(labels[i + 1]) == 1
    }


def _all_blank(cells: list[RawCell | None], cols: set[int]) -> bool:
    return all(not cell_text(cells[c]) for c in cols)


def _join_code(parts: list[str]) -> str:
    """类/款/项 in separate cells: `201` `01` `02` → `2010102`; unpadded `2` → `02`."""
    parts = [p.strip("[]") for p in parts if p]
    if len(parts) <= 1:
        return parts[0] if parts else ""
    head, rest = parts[0], [p.zfill(2) if p.isdigit() and len(p) < 2 else p for p in parts[1:]]
    return head + "".join(rest)


def _cell(raw: RawCell | None, path: ColumnPath, is_text: bool, unit: str | None) -> Cell:
    text = cell_text(raw)
    value = None if is_text else parse_number(text)
    return Cell(raw=text, value=value, unit=unit if value is not None else None, column=path)


def _place(code: str, label: str, is_total: bool, stack: list[Row]) -> tuple[int | None, Row | None]:
    """Level and parent: by 科目编码 prefix when there is a code, by label numbering
    (一、 > （一） > 1.) otherwise. Total rows sit above everything."""
    if is_total:
        return 0, None
    if code and code.isdigit():
        for candidate in reversed(stack):
            if candidate.code and candidate.code.isdigit() and code.startswith(candidate.code) and code != candidate.code:
                return (candidate.level or 0) + 1, candidate
        return 1, None
    level = _label_level(label)
    if level is None:
        return 1, None
    for candidate in reversed(stack):
        if candidate.code is None and (candidate.level or 0) < level:
            return level, candidate
    return level, None
