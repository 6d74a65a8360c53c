"""Table titles that are not printed as a plain title line: numbered like a heading without a
year, wrapped over two lines, printed inside the grid's frame, or not printed at all (then
inferred from the header and the row codes, and said so). Real documents."""

from __future__ import annotations

from pathlib import Path

import pytest

import corpus
from corpus.assemble import assemble, join_wrapped_headings
from corpus.blocks import TextLine
from corpus.model import Location
from corpus.readers import read_blocks
from corpus.titles import numbered_title

EXTRA = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"


@pytest.mark.parametrize("line,expected", [
    ("一、收支预算总表", ("一", "收支预算总表")),
    ("十一、2017年江苏省高级人民法院部门一般公共预算“三公”经费、会议费、培训费支出预算表",
     ("十一", "2017年江苏省高级人民法院部门一般公共预算“三公”经费、会议费、培训费支出预算表")),
    ("六、财政拨款基本支出预算表", ("六", "财政拨款基本支出预算表")),
    ("三、部门主要职责", None),          # a heading, not a table
    ("二、关于部门预算公开表", None),    # ends in 表 but names no standard table
])
def test_numbered_title(line, expected):
    assert numbered_title(line) == expected


def test_a_title_wrapped_before_its_last_characters_is_joined():
    where = Location("t.pdf", page=16)
    lines = [TextLine("十一、一般公共预算“三公”经费、会议费、培训费支出预", where), TextLine("算表", where)]
    assert [b.text for b in join_wrapped_headings(lines)] == ["十一、一般公共预算“三公”经费、会议费、培训费支出预算表"]


def test_numbered_titles_without_a_year_title_their_tables():
    doc = corpus.load(EXTRA / "jiangsu_jianchayuan_2017_bumen_yusuan.pdf")
    assert doc.table("表六").title == "财政拨款基本支出预算表"
    assert doc.table("表十一").title == "一般公共预算“三公”经费、会议费、培训费支出预算表"
    assert doc.table("表一/收入").title == "收支预算总表"
    assert not [f for f in doc.findings if f.check == "schema_table_type"]


def test_a_title_inside_the_frame():
    # the frame's first rows print the title of a stacked project form: one record per project
    doc = corpus.load(EXTRA / "shanghai_putuo_wanli_jiedao_2023_bumen_yusuan.pdf")
    forms = [r for r in doc.records if r.table_id == "表10"]
    assert len(forms) == 5 and {r.form for r in forms} == {"财政项目支出绩效目标填报表（2023年度）"}


@pytest.fixture(scope="module")
def untitled():
    """江苏省高级人民法院 2017 with its title lines taken out, as if printed as images."""
    path = EXTRA / "jiangsu_gaoji_fayuan_2017_bumen_yusuan.pdf"
    blocks = [b for b in read_blocks(path) if not (isinstance(b, TextLine) and numbered_title(b.text.replace(" ", "")))]
    return assemble(blocks, path)


def test_an_untitled_table_is_titled_from_its_inferred_type(untitled):
    basic = untitled.table("表6")
    assert basic.display_title == "表6（推断：财政拨款基本支出预算表）" and basic.kind == "基本支出"
    assert basic.row("30201").label == "办公费"
    assert untitled.table("表11").kind == "三公"
    assert untitled.table("表10").title == "（推断：机关运行经费支出预算表）"
    said = {f.table: f.message for f in untitled.findings if f.check == "inferred_title"}
    assert said["表6"] == "表6：没有印出表名，按表头和科目推断为财政拨款基本支出预算表"


def test_an_untitled_table_that_cannot_be_told_apart_stays_untitled_and_is_reported(untitled):
    # 功能分类 by 金额 only: 财政拨款支出表, 一般公共预算支出表 and 政府性基金支出表 print alike
    assert untitled.table("表5").title == ""
    assert any(f.check == "inferred_title" and f.table == "表5" and "无法确定" in f.message for f in untitled.findings)
