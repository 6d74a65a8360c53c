"""Facts read from the store on demand: names kept from the build (never computed at load),
a question naming a department reads only that department's facts, and the name index finds
every fact the linker would accept (the same readings as reading every fact)."""

from __future__ import annotations

import time
from decimal import Decimal
from dataclasses import replace
from pathlib import Path

import pytest

import corpus
import corpus.names
import index.factstore
from corpus.facts import document_facts
from corpus.names import bigrams, fact_names
from evaluation.gold import load_gold
from index.factstore import FactStore
from qa import Engine
from qa.analyze import analyze
from qa.compose import guard
from qa.factbase import StoredFacts
from qa.linker import Listed, names_in
from qa.scope import Asked, documents_for
from qa.strategies import first_answer

from conftest import SEED, variant

OTHER_DEPT = "武汉经济技术开发区示范园管理办公室"


@pytest.fixture(scope="module")
def two_departments(seed_doc, tmp_path_factory) -> tuple[FactStore, str, str]:
    """The seed and the same budget as another department's (公务接待费 0.70), in one store."""
    folder = tmp_path_factory.mktemp("factbase")
    other = corpus.load(variant(SEED, folder, "demo_park_2024", OTHER_DEPT, 2024, "0.70"))
    store = FactStore(folder / "facts.sqlite")
    for doc in (seed_doc, other):
        store.replace_document(doc, document_facts(doc))
    return store, seed_doc.doc_id, other.doc_id


def _ask(base: StoredFacts, question: str):
    q = analyze(question)
    docs, reason = documents_for(q, base.documents, None)
    assert reason is None
    return guard(first_answer(Asked.over(q, base, docs, time.perf_counter(), lambda *a, **k: [])))


def test_loading_the_index_never_computes_names(seed_index, monkeypatch):
    calls = []

    def counting(fact):
        calls.append(fact.id)
        return fact_names(fact)

    for module in (corpus.names, index.factstore):
        monkeypatch.setattr(module, "fact_names", counting)
    engine = Engine(seed_index)
    engine.documents()  # loads the index
    answer = engine.answer("公务接待费是多少")
    assert str(answer.value) == "0.50" and answer.citations[0].table == "附表7"
    assert calls == []


def test_a_question_naming_a_department_reads_only_its_facts(two_departments, monkeypatch):
    store, seed_id, other_id = two_departments
    read: list[str] = []
    for method in ("facts", "facts_by_id"):
        original = getattr(FactStore, method)

        def counted(self, *args, _original=original, **kwargs):
            facts = _original(self, *args, **kwargs)
            read.extend(f.doc_id for f in facts)
            return facts
        monkeypatch.setattr(FactStore, method, counted)
    base = StoredFacts(store, {d.doc_id: d for d in store.documents()})
    answer = _ask(base, f"{OTHER_DEPT}的公务接待费是多少")
    assert str(answer.value) == "0.70"
    assert read and set(read) == {other_id}
    # through the name index: a fraction of the department's facts, not all of them
    assert len(read) < len(store.facts([other_id])) / 4
    read.clear()
    seed = _ask(base, "武汉经济技术开发区智能制造产业园管理办公室的公务接待费是多少")
    assert str(seed.value) == "0.50" and set(read) == {seed_id}


def test_the_name_index_holds_every_name_a_question_matches(two_departments):
    store = two_departments[0]
    every = [r[0] for r in store._db.execute("SELECT name FROM names")]
    for gold in load_gold()[::4]:
        text = analyze(gold.question).expanded
        assert set(names_in(text, every)) <= set(store.names_near(bigrams(text))), gold.question


def test_readings_through_the_index_are_the_readings_of_every_fact(two_departments):
    store, seed_id, _ = two_departments
    base = StoredFacts(store, {d.doc_id: d for d in store.documents()})
    for gold in load_gold():
        q = analyze(gold.question)
        docs, reason = documents_for(q, base.documents, {seed_id})
        if reason:
            continue
        asked = Asked.over(q, base, docs, 0.0, lambda *a, **k: [])
        every = replace(asked, pool=Listed(list(asked.facts)))
        got = [(r.fact.id, r.key, r.leftover) for r in asked.readings()]
        assert got == [(r.fact.id, r.key, r.leftover) for r in every.readings()], gold.question


