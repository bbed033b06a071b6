import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FAKE_PIPELINE, reform_argv, table_rows, write_corpus
from extract.cli import reform

REPO = Path(__file__).resolve().parent.parent
RECORD_FIELDS = ["doc", "metric", "kind", "value", "value_high", "unit", "qualifier", "region",
                 "region_code", "year", "masked", "suspect", "text", "start", "end"]
INJECTION = "'); DROP TABLE metrics; --"


@pytest.fixture
def fake_pipeline(monkeypatch):
    monkeypatch.setitem(sys.modules, "extract.pipeline",
                        FAKE_PIPELINE)


@pytest.fixture
def filled_db(tmp_path, fake_pipeline):
    write_corpus(tmp_path / "c", 4)
    db = tmp_path / "r.db"
    res = CliRunner().invoke(reform, ["run", str(tmp_path / "c"), "--db", str(db),
                                      "--workers", "1", "--quiet"])
    assert res.exit_code == 0, res.output
    return db


def invoke(*args):
    return CliRunner().invoke(reform, [str(a) for a in args])


@pytest.mark.parametrize("verb", [None, *sorted(reform.commands)])
def test_every_verb_has_help(verb):
    res = invoke(*([verb] if verb else []), "--help")
    assert res.exit_code == 0 and res.output.startswith("Usage: reform")


def test_only_built_verbs_are_registered():
    assert sorted(reform.commands) == ["conflicts", "diff", "distributed", "eval", "export",
                                       "inspect", "load", "metrics", "plot", "query", "regions",
                                       "review", "run", "stats", "try"]


def test_run_on_a_missing_path_exits_2(tmp_path):
    res = invoke("run", tmp_path / "nope", "--db", tmp_path / "r.db")
    assert res.exit_code == 2 and "does not exist" in res.output
    assert not (tmp_path / "r.db").exists()


