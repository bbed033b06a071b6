"""Run the pipeline over a corpus into the store: parallel, resumable, one writer.

Workers read, hash and process documents and hand back plain rows; the main process is
the only one that writes, a few documents per transaction.  Each document is replaced
atomically and a document whose bytes (and extractor version) are unchanged is skipped,
so a run that is killed and started again ends with exactly the rows of an uninterrupted
run.  A document that cannot be read or processed is stored as failed with a one-line
reason and the batch goes on; so is one whose worker process dies on it (a parser's
segfault, the OOM killer), see `extract.pool`.
"""
from __future__ import annotations

import functools
import hashlib
import os
import queue
import signal
import stat
import sys
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Iterator

from tqdm import tqdm

from extract.pool import death_reason, map_isolated
from extract.store import FTS_SYNC_ROWS, Store, doc_rows, sql_text, writer_lock

BATCH_DOCS = 20        # commit after this many documents ...
BATCH_SECONDS = 2.0    # ... or when the oldest uncommitted one is this old
DOC_TIMEOUT_S = 1800.0  # a worker spending longer on one document fails it (--timeout)


@dataclass
class RunSummary:
    db: str
    run_id: int | None = None
    found: int = 0
    read: int = 0                       # read and processed this run (stored or failed)
    skipped: int = 0                    # unchanged since the last successful run
    failed: list = field(default_factory=list)       # (doc_id, path, reason)
    records: Counter = field(default_factory=Counter)  # metric -> records stored this run
    strict: bool = False
    pruned: list = field(default_factory=list)       # (doc_id, path) removed by --prune
    collisions: list = field(default_factory=list)   # (doc_id, path, stem, other path)
    moved: list = field(default_factory=list)        # (doc_id, path, old path now gone)
    relative_kept: int = 0      # documents --prune left alone: stored with a relative path
    warnings: list = field(default_factory=list)     # (doc_id, path, warning): stored, maybe not whole
    not_read: list = field(default_factory=list)     # (path, reason): met in a walk, left

    @property
    def exit_code(self) -> int:
        return 1 if self.strict and self.failed else 0

    def counts(self) -> dict:
        return {"read": self.read, "skipped": self.skipped, "failed": len(self.failed),
                "records": sum(self.records.values())}

    def format(self) -> str:
        lines = [f"run {self.run_id} -> {self.db}",
                 f"documents: {self.found} found, {self.read} read, "
                 f"{self.skipped} skipped (unchanged), {len(self.failed)} failed"
                 + (f", {len(self.warnings)} stored with a warning" if self.warnings else "")]
        lines += [f"  failed  {printable(doc_id)}  {printable(path)}: {printable(reason)}"
                  for doc_id, path, reason in sorted(self.failed)]
        lines += [f"  warning  {printable(doc_id)}  {printable(path)}: {printable(w)}"
                  for doc_id, path, w in sorted(self.warnings)]
        if self.collisions:
            lines.append(f"id collisions: {len(self.collisions)} files have the stem of "
                         f"another document and got an id of their own")
            lines += [f"  id  {printable(doc_id)}  {printable(path)}  (stem {printable(stem)} "
                      f"is {printable(other)})"
                      for doc_id, path, stem, other in sorted(self.collisions)]
        if self.moved:
            lines.append(f"moved: {len(self.moved)} documents found at a new path (their "
                         f"stored file is gone) keep their ids")
        lines += format_not_read(self.not_read)
        if self.pruned:
            lines.append(f"pruned: {len(self.pruned)} documents no longer under the paths given")
            lines += [f"  pruned  {printable(doc_id)}  {printable(path)}"
                      for doc_id, path in sorted(self.pruned)]
        if self.relative_kept:
            lines.append(f"not pruned: {self.relative_kept} documents stored with a relative "
                         f"path by an older version (a run from the folder they were stored "
                         f"from records their absolute paths)")
        lines.append(f"records: {sum(self.records.values())}")
        width = max((len(m) for m in self.records), default=0)
        lines += [f"  {m:<{width}}  {n}" for m, n in sorted(self.records.items())]
        return "\n".join(lines)


