"""General rules found with the third and fourth blind sets (multi-fresh3 on the held-out four,
multi-fresh4 on the development documents), each checked here in other words or about other
items, with the figures the PDFs print."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import gold_set_engine


@pytest.fixture(scope="module")
def engine():
    return gold_set_engine("multi-dev")  # the same corpus as every multi-document set


@pytest.mark.parametrize("question,value,unit", [
    # what a count counts, without its 下属 (p.4 "下属 5 家预算单位"), or the noun before 共 N 家
    ("万里街道2025年下属有几家预算单位", "5", "家"),
    ("江苏省高级人民法院2019年纳入预算编制范围的预算单位有几家", "2", "家"),
    # 江苏人大 / 江苏政协: the 办公厅 that publishes the 人大常委会's / 政协's budget
    ("江苏人大2019年政府采购里办公设备购置费是多少", "53.10", "万元"),
    ("江苏政协2018年提租补贴预算是多少", "1107.6", "万元"),
    # "政府采购里/中X": X of the 政府采购 table (表十二), the words name the table, not a figure
    ("江苏高院2017年政府采购中信息网络建设维护费安排了多少", "274.00", "万元"),
    # a heading the text layer glued to its sentence (十、…情况说明2017 年本部门…机关运行经费预算支出)
    ("省检察院2017年机关运行经费较上年增加了多少", "3401.59", "万元"),
    # "X增加了多少" asks for the printed change, with or without 比上年
    ("省高院2017年扶贫经费预算增加了多少", "50", "万元"),
    # 万 alone before 用于 is 万元 ("综合管理费专项增加209万用于办公用房租赁")
    ("江苏人大2019年综合管理费专项增加了多少", "209", "万元"),
    # a total said without its amount word (政府采购预算总金额)
    ("省检察院2017年政府采购预算是多少", "2889.8", "万元"),
    # a 基本支出 row named by its 经济分类 is 人员 or 公用 by the standard's classes: 301 is 人员经费
    # (表六/表九, not 表十 机关运行经费's 301)
    ("省检察院2017年基本支出中的工资福利支出（人员经费）是多少", "5343.83", "万元"),
])
def test_figures(engine, question, value, unit):
    a = engine.answer(question)
    assert a.kind == "lookup" and (a.value, a.unit) == (Decimal(value), unit), a.answer


@pytest.mark.parametrize("question,value,unit,formula", [
    # four quarters printed side by side (第一…第四季度用款计划, 158.05 万元 each)
    ("万里街道2024年社区公共服务中心新建工程各季度用款计划合计多少", "632.20", "万元", "158.05 + 158.05 + 158.05 + 158.05"),
    # the part said in the whole's words: 服务 of 政府采购 (926.09 ÷ 1,281.76)
    ("江苏省政协办公厅2018年政府采购预算中服务占多大比例", "72.25", "%", "926.09 ÷ 1,281.76"),
    # the other side of "比" in the first side's context (政府采购里 … 服务)
    ("江苏省政协办公厅2018年政府采购里，货物比服务少多少", "570.42", "万元", "926.09 − 355.67"),
    # 加 joins two items (表8 p.30: 30211 差旅费 80,000, 30215 会议费 30,000)
    ("万里街道2024年差旅费加会议费一共多少", "110000", "元", "80,000 + 30,000"),
    # two phases of one item: a difference, not a change over a year (3,110.14 − 2,739.56)
    ("普陀区规划资源局2024年城乡社区规划与管理（项）决算比年初预算少了多少", "-370.58", "万元", "2,739.56 − 3,110.14"),
])
def test_computed(engine, question, value, unit, formula):
    a = engine.answer(question)
    assert a.kind == "computed" and (a.value, a.unit) == (Decimal(value), unit), a.answer
    assert formula in (a.formula or ""), a.formula


@pytest.mark.parametrize("question,reason", [
    # a unit inside the department has no budget of its own in these documents
    ("江苏省高级人民法院下属的徐州铁路运输法院2018年预算是多少", "徐州铁路运输法院"),
    # two of four quarters is not what the document prints side by side: never one quarter's figure
    ("万里街道2024年社区公共服务中心新建工程两个季度用款计划合计多少", "4项"),
])
def test_refused(engine, question, reason):
    a = engine.answer(question)
    assert a.kind == "not_found" and a.value is None and reason in a.answer, a.answer


def test_spoken_why_and_a_building_projects_final_account():
    from qa.analyze import analyze

    assert analyze("增加了多少").operation == "change" and analyze("加班费是多少").operation == "lookup"

    assert analyze("公务接待费为啥减少").operation == "prose"
    q = analyze("竣工决算审计由谁负责")
    assert q.phase != "决算"  # a building project's final account, not the budget's 决算


def test_a_why_question_in_spoken_words(engine):
    a = engine.answer("省检察院2017年公务接待费为啥比上年少了？")
    assert a.kind == "passage" and "八项规定" in a.answer, a.answer


def test_a_said_direction_makes_either_sign_right():
    from dataclasses import replace

    from evaluation.gold import GoldQuestion
    from evaluation.metrics import value_matches

    gold = GoldQuestion(id="t", question="X决算比年初预算少了多少？", category="computed", document="d",
                        expected_sources=(), expected_value=Decimal("60.66"), expected_unit="万元")
    assert value_matches(gold, Decimal("-60.66"), "万元") and value_matches(gold, Decimal("60.66"), "万元")
    plain = replace(gold, question="X决算减年初预算是多少？")  # the sign is the answer's
    assert not value_matches(plain, Decimal("-60.66"), "万元")
