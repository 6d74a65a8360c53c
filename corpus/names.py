"""The names a fact answers to, by role (its row label, 科目编码 name, columns, table,
context, parent rows), normalised once per fact at build time (the fact store keeps them):
what `qa.linker` looks for in a question."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from .codes import also_named, standard_names
from .facts import Fact
from .prose import BELONGING
from .schema import table_types
from .text import norm_name, strip_list_number

NameRole = Literal["row", "column", "table", "context", "parent"]
NAME_ROLES: tuple[NameRole, ...] = ("row", "column", "table", "context", "parent")
_FUND_PREFIX = re.compile(r"^财政拨款(?=“)")


@dataclass
class FactNames:
    """A fact's names by role, normalised once."""

    row: list[str] = field(default_factory=list)
    column: list[str] = field(default_factory=list)
    table: list[str] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    parent: list[str] = field(default_factory=list)
    # A measure of an item ("“…行政运行（项）”2023年当年预算执行数"): the fact answers only a
    # question that names the measure, never one about the item's own figure.
    measure: list[str] = field(default_factory=list)
    # A category said alone (服务 of 政府采购服务预算): it names the fact only in a question that
    # says 采购, since 服务 alone is also 一般公共服务, 购买服务 …
    bare: list[str] = field(default_factory=list)


def fact_names(fact: Fact, department: str = "") -> FactNames:
    """A fact's names by role, as a question may say them; `department` is its document's, left
    out of its table's title (`table_names`)."""
    names = FactNames()
    if fact.kind == "cell":
        if fact.row_label and not (fact.is_total and fact.row_label == "合计"):
            names.row.append(fact.row_label)
            # the standard name of its 科目编码 when the document prints a variant (一般行政事务管理)
            names.row.extend(standard_names(fact.code, fact.row_label) if fact.code else ())
        parts = [p for p in fact.column.split(" / ") if p]
        names.column.extend(qualified_leaf(parent, part) for parent, part in zip(parts, parts[1:])
                            if qualified_leaf(parent, part))
        for part in parts:
            names.column.append(part)
            bare = re.sub(r"[（(][^（()）]*[)）]$", "", part)  # 单价(元) → 单价
            if bare != part and len(bare) >= 2:
                names.column.append(bare)
            metric = _FUND_PREFIX.sub("", part)  # 财政拨款“三公”经费: the 三公经费 of the fund 财政拨款 (fact.fund_scope)
            if metric != part and len(metric) >= 4:
                names.column.append(metric)
        names.table.extend(table_names(fact.table_title, department))
        if fact.table_type in _SCOPE_TABLES:  # "政府采购里X" / "政府采购中的X": X's table, whatever its title
            names.table.append(fact.table_type)
        if fact.is_total and fact.row_level == 0:
            names.row.extend(total_names(fact.table_type, fact.table_title))
        names.context.extend(c for c in fact.context.split("|") if c)
        if not fact.row_label:  # its label cell blank (merged): its first name cell (家具用具) names it
            names.row.extend(fact.context.split("|")[:1])
        names.row.extend(income_names(fact))
        names.parent.extend(p.split(" ", 1)[-1] for p in fact.row_path.split(" > ")[:-1])
    elif fact.kind == "narrative":
        names.row.extend(n for n in (fact.subject, fact.context) if n)  # context: the counted noun (10 个项目…)
        said = _said_forms(fact.subject)
        names.row.extend(said)
        names.row.extend(u for form in (fact.subject, *said) for u in _unscoped(form))
        names.row.extend(_arranged(fact.subject))
        names.row.extend(_counted_heads(fact))
        projects = project_names(fact.section)  # "商业创新专项（政策资金）经费情况说明 > 六、年度预算安排"
        names.parent.extend(projects)
        own = re.sub(r"^(19|20)\d{2}年度?", "", fact.subject)
        if own.startswith("项目"):  # "项目总预算" in a project's own 说明 is that project's
            names.row.extend(p + own[2:] for p in projects)
        levels = _level_names(fact.subject)  # 法院（款）行政运行（项）支出 is 行政运行's, under 法院
        names.row.extend(levels[-1:])
        names.parent.extend(levels[:-1])
        item_measure = measured_item(fact.subject)
        if item_measure and not levels:
            item, measure = item_measure
            levels = _level_names(item)
            names.row.extend(levels[-1:])
            names.parent.extend(levels[:-1])
            # said shorter: 2022年当年预算执行数 is "2022年执行数"
            spoken = [m for m in (measure, re.sub(r"(当年)?预算执行数$", "执行数", measure)) if m]
            names.column.extend(spoken)
            names.measure.extend(spoken)
        names.context.extend(n for n in (fact.topic,) if n)
        names.context.extend(_components(fact.topic))
        names.table.extend(strip_list_number(re.sub(r"^第[一二三四五六七八九十]+部分\s*", "", h))
                           for h in fact.section.split(" > ") if h)
        names.parent.extend(n for n in (fact.parent_subject, *_said_forms(fact.parent_subject)) if n)
        category = procurement_category(fact)
        if category:  # one standard name whatever the template prints (拟购买货物, 货物采购金额 …)
            names.row.extend((f"政府采购{category}", f"{category}采购", category))
            names.bare.append(category)
        # A 决算 说明 heads each 项 with its 类/款/项 names ("8、城乡社区支出（类）…（款）行政运行"),
        # then says "年初预算为 …，支出决算为 …": the figures are that 项's.
        heading = _components(strip_list_number(fact.section.split(" > ")[-1]))
        names.parent.extend([*heading, *(n for c in heading for n in also_named(c))])
    elif fact.kind == "field":
        names.row.extend(record_names(fact.row_label))
        names.column.extend(p for p in fact.column.split(" / ") if p)
        # a form's key as said of its project: 项目资金总额 → (就业援助基地补贴项目的)资金总额;
        # 其中：财政资金 → 财政资金
        names.column.extend(k for p in fact.column.split(" / ")
                            if (k := re.sub(r"^(其中[:：]|项目(?=.{4,}))", "", p)) != p)
        if fact.subject and fact.subject != fact.column:
            names.column.append(fact.subject)
        names.context.extend(n for n in (fact.topic,) if n)
        names.table.extend([fact.table_id] + table_names(fact.table_title, department))
    elif fact.kind == "empty_table":  # an empty 财政拨款“三公”经费支出决算表 is the 三公经费支出决算 it reports
        titles = table_names(fact.table_title, department)
        names.table.extend(titles + [_FUND_PREFIX.sub("", t).removesuffix("表") for t in titles if len(t) >= 8])
    names.measure = [norm_name(n) for n in names.measure]
    for attr in NAME_ROLES:
        values = [v for n in getattr(names, attr) for v in variants(norm_name(n))]
        setattr(names, attr, list(dict.fromkeys(v for v in values if v)))
    return names


