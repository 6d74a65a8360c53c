"""The name index of a PostgreSQL build: `index.factstore`'s `fact_names`, `names`,
`name_forms` and `form_grams` as tables of the build's schema, written with the facts, and the
look-ups `qa.factbase` makes through them as SQL. A PostgreSQL build thus answers a question by
reading only the facts it can name, with no copy of the build's facts in the answering process.

The rows are those `FactStore._write_names` writes (each fact's names by role as
`corpus.names.fact_names` gives them, each name's searchable forms and their bigrams), so the
look-ups return the same names and fact ids. Two differences: `fact_names` keeps each fact's
document (a scoped look-up needs no join with the partitioned facts), and names are ordered by
code point (`COLLATE "C"`, SQLite's order) whatever the server's collation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from corpus.names import NAME_ROLES, FactNames, bigrams, searchable_forms, without_years

if TYPE_CHECKING:
    import psycopg

NAME_LISTS = (*NAME_ROLES, "measure", "bare")  # FactNames' lists, as the role column spells them
TABLES = ("fact_names", "names", "name_forms", "form_grams")


def create_tables(conn: psycopg.Connection, schema: str, copy_from: str | None = None) -> None:
    """The name index's tables (holding the rows of the schema `copy_from`, an incremental
    build's previous one), then their indexes. Run inside the caller's transaction."""
    s = schema
    conn.execute(f"CREATE TABLE {s}.fact_names (fact_id bigint NOT NULL, doc_id text NOT NULL, role text NOT NULL, "
                 "position integer NOT NULL, name text NOT NULL)")
    conn.execute(f"CREATE TABLE {s}.names (name text PRIMARY KEY, bare text NOT NULL)")
    conn.execute(f"CREATE TABLE {s}.name_forms (form text NOT NULL, name text NOT NULL, needed integer NOT NULL)")
    conn.execute(f"CREATE TABLE {s}.form_grams (gram text NOT NULL, form text NOT NULL, PRIMARY KEY (gram, form))")
    if copy_from is not None:
        for table in TABLES:
            conn.execute(f"INSERT INTO {s}.{table} SELECT * FROM {copy_from}.{table}")
    conn.execute(f"CREATE INDEX fact_names_fact ON {s}.fact_names (fact_id)")
    conn.execute(f"CREATE INDEX fact_names_name ON {s}.fact_names (name, doc_id)")
    conn.execute(f"CREATE INDEX fact_names_doc ON {s}.fact_names (doc_id)")
    conn.execute(f"CREATE INDEX names_bare ON {s}.names (bare)")
    conn.execute(f"CREATE INDEX name_forms_form ON {s}.name_forms (form)")


def write_names(conn: psycopg.Connection, schema: str, doc_id: str, named: Iterable[tuple[int, FactNames]]) -> None:
    """A document's facts' names in order, and each name not yet indexed: its searchable forms
    and their bigrams (a form shared by two names is indexed once: its bigrams count once)."""
    s = schema
    rows = [(fact_id, doc_id, role, i, name) for fact_id, names in named
            for role in NAME_LISTS for i, name in enumerate(getattr(names, role))]
    _copy(conn, f"{s}.fact_names (fact_id, doc_id, role, position, name)", rows)
    said = sorted({r[4] for r in rows})
    new = sorted(set(said) - _existing(conn, f"SELECT name FROM {s}.names WHERE name = ANY(%s)", said))
    _copy(conn, f"{s}.names (name, bare)", [(n, without_years(n)) for n in new])
    forms = [(form, name, needed) for name in new for form, needed in searchable_forms(name)]
    _copy(conn, f"{s}.name_forms (form, name, needed)", forms)
    spelled = sorted({f for f, _, _ in forms})
    fresh = sorted(set(spelled) - _existing(conn, f"SELECT DISTINCT form FROM {s}.form_grams WHERE form = ANY(%s)",
                                            spelled))
    _copy(conn, f"{s}.form_grams (gram, form)", [(g, f) for f in fresh for g in sorted(bigrams(f))])


def remove_names(conn: psycopg.Connection, schema: str, doc_id: str) -> None:
    # the names stay indexed, as in the embedded store: a name no fact has any more only costs a look-up
    conn.execute(f"DELETE FROM {schema}.fact_names WHERE doc_id = %s", (doc_id,))


def _copy(conn: psycopg.Connection, target: str, rows: Sequence[tuple[object, ...]]) -> None:
    if rows:
        with conn.cursor().copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _existing(conn: psycopg.Connection, sql: str, values: list[str]) -> set[str]:
    return {r[0] for r in conn.execute(sql, (values,)).fetchall()} if values else set()


class PgNames:
    """`FactStore`'s look-ups through the name index, for a store with a connection `_db` and
    a `schema` (`pgstore.PgFactStore`)."""

    _db: psycopg.Connection
    schema: str

    def names_of(self, fact_ids: Iterable[int]) -> dict[int, FactNames]:
        """Each fact's names by role, in the order `corpus.names.fact_names` gave them at build
        time (a fact without names has an empty `FactNames`)."""
        ids = sorted(set(fact_ids))
        out = {i: FactNames() for i in ids}
        if ids:
            rows = self._db.execute(f"SELECT fact_id, role, name FROM {self.schema}.fact_names "
                                    "WHERE fact_id = ANY(%s) ORDER BY fact_id, role, position", (ids,))
            for fact_id, role, name in rows.fetchall():
                getattr(out[fact_id], role).append(name)
        return out

    def names_near(self, grams: Iterable[str]) -> list[str]:
        """The names a text holding these character bigrams may match: a name, or its form
        without years, of which the text holds at least the bigrams it needs
        (`corpus.names.searchable_forms`). A superset: the caller checks each name."""
        gs = sorted(set(grams))
        if not gs:
            return []
        s = self.schema
        rows = self._db.execute(
            f"SELECT DISTINCT f.name COLLATE \"C\" FROM {s}.name_forms f JOIN "
            f"(SELECT form, count(*) AS hits FROM {s}.form_grams WHERE gram = ANY(%s) GROUP BY form) g "
            "ON g.form = f.form WHERE g.hits >= f.needed ORDER BY 1", (gs,))
        return [r[0] for r in rows.fetchall()]

    def names_said_as(self, targets: Iterable[str]) -> list[str]:
        """The names that are one of these normalised names, or are one once their years are
        left out (`corpus.names.without_years`): what an alias of the question points to."""
        ts = sorted(set(targets))
        if not ts:
            return []
        rows = self._db.execute(f"SELECT name FROM {self.schema}.names WHERE name = ANY(%s) OR bare = ANY(%s) "
                                "ORDER BY name COLLATE \"C\"", (ts, ts))
        return [r[0] for r in rows.fetchall()]

    def fact_ids_named(self, doc_ids: Iterable[str] | None, names: Iterable[str],
                       roles: Iterable[str] = NAME_ROLES) -> set[int]:
        """The facts of these documents (every document when None) that have one of these
        names in one of these roles."""
        ns, rs = sorted(set(names)), sorted(set(roles))
        if not ns or not rs:
            return set()
        sql = f"SELECT DISTINCT fact_id FROM {self.schema}.fact_names WHERE name = ANY(%s) AND role = ANY(%s)"
        args: list[list[str]] = [ns, rs]
        if doc_ids is not None:
            sql += " AND doc_id = ANY(%s)"
            args.append(sorted(set(doc_ids)))
        return {int(r[0]) for r in self._db.execute(sql, args).fetchall()}

    def documents_naming(self, doc_ids: Iterable[str] | None, names: Iterable[str],
                         roles: Iterable[str] = NAME_ROLES) -> dict[str, set[str]]:
        """Which of these names each document of `doc_ids` (every document when None) has a
        fact named by in one of these roles (the embedded store's `documents_naming`); read
        through the (name, doc_id) index of `fact_names`, no fact row is read."""
        ns, rs = sorted(set(names)), sorted(set(roles))
        if not ns or not rs:
            return {}
        sql = f"SELECT DISTINCT doc_id, name FROM {self.schema}.fact_names WHERE name = ANY(%s) AND role = ANY(%s)"
        args: list[list[str]] = [ns, rs]
        if doc_ids is not None:
            sql += " AND doc_id = ANY(%s)"
            args.append(sorted(set(doc_ids)))
        out: dict[str, set[str]] = {}
        for doc_id, name in self._db.execute(sql, args).fetchall():
            out.setdefault(doc_id, set()).add(name)
        return out
