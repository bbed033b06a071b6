"""Checker for patterns/numbers.yaml and patterns/units.yaml examples.

An example is ``{value, unit, forms: [...]}`` with optional ``value_high``, ``qualifier``,
``masked``, ``per_capita``: every form, run through `extract.numbers.recognise` on its
own, gives exactly one quantity with those fields (missing ones: None / False).
``{none: true, forms: [...]}``: no form gives any quantity.
"""
from __future__ import annotations


def check_numbers(pats, ex):
    from extract.numbers import recognise
    for form in ex["forms"]:
        qs = recognise(form)
        if ex.get("none"):
            assert qs == [], (form, qs)
            continue
        assert len(qs) == 1, (form, qs)
        q = qs[0]
        assert form[q.start:q.end] == q.text, (form, q)
        got = (q.value, q.value_high, q.unit, q.qualifier, q.masked, q.per_capita)
        want = (ex["value"], ex.get("value_high"), ex["unit"], ex.get("qualifier"),
                bool(ex.get("masked")), bool(ex.get("per_capita")))
        assert got == want, (form, got, want)


CHECKERS = {"numbers": check_numbers}