# Standard tables whose rows are projects or purchases: a question names the table as the
# scope of its item (政府采购里的X), not as a figure.
_SCOPE_TABLES = ("政府采购", "购买服务", "绩效目标")


# 政府采购 by category: the standard splits it into 货物, 工程 and 服务, which each template
# words its own way (政府采购货物预算, 拟采购货物支出, 拟购买货物, 货物采购金额).
PROCUREMENT_CATEGORIES = ("货物", "工程", "服务")


def procurement_category(fact: Fact) -> str:
    """The category (货物 / 工程 / 服务) a narrative figure of 政府采购 is for; "" when none."""
    if fact.kind != "narrative" or "采购" not in fact.subject + fact.parent_subject:
        return ""
    found = [c for c in PROCUREMENT_CATEGORIES if c in fact.subject]
    return found[0] if len(found) == 1 else ""


_ITEM_GROUP = re.compile(r"(?P<prefix>.{2,}?)(?P<first>[^及和与]{2})[及和与](?P<second>.{2,})")


def qualified_leaf(group: str, leaf: str) -> str:
    """A column under a group of two items is named with the group's subject: under
    `公务用车购置及运行费`, `运行费` is 公务用车运行费 and `购置费` is 公务用车购置费."""
    m = _ITEM_GROUP.fullmatch(group)
    if not m or leaf.startswith(m["prefix"]) or not leaf.startswith((m["first"], m["second"][:2])):
        return ""
    return m["prefix"] + leaf


