import dataclasses
import sqlite3

import pytest

from conftest import make_record, make_result
from extract.model import record_id
from extract.store import Store, doc_rows, open_readonly, record_row, row_record


@pytest.fixture
def store(db_path):
    s = Store(db_path)
    s.ensure_schema()
    yield s
    s.close()


def rows(conn, sql, *params):
    return conn.execute(sql, params).fetchall()


def test_schema_tables_pragmas_and_indexes(store):
    names = set(store.db.table_names())
    assert {"documents", "articles", "sections", "metrics", "metric_defs", "regions",
            "runs", "metrics_fts"} <= names
    assert rows(store.conn, "PRAGMA journal_mode")[0][0] == "wal"
    assert rows(store.conn, "PRAGMA foreign_keys")[0][0] == 1
    assert rows(store.conn, "PRAGMA busy_timeout")[0][0] == 30000
    indexed = {tuple(i.columns) for i in store.db["metrics"].indexes}
    assert {("region_code",), ("metric",), ("year",), ("doc_id",)} <= indexed
    store.ensure_schema()   # idempotent


def test_metrics_columns_are_every_record_field(store):
    cols = store.db["metrics"].columns_dict
    for f in dataclasses.fields(make_record()):
        assert ("doc_id" if f.name == "doc" else f.name) in cols


def test_record_row_round_trip():
    rec = make_record("x", region_alt=["湖南省衡阳县", "430421"], masked=True, suspect=True)
    row = record_row(rec, "x")
    assert row["region_alt"] == '["湖南省衡阳县", "430421"]'
    assert row["masked"] == 1 and row["doc_id"] == "x"
    assert row_record(row) == rec


def test_save_replaces_a_documents_rows(store):
    store.save(make_result("a", n=3))
    store.save(make_result("b", n=1))
    store.save(make_result("a", n=2))
    assert rows(store.conn, "SELECT doc_id, count(*) FROM metrics GROUP BY doc_id ORDER BY 1") \
        == [("a", 2), ("b", 1)]
    assert rows(store.conn, "SELECT count(*) FROM articles")[0][0] == 2
    assert rows(store.conn, "SELECT doc_id, n_records, status FROM documents ORDER BY 1") \
        == [("a", 2, "ok"), ("b", 1, "ok")]
    stored = rows(store.conn, "SELECT * FROM metrics WHERE doc_id='a' ORDER BY start")
    names = [d[0] for d in store.conn.execute("SELECT * FROM metrics").description]
    want = make_result("a", n=2).records[1]
    got = row_record(dict(zip(names, stored[1])))
    # a record made outside the pipeline is given its stable id when stored
    assert got.record_id == record_id("a", want.start, want.end, want.metric, want.kind)
    want.record_id = got.record_id
    assert got == want


def test_a_failing_save_keeps_the_old_version_inside_a_batch(store):
    store.save(make_result("a", n=3))
    bad = make_result("a", n=2)
    bad.records[1].value = object()            # cannot be bound: fails after the deletes
    with store.batch():
        store.save(make_result("b", n=1))
        with pytest.raises(sqlite3.Error):
            store.save(bad)
        store.save(make_result("c", n=1))
    assert rows(store.conn, "SELECT doc_id, count(*) FROM metrics GROUP BY doc_id ORDER BY 1") \
        == [("a", 3), ("b", 1), ("c", 1)]


def test_an_aborted_batch_stores_nothing(store):
    with pytest.raises(KeyboardInterrupt):
        with store.batch():
            store.save(make_result("a"))
            raise KeyboardInterrupt
    assert rows(store.conn, "SELECT count(*) FROM documents")[0][0] == 0


