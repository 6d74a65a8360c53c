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
)
_REQUIRED = ("id", "question", "category", "document", "expected_sources")
_OPTIONAL = ("expected_value", "expected_unit", "tolerance", "expected_keywords", "expected_kind", "notes")
_TABLE_ID = re.compile(r"^附表\d+$")


class GoldError(ValueError):
    """A gold file that cannot be used; the message lists every `file:line: problem`."""


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    category: str
    document: str
    expected_sources: tuple[str, ...]
    expected_value: Decimal | None = None
    expected_unit: str | None = None
    tolerance: Decimal | None = None
    expected_keywords: tuple[str, ...] = ()
    expected_kind: str | None = None
    notes: str | None = None

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
    return bool(_TABLE_ID.match(source))


def load_gold(path: str | Path = DEV_SET) -> list[GoldQuestion]:
    """Read and validate a gold JSONL file; raise `GoldError` listing every problem."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise GoldError(f"{path}: cannot read gold file: {exc}") from None
    questions, errors, seen = [], [], {}
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
        document=_text(obj, "document"),
        expected_sources=_strings(obj, "expected_sources", allow_empty=obj.get("expected_kind") == "not_found"),
        **_expectation(obj),
        notes=_optional_text(obj, "notes"),
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
