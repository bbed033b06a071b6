"""`reform distributed` on a local two-process Dask cluster, and `reform load`."""
from __future__ import annotations

import functools
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster

from conftest import fake_process, reform_argv, table_rows, write_corpus
from extract import distributed as dist
from extract import runner
from extract.model import Record

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
NOT_COMPARED = ("id", "run_id", "processed_at")


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cl:
        yield cl


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster) as c:
        yield c


def reform(*args, fake=False, check=True):
    return subprocess.run(reform_argv(*args, fake=fake), cwd=ROOT, env=ENV, check=check,
                          capture_output=True, text=True, timeout=600)


def record_tuples(db) -> list[tuple]:
    """Every stored record field (no ids, run ids or versions), sorted."""
    cols = ["doc_id" if f == "doc" else f for f in Record.__dataclass_fields__]
    conn = sqlite3.connect(db)
    rows = conn.execute(f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM metrics").fetchall()
    conn.close()
    return sorted(rows, key=repr)


def test_the_sample_corpus_gives_exactly_the_records_of_reform_run(tmp_path, cluster):
    local, loaded, out = tmp_path / "local.db", tmp_path / "dist.db", tmp_path / "parquet"
    reform("run", "--db", local, "--workers", "1", "--quiet", CORPUS)
    res = reform("distributed", CORPUS, "--out", out, "--scheduler",
                 cluster.scheduler_address, "--quiet")
    assert "documents:" in res.stdout
    reform("load", out, "--db", loaded, "--quiet")

    expected = record_tuples(local)
    assert len(expected) > 20, "the sample corpus should give records"
    assert record_tuples(loaded) == expected
    # documents (status, error, text, hash …), articles and sections agree as well; the
    # distributed run stores absolute paths, `reform run` the paths as given
    for table in ("documents", "articles", "sections"):
        skip = NOT_COMPARED + (("path",) if table == "documents" else ())
        assert table_rows(loaded, table, skip) == table_rows(local, table, skip), table
    # `reform load` indexes the snippets for full-text search as `reform run` does
    hits = "SELECT m.doc_id, m.start FROM metrics_fts f JOIN metrics m ON m.id = f.rowid " \
           "WHERE metrics_fts MATCH '参合率' ORDER BY 1, 2"
    found = sqlite3.connect(loaded).execute(hits).fetchall()
    assert len(found) > 5 and found == sqlite3.connect(local).execute(hits).fetchall()


def test_unreadable_documents_fail_with_the_runner_s_reasons(tmp_path, client):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "panxian_jingyan_2016.txt", corpus)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")

    local, loaded, out = tmp_path / "local.db", tmp_path / "dist.db", tmp_path / "parquet"
    summary = runner.run([corpus], local, workers=1, quiet=True)
    dsum = dist.run_distributed([corpus], out, client=client, quiet=True)
    assert len(dsum.failed) == len(summary.failed) == 3
    assert [(d, r) for d, _, r in dsum.failed] == sorted((d, r) for d, _, r in summary.failed)

    docs = {r["doc_id"]: r for r in pq.read_table(out / "documents").to_pylist()}
    assert docs["empty"]["status"] == "failed" and docs["empty"]["error"]
    assert docs["panxian_jingyan_2016"]["status"] == "ok"
    assert docs["panxian_jingyan_2016"]["n_records"] > 0

    dist.load_parquet(out, loaded, quiet=True)
    skip = NOT_COMPARED + ("path",)
    assert table_rows(loaded, "documents", skip) == table_rows(local, "documents", skip)
    assert record_tuples(loaded) == record_tuples(local)


def test_parquet_records_carry_every_record_field_and_the_manifest_counts_them(tmp_path,
                                                                                 client):
    out = tmp_path / "parquet"
    dsum = dist.run_distributed([CORPUS], out, client=client, quiet=True, part_size=2)
    manifest = json.loads((out / "_manifest.json").read_text())
    assert manifest["partitions"] == dsum.partitions and len(dsum.partitions) > 1

    records = pq.read_table(out / "records")
    fields = ["doc_id" if f == "doc" else f for f in Record.__dataclass_fields__]
    assert records.column_names == fields + ["extractor_version"]
    assert records.num_rows == manifest["records"] == sum(dsum.records.values())
    assert str(records.schema.field("masked").type) == "bool"
    assert str(records.schema.field("value").type) == "double"
    docs = pq.read_table(out / "documents").to_pylist()
    assert len(docs) == manifest["documents"]
    assert sum(d["n_records"] for d in docs) == records.num_rows
    for table in ("articles", "sections"):
        assert pq.read_table(out / table).num_rows > 0


def test_loading_twice_changes_nothing(tmp_path, client):
    write_corpus(tmp_path / "c", 12)
    out, db = tmp_path / "parquet", tmp_path / "db" / "r.db"
    dist.run_distributed([tmp_path / "c"], out, client=client, quiet=True,
                         process=fake_process)
    first = dist.load_parquet(out, db, quiet=True)
    before = {t: table_rows(db, t) for t in ("documents", "metrics", "articles", "sections")}
    second = dist.load_parquet(out, db, quiet=True)
    after = {t: table_rows(db, t) for t in ("documents", "metrics", "articles", "sections")}
    assert before == after
    assert first.read == second.read == 12
    assert sum(second.records.values()) == len(after["metrics"]) == 36


