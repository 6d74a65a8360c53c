"""Block-level tests of the office readers: grids, merges, number text, text lines, errors."""

from __future__ import annotations

import base64
import zipfile
import zlib
from pathlib import Path

import pytest

from corpus.blocks import ParseError, RawCell, RawTable, TextLine
from corpus.readers import read_docx, read_html, read_xls, read_xlsx
from corpus.readers.numfmt import excel_number_text as format_number
from office_fixtures import (
    LEFT,
    TABLE_5,
    TABLE_7,
    UP,
    SeedTable,
    expected_header,
    text_of,
    with_numbers,
    write_docx,
    write_xlsx,
)


def tables(blocks) -> list[RawTable]:
    return [b for b in blocks if isinstance(b, RawTable)]


def lines(blocks) -> list[str]:
    return [b.text for b in blocks if isinstance(b, TextLine)]


def texts(row) -> list[str | None]:
    return [None if c is None else c.text for c in row]


def assert_rectangular(table: RawTable) -> None:
    assert len({len(r) for r in table.rows}) == 1
    assert len(table.row_locations) == len(table.rows)


def expected_data(table: SeedTable) -> list[list[str]]:
    return [[text_of(v, table.number_format) for v in row] for row in table.rows]


# -- number text ------------------------------------------------------------------------

ACCOUNTING = '_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * "-"??_ ;_ @_ '


@pytest.mark.parametrize(
    "value, fmt, text",
    [
        (45084.94, "#,##0.00", "45,084.94"),
        (45084.94, "0.00", "45084.94"),
        (45084.940000000002, "General", "45084.94"),
        (45084.939999999995, "General", "45084.94"),  # a SUM's binary noise, 15 digits kept
        (0.1 + 0.2, "General", "0.3"),
        (0, "0.00", "0.00"),
        (0.0, "#,##0.00", "0.00"),
        (21000, "#,##0.00", "21,000.00"),
        (21000.0, "General", "21000"),
        (2.675, "0.00", "2.68"),  # Excel rounds the decimal it shows, half up
        (-5.5, "0.00", "-5.50"),
        (-5.5, "#,##0.00;(#,##0.00)", "(5.50)"),
        (0, ACCOUNTING, "-"),
        (1234.5, ACCOUNTING, "1,234.50"),
        (-1234.5, ACCOUNTING, "-1,234.50"),
        (0.1234, "0.00%", "12.34%"),
        (1234.5, '#,##0.00"元"', "1,234.50元"),
        (12345678901234, "General", "12345678901234"),
        (1e-05, "General", "0.00001"),
        (1.5, "0.0E+00", "1.5"),  # formats we do not render keep every digit
        (5, "@", "5"),
        (7, None, "7"),
    ],
)
def test_format_number(value, fmt, text):
    assert format_number(value, fmt) == text


# -- XLSX -------------------------------------------------------------------------------


def test_xlsx_caption_lines_then_grid_with_merges(tmp_path):
    path = write_xlsx(tmp_path / "budget.xlsx", [with_numbers(TABLE_5)])
    blocks = read_xlsx(path)
    assert lines(blocks) == ["附表5", "一般公共预算支出表", TABLE_5.department, "单位：万元"]
    assert isinstance(blocks[-1], RawTable) and len(tables(blocks)) == 1
    table = blocks[-1]
    assert_rectangular(table)
    assert table.rows[:2] == expected_header(TABLE_5.header)
    # both directions: 基本支出 spans 3 columns; 科目编码 and 项目支出 cover the row below
    assert table.rows[0][3] == RawCell("基本支出", 3)
    assert table.rows[0][4] is None and table.rows[0][5] is None
    assert table.rows[1][0] is None and table.rows[1][6] is None
    assert [texts(r) for r in table.rows[2:]] == expected_data(TABLE_5)
    assert table.location.sheet == "附表5" and table.location.line == 4
    assert [loc.line for loc in table.row_locations] == list(range(4, 4 + len(table.rows)))


