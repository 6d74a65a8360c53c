"""Bad input gets a clear error naming the file, never a crash or a silent wrong value."""

from __future__ import annotations

import os

import pytest

import corpus
from corpus.__main__ import main


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(corpus.ParseError, match="empty.txt: the file is empty"):
        corpus.load(path)


def test_binary_garbage(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_bytes(os.urandom(4096))
    with pytest.raises(corpus.ParseError, match="garbage.txt"):
        corpus.load(path)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "budget.pptx"
    path.write_bytes(b"not really")
    with pytest.raises(corpus.UnsupportedFormat, match=r"budget.pptx: unsupported file type '.pptx'"):
        corpus.load(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(corpus.ParseError, match="no such file"):
        corpus.load(tmp_path / "nope.txt")
    with pytest.raises(corpus.ParseError, match="is a folder"):
        corpus.load(tmp_path)


def test_unparseable_numeric_cell_keeps_raw_text_and_location(tmp_path, seed_path):
    text = seed_path.read_text(encoding="utf-8").replace("30207\t邮电费\t22.61\t0.00\t22.61", "30207\t邮电费\t22.6l\t0.00\t22.61")
    path = tmp_path / "typo.txt"
    path.write_text(text, encoding="utf-8")
    doc = corpus.load(path)
    row = doc.table("附表6").row("30207")
    cell = row.cell("本年一般公共预算基本支出", "合计")
    assert cell.raw == "22.6l" and cell.value is None
    bad = [f for f in doc.findings if f.check == "unparsed_number"]
    assert len(bad) == 1 and bad[0].row == row.id and bad[0].location.line == row.location.line
    assert "22.6l" in bad[0].message


def test_cli_reports_errors_with_exit_status(tmp_path, capsys):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert main(["inspect", str(path)]) == 1
    assert "empty.txt: the file is empty" in capsys.readouterr().err


def test_cli_summary_and_json(seed_path, capsys):
    assert main(["inspect", str(seed_path)]) == 0
    out = capsys.readouterr().out
    assert "附表7" in out and "一般公共预算“三公”经费支出表" in out and "[万元; 1 rows; 6 columns]" in out
    assert main(["inspect", "--json", str(seed_path)]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"document", "tables", "paragraphs", "records", "findings"}
    t7 = next(t for t in data["tables"] if t["id"] == "附表7")
    cell = next(c for c in t7["rows"][0]["cells"] if c["column"] == ["公务接待费"])
    assert (cell["value"], cell["unit"]) == ("0.50", "万元")
