"""The answer engine on the seed: each kind of answer with real values, determinism, bad input."""

from __future__ import annotations

import json
from decimal import Decimal as D

import pytest

from qa.__main__ import main as qa_main
from qa.answer import Answer, Citation
from qa.compose import guard


def ask(engine, question):
    return engine.answer(question)


def test_lookup_cites_the_table_designed_for_the_metric(engine):
    a = ask(engine, "公务接待费是多少")
    assert (a.kind, a.value, a.unit) == ("lookup", D("0.50"), "万元")
    assert a.citations[0].table == "附表7"
    assert a.citations[0].section == "附表7 一般公共预算“三公”经费支出表"
    assert a.citations[0].column == "公务接待费"
    # the same figure is printed in 附表6 and in the narrative: all are cited
    assert {c.table for c in a.citations} >= {"附表7", "附表6"}
    assert any(c.table is None and "七、一般公共预算“三公”经费支出安排情况" in c.section for c in a.citations)
    assert "0.50 万元" in a.answer


@pytest.mark.parametrize("question,value,unit,table", [
    ("邮电费是多少", "22.61", "万元", "附表6"),
    ("2089999是多少", "9.76", "万元", "附表3"),
    ("一般行政管理事务的项目支出是多少", "625.55", "万元", "附表3"),
    ("一般行政管理事务支出合计是多少", "859.94", "万元", "附表3"),
    ("政府采购预算表中采购金额合计是多少元", "693000.00", "元", "附表11"),
    ("收支总表中本年支出合计是多少", "45084.94", "万元", "附表1/支出"),
])
def test_lookups(engine, question, value, unit, table):
    a = ask(engine, question)
    assert (a.kind, a.value, a.unit) == ("lookup", D(value), unit)
    assert a.citations[0].table == table


def test_column_qualifier_picks_the_column_not_the_total(engine):
    a = ask(engine, "一般行政管理事务的项目支出是多少")
    assert a.value == D("625.55") and a.citations[0].column == "项目支出"
    assert a.citations[0].row == "2010302 一般行政管理事务"


def test_narrative_count_cites_the_sentence(engine):
    a = ask(engine, "在职人员中事业编制有几人")
    assert (a.kind, a.value, a.unit) == ("lookup", D("1"), "人")
    assert a.citations[0].section.startswith("第一部分")
    assert "在职实有人数 19 人" in a.citations[0].text


def test_max_over_function_classes(engine):
    a = ask(engine, "哪一类功能支出最多")
    assert (a.kind, a.value, a.unit) == ("computed", D("22336.53"), "万元")
    assert "城乡社区支出" in a.answer
    assert a.formula and "科学技术支出" in a.formula


def test_ratio_shows_formula_and_cites_inputs(engine):
    a = ask(engine, "公务接待费占“三公”经费的比例是多少")
    assert (a.kind, a.value, a.unit) == ("computed", D("9.03"), "%")
    assert "0.50 ÷ 5.54" in a.formula
    assert len(a.citations) == 2


def test_sum_of_named_items(engine):
    a = ask(engine, "水费和电费合计多少？")
    assert (a.kind, a.value) == ("computed", D("34.41"))
    assert "2.26 + 32.15" in a.formula


def test_last_year_from_this_year_and_the_printed_change(engine):
    a = ask(engine, "2023年行政运行预算是多少？")
    assert (a.kind, a.value) == ("computed", D("535.17"))
    assert "535.83 − 0.66" in a.formula


def test_printed_change_against_last_year(engine):
    a = ask(engine, "机关事业单位基本养老保险缴费支出比2023年预算增加了多少？")
    assert (a.kind, a.value, a.unit) == ("lookup", D("14.49"), "万元")


def test_project_form_field(engine):
    a = ask(engine, "企业服务专项经费的项目负责人是谁？")
    assert a.kind == "passage" and "张亮" in a.answer
    assert a.citations[0].table == "附表14"


def test_prose_definition_quotes_the_glossary(engine):
    a = ask(engine, "什么是基本支出？")
    assert a.kind == "passage" and a.value is None
    assert "保障机构正常运转" in a.answer
    assert a.citations[0].section.startswith("第四部分")