def test_xlsx_numbers_keep_their_printed_text(tmp_path):
    fixture = SeedTable(
        title="数字",
        unit=None,
        header=[["千分位", "两位小数", "常规", "空", "编码"]],
        rows=[[45084.94, 45084.94, 45084.940000000002, None, "2010301"], [0.0, 0, 0.1 + 0.2, "", "201"]],
    )
    path = write_xlsx(tmp_path / "n.xlsx", [fixture])
    from openpyxl import load_workbook

    wb = load_workbook(path)  # give each column its own number format
    ws = wb.active
    for row in (3, 4):
        ws.cell(row, 2).number_format = "0.00"
        ws.cell(row, 3).number_format = "General"
    wb.save(path)
    (table,) = tables(read_xlsx(path))
    assert texts(table.rows[1]) == ["45,084.94", "45084.94", "45084.94", "", "2010301"]
    assert texts(table.rows[2]) == ["0.00", "0.00", "0.3", "", "201"]
    assert table.rows[1][3] == RawCell("", 1)


def test_xlsx_several_tables_on_one_sheet(tmp_path):
    path = write_xlsx(tmp_path / "all.xlsx", [with_numbers(TABLE_5), with_numbers(TABLE_7)], one_sheet=True)
    blocks = read_xlsx(path)
    kinds = ["T" if isinstance(b, RawTable) else b.text for b in blocks]
    assert kinds == [
        "附表5", "一般公共预算支出表", TABLE_5.department, "单位：万元", "T",
        "附表7", "一般公共预算“三公”经费支出表", TABLE_7.department, "单位：万元", "T",
    ]
    t5, t7 = tables(blocks)
    assert t7.rows[:2] == expected_header(TABLE_7.header)
    assert texts(t7.rows[2]) == ["5.54", "0.00", "5.04", "0.00", "5.04", "0.50"]
    assert len(t5.rows) == 2 + len(TABLE_5.rows)


def test_xlsx_tables_without_blank_row_between_and_notes(tmp_path):
    t7 = with_numbers(TABLE_7)
    t7.notes = ["注：“三公”经费为测试。"]
    path = write_xlsx(tmp_path / "tight.xlsx", [t7, with_numbers(TABLE_5)], one_sheet=True, blank_rows_between=0)
    blocks = read_xlsx(path)
    kinds = ["T" if isinstance(b, RawTable) else b.text for b in blocks]
    assert kinds == [
        "附表7", "一般公共预算“三公”经费支出表", TABLE_7.department, "单位：万元", "T",
        "注：“三公”经费为测试。",
        "附表5", "一般公共预算支出表", TABLE_5.department, "单位：万元", "T",
    ]
    assert len(tables(blocks)[0].rows) == 3


def test_xlsx_without_borders_and_one_sheet_per_table(tmp_path):
    path = write_xlsx(tmp_path / "plain.xlsx", [with_numbers(TABLE_5), with_numbers(TABLE_7)], borders=False)
    t5, t7 = tables(read_xlsx(path))
    assert t5.location.sheet == "附表5" and t7.location.sheet == "附表7"
    assert t5.rows[:2] == expected_header(TABLE_5.header)
    assert t7.rows[:2] == expected_header(TABLE_7.header)


def test_xlsx_block_merge_and_hidden_sheet(tmp_path):
    fixture = SeedTable(
        title="块合并",
        unit=None,
        header=[["项目", "本年预算", LEFT, "上年"], [UP, UP, UP, UP], ["", "一", "二", "三"]],
        rows=[["a", 1.0, 2.0, 3.0]],
    )
    path = write_xlsx(tmp_path / "block.xlsx", [fixture])
    from openpyxl import load_workbook

    wb = load_workbook(path)
    hidden = wb.create_sheet("hidden")
    hidden["A1"] = "不应出现"
    hidden.sheet_state = "hidden"
    wb.save(path)
    blocks = read_xlsx(path)
    assert "不应出现" not in lines(blocks)
    (table,) = tables(blocks)
    assert table.rows[0] == [RawCell("项目", 1), RawCell("本年预算", 2), None, RawCell("上年", 1)]
    assert table.rows[1] == [None, None, None, None]
    assert texts(table.rows[2]) == ["", "一", "二", "三"]


