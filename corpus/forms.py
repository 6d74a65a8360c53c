"""Form-like tables (绩效目标申报表, 项目申报表) → `KeyValueRecord`s.

A form row holds key/value pairs side by side (`项目负责人 | 张亮 | 联系电话 | 027-…`);
named blocks (项目支出明细测算, 项目当年资金来源 …) hold small tables of their own.
"""

from __future__ import annotations

import re

from .blocks import RawCell, RawTable
from .grid import Grid
from .headers import column_paths
from .model import Field, KeyValueRecord
from .numbers import parse_number, parse_quantity
from .tables import TableContext
from .text import clean_label

_FORM_TITLE = re.compile(r"申报表|绩效目标表|绩效目标申报|绩效目标填报表|项目表（含绩效目标）")

SUBTABLES = (
    "项目当年资金来源", "项目资金来源", "项目支出明细测算", "项目采购", "项目绩效总目标",
    "长期绩效目标表", "年度绩效目标表", "部门总体资金情况", "项目支出情况", "整体绩效总目标",
    "项目绩效目标",
)
# A header row that opens the indicator block (一级指标 | 二级指标 | 三级指标 | 指标值) before
# the block's own name is printed in its first data row.
_INDICATOR_HEAD = "一级指标"
_INDICATORS = "绩效指标"
KEYS = {
    "项目名称", "项目编码", "项目编号", "项目主管部门", "项目执行单位", "项目负责人", "联系电话",
    "单位地址", "邮政编码", "项目属性", "支出项目类别", "起始年度", "终止年度", "项目申请理由",
    "项目立项依据", "项目主要内容", "项目实施方案", "项目总预算", "项目当年预算",
    "项目前两年预算及当年预算变动情况", "部门名称", "填报人", "部门职能概述", "年度工作任务",
    "年度", "工作任务",
    # 财政项目支出绩效目标填报表 (Shanghai): several projects in one grid, each opened by 项目名称
    "项目性质", "项目类别", "主管部门", "实施单位", "计划开始日期", "计划完成日期",
}
_IDENTIFIERS = ("项目编码", "项目编号", "联系电话", "邮政编码", "起始年度", "终止年度", "计划开始日期", "计划完成日期")
_GROUP_UNIT = re.compile(r"[（(](万元|元)[)）]$")
_TAG = re.compile(r"<[^>]+>")


def is_form_title(title: str) -> bool:
    return bool(_FORM_TITLE.search(title))


def is_subtable_marker(text: str) -> bool:
    return clean_label(text) in SUBTABLES


def parse_form(raw: RawTable, ctx: TableContext, start: int = 0) -> list[KeyValueRecord]:
    """A grid is one form (one project), or several stacked, each opened by its 项目名称 row."""
    records: list[KeyValueRecord] = []
    block: list[list[RawCell | None]] = []
    named = False  # whether the block has had its 项目名称 row
    for row in raw.rows:
        cells = _texts(row)
        opens = bool(cells) and cells[0][1] == "项目名称"
        if opens and named:
            records.append(_one_form(block, raw, ctx, start + len(records)))
            block = []
        named = named or opens
        block.append(row)
    records.append(_one_form(block, raw, ctx, start + len(records)))
    return records


def _one_form(rows: list[list[RawCell | None]], raw: RawTable, ctx: TableContext, index: int) -> KeyValueRecord:
    # 项目资金（元）: a form with no unit line says its unit on the label of its money rows
    said = next((m.group(1) for r in rows for _, t in _texts(r)[:1] if (m := _GROUP_UNIT.search(t))), None)
    unit = ctx.unit or said
    fields: list[Field] = []
    subtables: list[tuple[str, list[tuple[Field, ...]]]] = []
    header: list[tuple[int, str]] | None = None
    header_grid: Grid = []
    for row in rows:
        cells = _texts(row)
        if not cells:
            continue
        first = cells[0][1]
        if first in SUBTABLES or first == _INDICATOR_HEAD:
            name = _INDICATORS if first == _INDICATOR_HEAD else first
            subtables.append((name, []))
            header = cells if first == _INDICATOR_HEAD else cells[1:] or None
            header_grid = [row if first == _INDICATOR_HEAD else _blank_first(row, cells[0][0])] if header else []
            continue
        if subtables and first not in KEYS:
            cells = [c for c in cells if c[1] != subtables[-1][0]]  # 绩效指标 | 产出指标 | …: the block's name
            if not cells:
                continue
            if header is None:
                header, header_grid = cells, [row]
            elif not subtables[-1][1] and not any(parse_number(t) is not None for _, t in cells) \
                    and len(header_grid) < 3 and all(c > header[0][0] for c, _ in cells):
                # a second header row (近两年收支金额 > 2023 年 | 2022 年)
                header_grid.append(row)
                header = _header_paths(header_grid)
            else:
                subtables[-1][1].append(_subtable_row(header, cells, unit))
            continue
        if subtables:
            header = None
        fields.extend(_pairs(cells, unit))
    title = next((f.raw for f in fields if f.key in ("项目名称", "部门名称")), ctx.title)
    return KeyValueRecord(
        id=f"{ctx.id}:{index + 1}",
        table_id=ctx.id,
        title=title,
        fields=tuple(fields),
        subtables=tuple((name, tuple(rows)) for name, rows in subtables),
        unit=unit,
        location=raw.location,
        form=ctx.title,
    )


