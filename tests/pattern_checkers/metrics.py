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
    from extract import tables
    if "title" in ex:                      # a budget document: its amounts are plans
        assert tables.is_plan_document(ex["title"]) == ex["plan"], ex
        return
    if "evaluation_title" in ex:           # a 绩效自评表 / 决算: the year its tables are about
        assert tables.evaluation_year(ex["evaluation_title"]) == ex["year"], ex
        return
    if "sentence" in ex:                   # a budget's sentence about its own period or the past
        assert tables.planned_sentence(ex["sentence"], ex["budget_year"]) == ex["plan"], ex
        return
    if "cell" in ex:                       # a threshold sign before a figure: ≥95%
        from extract.numbers import recognise
        q = recognise(ex["cell"])[0]
        assert tables._threshold(ex["cell"][:q.start]) == ex["qualifier"], ex
        return
    if "label" in ex:                      # the metric a row or column label names
        from extract.linker import default_linker
        linker = default_linker()
        pick = tables._pick(tables._aliases(ex["label"], ex.get("caption", ""), linker)) or ()
        if "unit" in ex:                   # the first metric whose unit the cell has
            pick = [m for m in pick if ex["unit"] in linker.rules[m].units]
        assert (pick[0] if pick else None) == ex["metric"], (ex, pick)
        return
    if "kind" in ex:                       # the kind the labels and caption give
        from extract.linker import default_linker
        got = tables._kind(ex.get("labels", []), default_linker(), ex.get("caption", ""),
                           ex.get("plan", False))
        assert got[0] == ex["kind"], (ex, got)
        return
    got = tables._header_unit(ex["header"])
    if ex["unit"] is None:
        assert got is None, (ex, got)
    else:
        assert got == (ex["unit"], float(ex["scale"])), (ex, got)


CHECKERS["tables"] = check_tables
