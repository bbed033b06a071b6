"""Everyday use (issue 17): versions, verbs, formats of output, messages not tracebacks."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import reform_argv, write_corpus
from extract.cli import reform

REPO = Path(__file__).resolve().parent.parent


def invoke(*args, **kw):
    return CliRunner().invoke(reform, [str(a) for a in args], **kw)


def test_a_pattern_edit_re_extracts_and_stats_shows_the_versions(tmp_path):
    patterns = tmp_path / "patterns"
    shutil.copytree(REPO / "patterns", patterns)
    write_corpus(tmp_path / "c", 3)
    env = {**os.environ, "REFORM_PATTERNS": str(patterns)}
    argv = reform_argv("run", tmp_path / "c", "--db", tmp_path / "r.db", "--quiet",
                       "--workers", "1")

    def run():
        return subprocess.run(argv, env=env, capture_output=True, text=True, check=True).stdout

    def stats():
        return subprocess.run(reform_argv("stats", "--db", tmp_path / "r.db"), env=env,
                              capture_output=True, text=True, check=True).stdout
    assert "3 read, 0 skipped" in run()
    assert "0 read, 3 skipped" in run()
    first = re.search(r"^  (reform-extract \S+)  3 documents  \(this version\)$", stats(), re.M)
    assert first and "+rules." in first.group(1)
    with open(patterns / "metrics.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# an edit by a domain expert\n")
    out = stats()       # before the run: the stored documents are of the older version
    assert f"  {first.group(1)}  3 documents  (older: `reform run` extracts these again)" in out
    assert "3 read, 0 skipped" in run()
    assert re.search(r"^  reform-extract \S+  3 documents  \(this version\)$", stats(), re.M)
    assert first.group(1) not in stats()


# --- fixtures for the verbs ---------------------------------------------------------

@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    from test_diff import build_sample_db
    return build_sample_db(tmp_path_factory.mktemp("everyday") / "reform.db")


@pytest.fixture(scope="module")
def foreign_db(tmp_path_factory):
    import sqlite3
    p = tmp_path_factory.mktemp("foreign") / "other.db"
    with sqlite3.connect(p) as c:
        c.execute("CREATE TABLE t (a)")
        c.execute("INSERT INTO t VALUES (1)")
    return p


@pytest.mark.parametrize("verb", sorted(reform.commands))
def test_every_help_has_an_example_and_no_pointer_into_source(verb):
    res = invoke(verb, "--help")
    assert res.exit_code == 0
    assert "Example:" in res.output
    assert not re.search(r"\bextract/\S+\.py", res.output)


# --- messages, not tracebacks -------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["stats"], ["export", "--format", "csv", "--out", "{tmp}/x.csv"], ["review", "--all",
                                                                      "--out", "{tmp}/rv"],
    ["diff", "湖南", "湖北"], ["query", "SELECT count(*) FROM metrics"],
    ["run", str(REPO / "corpus" / "tables"), "--quiet"],
])
def test_every_verb_on_an_sqlite_file_without_reform_tables(foreign_db, tmp_path, args):
    import sqlite3
    res = invoke(*[a.replace("{tmp}", str(tmp_path)) for a in args], "--db", foreign_db)
    assert res.exit_code in (1, 2), res.output
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "Traceback" not in res.output
    assert re.search(r"not a reform database|database of something else|no such table",
                     res.output)
    with sqlite3.connect(foreign_db) as c:       # nothing was added to it
        assert [t for (t,) in c.execute("SELECT name FROM sqlite_master")] == ["t"]


def test_two_statements_in_a_query(sample_db):
    res = invoke("query", "SELECT 1; SELECT 2", "--db", sample_db)
    assert res.exit_code == 1
    assert res.output == "Error: reform query runs one SQL statement; give the statements " \
                         "one by one\n"


def test_eval_outside_the_project_folder_finds_the_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    from extract import cli
    monkeypatch.setattr(cli, "__file__", str(tmp_path / "pkg" / "extract" / "cli.py"))
    res = invoke("eval")
    assert res.exit_code == 2
    assert "no corpus/ with gold records here: run `reform eval` in the project folder, " \
           "or give --corpus DIR --gold DIR" in res.output


def test_unreachable_dask_scheduler(tmp_path):
    pytest.importorskip("distributed")
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "_manifest.json").write_text("{}")
    r = subprocess.run(reform_argv("distributed", REPO / "corpus" / "tables", "--out",
                                   tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9",
                                   "--quiet"),
                       env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("Error: cannot reach the Dask scheduler tcp://127.0.0.1:9: ")
    assert "Nothing was written." in r.stderr
    from extract.distributed import MANIFEST
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        {"_manifest.json", MANIFEST})


def test_short_full_text_terms_get_a_note(sample_db):
    res = CliRunner().invoke(reform, ["query", "--db", str(sample_db),
                                      "SELECT count(*) FROM metrics_fts WHERE metrics_fts "
                                      "MATCH '参合'"])
    assert res.exit_code == 0
    assert "note: the full-text index matches runs of 3 or more characters; '参合' is " \
           "shorter, so MATCH finds nothing: use snippet LIKE '%参合%' instead" in res.output
    res = invoke("query", "--db", sample_db,
                 "SELECT count(*) FROM metrics_fts WHERE metrics_fts MATCH '参合率'")
    assert "note:" not in res.output and re.search(r"^[1-9]\d*$", res.output, re.M)


# --- query formats, BOM, frictionless -----------------------------------------------

def test_query_csv_and_json_keep_whole_cells(sample_db):
    import csv
    import io
    import json
    sql = "SELECT doc_id, text FROM documents WHERE status = 'ok' ORDER BY doc_id LIMIT 1"
    table = invoke("query", sql, "--db", sample_db).output
    assert "…" in table                               # the table cuts at 60 characters
    raw = invoke("query", sql, "--db", sample_db, "--format", "csv").stdout_bytes
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0] == ["doc_id", "text"] and len(rows[1][1]) > 60 and "…" not in rows[1][1]
    js = json.loads(invoke("query", sql, "--db", sample_db, "--format", "json").output)
    assert js == [{"doc_id": rows[1][0], "text": rows[1][1]}]
    bom = CliRunner().invoke(reform, ["query", sql, "--db", str(sample_db), "--format", "csv",
                                      "--bom"]).stdout_bytes
    assert bom.startswith("\ufeffdoc_id,text\n".encode("utf-8"))


def test_csv_export_with_bom_for_excel(sample_db, tmp_path):
    import pandas as pd
    out = tmp_path / "r.csv"
    assert invoke("export", "--db", sample_db, "--format", "csv", "--bom", "--out",
                  out).exit_code == 0
    assert out.read_bytes().startswith("\ufeffdoc,metric,".encode("utf-8"))
    assert list(pd.read_csv(out, encoding="utf-8-sig").columns)[:2] == ["doc", "metric"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "dta", "parquet", "jsonl"])
@pytest.mark.parametrize("layout", ["long", "panel"])
def test_the_data_package_validates_with_frictionless(sample_db, tmp_path, fmt, layout):
    frictionless = pytest.importorskip("frictionless")
    out = tmp_path / f"r.{fmt}"
    res = invoke("export", "--db", sample_db, "--format", fmt, "--layout", layout,
                 "--out", out, *(["--bom"] if fmt == "csv" else []))
    assert res.exit_code == 0, res.output
    cwd = os.getcwd()
    os.chdir(tmp_path)          # the descriptor's path is relative to it
    try:
        report = frictionless.validate(f"r.{fmt}.datapackage.json")
    finally:
        os.chdir(cwd)
    errors = [e.note for t in report.tasks for e in t.errors]
    assert report.valid, errors


# --- new verbs ----------------------------------------------------------------------

def test_try_shows_records_with_indicator_and_cue():
    res = invoke("try", "2015年湖南省新农合参合率达到98.5%，人均筹资标准提高到480元。")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0] == "1. ncms_participation_rate 参合率  level  98.5 %  湖南省 (430000)  2015"
    assert lines[1] == "   value '98.5%' at 16-21"
    assert lines[2] == "   indicator '参合率' at 11-14; between indicator and value: '达到'"
    assert lines[4].startswith("2. per_capita_funding 人均筹资标准  level  480 元  湖南省 (430000)")
    assert "indicator '人均筹资' at 22-26; between indicator and value: '标准提高到'" in res.output
    res = invoke("try", "今天天气很好。")
    assert res.exit_code == 0 and res.output.startswith("no records:")
    assert invoke("try").exit_code == 2


def test_metrics_lists_keys_names_units():
    res = invoke("metrics")
    assert res.exit_code == 0
    assert re.search(r"^ncms_participation_rate\s+参合率\s+%\s+0–100$", res.output, re.M)
    assert len(res.output.splitlines()) == 2 + 30


def test_regions_by_any_name():
    res = invoke("regions", "襄樊")
    assert res.exit_code == 0
    assert re.search(r"^420600\s+湖北省襄阳市\s+prefecture\s+420000", res.output, re.M)
    res = invoke("regions", "朝阳区")
    assert res.output.startswith("'朝阳区' names 2 regions")
    assert "110105" in res.output and "220104" in res.output
    res = invoke("regions", "不存在市")
    assert res.exit_code == 2 and "no region named '不存在市'" in res.output


def test_the_first_run_says_what_to_try_next(tmp_path, monkeypatch):
    import sys
    import conftest
    monkeypatch.setitem(sys.modules, "extract.pipeline", conftest.FAKE_PIPELINE)
    write_corpus(tmp_path / "c", 2)
    args = ["run", tmp_path / "c", "--db", tmp_path / "r.db", "--quiet", "--workers", "1"]
    first = invoke(*args).output
    assert f"next:\n  reform stats --db {tmp_path / 'r.db'} --by metric" in first
    assert 'reform try "全省新农合参合率达到98%。"' in first
    assert "next:" not in invoke(*args).output
