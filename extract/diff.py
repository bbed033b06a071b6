"""Compare two regions metric by metric: ``reform diff A B``.

A and B are given by code (``420600``), full name (``湖北省襄阳市``), name (``襄阳市``),
short name (``襄阳``) or an alias / former name (``襄樊``), resolved through the
``regions`` table (the first of these that matches wins; a name shared by several units
is refused with the candidates listed, so give the code or the full name).  A renamed
unit's former and later codes count as the same region: a unit whose aliases name the
other's full name or code.  When the ``regions`` table is empty, names are matched
against the regions of the stored records.

Rows: one per metric and year (``--year`` keeps one year, ``--metric`` one metric).  A
metric stated for one side only is listed with the other side empty (status ``only A`` /
``only B``).  Records without a year form their own row (year empty).  Reports of two
places seldom speak of the same years, so ``--latest`` makes one row per metric instead,
each side taking the records of its latest year (of the region itself when it has any,
of the best kind it has: level, change, target; undated records only when no record
is dated) before the rule below; the row shows both years when they differ
(``2009/2012``).

**Which value is compared.**  Every stored value for the region, metric and year is
shown; the one the difference is computed from is the first by this rule:

1. a record about the region itself before one about a sub-region (``--include-children``),
   and before one about a sub-unit below the gazetteer (a town, a hospital: ``subunit``);
2. kind ``level`` before ``change`` before ``target``;
3. the value reached before the starting value of 由X提高到Y (``role = from``);
4. a value before a masked one (``**万人``);
5. the latest document date first (documents without a date last);
6. a record without qualifier (约, 以上, 不足 …) before one with;
7. a single value before a range;
8. the first by document id, then offset in the document.

Only like is compared with like: records of one metric but another scope (``scheme``,
``setting``, ``population``, ``basis``: 门诊 and 住院 次均费用, 新农合 and 职工医保 报销比例)
form rows of their own, labelled with their scope.

`reform export --layout panel` fills its cells by the same rule (`rank_key`).

**The difference** is B − A, computed only when both chosen values have the same kind
and unit and are single values.  For a share in % the difference is in 百分点
(percentage points); for amounts (元, 人, 人次, 张) the ratio B / A is given too.
"""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import click

from extract.codebook import metric_defs
from extract.scope import scope_key, scope_label, scope_rank
from extract.store import open_readonly

AMOUNT_UNITS = {"元", "人", "人次", "张"}
KIND_ORDER = {"level": 0, "change": 1, "target": 2}
QUALIFIER_SIGN = {"approx": "≈", "at_least": "≥", "more_than": ">", "at_most": "≤",
                  "less_than": "<"}
KIND_ZH = {"level": "", "change": "变化", "target": "目标"}
FORMATS = ("table", "csv", "md", "json")


class RegionError(click.UsageError):
    """A region argument that names no unit, or several."""


# --- regions ------------------------------------------------------------------------------

@dataclass
class Region:
    code: str
    full_name: str
    name: str | None = None
    level: str | None = None
    parent: str | None = None
    codes: list = field(default_factory=list)     # this code and a renamed unit's other codes


def _aliases(raw) -> list[str]:
    if not raw:
        return []
    try:
        v = json.loads(raw)
    except (TypeError, ValueError):
        return [a for a in str(raw).split("|") if a]
    return [str(a) for a in v] if isinstance(v, list) else [str(v)]


def _region_rows(conn) -> list[dict]:
    try:
        cur = conn.execute("SELECT code, name, full_name, short, level, parent, aliases "
                           "FROM regions")
    except sqlite3.OperationalError:
        return []
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r), aliases=_aliases(r[-1])) for r in cur.fetchall()]


