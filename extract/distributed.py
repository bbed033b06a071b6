"""Distributed extraction on Dask: documents in, Parquet partitions out, then SQLite.

    reform distributed corpus/ --out outputs/parquet --scheduler local --workers 2
    reform distributed /shared/reports --out /shared/parquet --scheduler tcp://host:8786
    reform load outputs/parquet --db outputs/reform.db

The archive is listed on the client (paths only, never the texts) and cut into partitions
of paths; each partition is one task (`client.submit`).  A task runs the local runner's
per-document function (`extract.runner.process_one`: read, hash, `pipeline.process`, every
error caught and turned into a one-line reason, exactly as ``reform run`` does) over its
documents and writes four Parquet files, one per table::

    OUT/records/part-0000000.parquet     metrics rows: every Record field + provenance
    OUT/articles/part-0000000.parquet
    OUT/sections/part-0000000.parquet
    OUT/documents/part-0000000.parquet   one row per document: status ok|failed, error, text
    OUT/_manifest.json                   written last: the partitions of a finished run

A partition is named after the position of its first document, and its ``documents``
file is written last, so a task that is retried (a worker died) rewrites the same files
and a loader never sees records without their document.  A partition whose task fails
for good (Dask's KilledWorker: one of its documents kills every worker that runs it) is
split into one task per document; a document whose task fails again is run once more on
its own, with nothing else running (Dask also blames the tasks queued on a dying worker),
and if it fails then it is written as a failed document by the client, so one
poisonous file never ends the run.  ``reform
load`` reads the partitions the manifest lists and saves each document through
`extract.store.Store` (atomic per-document replace), so loading twice gives the same
database.

Inputs and the output may be local paths (on a filesystem every worker sees at the same
path) or fsspec URLs (``s3://bucket/reports``, ``gs://…``; the matching fsspec backend,
e.g. s3fs, must be installed on the client and the workers).  Needs the ``dask`` extra:
``pip install -e '.[dask]'``.
"""
from __future__ import annotations

import json
import math
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import click

from extract import EXTRACTOR_VERSION
from extract import runner
from extract.store import RECORD_COLUMNS, TABLES, Store, _BOOL_FIELDS, writer_lock

PARQUET_TABLES = ("records", "articles", "sections", "documents")   # documents last
MANIFEST = "_manifest.json"
MAX_PARTITION = 100     # documents per task at most (a task's rows stay small in memory)
DEFAULT_DB = "outputs/reform.db"

_DOC_COLUMNS = [c for c in TABLES["documents"]["columns"] if c not in ("run_id", "processed_at")]
_CHILD_COLUMNS = {
    "records": list(RECORD_COLUMNS),
    "articles": [c for c in TABLES["articles"]["columns"] if c != "id"],
    "sections": [c for c in TABLES["sections"]["columns"] if c != "id"],
}


def parquet_schemas() -> dict:
    """The Arrow schema of each Parquet table (fixed, so an all-null column keeps its type)."""
    import pyarrow as pa
    arrow = {str: pa.string(), int: pa.int64(), float: pa.float64()}

    def schema(cols: dict, bools=()):
        return pa.schema([(c, pa.bool_() if c in bools else arrow[t]) for c, t in cols.items()])
    return {
        "documents": schema({c: TABLES["documents"]["columns"][c] for c in _DOC_COLUMNS}),
        "records": schema({**RECORD_COLUMNS, "extractor_version": str}, _BOOL_FIELDS),
        "articles": schema({c: TABLES["articles"]["columns"][c] for c in _CHILD_COLUMNS["articles"]}),
        "sections": schema({c: TABLES["sections"]["columns"][c] for c in _CHILD_COLUMNS["sections"]}),
    }


# --- locations: local paths and fsspec URLs -----------------------------------------

def is_url(path) -> bool:
    return "://" in str(path)


def _fs(location: str):
    """(fsspec filesystem, path inside it) for a local path or a URL."""
    from fsspec.core import url_to_fs
    if not is_url(location):
        location = os.path.abspath(location)
    return url_to_fs(location)


