"""Small verbs a researcher reaches for: ``reform try``, ``reform metrics``,
``reform regions``.  Registered on the ``reform`` group by `extract.cli`."""
from __future__ import annotations

import hashlib
import sys

import click


# --- reform try -----------------------------------------------------------------------

def try_text(text: str, segmenter: str = "jieba") -> list[dict]:
    """Run the whole pipeline on *text*; per record, the record and what decided it:
    the indicator (alias) the value was linked to and the words between them."""
    from extract import pipeline
    from extract.ingest import SourceDoc
    src = SourceDoc(doc_id="try", path="<try>", text=text, format="txt", encoding="utf-8",
                    sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())
    seen: dict[int, dict] = {}
    original = pipeline._record

    def noting(src_, norm, st, attr, link, sent):     # the link behind each record
        rec = original(src_, norm, st, attr, link, sent)
        a, b = norm.src_span(link.alias_start, link.alias_end)
        seen[id(rec)] = {"indicator": text[a:b], "indicator_start": a, "indicator_end": b,
                         "between": text[b:rec.start] if b <= rec.start else ""}
        return rec
    pipeline._record = noting
    try:
        result = pipeline.process(src, segmenter=segmenter)
    finally:
        pipeline._record = original
    out = []
    for r in result.records:
        why = seen.get(id(r)) or {"indicator": None, "between": None}
        if r.source == "table":
            why = {"indicator": r.snippet.split(" | ")[0] if r.snippet else None,
                   "between": None}
        out.append({"record": r, **why})
    return out


def _fmt_value(r) -> str:
    v = "masked" if r.masked else ("?" if r.value is None else f"{r.value:g}")
    if r.value_high is not None:
        v += f"–{r.value_high:g}"
    return f"{v} {r.unit}"


@click.command("try")
@click.argument("text", required=False)
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False),
              help="Read the text from this file (UTF-8) instead.")
@click.option("--segmenter", type=click.Choice(["jieba", "pkuseg"]), default="jieba",
              show_default=True)
def try_cmd(text, path, segmenter):
    """Extract the records of one sentence or a short text, and show for each the
    indicator it was linked to and the words between them (the way to test a new alias
    in patterns/metrics.yaml).  TEXT "-" reads standard input.

    \b
    Example:
      reform try "2015年全省新农合参合率达到98.5%，人均筹资标准提高到480元。"
    """
    from extract.codebook import metric_defs
    if path:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    elif text == "-":
        text = sys.stdin.read()
    if not text or not text.strip():
        raise click.UsageError('give a sentence: reform try "全省新农合参合率达到98%。"')
    zh = {k: d["zh"] for k, d in metric_defs().items()}
    found = try_text(text, segmenter)
    if not found:
        click.echo("no records: no number here is linked to a metric of patterns/metrics.yaml "
                   "(`reform metrics` lists them)")
        return
    for i, f in enumerate(found, 1):
        r = f["record"]
        region = f"{r.region} ({r.region_code})" if r.region_code else "region ?"
        click.echo(f"{i}. {r.metric} {zh.get(r.metric, '')}  {r.kind}  {_fmt_value(r)}"
                   f"{'  ' + r.qualifier if r.qualifier else ''}  {region}  "
                   f"{r.year if r.year is not None else 'year ?'}"
                   f"{'  SUSPECT' if r.suspect else ''}")
        click.echo(f"   value {r.text!r} at {r.start}-{r.end}")
        if r.source == "table":
            click.echo(f"   table cell: {r.snippet}")
        elif f["indicator"] is not None:
            click.echo(f"   indicator {f['indicator']!r} at {f['indicator_start']}-"
                       f"{f['indicator_end']}; between indicator and value: "
                       f"{f['between']!r}")
        if r.region_text:
            click.echo(f"   region from {r.region_text!r}")


# --- reform metrics -----------------------------------------------------------------

@click.command("metrics")
@click.option("--aliases", is_flag=True, help="Also the alias patterns of each metric.")
def metrics_cmd(aliases):
    """List the metric keys with their Chinese names, units and plausible ranges.

    Any verb's --metric takes the key, the Chinese name or a text an alias matches.

    \b
    Example:
      reform metrics --aliases
    """
    from extract.cli import format_table
    from extract.codebook import metric_defs
    from extract.patterns import load_patterns
    raw = load_patterns("metrics").raw.get("metrics") or {}
    rows = []
    for k, d in metric_defs().items():
        rng = f"{d['range'][0]}–{d['range'][1]}" if d["range"] else ""
        row = [k, d["zh"], d["unit"], rng]
        if aliases:
            row.append(" | ".join(raw.get(k, {}).get("aliases") or []))
        rows.append(row)
    headers = ["key", "中文", "unit", "range"] + (["aliases"] if aliases else [])
    if aliases:     # whole patterns, not cut at the table's cell width
        for r in rows:
            click.echo("\t".join(map(str, r)))
        return
    click.echo(format_table(headers, rows))


# --- reform regions -----------------------------------------------------------------

def lookup_regions(query: str) -> tuple[list[dict], str]:
    """(gazetteer rows, how they matched): exact code or name first, then any name
    containing *query*."""
    from extract.regions import Gazetteer
    rows = list(Gazetteer.load().rows())
    q = query.strip()
    exact = [r for r in rows if q in (r["code"], r["full_name"], r["name"], r["short"])
             or q in (r.get("aliases") or [])]
    if exact:
        return exact, "exact"
    part = [r for r in rows if any(q in (n or "") for n in
                                   (r["full_name"], r["name"], *(r.get("aliases") or [])))]
    return part, "contains"


@click.command("regions")
@click.argument("name")
def regions_cmd(name):
    """Look a region up in the gazetteer by any name: code, full, short or former name
    (exit 2 when nothing matches).

    \b
    Example:
      reform regions 朝阳区
    """
    from extract.cli import format_table
    rows, how = lookup_regions(name)
    if not rows:
        raise click.UsageError(f"no region named {name!r} or with {name!r} in its name")
    if how == "contains":
        click.echo(f"no region is called {name!r}; {len(rows)} have it in their name:")
    elif len(rows) > 1:
        click.echo(f"{name!r} names {len(rows)} regions: give the code or the full name "
                   "to a verb")
    click.echo(format_table(
        ["code", "full_name", "level", "parent", "valid", "former/other names"],
        [[r["code"], r["full_name"], r["level"], r["parent"] or "",
          f"{r['valid_from'] or ''}–{r['valid_to'] or ''}" if r["valid_from"] or r["valid_to"]
          else "", "、".join(r.get("aliases") or [])] for r in rows[:200]]))
    if len(rows) > 200:
        click.echo(f"… and {len(rows) - 200} more")