_CONTROL = {"Cc", "Cf", "Cs", "Zl", "Zp"}


def printable(s) -> str:
    """*s* safe to print on one line: control and format characters (a newline that would
    forge a summary line, a terminal escape), line separators and undecodable bytes of a
    file name are shown as escapes (``\\n``, ``\\x1b``, ``\\u2028``)."""
    s = str(s)
    if s.isprintable():
        return s
    out = []
    for c in s:
        if unicodedata.category(c) in _CONTROL:
            o = ord(c)
            if 0xDC80 <= o <= 0xDCFF:           # a byte os.fsdecode could not decode
                out.append(f"\\x{o - 0xDC00:02x}")
            else:
                out.append(c.encode("unicode_escape").decode("ascii") if o < 0x10000
                           else f"\\U{o:08x}")
        else:
            out.append(c)
    return "".join(out)
NOT_READ_LISTED = 30     # files not read that the summary names one by one


_EXPECTED_LEFT = ("hidden", "README/LICENSE/COPYING file", "folder already walked")


def format_not_read(not_read: list) -> list[str]:
    """Summary lines for the files and folders a walk met and did not read: a count per
    reason, then each path (the first `NOT_READ_LISTED`) that might be a report —
    hidden files, README/LICENSE files and gold/annotations/tools folders are counted only."""
    if not not_read:
        return []
    by = Counter(reason for _, reason in not_read)
    lines = [f"not read: {len(not_read)} other files and folders under the paths ("
             + ", ".join(f"{n} {r}" for r, n in sorted(by.items(), key=lambda x: (-x[1], x[0])))
             + ")"]
    listed = sorted((p, r) for p, r in not_read
                    if not r.startswith(_EXPECTED_LEFT) and not r.endswith("(not reports)"))
    lines += [f"  not read  {p}: {r}" for p, r in listed[:NOT_READ_LISTED]]
    if len(listed) > NOT_READ_LISTED:
        lines.append(f"  … and {len(listed) - NOT_READ_LISTED} more")
    return lines


def assign_ids(paths) -> list[tuple[str, Path]]:
    """(doc_id, path) by sorted path, each path once, without a database: see `DocIds`.
    The paths are taken as they are (`extract.distributed` gives absolute paths and URLs)."""
    ids = DocIds()
    return [(ids.assign(s), Path(s)) for s in sorted({str(Path(p)) for p in paths})]


def short_hash(key: str, n: int = 8) -> str:
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:n]


class DocIds:
    """Document ids, stable and unique per file across runs.

    A file already stored keeps its id (looked up by its path, ``id_of``).  A new file
    gets its stem (made SQLite-safe by `sql_text`), so the ids of an archive without
    duplicate stems are its file stems; when that stem is already the id of another file
    (an earlier file of this run, or a document stored from another path: ``path_of``),
    it gets ``stem~<8 hex digits of the hash of its absolute path>``, the same id in
    every run whatever else the run holds, and the collision is noted in *collisions*
    as (doc_id, path, stem, other path).  A stem whose stored file is gone (an archive
    moved or renamed) is free: the file takes its id over, so a moved archive keeps its
    ids and is not stored twice; *moved* lists (doc_id, new path, old path).  Without
    lookups (no database) only the files of this run are compared."""

    def __init__(self, id_of=None, path_of=None):
        self.id_of = id_of or (lambda path: None)
        self.path_of = path_of or (lambda doc_id: None)
        self.used: set[str] = set()
        self.collisions: list[tuple[str, str, str, str]] = []
        self.moved: list[tuple[str, str, str]] = []
        self._first: dict[str, str] = {}        # stem -> the path of this run that took it

    def _free(self, doc_id: str, key: str) -> bool:
        if doc_id in self.used:
            return False
        holder = self.path_of(doc_id)
        if holder is None or holder == key:
            return True
        # its file is gone: moved (an escaped undecodable name cannot be checked: kept)
        if "\\x" not in holder and not os.path.lexists(holder):
            self.moved.append((doc_id, key, holder))
            return True
        return False

    def assign(self, path: str) -> str:
        key = sql_text(path)
        doc_id = self.id_of(key)
        if doc_id is None or doc_id in self.used:
            stem = sql_text(PurePath(path).stem)
            doc_id = stem
            if not self._free(stem, key):
                other = self._first.get(stem) if stem in self.used else self.path_of(stem)
                n = 8
                doc_id = f"{stem}~{short_hash(key)}"
                while not self._free(doc_id, key):      # a file named like a hashed id
                    n += 4
                    doc_id = f"{stem}~{short_hash(key, n)}"
                self.collisions.append((doc_id, key, stem, other or ""))
            else:
                self._first[stem] = key
        self.used.add(doc_id)
        return doc_id


