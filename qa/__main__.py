"""`python -m qa ask "公务接待费是多少" [--json] [--index DIR]`.

With --json and no question argument, reads one question per line from stdin and prints
one JSON object per line; the models load once for the whole stream.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from index.store import has_index

from .engine import Engine
from .render import readable


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="answer a question (or one per stdin line with --json)")
    ask.add_argument("question", nargs="?", help="the question; omit with --json to read stdin")
    ask.add_argument("--json", action="store_true", help="print the answer as one JSON object")
    ask.add_argument("--index", help="index folder (default: the bundled corpus's index, built on first use)")
    ask.add_argument("--retrieval", choices=("hybrid", "lexical", "dense"), default="hybrid")
    args = parser.parse_args(argv)
    if args.index and not has_index(args.index):
        # built on first use only where the default lives: a mistyped folder is not a request to build one
        print(f"错误：{args.index} 没有索引。用 `python -m index build --out {args.index} [文件或文件夹…]` 建立一个，"
              "或去掉 --index 使用默认索引。", file=sys.stderr)
        return 2
    engine = Engine(args.index, retrieval=args.retrieval)
    engine.ensure_index(progress=None)
    if args.question is None:
        if not args.json:
            parser.error("give a question, or use --json to read questions from stdin")
        for line in sys.stdin:
            if line.strip():
                print(json.dumps(engine.answer(line.strip()).to_dict(), ensure_ascii=False), flush=True)
        return 0
    answer = engine.answer(args.question)
    print(json.dumps(answer.to_dict(), ensure_ascii=False, indent=1) if args.json else readable(answer))
    return 0 if answer.kind != "not_found" else 3


def run() -> int:
    """`main`, quiet when the reader stops early (`python -m qa ask … | head -1`): a closed pipe
    is the reader's choice, not an error worth a traceback."""
    try:
        return main()
    except BrokenPipeError:
        # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a shell reports for a process ended by SIGPIPE


if __name__ == "__main__":
    sys.exit(run())
