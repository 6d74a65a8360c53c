"""Question analysis: normalise, translate English terms, expand aliases, and read off
codes, years, the operation asked for and the kind of quantity expected."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal, cast

from corpus.dates import stock_dates
from corpus.schema import said_phase

from .text import norm_question
from .typos import to_simplified

DATA = Path(__file__).resolve().parent / "data"
MAX_QUESTION_CHARS = 500

_CODE = re.compile(r"(?<![\d.a-z])(\d{3}(?:\d{2}){0,2})(?![\d.])", re.I)
_PROJECT_CODE = re.compile(r"\d{11}[a-z]\d{9}", re.I)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# A year written bare is still a year when a list or range of years follows or it ends one:
# 2017、2018、2019三年, 2017到2019年, 2023-2025年.
_BARE_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?![\d.])")
_YEAR_JOIN = r"\s*(?:[、，,和与及]|到|至|[-—–－~～])\s*"
_YEAR_RANGE = re.compile(r"到|至|[-—–－~～]")
_YEAR_AFTER = re.compile(rf"\s*(?:年|[两二三四五六七八九十]年|{_YEAR_JOIN}(?:19|20)\d{{2}}(?![\d.]))")
_DOC_NO = re.compile(r"[〔\[(]\s*(?:19|20)\d{2}\s*[〕\])]|\d+\s*号文?")

# Counted things and the measure words a question uses for them.
COUNT_UNITS = {"人": "人", "名": "人", "位": "人", "辆": "辆", "台": "台", "个": "个", "家": "家", "项": "项",
               "间": "间", "次": "次", "人次": "人次", "平方米": "平方米", "套": "套", "批次": "批次", "分": "分"}


# What a question asks to be done with the figures it names.
Operation = Literal["lookup", "sum", "difference", "ratio", "max", "min", "count", "change", "prose"]
COMPUTED_OPERATIONS: tuple[Operation, ...] = ("ratio", "sum", "difference", "max", "min", "count")

# The kind of quantity expected: money, a percentage, a count of something (`count:*`: of
# anything), words (a name, a reason), or anything.
Wants = Literal["money", "percent", "text", "any", "count:*", "count:人", "count:辆", "count:台", "count:个",
                "count:家", "count:项", "count:间", "count:次", "count:人次", "count:平方米", "count:套", "count:批次",
                "count:分"]


@dataclass(frozen=True)
class Question:
    raw: str
    text: str             # normalised, aliases not yet applied
    expanded: str         # English terms translated, aliases appended
    codes: tuple[str, ...]
    years: tuple[int, ...]
    english: bool
    operation: Operation
    wants: Wants
    alias_targets: tuple[str, ...]
    phase: str = ""                         # the budget phase asked for (corpus.schema.PHASES), "" unsaid
    phase_spans: tuple[tuple[int, int], ...] = ()  # the words that say it: the phase filter explains them
    as_of: str = ""                         # the stock date asked for (截至2022年底 → 2022-12-31), "" unsaid
    as_of_spans: tuple[tuple[int, int], ...] = ()  # the words that say it: the date filter explains them


@lru_cache(maxsize=1)
def aliases() -> dict[str, list[str]]:
    data = json.loads((DATA / "aliases.json").read_text(encoding="utf-8"))
    return {norm_question(k): v for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def english_terms() -> list[tuple[str, str]]:
    data = json.loads((DATA / "english.json").read_text(encoding="utf-8"))
    return sorted(((k.lower(), v) for k, v in data.items() if not k.startswith("_")), key=lambda kv: -len(kv[0]))


def is_english(text: str) -> bool:
    letters = sum(1 for c in text if c.isascii() and c.isalpha())
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    return letters > 3 * max(cjk, 1)


def translate_english(text: str) -> str:
    """Replace known English budget phrases by their Chinese names; the rest stays, so an
    unknown content word can still make the question unanswerable."""
    out = text.lower()
    for en, zh in english_terms():
        out = re.sub(rf"(?<![a-z]){re.escape(en)}(?![a-z])", f" {zh} ", out)
    out = re.sub(r"附表\s+(\d+)", r"附表\1", out)
    if "收支总预算" in out and len(re.findall(r"[\u4e00-\u9fff“”（）]{2,}", out)) > 1:
        out = out.replace("收支总预算", " ")  # "total budget for the three public expenses": their total
    out = re.sub(r"\b(?:19|20)\d{2}\b", lambda m: f"{m.group(0)}年", out)
    return norm_question(out)


def expand_aliases(text: str) -> tuple[str, tuple[str, ...]]:
    """Colloquial terms (出差, 公车, 医保 …) map to printed names; the names are appended so
    the linker can match them, and the colloquial words count as covered."""
    targets: list[str] = []
    for alias, names in aliases().items():
        if alias in text:
            targets.extend(n for n in names if n not in targets)
    return text, tuple(targets)


@lru_cache(maxsize=1)
def composites() -> dict[str, tuple[str, ...]]:
    data = json.loads((DATA / "composites.json").read_text(encoding="utf-8"))
    return {norm_question(k): tuple(v) for k, v in sorted(data.items(), key=lambda kv: -len(kv[0]))
            if not k.startswith("_")}


def composite_parts(q: Question) -> tuple[str, tuple[str, ...]] | None:
    """A colloquial name in the question that stands for several printed items (水电费 =
    水费 + 电费), with the items — unless the question names an item itself."""
    for name, parts in composites().items():
        if name in q.expanded:
            rest = q.expanded.replace(name, " ")
            if not any(p in rest for p in parts):
                return name, parts
    return None


# Questions that ask for words, not a figure (a reason, a definition, a purpose, a person).
PROSE_STRONG = re.compile(r"原因|为什么|为何|理由|什么意思|指什么|含义|是什么$|是什么[?？]?$|是谁|谁负责|由谁|负责人|用于什么|用来|干什么|做什么"
                          r"|职能|职责|有没有变化|包括哪些|有哪些|哪些单位|反映什么|是哪家|哪个单位|什么服务|是什么服务")


# An execution rate: 决算数 ÷ 预算数 (预算执行率, 完成年初预算的百分之多少).
EXECUTION_RATE = re.compile(r"执行率|完成率|完成(了)?(年初|调整)?预算的?(百分之多少|百分之几|多少|几|比例)")


# "决算数减去年初预算数": one figure less another (never 减少, 减免, 增减, 精减)
MINUS = re.compile(r"(?<=[\u4e00-\u9fff])(?<![增缩削精核递])减去?(?![少免持轻员半缓税])(?=[\u4e00-\u9fff])")


def detect_operation(text: str) -> Operation:
    if EXECUTION_RATE.search(text):
        return "ratio"
    if re.search(r"占(?![有用地])(.{0,12})(比例|比重|百分比|份额|多少|几成|%)|占比|比例是", text) and "下降" not in text and "增长" not in text:
        return "ratio"
    if re.search(r"人均", text):
        return "ratio"
    if re.search(r"(哪|什么).{0,12}(最多|最高|最大|最少|最低|最小)|(最多|最高|最大|最少|最低|最小).{0,8}(哪|什么)", text):
        return "min" if re.search(r"最少|最低|最小", text) else "max"
    if PROSE_STRONG.search(text):
        return "prose"
    if re.search(r"(有|共有|一共有)?几(个|项|类|条)|多少个", text) and not re.search(r"几(人|名|辆|台|间)", text):
        return "count"
    if re.search(r"比(?:年初|调整后?|全年)?(?:预算|决算)数?(?:增加|减少|多|少)", text):
        return "difference"  # "决算比年初预算少了多少": two phases of one item, not a change over a year
    if re.search(r"比(?:19|20)\d{2}年(?:当年)?(?:预算)?执行数?(?:增加|减少|多|少)", text):
        return "difference"  # "预算比2022年执行数少了多少": this budget against last year's execution, both printed
    if re.search(r"比.{0,20}(增加|减少|增长|下降|变化|变动|多了|少了)|同比|较上年|比上年|比去年"
                 r"|(增加|减少|增长|下降)了?(多少|几)", text):
        return "change"
    if re.search(r"比.{1,20}(多|少)(多少|了多少|几)|相差|差额|差多少", text) or MINUS.search(text):
        return "difference"
    if re.search(rf"[、和与及]|加上|{PLUS}", text) and re.search(r"加起来|之和|总和|加在一起|(?:合计|一共|总共|共计)(?:预算|决算|支出|金额|安排)*多少", text):
        return "sum"
    if re.search(r"什么|哪些|为什么|原因|理由|职能|职责|是谁|谁|负责人|用于|用来|干什么|做什么|意思|含义|指什么|解释|哪家|哪个单位|有没有变化|怎么|如何", text):
        return "prose"
    return "lookup"


def detect_wants(text: str, operation: Operation) -> Wants:
    if operation == "ratio" and "人均" not in text:
        return "percent"
    if re.search(r"百分之|百分比|%|比例|增长率|占比", text):
        return "percent"
    # "多少项目预算资金" asks for money: 项 counts only when it is not the start of 项目
    m = re.search(r"(?:几|多少)\s*(人次|平方米|批次|人|名|位|辆|台|个|家|项(?!目)|间|次|套)", text)
    if m:
        return cast(Wants, f"count:{COUNT_UNITS[m.group(1)]}")  # COUNT_UNITS' values are Wants' units
    if re.search(r"人数|有多少人|几个人", text):
        return "count:人"
    if re.search(r"得分|分数|(?:几|多少)分(?![之钟])", text):
        return "count:分"  # a 绩效自评's score (平均得分 100.00 分)
    if re.search(r"是谁|谁|负责人|哪家|哪个单位", text):
        return "text"
    if re.search(r"\bhow many\b", text):
        return "count:*"
    if re.search(r"多少钱|万元|亿元|元|金额|经费|费|预算|支出|收入|资金|资产|拨款|补贴|补助", text):
        return "money"
    return "any"


# "基本工资加津贴补贴一共多少": 加 joining two items (not the 加 of 增加, 附加, 加班费 …)
PLUS = r"(?<=[\u4e00-\u9fff])(?<![增追附参外])加(?![上班油工强快大入]|起来|在一起)"
# The budget's 决算 (final accounts); a 竣工决算 (审计) is a building project's, not a phase.
FINAL_ACCOUNT = re.compile(r"(?<!竣工)(?<!工程)决算(?!审计)")
# The words that ask for one phase of the budget cycle, most specific first. 预算 is read
# only outside the fund names (一般公共预算 …), which corpus.schema knows.
_PHASE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("调整预算", re.compile(r"调整(后)?预算(数)?|全年预算(数)?")),
    ("年初预算", re.compile(r"年初预算(数)?")),
    ("决算", re.compile(rf"(部门|单位)?{FINAL_ACCOUNT.pattern}(数)?|实际(支出|花费|花|执行|完成|使用)(了)?(数)?|执行数|完成数|花了|花费了")),
)


def detect_phase(text: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The phase a question asks for (决算 for 实际支出/决算数/花了多少, 年初预算, 调整预算, 预算
    for a plain 预算数) and the spans of the words that say it."""
    for phase, pattern in _PHASE_WORDS:
        spans = tuple(m.span() for m in pattern.finditer(text))
        if spans:
            return phase, spans
    return ("预算" if said_phase(text) == "预算" else ""), ()


