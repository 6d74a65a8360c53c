"""Prints the PostgreSQL store's figures beside the embedded store's: server start, build time
(documents already parsed, embeddings cached: only the store differs), `qa.answer` p50/p95
over each gold set's questions, answered by both engines in turn, and hybrid and lexical
search alone.

    .venv/bin/python benchmarks/pgstore_bench.py [--sets seed,multi-dev]

Starts its own server (index.pglocal: initdb + pg_ctl start in a temporary folder) and stops it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation.runner import EVAL_INDEX_DIR, prepare_index  # noqa: E402
from evaluation.sets import load_sets  # noqa: E402
from index.config import IndexConfig  # noqa: E402
from index.live import LoadedIndex  # noqa: E402
from index.pglocal import LocalPostgres  # noqa: E402
from index.search import Filters  # noqa: E402
from index.store import build_index, collect_files  # noqa: E402
from qa import Engine  # noqa: E402


def percentiles(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"p50 {statistics.median(ms):6.1f} ms  p95 {ms[int(0.95 * (len(ms) - 1))]:6.1f} ms"


def timed_build(paths: list[Path], out: Path, config: IndexConfig, parsed: dict) -> float:
    start = time.perf_counter()
    build_index(paths, out, config, show_bars=False, parsed=parsed)
    return time.perf_counter() - start


def bench_set(name: str, config: IndexConfig, pg_config: IndexConfig, work: Path) -> None:
    gold_set = load_sets().get(name)
    paths = gold_set.corpus_paths()
    prepare_index(paths, EVAL_INDEX_DIR / name, progress=False)
    parsed = LoadedIndex.read(EVAL_INDEX_DIR / name, config).parsed_files(collect_files(paths))
    folders = {"sqlite": work / name / "sqlite", "postgresql": work / name / "pg"}
    builds = {"sqlite": timed_build(paths, folders["sqlite"], config, parsed),
              "postgresql": timed_build(paths, folders["postgresql"], pg_config, parsed)}
    engines = {"sqlite": Engine(folders["sqlite"]), "postgresql": Engine(folders["postgresql"], config=pg_config)}
    questions = [g.question for g in gold_set.load_questions()]
    for engine in engines.values():
        engine.answer(questions[0])  # loads facts, nodes and the embedder
    times: dict[str, list[float]] = {kind: [] for kind in engines}
    for question in questions:
        for kind, engine in engines.items():
            start = time.perf_counter()
            engine.answer(question)
            times[kind].append(1000 * (time.perf_counter() - start))
    print(f"\n{name}: {len(parsed)} document(s), {len(questions)} questions")
    for kind in engines:
        print(f"  {kind:<10} build {builds[kind]:6.1f} s   answer {percentiles(times[kind])}")
    search_figures(engines, questions)


def search_figures(engines: dict[str, Engine], questions: list[str]) -> None:
    """Retrieval alone (hybrid, k=10) and lexical search alone (k=30), unfiltered and filtered
    to one document."""
    for kind, engine in engines.items():
        index = engine.search_index()
        doc = index.nodes[0].metadata["doc_id"]
        for label, filters in (("all", None), ("one doc", Filters(doc_ids=frozenset({doc})))):
            for search in ("retrieve", "lexical"):
                ms = []
                for question in questions[:100]:
                    start = time.perf_counter()
                    if search == "retrieve":
                        index.retrieve(question, k=10, filters=filters)
                    else:
                        index.lexical(question, 30, filters)
                    ms.append(1000 * (time.perf_counter() - start))
                print(f"  {kind:<10} {search:<8} ({label:<7}) {percentiles(ms)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", default="seed,multi-dev")
    args = parser.parse_args(argv)
    server = LocalPostgres.start()
    print(f"PostgreSQL: initdb {server.initdb_seconds:.2f} s, pg_ctl start -w {server.start_seconds:.2f} s")
    try:
        config = IndexConfig.from_env()
        pg_config = replace(config, store=server.url)
        with tempfile.TemporaryDirectory(prefix="pgbench-") as work:
            for name in args.sets.split(","):
                bench_set(name, config, pg_config, Path(work))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
