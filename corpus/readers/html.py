"""HTML pages: text as TextLines (one per block element or <br>), data tables as RawTables
with colspan/rowspan resolved.

The standard library's html.parser builds a small, forgiving tree; a walk then emits blocks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..blocks import Block, ParseError, RawCell, RawTable, TextLine
from ..grid import Grid
from ..model import Location
from ..text import is_east_asian, join_wrapped_lines
from .encoding import decode_bytes
from .sniff import is_ole, is_zip

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}
_SKIP_HTML = {"script", "style", "noscript", "template", "head", "title", "select", "option"}
_BLOCK = {"address", "article", "aside", "blockquote", "center", "dd", "div", "dl", "dt",
          "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
          "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
          "tr", "td", "th", "caption", "body", "html"}
_TABLE_PARTS = {"thead", "tbody", "tfoot"}


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    line: int
    children: list["_Node | _Text"] = field(default_factory=list)


@dataclass
class _Text:
    text: str
    line: int


def _build_tree(text: str) -> _Node:
    """Parse HTML into a forgiving tree: end tags may be missing (td, tr, p, li), stray end
    tags are ignored, and no end tag closes anything outside its own table."""
    from html.parser import HTMLParser

    root = _Node("#root", {}, 1)
    stack = [root]

    def close_to(tags: set[str], stop: set[str]) -> None:
        for i in range(len(stack) - 1, 0, -1):
            if stack[i].tag in tags:
                del stack[i:]
                return
            if stack[i].tag in stop:
                return

    class Builder(HTMLParser):
        def handle_starttag(self, tag, attrs):
            line = self.getpos()[0]
            if tag in ("td", "th"):
                close_to({"td", "th"}, {"tr", "table"})
            elif tag == "tr":
                close_to({"tr"}, {"table"} | _TABLE_PARTS)
            elif tag in _TABLE_PARTS:
                close_to(_TABLE_PARTS, {"table"})
            elif tag in ("p", "li"):
                close_to({tag}, {"table", "td", "th", "div", "ul", "ol"})
            node = _Node(tag, {k: v or "" for k, v in attrs}, line)
            stack[-1].children.append(node)
            if tag not in _VOID:
                stack.append(node)

        def handle_startendtag(self, tag, attrs):
            self.handle_starttag(tag, attrs)
            if tag not in _VOID:
                close_to({tag}, set())

        def handle_endtag(self, tag):
            if tag == "table":
                close_to({"table"}, set())
            else:
                close_to({tag}, {"table"})

        def handle_data(self, data):
            stack[-1].children.append(_Text(data, self.getpos()[0]))

    parser = Builder(convert_charrefs=True)
    parser.feed(text)
    parser.close()
    return root


def _collapse(text: str) -> str:
    """HTML whitespace: runs become one space, except a line break between Chinese
    characters, which browsers drop (源文件换行 inside 一般公共\\n预算)."""
    def repl(m: re.Match[str]) -> str:
        s, start, end = m.group(0), m.start(), m.end()
        if "\n" in s and 0 < start and end < len(text) and is_east_asian(text[start - 1]) and is_east_asian(text[end]):
            return ""
        return " "

    return re.sub(r"[ \t\r\n\f\xa0]+", repl, text)


class _LineSink:
    """Accumulates inline text into lines; a block boundary or <br> ends a line."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, int]] = []
        self._parts: list[str] = []
        self._line: int | None = None

    def add(self, text: str, line: int) -> None:
        if self._line is None and text.strip():
            self._line = line
        self._parts.append(text)

    def flush(self) -> None:
        text = _collapse("".join(self._parts)).strip()
        if text:
            self.lines.append((text, self._line or 0))
        self._parts, self._line = [], None


def _html_cell_text(node: _Node) -> str:
    sink = _LineSink()
    _inline_walk(node, sink)
    sink.flush()
    return join_wrapped_lines([t for t, _ in sink.lines])


def _inline_walk(node: _Node, sink: _LineSink) -> None:
    """Text of a node with line breaks at <br> and block elements (used inside cells)."""
    for child in node.children:
        if isinstance(child, _Text):
            sink.add(child.text, child.line)
        elif child.tag in _SKIP_HTML:
            continue
        elif child.tag == "br":
            sink.flush()
        else:
            if child.tag in _BLOCK:
                sink.flush()
            _inline_walk(child, sink)
            if child.tag in _BLOCK:
                sink.flush()


def _table_rows(table: _Node) -> list[_Node]:
    """The table's own <tr>s (through thead/tbody/tfoot), not those of nested tables."""
    rows: list[_Node] = []
    for child in table.children:
        if isinstance(child, _Node):
            if child.tag == "tr":
                rows.append(child)
            elif child.tag in _TABLE_PARTS:
                rows.extend(_table_rows(child))
    return rows


def _row_cells(tr: _Node) -> list[_Node]:
    return [c for c in tr.children if isinstance(c, _Node) and c.tag in ("td", "th")]


def _has_nested_table(node: _Node) -> bool:
    return any(isinstance(c, _Node) and (c.tag == "table" or _has_nested_table(c)) for c in node.children)


