"""Table titles, table ids and headings as the development PDFs of other templates print
them (evaluation/corpora/extra): what an answer cites must be the printed title."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

import corpus

EXTRA = Path(__file__).resolve().parents[1] / "evaluation" / "corpora" / "extra"


@pytest.fixture(scope="module")
def fayuan2018():
    return corpus.load(EXTRA / "jiangsu_gaoji_fayuan_2018_bumen_yusuan.pdf")


@pytest.fixture(scope="module")
def renda_tables():
    return corpus.load(EXTRA / "jiangsu_renda_changweihui_2019_bumen_yusuan_biaoge.pdf")


@pytest.fixture(scope="module")
def shangwuwei_unit():
    return corpus.load(EXTRA / "shanghai_putuo_shangwuwei_2025_danwei_yusuan.pdf")


def test_tables_numbered_like_headings_keep_their_printed_title(fayuan2018):
    # "九、2018年江苏省高级人民法院“三公”经费、会议费、培训费支出预算表" heads its table; the
    # id comes from its number, not from the order the grids were read in
    table = fayuan2018.table("表九")
    assert table.title == "2018年江苏省高级人民法院“三公”经费、会议费、培训费支出预算表"
    assert fayuan2018.table("表十一").title == "2018年度江苏省高级人民法院一般公共预算机关运行经费支出预算表"
    assert fayuan2018.table("表十一").row("合计").value("机关运行经费支出") == D("3407.38")


def test_header_cut_off_by_a_page_break_heads_the_next_grid(fayuan2018):
    # 表四 prints "收入 | 支出" at the foot of p.10 and the rest of the grid on p.11
    income = fayuan2018.table("表四/收入")
    spending = fayuan2018.table("表四/支出 / 支出用途")
    assert income.title == "2018年度江苏省高级人民法院财政拨款收支预算总表"
    assert income.row("一、一般公共预算").cells[1].value == D("33172.15")  # its 金额 header was never printed
    assert spending.row("三、单位预留机动经费").value("金额") == D("3258.06")
    assert all(r.label != "三、单位预留机动经费" for r in income.rows)


def test_heading_wrapped_by_the_page_width_is_whole(fayuan2018):
    paths = {s.path[-1] for s in fayuan2018.sections}
    assert "九、一般公共预算“三公”经费、会议费、培训费支出预算情况说明" in paths
    assert "第三部分 江苏省高级人民法院 2018年度预算情况说明" in paths
    assert "九、一般公共预算“三公”经费、会议费、培训费支出预算情" not in paths
    # a numbered list item wrapped over two lines is narrative, not a heading
    assert not any(p.startswith("1、依法审判") for p in paths)


def test_title_printed_above_a_chinese_numbered_id(renda_tables):
    # "收支预算总表" over "公开表一"; "财政拨款支出预算表（功能科目）" over "公开表五"
    assert renda_tables.table("公开表一/收入").title == "收支预算总表"
    five = renda_tables.table("公开表五")
    assert five.title == "财政拨款支出预算表（功能科目）"
    assert five.row("合计").value("金额") == D("18330.37")
    assert not renda_tables.paragraphs  # the titles are no longer read as narrative


def test_unnumbered_headings_listed_in_the_contents(shangwuwei_unit):
    # the contents list "二、单位机构设置"; the page prints "上海市普陀区商务委员会机构设置"
    heads = [s.path[-1] for s in shangwuwei_unit.sections]
    assert "上海市普陀区商务委员会机构设置" in heads
    assert "2025年单位预算编制说明" in heads
    staff = next(p for p in shangwuwei_unit.paragraphs if "内设机构" in p.text)
    assert staff.section == ("上海市普陀区商务委员会机构设置",)
