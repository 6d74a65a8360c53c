"""The benchmark's figures as plain-text or markdown tables, with the notes that say how each
was measured. An estimated size says so in its row; it has no measured columns."""

from __future__ import annotations

import os
import platform

from .factscale import FactRun
from .run import BenchResult, SizeResult

BUILD_HEADER = ["corpus", "docs", "templates", "nodes", "distinct texts", "cache reuse", "cache before",
                "embedded", "cold build s", "warm build s", "index MB", "build peak RSS MB cold/warm"]
SERVE_HEADER = ["corpus", "facts", "serving RSS MB", "load s", "named p50/p95 ms", "named: figure / right budget",
                "unnamed p50/p95 ms", "unnamed: figure"]
FACT_HEADER = ["fact store alone", "docs", "facts", "write s", "facts/s", "synthesis s", "MB", "peak RSS MB",
               "named p50/p95 ms", "named: figure", "unnamed p50/p95 ms", "unnamed: figure / each budget / asked back"]


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.0f} %"


def build_cells(r: SizeResult) -> list[str]:
    need = r.need
    head = [r.label, f"{r.docs:,}", str(r.templates), f"{need.nodes:,}" if need else "",
            f"{need.distinct:,}" if need and need.distinct else "",
            _pct(need.reuse) if need and need.distinct else "", r.cache]
    if r.estimated or r.cold is None or r.warm is None:
        return [*head, f"~{need.uncached:,} (est.)" if need else "", r.estimated, "", "", ""]
    return [*head, f"{r.cold.embedded:,}", f"{r.cold.seconds:.1f}", f"{r.warm.seconds:.1f}", f"{r.size_mb:.1f}",
            f"{r.rss[0]:.0f} / {r.rss[1]:.0f}"]


def serve_cells(r: SizeResult) -> list[str]:
    s = r.serving
    assert s is not None and r.cold is not None
    return [r.label, f"{r.cold.facts:,}", f"{s.rss_mb:.0f}", f"{s.load_seconds:.1f}",
            f"{s.named.p50:.0f} / {s.named.p95:.0f}", f"{_pct(s.named.answered)} / {_pct(s.named.right_budget)}",
            f"{s.unnamed.p50:.0f} / {s.unnamed.p95:.0f}", _pct(s.unnamed.answered)]


def fact_answer_cells(f: FactRun) -> list[str]:
    if f.named is None or f.unnamed is None:
        return ["", "", "", ""]
    u = f.unnamed
    return [f"{f.named.p50:.0f} / {f.named.p95:.0f}", _pct(f.named.answered), f"{u.p50:.0f} / {u.p95:.0f}",
            f"{_pct(u.answered)} / {_pct(u.each_budget)} / {_pct(u.asked_back)}"]


def table(header: list[str], rows: list[list[str]], markdown: bool) -> str:
    if markdown:
        lines = [header, ["---"] * len(header), *rows]
        return "\n".join("| " + " | ".join(cells) + " |" for cells in lines)
    widths = [max(len(row[c]) for row in [header, *rows]) for c in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows])


def render(result: BenchResult, markdown: bool) -> str:
    config, parse = result.config, result.parse
    served = [r for r in result.sizes if r.serving is not None]
    parts = [table(BUILD_HEADER, [build_cells(r) for r in result.sizes], markdown), ""]
    if served:
        parts += [table(SERVE_HEADER, [serve_cells(r) for r in served], markdown), ""]
    if result.facts:
        rows = [["", f"{f.docs:,}", f"{f.facts:,}", f"{f.write_seconds:.1f}", f"{f.facts / f.write_seconds:,.0f}",
                 f"{f.synth_seconds:.1f}", f"{f.size_mb:.0f}", f"{f.rss_mb:.0f}", *fact_answer_cells(f)] for f in result.facts]
        parts += [table(FACT_HEADER, rows, markdown), ""]
    notes = [
        (f"Machine: {os.cpu_count()} CPU(s), {platform.machine()}, Python {platform.python_version()}, load average "
         f"{result.load:.1f} at start; embedder {config.embedder}; store {getattr(config, 'store', '') or 'embedded (SQLite + FAISS + bm25s)'}; "
         f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', 'unset')}."),
        (f"Parsing the {parse.files} templates ({parse.pages} PDF pages): 1 process {parse.seconds[1]:.1f} s "
         f"({parse.pages_per_second(1):.1f} pages/s), 2 processes {parse.seconds[2]:.1f} s "
         f"({parse.pages_per_second(2):.1f} pages/s)."),
        ("Synthetic document i = template i mod 17 (the seed, then the 16 PDFs of evaluation/corpora/extra), parsed "
         "once and perturbed: department 示例市第i局, budget year 2020 + i mod 6, figures printed with decimals "
         "and whole 元/万元 cells × a factor in [0.5, 2]. Synthesis is done before a build starts and is not in its seconds."),
        ("distinct texts = the embedding texts of the corpus's nodes, each once (what an empty cache must embed); "
         "cache reuse = the share of nodes whose text another node already has. cold = first build, its cache "
         "holding only what smaller sizes embedded (`cache before`; the seed has its own); `embedded` = texts that "
         "reached the model. warm = the same corpus again into a new folder, every text cached."),
        "Peak RSS per build and for serving, each in its own process. Index MB = the warm index folder on disk.",
        ("Serving: qa.Engine over the warm index, loaded, asked one warm-up question and one search (`load s`; "
         "the search index and the embedder count in the RSS), then "
         f"{result.queries} questions naming a budget (department + year + a line every template prints) and "
         f"{result.queries} development questions naming none, one at a time. figure = answered with a figure; "
         "right budget = answered from the named budget only."),
        (f"A size whose cold + warm build is estimated over {result.max_minutes:g} min is not run: its row gives "
         "the estimate (measured rates of the previous size × its measured embedding need), marked est."),
    ]
    if result.facts:
        notes.append("Fact store alone: synthetic documents' facts written to one FactStore (SQLite) in a fresh "
                     "process; write s excludes synthesis and fact extraction (synthesis s). Then the same questions "
                     "answered from the store alone (qa.engine.answer_from, no search index), after a warm-up: "
                     "figure = one figure; each budget = each budget's figure (several budgets); asked back = "
                     "the question back, how many budgets hold the item (qa.unnamed).")
    parts += [("- " if markdown else "") + note for note in notes]
    return "\n".join(parts)
