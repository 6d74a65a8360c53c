"""Scoring one answer against its gold question, and aggregating many.

The rules (see also evaluation/gold/README.md):
- a figure is right when it equals the gold after unit conversion, within the gold's
  tolerance (default: half a unit in the last of at least two decimals — see `tolerance_for`);
- prose/name answers are right when every keyword appears in the answer or a quoted source;
- "not_found" on an answerable question is a miss, not a wrong figure; any figure stated for
  an unanswerable question is a wrong figure;
- an answer is cited when it is right and one citation points at an expected source — and,
  when the gold names `expected_files`, at one of those files: the same figure printed in
  another department's or year's file is not the cited source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from corpus.numbers import convert, is_money_unit
from corpus.text import normalize_text, strip_list_number
from evaluation.gold import GoldQuestion, is_table_id, table_id_key
from qa.answer import Answer, Citation

# Spellings of the same unit. 人 and 名 both count people ("21名", "19人"); every other
# count unit (辆, 台, 个, 人次 …) equals only itself.
_UNIT_ALIASES = {"名": "人", "万": "万元", "亿": "亿元"}
# Budget tables print money with two decimals, but JSON drops trailing zeros (90.80 → 90.8),
# so the gold's printed precision is taken as at least two decimals.
_MIN_DECIMALS = 2


@dataclass(frozen=True)
class Verdict:
    correct: bool
    cited: bool          # correct and backed by a citation of an expected source
    wrong_figure: bool   # a number was stated and it is wrong
    said_not_found: bool
    reason: str          # why it is not correct / not cited; "ok" otherwise

    def to_dict(self) -> dict[str, object]:
        return {"correct": self.correct, "cited": self.cited, "wrong_figure": self.wrong_figure,
                "said_not_found": self.said_not_found, "reason": self.reason}


@dataclass(frozen=True)
class Outcome:
    """One scored question, with what aggregation needs besides the verdict."""

    gold: GoldQuestion
    verdict: Verdict
    latency_s: float
    rank: int | None  # 1-based rank of the first retrieved node from an expected source


@dataclass(frozen=True)
class Summary:
    n: int
    accuracy: float | None
    citation_accuracy: float | None  # over questions that have expected sources
    wrong_figures: int
    wrong_figure_rate: float | None
    nf_precision: float | None       # of the "not_found" answers, how many were unanswerable
    nf_recall: float | None          # of the unanswerable questions, how many got "not_found"
    recall_at_1: float | None
    recall_at_5: float | None
    mrr: float | None
    latency_p50: float | None
    latency_p95: float | None

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


# --- units and values -------------------------------------------------------------------

def normalize_unit(unit: str | None) -> str | None:
    if unit is None:
        return None
    unit = normalize_text(unit).strip()
    return _UNIT_ALIASES.get(unit, unit) or None


def to_unit(value: Decimal, unit: str | None, target: str | None) -> Decimal | None:
    """`value unit` expressed in `target`, or None when the two units do not compare."""
    unit, target = normalize_unit(unit), normalize_unit(target)
    if unit is None or target is None:
        return None
    if unit == target:
        return value
    if is_money_unit(unit) and is_money_unit(target):
        return convert(value, unit, target)
    return None


def tolerance_for(gold: GoldQuestion) -> Decimal:
    """The gold's own tolerance, else half a unit in its last printed decimal (0.005 for 2)."""
    if gold.tolerance is not None:
        return gold.tolerance
    if gold.expected_value is None:  # keywords or not_found: no figure to be near
        return Decimal(0)
    exponent = gold.expected_value.as_tuple().exponent
    decimals = max(-exponent if isinstance(exponent, int) else 0, _MIN_DECIMALS)
    return Decimal(5).scaleb(-decimals - 1)


# "A比B少了多少": the words say the direction, so 60.66 and −60.66 are the same answer (gold
# writers use both conventions; the engine signs 决算 − 预算).
_DIRECTION_SAID = re.compile(r"比.+?(多|少)了?(多少|几)")


def value_matches(gold: GoldQuestion, value: Decimal | None, unit: str | None) -> bool:
    if value is None or gold.expected_value is None:
        return False
    converted = to_unit(value, unit, gold.expected_unit)
    if converted is not None and _DIRECTION_SAID.search(gold.question):
        return abs(abs(converted) - abs(gold.expected_value)) <= tolerance_for(gold)
    return converted is not None and abs(converted - gold.expected_value) <= tolerance_for(gold)


