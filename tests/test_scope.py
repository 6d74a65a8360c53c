"""Which documents a question is about: the department in the forms people write, the year
it names, the kind it names, and one publication printed as two files."""

from __future__ import annotations

import time
from dataclasses import replace
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

import corpus
from corpus.facts import DocumentInfo, document_facts
from qa.analyze import analyze
from qa.scope import Asked, FactBase, documents_for, fixed_spans
from qa.strategies import lookup

EXTRA = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"


def info(doc_id: str, department: str, year: int, kind: str) -> DocumentInfo:
    """A loaded document as the fact store lists it (identities as printed on the real covers)."""
    return DocumentInfo(doc_id, f"{department} {year} 年{kind}", department, year, kind[2:], f"{doc_id}.pdf", "",
                        kind, "", "", f"{department}|{year}|{kind}")


LOADED = {d.doc_id: d for d in [
    info("fayuan_2017", "江苏省高级人民法院", 2017, "部门预算"),
    info("fayuan_2018", "江苏省高级人民法院", 2018, "部门预算"),
    info("fayuan_2019", "江苏省高级人民法院", 2019, "部门预算"),
    info("renda_wenjian", "江苏省人大常委会办公厅", 2019, "部门预算"),
    info("renda_biaoge", "江苏省人大常委会办公厅", 2019, "部门预算"),
    info("shangwuwei_bumen", "上海市普陀区商务委员会", 2025, "部门预算"),
    info("shangwuwei_danwei", "上海市普陀区商务委员会", 2025, "单位预算"),
    info("wanli_2024", "上海市普陀区人民政府万里街道办事处", 2024, "部门预算"),
    info("wanli_2025", "上海市普陀区人民政府万里街道办事处", 2025, "部门预算"),
    info("guihua_2024", "上海市普陀区规划和自然资源局", 2024, "部门决算"),
]}


def scope(question: str) -> set[str]:
    docs, reason = documents_for(analyze(question), LOADED, None)
    assert reason is None, reason
    return docs


@pytest.mark.parametrize("question,docs", [
    ("江苏省高级人民法院2018年公务接待费预算多少？", {"fayuan_2018"}),
    ("省法院2019年项目支出", {"fayuan_2019"}),
    ("按江苏高级法院2018年的预算，项目支出是多少？", {"fayuan_2018"}),
    ("江苏省人民代表大会常务委员会办公厅2019年财政拨款基本支出预算是多少？", {"renda_wenjian", "renda_biaoge"}),
    ("普陀区万里街道办2024年政府采购工程预算是多少？", {"wanli_2024"}),
    ("根据万里街道2025年部门预算，项目支出是多少？", {"wanli_2025"}),
    ("普陀区规划资源局2024年办公费决算数是多少？", {"guihua_2024"}),
])
def test_the_department_and_year_named_pick_the_documents(question, docs):
    assert scope(question) == docs


def test_a_year_with_no_document_of_its_own_stays_open():
    # a 2019 budget prints its 2018 figures: the previous-year strategies need the 2019 file
    assert scope("江苏省人大常委会办公厅上一年（2018年）的收支预算总计是多少？") == {"renda_wenjian", "renda_biaoge"}
    # two years named, two documents: the change across years
    assert scope("万里街道2025年公务接待费比2024年增加了多少？") == {"wanli_2024", "wanli_2025"}


def test_the_kind_named_picks_the_unit_or_the_department_budget():
    assert scope("上海市普陀区商务委员会2025年单位预算里科学技术支出是多少？") == {"shangwuwei_danwei"}
    assert scope("普陀区商务委2025年本级的科学技术支出是多少？") == {"shangwuwei_danwei"}
    assert scope("普陀区商务委员会2025年部门预算中科学技术支出是多少？") == {"shangwuwei_bumen"}
    # the department's name alone means its 部门预算
    assert scope("上海市普陀区商务委员会2025年机关运行经费预算是多少？") == {"shangwuwei_bumen"}


