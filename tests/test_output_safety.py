"""Writing outputs: an export never overwrites its database, never leaves a half file,
and a full disk or read-only folder gives a message saying what is safe (issue 17)."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.cli import reform
from test_diff import build_sample_db

FORMATS = ("csv", "parquet", "dta", "xlsx", "jsonl")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("safety") / "reform.db")


def invoke(*args):
    return CliRunner().invoke(reform, [str(a) for a in args])


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def n_records(db) -> int:
    with contextlib.closing(sqlite3.connect(db)) as c:
        return c.execute("SELECT count(*) FROM metrics").fetchone()[0]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_export_over_its_own_database_is_refused_and_the_database_intact(
        sample_db, tmp_path, fmt, suffix):
    db = tmp_path / "r.db"
    shutil.copy(sample_db, db)
    before, n = digest(db), n_records(db)
    res = invoke("export", "--db", db, "--format", fmt, "--out", f"{db}{suffix}")
    assert res.exit_code == 2
    assert "being read: choose another file (nothing was written)" in res.output
    assert "Traceback" not in res.output
    assert digest(db) == before and n_records(db) == n
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.db"]


def test_export_over_the_database_by_another_name_is_refused(sample_db, tmp_path):
    db = tmp_path / "r.db"
    shutil.copy(sample_db, db)
    (tmp_path / "link.db").symlink_to(db)
    os.link(db, tmp_path / "hard.db")
    for out in (tmp_path / "link.db", tmp_path / "hard.db", tmp_path / "." / "r.db"):
        res = invoke("export", "--db", db, "--format", "csv", "--out", out)
        assert res.exit_code == 2 and "is the database" in res.output, out
    assert n_records(db) == n_records(sample_db)


def test_export_over_another_database_is_refused(sample_db, tmp_path):
    other = tmp_path / "other.db"
    shutil.copy(sample_db, other)
    before = digest(other)
    res = invoke("export", "--db", sample_db, "--format", "parquet", "--out", other)
    assert res.exit_code == 2
    assert "is an SQLite database: an export does not overwrite one" in res.output
    assert digest(other) == before


def test_a_failed_export_leaves_the_previous_file_and_no_temporary(sample_db, tmp_path,
                                                                   monkeypatch):
    out = tmp_path / "out.csv"
    out.write_text("previous export\n")
    import pandas as pd

    def broken(self, fh, **k):
        fh.write("half a ro")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    res = invoke("export", "--db", sample_db, "--format", "csv", "--out", out)
    assert res.exit_code == 1
    assert res.output.startswith(f"Error: writing {out} failed: the disk is full.")
    assert "no existing output file was overwritten" in res.output
    assert out.read_text() == "previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_to_dev_full_is_a_message_and_the_device_stays(sample_db, fmt):
    res = invoke("export", "--db", sample_db, "--format", fmt, "--out", "/dev/full")
    assert res.exit_code == 1, res.output
    assert res.output.startswith("Error: writing /dev/full failed: the disk is full.")
    assert Path("/dev/full").is_char_device()        # pyarrow deletes a file it fails on
    assert not Path("/dev/full.datapackage.json").exists()


def test_export_to_dev_null_writes_no_codebook_beside_it(sample_db):
    res = invoke("export", "--db", sample_db, "--format", "parquet", "--out", "/dev/null")
    assert res.exit_code == 0 and "records -> /dev/null" in res.output
    assert Path("/dev/null").is_char_device()
    assert not Path("/dev/null.datapackage.json").exists()


def test_datapackage_path_being_a_folder_is_refused_before_writing(sample_db, tmp_path):
    (tmp_path / "x.csv.datapackage.json").mkdir()
    res = invoke("export", "--db", sample_db, "--format", "csv", "--out", tmp_path / "x.csv")
    assert res.exit_code == 2
    assert "x.csv.datapackage.json is a folder, not a file" in res.output
    assert not (tmp_path / "x.csv").exists()


def test_out_being_a_folder_is_refused(sample_db, tmp_path):
    res = invoke("export", "--db", sample_db, "--format", "jsonl", "--out", tmp_path)
    assert res.exit_code == 2 and "Traceback" not in res.output


# --- real small file systems (root can mount a tmpfs here; otherwise these are skipped
# and the monkeypatched and /dev/full tests above still cover the messages) -------------

@contextlib.contextmanager
def tmpfs(path: Path, size: str, readonly: bool = False):
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if readonly else "")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, f"reform-{uuid.uuid4().hex[:6]}",
                        str(path)], capture_output=True)
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_on_a_full_file_system(sample_db, tmp_path, fmt):
    with tmpfs(tmp_path / "small", "8k") as fs:
        res = invoke("export", "--db", sample_db, "--format", fmt, "--out", fs / f"a.{fmt}")
        assert res.exit_code == 1, res.output
        assert "failed: the disk is full. The database is untouched" in res.output
        assert "Traceback" not in res.output and "Exception ignored" not in res.output
        assert not (fs / f"a.{fmt}").exists()
        assert [p.name for p in fs.iterdir() if p.name.endswith(".tmp")] == []


def test_export_and_review_into_a_read_only_folder(sample_db, tmp_path):
    with tmpfs(tmp_path / "ro", "1m", readonly=True) as fs:
        res = invoke("export", "--db", sample_db, "--format", "csv", "--out", fs / "a.csv")
        assert res.exit_code == 1
        assert res.output.startswith(f"Error: writing {fs / 'a.csv'} failed: the file "
                                     "system is read-only.")
        res = invoke("review", "--db", sample_db, "--all", "--out", fs / "rev")
        assert res.exit_code == 1 and "read-only" in res.output
        assert "The database is untouched" in res.output


def test_review_on_a_full_file_system(sample_db, tmp_path):
    with tmpfs(tmp_path / "small", "12k") as fs:
        res = invoke("review", "--db", sample_db, "--all", "--out", fs / "rev")
        assert res.exit_code == 1, res.output
        assert "failed: the disk is full. The database is untouched; pages already " \
               "written are complete" in res.output
        for page in (fs / "rev").glob("*.html"):     # none is cut short
            assert page.read_text().rstrip().endswith("</html>")


def test_run_on_a_full_file_system_says_it_resumes(tmp_path):
    from conftest import write_corpus, reform_argv
    write_corpus(tmp_path / "c", 30)
    with tmpfs(tmp_path / "small", "160k") as fs:
        env = {**os.environ, "FAKE_PIPELINE_PAD": "1"}
        big = tmp_path / "c" / "big.txt"
        big.write_text("新农合参合率达到95%。" * 20000, encoding="utf-8")
        r = subprocess.run(reform_argv("run", tmp_path / "c", "--db", fs / "r.db", "--quiet",
                                       "--workers", "1"), capture_output=True, text=True,
                           env=env, timeout=300)
        assert r.returncode == 1, r.stdout + r.stderr
        assert "Traceback" not in r.stderr
        assert "the disk is full" in r.stderr
        assert "run the same command again: it resumes" in r.stderr


def test_a_database_on_a_read_only_medium_is_read(sample_db, tmp_path):
    with tmpfs(tmp_path / "disc", "4m") as fs:
        shutil.copy(sample_db, fs / "r.db")
        r = subprocess.run(["mount", "-o", "remount,ro", str(fs)], capture_output=True)
        if r.returncode:
            pytest.skip("cannot remount read-only here")
        res = invoke("stats", "--db", fs / "r.db")
        assert res.exit_code == 0 and res.output.startswith("documents: 5 (4 ok, 1 failed); records: 16")
        res = invoke("export", "--db", fs / "r.db", "--format", "csv", "--out", tmp_path / "x.csv")
        assert res.exit_code == 0, res.output
        res = invoke("run", tmp_path, "--db", fs / "r.db", "--quiet")
        assert res.exit_code == 1
        assert res.output.startswith(f"Error: writing {fs / 'r.db'}.lock failed: the file "
                                     "system is read-only.")


def test_a_file_where_the_database_folder_should_be(tmp_path):
    (tmp_path / "afile").write_text("x")
    res = invoke("run", tmp_path, "--db", tmp_path / "afile" / "r.db", "--quiet")
    assert res.exit_code == 1
    assert "failed: a file is where a folder is needed" in res.output
    res = invoke("export", "--db", tmp_path / "afile", "--format", "csv",
                 "--out", tmp_path / "afile" / "x.csv")
    assert res.exit_code in (1, 2) and "Traceback" not in res.output
