"""The PostgreSQL store (index.pgstore, selected by IndexConfig.store) against the embedded one:
the same answers on every gold set, document-filtered vector search, exact facts.

Each gold set's corpus is built once into PostgreSQL from the documents its SQLite eval index
already parsed (`parsed=`), with the shared embedding cache: only the store differs.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from evaluation.runner import EVAL_INDEX_DIR, prepare_index
from evaluation.sets import load_sets
from index.backends import store_for
from index.config import IndexConfig
from index.factstore import FactStore
from index.layout import FACTS, build_folder, read_manifest
from index.live import LoadedIndex
from index.pgstore import PgFactStore, PgRetrieval, connect, schema_of
from index.search import Filters, SearchIndex
from index.store import build_index, collect_files
from qa import Engine

SETS = tuple(s.name for s in load_sets().sets)   # every gold set


@pytest.fixture(scope="module")
def indexes(postgres, tmp_path_factory):
    """set → (SQLite index folder, PostgreSQL index folder, PostgreSQL config); sets sharing a
    corpus share its SQLite eval index (the first such set's) and its PostgreSQL build."""
    config = IndexConfig.from_env()
    pg_config = replace(config, store=postgres.url)
    built: dict[tuple[str, ...], tuple[Path, Path]] = {}
    out = {}
    for name in SETS:
        gold_set = load_sets().get(name)
        if gold_set.corpus not in built:
            sqlite_dir = EVAL_INDEX_DIR / gold_set.name
            prepare_index(gold_set.corpus_paths(), sqlite_dir, progress=False)
            parsed = LoadedIndex.read(sqlite_dir, config).parsed_files(collect_files(gold_set.corpus_paths()))
            folder = tmp_path_factory.mktemp("pg") / name
            build_index(gold_set.corpus_paths(), folder, pg_config, show_bars=False, parsed=parsed)
            built[gold_set.corpus] = (sqlite_dir, folder)
        out[name] = (*built[gold_set.corpus], pg_config)
    return out


def _comparable(answer) -> dict:
    d = answer.to_dict()
    d.pop("timings")  # how long it took is all that may differ
    return d


@pytest.mark.parametrize("name", SETS)
def test_same_answers_from_sqlite_and_postgresql(indexes, name):
    sqlite_dir, pg_dir, pg_config = indexes[name]
    assert read_manifest(pg_dir)["store"] == "postgresql"
    assert read_manifest(sqlite_dir).get("store", "sqlite") == "sqlite"
    embedded, server = Engine(sqlite_dir), Engine(pg_dir, config=pg_config)
    questions = load_sets().get(name).load_questions()
    assert len(questions) >= 50
    differ = []
    for gold in questions:
        a, b = _comparable(embedded.answer(gold.question)), _comparable(server.answer(gold.question))
        if a != b:
            differ.append(f"{gold.id} {gold.question}: {a['answer']!r} vs {b['answer']!r}")
    assert not differ, f"{len(differ)} of {len(questions)} answers differ:\n" + "\n".join(differ[:20])
    # answers carry figures and citations (not a comparison of two empty results)
    assert sum(1 for g in questions[:40] if server.answer(g.question).citations) >= 20


def test_filtered_vector_query_returns_that_documents_nodes(indexes):
    sqlite_dir, pg_dir, pg_config = indexes["multi-dev"]
    search = SearchIndex(pg_dir, pg_config)
    doc_ids = sorted({n.metadata["doc_id"] for n in search.nodes})
    assert len(doc_ids) >= 10
    doc = "2024_wuhan-jkq_intelligent-manufacturing-park_budget"
    assert doc in doc_ids
    hits = search.retrieve("公务接待费", k=10, mode="dense", filters=Filters(doc_ids=frozenset({doc})))
    assert len(hits) == 10  # exact search over the B-tree's rows: HNSW with this filter returns too few
    assert {h.node.metadata["doc_id"] for h in hits} == {doc}
    assert any("公务接待费" in h.node.text for h in hits)
    # the same nodes, in the same order, as FAISS over the same vectors
    embedded = SearchIndex(sqlite_dir).retrieve("公务接待费", k=10, mode="dense", filters=Filters(doc_ids=frozenset({doc})))
    assert [h.node.id_ for h in hits] == [h.node.id_ for h in embedded]
    # unfiltered, the HNSW graph answers from several documents
    unfiltered = search.retrieve("公务接待费", k=10, mode="dense")
    assert len({h.node.metadata["doc_id"] for h in unfiltered}) > 1


def test_lexical_scores_equal_bm25s(indexes):
    sqlite_dir, pg_dir, pg_config = indexes["multi-dev"]
    pg, embedded = SearchIndex(pg_dir, pg_config), SearchIndex(sqlite_dir)
    for query in ("公务接待费是多少", "2101101 行政运行", "上海市普陀区 一般公共预算 财政拨款 收入", "zzz"):
        assert pg.lexical(query, 30) == embedded.lexical(query, 30)
    assert pg.lexical("公务接待费", 5)[0][1] > 0


def test_facts_round_trip_exactly(indexes):
    sqlite_dir, pg_dir, pg_config = indexes["multi-dev"]
    sqlite = FactStore(build_folder(sqlite_dir) / FACTS)
    pg = store_for(pg_config).open_facts(build_folder(pg_dir))
    try:
        a, b = sqlite.facts(), pg.facts()
        assert len(a) > 5_000 and [f.id for f in a] == [f.id for f in b]
        assert a == b
        # Decimal equality ignores the exponent (0.5 == 0.50): the printed digits must match too
        assert [str(f.value) for f in a] == [str(f.value) for f in b]
        assert sqlite.documents() == pg.documents()
        assert sqlite.by_code("2010302") == pg.by_code("2010302") != []
        some = [d.doc_id for d in sqlite.documents()[:2]]
        assert sqlite.facts(some, ["cell"]) == pg.facts(some, ["cell"]) != []
        assert sqlite.count() == pg.count()
    finally:
        sqlite.close()
        pg.close()


def test_facts_partitioned_by_year_and_decimals_exact(indexes, postgres, seed_doc, tmp_path):
    _, pg_dir, _ = indexes["multi-dev"]
    with connect(postgres.url) as conn:
        years = conn.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                             "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s",
                             (schema_of(build_folder(pg_dir)),)).fetchall()
    assert {"facts_2024", "facts_2019"} <= {r[0] for r in years}

    from corpus.facts import document_facts
    from index.pgstore import create_schema

    facts = document_facts(seed_doc)[:3]
    odd = [replace(facts[0], value=Decimal("12345678901234567890.123456789")),
           replace(facts[1], value=Decimal("-0.050")), replace(facts[2], value=None)]
    build = tmp_path / "builds" / "1-1"
    build.mkdir(parents=True)
    with connect(postgres.url) as conn:
        create_schema(conn, build)
    store = PgFactStore(postgres.url, build).create()
    try:
        assert store.replace_document(seed_doc, odd) == 3
        back = store.facts()
        assert [str(f.value) for f in back] == ["12345678901234567890.123456789", "-0.050", "None"]
        assert [f.id for f in back] == [1, 2, 3]
        assert store.replace_document(seed_doc, odd[:1]) == 1 and store.count() == 1
    finally:
        store.close()


