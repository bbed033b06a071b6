"""A batch with unreadable files: every good document is stored, every bad one is listed.

The file without read permission needs care: tests often run as root, and root reads a
chmod 000 file anyway (CAP_DAC_OVERRIDE).  As root the run is therefore started under
``setpriv`` with the two capabilities that bypass file permissions removed from its
bounding set, so the kernel really refuses the read, as it would for any other user.
"""
import os
import sqlite3
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import reform_argv, without_file_permission_override, write_corpus

REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}

# doc_id -> what its reason must contain
BAD = {
    "empty": "empty file",
    "binary": "binary file",
    "corrupt": "corrupt PDF",
    "archive": "ZIP",
    "locked": "permission denied",
    "pipe": "not a regular file",
}




@pytest.fixture
def batch(tmp_path):
    folder = tmp_path / "in"
    good = write_corpus(folder, 3)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog garbage\n")
    with zipfile.ZipFile(folder / "archive.txt", "w") as z:
        z.writestr("report.txt", "新农合参合率达到95%。" * 40)
    locked = folder / "locked.txt"
    locked.write_text("参合率95%", encoding="utf-8")
    locked.chmod(0)
    pipe = tmp_path / "pipe.txt"       # given by name: opening it would block forever
    os.mkfifo(pipe)
    yield folder, pipe, [p.stem for p in good]
    locked.chmod(0o644)


def _run(batch, db, *extra):
    folder, pipe, _ = batch
    argv = without_file_permission_override() + reform_argv(
        "run", folder, pipe, "--db", db, "--workers", "2", "--quiet", *extra)
    return subprocess.run(argv, env=ENV, capture_output=True, text=True, timeout=300)


def test_bad_files_are_listed_and_good_ones_stored(batch, tmp_path):
    db = tmp_path / "r.db"
    res = _run(batch, db)
    assert res.returncode == 0, res.stderr
    failed_lines = [ln for ln in res.stdout.splitlines() if ln.startswith("  failed  ")]
    assert len(failed_lines) == len(BAD), res.stdout
    for doc_id, reason in BAD.items():
        assert any(f"  failed  {doc_id}  " in ln and reason in ln for ln in failed_lines), \
            (doc_id, res.stdout)
    assert f"9 found, 9 read, 0 skipped (unchanged), {len(BAD)} failed" in res.stdout

    conn = sqlite3.connect(db)
    status = dict(conn.execute("SELECT doc_id, status FROM documents"))
    assert status == {**{d: "ok" for d in batch[2]}, **{d: "failed" for d in BAD}}
    for doc_id, reason in BAD.items():
        (error,) = conn.execute("SELECT error FROM documents WHERE doc_id = ?",
                                (doc_id,)).fetchone()
        assert reason in error and "\n" not in error
    assert conn.execute("SELECT count(DISTINCT doc_id) FROM metrics").fetchone() == (3,)


def test_strict_exits_1_on_any_failure(batch, tmp_path):
    res = _run(batch, tmp_path / "r.db", "--strict")
    assert res.returncode == 1
    assert f"{len(BAD)} failed" in res.stdout