def resolve_region(conn: sqlite3.Connection, query: str) -> Region:
    """The unit *query* names (code, full name, name, short name or alias)."""
    q = query.strip()
    rows = _region_rows(conn)
    if not rows:
        return _resolve_from_records(conn, q)
    tiers = (lambda r: r["code"] == q, lambda r: r["full_name"] == q, lambda r: r["name"] == q,
             lambda r: r["short"] == q, lambda r: q in r["aliases"])
    for test in tiers:
        hits = [r for r in rows if test(r)]
        if len(hits) > 1:
            raise RegionError(
                f"{query!r} names {len(hits)} regions: "
                + ", ".join(f"{r['code']} {r['full_name']}" for r in hits[:12])
                + (" …" if len(hits) > 12 else "") + "; give the code or the full name")
        if hits:
            r = hits[0]
            codes = [r["code"]]
            for o in rows:      # renamed units: either names the other in its aliases
                if o["code"] != r["code"] and (
                        r["full_name"] in o["aliases"] or r["code"] in o["aliases"]
                        or o["full_name"] in r["aliases"] or o["code"] in r["aliases"]):
                    codes.append(o["code"])
            return Region(r["code"], r["full_name"] or r["name"], r["name"], r["level"],
                          r["parent"], codes)
    raise RegionError(f"no region {query!r} in the regions table")


def _resolve_from_records(conn, q: str) -> Region:
    pairs = conn.execute("SELECT DISTINCT region_code, region FROM metrics "
                         "WHERE region_code IS NOT NULL").fetchall()
    for test in (lambda c, n: c == q, lambda c, n: n == q, lambda c, n: (n or "").endswith(q)):
        hits = sorted({c: n for c, n in pairs if test(c, n)}.items())
        if len(hits) > 1:
            raise RegionError(f"{q!r} names {len(hits)} regions: "
                              + ", ".join(f"{c} {n}" for c, n in hits) + "; give the code")
        if hits:
            return Region(hits[0][0], hits[0][1] or hits[0][0], codes=[hits[0][0]])
    raise RegionError(f"no region {q!r} among the stored records (the regions table is empty)")


def descendants(conn: sqlite3.Connection, codes) -> set[str]:
    """Codes of every unit below *codes* (by ``regions.parent``; by code prefix without it)."""
    rows = _region_rows(conn)
    out: set[str] = set()
    if rows and "000000" in codes:          # 全国: every unit (provinces have no parent)
        return {r["code"] for r in rows} - set(codes)
    if rows:
        children: dict[str, list[str]] = {}
        for r in rows:
            if r["parent"]:
                children.setdefault(r["parent"], []).append(r["code"])
        todo = list(codes)
        while todo:
            for c in children.get(todo.pop(), []):
                if c not in out:
                    out.add(c)
                    todo.append(c)
        return out - set(codes)
    for code in codes:
        prefix = code.rstrip("0")
        prefix = prefix + "0" * (len(prefix) % 2)       # whole digit pairs: 43 / 4304
        if code == "000000":
            prefix = ""
        out |= {c for (c,) in conn.execute(
            "SELECT DISTINCT region_code FROM metrics WHERE region_code LIKE ?", (prefix + "%",))}
    return out - set(codes)


# --- values and the rule ------------------------------------------------------------------

@dataclass
class Value:
    """One stored record as the diff shows it."""
    id: int
    doc_id: str
    doc_date: str | None
    metric: str
    kind: str
    value: float | None
    value_high: float | None
    unit: str
    qualifier: str | None
    text: str
    region: str | None
    region_code: str | None
    year: int | None
    masked: bool
    suspect: bool
    start: int
    end: int
    snippet: str
    own: bool = True          # about the region itself (False: a sub-region)
    role: str | None = None
    scheme: str | None = None
    setting: str | None = None
    population: str | None = None
    basis: str | None = None
    subunit: str | None = None
    record_id: str | None = None


def rank_key(v, own: bool = True) -> tuple:
    """Sort key of the rule in the module docstring: the smallest is the value compared.

    *v* is a `Value`, a `Record` or a row mapping with the `metrics` columns plus
    ``doc_date`` (the document's date).
    """
    get = (lambda k, d=None: v.get(k, d)) if isinstance(v, dict) else \
        (lambda k, d=None: getattr(v, k, d))
    date = get("doc_date") or ""
    return (0 if own else 1,
            1 if get("subunit") else 0,                         # the region, not a town in it
            KIND_ORDER.get(get("kind"), 3),
            1 if get("role") == "from" else 0,                  # Y of 由X提高到Y before X
            1 if get("value") is None else 0,
            0 if date else 1,                                   # dated documents first,
            tuple(-ord(c) for c in date),                       # the latest first
            1 if get("qualifier") else 0,
            1 if get("value_high") is not None else 0,
            get("doc_id") or get("doc") or "",
            get("start") or 0,
            get("id") or 0)


