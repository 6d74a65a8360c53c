"""The answer engine: a question in, an `Answer` with exact figures and citations out.

Numbers are only ever copied from parsed facts (table cells, narrative sentences, form
fields) or computed from them with the formula shown. When nothing in the loaded
documents explains the question, the answer is `not_found`, with the reason and the
nearest metrics that do exist.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Callable

import corpus
from corpus.numbers import MONEY_UNITS, convert
from index.config import IndexConfig
from corpus.facts import DocumentInfo, Fact
from index.factstore import FactStore
from index.search import Filters, SearchIndex
from index.store import FACTS, build_index, pipeline_fingerprint, read_manifest, resolve_source

from . import compute
from .analyze import MAX_QUESTION_CHARS, Question, analyze
from .answer import Answer, Citation
from .compose import candidates, citations, fact_label, fmt, guard, lookup_sentence
from .linker import Reading, fact_names, readings
from .text import longest_common_substring, norm_name, norm_question

# A department named at the start of a question (武汉经开区教育局2024年的…).
_ORG = re.compile(r"^(?:请问)?((?:(?![的之])[\u4e00-\u9fff]){2,}?(?:局|委员会|办公室|办事处|街道|法院|检察院|医院|学校|大学|中心|公司|管委会|政府|厅))")


_QUESTION_WORDS = re.compile(r"什么|为什么|原因|理由|是谁|谁|哪些|哪家|怎么|如何|意思|含义|指什么|解释|主要|用于|用来|干什么|做什么|有没有|变化|是否")


@dataclass
class _Loaded:
    facts: list[Fact]
    names: dict
    docs: dict[str, DocumentInfo]
    manifest: dict


class Engine:
    """Loads an index once (lazily) and answers questions from it. Thread-safe."""

    def __init__(self, index_dir: str | Path | None = None, *, retrieval: str = "hybrid",
                 config: IndexConfig | None = None):
        self.config = config or IndexConfig.from_env()
        self.index_dir = Path(index_dir) if index_dir else self.config.index_dir
        self.retrieval = retrieval
        self._lock = threading.RLock()        # guards the loaded state
        self._build_lock = threading.Lock()   # one index build at a time; answers go on meanwhile
        self._loaded: _Loaded | None = None
        self._search: SearchIndex | None = None
        self._documents: dict[str, corpus.BudgetDocument] = {}

    # ------------------------------------------------------------------ loading

    def ensure_index(self, progress: Callable[[str, float], None] | None = None) -> None:
        """Build the bundled corpus's index on first use; rebuild an index made by older
        parsing code from its own sources (unchanged texts keep their cached embeddings)."""
        with self._build_lock:
            manifest = self.index_dir / "manifest.json"
            if not manifest.exists():
                build_index([corpus.default_corpus_dir()], self.index_dir, self.config, progress=progress)
                return
            current = read_manifest(self.index_dir)
            if current.get("pipeline") != pipeline_fingerprint():
                sources = [resolve_source(i["source"]) for i in current["documents"].values()]
                build_index([s for s in sources if s.exists()] or [corpus.default_corpus_dir()],
                            self.index_dir, self.config, progress=progress)
                self.reload()

    def _state(self) -> _Loaded:
        if self._loaded is None:
            self.ensure_index()
        with self._lock:
            if self._loaded is None:
                manifest = read_manifest(self.index_dir)
                store = FactStore(self.index_dir / FACTS)
                try:
                    facts = store.facts()
                    docs = {d.doc_id: d for d in store.documents()}
                finally:
                    store.close()
                self._loaded = _Loaded(facts, {f.id: fact_names(f) for f in facts}, docs, manifest)
            return self._loaded

    def search_index(self) -> SearchIndex:
        with self._lock:
            if self._search is None:
                self._state()
                self._search = SearchIndex(self.index_dir, self.config)
            return self._search

    def reload(self) -> None:
        with self._lock:
            self._loaded, self._search = None, None

    def documents(self) -> list[corpus.BudgetDocument]:
        """The loaded documents as parsed (for the table browser), parsed once each."""
        manifest = self._state().manifest
        out = []
        for doc_id, info in manifest["documents"].items():
            if doc_id not in self._documents:
                self._documents[doc_id] = corpus.load(resolve_source(info["source"]))
            out.append(self._documents[doc_id])
        return out

    def add_document(self, path: str | Path, progress: Callable[[str, float], None] | None = None):
        """Parse a new document and update the index incrementally; a bad file raises
        `corpus.ParseError` and leaves the loaded index untouched."""
        doc = corpus.load(path)  # parse first: a bad file never reaches the index
        with self._build_lock:  # the build swaps its folder in atomically; answers use the old one meanwhile
            sources = [resolve_source(i["source"]) for i in self._state().manifest["documents"].values()]
            build_index(sources + [Path(path)], self.index_dir, self.config, progress=progress)
        with self._lock:
            self.reload()
            self._documents.pop(doc.doc_id, None)
        return doc, doc.findings

    def retrieve(self, question: str, k: int = 10, doc_ids: set[str] | None = None, any_kind: bool = False):
        """The index nodes nearest the question, searched with the question as the engine
        reads it: English terms translated, colloquial terms expanded to printed names, and
        prose questions searched among passages only."""
        q = analyze(question) if question and question.strip() else None
        query = norm_question(question or "")
        kinds = None
        if q is not None:
            query = " ".join([q.expanded, *q.alias_targets])
            prose = q.operation == "prose" and q.wants != "text" and not any_kind
            kinds = frozenset({"text", "field", "record"}) if prose else None
        filters = Filters(doc_ids=frozenset(doc_ids) if doc_ids else None, node_kinds=kinds)
        return self.search_index().retrieve(query, k=k, mode=self.retrieval, filters=filters)

    # ------------------------------------------------------------------ answering

    def answer(self, question: str, doc_ids: set[str] | None = None) -> Answer:
        started = time.perf_counter()
        problem = _validate(question)
        if problem:
            return Answer(question or "", problem, "not_found", reason="bad input")
        state = self._state()
        q = analyze(question)
        docs, reason = self._documents_for(q, state, doc_ids)
        if reason:
            return self._not_found(q, reason, [], started)
        facts = [f for f in state.facts if f.doc_id in docs]
        doc_years = {d: state.docs[d].year for d in docs}
        year_problem = self._unknown_year(q, facts, doc_years)
        if year_problem:
            return self._not_found(q, year_problem, [], started)
        fixed = self._fixed_spans(q, state, docs)
        result = None
        if q.operation in ("ratio", "sum", "difference", "max", "min", "count"):
            result = self._compute(q, facts, doc_years, fixed, started)
        if result is None and (q.operation != "prose" or q.wants == "text"):
            result = self._lookup(q, facts, doc_years, fixed, started)
        if result is None and q.operation == "change" and len(set(q.years)) >= 2:
            # no printed change: the same metric in two years (2024年比2022年少了多少)
            diff = replace(q, operation="difference")
            result = self._compute(diff, facts, doc_years, fixed, started)
        if result is None and q.operation == "prose":
            result = self._passage(q, docs, started)
        if result is None:
            result = self._not_found(q, "这些文件中没有找到与问题对应的指标", self._nearest(q, facts, doc_years, fixed), started)
        return guard(result)

    # ------------------------------------------------------------------ helpers

    def _documents_for(self, q: Question, state: _Loaded, doc_ids: set[str] | None) -> tuple[set[str], str | None]:
        docs = set(state.docs) if doc_ids is None else set(doc_ids) & set(state.docs)
        if not docs:
            return set(), "没有载入任何预算文件"
        for org in _orgs(q):
            known = [d for d in docs if _org_matches(org, state.docs[d].department or state.docs[d].title)]
            if not known:
                names = "、".join(sorted({state.docs[d].department or d for d in docs}))
                return set(), f"没有载入“{org}”的预算文件（已载入：{names}）"
            docs = set(known)
        if "决算" in q.expanded and not any(state.docs[d].doc_type == "决算" for d in docs):
            return set(), "已载入的是部门预算，没有决算数据"
        if re.search(r"实际(支出|执行|完成|到位)|执行数|完成数", q.expanded):
            return set(), "预算文件只有预算数，没有实际执行（决算）数据"
        return docs, None

    def _unknown_year(self, q: Question, facts: list[Fact], doc_years: dict[str, int]) -> str | None:
        years = set(doc_years.values())
        for year in q.years:
            if year in years:
                continue
            mentioned = any(f.compare_year == year or str(year) in (f.subject + f.topic + f.column + f.context).replace(" ", "")
                            for f in facts)
            if not mentioned:
                have = "、".join(str(y) for y in sorted(years))
                return f"这些文件中没有 {year} 年的数据（已载入 {have} 年的文件）"
        return None

    def _fixed_spans(self, q: Question, state: _Loaded, docs: set[str]) -> list[tuple[int, int]]:
        """Parts of the question that are about the document, not the metric: its year,
        its department, 预算/决算."""
        spans = []
        years = {state.docs[d].year for d in docs}
        for m in re.finditer(r"((?:19|20)\d{2})\s*年(度)?", q.expanded):
            if int(m.group(1)) in years:
                spans.append(m.span())
        for d in docs:
            dept = norm_name(state.docs[d].department or "")
            for part in {dept, dept[-12:], dept[-9:]} if dept else ():
                at = q.expanded.find(part) if len(part) >= 4 else -1
                if at >= 0:
                    spans.append((at, at + len(part)))
        for org in _orgs(q):  # 万里街道的公务接待费: the department that was asked about
            at = q.expanded.find(org)
            if at >= 0 and any(_org_matches(org, state.docs[d].department or state.docs[d].title) for d in docs):
                spans.append((at, at + len(org)))
        for word in ("部门预算", "单位预算"):
            at = q.expanded.find(word)
            if at >= 0:
                spans.append((at, at + len(word)))
        return spans

    def _readings(self, q: Question, facts: list[Fact], doc_years, fixed) -> list[Reading]:
        return readings(q, facts, self._state().names, doc_years, fixed)

    def _lookup(self, q: Question, facts: list[Fact], doc_years, fixed, started) -> Answer | None:
        rs = self._readings(q, facts, doc_years, fixed)
        good = [r for r in rs if not r.leftover]
        if not good:
            return self._previous_year(q, facts, doc_years, fixed, started)
        best = good[0]
        if q.years and any(y != doc_years.get(best.fact.doc_id) for y in q.years) and not self._states_year(q, best):
            return self._previous_year(q, facts, doc_years, fixed, started)
        tier = [r for r in good if r.key[:5] == best.key[:5]]
        if best.fact.kind == "empty_table":
            return self._empty_table(q, best, started)
        if best.fact.value is None:
            return self._text_field(q, best, started)
        if len({r.fact.doc_id for r in tier}) > 1:
            return self._per_document(q, tier, rs, started)
        same = [r for r in tier if r.fact.value is not None and _equal(r.fact, best.fact)]
        others = [r for r in tier if r.fact.value is not None and not _equal(r.fact, best.fact)]
        # Everything else in the documents that states this exact figure for this metric
        also = [r for r in good if r not in same and r.key[0] == best.key[0] and _equal(r.fact, best.fact)
                and fact_label(r.fact) == fact_label(best.fact)]
        state = self._state()
        cites = citations([r.fact for r in same + also], state.docs)
        label = fact_label(best.fact, column_named=any(m.role == "column" for m in best.matches))
        text = lookup_sentence(label, best.fact.value, best.fact.unit, cites)
        formula = None
        wanted = _requested_unit(q)
        if wanted and best.fact.unit in MONEY_UNITS and wanted != best.fact.unit:
            # "差旅费是多少元": the printed figure stays the answer; the conversion is shown
            converted = _money(convert(best.fact.value, best.fact.unit, wanted))
            formula = f"{fmt(best.fact.value)} {best.fact.unit} = {fmt(converted)} {wanted}"
            text += f"，即 {fmt(converted)} {wanted}"
        if others:
            other_cites = citations([r.fact for r in others], state.docs)
            text += "。注意：" + "；".join(f"{c.section} {c.row or ''} {c.column or ''} 为 {fmt(c.value)} {c.unit or ''}"
                                        for c in other_cites) + "，与上面的数字不同"
            cites += other_cites
        return Answer(q.raw, text, "lookup", best.fact.value, best.fact.unit, cites, candidates(rs),
                      formula=formula, timings=_timings(started))

    def _states_year(self, q: Question, reading: Reading) -> bool:
        f = reading.fact
        said = (f.subject + f.topic + f.column + f.context).replace(" ", "")
        return any(f.compare_year == y or str(y) in said for y in q.years)

    def _per_document(self, q: Question, tier: list[Reading], rs: list[Reading], started) -> Answer:
        """Several documents answer and the question did not say which: one figure per
        document (the question can name a department or year to pick one)."""
        state = self._state()
        firsts = [next(r for r in tier if r.fact.doc_id == d) for d in dict.fromkeys(r.fact.doc_id for r in tier)]
        label = fact_label(firsts[0].fact)
        parts = [f"{state.docs[r.fact.doc_id].title}：{fmt(r.fact.value)} {r.fact.unit or ''}".rstrip()
                 for r in firsts if r.fact.value is not None]
        text = f"{label}（已载入的各份文件分别为）" + "；".join(parts) + "。可在问题中写明部门或年度。"
        return Answer(q.raw, text, "lookup", None, firsts[0].fact.unit, citations([r.fact for r in firsts], state.docs),
                      candidates(rs), timings=_timings(started))

    def _empty_table(self, q: Question, best: Reading, started) -> Answer:
        cites = citations([best.fact], self._state().docs)
        return Answer(q.raw, f"{best.fact.table_title}为空表：本年没有安排这项预算（为零）。", "lookup", None,
                      best.fact.unit, cites, timings=_timings(started))

    def _text_field(self, q: Question, best: Reading, started) -> Answer:
        cites = citations([best.fact], self._state().docs)
        text = f"{best.fact.row_label}的{best.fact.column}：{best.fact.raw}（来源：{cites[0].section}）"
        return Answer(q.raw, text, "passage", None, None, cites, timings=_timings(started))

    def _previous_year(self, q: Question, facts, doc_years, fixed, started) -> Answer | None:
        """`2023年行政运行预算是多少` from this year's figure and the printed change."""
        others = [y for y in q.years if y not in doc_years.values()]
        if len(others) != 1:
            return None
        year = others[0]
        bare = replace(q, expanded=re.sub(rf"{year}\s*年(度)?", "", q.expanded), years=())
        rs = [r for r in self._readings(bare, facts, doc_years, fixed) if not r.leftover and r.fact.value is not None]
        current = next((r.fact for r in rs if not r.fact.change and r.fact.kind in ("cell", "narrative")), None)
        if current is None:
            return None
        change = next((f for f in facts if f.kind == "narrative" and f.compare_year == year and f.change in ("增加", "减少")
                       and f.unit == current.unit and f.doc_id == current.doc_id and _same_topic(f, current)), None)
        if change is None:
            return None
        result = compute.previous_year(current, change)
        return self._computed(q, result, started) if result else None

    def _compute(self, q: Question, facts: list[Fact], doc_years, fixed, started) -> Answer | None:
        def resolve(text: str, wants: str) -> Fact | None:
            sub = replace(analyze(text), wants=wants, operation="lookup")
            rs = [r for r in self._readings(sub, facts, doc_years, self._fixed_spans(sub, self._state(), set(doc_years)))
                  if not r.leftover and r.fact.value is not None and not r.fact.change]
            return rs[0].fact if rs else None

        doc_year = next(iter(doc_years.values()), None)
        if q.operation == "ratio":
            result = compute.ratio(q, resolve)
        elif q.operation == "sum":
            result = compute.total(q, resolve)
        elif q.operation == "difference":
            result = compute.difference(q, resolve, doc_year)
        elif q.operation in ("max", "min", "count"):
            members, what = self._members(q, facts, doc_years, fixed)
            if q.operation == "count":
                looked_up = self._lookup(q, facts, doc_years, fixed, started)
                if looked_up is not None:
                    return looked_up
                result = compute.count(q, members, what) if members else None
            else:
                result = compute.extreme(q, members, q.operation == "max", what) if members else None
        else:
            result = None
        return self._computed(q, result, started) if result else None

    def _members(self, q: Question, facts: list[Fact], doc_years, fixed) -> tuple[list[Fact], str]:
        """The set a 最多/最少/几个 question ranges over: the sub-items of a named row, the
        功能分类 classes (类), or the projects."""
        text = q.expanded
        cells = [f for f in facts if f.kind == "cell" and f.value is not None]
        named = [r for r in self._readings(replace(q, operation="lookup", wants="money"),
                                           cells, doc_years, fixed) if any(m.role in ("row", "code", "alias") for m in r.matches)]
        for r in named:
            children = [f for f in cells if f.table_key == r.fact.table_key and f.col_index == r.fact.col_index
                        and f.row_path.startswith(r.fact.row_path + " > ") and f.row_level == r.fact.row_level + 1]
            if len(children) >= 2:
                return children, r.fact.row_label
        first = _first_numeric(cells)
        if re.search(r"项目", text):
            projects = [f for f in cells if f.table_kind == "项目支出" and len(f.code) >= 10
                        and f.col_index == first[f.table_key, f.row_id]]
            if projects:
                return projects, "项目"
        if re.search(r"类", text):
            for kind in ("支出总表", "一般公共预算支出"):
                classes = [f for f in cells if f.table_kind == kind and re.fullmatch(r"\d{3}", f.code)
                           and f.col_index == first[f.table_key, f.row_id]]
                if classes:
                    return classes, "各类功能支出"
        return [], ""

    def _computed(self, q: Question, result: compute.Computed, started) -> Answer:
        cites = citations(list(result.inputs), self._state().docs)
        return Answer(q.raw, result.sentence, "computed", result.value, result.unit, cites,
                      formula=result.formula, timings=_timings(started))

    def _passage(self, q: Question, docs: set[str], started) -> Answer | None:
        """Prose questions: the retrieved sentence (or form field) that covers the question's
        content words best — with a bonus when it reads like the kind of answer asked for
        (a reason, a definition, a purpose) — quoted with its section path."""
        content = _content_bigrams(q.expanded)
        if not content:
            return None
        cues = _answer_cues(q.expanded)
        # passages first; then any node, since "购买的是什么服务" is answered by a table's text cell
        hits = self.retrieve(q.raw, k=30, doc_ids=docs)
        seen = {h.node.id_ for h in hits}
        hits += [h for h in self.retrieve(q.raw, k=10, doc_ids=docs, any_kind=True) if h.node.id_ not in seen]
        best, best_score = None, 0.0
        for rank, hit in enumerate(hits):
            penalty = _kind_penalty(hit.node, q.expanded)
            for quote, section in _quotes(hit.node):
                covered = len(content & _bigrams(norm_question(section + quote))) / len(content)
                own = len(content & _bigrams(norm_question(quote))) / len(content)
                cue = next((c for c in cues if c in quote), None)
                # the thing asked about should be the subject: before the cue (…项目…，主要用于…)
                lead = len(content & _bigrams(norm_question(quote.split(cue)[0]))) / len(content) if cue else 0.0
                # general questions find general sections first; rows hold figures, not prose
                score = (covered + (0.25 if cue else 0.0) + 0.1 * lead + 0.05 * own - penalty
                         - 0.01 * section.count(">") - rank * 0.002)
                if covered >= 0.6 and score > best_score:
                    best, best_score = (hit.node, quote, section), score
        if best is None:
            return None
        node, quote, section = best
        meta = node.metadata
        info = self._state().docs.get(meta.get("doc_id"))
        record = meta.get("node_kind") in ("record", "field")
        cite = Citation(info.title if info else meta.get("doc_id", ""), meta.get("doc_id", ""), section,
                        meta.get("table_key") if meta.get("node_kind") in ("record", "row", "field") else None,
                        meta.get("label_path") if record else None, None, quote, meta.get("location", ""))
        return Answer(q.raw, f"{quote}（{section}）", "passage", None, None, (cite,), timings=_timings(started))

    def _nearest(self, q: Question, facts, doc_years, fixed) -> list[Reading]:
        return self._readings(replace(q, wants="any"), facts, doc_years, fixed)[:3]

    def _not_found(self, q: Question, reason: str, near: list[Reading], started) -> Answer:
        hint = ""
        if near:
            hint = "。相近的指标有：" + "、".join(dict.fromkeys(fact_label(r.fact) for r in near))
        return Answer(q.raw, f"没有找到答案：{reason}{hint}。", "not_found", reason=reason,
                      candidates=candidates(near), timings=_timings(started))


