"""The gold question set: JSONL in, validated frozen `GoldQuestion`s out.

Every problem is reported as `file:line: what is wrong`, all of them at once, so a gold file
with several typos is fixed in one pass. The schema is in evaluation/gold/README.md.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

DEV_SET = Path(__file__).resolve().parent / "gold" / "dev.jsonl"

CATEGORIES = (
    "lookup", "paraphrase", "code", "column", "narrative", "project", "computed", "prose", "not_found", "english",
    # the multi-document sets (evaluation/gold/README.md): the total-budget question, 决算 measures
    # (年初预算数 / 决算数 / execution rates), and a lookup whose point is an unusual department name
    "generic", "juesuan", "alias",
)
DOC_KINDS = ("部门预算", "单位预算", "部门决算", "单位决算")
_REQUIRED = ("id", "question", "category", "document", "expected_sources")
_OPTIONAL = ("expected_value", "expected_unit", "tolerance", "expected_keywords", "expected_kind", "notes",
             "department", "year", "doc_kind", "expected_files")

# Table ids as the family of templates prints them: 附表7 (Wuhan), 表9 (Shanghai, numbered in
# the table of contents), 公开09表 / 公开表一 (Jiangsu), 表一, and 附表1-1 style sub-tables.
# Anything else in expected_sources (a table title, a heading) is matched as text.
_NUMERAL = r"(?:\d{1,3}|[二三四五六七八九]?十[一二三四五六七八九]?|[一二三四五六七八九])"
_TABLE_ID = re.compile(rf"^(?:(?:附表|表|公开表){_NUMERAL}|公开{_NUMERAL}表)(?:-\d{{1,2}})?$")
_TABLE_ID_PARTS = re.compile(rf"^(附表|表|公开表|公开)({_NUMERAL})表?((?:-\d{{1,2}})?)$")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


class GoldError(ValueError):
    """A gold file that cannot be used; the message lists every `file:line: problem`."""


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    category: str
    document: str | tuple[str, ...]  # a publication id; several for a cross-year question
    expected_sources: tuple[str, ...]
    expected_value: Decimal | None = None
    expected_unit: str | None = None
    tolerance: Decimal | None = None
    expected_keywords: tuple[str, ...] = ()
    expected_kind: str | None = None
    notes: str | None = None
    department: str | None = None
    year: int | tuple[int, ...] | None = None
    doc_kind: str | None = None
    expected_files: tuple[str, ...] = ()  # when given, only a citation of one of these files counts

    @property
    def documents(self) -> tuple[str, ...]:
        return (self.document,) if isinstance(self.document, str) else self.document

    @property
    def document_label(self) -> str:
        """One name for reports: the publication id, or the ids joined for a cross-year question."""
        return " + ".join(self.documents)

    @property
    def answer_type(self) -> str:
        """What kind of answer the question wants: "value", "keywords" or "not_found"."""
        if self.expected_kind == "not_found":
            return "not_found"
        return "value" if self.expected_value is not None else "keywords"

    @property
    def expected_tables(self) -> tuple[str, ...]:
        return tuple(s for s in self.expected_sources if is_table_id(s))

    @property
    def expected_sections(self) -> tuple[str, ...]:
        return tuple(s for s in self.expected_sources if not is_table_id(s))

    def expected_text(self) -> str:
        """The expected answer as a person reads it, for reports."""
        if self.answer_type == "not_found":
            return "not_found"
        if self.answer_type == "keywords":
            return "keywords: " + "、".join(self.expected_keywords)
        tol = f" (±{self.tolerance})" if self.tolerance is not None else ""
        return f"{self.expected_value} {self.expected_unit}{tol}"


def is_table_id(source: str) -> bool:
    """附表7, 表9, 表一, 公开09表, 公开表一 … — not a table title or a heading."""
    return bool(_TABLE_ID.match("".join(source.split())))


def table_id_key(table_id: str) -> tuple[str, int, str] | None:
    """The table a printed id names, so that spellings of one id compare equal: 公开09表,
    公开表9 and 公开表九 are all ("公开表", 9, ""); 附表7 and 表7 stay different tables.
    None for anything that is not a table id."""
    compact = "".join(table_id.split())  # the text layer prints "公开 09 表"
    m = _TABLE_ID_PARTS.match(compact)
    if not m or not _TABLE_ID.match(compact):
        return None
    family = "公开表" if m.group(1).startswith("公开") else m.group(1)
    return family, _numeral(m.group(2)), m.group(3)


def _numeral(text: str) -> int:
    """"09" → 9, "十二" → 12, "二十一" → 21 (table numbers never reach 100)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return _CN_DIGITS[text]
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def load_gold(path: str | Path = DEV_SET) -> list[GoldQuestion]:
    """Read and validate a gold JSONL file; raise `GoldError` listing every problem."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read gold file: {exc}") from None
    questions: list[GoldQuestion] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue  # a trailing blank line is harmless
        where = f"{path}:{lineno}"
        try:
            question = parse_line(line)
        except GoldError as exc:
            errors.append(f"{where}: {exc}")
            continue
        if question.id in seen:
            errors.append(f"{where}: duplicate id {question.id!r} (first on line {seen[question.id]})")
            continue
        seen[question.id] = lineno
        questions.append(question)
    if not questions and not errors:
        errors.append(f"{path}: no questions")
    if errors:
        raise GoldError("invalid gold file:\n" + "\n".join(errors))
    return questions


def parse_line(line: str) -> GoldQuestion:
    """One JSON object → a GoldQuestion; raises GoldError (without the location) when invalid."""
    try:
        # Decimal keeps the printed digits: 90.8 must not become 90.799999…
        obj = json.loads(line, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise GoldError(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise GoldError(f"expected a JSON object, got {type(obj).__name__}")
    _check_fields(obj)
    return GoldQuestion(
        id=_text(obj, "id"),
        question=_text(obj, "question"),
        category=_category(obj),
        document=_document(obj),
        expected_sources=_strings(obj, "expected_sources", allow_empty=obj.get("expected_kind") == "not_found"),
        **_expectation(obj),
        notes=_optional_text(obj, "notes"),
        department=_optional_text(obj, "department"),
        year=_year(obj),
        doc_kind=_doc_kind(obj),
        expected_files=_files(obj),
    )


def _check_fields(obj: dict[str, Any]) -> None:
    missing = [k for k in _REQUIRED if k not in obj]
    if missing:
        raise GoldError(f"missing field(s): {', '.join(missing)}")
    unknown = sorted(set(obj) - set(_REQUIRED) - set(_OPTIONAL))
    if unknown:  # most likely a typo such as "expected_units", which would otherwise be ignored
        raise GoldError(f"unknown field(s): {', '.join(unknown)}")


def _expectation(obj: dict[str, Any]) -> dict[str, Any]:
    """Exactly one of: a value with its unit, keywords, or expected_kind "not_found"."""
    kinds = [k for k in ("expected_value", "expected_keywords", "expected_kind") if k in obj]
    if len(kinds) != 1:
        raise GoldError("needs exactly one of expected_value, expected_keywords, expected_kind; "
                        f"got {', '.join(kinds) or 'none'}")
    if "expected_unit" in obj and kinds != ["expected_value"]:
        raise GoldError("expected_unit is only allowed with expected_value")
    if "tolerance" in obj and kinds != ["expected_value"]:
        raise GoldError("tolerance is only allowed with expected_value")
    if kinds == ["expected_kind"]:
        if obj["expected_kind"] != "not_found":
            raise GoldError(f"expected_kind must be \"not_found\", got {obj['expected_kind']!r}")
        return {"expected_kind": "not_found"}
    if kinds == ["expected_keywords"]:
        return {"expected_keywords": _strings(obj, "expected_keywords", allow_empty=False)}
    return {
        "expected_value": _number(obj, "expected_value"),
        "expected_unit": _text(obj, "expected_unit"),
        "tolerance": _tolerance(obj),
    }


def _text(obj: dict[str, Any], key: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise GoldError(f"{key} must be a non-empty string, got {value!r}")
    return value


def _optional_text(obj: dict[str, Any], key: str) -> str | None:
    return _text(obj, key) if key in obj else None


def _document(obj: dict[str, Any]) -> str | tuple[str, ...]:
    """A publication id, or a list of them for a question across years."""
    if isinstance(obj.get("document"), list):
        documents = _strings(obj, "document", allow_empty=False)
        if len(set(documents)) != len(documents):
            raise GoldError(f"document lists a publication twice: {list(documents)!r}")
        return documents
    return _text(obj, "document")


def _year(obj: dict[str, Any]) -> int | tuple[int, ...] | None:
    if "year" not in obj:
        return None
    value = obj["year"]
    years = value if isinstance(value, list) else [value]
    # bool is an int in Python; and a year written as "2024" or 24 is a typo worth stopping for
    if not years or not all(isinstance(y, int) and not isinstance(y, bool) and 1949 <= y <= 2100 for y in years):
        raise GoldError(f"year must be a year such as 2024, or a list of years, got {value!r}")
    return tuple(years) if isinstance(value, list) else value


def _doc_kind(obj: dict[str, Any]) -> str | None:
    if "doc_kind" not in obj:
        return None
    kind = _text(obj, "doc_kind")
    if kind not in DOC_KINDS:
        raise GoldError(f"unknown doc_kind {kind!r}; expected one of {', '.join(DOC_KINDS)}")
    return kind


def _files(obj: dict[str, Any]) -> tuple[str, ...]:
    """File names only: a citation names its file without a folder. Like expected_sources, the
    list may be empty for an unanswerable question: there is nothing to cite."""
    if "expected_files" not in obj:
        return ()
    files = _strings(obj, "expected_files", allow_empty=obj.get("expected_kind") == "not_found")
    with_folder = [f for f in files if "/" in f or "\\" in f]
    if with_folder:
        raise GoldError(f"expected_files are file names without a folder, got {', '.join(with_folder)}")
    return files


def _category(obj: dict[str, Any]) -> str:
    category = _text(obj, "category")
    if category not in CATEGORIES:
        raise GoldError(f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}")
    if category == "not_found" and obj.get("expected_kind") != "not_found":
        raise GoldError('category "not_found" needs "expected_kind": "not_found"')
    return category


def _strings(obj: dict[str, Any], key: str, *, allow_empty: bool) -> tuple[str, ...]:
    value = obj.get(key)
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        raise GoldError(f"{key} must be a list of non-empty strings, got {value!r}")
    if not value and not allow_empty:
        raise GoldError(f"{key} must not be empty")
    return tuple(value)


def _number(obj: dict[str, Any], key: str) -> Decimal:
    value = obj.get(key)
    # bool is an int in Python; `true` as a value is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise GoldError(f"{key} must be a number, got {value!r}")
    return Decimal(value)


def _tolerance(obj: dict[str, Any]) -> Decimal | None:
    if "tolerance" not in obj:
        return None
    tolerance = _number(obj, "tolerance")
    if tolerance < 0:
        raise GoldError(f"tolerance must not be negative, got {tolerance}")
    return tolerance
