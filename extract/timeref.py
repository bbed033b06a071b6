"""Time phrases: the date of a document and the years that values refer to.

Patterns are in ``patterns/time.yaml``; this module turns their matches into
`TimeMention`s.  Conventions (decisions, tested in tests/test_timeref.py):

* ``2010年`` is year 2010, period 2010-01-01..2010-12-31.  A tail narrows the period:
  ``年底/年末`` a point at 12-31, ``年初`` at 01-01, ``上半年`` 01-01..06-30, ``一季度``
  01-01..03-31, ``1-3月`` 01-01..03-31, ``9月份`` the month, ``3月5日`` the day.
* A range of years (``2017—2018年``, ``2017年至2018年``, ``2017-18年``) covers all of them;
  its ``year`` is the last one (a value "in 2017-2018" is as of the end of the range).
  The same holds for a five-year plan: ``“十二五”期间`` is 2011..2015, year 2015.
* Relative years (今年/本年/去年/上年/前年/明年/来年/后年) are resolved against the
  document date: ``relative=True``, ``year=None`` when there is no date.  ``次年``/``翌年``
  and ``当年`` are relative to the last explicit year before them in the same paragraph
  (次年 = that year + 1), else to the document date.
* ``目前``/``当前``/``截至目前``/``至今`` are the document's year, period ending at its date.
* ``2010年以来``/``2010年至今`` is a span, not a year: ``year`` None (the values it heads are
  totals since then), the period runs from 2010-01-01 to the document date (open when
  there is none).
* ``三年来``/``近五年``/``过去一年``: the period is the N years up to the document date.
  Values under a window of several years are totals or states over a span, so ``year``
  is None (it also stops inheritance); for a one-year window (``一年来``, ``过去的一年``) it
  is the calendar year with most of its months inside (a report of 2010-03 saying
  过去的一年 means 2009; one of 2012-10 saying 一年来 means 2012).  ``近年来``/``多年来``:
  year None, the period ends at the document date.
* A sub-year phrase without a year (``上半年``, ``一季度``, ``1-5月``, ``3月5日``) takes the
  year of the last dated mention before it in the same paragraph, else the document's
  year (``relative=True``), else None.
* Two-digit years (``10年70%,11年80%``) count only when a value follows directly and either
  20NN is not after the document's year, or (no document date) another such year stands
  within a few characters (a list).  ``5年时间``, ``连续6年``, ``3年`` are not years.
* Masked years (``**年底``) are mentions with ``year=None``: they stop inheritance.
* ``到2020年``, ``截至2021年底``: the word before is kept in the surface (a target, a stock);
  after 截至/截止 the period has no start and ends at the date.
* The baseline of a comparison (``比上年增长``, ``较2009年``, ``与上年相比``) is not returned:
  it does not date the value beside it.  The year of a change's starting value
  (``由去年的1.8万元降至1.5万元``, ``从2015年的62%提高到``) is returned with ``base=True``:
  it dates that value only, not the ones after it.

``document_date(text)``: the first of (1) a signature date -- one of the last lines is a
date alone or after a signer's name (``某某县卫生局 二〇一二年四月十日``); (2) a header
date -- one of the first lines is a date alone (``2010年3月5日`` under the title) or a
speech's subtitle (``——2015年1月22日在某市人民代表大会第五次会议上``);
(3) a labelled publication timestamp near the top or the end (``时间:2022-10-12
18:00:06``, ``发布日期：2021-06-30``); (4) a signature or header line dated to the month
only (``2016 年 11 月``), as that month's last day.  The signature and header dates say
when the report was written, which is what its 今年 means; a web page's timestamp may come
later.  Dates in the body are never used.
"""
from __future__ import annotations

import bisect
import calendar
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Optional, Sequence

import regex

from extract.model import TimeMention

__all__ = ["document_date", "document_date_kind", "timestamp_spans", "find_times", "summary_year", "year_at", "YearResolver"]

_FW = str.maketrans("０１２３４５６７８９－．", "0123456789-.")
_CN_DIGIT = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_QUARTER = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PLAN = {"十五": 10, "十一五": 11, "十二五": 12, "十三五": 13, "十四五": 14, "十五五": 15}
_RELATIVE = [("上一年", -1), ("本年", 0), ("今年", 0), ("去年", -1), ("上年", -1), ("前年", -2),
             ("明年", 1), ("来年", 1), ("后年", 2), ("次年", None), ("翌年", None), ("当年", None)]


