import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import types

import pytest
from pathlib import Path


from conftest import fake_process, make_record, reform_argv, table_rows, wait_for, write_corpus
from extract import runner
from extract.runner import assign_ids, run

CONTENT_TABLES = ("documents", "metrics", "articles", "sections")
REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def snapshot(db):
    return {t: table_rows(db, t) for t in CONTENT_TABLES}


def query(db, sql, *params):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_doc_ids_are_stems_disambiguated_by_sorted_path():
    paths = [Path("/b/x.txt"), Path("/a/x.md"), Path("/c/x~2.txt"), Path("/a/x.txt"),
             Path("/a/y.txt"), Path("/a/./y.txt")]
    h = runner.short_hash
    want = [("x", Path("/a/x.md")), (f"x~{h('/a/x.txt')}", Path("/a/x.txt")),
            ("y", Path("/a/y.txt")), (f"x~{h('/b/x.txt')}", Path("/b/x.txt")),
            ("x~2", Path("/c/x~2.txt"))]
    assert assign_ids(paths) == want
    random.shuffle(paths)
    assert assign_ids(paths) == want


def test_run_stores_every_document_and_summarises(tmp_path, db_path):
    write_corpus(tmp_path / "c", 5)
    s = run([tmp_path / "c"], db_path, workers=1, quiet=True, process=fake_process)
    assert (s.found, s.read, s.skipped, s.failed) == (5, 5, 0, [])
    assert s.records == {"ncms_participation_rate": 15} and s.exit_code == 0
    assert query(db_path, "SELECT count(*), sum(n_records) FROM documents WHERE status='ok'") \
        == [(5, 15)]
    assert query(db_path, "SELECT read, skipped, failed, records FROM runs") == [(5, 0, 0, 15)]
    assert "5 found, 5 read, 0 skipped (unchanged), 0 failed" in s.format()
    assert len(fts_search(db_path, "参合率")) == 5       # the run indexed its snippets
    assert fts_search(db_path, "参合率") == query(
        db_path, "SELECT doc_id, value FROM metrics WHERE snippet LIKE '%参合率%' ORDER BY 1, 2")
    assert query(db_path, "SELECT indexed_upto FROM metrics_fts_state") == [(15,)]


def test_second_run_processes_nothing_and_changes_nothing(tmp_path, db_path):
    write_corpus(tmp_path / "c", 6)
    run([tmp_path / "c"], db_path, workers=1, quiet=True, process=fake_process)
    before = snapshot(db_path)
    calls = []
    s = run([tmp_path / "c"], db_path, workers=1, quiet=True, inline=True,
            process=lambda src, **kw: calls.append(src) or fake_process(src))
    assert calls == [] and (s.read, s.skipped) == (0, 6)
    assert snapshot(db_path) == before
    assert query(db_path, "SELECT read, skipped FROM runs ORDER BY run_id") == [(6, 0), (0, 6)]


def test_changed_documents_are_redone_and_force_redoes_all(tmp_path, db_path):
    docs = write_corpus(tmp_path / "c", 4)
    run([tmp_path / "c"], db_path, workers=1, quiet=True, process=fake_process)
    docs[1].write_text("改了：参合率99%。", encoding="utf-8")
    s = run([tmp_path / "c"], db_path, workers=1, quiet=True, process=fake_process)
    assert (s.read, s.skipped) == (1, 3)
    assert query(db_path, "SELECT value FROM metrics WHERE doc_id='report_001'") == [(99.0,)]
    s = run([tmp_path / "c"], db_path, force=True, workers=1, quiet=True, process=fake_process)
    assert (s.read, s.skipped) == (4, 0)
    assert query(db_path, "SELECT count(*) FROM metrics") == [(10,)]


def test_a_failing_document_never_stops_the_batch(tmp_path, db_path):
    write_corpus(tmp_path / "c", 3)
    (tmp_path / "c" / "bad.txt").write_text("BOOM 12%", encoding="utf-8")
    s = run([tmp_path / "c"], db_path, workers=1, quiet=True, process=fake_process)
    assert [(d, r) for d, _, r in s.failed] == [("bad", "ValueError: fake pipeline exploded")]
    assert s.read == 4 and s.exit_code == 0
    assert query(db_path, "SELECT doc_id, status, error FROM documents WHERE status != 'ok'") \
        == [("bad", "failed", "ValueError: fake pipeline exploded")]
    assert query(db_path, "SELECT count(*) FROM documents WHERE status='ok'") == [(3,)]
    strict = run([tmp_path / "c"], db_path, strict=True, workers=1, quiet=True,
                 process=fake_process)
    assert strict.exit_code == 1 and strict.skipped == 3   # failures are tried again


