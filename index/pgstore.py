"""The PostgreSQL store: one build's facts, vectors (pgvector) and lexical index in one server.

Selected by `IndexConfig.store` (`BUDGETQA_STORE=postgresql://…` or `index build --store`);
`index.backends` chooses between it and the embedded SQLite + FAISS + bm25s files. The build
folder still holds the manifest, nodes.jsonl, documents/ and sources/; what a build writes
here lives in its own schema (named after the build folder), so a new build never disturbs the
one being answered from and `CURRENT` still switches builds with one rename.

- facts: the `FactStore` contract (`PgFactStore`), values as `numeric` (exact Decimal),
  the table partitioned by the document's year, with the name index (`index.pgnames`) the
  answer path reads facts through, written with them;
- vectors: pgvector, unit rows compared by inner product like FAISS. A query over some
  documents scores exactly the rows the B-tree on `doc_id` finds (HNSW with a selective
  filter returns too few rows in pgvector); an unfiltered query walks the HNSW graph;
- lexical: a postings table of the project's own tokens (`index.lexical.tokenize`: term → node,
  term frequency, node length, one B-tree on (term, node)) gives each query term's candidates
  and counts, which are scored with bm25s's BM25 (Lucene variant, the same float32
  arithmetic), so the ranking equals the embedded store's.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import fields
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from corpus.facts import DocumentInfo, Fact, FactKind
from corpus.model import BudgetDocument
from corpus.names import fact_names

from . import pgnames
from .lexical import tokenize

if TYPE_CHECKING:
    import psycopg
    from llama_index.core.schema import TextNode

    from .search import Filters

SCHEMA_PREFIX = "budgetqa_"
REGISTRY = "public.budgetqa_builds"  # schema → build folder, so schemas of deleted builds are dropped
K1, B = 1.5, 0.75                    # bm25s's defaults, as index.lexical builds with
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 128  # as index.dense.HnswParams

# The columns of index.factstore's tables, from the same dataclasses (factstore.py itself is part
# of the pipeline fingerprint: touching it re-parses every index); quoted: "column" is reserved.
FACT_COLUMNS = [f.name for f in fields(Fact) if f.name != "id"]
DOCUMENT_COLUMNS = [f.name for f in fields(DocumentInfo)]
_FACT_LIST = ", ".join(f'"{c}"' for c in FACT_COLUMNS)
_DOCUMENT_LIST = ", ".join(f'"{c}"' for c in DOCUMENT_COLUMNS)
_FACT_TYPES = {"row_level": "integer", "compare_year": "integer", "col_index": "integer", "is_total": "boolean",
               "value": "numeric"}


def connect(url: str) -> psycopg.Connection:
    import psycopg

    return psycopg.connect(url, autocommit=True)


def schema_of(build: Path) -> str:
    """A build folder's schema: its name (`<time_ns>-<pid>`) made an identifier."""
    return SCHEMA_PREFIX + "".join(c if c.isalnum() else "_" for c in Path(build).name)


def create_schema(conn: psycopg.Connection, build: Path) -> str:
    schema = schema_of(build)
    with conn.transaction():
        conn.execute(f"CREATE TABLE IF NOT EXISTS {REGISTRY} (schema text PRIMARY KEY, folder text NOT NULL)")
        conn.execute(f"CREATE SCHEMA {schema}")
        conn.execute(f"INSERT INTO {REGISTRY} VALUES (%s, %s)", (schema, str(Path(build).resolve())))
    return schema


def drop_schema(conn: psycopg.Connection, build: Path) -> None:
    schema = schema_of(build)
    with conn.transaction():
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"DELETE FROM {REGISTRY} WHERE schema = %s", (schema,))


def drop_orphans(conn: psycopg.Connection) -> list[str]:
    """Drop the schemas whose build folder is gone (`index.store.clean_stale` removed it)."""
    if conn.execute("SELECT to_regclass(%s)", (REGISTRY,)).fetchone() == (None,):
        return []
    rows = conn.execute(f"SELECT schema, folder FROM {REGISTRY}").fetchall()
    gone = [schema for schema, folder in rows if not Path(folder).is_dir()]
    for schema in gone:
        with conn.transaction():
            conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            conn.execute(f"DELETE FROM {REGISTRY} WHERE schema = %s", (schema,))
    return gone