# --- keywords and citations -------------------------------------------------------------

def _squash(text: str) -> str:
    """Compare text the way a reader would: full-width digits as ASCII, no layout spaces."""
    return "".join(normalize_text(text).split())


def keywords_present(keywords: Iterable[str], answer: Answer) -> bool:
    texts = [_squash(answer.answer)] + [_squash(c.text) for c in answer.citations]
    return all(any(_squash(k) in t for t in texts) for k in keywords)


def base_table_id(table: str | None) -> str | None:
    """"附表1/支出" → "附表1": a half of a two-sided table is still that table."""
    return table.split("/", 1)[0].strip() if table else None


def source_matches(source: str, table: str | None, section: str | None, title: str | None = None) -> bool:
    """An expected source against where an answer came from: a table id against the table's
    id; a heading against the section path (any part of it); a table title against the
    table's title (see `title_matches`)."""
    if is_table_id(source):
        base = base_table_id(table)
        # one table printed as 公开09表 or 公开表九 is one table; 附表7 and 表7 are not
        return base is not None and (base == source or table_id_key(base) == table_id_key(source))
    if section and _squash(source) in _squash(section):
        return True
    return title is not None and title != "" and title_matches(source, title)


_YEAR_PREFIX = re.compile(r"^\d{4}年度?")
_TRAILING_NOTE = re.compile(r"[（(][^（）()]*[）)]$")


def _title_key(text: str) -> str:
    """A table title as compared: no layout spaces, list number, leading year or trailing
    note, so "1. 2025年部门支出预算总表" and "部门支出预算总表（功能科目）" name one table."""
    key = strip_list_number(_squash(text))
    key = _YEAR_PREFIX.sub("", key)
    while _TRAILING_NOTE.search(key):
        key = _TRAILING_NOTE.sub("", key)
    return key


def title_matches(source: str, title: str) -> bool:
    """Whether a title in expected_sources names this table. The whole title must match, or its
    end after a space ("上海市…局 2024 年度部门决算表 收入支出决算总表"): a substring would let
    "支出决算表" name 一般公共预算财政拨款支出决算表 as well."""
    words = normalize_text(title).split()
    if words and is_table_id(words[0]):
        words = words[1:]  # the display title starts with the id: "表3 2025年部门支出预算总表"
    wanted = _title_key(source)
    return bool(wanted) and any(_title_key("".join(words[i:])) == wanted for i in range(len(words)))


def file_of(location: str | None) -> str | None:
    """"02_….pdf, p.31" → "02_….pdf": a location starts with the file's name."""
    if not location:
        return None
    return Path(location.split(", ", 1)[0].strip()).name or None


def file_matches(gold: GoldQuestion, location: str | None, doc_id: str | None = None) -> bool:
    """True when the gold names no files, or the citation's file is one of them: the file its
    location names, else (no location) the file its document was read from (doc_id = stem)."""
    if not gold.expected_files:
        return True
    named = file_of(location)
    if named is not None:
        return named in gold.expected_files
    return bool(doc_id) and any(Path(f).stem == doc_id for f in gold.expected_files)


def citation_matches(gold: GoldQuestion, citation: Citation) -> bool:
    # A table citation's `section` is the table's display title ("表3 2025年部门支出预算总表"),
    # compared as a title; a prose citation's is its heading path.
    if citation.table:
        section, title = None, citation.section
    else:
        section, title = citation.section, None
    return (any(source_matches(s, citation.table, section, title) for s in gold.expected_sources)
            and file_matches(gold, citation.location, citation.doc_id))


def node_matches(gold: GoldQuestion, metadata: Mapping[str, object]) -> bool:
    """A retrieved node (its metadata): table nodes carry the heading path they sit under in
    `section` and their display title in `table`."""
    def text(key: str) -> str | None:
        value = metadata.get(key)
        return str(value) if value else None

    return (any(source_matches(s, text("table_id"), text("section"), text("table")) for s in gold.expected_sources)
            and file_matches(gold, text("location"), text("doc_id")))


def first_match_rank(gold: GoldQuestion, retrieved: Sequence[Mapping[str, object]]) -> int | None:
    """1-based rank of the first retrieved node (given by its metadata) from an expected source."""
    for rank, metadata in enumerate(retrieved, start=1):
        if node_matches(gold, metadata):
            return rank
    return None


# --- one verdict ------------------------------------------------------------------------