def _unstorable(src, segmenter="jieba"):
    res = fake_process(src)
    if src.doc_id == "report_001":
        res.records.append(make_record(src.doc_id, value={"not": "a number"}, text="x"))
    return res


def test_a_document_the_store_rejects_fails_alone(tmp_path, db_path):
    write_corpus(tmp_path / "c", 3)
    s = run([tmp_path / "c"], db_path, workers=1, quiet=True, process=_unstorable)
    assert [d for d, _, _ in s.failed] == ["report_001"]
    assert s.failed[0][2].startswith("cannot store: ")
    assert query(db_path, "SELECT doc_id, count(*) FROM metrics GROUP BY 1") == [
        ("report_000", 3), ("report_002", 3)]


def test_pool_gives_the_same_rows_as_one_worker(tmp_path):
    write_corpus(tmp_path / "c", 12)
    (tmp_path / "c" / "bad.txt").write_text("BOOM", encoding="utf-8")
    one, pool = tmp_path / "one.db", tmp_path / "pool.db"
    run([tmp_path / "c"], one, workers=1, quiet=True, process=fake_process)
    s = run([tmp_path / "c"], pool, workers=2, quiet=True, process=fake_process)
    assert (s.read, len(s.failed)) == (13, 1)
    assert snapshot(pool) == snapshot(one)


def test_reference_tables_come_from_metrics_yaml_and_the_gazetteer(tmp_path, db_path,
                                                                   monkeypatch):
    (tmp_path / "pat").mkdir()
    (tmp_path / "pat" / "metrics.yaml").write_text(
        "metrics:\n  ncms_participation_rate:\n    zh: 参合率\n    unit: '%'\n"
        "    range: [0, 100]\n    definition: 参合人数/农业人口\n    aliases: [参合率]\n",
        encoding="utf-8")
    monkeypatch.setenv("REFORM_PATTERNS", str(tmp_path / "pat"))
    gaz = types.SimpleNamespace(rows=lambda: [{"code": "360124", "name": "余干县",
                                               "full_name": "江西省上饶市余干县",
                                               "aliases": []}])
    monkeypatch.setitem(sys.modules, "extract.regions", types.SimpleNamespace(
        Gazetteer=types.SimpleNamespace(load=lambda: gaz)))
    write_corpus(tmp_path / "c", 1)
    run([tmp_path / "c"], db_path, workers=1, quiet=True, process=fake_process)
    assert query(db_path, "SELECT key, zh, unit, range_low, range_high FROM metric_defs") == [
        ("ncms_participation_rate", "参合率", "%", 0.0, 100.0)]
    assert query(db_path, "SELECT code, full_name FROM regions") == [("360124", "江西省上饶市余干县")]


def fts_search(db, phrase):
    return query(db, "SELECT m.doc_id, m.value FROM metrics_fts f JOIN metrics m "
                     "ON m.id = f.rowid WHERE metrics_fts MATCH ? ORDER BY 1, 2", phrase)


def _ok_docs(db):
    try:
        return query(db, "SELECT count(*) FROM documents WHERE status='ok'")[0][0]
    except sqlite3.Error:
        return 0


def test_a_run_killed_midway_resumes_to_the_same_rows(tmp_path):
    write_corpus(tmp_path / "c", 60)
    env = {**ENV, "FAKE_PIPELINE_DELAY": "0.05"}
    full, killed = tmp_path / "full.db", tmp_path / "killed.db"
    args = ["run", tmp_path / "c", "--workers", "2", "--quiet"]
    subprocess.run(reform_argv(*args, "--db", full), env=ENV, check=True, capture_output=True)

    proc = subprocess.Popen(reform_argv(*args, "--db", killed), env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: _ok_docs(killed) >= 10), "the run stored nothing"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)     # the run and its workers, mid-batch
        proc.wait()
    stored = _ok_docs(killed)
    assert 10 <= stored < 60, "the kill did not land midway"
    # no document is half stored: every ok document has exactly its records
    assert query(killed, "SELECT count(*) FROM documents d WHERE n_records != "
                         "(SELECT count(*) FROM metrics m WHERE m.doc_id = d.doc_id)") == [(0,)]

    out = subprocess.run(reform_argv(*args, "--db", killed), env=ENV, check=True,
                         capture_output=True, text=True).stdout
    assert f"{60 - stored} read, {stored} skipped (unchanged), 0 failed" in out
    assert snapshot(killed) == snapshot(full)
    # the snippets the killed run queued but never indexed are searchable after the resume
    assert fts_search(killed, "参合率") == fts_search(full, "参合率")
    assert len(fts_search(full, "参合率")) == 60
    assert query(killed, "SELECT indexed_upto >= (SELECT max(id) FROM metrics) "
                         "FROM metrics_fts_state") == [(1,)]