def _money(value: Decimal) -> Decimal:
    """Two decimals when that is exact (95400.00, 69.30), else every digit, never 9.54E+4."""
    cents = value.quantize(Decimal("0.01"))
    return cents if cents == value else Decimal(f"{value:f}")


def _requested_unit(q: Question) -> str | None:
    m = re.search(r"多少(万元|亿元|元)|(?<![万亿])元$", q.expanded.rstrip("?？"))
    if m:
        return m.group(1) or "元"
    return "元" if q.english and re.search(r"\bin yuan\b|(?<!万)元", q.expanded) else None


def _orgs(q: Question) -> list[str]:
    """A department named at the start of the question, read before 的 is dropped (so
    法院的政府采购 is not the department 法院政府)."""
    raw = re.sub(r"\s+", "", q.raw)
    return [norm_name(m.group(1)) for m in _ORG.finditer(raw)]


def _validate(question: str | None) -> str | None:
    if question is None or not question.strip():
        return "请输入一个问题，例如“公务接待费是多少”。"
    if len(question) > MAX_QUESTION_CHARS:
        return f"问题太长（{len(question)} 字），请控制在 {MAX_QUESTION_CHARS} 字以内。"
    if not re.search(r"[\w\u4e00-\u9fff]", question):
        return "问题里没有文字，请换一种问法，例如“公务接待费是多少”。"
    return None