def distinct_files(paths) -> list[str]:
    """The absolute path strings of *paths*, sorted, each file once: a file given twice
    (a folder and a file in it, ``a`` and ``./a``) is one document."""
    ordered = sorted(os.path.abspath(p) for p in paths)
    return [s for i, s in enumerate(ordered) if i == 0 or s != ordered[i - 1]]


def iter_jobs(paths, ids: DocIds | None = None) -> Iterator[tuple[str, str]]:
    """(doc_id, absolute path string) for every distinct file of *paths* (`distinct_files`),
    ids by `DocIds`.  What it holds while streaming is the sorted path strings and the ids
    given so far, ~250 bytes per file: a list of `Path` objects and a dict of every stored
    hash took ~800, which for an archive of millions of files would not have stayed under
    a gigabyte."""
    return _jobs(distinct_files(paths), ids or DocIds())


def _jobs(ordered: list[str], ids: DocIds) -> Iterator[tuple[str, str]]:
    for s in ordered:
        yield ids.assign(s), s


# --- worker side ----------------------------------------------------------------------

_WORKER: dict = {}


def init_worker(process, segmenter: str, ignore_sigint: bool, max_bytes: int | None = None,
                timeout: float | None = None) -> None:
    """Set up a worker.  With *timeout*, a document taking longer ends the worker process
    by SIGALRM (its default action), which `extract.pool` reports as that document's
    failure: unlike an exception, this also stops a loop inside C code such as a regex."""
    if ignore_sigint:      # Ctrl-C is the main process's to handle
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    if timeout:
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
    _WORKER.update(process=process, segmenter=segmenter, max_bytes=max_bytes, timeout=timeout)


def failure_reason(exc: BaseException) -> str:
    if isinstance(exc, PermissionError):
        return "permission denied"
    msg = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def _sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def process_one(task):
    """(status, doc_id, path, sha256, rows-or-reason) for one (doc_id, path, known hash)."""
    doc_id, path, known = task
    timeout = _WORKER.get("timeout")
    if timeout:
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return _process_one(doc_id, path, known)
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)


def _process_one(doc_id: str, fs_path: str, known: str | None):
    from extract.ingest import MAX_BYTES, IngestError, read_document
    sha = None
    path = sql_text(fs_path)       # as stored and shown; fs_path is what is opened
    try:
        try:
            mode = os.stat(fs_path).st_mode
        except OSError:
            mode = None                # broken symlink, symlink loop…: read_document says which
        if mode is not None and stat.S_ISREG(mode):
            sha = _sha256(fs_path)
            if sha == known:
                return "skipped", doc_id, path, sha, None
        elif mode is not None and not stat.S_ISDIR(mode):   # a FIFO would block the run
            return "failed", doc_id, path, None, "not a regular file"
        src = read_document(Path(fs_path), max_bytes=_WORKER.get("max_bytes") or MAX_BYTES)
        src.doc_id, src.path = doc_id, path
        result = _WORKER["process"](src, segmenter=_WORKER["segmenter"])
        return "ok", doc_id, path, sha, doc_rows(result)
    except IngestError as exc:
        return "failed", doc_id, path, sha, exc.reason
    except Exception as exc:       # any bug in one document must not stop the batch
        return "failed", doc_id, path, sha, failure_reason(exc)


# --- main side ------------------------------------------------------------------------

