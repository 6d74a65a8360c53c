"""Department linking: the names people write, derived by known rules, explained, unique."""

from __future__ import annotations

import pytest

from qa.departments import match_departments, name_variants

LOADED = [
    "江苏省高级人民法院", "江苏省人民检察院", "江苏省人大常委会办公厅", "江苏省政协办公厅",
    "上海市普陀区人民政府万里街道办事处", "上海市普陀区财政局", "上海市普陀区规划和自然资源局",
    "上海市普陀区商务委员会", "中共上海市普陀区委社会工作部", "武汉经济技术开发区智能制造产业园管理办公室",
]


@pytest.mark.parametrize("question,department,written", [
    ("江苏省检察院2017年公务接待费是多少", "江苏省人民检察院", "江苏省检察院"),
    ("省法院2019年项目支出", "江苏省高级人民法院", "省法院"),
    ("江苏省高院2018年会议费", "江苏省高级人民法院", "江苏省高院"),
    ("万里街道2024年的公务接待费", "上海市普陀区人民政府万里街道办事处", "万里街道"),
    ("按江苏省人大常委会办公厅2019年的部门预算，培训费是多少", "江苏省人大常委会办公厅", "江苏省人大常委会办公厅"),
    ("省人大办公厅2019年会议费", "江苏省人大常委会办公厅", "省人大办公厅"),
    ("普陀区商务委2025年三公经费", "上海市普陀区商务委员会", "普陀区商务委"),
    ("区委社会工作部2024年决算", "中共上海市普陀区委社会工作部", "区委社会工作部"),
    ("上海市普陀区委社会工作部2024年决算", "中共上海市普陀区委社会工作部", "上海市普陀区委社会工作部"),
    ("智能制造产业园2024年预算", "武汉经济技术开发区智能制造产业园管理办公室", "智能制造产业园"),
])
def test_the_forms_people_write_link_to_one_department(question, department, written):
    [match] = match_departments(question, LOADED)
    assert (match.department, match.written) == (department, written)
    assert match.rule  # every link says how it was made


def test_the_rule_is_explained():
    [match] = match_departments("普陀区政府办2024年预算", ["上海市普陀区人民政府办公室", "上海市普陀区财政局"])
    assert match.department == "上海市普陀区人民政府办公室"
    assert "人民政府→政府" in match.rule and "办公室→办" in match.rule


def test_with_or_without_中共():
    assert match_departments("江苏省委办公厅2019年", ["中共江苏省委办公厅"])[0].rule == "略去中共"
    assert match_departments("中共江苏省委办公厅2019年", ["中共江苏省委办公厅"])[0].rule == "全称"


def test_two_equally_good_matches_are_both_returned():
    found = match_departments("财政局2025年的三公经费", ["上海市普陀区财政局", "上海市静安区财政局"])
    assert {m.department for m in found} == {"上海市普陀区财政局", "上海市静安区财政局"}


def test_a_more_specific_name_beats_a_shorter_one():
    [match] = match_departments("静安区财政局2025年", ["上海市普陀区财政局", "上海市静安区财政局"])
    assert match.department == "上海市静安区财政局"


def test_no_department_named():
    assert match_departments("公务接待费是多少", LOADED) == []


def test_variants_are_derived_not_listed():
    forms = dict(name_variants("江苏省高级人民法院"))
    assert {"江苏省高级人民法院", "江苏省高院", "省法院", "江苏高院", "高院"} <= set(forms)


def test_a_link_explains_itself():
    [match] = match_departments("省法院2019年项目支出", LOADED)
    assert match.explain() == f"“省法院”指江苏省高级人民法院（{match.rule}）"
    assert "级别简称" in match.rule and "法院" in match.rule


@pytest.mark.parametrize("question", [
    "南京市中级人民法院2019年公务接待费",      # another court: 法院 inside a longer name does not stand alone
    "上海市普陀区人民政府办公室2024年预算",    # shares only the region and 人民政府 with 万里街道
    "工会经费是多少",
])
def test_names_that_are_not_a_loaded_department(question):
    assert match_departments(question, LOADED) == []


