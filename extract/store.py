"""The SQLite store: schema, per-document atomic saves, the run log, read-only access.

The schema is the one of ``docs/ARCHITECTURE.md``.  The database runs in WAL mode with a
busy timeout, so readers (``reform query``, export, review) never block the writer.  A
document's rows are always replaced inside one transaction (``save``), so a re-run or a
killed run leaves either the old or the new version of a document, never a mix.

Every value coming from a user or a document goes to SQL as a parameter; the only
identifiers ever put into SQL text are the fixed column names of this module.
"""
from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import sqlite3
import typing
from datetime import datetime, timezone
from pathlib import Path

import sqlite_utils

from extract import EXTRACTOR_VERSION
from extract.model import Record, assign_record_ids

BUSY_TIMEOUT_S = 30.0

_PY_TYPES = {bool: int, int: int, float: float, str: str, list: str}


_HINTS = typing.get_type_hints(Record)


def _record_columns() -> dict[str, type]:
    """Column name -> SQLite type for every field of `Record` (``doc`` becomes ``doc_id``)."""
    cols: dict[str, type] = {}
    for f in dataclasses.fields(Record):
        t = _HINTS[f.name]
        args = [a for a in typing.get_args(t) if a is not type(None)]
        base = typing.get_origin(t) or t
        if args and base is not list:         # Optional[X]
            base = args[0]
        cols["doc_id" if f.name == "doc" else f.name] = _PY_TYPES[base]
    return cols


RECORD_COLUMNS = _record_columns()
_BOOL_FIELDS = {name for name, t in _HINTS.items() if t is bool}

TABLES: dict[str, dict] = {
    "documents": dict(columns={
        "doc_id": str, "path": str, "sha256": str, "format": str, "encoding": str,
        "title": str, "date": str, "status": str, "error": str, "n_records": int,
        "text": str, "extractor_version": str, "run_id": int, "processed_at": str,
        "warning": str,     # stored but maybe not whole (a truncated PDF), see runner
    }, pk="doc_id", not_null=["status"]),
    "articles": dict(columns={
        "id": int, "doc_id": str, "idx": int, "start": int, "end": int, "title": str,
        "region": str, "region_code": str,
    }, pk="id", foreign_keys=[("doc_id", "documents", "doc_id")]),
    "sections": dict(columns={
        "id": int, "doc_id": str, "article": int, "idx": int, "start": int, "end": int,
        "heading": str, "level": int,
    }, pk="id", foreign_keys=[("doc_id", "documents", "doc_id")]),
    "metrics": dict(columns={"id": int, **RECORD_COLUMNS, "extractor_version": str, "run_id": int},
                    pk="id", foreign_keys=[("doc_id", "documents", "doc_id")]),
    "metric_defs": dict(columns={
        "key": str, "zh": str, "unit": str, "range_low": float, "range_high": float,
        "definition": str,
    }, pk="key"),
    "regions": dict(columns={
        "code": str, "name": str, "full_name": str, "short": str, "level": str, "parent": str,
        "valid_from": str, "valid_to": str, "aliases": str,
    }, pk="code"),
    "runs": dict(columns={
        "run_id": int, "started": str, "finished": str, "options": str, "read": int,
        "skipped": int, "failed": int, "records": int,
    }, pk="run_id"),
}
INDEXES = {
    "documents": [["path"]],        # a file's stored id is looked up by its path (runner.DocIds)
    "metrics": [["region_code"], ["metric"], ["year"], ["doc_id"]],
    "articles": [["doc_id"]],
    "sections": [["doc_id"]],
}
CHILD_TABLES = ("metrics", "articles", "sections")


def _insert_sql(table: str, columns) -> str:
    return (f"INSERT INTO {table} ({', '.join(f'[{c}]' for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})")


_METRIC_INSERT = _insert_sql("metrics", ["id", *RECORD_COLUMNS, "extractor_version", "run_id"])


# The full-text index of snippets is filled in bulk, not row by row: any trigger on
# INSERT, even one doing nothing, more than doubles the cost of inserting a record, and
# trigram-indexing rows one at a time costs three times a bulk INSERT…SELECT.  So every
# record with ``id <= metrics_fts_state.indexed_upto`` is in the index and every record
# above it is queued; `Store.sync_fts` indexes the queue and moves the mark.  New
# records always get ids above the mark (`Store.save_rows` gives them explicitly, so a
# deleted top id is never reused below it).  A deleted or updated record is taken out
# of the index only when it is below the mark, since FTS5 must be told the exact text it
# indexed.
FTS_STATE = "metrics_fts_state"
FTS_SYNC_ROWS = 20_000      # the runner indexes the queue this often (on its writer thread, so
                            # it overlaps extraction; the total cost is the same in 5k-1M chunks)
