"""The fact store alone at sizes no embedding build reaches (N = 10,000): synthetic documents'
facts written to a `FactStore`, in a fresh process, timed apart from synthesising them."""

from __future__ import annotations

import pickle
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from corpus.facts import document_facts

from ..factstore import FactStore
from .builds import folder_mb, in_fresh_process, peak_rss_mb
from .queries import Latency, serve_facts, synthetic_budgets
from .synthesis import synthetic_document, synthetic_name

PROGRESS = 500  # documents between two progress lines


@dataclass(frozen=True)
class FactRun:
    docs: int
    facts: int
    synth_seconds: float  # synthesising the documents and reading their facts
    write_seconds: float  # writing them to the store, index maintenance included
    size_mb: float
    rss_mb: float
    named: Latency | None = None    # qa answering from the store alone: questions naming a budget
    unnamed: Latency | None = None  # and questions naming none


def _fact_worker(templates_file: Path, n: int, out: Path, queries: int) -> FactRun:
    templates = pickle.loads(templates_file.read_bytes())
    store = FactStore(out)
    synth = write = 0.0
    try:
        for i in range(n):
            template = templates[i % len(templates)]
            started = time.perf_counter()
            doc = synthetic_document(template, i, out.parent / synthetic_name(template, i))
            facts = document_facts(doc)
            written = time.perf_counter()
            store.replace_document(doc, facts)
            synth, write = synth + written - started, write + time.perf_counter() - written
            if (i + 1) % PROGRESS == 0:  # a long run says how far it got, with its rates so far
                print(f"[fact store] {i + 1:,} documents: write {write:.1f} s, synthesis {synth:.1f} s",
                      file=sys.stderr, flush=True)
        count = store.count()
    finally:
        store.close()
    stored = FactRun(n, count, synth, write, folder_mb(out.parent), peak_rss_mb())
    named, unnamed = serve_facts(out, synthetic_budgets(n), queries) if queries else (None, None)
    return replace(stored, named=named, unnamed=unnamed)


def fact_store_run(templates_file: Path, n: int, folder: Path, queries: int = 0) -> FactRun:
    """N synthetic documents' facts written to a store, then (`queries` > 0) that many questions
    of each kind answered from it."""
    folder.mkdir(parents=True, exist_ok=True)
    return in_fresh_process(_fact_worker, templates_file, n, folder / "facts.sqlite", queries)
