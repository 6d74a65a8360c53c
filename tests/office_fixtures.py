"""Build XLSX and DOCX fixtures from tables described as data, for the office-reader tests.

A header grid is written with two markers for merges, so it reads like the printed table:
"<" = merged with the cell to the left, "^" = merged with the cell above. The merge of an
anchor runs right over its "<"s and down over the "^"s below it; a block merge has "<" in
its first row and "^" in every row below.

    [["科目编码", "科目名称", "合计", "基本支出", "<",        "<",        "项目支出"],
     ["^",        "^",        "^",    "小计",     "人员经费", "公用经费", "^"]]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Sequence

from corpus.blocks import RawCell

LEFT, UP = "<", "^"

Value = str | int | float | Decimal | None


@dataclass
class SeedTable:
    """One table as printed: caption lines, a header grid with merge markers, data rows.

    Data values: a str is written as text; int/float/Decimal as a number (XLSX, with
    `number_format`), or as its `str()` (DOCX); None leaves the cell empty.
    """

    title: str
    header: list[list[str]]
    rows: list[list[Value]]
    label: str | None = None  # 附表5: its own line above the title
    unit: str | None = "单位：万元"
    department: str | None = None  # 部门/单位：…, on the unit's line
    notes: list[str] = field(default_factory=list)
    number_format: str = "#,##0.00"

    @property
    def width(self) -> int:
        return len(self.header[0])


# -- merges -------------------------------------------------------------------------------


def merges(header: Sequence[Sequence[str]]) -> list[tuple[int, int, int, int]]:
    """Merged ranges (row0, col0, row1, col1), 0-based inclusive, from the markers."""
    out = []
    for r, row in enumerate(header):
        for c, text in enumerate(row):
            if text in (LEFT, UP):
                continue
            c1 = c
            while c1 + 1 < len(row) and row[c1 + 1] == LEFT:
                c1 += 1
            r1 = r
            while r1 + 1 < len(header) and header[r1 + 1][c] == UP:
                r1 += 1
            if (r1, c1) != (r, c):
                out.append((r, c, r1, c1))
    return out


def expected_header(header: Sequence[Sequence[str]]) -> list[list[RawCell | None]]:
    """What a reader that knows merges must return for this header: anchors with their
    column span, None in every covered position."""
    grid: list[list[RawCell | None]] = [
        [None if t in (LEFT, UP) else RawCell(t, 1) for t in row] for row in header
    ]
    for r0, c0, _, c1 in merges(header):
        grid[r0][c0] = RawCell(header[r0][c0], c1 - c0 + 1)
    return grid


def text_of(value: Value, number_format: str = "#,##0.00") -> str:
    """How a value prints under the fixture's formats (only the ones the fixtures use)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    d = Decimal(str(value))
    places = number_format.split(".")[1].count("0") if "." in number_format else 0
    fixed = f"{d:.{places}f}"
    if "," in number_format:
        whole, _, frac = fixed.partition(".")
        fixed = f"{int(whole):,}" + (f".{frac}" if frac else "")
    return fixed


def numbers(row: Sequence[Value]) -> list[Value]:
    """A printed data row with its figures as floats ("45,084.94" → 45084.94), so an XLSX
    fixture stores numbers the way Excel does; codes and labels stay text."""
    out: list[Value] = []
    for v in row:
        if isinstance(v, str) and v and _is_figure(v):
            out.append(float(v.replace(",", "")))
        else:
            out.append(v)
    return out


def _is_figure(text: str) -> bool:
    try:
        Decimal(text.replace(",", ""))
    except ArithmeticError:
        return False
    return "." in text or "," in text  # 科目编码 such as 2010301 are text


# -- XLSX ---------------------------------------------------------------------------------