def test_xlsx_wrapped_header_text_is_one_label(tmp_path):
    fixture = SeedTable(title="换行", unit=None, header=[["公务用车\n购置费", "Total\namount"]], rows=[[1.0, 2.0]])
    path = write_xlsx(tmp_path / "wrap.xlsx", [fixture])
    (table,) = tables(read_xlsx(path))
    assert texts(table.rows[0]) == ["公务用车购置费", "Total amount"]


def test_xlsx_messy_layout(tmp_path):
    """Title merged over two rows, unit alone, a header whose anchors merge down, an empty
    table's marker merged across a bordered row, a note, and a second table right below."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Side

    thin = Side(style="thin")
    wb = Workbook()
    ws = wb.active
    ws["A1"] = "公开09表 一般公共预算“三公”经费支出表"
    ws.merge_cells("A1:D2")
    ws["D3"] = "单位：万元"
    ws["A4"], ws["B4"], ws["D4"], ws["B5"], ws["C5"] = "项目", "2024年", "备注", "预算", "决算"
    for rng in ("B4:C4", "A4:A5", "D4:D5", "A7:D7"):
        ws.merge_cells(rng)
    ws["A6"], ws["B6"], ws["C6"] = "合计", 5.54, 0
    ws["B6"].number_format = ws["C6"].number_format = "0.00"
    ws["A7"] = "此表为空表"
    for r in range(4, 8):
        for c in range(1, 5):
            ws.cell(r, c).border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws["A8"] = "注：说明。"
    ws["A9"], ws["A10"], ws["B10"], ws["A11"], ws["B11"] = "表2", "项目", "金额", "x", 1
    wb.save(tmp_path / "messy.xlsx")
    blocks = read_xlsx(tmp_path / "messy.xlsx")
    kinds = ["T" if isinstance(b, RawTable) else b.text for b in blocks]
    assert kinds == ["公开09表 一般公共预算“三公”经费支出表", "单位：万元", "T", "此表为空表", "注：说明。", "表2", "T"]
    first, second = tables(blocks)
    assert first.rows == [
        [RawCell("项目", 1), RawCell("2024年", 2), None, RawCell("备注", 1)],
        [None, RawCell("预算", 1), RawCell("决算", 1), None],
        [RawCell("合计", 1), RawCell("5.54", 1), RawCell("0.00", 1), RawCell("", 1)],
    ]
    assert [texts(r) for r in second.rows] == [["项目", "金额"], ["x", "1"]]


def test_xlsx_center_across_selection_reads_as_a_merge(tmp_path):
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    wb = Workbook()
    ws = wb.active
    across = Alignment(horizontal="centerContinuous")
    ws["A1"], ws["B1"], ws["E1"] = "科目名称", "基本支出", "项目支出"
    ws["B2"], ws["C2"], ws["D2"] = "小计", "人员经费", "公用经费"
    for a in ("B1", "C1", "D1"):
        ws[a].alignment = across
    ws["A3"], ws["B3"], ws["C3"], ws["D3"], ws["E3"] = "合计", 1, 1, 0, 2
    wb.save(tmp_path / "across.xlsx")
    (table,) = tables(read_xlsx(tmp_path / "across.xlsx"))
    assert table.rows[0] == [RawCell("科目名称", 1), RawCell("基本支出", 3), None, None, RawCell("项目支出", 1)]
    assert table.rows[1][0] == RawCell("", 1)


def test_spreadsheet_without_merge_records_leaves_spans_to_the_assembler():
    from corpus.readers.sheet import Sheet as _Sheet, sheet_blocks as _sheet_blocks

    sheet = _Sheet("s", {(1, 1): "项目", (1, 2): "金额", (2, 1): "x", (2, 2): "1"}, [], merges_known=False)
    (table,) = _sheet_blocks(sheet, "old.xls")
    assert table.rows == [[RawCell("项目", None), RawCell("金额", None)], [RawCell("x", None), RawCell("1", None)]]


# -- XLS (xlrd) -------------------------------------------------------------------------

# A small BIFF8 workbook (zlib + base64), made once with xlwt 1.3.0, which is not a
# project dependency; the script that wrote it:
#
# import xlwt
# wb = xlwt.Workbook(encoding="utf-8")
# ws = wb.add_sheet("附表7")
# box = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin")
# money = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str="#,##0.00")
# plain = xlwt.easyxf("borders: left thin, right thin, top thin, bottom thin", num_format_str="0.00")
# ws.write(0, 0, "附表7")
# ws.write_merge(1, 1, 0, 5, "一般公共预算“三公”经费支出表")
# ws.write(2, 0, "部门/单位：武汉经济技术开发区智能制造产业园管理办公室")
# ws.write(2, 5, "单位：万元")
# ws.write_merge(3, 4, 0, 0, "“三公”经费合计", box)
# ws.write_merge(3, 4, 1, 1, "因公出国（境）费", box)
# ws.write_merge(3, 3, 2, 4, "公务用车购置及运行费", box)
# ws.write_merge(3, 4, 5, 5, "公务接待费", box)
# for c, t in enumerate(["小计", "公务用车购置费", "公务用车运行费"], start=2):
#     ws.write(4, c, t, box)
# for c, v in enumerate([5.54, 0.0, 5.04, 0.0, 5.04, 0.5]):
#     ws.write(5, c, v, money)
# ws.write(6, 0, 45084.94, money)
# ws.write(6, 1, 45084.94, plain)
# ws.write(6, 2, 0.1 + 0.2, box)
# ws.write(6, 3, "", box)
# ws.write(6, 4, "2010301", box)
# ws.write(6, 5, 21000, money)
# ws.write(8, 0, "注：本表为测试数据。")
# wb.save("t7.xls")
XLS_FIXTURE = """
eNrtGFtIFFH03Hnszm4+dtWCtpJFyKwMtaLaotbeRTk1WiYVmNqa4bSV2EcFZpkgyJIQPYlgwYgIrH560IP6iwrs
QQRBoEUgRB9BQUQ6nXtmdts1gwQLkjnDnDnn3PO6955778w87fb2RK/5emEQLAIRBgwXOBJkDG9XjPEAthsGJ2NP
BW/Dhv8KXApOpEOG26lPnHwO+Xz3ggBXpQeIAd7ivRX2gLo7HPL/Q1hCOVQxnsNCxAzOoSQNxlNWGYRrCGcSvkKa
dwgXkyRCeCHq9rDN0B1Up82zqrhCyKG2NOB+b5DNa5IUwVh4yKv4UAczdWVY3LCzSh/1DdlSCnQClsDKUDjUUKX3
QBbWQid8MfwAn2OL/r7flv9bOQOUf02WO38jV+Jyr7fYX+yPyV0gDSl3U/0ny48LEkAzGNtozbXiGlkm8wgiW3ay
rm0ufIcUloo8v0WwhOmoquYf0bW92tHTpw5O9LtUXZvk724KRApC37S6tgnA+jr6ThTAxrKSdT6jtn613t2k7mqu
LtgBlc/K5pcdqO1vnlPq77io+tSP5dGDjsbzpbrWuUUGZpo41aWaAizRtbIh2o6innJd+6b1lytGS4XLCETcwHQt
Wpq3r/bYjEj40KOyp8fWtgUisim+UNNaGYhg39K3RtudyaqBSILAtMIFMbOwqHBWYRG67dN9Rv6Ourb56ppdL9v3
hMI1QqGbn4m0h3qS9tBUGtsUxNtxeDjtpR3Gg7P0/dKn5yXV64OVJGmmc9M8XSfz0QcDDnMLNE6jFvPM5V6nkcV0
wkfI6wSifYSzcDHjM3f9WItY0UI6R6k1F+PMIngRnJJA5yHd+kG7md36LjgV6a6VvQeyul4Fo5CDkbejPb9aIJ/l
s7NnONwKxp7M2onfEB7/y66sCB6rb4b1CpEO/eAm0kuYazDqXbIGIw2O74GHMvDGL5mshCGsBLLi2ORk5EQrijiE
vkhniWTpYz0jJ8c5ATkHZcA5ETmua7bJSDstz9Igz/dwFCXyDBbN/TKylMirYsWQyKsrzknIueNWMmXDI8iDItzF
SpBplC8rsbHOhHfOwfRjpE0Pjl88mH3LhAUzMlkWYQYiVpyDMpxtVQcTHCjhWfIMHZThGLRrEjgno33OKkYRlCHm
WaH5SEH8njIWqVcyjaZAvZdobkUaLyCaZ7xIyIDrvCN4lv8EN9hggw022GCDDSMB/LwV6F0e6AyWrTdNp/Vfpx/v
Afs3yaiFUtiNVyN+BS6HMD4bYP+w6mccyCzmi/2hTex/IYdNGL0B6qGa8qgfdv3i9wdL7M8fG3pGbgkNN/7AcPL8
y/F/ALf9UsU=
"""


def test_xls_merges_numbers_and_text_lines(tmp_path):
    path = tmp_path / "t7.xls"
    path.write_bytes(zlib.decompress(base64.b64decode(XLS_FIXTURE)))
    blocks = read_xls(path)
    assert lines(blocks) == [
        "附表7", "一般公共预算“三公”经费支出表", TABLE_7.department, "单位：万元", "注：本表为测试数据。",
    ]
    (table,) = tables(blocks)
    assert table.rows[:2] == expected_header(TABLE_7.header)
    assert texts(table.rows[2]) == ["5.54", "0.00", "5.04", "0.00", "5.04", "0.50"]
    assert texts(table.rows[3]) == ["45,084.94", "45084.94", "0.3", "", "2010301", "21,000.00"]
    assert table.location.sheet == "附表7" and table.location.line == 4
    assert isinstance(blocks[-1], TextLine) and blocks[-1].location.line == 9


def test_xls_name_holding_an_xlsx_is_read_as_xlsx(tmp_path):
    real = write_xlsx(tmp_path / "real.xlsx", [with_numbers(TABLE_7)])
    fake = tmp_path / "mislabelled.xls"
    fake.write_bytes(real.read_bytes())
    assert tables(read_xls(fake))[0].rows == tables(read_xlsx(real))[0].rows


# -- DOCX -------------------------------------------------------------------------------


def test_docx_paragraphs_and_table_with_gridspan_and_vmerge(tmp_path):
    path = write_docx(tmp_path / "budget.docx", [TABLE_7, TABLE_5], paragraphs_before=["第二部分 部门预算表"])
    blocks = read_docx(path)
    kinds = ["T" if isinstance(b, RawTable) else b.text for b in blocks]
    assert kinds == [
        "第二部分 部门预算表",
        "附表7", "一般公共预算“三公”经费支出表", TABLE_7.department, "单位：万元", "T",
        "附表5", "一般公共预算支出表", TABLE_5.department, "单位：万元", "T",
    ]
    t7, t5 = tables(blocks)
    for table, seed in ((t7, TABLE_7), (t5, TABLE_5)):
        assert_rectangular(table)
        assert table.rows[: len(seed.header)] == expected_header(seed.header)
        assert [texts(r) for r in table.rows[len(seed.header):]] == expected_data(seed)
    # lines count paragraphs and table rows in body order
    assert t7.location.line == 6 and [loc.line for loc in t7.row_locations] == [6, 7, 8]
    assert blocks[6].location.line == 9


def test_docx_block_merge_covers_both_directions(tmp_path):
    fixture = SeedTable(
        title="块合并",
        unit=None,
        header=[["项目", "本年预算", LEFT, "上年"], [UP, UP, UP, UP], ["", "一", "二", "三"]],
        rows=[["a", "1.00", "", "0.00"]],
    )
    (table,) = tables(read_docx(write_docx(tmp_path / "block.docx", [fixture])))
    assert table.rows[0] == [RawCell("项目", 1), RawCell("本年预算", 2), None, RawCell("上年", 1)]
    assert table.rows[1] == [None, None, None, None]
    assert table.rows[3] == [RawCell("a", 1), RawCell("1.00", 1), RawCell("", 1), RawCell("0.00", 1)]


def test_docx_line_breaks_split_lines_and_cells_join(tmp_path):
    import docx

    doc = docx.Document()
    p = doc.add_paragraph("附表7")
    p.add_run().add_break()
    p.add_run("一般公共预算“三公”经费支出表")
    t = doc.add_table(rows=2, cols=2)
    t.cell(0, 0).text = "公务用车"
    t.cell(0, 0).add_paragraph("购置费")
    t.cell(0, 1).text = "公务接待费"
    t.cell(1, 0).text = "0.00"
    t.cell(1, 1).text = "0.50"
    doc.save(tmp_path / "lines.docx")
    blocks = read_docx(tmp_path / "lines.docx")
    assert lines(blocks) == ["附表7", "一般公共预算“三公”经费支出表"]
    assert texts(tables(blocks)[0].rows[0]) == ["公务用车购置费", "公务接待费"]


# -- HTML -------------------------------------------------------------------------------

HTML_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>不是正文</title><style>td {{ color: red }}</style></head>
<body>
<h2>附表7</h2>
<p>一般公共预算“三公”经费<br>支出表</p>
<div>部门/单位：武汉经济技术开发区智能制造产业园管理办公室<span>&nbsp;</span></div>
<p>单位：万元
<table border=1>
<tr><td rowspan=2>“三公”经费合计<td rowspan="2">因公出国（境）费<td colspan=3>公务用车购置及运行费<td rowspan=2>公务接待费
<tr><th>小计</th><th>公务用车
购置费</th><th>公务用车运行费</th></tr>
<tbody><tr><td>5.54</td><td>0.00</td><td>5.04</td><td></td><td>5.04</td><td>0.50</td></tr></tbody>
</table>
<p>注：测试。</p>
</body></html>"""


