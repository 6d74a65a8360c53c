"""Computed answers: sums, differences, ratios, extremes and counts over parsed facts.

Each operation splits the question into the parts it needs, resolves every part to one
fact with the same linker that answers lookups, and shows its formula; every input is
cited. If any part cannot be resolved, the operation gives up (returns None) rather than
guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from corpus.facts import Fact
from corpus.names import measured_item
from corpus.numbers import convert

from .analyze import EXECUTION_RATE, MINUS, PLUS, Question, Wants, detect_phase
from .compose import fact_label, fmt
from .text import norm_name
from .units import in_one_unit

class Resolve(Protocol):
    """(sub-question, wanted quantity, optionally the fund scope it must have) → a fact with a value."""

    def __call__(self, text: str, wants: Wants, fund_scope: str = "") -> Fact | None: ...


@dataclass(frozen=True)
class Computed:
    value: Decimal
    unit: str
    formula: str
    sentence: str
    inputs: tuple[Fact, ...]
    stated: tuple[Fact, ...] = ()  # the same figure as the document prints it (…占本年支出合计的34.30%)


_PCT = Decimal("0.01")


def _round(value: Decimal, places: Decimal = _PCT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


_OP_TAIL = re.compile(r"(的)?(比例|比重|百分比|占比|份额)?(是|为)?(多少|几|百分之几)?[?？]?$")


def split_ratio(text: str) -> tuple[str, str] | None:
    """(part, whole) of `A占B的比例`, `B中A占比`, `A占B多少`."""
    m = re.search(r"^(?P<whole>.+?)(中|里|当中|之中)(?P<part>.+?)(的)?占(?:比|(?:多大|多少|几成)的?(?:比例|比重|百分比|份额)?)",
                  text)
    if m:
        return m.group("part"), m.group("whole")
    m = re.search(r"^(?P<part>.+?)占(?![有用地])(?P<whole>.+?)(的)?(比例|比重|百分比|份额|多少|几成|%)", text)
    if m:
        return m.group("part"), m.group("whole")
    return None


def ratio(q: Question, resolve: Resolve) -> Computed | None:
    text = q.expanded
    if EXECUTION_RATE.search(text):
        return execution_rate(q, resolve)
    if "人均" in text:
        return per_person(q, resolve)
    parts = split_ratio(text)
    if not parts:
        return None
    # "政府采购预算中服务占多大比例": the part in the whole's words when alone it names nothing
    part_fact = resolve(parts[0], "money") or resolve(f"{parts[1]}中{parts[0]}", "money")
    whole_fact = resolve(parts[1], "money")
    if part_fact is None or whole_fact is None or part_fact is whole_fact:
        return None
    share = _share(part_fact, whole_fact, f"{fact_label(part_fact)} ÷ {fact_label(whole_fact)}",
                   f"{fact_label(part_fact)}占{fact_label(whole_fact)}的")
    printed = resolve(text, "percent") if share else None
    if share and printed is not None and printed.value == share.value:
        return replace(share, stated=(printed,))  # cited beside its inputs: the 说明 prints the share
    return share


def _share(part: Fact, whole: Fact, division: str, lead: str) -> Computed | None:
    """part ÷ whole as a computed answer: "{lead} 25.00%（{division}：a ÷ b = 25.00%）"."""
    share = _percentage(part, whole)
    if share is None:
        return None
    value, a, b = share
    formula = f"{division}：{fmt(a)} ÷ {fmt(b)} = {value}%"
    return Computed(value, "%", formula, f"{lead} {value}%（{formula}）", (part, whole))


def _percentage(part: Fact, whole: Fact) -> tuple[Decimal, Decimal, Decimal] | None:
    """part ÷ whole in %, with both figures in one unit; None when they cannot be compared."""
    both = in_one_unit(part, whole)
    if both is None or both[1] == 0:
        return None
    a, b, _ = both
    return _round(a / b * 100), a, b


def percentage_change(this: Fact, base: Fact) -> tuple[Decimal, Decimal, Decimal] | None:
    """(this − base) ÷ base in %, signed, with both figures in one unit."""
    both = in_one_unit(this, base)
    if both is None or both[1] == 0:
        return None
    a, b, _ = both
    return _round((a - b) / b * 100), a, b


def per_person(q: Question, resolve: Resolve) -> Computed | None:
    """人均X = X ÷ 在职实有人数 (the people actually employed)."""
    target = re.sub(r"^.*人均", "", q.expanded)
    amount = resolve(target, "money")
    people = resolve("在职实有人数", "count:人")
    if amount is None or amount.value is None or people is None or not people.value:
        return None
    value = _round(amount.value / people.value)
    formula = f"{fact_label(amount)} ÷ 在职实有人数：{fmt(amount.value)} ÷ {fmt(people.value)} = {value}"
    return Computed(value, amount.unit or "", formula, f"人均{fact_label(amount)} {value} {amount.unit}（{formula}）",
                    (amount, people))


def execution_rate(q: Question, resolve: Resolve) -> Computed | None:
    """预算执行率 = 决算数 ÷ 年初预算数 (÷ 调整预算数 when the question says so), both of the
    metric the question names; each is resolved with its phase, so neither can be the other.
    A 决算 that states no 年初预算 for the metric, or a 年初预算 of 0 (a unit set up during the
    year), is measured against its 全年预算, and the formula says so."""
    metric = _without_phase(EXECUTION_RATE.sub("", re.sub(r"预算执行率", "执行率", q.expanded)))
    words = ("调整预算",) if "调整" in q.expanded else ("全年预算",) if "全年" in q.expanded else ("年初预算", "全年预算")
    for budget_word in words:
        budget = resolve(f"{metric}{budget_word}", "money")
        if budget is None or budget.value == 0:
            continue  # no 年初预算 stated for it, or none at all: the 全年预算 is what was executed
        final = _same_funds(resolve, f"{metric}决算数", budget)
        if final is None or final is budget:
            return None
        return _share(final, budget, f"决算数 ÷ {budget_word}数", f"{fact_label(final)}完成{budget_word}的")
    return None


def _same_funds(resolve: Resolve, text: str, other: Fact | None) -> Fact | None:
    """The fact `text` names, of the same funds as `other`: an 一般公共预算 年初预算 compares
    with the 一般公共预算 决算, never with the 决算 of all funds."""
    if other is None:
        return None
    fact = resolve(text, "money", other.fund_scope) if other.fund_scope else resolve(text, "money")
    if fact is not None and other.fund_scope != fact.fund_scope:
        return None  # of other funds, or of funds unknown: comparing them would mislead
    return fact


def _without_phase(text: str) -> str:
    """A question's metric without the words that name a phase (年初预算, 决算数, 实际支出 …)."""
    _, spans = detect_phase(text)
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + text[end:]
    text = re.sub(r"(预算数|预算)(?=$|[?？的是比])", "", text)
    return re.sub(r"(的)?(是|为)?(多少|几)?[?？]?$", "", text).strip()


