"""Regression gate: the whole development set through the real engine (hybrid retrieval).

Fails when answer accuracy drops below 95 % or when any wrong figure is stated — a wrong
number is worse than no answer, so there is no allowance for it. The failure message lists
every offending question. `python -m evaluation run` gives the full report.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import qa
from evaluation.gold import DEV_SET, GoldQuestion, load_gold
from evaluation.metrics import Verdict, score
from qa.answer import Answer

MIN_ACCURACY = 0.95


@dataclass(frozen=True)
class Scored:
    gold: GoldQuestion
    answer: Answer
    verdict: Verdict


@pytest.fixture(scope="module")
def scored() -> list[Scored]:
    engine = qa.Engine(retrieval="hybrid")  # the default index, built on first use if missing
    out = []
    for gold in load_gold(DEV_SET):
        answer = qa.answer(gold.question, engine=engine)
        out.append(Scored(gold, answer, score(gold, answer)))
    return out


def describe(s: Scored) -> str:
    got = f"{s.answer.kind} {s.answer.value} {s.answer.unit or ''}".rstrip() if s.answer.value is not None \
        else f"{s.answer.kind}: {s.answer.answer[:80]}"
    return f"  {s.gold.id} [{s.gold.category}] {s.gold.question}\n" \
           f"      expected {s.gold.expected_text()} · got {got} · {s.verdict.reason}"


def test_answer_accuracy(scored):
    wrong = [s for s in scored if not s.verdict.correct]
    accuracy = 1 - len(wrong) / len(scored)
    assert accuracy >= MIN_ACCURACY, (
        f"answer accuracy {accuracy:.1%} < {MIN_ACCURACY:.0%} on {DEV_SET.name}; "
        f"{len(wrong)} failing question(s):\n" + "\n".join(describe(s) for s in wrong))


def test_no_wrong_figures(scored):
    wrong = [s for s in scored if s.verdict.wrong_figure]
    assert not wrong, f"{len(wrong)} wrong figure(s) stated:\n" + "\n".join(describe(s) for s in wrong)
