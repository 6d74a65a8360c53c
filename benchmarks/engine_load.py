"""How long the engine takes to load an index, how much memory it holds, and how fast it
answers a gold set's questions over it — figures to compare two versions of the code.

    .venv/bin/python benchmarks/engine_load.py INDEX_DIR [--set multi-dev] [--repeat 1]

Prints the seconds `Engine.documents()` takes (the index read: facts, names, parsed
documents), the process's resident memory after it, and `Engine.answer` p50/p95 over the
set's questions (each asked once first, untimed, so the search index is loaded).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--set", default="multi-dev", help="the gold set whose questions are asked")
    parser.add_argument("--repeat", type=int, default=1, help="times each question is asked (timed)")
    args = parser.parse_args(argv)

    from evaluation.sets import load_sets
    from qa import Engine

    questions = [q.question for q in load_sets().get(args.set).load_questions()]
    base = rss_mb()
    engine = Engine(args.index_dir)
    started = time.perf_counter()
    engine.documents()
    print(f"load {time.perf_counter() - started:.3f} s, RSS {rss_mb():.0f} MB (imports {base:.0f} MB)")
    for q in questions:
        engine.answer(q)
    times = []
    for _ in range(args.repeat):
        for q in questions:
            started = time.perf_counter()
            engine.answer(q)
            times.append(time.perf_counter() - started)
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"{len(times)} answers over {args.set}: p50 {1000 * statistics.median(times):.1f} ms, "
          f"p95 {1000 * p95:.1f} ms; RSS {rss_mb():.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