def pick(values: list[Value]) -> tuple[Value | None, list[Value]]:
    """The value the diff compares and the others, in rule order."""
    ordered = sorted(values, key=lambda v: rank_key(v, v.own))
    return (ordered[0] if ordered else None), ordered[1:]


@dataclass
class Side:
    chosen: Value | None = None
    others: list = field(default_factory=list)

    @property
    def n(self) -> int:
        return (self.chosen is not None) + len(self.others)


@dataclass
class DiffRow:
    metric: str
    zh: str
    year: int | None
    a: Side
    b: Side
    status: str                      # both | only A | only B
    difference: float | None = None  # B − A
    difference_unit: str | None = None
    ratio: float | None = None       # B / A for amounts
    note: str = ""
    scope: tuple = ()                # ((field, code), …): what the row's values are of


@dataclass
class Diff:
    a: Region
    b: Region
    year: int | None
    metric: str | None
    include_children: bool
    rows: list
    latest: bool = False


def _connect(db):
    if isinstance(db, sqlite3.Connection):
        return db, False
    return open_readonly(db), True


def _load_values(conn, region: Region, include_children: bool, year, metric) -> list[Value]:
    own = set(region.codes)
    codes = own | (descendants(conn, region.codes) if include_children else set())
    sql = ("SELECT m.*, d.date AS doc_date FROM metrics m LEFT JOIN documents d "
           "ON d.doc_id = m.doc_id WHERE m.region_code IN (SELECT value FROM json_each(?))")
    params: list = [json.dumps(sorted(codes))]
    if year is not None:
        sql += " AND m.year = ?"
        params.append(year)
    if metric is not None:
        sql += " AND m.metric = ?"
        params.append(metric)
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    names = Value.__dataclass_fields__
    out = []
    for row in cur.execute(sql, params):
        d = {k: row[k] for k in row.keys() if k in names}
        d["masked"], d["suspect"] = bool(d["masked"]), bool(d["suspect"])
        out.append(Value(**d, own=row["region_code"] in own))
    return out


def compare(a: Value | None, b: Value | None) -> tuple[float | None, str | None, float | None,
                                                       str]:
    """(difference B − A, its unit, ratio B / A, note) of two chosen values."""
    if a is None or b is None:
        return None, None, None, ""
    if a.kind != b.kind:
        return None, None, None, f"not compared: kinds differ ({a.kind} / {b.kind})"
    if a.unit != b.unit:
        return None, None, None, f"not compared: units differ ({a.unit} / {b.unit})"
    if a.value is None or b.value is None:
        return None, None, None, "not compared: masked value"
    if a.value_high is not None or b.value_high is not None:
        return None, None, None, "not compared: a range"
    d = round(b.value - a.value, 10)
    unit = "百分点" if a.unit in ("%", "百分点") else a.unit
    ratio = None
    if a.unit in AMOUNT_UNITS and a.value != 0:
        ratio = round(b.value / a.value, 10)
    note = ""
    if a.qualifier or b.qualifier:
        note = "approximate: a qualified value"
    return d, unit, ratio, note


def _latest(values: list[Value]) -> list[Value]:
    """The values of the latest year, among the region's own values if it has any and
    of the best kind there is (a 2009 level is compared rather than a 2010 target)."""
    if any(v.own for v in values):
        values = [v for v in values if v.own]
    if values:
        best = min(KIND_ORDER.get(v.kind, 3) for v in values)
        values = [v for v in values if KIND_ORDER.get(v.kind, 3) == best]
    dated = [v for v in values if v.year is not None]
    if not dated:
        return values
    last = max(v.year for v in dated)
    return [v for v in dated if v.year == last]