def _results(tasks, workers: int, process, segmenter: str, max_bytes: int | None, inline: bool,
             timeout: float | None = None):
    """`process_one` over *tasks*, lazily, in completion order: in *workers* worker
    processes (`extract.pool.map_isolated`: a worker that dies or times out takes only its
    own document down, stored as failed with the reason), or in this process when
    *inline* (no timeout there)."""
    if inline:
        init_worker(process, segmenter, ignore_sigint=False, max_bytes=max_bytes)
        return map(process_one, tasks)
    return map_isolated(process_one, tasks, workers, crashed=functools.partial(_crashed, timeout),
                        initializer=init_worker,
                        initargs=(process, segmenter, True, max_bytes, timeout),
                        failed=_unreturnable)


def _crashed(timeout: float | None, task, exitcode: int | None):
    doc_id, path, _ = task
    path = sql_text(path)
    if timeout and exitcode == -signal.SIGALRM:
        reason = f"timed out: processing took longer than {timeout:g} s (--timeout)"
    else:
        reason = death_reason(exitcode)
    return "failed", doc_id, path, None, reason


def _unreturnable(task, exc: BaseException):
    """A document whose result could not be handed back from its worker (MemoryError
    pickling the rows of a huge dense document): that document's failure, stored, so
    the next run does not die at the same place."""
    doc_id, path, _ = task
    return "failed", doc_id, sql_text(path), None, \
        f"the result could not be handed back from the worker process: {failure_reason(exc)}"


def _ticking(results, bar):
    for res in results:
        bar.update(1)
        yield res


def _batches(results, size: int = BATCH_DOCS, seconds: float = BATCH_SECONDS):
    """Group results so each group is written in one transaction."""
    batch, first = [], 0.0
    for res in results:
        if not batch:
            first = time.monotonic()
        batch.append(res)
        if len(batch) >= size or time.monotonic() - first >= seconds:
            yield batch
            batch = []
    if batch:
        yield batch


def load_reference_tables(store: Store) -> None:
    """Fill `metric_defs` from patterns/metrics.yaml and `regions` from the gazetteer."""
    from extract.patterns import PatternError, load_patterns
    try:
        metrics = load_patterns("metrics").raw.get("metrics") or {}
    except PatternError:        # no patterns/metrics.yaml
        metrics = {}
    store.load_metric_defs({"key": k, **v} for k, v in metrics.items())
    try:
        from extract.regions import Gazetteer
    except ImportError:         # the gazetteer module is optional for a run
        return
    store.load_regions(Gazetteer.load().rows())


def run(paths, db, force: bool = False, strict: bool = False, workers: int | None = None,
        quiet: bool = False, segmenter: str = "jieba", process=None,
        max_bytes: int | None = None, inline: bool = False,
        timeout: float | None = DOC_TIMEOUT_S, prune: bool = False) -> RunSummary:
    """Extract every document under *paths* into the database *db*; see the module doc.
    A file larger than *max_bytes* (default `extract.ingest.MAX_BYTES`) fails unread.
    Documents are processed in *workers* worker processes, or in this process when
    *inline* (for debugging: a crash in a parser then ends the run); a document taking
    longer than *timeout* seconds in a worker fails (None: no limit).  With *prune*, stored
    documents whose file lay under one of *paths* and is gone (or no longer a report the
    walk yields) are removed with their records."""
    from extract.ingest import iter_paths
    if process is None:   # imported here so a broken pipeline fails once, not per document
        from extract.pipeline import prepare, process
        prepare(segmenter)      # before the fork: the workers share what it loads
    not_read: list = []
    ordered = distinct_files(iter_paths([Path(p) for p in paths], skipped=not_read))
    workers = max(1, min(workers or os.cpu_count() or 1, len(ordered)))
    summary = RunSummary(db=str(db), found=len(ordered), strict=strict, not_read=not_read)

    def waiting():
        print(f"another reform run is writing {db}; waiting for it to finish…", file=sys.stderr)

    with writer_lock(db, on_wait=waiting), Store(db) as store:
        store.ensure_schema()
        load_reference_tables(store)
        summary.run_id = store.start_run({
            "paths": [str(p) for p in paths], "force": force, "strict": strict,
            "workers": workers, "segmenter": segmenter, "max_bytes": max_bytes,
            "inline": inline, "timeout": timeout, "prune": prune})
        ids = DocIds(*store.id_lookups())
        jobs = _jobs(ordered, ids)
        del ordered         # _jobs holds the list now; it is freed as it ends
        seen: set[str] | None = set() if prune else None
        if prune:
            jobs = _noting(jobs, seen)
        known = (lambda doc_id: None) if force else store.hash_lookup()
        tasks = ((doc_id, p, known(doc_id)) for doc_id, p in jobs)
        with tqdm(total=summary.found, unit="doc", disable=quiet, file=sys.stderr) as bar:
            results = _results(tasks, workers, process, segmenter, max_bytes, inline, timeout)
            writer = ResultWriter(store, summary)
            write_behind(writer, _batches(_ticking(results, bar)))
            writer.finish()
        summary.collisions, summary.moved = ids.collisions, ids.moved
        if prune:
            summary.pruned = store.prune(paths, keep=seen)
            summary.relative_kept = store.relative_paths()
        store.finish_run(summary.run_id, summary.counts())
    return summary