def score(gold: GoldQuestion, answer: Answer) -> Verdict:
    said_nf = answer.kind == "not_found"
    if gold.answer_type == "not_found":
        return _score_unanswerable(answer, said_nf)
    if said_nf:
        return Verdict(False, False, False, True, "said not_found on an answerable question")
    if gold.answer_type == "value":
        correct = value_matches(gold, answer.value, answer.unit)
        wrong = answer.value is not None and not correct
        reason = "ok" if correct else _value_reason(gold, answer)
    else:
        correct = keywords_present(gold.expected_keywords, answer)
        wrong = False  # a prose question has no gold figure to be wrong against
        reason = "ok" if correct else "missing keywords: " + "、".join(
            k for k in gold.expected_keywords if not keywords_present([k], answer))
    cited = correct and any(citation_matches(gold, c) for c in answer.citations)
    if correct and not cited:
        reason = "right answer, but no citation of an expected source"
    return Verdict(correct, cited, wrong, False, reason)


def _score_unanswerable(answer: Answer, said_nf: bool) -> Verdict:
    wrong = answer.value is not None
    correct = said_nf and not wrong
    if correct:
        reason = "ok"
    elif wrong:
        reason = f"stated {answer.value} {answer.unit or ''} for an unanswerable question".rstrip()
    else:
        reason = f"answered ({answer.kind}) an unanswerable question"
    # Nothing to cite for a correct refusal: it counts as supported.
    return Verdict(correct, correct, wrong, said_nf, reason)


def _value_reason(gold: GoldQuestion, answer: Answer) -> str:
    if answer.value is None:
        return f"no figure stated ({answer.kind})"
    converted = to_unit(answer.value, answer.unit, gold.expected_unit)
    if converted is None:
        return f"unit {answer.unit!r} does not compare with {gold.expected_unit!r}"
    return f"wrong figure: {answer.value} {answer.unit} (= {converted.normalize():f} {gold.expected_unit})"


# --- aggregates -------------------------------------------------------------------------

def rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def percentile(values: Sequence[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if len(values) else None


def recall_at(ranks: Sequence[int | None], k: int) -> float | None:
    return rate(sum(1 for r in ranks if r is not None and r <= k), len(ranks))


def mean_reciprocal_rank(ranks: Sequence[int | None]) -> float | None:
    return sum(1 / r for r in ranks if r is not None) / len(ranks) if ranks else None


def summarize(outcomes: Sequence[Outcome]) -> Summary:
    verdicts = [o.verdict for o in outcomes]
    sourced = [o for o in outcomes if o.gold.expected_sources]
    unanswerable = [o for o in outcomes if o.gold.answer_type == "not_found"]
    said_nf = [o for o in outcomes if o.verdict.said_not_found]
    ranks = [o.rank for o in sourced]  # unanswerable questions have nothing to retrieve
    latencies = [o.latency_s for o in outcomes]
    wrong = sum(v.wrong_figure for v in verdicts)
    return Summary(
        n=len(outcomes),
        accuracy=rate(sum(v.correct for v in verdicts), len(outcomes)),
        citation_accuracy=rate(sum(o.verdict.cited for o in sourced), len(sourced)),
        wrong_figures=wrong,
        wrong_figure_rate=rate(wrong, len(outcomes)),
        nf_precision=rate(sum(o.gold.answer_type == "not_found" for o in said_nf), len(said_nf)),
        nf_recall=rate(sum(o.verdict.said_not_found for o in unanswerable), len(unanswerable)),
        recall_at_1=recall_at(ranks, 1),
        recall_at_5=recall_at(ranks, 5),
        mrr=mean_reciprocal_rank(ranks),
        latency_p50=percentile(latencies, 50),
        latency_p95=percentile(latencies, 95),
    )


def summarize_groups(outcomes: Sequence[Outcome], key: Callable[[GoldQuestion], str]) -> dict[str, Summary]:
    """One summary per group of questions (`key` names a question's group), groups sorted by name."""
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(key(o.gold), []).append(o)
    return {name: summarize(groups[name]) for name in sorted(groups)}


def summarize_by_category(outcomes: Sequence[Outcome]) -> dict[str, Summary]:
    return summarize_groups(outcomes, lambda g: g.category)


def summarize_by_document(outcomes: Sequence[Outcome]) -> dict[str, Summary]:
    """Per publication; a cross-year question is its own group ("a + b")."""
    return summarize_groups(outcomes, lambda g: g.document_label)
