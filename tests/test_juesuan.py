"""决算 (final accounts): the phase a question asks for, the phase filter over facts, the
execution rate and 决算 − 预算, and the refusal that only holds when no 决算 is loaded. Real
values from 上海市普陀区规划和自然资源局 2024 年度部门决算."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pytest

from corpus.facts import DocumentInfo, Fact, FactKind
from qa.analyze import analyze
from qa.linker import phase_fits
from qa.scope import Asked, documents_for, no_execution_figures

EXTRA = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"
JUESUAN = EXTRA / "shanghai_putuo_guihua_ziyuan_2024_bumen_juesuan.pdf"
DEPT = "普陀区规划和自然资源局"


@pytest.mark.parametrize("question,phase", [
    ("三公经费实际支出了多少？", "决算"),
    ("办公费决算数是多少？", "决算"),
    ("公务接待费花了多少钱？", "决算"),
    ("三公经费年初预算是多少？", "年初预算"),
    ("一般公共预算财政拨款支出的调整预算数是多少？", "调整预算"),
    ("公务接待费预算数是多少？", "预算"),
    ("一般公共预算财政拨款收入是多少？", ""),  # 一般公共预算 is a fund, not a phase
    ("一般公共预算财政拨款收入决算是多少？", "决算"),
])
def test_question_phase(question, phase):
    assert analyze(question).phase == phase


def _fact(phase: str) -> Fact:
    return Fact(doc_id="d", kind=FactKind.CELL, value=D("1"), unit="万元", raw="1", phase=phase)


def test_a_final_question_never_gets_a_budget_figure_nor_the_reverse():
    final, budget = analyze("三公经费实际支出了多少"), analyze("三公经费预算数是多少")
    assert phase_fits(final, _fact("决算")) and not phase_fits(final, _fact("年初预算"))
    assert not phase_fits(final, _fact("预算"))
    assert phase_fits(budget, _fact("年初预算")) and not phase_fits(budget, _fact("决算"))
    unsaid = analyze("三公经费是多少")  # a 决算's own figure is its 决算数, never the 年初预算 beside it
    assert phase_fits(unsaid, _fact("决算")) and not phase_fits(unsaid, _fact("年初预算"))


def _info(doc_id: str, doc_type: str) -> DocumentInfo:
    return DocumentInfo(doc_id, f"{DEPT}2024年度部门{doc_type}", f"上海市{DEPT}", 2024, doc_type, "", "")


def _asked(q, documents: dict[str, DocumentInfo], facts: list[Fact]) -> Asked:
    docs, reason = documents_for(q, documents, None)
    assert reason is None, reason
    return Asked(q, facts, {}, documents, frozenset(docs), {d: 2024 for d in docs}, [], 0.0, lambda *a, **k: [])


def test_refusal_only_without_a_final_account():
    q = analyze(f"{DEPT}2024年三公经费实际支出了多少？")
    budget_only = {"b": _info("b", "预算")}
    reason = no_execution_figures(_asked(q, budget_only, [replace(_fact("预算"), doc_id="b")]))
    assert reason and "决算" in reason
    with_final = {**budget_only, "f": _info("f", "决算")}
    assert no_execution_figures(_asked(q, with_final, [])) is None
    # a 预算 whose 编制说明 states an execution ("2023年当年预算执行数为 1899.77 万元") answers it
    assert no_execution_figures(_asked(q, budget_only, [replace(_fact("决算"), doc_id="b")])) is None
    # the word 决算 itself needs a 决算
    docs, reason = documents_for(analyze(f"{DEPT}2024年三公经费决算数是多少？"), budget_only, None)
    assert not docs and reason and "决算" in reason


@pytest.fixture(scope="module")
def juesuan_engine(tmp_path_factory):
    from index.config import IndexConfig
    from index.store import build_index
    from qa import Engine

    out = tmp_path_factory.mktemp("juesuan-index") / "index"
    build_index([JUESUAN], out, IndexConfig.from_env(), show_bars=False)
    return Engine(out)


@pytest.mark.parametrize("question,value,unit", [
    (f"{DEPT}2024年“三公”经费实际支出了多少？", "0.39", "万元"),
    (f"{DEPT}2024年“三公”经费年初预算是多少？", "2.85", "万元"),
    (f"{DEPT}2024年“行政运行”（2120101）的年初预算是多少？", "1115.48", "万元"),
])
def test_final_account_lookups(juesuan_engine, question, value, unit):
    a = juesuan_engine.answer(question)
    assert (a.kind, a.value, a.unit) == ("lookup", D(value), unit), a.answer


def test_execution_rate_is_computed(juesuan_engine):
    a = juesuan_engine.answer(f"{DEPT}2024年行政运行（2120101）的预算执行率是多少？")
    assert a.value == D("97.97") and a.unit == "%", a.answer


def test_final_minus_budget(juesuan_engine):
    a = juesuan_engine.answer(f"{DEPT}2024年城乡社区规划与管理（项）决算数比年初预算少多少？")
    assert (a.kind, a.value) == ("computed", D("-370.58")), a.answer
    assert "2739.56" in (a.formula or "").replace(",", "") and "3110.14" in (a.formula or "").replace(",", "")


def test_no_adjusted_budget_is_not_found(juesuan_engine):
    a = juesuan_engine.answer(f"{DEPT}2024年一般公共预算财政拨款支出的调整预算数是多少？")
    assert a.kind == "not_found", a.answer
