"""Narrative changes, previous-year and execution figures, named projects and reasons: real
values from the development PDFs in evaluation/corpora/extra (江苏省高级人民法院 2017, 江苏省人大
常委会办公厅 2019 in two files, 万里街道 2024 and 2025, 普陀区商务委 2025, 上海市普陀区规划和自然资源局
2024 决算)."""

from __future__ import annotations

import time
from decimal import Decimal as D
from pathlib import Path

import pytest

import corpus
from corpus.facts import Fact, FactKind, document_facts
from index.factstore import FactStore
from qa.analyze import analyze
from qa.answer import Answer
from qa.compose import guard
from qa.passages import sentences, with_reasons
from qa.scope import Asked, FactBase, documents_for, no_execution_figures
from qa.strategies import first_answer

EXTRA = Path(__file__).resolve().parents[1] / "evaluation" / "corpora" / "extra"
FILES = ("jiangsu_gaoji_fayuan_2017_bumen_yusuan.pdf", "jiangsu_renda_changweihui_2019_bumen_yusuan_wenjian.pdf",
         "jiangsu_renda_changweihui_2019_bumen_yusuan_biaoge.pdf", "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf",
         "shanghai_putuo_shangwuwei_2025_bumen_yusuan.pdf", "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> FactBase:
    store = FactStore(tmp_path_factory.mktemp("facts") / "facts.sqlite")
    for name in FILES:
        doc = corpus.load(EXTRA / name)
        store.replace_document(doc, document_facts(doc))
    return FactBase.of(store.facts(), {d.doc_id: d for d in store.documents()})


def ask(base: FactBase, question: str) -> Answer:
    q = analyze(question)
    docs, reason = documents_for(q, base.documents, None)
    assert reason is None, reason
    asked = Asked.over(q, base, docs, time.perf_counter(), lambda *a, **k: [])
    assert no_execution_figures(asked) is None
    return guard(first_answer(asked))


def _changes(base: FactBase, doc: str, value: str) -> list[Fact]:
    return [f for f in base.facts if doc in f.doc_id and f.kind == FactKind.NARRATIVE and f.value == D(value)]


# ---------------------------------------------------------------------------- facts

def test_a_paragraph_that_opens_with_the_comparison_is_about_the_item_before_it(base):
    # "2017 年本部门一般公共预算机关运行经费预算支出 9193.40 万元，比 2016 年增加 …" and, in the
    # next paragraph, "按与上年统计口径一致相比，本年比上年减少 161.96 万元，下降了 4.39%"
    [fall] = _changes(base, "fayuan_2017", "161.96")
    assert (fall.subject, fall.change, fall.compare_year) == ("一般公共预算机关运行经费预算支出", "减少", 2016)
    [share] = _changes(base, "fayuan_2017", "4.39")
    assert share.change == "下降" and share.subject == fall.subject


def test_a_change_on_the_previous_year_compares_to_the_documents_year_less_one(base):
    # "2019年度收入、支出预算总计18330.37万元，与上年相比收、支预算总计各增加2432.93万元"
    rise = [f for f in _changes(base, "renda", "2432.93") if f.subject == "收支预算总计"]
    assert rise and all(f.compare_year == 2018 and f.change == "增加" for f in rise)


# ---------------------------------------------------------------------------- answers

def test_a_change_named_by_its_item_without_fund_and_measure_words(base):
    a = ask(base, "按与上年统计口径一致相比，江苏省高院2017年机关运行经费比上年减少了多少？")
    assert (a.value, a.unit) == (D("161.96"), "万元")
    a = ask(base, "江苏省高院2017年机关运行经费比上年增加了多少？")
    assert (a.value, a.unit) == (D("5503.07"), "万元")  # the comparison words pick the sentence


def test_last_years_total_from_this_years_and_the_printed_change(base):
    a = ask(base, "江苏省人大常委会办公厅上一年（2018年）的收支预算总计是多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("15897.44"), "万元")
    assert a.formula == "18,330.37 − 2,432.93 = 15,897.44"
    assert "上年" in a.answer and "2018" not in a.answer  # the source says 上年, not 2018


def test_an_execution_figure_stated_in_a_budgets_narrative(base):
    # "“城乡社区支出（类）城乡社区管理事务（款）行政运行（项）”1660.32万元 … 2023年当年预算执行数为
    #  1899.77万元，2024年预算安排1660.32万元"
    a = ask(base, "万里街道2024年城乡社区管理事务行政运行（2120101）在2023年的当年预算执行数是多少？")
    assert (a.kind, a.value, a.unit) == ("lookup", D("1899.77"), "万元")
    # the item's own budget is the table's, never one measure of it from the narrative
    a = ask(base, "万里街道2024年城乡社区管理事务行政运行预算是多少？")
    assert (a.value, a.unit) == (D("16603248"), "元")


def test_an_execution_question_without_any_execution_figure_is_refused(base):
    q = analyze("江苏省高院2017年实际支出是多少？")
    docs, _ = documents_for(q, base.documents, None)
    reason = no_execution_figures(Asked.over(q, base, docs, time.perf_counter(), lambda *a, **k: []))
    assert reason and "决算" in reason


# ---------------------------------------------------------------------------- reasons

def test_a_reason_is_quoted_with_the_numbered_item_it_explains():
    # 普陀区规划和自然资源局 2024 决算: item, purpose, figures, then "决算数小于预算数的主要原因：…"
    item = "9、城乡社区支出（类）城乡社区规划与管理（款）城乡社区规划与管理（项）。"
    use = "主要用于：事业单位人员支出、公用支出、行政事业单位项目支出。"
    figures = "年初预算为 3110.14 万元，支出决算为2739.56 万元，完成年初预算的 88.08%。"
    reason = "决算数小于预算数的主要原因：部分项目支出未完成，规划服务商务单元更新提升方案年末政府采购流程未及时完毕致使项目进度拖延。"
    assert item + use + figures + reason in with_reasons(sentences(item + use + figures + reason))
    # 万里街道 2023: "2. “…专项普查活动（项）”60.13万元，主要用于统计管理。2022年当年预算执行数为0万元，…。主要原因是：…"
    text = ("2. “一般公共服务支出（类）统计信息事务（款）专项普查活动（项）”60.13万元，主要用于统计管理。"
            "2022年当年预算执行数为0万元，2023年预算安排60.13万元，比2022年预算执行数增加100.00%。"
            "主要原因是：2023年新增专项普查活动经费。")
    assert text in with_reasons(sentences(text))
    # another item's reason in between: the reason stays with its own item only
    parts = ["1、甲（项）。", "主要原因是：甲。", "年初预算为 1 万元。", "主要原因是：乙。"]
    assert "年初预算为 1 万元。主要原因是：乙。" in with_reasons(parts)


# ---------------------------------------------------------------------------- named projects

def test_a_projects_own_explanation_names_its_figures(base):
    # "商业创新专项（政策资金）经费情况说明 … 六、年度预算安排 2025年度项目总预算1410.00万，其中支持引进品牌
    #  集聚340.00万，…支持促消费提质提升800.00万，…支持商业综合服务能力提升80.00万元，合计1410.00万。"
    promote = [f for f in _changes(base, "shangwuwei_2025_bumen", "800.00") if f.subject == "支持促消费提质提升"]
    assert promote and promote[0].unit == "万元"
    assert promote[0].section == "商业创新专项（政策资金）经费情况说明 > 六、年度预算安排"
    # the 合计 is the project's total, not the last item's
    assert {f.subject for f in _changes(base, "shangwuwei_2025_bumen", "1410.00")} == {"2025年度项目总预算"}
    a = ask(base, "普陀区商务委2025年商业创新专项中“支持促消费提质提升”安排了多少？")
    assert (a.value, a.unit) == (D("800.00"), "万元")
    a = ask(base, "普陀区经委（普陀区商务委员会）2025年贸易高质量发展专项总预算是多少？")
    assert (a.value, a.unit) == (D("2921.00"), "万元")


def test_an_unnamed_projects_figures_are_of_the_project_its_overview_names(base):
    # "项目经费情况说明 一、项目概况 由…办事处建设的万里街道社区公共服务中心新建工程，… 六、年度预算安排
    #  第一季度用款计划15万元，…"
    a = ask(base, "万里街道2025年万里街道社区公共服务中心新建工程第一季度用款计划是多少？")
    assert (a.value, a.unit) == (D("15"), "万元")
    a = ask(base, "万里街道2025年办公楼新建工程第一季度用款计划是多少？")
    assert a.kind == "not_found"  # another project: never this one's figure
