"""How a question is answered: an ordered list of strategies, each a function of one `Asked`
that returns an `Answer`, or None for "not mine: try the next one".

    several_years → total_budget → composite → computed → lookup → previous_year → change_across_years → slip
    → passage → not_found

Numbers are only ever copied from parsed facts (table cells, narrative sentences, form
fields) or computed from them with the formula shown. When nothing in the documents
explains the question, the answer is `not_found`, with the reason and the nearest metrics
that do exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal

from corpus.numbers import convert
from corpus.facts import Fact

from . import compute, years
from .analyze import COMPUTED_OPERATIONS, Question, analyze, composite_parts
from .answer import Answer
from .budgets import budget_figures, budget_of, part_figures
from .compose import candidates, citation, citations, fact_label, fmt, lookup_sentence
from .linker import Reading
from .passages import best_passage, content_bigrams, passage_citation
from .resolve import resolver
from .scope import Asked, fixed_spans, timings
from .text import longest_common_substring, norm_name
from .totals import asks_total_budget, grand_total
from .typos import correct_slip
from .units import exact_money, is_money, requested_unit, same_figure

Strategy = Callable[[Asked], "Answer | None"]


# ---------------------------------------------------------------------------- the whole budget

def total_budget(asked: Asked) -> Answer | None:
    """"预算是多少", "这个部门预算一共多少钱": the 收支总表's 收入总计 / 支出总计. When no
    document prints one, not_found — never another row of the documents."""
    q = asked.question
    if not asks_total_budget(q, asked.fixed):
        return None
    if unit := asked.named_sub_unit():
        return not_found_answer(q, f"载入的文件只有所属部门的预算，没有单列“{unit}”的预算", [], asked.started)
    if q.years and not set(q.years) & set(asked.doc_years.values()) and any(asked.doc_years.values()):
        return _other_year_total(asked, q.years[0])
    if q.years and q.years[-1] not in asked.doc_years.values() and any(asked.doc_years.values()):
        # "按…2017年预算说明推算，2016年收支预算总计是多少": the year the total is asked for is the
        # last one said (q.years is in the question's order); the other names the document it is read from
        return _other_year_total(asked, q.years[-1])
    wanted = {q.years[-1]} if len(set(q.years)) > 1 else set(q.years)  # "根据2018年预算，2017年…": 2017's
    docs = sorted(d for d in asked.doc_ids if not wanted or asked.doc_years.get(d) in wanted)
    if not docs:  # a document whose year could not be read still answers for itself
        docs = sorted(d for d in asked.doc_ids if not asked.doc_years.get(d))
    totals = [t for t in (grand_total(asked.facts, d) for d in docs) if t is not None]
    if not totals:
        return not_found_answer(q, "问题问的是预算总额（收支总表的收入总计/支出总计），这些文件中没有找到收支总表", [],
                                asked.started)
    if len({t.value_fact.doc_id for t in totals}) > 1:
        firsts = [t.value_fact for t in totals]
        text = "收支总预算" + _each_budget(asked, firsts)
        return Answer(q.raw, text, "lookup", None, firsts[0].unit, citations(firsts, asked.documents),
                      timings=asked.timings(), figures=budget_figures(firsts, asked.documents))
    total = totals[0]
    fact = total.value_fact
    value = fact.value
    if value is None:
        return None  # never so: grand_total keeps figures only
    cites = citations(list(total.facts), asked.documents)
    final = asked.documents[fact.doc_id].doc_type == "决算"
    text = lookup_sentence("收入支出决算总计" if final else "收支总预算（收入总计 = 支出总计）", value, fact.unit, cites)
    return Answer(q.raw, text, "lookup", value, fact.unit, cites, timings=asked.timings())


def _other_year_total(asked: Asked, year: int) -> Answer:
    """"2023年的收支总预算是多少" in a 2024 budget: from this year's total and the printed
    change, else not_found — never a project form's 2023 column."""
    q = asked.question
    # in the question's own words first ("收支预算总计" as the narrative says it), then as 收支总预算
    found = previous_year(asked)
    if found is not None:
        return found
    total_q = replace(analyze(f"{year}年收支总预算"), raw=q.raw)
    found = previous_year(replace(asked, question=total_q, fixed=fixed_spans(total_q, asked.documents, asked.doc_ids)))
    if found is not None:
        return found
    return not_found_answer(q, f"问题问的是 {year} 年的预算总额，这些文件中没有 {year} 年的收支总表", [], asked.started)


# ---------------------------------------------------------------------------- lookups

def _looks_up(q: Question) -> bool:
    """Lookups answer every question but prose that asks for more than a text field."""
    return q.operation != "prose" or q.wants == "text"


