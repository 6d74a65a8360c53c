"""Blocks printed side by side in one grid.

Two layouts share the same look — a label block (科目编码 and/or 名称) followed by figures,
repeated to the right — and mean different things:

- different tables side by side: 收入 | 支出 (附表1), or 收入 | 支出/功能分类 | 支出/支出用途
  (公开01表); each block is a `Part` of its own, named by its header;
- one list printed in newspaper columns to save paper: the 基本支出表 by 经济分类 printed as
  工资福利支出 … | 商品和服务支出 …, every block under the same header (科目编码 | 科目名称 |
  决算数). Its blocks are read one after the other, top to bottom and left to right, as one
  list. Reading them across would glue the code columns ("30101" + "30201" → "3010130201")
  and put 办公费's figure on 基本工资's row.

The label block of each printed block may start with a code column: codes read as numbers,
so a column is a label column when its cells are mostly words or its header names a code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import RawCell
from .grid import cell_text
from .model import ColumnPath
from .numbers import parse_number

CODE_HEADER = re.compile(r"(编码|代码|编号)$|^(类|款|项)$")
PLACEHOLDERS = {"-", "—", "－", "/", "——", "--"}  # printed for "nothing", not a number
TOTAL_LABEL = re.compile(r"(合计|总计|小计)$")
# what the label column of a printed block is headed: 项目, 科目名称, 功能科目名称, 单位名称 …
_LABEL_HEADER = re.compile(r"(名称|项目|科目)$")

Grid = list[list[RawCell | None]]


@dataclass(frozen=True)
class Part:
    """One table of a grid. `blocks` are the grid columns of each printed block it was read
    from, left to right: one block, or several when a list runs on in the next block."""

    name: str | None
    blocks: tuple[tuple[int, ...], ...]
    paths: tuple[ColumnPath, ...]


def side_by_side(paths: list[ColumnPath], data: Grid) -> list[Part]:
    """The tables a grid holds: one Part named None for an ordinary table (or for one list
    printed in several blocks), else one named Part per printed table."""
    whole = [Part(None, (tuple(range(len(paths))),), tuple(paths))]
    blocks = _printed_blocks(paths, data)
    if len(blocks) < 2:
        return whole
    groups = _runs_of_same_header(paths, blocks)
    if len(groups) == 1:
        return [Part(None, tuple(groups[0]), tuple(paths[c] for c in groups[0][0]))]
    heads = [g[0] for g in groups]
    # a block whose header has one row (its sub-header lost to a page break) is named by it
    names = [" / ".join(paths[b[0]][:-1]) or (paths[b[0]][0] if len({paths[x[0]][:1] for x in heads}) == len(heads) else "")
             for b in heads]
    if not all(names) or len(set(names)) != len(names) or not all(_labels_block(paths[b[0]]) for b in heads):
        return whole
    out = []
    for name, group in zip(names, groups):
        prefix = tuple(name.split(" / "))
        cols = group[0]
        sub = [paths[c][len(prefix):] if paths[c][:len(prefix)] == prefix else paths[c][-1:] for c in cols]
        out.append(Part(name, tuple(group), tuple(p or paths[c][-1:] for p, c in zip(sub, cols))))
    return out


def _labels_block(path: ColumnPath) -> bool:
    """A block starts under a label or code header, or under a one-row header naming the
    block itself (收入, its sub-header lost to a page break); not under a form's field
    names (计划开始日期) that happen to sit over words."""
    return len(path) == 1 or bool(_LABEL_HEADER.search(path[-1]) or CODE_HEADER.search(path[-1]))


def _printed_blocks(paths: list[ColumnPath], data: Grid) -> list[tuple[int, ...]]:
    """Each printed block: a run of label columns and the figures after it. [] when the
    grid does not start with labels, a block has no figure (an empty table's sub-header
    row is words, not a block), or the blocks' label runs differ in width (a text column
    among figures — 计量单位 between 采购数量 and 采购金额 — starts no block)."""
    labels = [_mostly_text([cell_text(r[c]) for r in data]) or bool(CODE_HEADER.search(paths[c][-1]))
              for c in range(len(paths))]
    starts = [c for c in range(len(paths)) if labels[c] and (c == 0 or not labels[c - 1])]
    blocks = [tuple(range(a, b)) for a, b in zip(starts, starts[1:] + [len(paths)])]
    widths = {sum(1 for c in b if labels[c]) for b in blocks}
    if not starts or starts[0] != 0 or len(widths) > 1 \
            or not all(_has_figure(data, [c for c in b if not labels[c]]) for b in blocks):
        return []
    return blocks


def _has_figure(data: Grid, cols: list[int]) -> bool:
    return any(parse_number(cell_text(r[c])) is not None for r in data for c in cols)


def _runs_of_same_header(paths: list[ColumnPath], blocks: list[tuple[int, ...]]) -> list[list[tuple[int, ...]]]:
    """Neighbouring blocks under identical headers are one list in newspaper columns."""
    groups: list[list[tuple[int, ...]]] = []
    for block in blocks:
        header = [paths[c] for c in block]
        if groups and [paths[c] for c in groups[-1][0]] == header:
            groups[-1].append(block)
        else:
            groups.append([block])
    return groups


def _mostly_text(values: list[str]) -> bool:
    values = [v for v in values if v and v not in PLACEHOLDERS]
    words = [v for v in values if parse_number(v) is None]
    return bool(values) and len(words) * 2 > len(values)


def block_totals(blocks: list[tuple[tuple[int, ...], Grid]]) -> list[dict[int, str]]:
    """Side-by-side blocks share total labels: "当年支出小计" printed once across two 支出
    blocks labels the figures of both. Returns, per block, row index → inherited label."""
    out: list[dict[int, str]] = [{} for _ in blocks]
    for b in range(1, len(blocks)):
        cols, rows = blocks[b]
        prev_cols, prev_rows = blocks[b - 1]
        for i, (row, prev) in enumerate(zip(rows, prev_rows)):
            label, prev_label = cell_text(row[cols[0]]), cell_text(prev[prev_cols[0]])
            prev_values = any(cell_text(prev[c]) for c in prev_cols[1:])
            if not label and TOTAL_LABEL.search(prev_label) and not prev_values:
                out[b][i] = prev_label
    return out
