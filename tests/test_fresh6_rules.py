"""General rules found with the sixth blind set (multi-fresh6, on the held-out four), each
checked here in other words or about other items, with the figures the PDFs print."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import corpus
from conftest import gold_set_engine
from corpus.narrative import paragraph_facts

EXTRA = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"


@pytest.fixture(scope="module")
def engine():
    return gold_set_engine("multi-dev")  # the same corpus as every multi-document set


@pytest.mark.parametrize("question,value,unit", [
    # a 决算 说明 heads each 项 with 类/款/项: 事业单位医疗（项） is said whole by its own heading,
    # only in part by 行政事业单位医疗（款） of the 行政单位医疗 heading before it (p.19)
    ("普陀社工部2024年事业单位医疗的全年预算", "2.29", "万元"),
    ("普陀区委社会工作部2024年行政单位医疗全年预算是多少", "2.23", "万元"),
    # "本部门预算还包括江苏省联谊俱乐部 8 名在职人员、…办公室 9 名在职人员人员经费" (文件 p.4):
    # what a budget includes is the subject, said without its place, and each listed unit's
    # people are the 人员经费's
    ("江苏政协2018年联谊俱乐部有几名在职人员", "8", "名"),
    ("江苏省政协办公厅2018年预算包含南京中国近代史遗址博物馆管理建设办公室多少名在职人员的人员经费", "9", "名"),
    # 政府采购表 as an outline across its label columns: 三、服务C > 省政协业务工作经费 > 住宿服务
    # (表格 公开12表), with 经济科目 beside a 专项 on the same row
    ("江苏省政协办公厅2018年政府采购中省政协业务工作经费的住宿服务是多少", "54.40", "万元"),
    ("江苏省政协办公厅2018年政府采购中商品和服务支出下的培训费是多少", "16.00", "万元"),
    ("省高院2019年政府采购里信息网络建设费的PC服务器是多少", "68.00", "万元"),
    # 财政项目支出绩效目标填报表: one project per 项目名称 (表10, pp.31–33), money in 元
    ("万里街道2023年公共服务设施运行经费项目资金总额是多少", "10903043.00", "元"),
    ("万里街道2023年新建万里街道社区公共服务中心项目的财政资金是多少", "4100000.00", "元"),
    # a line said without 预算总计 ("其他资金收入预算总计 15 万元。与上年相比增加 9.45 万元", p.18)
    ("省检察院2017年其他资金收入预算比上年增加多少", "9.45", "万元"),
    # a bound said with 元 where the 说明 leaves it out ("单价100万（含）以上设备（不含车辆）0台（套）")
    ("截至2024年8月31日，普陀区财政局单价100万元以上的设备有几台（2025年部门预算）", "0", "台（套）"),
    # a 决算's 绩效自评 score, in 分 ("绩效自评的2024年度项目39个，…平均得分99.33分", 说明 十)
    ("普陀区规划资源局2024年绩效自评项目平均得分是多少", "99.33", "分"),
    # "18年" is 2018年 as people write it (表六: 30228 工会经费 410.00; the 2019 budget prints 506.00)
    ("省法院18年基本支出中工会经费是多少", "410.00", "万元"),
    # a 类 said with 预算安排 is the 类's row, not the 预算安排 of one 项 under it (“…（类）其他社会保障
    # 和就业支出（款）…（项）”2023年预算安排 1,331.27 万元)
    ("上海市普陀区人民政府万里街道办事处2023年社会保障和就业支出预算安排了多少", "27073236", "元"),
    # …while the 项 itself still answers for its measure (p.8: 2022年当年预算执行数为2695.80万元)
    ("万里街道2023年城乡社区管理事务行政运行2022年执行数是多少", "2695.80", "万元"),
])
def test_figures(engine, question, value, unit):
    a = engine.answer(question)
    assert a.kind == "lookup" and (a.value, a.unit) == (Decimal(value), unit), a.answer
    assert "注意" not in a.answer, a.answer  # no second figure of equal standing


def test_difference_against_the_full_year_budget(engine):
    # 全年预算 is the 决算 template's adjusted budget: "比全年预算少" is a difference of two phases
    a = engine.answer("普陀区委社会工作部2024年行政单位医疗决算比全年预算少多少")
    assert a.kind == "computed" and (a.value, a.unit) == (Decimal("-0.01"), "万元"), a.answer
    assert "2.22 − 2.23" in (a.formula or "")


def test_this_budget_against_last_years_execution(engine):
    # "24. “…事业单位医疗（项）”145.02万元…2022年当年预算执行数为104.25万元，2023年预算安排145.02万元" (p.8)
    a = engine.answer("万里街道2023年事业单位医疗预算比2022年执行数多了多少")
    assert a.kind == "computed" and (a.value, a.unit) == (Decimal("40.77"), "万元"), a.answer
    assert "145.02 − 104.25" in (a.formula or "")


def test_a_difference_that_cannot_be_computed_is_never_one_sides_figure(engine):
    # 万里街道 2023 prints no 2021 执行数: not the 2022 one, nor this year's budget
    a = engine.answer("万里街道2023年事业单位医疗预算比2021年执行数多了多少")
    assert a.kind == "not_found", a.answer


def test_a_counted_list_shares_its_noun(engine):
    # "A、B、C、D四个专项预算": each is a 专项's 年度项目总预算, in its own 经费情况说明 (1,720 + 1,170 + …)
    a = engine.answer("普陀区商务委2025年科技创新、生命健康、商业创新、贸易高质量发展四个专项预算一共多少？")
    assert a.kind == "computed" and (a.value, a.unit) == (Decimal("7221.00"), "万元"), a.answer
    assert "1,720.00 + 1,170.00 + 1,410.00 + 2,921.00" in (a.formula or "")
    assert "科技创新专项 2025年度项目总预算" in a.answer  # each term says which 专项 it is


def test_a_printed_share_is_cited_beside_its_inputs(engine):
    # "基本支出 21968 万元，占 59.07%" (说明 一、收支预算总表情况说明): the computed share is the printed one
    a = engine.answer("江苏高院2019年基本支出占本年支出预算的比例是多少")
    assert a.kind == "computed" and (a.value, a.unit) == (Decimal("59.07"), "%"), a.answer
    assert any(c.table is None and c.value == Decimal("59.07") for c in a.citations), a.citations


@pytest.mark.parametrize("question,words", [
    # the reason spelled out by the sentences after it, which state no figure (p.22)
    ("省检察院2017年机关运行经费增长的原因是什么", ["统计口径形成的差异", "纳入了本表"]),
    # what an item's money is for, said right after the heading sentence that names it (p.19)
    ("普陀区委社会工作部2024年机关事业单位基本养老保险缴费支出主要用于什么", ["基本养老保险支出"]),
])
def test_passages(engine, question, words):
    a = engine.answer(question)
    assert a.kind == "passage" and all(w in a.answer for w in words), a.answer


def test_stacked_project_forms_are_one_record_each():
    doc = corpus.load(EXTRA / "shanghai_putuo_wanli_jiedao_2023_bumen_yusuan.pdf")
    titles = [r.title for r in doc.records]
    assert titles == ["新建万里街道社区公共服务中心", "就业援助基地补贴", "社区环境整治和建设经费", "各类工作经费",
                      "公共服务设施运行经费"]
    aid = doc.records[1]
    assert aid.get("项目资金总额") == "6,351,000.00" and aid.unit == "元"
    assert [f.value for f in aid.fields if f.key == "其中：财政资金"] == [Decimal("6351000.00")]
    assert [name for name, _ in aid.subtables] == ["项目绩效目标", "绩效指标"]


def test_procurement_label_columns_are_an_outline():
    doc = corpus.load(EXTRA / "jiangsu_zhengxie_bangongting_2018_bumen_yusuan_biaoge.pdf")
    table = doc.table("公开12表")
    lodging = [r for r in table.rows if r.label == "住宿服务"]
    paths = []
    for row in lodging:
        path, current = [], row
        while current is not None:
            path.append(current.label)
            current = table.row_by_id(current.parent) if current.parent else None
        paths.append(" > ".join(reversed(path)))
    # a 专项 printed on its first 经济科目's line (商品和服务支出 | 会议费) is a group of its own, with
    # that line and the next (| 培训费) under it; the 大类's 总计 still adds up (no finding)
    assert "三、服务C > 省政协专项会议 > 会议费 > 住宿服务" in paths
    assert "三、服务C > 商品和服务支出 > 培训费 > 住宿服务" in paths
    assert [f.message for f in doc.findings if f.severity == "error"] == []


def test_a_share_names_the_item_before_it():
    doc = corpus.load(EXTRA / "shanghai_putuo_shehui_gongzuobu_2024_bumen_juesuan.pdf")
    shares = {f.subject: f.value for f in paragraph_facts(doc) if f.unit == "%"}
    assert shares["基本支出占本年支出"] == Decimal("34.30")  # "其中：基本支出 105.58 万元，占34.30%"
    assert shares["项目支出占比"] == Decimal("65.70")


def test_vehicles_counted_with_the_parts_the_sentence_lists(engine):
    # "车辆7辆（一般公务用车3辆，执法执勤用车4辆，特种专业技术用车0辆，其他用车0辆）" (p.29):
    # 公务用车 counted is every vehicle, with its parts beside it, not as rival figures
    a = engine.answer("万里街道2023年有几辆公务用车")
    assert a.kind == "lookup" and (a.value, a.unit) == (Decimal("7"), "辆"), a.answer
    assert "其中：一般公务用车 3 辆，执法执勤用车 4 辆" in a.answer and "不同" not in a.answer


@pytest.mark.parametrize("said,written", [
    ("省法院18年工会经费", "省法院2018年工会经费"),
    ("截至23年8月31日", "截至2023年8月31日"),
    ("18年度预算", "2018年度预算"),
    ("房屋使用30年以上", "房屋使用30年以上"),  # a span of years, not a year
    ("近18年来", "近18年来"),
    ("2024年收入", "2024年收入"),
])
def test_two_digit_years(said, written):
    from qa.text import norm_question
    assert norm_question(said) == written


def test_last_years_total_read_from_this_years_document(engine):
    # "按…2017年预算说明推算，2016年…": the year asked is the last one said ("收入、支出预算总计 17996.68
    # 万元，与上年相比收、支预算总计各增加 1463.8 万元", p.18) — never this year's 17,996.68
    a = engine.answer("根据江苏省检察院2017年的预算说明，2016年收支预算总计是多少？")
    assert a.kind == "computed" and (a.value, a.unit) == (Decimal("16532.88"), "万元"), a.answer
    b = engine.answer("根据江苏省高级人民法院2018年部门预算，2017年收支总预算是多少")
    assert (b.value, b.unit) == (Decimal("28849.38"), "万元") and "2017 年部门预算" in b.answer, b.answer


def test_a_items_figures_never_answer_its_class(engine):
    # under "6、卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）" the 全年预算 2.23 is that 项's:
    # the 类 has no 全年预算 sentence of its own, so its execution rate is not stated (not 2.71 ÷ 2.23)
    a = engine.answer("普陀社工部2024年卫生健康支出全年预算的执行率是多少")
    assert a.kind == "not_found", a.answer
    b = engine.answer("普陀区委社会工作部2024年行政单位医疗完成全年预算的百分之多少")
    assert (b.value, b.unit) == (Decimal("99.55"), "%"), b.answer