def split_terms(text: str) -> list[str]:
    """`差旅费、会议费和培训费加起来` → [差旅费, 会议费, 培训费]."""
    core = re.sub(r"(加起来|加在一起|之和|总和|合计|一共|总共|共计).*$", "", text)
    core = re.sub(r"(这|以上)?[两二三四五六七八九十几](项|者|类)$", "", core)  # 货物和服务两项合计
    terms = [t for t in re.split(rf"[、,，和与]|(?<![涉以])及|加上|以及|{PLUS}", core) if t.strip()]
    counted = re.fullmatch(r"(?P<item>.+?)(这|等)?[两二三四五六七八九十\d]+(个|项|类)(?P<noun>.{2,})", terms[-1]) \
        if len(terms) >= 2 else None
    if counted:
        # "科技创新、生命健康、商业创新四个专项预算": each is a 专项预算
        noun = counted.group("noun")
        terms = [t if t.endswith(noun) else t + noun for t in terms[:-1]] + [counted.group("item") + noun]
    return terms


def one_part_of_a_sum(q: Question, fact: Fact) -> bool:
    """Whether a figure is one part of the sum the question asks for: 服务采购金额 for
    "工程和服务采购金额合计". A row whose own name holds the join (商品和服务支出, 社会保障和
    就业支出) is the whole, not a part."""
    if q.operation != "sum":
        return False
    terms = [t.strip() for t in split_terms(q.expanded)]
    if len(terms) < 2:
        return False
    name = norm_name(fact.row_label or fact.subject)
    return not all(t[-2:] in name for t in terms[:-1]) or terms[-1][:2] not in name


