"""One resolver for the region, metric and document arguments of every verb.

    region = resolve_region(conn, "湘潭")            # code, full, short or former name
    codes = region_codes(conn, "湖南省", include_children=True)
    key = resolve_metric("参合率")                   # key, Chinese name or alias
    doc = resolve_doc(conn, "hn_2010")

An argument that names nothing, or several things, raises `ResolveError` (a
`click.UsageError`: the command exits 2) with the candidates, so a filter never
silently selects nothing.
"""
from __future__ import annotations

import difflib
import sqlite3

import click

from extract.diff import Region, RegionError, _region_rows, descendants
from extract.diff import resolve_region as _diff_resolve_region

MAX_CANDIDATES = 12


class ResolveError(click.UsageError):
    """An argument naming no region/metric/document, or several (exit 2, with candidates)."""


def _listing(items: list[str]) -> str:
    more = f" … ({len(items) - MAX_CANDIDATES} more)" if len(items) > MAX_CANDIDATES else ""
    return ", ".join(items[:MAX_CANDIDATES]) + more


# --- regions ------------------------------------------------------------------------

def region_candidates(conn, query: str) -> list[str]:
    """``code full_name`` of units whose names contain *query* or are close to it."""
    q = query.strip()
    rows = _region_rows(conn)
    if not rows:
        rows = [{"code": c, "full_name": n, "name": n, "short": None, "aliases": []}
                for c, n in conn.execute("SELECT DISTINCT region_code, region FROM metrics "
                                         "WHERE region_code IS NOT NULL")]
    hits = []
    for r in rows:
        names = [r.get("full_name"), r.get("name"), r.get("short"), *r.get("aliases", [])]
        names = [n for n in names if n]
        if any(q in n or (len(n) >= 2 and n in q) for n in names):
            hits.append(r)
    if not hits:
        by_name = {}
        for r in rows:
            for n in (r.get("full_name"), r.get("name")):
                if n:
                    by_name.setdefault(n, r)
        hits = [by_name[n] for n in difflib.get_close_matches(q, list(by_name), n=8,
                                                               cutoff=0.5)]
    seen, out = set(), []
    for r in hits:
        if r["code"] not in seen:
            seen.add(r["code"])
            out.append(f"{r['code']} {r.get('full_name') or r.get('name')}")
    return out


def resolve_region(conn: sqlite3.Connection, query: str) -> Region:
    """The unit *query* names; `ResolveError` with candidates if none or several."""
    try:
        return _diff_resolve_region(conn, query)
    except RegionError as exc:
        msg = str(exc.message if hasattr(exc, "message") else exc)
        if "names" in msg and "regions:" in msg:        # ambiguous: diff lists them
            raise ResolveError(f"region {msg}") from None
        cands = region_candidates(conn, query)
        hint = f"; did you mean: {_listing(cands)}" if cands else \
            "; `reform regions NAME` looks a region up"
        raise ResolveError(f"unknown region {query!r}{hint}") from None


def region_codes(conn, query: str, include_children: bool = False) -> list[str]:
    """Codes of the unit *query* names (a renamed unit's codes together), and with
    *include_children* every unit below it."""
    r = resolve_region(conn, query)
    codes = list(r.codes)
    if include_children:
        codes += sorted(descendants(conn, codes) - set(codes))
    return codes


# --- metrics ------------------------------------------------------------------------

def _metric_aliases():
    """(key, compiled alias) for every alias of patterns/metrics.yaml."""
    from extract.patterns import load_patterns
    pats = load_patterns("metrics")
    out = []
    for key, d in (pats.raw.get("metrics") or {}).items():
        for a in d.get("aliases") or []:
            try:
                out.append((key, pats.compile(a)))
            except Exception:       # a malformed alias is the pattern tests' business
                continue
    return out