def analyze(raw: str) -> Question:
    simplified = to_simplified(raw)  # 公務接待費 → 公务接待费
    text = norm_question(simplified)
    english = is_english(text)
    base = translate_english(simplified) if english else text
    base, targets = expand_aliases(base)
    clean = _DOC_NO.sub(" ", base)
    # "截至2024年8月31日" is the day assets are counted on, not the budget's year (a 2025 budget's)
    dates = stock_dates(base)
    years = read_years(clean, skip=[(d.start, d.end) for d in stock_dates(clean)])
    codes = tuple(c for c in _CODE.findall(clean) if not _is_year(c, clean))
    codes += tuple(m.group(0).upper() for m in _PROJECT_CODE.finditer(base))
    operation = detect_operation(base)
    phase, phase_spans = detect_phase(base)
    return Question(raw=raw, text=text, expanded=base, codes=tuple(dict.fromkeys(codes)), years=years,
                    english=english, operation=operation, wants=detect_wants(base, operation), alias_targets=targets,
                    phase=phase, phase_spans=phase_spans, as_of=dates[0].iso if dates else "",
                    as_of_spans=tuple((d.start, d.end) for d in dates))


def read_years(text: str, skip: Sequence[tuple[int, int]] = ()) -> tuple[int, ...]:
    """The years a question names, in order: 2024年; each of a list (2017、2018、2019三年);
    every year of a range (2017年到2019年 is 2017, 2018 and 2019). A year inside a `skip` span
    (a date that is no budget year) is not one."""
    found: list[tuple[int, int, int]] = []  # (year, start, end)
    for m in _BARE_YEAR.finditer(text):
        if _YEAR_AFTER.match(text, m.end()) and not any(a <= m.start() < b for a, b in skip):
            found.append((int(m.group(1)), m.start(), m.end()))
    years: list[int] = []
    for k, (year, start, _) in enumerate(found):
        if k and _YEAR_RANGE.search(text[found[k - 1][2]:start]) and 0 < year - years[-1] <= 10 \
                and re.fullmatch(rf"\s*年?度?{_YEAR_JOIN}", text[found[k - 1][2]:start]):
            years.extend(range(years[-1] + 1, year))  # the years a range leaves unsaid
        years.append(year)
    return tuple(years)


