"""A 决算's 一般公共预算财政拨款支出决算具体情况: each 项 printed as a heading paragraph of its
own, then its figures; execution rates against the 全年预算 when no 年初预算 is stated. Real
values from 中共上海市普陀区委社会工作部 2024 年度部门决算 (evaluation/corpora/extra)."""

from __future__ import annotations

import time
from decimal import Decimal as D
from pathlib import Path

import pytest

import corpus
from corpus.facts import FactKind, document_facts
from index.factstore import FactStore
from qa.analyze import analyze
from qa.answer import Answer
from qa.compose import guard
from qa.passages import sentences, with_reasons
from qa.scope import Asked, FactBase, documents_for
from qa.strategies import first_answer

EXTRA = Path(__file__).resolve().parents[1] / "evaluation" / "corpora" / "extra"
FILE = "shanghai_putuo_shehui_gongzuobu_2024_bumen_juesuan.pdf"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> FactBase:
    store = FactStore(tmp_path_factory.mktemp("facts") / "facts.sqlite")
    doc = corpus.load(EXTRA / FILE)
    store.replace_document(doc, document_facts(doc))
    return FactBase.of(store.facts(), {d.doc_id: d for d in store.documents()})


def ask(base: FactBase, question: str) -> Answer:
    q = analyze(question)
    docs, reason = documents_for(q, base.documents, None)
    assert reason is None, reason
    return guard(first_answer(Asked.over(q, base, docs, time.perf_counter(), lambda *a, **k: [])))


def test_a_heading_paragraph_names_the_item_of_the_figures_after_it(base):
    # "2、一般公共服务支出（类）社会工作事务（款）事业运行（项）。" alone on its line(s), then
    # "主要用于：事业单位人员支出。全年预算为 17.68 万元，支出决算为 11.31 万元。"
    facts = [f for f in base.facts if f.kind == FactKind.NARRATIVE and f.value in (D("17.68"), D("11.31"))]
    assert facts and all(f.section.endswith("事业运行（项）") for f in facts)
    # the department's own total, before the first item, stays the section's
    total = [f for f in base.facts if f.kind == FactKind.NARRATIVE and f.value == D("321.02")]
    assert total and total[0].section.endswith("具体情况")
    a = ask(base, "中共普陀区委社会工作部2024年事业运行（2013950）全年预算是多少？")
    assert (a.value, a.unit) == (D("17.68"), "万元")


def test_an_execution_rate_without_a_years_opening_budget_is_against_the_full_year_budget(base):
    # the unit was set up in 2024: "一般公共预算财政拨款支出年初预算为 0 万元，全年预算为 321.02 万元，
    # 支出决算为 307.82 万元" — 307.82 ÷ 321.02 = 95.89 %
    a = ask(base, "普陀区委社会工作部2024年一般公共预算财政拨款支出执行率是多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("95.89"), "%")
    assert "全年预算" in (a.formula or "")
    # an item with only a 全年预算 stated: 11.31 ÷ 17.68 = 63.97 %
    a = ask(base, "普陀区委社会工作部2024年事业运行（2013950）的预算执行率是多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("63.97"), "%")


def test_a_reason_is_quoted_with_the_first_item_of_a_list_opened_by_its_parent():
    # the department's total and reason, then "其中：1、…行政运行（项）。" opens the list of 项
    text = ("一般公共预算财政拨款支出年初预算为 0 万元，全年预算为321.02 万元，支出决算为 307.82 万元，完成年初预算的 95.89%。"
            "决算数小于预算数的主要原因：人员经费支出数小于预算数。其中：1、一般公共服务支出（类）社会工作事务（款）行政运行（项）。"
            "主要用于：行政单位人员支出、公用支出。全年预算为 52.00 万元，支出决算为 51.32 万元，完成全年预算数的 98.69%。"
            "决算数小于全年预算数的主要原因：人员变动引起实际支出低于预算。")
    quoted = with_reasons(sentences(text))
    assert any(q.startswith("其中：1、") and "行政运行" in q and q.endswith("人员变动引起实际支出低于预算。") for q in quoted)


def test_a_sentence_saying_there_is_none_of_a_metric_states_it_as_zero(base):
    # "中共上海市普陀区委社会工作部 2024 年度无“三公”经费财政拨款支出。" (七、…“三公”经费支出决算情况说明)
    zero = [f for f in base.facts if f.kind == FactKind.NARRATIVE and f.raw == "无"]
    assert {f.subject for f in zero} >= {"“三公”经费支出", "政府性基金预算收入和支出"}
    assert all(f.value == 0 and f.unit == "万元" and f.phase == "决算" for f in zero)
    a = ask(base, "普陀区委社会工作部2024年“三公”经费支出决算是多少？")
    assert (a.value, a.unit) == (D("0"), "万元")