def total(q: Question, resolve: Resolve) -> Computed | None:
    terms = [t.strip() for t in split_terms(q.expanded)]
    if len(terms) < 2:
        return None
    context = _shared_context(terms[0])
    last = _term_fact(terms[-1], context, resolve)
    resolved = [_term_fact(t, context, resolve) or _with_shared_tail(t, terms[-1], last, resolve)
                for t in terms[:-1]] + [last]
    facts = [f for f in resolved if f is not None]
    if len(facts) < len(resolved) or len({id(f) for f in facts}) < len(facts):
        return None
    unit = facts[0].unit
    values: list[Decimal] = []
    for f in facts:
        if f.value is None:
            return None  # never so: resolve gives facts with a value
        values.append(convert(f.value, f.unit or "", unit or "") if f.unit != unit else f.value)
    value = sum(values, Decimal(0))
    formula = " + ".join(fmt(v) for v in values) + f" = {fmt(value)}"
    names = "、".join(fact_label(f) for f in facts)
    return Computed(value, unit or "", formula, f"{names}合计 {fmt(value)} {unit}（{formula}）", tuple(facts))


def _shared_context(first: str) -> str:
    """The "X中" the first term opens with ("政府采购预算中货物"), "" when none."""
    m = re.match(r".+?(中|里|当中|之中)(?=.{2})", first)
    return m.group(0) if m else ""


def _term_fact(term: str, context: str, resolve: Resolve) -> Fact | None:
    """A term's fact, said alone or, failing that, in the first term's context: 服务 of
    "政府采购预算中货物和服务" is 政府采购预算中服务."""
    found = resolve(term, "money")
    if found is None and context and context not in term:
        found = resolve(context + term, "money")
    return found


def _with_shared_tail(term: str, last: str, last_fact: Fact | None, resolve: Resolve) -> Fact | None:
    """A term that shares the last term's tail: 工程 of "工程和服务采购金额" is 工程采购金额 — never
    the last term's own figure (务采购金额 finds 服务采购金额)."""
    if term == last:
        return None
    return next((f for j in range(1, len(last)) if (f := resolve(term + last[j:], "money")) and f is not last_fact),
                None)


def sum_of(facts: list[Fact], what: str) -> Computed | None:
    """The sum of several printed items that one colloquial name stands for (水电费 = 水费 + 电费)."""
    unit = facts[0].unit or ""
    values: list[Decimal] = []
    for f in facts:
        if f.value is None or (f.unit != unit and not (f.unit and unit)):
            return None
        values.append(convert(f.value, f.unit or "", unit) if f.unit != unit else f.value)
    value = sum(values, Decimal(0))
    names = " + ".join(fact_label(f) for f in facts)
    formula = f"{what} = {names}：" + " + ".join(fmt(v) for v in values) + f" = {fmt(value)}"
    return Computed(value, unit, formula, f"{what}（{names}）合计 {fmt(value)} {unit}（{formula}）", tuple(facts))


_TOTAL_ASKED = re.compile(r"加起来|之和|总和|加在一起|合计|一共|总共|共计")
_HOW_MANY = re.compile(r"(?P<n>[两二三四五六七八九十]|\d{1,2})个|各|所有|全部")
_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)} | {"两": 2}


def asks_total_of_several(q: Question) -> int | None:
    """"四个季度…合计" → 4; "各季度…合计" → 0 (all of them); None when the question asks no
    total of several items."""
    how_many = _HOW_MANY.search(q.expanded)
    if not how_many or not _TOTAL_ASKED.search(q.expanded):
        return None
    said = how_many.group("n")
    return (int(said) if said.isdigit() else _NUMERALS[said]) if said else 0


def side_by_side(facts: list[Fact]) -> bool:
    """Several items printed together — one sentence, or one column of one table — each under a
    name of its own (第一…第四季度用款计划)."""
    labels = [fact_label(f) for f in facts]
    return len(facts) >= 2 and len(set(labels)) == len(labels) and len({f.unit for f in facts}) == 1 \
        and len({(f.kind, f.text if f.kind == "narrative" else f.table_key + f.column) for f in facts}) == 1


def siblings_total(facts: list[Fact]) -> Computed:
    """"四个季度用款计划合计多少": the items the question's words fit equally well, summed (one of
    them alone would be a wrong figure), named by the words their labels share."""
    labels = [fact_label(f) for f in facts]
    shared = labels[0]
    while shared and not all(label.endswith(shared) for label in labels):
        shared = shared[1:]
    result = sum_of(facts, shared or "合计")
    assert result is not None  # side_by_side: one unit, every value printed
    return result


