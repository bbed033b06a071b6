"""Database safety beyond tests/test_cli.py and tests/test_runner.py.

Those cover: `reform query` refusing INSERT/UPDATE/DELETE/DROP, an injected ``--region``
of `reform export`, two identical runs at once being serialised, a killed run resuming.
Here: the statements that write through a read-only connection anyway (ATTACH, VACUUM
INTO, PRAGMA settings), injected values in every other filter of export, diff and review
(and in a stored document id), a file that is not a database, a reader while a run
writes, the waiting run taking over from one killed with the lock, and two concurrent
runs over overlapping corpora adding up to exactly one run of their union.
"""
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FAKE_PIPELINE, reform_argv, table_rows, wait_for, write_corpus
from extract.cli import reform

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
INJECTION = "'); DROP TABLE metrics; --"
SQL_DOC = "x'); DROP TABLE documents; --"
CONTENT = ("documents", "metrics", "articles", "sections", "runs", "regions", "metric_defs")


def invoke(*args):
    return CliRunner().invoke(reform, [str(a) for a in args])


def snapshot(db, tables=CONTENT):
    return {t: table_rows(db, t, skip=()) for t in tables}


@pytest.fixture
def db(tmp_path, monkeypatch):
    """A database made by `reform run` (fake pipeline), one document named with SQL."""
    monkeypatch.setitem(sys.modules, "extract.pipeline",
                        FAKE_PIPELINE)
    write_corpus(tmp_path / "c", 3)
    (tmp_path / "c" / f"{SQL_DOC}.txt").write_text("参合率达到97%。", encoding="utf-8")
    path = tmp_path / "r.db"
    res = invoke("run", tmp_path / "c", "--db", path, "--workers", "1", "--quiet")
    assert res.exit_code == 0, res.output
    return path


# ---- read-only means no file is written ----------------------------------------------

def _files(folder):
    """Files but SQLite's own WAL companions, which any reader of a WAL database opens."""
    return sorted(f for f in os.listdir(folder) if not f.endswith(("-wal", "-shm")))


@pytest.mark.parametrize("sql, creates", [
    ("ATTACH DATABASE '{dir}/new.db' AS x", "new.db"),
    ("VACUUM INTO '{dir}/copy.db'", "copy.db"),
    ("PRAGMA journal_mode = DELETE", None),
    ("PRAGMA query_only = OFF", None),
    ("PRAGMA writable_schema = ON", None),
    ("PRAGMA user_version = 7", None),
    ("CREATE TEMP TABLE t (a)", None),
])
def test_query_cannot_write_any_file(db, tmp_path, sql, creates):
    before = snapshot(db)
    files = _files(tmp_path)
    res = invoke("query", sql.format(dir=tmp_path), "--db", db)
    assert res.exit_code == 1
    assert res.output.startswith("Error: the database is opened read-only: write statements "
                                 "are refused (") and res.output.count("\n") == 1, res.output
    assert _files(tmp_path) == files and (creates is None or creates not in files)
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    conn.close()
    assert snapshot(db) == before


def test_query_still_reads_schema_and_full_text(db):
    res = invoke("query", "SELECT count(*) FROM pragma_table_info('metrics')", "--db", db)
    assert res.exit_code == 0 and res.output.split()[-1] == "36"   # the Record fields (33), id, extractor_version, run_id
    res = invoke("query", "PRAGMA integrity_check", "--db", db)
    assert res.exit_code == 0 and res.output.split()[-1] == "ok"
    res = invoke("query", "SELECT count(*) FROM metrics_fts WHERE snippet MATCH '参合率'",
                 "--db", db)
    want = sqlite3.connect(db).execute(
        "SELECT count(*) FROM metrics WHERE snippet LIKE '%参合率%'").fetchone()[0]
    assert res.exit_code == 0 and int(res.output.split()[-1]) == want > 0


# ---- user values are parameters ----------------------------------------------------

