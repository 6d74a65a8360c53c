"""Run the gold set through several configurations side by side and write the report.

Configurations: the full engine (hybrid retrieval), lexical-only and dense-only retrieval,
and the naive-RAG baseline on hybrid retrieval. Engines come from a factory
`make_engine(retrieval) -> engine` so tests can pass a fake; one engine per retrieval mode
is built and shared (the baseline reuses the hybrid engine).

What a run writes is `evaluation.report`'s business.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

import qa

from evaluation.baseline import naive_answer
from evaluation.gold import GoldQuestion
from evaluation.metrics import (
    Outcome, Summary, Verdict, first_match_rank, score, summarize, summarize_by_category, summarize_by_document,
    summarize_groups,
)
from index.config import STATE_DIR, IndexConfig
from index.store import build_index, collect_files, is_current, read_manifest
from qa.answer import Answer

DEFAULT_OUT = STATE_DIR / "eval"         # reports: DEFAULT_OUT / <set>
EVAL_INDEX_DIR = STATE_DIR / "eval-index"  # one index per gold set's corpus: EVAL_INDEX_DIR / <set>
RETRIEVAL_K = 10  # deep enough for R@5 and a meaningful MRR
WARM_UP_QUERY = "预算"

EngineFactory = Callable[[str], Any]
TemplateOf = Callable[[GoldQuestion], str]


@dataclass(frozen=True)
class RunConfig:
    name: str
    retrieval: str   # "hybrid" | "lexical" | "dense"
    naive: bool      # answer with the naive baseline instead of the engine


CONFIGS: dict[str, RunConfig] = {
    "full": RunConfig("full", "hybrid", naive=False),
    "lexical": RunConfig("lexical", "lexical", naive=False),
    "dense": RunConfig("dense", "dense", naive=False),
    "naive": RunConfig("naive", "hybrid", naive=True),
}


@dataclass(frozen=True)
class QuestionResult:
    config: str
    answer: Answer | None
    error: str | None
    outcome: Outcome

    @property
    def gold(self) -> GoldQuestion:
        return self.outcome.gold

    @property
    def verdict(self) -> Verdict:
        return self.outcome.verdict

    def to_dict(self) -> dict[str, Any]:
        g = self.gold
        return {
            "config": self.config, "id": g.id, "category": g.category, "document": g.document,
            "question": g.question,
            "expected": {"type": g.answer_type, "value": g.expected_value, "unit": g.expected_unit,
                         "tolerance": g.tolerance, "keywords": list(g.expected_keywords),
                         "sources": list(g.expected_sources), "files": list(g.expected_files)},
            "answer": self.answer.to_dict() if self.answer else None,
            "error": self.error,
            "verdict": self.verdict.to_dict(),
            "latency_s": round(self.outcome.latency_s, 4),
            "retrieval_rank": self.outcome.rank,
        }


@dataclass(frozen=True)
class ConfigRun:
    config: RunConfig
    results: tuple[QuestionResult, ...]
    engine_load_s: float | None
    index_build_s: float | None

    @property
    def outcomes(self) -> list[Outcome]:
        return [r.outcome for r in self.results]

    def summary(self) -> Summary:
        return summarize(self.outcomes)

    def by_category(self) -> dict[str, Summary]:
        return summarize_by_category(self.outcomes)

    def by_document(self) -> dict[str, Summary]:
        return summarize_by_document(self.outcomes)

    def by_template(self, template_of: TemplateOf) -> dict[str, Summary]:
        return summarize_groups(self.outcomes, template_of)


def one_template(name: str) -> TemplateOf:
    """Every question in one group: for a gold file run without a manifest's templates."""
    return lambda gold: name


@dataclass(frozen=True)
class ReportContext:
    """What the report says about the run besides the results."""

    set_name: str
    gold_files: tuple[Path, ...]
    index_dir: Path | None
    held_out: bool = False
    template_of: TemplateOf = one_template("–")
    show_failures: bool = True  # held-out sets: False unless asked

    @property
    def label(self) -> str:
        return f"{self.set_name} (HELD-OUT)" if self.held_out else self.set_name


