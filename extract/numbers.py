"""Quantity recogniser: numbers with their units in the analysis text.

``recognise(text, start=0, end=None)`` scans ``text[start:end]`` with one compiled
pattern (built once from ``patterns/numbers.yaml`` and ``patterns/units.yaml``) and
returns `extract.model.Quantity` objects sorted by start, never overlapping, with
offsets into *text*.

Conventions (see the YAML files for the surface forms):

* ``value`` is in the canonical unit: 万元 → 元 ×10⁴, 万人次 → 人次 ×10⁴, 名 → 人,
  万张 → 张; a bare number keeps its magnitude (``1.2万`` → 12000, unit ``""``).
* shares: ``%``; ``‰`` is converted to % (5‰ → 0.5 %, ``unit_text`` keeps ``‰``);
  ``三成`` → 30 %; ``百分之十五`` → 15 %; ``三分之二`` → 66.666… % (not rounded);
  ``个百分点`` → ``百分点``.
* ``text`` is the number with its unit as printed, including an infix qualifier
  (``1600多万元``), a range's both ends (``30~50元``) and a per-person suffix
  (``120元/人``); a qualifier before or after (约, 以上, 左右) and a per-person word before
  (人均, 每人每年) are not part of it but set ``qualifier`` / ``per_capita``.
* ranges: each end is scaled by its own magnitude, or by the other end's when it has
  none (``1-3万元`` → 10000..30000); the unit applies to both ends.
* masked digits (``**万人``, ``*.*%``, ``XX0``) give ``value=None, masked=True``.
* not quantities: dates and years (``2010年``, ``2017.12``, ``12月31日``), document numbers
  (``〔2019〕12号``), ordinals (``第3``), list markers, phone and ID numbers, versions,
  ratios and times (``1:1``, ``18:00``), numbers glued to Latin letters (``5G``), and
  Chinese numerals that read as words (``一是``, ``统一``): a Chinese numeral without a
  unit counts only when it has a place word (``十五``, ``两万``) or is written digit by
  digit with 〇 (``二〇一二``).
* a minus sign of its own (``增速为-2.1%``, ``−3.6%``) makes the value negative; a ``-``
  after a digit, letter, ``%`` or bracket is a range or a joint (``30-50%``, ``2018-2020``).
* values stay as printed; plausibility is the linker's business.
"""
from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import lru_cache
from typing import Optional

import regex

from .chinese_numerals import format_chinese, parse_decimal, parse_number
from .model import Quantity
from .patterns import PatternError, expand, load_patterns

__all__ = ["recognise", "parse_number", "format_chinese", "units", "magnitudes"]

_ONE = Decimal(1)
# the master match's groups that build() reads, with skip first (read in one call)
_GROUPS = ("skip", "lo", "hi", "qb", "qa", "pc", "perp")
_HUNDRED = Decimal(100)


class _End:
    """One end of a quantity as printed: its number, magnitude and unit.

    A plain slotted class rather than a frozen dataclass: one is built for every distinct
    number string of a corpus (most are distinct), and the frozen __post_init__ cost more
    than the parse.  Treat it as read-only; the parse cache shares it."""
    __slots__ = ("number", "mag", "mag_text", "unit", "unit_text", "scale", "approx", "masked",
                 "own_value", "printed_unit")

    def __init__(self, number: Optional[Decimal], mag: Optional[Decimal], mag_text: str,
                 unit: Optional[str], unit_text: str, scale: Decimal, approx: bool, masked: bool):
        self.number = number          # None when masked
        self.mag = mag                # 万 → 10000; None when not printed
        self.mag_text = mag_text
        self.unit = unit              # canonical unit; None when not printed
        self.unit_text = unit_text
        self.scale = scale            # unit scale (成 → 10, ‰ → 0.1)
        self.approx = approx          # 多 / 余 inside
        self.masked = masked
        self.own_value = self.value(mag, scale)       # scaled by its own magnitude and unit
        self.printed_unit = mag_text + unit_text      # magnitude and unit as printed (万元)

    def value(self, mag: Optional[Decimal], scale: Decimal) -> Optional[float]:
        if self.number is None:
            return None
        return float(self.number * (mag or _ONE) * scale)


