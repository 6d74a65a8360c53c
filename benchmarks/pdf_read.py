"""Seconds per document for `corpus.readers.read_pdf` on the bundled test PDFs.

    .venv/bin/python benchmarks/pdf_read.py [--repeat N] [PDF ...]

Prints the best of N runs (default 3) per file, with its page, block and table counts.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.blocks import RawTable  # noqa: E402
from corpus.readers import read_pdf  # noqa: E402

DEFAULT_PDFS = sorted((ROOT / "tests" / "fixtures" / "pdf").glob("*.pdf"))


def time_one(path: Path, repeat: int) -> tuple[float, list]:
    best, blocks = float("inf"), []
    for _ in range(repeat):
        start = time.perf_counter()
        blocks = read_pdf(path)
        best = min(best, time.perf_counter() - start)
    return best, blocks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path, default=DEFAULT_PDFS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for path in args.pdfs:
        seconds, blocks = time_one(path, args.repeat)
        tables = [b for b in blocks if isinstance(b, RawTable)]
        pages = max((loc.page for t in tables for loc in t.row_locations), default=0)
        pages = max([pages] + [b.location.page or 0 for b in blocks])
        print(f"{seconds:6.2f} s  {seconds / max(pages, 1):5.3f} s/page  {pages:3d} pages  "
              f"{len(blocks):4d} blocks  {len(tables):3d} tables  {path.name}")


if __name__ == "__main__":
    main()
