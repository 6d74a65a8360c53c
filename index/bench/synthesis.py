"""Synthetic budgets from every real template: the seed and the PDFs of evaluation/corpora/extra,
each parsed once, then perturbed as a parsed `BudgetDocument` (no file is written but a small
marker that gives the document its own sha256).

Document i takes template i % len(templates): its department becomes 示例市第{i}局, its years
shift so the budget year is 2020 + i % 6, and every figure printed with decimals is scaled by a
per-document factor (in Decimal, rounded to the decimals it was printed with), and so is a
table cell or form field of whole 元/万元 (a yuan table prints none); other whole numbers —
counts, codes and years — are not figures to scale. Document i is the same in every corpus
size and every run, so a larger corpus contains the smaller ones.
"""

from __future__ import annotations

import hashlib
import random
import re
from dataclasses import fields, is_dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import corpus
from corpus.model import BudgetDocument, Cell, Field, Finding
from corpus.numbers import group_thousands, is_money_unit

from ..config import PROJECT_ROOT
from ..parsing import parse_files

SEED = corpus.default_corpus_dir() / "2024_wuhan-jkq_intelligent-manufacturing-park_budget.txt"
EXTRA = PROJECT_ROOT / "evaluation" / "corpora" / "extra"
SEED_DEPARTMENT, SEED_YEAR = "武汉经济技术开发区智能制造产业园管理办公室", 2024
FIRST_YEAR, YEARS = 2020, 6

# Figures and years in one pattern, replaced in one pass, so a scaled figure is never
# re-read as a year nor a shifted year as a figure. "[2010302]" style codes are neither.
_FIGURE_OR_YEAR = re.compile(
    r"(?<![\d.,])(?:(?P<int>\d{1,3}(?:,\d{3})+|\d+)\.(?P<frac>\d+)|(?P<year>20[12]\d))(?!\d)"
)

_WHOLE = re.compile(r"\d{1,3}(?:,\d{3})+|\d+")


def template_paths() -> list[Path]:
    """The seed first, then the PDFs by name: template t is always the same file."""
    return [SEED, *sorted(EXTRA.glob("*.pdf"))]


def parse_templates(paths: list[Path], workers: int = 1) -> list[BudgetDocument]:
    return [doc for _, doc in parse_files(paths, workers)]


def department(i: int) -> str:
    return f"示例市第{i}局"


def year(i: int) -> int:
    return FIRST_YEAR + i % YEARS


def factor(i: int) -> Decimal:
    return Decimal(str(round(random.Random(i).uniform(0.5, 2.0), 4)))


def scale(value: Decimal, by: Decimal, whole: bool = False) -> Decimal:
    """`value` × `by`, printed with as many decimals as `value` was; a whole number is kept
    unless `whole` (an amount of money) says to scale it too."""
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or (exponent >= 0 and not whole):
        return value
    return (value * by).quantize(Decimal(1).scaleb(min(exponent, 0)), rounding=ROUND_HALF_UP)


class Perturbation:
    """What turns a template into document i: the same text rule for every string of the
    document, so a table title, a column, a row id and the facts read from them stay in step."""

    def __init__(self, template: BudgetDocument, i: int):
        self.by = factor(i)
        self.shift = year(i) - (template.year or year(i))
        self.old_name = template.department or ""
        self.new_name = department(i)

    def text(self, s: str) -> str:
        if not s:
            return s
        out = _FIGURE_OR_YEAR.sub(self._one, s)
        # after the sub: the department's number must not be taken for a year
        return out.replace(self.old_name, self.new_name) if self.old_name else out

    def _one(self, m: re.Match) -> str:
        if m.group("year"):
            return str(int(m.group("year")) + self.shift)
        grouped = "," in m.group("int")
        value = scale(Decimal(m.group("int").replace(",", "") + "." + m.group("frac")), self.by)
        return group_thousands(value) if grouped else str(value)

    def value(self, value: Decimal | None) -> Decimal | None:
        return None if value is None else scale(value, self.by)

    def amount(self, raw: str, value: Decimal | None, unit: str | None) -> tuple[str, Decimal | None]:
        """A cell's or field's (raw, value): a whole amount of money scaled in both, the raw
        keeping its thousands separators; anything else as the text rule and `value` say."""
        if value is None or value.as_tuple().exponent != 0 or not is_money_unit(unit):
            return self.text(raw), self.value(value)
        scaled = scale(value, self.by, whole=True)
        shown = group_thousands(abs(scaled)) if "," in raw else str(abs(scaled))
        return _WHOLE.sub(shown, raw, count=1), scaled


def _walk(obj: Any, p: Perturbation) -> Any:
    if isinstance(obj, str):
        return p.text(obj)
    if isinstance(obj, tuple):
        return tuple(_walk(x, p) for x in obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: _walk(getattr(obj, f.name), p) for f in fields(obj)}
        if isinstance(obj, (Cell, Field)):
            changes["raw"], changes["value"] = p.amount(obj.raw, obj.value, obj.unit)
        elif isinstance(obj, Finding):
            changes["expected"], changes["actual"] = p.value(obj.expected), p.value(obj.actual)
        return replace(obj, **changes)
    return obj  # numbers (lines, pages, levels), None


def synthetic_name(template: BudgetDocument, i: int) -> str:
    return f"{year(i)}_synthetic-{i:05d}_from-{template.doc_id[:40]}.budget"


def marker_text(template: BudgetDocument, i: int) -> str:
    return (f"synthetic budget {i}: template {template.doc_id}, department {department(i)}, "
            f"year {year(i)}, figures × {factor(i)}\n")


def synthetic_document(template: BudgetDocument, i: int, source: Path) -> BudgetDocument:
    """Template `template` as document i, known by the marker file at `source`."""
    p = Perturbation(template, i)
    doc = _walk(template, p)
    return replace(doc, doc_id=source.stem, department=p.new_name, year=year(i), source=str(source),
                   sources=(source.name,), sha256=hashlib.sha256(marker_text(template, i).encode()).hexdigest())


def synthetic_corpus(templates: list[BudgetDocument], indices: range, folder: Path) -> dict[Path, BudgetDocument]:
    """Documents `indices` by their marker files (written once, in `folder`), as
    `build_index(parsed=…)` takes them."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i in indices:
        template = templates[i % len(templates)]
        path = folder / synthetic_name(template, i)
        if not path.exists():
            path.write_text(marker_text(template, i), encoding="utf-8")
        out[path] = synthetic_document(template, i, path)
    return out
