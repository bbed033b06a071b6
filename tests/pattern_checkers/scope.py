"""Checker for patterns/scope.yaml examples.

An example is ``{text, metric, kind?, value, nth?, scheme?, setting?, population?, basis?,
role?, subunit?}``: the value's text (its first occurrence, or the ``nth``,
1-based) read as a record of *metric* gets exactly those fields (absent: empty), through
`extract.scope.Scoper` on the normalised sentence; or ``{header, subunit?}``: a table
header names that sub-unit (absent: none).
"""
from __future__ import annotations

from extract.model import Record
from extract.normalise import normalise
from extract.scope import SCOPE_FIELDS, Scoper


def check_scope(pats, ex):
    sc = Scoper()
    if "header" in ex:
        assert sc.header_subunit(ex["header"]) == ex.get("subunit"), ex
        return
    text = normalise(ex["text"]).text
    value = normalise(ex["value"]).text
    pos = -1
    for _ in range(ex.get("nth", 1)):
        pos = text.index(value, pos + 1)
    q_start, q_end = pos, pos + len(value)
    # the metric's name: the clause's text up to the number stands for it
    rec = Record(doc="x", metric=ex["metric"], kind=ex.get("kind", "level"), value=None,
                 value_high=None, unit="", qualifier=None, region=None, region_code=None,
                 year=2015, masked=False, suspect=False, text=value, start=q_start, end=q_end)
    sc.annotate(rec, text, q_start, q_end, q_start, q_start, 0, len(text))
    got = {k: getattr(rec, k) for k in (*SCOPE_FIELDS, "role", "subunit")}
    want = {k: ex.get(k) for k in got}
    assert got == want, (ex["text"], ex["value"], got)


CHECKERS = {"scope": check_scope}
