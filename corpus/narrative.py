"""Figures in prose: every number with a unit in a narrative paragraph, with what it is
about (its subject, the list it belongs to, the item it changes), the year it compares to and
the day a stock is counted on. Pure text rules live in `corpus.prose`; the Fact model in
`corpus.facts`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace
from decimal import Decimal
from typing import Iterator

from .dates import stock_dates
from .facts import Fact, FactKind
from .model import BudgetDocument, Field, KeyValueRecord, Paragraph, Table
from .prose import (
    CHINESE_COUNT,
    SENTENCE,
    breakdown_bracket,
    chinese_count,
    clause_start,
    counted_noun,
    restore_detached_figures,
    unspaced,
)
from .schema import narrative_fund_scope, narrative_phase, table_phase
from .text import normalize_text, strip_list_number


def paragraph_facts(doc: BudgetDocument) -> list[Fact]:
    """The figures of every paragraph, each paragraph read with what the one before left open:
    a 其中 list it goes on with, the item it last named, the project its block is about."""
    out: list[Fact] = []
    listed: tuple[str, str] = ("", "")
    carried: tuple[tuple[str, ...], str] = ((), "")  # the last item named, and its section
    projects = _unnamed_projects(doc)
    heading: tuple[tuple[str, ...], str] = ((), "")  # a 类/款/项 printed as a paragraph of its own
    for paragraph in doc.paragraphs:
        # "按与上年统计口径一致相比，本年比上年减少 …" opens a paragraph about the item before it
        item = carried[1] if carried[0] == paragraph.section else ""
        lead = _ITEM_LEAD.match(normalize_text(paragraph.text).strip())
        if lead and not _QUANTITY.search(paragraph.text[lead.end():]):
            heading = (paragraph.section, lead.group("item"))
        elif _NUMBERED.match(paragraph.text) or heading[0] != paragraph.section:
            heading = ((), "")
        elif heading[1]:
            # "2、…事业运行（项）。" alone, then "主要用于：…全年预算为 17.68 万元": the body is about it
            paragraph = replace(paragraph, section=paragraph.section + (heading[1],))
        facts = list(narrative_facts(doc, paragraph, listed, item))
        project = projects.get(paragraph.section[:1])
        if project:
            facts = [f if f.parent_subject else replace(f, parent_subject=project) for f in facts]
        out.extend(facts)
        # "…总额2416.43万元，其中：" ending a paragraph: the next one lists its parts
        ends_list = facts and _LIST_OPENS.search(paragraph.text) and facts[-1].subject
        listed = (facts[-1].subject, facts[-1].unit or "") if ends_list else ("", "")
        carried = (paragraph.section, _carried_subject(facts, item))
    return out



_BARE_PROJECT_TITLE = re.compile(r"项目经费情况说明")
_OVERVIEW = re.compile(r"^[一1][、.．]\s*项目(概况|概述|简介)$")


def _unnamed_projects(doc: BudgetDocument) -> dict[tuple[str, ...], str]:
    """A 项目经费情况说明 that names no project names it in its overview's first clause
    ("由…办事处建设的万里街道社区公共服务中心新建工程，位于…"): that clause is what the
    block's figures (第一季度用款计划 15万元) are of. Keyed by the block's heading."""
    out: dict[tuple[str, ...], str] = {}
    for p in doc.paragraphs:
        if len(p.section) >= 2 and _BARE_PROJECT_TITLE.fullmatch(p.section[0].replace(" ", "")) \
                and _OVERVIEW.match(p.section[-1].replace(" ", "")) and p.section[:1] not in out:
            out[p.section[:1]] = re.split(r"[，,。；;]", p.text.strip(), maxsplit=1)[0].strip()
    return out



_LIST_OPENS = re.compile(r"其中\s*[：:]?\s*$")



# A number followed by its unit; amounts in 万元/元/亿元, counts in 人/名/辆/个/台 …, shares in %.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT = (r"万元|亿元|元|%|人次|人|名|辆|个|台[（(]套[)）]|台/套|台|套|平方米|次|批次|项|家|分(?![之钟])"
         r"|万(?=[，,。；;、）)]|$|用于|用来|主要)")  # "…370.00万，…", "增加209万用于…": 万 alone is 万元
_QUANTITY = re.compile(rf"(?P<num>{_NUMBER})\s*(?P<unit>{_UNIT})")
# A sentence's figures: also its counts in Chinese numerals (`chinese_count` says which are)
_FIGURE = re.compile(rf"(?P<num>{_NUMBER}|{CHINESE_COUNT})\s*(?P<unit>{_UNIT})")
# "本部门预算还包括江苏省联谊俱乐部 8 名在职人员": what a budget includes is the subject
_LEAD = re.compile(r"^(其中|(?:预算)?[还另]?包[括含]|主要为|主要是|即|共|合计|为|是|有|达|约|列明|累计)+")
_ORG_BEFORE_YEAR = re.compile(r"^([^\d，,]{0,6}?(?:省|市|区|县)[^\d，,]{0,24}?)((?:19|20)\d{2}年)")
# A bare measure ("采购金额 225.10 万元") is of what the sentence began with: "在面向中小企业预留的…项目中"
_BARE_MEASURE = re.compile(r"(采购金额|金额|预算金额|资金|预算数|预算)")
_NOTE_END = re.compile(r"[（(](以|按|据)[^（()）]*[)）]$")  # "政府采购金额（以合同签订为准）"
_TRAIL = re.compile(r"(为|是|共计|共|合计|达到|约)+$")
_YEAR = re.compile(r"[比较]\s*(?P<year>(?:19|20)\d{2})\s*年")
# "增加（减少）", "下降（增长）": a template's both-ways wording; the figure's sign says which
_CHANGE = re.compile(r"(增加|减少|增长|下降|持平|无增减)了?\s*([（(](?:增加|减少|增长|下降)[)）])?\s*$")
# "与上年相比增加", "比2022年预算执行数减少", "较上年": the comparison, not what changed
_COMPARED = re.compile(
    r"(与|比|较|同)?\s*(上年|上一年|去年|(?:19|20)\d{2}\s*年)度?(?:[（(][^（()）]*[)）])?(当年)?(预算执行数|预算数|执行数|预算|决算数|决算)?"
    r"(相比|比较)?[，,]?\s*$")
_COMPARED_LEAD = re.compile(
    r"^(?:(?:按|按照)?(?:与|同)(?:上年|上一年|去年)[^，,。；]{0,12}?相比[，,]\s*)?(?:本年度?数?|今年)?(与|比|较|同)\s*(上年|上一年|去年|(?:19|20)\d{2}\s*年)度?(?:[（(][^（()）]*[)）])?(当年)?(预算执行数|预算数|执行数|预算|决算数|决算)?(相比|比较)?[，,]?")
_THRESHOLD = re.compile(r"\s*([（(]含[)）])?\s*(以上|以下)")
# "本年数小于上年预算数 29.65 万元": the comparison first, then the figure — said as "比上年预算数减少"
_COMPARATIVE = re.compile(r"(小于|低于|少于|大于|高于|多于)\s*(?P<than>(?:上年|上一年|去年|(?:19|20)\d{2}\s*年)度?"
                          r"(?:预算执行数|预算数|执行数|预算|决算数|决算)?)\s*$")
_CHANGE_WORD = re.compile(r"各?(增加|减少|增长|下降|持平|无增减)了?([（(](?:增加|减少|增长|下降)[)）])?$")
# "主要原因是基本支出增加 1447.63 万元": the changed item inside a reason
_REASON_LEAD = re.compile(r"^.*?(主要原因是|原因是|主要是|主要用于|用于)[：:]?")
# "2018年我部门政府采购预算总金额", "本部门编报绩效目标的项目": who and when are implied
_TOTAL_WORD = re.compile(r"(合计|共计|总计|累计)(为|是)?")
_OWNER_LEAD = re.compile(r"^((19|20)\d{2}\s*年度?)?[，,]?(我部门|本部门|本单位|我单位|[（(](部门|单位|本级)[)）])(?=..)")
_PAGE_MARK = re.compile(r"[─—]+\s*\d+\s*[─—]+")  # "─7─": a page number inside a wrapped sentence
# "2022年当年预算执行数为 …，2023年预算安排 …": the sentence measures the item named before it
_MEASURE_LEAD = re.compile(r"^((19|20)\d{2}\s*年度?)?\s*(当年)?\s*(预算执行数|预算安排|预算数|执行数)")
# "2023年预算安排 60.13 万元": a measure of the item the sentence is about, not an item
_MEASURE_ONLY = re.compile(r"((19|20)\d{2}年度?)?(当年)?(预算安排|预算执行数|预算数|执行数|预算|决算数|决算|安排)")


_PEOPLE = re.compile(r"^\s*[^，,；;：:。、（(）)\d]{0,6}?(人员|职工|干部)")
_HAS = re.compile(r"(现有|共有|设有|内设|下设)([^，,；;：:。、\d]{2,8})")


# "8、城乡社区支出（类）城乡社区管理事务（款）行政运行（项）。主要用于：…" — a paragraph that opens
# with the 类/款/项 it explains: its figures are about that item, as under a heading.
_ITEM_LEAD = re.compile(r"^(?P<item>(?:\d+[、.．]|[（(]\d+[）)])\s*[^。；;]{2,80}?（(?:类|款|项)）)\s*[。．]")
_NUMBERED = re.compile(r"^\s*(?:\d+[、.．]|[（(][\d一二三四五六七八九十]+[）)]|[一二三四五六七八九十]+、)")


def narrative_facts(doc: BudgetDocument, paragraph: Paragraph, listed: tuple[str, str] = ("", ""),
                    carried: str = "") -> Iterator[Fact]:
    """A paragraph's figures; `listed`: the item and unit of a 其中 list the paragraph goes on
    with; `carried`: the item the paragraph before named last."""
    location = paragraph.location
    lead = _ITEM_LEAD.match(paragraph.text)
    section = paragraph.section + ((lead.group("item"),) if lead else ())
    base = Fact(doc_id=doc.doc_id, kind=FactKind.NARRATIVE, value=None, unit=None, raw="",
                section=" > ".join(section), location=str(location),
                node_id=f"{doc.doc_id}::text::{location.source}:{location.line or location.page}")
    phase = table_phase(base.section, doc.doc_type)  # "…部门决算 > 五、…决算情况说明": a 决算's words
    facts = text_quantities(unspaced(restore_detached_figures(paragraph.text)), base, department=doc.department or "",
                            listed=listed, carried=carried)
    for fact in _dated(itertools.chain(facts, _none_stated(paragraph.text, base, doc.department or ""))):
        if fact.change and not fact.compare_year and doc.year and _LAST_YEAR.search(fact.text):
            # "与上年相比增加 2432.93 万元" in the 2019 budget compares to 2018
            fact = replace(fact, compare_year=doc.year - 1)
        yield replace(fact, phase=narrative_phase(fact.subject, fact.unit, phase),
                      fund_scope=narrative_fund_scope(fact.section, fact.subject))


# "中共上海市普陀区委社会工作部 2024 年度无“三公”经费财政拨款支出。": a whole sentence saying the
# department has none of a budget metric states it as 0 (a table's "…无…预算，故本表为空表" is a note)
_NONE_STATED = re.compile(r"^(?P<who>[^，,。；;]{0,40}?)(?:(?:19|20)\d{2}\s*年度?|本年度?)\s*(?:无|没有)\s*"
                          r"(?P<what>[^，,。；;无]{2,40}?(?:支出|经费|收入|拨款))\s*[。.]?$")


def _none_stated(text: str, base: Fact, department: str) -> Iterator[Fact]:
    for sentence in (s.strip() for s in SENTENCE.split(normalize_text(text)) if s.strip()):
        m = _NONE_STATED.match(sentence)
        if m and not re.search(r"\d", m.group("who")):
            # the fund is the fact's fund_scope: "无“三公”经费财政拨款支出" is asked as “三公”经费支出
            what = re.sub(r"(?<=.{2})财政拨款(?=.{2})", "", re.sub(r"\s+", "", m.group("what")))
            yield replace(base, value=Decimal(0), unit="万元", raw="无", subject=what, topic=what, text=sentence)


_YEAR_LEAD = re.compile(r"^\s*(19|20)\d{2}\s*年")
_LAST_YEAR = re.compile(r"上年|上一年|去年")


def _dated(facts: Iterator[Fact]) -> Iterator[Fact]:
    """Each figure with the stock date it is stated at: "截止2022年12月31日，本部门流动资产
    448.82万元。固定资产3149.52万元，…；车辆7辆" counts all of them on that day, until a
    sentence opens with a year of its own ("2025年部门预算安排购置车辆1辆")."""
    current, sentence = "", None
    for fact in facts:
        if fact.text != sentence:
            sentence = fact.text
            dates = stock_dates(sentence)
            if dates:
                current = dates[-1].iso
            elif _YEAR_LEAD.match(sentence):
                current = ""
        yield replace(fact, as_of=current)


def text_quantities(text: str, base: Fact, department: str = "", listed: tuple[str, str] = ("", ""),
                    carried: str = "") -> Iterator[Fact]:
    """Every quantity in a text, sentence by sentence, as copies of `base` (its topic, when
    set, wins over the one read from the sentence). A sentence starting with 其中 hangs its
    figures under the previous sentence's subject (`carried`: the one before the text);
    `department` is dropped from subjects."""
    # "其中拟购买货物 962.86 万元；拟购买工程 539 万元；…": a 其中 list goes on after a ；, with
    # figures of the same unit (…其他用车8辆；单价100万元以上设备0台 is no more a 车辆)
    for sentence in (s.strip() for s in SENTENCE.split(normalize_text(text)) if s.strip()):
        # "其中 …" hangs under the previous sentence's subject; "与上年相比增加 …" is about it
        follows = sentence.startswith("其中") or bool(_COMPARED_LEAD.match(sentence) or _MEASURE_LEAD.match(sentence))
        facts, parent = _sentence_facts(sentence, carried if follows else "", base, department, listed)
        listed = (parent, facts[-1].unit or "") if parent and facts and sentence.endswith("；") else ("", "")
        yield from facts
        carried = _carried_subject(facts, carried)


def _carried_subject(facts: list[Fact], carried: str) -> str:
    """The item the next sentence goes on about: the first level (not a change, not a
    share, not a bare measure) the facts name, else the one carried so far."""
    subjects = [f.subject for f in facts if f.subject and not f.change and f.unit != "%"]
    subjects = [x for x in subjects if not _MEASURE_ONLY.fullmatch(x)]  # 当年预算执行数 is no item
    return subjects[0] if subjects else carried


def _subject(clause: str, dept: str) -> str:
    """What a clause's figure measures: the clause without list numbers, leading 其中/共,
    the department, the year and owner (2018年我部门…), and a trailing 为/是."""
    subject = re.sub(r"^[（(]\d{1,2}[)）]", "", strip_list_number(re.sub(r"\s+", "", clause)))
    if dept and len(subject) > len(dept):
        subject = subject.replace(dept, "")  # "核定…办公室机关行政编制": the department is implied
    subject = _ORG_BEFORE_YEAR.sub(r"\2", subject)  # the department, however printed, before "2024年度…"
    subject = _NOTE_END.sub("", _TRAIL.sub("", _LEAD.sub("", _OWNER_LEAD.sub("", subject))))
    # "收入、支出预算总计" and "收、支总预算" are how the 收支 totals are spoken of
    return re.sub(r"收入?、支出?", "收支", subject)


def _as_change(clause: str) -> str:
    """A comparative clause in the words of a change: "本年数小于上年预算数" → "本年数比上年预算数减少"."""
    m = _COMPARATIVE.search(clause)
    if not m:
        return clause
    word = "减少" if m.group(1) in ("小于", "低于", "少于") else "增加"
    return f"{clause[:m.start()]}比{m.group('than')}{word}"


def _changed_item(subject: str) -> str:
    """The item a change clause is about: `财政拨款支出增加` → 财政拨款支出; `与上年相比增加`
    and `增长` → "" (the item was named before); `主要原因是基本支出增加` → 基本支出."""
    core = _REASON_LEAD.sub("", _CHANGE_WORD.sub("", subject))
    core = _COMPARED.sub("", _COMPARED_LEAD.sub("", core))  # "本年比上年" is all comparison
    return _TRAIL.sub("", core).strip("，,、")


def _sentence_facts(sentence: str, carried: str, base: Fact, dept: str,
                    listed: tuple[str, str] = ("", "")) -> tuple[list[Fact], str]:
    """The sentence's figures, and the item its 其中 list is of (for a list that goes on
    after a ；). `listed`: the item and unit of such a list the sentence may go on with."""
    out: list[Fact] = []
    topic = ""
    last_subject = carried
    first = _QUANTITY.search(sentence)
    goes_on = not sentence.startswith("其中") and first is not None and first.group("unit") == listed[1]
    parent = listed[0] if goes_on else ""
    opened_by = ""  # the item of the last figure a bracket follows: 车辆7辆（…
    prev_item = ""  # what the previous figure counted or measured: "项目5个，涉及项目预算资金…" is of those 项目
    last_year = 0  # "比2023年预算减少31146.26万元，下降40.86%": the % compares to 2023 too
    changed = ""  # the item the last change in this sentence was about
    first_subject = ""
    for m in _FIGURE.finditer(sentence):
        before = sentence[: m.start()]
        number = _figure_value(m.group("num"), before)
        if number is None:
            continue  # "中央八项规定", "第一个": Chinese numerals that count nothing
        if re.search(r"[〔\[【(（]\s*$", before) or re.search(r"[\d.]\s*$", before):
            continue
        if m.group("unit") in ("人", "名") and re.search(r"[年月日号]", sentence[m.end(): m.end() + 1]):
            continue
        if m.group("unit") == "分" and not re.search(r"得分[为是]?\s*$", before):
            continue  # a score only as "平均得分 100.00 分", not a rubric's "0-10分" or "打5分"
        if _THRESHOLD.match(sentence, m.end()):
            continue  # "单价 20 万元（含）以上的设备": a bound that qualifies what is counted
        clause = _as_change(_PAGE_MARK.sub("", before[clause_start(before):]).strip())
        if "其中" in before[max(0, len(before) - len(clause) - 4):] and last_subject:
            parent = last_subject
        # "车辆7辆（一般公务用车3辆，执法执勤用车4辆…）": a bracket opened just after a figure lists its parts
        of = opened_by if breakdown_bracket(before) else ""
        if not of and prev_item and re.match(r"涉及", clause):
            of = prev_item  # "编报绩效目标的项目5个，涉及项目预算资金3328.13万元": the money of those 项目
        change_m = _CHANGE.search(clause)
        year_m = _YEAR.search(clause)
        subject = _subject(clause, dept)
        if subject.startswith("占") and prev_item and m.group("unit") in ("%", "％"):
            # "其中：基本支出 105.58 万元，占34.30%" and "…费支出 160 万元，占“三公”经费的31.14%":
            # the share of the item just named, in its whole
            whole = subject[1:] or parent or first_subject
            subject = f"{prev_item}占{whole}" if whole and whole != prev_item else f"{prev_item}占比"
        if change_m:
            # the changed item is named in this clause (财政拨款支出增加 …) or was just before
            # (…18570.82 万元，与上年相比增加 1447.63 万元，增长 8.45%)
            own = _changed_item(subject)
            named = (carried,) if carried and _MEASURE_LEAD.match(sentence) else (last_subject, first_subject, carried)
            item = next((x for x in named if x and not _MEASURE_ONLY.fullmatch(x)), "")
            changed = own or changed or item
            subject = changed
        if not topic:
            topic = strip_list_number(re.sub(r"\s+", "", before)).strip("，,：: ")
            if dept and len(topic) > len(dept):
                topic = topic.replace(dept, "")
        if not subject and not change_m:
            # "其中A 340万，B 120万，合计1410万": a total is of what was split, not of B
            total = _TOTAL_WORD.fullmatch(re.sub(r"\s+", "", clause))
            subject = (parent or first_subject or last_subject) if total else (last_subject or topic)
        if not change_m and _MEASURE_ONLY.fullmatch(subject) and carried and not _MEASURE_ONLY.fullmatch(carried):
            # "2022年当年预算执行数为 11.67 万元" measures the item named before; alone,
            # "2023年预算安排" would answer "2023年预算是多少" with one item's figure
            subject = carried + subject
        elif not change_m and _BARE_MEASURE.fullmatch(subject):
            lead = re.sub(r"\s+", "", before[: clause_start(before)]).strip("，,：: ")
            subject = lead + subject if lead else subject
        if _MEASURE_ONLY.fullmatch(subject):
            subject = ""  # a measure of an item this paragraph does not name: no subject to link
        spending = base.spending
        # equipment is counted in 台（套）, as printed; 万 alone is 万元
        unit = "万元" if m.group("unit") == "万" else re.sub(r"[(（]套[)）]", "（套）", m.group("unit"))
        counted = counted_noun(sentence[m.end():], clause) if unit[0] in ("个", "项", "家", "台", "辆", "套") else ""
        if m.group("unit") == "辆" and not counted and subject.endswith("车辆"):
            counted = "车辆"  # "安排购置车辆 1 辆" counts 车辆, however the question words it (几辆车)
        if unit in ("名", "人"):
            # "办公室 9 名在职人员人员经费": the people counted are the 在职人员
            people = _PEOPLE.match(sentence[m.end():])
            counted = re.sub(r"\s+", "", people.group(0)) if people else ""
            # "…9 名在职人员人员经费": the budget holds those people's 人员经费 (spending type 人员)
            # …and of each unit listed before it ("联谊俱乐部 8 名在职人员、…办公室 9 名在职人员人员经费")
            if people and re.match(r"\s*的?人员经费|、[^。；;，,]*?人员经费", sentence[m.end() + people.end():]):
                spending = "人员"
        has = _HAS.fullmatch(subject)
        if unit in ("个", "家", "项") and not counted and has:
            counted = has.group(2)  # "现有处室 21 个" counts 处室 (现有多少个处室)
        above = of or parent
        out.append(replace(
            base, context=counted, value=number, unit=unit,
            raw=m.group(0), subject=subject, parent_subject=above if above != subject else "",
            topic=base.topic or topic,
            compare_year=int(year_m.group("year")) if year_m else (last_year if change_m else 0),
            change=change_m.group(1) if change_m else "", text=sentence, spending=spending,
        ))
        prev_item = "" if change_m else (counted or subject)
        if re.match(r"\s*[（(]", sentence[m.end():]) and subject and not change_m:
            opened_by = subject
        if year_m:
            last_year = int(year_m.group("year"))
        if subject and not change_m:
            last_subject = subject
            first_subject = first_subject or subject
            changed = ""
    return out, parent


def _figure_value(num: str, before: str) -> Decimal | None:
    """A figure as printed (1,234.5) or a count in Chinese numerals said as one (共计一家)."""
    if num[0].isdigit():
        return Decimal(num.replace(",", ""))
    count = chinese_count(num, before)
    return Decimal(count) if count is not None else None


# "纳入…部门决算编制范围的单位包括：" and then a table 序号 | 单位名称 | 备注 numbered 1 … 5
_LIST_LEAD = re.compile(r"(?P<what>[^。；：:]*?)(?:包括|如下|有)\s*[：:]\s*$")


def listed_count(doc: BudgetDocument, table: Table) -> Iterator[Fact]:
    """How many things a numbered list counts: the last 序号 of a 序号 | …名称 table that a
    paragraph of the same section introduces ("…编制范围的单位包括："), when the 序号 run
    1 … n without a gap. The figure is the list's own (its last 序号), cited with the names."""
    heads = [" / ".join(c) for c in table.columns]
    if len(heads) < 2 or heads[0] != "序号" or "名称" not in heads[1] or not table.rows:
        return
    numbers = [r.cells[0].raw.strip() if r.cells else "" for r in table.rows]
    if numbers != [str(i) for i in range(1, len(numbers) + 1)]:
        return
    leads = [p for p in doc.paragraphs if p.section == table.section and _LIST_LEAD.search(normalize_text(p.text))]
    if not leads:
        return
    lead = leads[-1]
    what = _LIST_LEAD.search(normalize_text(lead.text))
    subject = _subject(what.group("what") if what else "", doc.department or "")
    names = "；".join(f"{n} {r.cells[1].raw}" for n, r in zip(numbers, table.rows) if len(r.cells) > 1)
    yield Fact(doc_id=doc.doc_id, kind=FactKind.NARRATIVE, value=Decimal(len(numbers)), unit="个", raw=numbers[-1],
               subject=subject, context=re.split(r"的", subject)[-1], topic=subject,
               section=" > ".join(table.section), text=f"{lead.text}{names}", location=str(lead.location),
               node_id=f"{doc.doc_id}::text::{lead.location.source}:{lead.location.line or lead.location.page}",
               phase=table_phase(" > ".join(table.section), doc.doc_type))


