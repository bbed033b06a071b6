"""Write stored records out of the database.

`FORMATS` maps a format name to its writer ``writer(db, out, filters) -> n records``;
`reform export --format NAME` offers every key, so a new format is one function here.
Filters are ``region`` (full name or code), ``metric``, ``year`` and ``doc``; their values
go to SQL as parameters only.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import sys
from pathlib import Path
from typing import Iterator

from extract.model import Record
from extract.store import open_readonly, row_record

FILTERS = {
    "region": "(region = ? OR region_code = ?)",
    "metric": "metric = ?",
    "year": "year = ?",
    "doc": "doc_id = ?",
}


def select_records(conn: sqlite3.Connection, filters: dict | None = None) -> Iterator[Record]:
    """Stored records matching *filters*, by document and position."""
    where, params = [], []
    for key, value in (filters or {}).items():
        if value is None:
            continue
        if key not in FILTERS:
            raise ValueError(f"unknown filter {key!r} (known: {', '.join(FILTERS)})")
        where.append(FILTERS[key])
        params += [value] * FILTERS[key].count("?")
    sql = "SELECT * FROM metrics"
    if where:
        sql += " WHERE " + " AND ".join(where)
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    for row in cur.execute(sql + " ORDER BY doc_id, start, id", params):
        yield row_record(row)


@contextlib.contextmanager
def _output(out):
    if str(out) == "-":
        yield sys.stdout
        return
    from extract.safeio import atomic_path
    with atomic_path(out) as tmp, open(tmp, "w", encoding="utf-8") as fh:
        yield fh


def export_jsonl(db, out, filters: dict | None = None, codes: list | None = None) -> int:
    """One record per line: the fields of shared/spec/RECORDS.md in order, then provenance.
    *codes*: only records of these region codes (a resolved region, its children)."""
    conn = open_readonly(db)
    n = 0
    keep = set(codes) if codes is not None else None
    try:
        with _output(out) as fh:
            for rec in select_records(conn, filters):
                if keep is not None and rec.region_code not in keep:
                    continue
                fh.write(json.dumps(rec.to_json(), ensure_ascii=False) + "\n")
                n += 1
    finally:
        conn.close()
    return n


FORMATS = {"jsonl": export_jsonl}


# --- tables for researchers: csv, parquet, dta, xlsx; long and panel layouts; codebook ----
#
# `export(db, fmt, out, layout, filters)` writes the data file and, beside a file (not
# stdout), its codebook: ``OUT.datapackage.json`` (Frictionless) and ``OUT.codebook.md``
# (see extract/codebook.py).  ``long`` is one row per record with its provenance;
# ``panel`` is one row per region_code and year with one column per metric, filled by
# the rule of `extract.diff` (documented in extract/codebook.py, PANEL_RULE).
# A region filter is resolved like `reform diff` does (code, full name, short name or
# former name; a renamed unit's codes together); a value naming no region is matched
# literally, so it simply selects nothing.

LAYOUTS = ("long", "panel")


class ExportError(ValueError):
    """An export that cannot be made as asked (format, layout, output)."""
BINARY_FORMATS = {"parquet", "dta", "xlsx"}
STATA_NAME_MAX = 32

LONG_COLUMNS = [
    "doc", "metric", "kind", "value", "value_high", "unit", "qualifier", "region",
    "region_code", "year", "masked", "suspect", "text", "start", "end",
    "region_text", "region_masked", "region_alt", "period_start", "period_end", "article",
    "section", "snippet", "source", "table_row", "table_col",
    "role", "scheme", "setting", "population", "basis", "subunit",
    "metric_zh", "doc_path", "doc_title", "doc_date", "doc_sha256", "extractor_version",
    "run_id", "record_id",
]
_INT_COLUMNS = {"year", "start", "end", "article", "table_row", "table_col", "run_id"}
_BOOL_COLUMNS = {"masked", "suspect", "region_masked"}


def _resolve_filters(conn, filters: dict | None) -> tuple[dict, list[str] | None]:
    """(other filters, region codes or None): the region resolved as `reform diff` does."""
    from extract.diff import RegionError, resolve_region
    filters = {k: v for k, v in (filters or {}).items() if v is not None}
    children = filters.pop("include_children", False)
    region = filters.pop("region", None)
    if region is None:
        return filters, None
    try:
        codes = resolve_region(conn, str(region)).codes
    except RegionError:
        return {**filters, "region": region}, None
    if children:        # `--include-children`: every unit below the region too
        from extract.diff import descendants
        codes = codes + sorted(descendants(conn, codes) - set(codes))
    return filters, codes


def _query_rows(conn, filters: dict | None, extra_where: str = "") -> list[dict]:
    """Stored records joined with their document, by document and position."""
    filters, codes = _resolve_filters(conn, filters)
    where, params = [], []
    for key, value in filters.items():
        if key not in FILTERS:
            raise ValueError(f"unknown filter {key!r} (known: {', '.join(FILTERS)})")
        where.append(FILTERS[key])
        params += [value] * FILTERS[key].count("?")
    if codes is not None:
        where.append("region_code IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(codes))
    if extra_where:
        where.append(extra_where)
    sql = ("SELECT * FROM (SELECT m.*, d.path AS doc_path, "
           "d.title AS doc_title, d.date AS doc_date, d.sha256 AS doc_sha256 "
           "FROM metrics m LEFT JOIN documents d ON d.doc_id = m.doc_id)")
    if where:
        sql += " WHERE " + " AND ".join(where)
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return [dict(r) for r in cur.execute(sql + " ORDER BY doc_id, start, id", params)]


def long_frame(conn, filters: dict | None = None):
    """One row per record, the columns of `LONG_COLUMNS`."""
    import pandas as pd
    from extract.codebook import metric_defs
    defs = metric_defs()
    rows = []
    for r in _query_rows(conn, filters):
        r["doc"] = r["doc_id"]
        r["metric_zh"] = defs.get(r["metric"], {}).get("zh")
        rows.append([r.get(c) for c in LONG_COLUMNS])
    df = pd.DataFrame(rows, columns=LONG_COLUMNS, dtype=object)
    for c in LONG_COLUMNS:
        if c in _INT_COLUMNS:
            df[c] = pd.array(df[c].tolist(), dtype="Int64")
        elif c in _BOOL_COLUMNS:
            df[c] = df[c].map(bool).astype(bool)
        elif c in ("value", "value_high"):
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        else:
            df[c] = df[c].astype("string")
    return df


PANEL_PROVENANCE = ("record_id", "doc", "sentence", "n", "conflict")


def panel_frame(conn, filters: dict | None = None):
    """region_code × year rows, one column per metric and scope: levels in the metric's
    unit (another unit or a stated scope gets a column of its own, `extract.conflicts`),
    each followed by its provenance: the chosen record's id, document and sentence, the
    number of candidate records and whether they disagree.  ``df.attrs["left_out"]``
    counts the records that are not in the panel, by reason."""
    import pandas as pd
    from extract.codebook import metric_defs
    from extract.conflicts import panel_cells
    from extract.diff import _region_rows
    defs = metric_defs()
    metric = (filters or {}).get("metric")
    keys = [k for k in defs if metric is None or k == metric]
    cells, left, columns = panel_cells(_query_rows(conn, filters), defs, keys)
    order = {k: i for i, k in enumerate(keys)}
    from extract.scope import scope_rank
    cols = list(keys) + sorted((c for c in columns if c not in keys),
                               key=lambda c: (order[columns[c][0]], columns[c][1],
                                              scope_rank(columns[c][2]), c))
    names: dict[str, str] = {}
    by_row: dict[tuple, dict] = {}
    for (code, year, col), cell in cells.items():
        names.setdefault(code, cell.chosen["region"])
        by_row.setdefault((code, year), {})[col] = cell
    full = {g["code"]: g["full_name"] for g in _region_rows(conn)}
    filled = {col for (_c, _y, col) in cells}       # provenance only beside filled columns
    header = ["region_code", "region", "year"]
    for c in cols:
        header += [c, *(f"{c}_{p}" for p in PANEL_PROVENANCE if c in filled)]
    rows = []
    for (code, year), row in sorted(by_row.items()):
        out = [code, full.get(code) or names.get(code), year]
        for c in cols:
            cell = row.get(c)
            if cell is None:
                out += [None] * (1 + (len(PANEL_PROVENANCE) if c in filled else 0))
                continue
            ch = cell.chosen
            out += [ch["value"], ch.get("record_id"), ch["doc_id"], ch.get("snippet"),
                    cell.n, cell.conflict]
        rows.append(out)
    df = pd.DataFrame(rows, columns=header, dtype=object)
    df["year"] = pd.array(df["year"].tolist(), dtype="Int64")
    df[["region_code", "region"]] = df[["region_code", "region"]].astype("string")
    for c in cols:
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64")
        if c not in filled:
            continue
        for p in ("record_id", "doc", "sentence"):
            df[f"{c}_{p}"] = df[f"{c}_{p}"].astype("string")
        df[f"{c}_n"] = pd.array([int(x) if x is not None else None for x in df[f"{c}_n"]],
                                dtype="Int64")
        df[f"{c}_conflict"] = pd.array([int(bool(x)) if x is not None else None
                                        for x in df[f"{c}_conflict"]], dtype="Int64")
    df.attrs["left_out"] = dict(left)
    df.attrs["columns"] = {c: columns[c] if c in columns else (c, defs[c]["unit"], ())
                           for c in cols}
    df.attrs["conflicts"] = sum(c.conflict for c in cells.values())
    return df


def stata_names(columns) -> dict[str, str]:
    """Column -> a valid Stata name: ASCII letters, digits and _, ≤32 chars, not reserved."""
    import re
    try:
        from pandas.io.stata import StataParser
        reserved = set(StataParser().RESERVED_WORDS)
    except Exception:       # pragma: no cover - older pandas
        reserved = set()
    reserved |= {"_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int",
                 "long", "_n", "_N", "_pi", "_pred", "_rc", "_skip", "strL", "using", "with"}
    out: dict[str, str] = {}
    used: set[str] = set()
    for col in columns:
        name = re.sub(r"[^A-Za-z0-9_]", "_", col) or "var"
        if name[0].isdigit():
            name = "v" + name
        if name in reserved or re.fullmatch(r"str\d+", name):
            name += "_"
        name = name[:STATA_NAME_MAX]
        base, n = name, 1
        while name in used:
            n += 1
            name = f"{base[:STATA_NAME_MAX - len(str(n)) - 1]}_{n}"
        used.add(name)
        out[col] = name
    return out


def _write_xlsx(df, out, sheet: str, pkg: dict | None) -> None:
    """The data sheet plus codebook and metrics sheets."""
    import pandas as pd
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as illegal

    def cell(v):
        """No missing markers, no control characters Excel refuses, Excel's length limit."""
        if isinstance(v, str):
            return illegal.sub("\ufffd", v)[:32767] if illegal.search(v) or len(v) > 32767 \
                else v
        if v is None or v is pd.NA or (isinstance(v, float) and v != v):
            return None
        return v.item() if hasattr(v, "item") else v

    # The long layout is streamed (write-only: no cell objects kept, 2.5x faster); its
    # last column is never empty, so every row is complete.  The panel is small and its
    # trailing cells are often empty: a normal workbook records the sheet's dimension,
    # so readers (frictionless, openpyxl read-only) see full rows.
    stream = sheet == "records"
    wb = Workbook(write_only=stream)
    if not stream:
        wb.remove(wb.active)
    sheets = [(sheet, list(df.columns), df.itertuples(index=False, name=None))]
    if pkg is not None:
        fields = pkg["resources"][0]["schema"]["fields"]
        sheets.append(("codebook", ["column", "type", "description"],
                       ([f["name"], f["type"], f["description"]] for f in fields)))
        sheets.append(("metrics", ["key", "zh", "unit", "range", "definition"],
                       ([m["key"], m["zh"], m["unit"],
                         f"{m['range'][0]}–{m['range'][1]}" if m["range"] else None,
                         m["definition"]] for m in pkg["reform"]["metrics"])))
    for name, header, rows in sheets:
        ws = wb.create_sheet(name)
        ws.freeze_panes = "A2"
        ws.append(header)
        for row in rows:
            ws.append([cell(v) for v in row])
    # a failed save (full disk) leaves openpyxl's half-closed writers and zip file behind,
    # whose clean-up prints "Exception ignored" tracebacks: drop those quietly here
    import gc
    hook, sys.unraisablehook = sys.unraisablehook, lambda *_: None
    error = None
    try:
        try:
            wb.save(out)
        except OSError as exc:      # a new error: the old one's traceback holds the zip file
            error = OSError(exc.errno, exc.strerror, exc.filename or str(out))
        del wb, ws
        gc.collect()
    finally:
        sys.unraisablehook = hook
    if error is not None:
        raise error