def test_run_defaults_to_corpus_and_outputs_db(tmp_path, fake_pipeline, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("run", "--quiet")
    assert res.exit_code == 2 and "no corpus/ folder" in res.output
    write_corpus(tmp_path / "corpus", 2)
    res = invoke("run", "--quiet", "--workers", "1")
    assert res.exit_code == 0, res.output
    assert "2 found, 2 read" in res.output and "ncms_participation_rate  6" in res.output
    assert (tmp_path / "outputs" / "reform.db").is_file()


def test_export_jsonl_field_order_and_values(filled_db, tmp_path):
    out = tmp_path / "x" / "r.jsonl"
    res = invoke("export", "--db", filled_db, "--format", "jsonl", "--out", out)
    assert res.exit_code == 0 and "12 records" in res.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 12
    assert list(rows[0])[:len(RECORD_FIELDS)] == RECORD_FIELDS
    assert list(rows[0])[len(RECORD_FIELDS):][:3] == ["region_text", "region_masked",
                                                      "region_alt"]
    first = rows[0]
    assert (first["doc"], first["value"], first["text"], first["masked"]) == \
        ("report_000", 90.0, "90.0%", False)
    assert isinstance(first["region_alt"], list)


def test_export_fields_follow_the_shared_spec():
    spec = REPO.parent / "shared" / "spec" / "RECORDS.md"
    table = re.findall(r"^\| ([a-z_, ]+) \| [a-z]", spec.read_text(encoding="utf-8"), re.M)
    assert table[0] == "field"   # the header row
    assert [f.strip() for row in table[1:] for f in row.split(",")] == RECORD_FIELDS


def test_export_filters(filled_db):
    res = invoke("export", "--db", filled_db, "--doc", "report_001", "--year", "2011")
    assert res.exit_code == 0
    (row,) = [json.loads(line) for line in res.stdout.splitlines()]
    assert (row["doc"], row["year"]) == ("report_001", 2011)
    res = invoke("export", "--db", filled_db, "--region", "110000")
    assert res.stdout.count("\n") == 12


def test_sql_injection_in_a_filter_changes_nothing(filled_db):
    before = {t: table_rows(filled_db, t) for t in ("documents", "metrics")}
    res = invoke("export", "--db", filled_db, "--region", INJECTION)
    assert res.exit_code == 2 and "unknown region" in res.output    # named nothing
    res = invoke("export", "--db", filled_db, "--doc", INJECTION)
    assert res.exit_code == 2 and "unknown document" in res.output
    assert {t: table_rows(filled_db, t) for t in ("documents", "metrics")} == before


def test_stats(filled_db):
    res = invoke("stats", "--db", filled_db)
    assert res.exit_code == 0
    assert "documents: 4 (4 ok, 0 failed); records: 12" in res.output
    assert re.search(r"ncms_participation_rate\s+12", res.output)
    assert re.search(r"北京市\s+110000\s+12", res.output)
    assert re.search(r"^2012\s+4$", res.output, re.M)


def test_query_prints_a_table(filled_db):
    res = invoke("query", "SELECT doc_id, count(*) AS n FROM metrics GROUP BY 1", "--db",
                 filled_db)
    assert res.exit_code == 0
    assert res.output.splitlines()[:3] == ["doc_id      n", "----------  -", "report_000  3"]


@pytest.mark.parametrize("sql", ["DELETE FROM metrics", "DROP TABLE metrics",
                                 "UPDATE documents SET status='x'",
                                 "INSERT INTO runs (started) VALUES ('x')"])
def test_query_refuses_writes(filled_db, sql):
    res = invoke("query", sql, "--db", filled_db)
    assert res.exit_code == 1 and "read-only" in res.output
    conn = sqlite3.connect(filled_db)
    assert conn.execute("SELECT count(*) FROM metrics").fetchone() == (12,)
    assert conn.execute("SELECT count(*) FROM runs").fetchone() == (1,)


def test_query_reports_sql_errors_and_missing_db(filled_db, tmp_path):
    res = invoke("query", "SELECT nope FROM metrics", "--db", filled_db)
    assert res.exit_code == 1 and "no such column: nope" in res.output
    res = invoke("query", "SELECT 1", "--db", tmp_path / "missing.db")
    assert res.exit_code == 2 and "does not exist" in res.output


def _readme_lines():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("```", 2)[1]
    return [ln for ln in block.splitlines() if ln.strip()]


def test_readme_opens_with_the_run_and_test_lines():
    assert _readme_lines() == ["bash scripts/setup.sh && .venv/bin/reform run",
                               "bash scripts/setup.sh --test && .venv/bin/python -m pytest -q"]


def test_ci_runs_readme_line_2_verbatim():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert _readme_lines()[1] in ci


@pytest.mark.parametrize("pytest_exit, ci_exit", [(0, 0), (1, 1), (5, 1)])
def test_ci_fails_when_pytest_runs_no_test(tmp_path, pytest_exit, ci_exit):
    (tmp_path / ".ci").mkdir()
    shutil.copy(REPO / ".ci" / "run", tmp_path / ".ci" / "run")
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "setup.sh").write_text("exit 0\n")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    fake = tmp_path / ".venv" / "bin" / "python"
    fake.write_text(f"#!/bin/sh\necho \"pytest $*\"\nexit {pytest_exit}\n")
    fake.chmod(0o755)
    res = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], capture_output=True, text=True)
    assert res.returncode == ci_exit
    assert res.stdout == "pytest -m pytest -q\n"
    assert ("collected no tests" in res.stderr) == (pytest_exit == 5)


def test_real_pipeline_round_trip_keeps_offsets(tmp_path):
    """`reform run` with the real pipeline, then export: every record's text is found at
    its offsets in the stored document text (nothing lost between pipeline and store)."""
    docs = ["yugan_ncms_zicha_2010.txt", "sanming_gaige_2013_big5.txt"]
    for name in docs:
        shutil.copy(REPO / "corpus" / name, tmp_path / name)
    db, out = tmp_path / "r.db", tmp_path / "r.jsonl"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    res = subprocess.run(reform_argv("run", *(tmp_path / n for n in docs), "--db", db,
                                     "--workers", "2", "--quiet", fake=False),
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "2 read, 0 skipped (unchanged), 0 failed" in res.stdout
    assert invoke("export", "--db", db, "--out", out).exit_code == 0
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    conn = sqlite3.connect(db)
    texts = dict(conn.execute("SELECT doc_id, text FROM documents"))
    assert {r["doc"] for r in records} == {Path(n).stem for n in docs}
    for r in records:
        assert texts[r["doc"]][r["start"]:r["end"]] == r["text"]
    assert conn.execute("SELECT sum(n_records) FROM documents").fetchone() == (len(records),)