def lookup(asked: Asked) -> Answer | None:
    """The figure (or text field, or empty table) the question names, cited from the table
    designed for it, with every other place that prints the same figure."""
    q = asked.question
    if not _looks_up(q):
        return None
    rs = asked.readings()
    good = [r for r in rs if not r.leftover]
    if not good:
        return None
    best = good[0]
    if q.operation == "difference" and not best.fact.change:
        return None  # "X比Y少了多少" that could not be computed: one side's own figure would answer wrong
    if (q.years and any(y != asked.doc_years.get(best.fact.doc_id) for y in q.years) and not _states_year(q, best)) \
            or compute.one_part_of_a_sum(asked.about_the_metric(), best.fact):
        return None  # another year than the document's (see previous_year), or one part of "A和B合计"
    tier = [r for r in good if r.key.fit == best.key.fit]
    if best.fact.kind == "empty_table":
        return _empty_table(asked, best)
    if best.fact.value is None:
        return _text_field(asked, best)
    if len({_publication(asked, r) for r in tier}) > 1:
        return _per_document(asked, tier, rs)
    return _figure(asked, best, best.fact.value, tier, good, rs)


def _figure(asked: Asked, best: Reading, value: Decimal, tier: list[Reading], good: list[Reading],
            rs: list[Reading]) -> Answer:
    q, fact = asked.question, best.fact
    same = [r for r in tier if r.fact.value is not None and same_figure(r.fact, fact)]
    others = [r for r in tier if r.fact.value is not None and not same_figure(r.fact, fact)]
    # Everything else in the documents that states this exact figure for this metric
    also = [r for r in good if r not in same and r.key.covered == best.key.covered and same_figure(r.fact, fact)
            and (fact_label(r.fact) == fact_label(fact) or _sibling_file(asked, r, best))]
    cites = citations([r.fact for r in same + also], asked.documents)
    label = fact_label(fact, column_named=any(m.role == "column" for m in best.matches))
    text = lookup_sentence(label, value, fact.unit, cites)
    formula = None
    wanted = requested_unit(q)
    if wanted and is_money(fact.unit) and wanted != fact.unit:
        # "差旅费是多少元": the printed figure stays the answer; the conversion is shown
        converted = exact_money(convert(value, fact.unit, wanted))
        formula = f"{fmt(value)} {fact.unit} = {fmt(converted)} {wanted}"
        text += f"，即 {fmt(converted)} {wanted}"
    if others and all(r.fact.kind == "narrative" and r.fact.parent_subject == fact.subject for r in others):
        # "车辆7辆（一般公务用车3辆，执法执勤用车4辆…）": the parts the sentence lists, not rival figures
        text += "，其中：" + "，".join(f"{fact_label(r.fact)} {_fmt_cited(r.fact.value)} {r.fact.unit or ''}".rstrip()
                                    for r in others)
        cites += citations([r.fact for r in others], asked.documents)
    elif others:
        notes = []
        for r in others:
            c = citation(r.fact, asked.documents)
            # a sentence's figure has no row or column: its own label says what it is (一般公务用车)
            named = f"{c.row or ''} {c.column or ''}".strip() or fact_label(r.fact)
            notes.append(f"{c.section} {named} 为 {_fmt_cited(c.value)} {c.unit or ''}")
        text += "。注意：" + "；".join(notes) + "，与上面的数字不同"
        cites += citations([r.fact for r in others], asked.documents)
    return Answer(q.raw, text, "lookup", value, fact.unit, cites, candidates(rs), formula=formula,
                  timings=asked.timings(), figures=part_figures(fact, asked.facts, asked.documents, q.expanded))


def _fmt_cited(value: Decimal | None) -> str:
    return fmt(value) if value is not None else str(value)  # cited facts all have a value here


def _states_year(q: Question, reading: Reading) -> bool:
    f = reading.fact
    said = (f.subject + f.topic + f.column + f.context).replace(" ", "")
    return any(f.compare_year == y or str(y) in said for y in q.years)


def _publication(asked: Asked, reading: Reading) -> str:
    """The budget a fact belongs to: the narrative file and the tables file of one
    department's budget are one publication, not two budgets."""
    info = asked.documents.get(reading.fact.doc_id)
    return info.publication if info and info.publication else reading.fact.doc_id


def _sibling_file(asked: Asked, reading: Reading, best: Reading) -> bool:
    """The other file of the same publication (its narrative prints the tables' figure)."""
    return reading.fact.doc_id != best.fact.doc_id and _publication(asked, reading) == _publication(asked, best)