def _org_matches(org: str, department: str) -> bool:
    dept = norm_name(department)
    org = norm_name(org)
    if org in dept or dept in org:
        return True
    _, common = longest_common_substring(org, dept)
    return common >= 0.8 * len(org)  # a short form of the name (武汉经开区… for 武汉经济技术开发区…)


def _equal(a: Fact, b: Fact) -> bool:
    if a.value is None or b.value is None:
        return False
    if a.unit == b.unit:
        return a.value == b.value
    from corpus.numbers import MONEY_UNITS, convert

    if a.unit in MONEY_UNITS and b.unit in MONEY_UNITS:
        return convert(a.value, a.unit, b.unit) == b.value
    return False


def _same_topic(change: Fact, current: Fact) -> bool:
    label = norm_name(current.row_label or current.subject)
    return bool(label) and (label in norm_name(change.topic) or label in norm_name(change.subject))


def _first_numeric(cells: list[Fact]) -> dict[tuple[str, str], int]:
    """Each row's first figure column (its 合计), in one pass."""
    first: dict[tuple[str, str], int] = {}
    for f in cells:
        key = (f.table_key, f.row_id)
        first[key] = min(first.get(key, f.col_index), f.col_index)
    return first


def _timings(started: float) -> dict[str, float]:
    return {"total_s": time.perf_counter() - started}