def diff(db, a: str, b: str, year: int | None = None, metric: str | None = None,
         include_children: bool = False, latest: bool = False) -> Diff:
    """Compare regions *a* and *b* (see the module docstring)."""
    if latest and year is not None:
        raise click.UsageError("--latest compares each side's latest year; drop --year")
    conn, close = _connect(db)
    try:
        from extract import resolve     # the one resolver of every verb (candidates)
        ra, rb = resolve.resolve_region(conn, a), resolve.resolve_region(conn, b)
        metric = resolve.resolve_metric(metric)
        va = _load_values(conn, ra, include_children, year, metric)
        vb = _load_values(conn, rb, include_children, year, metric)
    finally:
        if close:
            conn.close()
    defs = metric_defs()
    order = {k: i for i, k in enumerate(defs)}
    groups: dict[tuple, tuple[list, list]] = {}
    for side, values in ((0, va), (1, vb)):
        for v in values:      # like with like: one row per metric, scope and year
            groups.setdefault((v.metric, scope_key(v), None if latest else v.year),
                              ([], []))[side].append(v)
    rows = []
    for (m, sk, y), (la, lb) in sorted(groups.items(), key=lambda kv: (
            order.get(kv[0][0], len(order)), kv[0][0], scope_rank(kv[0][1]), kv[0][2] is None,
            kv[0][2] or 0)):
        if latest:
            la, lb = _latest(la), _latest(lb)
            years = {v.year for v in la + lb}
            y = years.pop() if len(years) == 1 else None
        sa, sb = Side(*pick(la)), Side(*pick(lb))
        status = "both" if la and lb else ("only A" if la else "only B")
        d, unit, ratio, note = compare(sa.chosen, sb.chosen)
        if d is not None and sa.chosen.year != sb.chosen.year:
            note = "; ".join(filter(None, [note, f"years differ ({_row_year_of(sa, sb)})"]))
        zh = defs.get(m, {}).get("zh", m)
        if sk:
            zh += f"（{scope_label(sk)}）"
        rows.append(DiffRow(m, zh, y, sa, sb, status, d, unit, ratio, note, scope=sk))
    return Diff(ra, rb, year, metric, include_children, rows, latest)


# --- output ---------------------------------------------------------------------------------

def char_width(c: str) -> int:
    if unicodedata.combining(c) or unicodedata.category(c) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def display_width(s: str) -> int:
    """Terminal columns *s* takes: wide CJK characters count two."""
    return sum(char_width(c) for c in s)


def fit(s: str, width: int) -> str:
    """*s* cut to at most *width* columns (with … when cut)."""
    if display_width(s) <= width:
        return s
    out, w = [], 0
    for c in s:
        cw = char_width(c)
        if w + cw > width - 1:
            break
        out.append(c)
        w += cw
    return "".join(out) + "…"


def pad(s: str, width: int) -> str:
    return s + " " * max(0, width - display_width(s))


def fmt_num(x: float | None) -> str:
    if x is None:
        return ""
    if float(x).is_integer():
        return f"{x:,.0f}"
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def fmt_value(v: Value | None) -> str:
    """A value as a reader says it: ≈98.5 %, 50–70 %, ** 人, 30 % (目标)."""
    if v is None:
        return "—"
    if v.value is None:
        num = "**"
    else:
        num = fmt_num(v.value)
        if v.value_high is not None:
            num += "–" + fmt_num(v.value_high)
    s = QUALIFIER_SIGN.get(v.qualifier or "", "") + num + (" " + v.unit if v.unit else "")
    if KIND_ZH.get(v.kind):
        s += f" ({KIND_ZH[v.kind]})"
    if not v.own:
        s += f" [{v.region or v.region_code}]"
    if v.suspect:
        s += " ?"
    return s


def fmt_diff(r: DiffRow) -> str:
    if r.difference is None:
        return ""
    return ("+" if r.difference > 0 else "") + fmt_num(r.difference) + " " + r.difference_unit


def fmt_source(v: Value | None, width: int | None = None) -> str:
    if v is None:
        return ""
    snippet = " ".join((v.snippet or "").split())
    s = f"{v.doc_id}: {snippet}"
    return fit(s, width) if width else s


def _year(y) -> str:
    return "" if y is None else str(y)