def _per_document(asked: Asked, tier: list[Reading], rs: list[Reading]) -> Answer:
    """Several budgets answer and the question did not say which: one figure per
    publication, with every file that prints it cited (the question can name a department
    or year to pick one)."""
    by_publication: dict[str, list[Reading]] = {}
    for r in tier:
        by_publication.setdefault(_publication(asked, r), []).append(r)
    firsts = [readings[0] for readings in by_publication.values()]
    text = fact_label(firsts[0].fact) + _each_budget(asked, [r.fact for r in firsts])
    cited = [r.fact for first, readings in zip(firsts, by_publication.values()) for r in readings
             if r.fact.doc_id != first.fact.doc_id and same_figure(r.fact, first.fact)]  # the publication's other file
    return Answer(asked.question.raw, text, "lookup", None, firsts[0].fact.unit,
                  citations([r.fact for r in firsts] + cited, asked.documents), candidates(rs), timings=asked.timings(),
                  figures=budget_figures([r.fact for r in firsts], asked.documents))


def _each_budget(asked: Asked, facts: Sequence[Fact]) -> str:
    """（已载入的各份预算分别为）A 2025 年部门预算：1.35 万元；…: each budget by department, year and kind."""
    parts = [f"{budget_of(asked.documents.get(f.doc_id), f.doc_id).name}：{_fmt_cited(f.value)} {f.unit or ''}".rstrip()
             for f in facts if f.value is not None]
    return "（已载入的各份预算分别为）" + "；".join(parts) + "。可在问题中写明部门或年度。"


def _empty_table(asked: Asked, best: Reading) -> Answer:
    """An empty table says its figure is zero: 0 in the table's money unit."""
    fact = best.fact
    cites = citations([fact], asked.documents)
    final = asked.documents[fact.doc_id].doc_type == "决算"
    said = "本年没有这项支出（决算为零）" if final else "本年没有安排这项预算（为零）"
    value = Decimal(0) if is_money(fact.unit) else None
    return Answer(asked.question.raw, f"{fact.table_title}为空表：{said}。", "lookup", value, fact.unit, cites,
                  timings=asked.timings())


def _text_field(asked: Asked, best: Reading) -> Answer:
    cites = citations([best.fact], asked.documents)
    text = f"{best.fact.row_label}的{best.fact.column}：{best.fact.raw}（来源：{cites[0].section}）"
    return Answer(asked.question.raw, text, "passage", None, None, cites, timings=asked.timings())


def previous_year(asked: Asked) -> Answer | None:
    """`2023年行政运行预算是多少` from this year's figure and the printed change."""
    q = asked.question
    if not _looks_up(q):
        return None
    others = [y for y in q.years if y not in asked.doc_years.values()]
    if len(others) != 1:
        return None
    year = others[0]
    # "上一年（2018年）的…": the year and the words that say it is the previous one
    said_year = rf"(上一?年度?|去年)?\s*[(（]?\s*{year}\s*年(度)?\s*[)）]?"
    bare = replace(q, expanded=re.sub(said_year, "", q.expanded), years=())
    rs = [r for r in replace(asked, question=bare).readings() if not r.leftover and r.fact.value is not None]
    currents = [r.fact for r in rs if not r.fact.change and r.fact.kind in ("cell", "narrative")]
    changes = [f for f in asked.facts if f.kind == "narrative" and f.compare_year == year and f.change in ("增加", "减少")]
    # the figure whose own sentence states the change (a table may print it in 元), else the best one's item's
    pair = next(((c, f) for c in currents for f in changes if f.unit == c.unit and compute.same_sentence(f, c)), None) \
        or next(((c, f) for c in currents[:1] for f in changes
                 if f.unit == c.unit and f.doc_id == c.doc_id and compute.same_topic(f, c)), None)
    if pair is None:
        return None
    result = compute.previous_year(*pair)
    return _computed_answer(asked, result) if result else None


# ---------------------------------------------------------------------------- computed

def computed(asked: Asked) -> Answer | None:
    """Ratios, sums, differences, extremes and counts, with their formula and every input cited."""
    q = asked.question
    if q.operation not in COMPUTED_OPERATIONS:
        return None
    resolve = resolver(asked)
    doc_year = next(iter(asked.doc_years.values()), None)
    result: compute.Computed | None
    if q.operation == "ratio":
        result = compute.ratio(q, resolve)
    elif q.operation == "sum":
        result = compute.total(asked.about_the_metric(), resolve)
    elif q.operation == "difference":
        result = compute.difference(q, resolve, doc_year)
    else:  # max, min, count
        members, what = _members(asked)
        if q.operation == "count":
            looked_up = lookup(asked) or previous_year(asked)  # a printed count wins
            if looked_up is not None:
                return looked_up
            result = compute.count(q, members, what) if members else None
        else:
            result = compute.extreme(q, members, q.operation == "max", what) if members else None
    return _computed_answer(asked, result) if result else None