def record_facts(doc: BudgetDocument, record: KeyValueRecord) -> Iterator[Fact]:
    base = Fact(doc_id=doc.doc_id, kind=FactKind.FIELD, value=None, unit=None, raw="", table_id=record.table_id,
                table_key=record.table_id, table_title=f"{record.table_id} {record.form}".strip(),
                table_kind="form", table_type="项目支出", phase=table_phase("", doc.doc_type), spending="项目",
                row_id=record.id, row_label=record.title, location=str(record.location),
                node_id=f"{doc.doc_id}::record::{record.id}")
    for f in record.fields:
        if f.raw:
            yield replace(base, value=f.value, unit=f.unit, raw=f.raw, column=f.key, subject=f.key,
                          text=f"{record.title}：{f.key} {f.raw}")
        if f.raw and f.value is None and _QUANTITY.search(f.raw):
            # Figures inside form prose: 前两年预算安排情况：2022 年 380 万元，2023 年 220.55 万元。
            yield from text_quantities(f.raw, replace(base, column=f.key, topic=f.key))
    for name, rows in record.subtables:
        for row in rows:
            if not row:
                continue
            label = _row_label(row)
            line = "，".join(f"{x.key} {x.raw}" for x in row if x.raw)
            for f in row[1:]:
                if f.raw:
                    yield replace(base, value=f.value, unit=f.unit, raw=f.raw, column=f.key, subject=label,
                                  topic=name, text=f"{record.title} {name}：{line}")
                if f.raw and f.value is None and _QUANTITY.search(f.raw):
                    # 测算依据: "根据财政相关要求测算，7人，25万元/人/年"
                    for q in text_quantities(f.raw, replace(base, column=f.key, topic=name)):
                        yield replace(q, subject=q.subject or label, text=f"{record.title} {name}：{line}")


def _row_label(row: tuple[Field, ...]) -> str:
    """A block row's name: its last text cell before the first figure (支出构成 | 人员类项目支出 | 888.47 → 人员类项目支出)."""
    label = row[0].raw
    for f in row:
        if f.value is not None:
            break
        if f.raw:
            label = f.raw
    return label
