"""Worker processes that survive a worker dying.

`map_isolated` maps a function over tasks in forked worker processes, yielding results
in completion order with a bounded number of tasks in flight (memory stays bounded
whatever the number of tasks).  A worker killed mid-task — a parser's segfault on a
corrupt file, the kernel's OOM killer, a stray SIGKILL — breaks the whole process pool
and every task in flight with it; `multiprocessing.Pool` then waits forever.  Here the
tasks that were in flight are run again one by one, each alone in a fresh process, so
the one that kills its process is named (``crashed(task, exitcode)`` gives its result)
and the others' results are kept; then a new pool takes the remaining tasks.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator

_CTX = multiprocessing.get_context("fork")   # workers share loaded modules copy-on-write
_END = object()                              # no more tasks


def death_reason(exitcode: int | None) -> str:
    """Why a worker process ended without a result, in words."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        hint = " (out of memory?)" if -exitcode == signal.SIGKILL else ""
        return f"the worker process was killed by {name}{hint} while processing this document"
    return f"the worker process exited (code {exitcode}) while processing this document"


PR_SET_PDEATHSIG = 1        # linux/prctl.h


def die_with_parent(parent_pid: int) -> None:
    """Make this (worker) process end when *parent_pid* dies, even by SIGKILL: on Linux
    the kernel sends it SIGKILL then (prctl PR_SET_PDEATHSIG).  A worker left over from a
    killed run would otherwise live on, holding the database's WAL open.  If the parent
    is already gone (it died while this process started), end now."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):      # pragma: no cover - no libc prctl
            pass
    if os.getppid() != parent_pid:
        os._exit(1)


def _init_worker(parent_pid: int, initializer, initargs) -> None:
    die_with_parent(parent_pid)
    if initializer is not None:
        initializer(*initargs)


def _child(conn, fn, task, initializer, initargs, parent_pid=None):
    try:
        die_with_parent(parent_pid or os.getppid())
        if initializer is not None:
            initializer(*initargs)
        conn.send(fn(task))
    finally:
        conn.close()


def run_alone(fn: Callable, task, crashed: Callable, initializer=None, initargs=(),
              failed: Callable | None = None):
    """``fn(task)`` in a process of its own; ``crashed(task, exitcode)`` if that process
    dies (exitcode as `multiprocessing.Process` gives it: -N for signal N), and
    ``failed(task, exc)`` if its result cannot be received (see `map_isolated`)."""
    recv, send = _CTX.Pipe(duplex=False)
    proc = _CTX.Process(target=_child, args=(send, fn, task, initializer, initargs, os.getpid()),
                        daemon=True)
    proc.start()
    send.close()
    error = None
    try:
        result = recv.recv()
    except EOFError:            # the process died before sending
        result = None
    except Exception as exc:    # e.g. MemoryError unpickling a huge result
        if failed is None:
            raise
        result, error = None, exc
    finally:
        recv.close()
        proc.join()
    if error is not None:
        return failed(task, error)
    if proc.exitcode != 0:
        return crashed(task, proc.exitcode)
    return result


def map_isolated(fn: Callable, tasks: Iterable, workers: int, crashed: Callable,
                 initializer=None, initargs=(), in_flight: int | None = None,
                 failed: Callable | None = None) -> Iterator:
    """``fn(task)`` for every task, in completion order, in *workers* processes; see the
    module doc.  At most *in_flight* (default 4 per worker) tasks are submitted and not
    yet consumed at any time.  With *failed*, any other exception a task's future raises
    (its result could not be pickled or sent back, e.g. MemoryError on a huge result)
    gives ``failed(task, exc)`` as that task's result instead of ending the map."""
    limit = in_flight or workers * 4
    tasks = iter(tasks)
    exhausted = False
    pending: dict = {}          # future -> task

    def new_pool():
        return ProcessPoolExecutor(workers, mp_context=_CTX, initializer=_init_worker,
                                   initargs=(os.getpid(), initializer, initargs))

    pool = new_pool()
    try:
        while True:
            while not exhausted and len(pending) < limit:
                task = next(tasks, _END)
                if task is _END:
                    exhausted = True
                else:
                    pending[pool.submit(fn, task)] = task
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            lost = []
            for fut in done:
                task = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    lost.append(task)
                    continue
                except Exception as exc:
                    if failed is None:
                        raise
                    result = failed(task, exc)
                yield result
            if lost:            # the pool is gone, and every task it held
                lost += pending.values()
                pending.clear()
                pool.shutdown(wait=True, cancel_futures=True)
                for task in lost:
                    yield run_alone(fn, task, crashed, initializer, initargs, failed)
                pool = new_pool()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)

