"""Whose budget, which year, what kind — read from each real document's own words."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import corpus
from corpus.identity import DocKind, identify, region_of
from corpus.serialize import document_dict

EXTRA = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"

# file → (department, year, kind, region, level), as printed on each cover or caption
EXPECTED = {
    "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf": ("上海市普陀区人民政府万里街道办事处", 2024, "部门预算", "上海市普陀区", "区级"),
    "06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf": ("江苏省高级人民法院", 2019, "部门预算", "江苏省", "省级"),
    "jiangsu_gaoji_fayuan_2017_bumen_yusuan.pdf": ("江苏省高级人民法院", 2017, "部门预算", "江苏省", "省级"),
    "jiangsu_gaoji_fayuan_2018_bumen_yusuan.pdf": ("江苏省高级人民法院", 2018, "部门预算", "江苏省", "省级"),
    "jiangsu_jianchayuan_2017_bumen_yusuan.pdf": ("江苏省人民检察院", 2017, "部门预算", "江苏省", "省级"),
    "jiangsu_renda_changweihui_2019_bumen_yusuan_biaoge.pdf": ("江苏省人大常委会办公厅", 2019, "部门预算", "江苏省", "省级"),
    "jiangsu_renda_changweihui_2019_bumen_yusuan_wenjian.pdf": ("江苏省人大常委会办公厅", 2019, "部门预算", "江苏省", "省级"),
    "jiangsu_zhengxie_bangongting_2018_bumen_yusuan_biaoge.pdf": ("江苏省政协办公厅", 2018, "部门预算", "江苏省", "省级"),
    "jiangsu_zhengxie_bangongting_2018_bumen_yusuan_wenjian.pdf": ("江苏省政协办公厅", 2018, "部门预算", "江苏省", "省级"),
    "shanghai_putuo_caizhengju_2025_bumen_yusuan.pdf": ("上海市普陀区财政局", 2025, "部门预算", "上海市普陀区", "区级"),
    "shanghai_putuo_guihua_ziyuan_2024_bumen_juesuan.pdf": ("上海市普陀区规划和自然资源局", 2024, "部门决算", "上海市普陀区", "区级"),
    "shanghai_putuo_shangwuwei_2025_bumen_yusuan.pdf": ("上海市普陀区商务委员会", 2025, "部门预算", "上海市普陀区", "区级"),
    "shanghai_putuo_shangwuwei_2025_danwei_yusuan.pdf": ("上海市普陀区商务委员会", 2025, "单位预算", "上海市普陀区", "区级"),
    "shanghai_putuo_shehui_gongzuobu_2024_bumen_juesuan.pdf": ("中共上海市普陀区委社会工作部", 2024, "部门决算", "上海市普陀区", "区级"),
    "shanghai_putuo_wanli_jiedao_2023_bumen_yusuan.pdf": ("上海市普陀区人民政府万里街道办事处", 2023, "部门预算", "上海市普陀区", "区级"),
    "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf": ("上海市普陀区人民政府万里街道办事处", 2025, "部门预算", "上海市普陀区", "区级"),
}


@cache
def load(name: str) -> corpus.BudgetDocument:
    return corpus.load(EXTRA / name)


def test_every_real_pdf_is_listed():
    assert sorted(p.name for p in EXTRA.glob("*.pdf")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_real_pdf_says_whose_budget_it_is(name):
    doc = load(name)
    department, year, kind, region, level = EXPECTED[name]
    assert (doc.department, doc.year, doc.kind, doc.region, doc.level) == (department, year, kind, region, level)
    assert doc.doc_type == kind[2:]  # the phase, as before
    # read from the content: nothing was guessed from the file name
    assert not [f.message for f in doc.findings if f.check == "identity"]


def test_the_seed_says_whose_budget_it_is(seed_doc):
    assert (seed_doc.department, seed_doc.year, seed_doc.kind) == ("武汉经济技术开发区智能制造产业园管理办公室", 2024, DocKind.部门预算)
    assert (seed_doc.region, seed_doc.level) == ("武汉经济技术开发区", "区级")
    assert seed_doc.title == "武汉经济技术开发区智能制造产业园管理办公室 2024 年部门预算"


def test_the_two_files_of_a_split_publication_are_one_publication():
    narrative = load("jiangsu_renda_changweihui_2019_bumen_yusuan_wenjian.pdf")
    tables = load("jiangsu_renda_changweihui_2019_bumen_yusuan_biaoge.pdf")
    assert narrative.publication == tables.publication == "江苏省人大常委会办公厅|2019|部门预算"
    # the 单位预算 of a department is not its 部门预算
    assert load("shanghai_putuo_shangwuwei_2025_danwei_yusuan.pdf").publication \
        != load("shanghai_putuo_shangwuwei_2025_bumen_yusuan.pdf").publication


def test_identity_is_serialized_and_shown():
    from corpus.__main__ import summary

    doc = load("shanghai_putuo_shangwuwei_2025_danwei_yusuan.pdf")
    d = document_dict(doc)["document"]
    assert (d["kind"], d["level"], d["region"]) == ("单位预算", "区级", "上海市普陀区")
    assert "kind: 单位预算" in summary(doc) and "region: 上海市普陀区" in summary(doc)


def test_a_file_name_fills_only_what_the_content_does_not_say_and_says_so(tmp_path):
    # a tables-only text export whose tables never print a year
    path = tmp_path / "jiangsu_example_2019_bumen_yusuan.txt"
    path.write_text("收支预算总表\n部门：江苏省示例厅 单位：万元\n\n本表无数据\n", encoding="utf-8")
    doc = corpus.load(path)
    assert (doc.department, doc.year, doc.kind) == ("江苏省示例厅", 2019, "部门预算")
    [finding] = [f for f in doc.findings if f.check == "identity"]
    assert "文件名" in finding.message and "年度" in finding.message and "2019" in finding.message


def test_a_file_that_says_nothing_says_so(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("一、说明\n\n本文件没有表格。\n", encoding="utf-8")
    doc = corpus.load(path)
    assert doc.department is None and doc.year is None
    assert any("部门名称" in f.message and "年度" in f.message for f in doc.findings if f.check == "identity")


def test_a_cover_that_breaks_the_name_across_lines():
    ident = identify(["2018 年度江苏省高级", "人民法院预算公开", "2018 年 2 月 24 日", "目", "录"])
    assert (ident.department, ident.year, ident.kind) == ("江苏省高级人民法院", 2018, DocKind.部门预算)


def test_a_caption_names_the_unit_when_the_cover_names_the_district():
    ident = identify(["上海市普陀区2025年区级单位预算", "预算单位：上海市普陀区商务委员会", "目", "录"])
    assert (ident.department, ident.kind, ident.level) == ("上海市普陀区商务委员会", DocKind.单位预算, "区级")


def test_a_party_department_keeps_its_name_and_region():
    ident = identify(["中共上海市普陀区委", "社会工作部 2024 年度", "部门决算", "目", "录"])
    assert (ident.department, ident.year, ident.kind) == ("中共上海市普陀区委社会工作部", 2024, DocKind.部门决算)
    assert ident.kind is not None and ident.kind.phase == "决算"


@pytest.mark.parametrize("name,region,level", [
    ("江苏省人民检察院", "江苏省", "省级"),
    ("上海市普陀区财政局", "上海市普陀区", "区级"),
    ("上海市财政局", "上海市", "市级"),
    ("武汉市财政局", "武汉市", "市级"),
])
def test_region_and_level_come_from_the_front_of_the_name(name, region, level):
    assert region_of(name) == (region, level)
