"""One-character slips in a printed name (公务接侍费 for 公务接待费) and traditional script
(公務接待費): a question is read as the printed name it nearly spells, and the answer says
so. A slip is corrected only when the name and the words as typed are long enough (4+
characters), start alike, and exactly one printed name is one edit (a substitution, a
missing or an extra character) away."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from corpus.text import HAN

DATA = Path(__file__).resolve().parent / "data"
MIN_NAME = 4


@lru_cache(maxsize=1)
def _traditional() -> dict[int, str]:
    data = json.loads((DATA / "traditional.json").read_text(encoding="utf-8"))
    return str.maketrans({k: v for k, v in data.items() if not k.startswith("_")})


def to_simplified(text: str) -> str:
    """Traditional characters that budget wording uses → simplified (公務接待費 → 公务接待费)."""
    return text.translate(_traditional())


def one_edit(a: str, b: str) -> bool:
    """a and b differ by exactly one substitution, insertion or deletion."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b)) == 1
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _cjk(text: str) -> bool:
    return re.fullmatch(f"[{HAN}]+", text) is not None


def correct_slip(question: str, names: Iterable[str]) -> tuple[str, str] | None:
    """(the words as typed, the printed name they nearly spell), when exactly one printed
    name fits; None when none or several do, or the question already names it."""
    fixes: dict[str, str] = {}
    starts = set(question)
    for name in {n for n in names if len(n) >= MIN_NAME and n[0] in starts}:
        if not _cjk(name) or name in question:
            continue
        for size in (len(name) - 1, len(name), len(name) + 1):
            if size < MIN_NAME:
                continue  # the words as typed are long enough too: 三公经费 is not 公经费 → 公用经费
            for start in range(0, len(question) - size + 1):
                typed = question[start:start + size]
                if typed[0] == name[0] and _cjk(typed) and one_edit(typed, name):
                    fixes.setdefault(name, typed)
    if len(fixes) != 1:
        return None
    name, typed = next(iter(fixes.items()))
    return typed, name
