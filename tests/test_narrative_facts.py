"""Figures stated only in the narrative (政府采购, 车辆, 设备, 编制, 机构 counts, changes on the
previous year) become facts whose subject is what they count or measure, in every template:
real values from the development PDFs in evaluation/corpora/extra."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import corpus
from corpus.facts import Fact, FactKind, document_facts
from qa.passages import sentences, with_reasons

EXTRA = Path(__file__).resolve().parents[1] / "evaluation" / "corpora" / "extra"


def _narrative(name: str) -> list[Fact]:
    return [f for f in document_facts(corpus.load(EXTRA / name)) if f.kind == FactKind.NARRATIVE]


@pytest.fixture(scope="module")
def fayuan2018() -> list[Fact]:
    return _narrative("jiangsu_gaoji_fayuan_2018_bumen_yusuan.pdf")


@pytest.fixture(scope="module")
def wanli2025() -> list[Fact]:
    return _narrative("shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf")


@pytest.fixture(scope="module")
def renda2019() -> list[Fact]:
    return _narrative("jiangsu_renda_changweihui_2019_bumen_yusuan_wenjian.pdf")


def _one(facts: list[Fact], subject: str, unit: str, change: str = "") -> Fact:
    found = [f for f in facts if f.subject == subject and f.unit == unit and f.change == change]
    assert found, f"no {subject} in {unit} ({change or 'level'}): " + ", ".join(sorted({f.subject for f in facts}))
    return found[0]


def test_procurement_total_and_its_parts_jiangsu(fayuan2018):
    # "2018 年我部门政府采购预算总金额为 4641.62 万元。其中拟购买货物 962.86 万元；…"
    assert _one(fayuan2018, "政府采购预算总金额", "万元").value == Decimal("4641.62")
    goods = _one(fayuan2018, "拟购买货物", "万元")
    assert goods.value == Decimal("962.86") and goods.parent_subject == "政府采购预算总金额"
    assert _one(fayuan2018, "拟购买工程", "万元").value == Decimal("539")


def test_procurement_total_and_its_parts_shanghai(wanli2025):
    # "2025年本部门政府采购预算4821.20万元，其中：政府采购货物预算57.43万元、政府采购工程预算3780.72万元、…"
    assert _one(wanli2025, "政府采购预算", "万元").value == Decimal("4821.20")
    works = _one(wanli2025, "政府采购工程预算", "万元")
    assert works.value == Decimal("3780.72") and works.parent_subject == "政府采购预算"


def test_vehicles_total_by_type_and_the_equipment_bound(wanli2025):
    # "共有车辆8辆，其中：…其他用车8辆；单价100万元（含）以上设备（不含车辆）0台（套）"
    total = _one(wanli2025, "车辆", "辆")
    assert total.value == Decimal("8") and "2024年8月31日" in total.topic
    assert _one(wanli2025, "执法执勤用车", "辆").value == Decimal("0")
    assert _one(wanli2025, "单价100万元（含）以上设备（不含车辆）", "台（套）").value == Decimal("0")
    # the bound 100 万元 qualifies what is counted: it is no amount of the budget
    assert not [f for f in wanli2025 if f.value == Decimal("100") and f.unit == "万元"]


def test_staff_establishment_and_units(renda2019):
    # "…38个处室。…编制338名，其中行政编制200名、…"
    assert _one(renda2019, "编制", "名").value == Decimal("338")
    assert _one(renda2019, "行政编制", "名").parent_subject == "编制"
    assert any(f.context == "处室" and f.value == Decimal("38") for f in renda2019)


def test_change_on_the_previous_year_is_about_the_item_not_the_comparison(fayuan2018):
    # "…收入、支出预算总计 33172.15 万元。与上年相比，收入、支出预算总计各增加 4322.77 万元，增长 14.98%"
    change = _one(fayuan2018, "收支预算总计", "万元", "增加")
    assert change.value == Decimal("4322.77")
    assert _one(fayuan2018, "收支预算总计", "%", "增长").value == Decimal("14.98")
    # "1．公共安全（类）支出 26200.88 万元，主要用于…。与上年相比增加 2687.77 万元，增长 11.43%。"
    assert _one(fayuan2018, "公共安全（类）支出", "万元", "增加").value == Decimal("2687.77")
    # "主要原因是基本支出增加 1447.63 万元，项目支出安排减少 200 万元，…"
    assert _one(fayuan2018, "基本支出", "万元", "增加").value == Decimal("1447.63")
    assert not [f for f in fayuan2018 if f.change and "与上年相比" in f.subject]


def test_change_against_a_named_year(wanli2025):
    # "财政拨款收入18,976.76万元，比2024年预算增加3,355.65万元"
    change = _one(wanli2025, "财政拨款收入", "万元", "增加")
    assert change.value == Decimal("3355.65") and change.compare_year == 2024


def test_both_way_change_wording_is_a_change(renda2019):
    # "（2）政府性基金收入预算 0 万元，与上年相比增加（减少）0 万元，增长（减少）0%"
    fund = [f for f in renda2019 if f.subject == "政府性基金收入预算" and f.change]
    assert fund and all(f.value == 0 for f in fund)
    # a page number printed inside the sentence ("与上年相比增加（减少）─7─") changes nothing
    assert not [f for f in renda2019 if "─" in f.subject or (not f.change and "上年相比" in f.subject)]


def test_a_reason_in_the_next_sentence_is_quoted_with_its_change():
    # 江苏省高级人民法院 2017: the reason follows the change in its own sentence
    text = ("2017 年本部门一般公共预算机关运行经费预算支出 9193.40 万元，比 2016 年增加 5503.07 万元，"
            "增长 149.12%。主要原因是统计口径与上年不一致。")
    assert text in with_reasons(sentences(text))
    # 江苏省人大常委会办公厅 2019: the item, its change and the reason are three sentences
    item = "3．住房保障（类）支出3301.2万元，主要用于住房公积金和提租补贴发放支出。"
    change = "与上年相比增加1178.82万元，增长55.54%。"
    reason = "主要原因是政策性调增住房公积金和提租补贴。"
    assert item + change + reason in with_reasons([item, change, reason])
    assert with_reasons(["甲。", "乙。"]) == ["甲。", "乙。"]


@pytest.fixture(scope="module")
def wanli2023() -> list[Fact]:
    return _narrative("shanghai_putuo_wanli_jiedao_2023_bumen_yusuan.pdf")


def test_a_measure_sentence_names_the_item_before_it(wanli2023):
    # "2. “…专项普查活动（项）”60.13万元，主要用于统计管理。2022年当年预算执行数为0万元，
    #  2023年预算安排60.13万元，比2022年预算执行数增加100.00%。"
    item = "“一般公共服务支出（类）统计信息事务（款）专项普查活动（项）”"
    assert _one(wanli2023, item + "2023年预算安排", "万元").value == Decimal("60.13")
    rise = _one(wanli2023, item, "%", "增加")
    assert rise.value == Decimal("100.00") and rise.compare_year == 2022
    # no bare "2023年预算安排" that a question about the whole budget could take
    assert not [f for f in wanli2023 if f.subject in ("2023年预算安排", "2022年当年预算执行数")]


def test_a_noted_year_in_the_comparison(wanli2023):
    # "财政拨款收入16497.86万元，比2022年（上一年度，下同）预算增加1421.25万元"
    change = _one(wanli2023, "财政拨款收入", "万元", "增加")
    assert change.value == Decimal("1421.25") and change.compare_year == 2022


def test_a_bare_amount_keeps_what_qualifies_it():
    facts = _narrative("shanghai_putuo_guihua_ziyuan_2024_bumen_juesuan.pdf")
    # "在面向中小企业预留的政府采购项目中，由中小企业供应商中标或成交的，采购金额225.10 万元"
    bare = [f for f in facts if f.subject == "采购金额"]
    assert not bare
    assert any(f.subject.endswith("政府采购金额") and f.value == Decimal("2319.21") for f in facts)


def test_how_many_project_funds_asks_for_money():
    from qa.analyze import analyze
    assert analyze("万里街道2023年编报绩效目标的项目涉及多少项目预算资金？").wants != "count:项"
    assert analyze("有多少项考核指标？").wants == "count:项"


# --- the standard paragraphs of 政府采购, 国有资产 and 绩效目标 --------------------------------------


def test_a_list_goes_on_after_a_semicolon(fayuan2018):
    # "其中拟购买货物 962.86 万元；拟购买工程 539 万元；拟购买服务 3139.76 万元。"
    for subject, value in (("拟购买工程", "539"), ("拟购买服务", "3139.76")):
        part = _one(fayuan2018, subject, "万元")
        assert part.value == Decimal(value) and part.parent_subject == "政府采购预算总金额"


def test_a_list_goes_on_after_a_paragraph_break(renda2019):
    # "…政府采购支出预算总额2416.43万元，其中：" | "拟采购货物支出233.1万元、拟购买服务支出2183.33万元。"
    services = _one(renda2019, "拟购买服务支出", "万元")
    assert services.value == Decimal("2183.33") and services.parent_subject == "政府采购支出预算总额"


def test_a_list_of_another_unit_is_no_part(wanli2025):
    # "…其他用车8辆；单价100万元（含）以上设备（不含车辆）0台（套）": the 设备 are no 车辆
    assert _one(wanli2025, "单价100万元（含）以上设备（不含车辆）", "台（套）").parent_subject == ""


def test_a_bracket_after_a_figure_lists_its_parts(wanli2023):
    # "车辆7辆（一般公务用车3辆，执法执勤用车4辆，特种专业技术用车0辆，其他用车0辆）"
    assert _one(wanli2023, "车辆", "辆").value == Decimal("7")
    for subject, value in (("一般公务用车", "3"), ("执法执勤用车", "4"), ("其他用车", "0")):
        part = _one(wanli2023, subject, "辆")
        assert part.value == Decimal(value) and part.parent_subject == "车辆" and part.context != "）"


def test_assets_carry_the_day_they_are_counted_on(wanli2023, wanli2025):
    # "截止2022年12月31日，本部门流动资产448.82万元。固定资产3149.52万元，…；车辆7辆（…）"
    fixed = _one(wanli2023, "固定资产", "万元")
    assert fixed.value == Decimal("3149.52") and fixed.as_of == "2022-12-31"
    assert _one(wanli2023, "执法执勤用车", "辆").as_of == "2022-12-31"
    # "截至2024年8月31日，…共有车辆8辆" — but "2025年部门预算安排购置车辆1辆" is the budget's
    assert _one(wanli2025, "车辆", "辆").as_of == "2024-08-31"
    assert _one(wanli2025, "2025年部门预算安排购置车辆", "辆").as_of == ""


def test_equipment_is_counted_in_tai_tao():
    facts = _narrative("06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf")
    # "单价 20 万元（含）以上的设备 48 台（套）"
    equipment = _one(facts, "单价20万元（含）以上的设备", "台（套）")
    assert equipment.value == Decimal("48")


def test_funds_of_the_projects_with_performance_targets(wanli2023, fayuan2018):
    # "编报绩效目标的项目5个，涉及项目预算资金3328.13万元"
    assert _one(wanli2023, "编报绩效目标的项目", "个").value == Decimal("5")
    funds = _one(wanli2023, "涉及项目预算资金", "万元")
    assert funds.value == Decimal("3328.13") and funds.parent_subject == "编报绩效目标的项目"
    # "2018 年本部门共 6 个项目实行绩效目标管理，涉及财政性资金合计 4481.3 万元"
    funds = _one(fayuan2018, "涉及财政性资金", "万元")
    assert funds.value == Decimal("4481.3") and funds.parent_subject == "项目实行绩效目标管理"


def test_stock_dates():
    from corpus.dates import same_day, stock_dates
    assert [d.iso for d in stock_dates("截止2022年12月31日，本部门流动资产448.82万元")] == ["2022-12-31"]
    assert [d.iso for d in stock_dates("截至 2024 年 8 月 31 日，共有车辆")] == ["2024-08-31"]
    assert [d.iso for d in stock_dates("截至2022年底有几辆执法执勤用车")] == ["2022-12-31"]
    assert stock_dates("2025年部门预算安排购置车辆1辆") == []
    assert same_day("2024-08", "2024-08-31") and not same_day("2023-08-31", "2024-08-31")


def test_a_stock_date_is_not_the_budget_year():
    from qa.analyze import analyze
    q = analyze("截至2024年8月31日，万里街道共有车辆多少辆？")
    assert q.years == () and q.as_of == "2024-08-31"
    q = analyze("万里街道2023年部门预算中，截至2022年底有几辆执法执勤用车？")
    assert q.years == (2023,) and q.as_of == "2022-12-31"


def test_a_numbered_list_counts_its_units():
    # "纳入上海市普陀区规划和自然资源局 2024 年度部门决算编制范围的单位包括：" then 序号 1 … 5
    doc = corpus.load(EXTRA / "shanghai_putuo_guihua_ziyuan_2024_bumen_juesuan.pdf")
    units = [f for f in document_facts(doc) if f.subject == "纳入2024年度部门决算编制范围的单位"]
    assert [(f.value, f.unit, f.raw, f.context) for f in units] == [(Decimal("5"), "个", "5", "单位")]
    assert "上海市普陀区土地发展中心" in units[0].text


def test_how_a_question_says_a_narrative_item():
    from corpus.names import _said_forms
    # without the 支出 of a longer name, and the total without its amount word
    assert _said_forms("政府采购支出预算总额") == ["政府采购预算总额", "政府采购支出预算"]
    assert _said_forms("政府采购预算总金额") == ["政府采购预算"]
    # a bound is said with or without 元 (单价100万（含）以上设备 in 财政局 2025's 说明)
    assert _said_forms("单价20万元（含）以上的设备") == ["单价20万元以上的设备", "单价20万以上的设备"]
    # 项目支出预算数 stays itself: 项目预算数 would be spoken of as a bare 项目
    assert _said_forms("项目支出预算数") == []
