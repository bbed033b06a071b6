"""The ``reform`` command line: run, export, stats, query."""
from __future__ import annotations

import os
import sqlite3
import unicodedata
from pathlib import Path

import click

from extract import __version__, runner
from extract.diff import diff_command
from extract.export import FORMATS, LAYOUTS, ExportError, export
from extract.ingest import MAX_BYTES
from extract.review import review_command
from extract.store import open_readonly

DEFAULT_DB = "outputs/reform.db"
CELL_WIDTH = 60     # query/stats tables cut longer cells (document texts, snippets)

_existing_db = click.option(
    "--db", default=DEFAULT_DB, show_default=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path), help="SQLite database")


class _Reform(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:   # --db names a file that is not a database
            if "not an SQLite database" in str(exc):
                raise click.ClickException(str(exc)) from None
            raise


@click.group(cls=_Reform, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reform")
def reform():
    """Extract health-reform metrics from Chinese work reports into SQLite."""


def _existing_paths(ctx, param, paths):
    # a broken or looping symlink exists as a link: it goes into the batch and is listed
    # as failed with its reason, where click's exists=True stopped the run
    for p in paths:
        if not os.path.lexists(p):
            raise click.BadParameter(f"Path {str(p)!r} does not exist.", ctx, param)
    return paths


@reform.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), callback=_existing_paths)
@click.option("--db", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite database to write (its folder is created)")
@click.option("--force", is_flag=True, help="Re-process documents even when unchanged.")
@click.option("--strict", is_flag=True, help="Exit 1 when any document failed.")
@click.option("--workers", type=click.IntRange(min=1), metavar="N",
              help="Parallel worker processes [default: number of CPUs].")
@click.option("--inline", is_flag=True,
              help="Process documents in this process, no workers (for debugging: a "
              "crash in a parser then ends the run instead of failing one document).")
@click.option("--timeout", type=click.FloatRange(min=0), default=runner.DOC_TIMEOUT_S,
              show_default=True, metavar="SECONDS",
              help="Fail a document a worker spends longer on (0: no limit; not with --inline).")
@click.option("--prune", is_flag=True,
              help="Also remove stored documents whose file under PATH... is gone.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--segmenter", type=click.Choice(["jieba", "pkuseg"]), default="jieba",
              show_default=True, help="Chinese word segmenter.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=MAX_BYTES, show_default=True,
              metavar="BYTES", help="Refuse larger files (and DOCX unpacking to more); "
              "see docs/LIMITS.md.")
def run(paths, db, force, strict, workers, inline, timeout, prune, quiet, segmenter,
        max_bytes):
    """Extract every report under PATH... (files or folders; default: corpus/).

    Unchanged documents are skipped, so an interrupted run can simply be started again.
    Unreadable documents are listed with a reason and stored as failed, and so is a
    document whose worker process dies on it (segfault, out of memory).
    """
    if not paths:
        if not Path("corpus").is_dir():
            raise click.UsageError("no PATH given and there is no corpus/ folder here")
        paths = (Path("corpus"),)
    summary = runner.run(paths, db, force=force, strict=strict, workers=workers,
                         quiet=quiet, segmenter=segmenter, max_bytes=max_bytes, inline=inline,
                         timeout=timeout or None, prune=prune)
    click.echo(summary.format())
    raise SystemExit(summary.exit_code)


@reform.command("export")
@_existing_db
@click.option("--format", "fmt", default="jsonl", show_default=True,
              type=click.Choice(sorted(FORMATS)))
@click.option("--out", default="-", show_default=True,
              type=click.Path(dir_okay=False, allow_dash=True), help="Output file, - for stdout")
@click.option("--region", help="Only this region (full name or six-digit code).")
@click.option("--metric", help="Only this metric key.")
@click.option("--year", type=int, help="Only this year.")
@click.option("--doc", help="Only this document id.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="long", show_default=True,
              help="long: one row per record; panel: region x year rows, a column per metric.")
def export_cmd(db, fmt, out, layout, **filters):
    """Write the stored records to a file, with its codebook beside it
    (OUT.datapackage.json and OUT.codebook.md; see extract/export.py)."""
    try:
        n = export(db, fmt, out, layout, filters)
    except ExportError as exc:
        raise click.UsageError(str(exc))
    click.echo(f"{n} {'records' if layout == 'long' else 'rows'} -> {out}", err=True)


@reform.command()
@_existing_db
def stats(db):
    """Counts of documents and records per metric, region and year."""
    conn = open_readonly(db)
    docs = dict(conn.execute("SELECT status, count(*) FROM documents GROUP BY status"))
    total = conn.execute("SELECT count(*) FROM metrics").fetchone()[0]
    click.echo(f"documents: {sum(docs.values())} ({docs.get('ok', 0)} ok, "
               f"{docs.get('failed', 0)} failed); records: {total}")
    for title, sql in (
            ("metric", "SELECT metric, count(*) FROM metrics GROUP BY 1 ORDER BY 2 DESC, 1"),
            ("region", "SELECT region, region_code, count(*) FROM metrics "
                       "GROUP BY 1, 2 ORDER BY 3 DESC, 2"),
            ("year", "SELECT year, count(*) FROM metrics GROUP BY 1 ORDER BY 1")):
        cur = conn.execute(sql)
        click.echo(f"\nby {title}:")
        click.echo(format_table([d[0] for d in cur.description], cur.fetchall()))


@reform.command()
@click.argument("sql")
@_existing_db
def query(sql, db):
    """Run one read-only SQL statement and print the rows as a table."""
    conn = open_readonly(db)
    try:
        cur = conn.execute(sql)
        rows = cur.fetchall()
    except sqlite3.Error as exc:
        if any(w in str(exc) for w in ("readonly", "not authorized", "authorization denied")):
            raise click.ClickException(
                f"the database is opened read-only: write statements are refused ({exc})")
        raise click.ClickException(f"{type(exc).__name__}: {exc}")
    if cur.description:
        click.echo(format_table([d[0] for d in cur.description], rows))


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _cell(v) -> str:
    s = "" if v is None else str(v).replace("\r", "\\r").replace("\n", "\\n")
    return s if len(s) <= CELL_WIDTH else s[:CELL_WIDTH - 1] + "…"


def format_table(headers, rows) -> str:
    """Rows as aligned columns (wide CJK characters count two)."""
    cells = [[_cell(v) for v in r] for r in rows]
    widths = [max(map(_width, col)) for col in zip(headers, *cells)]

    def line(r):
        return "  ".join(x + " " * (w - _width(x)) for x, w in zip(r, widths)).rstrip()
    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])


