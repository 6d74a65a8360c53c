"""One list printed in side-by-side blocks (the 基本支出表 by 经济分类: 工资福利支出 … |
商品和服务支出 …) is read block after block, never across: the code columns of two blocks
must not glue ("30101" + "30201" → "3010130201") and 办公费 must keep its own figure.
Real values from the two Shanghai 部门决算 PDFs."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

import corpus
from corpus.blocks import RawCell, RawTable
from corpus.model import Location
from corpus.tables import TableContext, build_tables

EXTRA = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"


@pytest.fixture(scope="module")
def guihua():
    return corpus.load(EXTRA / "shanghai_putuo_guihua_ziyuan_2024_bumen_juesuan.pdf")


@pytest.fixture(scope="module")
def shehui():
    return corpus.load(EXTRA / "shanghai_putuo_shehui_gongzuobu_2024_bumen_juesuan.pdf")


def test_two_blocks_under_one_header_are_one_list(guihua):
    table = guihua.table("表7")
    assert table.title == "一般公共预算财政拨款基本支出决算表"
    assert table.columns == (("经济分类科目编码",), ("科目名称",), ("决算数",))
    assert all(len(r.code) <= 5 for r in table.rows if r.code)  # no glued 3010130201
    assert table.row("30101").label == "基本工资" and table.row("30101").value("决算数") == D("537.64")
    assert table.row("30201").label == "办公费" and table.row("30201").value("决算数") == D("84.62")
    assert table.row("福利费").code == "30229" and table.row("30229").value("决算数") == D("73.19")
    assert table.row("31002").value("决算数") == D("39.76")  # the right block runs on below the left one


def test_each_block_keeps_its_total_and_hierarchy(guihua):
    table = guihua.table("表7")
    people, public = table.row("人员经费合计"), table.row("公用经费合计")
    assert people.is_total and people.value("决算数") == D("4884.09")
    assert public.is_total and public.value("决算数") == D("480.66")
    assert table.row_by_id(table.row("30201").parent).code == "302"
    assert [r.code for r in table.rows if r.level == 1] == ["301", "303", "302", "310"]


def test_sibling_totals_are_not_summed_into_each_other(guihua):
    # 公用经费合计 closes 302 + 310 only; it does not include 人员经费合计 above it
    assert not [f for f in guihua.findings if f.table == "表7" and f.severity == "error"]


def test_same_layout_in_another_department(shehui):
    table = shehui.table("表7")
    assert table.row("30201").label == "办公费" and table.row("30201").value("决算数") == D("3.78")
    assert table.row("30101").value("决算数") == D("14.12")


def _cells(*texts: str) -> list[RawCell | None]:
    return [RawCell(t, 1) for t in texts]


def test_three_blocks_named_by_a_header_row():
    # the 财政部 决算 template: 人员经费 over one block, 公用经费 over two blocks of one list
    top = [RawCell("人员经费", 3), None, None, RawCell("公用经费", 6), None, None, None, None, None]
    sub = _cells(*["科目编码", "科目名称", "决算数"] * 3)
    rows = [top, sub,
            _cells("301", "工资福利支出", "4816.14", "302", "商品和服务支出", "440.90", "310", "资本性支出", "39.76"),
            _cells("30101", "基本工资", "537.64", "30201", "办公费", "84.62", "31002", "办公设备购置", "39.76")]
    raw = RawTable(rows, Location("t.pdf", page=1), header_rows=2)
    ctx = TableContext("表7", "一般公共预算财政拨款基本支出决算表", "万元", (), "基本支出")
    tables = {t.part: t for t in build_tables(raw, ctx)}
    assert set(tables) == {"人员经费", "公用经费"}
    assert tables["人员经费"].row("30101").value("决算数") == D("537.64")
    public = tables["公用经费"]
    assert [r.code for r in public.rows] == ["302", "30201", "310", "31002"]
    assert public.row("办公费").value("决算数") == D("84.62")