def list_documents(paths) -> list[tuple[str, str]]:
    """(doc_id, location) for every document under *paths*, ids as ``reform run`` gives them.

    Local paths are walked by `extract.ingest.iter_paths` and made absolute (workers may
    run elsewhere); URLs are listed with fsspec (supported suffixes, no hidden names).
    """
    from extract.ingest import SUPPORTED_SUFFIXES, iter_paths
    local = [p for p in paths if not is_url(p)]
    urls = [p for p in paths if is_url(p)]
    found: list[str] = [str(Path(p).absolute()) for p in iter_paths([Path(p) for p in local])]
    for url in urls:
        fs, root = _fs(url)
        if fs.isdir(root):
            names = fs.find(root)
        elif fs.exists(root):
            names = [root]
        else:
            raise FileNotFoundError(f"{url}: no such file or directory")
        for name in sorted(names):
            rel = PurePosixPath(name).relative_to(root) if name != root else PurePosixPath(name)
            if name != root and (any(part.startswith(".") for part in rel.parts)
                                 or rel.suffix.lower() not in SUPPORTED_SUFFIXES):
                continue
            found.append(fs.unstrip_protocol(name))
    # runner.assign_ids: file stem, stem~<hash of the location> … by sorted location
    by_key = {str(Path(loc)): loc for loc in found}
    return [(doc_id, by_key[str(p)]) for doc_id, p in runner.assign_ids(by_key)]


# --- worker side ----------------------------------------------------------------------

def _document_row(status, doc_id, path, sha, payload) -> tuple[dict, dict]:
    """(documents row, child rows by table) for one result of `runner.process_one`."""
    if status == "ok":
        doc = dict(payload["document"])
        doc["path"] = path
        children = {"records": payload["metrics"], "articles": payload["articles"],
                    "sections": payload["sections"]}
    else:
        doc = {"doc_id": doc_id, "path": path, "sha256": sha, "status": "failed",
               "error": payload, "n_records": 0}
        children = {"records": [], "articles": [], "sections": []}
    doc = {c: doc.get(c) for c in _DOC_COLUMNS}
    doc["extractor_version"] = EXTRACTOR_VERSION
    return doc, children


def _work_one(doc_id: str, location: str, tmpdir: str):
    """`runner.process_one` for a local path, or for a URL through a local copy."""
    if not is_url(location):
        return runner.process_one((doc_id, location, None))
    fs, path = _fs(location)
    local = os.path.join(tmpdir, uuid.uuid4().hex, PurePosixPath(path).name)
    os.makedirs(os.path.dirname(local))
    try:
        fs.get(path, local)
    except Exception as exc:        # as the runner reports an unreadable file
        return "failed", doc_id, location, None, f"cannot read: {runner.failure_reason(exc)}"
    try:
        status, _, _, sha, payload = runner.process_one((doc_id, local, None))
    finally:
        os.unlink(local)
    return status, doc_id, location, sha, payload


def _write_table(fs, root: str, table: str, name: str, rows: list, schema) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq
    folder = f"{root}/{table}"
    fs.makedirs(folder, exist_ok=True)
    final, tmp = f"{folder}/{name}.parquet", f"{folder}/.{name}.{uuid.uuid4().hex}.tmp"
    t = pa.Table.from_pylist(rows, schema=schema)
    with fs.open(tmp, "wb") as fh:
        pq.write_table(t, fh, compression="zstd")
    fs.mv(tmp, final)       # a reader sees the old file or the new one, never half of one


def extract_partition(tasks, out: str, segmenter: str = "jieba", process=None) -> list[dict]:
    """Run one partition of ``(position, doc_id, location)`` and write its Parquet files.

    Returns ``[summary]`` (a list: the partitions a task wrote).
    """
    tasks = list(tasks)
    if not tasks:
        return []
    if process is None:
        from extract.pipeline import process
    runner.init_worker(process, segmenter, ignore_sigint=False)
    with tempfile.TemporaryDirectory(prefix="reform-dist-") as tmpdir:
        results = [_work_one(doc_id, location, tmpdir) for _, doc_id, location in tasks]
    return [write_partition(tasks, results, out)]


