"""How an organisation's name ends, read in one place (`corpus.organisations`) by the
document's identity and the question's department links: real names of the 16 PDFs and seed."""

from __future__ import annotations

import pytest

from corpus.identity import is_organisation
from corpus.organisations import NAME_WORD, OPENING_NAME, OWNER_END, ends_like_organisation


@pytest.mark.parametrize("name,is_one", [
    ("江苏省高级人民法院", True), ("江苏省人民检察院", True), ("中国人民政治协商会议江苏省委员会办公厅", True),
    ("上海市普陀区人民政府万里街道办事处", True), ("上海市普陀区规划和自然资源局", True),
    ("武汉经济技术开发区智能制造产业园管理办公室", True), ("中共上海市普陀区委社会工作部", True),
    ("上海市普陀区", False), ("江苏省", False), ("部门预算", False),
])
def test_a_document_department_ends_like_an_organisation(name, is_one):
    assert is_organisation(name) is is_one


def test_a_question_phrase_can_end_as_a_name_at_every_organisation_word():
    # 普陀区规划资源局城乡社区支出: 规划资源局 ends a name; the 社 of 城乡社区 could too (the linker tries both)
    ends = [m.end() for m in NAME_WORD.finditer("普陀区规划资源局城乡社区支出")]
    assert ends == [8, 11]
    assert [m.end() for m in NAME_WORD.finditer("普陀区政府办")] == [5, 6]  # 政府, then the short 办


def test_the_short_names_people_write():
    assert all(ends_like_organisation(n) for n in ("经委", "财政局", "区府办", "万里街道", "省高院", "管理中心"))
    assert not any(ends_like_organisation(n) for n in ("", "行政运行", "一般公共预算"))


def test_the_owner_before_a_year_and_the_organisation_a_question_opens_with():
    assert OWNER_END.search("普陀区商务委本级") and OWNER_END.search("该单位") and not OWNER_END.search("综合管理工作经费")
    m = OPENING_NAME.match("武汉经开区教育局2024年的差旅费")
    assert m is not None and m.group(1) == "武汉经开区教育局"
    assert OPENING_NAME.match("差旅费的局部") is None  # never across 的
