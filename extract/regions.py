"""Region mentions: a gazetteer of Chinese administrative divisions and a fast finder.

``Gazetteer.load()`` reads ``extract/data/regions.tsv`` (built by
``extract/gazetteer_build.py``; no network, no jionlp at run time) and the rules in
``patterns/regions.yaml``.  ``find(text)`` returns `RegionMention`s with offsets into the
text it was given (the simplified analysis text; convert traditional text first).

What a mention is:

* a unit's name (重庆市, 忠县, 耒阳市), an alias (甘孜州, 宁夏自治区, 襄樊) or a former
  name (彬县, 新津县), or its short form (重庆, 耒阳, 镇江).  A short form that is an
  everyday word (公安, 合作, 资源; ``short_needs_suffix``) only counts with its suffix, and
  no short form counts inside a word around it (一视同仁 is not 同仁, 投资中心 is not
  资中; the ``veto`` column of the gazetteer);
* a chain of names, each inside the one before (四川省成都市新津县, 湖南衡阳): one mention
  of the most specific unit, spanning the chain;
* a masked name (**省, XX县, 某市, ×× 区): ``masked=True``, ``code=None``; a masked unit
  right after a named one (山西省XX县) is one masked mention whose ``alt`` holds the codes
  of the named units above it;
* the whole country (全国, 我国, 国务院, 中央): code ``000000``, name 全国;
* a deictic reference (全省, 我市, 本县, 自治区): only when ``context`` holds a code whose
  chain has a unit with that ending (全省 with context 息县 -> 河南省); else nothing.

A name several units share (朝阳区, 鼓楼区, 普陀区, bare 朝阳) is decided by, in order:
the unit before it in a chain; ``context`` (codes already known, e.g. the document's
province: the candidates sharing the most specific ancestor with a context code win);
a candidate that contains all the others (吉林 -> 吉林省 over 吉林市); the single
province among the candidates (海南).  Otherwise the mention is ``ambiguous=True`` with
``code=None`` -- never a silent guess; ``lookup(surface)`` lists the candidates.

A unit renamed since (彬县 -> 彬州市, 新津县 -> 新津区) is given under its current code
and full name, with the other codes and full names in ``alt`` (codes first).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional, Sequence

from extract.model import RegionMention

DATA = Path(__file__).resolve().parent / "data" / "regions.tsv"
NATIONAL = "000000"
LEVELS = {"national": 0, "province": 1, "prefecture": 2, "county": 3}

LOCAL_REACH = 80     # characters from a named unit to a 当地 that refers to it

__all__ = ["Region", "Gazetteer", "dominant_region", "NATIONAL"]


@dataclass(frozen=True)
class Region:
    """One row of the gazetteer."""
    code: str
    name: str
    short: str
    level: str
    parent: str
    full_name: str
    current: bool
    valid_from: str
    valid_to: str
    successor: str
    old_codes: tuple
    old_names: tuple
    aliases: tuple
    veto: tuple

    @property
    def depth(self) -> int:
        return LEVELS.get(self.level, 3)


# surface kinds, best first: a unit's own name, an alias, a former unit's name, a short form
_NAME, _ALIAS, _OLD, _SHORT = 0, 1, 2, 3


def _load_rules() -> dict:
    from extract.patterns import load_patterns
    return load_patterns("regions")


class Gazetteer:
    """Lookup of administrative units by code and name, and the region finder."""

    def __init__(self, rows: Sequence[Region], rules) -> None:
        self._rows = list(rows)
        self._by_code: dict[str, Region] = {}
        for r in self._rows:
            if r.code not in self._by_code or r.current:
                self._by_code[r.code] = r
        raw = rules.raw
        needs_suffix = set(raw.get("short_needs_suffix") or []) - set(raw.get("short_allowed") or [])
        edge = tuple(raw.get("short_edge_chars") or ())
        self._boundary = frozenset(raw.get("boundary_words") or ())
        self._chain_only = set(raw.get("chain_only") or [])
        self._not_before = {k: tuple(v) for k, v in (raw.get("name_not_before") or {}).items()}
        self._name_vetoes = {k: [re.compile(p) for p in v] for k, v in (raw.get("name_vetoes") or {}).items()}

        # surface -> list of (kind, Region)
        index: dict[str, list] = {}

        def add(surface: str, kind: int, r: Region) -> None:
            if len(surface) < 2:
                return
            lst = index.setdefault(surface, [])
            if not any(x[1] is r for x in lst):
                lst.append((kind, r))

        for r in self._rows:
            if r.level == "national":
                continue
            if r.current:
                add(r.name, _NAME, r)
                for a in r.aliases:
                    add(a, _ALIAS, r)
                if (r.short != r.name and r.short not in needs_suffix
                        and not r.short.startswith(edge) and not r.short.endswith(edge)):
                    add(r.short, _SHORT, r)
            else:
                add(r.name, _OLD, r)
        for lst in index.values():
            lst.sort(key=lambda x: x[0])
        self._index = index
        self._veto_cache: dict[str, list] = {}
        self._inside_cache: dict[tuple, bool] = {}
        self._decide_cache: dict[tuple, Optional[Region]] = {}
        # Candidate positions are found in C by one regex: a character that starts some
        # name followed by one that is second in some name; a set of two-character
        # prefixes then weeds them out, and the few left are tried longest name first.
        # (A regex alternation of all names, even factored as a trie, scans at ~1 MB/s;
        # this runs at well over 10 MB/s.)
        by_prefix: dict[str, list] = {}
        for surface in index:
            by_prefix.setdefault(surface[:2], []).append(surface)
        for lst in by_prefix.values():
            lst.sort(key=len, reverse=True)
        self._by_prefix = by_prefix

        def cls(chars):
            return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"
        self._cand_re = re.compile("(?=%s%s)" % (cls({p[0] for p in by_prefix}), cls({p[1] for p in by_prefix})))

        self._masked_re = rules["MaskedRegion"]
        self._national_re = rules["National"]
        # each deictic led by a look-ahead for its first characters (我本全该…): `regex`
        # then skips to them, a third of the time over a report (same matches)
        from extract.timeref import _with_first_chars
        self._deictic = [(_with_first_chars(rules[key]), tuple(ends))
                         for key, ends in (raw.get("deictic") or {}).items()]

    # ---- loading ---------------------------------------------------------------------

    @classmethod
    def load(cls, path: Optional[str | Path] = None) -> "Gazetteer":
        """The gazetteer of ``extract/data/regions.tsv`` (cached)."""
        return _load(str(path or DATA))

    # ---- lookups ---------------------------------------------------------------------

    def get(self, code: str) -> Optional[Region]:
        return self._by_code.get(str(code))

    def full_name(self, code: str) -> Optional[str]:
        r = self.get(code)
        return r.full_name if r else None

    def lookup(self, name: str) -> list[Region]:
        """Units known by *name*: a code, a full name (湖南省衡阳市耒阳市), a name, an alias,
        a former name or a short form (also those that need their suffix in running text)."""
        name = name.strip()
        if re.fullmatch(r"\d{6}", name):
            r = self.get(name)
            return [r] if r else []
        out = [r for r in self._rows if r.full_name == name or name in r.old_names]
        if not out:
            out = [r for _, r in self._index.get(name, [])]
        if not out:
            out = [r for r in self._rows if r.short == name and r.current]
        seen, res = set(), []
        for r in out:
            if id(r) not in seen:
                seen.add(id(r))
                res.append(r)
        return res

    def rows(self) -> list[dict]:
        """Rows for the ``regions`` table: code, name, full_name, short, level, parent,
        valid_from, valid_to, aliases (list: short form, aliases, former full names)."""
        out = []
        for r in self._rows:
            aliases = [a for a in dict.fromkeys((r.short,) + r.aliases + r.old_names) if a and a != r.name]
            out.append({"code": r.code, "name": r.name, "full_name": r.full_name, "short": r.short,
                        "level": r.level, "parent": r.parent or None, "valid_from": r.valid_from or None,
                        "valid_to": r.valid_to or None, "aliases": aliases})
        return out

    # ---- relations -------------------------------------------------------------------

    def current_of(self, r: Region) -> Region:
        """The current unit for a former one with a known successor, else the unit itself."""
        seen = 0
        while r.successor and seen < 5:
            nxt = self.get(r.successor)
            if nxt is None:
                break
            r, seen = nxt, seen + 1
        return r

    def ancestors(self, code: str) -> list[str]:
        """Codes from the unit itself up to its province."""
        out = []
        r = self.get(code)
        while r is not None and len(out) < 5:
            out.append(r.code)
            r = self.get(r.parent) if r.parent else None
        return out

    @staticmethod
    def _codes(r: Region) -> set:
        return {r.code, r.successor} - {""}

    def _inside(self, child: Region, parent: Region) -> bool:
        """Is *child* (or its successor) below *parent* (or its successor)?"""
        key = (child.code, parent.code)
        got = self._inside_cache.get(key)
        if got is None:
            got = self._inside_cache[key] = self._inside_uncached(child, parent)
        return got

    def _inside_uncached(self, child: Region, parent: Region) -> bool:
        if child.depth <= parent.depth:
            return False
        for c in self._codes(child):
            for p in self._codes(parent):
                if p == NATIONAL:
                    return True
                n = {"province": 2, "prefecture": 4}.get(self._by_code.get(p, parent).level)
                if n and c[:n] == p[:n]:
                    return True
        return False

    @staticmethod
    def _affinity(code: str, ctx: str) -> int:
        if not code or not ctx or ctx == NATIONAL:
            return 0
        if code == ctx:
            return 3
        if code[:2] != ctx[:2]:
            return 0
        if code[:4] == ctx[:4] and not code.endswith("0000") and not ctx.endswith("0000"):
            return 2
        return 1

    def _decide(self, cands: list[Region], context: Sequence[str]) -> Optional[Region]:
        """One unit among *cands*, or None when they stay ambiguous (memoised)."""
        key = (tuple(r.code for r in cands), tuple(context))
        try:
            return self._decide_cache[key]
        except KeyError:
            pass
        if len(self._decide_cache) > 50000:
            self._decide_cache.clear()
        unit = self._decide_cache[key] = self._decide_uncached(cands, context)
        return unit

    def _decide_uncached(self, cands: list[Region], context: Sequence[str]) -> Optional[Region]:
        cur = {}
        for r in cands:
            c = self.current_of(r)
            cur.setdefault(c.code, c)
        if len(cur) == 1:
            return next(iter(cur.values()))
        units = list(cur.values())
        if context:
            score = {u.code: max(self._affinity(u.code, k) for k in context) for u in units}
            best = max(score.values())
            if best > 0:
                top = [u for u in units if score[u.code] == best]
                if len(top) == 1:
                    return top[0]
                units = top
        for u in units:
            if all(v is u or self._inside(v, u) for v in units):
                return u
        provinces = [u for u in units if u.level == "province"]
        if len(provinces) == 1:
            return provinces[0]
        return None

    def _alt(self, r: Region) -> list:
        return list(r.old_codes) + list(r.old_names)

    # ---- finding ---------------------------------------------------------------------

    def _vetoed(self, text: str, s: int, e: int, surface: str, kind: int, cands,
                after_name: bool = False) -> bool:
        """Is the name at [s, e) part of a longer word?  *after_name*: a name ends at *s*
        (江苏|南京), so the character before belongs to it and is no left context."""
        if kind == _SHORT or len(surface) == 2:
            for i, n, words in self._veto_groups(surface, cands):
                a = s - i
                if a >= 0 and (i == 0 or not after_name) and text[a:a + n] in words:
                    return True
            if self._boundary and all(r.level != "province" for _, r in cands):
                if not after_name and s > 0 and text[s - 1:s + 1] in self._boundary:
                    return True
                if (kind == _SHORT and e < len(text) and text[e - 1:e + 1] in self._boundary
                        and any(r.level == "county" for _, r in cands)):
                    return True
        if kind != _SHORT:
            after = self._not_before.get(surface[-1])
            if after and e < len(text) and text[e] in after:
                return True
        for pat in self._name_vetoes.get(surface, ()):
            for m in pat.finditer(text, max(0, s - 3), min(len(text), e + 3)):
                if m.start() <= s and m.end() >= e:
                    return True
        return False

    def _veto_groups(self, surface: str, cands) -> list:
        """The veto words of *surface*, grouped by (offset of the surface in the word, word
        length) so that a check is one slice and one set lookup per group."""
        got = self._veto_cache.get(surface)
        if got is None:
            groups: dict[tuple, set] = {}
            for _, r in cands:
                for w in r.veto:
                    i = w.find(surface)
                    while i >= 0:
                        groups.setdefault((i, len(w)), set()).add(w)
                        i = w.find(surface, i + 1)
            got = [(i, n, frozenset(ws)) for (i, n), ws in sorted(groups.items())]
            self._veto_cache[surface] = got
        return got

    def _names(self, text: str, start: int, end: int) -> list:
        """(start, end, surface, kind, candidates) for every gazetteer name in the span:
        leftmost first, the longest name at a position that no veto rules out."""
        out = []
        pos = start
        by_prefix = self._by_prefix
        for m in self._cand_re.finditer(text, start, end):
            s = m.start()
            if s < pos:
                continue
            names = by_prefix.get(text[s:s + 2])
            if names is None:
                continue
            ends = [s + len(n) for n in names if s + len(n) <= end and text.startswith(n, s)]
            if ends:
                hit = self._accept(text, s, ends, s == pos and bool(out))
                if hit is not None:
                    out.append(hit)
                    pos = hit[1]
        return out

    def _accept(self, text: str, s: int, ends, after_name: bool = False) -> Optional[tuple]:
        """The longest name from *s* ending at one of *ends* that is not vetoed."""
        index = self._index
        for e in ends:
            surface = text[s:e]
            entries = index.get(surface)
            if not entries:
                continue
            kind = entries[0][0]
            if self._vetoed(text, s, e, surface, kind, entries, after_name):
                continue
            return (s, e, surface, kind, [r for k, r in entries if k == kind])
        return None

    def find(self, text: str, start: int = 0, end: Optional[int] = None,
             context: Optional[Sequence[str]] = None,
             fallback: Optional[Sequence[str]] = None,
             unresolved: Optional[list] = None) -> list[RegionMention]:
        """Region mentions in ``text[start:end]`` (offsets into *text*), in text order.

        A deictic 我区/本市/全县 resolves against *context*; when none of its chains has a
        unit of that kind, against *fallback* (the other places the report names: a
        delegation's report on 北京 written in 宁夏 calls 宁夏 我区).  该县/该市 is the unit
        of that kind just named before it (彭阳县…该县), else as a deictic; 当地 is the unit
        named at most LOCAL_REACH characters before it, else nothing.  The (start, end) of
        the deictics left unresolved are appended to *unresolved* when it is given."""
        end = len(text) if end is None else min(end, len(text))
        context = [str(c) for c in (context or []) if c]
        fallback = [str(c) for c in (fallback or []) if c]
        last_named: Optional[Region] = None
        last_named_end = -1
        tokens = []   # (start, end, type, payload)
        for s, e, surface, kind, cands in self._names(text, start, end):
            tokens.append((s, e, "name", (surface, kind, cands)))
        for m in self._masked_re.finditer(text, start, end):
            tokens.append((m.start(), m.end(), "masked", None))
        for m in self._national_re.finditer(text, start, end):
            tokens.append((m.start(), m.end(), "national", None))
        for pat, ends in self._deictic:
            for m in pat.finditer(text, start, end):
                tokens.append((m.start(), m.end(), "deictic", ends))
        tokens.sort(key=lambda t: (t[0], -(t[1] - t[0])))

        mentions: list[RegionMention] = []
        last_end = -1
        prev: Optional[tuple] = None   # (mention, Region or None, token type) just before
        for s, e, typ, payload in tokens:
            if s < last_end:
                continue                       # overlaps a longer token already taken
            # a chain continues only from a named unit (not from 全国 or 全省), or for a
            # masked unit from a masked one (**省**县)
            touching = prev is not None and prev[0].end == s
            after_name = touching and prev[2] == "name" and prev[1] is not None
            if typ == "name":
                surface, kind, cands = payload
                parent = prev[1] if after_name else None
                if parent is not None:
                    inner = [c for c in cands if self._inside(c, parent)]
                    if inner:
                        unit = self._decide(inner, [parent.code] + context)
                        if unit is not None:
                            head = mentions.pop()
                            m = self._mention(text, head.start, e, unit)
                            mentions.append(m)
                            prev, last_end = (m, unit, "name"), e
                            last_named, last_named_end = unit, e
                            continue
                if surface in self._chain_only:
                    continue
                unit = self._decide(cands, context)
                if unit is None:
                    m = RegionMention(s, e, text[s:e], None, None, ambiguous=True)
                else:
                    m = self._mention(text, s, e, unit)
                    last_named, last_named_end = unit, e
                mentions.append(m)
                prev, last_end = (m, unit, "name"), e
            elif typ == "masked":
                if after_name or (touching and prev[2] == "masked"):
                    head = mentions.pop()
                    above = head.alt if prev[2] == "masked" else [prev[1].code]
                    m = RegionMention(head.start, e, text[head.start:e], None, None, masked=True,
                                      alt=list(dict.fromkeys(above)))
                else:
                    m = RegionMention(s, e, text[s:e], None, None, masked=True)
                mentions.append(m)
                prev, last_end = (m, None, "masked"), e
            elif typ == "national":
                r = self.get(NATIONAL)
                m = RegionMention(s, e, text[s:e], NATIONAL, r.full_name if r else "全国")
                mentions.append(m)
                prev, last_end = (m, r, "national"), e
            else:  # deictic
                unit = None
                if not payload:       # 当地: the unit named just before, if any
                    if last_named is None or s - last_named_end > LOCAL_REACH:
                        continue
                    unit = last_named
                elif text[s] == "该" and last_named is not None:
                    unit = self._deictic_unit(payload, [last_named.code])
                unit = unit or self._deictic_unit(payload, context)
                if unit is None and fallback:
                    unit = self._fallback_unit(payload, fallback)
                if unit is None:
                    if unresolved is not None:
                        unresolved.append((s, e))
                    continue
                m = self._mention(text, s, e, unit)
                mentions.append(m)
                prev, last_end = (m, unit, "deictic"), e
        return mentions

    def _fallback_unit(self, ends: tuple, fallback: Sequence[str]) -> Optional[Region]:
        """The unit whose name ends in *ends* that most of the *fallback* codes (one per
        mention, so repeated) lie in; None on a tie."""
        tally: dict[str, int] = {}
        for k in fallback:
            for code in self.ancestors(k):
                r = self.get(code)
                if r is not None and r.name.endswith(ends):
                    tally[code] = tally.get(code, 0) + 1
                    break
        if not tally:
            return None
        ranked = sorted(tally.items(), key=lambda kv: -kv[1])
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return None
        return self.get(ranked[0][0])

    def _mention(self, text: str, s: int, e: int, unit: Region) -> RegionMention:
        return RegionMention(s, e, text[s:e], unit.code, unit.full_name, alt=self._alt(unit))

    def _deictic_unit(self, ends: tuple, context: Sequence[str]) -> Optional[Region]:
        """The deepest unit of the context chains whose name ends in one of *ends*."""
        found: dict[str, Region] = {}
        for k in context:
            for code in self.ancestors(k):
                r = self.get(code)
                if r is not None and r.name.endswith(ends):
                    found[code] = r
                    break
        if len(found) == 1:
            return next(iter(found.values()))
        if found:
            deepest = max(r.depth for r in found.values())
            top = [r for r in found.values() if r.depth == deepest]
            # nested chains (context 河南省 and 息县): the deepest; two unrelated ones: none
            if len(top) == 1 and all(x is top[0] or self._inside(top[0], x) for x in found.values()):
                return top[0]
        return None


@lru_cache(maxsize=4)
def _load(path: str) -> Gazetteer:
    rows = []
    with open(path, encoding="utf-8", newline="") as fh:
        for d in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            def lst(key):
                v = d.get(key) or ""
                return tuple(x for x in v.split("|") if x)
            rows.append(Region(
                code=d["code"], name=d["name"], short=d["short"], level=d["level"],
                parent=d["parent"], full_name=d["full_name"], current=d["current"] == "1",
                valid_from=d["valid_from"], valid_to=d["valid_to"], successor=d["successor"],
                old_codes=lst("old_codes"), old_names=lst("old_names"), aliases=lst("aliases"),
                veto=lst("veto")))
    return Gazetteer(rows, _load_rules())


def dominant_region(mentions: Iterable[RegionMention], gazetteer: Optional[Gazetteer] = None) -> Optional[str]:
    """The code a span of text is mostly about, for article or document level.

    Rule: take the mentions with a code (not masked, not ambiguous), the country's
    included; each counts for its unit and every unit above it, up to the country.  The
    answer is the most specific unit that more than half of them fall in: 江苏省 once and
    镇江市 twice give 镇江市; a provincial report naming four of its cities gives the
    province; a national report naming a few provinces among many 全国/我国 gives 000000.
    When only the country holds a majority but the span never names the country (北京
    and 四川 equally), the span is about several places: None.  No mention: None.
    """
    gaz = gazetteer or Gazetteer.load()
    ms = [m for m in mentions if m.code and not m.masked and not m.ambiguous]
    if not ms:
        return None
    count: dict[str, int] = {}
    first: dict[str, int] = {}
    for i, m in enumerate(ms):
        chain = [] if m.code == NATIONAL else (gaz.ancestors(m.code) or [m.code])
        for c in chain + [NATIONAL]:
            count[c] = count.get(c, 0) + 1
            first.setdefault(c, i)

    def depth(c):
        r = gaz.get(c)
        return r.depth if r else 0
    majority = [c for c, k in count.items() if 2 * k > len(ms)]
    best = max(majority, key=lambda c: (depth(c), -first[c]))
    if best == NATIONAL and not any(m.code == NATIONAL for m in ms):
        return None
    return best
