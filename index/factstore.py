"""The fact store: the facts of every indexed document in one SQLite file.

`index build` writes it beside the vectors; `qa` only reads it. Values are stored as
Decimal strings, so no digit is lost. The facts themselves (what they are, how they are
read from a document) are `corpus.facts`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from corpus.facts import DocumentInfo, Fact, FactKind
from corpus.model import BudgetDocument

SCHEMA_VERSION = 2  # 2: documents carry kind, level, region and publication; facts the canonical keys

_COLUMNS = [f.name for f in fields(Fact) if f.name != "id"]
_DOCUMENT_COLUMNS = [f.name for f in fields(DocumentInfo)]
_INTEGER_COLUMNS = ("row_level", "is_total", "compare_year", "col_index")


def _row(fact: Fact) -> tuple[Any, ...]:
    d = asdict(fact)
    d["kind"] = str(fact.kind)
    d["value"] = None if fact.value is None else str(fact.value)
    d["is_total"] = int(fact.is_total)
    return tuple(d[c] for c in _COLUMNS)


def _fact(row: sqlite3.Row) -> Fact:
    d = dict(row)
    d["kind"] = FactKind(d["kind"])
    d["value"] = None if d["value"] is None else Decimal(d["value"])
    d["is_total"] = bool(d["is_total"])
    return Fact(**d)


class FactStore:
    """Read/write access to the facts file. All SQL is parameterised."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._create()

    def _create(self) -> None:
        cols = ", ".join(f"{c} {'INTEGER' if c in _INTEGER_COLUMNS else 'TEXT'}" for c in _COLUMNS)
        doc_cols = ", ".join(f"{c} {'INTEGER' if c == 'year' else 'TEXT'}{' PRIMARY KEY' if c == 'doc_id' else ''}"
                             for c in _DOCUMENT_COLUMNS)
        self._db.executescript(
            f"""
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS documents ({doc_cols});
            CREATE TABLE IF NOT EXISTS facts (id INTEGER PRIMARY KEY, {cols});
            CREATE INDEX IF NOT EXISTS facts_doc ON facts(doc_id);
            CREATE INDEX IF NOT EXISTS facts_code ON facts(code);
            CREATE INDEX IF NOT EXISTS facts_label ON facts(row_label);
            CREATE INDEX IF NOT EXISTS facts_type ON facts(table_type, phase);
            """
        )
        # a file written before a column was added (an incremental build copies the old file)
        have = {r[1] for r in self._db.execute("PRAGMA table_info(documents)")}
        for c in _DOCUMENT_COLUMNS:
            if c not in have:
                self._db.execute(f"ALTER TABLE documents ADD COLUMN {c} TEXT DEFAULT ''")
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def replace_document(self, doc: BudgetDocument, facts: Iterable[Fact]) -> int:
        """Drop a document's facts and write the new ones, in one transaction."""
        rows = [_row(f) for f in facts]
        with self._db:
            self.remove_document(doc.doc_id, commit=False)
            info = asdict(DocumentInfo.of(doc))
            self._db.execute(
                f"INSERT INTO documents ({', '.join(_DOCUMENT_COLUMNS)}) VALUES ({', '.join('?' * len(_DOCUMENT_COLUMNS))})",
                tuple(info[c] for c in _DOCUMENT_COLUMNS),
            )
            self._db.executemany(
                f"INSERT INTO facts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", rows
            )
        return len(rows)

    def remove_document(self, doc_id: str, commit: bool = True) -> None:
        self._db.execute("DELETE FROM facts WHERE doc_id = ?", (doc_id,))
        self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        if commit:
            self._db.commit()

    def documents(self) -> list[DocumentInfo]:
        rows = self._db.execute(f"SELECT {', '.join(_DOCUMENT_COLUMNS)} FROM documents ORDER BY doc_id").fetchall()
        return [DocumentInfo(**dict(r)) for r in rows]

    def facts(self, doc_ids: Iterable[str] | None = None, kinds: Iterable[str] | None = None) -> list[Fact]:
        sql = "SELECT * FROM facts WHERE 1=1"
        args: list[str] = []
        if doc_ids is not None:
            ids = list(doc_ids)
            sql += f" AND doc_id IN ({', '.join('?' * len(ids))})"
            args += ids
        if kinds is not None:
            ks = list(kinds)
            sql += f" AND kind IN ({', '.join('?' * len(ks))})"
            args += ks
        return [_fact(r) for r in self._db.execute(sql + " ORDER BY id", args).fetchall()]

    def by_code(self, code: str) -> list[Fact]:
        """Facts of rows with this 科目编码, through the index on `code`."""
        rows = self._db.execute("SELECT * FROM facts WHERE code = ? ORDER BY id", (code,)).fetchall()
        return [_fact(r) for r in rows]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM facts").fetchone()[0]