@pytest.mark.parametrize("args", [
    ["export", "--metric", INJECTION],
    ["export", "--doc", INJECTION],
    ["export", "--region", "%"],
    ["export", "--doc", "%"],
    ["export", "--format", "csv", "--region", INJECTION, "--metric", INJECTION],
    ["export", "--layout", "panel", "--region", INJECTION],
])
def test_injected_export_filters_are_refused_and_change_nothing(db, args):
    before = snapshot(db)
    res = invoke(*args, "--db", db)
    # a filter naming no region, metric or document is refused with candidates (issue 17)
    assert res.exit_code == 2, res.output
    assert re.search(r"Error: unknown (region|metric|document) ", res.output), res.output
    assert snapshot(db) == before


@pytest.mark.parametrize("args", [
    ["diff", INJECTION, "北京市"],
    ["diff", "北京市", "110000", "--metric", INJECTION],
    ["diff", "北京市", "110000", "--metric", INJECTION, "--latest", "--include-children"],
    ["diff", "北京市", "110000", "--year", "2010", "--format", "json"],
    ["review", INJECTION],
])
def test_injected_diff_and_review_arguments_change_nothing(db, tmp_path, args):
    before = snapshot(db)
    extra = ["--out", tmp_path / "out"] if args[0] == "review" else []
    res = invoke(*args, "--db", db, *extra)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output and "sqlite3" not in res.output
    assert snapshot(db) == before
    assert invoke("stats", "--db", db).output.startswith(
        "documents: 4 (4 ok, 0 failed); records: 10")


def test_a_document_id_with_sql_is_just_an_id(db, tmp_path):
    res = invoke("export", "--doc", SQL_DOC, "--db", db)
    assert res.exit_code == 0
    assert [line.count(f'"doc": "{SQL_DOC}"') for line in res.stdout.splitlines()] == [1]
    res = invoke("review", SQL_DOC, "--db", db, "--out", tmp_path / "rv")
    assert res.exit_code == 0, res.output
    pages = [p for p in (tmp_path / "rv").rglob("*.html") if p.name != "index.html"]
    assert len(pages) == 1 and "97%" in pages[0].read_text(encoding="utf-8")
    assert pages[0].resolve().is_relative_to((tmp_path / "rv").resolve())


# ---- a file that is not a database ---------------------------------------------------

@pytest.mark.parametrize("verb", [["run", "{corpus}", "--quiet"], ["query", "SELECT 1"],
                                  ["export"], ["stats"], ["diff", "北京市", "上海市"],
                                  ["review", "--all", "--out", "{dir}/rv"]])
def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path, verb, monkeypatch):
    monkeypatch.setitem(sys.modules, "extract.pipeline",
                        FAKE_PIPELINE)
    write_corpus(tmp_path / "c", 1)
    notes = tmp_path / "notes.db"
    data = "会议记录，不是数据库。\n".encode() * 200
    notes.write_bytes(data)
    args = [a.format(corpus=tmp_path / "c", dir=tmp_path) for a in verb]
    res = invoke(*args, "--db", notes)
    assert res.exit_code == 1
    assert res.output == f"Error: {notes}: not an SQLite database (file is not a database)\n"
    assert notes.read_bytes() == data


# ---- concurrency ---------------------------------------------------------------------



def _ok_docs(db):
    try:
        conn = sqlite3.connect(db)
        try:
            return conn.execute("SELECT count(*) FROM documents WHERE status='ok'").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def _run(paths, db, log, delay="0", workers="1"):
    """`reform run` in the background, its stdout and stderr in files (read while it runs)."""
    out, err = (open(f"{log}.{x}", "w") for x in ("out", "err"))
    proc = subprocess.Popen(
        reform_argv("run", *paths, "--db", db, "--workers", workers, "--quiet"),
        env={**ENV, "FAKE_PIPELINE_DELAY": delay}, stdout=out, stderr=err,
        start_new_session=True)
    out.close()
    err.close()
    proc.logs = (Path(f"{log}.out"), Path(f"{log}.err"))
    return proc