def test_html_gbk_text_lines_and_spans(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(HTML_PAGE.encode("gb18030"))
    blocks = read_html(path)
    kinds = ["T" if isinstance(b, RawTable) else b.text for b in blocks]
    assert kinds == [
        "附表7", "一般公共预算“三公”经费", "支出表", TABLE_7.department, "单位：万元", "T", "注：测试。",
    ]
    (table,) = tables(blocks)
    assert table.rows[:2] == expected_header(TABLE_7.header)
    assert texts(table.rows[2]) == ["5.54", "0.00", "5.04", "", "5.04", "0.50"]
    assert [loc.line for loc in table.row_locations] == [9, 10, 12]  # source lines of the <tr>s


def test_html_layout_table_holds_the_data_table(tmp_path):
    page = (
        "<table><tr><td><p>附表7</p><p>单位：万元</p>"
        "<table><tr><td>a</td><td colspan=2>b</td></tr><tr><td>1.00</td><td>2.00</td><td>3.00</td></tr></table>"
        "</td></tr></table>"
    )
    path = tmp_path / "layout.htm"
    path.write_text(page, encoding="utf-8")
    blocks = read_html(path)
    assert lines(blocks) == ["附表7", "单位：万元"]
    (table,) = tables(blocks)
    assert table.rows == [
        [RawCell("a", 1), RawCell("b", 2), None],
        [RawCell("1.00", 1), RawCell("2.00", 1), RawCell("3.00", 1)],
    ]


def test_html_saved_by_word_and_preformatted_text(tmp_path):
    page = """<html><head><meta charset="utf-8"><style><!-- p.MsoNormal {margin:0} --></style></head>
<body><div class=WordSection1>
<p class=MsoNormal align=center><b><span>附表<span lang=EN-US>7</span><o:p></o:p></span></b></p>
<p class=MsoNormal>一般公共预算“三公”经费
支出表</p>
<table class=MsoTableGrid border=1>
 <tr><td rowspan=2><p class=MsoNormal>“三公”经费<o:p></o:p></p><p class=MsoNormal>合计</p></td>
  <td colspan=2><p class=MsoNormal>公务用车购置及运行费</p></td></tr>
 <tr><td><p class=MsoNormal>小计</p></td><td><p class=MsoNormal>&nbsp;</p></td></tr>
 <tr><td>5.54</td><td>5.04<td>0.00
</table>
<pre>科目编码\t科目名称
201\t一般公共服务支出</pre>
</div></body></html>"""
    path = tmp_path / "word.htm"
    path.write_text(page, encoding="utf-8")
    blocks = read_html(path)
    kinds = ["T" if isinstance(b, RawTable) else b.text for b in blocks]
    assert kinds == ["附表7", "一般公共预算“三公”经费支出表", "T", "科目编码\t科目名称", "201\t一般公共服务支出"]
    assert tables(blocks)[0].rows == [
        [RawCell("“三公”经费合计", 1), RawCell("公务用车购置及运行费", 2), None],
        [None, RawCell("小计", 1), RawCell("", 1)],
        [RawCell("5.54", 1), RawCell("5.04", 1), RawCell("0.00", 1)],
    ]


def test_xls_name_holding_html_is_read_as_html(tmp_path):
    path = tmp_path / "export.xls"
    path.write_bytes(HTML_PAGE.encode("gb18030"))
    assert len(tables(read_xls(path))) == 1


# -- bad input --------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


OLE_ENCRYPTED = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500) + "EncryptionInfo".encode("utf-16-le") + bytes(100)