def record_names(title: str) -> list[str]:
    """A project's long official name also goes by shorter forms: without its bracketed
    parts and leading place name (`武汉…开发区（汉南区）人工智能科技园（…）PPP项目` →
    `人工智能科技园PPP项目`)."""
    names = [title]
    plain = re.sub(r"[（(][^（()）]*[)）]", "", title)
    if plain != title:
        names.append(plain)
    short = re.sub(r"^.{2,12}?(开发区|新区|[省市县区])(?=.{4,})", "", plain)
    if short != plain:
        names.append(short)
    return names


def table_names(display_title: str, department: str = "") -> list[str]:
    """`附表1 收支总表（支出）` → 附表1, 收支总表; a title that starts with the department's
    name also goes by the rest (`…办公室整体支出绩效目标申报表` → 整体支出绩效目标申报表). The
    document's own `department` is left out of the title: which budget a table is of is the
    question's scope, and a name per department would grow the name index with every budget
    (`2017年度江苏省高级人民法院部门收支预算总表` → 2017年度部门收支预算总表)."""
    parts = display_title.split(" ", 1)
    names = [parts[0]] if len(parts) > 1 else []
    title = re.sub(r"[（(](收入|支出|[^（()）]*收入|[^（()）]*支出)[)）]$", "", parts[-1])
    if len(department) >= 2 and department in title and len(title) - len(department) >= 4:
        title = title.replace(department, "", 1)
    names.append(title)
    bare = re.sub(r"^.*?(办公室|办事处|委员会|法院|检察院|政府|局|中心)(?=.{4,})", "", title)
    if bare != title:
        names.append(bare)
    names.extend(re.findall(r"(?:附表|表)\d+", display_title))
    return names


def variants(name: str) -> list[str]:
    """A printed name and its core: `2024年机关运行经费预算数` also goes by `机关运行经费`."""
    core = re.sub(r"^(19|20)\d{2}年度?", "", name)
    # 公务用车购置预算支出 is spoken of as 公务用车购置(费); the 预算 of a fund's name stays
    # (一般公共预算支出 is not 一般公共)
    core = re.sub(r"(?<!一般公共)(?<!政府性基金)(?<!国有资本经营)(?<!社会保险基金)"
                  r"(预算支出|决算支出|支出预算|支出决算|预算数|决算数|预算|决算)$", "", core)
    return [name, core] if core != name and len(core) >= 2 else [name]


# a heading the text layer glued to its first sentence ("…支出预算表情况说明2017年本部门…")
GLUED_HEADING = re.compile(r"^.*?情况说明(?=.{4,})")


_ORG_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}[省市区县](?=[\u4e00-\u9fff]{2,}(俱乐部|办公室|中心|院|所|馆|站|队|局|会)$)")


def _said_forms(subject: str) -> list[str]:
    """How a question says a narrative item the text words more fully: the bound's "（含）"
    is left out (单价20万元（含）以上的设备 → 单价20万元以上的设备), and so is the 支出 of
    "政府采购支出预算总额" (政府采购预算总额) and what the other forms below drop."""
    forms = [re.sub(r"[（(]含[)）]", "", subject)]
    # only inside a longer name: 项目支出预算数 is no 项目预算数 (whose core 项目 names anything)
    forms.append(re.sub(r"(?<=.{4})支出(?=(?:预算|决算)(?!数?$))", "", forms[0]))
    # and without a closing note of what is left out (…以上设备（不含车辆）), a year inside the name
    # (编报绩效目标的2024年度项目) or the 涉及 that ties money to what was just counted (涉及项目预算资金)
    forms.append(re.sub(r"[（(](?:不含|不包括)[^（()）]*[)）]$", "", forms[0]))
    forms.append(re.sub(r"(?<=.)(?:19|20)\d{2}年度?(?=.)", "", forms[0]))
    forms.append(re.sub(r"^涉及(?:项目)?", "", forms[0]))
    # a total said without its amount word: 政府采购预算总金额 is the 政府采购预算
    forms.append(re.sub(r"(?<=.{4})(?:总金额|总额)$", "", forms[0]))
    # a unit said without its place (江苏省联谊俱乐部 → 联谊俱乐部), as departments are
    forms.append(_ORG_PLACE.sub("", forms[0]))
    # an item's line said without "预算总计": 其他资金收入预算总计 is the 其他资金收入
    forms.append(re.sub(r"(?<=.{4})(?:预算)?总计$", "", forms[0]))
    forms.append(GLUED_HEADING.sub("", forms[0]))
    # a bound said with or without 元: 单价100万（含）以上设备 is the 100万元以上设备 asked about
    forms += [re.sub(r"(?<=\d)万(?!元)", "万元", f) for f in forms] + [re.sub(r"(?<=\d)万元", "万", f) for f in forms]
    return [f for f in dict.fromkeys(forms) if f != subject and len(f) >= 2]


