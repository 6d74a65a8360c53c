"""A Ray build (`python -m index build --ray`) and a local build of the same folder give the
same index: documents, nodes, facts, vectors and answers. The folder is the seed and 万里街道's
2024 budget (a real PDF). The Ray build's workers start from a cache without a dozen of the
texts, so they do embed some themselves; the rest come from the cache, as they would on a
rebuild."""

from __future__ import annotations

import shutil
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import corpus

from index.config import IndexConfig
from index.layout import FACTS, MANIFEST, NODES, build_folder, load_nodes, read_manifest
from index.store import build_index

from conftest import PDF_DIR, SEED

WANLI_2024 = PDF_DIR / "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf"
LEFT_OUT = 12  # texts the Ray workers must embed: a model load and a second, not a cold build
# each budget's figure, one budget's figures, a passage; with what the local build answers
QUESTIONS = {"公务接待费是多少": ("lookup", None), "智能制造产业园管理办公室的公务接待费是多少": ("lookup", "0.50"),
             "万里街道的公务接待费是多少": ("lookup", "1.35"),
             "万里街道2024年一般公共预算财政拨款支出是多少": ("lookup", "15621.11"), "什么是基本支出": ("passage", None)}


@pytest.fixture(scope="module")
def ray_cluster():
    import ray

    from index.rayingest import connect

    connect()  # one local Ray for the module; a build reuses it and leaves it running
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def two_builds(ray_cluster, tmp_path_factory):
    from index.rayingest import RayIngest

    root = tmp_path_factory.mktemp("ray")
    folder = root / "budgets"
    folder.mkdir()
    for path in (SEED, WANLI_2024):
        shutil.copy2(path, folder / path.name)
    config = IndexConfig.from_env()
    local = build_index([folder], root / "local", config, show_bars=False)
    ray_config = replace(config, cache_dir=root / "ray-cache")
    left_out = _cache_all_but(root / "local", config, ray_config, LEFT_OUT)
    on_ray = build_index([folder], root / "ray", ray_config, show_bars=False, ingest=RayIngest())
    return local, on_ray, left_out


def _cache_all_but(index: Path, config: IndexConfig, target: IndexConfig, n: int) -> int:
    """Fill `target`'s cache with `config`'s vectors of every text of `index` but `n`."""
    from index.embeddings import CachedEmbedder, EmbeddingCache, load_embedder, text_hash
    from index.nodes import embed_text

    key = CachedEmbedder(load_embedder(config.embedder), EmbeddingCache.in_dir(config.cache_dir)).model_key
    hashes = sorted({text_hash(embed_text(node)) for node in load_nodes(index)})
    with EmbeddingCache.in_dir(config.cache_dir) as shared, EmbeddingCache.in_dir(target.cache_dir) as fresh:
        found = shared.get_many(key, "passage", hashes)
        assert len(found) == len(hashes)  # the local build put every text there
        fresh.put_many(key, "passage", {h: found[h] for h in hashes[n:]})
    return n


def _rows(index: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(build_folder(index) / FACTS)
    try:
        tables = [t for (t,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        db.close()


def _vectors(index: Path) -> tuple[np.ndarray, np.ndarray]:
    from index.dense import DenseIndex

    return DenseIndex.load(build_folder(index) / "dense")._stored()


def test_the_ray_workers_parse_and_embed_what_the_cache_lacks(two_builds):
    local, on_ray, left_out = two_builds
    assert on_ray.reparsed == local.reparsed == ["02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan",
                                                 "2024_wuhan-jkq_intelligent-manufacturing-park_budget"]
    assert on_ray.embedded == left_out
    assert (on_ray.nodes, on_ray.facts) == (local.nodes, local.facts) == (665, 3228)


def test_a_ray_build_writes_the_same_index_as_a_local_build(two_builds):
    local, on_ray, _ = two_builds
    a, b = read_manifest(local.out), read_manifest(on_ray.out)
    assert a["documents"] == b["documents"] and len(a["documents"]) == 2
    assert a["embedder"] == b["embedder"]
    assert (build_folder(local.out) / NODES).read_bytes() == (build_folder(on_ray.out) / NODES).read_bytes()
    facts = _rows(local.out)
    assert len(facts["facts"]) == 3228 and len(facts["documents"]) == 2
    assert facts == _rows(on_ray.out)
    (ids_a, vec_a), (ids_b, vec_b) = _vectors(local.out), _vectors(on_ray.out)
    assert vec_a.shape == (665, 384)
    assert np.array_equal(ids_a, ids_b) and np.array_equal(vec_a, vec_b)
    assert (build_folder(on_ray.out) / MANIFEST).exists()


def test_a_ray_build_answers_as_a_local_build(two_builds):
    from qa import Engine

    local, on_ray, _ = two_builds
    a, b = Engine(local.out), Engine(on_ray.out)
    answers = [(a.answer(q), b.answer(q)) for q in QUESTIONS]
    for x, y in answers:
        assert replace(x, timings={}) == replace(y, timings={})  # all but how long each took
    assert [(x.kind, x.value and str(x.value)) for x, _ in answers] == list(QUESTIONS.values())
    assert "智能制造产业园" in answers[0][0].answer and "万里街道" in answers[0][0].answer  # both budgets' figures


def test_a_file_ray_cannot_parse_is_refused_with_the_local_message(ray_cluster, tmp_path):
    import corpus
    from index.rayingest import RayIngest

    (tmp_path / "broken.pdf").write_bytes(b"not a pdf")
    messages = []
    for name, ingest in (("local", None), ("ray", RayIngest())):
        with pytest.raises(corpus.ParseError) as raised:
            build_index([tmp_path / "broken.pdf"], tmp_path / name, show_bars=False, ingest=ingest)
        messages.append(str(raised.value))
    assert messages[0] == messages[1] and messages[0].startswith("broken.pdf: cannot read PDF")


def test_ray_not_installed_says_how_to_install_it(monkeypatch, tmp_path, capsys):
    from index.__main__ import main

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError, as without the extra
    assert main(["build", str(SEED), "--out", str(tmp_path / "index"), "--ray"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install -e '.[ray]'" in err and "--ray" in err
    assert not (tmp_path / "index").exists()


@pytest.mark.parametrize("argv,paths,address", [
    (["build", "--ray"], [corpus.default_corpus_dir()], None),  # no path: the bundled corpus, Ray here
    (["build", str(SEED), "--ray", "10.0.0.5:6379"], [SEED], "10.0.0.5:6379"),
    (["build", "--ray", str(SEED)], [SEED], None),              # `--ray FILE`: a path, not an address
])
def test_what_build_ray_builds(monkeypatch, tmp_path, argv, paths, address):
    import index.__main__ as cli
    import index.rayingest as rayingest

    seen = {}
    monkeypatch.setattr(rayingest, "import_ray", lambda: None)
    monkeypatch.setattr(rayingest, "RayIngest", lambda addr: ("ray", addr))
    monkeypatch.setattr(cli, "build_index", lambda p, out, config, show_bars, ingest: seen.update(paths=p, ingest=ingest)
                        or (_ for _ in ()).throw(SystemExit(0)))
    with pytest.raises(SystemExit):
        cli.main([*argv, "--out", str(tmp_path / "index")])
    assert [Path(p) for p in seen["paths"]] == paths
    assert seen["ingest"] == ("ray", address)
