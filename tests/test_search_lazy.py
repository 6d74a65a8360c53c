"""The search index reads its nodes on demand (`index.nodetable.NodeTable`): the same nodes,
filters and search results over the real seed index as the whole list of `TextNode`s gave."""

from __future__ import annotations

import pytest

from index.layout import load_nodes
from index.search import Filters, SearchIndex

SEED_ID = "2024_wuhan-jkq_intelligent-manufacturing-park_budget"
PROSE = frozenset({"text", "field", "record"})
FILTERS = [
    Filters(doc_ids=frozenset({SEED_ID})),
    Filters(doc_ids=frozenset({"nope"})),
    Filters(department="智能制造产业园"),
    Filters(department="示例市第1局"),
    Filters(year=2024),
    Filters(year=2023),
    Filters(node_kinds=PROSE),
    Filters(node_kinds=frozenset({"row"}), year=2024, doc_ids=frozenset({SEED_ID})),
]


@pytest.fixture(scope="module")
def search(seed_index) -> SearchIndex:
    return SearchIndex(seed_index)


@pytest.fixture(scope="module")
def whole(seed_index):
    """The nodes as the index used to hold them: every line parsed into a TextNode at load."""
    return load_nodes(seed_index)


def test_each_node_is_read_as_the_build_wrote_it(search, whole):
    assert len(search.nodes) == len(whole) == 338
    assert [n.to_dict() for n in search.nodes] == [n.to_dict() for n in whole]
    assert search.nodes[-1].to_dict() == whole[-1].to_dict()
    assert [n.node_id for n in search.nodes[5:8]] == [n.node_id for n in whole[5:8]]
    first = search.nodes[0]
    assert first.node_id == f"{SEED_ID}::table::附表1/收入"
    assert first.metadata["table"] == "附表1 收支总表（收入）" and first.metadata["year"] == 2024
    with pytest.raises(IndexError):
        search.nodes[338]


@pytest.mark.parametrize("filters", FILTERS, ids=repr)
def test_filters_keep_the_nodes_their_metadata_allows(search, whole, filters):
    assert search.nodes.allowed(filters).tolist() == [i for i, n in enumerate(whole) if filters.allows(n)]


def test_filter_columns_count_the_seeds_nodes(search):
    assert len(search.nodes.allowed(Filters(node_kinds=PROSE))) == 69 + 43 + 11  # fields, texts, records
    assert len(search.nodes.allowed(Filters(year=2024))) == 338
    assert len(search.nodes.allowed(Filters(year=2023))) == 0
    assert search.nodes.doc_ids() == {SEED_ID}


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
@pytest.mark.parametrize("filters", [None, Filters(node_kinds=PROSE), Filters(doc_ids=frozenset({"nope"}))],
                         ids=repr)
def test_search_returns_the_nodes_the_whole_list_gave(search, whole, mode, filters):
    """Each hit is the node at the position retrieval ranked, whole: the answers built on it
    cannot change."""
    for question in ("公务接待费是多少", "为什么公务接待费减少", "2024年一般公共预算拨款收入", "项目支出"):
        hits = search.retrieve(question, k=10, mode=mode, filters=filters)
        if filters is not None and filters.doc_ids == frozenset({"nope"}):
            assert hits == []
            continue
        assert hits and all(filters is None or filters.allows(h.node) for h in hits)
        by_id = {n.node_id: n for n in whole}
        assert [h.node.to_dict() for h in hits] == [by_id[h.node.node_id].to_dict() for h in hits]


def test_lexical_search_finds_the_seeds_三公_nodes(search):
    hits = search.retrieve("公务接待费是多少", k=3, mode="lexical")
    assert [h.node.node_id for h in hits] == [
        f"{SEED_ID}::text::{SEED_ID}.txt:1294:6", f"{SEED_ID}::row::附表6:26", f"{SEED_ID}::row::附表7:1"]
    assert [round(h.score, 4) for h in hits] == [15.3404, 15.0969, 14.3425]
    assert "“三公”经费合计 5.54" in hits[2].node.text
    assert hits[1].node.metadata["code"] == "30217"
    prose = search.retrieve("为什么公务接待费减少", k=2, mode="lexical", filters=Filters(node_kinds=PROSE))
    assert [h.node.node_id for h in prose] == [f"{SEED_ID}::text::{SEED_ID}.txt:1294:6",
                                             f"{SEED_ID}::text::{SEED_ID}.txt:1192:0"]
    assert "安排“三公”经费支出预算 5.54 万元" in prose[1].node.text


def test_the_build_saves_the_node_table_an_index_opens(seed_index, tmp_path):
    """Opening reads the table the build saved beside nodes.jsonl (no scan of the file); a
    table that does not end where the file does is not trusted: the file is scanned."""
    import shutil

    from index.layout import NODES, build_folder
    from index.nodetable import NodeTable, table_path

    nodes = build_folder(seed_index) / NODES
    assert table_path(nodes).name == "nodes.table.npz" and table_path(nodes).exists()
    opened, scanned = NodeTable.open(nodes), NodeTable.read(nodes)
    assert len(opened) == len(scanned) == 338
    for filters in FILTERS:
        assert opened.allowed(filters).tolist() == scanned.allowed(filters).tolist()
    assert opened[5].text == scanned[5].text and opened.doc_ids() == {SEED_ID}

    grown = tmp_path / NODES
    shutil.copyfile(nodes, grown)
    shutil.copyfile(table_path(nodes), table_path(grown))
    with grown.open("a", encoding="utf-8") as fh:
        fh.write(nodes.read_text(encoding="utf-8").splitlines()[0] + "\n")
    assert len(NodeTable.open(grown)) == 339
