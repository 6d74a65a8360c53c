"""Text rules for figures in prose that need no `Fact`: where a figure's clause starts, what
a count counts, which bracket lists a figure's parts, and figures the text layer moved out of
their sentence. `corpus.facts` reads narrative facts with them."""

from __future__ import annotations

import re
from collections.abc import Callable

SENTENCE = re.compile(r"(?<=[。；！？])")
_BREAKS = "，,；;：:。"


# "年初预算为 万元，支出决算为 万元，完成年初预算的 %。" with "1560.05 1511.89 96.92" after it:
# the text layer of some 决算 narratives moves figures out of their sentence.
_EMPTY_SLOT = re.compile(r"(?:为|是|共|计|达|的|增加|减少|增长|下降)\s*(?=万元|亿元|%)")
_BARE_RUN = re.compile(r"(?<![\d.])\d+\.\d+(?:\s+\d+\.\d+)*(?![\d.])(?!\s*(?:万元|亿元|元|%))")
_DROPPED = "\x00"


def restore_detached_figures(text: str) -> str:
    """Put figures the text layer moved out of their sentence back into its empty slots, in
    order, when the empty slots before a run of bare figures are exactly as many as the
    figures; otherwise leave out the sentences with empty slots (and the run), so no figure
    is ever read with the wrong words. Text without empty slots is returned unchanged."""
    if not _EMPTY_SLOT.search(text):
        return text
    events = sorted([(m.end(), "slot", m) for m in _EMPTY_SLOT.finditer(text)]
                    + [(m.start(), "run", m) for m in _BARE_RUN.finditer(text)], key=lambda e: e[0])
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    waiting: list[int] = []                 # positions of empty slots not yet filled
    for pos, what, m in events:
        if what == "slot":
            waiting.append(pos)
            continue
        if not waiting:
            continue  # a bare figure with no empty slot before it is not ours to move
        figures = m.group(0).split()
        fill = figures if len(figures) == len(waiting) else [_DROPPED] * len(waiting)
        edits.extend((at, at, f"{figure} ") for at, figure in zip(waiting, fill))
        edits.append((m.start(), m.end(), ""))
        waiting = []
    edits.extend((at, at, _DROPPED) for at in waiting)
    for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
        text = text[:start] + new + text[end:]
    return "".join(s for s in SENTENCE.split(text) if _DROPPED not in s)


def clause_start(before: str) -> int:
    """Where the clause holding a number starts: after the last comma-like break or the
    last unclosed bracket, so `因公出国（境）经费 0 万元` keeps its （境）. A 、 breaks only
    after a figure (货物 57.43 万元、工程 …), not inside a list of names (收入、支出预算总计)."""
    def breaks(i: int) -> bool:
        return before[i] in _BREAKS or (before[i] == "、" and bool(_AFTER_FIGURE.search(before[:i])))

    return _last_open(before, breaks)[0] + 1


def _last_open(before: str, breaks: Callable[[int], bool] | None = None) -> tuple[int, bool]:
    """Scanning back outside brackets: the position of the last unclosed bracket (…, True)
    or of the last break `breaks` accepts (…, False); (-1, False) when there is neither."""
    depth = 0
    for i in range(len(before) - 1, -1, -1):
        ch = before[i]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            if depth == 0:
                return i, True
            depth -= 1
        elif depth == 0 and breaks is not None and breaks(i):
            return i, False
    return -1, False


# The text since the last break holds a figure: "27 个内设机构、1 个…", "货物 57.43 万元、工程 …"
_AFTER_FIGURE = re.compile(r"\d\s*(万元|亿元|元|%|人次|人|名|辆|个|台|套|平方米|次|批次|项|家)[^，,；;：:。]*$")


# A count in Chinese numerals ("预算单位共计一家", "购置车辆两辆") is a figure only after a word
# that states a count: slogans (八项规定, “四个全面”) and ordinals (第一个) are none.
CHINESE_COUNT = r"[一二两三四五六七八九十]{1,3}(?=\s*(?:辆|个|家|台|套|项|名|人(?![民员])))"
# a word that states a count: just before the numeral (共计一家), or a verb a few characters before
# it in the same clause (购置车辆两辆)
_COUNT_LEAD = re.compile(r"(共计|共有|合计|总计|现有|设有|拥有|配备|配置|购置|(?<!公)共|(?<![作成认因])为|(?<!没)有)\s*$"
                         r"|(现有|设有|拥有|配备|配置|购置|购买|安排)[^，,；;：:。、“”\d]{0,8}$")
_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_count(numeral: str, before: str) -> int | None:
    """The value of a count in Chinese numerals (一 1, 两 2, 十二 12, 二十 20, 二十三 23) when the
    words before it state a count; None otherwise."""
    if not _COUNT_LEAD.search(before):
        return None
    tens, ten, ones = numeral.partition("十")
    if not ten:  # one digit
        return _DIGITS.get(numeral) if len(numeral) == 1 else None
    if len(tens) > 1 or len(ones) > 1 or (tens and tens not in _DIGITS) or (ones and ones not in _DIGITS):
        return None
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


# The words that put a counted unit under its department: "下属 5 家预算单位", "所属单位"
BELONGING = "下属|所属|直属|内设|下设"


def counted_noun(after: str, clause: str) -> str:
    """The noun a count counts: "5 家预算单位的综合收支计划" → 预算单位; "1 家机关和 1 家…" →
    机关; a 下属/所属/内设 just before the number belongs to it (下属 5 家预算单位 → 下属预算单位)."""
    noun = re.split(r"[，,；;：:。、（(）)]|的|和|及|与|以及", after)[0].strip()[:20]
    modifier = re.search(rf"({BELONGING})$", re.sub(r"\s+", "", clause))
    return (modifier.group(1) + noun) if modifier and noun else noun


def breakdown_bracket(before: str) -> bool:
    """Whether the text before a figure is inside a bracket opened right after another
    figure: "车辆7辆（一般公务用车3辆，…" (the bracket lists the 7 辆's parts)."""
    opened, is_bracket = _last_open(before)
    return is_bracket and bool(_FIGURE_END.search(before[:opened]))


_FIGURE_END = re.compile(r"\d\s*(万元|亿元|元|人次|人|名|辆|个|台|套|平方米|次|批次|项|家)\s*$")


_CJK = r"[\u4e00-\u9fff，。、；：]"
_LETTER_SPACED = re.compile(rf"(?:{_CJK} ){{4}}")
_SPACE_BETWEEN = re.compile(rf"(?<={_CJK}) (?={_CJK})")


def unspaced(text: str) -> str:
    """Text a justified line printed letter-spaced ("援 滇 干 部 工 作 经 费 3.00 万 元 。"):
    the single spaces between its characters dropped, so 万 元 is 万元 again. Text without such
    a run is returned unchanged."""
    return _SPACE_BETWEEN.sub("", text) if _LETTER_SPACED.search(text) else text