# ---------------------------------------------------------------------------------------- facts


class PgFactStore(pgnames.PgNames):
    """`index.factstore.FactStore` in PostgreSQL: the same public methods, the same results
    (fact ids numbered like SQLite's rowids: the next after the largest)."""

    def __init__(self, url: str, build: Path):
        self._db = connect(url)
        self.schema = schema_of(build)
        self._years: set[int] = set()

    def create(self, copy_from: Path | None = None) -> PgFactStore:
        """Create the tables (with the facts of the build `copy_from`, an incremental build)."""
        s = self.schema
        cols = ", ".join(f'"{c}" {_FACT_TYPES.get(c, "text")}' for c in FACT_COLUMNS)
        doc_cols = ", ".join(f"\"{c}\" {'integer' if c == 'year' else 'text'}{' PRIMARY KEY' if c == 'doc_id' else ''}"
                             for c in DOCUMENT_COLUMNS)
        with self._db.transaction():
            self._db.execute(f"CREATE TABLE {s}.documents ({doc_cols})")
            # year: the document's, only to partition by (a Fact has none of its own)
            self._db.execute(f"CREATE TABLE {s}.facts (id bigint NOT NULL, year integer NOT NULL, {cols}, "
                             "PRIMARY KEY (id, year)) PARTITION BY LIST (year)")
            for name, column in (("doc", "doc_id"), ("code", "code"), ("lcode", "lower(code)"),
                                 ("label", "row_label"), ("type", "table_type, phase")):
                self._db.execute(f"CREATE INDEX facts_{name} ON {s}.facts ({column})")
            old = None if copy_from is None else schema_of(copy_from)
            if old is not None:
                self._db.execute(f"INSERT INTO {s}.documents SELECT * FROM {old}.documents")
                for (year,) in self._db.execute(f"SELECT DISTINCT year FROM {old}.facts").fetchall():
                    self._partition(year)
                self._db.execute(f"INSERT INTO {s}.facts SELECT * FROM {old}.facts")
            pgnames.create_tables(self._db, s, copy_from=old)
        return self

    def _partition(self, year: int) -> None:
        if year not in self._years:
            self._db.execute(f"CREATE TABLE IF NOT EXISTS {self.schema}.facts_{year} PARTITION OF {self.schema}.facts "
                             f"FOR VALUES IN ({int(year)})")
            self._years.add(year)

    def close(self) -> None:
        self._db.close()

    def replace_document(self, doc: BudgetDocument, facts: Iterable[Fact]) -> int:
        """Drop a document's facts and write the new ones with their names, in one transaction."""
        info = DocumentInfo.of(doc)
        year = int(info.year or 0)
        with self._db.transaction():
            self.remove_document(doc.doc_id)
            self._db.execute(f"INSERT INTO {self.schema}.documents ({_DOCUMENT_LIST}) "
                             f"VALUES ({', '.join(['%s'] * len(DOCUMENT_COLUMNS))})",
                             tuple(getattr(info, c) for c in DOCUMENT_COLUMNS))
            self._partition(year)
            first = self._db.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {self.schema}.facts").fetchone()
            start = int(first[0]) if first else 1
            named = []
            with self._db.cursor().copy(f"COPY {self.schema}.facts (id, year, {_FACT_LIST}) "
                                        "FROM STDIN") as copy:
                for fact_id, fact in enumerate(facts, start):
                    copy.write_row((fact_id, year, *(_cell(fact, c) for c in FACT_COLUMNS)))
                    named.append((fact_id, fact_names(fact, doc.department or "")))
            pgnames.write_names(self._db, self.schema, doc.doc_id, named)
        return len(named)

    def remove_document(self, doc_id: str, commit: bool = True) -> None:
        # `commit` is FactStore's: here every statement outside replace_document commits itself
        pgnames.remove_names(self._db, self.schema, doc_id)
        self._db.execute(f"DELETE FROM {self.schema}.facts WHERE doc_id = %s", (doc_id,))
        self._db.execute(f"DELETE FROM {self.schema}.documents WHERE doc_id = %s", (doc_id,))

    def documents(self) -> list[DocumentInfo]:
        rows = self._db.execute(f"SELECT {_DOCUMENT_LIST} FROM {self.schema}.documents "
                                "ORDER BY doc_id COLLATE \"C\"").fetchall()
        return [DocumentInfo(*r) for r in rows]

    def _select(self, where: str = "TRUE", args: Sequence[Any] = ()) -> list[Fact]:
        """Facts matching a WHERE clause, in id order: each query method is one call of this."""
        sql = f"SELECT id, {_FACT_LIST} FROM {self.schema}.facts WHERE {where} ORDER BY id"
        return [_fact(row) for row in self._db.execute(sql, args).fetchall()]

    def facts(self, doc_ids: Iterable[str] | None = None, kinds: Iterable[str] | None = None) -> list[Fact]:
        where, args = ["TRUE"], []
        if doc_ids is not None:
            where.append("doc_id = ANY(%s)")
            args.append(list(doc_ids))
        if kinds is not None:
            where.append("kind = ANY(%s)")
            args.append([str(k) for k in kinds])
        return self._select(" AND ".join(where), args)

    def facts_by_id(self, fact_ids: Iterable[int]) -> list[Fact]:
        """The facts with these ids, in id order; an unknown id is left out."""
        ids = sorted(set(fact_ids))
        return self._select("id = ANY(%s)", (ids,)) if ids else []

    def fact_ids_where(self, doc_ids: Iterable[str] | None, *, codes: Iterable[str] = (), kind: str | None = None,
                       table_type: str | None = None) -> set[int]:
        """The facts of these documents (every document when None) whose 科目编码, lower-cased,
        is one of `codes` (when given), of `kind` and `table_type` (when given)."""
        where: list[str] = ["TRUE"]
        args: list[Any] = []
        cs = sorted(set(codes))
        if cs:
            where.append("lower(code) = ANY(%s)")
            args.append(cs)
        for column, value in (("kind", kind), ("table_type", table_type)):
            if value is not None:
                where.append(f"{column} = %s")
                args.append(value)
        if doc_ids is not None:
            where.append("doc_id = ANY(%s)")
            args.append(sorted(set(doc_ids)))
        rows = self._db.execute(f"SELECT id FROM {self.schema}.facts WHERE {' AND '.join(where)}", args).fetchall()
        return {int(r[0]) for r in rows}

    def table_types_of(self, doc_id: str) -> set[str]:
        """The table types a document's facts other than narrative ones come from."""
        rows = self._db.execute(f"SELECT DISTINCT table_type FROM {self.schema}.facts "
                                "WHERE doc_id = %s AND kind != 'narrative'", (doc_id,)).fetchall()
        return {r[0] for r in rows}

    def by_code(self, code: str) -> list[Fact]:
        """Facts of rows with this 科目编码, through the index on `code`."""
        return self._select("code = %s", (code,))

    def count(self) -> int:
        row = self._db.execute(f"SELECT count(*) FROM {self.schema}.facts").fetchone()
        return int(row[0]) if row else 0


