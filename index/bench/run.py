"""The benchmark's course: parse the templates (1 and 2 processes), then each size in ascending
order — its embedding need, a cold and a warm build, serving — or an estimate when its build
would take longer than `max_minutes`; then the fact store alone at the larger sizes."""

from __future__ import annotations

import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from corpus.model import BudgetDocument

from ..config import STATE_DIR, IndexConfig
from ..store import BuildReport
from .builds import Need, ParseRate, embedding_need, folder_mb, measured_build, measured_seed_build, parse_rate
from .factscale import FactRun, fact_store_run
from .queries import Serving, serve, synthetic_budgets
from .synthesis import SEED_DEPARTMENT, SEED_YEAR, synthetic_corpus, template_paths

REPORT = STATE_DIR / "bench" / "bench.md"
MAX_MINUTES = 10  # a size whose estimated cold + warm build exceeds this is estimated, not run
NEED_SAMPLE = 3  # documents past the last size whose embedding need is measured, per template


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Rates:
    """What a build costs, from the synthetic sizes measured so far: seconds per document for
    all but embedding (the slope of the warm builds once two sizes are measured, so the fixed
    cost of starting a process and loading libraries is not charged per document) and seconds
    per newly embedded text (the cold build's extra time). Unknown until a synthetic size is
    measured: the seed alone is dominated by those fixed costs (a 1-document estimate of
    N=1000 came out at 187 min warm)."""

    warm: list[tuple[int, float]] = field(default_factory=list)  # (documents, warm seconds)
    per_text: float = 0.0

    @property
    def known(self) -> bool:
        return bool(self.warm)

    def update(self, cold: BuildReport, warm: BuildReport) -> None:
        self.warm.append((warm.documents, warm.seconds))
        if cold.embedded:
            self.per_text = max(cold.seconds - warm.seconds, 0.0) / cold.embedded

    def warm_seconds(self, docs: int) -> float:
        (d0, s0), (d1, s1) = (self.warm[-2] if len(self.warm) > 1 else (0, 0.0)), self.warm[-1]
        per_doc = (s1 - s0) / max(d1 - d0, 1)
        return s1 + per_doc * (docs - d1)

    def cold_seconds(self, docs: int, texts: int) -> float:
        return self.warm_seconds(docs) + texts * self.per_text


@dataclass
class SizeResult:
    label: str
    docs: int
    templates: int
    cache: str  # what the embedding cache held before the cold build
    need: Need | None = None  # measured on the whole corpus, or extrapolated (`estimated`)
    cold: BuildReport | None = None
    warm: BuildReport | None = None
    rss: tuple[float, float] = (0.0, 0.0)
    size_mb: float = 0.0
    serving: Serving | None = None
    estimated: str = ""  # why it was not run, and the estimate


@dataclass
class BenchResult:
    config: IndexConfig
    load: float
    parse: ParseRate
    sizes: list[SizeResult] = field(default_factory=list)
    facts: list[FactRun] = field(default_factory=list)
    queries: int = 0
    max_minutes: float = MAX_MINUTES


def with_store(config: IndexConfig, store: str | None) -> IndexConfig:
    """`--store` passed through to the configuration (IndexConfig.store, when the build has one)."""
    if not store:
        return config
    if "store" not in {f.name for f in fields(IndexConfig)}:
        raise ValueError("--store: this build's IndexConfig has no store setting (only the embedded store)")
    return replace(config, store=store)  # type: ignore[call-arg]


def extrapolated_need(templates: list[BudgetDocument], n: int, folder: Path, config: IndexConfig, done: int) -> Need:
    """The need of documents 0..n-1 from documents done..done+NEED_SAMPLE·templates: the cache
    (holding 0..done-1) lacks about as many texts per new document as the sample's."""
    sample = list(synthetic_corpus(templates, range(done, min(n, done + NEED_SAMPLE * len(templates))), folder).values())
    measured = embedding_need(sample, config)
    per_doc = measured.uncached / max(len(sample), 1)
    return Need(round(measured.nodes / len(sample) * n), 0, round(per_doc * (n - done)))


