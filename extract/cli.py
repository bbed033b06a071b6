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


# what is intact when a verb cannot write (full disk, read-only folder), by verb
SAFE_AFTER_WRITE_ERROR = {
    "run": "Every document committed before is stored whole (each is saved in one "
           "transaction); free some space (or choose a writable --db) and run the same "
           "command again: it resumes.",
    "load": "Every document committed before is stored whole; free some space (or choose a "
            "writable --db) and load again.",
    "export": "The database is untouched and no existing output file was overwritten "
              "(exports are written to a temporary file and renamed when complete).",
    "review": "The database is untouched; pages already written are complete, the others "
              "keep their previous version.",
}


class _Reform(click.Group):
    def invoke(self, ctx):
        from extract.safeio import is_output_problem, output_error_message
        args = _args(ctx)
        verb = args[0] if args else None
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:   # --db names a file that is not a database
            if "not an SQLite database" in str(exc):
                raise click.ClickException(str(exc)) from None
            if "no such table" in str(exc):    # an SQLite file reform did not make
                db = _db_param(args)
                raise click.ClickException(
                    f"{db or 'the database'} is not a reform database ({exc}); "
                    "make one with `reform run PATH --db FILE`") from None
            if is_output_problem(exc):
                raise click.ClickException(output_error_message(
                    exc, SAFE_AFTER_WRITE_ERROR.get(verb, ""))) from None
            raise
        except OSError as exc:
            if is_output_problem(exc):
                raise click.ClickException(output_error_message(
                    exc, SAFE_AFTER_WRITE_ERROR.get(verb, ""))) from None
            raise


def _args(ctx) -> list[str]:
    return [*getattr(ctx, "_protected_args", []), *ctx.args]