def test_incremental_builds_keep_facts_and_drop_old_schemas(indexes, postgres, tmp_path):
    """A document removed by a rebuild leaves exactly the other document's facts (copied from
    the previous build's schema); the schemas of builds whose folder is gone are dropped."""
    seed_sqlite, _, pg_config = indexes["seed"]
    files = collect_files(load_sets().get("multi-dev").corpus_paths())
    seed, other = files[-1], files[0]
    assert seed.suffix == ".txt" and other.suffix == ".pdf"
    given = LoadedIndex.read(indexes["multi-dev"][0], IndexConfig.from_env()).parsed_files([seed, other])
    out = tmp_path / "index"
    first = build_index([seed, other], out, pg_config, show_bars=False, parsed=given)
    first_build = build_folder(out)
    build_index([seed], out, pg_config, show_bars=False, parsed=given)
    report = build_index([seed, other], out, pg_config, show_bars=False, parsed=given)
    assert report.reused == [given[seed].doc_id] and report.facts == first.facts
    build_index([seed], out, pg_config, show_bars=False, parsed=given)
    pg = store_for(pg_config).open_facts(build_folder(out))
    sqlite = FactStore(build_folder(seed_sqlite) / FACTS)
    try:
        assert [(f.doc_id, f.row_id, f.column, str(f.value)) for f in pg.facts()] == \
            [(f.doc_id, f.row_id, f.column, str(f.value)) for f in sqlite.facts()]
    finally:
        pg.close()
        sqlite.close()
    with connect(postgres.url) as conn:
        schemas = {r[0] for r in conn.execute("SELECT nspname FROM pg_namespace")}
    assert schema_of(first_build) not in schemas       # its folder was cleaned: its schema too
    assert schema_of(build_folder(out)) in schemas


