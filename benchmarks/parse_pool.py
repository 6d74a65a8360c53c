"""Seconds to parse the real budgets with 1 and with 2 worker processes (`index.parsing`):

    .venv/bin/python benchmarks/parse_pool.py [FILE_OR_FOLDER ...]

Default: the seed and every PDF under evaluation/corpora/extra.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.parsing import parse_files  # noqa: E402
from index.store import collect_files  # noqa: E402


def main() -> None:
    inputs = sys.argv[1:] or [ROOT / "corpus" / "data", ROOT / "evaluation" / "corpora" / "extra"]
    paths = collect_files(inputs)
    for workers in (1, 2):
        start = time.perf_counter()
        for _ in parse_files(paths, workers):
            pass
        print(f"{len(paths)} files, {workers} process(es): {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