def write_partition(tasks, results, out: str) -> dict:
    """Write the Parquet files of one partition (*results*: one `runner.process_one` result
    per task); returns its summary.  The partition is named after its first position."""
    name = f"part-{tasks[0][0]:07d}"
    rows: dict[str, list] = {t: [] for t in PARQUET_TABLES}
    summary = {"partition": name, "documents": 0, "failed": [], "records": Counter()}
    for (_, doc_id, location), res in zip(tasks, results):
        doc, children = _document_row(*res)
        rows["documents"].append(doc)
        for table, cols in _CHILD_COLUMNS.items():
            for r in children[table]:
                row = {c: r.get(c) for c in cols}
                row["doc_id"] = doc_id
                if table == "records":   # store rows keep booleans as 0/1
                    for c in _BOOL_FIELDS:
                        if row[c] is not None:
                            row[c] = bool(row[c])
                    row["extractor_version"] = EXTRACTOR_VERSION
                rows[table].append(row)
        summary["documents"] += 1
        if doc["status"] == "failed":
            summary["failed"].append((doc_id, location, doc["error"]))
        summary["records"].update(m["metric"] for m in children["records"])
    fs, root = _fs(out)
    schemas = parquet_schemas()
    for table in PARQUET_TABLES:
        _write_table(fs, root, table, name, rows[table], schemas[table])
    return summary


# --- client side ----------------------------------------------------------------------

@dataclass
class DistributedSummary:
    out: str
    found: int = 0
    partitions: list = field(default_factory=list)
    failed: list = field(default_factory=list)        # (doc_id, location, reason)
    records: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    workers: int = 0
    strict: bool = False

    @property
    def exit_code(self) -> int:
        return 1 if self.strict and self.failed else 0

    def format(self) -> str:
        lines = [f"distributed run -> {self.out} ({len(self.partitions)} partitions, "
                 f"{self.workers} workers, {self.seconds:.1f} s)",
                 f"documents: {self.found} read, {len(self.failed)} failed"]
        lines += [f"  failed  {d}  {p}: {r}" for d, p, r in self.failed]
        lines.append(f"records: {sum(self.records.values())}")
        width = max((len(m) for m in self.records), default=0)
        lines += [f"  {m:<{width}}  {n}" for m, n in sorted(self.records.items())]
        return "\n".join(lines)


def partition_size(n_docs: int, n_workers: int) -> int:
    """Documents per task: about eight tasks per worker, at most `MAX_PARTITION`."""
    return max(1, min(MAX_PARTITION, math.ceil(n_docs / max(1, n_workers * 8))))


def _client(scheduler: str, workers: int | None):
    """(client, closer) for ``local`` (a LocalCluster of *workers* processes) or an address."""
    from distributed import Client, LocalCluster
    if scheduler == "local":
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)

        def close():
            client.close()
            cluster.close()
        return client, close
    try:
        client = Client(scheduler)
    except (OSError, TimeoutError, ValueError) as exc:   # unreachable, refused, bad address
        import click
        raise click.ClickException(
            f"cannot reach the Dask scheduler {scheduler}: {' '.join(str(exc).split())}. "
            "Is it running (`dask scheduler`) and the address right? `--scheduler local` "
            "starts a cluster on this machine. Nothing was written.") from None
    if workers:
        client.wait_for_workers(workers)
    return client, client.close