def test_known_hash_and_failures(store):
    store.save(make_result("a", sha256="h1"))
    lookup = store.hash_lookup()                  # the same through its own connection
    assert store.known_hash("a") == lookup("a") == "h1"
    assert store.known_hash("zz") is None and lookup("zz") is None
    store.save_failure("a", "/c/a.txt", "h2", "corrupt PDF: no trailer", run_id=None)
    assert store.known_hash("a") is None          # failed documents are tried again
    assert lookup("a") is None
    assert rows(store.conn, "SELECT count(*) FROM metrics")[0][0] == 0
    assert rows(store.conn, "SELECT status, error FROM documents") == [
        ("failed", "corrupt PDF: no trailer")]


def test_foreign_keys_are_enforced(store):
    with pytest.raises(sqlite3.IntegrityError):
        with store.db.atomic():
            store.conn.execute("INSERT INTO metrics (doc_id, metric) VALUES ('nodoc', 'x')")


def test_snippet_full_text_search(store):
    res = make_result("a", n=1)
    res.records[0].snippet = "2010年全县新农合参合率达到95%"
    store.save(res)
    hit = rows(store.conn, "SELECT m.doc_id FROM metrics_fts f JOIN metrics m ON m.id = f.rowid "
                           "WHERE metrics_fts MATCH ?", "参合率")
    assert hit == [("a",)]
    store.save(make_result("a", n=0))            # delete triggers keep the index in step
    assert rows(store.conn, "SELECT count(*) FROM metrics_fts WHERE metrics_fts MATCH ?",
                "参合率")[0][0] == 0


def fts_hits(conn, phrase):
    return rows(conn, "SELECT m.doc_id, m.value FROM metrics_fts f JOIN metrics m ON m.id = f.rowid "
                      "WHERE metrics_fts MATCH ? ORDER BY m.doc_id, m.value", phrase)


def fts_consistent(conn):
    """FTS5's own check that the index holds exactly the snippets of `metrics` (with
    rank 1 it compares with the content table, so only valid with an empty queue)."""
    conn.execute("INSERT INTO metrics_fts (metrics_fts, rank) VALUES ('integrity-check', 1)")
    return True


def with_snippet(res, snippet):
    for r in res.records:
        r.snippet = snippet
    return res


def test_batched_saves_queue_snippets_until_sync(store):
    store.save_rows(doc_rows(with_snippet(make_result("a", n=2), "全县参合率达到95%")))
    store.save_rows(doc_rows(with_snippet(make_result("b", n=1), "住院报销比例为60%")))
    assert fts_hits(store.conn, "参合率") == []          # queued, not yet indexed
    assert store.sync_fts() == 3
    assert fts_hits(store.conn, "参合率") == [("a", 90.0), ("a", 91.0)]
    assert fts_hits(store.conn, "报销比例") == [("b", 90.0)]
    assert store.sync_fts() == 0
    assert fts_consistent(store.conn)


def test_replacing_queued_and_indexed_rows_keeps_the_index_exact(store):
    store.save_rows(doc_rows(with_snippet(make_result("a", n=2), "全县参合率达到95%")))
    store.sync_fts()                                     # a's rows indexed
    store.save_rows(doc_rows(with_snippet(make_result("b", n=1), "门诊报销比例为50%")))
    # replace one indexed and one queued document before the next sync
    store.save_rows(doc_rows(with_snippet(make_result("a", n=1), "孕产妇住院分娩率为99%")))
    store.save_rows(doc_rows(with_snippet(make_result("b", n=2), "基本药物零差率销售")))
    assert fts_hits(store.conn, "参合率") == []          # a's old rows left the index
    assert store.sync_fts() == 3
    assert fts_hits(store.conn, "住院分娩") == [("a", 90.0)]
    assert fts_hits(store.conn, "零差率") == [("b", 90.0), ("b", 91.0)]
    assert fts_hits(store.conn, "报销比例") == []
    assert fts_consistent(store.conn)