def test_store_keeps_names_in_order(two_departments, seed_doc):
    store, seed_id, _ = two_departments
    facts = store.facts([seed_id])
    kept = store.names_of(f.id for f in facts)
    assert all(kept[f.id] == fact_names(f, seed_doc.department) for f in facts)
    reception = next(f for f in facts if f.table_id == "附表7" and f.column == "公务接待费")
    assert kept[reception.id].column == ["公务接待费"]


def test_a_removed_document_leaves_no_names(tmp_path: Path, seed_doc):
    store = FactStore(tmp_path / "facts.sqlite")
    store.replace_document(seed_doc, document_facts(seed_doc))
    store.remove_document(seed_doc.doc_id)
    assert store._db.execute("SELECT COUNT(*) FROM fact_names").fetchone()[0] == 0
    assert store.fact_ids_named(None, ["公务接待费"]) == set()
    assert store.documents_naming(None, ["公务接待费"]) == {}


def test_which_documents_hold_a_name_is_what_their_facts_say(two_departments):
    store, seed_id, other_id = two_departments
    held = store.documents_naming(None, ["公务接待费", "没有这个名字"], ("row", "column"))
    assert held == {seed_id: {"公务接待费"}, other_id: {"公务接待费"}}
    assert store.documents_naming([other_id], ["公务接待费"]) == {other_id: {"公务接待费"}}
    # the same as reading the facts' names: every document with a fact of that name in that role
    facts = store.facts()
    names = store.names_of(f.id for f in facts)
    assert {f.doc_id for f in facts if "公务接待费" in names[f.id].column} == set(held)


def test_a_schema_3_file_learns_its_documents_names_when_opened(tmp_path: Path, seed_doc):
    store = FactStore(tmp_path / "facts.sqlite")
    store.replace_document(seed_doc, document_facts(seed_doc))
    expected = store.documents_naming(None, ["公务接待费", "项目支出"])
    store._db.execute("DELETE FROM doc_names")  # as a file written before doc_names
    store._db.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    store._db.commit()
    store.close()
    again = FactStore(tmp_path / "facts.sqlite")
    assert again.documents_naming(None, ["公务接待费", "项目支出"]) == expected == {
        seed_doc.doc_id: {"公务接待费", "项目支出"}}


def test_table_titles_are_named_without_their_own_department():
    """A title printing the document's own department is named without it: which budget a
    table is of is the question's scope, and a name per department grew the name index with
    every budget (at 1,000 synthetic budgets half its names and two thirds of its bigram rows)."""
    from conftest import gold_set_engine
    from corpus.names import table_names

    title = "表一 2017年度江苏省高级人民法院部门收支预算总表（收入）"
    assert table_names(title) == ["表一", "2017年度江苏省高级人民法院部门收支预算总表", "部门收支预算总表"]
    assert table_names(title, "江苏省高级人民法院") == ["表一", "2017年度部门收支预算总表"]
    assert table_names("公开01表 收支预算总表（收入）", "江苏省高级人民法院") == ["公开01表", "收支预算总表"]

    engine = gold_set_engine("multi-dev")
    store = engine.live_index.current().store
    facts = [f for f in store.facts(["jiangsu_gaoji_fayuan_2017_bumen_yusuan"]) if f.table_id == "表一"]
    names = store.names_of(f.id for f in facts)
    tables = {n for f in facts for n in names[f.id].table}
    assert {"2017年度部门收支预算总表", "部门收支预算总表"} <= tables and not any("法院" in n for n in tables)
    answer = engine.answer("江苏省高级人民法院2017年部门收支预算总表的收入合计")   # the table said by its name
    assert answer.value == Decimal("28849.38") and answer.citations[0].table == "表一/收入"
