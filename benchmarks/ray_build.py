"""Build time, local vs Ray (`python -m index build [--ray]`), and how long `ray.init` takes:

    .venv/bin/python benchmarks/ray_build.py [--cold] [--pdfs N]

Corpora: the seed, and N (default 4) PDFs of ../shared/corpus/extra. Each is built into a
fresh index folder, once with the local ingest (process pool of BUDGETQA_PARSE_WORKERS) and
once on Ray started here (2 CPUs; the build times exclude `ray.init`, printed apart). Warm:
the project's embedding cache (every text cached: parse, facts, nodes and writing). With
--cold also with an empty cache per build (every text embedded: what a first build costs).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "passive")

from index.config import IndexConfig  # noqa: E402
from index.rayingest import RayIngest, connect, import_ray  # noqa: E402
from index.store import build_index  # noqa: E402

SEED = ROOT / "corpus" / "data" / "2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt"
EXTRA = ROOT.parent / "shared" / "corpus" / "extra"
# two Shanghai and two Jiangsu templates, 88–628 KB
PDFS = ("02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf", "shanghai_putuo_caizhengju_2025_bumen_yusuan.pdf",
        "jiangsu_renda_changweihui_2019_bumen_yusuan_biaoge.pdf", "06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf")


def timed_init() -> float:
    start = time.perf_counter()
    connect()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", action="store_true", help="also build with an empty embedding cache")
    parser.add_argument("--pdfs", type=int, default=4, help="how many PDFs of ../shared/corpus/extra")
    args = parser.parse_args()
    ray = import_ray()
    config = IndexConfig.from_env()
    corpora = {"seed": [SEED], f"{args.pdfs} PDFs": [EXTRA / name for name in PDFS[:args.pdfs]]}

    first = timed_init()
    ray.shutdown()
    second = timed_init()  # Ray stays up for the builds, as a cluster would
    print(f"ray.init (local, 2 CPUs, no dashboard): {first:.1f} s first, {second:.1f} s again")
    print(f"{'corpus':<8} {'cache':<5} {'ingest':<6} {'docs':>4} {'nodes':>6} {'embedded':>8} {'seconds':>8}")
    with tempfile.TemporaryDirectory(prefix="ray-bench-") as tmp:
        for cold in (False, True) if args.cold else (False,):
            for label, files in corpora.items():
                for ingest in ("local", "ray"):
                    run = f"{label}-{'cold' if cold else 'warm'}-{ingest}".replace(" ", "")
                    cfg = replace(config, cache_dir=Path(tmp) / run / "cache") if cold else config
                    report = build_index(files, Path(tmp) / run / "index", cfg, show_bars=False,
                                         ingest=RayIngest() if ingest == "ray" else None)
                    print(f"{label:<8} {'cold' if cold else 'warm':<5} {ingest:<6} {report.documents:>4} "
                          f"{report.nodes:>6} {report.embedded:>8} {report.seconds:>8.1f}", flush=True)
    ray.shutdown()


if __name__ == "__main__":
    main()
