"""Whose budget and comparisons as pictures, over the real PDFs: every answer names the
department, year and kind (in its sentence and its JSON); an answer over several departments
is a table of one figure per budget; an answer over several years, or a whole broken into its
parts, is a chart with exact bars and its changes with their formulas."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from decimal import Decimal as D
from functools import cache
from pathlib import Path

import corpus
from corpus.facts import DocumentInfo, document_facts
from qa.analyze import analyze
from qa.answer import Answer, Budget
from qa.budgets import budgets_phrase, named
from qa.catalog import added_document, catalog_html, doc_label, document_choices
from qa.charts import chart_for, chart_html, chart_svg
from qa.compose import guard
from qa.export import answer_folder
from qa.render import answer_markdown
from qa.scope import Asked, FactBase, documents_for
from qa.strategies import first_answer

EXTRA = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"
WANLI = ("shanghai_putuo_wanli_jiedao_2023_bumen_yusuan.pdf", "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf",
         "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf")
PUTUO_2025 = ("shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf", "shanghai_putuo_shangwuwei_2025_bumen_yusuan.pdf",
              "shanghai_putuo_caizhengju_2025_bumen_yusuan.pdf")
WANLI_DEPT = "上海市普陀区人民政府万里街道办事处"


@cache
def load(name: str) -> corpus.BudgetDocument:
    return corpus.load(EXTRA / name)


@cache
def base(*names: str) -> FactBase:
    docs = [load(n) for n in names]
    facts = [replace(f, id=i + 1) for i, f in enumerate(f for d in docs for f in document_facts(d))]
    return FactBase.of(facts, {d.doc_id: DocumentInfo.of(d) for d in docs})


def ask(names: tuple[str, ...], question: str) -> Answer:
    """As `Engine.answer` answers: the first strategy's answer, guarded, then named."""
    fb = base(*names)
    q = analyze(question)
    docs, reason = documents_for(q, fb.documents, None)
    assert reason is None, reason
    return named(guard(first_answer(Asked.over(q, fb, docs, time.perf_counter(), lambda *a, **k: []))), fb.documents)


# ------------------------------------------------------------------------ whose budget

def test_a_seed_answer_names_department_year_and_kind_in_text_and_json(engine):
    a = engine.answer("公务接待费是多少")
    assert a.answer.startswith("据《武汉经济技术开发区智能制造产业园管理办公室 2024 年部门预算》，公务接待费：0.50 万元")
    d = a.to_dict()
    assert d["budgets"] == [{"department": "武汉经济技术开发区智能制造产业园管理办公室", "year": 2024, "kind": "部门预算",
                             "name": "武汉经济技术开发区智能制造产业园管理办公室 2024 年部门预算"}]
    # the old contract is kept: the same fields, in the same shapes
    assert {"question", "answer", "kind", "value", "unit", "citations", "candidates", "formula", "reason",
            "timings"} <= set(d)
    assert d["value"] == 0.5 and d["citations"][0]["table"] == "附表7" and d["figures"] == []


def test_a_not_found_answer_names_no_budget(engine):
    a = engine.answer("火星探测经费是多少")
    assert a.kind == "not_found" and a.budgets == () and not a.answer.startswith("据")


def test_one_departments_years_are_named_once():
    years = [Budget(WANLI_DEPT, y, "部门预算") for y in (2025, 2023, 2024)]
    assert budgets_phrase(years) == f"《{WANLI_DEPT} 2023、2024、2025 年部门预算》"
    two = [Budget("上海市普陀区财政局", 2025, "部门预算"), Budget("上海市普陀区规划和自然资源局", 2024, "部门决算")]
    assert budgets_phrase(two) == "《上海市普陀区财政局 2025 年部门预算》《上海市普陀区规划和自然资源局 2024 年部门决算》"


def test_several_departments_answer_as_a_table_of_one_figure_per_budget():
    a = ask(PUTUO_2025, "2025年公务接待费是多少")
    assert [(f.budget.department, f.budget.year, f.budget.kind, f.value) for f in a.figures] == [
        (WANLI_DEPT, 2025, "部门预算", D("1.35")), ("上海市普陀区商务委员会", 2025, "部门预算", D("1.00")),
        ("上海市普陀区财政局", 2025, "部门预算", D("0.95"))]
    assert [b.name for b in a.budgets] == [f"{WANLI_DEPT} 2025 年部门预算", "上海市普陀区商务委员会 2025 年部门预算",
                                           "上海市普陀区财政局 2025 年部门预算"]
    assert "上海市普陀区商务委员会 2025 年部门预算：1.00 万元" in a.answer and not a.answer.startswith("据")
    md = answer_markdown(a)
    assert "| 部门 | 年度 | 数额 | 来源 |" in md
    assert "| 上海市普陀区财政局 | 2025 年部门预算 | 0.95 万元 | 表9 2025年部门“三公”经费和机关运行经费预算表" in md
    assert "已载入的各份预算分别为" in md and "；上海市普陀区商务委员会" not in md  # the table, not the sentence
    assert json.loads(json.dumps(a.to_dict()))["figures"][1]["value"] == 1.0
    chart = chart_for(a)
    assert chart is not None and chart.kind == "departments"
    assert [(b.label, b.value) for b in chart.bars] == [(WANLI_DEPT, D("1.35")), ("上海市普陀区商务委员会", D("1.00")),
                                                        ("上海市普陀区财政局", D("0.95"))]


# ------------------------------------------------------------------------ charts

