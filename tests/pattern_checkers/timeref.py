"""Checker for patterns/time.yaml examples.

An example is ``{text, doc_date?, times: [{surface, year, period?: [start, end], relative?,
base?}]}``:
`extract.timeref.find_times(text, doc_date)` gives exactly those mentions in that order
(``period`` is checked when given; ``relative`` and ``base`` default to false).  YAML reads unquoted
dates as dates; they are compared as ISO strings.
"""
from __future__ import annotations

from datetime import date


def _iso(v):
    return v.isoformat() if isinstance(v, date) else v


def check_time(pats, ex):
    from extract.timeref import find_times
    doc = ex.get("doc_date")
    if isinstance(doc, str):
        doc = date.fromisoformat(doc)
    ms = find_times(ex["text"], doc)
    assert [m.surface for m in ms] == [w["surface"] for w in ex["times"]], (ex["text"], ms)
    for m, w in zip(ms, ex["times"]):
        assert m.year == w["year"], (ex["text"], m)
        assert m.relative == bool(w.get("relative")), (ex["text"], m)
        assert m.base == bool(w.get("base")), (ex["text"], m)
        if "period" in w:
            assert [m.period_start, m.period_end] == [_iso(x) for x in w["period"]], (ex["text"], m)


CHECKERS = {"time": check_time}