def test_a_rerun_into_the_same_folder_drops_the_partitions_it_did_not_write(tmp_path, client):
    write_corpus(tmp_path / "c", 10)
    out = tmp_path / "parquet"
    dist.run_distributed([tmp_path / "c"], out, client=client, quiet=True, part_size=2,
                         process=fake_process)
    for p in sorted((tmp_path / "c").iterdir())[4:]:
        p.unlink()
    dsum = dist.run_distributed([tmp_path / "c"], out, client=client, quiet=True,
                                part_size=2, process=fake_process)
    for table in dist.PARQUET_TABLES:
        names = sorted(p.stem for p in (out / table).glob("*.parquet"))
        assert names == dsum.partitions == ["part-0000000", "part-0000002"]
    assert pq.read_table(out / "documents").num_rows == 4


def test_a_partition_run_twice_writes_the_same_rows(tmp_path):
    write_corpus(tmp_path / "c", 3)
    tasks = [(i, p.stem, str(p)) for i, p in enumerate(sorted((tmp_path / "c").iterdir()))]
    out = tmp_path / "parquet"
    first = dist.extract_partition(tasks, str(out), process=fake_process)
    rows = {t: pq.read_table(out / t).to_pylist() for t in dist.PARQUET_TABLES}
    second = dist.extract_partition(tasks, str(out), process=fake_process)
    assert first == second
    assert {t: pq.read_table(out / t).to_pylist() for t in dist.PARQUET_TABLES} == rows
    assert [p.name for p in (out / "records").iterdir()] == ["part-0000000.parquet"]


def _dies_once(src, segmenter="jieba", marker_dir=None):
    """The fake pipeline, except that the worker handling report_004 dies the first time."""
    marker = Path(marker_dir) / "died"
    if src.doc_id == "report_004" and not marker.exists():
        marker.write_text("x")
        os._exit(1)
    return fake_process(src, segmenter)


def test_a_worker_dying_midway_still_gives_every_document(tmp_path, client):
    write_corpus(tmp_path / "c", 12)
    out = tmp_path / "parquet"
    dsum = dist.run_distributed([tmp_path / "c"], out, client=client, quiet=True, part_size=2,
                                process=functools.partial(_dies_once, marker_dir=str(tmp_path)))
    client.wait_for_workers(2)
    assert (tmp_path / "died").exists(), "no worker died"
    assert dsum.found == 12 and not dsum.failed
    dist.load_parquet(out, tmp_path / "d.db", quiet=True)
    runner.run([tmp_path / "c"], tmp_path / "l.db", workers=1, quiet=True,
               process=fake_process)
    assert record_tuples(tmp_path / "d.db") == record_tuples(tmp_path / "l.db")


def test_urls_are_read_and_written_through_fsspec(tmp_path, client):
    write_corpus(tmp_path / "c", 5)
    out = tmp_path / "parquet"
    dsum = dist.run_distributed([(tmp_path / "c").as_uri()], out.as_uri(), client=client,
                                quiet=True, process=fake_process)
    assert dsum.found == 5 and not dsum.failed
    docs = pq.read_table(out / "documents").to_pylist()
    assert {d["path"] for d in docs} == {p.as_uri() for p in (tmp_path / "c").iterdir()}
    assert {d["doc_id"] for d in docs} == {f"report_{i:03d}" for i in range(5)}
    assert pq.read_table(out / "records").num_rows == 15


def test_load_refuses_a_folder_without_a_finished_run(tmp_path):
    (tmp_path / "parquet" / "documents").mkdir(parents=True)
    res = reform("load", tmp_path / "parquet", "--db", tmp_path / "r.db", check=False)
    assert res.returncode != 0
    assert "_manifest.json" in res.stderr
    assert not (tmp_path / "r.db").exists()


def _always_dies_on_report_003(src, segmenter="jieba"):
    if src.doc_id == "report_003":
        os._exit(1)
    return fake_process(src, segmenter)


# a second cluster beside the module's: its scheduler's HTTP server takes another port
@pytest.mark.filterwarnings("ignore:Port 8787 is already in use")
def test_a_document_that_kills_every_worker_fails_alone_and_the_run_goes_on(tmp_path):
    import dask
    write_corpus(tmp_path / "c", 8)
    out = tmp_path / "parquet"
    # Dask gives up on a task after allowed-failures + 1 worker deaths (default 3)
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=None) as cl, Client(cl) as c:
        dsum = dist.run_distributed([tmp_path / "c"], out, client=c, quiet=True, part_size=4,
                                    process=_always_dies_on_report_003)
    assert dsum.found == 8
    assert [(d, r.split(" (")[0]) for d, _, r in dsum.failed] == [
        ("report_003", "the worker process died while processing this document")]
    assert "KilledWorker" in dsum.failed[0][2]
    # the other three documents of its partition were run one by one
    assert sorted(dsum.partitions) == ["part-0000000", "part-0000001", "part-0000002",
                                       "part-0000003", "part-0000004"]
    dist.load_parquet(out, tmp_path / "d.db", quiet=True)
    conn = sqlite3.connect(tmp_path / "d.db")
    assert conn.execute("SELECT doc_id, status FROM documents WHERE status != 'ok'").fetchall() \
        == [("report_003", "failed")]
    assert conn.execute("SELECT count(*) FROM metrics").fetchone()[0] == 7 * 3
    conn.close()