@pytest.mark.parametrize("reader, suffix", [(read_xlsx, ".xlsx"), (read_xls, ".xls"), (read_docx, ".docx"), (read_html, ".html")])
def test_empty_file_is_a_parse_error(tmp_path, reader, suffix):
    path = tmp_path / f"empty{suffix}"
    path.write_bytes(b"")
    with pytest.raises(ParseError, match=f"empty{suffix}.*empty"):
        reader(path)


@pytest.mark.parametrize("reader, suffix", [(read_xlsx, ".xlsx"), (read_xls, ".xls"), (read_docx, ".docx")])
def test_random_bytes_are_a_parse_error(tmp_path, reader, suffix):
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(ParseError, match=f"noise{suffix}"):
        reader(path)


def test_truncated_xlsx_is_a_parse_error(tmp_path):
    real = write_xlsx(tmp_path / "real.xlsx", [with_numbers(TABLE_7)])
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(real.read_bytes()[:300])
    with pytest.raises(ParseError, match="cut.xlsx"):
        read_xlsx(cut)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = _zip(tmp_path / "other.xlsx", {"readme.txt": "hello"})
    with pytest.raises(ParseError, match="other.xlsx.*not an Excel workbook"):
        read_xlsx(path)


def test_docx_zip_without_document_xml(tmp_path):
    path = _zip(tmp_path / "hollow.docx", {"[Content_Types].xml": "<Types/>", "word/styles.xml": "<x/>"})
    with pytest.raises(ParseError, match="hollow.docx.*not a Word document"):
        read_docx(path)


@pytest.mark.parametrize("reader, name", [(read_xlsx, "locked.xlsx"), (read_docx, "locked.docx"), (read_xls, "locked.xls")])
def test_password_protected_is_a_parse_error(tmp_path, reader, name):
    path = tmp_path / name
    path.write_bytes(OLE_ENCRYPTED)
    with pytest.raises(ParseError, match=f"{name}.*password"):
        reader(path)


def test_old_doc_named_docx(tmp_path):
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    with pytest.raises(ParseError, match=r"old.docx.*\.doc"):
        read_docx(path)


def test_empty_workbook(tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "blank.xlsx"
    Workbook().save(path)
    with pytest.raises(ParseError, match="blank.xlsx.*no cells"):
        read_xlsx(path)


def test_html_without_content(tmp_path):
    path = tmp_path / "blank.html"
    path.write_text("<html><head><title>x</title></head><body> </body></html>", encoding="utf-8")
    with pytest.raises(ParseError, match="blank.html"):
        read_html(path)