def _db_param(args) -> str:
    for a, b in zip(args, args[1:]):
        if a == "--db":
            return b
        if a.startswith("--db="):
            return a[5:]
    return DEFAULT_DB


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
    document whose worker process dies on it (segfault, out of memory).  Reads .txt/.md,
    .html, .docx, .pdf, and .doc/.wps/.xls/.et through LibreOffice.

    \b
    Example:
      reform run archive/2015 archive/2016 --db outputs/reform.db
    """
    first = not Path(db).exists()
    _refuse_foreign_database(db)
    if not paths:
        if not Path("corpus").is_dir():
            raise click.UsageError("no PATH given and there is no corpus/ folder here")
        paths = (Path("corpus"),)
    summary = runner.run(paths, db, force=force, strict=strict, workers=workers,
                         quiet=quiet, segmenter=segmenter, max_bytes=max_bytes, inline=inline,
                         timeout=timeout or None, prune=prune)
    click.echo(summary.format())
    if first and summary.read:
        click.echo(next_steps(db))
    raise SystemExit(summary.exit_code)


def _refuse_foreign_database(db) -> None:
    """Exit with a message when *db* is an SQLite database of something else (tables, but
    none of reform's): a run would add its tables to it."""
    if not Path(db).is_file() or Path(db).stat().st_size == 0:
        return
    conn = open_readonly(db)        # a file that is not SQLite fails here, with its name
    try:
        tables = [t for (t,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    finally:
        conn.close()
    if tables and "documents" not in tables:
        shown = ", ".join(tables[:8]) + (" …" if len(tables) > 8 else "")
        raise click.UsageError(
            f"{db} is an SQLite database of something else (tables: {shown}); reform run "
            "writes only into its own database: give another --db (nothing was written)")


def next_steps(db) -> str:
    """What to try after the first run into a new database."""
    opt = "" if str(db) == DEFAULT_DB else f" --db {db}"
    steps = [(f"reform stats{opt} --by metric", "records per metric (also region, year, doc)"),
             (f"reform review --all{opt}", "HTML pages: each document with its values marked"),
             (f"reform export --format csv --bom{opt} --out reform.csv", "a table for Excel"),
             (f"reform diff 湖南省 湖北省{opt}", "two regions side by side"),
             ('reform try "全省新农合参合率达到98%。"', "what one sentence gives, and why")]
    w = max(_width(c) for c, _ in steps)
    return "next:\n" + "\n".join(f"  {c}{' ' * (w - _width(c))}  {what}" for c, what in steps)


@reform.command("export")
@_existing_db
@click.option("--format", "fmt", default="jsonl", show_default=True,
              type=click.Choice(sorted(FORMATS)))
@click.option("--out", default="-", show_default=True,
              type=click.Path(dir_okay=False, allow_dash=True), help="Output file, - for stdout")
@click.option("--region", help="Only this region (code, full, short or former name).")
@click.option("--include-children", is_flag=True,
              help="With --region: also every unit below it (its prefectures, counties).")
@click.option("--metric", help="Only this metric (key, Chinese name or alias; "
              "see `reform metrics`).")
@click.option("--year", type=int, help="Only this year.")
@click.option("--doc", help="Only this document id.")
@click.option("--layout", type=click.Choice(LAYOUTS), default="long", show_default=True,
              help="long: one row per record; panel: region x year rows, a column per metric.")
@click.option("--bom", is_flag=True, help="csv: begin with a UTF-8 byte-order mark, so "
              "Excel opens the Chinese text correctly (pandas and R read it either way).")
def export_cmd(db, fmt, out, layout, include_children, bom, **filters):
    """Write the stored records to a file, with its codebook beside it
    (OUT.datapackage.json and OUT.codebook.md, a Frictionless data package).

    An unknown or ambiguous --region, --metric or --doc exits 2 with candidates.

    \b
    Example:
      reform export --format csv --region 湖南省 --include-children --out hunan.csv
    """
    from extract.resolve import resolve_filters
    filters = resolve_filters(db, filters, include_children)
    try:
        n = export(db, fmt, out, layout, filters, bom=bom, log=lambda m: click.echo(m, err=True))
    except ExportError as exc:
        raise click.UsageError(str(exc))
    click.echo(f"{n} {'records' if layout == 'long' else 'rows'} -> {out}", err=True)


STATS_BY = {
    "metric": "SELECT m.metric, count(*) AS records, d.zh AS 指标, d.unit FROM metrics m "
              "LEFT JOIN metric_defs d ON d.key = m.metric GROUP BY 1 ORDER BY 2 DESC, 1",
    "region": "SELECT region, region_code, count(*) AS records FROM metrics "
              "GROUP BY 1, 2 ORDER BY 3 DESC, 2",
    "year": "SELECT year, count(*) AS records FROM metrics GROUP BY 1 ORDER BY 1",
    "doc": "SELECT doc_id, status, n_records AS records, title, extractor_version, "
           "coalesce(error, '') AS error FROM documents ORDER BY doc_id",
}


@reform.command()
@_existing_db
@click.option("--by", "by", multiple=True, type=click.Choice(list(STATS_BY)),
              help="Count records by this (repeatable) [default: metric, region, year].")
def stats(db, by):
    """Counts of documents and records per metric, region, year or document, and the
    extractor version (code and rules) each document was extracted with.

    \b
    Example:
      reform stats --by metric --by doc
    """
    from extract import EXTRACTOR_VERSION
    conn = open_readonly(db)
    docs = dict(conn.execute("SELECT status, count(*) FROM documents GROUP BY status"))
    total = conn.execute("SELECT count(*) FROM metrics").fetchone()[0]
    click.echo(f"documents: {sum(docs.values())} ({docs.get('ok', 0)} ok, "
               f"{docs.get('failed', 0)} failed); records: {total}")
    versions = conn.execute("SELECT extractor_version, count(*) FROM documents "
                            "GROUP BY 1 ORDER BY 2 DESC").fetchall()
    click.echo("extractor versions:")
    for v, n in versions:
        mark = "this version" if v == EXTRACTOR_VERSION else \
            "older: `reform run` extracts these again"
        click.echo(f"  {v or '(none)'}  {n} documents  ({mark})")
    for title in by or ("metric", "region", "year"):
        cur = conn.execute(STATS_BY[title])
        click.echo(f"\nby {title}:")
        click.echo(format_table([d[0] for d in cur.description], cur.fetchall()))


QUERY_TIME_LIMIT_S = 60.0    # reform query --time-limit
QUERY_MAX_ROWS = 10_000      # reform query --max-rows


@reform.command()
@click.argument("sql")
@_existing_db
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="table: aligned, long cells cut at 60 characters; "
              "csv and json: every cell whole.")
@click.option("--bom", is_flag=True, help="csv: begin with a UTF-8 byte-order mark, so "
              "Excel opens the Chinese text correctly.")
@click.option("--time-limit", type=click.FloatRange(min=0), default=QUERY_TIME_LIMIT_S,
              show_default=True, metavar="SECONDS",
              help="Stop a statement running longer (0: no limit).")
@click.option("--max-rows", type=click.IntRange(min=1), default=QUERY_MAX_ROWS,
              show_default=True, metavar="N", help="Print at most N rows.")
def query(sql, db, fmt, bom, time_limit, max_rows):
    """Run one read-only SQL statement and print the rows.

    The tables are those of docs/ARCHITECTURE.md (metrics, documents, metric_defs,
    regions, runs); `metrics_fts` is a trigram full-text index of the snippets.

    \b
    Example:
      reform query "SELECT region, year, value FROM metrics
                    WHERE metric = 'ncms_participation_rate' ORDER BY year" --format csv
    """
    import time
    conn = open_readonly(db)
    if time_limit:          # SQLite calls it every 10,000 steps; non-zero interrupts
        deadline = time.monotonic() + time_limit
        conn.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        cur = conn.execute(sql)
        rows = cur.fetchmany(max_rows + 1)
    except sqlite3.Error as exc:
        if any(w in str(exc) for w in ("readonly", "not authorized", "authorization denied")):
            raise click.ClickException(
                f"the database is opened read-only: write statements are refused ({exc})")
        if str(exc) == "interrupted" and time_limit:
            raise click.ClickException(
                f"the query ran longer than {time_limit:g} s and was stopped (--time-limit); "
                f"narrow it, or give a larger --time-limit (0 for none)")
        if "one statement at a time" in str(exc):
            raise click.ClickException(
                "reform query runs one SQL statement; give the statements one by one")
        raise click.ClickException(f"{type(exc).__name__}: {exc}")
    more = len(rows) > max_rows
    if cur.description:
        headers = [d[0] for d in cur.description]
        if fmt == "table":
            click.echo(format_table(headers, rows[:max_rows]))
        else:
            click.echo(format_rows(headers, rows[:max_rows], fmt, bom), nl=False)
    if more:
        click.echo(f"stopped after {max_rows} rows (--max-rows); add a LIMIT or give a "
                   f"larger --max-rows", err=True)
    short = short_fts_terms(sql)
    if short:
        click.echo(f"note: the full-text index matches runs of 3 or more characters; "
                   f"{', '.join(map(repr, short))} is shorter, so MATCH finds nothing: use "
                   f"snippet LIKE '%{short[0]}%' instead", err=True)


def short_fts_terms(sql: str) -> list[str]:
    """Terms under 3 characters in the MATCH strings of *sql* (the trigram index never
    finds them)."""
    import re
    out = []
    for m in re.finditer(r"\bMATCH\s+'((?:[^']|'')*)'", sql, re.I):
        for term in re.findall(r'"([^"]*)"|([^\s"()*]+)', m.group(1).replace("''", "'")):
            t = term[0] or term[1]
            if t and t.upper() not in ("AND", "OR", "NOT", "NEAR") and len(t) < 3:
                out.append(t)
    return out


def format_rows(headers, rows, fmt: str, bom: bool = False) -> str:
    """Rows as CSV (optionally with a BOM for Excel) or as a JSON array of objects,
    every cell whole."""
    import csv
    import io
    import json
    if fmt == "json":
        return json.dumps([dict(zip(headers, r)) for r in rows], ensure_ascii=False,
                          indent=1, default=str) + "\n"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(headers)
    w.writerows(rows)
    return ("\ufeff" if bom else "") + buf.getvalue()


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _cell(v) -> str:
    s = "" if v is None else runner.printable(v)     # \n, \r, terminal escapes escaped
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
    """Score extraction against gold: per metric and document, with misses and false alarms.

    Without --corpus: the project's corpus/ (and ../shared/corpus/dev when present).

    \b
    Example:
      reform eval --corpus my_reports --gold my_gold --min-f1 0.9
    """
    from extract.evaluate import evaluate_corpus, format_report
    if len(corpora) != len(golds):
        raise click.UsageError("give one --gold per --corpus")
    pairs = list(zip(corpora, golds))
    if not pairs:
        # the project folder: here, or else the checkout this package is installed from
        home = Path(".")
        if not (home / "corpus/gold").is_dir():
            home = Path(__file__).resolve().parent.parent
        if not (home / "corpus/gold").is_dir():
            raise click.UsageError(
                "no corpus/ with gold records here: run `reform eval` in the project folder, "
                "or give --corpus DIR --gold DIR")
        shared = home / "../shared"
        if (shared / "corpus/dev").is_dir() and (shared / "eval/gold").is_dir():
            pairs.append((shared / "corpus/dev", shared / "eval/gold"))
        pairs.append((home / "corpus", home / "corpus/gold"))
    worst = 1.0
    for corpus, gold in pairs:
        s, _ = evaluate_corpus(corpus, gold, segmenter)
        click.echo(f"== {corpus} against {gold} ({segmenter})")
        click.echo(format_report(s, errors))
        if (Path(corpus) / "genres.yaml").is_file():
            from extract.evaluate import format_genres, load_genres
            try:
                genres = load_genres(Path(corpus) / "genres.yaml")
            except ValueError as e:
                raise click.ClickException(str(e))
            click.echo(f"strict figures by genre ({Path(corpus) / 'genres.yaml'}):")
            click.echo(format_genres(s, genres))
        worst = min(worst, s.prf[2])
    if min_f1 is not None and worst < min_f1:
        raise SystemExit(1)


@reform.command("inspect")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--records", is_flag=True, help="Also list the records extracted from it.")
@click.option("--no-text", is_flag=True, help="Leave out the document text.")
def inspect_cmd(path, records, no_text):
    """Print a document's text and tables as the extractor reads them (cells with the column
    and row labels they are read through), to tell a reading problem from a linking one.

    \b
    Example:
      reform inspect corpus/meishan_yibaoju_yusuan_2025.pdf --records --no-text
    """
    from extract.explain import inspect_file
    from extract.ingest import IngestError
    try:
        inspect_file(path, click.echo, records=records, show_text=not no_text)
    except IngestError as e:
        raise click.ClickException(str(e)) from None


reform.add_command(diff_command)
reform.add_command(review_command)

from extract.verbs import metrics_cmd, regions_cmd, try_cmd  # noqa: E402

reform.add_command(try_cmd)
reform.add_command(metrics_cmd)
reform.add_command(regions_cmd)

from extract.conflicts import conflicts_command  # noqa: E402

reform.add_command(conflicts_command)

from extract.plot import plot_command  # noqa: E402  (matplotlib imported when drawing)

reform.add_command(plot_command)


def main(argv=None):
    reform.main(args=argv, prog_name="reform")


if __name__ == "__main__":
    main()