def run_distributed(paths, out, scheduler: str = "local", workers: int | None = None,
                    segmenter: str = "jieba", part_size: int | None = None,
                    strict: bool = False, quiet: bool = False, client=None,
                    process=None) -> DistributedSummary:
    """Extract every document under *paths* into Parquet partitions under *out*.

    *client*: an existing `distributed.Client` to use instead of *scheduler*.
    *process*: the per-document pipeline function (default `extract.pipeline.process`,
    imported on the workers).
    """
    from distributed import as_completed
    from tqdm import tqdm

    if process is None:     # fail here, once, rather than in every task
        import extract.pipeline  # noqa: F401
    t0 = time.perf_counter()
    out = str(out) if is_url(out) else os.path.abspath(out)
    jobs = list_documents([str(p) for p in paths])
    summary = DistributedSummary(out=out, found=len(jobs), strict=strict)
    close = None
    if client is None:      # first: an unreachable scheduler must not cost the old manifest
        client, close = _client(scheduler, workers)
    fs, root = _fs(out)
    fs.makedirs(root, exist_ok=True)
    if fs.exists(f"{root}/{MANIFEST}"):
        fs.rm(f"{root}/{MANIFEST}")       # the old run's partitions are no longer complete
    try:
        summary.workers = len(client.scheduler_info()["workers"])
        size = part_size or partition_size(len(jobs), summary.workers)
        tasks = [(i, doc_id, loc) for i, (doc_id, loc) in enumerate(jobs)]
        chunks = {}             # future -> the tasks of its partition

        def submit(chunk):
            fut = client.submit(extract_partition, chunk, out, segmenter, process, pure=False)
            chunks[fut] = chunk
            return fut

        def record(parts):
            for part in parts:
                summary.partitions.append(part["partition"])
                summary.failed += [tuple(f) for f in part["failed"]]
                summary.records.update(part["records"])
                bar.update(part["documents"])

        pending = as_completed([submit(tasks[i:i + size]) for i in range(0, len(tasks), size)])
        suspects = []           # single documents whose task failed beside others
        with tqdm(total=len(jobs), unit="doc", disable=quiet, file=sys.stderr) as bar:
            for fut in pending:
                chunk = chunks.pop(fut)
                try:
                    record(fut.result())
                except Exception:           # KilledWorker: a document kills its worker
                    if len(chunk) > 1:      # find which: each document on its own
                        for task in chunk:
                            pending.add(submit([task]))
                    else:
                        suspects += chunk
                fut.release()
            # Dask also blames the tasks queued on a worker that dies, so each suspect runs
            # again alone, nothing else running: what fails now is its own doing
            for task in suspects:
                fut = submit([task])
                try:
                    record(fut.result())
                except Exception as exc:    # stored as failed; the run goes on
                    record([write_partition([task], [_lost(task, exc)], out)])
                chunks.pop(fut)
                fut.release()
    finally:
        if close:
            close()
    summary.partitions.sort()
    summary.failed.sort()
    _remove_stale(fs, root, set(summary.partitions))
    summary.seconds = time.perf_counter() - t0
    manifest = {"extractor_version": EXTRACTOR_VERSION, "paths": [str(p) for p in paths],
                "segmenter": segmenter, "documents": summary.found,
                "failed": len(summary.failed), "records": sum(summary.records.values()),
                "partitions": summary.partitions, "workers": summary.workers,
                "seconds": round(summary.seconds, 2),
                "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    with fs.open(f"{root}/{MANIFEST}", "w") as fh:
        json.dump(manifest, fh, ensure_ascii=False, indent=1)
    return summary


def _lost(task, exc: BaseException) -> tuple:
    """The `runner.process_one` result of a document whose task failed on the cluster."""
    _, doc_id, location = task
    what = ("the worker process died while processing this document"
            if type(exc).__name__ == "KilledWorker" else "the task failed")
    return "failed", doc_id, location, None, f"{what} ({runner.failure_reason(exc)})"


def _remove_stale(fs, root: str, keep: set) -> None:
    """Partition files of an earlier run into the same folder that this run did not write."""
    for table in PARQUET_TABLES:
        for path in fs.glob(f"{root}/{table}/part-*.parquet"):
            if PurePosixPath(path).stem not in keep:
                fs.rm(path)


# --- loading into SQLite --------------------------------------------------------------

def read_manifest(location) -> dict:
    fs, root = _fs(str(location))
    path = f"{root}/{MANIFEST}"
    if not fs.exists(path):
        raise FileNotFoundError(
            f"{location}: no {MANIFEST}: not the output of a finished `reform distributed` run")
    with fs.open(path, "r") as fh:
        return json.load(fh)


def _read_rows(fs, path: str) -> list[dict]:
    import pyarrow.parquet as pq
    with fs.open(path, "rb") as fh:
        return pq.read_table(fh).to_pylist()


def iter_partition_docs(location, partitions=None):
    """Per document of the Parquet output: (document row, rows as `store.doc_rows` gives)."""
    fs, root = _fs(str(location))
    if partitions is None:
        partitions = read_manifest(location)["partitions"]
    for name in partitions:
        by_doc: dict[str, dict[str, list]] = {}
        for table in ("records", "articles", "sections"):
            for r in _read_rows(fs, f"{root}/{table}/{name}.parquet"):
                by_doc.setdefault(r.pop("doc_id"), {}).setdefault(table, []).append(r)
        for doc in _read_rows(fs, f"{root}/documents/{name}.parquet"):
            kids = by_doc.get(doc["doc_id"], {})
            metrics = []
            for r in kids.get("records", []):
                r.pop("extractor_version", None)
                metrics.append({c: (r[c] if c != "doc_id" else doc["doc_id"])
                                for c in RECORD_COLUMNS})
            yield doc, {"document": {k: v for k, v in doc.items() if k != "extractor_version"},
                        "metrics": metrics, "articles": kids.get("articles", []),
                        "sections": kids.get("sections", [])}


def load_parquet(location, db, quiet: bool = False) -> runner.RunSummary:
    """Load a `reform distributed` output into the SQLite database *db* (idempotent)."""
    from tqdm import tqdm
    manifest = read_manifest(location)
    if manifest.get("extractor_version") != EXTRACTOR_VERSION:
        raise ValueError(f"{location} was made by {manifest.get('extractor_version')!r}; "
                         f"this is {EXTRACTOR_VERSION!r}: run `reform distributed` again")
    summary = runner.RunSummary(db=str(db), found=manifest.get("documents", 0))

    def waiting():
        print(f"another reform run is writing {db}; waiting for it to finish…", file=sys.stderr)

    with writer_lock(db, on_wait=waiting), Store(db) as store:
        store.ensure_schema()
        runner.load_reference_tables(store)
        summary.run_id = store.start_run({"load": str(location), "source": manifest})
        writer = runner.ResultWriter(store, summary)
        with tqdm(total=summary.found, unit="doc", disable=quiet, file=sys.stderr) as bar:
            for name in manifest["partitions"]:
                results = []      # one transaction per partition
                for doc, rows in iter_partition_docs(location, [name]):
                    d = rows["document"]
                    if d["status"] == "ok":
                        results.append(("ok", d["doc_id"], d["path"], d["sha256"], rows))
                    else:
                        results.append(("failed", d["doc_id"], d["path"], d["sha256"], d["error"]))
                writer.write(results)
                bar.update(len(results))
        writer.finish()
        store.finish_run(summary.run_id, summary.counts())
    return summary


# --- command line (registered on the `reform` group in extract/cli.py) ---------------

@click.command("distributed")
@click.argument("paths", nargs=-1, required=True)
@click.option("--out", "--parquet-out", "out", required=True, metavar="DIR|URL",
              help="Folder (or fsspec URL) for the Parquet partitions.")
@click.option("--scheduler", default="local", show_default=True, metavar="local|ADDRESS",
              help="`local` starts a cluster of --workers processes on this machine; "
                   "tcp://host:8786 uses a running dask scheduler.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="local: worker processes [default: CPUs]; remote: wait until N "
                   "workers are connected.")
@click.option("--partition-size", type=click.IntRange(min=1), metavar="DOCS",
              help=f"Documents per task [default: ~8 tasks per worker, at most {MAX_PARTITION}].")
@click.option("--segmenter", type=click.Choice(["jieba", "pkuseg"]), default="jieba",
              show_default=True, help="Chinese word segmenter.")
@click.option("--strict", is_flag=True, help="Exit 1 when any document failed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def distributed_cmd(paths, out, scheduler, workers, partition_size, segmenter, strict, quiet):
    """Extract PATH... (folders, files or URLs) on a Dask cluster into Parquet partitions.

    Load the result with `reform load DIR --db DB`.  Every document is processed again
    (no skipping of unchanged ones); failed documents are listed and kept with a reason.

    \b
    Example:
      reform distributed corpus --out outputs/parquet --scheduler local --workers 2
    """
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise click.ClickException(f"{exc.name} is not installed: pip install -e '.[dask]'")
    for p in paths:
        if not is_url(p) and not os.path.lexists(p):
            raise click.BadParameter(f"{p}: no such file or directory", param_hint="PATH")
    summary = run_distributed(paths, out, scheduler=scheduler, workers=workers,
                              segmenter=segmenter, part_size=partition_size, strict=strict,
                              quiet=quiet)
    click.echo(summary.format())
    raise SystemExit(summary.exit_code)


@click.command("load")
@click.argument("parquet_dir", metavar="DIR|URL")
@click.option("--db", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite database to write (its folder is created)")
@click.option("--strict", is_flag=True, help="Exit 1 when any loaded document had failed.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def load_cmd(parquet_dir, db, strict, quiet):
    """Load the Parquet output of `reform distributed` into the database (idempotent).

    \b
    Example:
      reform load outputs/parquet --db outputs/reform.db
    """
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise click.ClickException("pyarrow is not installed: pip install -e '.[dask]'")
    try:
        summary = load_parquet(parquet_dir, db, quiet=quiet)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc))
    summary.strict = strict
    click.echo(summary.format())
    raise SystemExit(summary.exit_code)
