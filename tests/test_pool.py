"""extract.pool: worker processes that survive a worker dying."""
import faulthandler
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import fake_process, reform_argv, wait_for, write_corpus
from extract import pool, runner


def segfault():
    faulthandler.disable()     # pytest's traceback dump would only add noise to the output
    os.kill(os.getpid(), signal.SIGSEGV)


def square_or_die(task):
    """The task's square, except that some tasks kill their own process."""
    if task in (5, 13):
        os.kill(os.getpid(), signal.SIGKILL)
    if task == 8:
        segfault()
    if task == 21:
        os._exit(3)
    return task * task


def crashed(task, exitcode):
    return ("crashed", task, exitcode)


def test_every_task_gives_its_result_with_a_bounded_number_in_flight():
    pulled = []

    def tasks():
        for i in range(40):
            pulled.append(i)
            yield i

    got = []
    for res in pool.map_isolated(abs, tasks(), workers=2, crashed=crashed, in_flight=3):
        assert len(pulled) - len(got) <= 3        # never more than 3 tasks submitted ahead
        got.append(res)
    assert sorted(got) == list(range(40))


def test_a_worker_that_dies_fails_its_own_task_only():
    got = list(pool.map_isolated(square_or_die, range(30), workers=2, crashed=crashed))
    results = sorted(r for r in got if not isinstance(r, tuple))
    deaths = sorted((r[1], r[2]) for r in got if isinstance(r, tuple))
    assert results == [i * i for i in range(30) if i not in (5, 8, 13, 21)]
    assert [t for t, _ in deaths] == [5, 8, 13, 21]
    assert dict(deaths) == {5: -signal.SIGKILL, 8: -signal.SIGSEGV, 13: -signal.SIGKILL, 21: 3}


def test_death_reason_names_the_signal():
    assert pool.death_reason(-signal.SIGKILL) == (
        "the worker process was killed by SIGKILL (out of memory?) while processing "
        "this document")
    assert pool.death_reason(-signal.SIGABRT).startswith("the worker process was killed by SIGABRT")
    assert pool.death_reason(1) == ("the worker process exited (code 1) while processing "
                                    "this document")


def segfault_on_report_002(src, segmenter="jieba"):
    if src.doc_id == "report_002":
        segfault()
    return fake_process(src)


def test_a_run_stores_a_document_that_kills_its_worker_as_failed(tmp_path, db_path):
    write_corpus(tmp_path / "c", 6)
    s = runner.run([tmp_path / "c"], db_path, workers=2, quiet=True,
                   process=segfault_on_report_002)
    assert (s.read, s.records["ncms_participation_rate"]) == (6, 15)
    assert [(d, r.split(" while")[0]) for d, _, r in s.failed] == [
        ("report_002", "the worker process was killed by SIGSEGV")]


def hang_on_report_001(src, segmenter="jieba"):
    if src.doc_id == "report_001":
        time.sleep(600)
    return fake_process(src)


def test_a_document_that_takes_too_long_fails_and_the_run_goes_on(tmp_path, db_path):
    write_corpus(tmp_path / "c", 5)
    s = runner.run([tmp_path / "c"], db_path, workers=2, quiet=True, timeout=1.0,
                   process=hang_on_report_001)
    assert [(d, r) for d, _, r in s.failed] == [
        ("report_001", "timed out: processing took longer than 1 s (--timeout)")]
    assert (s.read, s.records["ncms_participation_rate"]) == (5, 12)


def _children(pid: int) -> set[int]:
    out = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as fh:
            out |= {int(c) for c in fh.read().split()}
    return out


def _alive(pid: int) -> bool:
    """Running, not a zombie waiting for a parent to reap it."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_workers_of_a_sigkilled_run_end_within_5_seconds(tmp_path):
    """`kill -9` of `reform run` alone (not its process group): its workers end too."""
    write_corpus(tmp_path / "c", 200)
    env = {**os.environ, "FAKE_PIPELINE_DELAY": "0.2"}
    proc = subprocess.Popen(reform_argv("run", tmp_path / "c", "--db", tmp_path / "r.db",
                                        "--workers", "2", "--quiet"),
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_for(lambda: len(_children(proc.pid)) >= 2), "no workers started"
        workers = _children(proc.pid)
        assert all(_alive(w) for w in workers)
    finally:
        proc.kill()         # SIGKILL to the parent only
        proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert [w for w in workers if _alive(w)] == []


def test_a_process_run_alone_ends_with_its_parent(tmp_path):
    """run_alone's process (used after a crash) gets the same parent-death signal."""
    code = f"""
import os, sys, time
sys.path.insert(0, {str(Path(__file__).parent)!r})
from extract import pool
def slow(task):
    open({str(tmp_path / 'pid')!r}, 'w').write(str(os.getpid()))
    time.sleep(60)
pool.run_alone(slow, 1, crashed=lambda t, c: None)
"""
    proc = subprocess.Popen([sys.executable, "-c", code])
    try:
        assert wait_for(lambda: (tmp_path / "pid").exists() and (tmp_path / "pid").read_text())
        child = int((tmp_path / "pid").read_text())
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.1)
    assert not _alive(child)
