"""Document-level parity: 附表5, 附表7 and the empty 附表8 typed into XLSX, DOCX and HTML
files load as the same tables as the seed txt: titles, units, column paths, rows, codes,
hierarchy, cells, and the empty-table marker."""

from __future__ import annotations

import pytest

import corpus
from office_fixtures import TABLE_5, TABLE_7, TABLE_8, with_numbers, write_docx, write_html, write_xlsx

TABLE_KEYS = ("附表5", "附表7", "附表8")


def table_signature(doc, table):
    """Everything a question can ask of a table, with parents named by code or label
    (row ids differ between documents by design)."""
    def parent_name(row):
        parent = table.row_by_id(row.parent) if row.parent else None
        return parent.code or parent.label if parent else None

    return {
        "title": table.title,
        "unit": table.unit,
        "empty": table.empty,
        "notes": table.notes,
        "columns": table.columns,
        "rows": [
            (
                r.label,
                r.code,
                r.level,
                parent_name(r),
                r.is_total,
                [(c.column, c.raw, c.value, c.unit) for c in r.cells],
            )
            for r in table.rows
        ],
    }


def build(kind: str, tmp_path):
    numeric = [with_numbers(TABLE_5), with_numbers(TABLE_7), TABLE_8]
    printed = [TABLE_5, TABLE_7, TABLE_8]
    builders = {
        "xlsx-sheet-per-table": lambda: write_xlsx(tmp_path / "a.xlsx", numeric),
        "xlsx-one-sheet": lambda: write_xlsx(tmp_path / "b.xlsx", numeric, one_sheet=True),
        "xlsx-no-borders-no-gap": lambda: write_xlsx(
            tmp_path / "c.xlsx", numeric, one_sheet=True, borders=False, blank_rows_between=0
        ),
        "xlsx-inline-captions": lambda: write_xlsx(tmp_path / "d.xlsx", numeric, captions="inline"),
        "xlsx-joined-captions": lambda: write_xlsx(tmp_path / "e.xlsx", numeric, captions="joined"),
        "xlsx-figures-as-text": lambda: write_xlsx(tmp_path / "f.xlsx", printed),
        "docx": lambda: write_docx(tmp_path / "g.docx", printed),
        "docx-joined-captions": lambda: write_docx(tmp_path / "h.docx", printed, captions="joined"),
        "html-gbk": lambda: write_html(tmp_path / "i.html", printed, encoding="gbk"),
    }
    return builders[kind]()


@pytest.fixture(scope="module")
def txt_tables(request):
    doc = corpus.load(
        request.config.rootpath / "corpus" / "data" / "2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt"
    )
    return {key: table_signature(doc, doc.table(key)) for key in TABLE_KEYS}


@pytest.mark.parametrize(
    "kind",
    [
        "xlsx-sheet-per-table",
        "xlsx-one-sheet",
        "xlsx-no-borders-no-gap",
        "xlsx-inline-captions",
        "xlsx-joined-captions",
        "xlsx-figures-as-text",
        "docx",
        "docx-joined-captions",
        "html-gbk",
    ],
)
def test_office_tables_match_the_txt_document(kind, tmp_path, txt_tables):
    doc = corpus.load(build(kind, tmp_path))
    assert [t.key for t in doc.tables] == list(TABLE_KEYS)
    for key in TABLE_KEYS:
        assert table_signature(doc, doc.table(key)) == txt_tables[key], key
    assert [f for f in doc.findings if f.severity == "error"] == []


def test_office_answer_is_cited_to_the_sheet_row(tmp_path):
    doc = corpus.load(write_xlsx(tmp_path / "budget.xlsx", [with_numbers(TABLE_5), with_numbers(TABLE_7)]))
    row = doc.table("附表7").rows[0]
    assert str(row.value("公务用车购置及运行费", "公务用车运行费")) == "5.04"
    assert row.location.source == "budget.xlsx"
    assert row.location.sheet == "附表7"
    assert row.location.line == 6  # 附表7 / title / 部门…单位 / two header rows / this row