def test_name_index_look_ups_equal_the_embedded_stores(indexes):
    """A PostgreSQL build is answered through its own name index (no copy of its facts in the
    answering process): every look-up the answer path makes gives the embedded store's result."""
    from corpus.names import bigrams, without_years

    sqlite_dir, pg_dir, pg_config = indexes["multi-dev"]
    loaded = LoadedIndex.read(pg_dir, pg_config)
    pg, sqlite = loaded.store, FactStore(build_folder(sqlite_dir) / FACTS)
    assert isinstance(pg, PgFactStore)
    try:
        docs = [d.doc_id for d in sqlite.documents()]
        seed = "2024_wuhan-jkq_intelligent-manufacturing-park_budget"
        assert seed in docs
        said_anywhere = 0
        for gold in load_sets().get("multi-dev").load_questions():
            near = sqlite.names_near(bigrams(gold.question))
            assert pg.names_near(bigrams(gold.question)) == near, gold.question
            assert pg.names_said_as([without_years(n) for n in near]) == sqlite.names_said_as(
                [without_years(n) for n in near]), gold.question
            for scope in (None, [seed], docs[:3]):
                assert pg.fact_ids_named(scope, near, ("row", "column", "table")) == \
                    sqlite.fact_ids_named(scope, near, ("row", "column", "table")), gold.question
                # which budgets hold a name: what a question naming none is answered from
                assert pg.documents_naming(scope, near, ("row", "column")) == \
                    sqlite.documents_naming(scope, near, ("row", "column")), gold.question
            said_anywhere += bool(sqlite.fact_ids_named(None, near))
        assert said_anywhere > 250  # the questions name facts: not a comparison of empty sets
        facts = sqlite.facts()
        ids = [f.id for f in facts]
        assert pg.names_of(ids) == sqlite.names_of(ids)
        assert sum(len(n.row) for n in pg.names_of(ids).values()) > 5_000
        assert pg.facts_by_id(ids[::7] + [10**9]) == sqlite.facts_by_id(ids[::7] + [10**9])
        codes = sorted({f.code.lower() for f in facts if f.code})[:40]
        assert len(codes) == 40
        assert pg.fact_ids_where(None, codes=codes) == sqlite.fact_ids_where(None, codes=codes) != set()
        assert pg.fact_ids_where([seed], kind="cell", table_type="收支总表") == \
            sqlite.fact_ids_where([seed], kind="cell", table_type="收支总表") != set()
        assert all(pg.table_types_of(d) == sqlite.table_types_of(d) for d in docs)
    finally:
        pg.close()
        sqlite.close()


def test_incremental_build_keeps_the_name_index(indexes, tmp_path):
    """A rebuild copies the previous build's name index and drops a removed document's names:
    each remaining fact has exactly the names the embedded store gives it."""
    seed_sqlite, _, pg_config = indexes["seed"]
    files = collect_files(load_sets().get("multi-dev").corpus_paths())
    seed, other = files[-1], files[0]
    given = LoadedIndex.read(indexes["multi-dev"][0], IndexConfig.from_env()).parsed_files([seed, other])
    out = tmp_path / "index"
    build_index([other], out, pg_config, show_bars=False, parsed=given)
    build_index([seed, other], out, pg_config, show_bars=False, parsed=given)
    build_index([seed], out, pg_config, show_bars=False, parsed=given)
    pg = store_for(pg_config).open_facts(build_folder(out))
    sqlite = FactStore(build_folder(seed_sqlite) / FACTS)
    try:
        mine, theirs = pg.facts(), sqlite.facts()
        assert [(f.row_id, f.column) for f in mine] == [(f.row_id, f.column) for f in theirs]
        assert list(pg.names_of(f.id for f in mine).values()) == list(sqlite.names_of(f.id for f in theirs).values())
        assert pg.fact_ids_named(None, ["公务接待费"]) == pg.fact_ids_named([given[seed].doc_id], ["公务接待费"]) != set()
    finally:
        pg.close()
        sqlite.close()
    with connect(pg_config.store) as conn:  # the removed document's names are gone with its facts
        named = {r[0] for r in conn.execute(f"SELECT fact_id FROM {schema_of(build_folder(out))}.fact_names")}
    assert named and named <= {f.id for f in mine}


def test_lexical_rankings_from_postings_equal_bm25s_for_every_question(indexes):
    """The postings table gives bm25s's ranking and scores for every multi-dev question, over
    all documents and over one (the filter joins the nodes table)."""
    sqlite_dir, pg_dir, pg_config = indexes["multi-dev"]
    pg, embedded = SearchIndex(pg_dir, pg_config), SearchIndex(sqlite_dir)
    one = Filters(doc_ids=frozenset({"2024_wuhan-jkq_intelligent-manufacturing-park_budget"}))
    questions = [g.question for g in load_sets().get("multi-dev").load_questions()]
    for filters in (None, one):
        differ = [q for q in questions if pg.lexical(q, 30, filters) != embedded.lexical(q, 30, filters)]
        assert not differ, f"{len(differ)} of {len(questions)} rankings differ: {differ[:5]}"
    hits = pg.lexical("公务接待费是多少", 30, one)
    assert len(hits) == 30 and {pg.nodes[i].metadata["doc_id"] for i, _ in hits} == set(one.doc_ids or ())