def _literal_alternation(words) -> str:
    return "|".join(regex.escape(w) for w in sorted(words, key=len, reverse=True))


class _Engine:
    def __init__(self) -> None:
        nums = load_patterns("numbers")
        units = load_patterns("units")
        self.units: dict[str, tuple[str, Decimal]] = {}
        for surface, spec in (units.raw.get("units") or {}).items():
            canon, _, scale = str(spec).partition("×")
            self.units[str(surface)] = (canon.strip(), Decimal(scale.strip() or 1))
        self.mags = {str(k): Decimal(str(v)) for k, v in (units.raw.get("magnitudes") or {}).items()}
        not_before = {str(k): str(v) for k, v in (units.raw.get("not_before") or {}).items()}
        quals = nums.raw.get("qualifiers") or {}
        self.qual = {pos: {str(k): str(v) for k, v in (quals.get(pos) or {}).items()}
                     for pos in ("before", "inside", "after")}
        self.qual_before, self.qual_after = self.qual["before"], self.qual["after"]

        unit_alts = []
        for surface in sorted(self.units, key=len, reverse=True):
            alt = regex.escape(surface)
            if surface in not_before:
                alt += "(?![" + regex.escape(not_before[surface]) + "])"
            unit_alts.append(alt)
        built = {
            "Unit": "|".join(unit_alts),
            "Mag": _literal_alternation(self.mags),
            "QualBefore": _literal_alternation(self.qual["before"]),
            "QualInside": _literal_alternation(self.qual["inside"]),
            "QualAfter": _literal_alternation(self.qual["after"]),
        }
        prefixes = list(self.qual["before"]) + [str(p) for p in units.raw["pieces"]["PerCapitaBefore"]]
        built["PrefixStart"] = "[" + regex.escape("".join(sorted({p[0] for p in prefixes}))) + "]"
        grammar = {str(k): str(v) for k, v in (nums.raw.get("grammar") or {}).items()}
        names = [set(nums.src), set(units.src), set(built), set(grammar)]
        clash = {n for i, a in enumerate(names) for b in names[i + 1:] for n in a & b}
        if clash:
            raise PatternError(f"numbers/units: piece names defined twice: {sorted(clash)}")
        pieces = {**nums.src, **units.src, **built, **grammar}
        flags = nums.flags | units.flags
        self.master = regex.compile(expand(pieces, "{Master}", "numbers"), flags)
        # the same scan without the first-character test (tests compare the two)
        self.reference = regex.compile(expand(pieces, "{Reference}", "numbers"), flags)
        self.end_re = regex.compile(expand(pieces, "{End}|(?P<num>{CnNumeral})", "numbers"), flags)

    # -- one end ------------------------------------------------------------------
    def parse_end(self, s: str) -> Optional[_End]:
        m = self.end_re.fullmatch(s)
        if m is None:
            return None
        inf, inf2, mag_text, unit_text, fnum, fden, masked, num_text, sign = m.group(
            "inf", "inf2", "mag", "unit", "fnum", "fden", "masked", "num", "sign")
        approx = bool(inf or inf2)
        mag_text = mag_text or ""
        mag = self.mags[mag_text] if mag_text else None
        unit_text = unit_text or ""
        unit, scale = self.units[unit_text] if unit_text else (None, _ONE)
        if fnum is not None:                                # 百分之十五, 三分之二
            den = parse_decimal(fden)
            num = parse_decimal(fnum)
            if not den or num is None:
                return None
            unit_text = (fden if fden in "百千万" else "") + "分之"
            return _End(num / den * _HUNDRED, None, "", "%", unit_text, _ONE, False, False)
        if masked is not None:
            return _End(None, mag, mag_text, unit, unit_text, scale, approx, True)
        num = parse_decimal(num_text)
        if num is None:
            return None
        if sign:
            num = -num
        return _End(num, mag, mag_text, unit, unit_text, scale, approx, False)

    # -- one match ----------------------------------------------------------------
    def build(self, m, text: str, groups=None) -> list[Quantity]:
        """The quantities of one master match that is not a skip; *groups* are the match's
        `_GROUPS` when the caller has already read them (one group() call, not two)."""
        _, lo_text, hi_text, qb, qa, pc, perp = groups or m.group(*_GROUPS)
        lo = _parse_end_cached(lo_text)
        if lo is None:
            return []
        per_capita = pc is not None or perp is not None
        qualifier = self.qual_before.get(qb) if qb else None
        b0, b1 = m.span("body")

        if hi_text is None:
            if lo.approx and qualifier is None:
                qualifier = "approx"
            if qualifier is None and qa:
                qualifier = self.qual_after.get(qa)
            return [Quantity(b0, b1, text[b0:b1], lo.own_value, None, lo.unit or "",
                             lo.printed_unit, qualifier, lo.masked, per_capita)]
        hi = _parse_end_cached(hi_text)
        if hi is None:
            return []

        if lo.unit is not None and hi.unit is not None and lo.unit != hi.unit:
            # two numbers that only look like a range (3人-5天): give both
            l0, l1 = m.span("lo")
            h0 = m.start("hi")
            first = Quantity(l0, l1, text[l0:l1], lo.own_value, None, lo.unit, lo.printed_unit,
                             qualifier, lo.masked, pc is not None)
            second = Quantity(h0, b1, text[h0:b1], hi.own_value, None, hi.unit, hi.printed_unit,
                              self.qual_after.get(qa) if qa else None, hi.masked,
                              perp is not None)
            return [first, second]

        shared = hi if hi.unit is not None else lo
        unit, scale = shared.unit or "", shared.scale
        lo_mag = lo.mag if (lo.mag is not None or lo.unit is not None) else hi.mag
        hi_mag = hi.mag if (hi.mag is not None or hi.unit is not None) else lo.mag
        lo_scale = lo.scale if lo.unit is not None else scale
        hi_scale = hi.scale if hi.unit is not None else scale
        masked = lo.masked or hi.masked
        if (lo.approx or hi.approx) and qualifier is None:
            qualifier = "approx"
        if qualifier is None and qa:
            qualifier = self.qual_after.get(qa)
        unit_text = hi.printed_unit if hi.unit is not None else lo.printed_unit
        return [Quantity(b0, b1, text[b0:b1],
                         None if masked else lo.value(lo_mag, lo_scale),
                         None if masked else hi.value(hi_mag, hi_scale),
                         unit, unit_text, qualifier, masked, per_capita)]


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    return _Engine()


