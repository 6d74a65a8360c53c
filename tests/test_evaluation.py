"""The evaluation harness is itself tested: scoring rules, gold validation, the gold-set
manifest and its multi-document sets, and a runner pass with a fake engine that writes every
report file."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pytest
from llama_index.core.schema import TextNode

from evaluation.__main__ import main
from evaluation.baseline import first_quantity, naive_answer
from evaluation.gold import DEV_SET, GoldError, GoldQuestion, is_table_id, load_gold, parse_line, table_id_key
from evaluation.metrics import (
    Outcome, first_match_rank, mean_reciprocal_rank, normalize_unit, recall_at, score, summarize,
    summarize_by_document, summarize_groups, title_matches, tolerance_for, to_unit,
)
from evaluation.report import headline_text, write_outputs
from evaluation.runner import CONFIGS, ReportContext, parse_configs, run
from evaluation.sets import load_sets, publication_id
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
    (json.dumps({**GOOD, "year": "2024"}), "year must be a year such as 2024"),
    (json.dumps({**GOOD, "year": [2024, 24]}), "year must be a year such as 2024"),
    (json.dumps({**GOOD, "doc_kind": "部门预算表"}), "unknown doc_kind '部门预算表'"),
    (json.dumps({**GOOD, "document": [DOC, DOC]}), "document lists a publication twice"),
    (json.dumps({**GOOD, "expected_files": []}), "expected_files must not be empty"),
    (json.dumps({**GOOD, "expected_files": ["extra/a.pdf"]}), "file names without a folder"),
    (json.dumps({**GOOD, "category": "juesaun"}), "unknown category 'juesaun'"),
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

    paths = write_outputs(runs, tmp_path / "eval", ReportContext("seed", (Path("gold.jsonl"),), None))
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


# --- multi-document gold sets ------------------------------------------------------------
# Real figures from evaluation/corpora/extra: 万里街道 prints 公务接待费 1.35 万元 in its “三公”
# table (表9) in 2023, 2024 and 2025 alike, and 13,500 元 in 表8 (302 17 公务接待费).

WANLI_2024 = "shanghai_putuo_wanli_jiedao_2024_bumen_yusuan"
WANLI_2025 = "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan"
WANLI_2024_PDF = "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf"
WANLI_2025_PDF = "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf"
RENDA = "jiangsu_renda_changweihui_2019_bumen_yusuan"
GUIHUA = "shanghai_putuo_guihua_ziyuan_2024_bumen_juesuan"

RECEPTION_2024 = gold(id="wanli2024-t", question="万里街道2024年公务接待费预算是多少？", document=WANLI_2024,
                      department="上海市普陀区人民政府万里街道办事处", year=2024, doc_kind="部门预算",
                      expected_value=D("1.35"), expected_unit="万元",
                      expected_sources=("表9", "一、2024年“三公”经费预算情况说明"), expected_files=(WANLI_2024_PDF,))


def pdf_cite(table: str | None, section: str, location: str) -> Citation:
    return Citation(document="万里街道 部门预算", doc_id=Path(location.split(",")[0]).stem, section=section,
                    table=table, row="30217 公务接待费" if table else None, column=None, text="", location=location)


SANGONG_2024 = pdf_cite("表9", "表9 部门“三公”经费和机关运行经费预算表", f"{WANLI_2024_PDF}, p.31")
SANGONG_2025 = pdf_cite("表9", "表9 部门“三公”经费和机关运行经费预算表", f"{WANLI_2025_PDF}, p.29")


def test_a_figure_cited_from_another_years_file_is_not_cited_right():
    right = score(RECEPTION_2024, answer(D("1.35"), "万元", citations=[SANGONG_2024]))
    assert right.correct and right.cited
    other_year = score(RECEPTION_2024, answer(D("1.35"), "万元", citations=[SANGONG_2025]))
    assert other_year.correct and not other_year.cited and not other_year.wrong_figure
    assert "no citation of an expected source" in other_year.reason
    # value matching is unchanged: 13,500 元 from 表8 is the same 1.35 万元 (表8 is not an expected source)
    in_yuan = score(RECEPTION_2024, answer(D("13500"), "元", citations=[pdf_cite("表8", "表8 …", f"{WANLI_2024_PDF}, p.29")]))
    assert in_yuan.correct and not in_yuan.cited


def test_the_file_check_on_prose_citations_and_retrieved_nodes():
    prose = pdf_cite(None, "其他相关情况说明 > 一、2024年“三公”经费预算情况说明", f"{WANLI_2024_PDF}, p.32")
    assert score(RECEPTION_2024, answer(D("1.35"), "万元", citations=[prose])).cited
    node_2024 = {"table_id": "表9", "section": "", "location": f"{WANLI_2024_PDF}, p.31", "doc_id": "02_" + WANLI_2024}
    node_2025 = {**node_2024, "location": f"{WANLI_2025_PDF}, p.29", "doc_id": WANLI_2025}
    assert first_match_rank(RECEPTION_2024, [node_2025, node_2024]) == 2
    # a seed question names no files: any file's 附表7 counts, as before
    assert first_match_rank(gold(expected_sources=("附表7",)), [{"table_id": "附表7", "location": "x.txt, line 3"}]) == 1


def test_without_a_location_the_document_id_names_the_file():
    from evaluation.metrics import file_matches
    assert file_matches(RECEPTION_2024, "", "02_" + WANLI_2024)
    assert not file_matches(RECEPTION_2024, "", WANLI_2025)
    assert file_matches(VALUE_GOLD, "anything.pdf, p.1")  # no expected_files: no check


@pytest.mark.parametrize("table_id", [
    "附表7", "附表14",          # seed (Wuhan)
    "表1", "表9",               # Shanghai: numbered in the table of contents
    "公开01表", "公开12表",      # Jiangsu 法院 / 政协 (公开 01 表 in the text layer)
    "公开 09 表",
    "公开表一", "公开表十二",    # Jiangsu 人大 表格 file
    "表一", "附表1-1",
])
def test_table_ids_of_every_template_are_recognised(table_id):
    assert is_table_id(table_id)


@pytest.mark.parametrize("source", [
    "收入支出决算总表", "2025年部门支出预算总表", "一、收支预算总表", "部门“三公”经费和机关运行经费预算表",
    "九、一般公共预算“三公”经费、会议费、培训费支出预算情况说明", "第三部分", "表", "公开表", "表一一",
])
def test_titles_and_headings_are_not_table_ids(source):
    assert not is_table_id(source)


def test_spellings_of_one_table_id_match():
    assert table_id_key("公开09表") == table_id_key("公开 09 表") == table_id_key("公开表九") == ("公开表", 9, "")
    assert table_id_key("公开表十二") == ("公开表", 12, "")
    assert table_id_key("附表7") != table_id_key("表7")
    g = gold(expected_value=D("767.6"), expected_unit="万元", expected_sources=("公开表九",))
    assert score(g, answer(D("767.60"), "万元", citations=[cite("公开09表", "公开09表 “三公”经费支出预算表")])).cited


def test_a_title_source_names_that_table_only():
    # guihua 决算: 支出决算表 (p.10) and 一般公共预算财政拨款支出决算表 (p.14) are two tables
    assert title_matches("支出决算表", "表3 支出决算表")
    assert not title_matches("支出决算表", "表5 一般公共预算财政拨款支出决算表")
    assert title_matches("收入支出决算总表", "上海市规划和自然资源局 2024 年度部门决算表 收入支出决算总表")
    assert title_matches("2025年部门支出预算总表", "表3 2025年部门支出预算总表")
    assert title_matches("部门“三公”经费和机关运行经费预算表", "表9 2025年部门“三公”经费和机关运行经费预算表")
    assert title_matches("一、收支预算总表", "表1 收支预算总表（收入）")
    g = gold(expected_value=D("9759.38"), expected_unit="万元", expected_sources=("支出决算表",))
    assert not score(g, answer(D("9759.38"), "万元", citations=[cite("表5", "表5 一般公共预算财政拨款支出决算表")])).cited


def test_a_multi_document_question_parses():
    row = {"id": "wanli_multiyear-001", "question": "万里街道2025年机关运行经费比2024年增加了多少？",
           "category": "computed", "document": [WANLI_2024, WANLI_2025], "department": "上海市普陀区人民政府万里街道办事处",
           "year": [2024, 2025], "doc_kind": "部门预算", "expected_value": 21.46, "expected_unit": "万元",
           "expected_sources": ["表9", "二、机关运行经费预算"], "expected_files": [WANLI_2024_PDF, WANLI_2025_PDF],
           "notes": "2025 表9 机关运行经费预算数 464.64 − 2024 表9 443.18 = 21.46 万元"}
    q = parse_line(json.dumps(row, ensure_ascii=False))
    assert q.documents == (WANLI_2024, WANLI_2025) and q.year == (2024, 2025)
    assert q.document_label == f"{WANLI_2024} + {WANLI_2025}"
    assert q.expected_value == D("21.46") and q.expected_files == (WANLI_2024_PDF, WANLI_2025_PDF)
    nf = parse_line(json.dumps({"id": "x", "question": "q", "category": "not_found", "document": RENDA,
                                "expected_kind": "not_found", "expected_sources": [], "expected_files": []}))
    assert nf.expected_files == ()  # nothing to cite for an unanswerable question


# --- the manifest ------------------------------------------------------------------------

def test_manifest_names_the_sets_their_corpus_and_split():
    manifest = load_sets()
    seed, dev, holdout = (manifest.get(n) for n in ("seed", "multi-dev", "multi-holdout"))
    assert seed.corpus == ("corpus/data",) and seed.split == "dev" and not seed.held_out
    assert seed.question_files() == [DEV_SET]
    assert dev.corpus == holdout.corpus == ("evaluation/corpora/extra", "corpus/data")
    assert holdout.held_out and not dev.held_out
    assert len(dev.corpus_files()) == 17  # 16 PDFs and the seed
    assert [t.name for t in manifest.templates] == ["上海区级", "江苏省级", "武汉开发区"]
    with pytest.raises(GoldError, match="no gold set 'multi' .* choose from seed, multi-dev, multi-holdout"):
        manifest.get("multi")


def test_publication_ids_and_templates_of_real_files():
    assert publication_id(WANLI_2024_PDF) == WANLI_2024  # the ordinal 02_ is not part of the name
    assert publication_id(f"{RENDA}_wenjian.pdf") == publication_id(f"{RENDA}_biaoge.pdf") == RENDA
    assert publication_id("2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt") == DOC  # a year prefix stays
    manifest = load_sets()
    assert manifest.template_of(gold(document=DOC)) == "武汉开发区"
    assert manifest.template_of(gold(document=GUIHUA)) == "上海区级"
    assert manifest.template_of(gold(document=(WANLI_2024, WANLI_2025))) == "上海区级"
    assert manifest.template_of(gold(document=(WANLI_2024, RENDA))) == "跨模板"
    assert manifest.template_of(gold(document="beijing_x_2024")) == "其他"


@pytest.mark.parametrize("name", ["seed", "multi-dev", "multi-holdout"])
def test_every_gold_set_loads_and_names_documents_of_its_corpus(name):
    gold_set = load_sets().get(name)
    questions = gold_set.load_questions()  # raises on a document or file the corpus lacks
    assert questions and all(not gold_set.corpus_problems(q) for q in questions[:1])
    if name != "seed":
        assert all(q.department and q.year and q.doc_kind for q in questions)
        single = Counter(q.document for q in questions if isinstance(q.document, str))
        assert min(single.values()) >= 20, single  # the issue asks at least 20 questions per document


def test_fresh_set_is_held_out_and_spread_over_both_families():
    fresh = load_sets().get("multi-fresh")
    questions = fresh.load_questions()  # raises on a document or file the corpus lacks
    assert fresh.held_out and len(questions) == 60
    assert all(q.department and q.year and q.doc_kind for q in questions)
    documents = {d for q in questions for d in q.documents}
    assert len(documents) >= 10 and any("shanghai" in d for d in documents) and any("jiangsu" in d for d in documents)
    assert Counter(q.category for q in questions)["not_found"] == 6


def test_second_fresh_set_is_held_out_and_mostly_on_the_held_out_four():
    manifest = load_sets()
    fresh2 = manifest.get("multi-fresh2")
    questions = fresh2.load_questions()  # raises on a document or file the corpus lacks
    assert fresh2.held_out and len(questions) == 60
    assert all(q.department and q.year and q.doc_kind for q in questions)
    held = {d for q in manifest.get("multi-holdout").load_questions() for d in q.documents}
    on_held = Counter(q.document for q in questions if q.document in held)
    assert set(on_held) == held and sum(on_held.values()) == 41
    kinds = {q.doc_kind for q in questions}
    assert {"部门预算", "部门决算", "单位预算"} <= kinds
    categories = Counter(q.category for q in questions)
    assert categories["not_found"] == 6 and categories["computed"] == 9
    asked_before = {q.question for name in ("multi-dev", "multi-holdout", "multi-fresh")
                    for q in manifest.get(name).load_questions()}
    assert not [q.id for q in questions if q.question in asked_before]


@pytest.mark.parametrize("name,juesuan,earlier", [
    ("multi-fresh6", None, ("multi-holdout", "multi-fresh", "multi-fresh2", "multi-fresh3", "multi-fresh5")),
    ("multi-fresh7", 2, ("multi-holdout", "multi-fresh", "multi-fresh2", "multi-fresh3", "multi-fresh5", "multi-fresh6")),
])
def test_later_fresh_sets_are_fifteen_new_questions_on_each_held_out_publication(name, juesuan, earlier):
    manifest = load_sets()
    fresh = manifest.get(name)
    questions = fresh.load_questions()  # raises on a document or file the corpus lacks
    held = {d for q in manifest.get("multi-holdout").load_questions() for d in q.documents}
    assert fresh.held_out and len(questions) == 60
    assert Counter(q.document for q in questions) == {d: 15 for d in held}
    assert all(q.department and q.year and q.doc_kind for q in questions)
    categories = Counter(q.category for q in questions)
    assert categories["not_found"] == 4 and categories["computed"] == 8 and categories["prose"] == 4
    if juesuan is not None:
        assert categories["juesuan"] == juesuan and all(q.doc_kind == "部门决算" for q in questions if q.category == "juesuan")
    # a ratio is graded to 0.01 percentage points, every other figure to half a unit in its last decimal
    assert all(q.tolerance == D("0.01") for q in questions if q.expected_unit == "%" and q.category == "computed")
    asked_before = {q.question for earlier_set in earlier for q in manifest.get(earlier_set).load_questions()}
    assert not [q.id for q in questions if q.question in asked_before]


def test_dev_and_holdout_share_no_document():
    manifest = load_sets()
    dev = {d for q in manifest.get("multi-dev").load_questions() for d in q.documents}
    held = {d for q in manifest.get("multi-holdout").load_questions() for d in q.documents}
    assert dev and held and not dev & held


def test_a_question_naming_a_missing_document_or_file_is_reported():
    dev = load_sets().get("multi-dev")
    q = gold(id="typo-1", document="shanghai_putuo_wanli_jiedao_2042_bumen_yusuan", expected_files=("wanli.pdf",))
    problems = dev.corpus_problems(q)
    assert "typo-1: document 'shanghai_putuo_wanli_jiedao_2042_bumen_yusuan' is not a publication" in problems[0]
    assert "expected file 'wanli.pdf' is not in the corpus" in problems[1]


def _manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sets.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_manifest_errors_name_file_line_and_fix(tmp_path):
    with pytest.raises(GoldError, match=r"sets\.json:3: not valid JSON"):
        load_sets(_manifest(tmp_path, '{"sets": {\n "a": {}\n,}}'))
    bad = _manifest(tmp_path, """{
  "sets": {
    "ok": {"questions": ["dev.jsonl"], "corpus": ["corpus/data"], "split": "dev"},
    "wrong": {"questions": ["dev.jsonl"], "corpus": ["corpus/data"], "split": "test", "spilt": "dev"}
  },
  "templates": {"上海区级": []}
}""")
    with pytest.raises(GoldError) as info:
        load_sets(bad)
    message = str(info.value)
    assert f"{bad}:4: set 'wrong': unknown key(s) spilt" in message
    assert "split must be one of dev, holdout, got 'test'" in message
    assert "template '上海区级': patterns must be a non-empty list" in message
    ok = load_sets(_manifest(tmp_path, json.dumps({"sets": {"x": {"questions": ["nothing/*.jsonl"], "corpus": ["corpus/data"],
                                                                   "split": "dev"}}, "templates": {}})))
    with pytest.raises(GoldError, match=r"set 'x': no question file matches 'nothing/\*\.jsonl'"):
        ok.get("x").question_files()
    missing = _manifest(tmp_path, json.dumps({"sets": {"x": {"questions": ["dev.jsonl"], "corpus": ["corpora/nowhere"],
                                                             "split": "dev"}}, "templates": {}}))
    with pytest.raises(GoldError, match="corpus corpora/nowhere does not exist"):
        load_sets(missing)


# --- per-document and per-template reporting ----------------------------------------------

def test_summaries_per_document_and_per_template():
    manifest = load_sets()
    renda = gold(id="renda-t", document=RENDA, expected_value=D("767.6"), expected_unit="万元",
                 expected_sources=("公开表九",), expected_files=(f"{RENDA}_biaoge.pdf",))
    cross = gold(id="multi-t", document=(WANLI_2024, WANLI_2025), expected_value=D("21.46"), expected_unit="万元",
                 expected_sources=("表9",))
    renda_cite = pdf_cite("公开表九", "公开表九 一般公共预算“三公”经费支出预算表", f"{RENDA}_biaoge.pdf, p.9")
    outcomes = [
        Outcome(RECEPTION_2024, score(RECEPTION_2024, answer(D("1.35"), "万元", citations=[SANGONG_2024])), 0.1, 1),
        Outcome(RECEPTION_2024, score(RECEPTION_2024, answer(D("25"), "万元", citations=[SANGONG_2024])), 0.1, 1),
        Outcome(renda, score(renda, answer(D("767.60"), "万元", citations=[renda_cite])), 0.1, 1),
        Outcome(cross, score(cross, answer(kind="not_found", citations=())), 0.1, None),
    ]
    by_doc = summarize_by_document(outcomes)
    assert list(by_doc) == [RENDA, WANLI_2024, f"{WANLI_2024} + {WANLI_2025}"]
    assert (by_doc[WANLI_2024].n, by_doc[WANLI_2024].accuracy, by_doc[WANLI_2024].wrong_figures) == (2, 0.5, 1)
    assert by_doc[RENDA].citation_accuracy == 1.0
    by_template = summarize_groups(outcomes, manifest.template_of)
    assert {t: (s.n, s.accuracy) for t, s in by_template.items()} == {"上海区级": (3, pytest.approx(1 / 3)),
                                                                      "江苏省级": (1, 1.0)}


def test_a_held_out_report_is_labelled_and_keeps_its_failures_back(tmp_path, capsys):
    questions = [RECEPTION_2024, gold(id="renda-t", question="人大？", document=RENDA, expected_value=D("767.6"),
                                      expected_unit="万元", expected_sources=("公开表九",))]
    answers = {RECEPTION_2024.question: answer(D("1.35"), "万元", citations=[SANGONG_2024])}
    runs = run(questions, parse_configs("full"), lambda retrieval: FakeEngine(retrieval, answers), progress=False)
    context = ReportContext("multi-holdout", (Path("multi/holdout/x.jsonl"),), None, held_out=True,
                            template_of=load_sets().template_of, show_failures=False)
    write_outputs(runs, tmp_path, context)
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "# 预算问答 evaluation: multi-holdout (HELD-OUT)" in report and "**Held-out set.**" in report
    assert f"| {WANLI_2024} | 1 | 100.0% / 100.0% |" in report and f"| {RENDA} | 1 | 0.0% / 0.0% |" in report
    assert "| 上海区级 | 1 | 100.0% / 100.0% |" in report
    assert "人大？" not in report and "Not listed for a held-out set" in report
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["held_out"] and summary["configs"]["full"]["by_template"]["江苏省级"]["n"] == 1
    text = headline_text(runs, context)
    assert text.startswith("multi-holdout (HELD-OUT): 2 questions") and "by document (full):" in text


def test_cli_rejects_an_unknown_set(tmp_path, capsys):
    assert main(["run", "--set", "multi-dve", "--out", str(tmp_path)]) == 2
    assert "no gold set 'multi-dve'" in capsys.readouterr().err
