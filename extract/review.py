"""Review pages: each document's text with every extracted value highlighted.

``reform review DOC`` / ``reform review --all`` writes into ``--out`` (default
``outputs/review``):

* ``<doc>.html`` per document: the stored document text (``documents.text``, the text
  every record offset points into) with each value marked in its metric's colour (legend
  at the top), the record on hover (``title``), and a table of the records, each linking
  to its place (``#<record_id>``, the stable id) and back (``#row-<record_id>``);
* ``index.html``: every document with its status, record count and, for a failed
  document, its error.

A record whose offsets fall outside the text is listed but not marked; one whose
offsets do not cover its ``text`` is marked where the offsets point and flagged
"offsets ≠ text".  Everything from the database is escaped; the pages use no script.
"""
from __future__ import annotations

import html
import re
import sqlite3
from collections import Counter
from pathlib import Path

import click

from extract.codebook import metric_defs
from extract.store import open_readonly

KIND_ZH = {"level": "水平 level", "change": "变化 change", "target": "目标 target"}


def esc(v) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def page_name(doc_id: str) -> str:
    """A file name for *doc_id*: safe characters kept, others replaced, made unique."""
    safe = re.sub(r"[^\w.~-]", "_", doc_id).lstrip(".") or "doc"
    if safe != doc_id:
        safe += "-" + format(sum((i + 1) * ord(c) for i, c in enumerate(doc_id)) % 65536, "04x")
    return safe + ".html"


def metric_colours(keys) -> dict[str, str]:
    """A distinct background colour per metric (stable: by order in metrics.yaml)."""
    order = list(metric_defs())
    out = {}
    for k in keys:
        i = order.index(k) if k in order else len(order) + sum(map(ord, k))
        hue = (i * 137.508) % 360          # golden angle: neighbours far apart
        light = 78 if i % 2 == 0 else 86
        out[k] = f"hsl({hue:.0f}, 85%, {light}%)"
    return out


def css_class(metric: str) -> str:
    return "m-" + re.sub(r"[^A-Za-z0-9_-]", "_", metric)


STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
       "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif; margin: 1.5em auto;
       max-width: 75em; padding: 0 1em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.5em; }
