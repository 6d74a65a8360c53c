"""The canonical keys a question names (corpus.schema): the table it names (按收支预算总表,
“三公”经费…支出预算表中), the fund scope (一般公共预算, 财政拨款) and the spending type
(基本支出, 人员经费, 公用经费, 项目支出) — each with the words that say it — and whether a
fact carries them.

A fact whose keys are the ones the question names explains those words even where its
printed labels do not repeat them: the 30216 培训费 row of a 基本支出表 is the 基本支出 of
培训费; a 公用经费 column is a part of 基本支出. A named table is where the answer comes from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.facts import Fact
from corpus.schema import table_type

Span = tuple[int, int]


@dataclass(frozen=True)
class KeySpan:
    """Words of the question that name a canonical key: `measure` is fund_scope or spending."""

    measure: str
    key: str
    start: int
    end: int


# The words a question uses for each key, most specific first. 一般公共预算财政拨款 is one fund
# (the 一般公共预算 part of 财政拨款), not two. Spending types are the standard 4-character words.
_FUND_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("一般公共预算", re.compile(r"一般公共预算(?:财政)?(?:拨款)?")),
    ("政府性基金", re.compile(r"政府性基金(?:预算)?(?:财政)?(?:拨款)?")),
    ("国有资本经营", re.compile(r"国有资本经营(?:预算)?(?:财政)?(?:拨款)?")),
    ("财政拨款", re.compile(r"财政拨款")),
)
_SPENDING_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("人员", re.compile(r"人员经费|人员支出")),
    ("公用", re.compile(r"公用经费|公用支出")),
    ("基本", re.compile(r"基本支出")),
    ("项目", re.compile(r"项目支出")),
)
# The spending types a fact's spending answers: 人员经费 and 公用经费 are the two parts of 基本支出.
_SPENDING_FITS = {"基本": frozenset({"基本", "人员", "公用"}), "人员": frozenset({"人员"}),
                  "公用": frozenset({"公用"}), "项目": frozenset({"项目"})}


def key_spans(text: str) -> tuple[KeySpan, ...]:
    """The fund scopes and spending types the question names, left to right, not overlapping."""
    found: list[KeySpan] = []
    taken = [False] * len(text)
    for measure, words in (("fund_scope", _FUND_WORDS), ("spending", _SPENDING_WORDS)):
        for key, pattern in words:
            for m in pattern.finditer(text):
                if not any(taken[m.start():m.end()]):
                    found.append(KeySpan(measure, key, m.start(), m.end()))
                    taken[m.start():m.end()] = [True] * (m.end() - m.start())
    return tuple(sorted(found, key=lambda k: k.start))


def carries(fact: Fact, key: KeySpan, row_named: bool = False) -> bool:
    """Whether the fact measures what the words name. A 基本支出 row the question names by
    its 经济分类 is 人员 or 公用 by the standard's classes (商品和服务支出（公用经费）)."""
    if key.measure == "spending":
        spending = _spending(fact)
        if row_named and spending == "基本":
            spending = economic_spending(fact.code) or spending
        return spending in _SPENDING_FITS[key.key]
    return fact.fund_scope == key.key


# 基本支出 by 经济分类 (the national standard): 工资福利支出 (301) and 对个人和家庭的补助 (303)
# are 人员经费; 商品和服务支出 (302) and 资本性支出 (310) 公用经费.
_ECONOMIC = re.compile(r"^3(?:(?P<people>0[13])|02|10)\d{0,2}$")


def economic_spending(code: str) -> str:
    m = _ECONOMIC.match(code)
    return ("人员" if m.group("people") else "公用") if m else ""


def _spending(fact: Fact) -> str:
    """A narrative figure's spending type is what its subject names (人员经费 is 基本支出's)."""
    if fact.spending or fact.kind != "narrative":
        return fact.spending
    found = key_spans(fact.subject)
    return next((k.key for k in reversed(found) if k.measure == "spending"), "")


# "按收支预算总表", "“三公”经费、会议费、培训费支出预算表中": a phrase ending in 表 (not 代表,
# 表彰 …), from the last boundary (punctuation, an opener, a year) before it.
_TABLE_END = re.compile(r"(?<![代发列])表(?![彰决示演达格态现扬率])")
_PHRASE_START = re.compile(r"[,，。;；:：?？!！\s]|按照?|根据|依据|(?:19|20)\d{2}年度?")


def named_table(text: str) -> tuple[str, Span] | None:
    """The standard table type a question names, with the words that name it."""
    for end in _TABLE_END.finditer(text):
        starts = [m.end() for m in _PHRASE_START.finditer(text, 0, end.start())]
        start = starts[-1] if starts else 0
        phrase = text[start:end.end()]
        found = table_type(phrase) if len(phrase) >= 4 else None
        if found is not None:
            return found.type, (start, end.end())
    return None