def _cell(fact: Fact, column: str) -> Any:
    value = getattr(fact, column)
    return str(value) if column == "kind" else value


def _fact(row: tuple[Any, ...]) -> Fact:
    d = dict(zip(("id", *FACT_COLUMNS), row))
    d["kind"] = FactKind(d["kind"])
    d["value"] = None if d["value"] is None else Decimal(d["value"])
    return Fact(**d)


# ------------------------------------------------------------------------------------ retrieval


def write_nodes(conn: psycopg.Connection, build: Path, nodes: Sequence[TextNode], texts: Sequence[str],
                vectors: np.ndarray, dim: int) -> None:
    """The nodes' documents, lengths and vectors, numbered by position like the embedded
    indexes, and their postings (term → node, term frequency, node length); then the B-tree
    and HNSW indexes over them."""
    s = schema_of(build)
    tokens = [tokenize(t) for t in texts]
    lengths = [len(t) for t in tokens]
    df: Counter[str] = Counter()
    for toks in tokens:
        df.update(set(toks))
    rows = unit_rows(vectors, dim) if len(nodes) else np.empty((0, dim), dtype=np.float32)
    with conn.transaction():
        conn.execute(f"CREATE TABLE {s}.nodes (id integer PRIMARY KEY, doc_id text NOT NULL, node_kind text, "
                     "department text NOT NULL, year integer, length integer NOT NULL, "
                     f"embedding vector({int(dim)}) NOT NULL)")
        # the node's length is kept beside each posting: an unfiltered query reads the postings alone
        conn.execute(f"CREATE TABLE {s}.postings (term text NOT NULL, node integer NOT NULL, tf integer NOT NULL, "
                     "length integer NOT NULL)")
        conn.execute(f"CREATE TABLE {s}.lexicon (term text PRIMARY KEY, df integer NOT NULL)")
        conn.execute(f"CREATE TABLE {s}.bm25 (n_docs integer NOT NULL, avg_len text NOT NULL)")
        with conn.cursor().copy(f"COPY {s}.nodes (id, doc_id, node_kind, department, year, length, embedding) "
                                "FROM STDIN") as copy:
            for i, (node, toks) in enumerate(zip(nodes, tokens)):
                meta = node.metadata
                copy.write_row((i, meta.get("doc_id") or "", meta.get("node_kind"), meta.get("department") or "",
                                meta.get("year"), len(toks), "[" + ",".join(map(repr, rows[i].tolist())) + "]"))
        # written in (term, node) order, so a term's postings share a few pages of the table
        postings = sorted((term, i, tf, len(toks)) for i, toks in enumerate(tokens) for term, tf in Counter(toks).items())
        # FREEZE (the table is this transaction's): its pages are all-visible at once, so a query
        # reads the postings from their index alone (a VACUUM here may not: a concurrent
        # autovacuum ANALYZE holds the horizon back)
        with conn.cursor().copy(f"COPY {s}.postings (term, node, tf, length) FROM STDIN WITH (FREEZE)") as copy:
            for row in postings:
                copy.write_row(row)
        with conn.cursor().copy(f"COPY {s}.lexicon (term, df) FROM STDIN") as copy:
            for term, n in df.items():
                copy.write_row((term, n))
        # bm25s's average length is a float64 mean; its repr round-trips exactly
        conn.execute(f"INSERT INTO {s}.bm25 VALUES (%s, %s)",
                     (len(nodes), repr(float(np.array(lengths).mean())) if lengths else "0"))
        conn.execute(f"ALTER TABLE {s}.postings ADD PRIMARY KEY (term, node) INCLUDE (tf, length)")
        conn.execute(f"CREATE INDEX nodes_doc ON {s}.nodes (doc_id)")
        conn.execute(f"CREATE INDEX nodes_vec ON {s}.nodes USING hnsw (embedding vector_ip_ops) "
                     f"WITH (m = {HNSW_M}, ef_construction = {HNSW_EF_CONSTRUCTION})")
        conn.execute(f"ANALYZE {s}.postings, {s}.nodes")


