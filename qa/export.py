"""What a person takes away from an answer: the cited table as CSV and XLSX, and the answer
with its sources as JSON (exactly `Answer.to_dict()`, the contract of `python -m qa ask --json`
and of `POST /api/ask`). Pure functions without gradio; app.py writes the files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from corpus import BudgetDocument, Table

from .answer import Answer
from .render import Documents, by_id, cited_row, column_name

CITED_FILL = "FFF3B0"   # the page's highlight of a cited row
CITED_CELL_FILL = "FFD54F"


def answer_json(answer: Answer) -> str:
    """The answer as `python -m qa ask --json` prints it."""
    return json.dumps(answer.to_dict(), ensure_ascii=False, indent=1)


def cited_table(answer: Answer, documents: Documents) -> tuple[BudgetDocument, Table] | None:
    """The first table the answer cites (document, table), or None for a prose answer."""
    cited = by_id(documents)
    for c in answer.citations:
        doc = cited.get(c.doc_id)
        table = doc.table(c.table) if doc is not None and c.table else None
        if table is not None and doc is not None:
            return doc, table
    return None


def table_grid(table: Table) -> list[list[str]]:
    """Header (column paths joined with " / ") then every row as printed."""
    grid = [[column_name(c) for c in table.columns]]
    grid += [[cell.raw for cell in row.cells] for row in table.rows]
    return grid


def table_csv(table: Table) -> str:
    """The table as CSV text (UTF-8 with a byte-order mark when written, so Excel reads the
    Chinese); cells as printed, numbers with their printed digits."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table_grid(table))
    return out.getvalue()


def export_name(doc: BudgetDocument, table: Table) -> str:
    """A file name stem: document id and table key, safe on every system."""
    return re.sub(r"[^\w\-]+", "_", f"{doc.doc_id}_{table.key}").strip("_")


def write_table_csv(table: Table, path: Path) -> Path:
    path.write_text(table_csv(table), encoding="utf-8-sig")
    return path


def write_table_xlsx(doc: BudgetDocument, table: Table, path: Path, answer: Answer | None = None) -> Path:
    """The table as a worksheet: a title line (document, table, unit, source file), the
    header, the rows with numbers as numbers; the rows and cells the answer cites filled
    as on the page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\[\]:*?/\\]", "_", table.key)[:31] or "table"
    unit = f"（单位：{table.unit}）" if table.unit else ""
    ws.append([f"{doc.title} {table.display_title}{unit}"])
    ws.append([f"来源：{table.location}"])
    ws.append([column_name(c) for c in table.columns])
    for cell in ws[3]:
        cell.font = Font(bold=True)
    hit_rows: set[str] = set()
    hit_cells: set[tuple[str, str]] = set()
    for c in answer.citations if answer else ():
        if c.doc_id == doc.doc_id and c.table == table.key:
            row = cited_row(table, c)
            if row is not None:
                hit_rows.add(row.id)
                if c.column:
                    hit_cells.add((row.id, c.column))
    for row in table.rows:
        ws.append([cell.value if cell.value is not None else cell.raw for cell in row.cells])
        for cell, source in zip(ws[ws.max_row], row.cells):
            if source.value is not None:
                cell.number_format = number_format(source.raw)
            if row.id in hit_rows:
                hit = (row.id, column_name(source.column)) in hit_cells
                cell.fill = PatternFill("solid", fgColor=CITED_CELL_FILL if hit else CITED_FILL)
    wb.save(path)
    return path


def number_format(raw: str) -> str:
    """Excel's format for a printed number: as many decimals as printed (0.50 stays 0.50)."""
    found = re.search(r"\.(\d+)", raw)
    decimals = len(found.group(1)) if found else 0
    return "#,##0" + ("." + "0" * decimals if decimals else "")


DOWNLOADS_KEPT = 32   # answers whose files stay on disk: more than the page answers at once


def answer_folder(root: str | Path | None = None, keep: int = DOWNLOADS_KEPT) -> Path:
    """A fresh folder for one answer's downloads under `root` (default: budgetqa-downloads in
    the system's temporary folder), the oldest beyond the newest `keep` removed first, so the
    files of a long-running page never pile up. Gradio copies a returned file into its own
    cache (cleaned by `delete_cache`), so a folder removed later breaks no link."""
    import shutil
    import tempfile

    base = Path(root) if root else Path(tempfile.gettempdir()) / "budgetqa-downloads"
    base.mkdir(parents=True, exist_ok=True)
    old = sorted((p for p in base.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for folder in old[:max(0, len(old) - keep + 1)]:
        shutil.rmtree(folder, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix="answer-", dir=base))
