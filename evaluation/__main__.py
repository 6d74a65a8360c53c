"""`python -m evaluation run [--set NAME | --gold FILE] [--index DIR] [--out DIR] [--configs full,lexical,dense,naive]`

A gold set (evaluation/gold/sets.json) names its questions and the corpus they were written
from; its index is built (or reused) under .budgetqa/eval-index/<set>/ and the report goes to
.budgetqa/eval/<set>/.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from evaluation.gold import GoldError, GoldQuestion, load_gold
from evaluation.report import headline_text, write_outputs
from evaluation.runner import (
    CONFIGS, DEFAULT_OUT, EVAL_INDEX_DIR, ReportContext, parse_configs, prepare_index, qa_engine_factory, run,
)
from evaluation.sets import DEFAULT_SET, SETS_FILE, GoldSet, Manifest, load_sets


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m evaluation", description="Evaluate 预算问答 on a gold set.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="run a gold set through each configuration and write the report")
    p.add_argument("--set", dest="set_name", default=DEFAULT_SET,
                   help=f"gold set from {SETS_FILE.name} (default: {DEFAULT_SET}); it names the questions and the corpus")
    p.add_argument("--gold", type=Path, default=None,
                   help="a gold JSONL file to ask instead of the set's questions (the set still gives the corpus)")
    p.add_argument("--index", type=Path, default=None,
                   help=f"an existing index folder (default: {EVAL_INDEX_DIR}/<set>, built or reused for the set's corpus)")
    p.add_argument("--out", type=Path, default=None, help=f"report folder (default: {DEFAULT_OUT}/<set>)")
    p.add_argument("--configs", default=",".join(CONFIGS),
                   help=f"comma-separated, from {', '.join(CONFIGS)} (default: all)")
    p.add_argument("--limit", type=int, default=None, help="only the first N questions (a quick smoke run)")
    p.add_argument("--show-failures", action="store_true",
                   help="list failing questions in the report of a held-out set too")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return parser


def load_inputs(args: argparse.Namespace) -> tuple[Manifest, GoldSet, list[GoldQuestion], tuple[Path, ...]]:
    """The manifest, the chosen set, its questions and the files they came from; GoldError/ValueError
    on anything unusable."""
    manifest = load_sets()
    gold_set = manifest.get(args.set_name)
    if args.gold is not None:
        return manifest, gold_set, load_gold(args.gold), (args.gold,)
    return manifest, gold_set, gold_set.load_questions(), tuple(gold_set.question_files())


def cmd_run(args: argparse.Namespace) -> int:
    try:
        configs = parse_configs(args.configs)
        manifest, gold_set, questions, gold_files = load_inputs(args)
    except (ValueError, GoldError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.limit is not None:
        if args.limit <= 0:
            print("error: --limit must be positive", file=sys.stderr)
            return 2
        questions = questions[: args.limit]
    if args.index is not None and not args.index.is_dir():
        print(f"error: index folder {args.index} does not exist; build it with `python -m index build --out "
              f"{args.index}`, or leave out --index to build the set's own index", file=sys.stderr)
        return 2
    index_dir = args.index or EVAL_INDEX_DIR / gold_set.name
    progress = not args.no_progress
    try:
        build_s = None if args.index else prepare_index(gold_set.corpus_paths(), index_dir, progress=progress)
        runs = run(questions, configs, qa_engine_factory(index_dir), progress=progress, index_build_s=build_s)
    except Exception as exc:  # engine start-up: an unreadable or mismatched index, a missing model …
        print(f"error: cannot start the qa engine on {index_dir}: {type(exc).__name__}: {exc}\n"
              f"hint: delete {index_dir} to rebuild it, or (re)build it with `python -m index build --out {index_dir}`",
              file=sys.stderr)
        return 1
    context = ReportContext(gold_set.name, gold_files, index_dir, held_out=gold_set.held_out,
                            template_of=manifest.template_of,
                            show_failures=args.show_failures or not gold_set.held_out)
    paths = write_outputs(runs, args.out or DEFAULT_OUT / gold_set.name, context)
    print(headline_text(runs, context))
    print("wrote " + ", ".join(str(p) for p in paths))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        return cmd_run(args)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":
    sys.exit(main())