def _row_year_of(a: Side, b: Side) -> str:
    ya = a.chosen.year if a.chosen else None
    yb = b.chosen.year if b.chosen else None
    if a.chosen and b.chosen and ya != yb:
        return f"{_year(ya) or '?'}/{_year(yb) or '?'}"
    return _year(ya if a.chosen else yb)


def row_year(r: DiffRow) -> str:
    """The row's year, or both years (A/B) when the values compared are of different years."""
    return _year(r.year) if r.year is not None else _row_year_of(r.a, r.b)


def _value_json(v: Value | None) -> dict | None:
    return None if v is None else asdict(v)


def _side_json(side: Side) -> dict:
    return {"chosen": _value_json(side.chosen), "others": [asdict(o) for o in side.others]}


def to_json(d: Diff) -> dict:
    return {
        "a": asdict(d.a), "b": asdict(d.b), "year": d.year, "metric": d.metric,
        "include_children": d.include_children, "latest": d.latest,
        "difference": "B - A", "rule": __doc__.split("**Which value is compared.**")[1]
        .split("**The difference**")[0].strip(),
        "rows": [{"metric": r.metric, "zh": r.zh, "year": r.year, "status": r.status,
                  "scope": dict(r.scope),
                  "a": _side_json(r.a), "b": _side_json(r.b),
                  "difference": r.difference, "difference_unit": r.difference_unit,
                  "ratio": r.ratio, "note": r.note} for r in d.rows],
    }


CSV_COLUMNS = ["metric", "zh", "year", "status", "scope",
               *[f"{s}_{c}" for s in "ab" for c in (
                   "year", "value", "value_high", "unit", "kind", "qualifier", "text",
                   "region_code",
                   "doc", "doc_date", "start", "snippet", "record_id", "n", "others")],
               "difference", "difference_unit", "ratio", "note"]


def _others(side: Side) -> str:
    return "; ".join(f"{fmt_value(o)} ({o.doc_id}@{o.start})" for o in side.others)


def to_csv_rows(d: Diff) -> list[dict]:
    out = []
    for r in d.rows:
        row = {"metric": r.metric, "zh": r.zh, "year": r.year, "status": r.status,
               "scope": ";".join(f"{f}={c}" for f, c in r.scope)}
        for name, side in (("a", r.a), ("b", r.b)):
            v = side.chosen
            for c, attr in (("year", "year"), ("value", "value"), ("value_high", "value_high"),
                            ("unit", "unit"),
                            ("kind", "kind"), ("qualifier", "qualifier"), ("text", "text"),
                            ("region_code", "region_code"), ("doc", "doc_id"),
                            ("doc_date", "doc_date"), ("start", "start"), ("snippet", "snippet"),
                            ("record_id", "record_id")):
                row[f"{name}_{c}"] = getattr(v, attr) if v else None
            row[f"{name}_n"] = side.n
            row[f"{name}_others"] = _others(side)
        row.update(difference=r.difference, difference_unit=r.difference_unit, ratio=r.ratio,
                   note=r.note)
        out.append(row)
    return out


def _title(d: Diff) -> list[str]:
    lines = [f"A: {d.a.full_name} ({d.a.code})", f"B: {d.b.full_name} ({d.b.code})"]
    if d.year is not None:
        lines.append(f"year: {d.year}")
    if d.include_children:
        lines.append("including sub-regions")
    if d.latest:
        lines.append("each side's latest year")
    return lines


def _summary(d: Diff) -> str:
    both = sum(r.status == "both" for r in d.rows)
    def one_side(status):
        return [f"{r.zh} {row_year(r)}".strip() for r in d.rows if r.status == status]
    only_a, only_b = one_side("only A"), one_side("only B")
    return (f"{len(d.rows)} rows: {both} on both sides; only A: {', '.join(only_a) or '—'}; "
            f"only B: {', '.join(only_b) or '—'}")


SOURCE_WIDTH = 36