def _bigrams(text: str) -> set[str]:
    chars = [c for c in text if c.isalnum()]
    return {a + b for a, b in zip(chars, chars[1:])}


_PROSE_FILLERS = ("是什么", "什么", "是谁", "为什么", "哪些", "哪家", "有没有", "是否", "主要", "用来", "干什么",
                  "请问", "这个", "单位", "部门", "今年", "的", "是", "吗", "呢", "了", "和", "与", "中", "里", "钱")


def _content_bigrams(question: str) -> set[str]:
    """What a passage must talk about: the question minus its question words (the metric
    words such as 支出 stay: they are what the passage is about)."""
    text = _QUESTION_WORDS.sub(" ", question)
    for word in _PROSE_FILLERS:
        text = text.replace(word, " ")
    out = set()
    for run in re.split(r"[^\w\u4e00-\u9fff]+|\s+", text):
        chars = [c for c in run if c.isalnum()]
        out |= {a + b for a, b in zip(chars, chars[1:])}
    return out


_CUES = [
    (re.compile(r"原因|为什么|为何|理由|减少|增加|下降|增长"), ("主要是", "原因", "理由", "由于", "因为")),
    (re.compile(r"什么意思|指什么|含义|是什么|什么是|反映什么"), ("：指", "是指", "反映", "：")),
    (re.compile(r"用于|用来|干什么|做什么"), ("主要用于", "用于", "主用用于")),
    (re.compile(r"包括|哪些"), ("是指", "包括")),
    (re.compile(r"变化"), ("变化", "增减", "持平")),
    (re.compile(r"职能|职责"), ("职责", "职能", "负责")),
]