def _noting(jobs, seen: set):
    for doc_id, path in jobs:
        seen.add(doc_id)
        yield doc_id, path


def write_behind(writer: "ResultWriter", batches, depth: int = 4) -> None:
    """Write *batches* through *writer* on a second thread while this one produces them.

    SQLite releases the GIL while it inserts and indexes, so extraction (one worker,
    inline) or receiving the pool's results overlaps the writing instead of waiting for
    it.  At most *depth* batches wait.  The writer thread's error is raised here, after
    the batches already queued are written or dropped; an interrupt (Ctrl-C) in this
    thread lets the writer finish what is queued first, so no document is half stored."""
    pending: queue.Queue = queue.Queue(maxsize=depth)
    failed: list[BaseException] = []

    def loop():
        while (batch := pending.get()) is not None:
            if not failed:
                try:
                    writer.write(batch)
                except BaseException as exc:    # stop producing; raised in the caller
                    failed.append(exc)

    thread = threading.Thread(target=loop, name="reform-writer", daemon=True)
    thread.start()
    try:
        for batch in batches:
            if failed:
                break
            pending.put(batch)
    finally:
        pending.put(None)
        thread.join()
    if failed:
        raise failed[0]


class ResultWriter:
    """The single writer: stores results of `process_one`, one transaction per batch,
    counting them into *summary*, and keeps the full-text index of snippets in step
    (`Store.sync_fts` every `FTS_SYNC_ROWS` records and at `finish`).  `reform run` and
    `reform load` both write through it."""

    def __init__(self, store: Store, summary: RunSummary):
        self.store, self.summary = store, summary
        self.queued = 0     # records whose snippets await the full-text index

    def write(self, results) -> None:
        with self.store.batch():
            for res in results:
                self.queued += self._store_one(res)
        if self.queued >= FTS_SYNC_ROWS:
            self.store.sync_fts()
            self.queued = 0

    def finish(self) -> None:
        """Index what is queued (including what a killed earlier run left queued)."""
        self.store.sync_fts()
        self.queued = 0

    def _store_one(self, res) -> int:
        """Store one result; returns the number of records stored."""
        store, summary = self.store, self.summary
        status, doc_id, path, sha, payload = res
        if status == "skipped":
            summary.skipped += 1
            store.set_path(doc_id, path)    # stored relative by an older version
            return 0
        summary.read += 1
        if status == "ok":
            try:
                n = store.save_rows(payload, summary.run_id)
            except Exception as exc:     # e.g. a value SQLite cannot bind: this document only
                status, payload = "failed", f"cannot store: {failure_reason(exc)}"
            else:
                summary.records.update(m["metric"] for m in payload["metrics"])
                if payload["document"].get("warning"):
                    summary.warnings.append((doc_id, path, payload["document"]["warning"]))
                return n
        payload = sql_text(str(payload))     # a reason quoting an undecodable name
        summary.failed.append((doc_id, path, payload))
        store.save_failure(doc_id, path, sha, payload, summary.run_id)
        return 0
