"""qa/render.py: an answer or a table as plain text, Markdown and HTML (no gradio)."""

from __future__ import annotations

from decimal import Decimal

from conftest import DOC_ID, RECEPTION, ROOT, TITLE, seed_citation
from qa import render
from qa.answer import Answer, Candidate, Citation



# ---------------------------------------------------------------------------------------
# Answer → Markdown / HTML
# ---------------------------------------------------------------------------------------

def test_format_figure_keeps_printed_digits():
    assert render.format_figure(Decimal("0.50"), "万元") == "0.50 万元"
    assert render.format_figure(Decimal("45084.94"), "万元") == "45,084.94 万元"   # as in the sentence
    assert render.format_figure(Decimal("9.03"), "%") == "9.03%"
    assert render.format_figure(Decimal("1E+2"), "人") == "100 人"
    assert render.format_figure(None, "万元") == ""


def test_answer_markdown_lookup():
    md = render.answer_markdown(RECEPTION, seconds=0.012)
    assert md.startswith("### 0.50 万元")
    for part in (TITLE, "附表7 一般公共预算“三公”经费支出表", "行：公务接待费", "列：公务接待费", "budget.txt, line 325"):
        assert part in md
    assert "12 ms" in md


def test_answer_markdown_heading_formats_the_figure_as_the_sentence_does():
    ans = Answer("收入总计是多少", "收入总计：45,084.94 万元（来源：附表1）", "lookup", Decimal("45084.94"), "万元",
                 (seed_citation(row="收入总计", column="预算数", value=Decimal("45084.94")),))
    md = render.answer_markdown(ans)
    assert md.startswith("### 45,084.94 万元") and "**45,084.94 万元**" in md
    assert "45084.94" not in md


def test_answer_markdown_computed_shows_formula():
    ans = Answer("比例", "公务接待费占“三公”经费的 9.03%。", "computed", Decimal("9.03"), "%",
                 (seed_citation(), seed_citation(column="“三公”经费合计", value=Decimal("5.54"))), formula="0.50 / 5.54 × 100 = 9.03%")
    md = render.answer_markdown(ans)
    assert "### 9.03%" in md and "计算：`0.50 / 5.54 × 100 = 9.03%`" in md
    assert "1. " in md and "2. " in md and "列：“三公”经费合计" in md


def test_answer_markdown_not_found_and_passage():
    md = render.answer_markdown(Answer("x", "没有找到相关数据。", "not_found", reason="没有匹配的科目"))
    assert "没有找到" in md and "原因：没有匹配的科目" in md and "###" not in md
    prose = Citation(document=TITLE, doc_id=DOC_ID, section="第三部分 › 名词解释", table=None, row=None, column=None,
                     text="基本支出：指为保障机构正常运转……", location="budget.txt, line 500")
    md = render.answer_markdown(Answer("什么是基本支出", "基本支出：指为保障机构正常运转……", "passage", citations=(prose,)))
    assert "“基本支出：指为保障机构正常运转……”" in md and "第三部分 › 名词解释" in md


def test_answer_markdown_escapes_markup():
    ans = Answer("q", "a *b* <img src=x onerror=alert(1)>", "not_found", reason="[x](javascript:1)")
    md = render.answer_markdown(ans)
    assert "<img" not in md and "&lt;img" in md and "\\[x\\]" in md and "\\*b\\*" in md


def test_source_html_highlights_cited_row_and_cell(seed_doc):
    html = render.source_html(RECEPTION, [seed_doc])
    assert "附表7 一般公共预算“三公”经费支出表" in html and "单位：万元" in html
    assert 'data-row="附表7:1" class="bqa-hit"' in html
    hit_cell = html.split('class="bqa-hit-cell"', 1)[1].split("</td>", 1)[0]
    assert hit_cell.endswith(">0.50")
    # grouped header: 公务用车购置及运行费 spans its three sub-columns
    assert 'colspan="3" rowspan="1"' in html and "公务用车购置及运行费" in html


