"""The live index: built on first use, left alone when current, grown by one document (also
right after a reload), and the engine answering from what it holds."""

from __future__ import annotations

import shutil
import threading
from decimal import Decimal as D

import pytest

from index.config import IndexConfig
from index.live import LiveIndex

SEED_ID = "2024_wuhan-jkq_intelligent-manufacturing-park_budget"
OTHER_ID = "2023_live-park_budget"


@pytest.fixture
def live_copy(seed_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(seed_index, copy)
    return copy


def _other_department(seed_path, folder):
    """The seed as another department's 2023 budget, with another 公务接待费 (0.80)."""
    dept = "武汉经济技术开发区示范园管理办公室"
    text = seed_path.read_text(encoding="utf-8").replace("武汉经济技术开发区智能制造产业园管理办公室", dept)
    text = text.replace(f"{dept} 2024 年部门预算", f"{dept} 2023 年部门预算", 1)
    text = text.replace("5.54\t0.00\t5.04\t0.00\t5.04\t0.50", "5.84\t0.00\t5.04\t0.00\t5.04\t0.80")
    path = folder / f"{OTHER_ID}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_current_index_is_not_rebuilt(live_copy):
    live = LiveIndex(live_copy, IndexConfig.from_env())
    assert live.ensure() is None
    assert [d for d in live.current().documents] == [SEED_ID]
    assert live.current() is live.current()  # loaded once, until reload()


def test_add_document_right_after_a_reload(live_copy, seed_path, tmp_path):
    live = LiveIndex(live_copy, IndexConfig.from_env())
    before = live.current()
    live.reload()
    other = _other_department(seed_path, tmp_path)
    added = []
    worker = threading.Thread(target=lambda: added.append(live.add_document(other)), daemon=True)
    worker.start()
    worker.join(timeout=300)
    assert not worker.is_alive(), "add_document hung"
    assert added[0].doc_id == OTHER_ID
    assert live.current() is not before
    assert sorted(live.current().documents) == sorted([SEED_ID, OTHER_ID])
    assert sorted(d.doc_id for d in live.documents()) == sorted([SEED_ID, OTHER_ID])


def test_engine_adds_a_document_and_answers_from_it(live_copy, seed_path, tmp_path):
    from qa import Engine

    engine = Engine(live_copy)
    assert engine.answer("公务接待费是多少").value == D("0.50")
    doc, findings = engine.add_document(_other_department(seed_path, tmp_path))
    assert doc.doc_id == OTHER_ID and findings == doc.findings
    assert engine.answer("2023年的公务接待费是多少").value == D("0.80")
    # the page's list of budgets comes from the fact store: no parsed document is read for it
    listed = {d.doc_id: d for d in engine.catalogue()}
    assert (listed[OTHER_ID].department, listed[OTHER_ID].year, listed[OTHER_ID].kind) == \
        ("武汉经济技术开发区示范园管理办公室", 2023, "部门预算")
    assert listed[SEED_ID].year == 2024 and engine.live_index.current().parsed._read == {}  # type: ignore[attr-defined]
    assert len(engine.documents()) == 2


def test_parsed_documents_kept_are_the_last_asked_for(seed_index, seed_doc):
    """A serving process keeps only the last few documents it read (an upload's duplicate
    check reads every one): one kept here, so asking for another reads the first again."""
    from index.layout import KeptDocuments, build_folder, read_manifest

    build = build_folder(seed_index)
    manifest = read_manifest(build)
    twice = {**manifest, "documents": {**manifest["documents"], "again": manifest["documents"][SEED_ID]}}
    kept = KeptDocuments(build, twice, kept=1)
    first = kept[SEED_ID]
    assert kept[SEED_ID] is first                       # kept
    assert kept["again"] == first and kept["again"] is not first
    assert kept[SEED_ID] is not first and kept[SEED_ID] == seed_doc   # read again: only one is kept
    assert list(kept) == [SEED_ID, "again"]


def test_parsed_documents_are_read_when_asked_for(seed_index, seed_doc, seed_path):
    """Answering never reads the parsed documents: the loaded index holds none until one is
    asked for (the table browser, or a build finding a file it already parsed)."""
    from index.live import LoadedIndex

    loaded = LoadedIndex.read(seed_index, IndexConfig.from_env())
    assert list(loaded.parsed) == [SEED_ID] and len(loaded.parsed) == 1
    assert loaded.parsed._read == {}  # type: ignore[attr-defined]
    found = loaded.parsed_files([seed_path])
    assert found[seed_path].doc_id == SEED_ID and found[seed_path].sha256 == seed_doc.sha256
    assert found[seed_path].tables == seed_doc.tables
    assert loaded.parsed[SEED_ID] is found[seed_path]  # read once, then kept
    assert loaded.parsed_files([seed_index / "CURRENT"]) == {}