LIST_NUMBER_START = re.compile(r"^([一二三四五六七八九十]+|\d+)[、.．]")
_FUND_LEAD = re.compile(r"^((19|20)\d{2}年度?)?(?:本部门|本单位)?(一般公共预算|政府性基金预算|政府性基金|财政拨款)(?!支出|收入)")
_MEASURE_TAIL = re.compile(r"(预算数|预算安排|预算)$")


def _unscoped(subject: str) -> list[str]:
    """A sentence's item without its fund and measure words: "一般公共预算机关运行经费预算支出"
    is spoken of as 机关运行经费支出 (the fund is the fact's fund_scope). Only a name of 4
    characters or more: "一般公共预算支出" is no 支出."""
    core = _MEASURE_TAIL.sub("", re.sub(r"预算支出$", "支出", _FUND_LEAD.sub("", subject)))  # 支出 stays: it is the item's
    return [core] if core != subject and _FUND_LEAD.match(subject) and len(core) >= 4 else []


_COUNTING_UNITS = ("家", "个", "项")
_BELONGING = re.compile(rf"^(?:{BELONGING})")


def _counted_heads(fact: Fact) -> list[str]:
    """What a count counts, in the words a question uses: the noun without its 下属/所属
    ("下属 5 家预算单位" → 预算单位) and, when the count comes after its noun, the noun the
    subject ends with ("纳入…编制范围的预算单位共 2 家" → 预算单位)."""
    if fact.unit not in _COUNTING_UNITS:
        return []
    heads = [_BELONGING.sub("", fact.context)] if _BELONGING.match(fact.context) else []
    if not fact.context and "的" in fact.subject:
        tail = fact.subject.rsplit("的", 1)[1]
        heads.extend([tail] if 2 <= len(tail) <= 8 else [])
    return [h for h in heads if len(h) >= 2]


_ARRANGED = re.compile(r"安排的(?P<item>[^的]{2,})$")


def _arranged(subject: str) -> list[str]:
    """The item of a sentence that first says which funds pay for it: "2018年度一般公共预算拨款
    安排的会议费预算支出" is spoken of as 会议费预算支出, 会议费支出 or 会议费."""
    m = _ARRANGED.search(subject)
    if not m:
        return []
    item = m.group("item")
    forms = (item, re.sub(r"预算(?=支出$)", "", item), re.sub(r"(预算)?(支出)?$", "", item))
    return [f for f in dict.fromkeys(forms) if len(f) >= 3]


_PROJECT_HEADING = re.compile(r"(?P<name>.+?)(项目)?经费情况说明")


def project_names(section: str) -> list[str]:
    """The project a 项目经费情况说明 heading names, with and without its brackets
    (商业创新专项（政策资金） → 商业创新专项); none for the bare 项目经费情况说明."""
    out: list[str] = []
    for heading in section.split(" > "):
        m = _PROJECT_HEADING.fullmatch(heading.replace(" ", ""))
        if m and not LIST_NUMBER_START.match(heading):
            name = m.group("name")
            out.extend(n for n in dict.fromkeys((name, re.sub(r"[（(][^（()）]*[)）]", "", name))) if len(n) >= 2)
    return out


@lru_cache(maxsize=4096)
def heading_item(section: str) -> frozenset[str]:
    """The names of the item a 决算 说明's last heading heads ("7、卫生健康支出（类）行政事业单位医疗
    （款）事业单位医疗（项）" → 事业单位医疗, as a question may say it): the figures under it are
    that item's, never its 类's or 款's. Empty when the heading names no 项."""
    last = strip_list_number(section.rsplit(" > ", 1)[-1].strip())
    if not re.search(r"[（(]项[）)][。.]?$", last):
        return frozenset()  # a 类's heading ("（一）一般公共服务支出（类）") heads the items its sentences name
    item = _components(re.sub(r"[。.]$", "", last))[-1:]
    return frozenset(v for n in (*item, *(a for i in item for a in also_named(i))) for v in variants(norm_name(n)))