def _write_frame(df, fmt: str, out, layout: str, pkg: dict | None,
                 bom: bool = False) -> dict | None:
    """Write *df* as *fmt* (csv with a UTF-8 byte-order mark when *bom*, for Excel);
    returns the Stata name map for dta."""
    if fmt == "csv":
        with _output(out) as fh:
            if bom:
                fh.write("\ufeff")
            df.to_csv(fh, index=False, lineterminator="\n")
        return None
    if fmt == "jsonl":
        with _output(out) as fh:
            for row in df.astype(object).where(df.notna(), None).to_dict("records"):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        return None
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq
        table = pa.Table.from_pandas(df, preserve_index=False)
        if pkg is not None:
            meta = dict(table.schema.metadata or {})
            meta[b"reform.datapackage"] = json.dumps(pkg, ensure_ascii=False).encode()
            table = table.replace_schema_metadata(meta)
        pq.write_table(table, out)
        return None
    if fmt == "dta":
        import pandas as pd
        names = stata_names(df.columns)
        d = df.rename(columns=names)
        for c in d.columns:
            if d[c].dtype == bool:
                d[c] = d[c].astype("int8")
            elif not pd_numeric(d[c]):
                d[c] = pd.Series([str(v) for v in d[c].fillna("")], index=d.index,
                                 dtype=object)
        long_str = [c for c in d.columns if d[c].dtype == object
                    and max((len(s.encode("utf-8")) for s in d[c]), default=0) > 2045]
        labels = {}
        if pkg is not None:
            for f in pkg["resources"][0]["schema"]["fields"]:
                labels[names[f["name"]]] = (f.get("title") or f["description"])[:80]
        d.to_stata(out, write_index=False, version=118, convert_strl=long_str,
                   variable_labels={k: v for k, v in labels.items() if k in d.columns},
                   data_label=f"reform-extract {layout} export"[:80])
        return names
    if fmt == "xlsx":
        _write_xlsx(df, out, "records" if layout == "long" else "panel", pkg)
        return None
    raise ValueError(f"unknown format {fmt!r}")


