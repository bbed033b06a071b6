"""Write stored records out of the database.

`FORMATS` maps a format name to its writer ``writer(db, out, filters) -> n records``;
`reform export --format NAME` offers every key, so a new format is one function here.
Filters are ``region`` (full name or code), ``metric``, ``year`` and ``doc``; their values
go to SQL as parameters only.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Iterator

from extract.model import Record
from extract.store import open_readonly, row_record

FILTERS = {
    "region": "(region = ? OR region_code = ?)",
    "metric": "metric = ?",
    "year": "year = ?",
    "doc": "doc_id = ?",
}


def select_records(conn: sqlite3.Connection, filters: dict | None = None) -> Iterator[Record]:
    """Stored records matching *filters*, by document and position."""
    where, params = [], []
    for key, value in (filters or {}).items():
        if value is None:
            continue
        if key not in FILTERS:
            raise ValueError(f"unknown filter {key!r} (known: {', '.join(FILTERS)})")
        where.append(FILTERS[key])
        params += [value] * FILTERS[key].count("?")
    sql = "SELECT * FROM metrics"
    if where:
        sql += " WHERE " + " AND ".join(where)
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    for row in cur.execute(sql + " ORDER BY doc_id, start, id", params):
        yield row_record(row)


@contextlib.contextmanager
def _output(out):
    if str(out) == "-":
        yield sys.stdout
        return
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        yield fh


def export_jsonl(db, out, filters: dict | None = None) -> int:
    """One record per line: the fields of shared/spec/RECORDS.md in order, then provenance."""
    conn = open_readonly(db)
    n = 0
    try:
        with _output(out) as fh:
            for rec in select_records(conn, filters):
                fh.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
                n += 1
    finally:
        conn.close()
    return n


FORMATS = {"jsonl": export_jsonl}
