"""Linking a question to facts: which printed names (`qa.names`) does the question
mention, and which fact explains the question best.

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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, NamedTuple, Protocol

from corpus.codes import item_code
from corpus.dates import same_day
from corpus.tables import TOTAL_LABEL
from corpus.facts import Fact
from corpus.names import NAME_ROLES, NAMES_A_YEAR, FactNames, heading_item, qualified_leaf, variants, without_years

from .analyze import Question, aliases
from .fits import phase_fits, unit_fits, year_fits
from .keys import KeySpan, carries, key_spans, named_table
from .text import bigram_share, find_name, leftover_content, norm_name

_DEFAULT_COLUMNS = ("合计", "预算数", "总计", "金额", "小计", "当年金额", "本年预算")
# Tables designed for a metric beat tables that merely repeat it (三公 → the 三公 table).
_KIND_PREFERENCE = {
    "三公": 9, "基本支出": 8, "支出总表": 7, "一般公共预算支出": 6, "收支总表": 5, "收入总表": 5,
    "财政拨款收支总表": 4, "项目支出": 6, "政府采购": 6, "购买服务": 6, "form": 3, "other": 2,
}
_PHASE_LEAVES = ("预算数", "决算数", "年初预算数", "调整预算数", "全年预算数")

# Which of a fact's names a part of the question matched: its row label, 科目编码 or (for
# narrative facts) subject; a column, the table, other names of the row (context), a parent
# row; or a colloquial alias of one of these.
Role = Literal["row", "code", "subject", "column", "table", "context", "parent", "alias"]

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
    whole: int            # characters matched exactly by any name but the table's: 事业单位医疗（项）
                          # says the question's 事业单位医疗 whole, 行政事业单位医疗（款） only in part
    default_column: int   # unnamed column: 2 the 合计/default column, 1 an early one, 0 another
    total: int            # 1: a total row, when the question names no row
    kind: int             # cell 3, form field 2, narrative 1, empty table 0
    table: int            # the table designed for the metric first (三公 → the 三公 table)
    shallow: int          # minus the row's level: a 类 before its 款
    first: int            # minus the fact's id: the earlier printed first

    @property
    def fit(self) -> tuple[int, int, int, int, int, int]:
        """Readings with the same fit answer the question equally well: they state the same
        metric, possibly in several places or documents."""
        return self.covered, self.change_fit, self.exact, self.whole, self.default_column, self.total


@dataclass(frozen=True)
class Reading:
    fact: Fact
    matches: tuple[Match, ...]
    covered: int
    leftover: tuple[str, ...]
    key: RankKey


@lru_cache(maxsize=65536)
def _years_in(name: str) -> str:
    """The name without its years (memoised: the same names are asked about by every question)."""
    return without_years(name)


@lru_cache(maxsize=65536)
def _names_a_year(name: str) -> bool:
    return bool(NAMES_A_YEAR.search(name))


def names_in(question: str, names: Iterable[str]) -> list[str]:
    """The names `match_fact` finds in the question (whole, in part, or without their years)."""
    return list(name_spans(question, names))


def name_spans(question: str, names: Iterable[str]) -> dict[str, Span]:
    """Where in the question `match_fact` finds each of these names it finds."""
    found = ((n, _find(question, n, "row")) for n in names)
    return {n: (m.start, m.end) for n, m in found if m is not None}


class FactPool(Protocol):
    """Where `readings` takes its facts from: the facts in scope, or those of them whose names
    the question can match (`qa.factbase`: from the fact store's name index)."""

    def has_table(self, table_type: str) -> bool:
        """Whether a fact other than a narrative one in scope comes from a table of this type."""
        ...

    def named(self, text: str, aliased: Iterable[str], codes: Iterable[str], empty_table: str | None) -> Iterable[Fact]:
        """At least every fact in scope that `readings` can accept for this question text: one
        with a name in it (`names_in`) or an aliased name, a 科目编码 in `codes` (lower case),
        or an empty table of the type `empty_table`."""
        ...


@dataclass(frozen=True)
class Listed:
    """A pool that is a list of facts: all of them are read."""

    facts: Sequence[Fact]

    def has_table(self, table_type: str) -> bool:
        return any(f.table_type == table_type and f.kind != "narrative" for f in self.facts)

    def named(self, text: str, aliased: Iterable[str], codes: Iterable[str], empty_table: str | None) -> Iterable[Fact]:
        return self.facts


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
    for role in NAME_ROLES:
        for name in getattr(names, role):
            if name in names.bare and "采购" not in text:
                continue  # 服务 alone is 政府采购服务 only in a question about 采购
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
    whole = len({k for m in matches if m.completeness == 1.0 and m.role != "table"
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
                         if any(v in named or _years_in(v) in named for v in variants(norm_name(p)))), default=-1)
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
    return RankKey(covered, change_penalty, exact, whole, default_column, total_pref, kind_pref, table_pref,
                   -fact.row_level, -fact.id)


def readings(q: Question, facts: FactPool, names: Mapping[int, FactNames], doc_years: Mapping[str, int],
             fixed_spans: Sequence[Span]) -> list[Reading]:
    """Every fact that explains the question, best first. A question that names a table
    (按收支预算总表…) is answered from a table of that type when one is in scope; the words
    that name it are explained by that and name no row or column."""
    keys = key_spans(q.expanded)
    table = named_table(q.expanded)
    if table and not facts.has_table(table[0]):
        table = None
    if table:
        start, end = table[1]
        q = replace(q, expanded=q.expanded[:start] + " " * (end - start) + q.expanded[end:])
        fixed_spans = [*fixed_spans, table[1]]
    spans = alias_spans(q)
    codes = _named_codes(q)
    out = []
    for fact in facts.named(q.expanded, spans, [c.lower() for c in q.codes], table[0] if table else None):
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
        if measure and not any(m.role in ("row", "subject", "code", "alias") and m.completeness == 1.0 for m in matches):
            continue  # …and the item itself: "城乡社区支出预算安排" is the 类's, not one 项's measure
        item = heading_item(fact.section) if fact.kind == "narrative" else frozenset()
        if item and "code" not in roles and not any(m.completeness == 1.0 and m.name in item for m in matches):
            continue  # a figure under "…（类）…（款）行政单位医疗（项）" is that 项's, not its 类's
        if fact.kind == "empty_table":
            if "table" not in roles and not table:
                continue  # an empty table answers only a question that names it
        elif not roles & {"row", "code", "subject", "alias", "column"}:
            continue
        if fact.kind == "cell" and not any(m.role in ("row", "code", "alias", "context") for m in matches) \
                and fact.row_label and not fact.is_total and fact.row_level > 0:
            continue  # a column name alone says nothing about which row: only total rows qualify
        row_named = any(m.role in ("row", "code", "alias") for m in matches)
        carried = [(k.start, k.end) for k in keys if carries(fact, k, row_named)]
        covered = coverage(q, matches, [*fixed_spans, *q.phase_spans, *q.as_of_spans, *carried])
        left = tuple(explained_away(leftover_content(q.expanded, covered), fact, matches)) \
            + unexplained_spending(q, keys, covered) + tuple(c for c in codes if _contradicts(c, fact))
        n = sum(covered)
        out.append(Reading(fact, tuple(matches), n, left, rank_key(q, fact, matches, n)))
    out.sort(key=lambda r: r.key, reverse=True)
    return out


def _named_codes(q: Question) -> tuple[str, ...]:
    """The 科目编码 of 5 or 7 digits the question names (款/项 level: 3 digits can be an amount,
    300万元). A reading whose fact has another code leaves it unexplained: 2010101行政运行 asked of
    a court is not the court's 2040501 行政运行."""
    return tuple(c.lower() for c in q.codes if c.isdigit() and len(c) in (5, 7))


def _contradicts(code: str, fact: Fact) -> bool:
    """Whether a fact is not of the 科目编码 a question names: a row of another code, or a
    sentence about another 功能分类 item, named by its levels in the sentence or its heading
    (法院（款）行政运行（项） is 2040501, not 2010101). A row printed without its code, or a
    sentence that names no item, cannot contradict it."""
    if fact.code:
        return code != fact.code.lower()
    if fact.kind != "narrative" or code in fact.text + fact.section:
        return False
    stated = item_code(fact.text) or item_code(fact.section.rsplit(">", 1)[-1])
    return stated is not None and stated != code


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
