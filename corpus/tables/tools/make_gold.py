#!/usr/bin/env python3
"""Build corpus/tables/gold/<stem>.jsonl from the table annotations in corpus/tables/annotations/.

    python corpus/tables/tools/make_gold.py [STEM ...]      # all .ann files when none given
    python corpus/tables/tools/make_gold.py --check         # the committed gold is what they give

Why a helper: a table of 60 cells is 60 records, and their offsets are easy to get wrong by
hand. The annotator says what each row and column of a table means; this script reads the
document (extract.ingest: the document text and the table grid every offset points into),
checks that each annotated row and column carries the label the annotator saw, and writes
one record per annotated cell that holds a number. Values are the printed number times the
annotated scale (never the extractor's reading of it); region codes come from the installed
GB/T 2260 data through corpus/tools/make_gold.py.

Annotation format (one item per line; ``#`` starts a comment):
  D <file name>                     the document (first line)
  R <full region name>|-            region of cells no row or column names (合计 rows)
  Y <year>|-                        year of cells no row or column dates
  T <k>                             the following lines describe the document's k-th table
  row <i> <label> [:: key=value ...]   grid row i; <label> must be part of its row labels
  col <j> <label> [:: key=value ...]   grid column j; <label> must be part of its header
keys: m=metric k=level|change|target u=unit x=scale r=region y=year neg (a fall: negate).
A cell is a record when its row and its column are both listed and one of them gives m=;
the row's keys win over the column's, both over R/Y.
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TABLES = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(TABLES))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "corpus", "tools"))

from extract.ingest import read_document  # noqa: E402
from make_gold import region_code  # noqa: E402  (corpus/tools/make_gold.py)

ANN = os.path.join(TABLES, "annotations")
GOLD = os.path.join(TABLES, "gold")


def parse_keys(s):
    out = {}
    for item in s.split():
        if item == "neg":
            out["neg"] = True
        else:
            k, _, v = item.partition("=")
            out[k] = v
    return out


def row_labels(table, r):
    cells = sorted((c for c in table.cells if c.row <= r < c.row + c.rowspan), key=lambda c: c.col)
    return "/".join(c.text for c in cells
                    if c.col < table.header_cols or not any(ch.isdigit() for ch in c.text))


def col_labels(table, j):
    cells = [c for c in table.cells if c.row < table.header_rows and c.col <= j < c.col + c.colspan]
    return "/".join(c.text for c in sorted(cells, key=lambda c: c.row))


def build(stem_ann):
    lines = [ln.split("#", 1)[0].rstrip() for ln in open(os.path.join(ANN, stem_ann), encoding="utf-8")]
    lines = [ln for ln in lines if ln.strip()]
    assert lines[0].startswith("D "), f"{stem_ann}: first line must be D <file>"
    name = lines[0][2:].strip()
    doc = read_document(os.path.join(TABLES, name))
    stem = os.path.splitext(name)[0]
    defaults = {"r": None, "y": None}
    tables = []                                   # (table index, rows{i: keys}, cols{j: keys})
    for ln in lines[1:]:
        tag, _, rest = ln.partition(" ")
        if tag == "R":
            defaults["r"] = None if rest.strip() == "-" else rest.strip()
        elif tag == "Y":
            defaults["y"] = None if rest.strip() == "-" else int(rest)
        elif tag == "T":
            tables.append((int(rest), {}, {}))
        elif tag in ("row", "col"):
            head, _, keys = rest.partition("::")
            idx, _, label = head.strip().partition(" ")
            k, table = int(idx), doc.tables[tables[-1][0]]
            have = row_labels(table, k) if tag == "row" else col_labels(table, k)
            assert label.strip() in have, f"{stem}: {tag} {k} is {have!r}, not {label.strip()!r}"
            tables[-1][1 if tag == "row" else 2][k] = parse_keys(keys)
        else:
            raise SystemExit(f"{stem_ann}: cannot read {ln!r}")
    out = []
    for t_idx, rows, cols in tables:
        table = doc.tables[t_idx]
        for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
            if cell.row not in rows or cell.col not in cols:
                continue
            keys = {**defaults, **cols[cell.col], **rows[cell.row]}
            if "m" not in keys:
                continue
            printed = cell.text.strip()
            digits = printed.rstrip("%％").replace(",", "")
            try:
                number = float(digits)
            except ValueError:
                continue                          # — or blank: no value
            value = round(number * float(keys.get("x", 1)) * (-1 if keys.get("neg") else 1), 6)
            region = keys.get("r")
            code, alt = region_code(region) if region else (None, None)
            year = keys.get("y")
            start = cell.start + cell.text.index(printed)
            line_start = doc.text.rfind("\n", 0, cell.start) + 1
            line_end = doc.text.find("\n", cell.end)
            rec = {"doc": stem, "metric": keys["m"], "kind": keys.get("k", "level"), "value": value,
                   "value_high": None, "unit": keys["u"], "qualifier": None, "region": region,
                   "region_code": code, "year": int(year) if year is not None else None,
                   "masked": False, "suspect": False, "text": printed, "start": start,
                   "end": start + len(printed),
                   "context": doc.text[line_start:line_end if line_end >= 0 else len(doc.text)]}
            if alt:
                rec["region_alt"] = alt
            assert doc.text[rec["start"]:rec["end"]] == printed
            out.append(rec)
    return stem, out


def dump(records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def main(argv):
    check = "--check" in argv
    stems = [a for a in argv if not a.startswith("--")]
    files = sorted(f for f in os.listdir(ANN) if f.endswith(".ann")
                   and (not stems or f[:-4] in stems))
    bad = 0
    for f in files:
        stem, records = build(f)
        path = os.path.join(GOLD, stem + ".jsonl")
        if check:
            old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
            if old != dump(records):
                print(f"stale: {os.path.relpath(path, ROOT)}")
                bad += 1
        else:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(dump(records))
            print(f"{stem}: {len(records)} records")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
