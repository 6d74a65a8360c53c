"""Linking a question to facts: which printed names does the question mention, and which
fact explains the question best.

A reading of the question is a fact plus the parts of the question its names cover: the
row label or 科目编码 (or a narrative subject, a project name), the column path (基本支出 /
人员经费), the table title (收支总表中…). Readings are ranked by how much of the question
they explain, then by deterministic, explainable preferences: exact beats alias beats
partial, the named column beats the default 合计 column, the table designed for the metric
wins. A reading that leaves meaningful words of the question unexplained is rejected —
that is how "单位有几间会议室" becomes not_found instead of 会议费.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Literal, NamedTuple

from corpus.codes import standard_names
from corpus.dates import same_day
from corpus.text import strip_list_number
from corpus.tables import TOTAL_LABEL
from corpus.facts import Fact

from .analyze import Question, aliases
from .fits import phase_fits, unit_fits, year_fits
from .keys import KeySpan, carries, income_names, key_spans, named_table, total_names
from .text import bigram_share, find_name, leftover_content, norm_name

_DEFAULT_COLUMNS = ("合计", "预算数", "总计", "金额", "小计", "当年金额", "本年预算")
# Tables designed for a metric beat tables that merely repeat it (三公 → the 三公 table).
_KIND_PREFERENCE = {
    "三公": 9, "基本支出": 8, "支出总表": 7, "一般公共预算支出": 6, "收支总表": 5, "收入总表": 5,
    "财政拨款收支总表": 4, "项目支出": 6, "政府采购": 6, "购买服务": 6, "form": 3, "other": 2,
}
_PHASE_LEAVES = ("预算数", "决算数", "年初预算数", "调整预算数", "全年预算数")
_FUND_PREFIX = re.compile(r"^财政拨款(?=“)")

# Which of a fact's names a part of the question matched: its row label, 科目编码 or (for
# narrative facts) subject; a column, the table, other names of the row (context), a parent
# row; or a colloquial alias of one of these.
Role = Literal["row", "code", "subject", "column", "table", "context", "parent", "alias"]
NameRole = Literal["row", "column", "table", "context", "parent"]
_NAME_ROLES: tuple[NameRole, ...] = ("row", "column", "table", "context", "parent")

Span = tuple[int, int]  # [start, end) in the question's expanded text


@dataclass(frozen=True)
class Match:
    role: Role
    name: str
    start: int
    end: int
    completeness: float


class RankKey(NamedTuple):
    """How good a reading is, compared field by field (higher is better). The first five
    say how well it fits the question; the rest only prefer one source over another."""

    covered: int          # characters of the question its names explain
    change_fit: int       # -1: a printed change when the question asks for a level
    exact: int            # characters matched exactly by a row, code, subject or column name
    default_column: int   # unnamed column: 2 the 合计/default column, 1 an early one, 0 another
    total: int            # 1: a total row, when the question names no row
    kind: int             # cell 3, form field 2, narrative 1, empty table 0
    table: int            # the table designed for the metric first (三公 → the 三公 table)
    shallow: int          # minus the row's level: a 类 before its 款
    first: int            # minus the fact's id: the earlier printed first

    @property
    def fit(self) -> tuple[int, int, int, int, int]:
        """Readings with the same fit answer the question equally well: they state the same
        metric, possibly in several places or documents."""
        return self.covered, self.change_fit, self.exact, self.default_column, self.total


@dataclass(frozen=True)
class Reading:
    fact: Fact
    matches: tuple[Match, ...]
    covered: int
    leftover: tuple[str, ...]
    key: RankKey


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


def fact_names(fact: Fact) -> FactNames:
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
        names.table.extend(table_names(fact.table_title))
        if fact.is_total and fact.row_level == 0:
            names.row.extend(total_names(fact.table_type, fact.table_title))
        names.context.extend(c for c in fact.context.split("|") if c)
        if not fact.row_label:  # its label cell blank (merged): its first name cell (家具用具) names it
            names.row.extend(fact.context.split("|")[:1])
        names.row.extend(income_names(fact))
        names.parent.extend(p.split(" ", 1)[-1] for p in fact.row_path.split(" > ")[:-1])
    elif fact.kind == "narrative":
        names.row.extend(n for n in (fact.subject, fact.context) if n)  # context: the counted noun (10 个项目…)
        names.row.extend(_said_forms(fact.subject))
        names.row.extend(_unscoped(fact.subject))
        projects = _project_names(fact.section)  # "商业创新专项（政策资金）经费情况说明 > 六、年度预算安排"
        names.parent.extend(projects)
        own = re.sub(r"^(19|20)\d{2}年度?", "", fact.subject)
        if own.startswith("项目"):  # "项目总预算" in a project's own 说明 is that project's
            names.row.extend(p + own[2:] for p in projects)
        levels = _level_names(fact.subject)  # 法院（款）行政运行（项）支出 is 行政运行's, under 法院
        names.row.extend(levels[-1:])
        names.parent.extend(levels[:-1])
        item_measure = _ITEM_MEASURE.fullmatch(fact.subject)
        if item_measure and not levels:
            levels = _level_names(item_measure.group("item"))
            names.row.extend(levels[-1:])
            names.parent.extend(levels[:-1])
            names.column.append(item_measure.group("measure"))
            names.measure.append(item_measure.group("measure"))
        names.context.extend(n for n in (fact.topic,) if n)
        names.context.extend(_components(fact.topic))
        names.table.extend(strip_list_number(re.sub(r"^第[一二三四五六七八九十]+部分\s*", "", h))
                           for h in fact.section.split(" > ") if h)
        names.parent.extend(n for n in (fact.parent_subject,) if n)
        # A 决算 说明 heads each 项 with its 类/款/项 names ("8、城乡社区支出（类）…（款）行政运行"),
        # then says "年初预算为 …，支出决算为 …": the figures are that 项's.
        names.parent.extend(_components(strip_list_number(fact.section.split(" > ")[-1])))
    elif fact.kind == "field":
        names.row.extend(record_names(fact.row_label))
        names.column.extend(p for p in fact.column.split(" / ") if p)
        if fact.subject and fact.subject != fact.column:
            names.column.append(fact.subject)
        names.context.extend(n for n in (fact.topic,) if n)
        names.table.extend([fact.table_id] + table_names(fact.table_title))
    elif fact.kind == "empty_table":  # an empty 财政拨款“三公”经费支出决算表 is the 三公经费支出决算 it reports
        titles = table_names(fact.table_title)
        names.table.extend(titles + [_FUND_PREFIX.sub("", t).removesuffix("表") for t in titles if len(t) >= 8])
    names.measure = [norm_name(n) for n in names.measure]
    for attr in _NAME_ROLES:
        values = [v for n in getattr(names, attr) for v in _variants(norm_name(n))]
        setattr(names, attr, list(dict.fromkeys(v for v in values if v)))
    return names


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


def table_names(display_title: str) -> list[str]:
    """`附表1 收支总表（支出）` → 附表1, 收支总表; a title that starts with the department's
    name also goes by the rest (`…办公室整体支出绩效目标申报表` → 整体支出绩效目标申报表)."""
    parts = display_title.split(" ", 1)
    names = [parts[0]] if len(parts) > 1 else []
    title = re.sub(r"[（(](收入|支出|[^（()）]*收入|[^（()）]*支出)[)）]$", "", parts[-1])
    names.append(title)
    bare = re.sub(r"^.*?(办公室|办事处|委员会|法院|检察院|政府|局|中心)(?=.{4,})", "", title)
    if bare != title:
        names.append(bare)
    names.extend(re.findall(r"(?:附表|表)\d+", display_title))
    return names


def _variants(name: str) -> list[str]:
    """A printed name and its core: `2024年机关运行经费预算数` also goes by `机关运行经费`."""
    core = re.sub(r"^(19|20)\d{2}年度?", "", name)
    # 公务用车购置预算支出 is spoken of as 公务用车购置(费); the 预算 of a fund's name stays
    # (一般公共预算支出 is not 一般公共)
    core = re.sub(r"(?<!一般公共)(?<!政府性基金)(?<!国有资本经营)(?<!社会保险基金)"
                  r"(预算支出|决算支出|支出预算|支出决算|预算数|决算数|预算|决算)$", "", core)
    return [name, core] if core != name and len(core) >= 2 else [name]


def _said_forms(subject: str) -> list[str]:
    """How a question says a narrative item the text words more fully: the bound's "（含）"
    is left out (单价20万元（含）以上的设备 → 单价20万元以上的设备), and so is the 支出 of
    "政府采购支出预算总额" (政府采购预算总额)."""
    forms = [re.sub(r"[（(]含[)）]", "", subject)]
    # only inside a longer name: 项目支出预算数 is no 项目预算数 (whose core 项目 names anything)
    forms.append(re.sub(r"(?<=.{4})支出(?=(?:预算|决算)(?!数?$))", "", forms[0]))
    return [f for f in dict.fromkeys(forms) if f != subject and len(f) >= 2]


LIST_NUMBER_START = re.compile(r"^([一二三四五六七八九十]+|\d+)[、.．]")
_FUND_LEAD = re.compile(r"^((19|20)\d{2}年度?)?(一般公共预算|政府性基金预算|政府性基金|财政拨款)(?!支出|收入)")
_MEASURE_TAIL = re.compile(r"(预算数|预算安排|预算)$")


def _unscoped(subject: str) -> list[str]:
    """A sentence's item without its fund and measure words: "一般公共预算机关运行经费预算支出"
    is spoken of as 机关运行经费支出 (the fund is the fact's fund_scope). Only a name of 4
    characters or more: "一般公共预算支出" is no 支出."""
    core = _MEASURE_TAIL.sub("", re.sub(r"预算支出$", "支出", _FUND_LEAD.sub("", subject)))  # 支出 stays: it is the item's
    return [core] if core != subject and _FUND_LEAD.match(subject) and len(core) >= 4 else []


_PROJECT_HEADING = re.compile(r"(?P<name>.+?)(项目)?经费情况说明")


def _project_names(section: str) -> list[str]:
    """The project a 项目经费情况说明 heading names, with and without its brackets
    (商业创新专项（政策资金） → 商业创新专项); none for the bare 项目经费情况说明."""
    out: list[str] = []
    for heading in section.split(" > "):
        m = _PROJECT_HEADING.fullmatch(heading.replace(" ", ""))
        if m and not LIST_NUMBER_START.match(heading):
            name = m.group("name")
            out.extend(n for n in dict.fromkeys((name, re.sub(r"[（(][^（()）]*[)）]", "", name))) if len(n) >= 2)
    return out


def _components(topic: str) -> list[str]:
    """`一般公共服务支出（类）…（款）行政运行（项）` → its 类, 款 and 项 names."""
    parts = re.split(r"[（(](?:类|款|项)[）)]", topic)
    return [p for p in parts if p and len(parts) > 1]


# "“城乡社区支出（类）…（款）行政运行（项）”2023年当年预算执行数": an item, then one measure of it.
_ITEM_MEASURE = re.compile(r"(?P<item>.+[（(](?:类|款|项)[)）][”\"]?)(?P<measure>((?:19|20)\d{2}年度?)?(当年)?"
                           r"(预算执行数|预算安排|预算数|执行数|决算数))")


def _level_names(subject: str) -> list[str]:
    """A narrative item "…（款）机关事业单位基本养老保险缴费支出（项）" is spoken of by its 类, 款
    and 项 names. Only when the subject is the item itself: "“…（项）”2023年预算安排" is one
    measure of it, and its names would answer a question about the measure's words."""
    if not re.search(r"[（(](类|款|项)[)）][”\"]?(科目|支出)?$", subject):
        return []
    return [n.strip("“”\" ") for n in re.findall(r"([^（()）]+?)[（(](?:类|款|项)[)）]", subject) if len(n.strip("“”\" ")) >= 2]


_YEAR_IN_NAME = re.compile(r"(19|20)\d{2}年?")


@lru_cache(maxsize=65536)
def _years_in(name: str) -> str:
    """The name without its years (memoised: the same names are asked about by every question)."""
    return _YEAR_IN_NAME.sub("", name)


@lru_cache(maxsize=65536)
def _names_a_year(name: str) -> bool:
    return bool(re.search(r"(19|20)\d{2}年", name))


def _find(question: str, name: str, role: Role) -> Match | None:
    hit = find_name(question, name)
    if hit is None and _names_a_year(name):
        # "2024年收支总预算" should match a question that leaves the year out
        bare = _years_in(name)
        hit = find_name(question, bare) if len(bare) >= 2 else None
        name = bare
    if hit is None:
        return None
    start, end, completeness = hit
    return Match(role, name, start, end, completeness)


def match_fact(q: Question, fact: Fact, names: FactNames, alias_spans: dict[str, list[Span]]) -> list[Match]:
    text = q.expanded
    matches: list[Match] = []
    if fact.code and fact.code.lower() in (c.lower() for c in q.codes):
        at = text.find(fact.code.lower())
        if at >= 0:
            matches.append(Match("code", fact.code, at, at + len(fact.code), 1.0))
    for role in _NAME_ROLES:
        for name in getattr(names, role):
            m = _find(text, name, "subject" if (role == "row" and fact.kind == "narrative") else role)
            if m:
                matches.append(m)
            if role == "parent":
                continue  # an alias names the fact itself: "几辆车" is 车辆, not each kind of 车辆
            for start, end in alias_spans.get(name, ()) or alias_spans.get(_years_in(name), ()):
                matches.append(Match("alias", name, start, end, 0.9))
    return matches


def alias_spans(q: Question) -> dict[str, list[Span]]:
    """For each printed name an alias points to, the spans of the alias words in the question."""
    spans: dict[str, list[Span]] = {}
    for alias, targets in aliases().items():
        at = q.expanded.find(alias)
        while at >= 0:
            for t in targets:
                spans.setdefault(norm_name(t), []).append((at, at + len(alias)))
            at = q.expanded.find(alias, at + 1)
    return spans


def coverage(q: Question, matches: list[Match], extra: Sequence[Span]) -> list[bool]:
    covered = [False] * len(q.expanded)
    for m in matches:
        for k in range(m.start, m.end):
            covered[k] = True
    for start, end in extra:
        for k in range(start, min(end, len(covered))):
            covered[k] = True
    return covered


def rank_key(q: Question, fact: Fact, matches: list[Match], covered: int) -> RankKey:
    roles = {m.role for m in matches}
    # characters, not matches: 公务用车运行费 and the 运行费 inside it are one name said once
    # nor the year: 2019年 is the document's, said by a narrative subject and not by a table row
    years = {k for y in re.finditer(r"(?:19|20)\d{2}年度?", q.expanded) for k in range(*y.span())}
    exact = len({k for m in matches if m.completeness == 1.0 and m.role in ("row", "code", "subject", "column")
                 for k in range(m.start, m.end)} - years)
    path = fact.column.split(" / ") if fact.column else [""]
    leaf = path[-1]
    # Naming a column group (本年一般公共预算基本支出) still leaves its 合计 as the default leaf.
    leaf_names = {norm_name(leaf), norm_name(qualified_leaf(path[-2], leaf)) if len(path) > 1 else ""}
    column_named = any(m.role == "column" and (m.name in leaf_names or fact.kind != "cell") for m in matches)
    default_column = 0
    row_named = bool(roles & {"row", "code", "subject", "alias", "context"})
    if fact.kind == "cell" and not column_named:
        parts = fact.column.split(" / ")
        first = parts[0]
        if len(parts) >= 3 and leaf in _PHASE_LEAVES:
            leaf = parts[-2]  # 三公 / 公务接待费 / 预算数: the leaf is a phase; the item is the level above
        if "column" in roles:
            # a named group (基本支出) defaults to its own total, not a sub-group's, never to one
            # of its parts (人员经费)
            named = {m.name for m in matches if m.role == "column"}
            depth = max((i for i, p in enumerate(parts)
                         if any(v in named or _years_in(v) in named for v in _variants(norm_name(p)))), default=-1)
            total = leaf in _DEFAULT_COLUMNS or bool(TOTAL_LABEL.search(leaf))
            default_column = 0 if not total else 2 if depth == len(parts) - 2 or depth < 0 else 1
        elif first in _DEFAULT_COLUMNS or TOTAL_LABEL.search(first) or leaf in _DEFAULT_COLUMNS or TOTAL_LABEL.search(leaf):
            default_column = 2
        else:
            default_column = 1 if fact.col_index <= 2 else 0
    elif fact.kind == "cell" and not roles & {"row", "code", "subject", "context"}:
        default_column = 2  # the column is the metric itself (附表7: 公务接待费 is a column)
    total_pref = 1 if (fact.is_total and not row_named) else 0
    kind_pref = {"cell": 3, "field": 2, "narrative": 1, "empty_table": 0}[fact.kind]
    table_pref = _KIND_PREFERENCE.get(fact.table_kind, 1) if fact.kind == "cell" else 0
    change_penalty = 0 if (fact.change and q.operation == "change") or not fact.change else -1
    return RankKey(covered, change_penalty, exact, default_column, total_pref, kind_pref, table_pref,
                   -fact.row_level, -fact.id)


def readings(q: Question, facts: Sequence[Fact], names: Mapping[int, FactNames], doc_years: Mapping[str, int],
             fixed_spans: Sequence[Span]) -> list[Reading]:
    """Every fact that explains the question, best first. A question that names a table
    (按收支预算总表…) is answered from a table of that type when one is in scope; the words
    that name it are explained by that and name no row or column."""
    keys = key_spans(q.expanded)
    table = named_table(q.expanded)
    if table and not any(f.table_type == table[0] and f.kind != "narrative" for f in facts):
        table = None
    if table:
        start, end = table[1]
        q = replace(q, expanded=q.expanded[:start] + " " * (end - start) + q.expanded[end:])
        fixed_spans = [*fixed_spans, table[1]]
    spans = alias_spans(q)
    out = []
    for fact in facts:
        if table and (fact.table_type != table[0] or fact.kind == "narrative"):
            continue
        if not unit_fits(q, fact) or not year_fits(q, fact, doc_years) or not phase_fits(q, fact):
            continue
        if q.as_of and not same_day(q.as_of, fact.as_of):
            continue  # "截至2022年底有几辆车": only a figure stated at that day
        matches = match_fact(q, fact, names[fact.id], spans)
        roles = {m.role for m in matches}
        measure = names[fact.id].measure
        if measure and not any(m.role == "column" and _years_in(m.name) in map(_years_in, measure) for m in matches):
            continue  # a measure of an item answers only a question that names the measure
        if fact.kind == "empty_table":
            if "table" not in roles and not table:
                continue  # an empty table answers only a question that names it
        elif not roles & {"row", "code", "subject", "alias", "column"}:
            continue
        if fact.kind == "cell" and not any(m.role in ("row", "code", "alias", "context") for m in matches) \
                and fact.row_label and not fact.is_total and fact.row_level > 0:
            continue  # a column name alone says nothing about which row: only total rows qualify
        carried = [(k.start, k.end) for k in keys if carries(fact, k)]
        covered = coverage(q, matches, [*fixed_spans, *q.phase_spans, *q.as_of_spans, *carried])
        left = tuple(explained_away(leftover_content(q.expanded, covered), fact, matches)) \
            + unexplained_spending(q, keys, covered)
        n = sum(covered)
        out.append(Reading(fact, tuple(matches), n, left, rank_key(q, fact, matches, n)))
    out.sort(key=lambda r: r.key, reverse=True)
    return out


def unexplained_spending(q: Question, keys: Sequence[KeySpan], covered: list[bool]) -> tuple[str, ...]:
    """The spending types the question names (基本支出, 公用经费) that neither a name of the
    reading nor its spending type explains. Always left over, though their characters are
    stopwords (本, 用, 支出, 经费): 培训费的基本支出 is not the 三公 table's 培训费, and 基本支出中的
    公用经费 is not the whole 基本支出. Never explained away by the source's other words."""
    return tuple(q.expanded[k.start:k.end] for k in keys
                 if k.measure == "spending" and not all(covered[k.start:k.end]))


def explained_away(left: list[str], fact: Fact, matches: list[Match]) -> list[str]:
    """Leftover words the reading still accounts for: a repeat of a matched name (退休 in
    退休的…退休金), or words the cited source itself says (the question quotes it)."""
    source = norm_name(fact.text + fact.row_path + fact.topic + fact.parent_subject)  # 其中拟购买货物: of 政府采购
    names = "|".join(m.name for m in matches)
    return [run for run in left if run not in names and bigram_share(run, source) < 0.6]