def _finish(proc, timeout=120):
    proc.wait(timeout=timeout)
    return tuple(p.read_text(encoding="utf-8") for p in proc.logs)


CONSISTENT = ("SELECT count(*) FROM documents d WHERE n_records != "
              "(SELECT count(*) FROM metrics m WHERE m.doc_id = d.doc_id)")
TABLES = ("documents", "metrics", "articles", "sections")


def test_readers_see_whole_documents_and_never_wait_for_the_writer(tmp_path):
    write_corpus(tmp_path / "c", 100)          # committed 20 at a time, every second
    db = tmp_path / "r.db"
    proc = _run([tmp_path / "c"], db, tmp_path / "run", delay="0.05")
    try:
        assert wait_for(lambda: _ok_docs(db) >= 3)
        seen = []
        while proc.poll() is None:
            t0 = time.monotonic()
            res = invoke("query", CONSISTENT + " UNION ALL SELECT count(*) FROM documents",
                         "--db", db)
            assert res.exit_code == 0, res.output
            bad, n = [int(x) for x in res.output.split()[-2:]]
            assert bad == 0                     # never a document without all its records
            assert time.monotonic() - t0 < 5    # WAL: a reader does not wait for commits
            seen.append(n)
            time.sleep(0.1)
        assert seen == sorted(seen)
        assert len({n for n in seen if n < 100}) >= 2, seen  # seen between commits
    finally:
        out, err = _finish(proc)
    assert proc.returncode == 0, err


def test_a_waiting_run_takes_over_from_one_killed_holding_the_lock(tmp_path):
    write_corpus(tmp_path / "c", 30)
    db, single = tmp_path / "r.db", tmp_path / "single.db"
    subprocess.run(reform_argv("run", tmp_path / "c", "--db", single, "--workers", "1",
                               "--quiet"), env=ENV, check=True, capture_output=True)
    first = _run([tmp_path / "c"], db, tmp_path / "first", delay="0.2")
    try:
        assert wait_for(lambda: _ok_docs(db) >= 3)
        second = _run([tmp_path / "c"], db, tmp_path / "second")
        assert wait_for(lambda: "waiting for it to finish" in second.logs[1].read_text())
    finally:
        os.killpg(first.pid, signal.SIGKILL)    # mid-batch, holding the lock
        first.wait()
    stored = _ok_docs(db)
    assert 3 <= stored < 30
    out, err = _finish(second)
    assert second.returncode == 0, err
    assert f"30 found, {30 - stored} read, {stored} skipped (unchanged), 0 failed" in out
    assert {t: table_rows(db, t) for t in TABLES} == {t: table_rows(single, t) for t in TABLES}
    conn = sqlite3.connect(db)
    assert conn.execute(CONSISTENT).fetchone() == (0,)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_concurrent_runs_over_overlapping_corpora_add_up_to_one_run(tmp_path):
    docs = write_corpus(tmp_path / "all", 30)
    a, b, c = docs[:10], docs[10:20], docs[20:]
    db, single = tmp_path / "r.db", tmp_path / "single.db"
    subprocess.run(reform_argv("run", tmp_path / "all", "--db", single, "--workers", "1",
                               "--quiet"), env=ENV, check=True, capture_output=True)
    procs = [_run(a + b, db, tmp_path / "ab", delay="0.2", workers="2"),
             _run(b + c, db, tmp_path / "bc", delay="0.2", workers="2")]
    outs = [_finish(p) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sum("waiting for it to finish" in err for _, err in outs) == 1
    reads = sorted(int(out.split(" read,")[0].split()[-1]) for out, _ in outs)
    assert reads == [10, 20]                    # the shared ten are done once
    assert {t: table_rows(db, t) for t in TABLES} == {t: table_rows(single, t) for t in TABLES}
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT sum(read), sum(records) FROM runs").fetchone() == \
        sqlite3.connect(single).execute("SELECT sum(read), sum(records) FROM runs").fetchone()
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