def _minus_parts(text: str) -> tuple[str, str] | None:
    """"A减去B是多少" → (A, B)."""
    m = MINUS.search(text)
    if not m:
        return None
    b = re.sub(r"(的|之)?(差额?|差值)?(是|为|等于)?(多少|几)?[?？]?$", "", text[m.end():])
    return (text[:m.start()], b) if b else None


def difference(q: Question, resolve: Resolve, doc_year: int | None) -> Computed | None:
    # 比2023年多多少 / 比2023年增加了多少 / 比2023年减少了多少: b stops before the change word
    m = re.search(r"^(?P<a>.+?)比(?P<b>.+?)(?:增加|减少|增长|下降)?了?(多|少|相差|差)", q.expanded)
    minus = None if m else _minus_parts(q.expanded)
    parts = (m.group("a"), m.group("b")) if m else minus
    if parts is None:
        return None
    a_text, b_text = parts
    year_a = re.search(r"((?:19|20)\d{2})年", a_text)
    year_b = re.fullmatch(r"\s*((?:19|20)\d{2})年(预算)?\s*", b_text)
    if year_b:  # "X2024年比2022年少了多少": the same metric in two years
        b_text = re.sub(r"(?:19|20)\d{2}年", "", a_text) + year_b.group(1) + "年"
        if year_a is None and doc_year:
            a_text = f"{a_text}{doc_year}年"
    phase_b = detect_phase(b_text)[0]
    if phase_b and not _without_phase(b_text):  # "X决算数比年初预算少多少": X's 年初预算
        b_text = _without_phase(a_text) + b_text
    elif phase_b and not re.sub(r"(?:19|20)\d{2}年度?|当年|\s", "", _without_phase(b_text)):
        # "X预算比2022年执行数少多少": X's 执行数 of that year, as this year's budget prints it
        b_text = re.sub(r"(?:19|20)\d{2}年度?", "", _without_phase(a_text)) + b_text
    fb = resolve(b_text, "money")
    context = _shared_context(a_text)
    if fb is None and context:  # "政府采购里，服务比货物多多少": 货物 of 政府采购 too
        fb = resolve(context + b_text, "money")
    final_vs_budget = "决算" in {detect_phase(a_text)[0], phase_b} and phase_b != detect_phase(a_text)[0]
    fa = _same_funds(resolve, a_text, fb) if final_vs_budget else resolve(a_text, "money")
    if fb is not None and doc_year and _last_years_execution(fb) and detect_phase(a_text)[0] in ("预算", None):
        # "…（项）”2022年当年预算执行数为…，2023年预算安排…": this year's budget of the same item,
        # as the sentence that prints last year's execution states it
        arranged = resolve(re.sub(r"(?:19|20)\d{2}年度?", "", _without_phase(a_text)) + f"{doc_year}年预算安排", "money")
        fa = arranged if arranged is not None and arranged.text == fb.text else fa
    if fa is None or fb is None or fa is fb:
        return None
    both = in_one_unit(fa, fb)
    if both is None:
        return None
    a, b, unit = both
    if minus:  # "A减B": signed, in the order asked
        formula = f"{fmt(a)} − {fmt(b)} = {fmt(a - b)}"
        return Computed(a - b, unit, formula, f"{fact_label(fa)}减{fact_label(fb)}：{fmt(a - b)} {unit}（{formula}）",
                        (fa, fb))
    if ({fa.phase, fb.phase} == {"决算", "年初预算"} or {fa.phase, fb.phase} == {"决算", "调整预算"}
            or {fa.phase, fb.phase} == {"决算", "预算"}) and not _last_years_execution(fb):
        # (last year's 执行数 against this year's budget is two years, said in the question's order)
        return _final_minus_budget(fa, fb, unit)
    value = abs(a - b)
    formula = f"{fmt(a)} − {fmt(b)} = {fmt(a - b)}" if a >= b else f"{fmt(b)} − {fmt(a)} = {fmt(b - a)}"
    more = "多" if a >= b else "少"
    return Computed(value, unit, formula,
                    f"{fact_label(fa)}比{fact_label(fb)}{more} {fmt(value)} {unit}（{formula}）", (fa, fb))


def _last_years_execution(fact: Fact) -> bool:
    """A 项's execution in a year before the budget's, as its 说明 prints it ("“…（项）”2022年当年预算执行数")."""
    said = measured_item(fact.subject)
    return said is not None and re.search(r"[（(]项[)）][”\"]?$", said[0]) is not None and said[1].endswith("执行数")