def _kind_penalty(node, question: str) -> float:
    """Rows hold figures, not prose; a form's fields answer questions about that project."""
    kind = node.metadata.get("node_kind")
    if kind == "row":
        return 0.3
    if kind in ("record", "field"):
        title = norm_name(node.metadata.get("section", "").split(" ", 1)[-1])
        named = any(len(part) >= 3 and part in question for part in re.split(r"[()（）]", title))
        return 0.0 if named or _bigrams(title) & _bigrams(question) else 0.1
    return 0.0


def _answer_cues(question: str) -> tuple[str, ...]:
    out: list[str] = []
    for pattern, cues in _CUES:
        if pattern.search(question):
            out.extend(cues)
    return tuple(out)


def _sentences(text: str) -> list[str]:
    """Sentences of a chunk; one ending in "：" keeps what follows it (主要工作职责为：（一）…)."""
    parts = [p for p in re.split(r"(?<=[。；])", text) if p.strip()]
    out = []
    for i, p in enumerate(parts):
        if p.rstrip().endswith(("：", ":")) and i + 1 < len(parts):
            p = p + parts[i + 1]
        out.append(p.strip())
    return out


def _quotes(node) -> list[tuple[str, str]]:
    """Candidate quotes of a node: the sentences of a narrative chunk, or the fields of a
    form record, each with the section path to show. Table rows are figures, not prose."""
    meta = node.metadata
    if meta.get("node_kind") == "record":
        parts = [p.strip() for p in re.split(r"；| \| ", node.text) if p.strip()]
        return [(p, f"{meta.get('table_id', '')} {meta.get('label_path', '')}") for p in parts[1:]]
    if meta.get("node_kind") == "text":
        body = node.text.split("\n", 1)[-1]
        return [(s, meta.get("section", "")) for s in _sentences(body)]
    if meta.get("node_kind") == "field":
        return [(node.text.split(" | ", 1)[-1], meta.get("section", ""))]
    if meta.get("node_kind") == "row":
        return [(node.text.split(" | ", 2)[-1], meta.get("table", ""))]
    return []
