"""The answer engine: exact figures with their sources, computed answers with formulas,
cited passages, or an honest not_found.

    import qa
    a = qa.answer("公务接待费是多少")
    a.value, a.unit, a.citations[0].section      # Decimal('0.50'), '万元', '附表7 一般公共预算“三公”经费支出表'
"""

from __future__ import annotations

import threading

from .answer import Answer, Budget, Candidate, Citation, Figure
from .engine import Engine

__all__ = ["Answer", "Budget", "Candidate", "Citation", "Engine", "Figure", "answer", "default_engine"]

_default: Engine | None = None
_lock = threading.Lock()


def default_engine() -> Engine:
    """The engine over the default index (the bundled corpus unless BUDGETQA_INDEX_DIR says
    otherwise), created on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Engine()
        return _default


def answer(question: str, *, engine: Engine | None = None, doc_ids: set[str] | None = None) -> Answer:
    return (engine or default_engine()).answer(question, doc_ids=doc_ids)