def _pat():
    from extract.patterns import load_patterns
    return load_patterns("time")


def _cn_int(s: str) -> Optional[int]:
    """一 -> 1, 十 -> 10, 十二 -> 12, 二十三 -> 23, 三十一 -> 31, 12 -> 12."""
    s = s.translate(_FW)
    if s.isdigit():
        return int(s)
    if not s:
        return None
    if "十" in s:
        a, _, b = s.partition("十")
        tens = _CN_DIGIT.get(a, None) if a else 1
        ones = _CN_DIGIT.get(b, None) if b else 0
        if tens is None or ones is None:
            return None
        return tens * 10 + ones
    if len(s) == 1 and s in _CN_DIGIT:
        return _CN_DIGIT[s]
    return None


def _cn_year(s: str) -> Optional[int]:
    digits = [_CN_DIGIT.get(c) for c in s]
    if len(digits) == 4 and None not in digits:
        return int("".join(map(str, digits)))
    return None


def _iso(y: int, m: int, d: int) -> Optional[str]:
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _month_span(y: int, m1: int, m2: int) -> tuple:
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12) or m2 < m1:
        return None, None
    return _iso(y, m1, 1), _iso(y, m2, _last_day(y, m2))


@lru_cache(maxsize=4096)
def _tail_period(y: int, tail: str) -> tuple:
    """Period of year *y* narrowed by what follows 年 (ASCII digits, no spaces).
    Cached: a report says 2010年 and 今年上半年 again and again."""
    t = tail
    if t in ("", "度"):
        return _iso(y, 1, 1), _iso(y, 12, 31)
    if t in ("底", "末", "年底", "年末"):
        return _iso(y, 12, 31), _iso(y, 12, 31)
    if t in ("初", "年初"):
        return _iso(y, 1, 1), _iso(y, 1, 1)
    if t == "上半年":
        return _iso(y, 1, 1), _iso(y, 6, 30)
    if t == "下半年":
        return _iso(y, 7, 1), _iso(y, 12, 31)
    m = re.fullmatch(r"第?([一二三四1-4])季度", t)
    if m:
        q = _QUARTER[m.group(1)]
        return _month_span(y, 3 * q - 2, 3 * q)
    m = re.fullmatch(r"前([一二三])季度", t)
    if m:
        return _month_span(y, 1, 3 * _QUARTER[m.group(1)])
    m = re.fullmatch(r"([一二三四1-4])[-—–~～至到]{1,2}([一二三四1-4])季度", t)
    if m:
        return _month_span(y, 3 * _QUARTER[m.group(1)] - 2, 3 * _QUARTER[m.group(2)])
    m = re.fullmatch(r"(\d{1,2})月?[-—–~～至到]{1,2}(\d{1,2})月(?:份)?(底|末)?", t)
    if m:
        a, b = _month_span(y, int(m.group(1)), int(m.group(2)))
        return (b, b) if m.group(3) else (a, b)
    m = re.fullmatch(r"(\d{1,2}|[十一二三四五六七八九]+)月(\d{1,2}|[十一二三四五六七八九]+)[日号]", t)
    if m:
        mo, d = _cn_int(m.group(1)), _cn_int(m.group(2))
        day = _iso(y, mo, d) if mo and d else None
        return day, day
    m = re.fullmatch(r"(\d{1,2}|[十一二三四五六七八九]+)月(?:份)?(底|末|初)?", t)
    if m:
        mo = _cn_int(m.group(1))
        if not mo or not 1 <= mo <= 12:
            return None, None
        if m.group(2) in ("底", "末"):
            d = _iso(y, mo, _last_day(y, mo))
            return d, d
        if m.group(2) == "初":
            d = _iso(y, mo, 1)
            return d, d
        return _month_span(y, mo, mo)
    return None, None


@lru_cache(maxsize=4096)
def _clean(s: str) -> str:
    return re.sub(r"[ \t\u3000]", "", s.translate(_FW))


def _window_year(end: date, years: Optional[int]) -> tuple:
    """(period_start, period_end, year) of the *years* years up to *end* (None: open start)."""
    year = end.year if end.month >= 7 else end.year - 1
    start = None
    if years:
        try:
            start = end.replace(year=end.year - years)
        except ValueError:          # 29 February
            start = end.replace(year=end.year - years, day=28)
        start = (start + timedelta(days=1)).isoformat()
    return start, end.isoformat(), year