def test_source_html_matches_row_without_row_id(seed_doc):
    cite = seed_citation(table="附表3", row="2010302 一般行政管理事务", column="项目支出", row_id=None, value=Decimal("625.55"))
    html = render.source_html(Answer("q", "625.55 万元", "lookup", Decimal("625.55"), "万元", (cite,)), [seed_doc])
    row = html.split('class="bqa-hit"', 1)
    assert len(row) == 2 and "一般行政管理事务" in row[1].split("</tr>", 1)[0]


def test_source_html_passage_and_escaping(seed_doc):
    prose = Citation(document=TITLE, doc_id=DOC_ID, section="第三部分 › 名词解释", table=None, row=None, column=None,
                     text="基本支出 <script>alert(1)</script>", location="budget.txt, line 500")
    html = render.source_html(Answer("q", "a", "passage", citations=(prose,)), [seed_doc])
    assert "<blockquote" in html and "第三部分 › 名词解释" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert render.source_html(Answer("q", "a", "not_found"), [seed_doc]) == ""


def test_source_html_unknown_table_falls_back_to_quote(seed_doc):
    cite = seed_citation(table="附表13", row=None, column=None, text="部门名称 武汉…")
    html = render.source_html(Answer("q", "a", "lookup", citations=(cite,)), [seed_doc])
    assert "<blockquote" in html and "部门名称" in html


def test_header_rows_groups_column_paths():
    cols = (("合计",), ("本年拨款", "一般公共预算"), ("本年拨款", "政府性基金"), ("单位资金",))
    assert render.header_rows(cols) == [
        [("合计", 1, 2), ("本年拨款", 2, 1), ("单位资金", 1, 2)],
        [("一般公共预算", 1, 1), ("政府性基金", 1, 1)],
    ]


def test_long_tables_show_rows_around_the_hit(seed_doc):
    rows = seed_doc.table("附表6").rows           # 38 rows
    shown = render.visible_rows(rows, {rows[30].id}, limit=10, context=2)
    assert [r.id for r in shown if r] == [r.id for r in rows[28:33]]
    assert shown[0] is None and shown[-1] is None
    assert len(render.visible_rows(rows, set(), limit=100)) == len(rows)


def test_browse_html_shows_paths_units_and_indentation(seed_doc):
    html = render.browse_html(seed_doc, "附表3")
    assert "单位：万元" in html and "<code>科目编码</code>" in html
    row = html.split('data-row="附表3:4"', 1)[1].split("</tr>", 1)[0]   # 2010301 行政运行, level 3
    assert "padding-left:4.0em" in row and "行政运行" in row
    assert "请选择" in render.browse_html(seed_doc, "附表99")


def test_findings_markdown(seed_doc):
    md = render.findings_markdown(seed_doc.findings)
    assert "2 条发现" in md and "845.12" in md and "line 277" in md
    assert "未发现问题" in render.findings_markdown([])


def test_readable_lists_formula_sources_and_near_misses():
    text = render.readable(Answer("比例", "公务接待费占 9.03%。", "computed", Decimal("9.03"), "%", (seed_citation(),),
                                  formula="0.50 ÷ 5.54 = 9.03%"))
    assert text.splitlines()[:3] == [
        "公务接待费占 9.03%。", "公式：0.50 ÷ 5.54 = 9.03%",
        f"  [1] {TITLE} — 附表7 一般公共预算“三公”经费支出表 · 公务接待费 · 公务接待费 — budget.txt, line 325"]
    missing = Answer("q", "没有找到。", "not_found", candidates=(Candidate("会议费", None, None, "附表6", 0.4),))
    assert render.readable(missing).endswith("相近的指标：会议费")


def test_rendering_and_the_service_do_not_need_gradio():
    import subprocess
    import sys

    code = "import sys, qa.render, qa.service; sys.exit('gradio' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