def siblings(asked: Asked) -> Answer | None:
    """The total of items named together ("四个季度用款计划合计"); never one of them alone."""
    q = asked.question
    said = compute.asks_total_of_several(q) if q.operation == "lookup" else None
    good = [r for r in asked.readings() if not r.leftover] if said is not None else []
    if not compute.side_by_side(tier := [r.fact for r in good if r.key.fit == good[0].key.fit]):
        return None
    if said and said != len(tier):
        return not_found_answer(q, f"问题问的是{said}项之和，文件并列列出的是{len(tier)}项", [], asked.started)
    return _computed_answer(asked, compute.siblings_total(tier))


def composite(asked: Asked) -> Answer | None:
    """A colloquial name for several printed items (水电费 = 水费 + 电费): their sum, each
    item resolved in the question's own words and cited. If an item is missing, not_found —
    never one item alone."""
    q = asked.question
    found = composite_parts(q)
    if found is None or q.operation not in ("lookup", "sum"):
        return None
    name, parts = found
    resolve = resolver(asked)
    facts = [resolve(q.expanded.replace(name, part), "money") for part in parts]
    present = [f for f in facts if f is not None]
    result = compute.sum_of(present, name) if len(present) == len(parts) and len({f.id for f in present}) == len(parts) \
        else None
    if result is None:
        missing = "、".join(p for p, f in zip(parts, facts) if f is None) or "、".join(parts)
        return not_found_answer(q, f"{name}是{'与'.join(parts)}之和，这些文件中没有找到{missing}", [], asked.started)
    return _computed_answer(asked, result)


def several_years(asked: Asked) -> Answer | None:
    """Before any one document answers: a sum over the years a question names (三年的“三公”经费
    一共多少), or the whole budget of two years compared (2019年预算总额比2017年增长了百分之多少),
    each year's figure from that year's document."""
    result = years.across_years(asked, ("sum",)) or years.across_years(asked, ("growth", "difference"), whole_only=True)
    return _computed_answer(asked, result) if result else years.each_year_answer(asked)


def change_across_years(asked: Asked) -> Answer | None:
    """No printed change: the same metric in two years (2024年比2022年少了多少; 增长了百分之多少),
    each from its own year's document when both are loaded."""
    q = asked.question
    if q.operation != "change" or len(set(q.years)) < 2:
        return None
    result = years.across_years(asked, ("growth", "difference"))
    if result is not None:
        return _computed_answer(asked, result)
    if years.operation(q.expanded) == "growth":
        return None  # a growth rate is never a difference
    return computed(replace(asked, question=replace(q, operation="difference")))


def _members(asked: Asked) -> tuple[list[Fact], str]:
    """The set a 最多/最少/几个 question ranges over: the sub-items of a named row, the
    功能分类 classes (类), or the projects."""
    q = asked.question
    text = q.expanded
    cells = [f for f in asked.facts if f.kind == "cell" and f.value is not None]
    over_cells = replace(asked, question=replace(q, operation="lookup", wants="money"), facts=cells)
    named = [r for r in over_cells.readings() if any(m.role in ("row", "code", "alias") for m in r.matches)]
    for r in named:
        children = [f for f in cells if f.table_key == r.fact.table_key and f.col_index == r.fact.col_index
                    and f.row_path.startswith(r.fact.row_path + " > ") and f.row_level == r.fact.row_level + 1]
        if len(children) >= 2:
            return children, r.fact.row_label
    first = _first_numeric(cells)
    if re.search(r"项目", text):
        projects = [f for f in cells if f.table_kind == "项目支出" and len(f.code) >= 10
                    and f.col_index == first[f.table_key, f.row_id]]
        if projects:
            return projects, "项目"
    if re.search(r"类", text):
        for kind in ("支出总表", "一般公共预算支出"):
            classes = [f for f in cells if f.table_kind == kind and re.fullmatch(r"\d{3}", f.code)
                       and f.col_index == first[f.table_key, f.row_id]]
            if classes:
                return classes, "各类功能支出"
    return [], ""


def _first_numeric(cells: list[Fact]) -> dict[tuple[str, str], int]:
    """Each row's first figure column (its 合计), in one pass."""
    first: dict[tuple[str, str], int] = {}
    for f in cells:
        key = (f.table_key, f.row_id)
        first[key] = min(first.get(key, f.col_index), f.col_index)
    return first


