"""qa.answer timed over a built index, in a freshly spawned process whose peak RSS is the
serving RSS: the engine as `qa.Engine` gives it (whatever its fact path is), loaded and warmed
on one question and one search (so the search index and embedder are in memory, whether or not
a timed question needs them) before timing, then the questions one at a time."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..config import PROJECT_ROOT, IndexConfig
from .builds import in_fresh_process, peak_rss_mb
from .synthesis import department, year

GOLD = PROJECT_ROOT / "evaluation" / "gold" / "dev.jsonl"
WARMUP_QUESTION = "部门预算收支总体情况"  # not a timed question: loads the facts and the models
# Asked of budget k by name: lines every template prints in some form.
GENERIC = ("公务接待费是多少", "一般公共预算支出合计是多少", "收入总计是多少", "基本支出是多少",
           "项目支出是多少", "机关运行经费是多少", "因公出国（境）费是多少", "政府采购预算是多少")
ANSWERED = ("lookup", "computed")


def unnamed_questions(count: int) -> list[str]:
    """Development questions, which name no department: every loaded budget may answer."""
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    return [questions[i % len(questions)] for i in range(count)]


def named_questions(count: int, budgets: list[tuple[str, int]]) -> list[tuple[str, str]]:
    """(department, question) pairs: a budget asked by its department and year, the budgets
    spread over the corpus."""
    step = max(len(budgets) // count, 1)
    out = []
    for j in range(count):
        name, when = budgets[(j * step + j // len(budgets)) % len(budgets)]
        out.append((name, f"{name}{when}年{GENERIC[j % len(GENERIC)]}"))
    return out


def synthetic_budgets(n: int) -> list[tuple[str, int]]:
    return [(department(k), year(k)) for k in range(n)]


@dataclass(frozen=True)
class Latency:
    p50: float
    p95: float
    answered: float  # share answered with a figure (lookup or computed)
    right_budget: float | None = None  # named questions: share answered from the named budget only
    each_budget: float = 0.0  # share answered with each budget's figure (several budgets, no one figure)
    asked_back: float = 0.0   # share answered with the question back (which budget?)

    @classmethod
    def of(cls, ms: list[float], kinds: list[str], right: list[bool] | None = None) -> Latency:
        p50, p95 = np.percentile(ms, [50, 95]) if ms else (float("nan"), float("nan"))
        share = sum(k in ANSWERED for k in kinds) / max(len(kinds), 1)
        return cls(float(p50), float(p95), share, sum(right) / max(len(right), 1) if right is not None else None)

    @classmethod
    def of_answers(cls, ms: list[float], answers: list[Any]) -> Latency:
        """The latencies, and what the answers were: one figure, each budget's, or the question back."""
        from qa.unnamed import ASKS_WHICH

        n = max(len(answers), 1)
        one = [a.kind in ANSWERED and a.value is not None for a in answers]
        each = [a.kind in ANSWERED and a.value is None and bool(a.figures) for a in answers]
        back = [a.kind == "not_found" and (a.reason or "").startswith(ASKS_WHICH) for a in answers]
        return replace(cls.of(ms, []), answered=sum(one) / n, each_budget=sum(each) / n, asked_back=sum(back) / n)


@dataclass(frozen=True)
class Serving:
    named: Latency
    unnamed: Latency
    rss_mb: float
    load_seconds: float


def _serve_worker(index_dir: Path, config: IndexConfig, named: list[tuple[str, str]], unnamed: list[str]) -> Serving:
    from qa import Engine

    started = time.perf_counter()
    engine = Engine(index_dir, config=config)
    engine.answer(WARMUP_QUESTION)
    # the search index and the embedder too, as a server's first passage question loads them:
    # the timed questions may all be answered from facts, and the serving RSS must count them
    engine.retrieve(WARMUP_QUESTION)
    loaded = time.perf_counter() - started

    def timed(question: str):
        t = time.perf_counter()
        a = engine.answer(question)
        return (time.perf_counter() - t) * 1000, a

    named_runs = [(name, *timed(q)) for name, q in named]
    unnamed_runs = [timed(q) for q in unnamed]
    right = [a.kind in ANSWERED and bool(a.budgets) and all(b.department == name for b in a.budgets)
             for name, _, a in named_runs]
    return Serving(Latency.of([ms for _, ms, _ in named_runs], [a.kind for _, _, a in named_runs], right),
                   Latency.of([ms for ms, _ in unnamed_runs], [a.kind for _, a in unnamed_runs]),
                   peak_rss_mb(), loaded)


def serve(index_dir: Path, config: IndexConfig, budgets: list[tuple[str, int]], count: int) -> Serving:
    """`count` questions naming one of `budgets` (department, year) and `count` naming none."""
    return in_fresh_process(_serve_worker, index_dir, config, named_questions(count, budgets), unnamed_questions(count))


def serve_facts(store_path: Path, budgets: list[tuple[str, int]], count: int) -> tuple[Latency, Latency]:
    """The same questions answered from a fact store alone (`qa.engine.answer_from`, no search
    index: a question only passages answer gets not_found), in this process, after a warm-up."""
    from index.factstore import FactStore
    from qa.engine import answer_from
    from qa.factbase import StoredFacts

    store = FactStore(store_path)
    try:
        base = StoredFacts(store, {d.doc_id: d for d in store.documents()})
        answer_from(base, WARMUP_QUESTION)

        def timed(questions: list[str]) -> Latency:
            ms, answers = [], []
            for question in questions:
                started = time.perf_counter()
                answers.append(answer_from(base, question))
                ms.append((time.perf_counter() - started) * 1000)
            return Latency.of_answers(ms, answers)

        return timed([q for _, q in named_questions(count, budgets)]), timed(unnamed_questions(count))
    finally:
        store.close()
