"""`python -m evaluation run [--gold FILE] [--index DIR] [--out DIR] [--configs full,lexical,dense,naive]`"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluation.gold import DEV_SET, GoldError, load_gold
from evaluation.runner import (
    CONFIGS, DEFAULT_OUT, ensure_index, headline_text, parse_configs, qa_engine_factory, run, write_outputs,
)
from index.config import IndexConfig


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evaluation", description="Evaluate 预算问答 on a gold set.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="run the gold set through each configuration and write the report")
    p.add_argument("--gold", type=Path, default=DEV_SET, help=f"gold JSONL (default: {DEV_SET})")
    p.add_argument("--index", type=Path, default=None, help="index folder (default: BUDGETQA_INDEX_DIR or .budgetqa/index; built there if missing)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"report folder (default: {DEFAULT_OUT})")
    p.add_argument("--configs", default=",".join(CONFIGS),
                   help=f"comma-separated, from {', '.join(CONFIGS)} (default: all)")
    p.add_argument("--limit", type=int, default=None, help="only the first N questions (a quick smoke run)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def cmd_run(args: argparse.Namespace) -> int:
    try:
        configs = parse_configs(args.configs)
        questions = load_gold(args.gold)
    except (ValueError, GoldError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.limit is not None:
        if args.limit <= 0:
            print("error: --limit must be positive", file=sys.stderr)
            return 2
        questions = questions[: args.limit]
    if args.index is not None and not args.index.is_dir():
        print(f"error: index folder {args.index} does not exist; build it with `python -m index build`",
              file=sys.stderr)
        return 2
    index_dir = args.index or IndexConfig.from_env().index_dir
    try:
        build_s = ensure_index(index_dir)
        runs = run(questions, configs, qa_engine_factory(index_dir), progress=not args.no_progress,
                   index_build_s=build_s)
    except Exception as exc:  # engine start-up: an unreadable or mismatched index, a missing model …
        print(f"error: cannot start the qa engine on {index_dir}: {type(exc).__name__}: {exc}\n"
              "hint: (re)build the index with `python -m index build`", file=sys.stderr)
        return 1
    paths = write_outputs(runs, args.out, gold_path=args.gold, index_dir=index_dir)
    print(headline_text(runs))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return cmd_run(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
