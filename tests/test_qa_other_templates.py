"""The engine on the two real PDFs of other publishing templates (上海 district, 江苏 province),
loaded together: the department in the question picks the document."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from conftest import PDF_DIR
from index.config import IndexConfig
from index.store import build_index
from qa import Engine


@pytest.fixture(scope="module")
def pdf_engine(tmp_path_factory):
    out = tmp_path_factory.mktemp("pdf-index") / "index"
    build_index([PDF_DIR], out, IndexConfig.from_env(), show_bars=False)
    return Engine(out)


@pytest.mark.parametrize("question,value,unit,table", [
    ("万里街道的公务接待费是多少", "1.35", "万元", "表9"),
    ("万里街道2024年“三公”经费合计是多少", "47.91", "万元", "表9"),
    ("万里街道机关运行经费是多少", "443.18", "万元", "表9"),
    ("万里街道收入总计是多少", "156211123", "元", "表1/本年收入"),
    ("江苏省高级人民法院的公务接待费是多少", "86.95", "万元", "公开09表"),
    ("江苏省高级人民法院项目支出是多少", "10208.94", "万元", "公开03表"),
])
def test_figures_from_other_templates(pdf_engine, question, value, unit, table):
    a = pdf_engine.answer(question)
    assert (a.kind, a.value, a.unit) == ("lookup", D(value), unit)
    assert a.citations[0].table == table


def test_two_tables_that_differ_are_both_shown(pdf_engine):
    # 公开09表's 会议费 (all funds) and 公开06表's 30215 会议费 (basic expenditure) differ: say so
    a = pdf_engine.answer("江苏省高级人民法院2019年会议费是多少")
    assert a.value == D("271.02") and a.citations[0].table == "公开09表"
    assert "111.30" in a.answer and "不同" in a.answer
    assert {c.table for c in a.citations} >= {"公开09表", "公开06表"}


def test_without_a_department_each_document_answers(pdf_engine):
    a = pdf_engine.answer("公务接待费是多少")
    assert a.kind == "lookup" and a.value is None
    assert "1.35" in a.answer and "86.95" in a.answer


def test_unknown_department_is_not_found(pdf_engine):
    a = pdf_engine.answer("武汉经开区教育局2024年的“三公”经费是多少？")
    assert a.kind == "not_found" and "教育局" in a.answer


@pytest.mark.parametrize("question,value,unit", [
    # figures stated only in the narrative's standard paragraphs
    ("江苏省高级人民法院2019年单价20万元以上的设备有多少台（套）？", "48", "台（套）"),
    ("江苏省高级人民法院2019年有几辆执法执勤用车？", "38", "辆"),
    ("截至2023年8月31日，万里街道共有车辆多少辆？", "7", "辆"),
    ("万里街道2024年政府采购预算是多少？", "1662.44", "万元"),
])
def test_narrative_figures(pdf_engine, question, value, unit):
    a = pdf_engine.answer(question)
    assert (a.kind, a.value, a.unit) == ("lookup", D(value), unit)


def test_assets_on_another_day_are_not_found(pdf_engine):
    # the 2024 budget counts its 7 vehicles 截至2023年8月31日: they are no answer for 2024年8月31日
    a = pdf_engine.answer("截至2024年8月31日，万里街道共有车辆多少辆？")
    assert a.kind == "not_found" and a.value is None


@pytest.mark.parametrize("question,value,unit,table", [
    # the table the question names answers, and its words name no column (“三公”经费 is not 会议费)
    ("江苏省高院2019年“三公”经费、会议费、培训费支出预算表中，会议费一栏是多少？", "271.02", "万元", "公开09表"),
    # the spending type the question names: 基本支出 is the 基本支出表's row, not the 三公 table's 培训费
    ("江苏省高级人民法院2019年培训费的基本支出是多少？", "41.37", "万元", "公开08表"),
    # a part of 基本支出, not the whole
    ("万里街道2024年基本支出中的公用经费是多少？", "11168569", "元", "表8"),
    # a fund's own table: its total is that fund's spending, printed as 0 (unnamed, the
    # narrative's "政府性基金支出预算支出 0 万元" answers as well)
    ("按政府性基金预算支出表，江苏省高级人民法院2019年政府性基金预算支出是多少？", "0", "万元", "公开10表"),
])
def test_tables_and_keys_the_question_names(pdf_engine, question, value, unit, table):
    a = pdf_engine.answer(question)
    assert (a.kind, a.value, a.unit) == ("lookup", D(value), unit)
    assert a.citations[0].table == table


def test_the_table_designed_for_the_metric_is_cited_first(pdf_engine):
    # 运行费 under 公务用车购置及运行费 is 公务用车运行费: the 三公 table first, the 基本支出表 as well
    a = pdf_engine.answer("万里街道2024年公务用车运行费预算多少？")
    assert (a.value, a.unit, a.citations[0].table) == (D("21.56"), "万元", "表9")
    assert "表8" in {c.table for c in a.citations}


def test_a_zero_stated_only_in_the_narrative(pdf_engine):
    a = pdf_engine.answer("江苏省高级人民法院2019年公务用车购置费预算是多少？")
    assert (a.kind, a.value, a.unit) == ("lookup", D("0"), "万元")
    assert "三公" in a.citations[0].section


def test_a_named_column_group_is_its_own_total_not_a_sub_groups(pdf_engine):
    # 2024年“三公”经费预算数 / 合计, not … / 公务用车购置及运行费 / 小计 shown as a differing figure
    a = pdf_engine.answer("万里街道2024年财政拨款“三公”经费是多少？")
    assert (a.value, a.unit, a.citations[0].table) == (D("47.91"), "万元", "表9")
    assert "不同" not in a.answer


def test_a_code_the_document_does_not_have_is_not_another_rows(pdf_engine):
    # 2010101 is 人大事务's 行政运行; the court's own 行政运行 is 2040501 (17,279.29 万元), which
    # must not answer a question that names another code
    named = pdf_engine.answer("江苏省高级人民法院2019年2040501行政运行是多少")
    assert (named.kind, named.value) == ("lookup", D("17279.29"))
    other = pdf_engine.answer("江苏省高级人民法院2019年2010101行政运行是多少")
    assert other.kind == "not_found" and other.value is None


def test_the_previous_year_is_the_year_before_the_budgets():
    from qa.analyze import says_previous_year, with_previous_year

    assert with_previous_year("万里街道2024年上年公务接待费是多少", None) == "万里街道2023年公务接待费是多少"
    assert with_previous_year("去年的公务接待费", 2019) == "2018年的公务接待费"
    assert with_previous_year("上年公务接待费是多少", None) is None  # which year's 上年: not said
    # a comparison, a row's own name, a year in brackets: no year to rewrite
    for question in ("公务接待费比上年增加多少", "与上年相比增长多少", "上年结转是多少", "上年度结余",
                     "上一年（2018年）的收支预算总计是多少"):
        assert not says_previous_year(question), question


def test_last_years_figure_is_never_this_years(pdf_engine):
    # the 2019 budget says 公务接待费预算支出 86.95 万元, 比上年减少 97 万元
    a = pdf_engine.answer("江苏省高级人民法院2019年上年公务接待费预算是多少")
    assert (a.kind, a.value) == ("computed", D("183.95"))
    # two budgets of two years loaded (2019, 2024) and no year named: ask which
    a = pdf_engine.answer("上年公务接待费是多少")
    assert a.kind == "not_found" and "写明年份" in a.answer