# ---- scanning fast: the characters a match can start with ------------------------------
#
# `regex` skips ahead to the characters a match can start with only when it can work them
# out itself, and it cannot when a bare range such as ``[1-9]`` may come first (``{Month}``
# in BareSubYear, ``{N}`` in SinceN): those two kinds then try every position of the text
# and took most of the time of a scan.  We work the set out from the parse tree and put it
# in front as a lookahead, which leaves the matches as they were.

class _UnknownNode(Exception):
    """A construct `_first_chars` does not know: the pattern is used as it is."""


def _first_chars(node, core) -> tuple:
    """(code-point ranges a match of *node* can start with, whether it can match empty)."""
    kind = type(node)
    if kind is core.Sequence:
        out = []
        for item in node.items:
            ranges, empty = _first_chars(item, core)
            out += ranges
            if not empty:
                return out, False
        return out, True
    if kind is core.Branch:
        found = [_first_chars(b, core) for b in node.branches]
        return [r for ranges, _ in found for r in ranges], any(e for _, e in found)
    if kind is core.Group:
        return _first_chars(node.subpattern, core)
    if kind in (core.GreedyRepeat, core.LazyRepeat):
        ranges, empty = _first_chars(node.subpattern, core)
        return ranges, empty or node.min_count == 0
    if kind is core.LookAround:          # zero width: the next item supplies the character
        return [], True
    if getattr(node, "case_flags", 0) or getattr(node, "zerowidth", False) \
            or not getattr(node, "positive", True):
        raise _UnknownNode(kind.__name__)
    if kind is core.Character:
        return [(node.value, node.value)], False
    if kind is core.Range:
        return [(node.lower, node.upper)], False
    if kind is core.String:
        return [(node.characters[0], node.characters[0])], False
    if kind is core.SetUnion:
        return [r for item in node.items for r in _first_chars(item, core)[0]], False
    raise _UnknownNode(kind.__name__)


def _with_first_chars(rx):
    """*rx* led by a lookahead for the characters its matches start with; *rx* itself when
    they are not known (an unknown construct, case folding, a possibly empty match)."""
    if rx.flags & (regex.IGNORECASE | regex.VERBOSE | regex.REVERSE):
        return rx
    try:
        from regex import _regex_core as core
        source = core.Source(rx.pattern)
        tree = core._parse_pattern(source, core.Info(rx.flags, source.char_type, {}))
        ranges, empty = _first_chars(tree, core)
    except Exception:       # _UnknownNode, or a `regex` whose internals have changed
        return rx
    if empty or not ranges:
        return rx
    cls = "".join(regex.escape(chr(a)) + ("-" + regex.escape(chr(b)) if b > a else "")
                  for a, b in sorted(set(ranges)))
    return regex.compile(f"(?=[{cls}])(?:{rx.pattern})", flags=rx.flags)


# Kinds that start with a digit range (BareSubYear's {Month}, SinceN's {N}) are tried at
# every digit of a report, and Python's `re` does those attempts about twice as fast as
# `regex` (1.8 vs 3.2 ms, 1.2 vs 1.8 ms on the five dev reports).  A pattern is handed to
# `re` only when it uses nothing but the syntax both engines read alike (literals, sets,
# groups, greedy and lazy repeats, look-arounds, alternation) and cannot match empty (its
# leading look-ahead says so): the matches are then the same.
_RE_KINDS = ("BareSubYear", "SinceN")
_NOT_LIKE_RE = regex.compile(r"\\[pPLXKGNmMhH]|\[\[|\(\?[|>(Vrbefsp]|[*+?}]\+|\{,|\{[a-z]")


def _on_re(rx):
    """*rx* compiled by `re`, when it is led by `_with_first_chars`'s look-ahead and uses
    only syntax the two engines share; else *rx*."""
    if rx.flags & ~(regex.UNICODE | regex.VERSION0 | regex.DEFAULT_VERSION) or not rx.pattern.startswith("(?=[") \
            or _NOT_LIKE_RE.search(rx.pattern):
        return rx
    try:
        return re.compile(rx.pattern)
    except re.error:
        return rx


