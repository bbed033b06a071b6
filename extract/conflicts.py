"""Cells of the dataset and the records that compete for them: the panel's choice, its
provenance, and ``reform conflicts``.

A *cell* is one region × year × metric × unit × scope (``scheme``, ``setting``,
``population``, ``basis``; `extract.scope`) × kind.  Only records of one cell are ever
compared: a 门诊 次均费用 never competes with a 住院 one, nor 住院人数 in 人 with 住院人次 in
人次.  Records about a sub-unit (a town, a hospital: ``subunit``) form cells of their own
and never fill the region's.  The value a cell shows is the first of its candidates by
`extract.diff.rank_key`; the cell is in *conflict* when its candidates (other than the
starting values of 由X提高到Y, and masked ones) hold more than one value.

`panel_cells` is what `reform export --layout panel` is made of; `find_conflicts` is
`reform conflicts`.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import click

from extract.scope import SCOPE_FIELDS, scope_key, scope_label

# the unit in a panel column's name when a metric's value is stated in another unit than
# its own (住院人数 in 人 beside 住院人次): inpatient_admissions__persons
UNIT_CODES = {"人": "persons", "人次": "visits", "元": "yuan", "%": "pct", "百分点": "points",
              "天": "days", "张": "beds", "个": "units", "家": "institutions"}
PANEL_SCOPE = ("scheme", "setting", "population")    # basis belongs to changes only

# what each element of `rank_key` decides, in its order
RANK_REASONS = (
    "the region's own record before a sub-region's",
    "a record about the region before one about a sub-unit",
    "kind level before change before target",
    "the value reached (Y of 由X提高到Y) before the starting value X",
    "a value before a masked one",
    "a dated document before an undated one",
    "the latest document",
    "a value without qualifier (约, 以上 …) before a qualified one",
    "a single value before a range",
    "the first by document id (the rule's last resort)",
    "the first by offset in the document (the rule's last resort)",
    "the first stored",
)


@dataclass
class Cell:
    key: tuple                       # (region_code, year, column)
    candidates: list = field(default_factory=list)   # row dicts, best first after `close`

    @property
    def chosen(self) -> dict:
        return self.candidates[0]

    @property
    def n(self) -> int:
        return len(self.candidates)

    def close(self):
        from extract.diff import rank_key
        self.candidates.sort(key=rank_key)
        return self

    def values(self) -> list:
        """The distinct values its comparable candidates hold (starting values of 由X提高到Y
        only when nothing else is there; masked values never)."""
        rows = [r for r in self.candidates if r.get("value") is not None]
        reached = [r for r in rows if r.get("role") != "from"]
        return sorted({_v(r) for r in (reached or rows)}, key=lambda v: (v[0], v[1] or 0))

    @property
    def conflict(self) -> bool:
        return len(self.values()) > 1

    def why(self) -> str:
        """Why the chosen record is shown rather than the best one holding another value."""
        from extract.diff import rank_key
        if self.n < 2:
            return "the only record"
        other = next((r for r in self.candidates[1:] if _v(r) != _v(self.chosen)), None)
        if other is None:
            return "every record gives this value"
        a, b = rank_key(self.chosen), rank_key(other)
        i = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), len(RANK_REASONS) - 1)
        return RANK_REASONS[min(i, len(RANK_REASONS) - 1)]


def _v(r) -> tuple:
    return (round(float(r["value"]), 6) if r.get("value") is not None else None,
            round(float(r["value_high"]), 6) if r.get("value_high") is not None else None)


def column_name(metric: str, unit: str, metric_unit: str, scope: tuple) -> str:
    """The panel column of a level: the metric, its unit when not the metric's own, then
    its scope codes: ``per_visit_cost__inpatient``, ``inpatient_admissions__persons``."""
    parts = [metric]
    if unit != metric_unit:
        parts.append(UNIT_CODES.get(unit, unit or "nounit"))
    parts += [code for _f, code in scope]
    return "__".join(parts)


def column_label(metric: str, unit: str, metric_unit: str, scope: tuple, zh: str) -> str:
    """The column's Chinese title: 次均费用（住院）, 住院人次（人）."""
    extra = ([unit] if unit != metric_unit else []) + ([scope_label(scope)] if scope else [])
    return zh + (f"（{'·'.join(extra)}）" if extra else "")


def left_out_reason(r: dict) -> str | None:
    """Why a record does not enter the panel, or None when it does."""
    if r.get("kind") != "level":
        return f"kind {r.get('kind')} (changes and targets are in the long layout)"
    if r.get("region_code") is None:
        return "no region"
    if r.get("year") is None:
        return "no year"
    if r.get("subunit"):
        return "about a sub-unit (town, hospital, 医共体) of the region, not the region"
    return None


