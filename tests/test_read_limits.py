"""Resource bombs (issue 11, item 6): a file over `corpus.limits.ReadLimits` is refused before
it is inflated, naming what is over which limit; real budgets stay far below every limit.
Memory and time of the issue's full-size files: benchmarks/hostile.py."""

from __future__ import annotations

import zipfile

import pytest

import corpus
from conftest import PDF_DIR, SEED
from corpus.limits import ReadLimits, TooLarge
from office_fixtures import TABLE_5, TABLE_7, with_numbers, write_docx, write_html, write_xlsx


def refused(path, **limits) -> TooLarge:
    with pytest.raises(TooLarge) as caught:
        corpus.load(path, ReadLimits(**limits))
    return caught.value


def zeros_member(path, name: str, megabytes: int, extra: dict[str, bytes] | None = None):
    """A zip whose `name` member is `megabytes` MB of zeros (deflated to ~1/1000)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in (extra or {}).items():
            z.writestr(member, data)
        with z.open(name, "w", force_zip64=True) as fh:
            block = b"\0" * (1024 * 1024)
            for _ in range(megabytes):
                fh.write(block)
    return path


def test_limits_come_from_the_environment():
    limits = ReadLimits.from_env({"BUDGETQA_MAX_ROWS": "123", "BUDGETQA_MAX_PAGES": " "})
    assert limits.max_rows == 123 and limits.max_pages == ReadLimits().max_pages
    with pytest.raises(ValueError, match="BUDGETQA_MAX_CELLS must be an integer"):
        ReadLimits.from_env({"BUDGETQA_MAX_CELLS": "many"})
    with pytest.raises(ValueError, match="must be positive"):
        ReadLimits(max_rows=0)


def test_zip_bomb_is_refused_from_its_directory(tmp_path):
    bomb = zeros_member(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", 64)
    err = refused(bomb)
    assert (err.measure, err.limit) == ("max_zip_ratio", 200) and err.found > 500
    assert err.source == "bomb.xlsx" and "BUDGETQA_MAX_ZIP_RATIO" in str(err)
    err = refused(bomb, max_unzipped_bytes=32 * 1024 * 1024)
    assert err.measure == "max_unzipped_bytes" and err.found == 64 * 1024 * 1024
    docx = zeros_member(tmp_path / "bomb.docx", "word/document.xml", 8)
    assert refused(docx, max_unzipped_bytes=4 * 1024 * 1024).measure == "max_unzipped_bytes"


def test_rows_and_cells_are_counted_before_openpyxl_reads_them(tmp_path):
    path = write_xlsx(tmp_path / "budget.xlsx", [with_numbers(TABLE_5), with_numbers(TABLE_7)])
    doc = corpus.load(path)   # the defaults leave a real workbook alone
    assert doc.table("附表7") is not None
    rows = sum(1 for t in doc.tables for _ in t.rows)
    err = refused(path, max_rows=5)
    assert (err.measure, err.limit, err.found) == ("max_rows", 5, 6)   # counting stops past the limit
    assert refused(path, max_cells=20).measure == "max_cells"
    assert rows > 5


def test_docx_rows_are_counted(tmp_path):
    path = write_docx(tmp_path / "budget.docx", [with_numbers(TABLE_5), with_numbers(TABLE_7)])
    assert corpus.load(path).table("附表7") is not None
    assert refused(path, max_rows=3).measure == "max_rows"


def test_text_size_and_lines(tmp_path):
    size = SEED.stat().st_size
    err = refused(SEED, max_text_bytes=size - 1)
    assert (err.measure, err.found) == ("max_text_bytes", size)
    lines = SEED.read_bytes().count(b"\n") + 1
    assert refused(SEED, max_text_lines=lines - 1).measure == "max_text_lines"
    assert refused(SEED, max_file_bytes=1000).measure == "max_file_bytes"
    assert refused(SEED, max_rows=100).measure == "max_rows"   # the tables read, any format
    assert refused(SEED, max_paragraphs=50).measure == "max_paragraphs"   # before they are embedded
    assert corpus.load(SEED, ReadLimits(max_text_lines=lines, max_text_bytes=size)).table("附表7") is not None


def test_pdf_pages():
    pdf = sorted(PDF_DIR.glob("*.pdf"))[0]
    err = refused(pdf, max_pages=2)
    assert err.measure == "max_pages" and err.found > 2


def test_html_rows_and_cells_are_counted_before_the_page_is_parsed(tmp_path):
    path = write_html(tmp_path / "budget.html", [with_numbers(TABLE_5), with_numbers(TABLE_7)])
    assert corpus.load(path).table("附表7") is not None
    assert refused(path, max_rows=3).measure == "max_rows"
    assert refused(path, max_cells=10).measure == "max_cells"
    rows = tmp_path / "rows.xls"   # an "Excel export" that is an HTML table, 100,000 rows
    rows.write_bytes(b"<html><table>" + b"<TR><td>1</td><td>2</td></TR>" * 100_000 + b"</table></html>")
    err = refused(rows)
    assert (err.measure, err.found) == ("max_rows", 5_001)
