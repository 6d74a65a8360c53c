"""Shared fixtures: the seed document, parsed once per test session."""

from __future__ import annotations

from functools import lru_cache

import os
import socket
from decimal import Decimal
from pathlib import Path

import pytest

from qa.answer import Answer, Citation

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "data" / "2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt"
PDF_DIR = ROOT / "tests" / "fixtures" / "pdf"


# One cited answer as the engine gives it for the seed (附表7 公务接待费), for rendering and app tests.
DOC_ID = "2024_wuhan-jkq_intelligent-manufacturing-park_budget"
TITLE = "武汉经济技术开发区智能制造产业园管理办公室 2024 年部门预算"


def seed_citation(**kw) -> Citation:
    base = dict(document=TITLE, doc_id=DOC_ID, section="附表7 一般公共预算“三公”经费支出表", table="附表7",
                row="公务接待费", column="公务接待费", text="5.54 0.00 5.04 0.00 5.04 0.50",
                location="budget.txt, line 325", value=Decimal("0.50"), unit="万元", row_id="附表7:1")
    base.update(kw)
    return Citation(**base)


RECEPTION = Answer("公务接待费是多少", "公务接待费为 0.50 万元。", "lookup", Decimal("0.50"), "万元", (seed_citation(),))


SEED_ROW = "5.54\t0.00\t5.04\t0.00\t5.04\t0.50"


def variant(seed_path: Path, folder: Path, name: str, dept: str, year: int, reception: str) -> Path:
    """The seed as another department's budget of another year, with another 公务接待费."""
    text = seed_path.read_text(encoding="utf-8").replace("武汉经济技术开发区智能制造产业园管理办公室", dept)
    text = text.replace(f"{dept} 2024 年部门预算", f"{dept} {year} 年部门预算", 1)
    total = Decimal("5.04") + Decimal(reception)
    text = text.replace(SEED_ROW, f"{total}\t0.00\t5.04\t0.00\t5.04\t{reception}")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


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


def gold_set_engine(name: str):
    """An engine over a gold set's corpus (evaluation's own index of it, built when missing or
    stale). Sets over the same corpus share one index and one engine: the multi-document sets
    all read the 16 PDFs and the seed, and each index costs a parse of all of them."""
    from evaluation.sets import load_sets

    sets = load_sets().sets
    corpus = next(s.corpus for s in sets if s.name == name)
    return _engine_over(next(s.name for s in sets if s.corpus == corpus))


@lru_cache(maxsize=None)
def _engine_over(set_name: str):
    from evaluation.runner import EVAL_INDEX_DIR, prepare_index
    from evaluation.sets import load_sets
    from qa import Engine

    index_dir = EVAL_INDEX_DIR / set_name
    prepare_index(load_sets().get(set_name).corpus_paths(), index_dir, progress=False)
    return Engine(index_dir)


@pytest.fixture(scope="session")
def engine(seed_index):
    from qa import Engine

    return Engine(seed_index)


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server with pgvector for the session (index.pglocal: initdb + pg_ctl start -w
    in a temporary folder, as `nobody` when the tests run as root), stopped by a finaliser."""
    from index.pglocal import LocalPostgres

    server = LocalPostgres.start()
    yield server
    server.stop()