def _blank_first(row: list[RawCell | None], col: int) -> list[RawCell | None]:
    """The marker row without its marker, as a header row."""
    return [RawCell("") if i == col else c for i, c in enumerate(row)]


def _header_paths(grid: Grid) -> list[tuple[int, str]]:
    """Column paths of a block's multi-row header, as (column, "parent / child")."""
    width = max(len(r) for r in grid)
    rows = [[RawCell(_TAG.sub(" ", c.text)) if c is not None else RawCell("") for c in r]
            + [RawCell("")] * (width - len(r)) for r in grid]
    last = max(i for r in rows for i, c in enumerate(r) if c.text.strip())  # spans stop at the last named column
    return [(c, " / ".join(p)) for c, p in enumerate(column_paths(rows)) if p and c <= last]


def _texts(row: list[RawCell | None]) -> list[tuple[int, str]]:
    out = []
    for c, cell in enumerate(row):
        if cell is None:
            continue
        text = clean_label(_TAG.sub(" ", cell.text))
        if text:
            out.append((c, text))
    return out


def _pairs(cells: list[tuple[int, str]], unit: str | None) -> list[Field]:
    """`key value key value …`; a known key takes the next cell as its value even when
    the row has an odd number of cells."""
    fields = []
    i = 0
    if len(cells) % 2 == 1 and len(cells) >= 3 and parse_quantity(cells[1][1])[0] is None \
            and parse_quantity(cells[2][1])[0] is not None:
        cells = cells[1:]  # 项目资金（元） | 项目资金总额 | 4,100,000.00 | …: a group label over the pairs
    while i < len(cells):
        key = cells[i][1]
        value = cells[i + 1][1] if i + 1 < len(cells) else ""
        if i + 1 < len(cells) and cells[i + 1][1] in KEYS and key in KEYS:
            value = ""  # a key with no value, followed by the next key
            i += 1
        else:
            i += 2
        fields.append(_field(key, value, unit))
    return fields


def _field(key: str, raw: str, unit: str | None) -> Field:
    value, printed_unit = parse_quantity(raw)
    if value is None:
        return Field(key, raw)
    if key in _IDENTIFIERS:
        return Field(key, raw)  # identifiers and years, not amounts
    return Field(key, raw, value, printed_unit or unit)


def _subtable_row(header: list[tuple[int, str]], cells: list[tuple[int, str]], unit: str | None) -> tuple[Field, ...]:
    """Cells to header names: by column when the header knows every column of the row, by
    order when the counts match, else by nearest column."""
    by_column = dict(header)
    numbers = [i for i, (_, t) in enumerate(cells) if parse_quantity(t)[0] is not None]
    trailing = bool(numbers) and numbers == list(range(len(cells) - len(numbers), len(cells)))
    if len(header) > 1 and all(col in by_column for col, _ in cells) and len(cells) != len(header):
        pairs = [(by_column[col], text) for col, text in cells]
    elif trailing and len(cells) != len(header) and len(cells) <= len(header):
        # a row shifted by a page break: figures sit under the last columns, labels under the first
        names = [h for _, h in header]
        texts = cells[: len(cells) - len(numbers)]
        pairs = [(names[i], t) for i, (_, t) in enumerate(texts)]
        pairs += [(names[len(names) - len(numbers) + i], cells[n][1]) for i, n in enumerate(numbers)]
    elif len(cells) == len(header):
        pairs = [(h, t) for (_, h), (_, t) in zip(header, cells)]
    else:
        pairs = []
        for col, text in cells:
            name = min(header, key=lambda h: (abs(h[0] - col), h[0]))[1]
            pairs.append((name, text))
    return tuple(_field(name, text, unit) for name, text in pairs)
