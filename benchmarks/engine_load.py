"""How long the engine takes to load an index, how much memory it holds, and how fast it
answers a gold set's questions over it — figures to compare two versions of the code.

    .venv/bin/python benchmarks/engine_load.py INDEX_DIR [--set multi-dev] [--repeat 1]
    .venv/bin/python benchmarks/engine_load.py --postgres [--set multi-dev] [--repeat 1]

Prints the seconds `Engine.documents()` takes (the index read: facts, names, parsed
documents), the process's resident memory after it, and `Engine.answer` p50/p95 over the
set's questions (each asked once first, untimed, so the search index is loaded).

`--postgres` measures the PostgreSQL store instead: it starts a throw-away server
(`index.pglocal`), builds the set's corpus into it in a child process (from the documents the
set's evaluation index already parsed, embeddings cached), then loads and answers here, so the
build's memory is not counted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def build_into_postgres(set_name: str, out: Path, url: str) -> None:
    """The set's corpus built into PostgreSQL at `url` (run in a child process)."""
    from dataclasses import replace

    from evaluation.runner import EVAL_INDEX_DIR, prepare_index
    from evaluation.sets import load_sets
    from index.config import IndexConfig
    from index.live import LoadedIndex
    from index.store import build_index, collect_files

    paths = load_sets().get(set_name).corpus_paths()
    config = IndexConfig.from_env()
    prepare_index(paths, EVAL_INDEX_DIR / set_name, progress=False)
    parsed = LoadedIndex.read(EVAL_INDEX_DIR / set_name, config).parsed_files(collect_files(paths))
    build_index(paths, out, replace(config, store=url), show_bars=False, parsed=parsed)


def measure(index_dir: Path, set_name: str, repeat: int, store: str = "") -> None:
    from dataclasses import replace

    from evaluation.sets import load_sets
    from index.config import IndexConfig
    from qa import Engine

    questions = [q.question for q in load_sets().get(set_name).load_questions()]
    base = rss_mb()
    engine = Engine(index_dir, config=replace(IndexConfig.from_env(), store=store) if store else None)
    started = time.perf_counter()
    engine.documents()
    print(f"load {time.perf_counter() - started:.3f} s, RSS {rss_mb():.0f} MB (imports {base:.0f} MB)")
    for q in questions:
        engine.answer(q)
    times = []
    for _ in range(repeat):
        for q in questions:
            started = time.perf_counter()
            engine.answer(q)
            times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"{len(times)} answers over {set_name}: p50 {1000 * statistics.median(times):.1f} ms, "
          f"p95 {1000 * p95:.1f} ms; RSS {rss_mb():.0f} MB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index_dir", type=Path, nargs="?")
    parser.add_argument("--postgres", action="store_true", help="build the set's corpus into a throw-away PostgreSQL")
    parser.add_argument("--set", default="multi-dev", help="the gold set whose questions are asked")
    parser.add_argument("--repeat", type=int, default=1, help="times each question is asked (timed)")
    args = parser.parse_args(argv)
    if not args.postgres:
        if args.index_dir is None:
            parser.error("INDEX_DIR or --postgres")
        measure(args.index_dir, args.set, args.repeat)
        return 0

    from index.pglocal import LocalPostgres

    server = LocalPostgres.start()
    try:
        with tempfile.TemporaryDirectory(prefix="engine-load-") as work:
            out = Path(work) / "index"
            started = time.perf_counter()
            child = multiprocessing.get_context("spawn").Process(target=build_into_postgres,
                                                                 args=(args.set, out, server.url))
            child.start()
            child.join()
            if child.exitcode:
                raise SystemExit(f"the PostgreSQL build failed ({child.exitcode})")
            print(f"PostgreSQL build {time.perf_counter() - started:.1f} s")
            measure(out, args.set, args.repeat, server.url)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
