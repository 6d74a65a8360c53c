"""Regression gate on the multi-document sets: the real PDFs of other templates, every question
naming its department and year, through the real engine (hybrid retrieval).

The floors are the accuracy measured when the gate was set, a little below; the issue's target
is ≥ 95 % with no wrong figure on multi-dev and ≥ 90 % on the held-out four. Wrong figures may
only go down: the gate lists every offending question.
"""

from __future__ import annotations

import pytest

from conftest import gold_set_engine
from evaluation.metrics import score
from evaluation.sets import load_sets

# set → (minimum accuracy, most wrong figures); measured 2026-12-02: 99.7 % / 0 and, after its
# failures were read (no longer blind; blind it was 86.6 % / 1), 100 % / 0; multi-fresh 91.7 % / 1
# blind, 100 % / 0 once its five misses' general causes were fixed; multi-fresh2 81.7 % / 1 blind,
# 100 % / 0 after; multi-fresh3 (held-out four) 88.3 % / 0 blind, 98.3 % / 0 after; multi-fresh4
# (development documents) 78.3 % / 3 blind, 93.3 % / 0 after; multi-fresh5 (held-out four) 88.3 % / 1
# blind, 91.7 % / 0 after; multi-fresh6 (held-out four) 91.7 % / 2 blind, 100 % / 0 after;
# multi-fresh7 (held-out four) 90.0 % / 2 blind, 91.7 % / 0 after
FLOORS = {"multi-dev": (0.97, 0), "multi-holdout": (0.97, 0), "multi-fresh": (0.98, 0), "multi-fresh2": (0.95, 0),
          "multi-fresh3": (0.95, 0), "multi-fresh4": (0.90, 0), "multi-fresh5": (0.88, 0),
          "multi-fresh6": (0.95, 0), "multi-fresh7": (0.88, 0)}


@pytest.fixture(scope="module", params=sorted(FLOORS))
def scored(request):
    gold_set = load_sets().get(request.param)
    engine = gold_set_engine(gold_set.name)
    questions = gold_set.load_questions()
    return gold_set.name, [(g, score(g, engine.answer(g.question))) for g in questions]


def test_accuracy_does_not_fall(scored):
    name, results = scored
    floor, _ = FLOORS[name]
    accuracy = sum(v.correct for _, v in results) / len(results)
    assert accuracy >= floor, f"{name}: accuracy {accuracy:.1%} < floor {floor:.0%}"


def test_wrong_figures_do_not_grow(scored):
    name, results = scored
    _, most = FLOORS[name]
    wrong = [g for g, v in results if v.wrong_figure]
    assert len(wrong) <= most, f"{name}: {len(wrong)} wrong figures (at most {most}): " + \
        ", ".join(f"{g.id} {g.question}" for g in wrong)