def pd_numeric(series) -> bool:
    from pandas.api.types import is_bool_dtype, is_numeric_dtype
    return is_numeric_dtype(series) and not is_bool_dtype(series)


def command_line(db, fmt: str, out, layout: str, filters: dict | None) -> str:
    """The `reform export` command that makes this export (for the codebook)."""
    import re
    import shlex
    args = ["reform", "export", "--db", str(db), "--format", fmt, "--layout", layout]
    for k, v in (filters or {}).items():
        if k == "include_children":
            args += ["--include-children"] if v else []
        elif v is not None:
            args += [f"--{k}", str(v)]
    # quote only what the shell needs quoted (shlex.quote also quotes any Chinese name)
    return " ".join(a if re.fullmatch(r"[\w@%+=:,./-]+", a) else shlex.quote(a)
                    for a in args + ["--out", str(out)])


def left_out_notes(left: dict) -> list[str]:
    """What a panel left out and why, one line per reason, most first."""
    if not left:
        return []
    total = sum(left.values())
    return [f"panel: {total} records are not in the panel: " + "; ".join(
        f"{n} {why}" for why, n in sorted(left.items(), key=lambda kv: (-kv[1], kv[0])))]


def export(db, fmt: str, out, layout: str = "long", filters: dict | None = None,
           command: str | None = None, bom: bool = False, log=None) -> int:
    """Write the records of *db* matching *filters* to *out*, and its codebook beside it.

    Returns the number of rows written.  *out* ``-`` (stdout) is for csv and jsonl only
    and writes no codebook.
    """
    from extract.codebook import datapackage, write_codebook
    if layout not in LAYOUTS:
        raise ExportError(f"unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (known: {', '.join(sorted(FORMATS))})")
    to_stdout = str(out) == "-"
    from extract.safeio import is_regular_target
    to_device = not to_stdout and not is_regular_target(out)   # /dev/null: no codebook
    if to_stdout and fmt in BINARY_FORMATS:
        raise ExportError(f"--format {fmt} writes a binary file: give --out FILE")
    command = command or command_line(db, fmt, out, layout, filters)
    if not to_stdout and not to_device:
        _check_targets(db, out)
    from extract.codebook import codebook_paths
    from extract.safeio import atomic_path
    # every file is written to a temporary one beside it; all are renamed into place
    # only when the data file and both codebook files are whole (a full disk or an
    # error leaves the previous export as it was, and no temporary file)
    stage = contextlib.ExitStack()

    def target(p):
        return p if to_stdout else stage.enter_context(atomic_path(p))
    conn = open_readonly(db)
    try:
        with stage:
            data = target(out)
            if fmt == "jsonl" and layout == "long":
                fl, codes = _resolve_filters(conn, filters)
                conn.close()
                n = export_jsonl(db, data, fl, codes)
                columns = ["doc" if f == "doc" else f for f in Record.__dataclass_fields__]
                names, notes = None, []
            else:
                df = (long_frame if layout == "long" else panel_frame)(conn, filters)
                conn.close()
                columns, n = list(df.columns), len(df)
                notes = left_out_notes(df.attrs.get("left_out") or {})
                if layout == "panel" and df.attrs.get("conflicts"):
                    notes.append(f"panel: {df.attrs['conflicts']} cells have records that "
                                 f"disagree (column _conflict; `reform conflicts` lists them)")
                if layout == "panel" and log is not None:
                    for note in notes:
                        log(note)
                if fmt in ("csv", "xlsx", "jsonl"):
                    notes.append("region_code is text: read it as a string to keep its "
                                 "leading zeros (pandas: dtype={'region_code': str}); "
                                 "000000 is 全国.")
                if fmt == "dta":
                    notes.append("Stata: strings are str (strL above 2045 bytes); missing "
                                 "strings are empty; booleans are 0/1 bytes.")
                if fmt == "xlsx":
                    notes.append("xlsx: sheets records/panel (data), codebook and metrics.")
                pkg = datapackage(Path(out), fmt, columns, layout, filters or {}, command, n,
                                  notes=notes)
                if bom and fmt == "csv":
                    pkg["resources"][0]["encoding"] = "utf-8-sig"
                names = _write_frame(df, fmt, data, layout, pkg, bom=bom and fmt == "csv")
            if not to_stdout and not to_device:
                write_codebook(Path(out), fmt, columns, layout, filters or {}, command, n,
                               stata_names=names, notes=notes,
                               paths=tuple(target(p) for p in codebook_paths(Path(out))),
                               encoding="utf-8-sig" if bom and fmt == "csv" else "utf-8")
    finally:
        conn.close()
    return n


def _check_targets(db, out) -> None:
    """Refuse, before anything is written, an output that would overwrite the database
    (or its -wal/-shm) or whose file or codebook path is a folder."""
    from extract.codebook import codebook_paths
    from extract.safeio import (OutputError, check_output_file, refuse_database_target,
                                refuse_overwriting_a_database)
    try:
        for p in (Path(out), *codebook_paths(Path(out))):
            refuse_database_target(db, p)
            refuse_overwriting_a_database(p)
            check_output_file(p)
    except OutputError as exc:
        raise ExportError(str(exc)) from None


def _writer(fmt: str):
    def write(db, out, filters: dict | None = None, layout: str = "long") -> int:
        return export(db, fmt, out, layout, filters)
    write.__name__ = f"export_{fmt}"
    write.__doc__ = f"`export` as {fmt}."
    return write


FORMATS.update({fmt: _writer(fmt) for fmt in ("csv", "parquet", "dta", "xlsx")})
