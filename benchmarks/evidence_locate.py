"""How often the printed page can show a cited PDF cell outlined, and whether the outline is
on the right figure: every table cell of the PDFs in an index, cited as the engine cites it.

    .venv/bin/python benchmarks/evidence_locate.py [--index .budgetqa/eval-index/multi-dev] [--per-doc 150]

For a sample of cell facts per PDF document (seeded), builds the citation (`qa.compose.citation`)
and its query (`qa.evidence.cell_query`), locates it on the page's layout, and checks that the
outlined box prints exactly the cell's text as parsed and that the box's line prints every
cell of the parsed row (figures included: a row that only shares the figure fails). Prints,
per document and in total: located and right, located but wrong (must be 0), not located
(the page is then shown unmarked), and the time to read a page's layout and to render it.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from corpus.pageimage import render  # noqa: E402
from corpus.pages import line_text, locate, squash  # noqa: E402
from corpus.readers.pdf import page_layout  # noqa: E402
from index.live import LoadedIndex  # noqa: E402
from index.store import kept_source  # noqa: E402
from qa.compose import citation  # noqa: E402
from qa.evidence import cell_query  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=ROOT / ".budgetqa" / "eval-index" / "multi-dev")
    parser.add_argument("--per-doc", type=int, default=150)
    args = parser.parse_args()
    loaded = LoadedIndex.read(args.index)
    by_doc = defaultdict(list)
    for fact in loaded.store.facts():
        if fact.kind == "cell" and fact.value is not None and ", p." in fact.location:
            by_doc[fact.doc_id].append(fact)
    totals = [0, 0, 0]
    layout_s: list[float] = []
    render_s: list[float] = []
    for doc_id, facts in sorted(by_doc.items()):
        doc = loaded.parsed[doc_id]
        path = kept_source(loaded.build, loaded.manifest["documents"][doc_id])
        sample = random.Random(doc_id).sample(facts, min(args.per_doc, len(facts)))
        counts, layouts, wrong = [0, 0, 0], {}, []
        for fact in sample:
            c = citation(fact, loaded.documents)
            query = cell_query(c, doc)
            if query is None or path is None:
                continue
            if query.page not in layouts:
                start = time.perf_counter()
                layouts[query.page] = page_layout(path, query.page)
                layout_s.append(time.perf_counter() - start)
            layout = layouts[query.page]
            found = locate(layout, query) if layout is not None else None
            if found is None:
                counts[2] += 1
                continue
            inside = "".join(w.text for w in layout.words if found.cell.contains_point(*w.box.middle))
            raw, row_texts = _raw(doc, c)
            band = line_text(layout, found.cell)
            missing = [t for t in row_texts if squash(t) not in band]
            if squash(inside) == squash(raw) and not missing:
                counts[0] += 1
            else:
                counts[1] += 1
                wrong.append(f"    {c.table} {c.row} / {c.column} p.{query.page}: box prints {inside!r}, cell {raw!r};"
                             f" the row's {missing} not on the box's line")
        for page in list(layouts)[:2]:
            start = time.perf_counter()
            render(path, page, None)
            render_s.append(time.perf_counter() - start)
        totals = [t + n for t, n in zip(totals, counts)]
        print(f"{doc_id[:60]:60}  right {counts[0]:4}  wrong {counts[1]:3}  not located {counts[2]:4}")
        print("\n".join(wrong[:5]))
    n = sum(totals) or 1
    print(f"\ntotal {sum(totals)} cited cells: right {totals[0]} ({totals[0] / n:.1%}), wrong {totals[1]}, "
          f"not located {totals[2]} ({totals[2] / n:.1%})")
    print(f"page layout median {_median(layout_s) * 1000:.0f} ms over {len(layout_s)} pages; "
          f"render (144 dpi) median {_median(render_s) * 1000:.0f} ms over {len(render_s)} pages")


def _raw(doc, c) -> tuple[str, list[str]]:
    """The cited cell's text as parsed, and the texts of all the row's cells (figures too)."""
    table = doc.table(c.table) if c.table else None
    row = table.row_by_id(c.row_id) if table is not None and c.row_id else None
    cells = row.cells if row else ()
    cell = next((x for x in cells if " / ".join(x.column) == c.column and x.value == c.value), None)
    return (cell.raw if cell is not None else ""), [x.raw for x in cells if x.raw]


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2] if values else 0.0


if __name__ == "__main__":
    main()