class _Finder:
    def __init__(self) -> None:
        p = _pat()
        raw = p.raw
        self.kinds = [(k, _on_re(_with_first_chars(p[k])) if k in _RE_KINDS else _with_first_chars(p[k]))
                      for k in raw["kinds"]]
        self.prefixes = set(raw.get("prefixes") or [])
        self.prefix_lengths = sorted({len(p) for p in self.prefixes}, reverse=True)
        self.cumulative = set(raw.get("cumulative_prefixes") or [])
        self.cmp_before = re.compile(raw["comparison_before"])
        self.cmp_after = re.compile(raw["comparison_after"])
        self.summary_title = re.compile(raw["summary_title"])
        self.speech_after_date = re.compile(raw["speech_after_date"])
        self.base_before = re.compile(raw["change_base_before"])
        self.base_after = re.compile(raw["change_base_after"])
        self.bracket_before = re.compile(raw["bracket_base_before"])
        self.bracket_after = re.compile(raw["bracket_base_after"])
        self.full_date = p["FullDate"]
        self.timestamp = _with_first_chars(p.compile(raw["timestamp_label"] + "(?P<date>{FullDate})"))
        self._recent: list = []   # (text, start, end, candidates) of the last few scans

    def prefix_before(self, text: str, s: int, start: int) -> str:
        """The longest prefix word (截至, 到…) that ends at *s* and starts at or after *start*."""
        for n in self.prefix_lengths:
            if s - n >= start and text[s - n:s] in self.prefixes:
                return text[s - n:s]
        return ""

    def candidates(self, text: str, start: int, end: int) -> list:
        # An article without a date line is scanned twice (to date it, then with that
        # date); the matches do not depend on the date, so the second scan reuses the first.
        for t, a, b, kept in self._recent:
            if t is text and a == start and b == end:
                return list(kept)
        found = []
        for rank, (kind, rx) in enumerate(self.kinds):
            for m in rx.finditer(text, start, end):
                if m.end() > m.start():
                    found.append((m.start(), m.end(), rank, kind))
        found.sort(key=lambda c: (c[0], -(c[1] - c[0]), c[2]))
        kept, last = [], start
        for c in found:
            if c[0] >= last:
                kept.append(c)
                last = c[1]
        self._recent = [(text, start, end, kept), *self._recent[:3]]
        return list(kept)


_FINDER: Optional[_Finder] = None


def _finder() -> _Finder:
    global _FINDER
    if _FINDER is None:
        _FINDER = _Finder()
    return _FINDER


def find_times(text: str, doc_date: Optional[date] = None, start: int = 0,
               end: Optional[int] = None) -> list[TimeMention]:
    """Time mentions in ``text[start:end]`` (offsets into *text*), in text order."""
    f = _finder()
    end = len(text) if end is None else min(end, len(text))
    cands = f.candidates(text, start, end)
    two_digit = [c for c in cands if c[3] == "TwoDigitYear"]
    out = _Mentions()
    for s, e, _rank, kind in cands:
        before = text[max(0, s - 8):s]
        after = text[e:e + 6]
        base = bool(f.base_before.search(before) and f.base_after.search(after)) or bool(
            f.bracket_before.search(before) and f.bracket_after.search(after))
        if not base and (f.cmp_before.search(before) or f.cmp_after.search(after)):
            continue
        prefix = f.prefix_before(text, s, start)
        core = text[s:e]
        m = _resolve(kind, core, doc_date, out, text, s, two_digit)
        if m is None:
            continue
        year, p0, p1, rel = m
        if prefix in f.cumulative and p1:
            p0 = None
        ms = s - len(prefix)
        out.append(TimeMention(ms, e, text[ms:e], year, p0, p1, rel, base))
    return list(out)


class _Mentions(list):
    """Mentions in text order, remembering the last one with a year, so that looking back
    for it is one step (walking back over every year-less mention, as in a long run of
    7月7月…, was quadratic)."""
    last_dated = -1

    def append(self, m: TimeMention) -> None:
        if m.year is not None:
            self.last_dated = len(self)
        super().append(m)


def _context_year(out: Sequence[TimeMention], text: str, pos: int) -> Optional[int]:
    """Year of the last mention before *pos* in the same paragraph that has one."""
    if isinstance(out, _Mentions):
        # mentions end in text order, so none after the last dated one is in the paragraph
        # unless that one is
        if out.last_dated < 0:
            return None
        m = out[out.last_dated]
        return m.year if text.find("\n", m.end, pos) < 0 else None
    for m in reversed(out):
        if "\n" in text[m.end:pos]:
            return None
        if m.year is not None:
            return m.year
    return None


