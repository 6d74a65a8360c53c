"""What a count in prose counts, with real values from 江苏省政协办公厅 2018 年部门预算
(evaluation/corpora/extra): "现有处室 21 个", "…办公室 9 名在职人员人员经费"."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

import corpus
from corpus.facts import Fact, FactKind, document_facts

EXTRA = Path(__file__).resolve().parents[1] / "evaluation" / "corpora" / "extra"


@pytest.fixture(scope="module")
def facts() -> list[Fact]:
    doc = corpus.load(EXTRA / "jiangsu_zhengxie_bangongting_2018_bumen_yusuan_wenjian.pdf")
    return [f for f in document_facts(doc) if f.kind == FactKind.NARRATIVE]


def test_a_count_after_what_the_department_has_counts_that(facts):
    # "本部门内设机构包括省政协办公厅、研究室和 10 个专门委员会，现有处室 21 个。"
    f = next(f for f in facts if f.value == D(21) and f.unit == "个")
    assert (f.subject, f.context) == ("现有处室", "处室")


def test_people_counted_are_the_staff_the_figure_names(facts):
    # "本部门预算还包括江苏省联谊俱乐部 8 名在职人员、南京中国近代史遗址博物馆管理建设办公室 9 名在职人员人员经费。"
    f = next(f for f in facts if f.value == D(9) and f.unit == "名")
    assert (f.subject, f.context, f.spending) == ("南京中国近代史遗址博物馆管理建设办公室", "在职人员", "人员")


def test_a_letter_spaced_line_is_read_as_words():
    # 上海市普陀区财政局 2025 年部门预算, 四、绩效目标设置情况: a justified line printed letter-spaced
    from corpus.prose import unspaced

    line = "其中：中介机构服务费418.80万元 ， 财 政 业 务 费 10.00 万 元 ， 援 滇 干 部 工 作 经 费 3.00 万 元 。"
    assert unspaced(line) == "其中：中介机构服务费418.80万元，财政业务费 10.00 万元，援滇干部工作经费 3.00 万元。"
    assert unspaced("全年预算为 17.68 万元，支出决算") == "全年预算为 17.68 万元，支出决算"


def test_a_question_about_the_staff_whose_personnel_costs_the_budget_holds(tmp_path):
    import time

    from index.factstore import FactStore
    from qa.analyze import analyze
    from qa.compose import guard
    from qa.scope import Asked, FactBase, documents_for
    from qa.strategies import first_answer

    store = FactStore(tmp_path / "facts.sqlite")
    doc = corpus.load(EXTRA / "jiangsu_zhengxie_bangongting_2018_bumen_yusuan_wenjian.pdf")
    store.replace_document(doc, document_facts(doc))
    base = FactBase.of(store.facts(), {d.doc_id: d for d in store.documents()})
    for question, value, unit in (
            ("江苏省政协办公厅2018年部门预算包含南京中国近代史遗址博物馆管理建设办公室多少名在职人员的人员经费？", 9, "名"),
            ("江苏省政协办公厅2018年现有多少个处室？", 21, "个")):
        q = analyze(question)
        docs, reason = documents_for(q, base.documents, None)
        assert reason is None, reason
        a = guard(first_answer(Asked.over(q, base, docs, time.perf_counter(), lambda *a, **k: [])))
        assert (a.value, a.unit) == (D(value), unit), question


def test_a_count_in_chinese_numerals_is_a_figure():
    # 江苏省人大常委会办公厅 2019 年部门预算（文件）: "…的预算单位共计一家，具体包括：江苏省人大常委会办公厅部门本级。"
    doc = corpus.load(EXTRA / "jiangsu_renda_changweihui_2019_bumen_yusuan_wenjian.pdf")
    units = [f for f in document_facts(doc) if f.kind == FactKind.NARRATIVE and f.unit == "家"]
    assert [(f.value, f.raw) for f in units] == [(D(1), "一家")]
    assert units[0].subject.endswith("预算单位")


def test_chinese_numerals_count_only_after_a_word_that_states_a_count():
    from corpus.prose import chinese_count

    assert chinese_count("一", "预算单位共计") == 1
    assert chinese_count("两", "购置车辆") == 2
    assert chinese_count("十二", "现有处室") == 12
    assert chinese_count("二十", "有") == 20
    assert chinese_count("二十三", "共") == 23
    # slogans and ordinals are no counts: 中央八项规定, 第一个, 作为一个整体
    assert chinese_count("八", "落实中央") is None
    assert chinese_count("一", "第") is None
    assert chinese_count("一", "作为") is None


def test_slogans_in_chinese_numerals_are_no_figures():
    # 江苏省高级人民法院 2018 年部门预算: "…增强“八个本领”…", "…落实中央八项规定成果…", "确保这两项工作…"
    doc = corpus.load(EXTRA / "jiangsu_gaoji_fayuan_2018_bumen_yusuan.pdf")
    assert not [f for f in document_facts(doc) if f.kind == FactKind.NARRATIVE and f.raw[:1] in "一二两三四五六七八九十"]