def _computed_answer(asked: Asked, result: compute.Computed) -> Answer:
    cites = citations([*result.inputs, *result.stated], asked.documents)
    return Answer(asked.question.raw, result.sentence, "computed", result.value, result.unit, cites,
                  formula=result.formula, timings=asked.timings(), figures=budget_figures(result.inputs, asked.documents))


# ---------------------------------------------------------------------------- slips

def slip(asked: Asked) -> Answer | None:
    """Nothing answered the question as typed: if it nearly spells exactly one printed name
    (公务接侍费 → 公务接待费), answer it as that name and say so."""
    q = asked.question
    if q.english:
        return None
    names = (n for f in asked.facts for n in asked.names[f.id].row + asked.names[f.id].column)
    found = correct_slip(q.expanded, names)
    if found is None:
        return None
    typed, name = found
    fixed_q = replace(analyze(q.expanded.replace(typed, name, 1)), raw=q.raw)
    again = replace(asked, question=fixed_q, fixed=fixed_spans(fixed_q, asked.documents, asked.doc_ids))
    for strategy in (several_years, total_budget, composite, computed, lookup, previous_year, change_across_years):
        answer = strategy(again)
        if answer is not None and answer.kind != "not_found":
            note = f"（问题中的“{typed}”按文件中的“{name}”理解）"
            return replace(answer, answer=note + answer.answer)
    return None


# ---------------------------------------------------------------------------- passages

def passage(asked: Asked) -> Answer | None:
    """Prose questions: the retrieved sentence (or form field) that answers them, quoted
    with its section path."""
    q = asked.question
    if q.operation != "prose" or not content_bigrams(q.expanded):
        return None
    # passages first; then any node, since "购买的是什么服务" is answered by a table's text cell
    hits = asked.retrieve(q.raw, k=30, doc_ids=asked.doc_ids)
    seen = {h.node.id_ for h in hits}
    hits += [h for h in asked.retrieve(q.raw, k=10, doc_ids=asked.doc_ids, any_kind=True) if h.node.id_ not in seen]
    about = _about(asked)
    # "…管理办公室的主要职能是什么": when little is left, the department was the subject
    found = best_passage(about, hits) if len(content_bigrams(about)) >= 4 else None
    # "2024年预算比2023年大幅减少的原因": the years can be what the passage is about
    found = found or best_passage(q.expanded, hits)
    if found is None:
        return None
    # a paragraph without a heading path is shown with its page, never as an empty "（）"
    where = found.section or found.node.metadata.get("location", "")
    return Answer(q.raw, f"{found.quote}（{where}）" if where else found.quote, "passage", None, None,
                  (passage_citation(found, asked.documents),), timings=asked.timings())


def _about(asked: Asked) -> str:
    """The question without what says which document (the department as the question
    names it, the year): those words are not what the passage must be about."""
    text = "".join(" " if any(a <= i < b for a, b in asked.fixed) else ch for i, ch in enumerate(asked.question.expanded))
    text = re.sub(r"(19|20)\d{2}\s*年度?", " ", text)
    for doc_id in asked.doc_ids or ():
        info = asked.documents.get(doc_id)
        department = norm_name(info.department) if info and info.department else ""
        start, length = longest_common_substring(text, department) if department else (0, 0)
        if length >= 3:  # "普陀区商务委" of 上海市普陀区商务委员会
            text = text[:start] + " " + text[start + length:]
    return text


# ---------------------------------------------------------------------------- not found

def not_found(asked: Asked) -> Answer:
    """Nothing explains the question: say so, with the nearest metrics that do exist."""
    near = replace(asked, question=replace(asked.question, wants="any")).readings()[:3]
    return not_found_answer(asked.question, "这些文件中没有找到与问题对应的指标", near, asked.started)


def not_found_answer(q: Question, reason: str, near: Sequence[Reading], started: float) -> Answer:
    hint = ""
    if near:
        hint = "。相近的指标有：" + "、".join(dict.fromkeys(fact_label(r.fact) for r in near))
    return Answer(q.raw, f"没有找到答案：{reason}{hint}。", "not_found", reason=reason,
                  candidates=candidates(near), timings=timings(started))


# ---------------------------------------------------------------------------- the order

STRATEGIES: tuple[Strategy, ...] = (several_years, total_budget, composite, computed, siblings, lookup, previous_year,
                                    change_across_years, slip, passage, not_found)


def first_answer(asked: Asked) -> Answer:
    """The answer of the first strategy that has one (not_found always has)."""
    for strategy in STRATEGIES:
        answer = strategy(asked)
        if answer is not None:
            return answer
    raise AssertionError("not_found always answers")