def bench_size(n: int, templates: list[BudgetDocument], templates_file: Path, config: IndexConfig, scratch: Path, rates: Rates,
               done: int, queries: int, max_minutes: float) -> SizeResult:
    result = SizeResult(f"N={n:,}", n, min(n, len(templates)), f"from N={done}" if done else "empty")
    folder = scratch / "synthetic"
    if n <= 1000:  # the whole corpus hashed: exact
        result.need = embedding_need(list(synthetic_corpus(templates, range(n), folder).values()), config)
    else:
        result.need = extrapolated_need(templates, n, folder, config, done)
    if rates.known and (rates.cold_seconds(n, result.need.uncached) + rates.warm_seconds(n)) / 60 > max_minutes:
        cold_s, warm_s = rates.cold_seconds(n, result.need.uncached), rates.warm_seconds(n)
        speed = f"at {1 / rates.per_text:.1f}/s" if rates.per_text else "none measured yet"
        result.estimated = (f"estimated {cold_s / 60:.0f} min cold ({result.need.uncached:,} texts to embed "
                            f"{speed}) + {warm_s / 60:.0f} min warm")
        _log(f"N={n}: not run, {result.estimated}")
        return result
    _log(f"N={n}: cold build, {result.need.uncached:,} texts to embed, cache {result.cache}")
    cold, rss_cold = measured_build(templates_file, n, folder, scratch / f"index-{n}-cold", config)
    _log(f"N={n}: {cold.nodes:,} nodes, {cold.embedded:,} embedded in {cold.seconds:.1f} s; warm build")
    warm, rss_warm = measured_build(templates_file, n, folder, scratch / f"index-{n}-warm", config)
    measured(result, (cold, rss_cold), (warm, rss_warm))
    rates.update(cold, warm)
    _log(f"N={n}: warm {warm.seconds:.1f} s; serving {queries} + {queries} questions")
    result.serving = serve(warm.out, config, synthetic_budgets(n), queries)
    return result


def measured(result: SizeResult, cold: tuple[BuildReport, float], warm: tuple[BuildReport, float]) -> None:
    (result.cold, rss_cold), (result.warm, rss_warm) = cold, warm
    result.rss = (rss_cold, rss_warm)
    result.size_mb = folder_mb(result.warm.out)


def bench_seed(seed: BudgetDocument, config: IndexConfig, scratch: Path, queries: int) -> SizeResult:
    """The seed file alone, from an empty cache of its own (so N=10 after it starts empty too)."""
    config = replace(config, cache_dir=scratch / "cache-seed")
    result = SizeResult("seed", 1, 1, "empty", need=embedding_need([seed], config))
    _log("seed: cold and warm build")
    cold = measured_seed_build(scratch / "index-seed-cold", config)
    warm = measured_seed_build(scratch / "index-seed-warm", config)
    measured(result, cold, warm)
    result.serving = serve(warm[0].out, config, [(SEED_DEPARTMENT, SEED_YEAR)], queries)
    return result


def run_bench(sizes: list[int], queries: int, config: IndexConfig, max_minutes: float = MAX_MINUTES,
              fact_sizes: tuple[int, ...] = (), store: str | None = None, report: Path | None = None) -> int:
    if queries < 1:
        print("error: --queries must be at least 1", file=sys.stderr)
        return 2
    try:
        config = with_store(config, store)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="budgetqa-bench-") as tmp:
        scratch = Path(tmp)
        config = replace(config, cache_dir=scratch / "cache")  # cold means cold: a cache of this run only
        _log("parsing the templates with 1 and with 2 processes")
        templates, parse = parse_rate(template_paths())
        templates_file = scratch / "templates.pickle"
        templates_file.write_bytes(pickle.dumps(templates, protocol=pickle.HIGHEST_PROTOCOL))
        result = BenchResult(config, load, parse, queries=queries, max_minutes=max_minutes)
        rates, done = Rates(), 0
        report = report or REPORT
        result.sizes.append(bench_seed(templates[0], config, scratch, queries))
        save(result, report)
        for n in sorted(set(sizes)):
            size = bench_size(n, templates, templates_file, config, scratch, rates, done, queries, max_minutes)
            result.sizes.append(size)
            save(result, report)
            done = n if not size.estimated else done
        for n in sorted(set(fact_sizes)):
            _log(f"fact store alone: N={n}")
            result.facts.append(fact_store_run(templates_file, n, scratch / f"facts-{n}", queries))
            save(result, report)
    from .report import render

    print(render(result, markdown=False))
    print(f"\nmarkdown written to {report}")
    return 0


def save(result: BenchResult, report: Path) -> None:
    """The figures so far, written after each size: a run stopped later keeps them."""
    from .report import render

    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(render(result, markdown=True) + "\n", encoding="utf-8")
