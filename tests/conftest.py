"""Shared fixtures: the seed document, parsed once per test session."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "data" / "2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt"
PDF_DIR = ROOT / "tests" / "fixtures" / "pdf"


def free_port() -> int:
    """A localhost port nobody is listening on, for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_doc():
    import corpus

    return corpus.load(SEED)


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """The seed budget indexed once per session into a temporary folder. Embeddings come
    from the shared cache (.budgetqa/cache), so only the first run ever embeds."""
    from index.config import IndexConfig
    from index.store import build_index

    out = tmp_path_factory.mktemp("index") / "seed"
    build_index([SEED], out, IndexConfig.from_env(), show_bars=False)
    return out


@pytest.fixture(scope="session")
def engine(seed_index):
    from qa import Engine

    return Engine(seed_index)
