"""Checker for patterns/regions.yaml examples.

An example is ``{text, mentions: [{surface, code?, masked?, ambiguous?}], context?}``:
`Gazetteer.find(text, context=context)` gives exactly those mentions in that order (a
missing ``code`` means None; ``masked``/``ambiguous`` default to false).
"""
from __future__ import annotations


def check_regions(pats, ex):
    from extract.regions import Gazetteer
    ms = Gazetteer.load().find(ex["text"], context=ex.get("context"))
    got = [(m.surface, m.code, m.masked, m.ambiguous) for m in ms]
    want = [(w["surface"], w.get("code"), bool(w.get("masked")), bool(w.get("ambiguous")))
            for w in ex["mentions"]]
    assert got == want, (ex["text"], got, want)


CHECKERS = {"regions": check_regions}
