"""What the engine returns: an `Answer` with its `Citation`s — the public contract of `qa`.

`Answer.to_dict()` is the JSON object `python -m qa ask --json` prints; app.py and
evaluation/ read the same fields. Keep it stable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

KINDS = ("lookup", "computed", "passage", "not_found")


@dataclass(frozen=True)
class Citation:
    """Where a figure or passage came from, precise enough to find it in the document."""

    document: str          # the document's title (department + year + type)
    doc_id: str
    section: str           # tables: "附表7 一般公共预算“三公”经费支出表"; prose: the heading path
    table: str | None      # "附表7", "附表1/支出"; None for prose
    row: str | None        # "30217 公务接待费"
    column: str | None     # "公务用车购置及运行费 / 小计"
    text: str              # the quoted source: the row as printed, or the sentence
    location: str          # "file.txt, line 325" / "file.pdf, p.12"
    value: Decimal | None = None
    unit: str | None = None
    row_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "document": self.document, "doc_id": self.doc_id, "section": self.section, "table": self.table,
            "row": self.row, "column": self.column, "text": self.text, "location": self.location,
            "value": _json_number(self.value), "unit": self.unit, "row_id": self.row_id,
        }


@dataclass(frozen=True)
class Candidate:
    """Another reading the engine considered, for transparency and debugging."""

    label: str
    value: Decimal | None
    unit: str | None
    source: str
    score: float

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": _json_number(self.value), "unit": self.unit,
                "source": self.source, "score": round(self.score, 3)}


@dataclass(frozen=True)
class Budget:
    """Whose budget: a department's publication of one year and kind (部门预算 / 单位预算 /
    部门决算 / 单位决算), as the document itself says (`corpus.identity`)."""

    department: str
    year: int | None
    kind: str

    @property
    def name(self) -> str:
        """`上海市普陀区人民政府万里街道办事处 2024 年部门预算`."""
        when = f"{self.year} 年" if self.year else ""
        return " ".join(p for p in (self.department, f"{when}{self.kind}") if p)

    def to_dict(self) -> dict[str, Any]:
        return {"department": self.department, "year": self.year, "kind": self.kind, "name": self.name}


@dataclass(frozen=True)
class Figure:
    """One figure of an answer that covers several budgets (years, departments) or breaks a
    whole into parts: a row of the answer's table and a bar of its chart."""

    label: str              # what the figure is: the metric, or the part's name
    value: Decimal
    unit: str | None
    budget: Budget
    source: str             # the table · row · column (or section) it is printed in
    role: str = "budget"    # "budget": one per budget; "part": one part of a whole

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": _json_number(self.value), "unit": self.unit,
                "budget": self.budget.to_dict(), "source": self.source, "role": self.role}


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    kind: str
    value: Decimal | None = None
    unit: str | None = None
    citations: tuple[Citation, ...] = ()
    candidates: tuple[Candidate, ...] = ()
    formula: str | None = None
    reason: str | None = None  # for not_found: why
    timings: dict[str, float] = field(default_factory=dict)
    budgets: tuple[Budget, ...] = ()   # whose budgets the answer is from (`qa.budgets.named`)
    figures: tuple[Figure, ...] = ()   # several budgets' or parts' figures: the table and chart

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown answer kind {self.kind!r}; expected one of {KINDS}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question, "answer": self.answer, "kind": self.kind,
            "value": _json_number(self.value), "unit": self.unit,
            "citations": [c.to_dict() for c in self.citations],
            "candidates": [c.to_dict() for c in self.candidates],
            "formula": self.formula, "reason": self.reason,
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
            "budgets": [b.to_dict() for b in self.budgets],
            "figures": [f.to_dict() for f in self.figures],
        }


def _json_number(value: Decimal | None) -> int | float | None:
    """JSON has no Decimal: whole numbers become ints, others the float of their exact text."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)
