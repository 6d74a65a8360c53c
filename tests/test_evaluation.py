"""The evaluation harness is itself tested: scoring rules, gold validation, and a runner
pass with a fake engine that writes every report file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pytest
from llama_index.core.schema import TextNode

from evaluation.__main__ import main
from evaluation.baseline import first_quantity, naive_answer
from evaluation.gold import DEV_SET, GoldError, GoldQuestion, load_gold
from evaluation.metrics import (
    Outcome, first_match_rank, mean_reciprocal_rank, normalize_unit, recall_at, score, summarize, tolerance_for,
    to_unit,
)
from evaluation.runner import CONFIGS, parse_configs, run, write_outputs
from qa.answer import Answer, Citation

DOC = "2024_wuhan-jkq_intelligent-manufacturing-park_budget"


def gold(**kw) -> GoldQuestion:
    base = dict(id="t-1", question="问题？", category="lookup", document=DOC, expected_sources=("附表1",))
    return GoldQuestion(**{**base, **kw})


def cite(table: str | None = "附表1/支出", section: str = "第二部分 部门预算表", text: str = "") -> Citation:
    return Citation(document="doc", doc_id=DOC, section=section, table=table, row=None, column=None,
                    text=text, location="file.txt, line 1")


def answer(value=None, unit=None, kind="lookup", text="答案", citations=(cite(),)) -> Answer:
    return Answer("问题？", text, kind, value=value, unit=unit, citations=tuple(citations))


VALUE_GOLD = gold(expected_value=D("90.8"), expected_unit="万元")
NF_GOLD = gold(category="not_found", expected_kind="not_found", expected_sources=())


# --- values and units -------------------------------------------------------------------

def test_wrong_answer_is_wrong_and_a_wrong_figure():
    v = score(VALUE_GOLD, answer(D("90.85"), "万元"))
    assert not v.correct and not v.cited and v.wrong_figure
    assert "wrong figure" in v.reason


def test_unit_converted_answer_is_right():
    g = gold(expected_value=D("693000.0"), expected_unit="元", expected_sources=("附表11",))
    v = score(g, answer(D("69.30"), "万元", citations=[cite("附表11")]))
    assert v.correct and v.cited and not v.wrong_figure


def test_printed_precision_is_the_default_tolerance():
    assert tolerance_for(VALUE_GOLD) == D("0.005")  # 90.8 is printed 90.80
    assert score(VALUE_GOLD, answer(D("90.80"), "万元")).correct
    assert score(VALUE_GOLD, answer(D("908000"), "元")).correct
    assert not score(VALUE_GOLD, answer(D("90.81"), "万元")).correct
    ratio = gold(expected_value=D("9.03"), expected_unit="%", tolerance=D("0.01"))
    assert score(ratio, answer(D("9.025"), "%")).correct
    assert not score(ratio, answer(D("9.05"), "%")).correct


def test_count_units_compare_only_with_themselves():
    assert normalize_unit("名") == normalize_unit("人")
    assert to_unit(D(21), "名", "人") == D(21)
    assert to_unit(D(300), "人", "人次") is None
    assert to_unit(D(2), "辆", "台") is None
    assert to_unit(D(2), None, "万元") is None
    people = gold(expected_value=D(21), expected_unit="名")
    assert score(people, answer(D(21), "人")).correct
    v = score(gold(expected_value=D(2), expected_unit="辆"), answer(D(2), "台"))
    assert not v.correct and v.wrong_figure and "does not compare" in v.reason


# --- not found ---------------------------------------------------------------------------

def test_not_found_on_answerable_question_is_a_miss_not_a_wrong_figure():
    v = score(VALUE_GOLD, answer(kind="not_found", citations=()))
    assert not v.correct and not v.wrong_figure and v.said_not_found


def test_any_value_on_unanswerable_question_is_a_wrong_figure():
    v = score(NF_GOLD, answer(D("0.50"), "万元"))
    assert not v.correct and v.wrong_figure
    v = score(NF_GOLD, answer(D(1), "万元", kind="not_found"))  # a value even under a not_found kind
    assert not v.correct and v.wrong_figure


def test_not_found_on_unanswerable_question_is_right():
    v = score(NF_GOLD, answer(kind="not_found", citations=()))
    assert v.correct and v.cited and not v.wrong_figure
    v = score(NF_GOLD, answer(kind="passage", text="一段话"))
    assert not v.correct and not v.wrong_figure


# --- keywords ----------------------------------------------------------------------------

KW_GOLD = gold(category="prose", expected_keywords=("暂无基建预算安排", "2024年"),
               expected_sources=("第三部分", "一、收支预算总体安排情况"))


def test_keywords_in_answer_or_citation_text():
    section = "第三部分 部门预算情况说明 > 一、收支预算总体安排情况"
    v = score(KW_GOLD, answer(kind="passage", text="原因是暂无基建预算安排。",
                              citations=[cite(None, section, "2024 年收支预算……")]))
    assert v.correct and v.cited  # "2024 年" in the source matches "2024年": layout spaces ignored


def test_passage_without_the_keywords_is_a_miss():
    v = score(KW_GOLD, answer(kind="passage", text="无关内容", citations=[cite(None, "第三部分", "2024年")]))
    assert not v.correct and not v.wrong_figure
    assert "暂无基建预算安排" in v.reason and "2024年" not in v.reason.split(":", 1)[1]


# --- citations ---------------------------------------------------------------------------

def test_citation_of_a_table_half_matches_the_table():
    assert score(gold(expected_value=D("1"), expected_unit="万元", expected_sources=("附表1",)),
                 answer(D(1), "万元", citations=[cite("附表1/支出")])).cited
    assert not score(gold(expected_value=D("1"), expected_unit="万元", expected_sources=("附表1",)),
                     answer(D(1), "万元", citations=[cite("附表10")])).cited


def test_citation_matches_a_section_name_inside_the_heading_path():
    g = gold(expected_value=D("5.54"), expected_unit="万元",
             expected_sources=("附表7", "七、一般公共预算“三公”经费支出安排情况"))
    section = "第三部分 2024 年部门预算情况说明 > 七、一般公共预算“三公”经费支出安排情况"
    assert score(g, answer(D("5.54"), "万元", citations=[cite(None, section)])).cited
    v = score(g, answer(D("5.54"), "万元", citations=[cite("附表6", "第二部分")]))
    assert v.correct and not v.cited and "citation" in v.reason


# --- retrieval ---------------------------------------------------------------------------

def test_retrieval_rank_and_mrr_on_hand_made_rankings():
    g = gold(expected_sources=("附表7", "七、一般公共预算“三公”经费支出安排情况"))
    table7 = {"table_id": "附表7", "section": "第二部分"}
    prose = {"section": "第三部分 > 七、一般公共预算“三公”经费支出安排情况"}
    other = {"table_id": "附表6", "section": "第二部分"}
    record = {"table_id": "附表14"}  # records have no section
    assert first_match_rank(g, [table7, other]) == 1
    assert first_match_rank(g, [other, record, prose]) == 3
    assert first_match_rank(g, [other, record]) is None
    ranks = [1, 3, None, 2]
    assert recall_at(ranks, 1) == 0.25
    assert recall_at(ranks, 5) == 0.75
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 3 + 0 + 1 / 2) / 4)


def test_summary_rates():
    outcomes = [
        Outcome(VALUE_GOLD, score(VALUE_GOLD, answer(D("90.8"), "万元")), 0.1, 1),
        Outcome(VALUE_GOLD, score(VALUE_GOLD, answer(D("1"), "万元")), 0.2, 2),
        Outcome(VALUE_GOLD, score(VALUE_GOLD, answer(kind="not_found", citations=())), 0.3, None),
        Outcome(NF_GOLD, score(NF_GOLD, answer(kind="not_found", citations=())), 0.4, None),
    ]
    s = summarize(outcomes)
    assert s.n == 4 and s.accuracy == 0.5 and s.wrong_figures == 1 and s.wrong_figure_rate == 0.25
    assert s.citation_accuracy == pytest.approx(1 / 3)  # the not_found question has no sources
    assert s.nf_precision == 0.5 and s.nf_recall == 1.0
    assert s.recall_at_1 == pytest.approx(1 / 3) and s.mrr == pytest.approx(0.5)
    assert s.latency_p50 == pytest.approx(0.25)


# --- gold validation ---------------------------------------------------------------------

def test_dev_set_loads():
    questions = load_gold(DEV_SET)
    assert len(questions) == 230 and len({q.id for q in questions}) == 230
    assert all(isinstance(q.expected_value, D) for q in questions if q.answer_type == "value")


def _write(tmp_path: Path, rows: list[str]) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


GOOD = {"id": "a", "question": "q", "category": "lookup", "document": DOC,
        "expected_value": 1.5, "expected_unit": "万元", "expected_sources": ["附表1"]}


@pytest.mark.parametrize("bad,message", [
    ("{not json", "not valid JSON"),
    (json.dumps({**GOOD, "expected_units": "万元"}), "unknown field(s): expected_units"),
    (json.dumps({k: v for k, v in GOOD.items() if k != "question"}), "missing field(s): question"),
    (json.dumps({**GOOD, "category": "lookpu"}), "unknown category 'lookpu'"),
    (json.dumps({**GOOD, "expected_value": "1.5"}), "expected_value must be a number"),
    (json.dumps({**GOOD, "expected_keywords": ["x"]}), "needs exactly one of"),
    (json.dumps({**GOOD, "expected_sources": []}), "expected_sources must not be empty"),
    (json.dumps({**GOOD, "id": "first"}), "duplicate id 'first'"),
])
def test_gold_errors_name_file_and_line(tmp_path, bad, message):
    path = _write(tmp_path, [json.dumps({**GOOD, "id": "first"}), bad])
    with pytest.raises(GoldError) as info:
        load_gold(path)
    assert f"{path}:2: " in str(info.value) and message in str(info.value)


def test_gold_reports_every_bad_line(tmp_path):
    path = _write(tmp_path, ["[]", json.dumps(GOOD), "", "{"])
    with pytest.raises(GoldError) as info:
        load_gold(path)
    assert f"{path}:1:" in str(info.value) and f"{path}:4:" in str(info.value)


def test_gold_keeps_printed_digits(tmp_path):
    (q,) = load_gold(_write(tmp_path, [json.dumps({**GOOD, "expected_value": 90.8})]))
    assert q.expected_value == D("90.8") and str(q.expected_value) == "90.8"


# --- baseline ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Hit:
    node: TextNode
    score: float


def node(text: str, **meta) -> TextNode:
    return TextNode(text=text, metadata={"doc_id": DOC, **meta})


def test_baseline_takes_the_first_number_of_the_top_chunk():
    assert first_quantity("公务接待费 0.50 万元，较上年") == (D("0.50"), "万元")
    assert first_quantity("共 300人次") == (D("300"), "人次")
    assert first_quantity("没有数字") is None
    assert first_quantity("附表6 | 30206 电费 | 32.15 万元") == (D("32.15"), "万元")  # a figure with its unit first
    assert first_quantity("附表6 | 30206 电费 | 32.15") == (D("30206"), None)  # naive: a code is a number too
    top = node("在职实有人数 19 人。", section="第一部分 > 三、部门人员构成")
    a = naive_answer("在职实有人数？", [Hit(top, 1.0), Hit(node("20 人"), 0.5)])
    assert (a.value, a.unit, a.kind) == (D(19), "人", "lookup")
    assert a.citations[0].section == "第一部分 > 三、部门人员构成"
    row = node("电费 32.15", table_id="附表6", table_key="附表6", unit="万元")
    assert naive_answer("电费？", [Hit(row, 1.0)]).unit == "万元"  # the table's unit when none follows
    assert naive_answer("？", []).kind == "not_found"


# --- runner ------------------------------------------------------------------------------

class FakeEngine:
    """Answers from a dict; retrieves the same two nodes for every question."""

    def __init__(self, retrieval: str, answers: dict[str, Answer]):
        self.retrieval = retrieval
        self.answers = answers

    def answer(self, question: str) -> Answer:
        if question == "boom":
            raise RuntimeError("engine failure")
        return self.answers.get(question) or Answer(question, "未找到", "not_found", reason="fake")

    def retrieve(self, question: str, k: int = 10) -> list[Hit]:
        return [Hit(node("附表6 | 电费 | 32.15", table_id="附表6", table_key="附表6", unit="万元"), 0.9),
                Hit(node("第三部分 说明 0.50 万元", section="第三部分 > 七、一般公共预算“三公”经费支出安排情况"), 0.8)][:k]


def test_runner_writes_every_report_file(tmp_path):
    questions = [
        gold(id="r-1", question="电费？", expected_value=D("32.15"), expected_unit="万元", expected_sources=("附表6",)),
        gold(id="r-2", question="接待费？", category="english", expected_value=D("0.5"), expected_unit="万元",
             expected_sources=("第三部分",)),
        gold(id="r-3", question="会议室？", category="not_found", expected_kind="not_found", expected_sources=()),
        gold(id="r-4", question="boom", expected_value=D(1), expected_unit="万元"),
    ]
    answers = {"电费？": answer(D("32.15"), "万元", citations=[cite("附表6")]),
               "接待费？": answer(D("0.6"), "万元")}
    created = []

    def make_engine(retrieval: str) -> FakeEngine:
        created.append(retrieval)
        return FakeEngine(retrieval, answers)

    runs = run(questions, parse_configs("full,lexical,dense,naive"), make_engine, progress=False, index_build_s=1.5)
    assert sorted(created) == ["dense", "hybrid", "lexical"]  # the baseline shares the hybrid engine
    full = runs[0].summary()
    assert (full.accuracy, full.wrong_figures, full.nf_recall) == (0.5, 1, 1.0)
    assert full.recall_at_1 == pytest.approx(1 / 3)  # r-1 at rank 1, r-2 at rank 2, r-4 none
    naive = runs[3].results
    assert naive[0].verdict.correct and naive[2].verdict.wrong_figure  # 32.15 from the top chunk
    assert runs[0].results[3].error == "RuntimeError: engine failure"

    paths = write_outputs(runs, tmp_path / "eval", gold_path=Path("gold.jsonl"), index_dir=None)
    names = {p.name for p in paths}
    assert names == {"report.md", "results.jsonl", "summary.json", "accuracy_by_category.png", "latency.png"}
    assert all(p.exists() and p.stat().st_size > 0 for p in paths)
    results = [json.loads(l) for l in (tmp_path / "eval" / "results.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(results) == 16 and {r["config"] for r in results} == set(CONFIGS)
    summary = json.loads((tmp_path / "eval" / "summary.json").read_text(encoding="utf-8"))
    assert summary["configs"]["full"]["overall"]["accuracy"] == 0.5
    assert summary["configs"]["full"]["index_build_s"] == 1.5
    report = (tmp_path / "eval" / "report.md").read_text(encoding="utf-8")
    for expected in ("| full |", "| naive |", "### r-2 · english · **wrong figure**", "接待费？",
                     "RuntimeError: engine failure", "| english | 1 |"):
        assert expected in report
    assert "### r-1" not in report


def test_cli_errors_are_clear(tmp_path, capsys):
    assert main(["run", "--configs", "full,bogus", "--out", str(tmp_path)]) == 2
    assert "unknown configuration(s) bogus" in capsys.readouterr().err
    bad = _write(tmp_path, ["{"])
    assert main(["run", "--gold", str(bad), "--out", str(tmp_path)]) == 2
    assert f"{bad}:1:" in capsys.readouterr().err
    assert main(["run", "--index", str(tmp_path / "missing"), "--out", str(tmp_path)]) == 2
    assert "does not exist" in capsys.readouterr().err