def _resolve(kind: str, core: str, doc: Optional[date], out, text: str, pos: int, two_digit):
    """(year, period_start, period_end, relative) for one match, or None to drop it."""
    c = _clean(core)
    if kind == "IsoDate":
        y, mo, d = (int(x) for x in re.split(r"[-/.]", c)[:3])
        day = _iso(y, mo, d)
        return (y, day, day, False) if day else None
    if kind == "YearRange":
        m = re.match(r"(\d{4})年?[-—–~～至到]{1,2}(\d{4}|\d{2})年", c)
        y1, y2 = int(m.group(1)), m.group(2)
        y2 = int(y2) if len(y2) == 4 else y1 // 100 * 100 + int(y2)
        if y2 < y1:
            return None
        return y2, _iso(y1, 1, 1), _iso(y2, 12, 31), False
    if kind == "YearPoint":
        y = int(c[:4])
        tail = c[5:]
        if tail in ("以来", "至今"):      # 2010年以来: a span up to the document, no one year
            return None, _iso(y, 1, 1), doc.isoformat() if doc else None, False
        p0, p1 = _tail_period(y, tail)
        return y, p0, p1, False
    if kind == "CnYearPoint":
        y = _cn_year(c[:4])
        if y is None:
            return None
        p0, p1 = _tail_period(y, c[5:])
        return y, p0, p1, False
    if kind == "TwoDigitYear":
        nn = int(c[:2])
        y = 2000 + nn
        if doc is not None:
            if y > doc.year:
                return None
        else:
            lo = bisect.bisect_left(two_digit, (pos - 12,))
            hi = bisect.bisect_right(two_digit, (pos + 12, float("inf")))
            near = [t for t in two_digit[lo:hi] if t[0] != pos]
            if not near:
                return None
        return y, _iso(y, 1, 1), _iso(y, 12, 31), False
    if kind == "MaskedYear":
        return None, None, None, False
    if kind == "FivePlan":
        core_plan = re.sub(r"[“”\"「」『』]", "", c)
        name = next(n for n in sorted(_PLAN, key=len, reverse=True) if core_plan.startswith(n))
        first = 2001 + 5 * (_PLAN[name] - 10)      # the 10th plan (十五) was 2001-2005
        last = first + 4
        tail = core_plan[len(name):]
        if tail == "末":
            return last, _iso(last, 12, 31), _iso(last, 12, 31), False
        if tail == "初":
            return first, _iso(first, 1, 1), _iso(first, 1, 1), False
        return last, _iso(first, 1, 1), _iso(last, 12, 31), False
    if kind == "Relative":
        word, delta = next((w, d) for w, d in _RELATIVE if c.startswith(w))
        tail = c[len(word):]
        if tail.startswith("度"):
            tail = tail[1:]
        if delta is None:                       # 次年, 翌年, 当年: after the year before
            base = _context_year(out, text, pos)
            step = 0 if word == "当年" else 1
            if base is not None:
                y = base + step
                p0, p1 = _tail_period(y, tail)
                return y, p0, p1, False
            if doc is None:
                return None, None, None, True
            y = doc.year + step
        else:
            if doc is None:
                return None, None, None, True
            y = doc.year + delta
        p0, p1 = _tail_period(y, tail)
        return y, p0, p1, True
    if kind == "SinceN":
        m = re.search(r"(十[一二三四五]|[一二两三四五六七八九十]|1[0-9]|[1-9])年", c)
        n = _cn_int(m.group(1).replace("两", "二")) if m else 1
        if doc is None:
            return None, None, None, True
        p0, p1, y = _window_year(doc, n)
        return (y if n == 1 else None), p0, p1, True
    if kind == "Recent":
        if doc is None:
            return None, None, None, True
        return None, None, doc.isoformat(), True
    if kind == "Now":
        if doc is None:
            return None, None, None, True
        return doc.year, None, doc.isoformat(), True
    if kind == "BareSubYear":
        y = _context_year(out, text, pos)
        rel = False
        if y is None and doc is not None:
            y, rel = doc.year, True
        if y is None:
            return None, None, None, False
        p0, p1 = _tail_period(y, c)
        return y, p0, p1, rel
    raise ValueError(f"no handler for time kind {kind!r}")


# ---- the document date ------------------------------------------------------------------

_DMY = re.compile(r"(\d{1,2})[.．](\d{1,2})[.．](\d{4})")


