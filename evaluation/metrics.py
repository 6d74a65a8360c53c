"""Scoring one answer against its gold question, and aggregating many.

The rules (see also evaluation/gold/README.md):
- a figure is right when it equals the gold after unit conversion, within the gold's
  tolerance (default: half a unit in the last of at least two decimals — see `tolerance_for`);
- prose/name answers are right when every keyword appears in the answer or a quoted source;
- "not_found" on an answerable question is a miss, not a wrong figure; any figure stated for
  an unanswerable question is a wrong figure;
- an answer is cited when it is right and one citation points at an expected source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from corpus.numbers import convert, is_money_unit
from corpus.text import normalize_text
from evaluation.gold import GoldQuestion, is_table_id
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
    exponent = gold.expected_value.as_tuple().exponent
    decimals = max(-exponent if isinstance(exponent, int) else 0, _MIN_DECIMALS)
    return Decimal(5).scaleb(-decimals - 1)


def value_matches(gold: GoldQuestion, value: Decimal | None, unit: str | None) -> bool:
    if value is None:
        return False
    converted = to_unit(value, unit, gold.expected_unit)
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


def source_matches(source: str, table: str | None, section: str | None) -> bool:
    """An expected source (table id or section name) against a table id and a section path."""
    if is_table_id(source):
        return base_table_id(table) == source
    return bool(section) and _squash(source) in _squash(section)


def citation_matches(gold: GoldQuestion, citation: Citation) -> bool:
    return any(source_matches(s, citation.table, citation.section) for s in gold.expected_sources)


def node_matches(gold: GoldQuestion, metadata: Mapping[str, object]) -> bool:
    table = metadata.get("table_id") or None
    section = metadata.get("section") or None
    return any(source_matches(s, str(table) if table else None, str(section) if section else None)
               for s in gold.expected_sources)


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


def summarize_by_category(outcomes: Sequence[Outcome]) -> dict[str, Summary]:
    categories = sorted({o.gold.category for o in outcomes})
    return {c: summarize([o for o in outcomes if o.gold.category == c]) for c in categories}