def test_two_runs_at_once_are_serialised(tmp_path):
    write_corpus(tmp_path / "c", 20)
    db = tmp_path / "db" / "reform.db"
    env = {**ENV, "FAKE_PIPELINE_DELAY": "0.2"}     # the first run lasts ~4 s
    argv = reform_argv("run", tmp_path / "c", "--db", db, "--workers", "1", "--quiet")
    first = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    assert wait_for(lambda: db.exists())
    second = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    outs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outs
    assert "waiting for it to finish" in outs[1][1]
    assert "20 read, 0 skipped" in outs[0][0] and "0 read, 20 skipped" in outs[1][0]
    assert query(db, "SELECT count(*), count(DISTINCT doc_id || ':' || start) FROM metrics") \
        == [(60, 60)]
    assert query(db, "SELECT sum(read), sum(records) FROM runs") == [(20, 60)]
    assert query(db, "PRAGMA integrity_check") == [("ok",)]


class ListWriter:
    """A stand-in for `ResultWriter` that records batches and can fail on one."""

    def __init__(self, fail_on=None):
        self.batches, self.fail_on, self.threads = [], fail_on, set()

    def write(self, batch):
        self.threads.add(threading.current_thread().name)
        if batch == self.fail_on:
            raise sqlite3.OperationalError("disk I/O error")
        self.batches.append(batch)


def test_write_behind_writes_every_batch_in_order_on_the_writer_thread():
    w = ListWriter()
    runner.write_behind(w, ([i, i + 1] for i in range(0, 40, 2)), depth=2)
    assert w.batches == [[i, i + 1] for i in range(0, 40, 2)]
    assert w.threads == {"reform-writer"}


def test_write_behind_raises_the_writer_s_error_and_stops_producing():
    produced = []

    def batches():
        for i in range(1000):
            produced.append(i)
            yield [i]

    w = ListWriter(fail_on=[3])
    with pytest.raises(sqlite3.OperationalError, match="disk I/O"):
        runner.write_behind(w, batches(), depth=2)
    assert w.batches == [[0], [1], [2]]          # nothing after the failing batch is written
    assert len(produced) < 10                    # the producer stopped soon after


def test_an_interrupt_lets_the_writer_finish_the_queued_batches():
    def batches():
        yield [1]
        yield [2]
        raise KeyboardInterrupt

    w = ListWriter()
    with pytest.raises(KeyboardInterrupt):
        runner.write_behind(w, batches(), depth=4)
    assert w.batches == [[1], [2]]


def test_prepare_loads_what_every_worker_would_otherwise_load_itself():
    code = ("import jieba\n"
            "from extract import linker, numbers, pipeline, segment\n"
            "before = jieba.dt.initialized\n"
            "pipeline.prepare('jieba')\n"
            "print(before, jieba.dt.initialized, segment.get_segmenter.cache_info().currsize,\n"
            "      numbers._engine.cache_info().currsize, linker.default_linker.cache_info().currsize)\n")
    out = subprocess.run([sys.executable, "-c", code], env=ENV, capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True", "1", "1", "1"]


def test_prune_removes_documents_whose_files_are_gone_and_only_those(tmp_path, db_path):
    docs = write_corpus(tmp_path / "c", 5)
    other = write_corpus(tmp_path / "other", 2, start=10)
    run([tmp_path / "c", tmp_path / "other"], db_path, workers=1, quiet=True,
        process=fake_process)
    docs[1].unlink()
    docs[3].unlink()
    s = run([tmp_path / "c"], db_path, workers=1, quiet=True, process=fake_process)
    assert s.pruned == [] and query(db_path, "SELECT count(*) FROM documents") == [(7,)]
    s = run([tmp_path / "c"], db_path, workers=1, quiet=True, process=fake_process, prune=True)
    assert [d for d, _ in s.pruned] == ["report_001", "report_003"]
    assert "pruned: 2 documents no longer under the paths given" in s.format()
    # documents of the other folder were not under the path given: kept
    assert [r[0] for r in query(db_path, "SELECT doc_id FROM documents ORDER BY 1")] == [
        "report_000", "report_002", "report_004", other[0].stem, other[1].stem]
    assert query(db_path, "SELECT count(*) FROM metrics WHERE doc_id IN "
                          "('report_001', 'report_003')") == [(0,)]
    # the full-text index holds exactly the remaining snippets (FTS5's own check)
    query(db_path, "INSERT INTO metrics_fts (metrics_fts, rank) VALUES ('integrity-check', 1)")
