"""`python -m index build|search|bench`: build the search index, query it, measure it."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import corpus

from .config import IndexConfig
from .store import IndexProblem, build_index


def _build(args, config: IndexConfig) -> int:
    out = Path(args.out) if args.out else config.index_dir
    paths = args.paths or [corpus.default_corpus_dir()]
    ingest = None
    if args.ray is not None:
        from .rayingest import RayIngest, import_ray

        if args.ray and Path(args.ray).exists():  # `--ray folder`: a path to build, not a cluster address
            paths, args.ray = [*args.paths, args.ray], ""
        import_ray()  # before the build: without Ray, say how to install it and stop
        ingest = RayIngest(args.ray or None)
    report = build_index(paths, out, config, show_bars=True, ingest=ingest)
    print(f"index at {report.out}: {report.documents} document(s), {report.nodes} nodes, {report.facts} facts; "
          f"re-parsed {len(report.reparsed)}, reused {len(report.reused)}, removed {len(report.removed)}; "
          f"embedded {report.embedded} new texts in {report.seconds:.1f} s")
    for doc_id, n in report.findings.items():
        if n:
            print(f"  {doc_id}: {n} integrity finding(s); see `python -m corpus inspect`")
    return 0


def _search(args, config: IndexConfig) -> int:
    from .search import SearchIndex

    index = SearchIndex(Path(args.index) if args.index else config.index_dir, config)
    hits = index.retrieve(args.query, k=args.k, mode=args.mode)
    if args.json:
        for h in hits:
            print(json.dumps({"id": h.node.id_, "score": h.score, "text": h.text, "metadata": h.node.metadata},
                             ensure_ascii=False))
    else:
        for rank, h in enumerate(hits, 1):
            meta = h.node.metadata
            print(f"{rank:>2}. [{h.score:.4f}] {meta.get('table') or meta.get('section', '')} — {meta.get('location', '')}")
            print(f"    {h.text[:160]}")
    return 0


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build or update the index (default: the bundled corpus)")
    b.add_argument("paths", nargs="*", help="budget files or folders")
    b.add_argument("--out", help="index folder (default: BUDGETQA_INDEX_DIR or .budgetqa/index)")
    b.add_argument("--ray", nargs="?", const="", metavar="ADDRESS",
                   help="parse, describe and embed on Ray: the cluster at ADDRESS, or without one Ray started "
                        "here on 2 CPUs (needs the 'ray' extra)")
    b.add_argument("--store", help="postgresql://… to keep facts, vectors and the lexical index in PostgreSQL "
                                   "(default: BUDGETQA_STORE, else files in the index folder)")
    s = sub.add_parser("search", help="retrieve the nodes nearest a query")
    s.add_argument("query")
    s.add_argument("--k", type=int, default=5)
    s.add_argument("--mode", choices=("hybrid", "lexical", "dense"), default="hybrid")
    s.add_argument("--index", help="index folder")
    s.add_argument("--json", action="store_true")
    s.add_argument("--store", help="the store the index was built with (default: BUDGETQA_STORE)")
    bench = sub.add_parser("bench", help="print build and answer figures (seed and corpora synthesised from every template)")
    bench.add_argument("--sizes", default="10,100,1000", help="synthetic corpus sizes")
    bench.add_argument("--fact-sizes", default="10000", help="sizes for the fact store alone ('' for none)")
    bench.add_argument("--queries", type=int, default=50, help="questions of each kind (naming a budget, not)")
    bench.add_argument("--max-minutes", type=float, default=10,
                       help="estimate, not run, a size whose cold + warm build would take longer (default 10)")
    bench.add_argument("--store", help="the store to benchmark (IndexConfig.store; default: the embedded one)")
    bench.add_argument("--report", help="markdown file to write (default .budgetqa/bench/bench.md)")
    args = parser.parse_args(argv)
    config = IndexConfig.from_env()
    if getattr(args, "store", None):
        config = replace(config, store=args.store)
    try:
        if args.command == "build":
            return _build(args, config)
        if args.command == "search":
            return _search(args, config)
        from .bench import run_bench

        return run_bench(_sizes(args.sizes), args.queries, config, args.max_minutes, tuple(_sizes(args.fact_sizes)),
                         args.store, Path(args.report) if args.report else None)
    except (IndexProblem, corpus.ParseError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
