"""The fact store: the facts of every indexed document in one SQLite file.

`index build` writes it beside the vectors; `qa` only reads it. Values are stored as
Decimal strings, so no digit is lost. The facts themselves (what they are, how they are
read from a document) are `corpus.facts`.

Each fact's names (`corpus.names`, by role) are computed once, here at build time, and kept
in `fact_names`; `names` and `form_grams` index them by character bigrams, so that a question
reads only the facts whose names it can match (`qa.linker`), from the documents it is about,
on demand. `index.pgstore` and `index.pgnames` keep the same tables in PostgreSQL and answer
the same methods there.
"""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator

from corpus.facts import DocumentInfo, Fact, FactKind
from corpus.model import BudgetDocument
from corpus.names import NAME_ROLES, FactNames, bigrams, fact_names, searchable_forms, without_years

# 2: documents carry kind, level, region and publication; facts the canonical keys
# 3: each fact's names (fact_names), indexed by their bigrams (names, form_grams)
# 4: each document's names by role (doc_names): which documents hold a name, without its facts' rows;
#    the bigram index covering (names_near reads the index alone: 2.3× faster at 1,000 budgets)
SCHEMA_VERSION = 4
DOC_FIRST = 64  # a name query scoped to this many documents or fewer walks their facts, not the name's rows
_NAME_LISTS = (*NAME_ROLES, "measure", "bare")  # FactNames' lists, as the role column spells them

_COLUMNS = [f.name for f in fields(Fact) if f.name != "id"]
_DOCUMENT_COLUMNS = [f.name for f in fields(DocumentInfo)]
_INTEGER_COLUMNS = ("row_level", "is_total", "compare_year", "col_index")


def _row(fact: Fact) -> tuple[Any, ...]:
    d = asdict(fact)
    d["kind"] = str(fact.kind)
    d["value"] = None if fact.value is None else str(fact.value)
    d["is_total"] = int(fact.is_total)
    return tuple(d[c] for c in _COLUMNS)


def _marks(values: list[Any]) -> str:
    return ", ".join("?" * len(values))


