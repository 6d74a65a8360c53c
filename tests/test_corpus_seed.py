"""Golden values from the seed budget (武汉经开区智能制造产业园 2024 部门预算), read by hand."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

import corpus
from corpus.serialize import document_dict


def test_title_gives_department_year_and_type(seed_doc):
    assert seed_doc.department == "武汉经济技术开发区智能制造产业园管理办公室"
    assert seed_doc.year == 2024
    assert seed_doc.doc_type == "预算"
    assert seed_doc.doc_id == "2024_wuhan-jkq_intelligent-manufacturing-park_budget"
    assert len(seed_doc.sha256) == 64


# Counted by hand from the document: data rows, totals included, column-number rows excluded.
ROW_COUNTS = {
    "附表1/收入": 12, "附表1/支出": 29, "附表2": 3, "附表3": 28, "附表4/收入": 9, "附表4/支出": 29,
    "附表5": 28, "附表6": 38, "附表7": 1, "附表8": 0, "附表9": 0, "附表10": 16, "附表11": 4, "附表12": 4,
}


@pytest.mark.parametrize("key,count", ROW_COUNTS.items())
def test_each_table_has_the_rows_printed(seed_doc, key, count):
    assert len(seed_doc.table(key).rows) == count


def test_tables_in_order_with_titles_and_units(seed_doc):
    assert [t.key for t in seed_doc.tables] == list(ROW_COUNTS)
    assert seed_doc.table("附表7").title == "一般公共预算“三公”经费支出表"
    assert {t.id: t.unit for t in seed_doc.tables}["附表11"] == "元"
    assert {t.id: t.unit for t in seed_doc.tables}["附表12"] == "元"
    assert all(t.unit == "万元" for t in seed_doc.tables if t.id not in ("附表11", "附表12"))


def test_三公_table_column_paths_and_values(seed_doc):
    t = seed_doc.table("附表7")
    assert t.columns == (
        ("“三公”经费合计",), ("因公出国（境）费",), ("公务用车购置及运行费", "小计"),
        ("公务用车购置及运行费", "公务用车购置费"), ("公务用车购置及运行费", "公务用车运行费"), ("公务接待费",),
    )
    row = t.rows[0]
    cell = row.cell("公务接待费")
    assert (cell.value, cell.unit, cell.raw) == (D("0.50"), "万元", "0.50")
    assert row.value("公务用车购置及运行费", "公务用车运行费") == D("5.04")
    assert row.value("“三公”经费合计") == D("5.54")


def test_附表5_row_2010302_under_基本支出_公用经费(seed_doc):
    t = seed_doc.table("附表5")
    row = t.row("2010302")
    assert row.label == "一般行政管理事务"
    assert row.value("基本支出", "公用经费") == D("234.39")
    assert row.value("项目支出") == D("625.55")
    assert row.value("合计") == D("859.94")
    assert t.row_by_id(row.parent).code == "20103"
    assert t.row_by_id(t.row_by_id(row.parent).parent).code == "201"
    assert (row.level, t.row("20103").level, t.row("201").level) == (3, 2, 1)


def test_thousands_separators_parse_to_the_same_value(seed_doc):
    # 附表5 prints "45,084.94"; 附表3 prints "45084.94"
    assert seed_doc.table("附表5").rows[0].value("合计") == D("45084.94")
    assert seed_doc.table("附表3").rows[0].value("合计") == D("45084.94")
    assert seed_doc.table("附表5").rows[0].cell("合计").raw == "45,084.94"


def test_empty_cell_is_no_value_not_zero(seed_doc):
    row = seed_doc.table("附表3").row("201")
    assert row.cell("事业单位经营支出").raw == ""
    assert row.value("事业单位经营支出") is None
    assert row.value("项目支出") == D("625.55")


def test_two_sided_tables_split_into_halves(seed_doc):
    income, spending = seed_doc.table("附表1/收入"), seed_doc.table("附表1/支出")
    assert income.columns == (("项目",), ("预算数",)) == spending.columns
    assert income.row("一、一般公共预算拨款收入").value("预算数") == D("45084.94")
    assert spending.row("十、城乡社区支出").value("预算数") == D("22336.53")
    assert spending.row("支出总计").is_total
    # 附表4: an empty 预算数 is no value
    assert seed_doc.table("附表4/支出").row("二、国防支出").value("预算数") is None


def test_multi_row_headers_of_附表2(seed_doc):
    t = seed_doc.table("附表2")
    assert ("本年收入", "一般公共预算") in t.columns
    assert ("上年结转结余", "小计") in t.columns
    row = t.row("043001")
    assert row.label == "武汉经济技术开发区智能制造产业园管理办公室本级"
    assert row.value("本年收入", "一般公共预算") == D("45084.94")


def test_split_header_cells_are_rejoined(seed_doc):
    # the PDF text prints "事业单 位经营 支出" across lines
    assert ("事业单位经营支出",) in seed_doc.table("附表3").columns
    assert ("对附属单位补助支出",) in seed_doc.table("附表3").columns


def test_附表6_economic_codes_and_hierarchy(seed_doc):
    t = seed_doc.table("附表6")
    row = t.row("30217")
    assert row.label == "公务接待费"
    assert row.value("本年一般公共预算基本支出", "公用经费") == D("0.50")
    assert t.row_by_id(row.parent).code == "302"
    assert t.row("30207").value("合计") == D("22.61")


def test_附表11_in_元_with_column_units(seed_doc):
    t = seed_doc.table("附表11")
    total = t.rows[0]
    assert total.is_total and total.label == "合计"
    cell = total.cell("采购金额", "采购金额合计(元)")
    assert (cell.value, cell.unit) == (D("693000.00"), "元")
    detail = t.row("043001")
    assert detail.value("采购数量") == D("1")
    assert detail.cell("单价(元)").unit == "元"
    # codes in text columns are never numbers
    assert detail.cell("单位代码") is None or detail.code == "043001"
    assert detail.cell("功能科目").value is None


def test_empty_tables_exist_and_say_so(seed_doc):
    for key in ("附表8", "附表9"):
        t = seed_doc.table(key)
        assert t.empty and t.rows == ()
        assert "此表为空表" in t.notes
    assert ("本年政府性基金预算支出", "合计") in seed_doc.table("附表8").columns


def test_附表10_projects(seed_doc):
    t = seed_doc.table("附表10")
    assert t.rows[0].is_total and t.rows[0].value("合计") == D("43962.08")
    row = t.row("扶持企业发展金")
    assert row.code == "42011324043T000000111"
    assert row.value("本年拨款", "一般公共预算") == D("21000.00")
    assert row.cell("项目单位").raw == "武汉经济技术开发区智能制造产业园管理办公室本级"


def test_project_forms_are_key_value_records(seed_doc):
    forms = [r for r in seed_doc.records if r.table_id == "附表14"]
    assert len(forms) == 10
    rec = seed_doc.record("企业服务专项经费")
    assert rec.get("项目负责人") == "张亮"
    assert rec.get("项目编码") == "42011324043T000000102"
    assert rec.field("项目总预算").value == D("170.00")
    assert rec.field("项目总预算").unit == "万元"
    first = seed_doc.record("综合管理工作经费")
    assert "2022 年 380 万元" in first.get("项目前两年预算及当年预算变动情况")
    details = first.subtable("项目支出明细测算")
    rent = next(row for row in details if row[0].raw == "办公场所租金")
    assert next(f for f in rent if f.key == "金额").value == D("110.55")
    assert next(f for f in rent if f.key == "支出经济分类").raw == "租赁费"


def test_form_continued_after_a_page_break_stays_one_record(seed_doc):
    # 党群工作经费's 年度绩效目标表 is printed after a page break with its own title line
    rec = seed_doc.record("党群工作经费")
    assert rec.subtable("年度绩效目标表")
    assert not any(r.title == "年度绩效目标表" for r in seed_doc.records)


def test_overall_performance_form(seed_doc):
    rec = next(r for r in seed_doc.records if r.table_id == "附表13")
    assert rec.get("填报人") == "李杰"
    projects = rec.subtable("项目支出情况")
    assert len(projects) == 10
    assert projects[0][0].raw == "综合管理工作经费"


def test_paragraph_broken_by_page_break_is_rejoined(seed_doc):
    text = next(p.text for p in seed_doc.paragraphs if "在职实有人数" in p.text)
    assert "在职实有人数 19 人，其中：行政编制 18 人，事业编制 1 人" in text


def test_sections_and_paragraph_heading_paths(seed_doc):
    p = next(p for p in seed_doc.paragraphs if p.text.startswith("2024 年一般公共预算安排“三公”经费支出预算"))
    assert p.section == (
        "第三部分 武汉经济技术开发区智能制造产业园管理办公室 2024 年部门预算情况说明",
        "七、一般公共预算“三公”经费支出安排情况",
    )
    assert "比 2023 年无增减变化" in p.text  # rejoined across a page break
    glossary = next(p for p in seed_doc.paragraphs if p.text.startswith("（二）基本支出："))
    assert glossary.section == ("第四部分 名词解释",)
    # the table of contents is not a section
    assert sum(1 for s in seed_doc.sections if s.path == ("第四部分 名词解释",)) == 1


def test_list_item_cut_by_a_page_break_is_not_a_heading(seed_doc):
    assert not any("建设项目管理推进经费" in s.title for s in seed_doc.sections)
    item = next(p for p in seed_doc.paragraphs if p.text.startswith("6.建设项目管理推进经费"))
    assert item.text.endswith("PPP项目绩效考核。")


def test_locations_point_at_lines(seed_doc):
    row = seed_doc.table("附表7").rows[0]
    assert row.location.line == 325  # "5.54\t0.00\t5.04…" in the seed
    assert str(row.location).endswith("line 325")


def test_seed_is_internally_consistent(seed_doc):
    assert [f for f in seed_doc.findings if f.severity == "error"] == []
    # the one real rounding difference in the document: 工资福利支出 items add to 845.12
    warnings = {(f.table, f.row, f.column) for f in seed_doc.findings}
    assert warnings == {
        ("附表6", seed_doc.table("附表6").row("301").id, ("本年一般公共预算基本支出", "合计")),
        ("附表6", seed_doc.table("附表6").row("301").id, ("本年一般公共预算基本支出", "人员经费")),
    }


def _corrupt(tmp_path, seed_path, old: str, new: str):
    text = seed_path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path = tmp_path / "broken.txt"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return corpus.load(path)


def _keys(doc):
    return {(f.check, f.table, f.row, f.column) for f in doc.findings}


def test_a_corrupted_cell_gives_exactly_the_expected_findings(tmp_path, seed_path, seed_doc):
    broken = _corrupt(tmp_path, seed_path,
                      "2010302\t一般行政管理事务\t859.94\t234.39\t0.00\t234.39\t625.55",
                      "2010302\t一般行政管理事务\t859.94\t234.39\t0.00\t234.49\t625.55")
    t = broken.table("附表5")
    new = _keys(broken) - _keys(seed_doc)
    assert new == {
        ("column_sum", "附表5", t.row("2010302").id, ("基本支出", "小计")),
        ("children_sum", "附表5", t.row("20103").id, ("基本支出", "公用经费")),
    }
    assert all(f.severity == "error" for f in broken.findings if (f.check, f.table, f.row, f.column) in new)


def test_a_corrupted_class_total_breaks_sums_and_cross_table_agreement(tmp_path, seed_path, seed_doc):
    broken = _corrupt(tmp_path, seed_path,
                      "201\t一般公共服务支出\t1414.72\t789.17\t625.55",
                      "201\t一般公共服务支出\t1414.82\t789.17\t625.55")
    t = broken.table("附表3")
    new = _keys(broken) - _keys(seed_doc)
    assert new == {
        ("children_sum", "附表3", t.row("201").id, ("合计",)),
        ("total_row", "附表3", t.rows[0].id, ("合计",)),
        ("column_sum", "附表3", t.row("201").id, ("合计",)),
        ("cross_table", "附表1/支出", broken.table("附表1/支出").row("一、一般公共服务支出").id, ("预算数",)),
    }
    cross = next(f for f in broken.findings if f.check == "cross_table")
    assert "1414.72" in cross.message and "1414.82" in cross.message


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig"])
def test_other_encodings_parse_to_the_same_model(tmp_path, seed_path, seed_doc, encoding):
    path = tmp_path / seed_path.name
    path.write_bytes(seed_path.read_text(encoding="utf-8").encode(encoding))
    doc = corpus.load(path)
    mine, theirs = document_dict(doc), document_dict(seed_doc)
    for d in (mine, theirs):
        d["document"].pop("sha256")
        d["document"].pop("source")
    assert mine == theirs


def test_load_dir_reads_the_bundled_corpus():
    docs = corpus.load_dir(corpus.default_corpus_dir())
    assert [d.doc_id for d in docs] == ["2024_wuhan-jkq_intelligent-manufacturing-park_budget"]


def test_narrative_and_tables_published_as_two_files_form_one_document(tmp_path, seed_path, seed_doc):
    text = seed_path.read_text(encoding="utf-8")
    cut = text.index("第三部分 武汉经济技术开发区智能制造产业园管理办公室 2024 年部门预算情况说明\n\n一、收支预算总体安排情况")
    tables, narrative = tmp_path / "tables.txt", tmp_path / "narrative.txt"
    tables.write_text(text[:cut], encoding="utf-8")
    narrative.write_text(text[cut:], encoding="utf-8")
    doc = corpus.load_parts([tables, narrative])
    assert doc.sources == ("tables.txt", "narrative.txt")
    assert doc.department == seed_doc.department
    assert [t.key for t in doc.tables] == [t.key for t in seed_doc.tables]
    assert any("在职实有人数" in p.text for p in doc.paragraphs)
    assert any(p.location.source == "narrative.txt" and "国有资产 1410.36 万元" in p.text for p in doc.paragraphs)


def test_a_title_like_line_without_a_table_stays_narrative(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("示例局 2024 年部门预算\n\n一、说明\n\n详见部门收支总表\n\n本部门无其他说明。\n", encoding="utf-8")
    doc = corpus.load(path)
    # nothing is lost; a line that does not end a sentence runs on into the next one
    assert [p.text for p in doc.paragraphs] == ["详见部门收支总表本部门无其他说明。"]
    assert doc.paragraphs[0].section == ("一、说明",)
    assert doc.tables == ()
