"""Generic questions (the whole budget), colloquial names for several items (水电费),
traditional characters, one-character slips, 元 tables and the standard code names, on the
real PDFs of the 上海 district and 江苏 province templates and the seed. Facts only: these
strategies need no retrieval, so the documents are parsed into a fact store, not indexed."""

from __future__ import annotations

import time
from decimal import Decimal as D
from pathlib import Path

import pytest

import corpus
from conftest import PDF_DIR, SEED
from corpus.codes import is_variant, standard, standard_names
from corpus.facts import document_facts
from index.factstore import FactStore
from qa.analyze import analyze
from qa.answer import Answer
from qa.compose import guard
from qa.scope import Asked, FactBase, documents_for
from qa.strategies import first_answer
from qa.typos import correct_slip, one_edit, to_simplified


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> FactBase:
    store = FactStore(tmp_path_factory.mktemp("facts") / "facts.sqlite")
    for path in [*sorted(PDF_DIR.glob("*.pdf")), SEED]:
        doc = corpus.load(Path(path))
        store.replace_document(doc, document_facts(doc))
    return FactBase.of(store.facts(), {d.doc_id: d for d in store.documents()})


def ask(base: FactBase, question: str, doc_ids: set[str] | None = None) -> Answer:
    q = analyze(question)
    docs, reason = documents_for(q, base.documents, doc_ids)
    assert reason is None, reason
    return guard(first_answer(Asked.over(q, base, docs, time.perf_counter(), lambda *a, **k: [])))


def seed_id(base: FactBase) -> str:
    return next(d for d in base.documents if d.startswith("2024_wuhan"))


# ---------------------------------------------------------------------------- the whole budget

@pytest.mark.parametrize("question,value,unit,table", [
    ("万里街道2024年预算是多少？", "156211123", "元", "表1"),
    ("万里街道2024年部门预算一共多少钱？", "156211123", "元", "表1"),
    ("江苏省高级人民法院2019年预算一共多少钱？", "37188.34", "万元", "公开01表"),
    # the department's name contains 法院: never the 20405 法院 row
    ("江苏省高级人民法院2019年部门预算是多少？", "37188.34", "万元", "公开01表"),
    ("江苏省高级人民法院2019年预算总额是多少？", "37188.34", "万元", "公开01表"),
])
def test_generic_question_is_the_total_budget(base, question, value, unit, table):
    a = ask(base, question)
    assert (a.kind, a.value, a.unit) == ("lookup", D(value), unit)
    assert a.citations[0].table.startswith(table)
    rows = {c.row for c in a.citations}
    assert rows >= {"收入合计", "支出合计"} or rows >= {"收入总计", "支出总计"}


@pytest.mark.parametrize("question", ["预算是多少", "这个部门预算是多少", "预算一共多少钱", "预算总额", "收支总预算"])
def test_generic_question_on_the_seed_is_never_a_project_figure(base, question):
    a = ask(base, question, {seed_id(base)})
    assert (a.kind, a.value, a.unit) == ("lookup", D("45084.94"), "万元")  # not 25 万元 from a project form
    assert a.citations[0].table.startswith("附表1")


def test_another_years_total_is_never_a_project_forms_column(base):
    seed = {seed_id(base)}
    a = ask(base, "2023年预算是多少", seed)                  # from 2024's total and the printed change
    assert (a.kind, a.value) == ("computed", D("76231.20"))
    a = ask(base, "2022年预算是多少", seed)                  # no 2022 total anywhere: not a project's 25 万元
    assert a.kind == "not_found" and "2022" in (a.reason or "")
    a = ask(base, "综合管理工作经费2022年预算安排了多少？", seed)  # a named project's history still answers
    assert (a.kind, a.value) == ("lookup", D("380"))


def test_generic_question_over_several_documents_answers_each(base):
    a = ask(base, "预算是多少")
    assert a.value is None and "156,211,123" in a.answer and "37,188.34" in a.answer and "45,084.94" in a.answer


def test_a_named_metric_is_not_generic(base):
    a = ask(base, "万里街道2024年项目支出预算是多少？")
    assert a.value == D("56505103")