def _chunks(values: list[Any], size: int = 10_000) -> Iterator[list[Any]]:
    """A long `IN (...)` list asked in parts: a statement takes at most 32,766 parameters."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


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
            CREATE TABLE IF NOT EXISTS fact_names (fact_id INTEGER, role TEXT, position INTEGER, name TEXT);
            CREATE INDEX IF NOT EXISTS fact_names_fact ON fact_names(fact_id);
            CREATE INDEX IF NOT EXISTS fact_names_name ON fact_names(name);
            CREATE TABLE IF NOT EXISTS names (name TEXT PRIMARY KEY, bare TEXT);
            CREATE INDEX IF NOT EXISTS names_bare ON names(bare);
            CREATE TABLE IF NOT EXISTS name_forms (form TEXT, name TEXT, needed INTEGER);
            CREATE TABLE IF NOT EXISTS form_grams (gram TEXT, form TEXT);
            DROP INDEX IF EXISTS name_forms_form;
            DROP INDEX IF EXISTS form_grams_gram;
            CREATE INDEX IF NOT EXISTS name_forms_cover ON name_forms(form, needed, name);
            CREATE INDEX IF NOT EXISTS form_grams_cover ON form_grams(gram, form);
            CREATE TABLE IF NOT EXISTS doc_names (doc_id TEXT, role TEXT, name TEXT);
            CREATE INDEX IF NOT EXISTS doc_names_name ON doc_names(name, role, doc_id);
            CREATE INDEX IF NOT EXISTS doc_names_doc ON doc_names(doc_id);
            """
        )
        written = self._db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if written is not None and int(written[0]) < 4:  # a file of schema 3: its documents' names, once
            self._db.execute("INSERT INTO doc_names (doc_id, role, name) SELECT DISTINCT f.doc_id, n.role, n.name "
                             "FROM fact_names n JOIN facts f ON f.id = n.fact_id")
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
        """Drop a document's facts and write the new ones with their names, in one transaction."""
        facts = list(facts)
        rows = [_row(f) for f in facts]
        with self._db:
            self._replace_info(DocumentInfo.of(doc))
            self._db.executemany(
                f"INSERT INTO facts ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})", rows
            )
            ids = [r[0] for r in self._db.execute("SELECT id FROM facts WHERE doc_id = ? ORDER BY id", (doc.doc_id,))]
            self._write_names(doc.doc_id, zip(ids, (fact_names(f, doc.department or "") for f in facts)))
        return len(rows)

    def _replace_info(self, info: DocumentInfo) -> None:
        self.remove_document(info.doc_id, commit=False)
        row = asdict(info)
        self._db.execute(
            f"INSERT INTO documents ({', '.join(_DOCUMENT_COLUMNS)}) VALUES ({', '.join('?' * len(_DOCUMENT_COLUMNS))})",
            tuple(row[c] for c in _DOCUMENT_COLUMNS),
        )

    def _write_names(self, doc_id: str, named: Iterable[tuple[int, FactNames]]) -> None:
        """Each fact's names in order, the document's names by role, and each name not yet
        indexed: its searchable forms and their bigrams (a form shared by two names is indexed
        once: its bigrams count once)."""
        rows = [(fact_id, role, i, name) for fact_id, names in named
                for role in _NAME_LISTS for i, name in enumerate(getattr(names, role))]
        self._db.executemany("INSERT INTO fact_names (fact_id, role, position, name) VALUES (?, ?, ?, ?)", rows)
        self._db.executemany("INSERT INTO doc_names (doc_id, role, name) VALUES (?, ?, ?)",
                             sorted({(doc_id, r[1], r[3]) for r in rows}))
        said = sorted({r[3] for r in rows})
        new = sorted(set(said) - self._existing("SELECT name FROM names WHERE name IN ({})", said))
        self._db.executemany("INSERT INTO names (name, bare) VALUES (?, ?)", [(n, without_years(n)) for n in new])
        forms = [(form, name, needed) for name in new for form, needed in searchable_forms(name)]
        self._db.executemany("INSERT INTO name_forms (form, name, needed) VALUES (?, ?, ?)", forms)
        spelled = sorted({f for f, _, _ in forms})
        fresh = sorted(set(spelled) - self._existing("SELECT DISTINCT form FROM form_grams WHERE form IN ({})", spelled))
        self._db.executemany("INSERT INTO form_grams (gram, form) VALUES (?, ?)",
                             [(g, f) for f in fresh for g in sorted(bigrams(f))])

    def _existing(self, sql: str, values: list[str]) -> set[str]:
        """The values a one-column `... IN ({})` query finds."""
        return {r[0] for part in _chunks(values) for r in self._db.execute(sql.format(_marks(part)), part)}

    def remove_document(self, doc_id: str, commit: bool = True) -> None:
        # the names stay indexed: a name no fact has any more only costs a look-up
        self._db.execute("DELETE FROM fact_names WHERE fact_id IN (SELECT id FROM facts WHERE doc_id = ?)", (doc_id,))
        self._db.execute("DELETE FROM doc_names WHERE doc_id = ?", (doc_id,))
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

    def facts_by_id(self, fact_ids: Iterable[int]) -> list[Fact]:
        """The facts with these ids, in id order; an unknown id is left out."""
        ids = sorted(set(fact_ids))
        rows = [r for part in _chunks(ids)
                for r in self._db.execute(f"SELECT * FROM facts WHERE id IN ({_marks(part)}) ORDER BY id", part)]
        return [_fact(r) for r in rows]

    def names_of(self, fact_ids: Iterable[int]) -> dict[int, FactNames]:
        """Each fact's names by role, in the order `corpus.names.fact_names` gave them at build
        time (a fact without names has an empty `FactNames`)."""
        ids = sorted(set(fact_ids))
        out = {i: FactNames() for i in ids}
        for part in _chunks(ids):
            rows = self._db.execute(f"SELECT fact_id, role, name FROM fact_names WHERE fact_id IN ({_marks(part)}) "
                                    "ORDER BY fact_id, role, position", part)
            for fact_id, role, name in rows:
                getattr(out[fact_id], role).append(name)
        return out

    def names_near(self, grams: Iterable[str]) -> list[str]:
        """The names a text holding these character bigrams may match: a name, or its form
        without years, of which the text holds at least the bigrams it needs
        (`corpus.names.searchable_forms`). A superset: the caller checks each name."""
        gs = sorted(set(grams))
        if not gs:
            return []
        rows = self._db.execute(
            "SELECT DISTINCT f.name FROM name_forms f JOIN "
            f"(SELECT form, COUNT(*) AS hits FROM form_grams WHERE gram IN ({_marks(gs)}) GROUP BY form) g "
            "ON g.form = f.form WHERE g.hits >= f.needed ORDER BY f.name", gs)
        return [r[0] for r in rows]

    def names_said_as(self, targets: Iterable[str]) -> list[str]:
        """The names that are one of these normalised names, or are one once their years are
        left out (`corpus.names.without_years`): what an alias of the question points to."""
        ts = sorted(set(targets))
        if not ts:
            return []
        rows = self._db.execute(f"SELECT name FROM names WHERE name IN ({_marks(ts)}) OR bare IN ({_marks(ts)}) "
                                "ORDER BY name", ts + ts)
        return [r[0] for r in rows]

    def fact_ids_named(self, doc_ids: Iterable[str] | None, names: Iterable[str],
                       roles: Iterable[str] = NAME_ROLES) -> set[int]:
        """The facts of these documents (every document when None) that have one of these
        names in one of these roles. A few documents' facts are walked (CROSS JOIN keeps that
        order in SQLite; PostgreSQL plans it itself): a name every budget prints has as many
        rows as budgets."""
        ns, rs = sorted(set(names)), sorted(set(roles))
        if not ns or not rs:
            return set()
        ds = None if doc_ids is None else sorted(set(doc_ids))
        tables = "facts f CROSS JOIN fact_names n" if ds is not None and len(ds) <= DOC_FIRST else "fact_names n, facts f"
        sql = (f"SELECT DISTINCT n.fact_id FROM {tables} WHERE f.id = n.fact_id "
               f"AND n.name IN ({_marks(ns)}) AND n.role IN ({_marks(rs)})")
        args: list[str] = ns + rs
        if ds is not None:
            sql += f" AND f.doc_id IN ({_marks(ds)})"
            args += ds
        return {r[0] for r in self._db.execute(sql, args)}

    def documents_naming(self, doc_ids: Iterable[str] | None, names: Iterable[str],
                         roles: Iterable[str] = NAME_ROLES) -> dict[str, set[str]]:
        """Which of these names each document of `doc_ids` (every document when None) has a
        fact named by in one of these roles; a document with none is left out. Read from the
        documents' names (`doc_names`, a row per document and name): no fact is read."""
        ns, rs = sorted(set(names)), sorted(set(roles))
        if not ns or not rs:
            return {}
        sql = f"SELECT DISTINCT doc_id, name FROM doc_names WHERE name IN ({_marks(ns)}) AND role IN ({_marks(rs)})"
        args: list[str] = ns + rs
        if doc_ids is not None:
            ds = sorted(set(doc_ids))
            sql += f" AND doc_id IN ({_marks(ds)})"
            args += ds
        out: dict[str, set[str]] = {}
        for doc_id, name in self._db.execute(sql, args):
            out.setdefault(doc_id, set()).add(name)
        return out

    def fact_ids_where(self, doc_ids: Iterable[str] | None, *, codes: Iterable[str] = (), kind: str | None = None,
                       table_type: str | None = None) -> set[int]:
        """The facts of these documents (every document when None) whose 科目编码, lower-cased,
        is one of `codes` (when given), of `kind` and `table_type` (when given)."""
        sql, args = "SELECT id FROM facts WHERE 1=1", []
        cs = sorted(set(codes))
        if cs:
            sql += f" AND LOWER(code) IN ({_marks(cs)})"
            args += cs
        for column, value in (("kind", kind), ("table_type", table_type)):
            if value is not None:
                sql += f" AND {column} = ?"
                args.append(value)
        if doc_ids is not None:
            ds = sorted(set(doc_ids))
            sql += f" AND doc_id IN ({_marks(ds)})"
            args += ds
        return {r[0] for r in self._db.execute(sql, args)}

    def table_types_of(self, doc_id: str) -> set[str]:
        """The table types a document's facts other than narrative ones come from."""
        rows = self._db.execute("SELECT DISTINCT table_type FROM facts WHERE doc_id = ? AND kind != 'narrative'",
                                (doc_id,))
        return {r[0] for r in rows}

    def by_code(self, code: str) -> list[Fact]:
        """Facts of rows with this 科目编码, through the index on `code`."""
        rows = self._db.execute("SELECT * FROM facts WHERE code = ? ORDER BY id", (code,)).fetchall()
        return [_fact(r) for r in rows]

    def count(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM facts").fetchone()[0]