# 上年 / 去年 / 上一年度 said as a time (上年公务接待费, 2024年上年…), not a comparison (比上年,
# 与上年相比, 上年同期) nor a row's own name (上年结转, 上年结余); 上年末 is a stock date, and
# 上一年（2018年） says its year.
_PREVIOUS_YEAR = re.compile(r"(?:(?<!\d)((?:19|20)\d{2})\s*年度?的?)?(?<![比较与同和对于])(?:上一?年度?|去年)"
                            r"(?!度?(?:结转|结余|相比|比较|同期|末|底|\s*[（(]\s*(?:19|20)\d{2}))")


def says_previous_year(text: str) -> bool:
    return bool(_PREVIOUS_YEAR.search(text))


def with_previous_year(text: str, doc_year: int | None) -> str | None:
    """The question with each 上年 written as the year it means: the year before the one it
    follows (2024年上年 → 2023年), else before the document's year; None when no year says
    which (several budgets of different years, none named)."""
    missing = False

    def year_before(m: re.Match[str]) -> str:
        nonlocal missing
        year = int(m.group(1)) if m.group(1) else doc_year
        if year is None:
            missing = True
            return m.group(0)
        return f"{year - 1}年"

    out = _PREVIOUS_YEAR.sub(year_before, text)
    return None if missing else out


def _is_year(code: str, text: str) -> bool:
    return bool(re.fullmatch(r"(19|20)\d{2}", code)) or bool(re.search(rf"{code}\s*年", text))


def validate_question(question: str | None) -> str | None:
    """Why a question cannot be asked as given (the message to show), or None when it can.
    The one check of a question's input: the engine and the app both call it. Length is
    counted on the text as given; the app passes it stripped."""
    if question is None or not question.strip():
        return "请输入一个问题，例如“公务接待费是多少”。"
    if len(question) > MAX_QUESTION_CHARS:
        return f"问题太长（{len(question)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内。"
    if not re.search(r"[\w\u4e00-\u9fff]", question):
        return "问题里没有文字，请换一种问法，例如“公务接待费是多少”。"
    return None