def test_a_department_that_is_not_loaded_is_not_found_with_the_reason():
    docs, reason = documents_for(analyze("南京市中级人民法院2019年公务接待费是多少"), LOADED, None)
    assert docs == set() and reason is not None and "南京市中级人民法院" in reason


def test_two_departments_equally_named_are_both_kept():
    loaded = {**LOADED, "jingan": info("jingan", "上海市静安区商务委员会", 2025, "部门预算")}
    docs, _ = documents_for(analyze("商务委员会2025年的三公经费"), loaded, None)
    assert docs == {"shangwuwei_bumen", "jingan"}


def test_another_name_in_brackets_is_the_same_department():
    q = analyze("普陀区经委（商务委员会本级）2025年单位预算的住房保障支出是多少？")
    covered = {k for a, b in fixed_spans(q, LOADED, {"shangwuwei_danwei"}) for k in range(a, b)}
    assert all(k in covered for k in range(q.expanded.index(")") + 1))
    # a metric before a bracketed department is still the metric
    q = analyze("公务接待费（万里街道2024年）是多少？")
    covered = {k for a, b in fixed_spans(q, LOADED, {"wanli_2024"}) for k in range(a, b)}
    assert 0 not in covered


def test_the_department_words_are_fixed_with_their_opener():
    q = analyze("根据江苏省高级人民法院2019年部门预算，住房保障支出是多少？")
    spans = fixed_spans(q, LOADED, {"fayuan_2019"})
    covered = {k for a, b in spans for k in range(a, b)}
    assert all(k in covered for k in range(len("根据江苏省高级人民法院")))
    assert q.expanded.index("住房保障") not in covered


# ------------------------------------------------------------------ over real facts

@cache
def base(*names: str) -> FactBase:
    docs = [corpus.load(EXTRA / n) for n in names]
    facts = [replace(f, id=i + 1) for i, f in enumerate(f for d in docs for f in document_facts(d))]
    return FactBase.of(facts, {d.doc_id: DocumentInfo.of(d) for d in docs})


def ask(fb: FactBase, question: str) -> Asked:
    q = analyze(question)
    docs, reason = documents_for(q, fb.documents, None)
    assert reason is None, reason
    return Asked.over(q, fb, docs, time.perf_counter(), lambda *a, **k: [])


def test_the_courts_name_is_not_the_row_法院():
    fb = base("jiangsu_gaoji_fayuan_2017_bumen_yusuan.pdf")
    # 20405 法院 is a 功能分类 row (23,513.11 万元); 江苏省高级人民法院 names the document
    answer = lookup(ask(fb, "江苏省高级人民法院2017年部门预算是多少"))
    assert answer is None or answer.value != Decimal("23513.11")
    asked_row = lookup(ask(fb, "江苏省高院2017年法院支出是多少"))
    assert asked_row is not None and asked_row.value == Decimal("23513.11")


def test_one_publication_in_two_files_is_one_answer():
    fb = base("jiangsu_renda_changweihui_2019_bumen_yusuan_wenjian.pdf", "jiangsu_renda_changweihui_2019_bumen_yusuan_biaoge.pdf",
              "06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf")
    one = lookup(ask(fb, "江苏省人大常委会办公厅2019年公务接待费是多少"))
    assert one is not None and one.value == Decimal("384.75")
    assert {c.doc_id for c in one.citations} <= {"jiangsu_renda_changweihui_2019_bumen_yusuan_wenjian",
                                                 "jiangsu_renda_changweihui_2019_bumen_yusuan_biaoge"}
    # no department named: one figure per budget — two budgets, not three files
    per = lookup(ask(fb, "2019年公务接待费是多少"))
    assert per is not None and per.value is None
    assert per.answer.count("年部门预算：") == 2 and "384.75" in per.answer and "86.95" in per.answer
