"""Parsing many files at once: each in its own process when there are several and the
configuration allows (PDF layout analysis is pure Python, one core per file), in the order
given, so an index built in parallel is the same as one built file by file."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import corpus
from corpus.model import BudgetDocument


def parse_files(paths: Sequence[Path], workers: int = 1,
                done: Callable[[int], None] | None = None) -> Iterator[tuple[Path, BudgetDocument]]:
    """(path, document) for each path, in order; `done(n)` after the n-th. A file that
    cannot be parsed raises its `corpus.ParseError` here, as `corpus.load` would."""
    workers = max(1, min(workers, len(paths)))
    if workers == 1:
        for n, path in enumerate(paths, 1):
            yield path, corpus.load(path)
            if done:
                done(n)
        return
    # spawn, not fork: the app forks from a process with server threads running
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for n, (path, doc) in enumerate(zip(paths, pool.map(corpus.load, paths)), 1):
            yield path, doc
            if done:
                done(n)