@lru_cache(maxsize=1 << 15)
def _parse_end_cached(s: str) -> Optional[_End]:
    return _engine().parse_end(s)


def recognise(text: str, start: int = 0, end: Optional[int] = None) -> list[Quantity]:
    """Quantities in ``text[start:end]``, sorted by start, offsets into *text*."""
    eng = _engine()
    out: list[Quantity] = []
    build = eng.build
    for m in eng.master.finditer(text, start, len(text) if end is None else end):
        groups = m.group(*_GROUPS)
        if groups[0] is None:
            out.extend(build(m, text, groups))
    # 提高1.8个和2.5个百分点: the unit of a list's last item is the unit of the 个 before it
    for i in range(len(out) - 2, -1, -1):
        q, nxt = out[i], out[i + 1]
        if q.unit == "个" and q.unit_text == "个" and nxt.unit == "百分点" \
                and _POINT_LIST_JOIN.fullmatch(text, q.end, nxt.start):
            out[i] = dataclasses.replace(q, unit="百分点")
    return out


_POINT_LIST_JOIN = regex.compile(r"\s*(?:和|、|及|与|,|，)\s*")


def units() -> dict[str, tuple[str, float]]:
    """The unit table: surface → (canonical unit, scale)."""
    return {k: (u, float(s)) for k, (u, s) in _engine().units.items()}


def magnitudes() -> dict[str, float]:
    """The magnitude words: surface → multiplier."""
    return {k: float(v) for k, v in _engine().mags.items()}
