"""Nothing lost, no dead state (issue 11, items 1–5): the index is self-contained, uploads
are staged, the swap is one rename (proved by killing a build at each phase), a mistyped
--index is an error, and a second instance on the same folder sees new documents."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from index.config import IndexConfig
from index.live import LiveIndex
from index.store import build_index, read_manifest
from tests.conftest import DOC_ID, RECEPTION, ROOT, variant

OTHER_DEPT = "武汉经济技术开发区示范园管理办公室"
OTHER_ID = "2023_demo-park_budget"
THIRD_DEPT = "武汉经济技术开发区试验区管理办公室"
THIRD_ID = "2022_trial-zone_budget"
def reception(engine, year: int | None = None):
    """(value, doc_id of the first citation) of the 公务接待费 question, for a year or all."""
    a = engine.answer(f"{year}年的公务接待费是多少" if year else "公务接待费是多少",
                      doc_ids=None if year else {DOC_ID})
    return a.value, a.citations[0].doc_id if a.citations else None


@pytest.fixture
def two_docs(seed_path, tmp_path):
    """An index of the seed and an uploaded second budget, whose file sits in `uploads/`."""
    uploads = tmp_path / "uploads"
    seed_copy = tmp_path / "docs" / seed_path.name
    seed_copy.parent.mkdir()
    shutil.copy(seed_path, seed_copy)
    other = variant(seed_path, uploads, OTHER_ID, OTHER_DEPT, 2023, "0.80")
    out = tmp_path / "index"
    build_index([seed_copy, other], out, IndexConfig.from_env(), show_bars=False)
    return out, seed_copy, other


# ------------------------------------------------------------------ 1. self-contained


def test_a_missing_source_is_a_finding_and_the_index_still_answers(two_docs, engine):
    from qa import Engine

    out, seed_copy, other = two_docs
    seed_copy.unlink()
    other.write_text("改过的文件", encoding="utf-8")
    restarted = Engine(out)
    restarted.ensure_index()
    docs = {d.doc_id: d for d in restarted.documents()}  # the table browser: parsed documents, from the index
    assert docs[DOC_ID].table("附表7").rows[0].cell("公务接待费").value == RECEPTION.value == D("0.50")
    answer = restarted.answer("公务接待费是多少", doc_ids={DOC_ID})
    seed_only = engine.answer("公务接待费是多少")  # the seed's own index, its source in place
    assert (answer.answer, answer.value, answer.citations) == (seed_only.answer, D("0.50"), seed_only.citations)
    assert answer.citations[0].table == RECEPTION.citations[0].table == "附表7"
    assert reception(restarted, 2023) == (D("0.80"), OTHER_ID)
    findings = {f.doc_id: f for f in restarted.source_findings()}
    assert findings[DOC_ID].problem == "missing" and seed_copy.name in findings[DOC_ID].message
    assert findings[OTHER_ID].problem == "changed" and other.name in findings[OTHER_ID].message


def test_parsing_code_changed_and_a_source_gone_keeps_the_document(two_docs):
    """A rebuild for new parsing code reads the copy kept in the index, not the lost original."""
    from qa import Engine

    out, _, other = two_docs
    other.unlink()
    manifest_path = _data(out) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["pipeline"] = "older-code"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    live = LiveIndex(out, IndexConfig.from_env())
    assert live.ensure() is not None
    assert sorted(live.current().documents) == sorted([DOC_ID, OTHER_ID])
    assert reception(Engine(out), 2023) == (D("0.80"), OTHER_ID)
    # and its source is still the original's path, so staff see it is missing
    assert read_manifest(out)["documents"][OTHER_ID]["source"].endswith(f"uploads/{OTHER_ID}.txt")


def _data(out: Path) -> Path:
    """The folder the index in use lives in: the build CURRENT names (or, before, the index folder)."""
    current = out / "CURRENT"
    return out / "builds" / current.read_text(encoding="utf-8").strip() if current.exists() else out


# ------------------------------------------------------------------ 2. uploads


def test_an_orphan_upload_and_stale_temporary_folders_do_not_block_a_re_upload(two_docs, seed_path, tmp_path):
    """What a crash mid-upload left behind (the file stored, never indexed; a `.index.tmp-PID`
    folder) is cleaned at start, and the same file can be uploaded again."""
    from qa.service import EngineService, default_engine_factory

    out, _, other = two_docs
    third = variant(seed_path, tmp_path / "incoming", THIRD_ID, THIRD_DEPT, 2022, "0.70")
    shutil.copy(third, other.parent / third.name)           # the orphan
    stale = tmp_path / ".index.tmp-999999"                   # a dead build's folder
    (stale / "bm25").mkdir(parents=True)
    service = EngineService(default_engine_factory(out), data_dir=other.parent)
    service.engine()
    assert not stale.exists()
    doc = service.add_upload(third, third.name).doc
    assert doc.doc_id == THIRD_ID
    assert reception(service.engine(), 2022) == (D("0.70"), THIRD_ID)
    assert sorted(p.name for p in other.parent.iterdir()) == sorted([other.name, third.name])


# ------------------------------------------------------------------ 3. kill -9 at each phase

FAULT_SCRIPT = ROOT / "tests" / "fault_upload.py"


@pytest.mark.parametrize("phase", ["parse", "embed", "write", "swap"])
def test_a_build_killed_at_any_phase_loses_nothing(two_docs, seed_path, tmp_path, phase):
    from qa import Engine
    from qa.service import EngineService, default_engine_factory

    out, _, other = two_docs
    before = [reception(Engine(out)), reception(Engine(out), 2023)]
    assert before == [(D("0.50"), DOC_ID), (D("0.80"), OTHER_ID)]
    third = variant(seed_path, tmp_path / "incoming", THIRD_ID, THIRD_DEPT, 2022, "0.70")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, str(FAULT_SCRIPT), phase, str(out), str(other.parent), str(third)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == -signal.SIGKILL, run.stderr[-2000:]
    # restart: what was answerable answers the same, and the interrupted upload can be made again
    service = EngineService(default_engine_factory(out), data_dir=other.parent)
    engine = service.engine()
    assert [reception(engine), reception(engine, 2023)] == before
    doc = service.add_upload(third, third.name).doc
    assert doc.doc_id == THIRD_ID and reception(service.engine(), 2022) == (D("0.70"), THIRD_ID)
    assert [reception(Engine(out)), reception(Engine(out), 2023)] == before


# ------------------------------------------------------------------ 4. a mistyped --index


def test_qa_ask_with_a_missing_index_is_an_error_that_says_how_to_build_one(tmp_path, capsys):
    from qa.__main__ import main

    typo = tmp_path / "typo" / "path"
    assert main(["ask", "公务接待费是多少", "--index", str(typo)]) == 2
    err = capsys.readouterr().err
    assert str(typo) in err and f"python -m index build --out {typo}" in err
    assert not typo.exists() and not typo.parent.exists()


# ------------------------------------------------------------------ 5. a second instance


def test_an_instance_sharing_the_index_sees_a_document_another_added(two_docs, seed_path, tmp_path):
    from qa import Engine

    out, _, _ = two_docs
    staff, public = Engine(out), Engine(out)
    assert reception(public, 2022) == (None, None)          # loaded before the upload
    staff.add_document(variant(seed_path, tmp_path / "up", THIRD_ID, THIRD_DEPT, 2022, "0.70"))
    assert reception(public, 2022) == (D("0.70"), THIRD_ID)
    assert THIRD_ID in {d.doc_id for d in public.documents()}
