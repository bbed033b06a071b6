"""Values in table cells, linked through their row and column headers.

A cell's number takes its metric from an alias in one of its headers (地区 | 参合率 |
报销比例, or 指标 | 2016年 | 2017年 with metrics as row headers), its region and year from
the other header, its unit from the cell (98.5%), else from the metric header
(金额（万元）), else from a 单位：万元 line just above the table, else — for shares only —
the metric's own unit. Records from tables say so: ``source = "table"`` with row and column.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from .linker import Linker
from .normalise import normalise
from .numbers import recognise
from .patterns import load_patterns


@dataclass
class TableValue:
    cell: object               # extract.formats.base.Cell
    start: int                 # offsets of the number in the document text
    end: int
    metric: str
    kind: str
    value: Optional[float]
    value_high: Optional[float]
    unit: str
    qualifier: Optional[str]
    masked: bool
    suspect: bool
    region_header: Optional[str]   # the header text naming a region (simplified), if any
    year: Optional[int]            # a year named by a header, if any


@lru_cache(maxsize=1)
def _rules():
    p = load_patterns("tables")
    units = {}
    for surface, spec in p.raw["header_units"].items():
        units[surface] = (spec["unit"], float(spec.get("scale", 1)))
    return p, units


def _header_unit(header: str):
    """(unit, scale) named in a header: 金额（万元）, 门诊量(万人次), 单位:%."""
    p, units = _rules()
    for m in p["HeaderUnit"].finditer(header):
        u = m.group("u")
        if u in units:
            return units[u]
    return None


def _year(header: str) -> Optional[int]:
    p, _ = _rules()
    m = p["HeaderYear"].search(header)
    return int(m.group("y")) if m else None


def table_values(src_text: str, table, linker: Linker) -> list[TableValue]:
    p, _ = _rules()
    caption = src_text[max(0, table.start - 120):table.start]
    caption_unit = None
    cm = p["CaptionUnit"].search(normalise(caption).text)
    if cm:
        caption_unit = _header_unit("(" + cm.group("u") + ")")
    out = []
    for cell in table.cells:
        if cell.header:
            continue
        norm = normalise(cell.text)
        qs = [q for q in recognise(norm.text) if q.value is not None or q.masked]
        if len(qs) != 1:
            continue
        q = qs[0]
        heads = [normalise(h).text for h in (cell.col_header, cell.row_header) if h]
        pick = None
        for h in heads:
            hits = linker.find_aliases(h, 0, len(h))
            if hits:
                best = max(hits, key=lambda a: a.end - a.start)
                pick = (h, (best.metric,) + best.inner)
                break
        if pick is None:
            continue
        metric_head, metrics = pick
        other = [h for h in heads if h is not metric_head]
        kind = "change" if p["ChangeHeader"].search(metric_head) else (
            "target" if p["TargetHeader"].search(metric_head) else "level")
        unit, scale = q.unit, 1.0
        if not unit:
            hu = _header_unit(metric_head) or caption_unit
            if hu is None:
                rule = linker.rules[metrics[0]]
                if rule.unit != "%":
                    continue
                hu = ("%", 1.0)
            unit, scale = hu
        for metric in metrics:
            rule = linker.rules[metric]
            ok_units = rule.change_units if kind == "change" else rule.units
            if unit in ok_units:
                break
        else:
            continue
        value = None if q.value is None else round(q.value * scale, 6)
        value_high = None if q.value_high is None else round(q.value_high * scale, 6)
        suspect = bool(kind != "change" and value is not None and rule.lo is not None
                       and not (rule.lo <= value <= rule.hi))
        a, b = norm.src_span(q.start, q.end)
        year = next((y for y in (_year(h) for h in other + [metric_head]) if y), None)
        out.append(TableValue(cell, cell.start + a, cell.start + b, metric, kind, value, value_high,
                              unit, q.qualifier, q.masked, suspect,
                              other[0] if other else None, year))
    return out
