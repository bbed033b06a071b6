"""The scope of a value and its role: what decides whether two values can be compared.

`patterns/scope.yaml` is the data: the fields ``scheme`` (新农合, 城镇职工医保 …),
``setting`` (门诊 / 住院), ``population`` (a named subgroup, else the whole population) and
``basis`` (what a change is measured against: 同比, 较改革前 …), each a closed list of
values with an ASCII code; and the pieces that find the starting value of 由X提高到Y
(``role = "from"``).  This module is the engine: `Scoper.annotate(record, …)` fills the
fields of one `Record` from its clause or sentence in the analysis text, and marks a
starting value (its year, ANNOTATION rule 8, is attribution's: `Attributor.time_for`).

Sub-units (a town, a hospital, a 医共体 below the gazetteer's level) are recognised here
too (`Scoper.subunit`), from the ``subunit`` pieces of the same file: their records carry
the sub-unit's name and never fill the region's cell of a panel.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import regex

from .patterns import load_patterns

SCOPE_FIELDS = ("scheme", "setting", "population", "basis")
CLAUSE_BREAK = regex.compile(r"[,;:!?。，；：！？]")
FROM_LOOKBACK = 16      # characters before a number searched for 由/从 (由2010年底的 is 8)
TO_LOOKAHEAD = 12       # characters after it searched for 提高到/降至


@dataclass
class FieldSpec:
    name: str
    zh: str
    window: str                     # clause | sentence
    applies_to: Optional[frozenset]  # None: every metric
    kinds: Optional[frozenset]
    definition: str
    values: list                    # (code, zh, compiled pattern, not_for, definition)
    rx: object = None               # every value's pattern in one, a named group per code
    not_for: dict = None            # code -> metrics it is not asked for


class Scoper:
    def __init__(self, name: str = "scope"):
        pats = load_patterns(name)
        raw = pats.raw
        self.fields: list[FieldSpec] = []
        for fname, spec in (raw.get("fields") or {}).items():
            applies = spec.get("applies_to", "all")
            kinds = spec.get("kinds")
            self.fields.append(FieldSpec(
                name=fname, zh=spec.get("zh", fname), window=spec.get("window", "clause"),
                applies_to=None if applies == "all" else frozenset(applies),
                kinds=frozenset(kinds) if kinds else None,
                definition=spec.get("definition", ""),
                values=[(v["code"], v.get("zh", v["code"]), pats.compile(v["pattern"]),
                         frozenset(v.get("not_for") or ()), v.get("definition", ""))
                        for v in spec.get("values") or []]))
        for spec in self.fields:
            values = raw["fields"][spec.name].get("values") or []
            spec.rx = pats.compile("|".join(f"(?P<{v['code']}>{v['pattern']})" for v in values))
            spec.not_for = {c: nf for c, _z, _rx, nf, _d in spec.values}
        self._text = None           # the analysis text the match cache is of
        self._cache: dict = {}
        self._header_cache: dict = {}
        self.from_before = pats["FromBefore"]
        self.to_after = pats["ToAfter"]
        self.subunit_rx = pats["SubUnit"] if "SubUnit" in pats else None
        self.subunit_head = pats["SubUnitHead"] if "SubUnitHead" in pats else None

    # --- role -----------------------------------------------------------------------

    def role(self, text: str, q_start: int, q_end: int, lo: int = 0,
             hi: Optional[int] = None) -> Optional[str]:
        """``"from"`` when the number at *q_start*:*q_end* is X of 由X提高到Y (within the
        sentence *lo*:*hi*), else None."""
        hi = len(text) if hi is None else hi
        if not self.from_before.search(text, max(lo, q_start - FROM_LOOKBACK), q_start):
            return None
        if not self.to_after.match(text, q_end, min(hi, q_end + TO_LOOKAHEAD)):
            return None
        return "from"

    # --- fields ---------------------------------------------------------------------

    def _matches(self, spec: FieldSpec, text: str, a: int, b: int):
        """(ends, starts, codes) of the field's words in the sentence *a*:*b* of *text*,
        found once per sentence (its values' windows are looked up, not searched again)."""
        if text is not self._text:
            self._text, self._cache = text, {}
        got = self._cache.get((spec.name, a, b))
        if got is None:
            ms = [(m.end(), m.start(), m.lastgroup) for m in spec.rx.finditer(text, a, b)]
            got = self._cache[(spec.name, a, b)] = (
                [e for e, _, _ in ms], [x for _, x, _ in ms], [c for _, _, c in ms])
        return got

    def _nearest(self, spec: FieldSpec, metric: str, text: str, lo: int, hi: int,
                 cached: bool = True, sent=None):
        """The code of the field's word ending nearest before *hi*, not before *lo*
        (*sent*: the sentence holding both, whose matches are cached)."""
        if cached and sent is not None:
            ends, starts, codes = self._matches(spec, text, *sent)
            i = bisect.bisect_right(ends, hi) - 1
        else:
            ms = [(m.end(), m.start(), m.lastgroup) for m in spec.rx.finditer(text, lo, hi)]
            ends, starts, codes = [m[0] for m in ms], [m[1] for m in ms], [m[2] for m in ms]
            i = len(ms) - 1
        while i >= 0 and starts[i] >= lo:
            if metric not in spec.not_for[codes[i]]:
                return codes[i]
            i -= 1
        return None

    def fields_for(self, text: str, metric: str, kind: str, sent_start: int,
                   clause_start: int, end: int, cached: bool = True,
                   sent_end: int | None = None) -> dict:
        """The scope fields of a value of *metric* whose clause starts at *clause_start*
        and whose number starts at *end* (windows end there)."""
        out = {}
        for spec in self.fields:
            if spec.applies_to is not None and metric not in spec.applies_to:
                continue
            if spec.kinds is not None and kind not in spec.kinds:
                continue
            lo = sent_start if spec.window == "sentence" else clause_start
            out[spec.name] = self._nearest(
                spec, metric, text, lo, end, cached,
                (sent_start, sent_end) if sent_end is not None else None)
        return out

    def clause_start(self, text: str, lo: int, pos: int) -> int:
        """Start of the clause holding *pos* (after the last ,;: before it, not before *lo*)."""
        cut = lo
        for m in CLAUSE_BREAK.finditer(text, lo, pos):
            cut = m.end()
        return cut

    def subunit(self, text: str, lo: int, hi: int) -> Optional[str]:
        """The sub-unit (a named town, hospital, 医共体) opening the clause *lo*:*hi*, or None."""
        if self.subunit_rx is None:
            return None
        m = self.subunit_rx.match(text, lo, hi)
        return m.group("name") if m else None

    def header_subunit(self, header: str) -> Optional[str]:
        """The sub-unit a table row or column header names (城关镇, 县人民医院), or None."""
        if self.subunit_head is None or not header:
            return None
        m = self.subunit_head.fullmatch(header.strip())
        return m.group("name") if m else None

    # --- one record ---------------------------------------------------------------------

    def annotate(self, rec, text: str, q_start: int, q_end: int, alias_start: int,
                 alias_end: int, sent_start: int, sent_end: int):
        """Fill *rec*'s scope fields, role and sub-unit from the analysis *text* (offsets
        there).  The year of a starting value is not set here: attribution gives it
        (ANNOTATION rule 8), like every other year."""
        first = min(alias_start, q_start)
        c0 = self.clause_start(text, sent_start, first)
        end = q_start if alias_start < q_start else max(q_start, alias_end)
        for k, v in self.fields_for(text, rec.metric, rec.kind, sent_start, c0, end,
                                    sent_end=max(sent_end, end)).items():
            setattr(rec, k, v)
        rec.subunit = self.subunit(text, c0, end)
        if rec.kind == "level" and self.role(text, q_start, q_end, sent_start, sent_end):
            rec.role = "from"       # its year (ANNOTATION rule 8) is set where every year
            #                         is: extract.attribution.Attributor.time_for
        return rec

    def annotate_table(self, rec, headers: list):
        """Scope fields and sub-unit of a table cell's record from the texts that label it,
        best first (`extract.tables.TableValue.region_headers`: the row's labels joined by
        /, the column header, the caption).  The scope is searched caption first, the row
        last, so the row's word is the nearest; a sub-unit is a label that is nothing but
        a town's or facility's name (城郊乡; a 合计 or 全区 row is the region itself)."""
        heads = tuple(h for h in headers if h)
        key = (heads, rec.metric, rec.kind)       # the cells of one row or column share it
        got = self._header_cache.get(key)
        if got is None:
            s = " ".join(reversed(heads))
            got = self.fields_for(s, rec.metric, rec.kind, 0, 0, len(s), cached=False)
            got["subunit"] = next((n for h in heads for n in map(self.header_subunit,
                                                                  h.split("/")) if n), None)
            if len(self._header_cache) > 4096:
                self._header_cache.clear()
            self._header_cache[key] = got
        for k, v in got.items():
            setattr(rec, k, v)
        return rec

    # --- codebook -----------------------------------------------------------------------

    def codebook(self) -> dict:
        """field -> {zh, definition, values: [{code, zh, definition}]} for the codebook."""
        return {f.name: {"zh": f.zh, "definition": f.definition,
                         "applies_to": sorted(f.applies_to) if f.applies_to else "all",
                         "kinds": sorted(f.kinds) if f.kinds else "all",
                         "values": [{"code": c, "zh": z, "definition": d}
                                    for c, z, _rx, _nf, d in f.values]}
                for f in self.fields}


@lru_cache(maxsize=1)
def default_scoper() -> Scoper:
    return Scoper()


# --- comparing like with like ------------------------------------------------------------

def _get(row, k):
    return row.get(k) if isinstance(row, dict) else getattr(row, k, None)


def scope_key(row, fields=SCOPE_FIELDS) -> tuple:
    """The scope of a record (a row mapping, `Record` or `extract.diff.Value`) as a tuple
    of its stated (field, code) pairs: records compare only when their keys are equal."""
    return tuple((f, _get(row, f)) for f in fields if _get(row, f))


@lru_cache(maxsize=1)
def value_names() -> dict:
    """(field, code) -> the value's Chinese name."""
    return {(f.name, c): z for f in default_scoper().fields for c, z, *_ in f.values}


def scope_label(key: tuple) -> str:
    """A scope key as a reader says it: 住院·新农合 (empty for no scope)."""
    names = value_names()
    return "·".join(names.get(p, p[1]) for p in key)


@lru_cache(maxsize=1)
def _value_order() -> dict:
    return {(f.name, c): (i, j) for i, f in enumerate(default_scoper().fields)
            for j, (c, *_r) in enumerate(f.values)}


def scope_rank(key: tuple) -> tuple:
    """A sort key of scope keys: none first, then in the order of patterns/scope.yaml."""
    order = _value_order()
    return (len(key), tuple(order.get(p, (99, 99)) for p in key))