from extract.distributed import distributed_cmd, load_cmd  # noqa: E402  (dask imported lazily)

reform.add_command(distributed_cmd)
reform.add_command(load_cmd)


@reform.command("eval")
@click.option("--corpus", "corpora", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of reports (repeat with --gold) [default: ../shared/corpus/dev and corpus/].")
@click.option("--gold", "golds", multiple=True, type=click.Path(exists=True, file_okay=False),
              help="Folder of <doc>.jsonl gold records, one per --corpus.")
@click.option("--segmenter", type=click.Choice(["jieba", "pkuseg"]), default="jieba", show_default=True)
@click.option("--errors", type=int, default=20, show_default=True, help="Misses and false alarms to list.")
@click.option("--min-f1", type=float, help="Exit 1 when a corpus scores below this strict F1.")
def eval_cmd(corpora, golds, segmenter, errors, min_f1):
    """Score extraction against gold: per metric and document, with misses and false alarms."""
    from extract.evaluate import evaluate_corpus, format_report
    if len(corpora) != len(golds):
        raise click.UsageError("give one --gold per --corpus")
    pairs = list(zip(corpora, golds))
    if not pairs:
        shared = Path("../shared")
        if (shared / "corpus/dev").is_dir() and (shared / "eval/gold").is_dir():
            pairs.append((shared / "corpus/dev", shared / "eval/gold"))
        pairs.append((Path("corpus"), Path("corpus/gold")))
    worst = 1.0
    for corpus, gold in pairs:
        s, _ = evaluate_corpus(corpus, gold, segmenter)
        click.echo(f"== {corpus} against {gold} ({segmenter})")
        click.echo(format_report(s, errors))
        worst = min(worst, s.prf[2])
    if min_f1 is not None and worst < min_f1:
        raise SystemExit(1)


@reform.command("inspect")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--records", is_flag=True, help="Also list the records extracted from it.")
@click.option("--no-text", is_flag=True, help="Leave out the document text.")
def inspect_cmd(path, records, no_text):
    """Print a document's text and tables as the extractor reads them (cells with the column
    and row labels they are read through), to tell a reading problem from a linking one."""
    from extract.explain import inspect_file
    from extract.ingest import IngestError
    try:
        inspect_file(path, click.echo, records=records, show_text=not no_text)
    except IngestError as e:
        raise click.ClickException(str(e)) from None


reform.add_command(diff_command)
reform.add_command(review_command)


def main(argv=None):
    reform.main(args=argv, prog_name="reform")


if __name__ == "__main__":
    main()