# ---------------------------------------------------------------------------- 水电费 = 水费 + 电费

def test_colloquial_name_for_two_items_is_their_sum(base):
    a = ask(base, "万里街道2024年的水电费预算是多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("557500"), "元")
    assert "277,500 + 280,000 = 557,500" in (a.formula or "")
    assert {c.row for c in a.citations} == {"30205 水费", "30206 电费"}


def test_colloquial_sum_in_a_wan_yuan_table(base):
    a = ask(base, "江苏省高级人民法院2019年基本支出中的水电费合计多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("290.00"), "万元")


def test_a_named_item_is_not_summed(base):
    a = ask(base, "万里街道2024年电费是多少？")
    assert (a.kind, a.value) == ("lookup", D("280000"))


# ---------------------------------------------------------------------------- script and slips

def test_traditional_characters():
    assert to_simplified("公務接待費") == "公务接待费"
    assert to_simplified("一般公共預算財政撥款") == "一般公共预算财政拨款"
    assert to_simplified("公务接待费") == "公务接待费"


def test_traditional_question_is_answered(base):
    a = ask(base, "万里街道2024年公務接待費是多少？")
    assert (a.value, a.unit) == (D("1.35"), "万元")


def test_one_edit():
    assert one_edit("公务接侍费", "公务接待费")       # substitution
    assert one_edit("公务接费", "公务接待费")         # a missing character
    assert not one_edit("公务接待费", "公务接待费")   # the same
    assert not one_edit("会务接侍费", "公务接待费")   # two edits


def test_slip_is_corrected_only_when_unique_and_long():
    assert correct_slip("今年公务接侍费是多少", ["公务接待费", "会议费"]) == ("公务接侍费", "公务接待费")
    assert correct_slip("今年会以费是多少", ["会议费"]) is None          # too short to guess
    assert correct_slip("今年行政运营是多少", ["行政运行", "行政运转"]) is None  # two names fit: ask, don't guess


def test_slip_answer_says_how_it_was_read(base):
    a = ask(base, "万里街道2024年公务接侍费是多少？")
    assert (a.value, a.unit) == (D("1.35"), "万元")
    assert "按文件中的“公务接待费”理解" in a.answer


# ---------------------------------------------------------------------------- 元 tables

def test_code_lookup_in_a_yuan_table_asked_in_wan_yuan(base):
    a = ask(base, "万里街道2024年30201办公费是多少万元？")
    assert (a.value, a.unit) == (D("4755518"), "元")          # the printed figure
    assert a.formula == "4,755,518 元 = 475.5518 万元"           # and the conversion shown


def test_function_code_with_spaces_in_a_yuan_table(base):
    a = ask(base, "万里街道2024年212 01 01行政运行是多少？")
    assert (a.value, a.unit) == (D("16603248"), "元")


# ---------------------------------------------------------------------------- standard code names

def test_standard_names():
    assert standard("2010102").name == "一般行政管理事务"
    assert standard("212 01 01").name == "行政运行"
    assert standard("30231").name == "公务用车运行维护费"
    assert standard_names("2010102", "一般行政事务管理") == ("一般行政管理事务",)
    assert "公务用车运行维护费" in standard_names("30231", "公务用车运行费")
    # 30311 was 住房公积金 before the 2018 renumbering: a code alone never renames a row
    assert standard_names("30311", "住房公积金") == ()
    assert not is_variant("行政运行", "事业运行")


def test_question_with_a_variant_name_finds_the_standard_row(base):
    a = ask(base, "万里街道2024年2120102一般行政事务管理是多少？")
    assert a.kind == "lookup" and a.citations[0].row == "2120102 一般行政管理事务"


@pytest.mark.parametrize("question,operation", [
    ("一般公共预算财政拨款支出决算减年初预算是多少", "difference"),
    ("住房公积金决算数减去全年预算数是多少", "difference"),
    ("公务接待费比上年减少了多少", "change"),
    ("减免的税费是多少", "lookup"),
    ("增减变化情况是什么", "prose"),
])
def test_one_figure_less_another_is_a_difference(question, operation):
    from qa.analyze import detect_operation
    assert detect_operation(question) == operation