def _date_of(s: str) -> Optional[date]:
    dmy = _DMY.fullmatch(s.strip())
    if dmy:
        iso = _iso(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
        return date.fromisoformat(iso) if iso else None
    ms = find_times(s)
    for m in ms:
        if m.period_start and m.period_start == m.period_end and m.year is not None:
            c = _clean(m.surface)
            if re.search(r"[日号]$", c) or re.fullmatch(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}", c):
                return date.fromisoformat(m.period_start)
    return None


_BRACKETS = "()（）〔〕[]【】<>《》 \t\u3000"
_SENTENCE = re.compile(r"[，。；：,;:！？!?、]")
_TIME_OF_DAY = re.compile(r"\s*\d{1,2}[:：]\d{2}(?:[:：]\d{2})?\s*$")
# the characters a FullDate match can end with (a signature line must end with one)
_DATE_LAST = frozenset("日号0123456789０１２３４５６７８９")


def _no_clock(s: str) -> str:
    """*s* without a clock time at its end (18:00:06); the cheap test first: most lines
    of a report have no colon, and the regex would try every position of them."""
    return _TIME_OF_DAY.sub("", s) if (":" in s or "：" in s) else s


def _only_date(line: str) -> Optional[date]:
    s = _no_clock(line.strip().strip(_BRACKETS))
    m = _finder().full_date.fullmatch(s)
    return _date_of(s) if m else None


def _speech_date(line: str) -> Optional[date]:
    """The date of a subtitle line such as ``——2015年1月22日在某市人民代表大会第五次会议上``."""
    s = line.strip().lstrip(_BRACKETS + "—-–― ")
    f = _finder()
    m = f.full_date.match(s)
    if m and f.speech_after_date.match(s, m.end()):
        return _date_of(m.group())
    return None


def _signature_date(line: str) -> Optional[date]:
    s = _no_clock(line.strip().rstrip(_BRACKETS + "。."))
    if not s or s[-1] not in _DATE_LAST:
        return None         # a date must end the line: no need to look for one
    for m in _finder().full_date.finditer(s):
        if m.end() == len(s):
            head = s[:m.start()].strip(_BRACKETS)
            if len(head) <= 40 and not _SENTENCE.search(head):
                return _date_of(m.group())
    return None


def summary_year(title: str) -> Optional[int]:
    """The year a summary report's title is about (罗湖区2017年医改工作总结 → 2017; the
    first year named), else None (not a summary, or no year)."""
    if not title or not _finder().summary_title.search(title):
        return None
    for t in find_times(title, None):
        if t.year is not None and not t.relative:
            return t.year
    return None


def _month_date(line: str, signature: bool) -> Optional[date]:
    """The last day of the month of a line that is a year and month alone (``2016 年 11 月``,
    ``二〇一六年十一月``) or, for a *signature* line, after a signer's name: a report dated
    to the month only."""
    if "月" not in line:
        return None         # no month named: a whole month's period needs a 月
    s = _no_clock(line.strip().rstrip(_BRACKETS + "。.").lstrip(_BRACKETS))
    if not s.endswith(("月", "份")):
        return None         # a whole month ends with 月 or 月份 (月底, 5日 are a day)
    ms = find_times(s)
    if not ms:
        return None
    m = ms[-1]
    if m.end != len(s) or m.year is None or m.relative or not (m.period_start and m.period_end):
        return None
    a, b = date.fromisoformat(m.period_start), date.fromisoformat(m.period_end)
    if a.day != 1 or (a.year, a.month) != (b.year, b.month) or (b + timedelta(days=1)).day != 1:
        return None        # not one whole month (a day, a quarter, 1-6月)
    head = s[:m.start].strip(_BRACKETS)
    if head and (not signature or len(head) > 40 or _SENTENCE.search(head)):
        return None
    return b


def _head_lines(lines: list) -> list:
    """The first lines, at most 15 and 1,500 characters: where a header date stands."""
    out, n = [], 0
    for ln in lines[:15]:
        n += len(ln)
        if n > 1500:
            break
        out.append(ln)
    return out


_TITLE_DATE = re.compile(r"[(（〔\[【]\s*([^()（）〔〕\[\]【】]{6,24}?)\s*[)）〕\]】]\s*$"
                         r"|(?<=[报告总结汇报做法经验材料公报])[ \t\u3000]+(\S{8,16})\s*$")


def _title_date(line: str) -> Optional[date]:
    """The date a title line ends with, in brackets or after a space:
    ``某县医改工作总结（2018年11月28日）``, ``某县医改工作总结 2018-11-28``."""
    if len(line.strip()) > 80:
        return None
    m = _TITLE_DATE.search(line.strip())
    if not m:
        return None
    return _only_date(m.group(1) or m.group(2))


def _first_date(lines, read) -> Optional[date]:
    return next((d for d in map(read, lines) if d), None)


def timestamp_spans(text: str, start: int = 0, end: Optional[int] = None) -> list:
    """(start, end) of the labelled page timestamps (发布时间:2021-06-15) in the text."""
    end = len(text) if end is None else end
    if not _has_stamp_word(text, start, end):
        return []
    return [m.span() for m in _finder().timestamp.finditer(text, start, end)]


def _has_stamp_word(text: str, start: int = 0, end: Optional[int] = None) -> bool:
    """Whether text[start:end] holds 时间 or 日期, which every timestamp label ends with:
    a str search, much quicker than the regex over a report that has none."""
    return text.find("时间", start, end) >= 0 or text.find("日期", start, end) >= 0


def document_date(text: str) -> Optional[date]:
    """The date the document was written or published (see the module doc for the rule)."""
    return document_date_kind(text)[0]


def document_date_kind(text: str) -> tuple:
    """(`document_date`, where it comes from: "signature", "header", "timestamp" -- a web
    page's publication or copy time --, "month", or None)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    signature, head = lines[-8:][::-1], _head_lines(lines)
    d = _first_date(signature, _signature_date)
    if d:
        return d, "signature"
    d = _first_date(head, lambda ln: _only_date(ln) or _speech_date(ln) or _title_date(ln))
    if d:
        return d, "header"
    f = _finder()
    for part in (text[:3000], text[-3000:]):
        if not _has_stamp_word(part):
            continue
        for m in f.timestamp.finditer(part):
            d = _date_of(m.group("date"))
            if d:
                return d, "timestamp"
    # dated to the month only (2016 年 11 月 under the title or signed so): its last day
    d = (_first_date(signature, lambda ln: _month_date(ln, signature=True))
         or _first_date(head, lambda ln: _month_date(ln, signature=False)))
    return (d, "month") if d else (None, None)


# ---- year inheritance -------------------------------------------------------------------

def year_at(pos: int, mentions: Sequence[TimeMention], paragraph_start: int = 0,
            clause: Optional[tuple] = None, default: Optional[int] = None) -> Optional[int]:
    """The year a value at *pos* refers to (spec/ANNOTATION.md rule 8).

    1. a time mention inside *clause* (``(start, end)`` of the value's clause or sentence):
       the nearest one before *pos*, else the nearest one after it;
    2. else the nearest mention before *pos* in the same paragraph (from
       *paragraph_start*) -- a masked year or an unresolved 今年 gives None and stops;
    3. else *default* (the report's year, for a caller that wants rule 8's last step).
    *mentions* must be in text order (as `find_times` returns them).
    """
    if clause is not None:
        a, b = clause
        inside = [m for m in mentions if m.start >= a and m.end <= b]
        before = [m for m in inside if m.start < pos]
        if before:
            return before[-1].year
        after = [m for m in inside if m.start >= pos]
        if after:
            return after[0].year
    best = None
    for m in mentions:
        if m.start >= pos:
            break
        if m.start >= paragraph_start:
            best = m
    return best.year if best is not None else default


class YearResolver:
    """`year_at` over one document: mentions found once, paragraph starts from the text."""

    def __init__(self, text: str, doc_date: Optional[date] = None,
                 paragraph_starts: Optional[Sequence[int]] = None) -> None:
        self.text = text
        self.doc_date = doc_date
        self.mentions = find_times(text, doc_date)
        if paragraph_starts is None:
            paragraph_starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self._starts = sorted(paragraph_starts)

    def paragraph_start(self, pos: int) -> int:
        import bisect
        i = bisect.bisect_right(self._starts, pos) - 1
        return self._starts[i] if i >= 0 else 0

    def year_at(self, pos: int, clause: Optional[tuple] = None, use_doc_year: bool = False) -> Optional[int]:
        default = self.doc_date.year if (use_doc_year and self.doc_date) else None
        return year_at(pos, self.mentions, self.paragraph_start(pos), clause, default)