def unit_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    """float32 unit rows (inner product == cosine), zero rows kept zero, as FAISS is given."""
    x = np.asarray(vectors, dtype=np.float32).reshape(-1, dim)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


class PgRetrieval:
    """Lexical and dense search over one build's nodes: (node position, score), best first."""

    def __init__(self, url: str, build: Path):
        self._db = connect(url)
        # never prepared: a prepared query's generic plan ignores how few nodes a filter keeps
        # (measured on multi-dev, lexical over one document: 50 ms p50 prepared, 14 ms planned each time)
        self._db.prepare_threshold = None
        self._lock = threading.Lock()  # one query at a time on the connection (SET LOCAL needs a transaction)
        self.schema = schema_of(build)
        row = self._db.execute(f"SELECT n_docs, avg_len FROM {self.schema}.bm25").fetchone()
        if row is None:
            raise ValueError(f"schema {self.schema} holds no lexical index")
        self.n_docs, self.avg_len = int(row[0]), np.float64(float(row[1]))

    def close(self) -> None:
        self._db.close()

    def lexical(self, query: str, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        """bm25s's ranking: the same scores (float32, summed in the query's token order, a
        repeated token counted again) and order (score, then position)."""
        tokens = tokenize(query)
        s = self.schema
        with self._lock:
            df: dict[str, int] = dict(self._db.execute(f"SELECT term, df FROM {s}.lexicon WHERE term = ANY(%s)",
                                                       (list(set(tokens)),)).fetchall())
            known = [t for t in tokens if t in df]
            if not known:
                return []
            terms = list(dict.fromkeys(known))
            where, args = _where(filters)
            # each query term's postings through the B-tree on (term, node), read from the index
            # alone, as four arrays (one row per posting costs ~6× as much to receive)
            sql = (f"SELECT array_agg(p.node), array_agg(u.i), array_agg(p.tf), array_agg(p.length) "
                   f"FROM unnest(%s::text[]) WITH ORDINALITY AS u(t, i) JOIN {s}.postings p ON p.term = u.t")
            if where != "TRUE":
                sql += f" JOIN {s}.nodes n ON n.id = p.node WHERE {where}"
            cursor = self._db.cursor(binary=True)
            row = cursor.execute(sql, (terms, *args)).fetchone()
        if row is None or row[0] is None:
            return []
        node, column, count, size = (np.array(c, dtype=np.int64) for c in row)
        ids, candidate = np.unique(node, return_inverse=True)
        tf = np.zeros((len(ids), len(terms)), dtype=np.float32)        # candidates × terms
        tf[candidate, column - 1] = count
        length = np.zeros(len(ids), dtype=np.float64)
        length[candidate] = size
        idf = np.array([math.log(1 + (self.n_docs - df[t] + 0.5) / (df[t] + 0.5)) for t in terms], dtype=np.float32)
        tfc = tf / (K1 * ((1 - B) + B * length[:, None] / self.avg_len) + tf)   # float64, as bm25s
        weight = (idf.astype(np.float64) * tfc).astype(np.float32)
        position = {t: j for j, t in enumerate(terms)}
        scores = np.zeros(len(ids), dtype=np.float32)
        for t in known:
            scores += weight[:, position[t]]
        order = np.lexsort((ids, -scores))
        return [(int(ids[i]), float(scores[i])) for i in order if scores[i] > 0][:k]

    def dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> list[tuple[int, float]]:
        query = unit_rows(vector, vector.shape[-1])[0]
        literal = "[" + ",".join(map(repr, query.tolist())) + "]"
        where, args = _where(filters)
        with self._lock, self._db.transaction():
            if where == "TRUE":   # the HNSW graph, searched as wide as FAISS searches its own
                self._db.execute(f"SET LOCAL hnsw.ef_search = {max(HNSW_EF_SEARCH, int(k))}")
                sql = (f"SELECT id, -(embedding <#> %s::vector) FROM {self.schema}.nodes "
                       "ORDER BY embedding <#> %s::vector LIMIT %s")
                rows = self._db.execute(sql, (literal, literal, k)).fetchall()
            else:                 # the filter's rows through the B-tree, scored exactly
                sql = (f"WITH c AS MATERIALIZED (SELECT id, embedding FROM {self.schema}.nodes WHERE {where}) "
                       "SELECT id, -(embedding <#> %s::vector) AS s FROM c ORDER BY s DESC, id LIMIT %s")
                rows = self._db.execute(sql, (*args, literal, k)).fetchall()
        return [(int(i), float(s)) for i, s in rows]


def _where(filters: Filters | None) -> tuple[str, list[Any]]:
    """`Filters.allows` as SQL over the nodes table."""
    if filters is None:
        return "TRUE", []
    where: list[str] = []
    args: list[Any] = []
    if filters.node_kinds is not None:
        where.append("node_kind = ANY(%s)")
        args.append(sorted(filters.node_kinds))
    if filters.doc_ids is not None:
        where.append("doc_id = ANY(%s)")
        args.append(sorted(filters.doc_ids))
    if filters.department:
        where.append("strpos(department, %s) > 0")
        args.append(filters.department)
    if filters.year:
        where.append("year = %s")
        args.append(filters.year)
    return " AND ".join(where) or "TRUE", args