def panel_cells(rows, defs: dict, keys) -> tuple[dict, Counter, dict]:
    """(cells {(region_code, year, column): Cell}, left out {reason: n}, columns
    {column: (metric, unit, scope)}) from the joined rows of `extract.export._query_rows`."""
    keys = set(keys)
    cells: dict[tuple, Cell] = {}
    left: Counter = Counter()
    columns: dict[str, tuple] = {}
    for r in rows:
        if r["metric"] not in keys:
            continue
        reason = left_out_reason(r)
        if reason:
            left[reason] += 1
            continue
        sk = scope_key(r, PANEL_SCOPE)
        unit = r["unit"] or ""
        col = column_name(r["metric"], unit, defs[r["metric"]]["unit"], sk)
        columns.setdefault(col, (r["metric"], unit, sk))
        cells.setdefault((r["region_code"], r["year"], col), Cell((r["region_code"], r["year"],
                                                                   col))).candidates.append(r)
    for c in cells.values():
        c.close()
    return cells, left, columns


def group_key(r: dict) -> tuple:
    """The cell of any record (every kind): region, year, metric, kind, unit, scope, sub-unit."""
    return (r.get("region_code"), r.get("year"), r["metric"], r["kind"], r.get("unit") or "",
            scope_key(r, SCOPE_FIELDS), r.get("subunit"))


def find_conflicts(db, region=None, metric=None, year=None) -> list[Cell]:
    """Every cell (region × metric × year × kind × unit × scope) whose records disagree,
    with its candidates best first (see the module docstring)."""
    from extract.export import _query_rows
    from extract.store import open_readonly
    conn = open_readonly(db)
    try:
        rows = _query_rows(conn, {"region": region, "metric": metric, "year": year},
                           "region_code IS NOT NULL AND year IS NOT NULL")
    finally:
        conn.close()
    groups: dict[tuple, Cell] = {}
    for r in rows:
        k = group_key(r)
        groups.setdefault(k, Cell(k)).candidates.append(r)
    out = [c.close() for c in groups.values() if len(c.candidates) > 1]
    out = [c for c in out if c.conflict]
    return sorted(out, key=lambda c: (c.key[0], c.key[2], c.key[1], c.key[3], c.key[4],
                                      c.key[5], c.key[6] or ""))


def _fmt(v) -> str:
    if v is None:
        return "**"
    v = float(v)
    return f"{v:,.0f}" if v.is_integer() else f"{v:,.4f}".rstrip("0").rstrip(".")


def _value_text(r: dict) -> str:
    s = _fmt(r.get("value"))
    if r.get("value_high") is not None:
        s += "–" + _fmt(r["value_high"])
    return f"{s} {r.get('unit') or ''}".strip()


def format_conflicts(cells: list[Cell], zh: dict) -> str:
    """The conflicts as text: one block per cell, the chosen value first."""
    if not cells:
        return "no conflicts: every cell's records agree\n"
    out = []
    for c in cells:
        code, year, metric, kind, unit, sk, sub = c.key
        ch = c.chosen
        head = (f"{ch.get('region') or code} ({code}) · {zh.get(metric, metric)} {metric}"
                f" · {kind} · {unit}" + (f" · {scope_label(sk)}" if sk else "")
                + (f" · 子单位 {sub}" if sub else "") + f" · {year}")
        out.append(head)
        out.append(f"  panel/diff value: {_value_text(ch)} ({ch.get('record_id')}) — "
                   f"{c.why()}")
        for r in c.candidates:
            mark = "*" if r is ch else "-"
            role = " [from]" if r.get("role") == "from" else ""
            snippet = " ".join((r.get("snippet") or "").split())
            out.append(f"  {mark} {_value_text(r)}{role}  {r.get('doc_id')} "
                       f"({r.get('doc_date') or 'undated'}) @{r.get('start')} "
                       f"{r.get('record_id')}: {snippet}")
        out.append("")
    out.append(f"{len(cells)} cells with records that disagree")
    return "\n".join(out) + "\n"


def conflicts_json(cells: list[Cell]) -> str:
    keep = ("record_id", "doc_id", "doc_date", "value", "value_high", "unit", "kind", "role",
            "text", "start", "end", "snippet", "qualifier", "masked")
    return json.dumps([{
        "region_code": c.key[0], "year": c.key[1], "metric": c.key[2], "kind": c.key[3],
        "unit": c.key[4], "scope": dict(c.key[5]), "subunit": c.key[6],
        "chosen": c.chosen.get("record_id"), "why": c.why(),
        "candidates": [{k: r.get(k) for k in keep} for r in c.candidates]}
        for c in cells], ensure_ascii=False, indent=2) + "\n"


@click.command("conflicts")
@click.option("--region", help="Only this region (code, full name, name or former name).")
@click.option("--metric", help="Only this metric (key or Chinese name).")
@click.option("--year", type=int, help="Only this year.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--db", default="outputs/reform.db", show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="SQLite database")
def conflicts_command(region, metric, year, fmt, db):
    """List every region x metric x year x scope whose records disagree: each value with
    its document, date and sentence, and the value the panel and diff choose, and why.

    \b
    Example:
      reform conflicts --region 襄阳市 --metric 参合率
    """
    from extract.codebook import metric_defs
    from extract.resolve import resolve_filters
    f = resolve_filters(db, {"region": region, "metric": metric, "year": year})
    cells = find_conflicts(db, f["region"], f["metric"], f["year"])
    if fmt == "json":
        click.echo(conflicts_json(cells), nl=False)
    else:
        zh = {k: d["zh"] for k, d in metric_defs().items()}
        click.echo(format_conflicts(cells, zh), nl=False)