@pytest.mark.parametrize("question,reason", [
    ("2030年的公务接待费是多少", "2030"),
    ("武汉经开区教育局2024年的“三公”经费是多少？", "教育局"),
    ("单位有几间会议室？", "没有找到"),
    ("主任的年薪是多少？", "没有找到"),
    # the 2024 budget prints no 2023 公务接待费: never this year's 0.50 for 上年 / 去年
    ("上年公务接待费是多少", "没有找到"),
    ("去年的“三公”经费是多少", "没有找到"),
])
def test_not_found_says_why_and_states_no_figure(engine, question, reason):
    a = ask(engine, question)
    assert a.kind == "not_found" and a.value is None
    assert reason in a.answer


def test_english_question_gets_the_same_figure(engine):
    en, zh = ask(engine, "How much is the official reception expense?"), ask(engine, "公务接待费是多少")
    assert (en.kind, en.value, en.unit) == (zh.kind, zh.value, zh.unit)
    assert en.citations[0].table == zh.citations[0].table


def test_same_question_same_answer(engine):
    first = ask(engine, "一般公共服务支出是多少").to_dict()
    second = ask(engine, "一般公共服务支出是多少").to_dict()
    first.pop("timings"), second.pop("timings")
    assert first == second


@pytest.mark.parametrize("question", [
    "", "   ", "？？？！！", "公" * 5000, "'; DROP TABLE facts; --", "公务接待费 how much是多少 ¿",
    "1' OR '1'='1", "\x00\x01", "<script>alert(1)</script>",
])
def test_bad_input_never_crashes(engine, question):
    a = ask(engine, question)
    assert a.kind in ("lookup", "computed", "passage", "not_found")
    assert a.answer


def test_sql_looking_text_does_not_reach_sql(engine):
    # the question's words reach the fact store's name index only as parameters
    before = engine.live_index.current().store.count()
    ask(engine, "公务接待费'; DELETE FROM facts; --")
    engine.reload()
    assert engine.live_index.current().store.count() == before > 0


def test_guard_refuses_a_number_no_source_states():
    cite = Citation("doc", "doc", "附表7 …", "附表7", None, "公务接待费", "公务接待费 0.50", "f.txt, line 1", D("0.50"), "万元")
    bad = Answer("q", "公务接待费：0.80 万元", "lookup", D("0.80"), "万元", (cite,))
    checked = guard(bad)
    assert checked.kind == "not_found" and "0.80" in checked.reason
    good = Answer("q", "公务接待费：0.50 万元（来源：附表7）", "lookup", D("0.50"), "万元", (cite,))
    assert guard(good) is good


def test_json_fields_are_the_public_contract(engine):
    data = ask(engine, "公务接待费是多少").to_dict()
    assert set(data) >= {"question", "answer", "kind", "value", "unit", "citations", "candidates", "timings"}
    assert data["value"] == 0.5 and data["unit"] == "万元"
    assert set(data["citations"][0]) >= {"document", "section", "table", "row", "column", "text", "location"}
    json.dumps(data, ensure_ascii=False)


def test_cli_ask_json_and_stdin(seed_index, capsys, monkeypatch):
    assert qa_main(["ask", "--json", "--index", str(seed_index), "邮电费是多少"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["value"] == 22.61 and data["citations"][0]["table"] == "附表6"
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("邮电费是多少\n\n2030年的公务接待费\n"))
    assert qa_main(["ask", "--json", "--index", str(seed_index)]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["kind"] for d in lines] == ["lookup", "not_found"]


def test_cli_readable_output_lists_sources(seed_index, capsys):
    assert qa_main(["ask", "--index", str(seed_index), "公务接待费是多少"]) == 0
    out = capsys.readouterr().out
    assert "0.50 万元" in out and "[1]" in out and "附表7" in out


def test_a_question_about_an_empty_table_says_so_and_cites_it(engine):
    a = ask(engine, "国有资本经营预算支出表的合计是多少")
    assert a.kind == "lookup" and (a.value, a.unit) == (D("0"), "万元")  # an empty table reports zero
    assert "为空表" in a.answer and a.citations[0].table == "附表9"
    assert a.citations[0].text.endswith("此表为空表")


def test_a_figure_asked_in_another_unit_is_converted_exactly(engine):
    a = ask(engine, "差旅费是多少元")
    assert (a.value, a.unit) == (D("9.54"), "万元")  # the printed figure stays the answer
    assert "95,400.00 元" in a.answer and a.formula == "9.54 万元 = 95,400.00 元"
    b = ask(engine, "政府采购预算表中采购金额合计是多少万元")
    assert (b.value, b.unit) == (D("693000.00"), "元") and "69.30 万元" in b.answer