.meta { color: #555; font-size: .9em; }
ul.trends { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3em 1.5em; }
ul.trends li { display: flex; align-items: center; gap: .5em; }
.tlabel { font-size: .85em; min-width: 14em; }
pre.doc { white-space: pre-wrap; word-break: break-all; line-height: 1.9; font-size: 15px;
          font-family: inherit; border: 1px solid #ddd; padding: 1em; background: #fcfcfc; }
mark.v { padding: 1px 2px; border-radius: 3px; color: #000; outline: 1px solid rgba(0,0,0,.25); }
mark.v.suspect { outline: 2px dashed #c00; }
mark.v.mismatch { outline: 2px dotted #a0f; }
mark.v:target { outline: 3px solid #000; }
mark.v.multi { box-shadow: inset 0 -3px 0 #333; }
ul.legend { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4em 1.2em; }
.swatch { display: inline-block; width: 1.2em; height: 1em; vertical-align: middle;
          border-radius: 3px; outline: 1px solid rgba(0,0,0,.25); }
table { border-collapse: collapse; font-size: .9em; }
th, td { border: 1px solid #ddd; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
tr:target { background: #ffd; }
td.num { text-align: right; white-space: nowrap; }
.failed { color: #b00; } .flag { color: #b00; font-weight: bold; }
"""


def _fmt_num(x) -> str:
    if x is None:
        return "**"
    x = float(x)
    return f"{x:,.0f}" if x.is_integer() else f"{x:,.4f}".rstrip("0").rstrip(".")


def record_label(r: dict, zh: str) -> str:
    """The record as one line (the mark's tooltip)."""
    value = _fmt_num(r["value"])
    if r["value_high"] is not None:
        value += "–" + _fmt_num(r["value_high"])
    parts = [f"{zh} ({r['metric']})", KIND_ZH.get(r["kind"], r["kind"] or ""),
             f"{value} {r['unit'] or ''}".strip()]
    if r["qualifier"]:
        parts.append(r["qualifier"])
    parts.append(r["region"] or ("地区被隐去 masked region" if r["region_masked"]
                                 else "地区不详 no region"))
    if r["region_code"]:
        parts[-1] += f" {r['region_code']}"
    parts.append(f"{r['year']}年" if r["year"] is not None else "年份不详 no year")
    if r["masked"]:
        parts.append("masked")
    if r["suspect"]:
        parts.append("suspect")
    parts.append(f"#{_rid(r)} [{r['start']}:{r['end']}]")
    return " · ".join(parts)


def _rid(r: dict):
    """The record's stable id (``record_id``, kept by ``reform run --force``); the row id
    for a database made before stable ids."""
    return r.get("record_id") or r["id"]


def _anchor(r: dict) -> str:
    """The page anchor of a record: its stable id (``r3f…``), ``r<row id>`` without one."""
    rid = r.get("record_id")
    return esc(rid) if rid else f"r{r['id']}"


def _segments(text: str, records: list[dict]) -> list[tuple[int, int, list[dict]]]:
    """Cut [0, len) at every record boundary: (start, end, records covering it)."""
    n = len(text)
    spans = sorted((r for r in records if 0 <= r["start"] < r["end"] <= n),
                   key=lambda r: (r["start"], r["end"], r["id"]))
    cuts = sorted({0, n, *(r["start"] for r in spans), *(r["end"] for r in spans)})
    out, active, i = [], [], 0
    for a, b in zip(cuts, cuts[1:]):          # sweep: records open at a, in start order
        active = [r for r in active if r["end"] > a]
        while i < len(spans) and spans[i]["start"] == a:
            active.append(spans[i])
            i += 1
        out.append((a, b, list(active)))
    return out


def render_text(text: str, records: list[dict], zh: dict) -> str:
    """The document text, escaped, with each record's span in a <mark>."""
    out, anchored = [], set()
    for a, b, covering in _segments(text, records):
        chunk = esc(text[a:b])
        if not covering:
            out.append(chunk)
            continue
        first = covering[0]
        classes = ["v", css_class(first["metric"])]
        if any(r["suspect"] for r in covering):
            classes.append("suspect")
        if any(r["_mismatch"] for r in covering):
            classes.append("mismatch")
        if len(covering) > 1:
            classes.append("multi")
        attrs = [f'class="{" ".join(classes)}"',
                 f'data-metric="{esc(" ".join(r["metric"] for r in covering))}"',
                 f'data-records="{" ".join(str(_rid(r)) for r in covering)}"',
                 'title="' + esc("\n".join(record_label(r, zh.get(r["metric"], r["metric"]))
                                           for r in covering)) + '"']
        if _rid(first) not in anchored:
            attrs.insert(0, f'id="{_anchor(first)}"')
            anchored.add(_rid(first))
        # another record starting here gets its own (empty) anchor
        extra = []
        for r in covering[1:]:
            if _rid(r) not in anchored:
                extra.append(f'<a id="{_anchor(r)}"></a>')
                anchored.add(_rid(r))
        out.append(f"{''.join(extra)}<mark {' '.join(attrs)}>{chunk}</mark>")
    return "".join(out)


def _records(conn, doc_id: str) -> list[dict]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    rows = [dict(r) for r in cur.execute(
        "SELECT * FROM metrics WHERE doc_id = ? ORDER BY start, end, id", (doc_id,))]
    return rows


def render_trends(trends: dict, doc_id: str, region: str | None) -> str:
    """The Trends section: per metric (and scope) of the document's region, its values over
    the years from every stored document; this document's points are filled."""
    if not trends:
        return ""
    from extract.codebook import _parse_panel_column, metric_defs
    from extract.conflicts import column_label
    from extract.plot import sparkline_svg
    defs = metric_defs()
    items = []
    for col, pts in trends.items():
        metric, unit, scope = _parse_panel_column(col, defs) or (col, "", [])
        label = column_label(metric, unit, defs[metric]["unit"], tuple(scope), defs[metric]["zh"])
        span = f"{pts[0][0]}–{pts[-1][0]}" if len(pts) > 1 else str(pts[0][0])
        items.append(f'<li><span class="tlabel">{esc(label)} <code>{esc(col)}</code> '
                     f'({esc(unit)}, {span})</span> {sparkline_svg(pts, highlight=doc_id)}</li>')
    return (f'<h2>Trends: {esc(region)}</h2>\n<p class="meta">Each metric of this document '
            f'over the years, as the panel export has it (every stored document; this '
            f'document\'s points filled; hover a point for its source).</p>\n'
            f'<ul class="trends">{"".join(items)}</ul>')


def render_document(doc: dict, records: list[dict], trends: str = "") -> str:
    """The review page of one document (a `documents` row and its `metrics` rows);
    *trends* is the HTML of `render_trends`."""
    defs = metric_defs()
    zh = {k: d["zh"] for k, d in defs.items()}
    text = doc["text"] or ""
    for r in records:
        ok = 0 <= (r["start"] or 0) < (r["end"] or 0) <= len(text)
        r["_placed"] = ok
        r["_mismatch"] = ok and text[r["start"]:r["end"]] != r["text"]
    counts = Counter(r["metric"] for r in records)
    metrics = sorted(counts, key=lambda k: (list(defs).index(k) if k in defs else len(defs), k))
    colours = metric_colours(metrics)
    style = STYLE + "".join(f".{css_class(k)} {{ background: {colours[k]}; }}\n"
                            for k in metrics)
    legend = "".join(
        f'<li><span class="swatch {css_class(k)}"></span> {esc(zh.get(k, k))} '
        f'<code>{esc(k)}</code> ({counts[k]})</li>' for k in metrics)
    rows = []
    for i, r in enumerate(records, 1):
        value = _fmt_num(r["value"])
        if r["value_high"] is not None:
            value += "–" + _fmt_num(r["value_high"])
        flags = [f for f, on in (("masked", r["masked"]), ("suspect", r["suspect"]),
                                 ("offsets ≠ text", r["_mismatch"]),
                                 ("offsets outside the text", not r["_placed"])) if on]
        link = (f'<a href="#{_anchor(r)}">{i}</a>' if r["_placed"] else str(i))
        rows.append(
            f'<tr id="row-{_anchor(r)}"><td class="num">{link}</td>'
            f'<td><span class="swatch {css_class(r["metric"])}"></span> '
            f'{esc(zh.get(r["metric"], r["metric"]))}<br><code>{esc(r["metric"])}</code></td>'
            f'<td>{esc(r["kind"])}</td><td class="num">{esc(value)}</td><td>{esc(r["unit"])}</td>'
            f'<td>{esc(r["qualifier"])}</td><td>{esc(r["text"])}</td>'
            f'<td>{esc(r["region"])}<br><code>{esc(r["region_code"])}</code></td>'
            f'<td>{esc(r["year"])}</td><td class="num">{r["start"]}–{r["end"]}</td>'
            f'<td>{esc(r["section"])}</td><td>{esc(r["snippet"])}</td>'
            f'<td class="flag">{esc(", ".join(flags))}</td></tr>')
    title = doc["title"] or doc["doc_id"]
    meta = " · ".join(esc(x) for x in (
        doc["doc_id"], doc["date"] or "no date", doc["format"], doc["path"],
        f"{len(records)} records", doc["extractor_version"]) if x)
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{esc(title)} – review</title>
<style>{style}</style>
</head>
<body>
<p><a href="index.html">← all documents</a></p>
<h1>{esc(title)}</h1>
<p class="meta">{meta}</p>
<h2>Legend</h2>
<ul class="legend">{legend or "<li>no records</li>"}</ul>
{trends}
<h2>Text</h2>
<pre class="doc" id="text">{render_text(text, records, zh)}</pre>
<h2>Records</h2>
<table id="records">
<thead><tr><th>#</th><th>指标 metric</th><th>kind</th><th>value</th><th>unit</th>
<th>qualifier</th><th>text</th><th>region</th><th>year</th><th>offsets</th><th>section</th>
<th>sentence</th><th>flags</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


def render_index(docs: list[dict], pages: dict[str, str]) -> str:
    """The index: every document with status, record count and error."""
    ok = sum(d["status"] == "ok" for d in docs)
    rows = []
    for d in docs:
        name = esc(d["doc_id"])
        if d["doc_id"] in pages:
            name = f'<a href="{esc(pages[d["doc_id"]])}">{name}</a>'
        cls = ' class="failed"' if d["status"] != "ok" else ""
        rows.append(f'<tr{cls}><td>{name}</td><td>{esc(d["title"])}</td><td>{esc(d["date"])}</td>'
                    f'<td>{esc(d["format"])}</td><td>{esc(d["status"])}</td>'
                    f'<td class="num">{d["n"]}</td><td class="num">{d["n_metrics"]}</td>'
                    f'<td>{esc(d["error"])}</td></tr>')
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>reform-extract review</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Review: extracted metrics</h1>
<p class="meta">{len(docs)} documents: {ok} ok, {len(docs) - ok} failed;
{sum(d["n"] for d in docs)} records</p>
<table id="documents">
<thead><tr><th>document</th><th>title</th><th>date</th><th>format</th><th>status</th>
<th>records</th><th>metrics</th><th>error</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody>
</table>
</body>
</html>
"""


def atomic_write_text(path, text: str) -> None:
    """Each page whole or not at all (a full disk leaves the previous version)."""
    from extract.safeio import atomic_write_text as write
    write(path, text)


def _trends(conn, doc_id: str, records: list[dict]) -> str:
    """The Trends section of a document: its most frequent region's panel columns that
    this document fills."""
    from collections import Counter as _C
    from extract.codebook import metric_defs
    from extract.conflicts import PANEL_SCOPE, column_name, left_out_reason
    from extract.plot import region_trends
    from extract.scope import scope_key
    defs = metric_defs()
    own = [r for r in records if r["metric"] in defs and left_out_reason(r) is None]
    if not own:
        return ""
    code, _n = _C(r["region_code"] for r in own).most_common(1)[0]
    cols = {column_name(r["metric"], r["unit"] or "", defs[r["metric"]]["unit"],
                        scope_key(r, PANEL_SCOPE)) for r in own if r["region_code"] == code}
    trends = region_trends(conn, code, cols)
    order = list(defs)
    trends = dict(sorted(trends.items(), key=lambda kv: (order.index(kv[0].split("__")[0]),
                                                         kv[0])))
    name = next((r["region"] for r in own if r["region_code"] == code), code)
    return render_trends(trends, doc_id, f"{name} ({code})")


def write_review(db, doc: str | None = None, out_dir="outputs/review") -> list[Path]:
    """Write the page of *doc* (every ok document when None) and the index; their paths."""
    out = Path(out_dir)
    conn = open_readonly(db)
    try:
        cur = conn.cursor()
        cur.row_factory = sqlite3.Row
        docs = [dict(r) for r in cur.execute(
            "SELECT d.doc_id, d.title, d.date, d.format, d.status, d.error, "
            "(SELECT count(*) FROM metrics m WHERE m.doc_id = d.doc_id) AS n, "
            "(SELECT count(DISTINCT metric) FROM metrics m WHERE m.doc_id = d.doc_id) "
            "AS n_metrics FROM documents d ORDER BY d.doc_id")]
        wanted = [d["doc_id"] for d in docs if d["status"] == "ok"] if doc is None else [doc]
        known = {d["doc_id"]: d for d in docs}
        if doc is not None and doc not in known:     # exit 2 with the near ids
            from extract.resolve import resolve_doc
            resolve_doc(conn, doc)
        if doc is not None and known[doc]["status"] != "ok":
            raise click.UsageError(f"document {doc!r} failed: {known[doc]['error']}")
        written = []
        out.mkdir(parents=True, exist_ok=True)      # only once the arguments are good
        for doc_id in wanted:
            row = dict(cur.execute("SELECT * FROM documents WHERE doc_id = ?",
                                   (doc_id,)).fetchone())
            path = out / page_name(doc_id)
            records = _records(conn, doc_id)
            atomic_write_text(path, render_document(row, records, _trends(conn, doc_id, records)))
            written.append(path)
    finally:
        conn.close()
    pages = {d["doc_id"]: page_name(d["doc_id"]) for d in docs
             if d["status"] == "ok" and (out / page_name(d["doc_id"])).is_file()}
    index = out / "index.html"
    atomic_write_text(index, render_index(docs, pages))
    return [index, *written]


@click.command("review")
@click.argument("doc", required=False)
@click.option("--all", "all_docs", is_flag=True, help="A page for every document.")
@click.option("--out", "out_dir", default="outputs/review", show_default=True,
              type=click.Path(file_okay=False, path_type=Path), help="Folder for the pages.")
@click.option("--db", default="outputs/reform.db", show_default=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="SQLite database")
def review_command(doc, all_docs, out_dir, db):
    """HTML pages with each document's text and its extracted values highlighted.

    Give a document id (DOC) or --all; an index page lists every document with its
    status, record count and error.

    \b
    Example:
      reform review --all --out outputs/review   (then open outputs/review/index.html)
    """
    if bool(doc) == bool(all_docs):
        raise click.UsageError("give either a document id or --all")
    paths = write_review(db, doc, out_dir)
    click.echo(f"{len(paths) - 1} document pages; index: {paths[0]}")
