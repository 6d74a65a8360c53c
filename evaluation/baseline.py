"""A naive-RAG baseline: the top retrieved chunk, the first number in it with the unit after it,
cite that chunk.

It shares the engine's retrieval, so the gap between it and the full engine measures what the
table-aware answering adds on top of retrieval alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from qa.answer import Answer, Citation

# A printed number and, if one follows it, its unit. Longer units first so 人次 wins over 人.
# A number glued to a preceding word ("附表6") is part of a name, not a figure.
_NUMBER_UNIT = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*"
    r"(?P<unit>万元|亿元|千元|元|%|％|人次|人|名|辆|台|个)?"
)


def first_quantity(text: str) -> tuple[Decimal, str | None] | None:
    """The first number printed with a unit after it, else the first number at all."""
    matches = list(_NUMBER_UNIT.finditer(text))
    if not matches:
        return None
    m = next((m for m in matches if m.group("unit")), matches[0])
    return Decimal(m.group("num").replace(",", "")), m.group("unit")


def node_citation(node: Any, value: Decimal | None, unit: str | None) -> Citation:
    meta: Mapping[str, Any] = node.metadata
    return Citation(
        document=str(meta.get("doc_id", "")),
        doc_id=str(meta.get("doc_id", "")),
        section=str(meta.get("section") or meta.get("table") or ""),
        table=meta.get("table_key") or meta.get("table_id") or None,
        row=meta.get("label_path") or None,
        column=None,
        text=node.get_content(),
        location=str(meta.get("location", "")),
        value=value,
        unit=unit,
        row_id=meta.get("row_id") or None,
    )


def naive_answer(question: str, retrieved: Sequence[Any]) -> Answer:
    """Answer from `retrieved` (results with `.node`, best first) the way a naive RAG would."""
    if not retrieved:
        return Answer(question, "没有检索到相关内容。", "not_found", reason="nothing retrieved")
    node = retrieved[0].node
    text = node.get_content()
    found = first_quantity(text)
    if found is None:
        return Answer(question, text, "passage", citations=(node_citation(node, None, None),))
    value, unit = found
    # No unit printed after the number: fall back to the unit the chunk's table declares.
    unit = unit or node.metadata.get("unit") or None
    answer_text = f"{value} {unit or ''}".strip()
    return Answer(question, answer_text, "lookup", value=value, unit=unit,
                  citations=(node_citation(node, value, unit),))