# --- running ----------------------------------------------------------------------------

def parse_configs(text: str) -> list[RunConfig]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown or not names:
        raise ValueError(f"unknown configuration(s) {', '.join(unknown) or '(none given)'}; "
                         f"choose from {', '.join(CONFIGS)}")
    return [CONFIGS[n] for n in dict.fromkeys(names)]


def qa_engine_factory(index_dir: Path | None) -> EngineFactory:
    """The real engine, one per retrieval mode."""
    return lambda retrieval: qa.Engine(index_dir=index_dir, retrieval=retrieval)


def retrieve_metadata(engine: Any, question: str) -> list[dict[str, Any]]:
    return [dict(r.node.metadata) for r in engine.retrieve(question, k=RETRIEVAL_K)]


def answer_with(config: RunConfig, engine: Any, question: str) -> Answer:
    if config.naive:
        return naive_answer(question, engine.retrieve(question, k=RETRIEVAL_K))
    return engine.answer(question)


def ask(config: RunConfig, engine: Any, gold: GoldQuestion) -> QuestionResult:
    """One question through one configuration: answer (timed), rank retrieval, score.
    An exception is recorded against the question, so one broken question never loses the run."""
    answer, error, rank = None, None, None
    start = time.perf_counter()
    try:
        answer = answer_with(config, engine, gold.question)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    latency = time.perf_counter() - start
    try:  # retrieval quality is measured apart from answering, and not timed with it
        rank = first_match_rank(gold, retrieve_metadata(engine, gold.question))
    except Exception as exc:
        error = error or f"retrieval: {type(exc).__name__}: {exc}"
    verdict = score(gold, answer) if answer is not None else Verdict(False, False, False, False, f"error: {error}")
    return QuestionResult(config.name, answer, error, Outcome(gold, verdict, latency, rank))


def build_engines(configs: Sequence[RunConfig], make_engine: EngineFactory) -> dict[str, tuple[Any, float]]:
    """One engine per retrieval mode, warmed up, with the seconds that took. Engines load their
    index lazily; one retrieval first keeps that load out of the first question's latency."""
    engines: dict[str, tuple[Any, float]] = {}
    for config in configs:
        if config.retrieval not in engines:
            start = time.perf_counter()
            engine = make_engine(config.retrieval)
            engine.retrieve(WARM_UP_QUERY, k=1)
            engines[config.retrieval] = (engine, time.perf_counter() - start)
    return engines


def index_is_current(index_dir: Path, files: Sequence[Path]) -> bool:
    """Whether `index_dir` holds exactly these files, parsed by the current code."""
    try:
        manifest = read_manifest(index_dir)
    except Exception:  # missing or unreadable: build it
        return False
    held = {info.get("sha256") for info in manifest.get("documents", {}).values()}
    wanted = {hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    return is_current(manifest) and held == wanted


def prepare_index(corpus_paths: Sequence[Path], index_dir: Path, *, progress: bool = True) -> float | None:
    """Build (incrementally: unchanged documents and cached embeddings are reused) the index of
    a gold set's corpus, unless `index_dir` already holds exactly that corpus. Returns the build
    seconds, or None when the index was reused."""
    if index_is_current(index_dir, collect_files(corpus_paths)):
        return None
    start = time.perf_counter()
    build_index(list(corpus_paths), index_dir, IndexConfig.from_env(), show_bars=progress)
    return time.perf_counter() - start


def run(questions: Sequence[GoldQuestion], configs: Sequence[RunConfig], make_engine: EngineFactory,
        *, progress: bool = True, index_build_s: float | None = None) -> list[ConfigRun]:
    engines = build_engines(configs, make_engine)
    bar = tqdm(total=len(questions) * len(configs), disable=not progress, unit="q")
    runs = []
    with bar:
        for config in configs:
            engine, load_s = engines[config.retrieval]
            bar.set_description(config.name)
            results = []
            for gold in questions:
                results.append(ask(config, engine, gold))
                bar.update()
            runs.append(ConfigRun(config, tuple(results), load_s, index_build_s))
    return runs


# --- writing ----------------------------------------------------------------------------