def test_updating_an_indexed_snippet_reindexes_it_at_once(store):
    store.save(with_snippet(make_result("a", n=1), "全县参合率达到95%"))
    with store.db.atomic():
        store.conn.execute("UPDATE metrics SET snippet = '政策范围内报销比例75%' WHERE doc_id = 'a'")
    assert fts_hits(store.conn, "参合率") == []
    assert fts_hits(store.conn, "报销比例") == [("a", 90.0)]
    assert fts_consistent(store.conn)


def test_a_database_with_per_row_triggers_is_migrated(db_path):
    old = Store(db_path)
    old.ensure_schema()
    with old.db.atomic():                                # the schema of earlier versions
        for t in ("metrics_ad", "metrics_au"):
            old.conn.execute(f"DROP TRIGGER {t}")
        old.conn.execute("DROP TABLE metrics_fts_state")
    old.db["metrics"].enable_fts(["snippet"], create_triggers=True, tokenize="trigram",
                                 replace=True)
    with old.db.atomic():
        old._replace_doc({"doc_id": "a", "status": "ok"}, None)
        old.conn.execute("INSERT INTO metrics (doc_id, metric, snippet) VALUES ('a', 'x', '全县参合率')")
    assert fts_hits(old.conn, "参合率") == [("a", None)]      # indexed by the old trigger
    old.ensure_schema()
    old.save_rows(doc_rows(with_snippet(make_result("a", n=1), "住院报销比例为60%")))
    assert fts_hits(old.conn, "参合率") == []
    assert fts_hits(old.conn, "报销比例") == []          # queued: no per-row trigger any more
    assert old.sync_fts() == 1
    assert fts_hits(old.conn, "报销比例") == [("a", 90.0)]
    assert fts_consistent(old.conn)
    old.close()


def test_ids_freed_at_the_top_are_not_reused_below_the_indexed_mark(store):
    store.save(with_snippet(make_result("a", n=3), "全县参合率达到95%"))     # ids 1-3, indexed
    store.save(with_snippet(make_result("a", n=0), ""))                      # deleted
    store.save_rows(doc_rows(with_snippet(make_result("b", n=2), "门诊报销比例为50%")))
    assert rows(store.conn, "SELECT id FROM metrics ORDER BY id") == [(4,), (5,)]
    assert store.sync_fts() == 2
    assert fts_hits(store.conn, "报销比例") == [("b", 90.0), ("b", 91.0)]
    assert fts_consistent(store.conn)


def test_run_log(store):
    run = store.start_run({"force": True, "paths": ["corpus"]})
    store.finish_run(run, {"read": 3, "skipped": 1, "failed": 1, "records": 7})
    (row,) = rows(store.conn, "SELECT options, read, skipped, failed, records, finished FROM runs")
    assert row[0] == '{"force": true, "paths": ["corpus"]}'
    assert row[1:5] == (3, 1, 1, 7) and row[5]


def test_reference_tables(store):
    store.load_metric_defs([{"key": "ncms_participation_rate", "zh": "参合率", "unit": "%",
                             "range": [0, 100], "definition": "x"}])
    store.load_regions([{"code": "110000", "name": "北京市", "full_name": "北京市",
                         "level": "province", "aliases": ["北京", "京"]}])
    store.load_regions([{"code": "110000", "name": "北京市", "aliases": ["北京"]}])
    assert rows(store.conn, "SELECT * FROM metric_defs") == [
        ("ncms_participation_rate", "参合率", "%", 0.0, 100.0, "x")]
    assert rows(store.conn, "SELECT code, aliases FROM regions") == [("110000", '["北京"]')]


def test_readonly_connection_refuses_writes(store, db_path):
    store.save(make_result("a"))
    ro = open_readonly(db_path)
    assert ro.execute("SELECT count(*) FROM metrics").fetchone()[0] == 2
    with pytest.raises(sqlite3.OperationalError, match="readonly|read-only"):
        ro.execute("DELETE FROM metrics")
    with pytest.raises(FileNotFoundError):
        open_readonly(db_path.parent / "missing.db")