_INDEXED = f"old.id <= (SELECT indexed_upto FROM {FTS_STATE})"
_FTS_TRIGGERS = {
    "metrics_ad": f"""CREATE TRIGGER metrics_ad AFTER DELETE ON metrics WHEN {_INDEXED} BEGIN
  INSERT INTO metrics_fts (metrics_fts, rowid, snippet) VALUES ('delete', old.id, old.snippet);
END""",
    "metrics_au": f"""CREATE TRIGGER metrics_au AFTER UPDATE ON metrics WHEN {_INDEXED} BEGIN
  INSERT INTO metrics_fts (metrics_fts, rowid, snippet) VALUES ('delete', old.id, old.snippet);
  INSERT INTO metrics_fts (rowid, snippet)
    SELECT new.id, new.snippet WHERE new.id <= (SELECT indexed_upto FROM {FTS_STATE});
END""",
}


def _known_hash(conn: sqlite3.Connection, doc_id: str) -> str | None:
    row = conn.execute("SELECT sha256 FROM documents WHERE doc_id = ? AND status = 'ok' "
                       "AND extractor_version = ?", (doc_id, EXTRACTOR_VERSION)).fetchone()
    return row[0] if row else None


def sql_text(s: str) -> str:
    """*s* in a form SQLite accepts: a file name that is not valid UTF-8 (common in
    archives unpacked from GBK zip files) reaches Python with lone surrogates, which
    SQLite refuses; its undecodable bytes become ``\\xNN`` escapes."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return os.fsencode(s).decode("utf-8", "backslashreplace")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- record <-> row -------------------------------------------------------------------

_FIELDS = tuple(f.name for f in dataclasses.fields(Record))
_COLUMN_OF = {name: "doc_id" if name == "doc" else name for name in _FIELDS}


def record_row(rec: Record, doc_id: str) -> dict:
    """The `metrics` row of a record (without id, extractor_version, run_id)."""
    row = {_COLUMN_OF[name]: getattr(rec, name) for name in _FIELDS}
    row["doc_id"] = doc_id
    row["region_alt"] = json.dumps(list(rec.region_alt or []), ensure_ascii=False)
    for name in _BOOL_FIELDS:
        row[name] = int(bool(row[name]))
    return row


def row_record(row: typing.Mapping) -> Record:
    """The `Record` stored in a `metrics` row (the inverse of `record_row`)."""
    kw = {}
    for f in dataclasses.fields(Record):
        v = row["doc_id" if f.name == "doc" else f.name]
        if f.name == "region_alt":
            v = json.loads(v) if v else []
        elif f.name in _BOOL_FIELDS:
            v = bool(v)
        kw[f.name] = v
    return Record(**kw)


def _pick(d: dict, cols) -> dict:
    """The columns *cols* of *d*; DocResult dicts name ``idx`` ``index``."""
    return {c: d.get(c, d.get("index")) if c == "idx" else d.get(c) for c in cols}


def doc_rows(result) -> dict:
    """Plain rows of a `DocResult`: cheap to pickle, so workers convert and the writer inserts."""
    src = result.src
    doc = {
        "doc_id": src.doc_id, "path": sql_text(str(src.path)), "sha256": src.sha256,
        "format": src.format, "encoding": src.encoding, "title": src.title,
        "date": result.date, "status": "ok", "error": None, "n_records": len(result.records),
        "text": src.text, "warning": getattr(src, "warning", None),
    }
    articles = [_pick(a, ("idx", "start", "end", "title", "region", "region_code"))
                for a in result.articles]
    sections = [_pick(s, ("article", "idx", "start", "end", "heading", "level"))
                for s in result.sections]
    metrics = [record_row(r, src.doc_id) for r in result.records]
    if any(m["record_id"] is None for m in metrics):   # records made outside the pipeline
        ids = [dataclasses.replace(r) for r in result.records]
        assign_record_ids(src.doc_id, ids)
        for m, r in zip(metrics, ids):
            m["record_id"] = r.record_id
    return {"document": doc, "metrics": metrics,
            "articles": articles, "sections": sections}


# --- connections ----------------------------------------------------------------------

# pragmas that take an argument only to say what to read
_READ_PRAGMAS = frozenset({"table_info", "table_xinfo", "table_list", "index_list", "index_info",
                           "index_xinfo", "foreign_key_list", "foreign_key_check",
                           "integrity_check", "quick_check"})


def _deny_writes(action, arg1, arg2, db_name, trigger):
    """Authorizer of read-only connections: mode=ro and query_only stop writes to the
    database, but ATTACH and VACUUM INTO (an attach) still create files, and a PRAGMA
    setting (journal_mode = DELETE) fails with a misleading disk I/O error."""
    if action in (sqlite3.SQLITE_ATTACH, sqlite3.SQLITE_DETACH):
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_PRAGMA and arg2 is not None and arg1 not in _READ_PRAGMAS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def open_readonly(path) -> sqlite3.Connection:
    """A connection that cannot write: the file is opened read-only, query_only is on, and
    ATTACH, VACUUM INTO and PRAGMA settings are not authorized."""
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no database at {p}")
    conn = sqlite3.connect(p.resolve().as_uri() + "?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        _check_is_database(conn, p)
    except sqlite3.DatabaseError as exc:
        # a WAL database on a read-only medium (a DVD, a read-only mount): SQLite cannot
        # make its -shm file; nothing can write there, so read it as immutable
        if "unable to open" not in str(exc) or os.access(p.parent, os.W_OK):
            raise
        conn = sqlite3.connect(p.resolve().as_uri() + "?mode=ro&immutable=1", uri=True)
        _check_is_database(conn, p)
    conn.execute("PRAGMA query_only = ON")
    conn.set_authorizer(_deny_writes)
    return conn


def _check_is_database(conn: sqlite3.Connection, path) -> None:
    """Fail with the file named when *path* is not an SQLite database (SQLite reads the
    header only at the first statement, as a bare 'file is not a database')."""
    try:
        conn.execute("PRAGMA schema_version")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise sqlite3.DatabaseError(f"{path}: not an SQLite database ({exc})") from None


@contextlib.contextmanager
def writer_lock(path, on_wait=None):
    """Hold the single-writer lock of the database at *path* (``<path>.lock``).

    A second ``reform run`` on the same database waits here until the first is done
    (*on_wait* is called once if it has to wait).  The lock is a POSIX record lock:
    the kernel drops it when the holder dies, even by SIGKILL, and forked pool workers
    do not inherit it.
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            if on_wait:
                on_wait()
            fcntl.lockf(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # closing releases the lock


class Store:
    """The writer's connection to one database file."""

    def __init__(self, path, timeout: float = BUSY_TIMEOUT_S):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread off: the runner writes on its writer thread (one thread at a
        # time ever uses the connection; see runner.write_behind)
        conn = sqlite3.connect(str(self.path), timeout=timeout, check_same_thread=False)
        _check_is_database(conn, self.path)
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        self._readers: list[sqlite3.Connection] = []   # see hash_lookup
        with self.db.ensure_autocommit_on():
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")   # WAL: safe against a killed process
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")

    def close(self) -> None:
        for conn in self._readers:
            conn.close()
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # schema ---------------------------------------------------------------------------

    def ensure_schema(self) -> None:
        """Create missing tables, columns, indexes and the snippet full-text index."""
        with self.db.atomic():
            for name, spec in TABLES.items():
                table = self.db[name]
                if not table.exists():
                    table.create(spec["columns"], pk=spec["pk"],
                                 foreign_keys=spec.get("foreign_keys"),
                                 not_null=spec.get("not_null"))
                else:   # a field added to Record since this database was made
                    have = set(table.columns_dict)
                    for col, typ in spec["columns"].items():
                        if col not in have:
                            table.add_column(col, typ)
                    if name == "metrics" and "record_id" not in have:
                        self._backfill_record_ids()
            for name, indexes in INDEXES.items():
                for cols in indexes:
                    self.db[name].create_index(cols, if_not_exists=True)
        if not self.db["metrics_fts"].exists():
            # trigram: Chinese has no spaces, so the default tokenizer would index whole
            # clauses as one token; trigrams make MATCH and LIKE find any 3+ character run.
            self.db["metrics"].enable_fts(["snippet"], create_triggers=False, tokenize="trigram")
        with self.db.atomic():
            self._ensure_fts_queue()

    def _backfill_record_ids(self) -> None:
        """Stable ids for the records of a database made before them (the same ids a run
        gives; their scope fields stay empty until the documents are run again)."""
        from types import SimpleNamespace
        rows = self.conn.execute("SELECT id, doc_id, start, end, metric, kind FROM metrics "
                                 "ORDER BY doc_id, start, end, metric, id").fetchall()
        by_doc: dict[str, list] = {}
        for i, d, a, b, m, k in rows:
            by_doc.setdefault(d, []).append(SimpleNamespace(id=i, start=a, end=b, metric=m,
                                                            kind=k, record_id=None))
        for d, recs in by_doc.items():
            assign_record_ids(d, recs)
            self.conn.executemany("UPDATE metrics SET record_id = ? WHERE id = ?",
                                  [(r.record_id, r.id) for r in recs])

    def _ensure_fts_queue(self) -> None:
        """The high-water mark and triggers of bulk indexing (see `FTS_STATE`).  A database
        made before them had sqlite-utils' per-row triggers, so everything in it is indexed."""
        conn = self.conn
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (FTS_STATE,)).fetchone():
            return
        conn.execute(f"CREATE TABLE {FTS_STATE} (indexed_upto INTEGER NOT NULL)")
        conn.execute(f"INSERT INTO {FTS_STATE} SELECT coalesce(max(id), 0) FROM metrics")
        conn.execute("DROP TRIGGER IF EXISTS metrics_ai")
        for name, sql in _FTS_TRIGGERS.items():
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
            conn.execute(sql)

    # transactions ---------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self):
        """One write transaction around several saves (each save stays atomic on its own)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.execute("COMMIT")

    # documents ------------------------------------------------------------------------

    def known_hash(self, doc_id: str) -> str | None:
        """The hash of *doc_id* when it is stored successfully by this extractor version."""
        return _known_hash(self.conn, doc_id)

    def hash_lookup(self):
        """`known_hash` as a function for a thread other than the writer's: it reads
        through a connection of its own (WAL: reading never waits for the writer), one
        indexed lookup per document instead of every hash held in memory."""
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        self._readers.append(conn)
        return lambda doc_id: _known_hash(conn, doc_id)

    def id_lookups(self):
        """(id_of, path_of) for a thread other than the writer's (see `hash_lookup`):
        ``id_of(path)`` is the id stored for the file at *path* (a stored path as
        `sql_text` gives it; a database of an older version stored paths relative to the
        folder it was run from, so the path relative to this one is tried too) and
        ``path_of(doc_id)`` the path stored under *doc_id*; None when there is none."""
        conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S, check_same_thread=False)
        self._readers.append(conn)
        relative = conn.execute("SELECT 1 FROM documents WHERE path NOT LIKE '/%' "
                                "LIMIT 1").fetchone() is not None

        def id_of(path: str):
            row = conn.execute("SELECT doc_id FROM documents WHERE path = ?", (path,)).fetchone()
            if row is None and relative and os.path.isabs(path):
                row = conn.execute("SELECT doc_id FROM documents WHERE path = ?",
                                   (os.path.relpath(path),)).fetchone()
            return row[0] if row else None

        def path_of(doc_id: str):
            row = conn.execute("SELECT path FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
            return row[0] if row else None
        return id_of, path_of

    def set_path(self, doc_id: str, path: str) -> None:
        """Record *path* as the file of *doc_id* (an unchanged document found again under
        its absolute path, stored relative by an older version)."""
        self.conn.execute("UPDATE documents SET path = ? WHERE doc_id = ? AND path IS NOT ?",
                          (path, doc_id, path))

    def _delete_doc(self, doc_id: str) -> None:
        for table in CHILD_TABLES:
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        self.conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def _replace_doc(self, doc: dict, run_id) -> None:
        self._delete_doc(doc["doc_id"])
        doc = {**doc, "extractor_version": EXTRACTOR_VERSION, "run_id": run_id,
               "processed_at": now()}
        self.conn.execute(_insert_sql("documents", list(doc)), list(doc.values()))

    def save(self, result, run_id: int | None = None) -> int:
        """Replace everything stored for ``result.src.doc_id`` by *result* (a `DocResult`),
        its snippets searchable at once."""
        n = self.save_rows(doc_rows(result), run_id)
        self.sync_fts()
        return n

    def save_rows(self, rows: dict, run_id: int | None = None) -> int:
        """`save` for rows made by `doc_rows`; returns the number of records stored.
        The snippets wait for the full-text index until `sync_fts` (the runner calls it
        every `FTS_SYNC_ROWS` records and at the end of a run)."""
        doc_id = rows["document"]["doc_id"]
        with self.db.atomic():
            self._replace_doc(rows["document"], run_id)
            first = self._next_metric_id()
            self.conn.executemany(_METRIC_INSERT, (
                [i, *m.values(), EXTRACTOR_VERSION, run_id]
                for i, m in enumerate(rows["metrics"], first)))
            for table in ("articles", "sections"):
                if rows[table]:
                    cols = ["doc_id", *rows[table][0]]
                    self.conn.executemany(_insert_sql(table, cols),
                                          ([doc_id, *r.values()] for r in rows[table]))
        return len(rows["metrics"])

    def _next_metric_id(self) -> int:
        """An id above every record's and above the indexed mark (never reused below it)."""
        return self.conn.execute(
            f"SELECT max(coalesce((SELECT max(id) FROM metrics), 0), indexed_upto) + 1 "
            f"FROM {FTS_STATE}").fetchone()[0]

    def sync_fts(self) -> int:
        """Index the snippets of the records stored since the last call; returns how many.
        One INSERT…SELECT over the ids above the mark (see `FTS_STATE`)."""
        with self.db.atomic():
            (mark,) = self.conn.execute(f"SELECT indexed_upto FROM {FTS_STATE}").fetchone()
            n = self.conn.execute(
                "INSERT INTO metrics_fts (rowid, snippet) SELECT id, snippet FROM metrics "
                "WHERE id > ?", (mark,)).rowcount
            self.conn.execute(f"UPDATE {FTS_STATE} SET indexed_upto = "
                              f"max(indexed_upto, coalesce((SELECT max(id) FROM metrics), 0))")
        return n

    def prune(self, roots, keep: set) -> list[tuple[str, str]]:
        """Remove the documents (with their records, articles and sections) stored from a
        file under one of *roots* (files or folders, compared as absolute paths) whose id
        is not in *keep*; returns their (doc_id, path), one transaction for all.
        A document stored with a relative path (by an older version, relative to a folder
        not recorded) is never removed: resolving it against the current folder removed
        documents of other folders whose files exist.  `relative_paths` counts them."""
        tops = [sql_text(os.path.abspath(r)) for r in roots]

        def under(p: str) -> bool:
            return any(p == t or p.startswith(t.rstrip(os.sep) + os.sep) for t in tops)
        gone = [(d, p) for d, p in self.conn.execute("SELECT doc_id, path FROM documents")
                if d not in keep and p and os.path.isabs(p) and under(p)]
        with self.db.atomic():
            for doc_id, _ in gone:
                self._delete_doc(doc_id)
        return gone

    def relative_paths(self) -> int:
        """How many documents are stored with a relative path (see `prune`)."""
        return self.conn.execute("SELECT count(*) FROM documents "
                                 "WHERE path NOT LIKE '/%'").fetchone()[0]

    def save_failure(self, doc_id: str, path, sha256: str | None, reason: str,
                     run_id: int | None = None) -> None:
        """Mark *doc_id* failed with a one-line *reason*; its old rows are removed."""
        with self.db.atomic():
            self._replace_doc({"doc_id": doc_id, "path": sql_text(str(path)), "sha256": sha256,
                               "status": "failed", "error": reason, "n_records": 0}, run_id)

    # run log and reference tables -----------------------------------------------------

    def start_run(self, options: dict) -> int:
        with self.db.atomic():
            cur = self.conn.execute(
                "INSERT INTO runs (started, options) VALUES (?, ?)",
                (now(), json.dumps(options, ensure_ascii=False, default=str)))
        return cur.lastrowid

    def finish_run(self, run_id: int, counts: dict) -> None:
        with self.db.atomic():
            self.conn.execute(
                "UPDATE runs SET finished = ?, read = ?, skipped = ?, failed = ?, records = ? "
                "WHERE run_id = ?",
                (now(), counts.get("read", 0), counts.get("skipped", 0),
                 counts.get("failed", 0), counts.get("records", 0), run_id))

    def _replace_table(self, table: str, rows) -> int:
        cols = list(TABLES[table]["columns"])
        sql = _insert_sql(table, cols)
        n = 0
        with self.db.atomic():
            self.conn.execute(f"DELETE FROM {table}")
            for row in rows:
                self.conn.execute(sql, [row.get(c) for c in cols])
                n += 1
        return n

    def load_regions(self, rows) -> int:
        """Replace the `regions` table by *rows* (dicts; ``aliases`` a list)."""
        return self._replace_table("regions", (
            {**r, "aliases": json.dumps(list(r.get("aliases") or []), ensure_ascii=False)}
            for r in rows))

    def load_metric_defs(self, rows) -> int:
        """Replace `metric_defs` by *rows*: dicts with key, zh, unit, range (pair), definition."""
        def row(d):
            low, high = (list(d.get("range") or []) + [None, None])[:2]
            return {"range_low": d.get("range_low", low), "range_high": d.get("range_high", high),
                    **{k: d.get(k) for k in ("key", "zh", "unit", "definition")}}
        return self._replace_table("metric_defs", (row(d) for d in rows))
