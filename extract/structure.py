"""Document structure over the analysis text: articles, sections, paragraphs, sentences.

``parse_structure(text) -> DocStructure``.  All spans are `extract.model.Span` (sections
are `Heading`, a Span with ``level`` and ``number``), sorted by start.  Articles cover the
whole text; sections nest (a section runs to the next heading of the same or a higher
level, and never past its article); paragraphs and sentences are trimmed of surrounding
whitespace.  The patterns and the rules' wording live in ``patterns/structure.yaml``.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

import numpy as np
import regex

from .chinese_numerals import parse_number
from .model import Span
from .patterns import load_patterns

__all__ = ["DocStructure", "Heading", "parse_structure", "heading_of"]


@dataclass
class Heading(Span):
    level: int = 0
    number: Optional[int] = None


@dataclass
class DocStructure:
    text_len: int
    articles: list = field(default_factory=list)
    sections: list = field(default_factory=list)
    paragraphs: list = field(default_factory=list)
    sentences: list = field(default_factory=list)
    parents: list = field(default_factory=list)     # index of each section's parent or -1

    def __post_init__(self):
        self._a = [s.start for s in self.articles]
        self._s = [s.start for s in self.sections]
        self._p = [s.start for s in self.paragraphs]
        self._t = [s.start for s in self.sentences]

    def article_at(self, pos: int) -> int:
        return max(bisect.bisect_right(self._a, pos) - 1, 0)

    def section_index(self, pos: int) -> Optional[int]:
        i = bisect.bisect_right(self._s, pos) - 1
        while i >= 0 and self.sections[i].end <= pos:
            i = self.parents[i]
        return i if i >= 0 else None

    def section_at(self, pos: int) -> Optional[Heading]:
        """The innermost section holding *pos*, or None."""
        i = self.section_index(pos)
        return None if i is None else self.sections[i]

    def section_path_at(self, pos: int) -> list:
        """Sections holding *pos*, outermost first."""
        path = []
        i = self.section_index(pos)
        while i is not None and i >= 0:
            path.append(self.sections[i])
            i = self.parents[i]
        return path[::-1]

    @staticmethod
    def _find(starts, spans, pos):
        i = bisect.bisect_right(starts, pos) - 1
        return i if i >= 0 and pos < spans[i].end else None

    def paragraph_index(self, pos: int) -> Optional[int]:
        return self._find(self._p, self.paragraphs, pos)

    def sentence_index(self, pos: int) -> Optional[int]:
        return self._find(self._t, self.sentences, pos)

    def paragraph_at(self, pos: int) -> Optional[Span]:
        i = self.paragraph_index(pos)
        return None if i is None else self.paragraphs[i]

    def sentence_at(self, pos: int) -> Optional[Span]:
        i = self.sentence_index(pos)
        return None if i is None else self.sentences[i]


# ---- patterns ---------------------------------------------------------------------

@lru_cache(maxsize=1)
def _rules():
    p = load_patterns("structure")
    levels = p.raw["heading_levels"]
    heading = p.compile("^{Lead}(?:" + "|".join(f"(?P<L{i + 1}>{{{name}}})"
                                                   for i, name in enumerate(levels)) + ")")
    return {
        "heading": heading,
        "levels": len(levels),
        "stop": p["TitleStop"],
        "article": p["ArticleLine"],
        "title": p["TitleLine"],
        "numbered": p["NumberedTitle"],
        "suffixed": p["SuffixTitle"],
        "issuer": p["Issuer"],
        "date": p["DateLine"],
        "collection": p["CollectionHint"],
        "end_chars": p.raw["sentence_end"],
        "end": regex.compile("[" + regex.escape(p.raw["sentence_end"]) + "]"),
        "continues": frozenset(p.raw["continues"]),
        "open": {b[0]: b[1] for b in p.raw["brackets"]},
        "title_max": int(p.raw.get("title_max", 50)),
        "window": int(p.raw.get("restart_window", 3)),
    }


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _marker_number(marker: str) -> Optional[int]:
    for ch in marker:
        if ch in _CIRCLED:
            return _CIRCLED.index(ch) + 1
    digits = "".join(c for c in marker if c in "0123456789")
    if digits:
        tail = marker.strip().split(" ")[-1]            # "2 2、" -> 2
        digits = "".join(c for c in tail if c in "0123456789") or digits
        return int(digits)
    cn = "".join(c for c in marker if c in "一二三四五六七八九十百零〇两")
    v = parse_number(cn) if cn else None
    return int(v) if v is not None else None


def _heading_match(m, line_end: int, text: str, rules) -> Heading:
    level = next(i for i in range(1, rules["levels"] + 1) if m.group(f"L{i}") is not None)
    marker = m.group(f"L{level}")
    s = m.start(f"L{level}")
    stop = rules["stop"].search(text, m.end(), line_end)
    title = text[m.end(): stop.start() if stop else line_end].strip()
    return Heading(s, line_end, title[:60], level, _marker_number(marker))


def heading_of(line: str) -> Optional[Heading]:
    """The heading a single line starts with, or None (offsets within *line*)."""
    m = _rules()["heading"].match(line)
    return _heading_match(m, len(line.rstrip("\n")), line, _rules()) if m else None


# ---- parsing ------------------------------------------------------------------------

def parse_structure(text: str) -> DocStructure:
    rules = _rules()
    starts = [0]
    i = text.find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    ends = [s - 1 for s in starts[1:]] + [len(text)]
    nlines = len(starts)

    def lidx(pos: int) -> int:
        return bisect.bisect_right(starts, pos) - 1

    # per-line facts, computed with whole-text scans
    blank = np.array([not text[a:b].strip() for a, b in zip(starts, ends)], dtype=bool)
    lengths = np.array(ends) - np.array(starts)
    body = lengths > 60
    for m in rules["end"].finditer(text):
        body[lidx(m.start())] = True
    body &= ~blank
    body_cum = np.concatenate([[0], np.cumsum(body)])

    headings: dict[int, Heading] = {}
    for m in rules["heading"].finditer(text):
        k = lidx(m.start())
        headings[k] = _heading_match(m, ends[k], text, rules)

    # title-like patterns only need to look at short lines
    # (titles, issuers and dates are short and hold no sentence-end mark: not body lines)
    short = [int(k) for k in np.flatnonzero(~body & ~blank)]

    def line_set(rx) -> dict[int, object]:
        out = {}
        for k in short:
            m = rx.match(text, starts[k], ends[k])
            if m:
                out[k] = m
        return out

    markers = {lidx(m.start()): m for m in rules["article"].finditer(text)}
    titles = line_set(rules["title"])
    issuers = line_set(rules["issuer"])
    dates = line_set(rules["date"])
    nonblank = np.flatnonzero(~blank)

    def next_nonblank(k: int, count: int) -> list[int]:
        j = bisect.bisect_right(nonblank, k)
        return [int(x) for x in nonblank[j:j + count]]

    head_end = int(nonblank[min(4, len(nonblank) - 1)]) if len(nonblank) else 0
    collection = bool(markers) or bool(
        rules["collection"].search(text, 0, ends[head_end] if nlines else 0))
    numbered = line_set(rules["numbered"]) if collection else {}
    suffixed = line_set(rules["suffixed"]) if collection else {}

    # candidate article starts: line -> (kind, title)
    cands: dict[int, tuple[str, str]] = {}
    for k, m in markers.items():
        title = m.group("title").strip()
        if not title:
            nxt = next_nonblank(k, 1)
            if nxt and not body[nxt[0]] and nxt[0] not in headings:
                title = text[starts[nxt[0]]:ends[nxt[0]]].strip()
        cands[k] = ("marker", title)
    for k, m in titles.items():
        if k in cands or (k in headings and k not in numbered):
            continue
        if any(j in issuers or j in dates for j in next_nonblank(k, 2)):
            cands[k] = ("title", m.group("title").strip())
    for table in (numbered, suffixed):
        for k, m in table.items():
            cands.setdefault(k, ("title", m.group("title").strip()))
    _restart_titles(headings, titles, cands, nonblank, rules["window"], text, starts, ends)

    # walk the candidates in order; a title-based start needs body text since the last start
    art_lines: list[int] = []
    art_titles: list[str] = []
    for k in sorted(cands):
        kind, title = cands[k]
        if not art_lines:
            if body_cum[k] > 0:         # text before the first start: a preamble article
                art_lines.append(0)
                art_titles.append(_first_title(text, starts, ends, nonblank, headings, body,
                                               rules))
        elif body_cum[k] == body_cum[art_lines[-1]]:
            prev_kind = cands.get(art_lines[-1], ("", ""))[0]
            if not (kind == "marker" and prev_kind == "marker"):
                if not art_titles[-1]:
                    art_titles[-1] = title
                continue
        art_lines.append(k)
        art_titles.append(title)
    if not art_lines:
        art_lines = [0]
        art_titles = [_first_title(text, starts, ends, nonblank, headings, body, rules)]
    title_lines = [k for k in art_lines if k in cands]
    # an issuing body on the line above a report's title, naming the same place
    # (开封市卫生健康委员会 / 开封市卫生健康委员会2019年工作总结), heads that report: it is not
    # the previous report's signature
    for i in range(1, len(art_lines)):
        k = art_lines[i]
        j = bisect.bisect_left(nonblank, k) - 1
        if j < 0:
            continue
        prev = int(nonblank[j])
        if prev in issuers and prev not in cands and (i == 0 or prev > art_lines[i - 1]):
            a = text[starts[prev]:ends[prev]].strip()
            b = text[starts[k]:ends[k]].strip()
            if len(a) >= 2 and len(b) >= 2 and a[:2] == b[:2]:
                art_lines[i] = prev
    art_lines[0] = 0
    art_starts = [starts[k] for k in art_lines]
    articles = [Span(a, b, t) for a, b, t in
                zip(art_starts, art_starts[1:] + [len(text)], art_titles)]

    # a numbered article title (1、甲县医改工作总结) is the article's title, not a section
    for k in title_lines:
        headings.pop(k, None)
    sections, parents = _sections(headings, articles, art_starts)
    paragraphs = _paragraphs(text, starts, ends, blank, headings, set(art_lines) | set(cands),
                             set(titles), rules)
    sentences = _sentences(text, paragraphs, rules)
    return DocStructure(len(text), articles, sections, paragraphs, sentences, parents)


def _first_title(text, starts, ends, nonblank, headings, body, rules) -> str:
    if not len(nonblank):
        return ""
    k = int(nonblank[0])
    line = text[starts[k]:ends[k]].strip()
    if k in headings or body[k] or len(line) > rules["title_max"] or "," in line:
        return ""
    return line


def _restart_titles(headings, titles, cands, nonblank, window, text, starts, ends):
    """A title line just before a heading numbered 1 whose level restarts."""
    last: dict[int, int] = {}           # level -> last number since a higher heading
    pos_in_nonblank = {int(k): i for i, k in enumerate(nonblank)}
    starts_at = sorted(cands)
    prev = -1
    for k in sorted(headings):
        h = headings[k]
        if bisect.bisect_right(starts_at, k) > bisect.bisect_right(starts_at, prev):
            last.clear()                # an article started since the previous heading
        prev = k
        if h.number == 1 and last.get(h.level, 0) >= 2:
            i = pos_in_nonblank[k]
            for j in nonblank[max(0, i - window):i]:
                j = int(j)
                if j in titles and j not in headings:
                    cands.setdefault(j, ("title", titles[j].group("title").strip()))
                    last.clear()
                    break
        for lv in [lv for lv in last if lv > h.level]:
            del last[lv]
        last[h.level] = h.number or 0


def _sections(headings, articles, art_starts):
    """Nest the headings: a section ends at the next heading of the same or a higher
    level, or at the end of its article."""
    sections: list[Heading] = []
    parents: list[int] = []
    stack: list[int] = []
    art = 0
    for k in sorted(headings):
        h = headings[k]
        a = bisect.bisect_right(art_starts, h.start) - 1
        if a != art:
            stack, art = [], a
        while stack and sections[stack[-1]].level >= h.level:
            sections[stack.pop()].end = h.start
        parents.append(stack[-1] if stack else -1)
        sections.append(Heading(h.start, articles[a].end, h.title, h.level, h.number))
        stack.append(len(sections) - 1)
    return sections, parents


def _paragraphs(text, starts, ends, blank, headings, hard, titles, rules) -> list[Span]:
    """One paragraph a line, except that a line left open runs on into the next one.

    A line is left open when it ends in a `continues` mark (``,`` ``、`` ...), which also
    bridges blank lines, or -- directly followed by the next line -- when it is a long
    line (15+ characters, not a title) without final punctuation: a PDF line wrap.
    Headings and article starts always begin a paragraph and never run on.
    """
    ends_set, cont = frozenset(rules["end_chars"]), rules["continues"]
    closers = frozenset(rules["open"].values()) | {":"}
    paras: list[Span] = []
    cur: Optional[list[int]] = None
    open_soft = open_hard = False
    for k in range(len(starts)):
        if blank[k]:
            open_soft = False
            continue
        a, b = starts[k], ends[k]
        line = text[a:b]
        sa = a + (len(line) - len(line.lstrip()))
        sb = a + len(line.rstrip())
        fixed = k in headings or k in hard
        if cur and (open_soft or open_hard) and not fixed:
            cur[1] = sb
        else:
            if cur:
                paras.append(Span(cur[0], cur[1]))
            cur = [sa, sb]
        last = text[sb - 1]
        open_hard = not fixed and last in cont
        open_soft = (not fixed and k not in titles and sb - sa >= 15
                     and last not in ends_set and last not in closers)
    if cur:
        paras.append(Span(cur[0], cur[1]))
    return paras


def _sentences(text, paragraphs, rules) -> list[Span]:
    """Split paragraphs after a sentence_end mark (plus closing marks), never inside a
    matched quote/bracket pair; ASCII '.' never ends a sentence, so 3.5 stays whole."""
    opens = rules["open"]
    term = frozenset(rules["end_chars"])
    stop = term | frozenset(opens.values())
    closes = {v: k for k, v in opens.items() if k != v}
    events = [(m.start(), m.group()) for m in _event_rx(rules).finditer(text)]
    where = [e[0] for e in events]
    out: list[Span] = []
    for p in paragraphs:
        lo = bisect.bisect_left(where, p.start)
        hi = bisect.bisect_left(where, p.end)
        pev = events[lo:hi]
        ranges = _inside_pairs(pev, opens, closes) if any(ch not in term for _, ch in pev) \
            else []
        s = p.start
        ri = 0
        run = (0, -1)    # text[run[0]:run[1]] are all marks, text[run[1]] is not (or ends p)
        for pos, ch in pev:
            if ch not in term:
                continue
            while ri < len(ranges) and ranges[ri][1] <= pos:
                ri += 1
            e = pos + 1
            if not run[0] <= e <= run[1]:     # a run of marks is scanned once, not once
                f = e                         # per mark in it (。。。… was quadratic)
                while f < p.end and text[f] in stop:
                    f += 1
                run = (e, f)
            if ri < len(ranges) and ranges[ri][0] < pos and run[1] <= ranges[ri][1]:
                continue   # inside a pair: only a terminal right before the closing mark ends it
            e = run[1]
            if e > s:
                _add(out, text, s, e)
            s = e
        if s < p.end:
            _add(out, text, s, p.end)
    return out


def _add(out, text, s, e):
    if not (text[s].isspace() or text[e - 1].isspace()):
        out.append(Span(s, e))
        return
    seg = text[s:e]
    a = s + (len(seg) - len(seg.lstrip()))
    b = s + len(seg.rstrip())
    if b > a:
        out.append(Span(a, b))


_EVENT_RX: dict = {}


def _event_rx(rules):
    key = rules["end_chars"]
    if key not in _EVENT_RX:
        chars = set(rules["end_chars"]) | set(rules["open"]) | set(rules["open"].values())
        _EVENT_RX[key] = regex.compile("[" + regex.escape("".join(sorted(chars))) + "]")
    return _EVENT_RX[key]


def _inside_pairs(events, opens, closes) -> list[tuple[int, int]]:
    """Outermost matched quote/bracket ranges (open, close) among *events*."""
    stack: list[tuple[int, str]] = []
    ranges: list[tuple[int, int]] = []
    # stack depths of each opener, so a closer finds its opener without scanning the
    # stack (a line of 10^5 unmatched openers and closers took minutes)
    depths: dict[str, list[int]] = {}
    for pos, ch in events:
        if ch in opens and opens[ch] == ch:           # self-paired quote: "
            if stack and stack[-1][1] == ch:
                depths[ch].pop()
                ranges.append((stack.pop()[0], pos))
            else:
                depths.setdefault(ch, []).append(len(stack))
                stack.append((pos, ch))
        elif ch in opens:
            depths.setdefault(ch, []).append(len(stack))
            stack.append((pos, ch))
        elif ch in closes:
            if depths.get(closes[ch]):
                d = depths[closes[ch]][-1]
                ranges.append((stack[d][0], pos))
                for _, o in stack[d:]:
                    depths[o].pop()
                del stack[d:]
    ranges.sort()
    # merge nested pairs into outermost ranges (unmatched openers never count)
    merged: list[tuple[int, int]] = []
    for a, b in ranges:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged
