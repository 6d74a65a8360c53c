"""Passages for prose questions: the sentence (or form field) among the retrieved nodes that
covers the question's content words best — with a bonus when it reads like the kind of
answer asked for (a reason, a definition, a purpose) — and its citation."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from corpus.facts import DocumentInfo

from .answer import Citation
from .text import norm_name, norm_question

if TYPE_CHECKING:
    from llama_index.core.schema import NodeWithScore, TextNode

_QUESTION_WORDS = re.compile(r"什么|为什么|原因|理由|是谁|谁|哪些|哪家|怎么|如何|意思|含义|指什么|解释|主要|用于|用来|干什么|做什么|有没有|变化|是否")

_PROSE_FILLERS = ("是什么", "什么", "是谁", "为什么", "哪些", "哪家", "有没有", "是否", "主要", "用来", "干什么",
                  "请问", "这个", "单位", "部门", "今年", "的", "是", "吗", "呢", "了", "和", "与", "中", "里", "钱")

# What the question asks for → words that start that kind of answer in the documents.
_CUES = [
    (re.compile(r"原因|为什么|为何|理由|减少|增加|下降|增长"), ("主要是", "原因", "理由", "由于", "因为")),
    (re.compile(r"什么意思|指什么|含义|是什么|什么是|反映什么"), ("：指", "是指", "反映", "：")),
    (re.compile(r"用于|用来|用在|用途|花在|干什么|做什么|哪些方面"), ("主要用于", "用于", "主用用于")),
    (re.compile(r"包括|哪些"), ("是指", "包括")),
    (re.compile(r"变化"), ("变化", "增减", "持平")),
    (re.compile(r"职能|职责"), ("职责", "职能", "负责")),
]


@dataclass(frozen=True)
class Passage:
    node: TextNode
    quote: str
    section: str   # the section path (or form and field) shown with the quote


def bigrams(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:])}


def content_bigrams(question: str) -> set[str]:
    """What a passage must talk about: the question minus its question words (the metric
    words such as 支出 stay: they are what the passage is about)."""
    # brackets inside a name join it (因公出国（境）费), as in `bigrams` of a passage
    text = re.sub(r"[()（）]", "", _QUESTION_WORDS.sub(" ", question))
    for word in _PROSE_FILLERS:
        text = text.replace(word, " ")
    out: set[str] = set()
    for run in re.split(r"[^\w\u4e00-\u9fff]+|\s+", text):
        chars = [c for c in run if c.isalnum()]
        out |= {a + b for a, b in zip(chars, chars[1:])}
    return out


def kind_penalty(node: TextNode, question: str) -> float:
    """Rows hold figures, not prose; a form's fields answer questions about that project."""
    kind = node.metadata.get("node_kind")
    if kind == "row":
        return 0.3
    if kind in ("record", "field"):
        title = norm_name(node.metadata.get("section", "").split(" ", 1)[-1])
        named = any(len(part) >= 3 and part in question for part in re.split(r"[()（）]", title))
        return 0.0 if named or bigrams(title) & bigrams(question) else 0.1
    return 0.0


def answer_cues(question: str) -> tuple[str, ...]:
    out: list[str] = []
    for pattern, cues in _CUES:
        if pattern.search(question):
            out.extend(cues)
    return tuple(out)


def sentences(text: str) -> list[str]:
    """Sentences of a chunk; one ending in "：" keeps what follows it (主要工作职责为：（一）…)."""
    parts = [p for p in re.split(r"(?<=[。；])", text) if p.strip()]
    out = []
    for i, p in enumerate(parts):
        if p.rstrip().endswith(("：", ":")) and i + 1 < len(parts):
            p = p + parts[i + 1]
        out.append(p.strip())
    return out


# A sentence that gives the reason for the one before it: "…增长 149.12%。主要原因是…", and
# the 决算 template's "决算数小于预算数的主要原因：…" (what it explains, then 原因).
_REASON_START = re.compile(r"^([^，,。；：:]{0,16}的)?(主要原因|原因|主要是|主要由于|由于|这是因为|是因为)")


_COMPARISON_START = re.compile(r"^(与|比|较|同)\s*(上年|上一年|去年|(19|20)\d{2}\s*年)")
# The sentence that names the item a run of sentences is about: "9、城乡社区支出（类）…（项）。"
# and "2. “…（项）”60.13万元，主要用于…。" open with a list number, the first one maybe after the
# 其中： that opens the list ("…主要原因：人员经费支出数小于预算数。其中：1、…行政运行（项）。").
_ITEM_START = re.compile(r"^(其中\s*[：:]\s*)?(\d{1,2}[、.．](?!\d)|[（(]\d{1,2}[)）])")
_ITEM_REACH = 3  # the figures and purpose between an item's heading and its reason