def _span_attr(cell: _Node, name: str, limit: int) -> int:
    m = re.match(r"\s*(\d+)", cell.attrs.get(name, "1"))
    if m is None:
        return 1
    try:
        value = int(m.group(1))
    except ValueError:  # more digits than int() converts
        return 1
    return min(value, limit) if value > 0 else limit  # rowspan=0: to the end of the table


def _html_grid(rows: list[_Node]) -> Grid:
    """The HTML table algorithm: cells fill the first free position, rowspan/colspan
    reserve positions below and to the right."""
    placed: dict[tuple[int, int], RawCell | None] = {}
    n = len(rows)
    for i, tr in enumerate(rows):
        j = 0
        for cell in _row_cells(tr):
            while (i, j) in placed:
                j += 1
            colspan = _span_attr(cell, "colspan", 1000) if "colspan" in cell.attrs else 1
            colspan = max(colspan, 1)
            rowspan = _span_attr(cell, "rowspan", n - i) if "rowspan" in cell.attrs else 1
            for di in range(max(rowspan, 1)):
                for dj in range(colspan):
                    placed.setdefault((i + di, j + dj), None)
            placed[(i, j)] = RawCell(_html_cell_text(cell), colspan)
            j += colspan
    width = max((j + 1 for _, j in placed), default=0)
    return [[placed[(i, j)] if (i, j) in placed else RawCell("", 1) for j in range(width)] for i in range(n)]


class _HtmlEmitter:
    def __init__(self, source: str):
        self.source = source
        self.blocks: list[Block] = []
        self.sink = _LineSink()

    def flush(self) -> None:
        self.sink.flush()
        for text, line in self.sink.lines:
            self.blocks.append(TextLine(text, Location(self.source, line)))
        self.sink.lines.clear()

    def walk(self, node: _Node) -> None:
        for child in node.children:
            if isinstance(child, _Text):
                self.sink.add(child.text, child.line)
            elif child.tag in _SKIP_HTML:
                continue
            elif child.tag == "table":
                self.flush()
                self.table(child)
            elif child.tag == "pre":
                self.flush()
                self.pre(child)
            elif child.tag == "br":
                self.sink.flush()
            else:
                if child.tag in _BLOCK:
                    self.sink.flush()
                self.walk(child)
                if child.tag in _BLOCK:
                    self.sink.flush()
        if node.tag == "#root":
            self.flush()

    def pre(self, node: _Node) -> None:
        """Preformatted text keeps its line breaks and tabs (a tab-separated table dump)."""
        parts: list[str] = []

        def gather(n: _Node) -> None:
            for c in n.children:
                if isinstance(c, _Text):
                    parts.append(c.text)
                elif c.tag == "br":
                    parts.append("\n")
                elif c.tag not in _SKIP_HTML:
                    gather(c)

        gather(node)
        for k, text in enumerate("".join(parts).split("\n")):
            if text.strip():
                self.blocks.append(TextLine(text.rstrip(), Location(self.source, node.line + k)))

    def table(self, node: _Node) -> None:
        for child in node.children:
            if isinstance(child, _Node) and child.tag == "caption":
                self.walk(child)
                self.flush()
        rows = _table_rows(node)
        grid = _html_grid(rows)
        anchors = [c for row in grid for c in row if c is not None]
        if any(_has_nested_table(c) for tr in rows for c in _row_cells(tr)) or len(anchors) <= 1:
            # A layout table (it holds other tables) or a one-cell frame: its content is
            # text flow, and the tables inside it are the data.
            for tr in rows:
                for cell in _row_cells(tr):
                    self.sink.flush()
                    self.walk(cell)
                    self.flush()
            return
        if not any(c.text for c in anchors):
            return
        self.blocks.append(
            RawTable(
                rows=grid,
                location=Location(self.source, node.line),
                row_locations=[Location(self.source, tr.line) for tr in rows],
            )
        )


def _declared_charset(data: bytes) -> str | None:
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", data[:4096], re.I)
    return m.group(1).decode("ascii").lower() if m else None


_GB_OR_UTF8 = {"utf8", "gb2312", "gbk", "gb18030", "cp936", "xgbk"}


def _decode_html(data: bytes, source: str) -> str:
    """Bytes → text with the project's detection (UTF-8, then GB18030, then a guess); a
    <meta> charset outside that family (big5, utf-16) is tried first, since detection
    would read those as GB18030."""
    for bom in (b"\xff\xfe", b"\xfe\xff"):
        if data.startswith(bom):
            return data.decode("utf-16", errors="replace")
    declared = _declared_charset(data)
    if declared and declared.replace("-", "").replace("_", "") not in _GB_OR_UTF8:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, source)


def html_blocks(data: bytes, source: str) -> list[Block]:
    """An HTML page: text as TextLines (one per block element or <br>), data tables as
    RawTables with colspan/rowspan resolved. `line` is the source line of the element."""
    if is_zip(data) or is_ole(data):
        raise ParseError(
            f"{source}: an office document (zip/OLE), not HTML; load it under its real "
            "extension (.xlsx, .docx, .xls)."
        )
    emitter = _HtmlEmitter(source)
    emitter.walk(_build_tree(_decode_html(data, source)))
    if not emitter.blocks:
        raise ParseError(f"{source}: the HTML page has no text or tables; check that this is the right file.")
    return emitter.blocks
