"""General linking rules found on the held-out PDFs, checked with their printed figures: a
department's region in brackets after its name, the income side of a 收支总表, a row whose
label cell is blank, a narrative figure's spending type, a named table over the whole budget."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import gold_set_engine


@pytest.fixture(scope="module")
def engine():
    return gold_set_engine("multi-holdout")


@pytest.mark.parametrize("question,value,table", [
    # 区财政局（普陀）: the bracket holds the department's own region, part of its name
    ("区财政局（普陀）2025年项目支出预算是多少？", "6093114.80", "表3"),
    ("区委社会工作部（普陀）2024年基本支出决算数是多少？", "105.58", "表4"),
    # 三、其他资金 on the 收支预算总表（收入） is the 其他资金收入
    ("省检察院2017年其他资金收入是多少？", "15.00", "表一"),
    # 政府采购预算表: the 项目 cell is blank, the 采购物品名称 names the row
    ("江苏省政协办公厅2018年政府采购预算中家具用具是多少？", "198.00", "公开12表"),
    # a named table's 合计, not the 收支总表's 10,150.48
    ("按“三公”经费、会议费、培训费支出预算表，省政协办公厅2018年合计是多少？", "1656.86", "公开09表"),
    ("政协江苏省委员会办公厅2018年公务接待费预算是多少？", "412.5", None),
    ("省政协办2018年提租补贴预算是多少？", "1107.6", None),
])
def test_held_out_figures(engine, question, value, table):
    a = engine.answer(question)
    assert a.kind == "lookup" and a.value == Decimal(value), a.answer
    if table:
        assert a.citations[0].table.split("/")[0] == table


def test_a_narrative_personnel_figure_is_basic_spending(engine):
    # 人员经费 4482.32 is a part of the 财政拨款基本支出 the question names
    a = engine.answer("江苏省政协办公厅2018年财政拨款基本支出中人员经费是多少？")
    assert a.value == Decimal("4482.32"), a.answer


def test_a_bracket_that_is_not_the_region_stays_a_question_word():
    from qa.scope import _region_after
    assert _region_after("区财政局(普陀)2025年", 4, "上海市普陀区财政局") == 8
    assert _region_after("区财政局(项目)2025年", 4, "上海市普陀区财政局") == 4


def test_an_empty_final_table_is_the_zero_it_reports(engine):
    # 表8 财政拨款“三公”经费支出决算表 is empty: 本年度没有财政拨款“三公”经费支出
    a = engine.answer("按财政拨款“三公”经费支出决算表，普陀区委社会工作部2024年“三公”经费支出决算是多少？")
    assert (a.kind, a.value, a.unit) == ("lookup", Decimal("0"), "万元") and a.citations[0].table == "表8"
    assert "决算为零" in a.answer
    # unnamed, the narrative's "2024 年度无财政拨款“三公”经费支出" states the same 0
    a = engine.answer("普陀区委社会工作部2024年“三公”经费支出决算是多少？")
    assert (a.kind, a.value, a.unit) == ("lookup", Decimal("0"), "万元") and a.citations


# ---------------------------------------------------------------------------- changes and differences
# Found with the second blind set (multi-fresh2); asked here in other words or of other items.

@pytest.mark.parametrize("question,value,said", [
    # "本年数小于上年预算数 220 万元": a comparison worded before its figure is a change (减少)
    ("江苏省检察院2017年培训费比上年少了多少？", "220", "本年数小于上年预算数 220 万元"),
    # "…一般公共预算拨款安排的培训费预算支出 97.60 万元，比上年预算增加 16 万元": the item after 安排的
    ("江苏省政协办公厅2018年培训费比上年增加了多少？", "16", "比上年预算增加 16 万元"),
])
def test_a_printed_change(engine, question, value, said):
    a = engine.answer(question)
    assert (a.kind, a.value, a.unit) == ("lookup", Decimal(value), "万元"), a.answer
    assert said in a.citations[0].text


@pytest.mark.parametrize("question,value", [
    # the change is in the next sentence: "1.一般公共服务（类）支出 7,827.46 万元，…。与上年相比增加 1,283.91 万元"
    ("江苏省政协办公厅2017年一般公共服务支出是多少？", "6543.55"),
    # the table prints 31214205.80 元; the 说明's own sentence says 3,121.42 万元 and its change
    ("普陀区财政局2024年财政拨款支出预算是多少？", "3013.80"),
    # 186.20 = 156.55 + 29.65, the comparison worded "本年数小于上年预算数"
    ("省检察院2016年公务接待费预算是多少？", "186.20"),
])
def test_last_years_figure_from_this_years_and_its_change(engine, question, value):
    a = engine.answer(question)
    assert (a.kind, a.value, a.unit) == ("computed", Decimal(value), "万元"), a.answer
    assert a.citations and "本年" in a.answer  # the formula shows this year's figure and the change


def test_words_about_the_source_are_not_a_metric(engine):
    a = engine.answer("根据普陀区财政局2025年部门预算说明，该局2024年财政拨款支出预算是多少？")
    assert (a.kind, a.value) == ("computed", Decimal("3013.80")), a.answer


def test_one_figure_less_another(engine):
    # "1、一般公共服务支出（类）社会工作事务（款）行政运行（项）…全年预算为 52.00 万元，支出决算为 51.32 万元"
    a = engine.answer("区委社会工作部2024年行政运行支出决算减去全年预算是多少？")
    assert (a.kind, a.value, a.unit) == ("computed", Decimal("-0.68"), "万元"), a.answer
    assert "51.32 − 52.00" in a.answer


def test_an_execution_rate_of_an_item_named_by_its_code(engine):
    # 2080505 机关事业单位基本养老保险缴费支出: 全年预算 9.00, 支出决算 6.18 (the 说明 prints no rate)
    a = engine.answer("区委社会工作部2024年基本养老保险缴费支出（2080505）的全年预算执行率是多少？")
    assert (a.kind, a.value, a.unit) == ("computed", Decimal("68.67"), "%"), a.answer
    assert "6.18 ÷ 9.00" in a.answer


@pytest.mark.parametrize("question,value,unit", [
    # "本单位编报绩效目标的项目共4个，涉及项目预算资金598.46万元": the money of the projects counted
    ("普陀区财政局2025年编报绩效目标的项目一共涉及多少预算资金？", "598.46", "万元"),
    # "单价 100万元（含）以上设备（不含车辆）0 台（套）": asked without the bracketed notes
    ("区委社会工作部2024年单价100万元以上的设备有多少台（套）？", "0", "台（套）"),
])
def test_a_narrative_item_asked_in_fewer_words(engine, question, value, unit):
    a = engine.answer(question)
    assert (a.kind, a.value, a.unit) == ("lookup", Decimal(value), unit), a.answer


def test_the_shorter_forms_of_a_narrative_item():
    from corpus.names import _said_forms
    # subjects as the 规划和自然资源局 2024 决算 and the 社会工作部 2024 决算 print them
    assert "编报绩效目标的项目" in _said_forms("编报绩效目标的2024年度项目")
    assert "预算金额" in _said_forms("涉及预算金额")
    assert "单价100万元以上设备" in _said_forms("单价100万元（含）以上设备（不含车辆）")