def _final_minus_budget(fa: Fact, fb: Fact, unit: str) -> Computed | None:
    """决算 − 预算, signed: negative when less was spent than budgeted."""
    final, budget = (fa, fb) if fa.phase == "决算" else (fb, fa)
    both = in_one_unit(final, budget)
    if both is None:
        return None
    a, b, unit = both
    value = a - b
    formula = f"决算数 − 预算数：{fmt(a)} − {fmt(b)} = {fmt(value)}"
    word = "少" if value < 0 else "多"
    return Computed(value, unit, formula,
                    f"{fact_label(final)}决算数比预算数{word} {fmt(abs(value))} {unit}（{formula}）", (final, budget))


def previous_year(current: Fact, change: Fact) -> Computed | None:
    """Last year's figure from this year's and the printed change (比2023年预算增加 0.66 万元)."""
    if current.unit != change.unit or change.change not in ("增加", "减少"):
        return None
    if current.value is None or change.value is None:
        return None  # never so: both are figures
    sign = Decimal(-1) if change.change == "增加" else Decimal(1)
    value = current.value + sign * change.value
    op = "−" if change.change == "增加" else "+"
    formula = f"{fmt(current.value)} {op} {fmt(change.value)} = {fmt(value)}"
    label = re.sub(r"^(19|20)\d{2}\s*年度?", "", fact_label(current))  # "2019年度收支预算总计": this year's name
    # the year as the source says it: "比2023年预算增加", or "与上年相比增加" (the year is the document's less one)
    then = f"{change.compare_year}年" if str(change.compare_year) in change.text else "上年"
    return Computed(value, current.unit or "", formula,
                    f"{then}{label} {fmt(value)} {current.unit}（本年 {fmt(current.value)}，"
                    f"比{then}{change.change} {fmt(change.value)}：{formula}）", (current, change))


def same_topic(change: Fact, current: Fact) -> bool:
    label = norm_name(current.row_label or current.subject)
    return bool(label) and (label in norm_name(change.topic) or label in norm_name(change.subject))


def same_sentence(change: Fact, current: Fact) -> bool:
    """"2019年度收入、支出预算总计18330.37万元，与上年相比收、支预算总计各增加2432.93万元":
    the change of the level the same sentence states, about the same item — or the next sentence
    ("一般公共服务（类）支出 7,827.46 万元，…。与上年相比增加 1,283.91 万元" states it of that item)."""
    if current.kind != "narrative" or change.doc_id != current.doc_id:
        return False
    item, level = norm_name(change.subject), norm_name(current.subject)
    if change.text != current.text:
        return change.node_id == current.node_id and bool(item) and item == level
    return bool(item) and (item in level or level in item)


def extreme(q: Question, members: list[Fact], biggest: bool, what: str) -> Computed | None:
    """The largest/smallest of a set of rows (one fact per row, same column and unit)."""
    values = [(f, f.value) for f in members if f.value is not None]
    if "非零" in q.expanded or "不为零" in q.expanded:
        values = [(f, v) for f, v in values if v != 0]
    if len(values) < 2 or len({f.unit for f, _ in values}) != 1:
        return None
    ordered = sorted(values, key=lambda fv: (fv[1], -fv[0].id), reverse=biggest)
    best, top = ordered[0]
    if len(ordered) > 1 and ordered[1][1] == top:
        return None  # a tie: no single answer
    word = "最多" if biggest else "最少"
    listing = "、".join(f"{fact_label(f, False)} {fmt(v)}" for f, v in ordered[:5])
    formula = f"比较{len(values)}项{what}：{listing}{'…' if len(ordered) > 5 else ''}"
    return Computed(top, best.unit or "", formula,
                    f"{what}中{fact_label(best, False)}{word}，为 {fmt(top)} {best.unit}（{formula}）",
                    tuple([best] + [f for f, _ in ordered[1:5]]))


def count(q: Question, members: list[Fact], what: str) -> Computed | None:
    chosen = members
    if re.search(r"为零|为0|是零|等于零|为 0", q.expanded):
        chosen = [f for f in members if f.value == 0]
    elif "非零" in q.expanded:
        chosen = [f for f in members if f.value]
    names = "、".join(fact_label(f, False) for f in chosen)
    value = Decimal(len(chosen))
    formula = f"{what}共{len(members)}项，符合条件的 {len(chosen)} 项：{names or '无'}"
    return Computed(value, "个", formula, f"{len(chosen)} 个（{formula}）", tuple(chosen or members[:1]))