def write_xlsx(
    path: str | Path,
    tables: Sequence[SeedTable],
    *,
    one_sheet: bool = False,
    borders: bool = True,
    blank_rows_between: int = 1,
    sheet_names: Sequence[str] | None = None,
    captions: str = "stacked",
) -> Path:
    """Write tables to an .xlsx: one sheet each (default) or stacked on one sheet.

    Layout per table, as government workbooks have it: the caption rows (see
    `_write_xlsx_captions`), then the header (merged per its markers) and the data, with
    thin borders on the grid only, then notes in column A.
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    ws = None
    row = 1
    for i, table in enumerate(tables):
        if ws is None or not one_sheet:
            name = sheet_names[i] if sheet_names else (table.label or f"Sheet{i + 1}")
            ws = wb.create_sheet(name[:31])
            row = 1
        elif i:
            row += blank_rows_between
        row = _write_xlsx_table(ws, table, row, borders, captions)
    path = Path(path)
    wb.save(path)
    return path


def _write_xlsx_table(ws, table: SeedTable, row: int, borders: bool, captions: str) -> int:
    """Write one table from `row`; return the first row after it."""
    from openpyxl.styles import Border, Side

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    row = _write_xlsx_captions(ws, table, row, captions)
    top = row
    for r, cells in enumerate(table.header):
        for c, text in enumerate(cells):
            cell = ws.cell(top + r, c + 1)
            if text not in (LEFT, UP):
                cell.value = text
            if borders:
                cell.border = box
    for r0, c0, r1, c1 in merges(table.header):
        ws.merge_cells(start_row=top + r0, start_column=c0 + 1, end_row=top + r1, end_column=c1 + 1)
    row = top + len(table.header)
    for values in table.rows:
        for c, value in enumerate(values):
            cell = ws.cell(row, c + 1)
            if value is not None:
                cell.value = float(value) if isinstance(value, Decimal) else value
                if not isinstance(value, str):
                    cell.number_format = table.number_format
            if borders:
                cell.border = box
        row += 1
    for note in table.notes:
        ws.cell(row, 1, note)
        row += 1
    return row


def _write_xlsx_captions(ws, table: SeedTable, row: int, style: str) -> int:
    """Caption rows above a grid, in one of the layouts seen in published workbooks:

    stacked: 附表5 / title merged across the width / 部门/单位 … 单位：万元 (three rows)
    inline:  附表5 | title merged across the middle | 单位：万元, then 部门/单位 alone
    joined:  "附表5 一般公共预算支出表" in one merged cell / 部门/单位 … 单位：万元
    """
    from openpyxl.styles import Alignment

    width = table.width

    def put(r: int, c0: int, c1: int, text: str) -> None:
        ws.cell(r, c0, text).alignment = Alignment(horizontal="center")
        if c1 > c0:
            ws.merge_cells(start_row=r, start_column=c0, end_row=r, end_column=c1)

    if style == "inline":
        ws.cell(row, 1, table.label or "")
        put(row, 2, max(width - 1, 2), table.title)
        if table.unit:
            ws.cell(row, width, table.unit)
        row += 1
        if table.department:
            ws.cell(row, 1, table.department)
            row += 1
        return row
    if style == "joined":
        put(row, 1, width, f"{table.label} {table.title}" if table.label else table.title)
        row += 1
    else:
        if table.label:
            ws.cell(row, 1, table.label)
            row += 1
        put(row, 1, width, table.title)
        row += 1
    if table.department or table.unit:
        if table.department:
            ws.cell(row, 1, table.department)
        if table.unit:
            ws.cell(row, width, table.unit).alignment = Alignment(horizontal="right")
        row += 1
    return row


# -- DOCX ---------------------------------------------------------------------------------


def write_docx(
    path: str | Path,
    tables: Sequence[SeedTable],
    *,
    paragraphs_before: Sequence[str] = (),
    captions: str = "stacked",
) -> Path:
    """Write tables to a .docx: caption paragraphs, then a bordered table whose merges are
    real Word merges (gridSpan across, vMerge down), then note paragraphs.

    captions: "stacked" (label, title, department, unit: one paragraph each) or "joined"
    (label and title in one paragraph)."""
    import docx

    doc = docx.Document()
    for text in paragraphs_before:
        doc.add_paragraph(text)
    for table in tables:
        if table.label and captions == "joined":
            doc.add_paragraph(f"{table.label} {table.title}")
        else:
            if table.label:
                doc.add_paragraph(table.label)
            doc.add_paragraph(table.title)
        if table.department:
            doc.add_paragraph(table.department)
        if table.unit:
            doc.add_paragraph(table.unit)
        _write_docx_table(doc, table)
        for note in table.notes:
            doc.add_paragraph(note)
    path = Path(path)
    doc.save(path)
    return path


def _write_docx_table(doc, table: SeedTable) -> None:
    grid = doc.add_table(rows=len(table.header) + len(table.rows), cols=table.width)
    grid.style = "Table Grid"
    for r, cells in enumerate(table.header):
        for c, text in enumerate(cells):
            if text not in (LEFT, UP):
                grid.cell(r, c).text = text
    for r0, c0, r1, c1 in merges(table.header):
        grid.cell(r0, c0).merge(grid.cell(r1, c1))
    offset = len(table.header)
    for r, values in enumerate(table.rows):
        for c, value in enumerate(values):
            grid.cell(offset + r, c).text = text_of(value, table.number_format)


# -- HTML ---------------------------------------------------------------------------------


def write_html(path: str | Path, tables: Sequence[SeedTable], *, encoding: str = "utf-8") -> Path:
    """Write tables to an HTML page (captions as <p>, merges as colspan/rowspan), declaring
    `encoding` in a <meta> the way published pages do."""
    from html import escape

    out = [f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={encoding}"></head><body>']
    for table in tables:
        for caption in (table.label, table.title, table.department, table.unit):
            if caption:
                out.append(f"<p>{escape(caption)}</p>")
        out.append('<table border="1">')
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in merges(table.header)}
        for r, cells in enumerate(table.header):
            tds = []
            for c, text in enumerate(cells):
                if text in (LEFT, UP):
                    continue
                rs, cs = spans.get((r, c), (1, 1))
                attrs = (f' rowspan="{rs}"' if rs > 1 else "") + (f' colspan="{cs}"' if cs > 1 else "")
                tds.append(f"<th{attrs}>{escape(text)}</th>")
            out.append("<tr>" + "".join(tds) + "</tr>")
        for values in table.rows:
            tds = "".join(f"<td>{escape(text_of(v, table.number_format))}</td>" for v in values)
            out.append(f"<tr>{tds}</tr>")
        out.append("</table>")
        out.extend(f"<p>{escape(note)}</p>" for note in table.notes)
    out.append("</body></html>")
    path = Path(path)
    path.write_bytes("\n".join(out).encode(encoding))
    return path


# -- Seed tables, typed in by hand from corpus/data/2024_wuhan-jkq_..._budget.txt -----------

DEPARTMENT = "部门/单位：武汉经济技术开发区智能制造产业园管理办公室"

TABLE_5 = SeedTable(
    label="附表5",
    title="一般公共预算支出表",
    department=DEPARTMENT,
    header=[
        ["科目编码", "科目名称", "合计", "基本支出", LEFT, LEFT, "项目支出"],
        [UP, UP, UP, "小计", "人员经费", "公用经费", UP],
    ],
    rows=[
        ["", "合计", "45,084.94", "1,122.86", "888.47", "234.39", "43,962.08"],
        ["201", "一般公共服务支出", "1,414.72", "789.17", "554.78", "234.39", "625.55"],
        ["20103", "政府办公厅(室)及相关机构事务", "1,414.72", "789.17", "554.78", "234.39", "625.55"],
        ["2010301", "行政运行", "535.83", "535.83", "535.83", "0.00", "0.00"],
        ["2010302", "一般行政管理事务", "859.94", "234.39", "0.00", "234.39", "625.55"],
        ["2010350", "事业运行", "18.95", "18.95", "18.95", "0.00", "0.00"],
        ["206", "科学技术支出", "21,000.00", "0.00", "0.00", "0.00", "21,000.00"],
        ["20604", "技术与开发", "21,000.00", "0.00", "0.00", "0.00", "21,000.00"],
        ["2060404", "科技成果转化与扩散", "21,000.00", "0.00", "0.00", "0.00", "21,000.00"],
        ["208", "社会保障和就业支出", "90.80", "90.80", "90.80", "0.00", "0.00"],
        ["20805", "行政事业单位养老支出", "81.04", "81.04", "81.04", "0.00", "0.00"],
        ["2080505", "机关事业单位基本养老保险缴费支出", "54.03", "54.03", "54.03", "0.00", "0.00"],
        ["2080506", "机关事业单位职业年金缴费支出", "27.01", "27.01", "27.01", "0.00", "0.00"],
        ["20899", "其他社会保障和就业支出", "9.76", "9.76", "9.76", "0.00", "0.00"],
        ["2089999", "其他社会保障和就业支出", "9.76", "9.76", "9.76", "0.00", "0.00"],
        ["210", "卫生健康支出", "76.49", "76.49", "76.49", "0.00", "0.00"],
        ["21011", "行政事业单位医疗", "76.49", "76.49", "76.49", "0.00", "0.00"],
        ["2101101", "行政单位医疗", "34.84", "34.84", "34.84", "0.00", "0.00"],
        ["2101102", "事业单位医疗", "1.50", "1.50", "1.50", "0.00", "0.00"],
        ["2101103", "公务员医疗补助", "40.15", "40.15", "40.15", "0.00", "0.00"],
        ["212", "城乡社区支出", "22,336.53", "0.00", "0.00", "0.00", "22,336.53"],
        ["21203", "城乡社区公共设施", "22,336.53", "0.00", "0.00", "0.00", "22,336.53"],
        ["2120303", "小城镇基础设施建设", "22,336.53", "0.00", "0.00", "0.00", "22,336.53"],
        ["221", "住房保障支出", "166.40", "166.40", "166.40", "0.00", "0.00"],
        ["22102", "住房改革支出", "166.40", "166.40", "166.40", "0.00", "0.00"],
        ["2210201", "住房公积金", "68.27", "68.27", "68.27", "0.00", "0.00"],
        ["2210202", "提租补贴", "14.23", "14.23", "14.23", "0.00", "0.00"],
        ["2210203", "购房补贴", "83.90", "83.90", "83.90", "0.00", "0.00"],
    ],
)

TABLE_7 = SeedTable(
    label="附表7",
    title="一般公共预算“三公”经费支出表",
    department=DEPARTMENT,
    header=[
        ["“三公”经费合计", "因公出国（境）费", "公务用车购置及运行费", LEFT, LEFT, "公务接待费"],
        [UP, UP, "小计", "公务用车购置费", "公务用车运行费", UP],
    ],
    rows=[["5.54", "0.00", "5.04", "0.00", "5.04", "0.50"]],
)

TABLE_8 = SeedTable(
    label="附表8",
    title="政府性基金预算支出表",
    department=DEPARTMENT,
    header=[
        ["科目编码", "科目名称", "本年政府性基金预算支出", LEFT, LEFT],
        [UP, UP, "合计", "基本支出", "项目支出"],
    ],
    rows=[],
    notes=["此表为空表"],
)


def with_numbers(table: SeedTable) -> SeedTable:
    """The same table with its printed figures stored as numbers (as Excel holds them)."""
    return SeedTable(**{**table.__dict__, "rows": [numbers(r) for r in table.rows]})
