"""Computed answers over the real PDFs: several years' budgets (a sum over the years, a
difference, a growth rate, each year's figure from its own document), a share of the whole
budget, and a sum of two named items."""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal as D
from functools import cache
from pathlib import Path

import pytest

import corpus
from corpus.facts import DocumentInfo, document_facts
from qa.analyze import analyze, read_years
from qa.answer import Answer
from qa.scope import Asked, FactBase, documents_for
from qa.strategies import first_answer
from qa.totals import names_whole_budget

EXTRA = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"
FAYUAN = ("jiangsu_gaoji_fayuan_2017_bumen_yusuan.pdf", "jiangsu_gaoji_fayuan_2018_bumen_yusuan.pdf",
          "06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf")
WANLI = ("shanghai_putuo_wanli_jiedao_2023_bumen_yusuan.pdf", "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf")


@cache
def base(*names: str) -> FactBase:
    docs = [corpus.load(EXTRA / n) for n in names]
    facts = [replace(f, id=i + 1) for i, f in enumerate(f for d in docs for f in document_facts(d))]
    return FactBase.of(facts, {d.doc_id: DocumentInfo.of(d) for d in docs})


def answer(names: tuple[str, ...], question: str) -> Answer:
    fb = base(*names)
    q = analyze(question)
    docs, reason = documents_for(q, fb.documents, None)
    assert reason is None, reason
    return first_answer(Asked.over(q, fb, docs, time.perf_counter(), lambda *a, **k: []))


@pytest.mark.parametrize("text,years", [
    ("江苏省高院2017年到2019年三年的部门预算总额合计是多少", (2017, 2018, 2019)),
    ("省法院2017、2018、2019三年的“三公”经费", (2017, 2018, 2019)),
    ("2023-2025年", (2023, 2024, 2025)),
    ("2017年、2018年和2019年", (2017, 2018, 2019)),
    ("2025年比2023年", (2025, 2023)),
    # a code, a sum of money and a document number are no years
    ("功能科目2010101行政运行", ()),
    ("2019.5万元", ()),
])
def test_the_years_of_a_list_or_a_range_are_all_named(text, years):
    assert read_years(text) == years


@pytest.mark.parametrize("text,whole", [
    ("预算总额", True), ("部门预算总额", True), ("收支总预算", True), ("支出总计", True), ("全部支出", True),
    ("一般公共预算", False), ("财政拨款预算总额", False), ("项目支出", False), ("“三公”经费预算", False),
])
def test_the_whole_budget_is_told_from_its_parts(text, whole):
    assert names_whole_budget(text) is whole


def test_a_sum_over_three_years_takes_each_years_own_total():
    a = answer(FAYUAN, "江苏省高院2017年到2019年三年的部门预算总额合计是多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("99209.87"), "万元")
    assert a.formula is not None and "28,849.38" in a.formula and "33,172.15" in a.formula and "37,188.34" in a.formula
    assert len({c.doc_id for c in a.citations}) == 3


def test_a_sum_over_years_of_a_metric():
    # the 三公 小计 of each year, not the 合计 column that adds 会议费 and 培训费
    a = answer(FAYUAN, "省法院2017、2018、2019三年的“三公”经费预算一共多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("1804.62"), "万元")


def test_a_growth_rate_of_the_whole_budget_is_not_a_difference():
    a = answer(FAYUAN, "江苏省高级人民法院2019年预算总额比2017年增长了百分之多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("28.91"), "%")


def test_a_difference_of_the_whole_budget_in_the_unit_asked():
    a = answer(WANLI, "万里街道2025年的预算总额比2023年增加了多少元？")
    assert (a.kind, a.value, a.unit) == ("computed", D("24788911"), "元")
    assert {(c.table or "").split("/")[0] for c in a.citations} == {"表1"}


def test_a_metric_missing_in_a_year_gives_no_sum():
    a = answer(FAYUAN, "省法院2017、2018、2019三年的会议室一共多少？")
    assert a.kind == "not_found"


def test_a_share_of_the_whole_budget_divides_by_the_收支总表_total():
    # the 政府采购预算表 prints a 总计 (3,742.40) too: a share of it would be a wrong figure
    a = answer(FAYUAN[:1], "省法院2017年住房保障支出占支出总计的比例是多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("10.36"), "%")
    assert a.formula is not None and "28,849.38" in a.formula
    b = answer(WANLI[1:], "万里街道2025年项目支出占全部支出的比例是多少？")
    assert (b.kind, b.value) == ("computed", D("46.60"))


def test_two_named_items_and_a_phase_before_多少_are_a_sum():
    a = answer(WANLI[:1], "万里街道2023年水费和电费合计预算多少？")
    assert (a.kind, a.value, a.unit) == ("computed", D("852500"), "元")


def test_a_change_is_signed_the_way_the_question_asks():
    # 办公费 fell from 5,811,753 元 (2023) to 4,333,478 元 (2025)
    fell = answer(WANLI, "万里街道2025年办公费比2023年减少了多少？")
    assert (fell.kind, fell.value, fell.unit) == ("computed", D("1478275"), "元")
    grew = answer(WANLI, "万里街道2025年办公费比2023年增长了百分之多少？")
    assert (grew.kind, grew.value, grew.unit) == ("computed", D("-25.44"), "%")
    assert "下降 25.44%" in grew.answer


def test_the_metric_keeps_a_code_that_starts_like_a_year():
    from qa.years import _clean
    assert _clean("2019年行政运行(2010101)") == "行政运行(2010101)"
    assert _clean("2017年到2019年三年的部门预算总额") == "部门预算总额"


def test_years_of_two_departments_are_not_added_up():
    fayuan, wanli = base(*FAYUAN), base(*WANLI)
    shift = max(f.id for f in fayuan.facts)
    fb = FactBase.of(list(fayuan.facts) + [replace(f, id=f.id + shift) for f in wanli.facts],
                     {**fayuan.documents, **wanli.documents})
    q = analyze("2017年和2023年的公务接待费合计多少？")  # no department: 2017 is the court's, 2023 the 街道's
    docs, _ = documents_for(q, fb.documents, None)
    a = first_answer(Asked.over(q, fb, docs, time.perf_counter(), lambda *a, **k: []))
    assert a.kind != "computed" and a.value is None


GUIHUA = ("shanghai_putuo_guihua_ziyuan_2024_bumen_juesuan.pdf",)


def test_one_part_never_answers_a_sum_of_parts():
    # "…货物采购金额 122.43万元、工程采购金额 1387.72 万元、服务采购金额 809.07 万元": the sum of 工程
    # and 服务 is not the 服务 figure (the 和 of 规划和自然资源局 joins no two items), but both
    a = answer(GUIHUA, "普陀区规划和自然资源局2024年政府采购中工程和服务采购金额合计多少？")
    assert (a.kind, a.value) == ("computed", D("2196.79")), a.answer
    # a row whose own name holds the join is the whole: 302 商品和服务支出, 208 社会保障和就业支出
    a = answer(("06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf",), "江苏省高级人民法院2019年商品和服务支出合计是多少")
    assert (a.kind, a.value) == ("lookup", D("3580.05"))
    a = answer(("06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf",), "江苏省高级人民法院2019年社会保障和就业支出合计是多少")
    assert (a.kind, a.value) == ("lookup", D("2355.65"))
