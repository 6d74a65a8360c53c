"""The canonical budget schema: table types from the titles every template prints, the
measures of each column (phase, fund scope, spending type), as keys on the facts of the
real documents; and a 决算 narrative whose figures the text layer detached."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

import corpus
from corpus.facts import document_facts
from corpus.prose import restore_detached_figures
from corpus.schema import measures, table_type

EXTRA = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"
JUESUAN = EXTRA / "shanghai_putuo_guihua_ziyuan_2024_bumen_juesuan.pdf"


@pytest.mark.parametrize("title,expected", [
    # 上海 district 部门预算 / 单位预算
    ("2024年部门财务收支预算总表", "收支总表"),
    ("2025年预算单位收入预算总表", "收入总表"),
    ("2024年部门支出预算总表", "支出总表"),
    ("2024年部门财政拨款收支预算总表", "财政拨款收支总表"),
    ("2024年部门一般公共预算支出功能分类预算表", "一般公共预算支出表"),
    ("2024年部门政府性基金预算支出功能分类预算表", "政府性基金"),
    ("2024年部门国有资本经营预算支出功能分类预算表", "国有资本经营"),
    ("2024年部门一般公共预算基本支出部门预算经济分类预算表", "一般公共预算基本支出表"),
    ("部门“三公”经费和机关运行经费预算表", "三公"),
    # 江苏 province 部门预算 (公开01–12表)
    ("财政拨款支出预算表（功能科目）", "财政拨款支出表"),
    ("财政拨款基本支出预算表（经济科目）", "财政拨款基本支出表"),
    ("一般公共预算机关运行经费支出预算表", "机关运行经费"),
    ("“三公”经费、会议费、培训费支出预算表", "三公"),
    ("2018年政府采购预算表", "政府采购"),
    # 上海 部门决算: the 决算 counterparts map to the same types
    ("收入支出决算总表", "收支总表"),
    ("收入决算表", "收入总表"),
    ("支出决算表", "支出总表"),
    ("财政拨款收入支出决算总表", "财政拨款收支总表"),
    ("一般公共预算财政拨款支出决算表", "一般公共预算支出表"),
    ("一般公共预算财政拨款基本支出决算表", "一般公共预算基本支出表"),
    ("财政拨款“三公”经费支出决算表", "三公"),
    ("政府性基金预算财政拨款收入支出决算表", "政府性基金"),
])
def test_table_types_from_printed_titles(title, expected):
    t = table_type(title)
    assert t is not None and t.type == expected


def test_unknown_title_is_no_type():
    assert table_type("单位名称 备注") is None


@pytest.mark.parametrize("title,column,doc_type,year,phase,fund,spending", [
    ("财政拨款“三公”经费支出决算表", "财政拨款“三公”经费 / 合计 / 预算数", "决算", 2024, "年初预算", "财政拨款", ""),
    ("财政拨款“三公”经费支出决算表", "财政拨款“三公”经费 / 合计 / 决算数", "决算", 2024, "决算", "财政拨款", ""),
    # 一般公共预算 is a fund, not the 预算 phase
    ("财政拨款收入支出决算总表", "一般公共预算财政拨款", "决算", 2024, "决算", "一般公共预算", ""),
    ("支出决算表", "基本支出", "决算", 2024, "决算", "全部资金", "基本"),
    ("2024年部门一般公共预算基本支出部门预算经济分类预算表", "人员经费", "预算", 2024, "预算", "一般公共预算", "人员"),
    ("2024年部门支出预算总表", "项目支出", "预算", 2024, "预算", "全部资金", "项目"),
    ("收支预算总表", "2018年预算数", "预算", 2019, "上年", "全部资金", ""),
    ("收入预算总表", "上年结转", "预算", 2019, "预算", "全部资金", ""),  # 上年结转 is this year's income
    # the title's fund words win over the type's usual fund (a “三公” table is usually 财政拨款)
    ("十一、2017年江苏省高级人民法院部门一般公共预算“三公”经费、会议费、培训费支出预算表", "会议费", "预算", 2017,
     "预算", "一般公共预算", ""),
    ("2024年部门“三公”经费和机关运行经费预算表", "2024年“三公”经费预算数 / 合计", "预算", 2024, "预算", "财政拨款", ""),
])
def test_column_measures(title, column, doc_type, year, phase, fund, spending):
    m = measures(title, column, doc_type, year)
    assert (m.phase, m.fund_scope, m.spending) == (phase, fund, spending)


@pytest.fixture(scope="module")
def juesuan_facts():
    doc = corpus.load(JUESUAN)
    return doc, document_facts(doc)


def test_juesuan_cells_carry_phase(juesuan_facts):
    _, facts = juesuan_facts
    hospitality = {f.phase: f.value for f in facts
                   if f.table_type == "三公" and f.column.startswith("财政拨款“三公”经费 / 公务接待费")}
    assert hospitality == {"年初预算": D("2.85"), "决算": D("0.39")}
    spent = [f for f in facts if f.table_type == "收支总表" and f.row_label == "本年支出合计"]
    assert [(f.value, f.phase, f.fund_scope) for f in spent] == [(D("9759.38"), "决算", "全部资金")]
    basic = [f for f in facts if f.table_type == "支出总表" and f.row_label == "合计" and f.spending == "基本"]
    assert [f.value for f in basic] == [D("5377.64")]


def test_juesuan_narrative_phases(juesuan_facts):
    _, facts = juesuan_facts
    # "8、城乡社区支出（类）城乡社区管理事务（款）行政运行" heads the sentence's section
    running = [f for f in facts if f.kind == "narrative" and "行政运行" in f.section + f.text and f.unit == "万元"]
    assert {(f.phase, f.value) for f in running} >= {("年初预算", D("1115.48")), ("决算", D("1092.80"))}


def test_unmapped_table_is_a_finding(juesuan_facts):
    doc, _ = juesuan_facts
    messages = [f.message for f in doc.findings if f.check == "schema_table_type"]
    assert len(messages) == 1 and "表1" in messages[0] and "无法对应" in messages[0]
    assert all(t.kind != "other" for t in doc.tables if t.id != "表1")


def test_budget_tables_all_mapped():
    doc = corpus.load(EXTRA / "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf")
    assert not [f for f in doc.findings if f.check == "schema_table_type"]
    people = [f for f in document_facts(doc) if f.table_type == "一般公共预算基本支出表" and f.spending == "人员"]
    assert people and all(f.phase == "预算" and f.fund_scope == "一般公共预算" for f in people)


def test_detached_figures_go_back_in_order():
    text = ("一般公共预算财政拨款支出年初预算为 万元，支出决算为 万元，完成年初预算的 %。"
            "10210.34 9746.50 95.45 决算数小于预算数的主要原因：部分项目未开展完成。")
    restored = restore_detached_figures(text)
    assert "年初预算为 10210.34 万元，支出决算为 9746.50 万元，完成年初预算的 95.45 %" in restored
    assert "主要原因：部分项目未开展完成" in restored


def test_detached_figures_that_do_not_fit_are_left_out():
    # two slots, three figures: which is which cannot be known, so the sentence goes
    text = "年初预算为 万元，支出决算为 万元。10210.34 9746.50 95.45 其他说明。机关运行经费 142.80 万元。"
    restored = restore_detached_figures(text)
    assert "10210.34" not in restored and "年初预算为" not in restored
    assert "机关运行经费 142.80 万元" in restored


def test_text_with_its_figures_is_unchanged():
    text = "年初预算为 54.53 万元，支出决算为 54.53 万元，完成年初预算的100.00%。增长 13.95。"
    assert restore_detached_figures(text) == text


def test_a_column_of_another_budget_is_a_finding():
    from corpus.model import Cell, Location, Row, Table
    from corpus.schema import schema_findings

    columns = (("科目名称",), ("政府性基金",), ("合计",))
    row = Row("r1", 0, "行政运行", "2120101", 3, None,
              (Cell("行政运行", None, None, columns[0]), Cell("5.00", D("5.00"), "万元", columns[1]),
               Cell("1092.80", D("1092.80"), "万元", columns[2])), Location("x.pdf", page=11))
    table = Table("表6", "一般公共预算财政拨款支出决算表", "万元", columns, (row,), Location("x.pdf", page=11))
    findings = list(schema_findings(table))
    assert [f.check for f in findings] == ["schema_column"] and "政府性基金" in findings[0].message


def test_functional_codes_grown_from_the_documents():
    from corpus.codes import code_for_name, standard, standard_names

    # 类/款/项 printed in the real PDFs, with the names they print
    assert standard("2080705").name == "公益性岗位补贴" and standard("20807").name == "就业补助"
    assert standard("2010507").name == "专项普查活动"
    assert standard("22001").name == "自然资源事务"
    assert code_for_name("城乡社区公共设施") == ("21203",)
    # 20805 was printed 行政事业单位离退休 before it was renamed 行政事业单位养老支出
    assert standard_names("20805", "行政事业单位离退休") == ("行政事业单位养老支出",)


def test_an_item_named_by_its_levels_has_one_code():
    from corpus.codes import item_code

    # sentences and headings of the real PDFs' 支出决算具体情况 / 财政拨款支出预算情况说明
    assert item_code("1.法院（款）行政运行（项）支出 17279.29 万元") == "2040501"
    assert item_code("8、城乡社区支出（类）城乡社区管理事务（款）行政运行（项）") == "2120101"
    assert item_code("公共安全（类）法院（款）") == "20405"
    # the 项 name alone is many codes' (行政运行 is the 项 of almost every 款): no code
    assert item_code("行政运行（项）") is None and item_code("行政运行支出 5 万元") is None
