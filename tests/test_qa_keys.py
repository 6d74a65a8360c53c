"""The canonical keys a question names (qa.keys): fund scope and spending type words, the
table a question names, and the names a table's printed structure implies."""

from __future__ import annotations

from corpus.names import total_names
from qa.keys import key_spans, named_table
from corpus.names import qualified_leaf


def _said(text: str) -> list[tuple[str, str, str]]:
    return [(k.measure, k.key, text[k.start:k.end]) for k in key_spans(text)]


def test_spending_words_are_read_though_their_characters_are_stopwords():
    assert _said("基本支出中公用经费是多少") == [("spending", "基本", "基本支出"), ("spending", "公用", "公用经费")]
    assert _said("培训费基本支出是多少") == [("spending", "基本", "基本支出")]


def test_a_general_budget_appropriation_is_one_fund_not_two():
    assert _said("一般公共预算财政拨款基本支出") == [("fund_scope", "一般公共预算", "一般公共预算财政拨款"),
                                                    ("spending", "基本", "基本支出")]
    assert _said("行政运行财政拨款支出预算是多少") == [("fund_scope", "财政拨款", "财政拨款")]
    assert _said("政府性基金预算支出是多少") == [("fund_scope", "政府性基金", "政府性基金预算")]


def test_a_named_table_is_read_with_its_words():
    text = "按三公经费、会议费、培训费支出预算表,江苏省人大常委会办公厅2019年会议费是多少?"
    found = named_table(text)
    assert found is not None and found[0] == "三公"
    assert text[slice(*found[1])] == "三公经费、会议费、培训费支出预算表"
    assert named_table("根据支出决算表,普陀区规划和自然资源局2024年城乡社区规划与管理项目支出是多少?")[0] == "支出总表"
    assert named_table("按一般公共预算财政拨款基本支出决算表,2024年人员经费合计是多少?")[0] == "一般公共预算基本支出表"
    assert named_table("江苏省高院2019年三公经费、会议费、培训费支出预算表中,会议费一栏是多少?")[1][0] > 0  # after the year


def test_words_that_are_not_tables():
    assert named_table("省人大常委会办公厅2019年人大代表活动经费是多少") is None
    assert named_table("会议费是多少") is None


def test_a_column_under_a_group_of_two_items_takes_the_group_subject():
    assert qualified_leaf("公务用车购置及运行费", "运行费") == "公务用车运行费"
    assert qualified_leaf("公务用车购置及运行维护费", "购置费") == "公务用车购置费"
    assert qualified_leaf("公务用车购置及运行维护费", "公务用车运行维护费") == ""  # already named in full
    assert qualified_leaf("公务用车购置及运行维护费", "小计") == ""


def test_a_fund_table_total_is_that_funds_spending():
    assert total_names("政府性基金", "公开10表 政府性基金预算财政拨款支出预算表") == ("政府性基金预算支出", "政府性基金支出")
    assert total_names("政府性基金", "表9 政府性基金预算财政拨款收入支出决算表") == ()  # 收入 and 支出 together
    assert total_names("三公", "公开09表 “三公”经费、会议费、培训费支出预算表") == ()


def test_a_named_table_is_not_the_whole_budget():
    # 按“三公”经费…支出预算表，合计 is that table's 合计 (1656.86 in the 2018 江苏省政协办公厅 budget),
    # never the 收支总表's 总计
    from qa.analyze import analyze
    from qa.totals import asks_total_budget
    assert not asks_total_budget(analyze("按“三公”经费、会议费、培训费支出预算表，省政协办公厅2018年合计是多少？"), [])
    assert asks_total_budget(analyze("省政协办公厅2018年预算是多少？"), [])
