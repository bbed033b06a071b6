"""`reform inspect FILE`: the document as the extractor reads it, before any linking.

Prints the document text (the one every offset points into: wrapped PDF lines already
joined, page headers and numbers dropped), then each table with its size, header rows, the
caption lines above it, and every cell holding a figure with the column and row labels it
will be read through. With ``--records`` it also lists what was extracted from each table
cell and from the running text. A value missing from the text or a cell without the labels
you expect is a reading problem; a value read right but not linked is a linking problem.
"""
from __future__ import annotations

from typing import Callable

from .ingest import read_document
from .normalise import normalise
from .numbers import recognise


def inspect_file(path, echo: Callable[[str], None], records: bool = False,
                 show_text: bool = True) -> None:
    from .tables import _caption

    doc = read_document(path)
    echo(f"# {doc.path}")
    echo(f"format: {doc.format}  encoding: {doc.encoding or '-'}  title: {doc.title or '-'}")
    echo(f"text: {len(doc.text)} characters, {doc.text.count(chr(10)) + 1} lines; "
         f"tables: {len(doc.tables)}")
    if show_text:
        echo("")
        echo("## text")
        for n, line in enumerate(doc.text.split("\n"), 1):
            echo(f"{n:5d}  {line.rstrip(chr(13)).replace(chr(9), ' | ')}")
    result = None
    if records:
        from .pipeline import process
        result = process(doc)
    for i, t in enumerate(doc.tables):
        caption, _ = _caption(doc.text, t)
        line = doc.text.count("\n", 0, t.start) + 1
        echo("")
        echo(f"## table {i + 1}: line {line}, {t.n_rows} rows x {t.n_cols} columns, "
             f"{t.header_rows} header row(s)")
        echo(f"caption: {caption.replace(chr(10), ' / ') or '-'}")
        for row in t.rows()[:t.header_rows]:
            echo("header: " + " | ".join(
                f"{c.text}" + (f" (r{c.row}c{c.col} span {c.rowspan}x{c.colspan})"
                               if c.rowspan > 1 or c.colspan > 1 else "") for c in row))
        for c in t.cells:
            if c.header or not c.text.strip():
                continue
            if not any(q.value is not None or q.masked for q in recognise(normalise(c.text).text)):
                continue
            echo(f"  r{c.row}c{c.col} {c.text!r}  column: {c.col_header or '-'}  "
                 f"row: {c.row_header or '-'}")
    if result is not None:
        echo("")
        echo(f"## records ({len(result.records)})")
        for r in result.records:
            where = f"table r{r.table_row}c{r.table_col}" if r.source == "table" else "text"
            echo(f"  {r.start:6d} {r.text!r:14} {r.metric} {r.kind} {r.value} {r.unit}"
                 f"{' ' + r.qualifier if r.qualifier else ''}  {r.region or '-'} {r.year or '-'}"
                 f"  [{where}]")
