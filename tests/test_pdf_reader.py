"""The PDF reader at the block level, on real published budgets.

These check the grids and text lines `read_pdf` hands to the assembler, not the parsed
document (that is tests/test_pdf_documents.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.blocks import NoTextLayer, ParseError, RawCell, RawTable, TextLine
from corpus.grid import clean_pdf_cell as clean_cell_text, drop_spacer_columns as drop_empty_columns
from corpus.readers import read_pdf
from corpus.readers.pdf import repair_unit_lines

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
WANLI = FIXTURES / "02_shanghai_putuo_wanli_jiedao_2024_bumen_yusuan.pdf"
FAYUAN = FIXTURES / "06_jiangsu_gaoji_fayuan_2019_bumen_yusuan.pdf"


@pytest.fixture(scope="module")
def wanli() -> list:
    return read_pdf(WANLI)


@pytest.fixture(scope="module")
def fayuan() -> list:
    return read_pdf(FAYUAN)


def tables(blocks: list) -> list[RawTable]:
    return [b for b in blocks if isinstance(b, RawTable)]


def texts(row: list[RawCell | None]) -> list[str | None]:
    return [c.text if c else None for c in row]


def spans(row: list[RawCell | None]) -> list[int | None]:
    return [c.span if c else None for c in row]


def table_with(blocks: list, text: str) -> RawTable:
    """The one table that has a cell reading exactly `text`."""
    found = [t for t in tables(blocks) if any(c and c.text == text for row in t.rows for c in row)]
    assert len(found) == 1, f"{len(found)} tables hold {text!r}"
    return found[0]


def lines_before(blocks: list, table: RawTable, n: int = 4) -> list[str]:
    i = next(k for k, b in enumerate(blocks) if b is table)
    return [b.text for b in blocks[max(0, i - n):i] if isinstance(b, TextLine)]


def pages_of(table: RawTable) -> list[int]:
    return sorted({loc.page for loc in table.row_locations})


# --- 上海市普陀区万里街道 2024 ------------------------------------------------------------------


def test_wanli_sangong_header_spans(wanli):
    t = table_with(wanli, "公务用车购置及运行费")
    assert texts(t.rows[0]) == ["2024年“三公”经费预算数", None, None, None, None, None, "2024年机关运行经费预算数"]
    assert spans(t.rows[0])[0] == 6 and spans(t.rows[0])[6] == 1
    assert texts(t.rows[1])[:4] == ["合计", "因公出国(境)费", "公务接待费", "公务用车购置及运行费"]
    assert spans(t.rows[1])[3] == 3  # over 小计/购置费/运行费, not over 机关运行经费
    assert texts(t.rows[2]) == [None, None, None, "小计", "购置费", "运行费", None]
    assert t.header_rows == 3


def test_wanli_sangong_values_and_unit_line(wanli):
    t = table_with(wanli, "公务用车购置及运行费")
    assert texts(t.rows[-1]) == ["47.91", "0", "1.35", "46.56", "25", "21.56", "443.18"]
    assert t.location.page == 31
    before = lines_before(wanli, t)
    assert before[-2] == "部门“三公”经费和机关运行经费预算表"
    assert before[-1].endswith("单位:万元")


def test_wanli_stray_empty_note_stays_a_text_line(wanli):
    t = table_with(wanli, "公务用车购置及运行费")
    after = wanli[wanli.index(t) + 1]
    assert isinstance(after, TextLine) and "故本表为空表" in after.text


def test_wanli_income_table_over_five_pages_is_one_table(wanli):
    t = table_with(wanli, "收入预算")
    assert pages_of(t) == [11, 12, 13, 14, 15]
    assert len(t.row_locations) == len(t.rows)
    assert t.header_rows == 3
    assert texts(t.rows[2])[:3] == ["类", "款", "项"]
    # the page-15 continuation is one 合计 row whose label covers 类/款/项/名称
    assert texts(t.rows[-1]) == ["合计", None, None, None, "156,211,123", "156,211,123", "0", "0", "0"]
    assert spans(t.rows[-1])[0] == 4
    assert t.row_locations[-1].page == 15
    assert "收入预算总表" in " ".join(lines_before(wanli, t))
    assert lines_before(wanli, t)[-1].endswith("单位：元")


def test_wanli_total_income_in_yuan(wanli):
    # 收入总计 is printed in the 收支总表 (p.10) and again in the 财政拨款收支总表 (p.21)
    t = next(t for t in tables(wanli) if t.location.page == 10)
    row = next(r for r in t.rows if r[0] and r[0].text == "收入总计")
    assert row[1].text == "156,211,123"
    assert lines_before(wanli, t)[-1].endswith("单位：元")


def test_wanli_repeated_header_on_continuation_pages_is_dropped(wanli):
    t = table_with(wanli, "一般公共预算支出")
    assert pages_of(t) == [22, 23, 24, 25, 26]
    assert sum(1 for r in t.rows if r[0] and r[0].text == "类") == 1
    assert sum(1 for r in t.rows if r[0] and r[0].text == "项目") == 1
    codes = [tuple(texts(r)[:3]) for r in t.rows[3:-1]]
    assert ("204", "", "") in codes and ("221", "02", "01") in codes
    assert len(codes) == len(set(codes))  # no row is lost or read twice at a page break
    assert texts(t.rows[-1])[4:] == ["156,211,123", "99,706,020", "56,505,103"]


def test_wanli_empty_table_header_ends_before_blank_total_row(wanli):
    t = table_with(wanli, "政府性基金预算支出")
    assert t.header_rows == 3
    assert texts(t.rows[3]) == ["合计", None, None, None, "", "", ""]


def test_wanli_economic_codes_kept_as_printed(wanli):
    t = table_with(wanli, "津贴补贴")
    row = next(r for r in t.rows if r[2] and r[2].text == "津贴补贴")
    assert texts(row)[:2] == ["301", "2"]  # unpadded 款 code stays as printed


def test_wanli_wrapped_header_text_is_joined(wanli):
    t = table_with(wanli, "事业单位经营收入")
    assert t.location.page == 11


def test_wanli_table_of_contents_is_text(wanli):
    # its frame is made of invisible white boxes, so it must not become a table
    assert not any(t.location.page == 2 for t in tables(wanli))
    assert any(isinstance(b, TextLine) and b.location.page == 2 and b.text.startswith("一、部门主要职能") for b in wanli)


# --- 江苏省高级人民法院 2019 --------------------------------------------------------------------


def test_fayuan_table09_values(fayuan):
    t = table_with(fayuan, "“三公”经费")
    assert t.location.page == 14
    assert texts(t.rows[-1]) == ["2,382.02", "513.75", "160.00", "266.80", "", "266.80", "86.95", "271.02", "1,597.25"]
    assert texts(t.rows[1])[2] == "因公出国（境）费"
    assert spans(t.rows[0])[1] == 6  # “三公”经费 over 小计 … 公务接待费
    assert spans(t.rows[1])[3] == 3


def test_fayuan_table09_unit_line_repaired(fayuan):
    t = table_with(fayuan, "“三公”经费")
    before = lines_before(fayuan, t)
    assert "单位：万元" in before
    assert "部门名称：江苏省高级人民法院" in before
    assert any(line.startswith("公开") and "09表" in line for line in before)


def test_no_all_empty_columns(wanli, fayuan):
    for t in tables(wanli) + tables(fayuan):
        width = len(t.rows[0])
        assert all(len(r) == width for r in t.rows)
        for j in range(width):
            assert any(r[j] is not None and r[j].text for r in t.rows), (t.location, j)


def test_fayuan_grids_are_not_spacer_ridden(fayuan):
    assert max(len(t.rows[0]) for t in tables(fayuan)) <= 9
    summary = table_with(fayuan, "功能分类")
    assert len(summary.rows[0]) == 6


def test_fayuan_open_topped_continuation_keeps_its_first_row(fayuan):
    t = table_with(fayuan, "采购品目大类")
    assert pages_of(t) == [16, 17]
    first_on_17 = next(r for r, loc in zip(t.rows, t.row_locations) if loc.page == 17)
    assert texts(first_on_17)[2:] == ["会议费", "", "", "110.05"]
    leaked = [b.text for b in fayuan if isinstance(b, TextLine) and b.location.page == 17 and "110.05" in b.text]
    assert leaked == []


def test_fayuan_quote_glyphs_normalised(fayuan):
    text = "\n".join(b.text for b in fayuan if isinstance(b, TextLine))
    assert "苏财预〔2019〕7 号" in text
    assert "„" not in text and "‟" not in text


def test_fayuan_page_numbers_dropped(fayuan):
    assert not any(isinstance(b, TextLine) and b.text.strip().isdigit() for b in fayuan)


def test_text_lines_carry_file_and_page(fayuan):
    first = fayuan[0]
    assert isinstance(first, TextLine)
    assert first.text == "江苏省高级人民法院"
    assert (first.location.source, first.location.page) == (FAYUAN.name, 1)


# --- helpers ------------------------------------------------------------------------------


def word(text: str, x0: float, top: float) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + 12 * len(text), "top": top, "bottom": top + 10}


def test_unit_line_repair_moves_the_tail_under_the_cut_unit():
    lines = [[word("单位：万", 480, 100)], [word("部门名称：江苏省高级人民法院", 60, 112), word("元", 500, 112)]]
    out = repair_unit_lines(lines)
    assert [[w["text"] for w in line] for line in out] == [["单位：万元"], ["部门名称：江苏省高级人民法院"]]


def test_unit_line_repair_leaves_complete_units_and_far_words_alone():
    complete = [[word("单位：万元", 480, 100)], [word("元", 500, 112)]]
    assert [[w["text"] for w in line] for line in repair_unit_lines(complete)] == [["单位：万元"], ["元"]]
    elsewhere = [[word("单位：万", 480, 100)], [word("元", 100, 112)]]
    assert [[w["text"] for w in line] for line in repair_unit_lines(elsewhere)] == [["单位：万"], ["元"]]


def test_clean_cell_text():
    assert clean_cell_text("机关运行经\n费预算数") == "机关运行经费预算数"
    assert clean_cell_text("合 计") == "合计"
    assert clean_cell_text("Office\nSoftware") == "Office Software"
    assert clean_cell_text("苏财预„2019‟7号") == "苏财预〔2019〕7号"


def test_drop_empty_columns_shrinks_covering_spans():
    rows = [
        [RawCell("收入", 3), None, None, RawCell("支出", 1)],
        [RawCell("项目", 1), RawCell("", 1), RawCell("金额", 1), RawCell("金额", 1)],
    ]
    out = drop_empty_columns(rows)
    assert [texts(r) for r in out] == [["收入", None, "支出"], ["项目", "金额", "金额"]]
    assert spans(out[0]) == [2, None, 1]


# --- bad input ----------------------------------------------------------------------------


def minimal_pdf(content: bytes) -> bytes:
    """A one-page PDF whose page draws `content` (no fonts, so no text layer)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def test_truncated_pdf_raises_parse_error(tmp_path):
    path = tmp_path / "truncated.pdf"
    path.write_bytes(WANLI.read_bytes()[:2000])
    with pytest.raises(ParseError) as info:
        read_pdf(path)
    assert "truncated.pdf" in str(info.value)
    assert "truncated or corrupt" in str(info.value)
    assert not isinstance(info.value, NoTextLayer)


def test_empty_file_raises_parse_error(tmp_path):
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    with pytest.raises(ParseError, match="empty.pdf"):
        read_pdf(path)


def test_not_a_pdf_raises_parse_error(tmp_path):
    path = tmp_path / "notes.pdf"
    path.write_text("这不是PDF", encoding="utf-8")
    with pytest.raises(ParseError, match="notes.pdf"):
        read_pdf(path)


def test_pdf_without_text_layer_raises_no_text_layer(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(minimal_pdf(b"10 10 100 100 re S"))
    with pytest.raises(NoTextLayer) as info:
        read_pdf(path)
    assert "scan.pdf" in str(info.value)
    assert "no text layer" in str(info.value) and "OCR is not supported" in str(info.value)