def test_year_over_year_chart_has_one_exact_bar_per_year_and_the_changes_with_formulas():
    a = ask(WANLI, "万里街道2023年到2025年的机关运行经费分别是多少")
    assert a.answer == (f"据《{WANLI_DEPT} 2023、2024、2025 年部门预算》，2023—2025年机关运行经费预算数："
                        "2023年 786.09 万元；2024年 443.18 万元；2025年 464.64 万元")
    assert a.formula == "2024年 443.18 − 2023年 786.09 = -342.91；2025年 464.64 − 2024年 443.18 = 21.46"
    assert [c.doc_id for c in a.citations] == ["shanghai_putuo_wanli_jiedao_2023_bumen_yusuan",
                                               "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan",
                                               "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan"]
    chart = chart_for(a)
    assert chart is not None and chart.kind == "years" and chart.unit == "万元"
    assert [(b.label, b.value) for b in chart.bars] == [("2023 年", D("786.09")), ("2024 年", D("443.18")),
                                                        ("2025 年", D("464.64"))]
    assert [c.text for c in chart.changes] == [
        "2024年比2023年减少 342.91 万元（443.18 − 786.09 = -342.91）",
        "2024年比2023年下降 43.62%（（443.18 − 786.09）÷ 786.09 = -43.62%）",
        "2025年比2024年增加 21.46 万元（464.64 − 443.18 = 21.46）",
        "2025年比2024年增长 4.84%（（464.64 − 443.18）÷ 443.18 = 4.84%）",
        "2025年比2023年减少 321.45 万元（464.64 − 786.09 = -321.45）",
        "2025年比2023年下降 40.89%（（464.64 − 786.09）÷ 786.09 = -40.89%）"]
    svg = chart_svg(chart)
    assert svg.count('class="bqa-bar"') == 3 and 'data-value="443.18"' in svg and "2024 年" in svg
    assert "下降 43.62%" in chart_html(chart)


def test_reception_expense_over_three_years_charts_each_years_own_figure():
    a = ask(WANLI, "万里街道2023—2025年公务接待费")
    chart = chart_for(a)
    assert chart is not None
    assert [(b.label, b.value) for b in chart.bars] == [("2023 年", D("1.35")), ("2024 年", D("1.35")), ("2025 年", D("1.35"))]
    assert chart.changes[0].text == "2024年比2023年增加 0.00 万元（1.35 − 1.35 = 0.00）"
    assert len({f.budget for f in a.figures}) == 3


def test_a_change_between_two_years_charts_both_years():
    a = ask(WANLI, "万里街道2025年机关运行经费比2024年增加了多少")
    assert a.kind == "computed" and a.value == D("21.46")
    chart = chart_for(a)
    assert chart is not None and [(b.label, b.value) for b in chart.bars] == [("2024 年", D("443.18")),
                                                                              ("2025 年", D("464.64"))]


def test_the_three_public_expenses_break_into_parts_that_add_up():
    a = ask(WANLI, "万里街道2024年“三公”经费是多少")
    assert a.value == D("47.91")
    assert a.answer.startswith(f"据《{WANLI_DEPT} 2024 年部门预算》，")
    chart = chart_for(a)
    assert chart is not None and chart.kind == "parts"
    assert [(b.label, b.value) for b in chart.bars] == [("因公出国(境)费", D("0")), ("公务接待费", D("1.35")),
                                                        ("公务用车购置及运行费", D("46.56"))]
    assert sum(b.value for b in chart.bars) == a.value
    assert [c.text for c in chart.changes][1:] == ["公务接待费占合计 2.82%（1.35 ÷ 47.91 = 2.82%）",
                                                   "公务用车购置及运行费占合计 97.18%（46.56 ÷ 47.91 = 97.18%）"]
    assert "| 公务接待费 | 1.35 万元 |" in answer_markdown(a)


def test_one_figure_of_one_budget_has_no_chart():
    a = ask(WANLI, "万里街道2024年公务接待费是多少")
    assert a.value == D("1.35") and a.figures == () and chart_for(a) is None and chart_html(None) == ""


# ------------------------------------------------------------------------ the page's list

def test_loaded_budgets_are_listed_by_department_and_filtered():
    docs = [load(n) for n in (*WANLI, "shanghai_putuo_caizhengju_2025_bumen_yusuan.pdf")]
    assert doc_label(docs[1]) == f"{WANLI_DEPT} · 2024 年 · 部门预算"
    # by department, the latest year first
    assert [label for label, _ in document_choices(docs)] == [
        f"{WANLI_DEPT} · 2025 年 · 部门预算", f"{WANLI_DEPT} · 2024 年 · 部门预算", f"{WANLI_DEPT} · 2023 年 · 部门预算",
        "上海市普陀区财政局 · 2025 年 · 部门预算"]
    listed = catalog_html(docs)
    assert "2 个部门，4 份预算" in listed and listed.count("<details") == 2 and listed.count("<li") == 4
    only = catalog_html(docs, "万里街道 2024")
    assert WANLI_DEPT in only and "财政局" not in only and only.count("<li") == 1
    assert "没有与“教育局”相符的预算" in catalog_html(docs, "教育局")
    assert added_document({(d.doc_id, d.sha256) for d in docs[:3]}, docs) == docs[3].doc_id
    assert added_document({(d.doc_id, d.sha256) for d in docs}, docs) is None


def test_download_folders_are_bounded(tmp_path):
    folders = [answer_folder(tmp_path, keep=3) for _ in range(6)]
    left = sorted(p for p in tmp_path.iterdir())
    assert len(left) == 3 and folders[-1] in left and folders[0] not in left
