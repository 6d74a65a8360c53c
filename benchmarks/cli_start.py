"""Wall-clock seconds of the command line, each in a fresh interpreter (best of N):

    .venv/bin/python benchmarks/cli_start.py [--repeat N] [--index DIR]

- `python -m qa --help`: import and argument parsing only (issue 13's target: ≤ 0.6 s);
- `python -m qa ask "公务接待费是多少"`: a figure, answered from the fact store alone;
- `python -m qa ask "什么是基本支出"`: a passage, which loads llama-index, faiss, bm25s and
  the embedder.
The index must exist (`make index`, or --index DIR).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

COMMANDS = {
    "qa --help": ["--help"],
    "qa ask (a figure)": ["ask", "公务接待费是多少"],
    "qa ask (a passage)": ["ask", "什么是基本支出"],
}


def best_of(args: list[str], repeat: int, env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "qa", *args], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--index", default=None, help="index folder (default: the project's)")
    args = p.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_WAIT_POLICY": "passive"}
    if args.index:
        env["BUDGETQA_INDEX_DIR"] = args.index
    print(f"{'command':<22} best of {args.repeat} (s)")
    for name, argv in COMMANDS.items():
        print(f"{name:<22} {best_of(argv, args.repeat, env):.2f}")


if __name__ == "__main__":
    main()