def _components(topic: str) -> list[str]:
    """`一般公共服务支出（类）…（款）行政运行（项）` → its 类, 款 and 项 names."""
    parts = re.split(r"[（(](?:类|款|项)[）)]", topic)
    return [p for p in parts if p and len(parts) > 1]


# "“城乡社区支出（类）…（款）行政运行（项）”2023年当年预算执行数": an item, then one measure of it.
_ITEM_MEASURE = re.compile(r"(?P<item>.+[（(](?:类|款|项)[)）][”\"]?)(?P<measure>((?:19|20)\d{2}年度?)?(当年)?"
                           r"(预算执行数|预算安排|预算数|执行数|决算数))")


def measured_item(subject: str) -> tuple[str, str] | None:
    """(item, measure) of a narrative subject that is one measure of an item ("“…行政运行（项）”
    2022年当年预算执行数" → the item, "2022年当年预算执行数"); None for any other subject."""
    m = _ITEM_MEASURE.fullmatch(subject)
    return (m.group("item"), m.group("measure")) if m else None


def _level_names(subject: str) -> list[str]:
    """A narrative item "…（款）机关事业单位基本养老保险缴费支出（项）" is spoken of by its 类, 款
    and 项 names. Only when the subject is the item itself: "“…（项）”2023年预算安排" is one
    measure of it, and its names would answer a question about the measure's words."""
    if not re.search(r"[（(](类|款|项)[)）][”\"]?(科目|支出)?$", subject):
        return []
    return [n.strip("“”\" ") for n in re.findall(r"([^（()）]+?)[（(](?:类|款|项)[)）]", subject) if len(n.strip("“”\" ")) >= 2]


def income_names(fact: Fact) -> list[str]:
    """A row on the income side (收入总表, the 收支总表's （收入） half) is an income: 其他资金 is
    the 其他资金收入 a question asks for."""
    title = fact.table_title
    income = fact.table_type == "收入总表" or (fact.table_type == "收支总表" and "收入" in title and "支出" not in
                                                 title.replace("收支", ""))
    label = re.sub(r"^[一二三四五六七八九十]+、", "", fact.row_label)
    return [label + "收入"] if income and len(label) >= 2 and not label.endswith("收入") else []


def total_names(type_name: str, title: str) -> tuple[str, ...]:
    """The grand total of a fund's own spending table (政府性基金预算支出表) is that fund's
    spending, spoken of by the table's standard name: 政府性基金预算支出, 政府性基金支出. Not
    a 收入支出 table, whose total row adds up several measures."""
    if "收入" in title:
        return ()
    for t in table_types():
        if t.type == type_name and t.type == t.fund_scope:
            name = t.budget.removesuffix("表")
            return name, name.replace("预算", "")
    return ()


# ---------------------------------------------------------------- the name index
# What the fact store keeps so that a question reads only the facts whose names it can match,
# never every fact. `qa.text.find_name` finds a name in a question when the question holds
# it whole, or holds a part of it of at least 3 characters and three quarters of its length;
# `qa.linker` also tries the name without its years. Each of those forms is indexed by its
# character bigrams with the fewest of them a question must hold to contain such a part.

YEAR_IN_NAME = re.compile(r"(19|20)\d{2}年?")
NAMES_A_YEAR = re.compile(r"(19|20)\d{2}年")
MIN_PART = 3          # qa.text.find_name: a partial match covers at least 3 characters
PART_SHARE = (3, 4)   # … and at least 3/4 of the name


def without_years(name: str) -> str:
    return YEAR_IN_NAME.sub("", name)


def bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


def searchable_forms(name: str) -> list[tuple[str, int]]:
    """The forms a question can match a name by (the name, and without its years when it
    names one), each with the fewest distinct bigrams of it a question must hold to match
    it: the least over its parts as short as a partial match may be."""
    forms = [name]
    bare = without_years(name)
    if NAMES_A_YEAR.search(name) and len(bare) >= 2 and bare != name:
        forms.append(bare)
    return [(form, _bigrams_needed(form)) for form in forms if len(form) >= 2]


def _bigrams_needed(form: str) -> int:
    num, den = PART_SHARE
    shortest = min(len(form), max(MIN_PART, -(-num * len(form) // den)))
    return min(len(bigrams(form[i:i + shortest])) for i in range(len(form) - shortest + 1))