def with_reasons(parts: list[str]) -> list[str]:
    """The sentences, and each reason sentence joined with the sentences it explains: the
    change before it and the sentence naming the item ("3．住房保障（类）支出 …。与上年相比
    增加 …。主要原因是…"), so a question about why X changed quotes X, its change and its
    reason whole."""
    out = []
    for i, part in enumerate(parts):
        if i > 0 and _REASON_START.match(part) and not _REASON_START.match(parts[i - 1]):
            start = i - 1
            while start > 0 and _COMPARISON_START.match(parts[start]):
                start -= 1  # "与上年相比增加 …" is about the item named before it
            out.append("".join(parts[_item_start(parts, start):_reason_end(parts, i)]))
        elif i > 0 and _PURPOSE_START.match(part) and _ITEM_START.match(parts[i - 1]):
            out.append(parts[i - 1] + part)  # "3、…其他社会工作事务支出（项）。主要用于：开办费…"
        out.append(part)
    return out


# What an item's money is for, said right after the sentence that names the item.
_PURPOSE_START = re.compile(r"^(主要)?用于")


# A figure in a sentence: the sentences that go on explaining a reason state none.
_AMOUNT = re.compile(r"\d+(\.\d+)?\s*(万元|元|%|％|亿)")
_REASON_REACH = 2  # "主要原因是…口径形成的差异。2017 年将…纳入了本表，如…。": the reason spelled out


def _reason_end(parts: list[str], reason: int) -> int:
    """Where a reason ends: after the sentences that follow it and spell it out (no figure,
    no new item, no reason of their own)."""
    end = reason + 1
    while end < len(parts) and end <= reason + _REASON_REACH and not _AMOUNT.search(parts[end]) \
            and not _ITEM_START.match(parts[end]) and not _REASON_START.match(parts[end]):
        end += 1
    return end


def _item_start(parts: list[str], start: int) -> int:
    """Where the item a reason explains is named: the numbered sentence a few sentences
    back ("9、…（项）。主要用于…。年初预算为…。决算数小于预算数的主要原因：…"), when no other
    reason lies between; else the sentence before the reason."""
    for k in range(start, max(-1, start - _ITEM_REACH - 1), -1):
        if _ITEM_START.match(parts[k]):
            return k
        if _REASON_START.match(parts[k]):
            break
    return start


def quotes(node: TextNode) -> list[tuple[str, str]]:
    """Candidate quotes of a node: the sentences of a narrative chunk, or the fields of a
    form record, each with the section path to show. Table rows are figures, not prose."""
    meta = node.metadata
    if meta.get("node_kind") == "record":
        parts = [p.strip() for p in re.split(r"；| \| ", node.text) if p.strip()]
        return [(p, f"{meta.get('table_id', '')} {meta.get('label_path', '')}") for p in parts[1:]]
    if meta.get("node_kind") == "text":
        body = node.text.split("\n", 1)[-1]
        return [(s, meta.get("section", "")) for s in with_reasons(sentences(body))]
    if meta.get("node_kind") == "field":
        return [(node.text.split(" | ", 1)[-1], meta.get("section", ""))]
    if meta.get("node_kind") == "row":
        return [(node.text.split(" | ", 2)[-1], meta.get("table", ""))]
    return []


def best_passage(question: str, hits: Sequence[NodeWithScore]) -> Passage | None:
    """The quote that covers at least 60 % of the question's content words and scores best;
    `question` is the question's expanded text, `hits` the retrieved nodes, best first."""
    content = content_bigrams(question)
    if not content:
        return None
    cues = answer_cues(question)
    best, best_score = None, 0.0
    for rank, hit in enumerate(hits):
        node = cast("TextNode", hit.node)  # an index holds TextNodes only
        penalty = kind_penalty(node, question)
        for quote, section in quotes(node):
            covered = len(content & bigrams(norm_question(section + quote))) / len(content)
            own = len(content & bigrams(norm_question(quote))) / len(content)
            cue = next((c for c in cues if c in quote), None)
            # the thing asked about should be the subject: before the cue (…项目…，主要用于…)
            lead = len(content & bigrams(norm_question(quote.split(cue)[0]))) / len(content) if cue else 0.0
            # general questions find general sections first; rows hold figures, not prose
            score = (covered + (0.25 if cue else 0.0) + 0.1 * lead + 0.05 * own - penalty
                     - 0.01 * section.count(">") - rank * 0.002)
            if covered >= 0.6 and score > best_score:
                best, best_score = Passage(node, quote, section), score
    return best


def passage_citation(passage: Passage, documents: Mapping[str, DocumentInfo]) -> Citation:
    """A passage's citation: its document, section path and quote; for a form, the form and
    the project (record) it belongs to."""
    meta = passage.node.metadata
    info = documents.get(meta.get("doc_id", ""))
    record = meta.get("node_kind") in ("record", "field")
    return Citation(info.title if info else meta.get("doc_id", ""), meta.get("doc_id", ""), passage.section,
                    meta.get("table_key") if meta.get("node_kind") in ("record", "row", "field") else None,
                    meta.get("label_path") if record else None, None, passage.quote, meta.get("location", ""))
