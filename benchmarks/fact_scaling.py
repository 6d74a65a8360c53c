"""Does answering slow down as the fact store grows? The facts of a built index copied under
N fake departments per document, answered from the store (names and the name index written
as a build writes them), for questions that name a department and questions that do not.

    .venv/bin/python benchmarks/fact_scaling.py INDEX_DIR [--copies 10,100]

INDEX_DIR is any built index (e.g. .budgetqa/eval-index/multi-dev). For each N the script
prints the store's facts, the time to write it, and `first_answer` p50/p95 over a few metric
questions; the search index is not used (`retrieve` answers nothing), so these are the
fact path's figures alone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.model import BudgetDocument  # noqa: E402
from index.factstore import FactStore  # noqa: E402
from index.layout import build_folder  # noqa: E402
from index.store import FACTS  # noqa: E402

METRICS = ["公务接待费是多少", "项目支出是多少", "机关运行经费是多少", "“三公”经费合计是多少", "基本支出是多少",
           "收入总计是多少", "会议费是多少", "政府采购预算是多少"]


def fake_store(source: FactStore, copies: int, path: Path) -> FactStore:
    """Every document of `source` `copies` times, each copy a department of its own."""
    store = FactStore(path)
    infos = source.documents()
    for info in infos:
        facts = source.facts([info.doc_id])
        for i in range(copies):
            department = f"示范{i}区{info.department}"
            doc = BudgetDocument(f"{info.doc_id}__{i}", info.title.replace(info.department, department), department,
                                 info.year, info.doc_type, info.source, info.sha256, kind=info.kind,
                                 level=info.level, region=info.region)
            store.replace_document(doc, [replace(f, doc_id=doc.doc_id) for f in facts])
    return store


def timed(base, questions: list[str]) -> tuple[list[float], int]:
    from qa.analyze import analyze
    from qa.compose import guard
    from qa.scope import Asked, documents_for
    from qa.strategies import first_answer

    times, found = [], 0
    for question in questions:
        started = time.perf_counter()
        q = analyze(question)
        docs, reason = documents_for(q, base.documents, None)
        if not reason:
            a = guard(first_answer(Asked.over(q, base, docs, started, lambda *a, **k: [])))
            found += a.value is not None
        times.append(time.perf_counter() - started)
    return times, found


def report(label: str, times: list[float], found: int) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"  {label}: p50 {1000 * statistics.median(times):.1f} ms, p95 {1000 * p95:.1f} ms "
          f"({found}/{len(times)} with a figure)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--copies", default="10,100")
    args = parser.parse_args(argv)

    from qa.factbase import StoredFacts

    source = FactStore(build_folder(args.index_dir) / FACTS)
    for copies in [int(c) for c in args.copies.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            store = fake_store(source, copies, Path(tmp) / FACTS)
            print(f"N={copies}: {store.count()} facts in {len(store.documents())} documents, "
                  f"written in {time.perf_counter() - started:.0f} s")
            documents = {d.doc_id: d for d in store.documents()}
            base = StoredFacts(store, documents)
            departments = sorted({d.department for d in documents.values() if d.department})
            named = [f"{departments[(7 * k) % len(departments)]}的{m}" for k, m in enumerate(METRICS * 3)]
            timed(base, named[:2] + METRICS[:2])  # warm the analysers' caches
            report("naming a department", *timed(base, named))
            report("naming none       ", *timed(base, METRICS * 3))
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