def metric_candidates(query: str) -> list[str]:
    from extract.codebook import metric_defs
    defs = metric_defs()
    q = query.strip()
    hits = [k for k, d in defs.items() if q and (q in d["zh"] or q in k or
                                                 any(p in q for p in d["zh"].split("/")))]
    if not hits:
        names = {d["zh"]: k for k, d in defs.items()} | {k: k for k in defs}
        hits = [names[n] for n in difflib.get_close_matches(q, list(names), n=6, cutoff=0.4)]
    return [f"{k} {defs[k]['zh']}" for k in dict.fromkeys(hits)]


def resolve_metric(query: str | None) -> str | None:
    """The metric key *query* names: its key, its Chinese name (or one part of a name
    like 封顶线/最高支付限额), or a text one of its aliases in patterns/metrics.yaml
    matches whole (新农合参合率); `ResolveError` with candidates otherwise."""
    if query is None:
        return None
    from extract.codebook import metric_defs
    defs = metric_defs()
    q = query.strip()
    if q in defs:
        return q
    low = {k.lower(): k for k in defs}
    if q.lower() in low:
        return low[q.lower()]
    for test in (lambda d: d["zh"] == q, lambda d: q in d["zh"].split("/")):
        hits = [k for k, d in defs.items() if test(d)]
        if len(hits) == 1:
            return hits[0]
    aliases = _metric_aliases()
    hits = list(dict.fromkeys(k for k, rx in aliases if rx.fullmatch(q)))
    if not hits:        # an alias ending the text, as the linker reads 新农合参合率
        hits = list(dict.fromkeys(k for k, rx in aliases
                                  if any(m.end() == len(q) for m in rx.finditer(q))))
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise ResolveError(f"metric {query!r} is ambiguous: "
                           + _listing([f"{k} {defs[k]['zh']}" for k in hits])
                           + "; give the key")
    cands = metric_candidates(q)
    hint = f"; did you mean: {_listing(cands)}" if cands else ""
    raise ResolveError(f"unknown metric {query!r}{hint} (`reform metrics` lists them all)")


# --- documents ----------------------------------------------------------------------

def resolve_doc(conn, query: str | None) -> str | None:
    """*query* if a stored document has that id; `ResolveError` with near ids otherwise."""
    if query is None:
        return None
    if conn.execute("SELECT 1 FROM documents WHERE doc_id = ?", (query,)).fetchone():
        return query
    ids = [d for (d,) in conn.execute("SELECT doc_id FROM documents ORDER BY doc_id")]
    cands = [d for d in ids if query in d] or sorted(
        difflib.get_close_matches(query, ids, n=8, cutoff=0.5))
    hint = f"; did you mean: {_listing(cands)}" if cands else \
        f" ({len(ids)} documents stored; `reform stats --by doc` lists them)"
    raise ResolveError(f"unknown document {query!r}{hint}")


def resolve_year(conn, year: int | None) -> int | None:
    """*year* unchanged; a message (exit 2) when it is not a plausible year."""
    if year is not None and not 1949 <= year <= 2100:
        raise ResolveError(f"year {year} is not a year between 1949 and 2100")
    return year


# --- the filters of a verb ------------------------------------------------------------

def resolve_filters(db, filters: dict, include_children: bool = False) -> dict:
    """A verb's --region/--metric/--doc/--year checked (exit 2 with the candidates when one
    names nothing or several); the metric as its key, the region kept as given."""
    from extract.store import open_readonly
    if include_children and not filters.get("region"):
        raise click.UsageError("--include-children needs --region")
    conn = open_readonly(db)
    try:
        out = dict(filters)
        if filters.get("region") is not None:
            resolve_region(conn, filters["region"])     # kept as given (codebook)
        out["metric"] = resolve_metric(filters.get("metric"))
        if "doc" in filters:
            out["doc"] = resolve_doc(conn, filters.get("doc"))
        if "year" in filters:
            out["year"] = resolve_year(conn, filters.get("year"))
    finally:
        conn.close()
    if include_children:
        out["include_children"] = True
    return out