# ---------------------------------------------------------------------------------------
# The page's defects (issue 12, item 5), on real answers from the seed
# ---------------------------------------------------------------------------------------

def visible(markup: str) -> str:
    """The text a reader sees: tags (and their attributes, such as tooltips) removed."""
    import re

    return re.sub(r"<[^>]+>", "", markup)


def test_computed_answer_shows_its_formula_once(engine):
    ans = engine.answer("公务接待费占“三公”经费的比例是多少")
    assert ans.formula == "公务接待费 ÷ “三公”经费合计：0.50 ÷ 5.54 = 9.03%"
    md = render.answer_markdown(ans)
    assert md.count("0.50 ÷ 5.54") == 1 and "计算：`公务接待费 ÷ “三公”经费合计：0.50 ÷ 5.54 = 9.03%`" in md
    assert "公务接待费占“三公”经费合计的 9.03%\n" in md + "\n"       # the sentence without its bracket
    assert render.readable(ans).count("0.50 ÷ 5.54") == 1
    # a formula the sentence states in another number format is not shown a second time
    same = Answer("q", "基本支出比项目支出少 42,839.22 万元（43962.08 − 1122.86 = 42839.22）", "computed",
                  Decimal("42839.22"), "万元", (seed_citation(),), formula="43,962.08 − 1,122.86 = 42,839.22")
    md = render.answer_markdown(same)
    assert "计算：" not in md and md.count("1122.86") + md.count("1,122.86") == 1


def test_not_found_says_its_reason_once_and_offers_the_year_that_exists(engine):
    ans = engine.answer("2030年公务接待费是多少")
    assert ans.kind == "not_found" and ans.reason == "这些文件中没有 2030 年的数据（已载入 2024 年的文件）"
    assert ans.answer.endswith("2024 年的数字：0.50 万元（附表7 一般公共预算“三公”经费支出表 · 公务接待费）。")
    assert (ans.candidates[0].label, ans.candidates[0].value, ans.candidates[0].unit) == ("2024 年 公务接待费", Decimal("0.50"), "万元")
    md = render.answer_markdown(ans)
    assert md.count("没有 2030 年的数据") == 1 and "原因：" not in md
    # a reason the sentence does not state is still shown
    assert "原因：没有匹配的科目" in render.answer_markdown(Answer("x", "没有找到相关数据。", "not_found", reason="没有匹配的科目"))


def test_citations_name_whose_budget_and_keep_the_file_for_the_tooltip(engine, seed_doc):
    ans = engine.answer("公务接待费是多少")
    md = render.answer_markdown(ans, documents=[seed_doc])
    shown = visible(md)
    assert "《武汉经济技术开发区智能制造产业园管理办公室 · 2024 年部门预算》 · 附表7 一般公共预算“三公”经费支出表" in shown
    assert "budget.txt" not in shown and "line 325" not in shown
    assert 'title="2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt, line 325"' in md
    assert ans.citations[0].location.endswith("budget.txt, line 325")     # the JSON keeps the file
    html = render.source_html(ans, [seed_doc])
    assert "budget.txt" not in visible(html) and 'title="2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt' in html
    assert render.place("x.pdf, p.12") == "第 12 页" and render.place("x.xlsx, sheet 支出, line 4") == "工作表“支出”"
    assert render.place("x.txt, line 325") == ""


def test_other_places_of_a_figure_are_named_unambiguously(engine):
    ans = engine.answer("公务接待费是多少")
    assert ans.answer.endswith("同一数字另见附表6，以及“七、一般公共预算‘三公’经费支出安排情况”一节）")
    assert "附表6、七" not in ans.answer


def test_marks_are_text_not_emoji(seed_doc):
    md = render.findings_markdown(seed_doc.findings)
    assert "【注意】" in md or "【错误】" in md
    for emoji in ("❌", "✅", "⚠", "ℹ"):
        assert emoji not in md