@pytest.mark.parametrize("question,written", [
    ("江苏省人民代表大会常务委员会办公厅2019年财政拨款基本支出预算是多少", "江苏省人民代表大会常务委员会办公厅"),
    ("普陀区万里街道办2024年政府采购工程预算是多少", "普陀区万里街道办"),
    ("根据普陀区商务委员会2025年单位预算，机关设几个内设机构", "普陀区商务委员会"),
])
def test_long_and_office_forms(question, written):
    [match] = match_departments(question, LOADED)
    assert match.written == written


@pytest.mark.parametrize("question,written", [
    ("政协江苏省委员会办公厅2018年公务接待费预算是多少？", "政协江苏省委员会办公厅"),
    ("中国人民政治协商会议江苏省委员会办公厅2018年预算是多少", "中国人民政治协商会议江苏省委员会办公厅"),
    ("省政协办2018年提租补贴预算是多少？", "省政协办"),
])
def test_a_cppcc_committee_in_its_long_and_short_forms(question, written):
    # X政协 is the standard short form of 政协X委员会 (中国人民政治协商会议X委员会)
    assert [(m.department, m.written) for m in match_departments(question, LOADED)] == [("江苏省政协办公厅", written)]


def test_a_cppcc_name_printed_in_the_long_form_is_said_in_the_short_one():
    variants = dict(name_variants("政协江苏省委员会办公厅"))
    assert variants["江苏省政协办公厅"] == "政协X委员会→X政协" and "省政协办公厅" in variants



def test_among_a_thousand_departments_the_same_links_as_comparing_each():
    """A question is compared only with the departments whose written forms' rarest character
    pair it holds; that links exactly what comparing it with every loaded department links."""
    from qa.departments import OPENERS, DepartmentMatch, _alone_at, _by_variants

    def compare_each(text: str, departments: list[str]) -> list[DepartmentMatch]:
        text = OPENERS.sub("", text)
        best: list[DepartmentMatch] = []
        for department in sorted(set(departments)):
            written_at = [(w, rule, at) for w, rule in name_variants(department) if (at := _alone_at(text, w)) >= 0]
            if written_at:
                written, rule, _ = min(written_at, key=lambda w: (-len(w[0]), w[2]))
                found = DepartmentMatch(department, written, rule)
                if not best or found.strength > best[0].strength:
                    best = [found]
                elif found.strength == best[0].strength:
                    best.append(found)
        return best

    many = LOADED + [f"示例市第{i}局" for i in range(1000)] + [f"上海市普陀区第{i}街道办事处" for i in range(200)]
    questions = ["示例市第33局2023年一般公共预算支出合计是多少", "示例市第3局2020年收入总计", "第7局的会议费",
                 "上海市普陀区第12街道办事处2024年公务接待费", "请问万里街道2024年的公务接待费", "省法院2019年项目支出",
                 "江苏省检察院2017年公务接待费是多少", "2024年一般公共预算拨款收入是多少？"]
    for question in questions:
        assert _by_variants(question, many) == compare_each(question, many), question
    [match] = _by_variants("示例市第33局2023年一般公共预算支出合计是多少", many)
    assert (match.department, match.written) == ("示例市第33局", "示例市第33局")
    assert _by_variants("2024年一般公共预算拨款收入是多少？", many) == []


def test_a_department_not_loaded_is_said_with_a_few_of_the_loaded_ones():
    """The refusal names the loaded departments when they are few, and the first ten and how
    many when they are many (a portal's thousands would be a page of names)."""
    from corpus.facts import DocumentInfo
    from qa.analyze import analyze
    from qa.scope import documents_for

    loaded = {f"d{i}": DocumentInfo(f"d{i}", "t", f"示例市第{i}局", 2024, "预算", "s", "x") for i in range(30)}
    question = analyze("南京市财政局2024年公务接待费是多少")
    docs, reason = documents_for(question, {d: loaded[d] for d in ("d0", "d1", "d2")}, None)
    assert not docs and reason == "没有载入“南京市财政局”的预算文件（已载入：示例市第0局、示例市第1局、示例市第2局）"
    docs, reason = documents_for(question, loaded, None)
    assert not docs and reason is not None and reason.endswith("示例市第17局、示例市第18局 等 30 个部门）")
    assert reason.count("、") == 9
    assert documents_for(analyze("示例市第3局2024年公务接待费是多少"), loaded, None) == ({"d3"}, None)
