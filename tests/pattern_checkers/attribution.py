"""Checker for patterns/attribution.yaml examples (``checker: region_time``).

* ``{text, state_actor: bool}`` -- whether 国家 acts as the sentence's subject;
* ``{text, funders: [surfaces]}`` -- the places named as payers (中央和自治区补助资金);
* ``{text, national_reference: [surfaces]}`` -- 全国/全省 mentions that are yardsticks;
* ``{text, doc_date?, years: {value text: year}}`` -- the year `Attributor.time_for` gives
  the value printed so (its first occurrence), the text read as a whole document headed by
  the date line *doc_date* when given;
* ``{text, regions: {value text: full region name or null}}`` -- the same for the region.
"""
from __future__ import annotations


def _attributor(text: str):
    from extract.attribution import Attributor
    from extract.normalise import normalise
    from extract.structure import parse_structure
    norm = normalise(text)
    st = parse_structure(norm.text)
    return norm.text, st, Attributor(norm.text, st)


def _value_pos(atext: str, value: str, st):
    pos = atext.find(value)
    assert pos >= 0, (value, atext)
    sent = st.sentence_at(pos)
    return pos, sent.start if sent is not None else pos


def check_region_time(pats, ex):
    from extract.attribution import _rules, is_funder, is_national_reference
    from extract.regions import Gazetteer
    text = ex["text"]
    if "state_actor" in ex:
        assert bool(_rules()["state"].search(text)) == ex["state_actor"], text
        return
    if "funders" in ex or "national_reference" in ex:
        found = Gazetteer.load().find(text, context=["150000"])
        if "funders" in ex:
            assert [m.surface for m in found if is_funder(text, m)] == ex["funders"], text
        else:
            refs = [m.surface for m in found if is_national_reference(text, m)]
            assert refs == ex["national_reference"], (text, refs)
        return
    doc = (f"{ex['doc_date']}\n" if ex.get("doc_date") else "") + text
    atext, st, attr = _attributor(doc)
    for value, want in (ex.get("years") or {}).items():
        pos, s0 = _value_pos(atext, value, st)
        t = attr.time_for(pos, s0)
        assert (t.year if t else None) == want, (text, value, t)
    for value, want in (ex.get("regions") or {}).items():
        pos, s0 = _value_pos(atext, value, st)
        r = attr.region_for(pos, s0)
        got = r.name if r is not None and not r.masked else None
        assert got == want, (text, value, r)


CHECKERS = {"region_time": check_region_time}
