"""The generic question: "预算是多少", "这个部门预算一共多少钱", "XX 2024年部门预算是多少",
"预算总额", "收支总预算". It names no metric, so it means the whole budget: the 收支总表's
收入总计 / 支出总计 (总预算). Nothing else may answer it — a project form's history or a
row that happens to share a word with the department's name (20405 法院 for a 法院's budget)
would be a wrong figure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.facts import Fact
from corpus.numbers import MONEY_UNITS
from corpus.organisations import OWNER_END

from .analyze import Question
from .keys import named_table
from .linker import Span
from .text import norm_name

# Words a question about the whole budget is made of once its department and year are taken
# away; nothing else may be left. Longest first, so 多少钱 goes before 多少.
_GENERIC_WORDS = sorted({
    "请问", "按", "根据", "这个", "该", "本", "我们", "他们", "部门", "单位", "本级", "整体", "全部", "今年", "全年",
    "年度", "年", "的", "总", "预算", "决算", "收支", "收入支出", "收入和支出", "总预算", "总额", "总计", "总数",
    "一共", "总共", "共计", "合计", "共", "是", "有", "为", "能", "花", "多少钱", "多少", "钱", "大概", "规模",
    "安排", "了", "吗", "呢",
}, key=len, reverse=True)
_PREVIOUS_YEAR = re.compile(r"(上一?年度?|去年)\s*[(（]\s*(?P<year>(?:19|20)\d{2}\s*年度?)\s*[)）]")
_MEANS_BUDGET = re.compile(r"预算|决算|收支|钱")
_PUNCT = re.compile(r"[\s?？,，。.!！:：、]")
_YEAR = re.compile(r"(?:19|20)\d{2}\s*年度?")

# The rows that carry a 收支总表's grand total (收入总计 / 支出总计; 收入合计 / 支出合计 in
# templates that have no 结转 lines; 总计 on both sides in 决算 tables).
_TOTAL_ROW = re.compile(r"^(收入|支出|收支)?(总计|合计)$")


def _only_generic(text: str) -> bool:
    rest = _PUNCT.sub("", text)
    for word in _GENERIC_WORDS:
        rest = rest.replace(word, "")
    return not rest


# A whole side of the budget named without a fund or a kind of spending (全部支出, 支出总计).
_WHOLE_SIDE = re.compile(r"(全部|所有|总)?(支出|收入)(总计|合计|总额|总数)?")


def names_whole_budget(text: str) -> bool:
    """A metric that is the whole budget: 预算总额, 部门预算, 收支总预算, 支出总计, 全部支出 —
    never a part of it (一般公共预算, 财政拨款预算总额, 项目支出)."""
    rest = _PUNCT.sub("", text)
    if not rest:
        return False
    return bool(_WHOLE_SIDE.fullmatch(rest)) or (bool(_MEANS_BUDGET.search(rest)) and _only_generic(rest))


def asks_total_budget(q: Question, fixed: Sequence[Span]) -> bool:
    """The question names no metric: what is left once its department and year (the fixed
    spans), or everything up to its year, are taken away is only generic words."""
    if q.operation != "lookup" or q.codes or q.wants not in ("money", "any"):
        return False
    table = named_table(q.expanded)
    if table is not None and table[0] != "收支总表":
        return False  # 按“三公”经费…支出预算表，合计是多少: that table's 合计, not the whole budget
    text = _PREVIOUS_YEAR.sub(r"\g<year>", q.expanded)  # "上一年（2018年）的收支预算总计": the year is named
    if not _MEANS_BUDGET.search(text):
        return False  # "万里街道是多少" asks for nothing
    keep = [True] * len(text)
    for start, end in fixed:
        for k in range(start, min(end, len(text))):
            keep[k] = False
    without_fixed = _YEAR.sub("", "".join(c for c, k in zip(text, keep) if k))  # any year: 2022年预算是多少
    if _only_generic(without_fixed):
        return True
    # a department the scope did not recognise, then the year: 江苏省高院2019年预算一共多少钱
    # (but 综合管理工作经费2022年预算 names a project, not a department)
    years = list(_YEAR.finditer(text))
    if not years:
        return False
    before = _PUNCT.sub("", text[:years[-1].start()])
    return (not before or bool(OWNER_END.search(before))) and _only_generic(text[years[-1].end():])


@dataclass(frozen=True)
class GrandTotal:
    value_fact: Fact               # the figure answered (支出总计 when printed)
    facts: tuple[Fact, ...]        # every total row of the table that states it (cited)


def grand_total(facts: Sequence[Fact], doc_id: str) -> GrandTotal | None:
    """The document's 收支总预算: the total rows of its 收支总表 (the table designed for it),
    else of a balanced table — one whose income and expenditure totals agree, which is what
    a 收支总表 is — taking the widest (the 财政拨款 table is a part of the whole budget)."""
    rows = [f for f in facts if f.doc_id == doc_id and f.kind == "cell" and f.value is not None
            and f.unit in MONEY_UNITS and _TOTAL_ROW.match(norm_name(f.row_label))]
    first_col: dict[tuple[str, str], int] = {}
    for f in rows:
        key = (f.table_key, f.row_id)
        first_col[key] = min(first_col.get(key, f.col_index), f.col_index)
    rows = [f for f in rows if f.col_index == first_col[f.table_key, f.row_id]]  # each row's 合计/预算数 column
    by_table: dict[str, list[Fact]] = {}
    for f in rows:  # by the printed table: its income and expenditure halves may be parsed apart
        by_table.setdefault(f.table_id or f.table_key, []).append(f)
    balanced = [fs for fs in by_table.values() if _balanced(fs)]
    if not balanced:
        return None
    designed = [fs for fs in balanced if fs[0].table_kind == "收支总表"]
    pool = designed or balanced
    best = max(pool, key=lambda fs: (_value(fs[0]), -fs[0].id))
    spending = [f for f in best if norm_name(f.row_label).startswith("支出")]
    return GrandTotal((spending or best)[0], tuple(best))


def _balanced(table_rows: list[Fact]) -> bool:
    """Income and expenditure totals printed and equal (总计 rows: at least two, all equal)."""
    labels = [norm_name(f.row_label) for f in table_rows]
    sides = {"收入" if lab.startswith("收入") else "支出" if lab.startswith("支出") else "both" for lab in labels}
    if not ({"收入", "支出"} <= sides or ("both" in sides and len(table_rows) >= 2)):
        return False
    return len({_value(f) for f in table_rows}) == 1


def _value(f: Fact) -> object:
    return (f.unit, f.value)
