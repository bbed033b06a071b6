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
