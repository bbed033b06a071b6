"""Checkers for patterns/metrics.yaml and patterns/attribution.yaml examples.

metrics: ``{text, records: [{metric, kind, value, unit, value_high?, qualifier?}]}`` —
the sentence, normalised as a report is, run through the recogniser and the linker, yields exactly these records
in order (an empty list: the sentence yields nothing).
attribution: ``{text, national_reference: [surfaces]}`` — the 全国 mentions of the
sentence that are yardsticks rather than the subject.
"""
from __future__ import annotations


def check_metrics(pats, ex):
    from extract.linker import default_linker
    from extract.normalise import normalise
    from extract.numbers import recognise
    # the linker reads the analysis text (full-width punctuation made ASCII, as in a report)
    text = normalise(ex["text"]).text
    links = default_linker().link_sentence(text, 0, len(text), recognise(text))
    got = [(l.metric, l.kind, l.value, l.value_high, l.unit, l.quantity.qualifier) for l in links]
    want = [(r["metric"], r["kind"], float(r["value"]), r.get("value_high"), r["unit"], r.get("qualifier"))
            for r in ex["records"]]
    assert got == want, (text, got)


def check_attribution(pats, ex):
    from extract.attribution import is_funder, is_national_reference
    from extract.regions import Gazetteer
    text = ex["text"]
    found = Gazetteer.load().find(text, context=["150000"])
    if "state_actor" in ex:
        from extract.attribution import _rules
        assert bool(_rules()["state"].search(text)) == ex["state_actor"], text
        return
    if "funders" in ex:
        assert [m.surface for m in found if is_funder(text, m)] == ex["funders"], text
    else:
        refs = [m.surface for m in found if is_national_reference(text, m)]
        assert refs == ex["national_reference"], (text, refs)


CHECKERS = {"metrics": check_metrics, "attribution": check_attribution}


def check_tables(pats, ex):
    from extract.tables import _header_unit
    got = _header_unit(ex["header"])
    if ex["unit"] is None:
        assert got is None, (ex, got)
    else:
        assert got == (ex["unit"], float(ex["scale"])), (ex, got)


CHECKERS["tables"] = check_tables
