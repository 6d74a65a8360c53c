"""What the web page's engine service holds and how long it takes to start, over a built index:
figures to compare two versions of the code.

    .venv/bin/python benchmarks/app_memory.py INDEX_DIR [--turns 10] [--budgets 1000]

Starts `qa.service.EngineService` over the index as `app.py` does, builds what the page shows
first (the status line, the catalogue of budgets and the document selector), then runs chat
turns with their sources and downloads (`app.chat_turn`, `app.download_files`): questions that
name one of the synthetic budgets `python -m index bench` makes (department 示例市第i局, i <
`--budgets`). Prints the seconds and the process's resident memory after each step. The
search index is not loaded (these questions are answered from facts).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine_load import rss_mb  # noqa: E402  (beside this script: the resident memory as engine_load reads it)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("index", type=Path)
    parser.add_argument("--turns", type=int, default=10)
    parser.add_argument("--budgets", type=int, default=1000, help="how many synthetic budgets the index holds")
    args = parser.parse_args()

    import app
    from index.bench.queries import named_questions, synthetic_budgets
    from qa.catalog import catalog_html
    from qa.engine import Engine
    from qa.service import EngineService

    with tempfile.TemporaryDirectory(prefix="budgetqa-app-memory-") as tmp:
        service = EngineService(lambda: Engine(args.index), data_dir=Path(tmp) / "uploads")
        print(f"imports: RSS {rss_mb():.0f} MB")
        started = time.perf_counter()
        service.engine()
        docs = service.documents()
        page = (service.loaded_message(docs), catalog_html(docs), app.selector_choices(docs))
        print(f"start (status line, catalogue of {len(docs)} documents, {len(page[2])} selector choices): "
              f"{time.perf_counter() - started:.2f} s, RSS {rss_mb():.0f} MB")
        questions = [q for _, q in named_questions(args.turns, synthetic_budgets(args.budgets))]
        started = time.perf_counter()
        for question in questions:
            _, _, _, _, answer = app.chat_turn(service, question, [], app.ALL_DOCUMENTS)
            app.download_files(answer, service.parsed(), Path(tmp) / "downloads")
        print(f"{len(questions)} chat turns with sources and downloads: {time.perf_counter() - started:.2f} s, "
              f"RSS {rss_mb():.0f} MB; peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