def format_table(d: Diff) -> str:
    """The diff as an aligned terminal table (wide CJK characters count two columns)."""
    headers = ["指标", "年份", "A", "B", "B−A", "B/A", "A 来源", "B 来源"]
    body: list[list[str]] = []
    for r in d.rows:
        body.append([r.zh, row_year(r), fmt_value(r.a.chosen), fmt_value(r.b.chosen),
                     fmt_diff(r), "" if r.ratio is None else f"{r.ratio:.3g}×",
                     fmt_source(r.a.chosen, SOURCE_WIDTH), fmt_source(r.b.chosen, SOURCE_WIDTH)])
        extra = [(lbl, o) for lbl, side in (("A", r.a), ("B", r.b)) for o in side.others]
        for lbl, o in extra:
            body.append(["", "", *(["  · " + fmt_value(o), ""] if lbl == "A"
                                   else ["", "  · " + fmt_value(o)]), "", "",
                         *([fmt_source(o, SOURCE_WIDTH), ""] if lbl == "A"
                           else ["", fmt_source(o, SOURCE_WIDTH)])])
        if r.note:
            body.append(["", "", f"  ({r.note})", "", "", "", "", ""])
    widths = [max(display_width(x) for x in col) for col in zip(headers, *body)]
    # a note spans the value columns: do not let it widen column A
    widths[2] = max([display_width(headers[2])] + [display_width(row[2]) for row in body
                                                    if not row[2].startswith("  (")])

    def line(cells):
        return "  ".join(pad(c, w) for c, w in zip(cells, widths)).rstrip()
    out = _title(d) + ["", line(headers), line(["─" * w for w in widths])]
    out += [line(row) for row in body]
    out += ["", "B−A: difference B minus A (百分点 for shares); B/A for amounts; "
                "· another value for the same metric and year (not compared)",
            _summary(d)]
    return "\n".join(out)


def _md(s) -> str:
    return "" if s is None else str(s).replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def format_md(d: Diff) -> str:
    out = [f"**A**: {_md(d.a.full_name)} ({d.a.code}) · **B**: {_md(d.b.full_name)} ({d.b.code})"
           + (f" · year {d.year}" if d.year is not None else ""), "",
           "| 指标 | metric | 年份 | A | B | B−A | B/A | A 来源 | B 来源 | other values |",
           "|---|---|---|---|---|---|---|---|---|---|"]
    for r in d.rows:
        others = "; ".join([f"A: {fmt_value(o)} ({o.doc_id})" for o in r.a.others]
                           + [f"B: {fmt_value(o)} ({o.doc_id})" for o in r.b.others])
        if r.note:
            others = (others + "; " if others else "") + r.note
        out.append("| " + " | ".join(_md(x) for x in (
            r.zh, r.metric, row_year(r), fmt_value(r.a.chosen), fmt_value(r.b.chosen),
            fmt_diff(r), "" if r.ratio is None else f"{r.ratio:.3g}",
            fmt_source(r.a.chosen), fmt_source(r.b.chosen), others)) + " |")
    out += ["", _summary(d)]
    return "\n".join(out) + "\n"


def format_diff(d: Diff, fmt: str = "table") -> str:
    if fmt == "json":
        return json.dumps(to_json(d), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, CSV_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(to_csv_rows(d))
        return buf.getvalue()
    if fmt == "md":
        return format_md(d)
    return format_table(d) + "\n"


@click.command("diff")
@click.argument("a")
@click.argument("b")
@click.option("--year", type=int, help="Only this year.")
@click.option("--metric", help="Only this metric (key or Chinese name).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--include-children", is_flag=True,
              help="Also use records of the regions' sub-regions (the region's own first).")
@click.option("--latest", is_flag=True,
              help="One row per metric: each side's latest year (the years may differ).")
@click.option("--db", default="outputs/reform.db", show_default=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="SQLite database")
def diff_command(a, b, year, metric, fmt, include_children, latest, db):
    """Compare regions A and B metric by metric (name, short name or code).

    One row per metric and year; every stored value is shown and the one compared is
    chosen by a fixed rule: level first, then the latest document, then a value without
    qualifier, then the first by offset.  A name that is unknown or names several
    regions exits 2 with the candidates.

    \b
    Example:
      reform diff 湖南省 湖北省 --metric 参合率 --latest
    """
    d = diff(db, a, b, year=year, metric=metric, include_children=include_children,
             latest=latest)
    click.echo(format_diff(d, fmt), nl=False)
