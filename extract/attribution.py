"""Attribute a region and a time to a value at a given place of the analysis text.

Region: a region named in the sentence before the value wins (unless 我省/本市… stands
closer: then it is the report's own); else the nearest earlier one in the paragraph; else
the region named in the enclosing section(s); else the article's (title and issuing body,
then the article as a whole); else null. Masked names (**省, 某县) give a masked region
(null code) only when nothing unmasked is named in the section.

Time: the nearest time phrase before the value in its paragraph (ANNOTATION.md rule 8);
relative phrases (今年, 目前) are resolved by `extract.timeref` against the date of the
article, or of the document when the article states none.
"""
from __future__ import annotations

import bisect
from collections import Counter
from functools import lru_cache
from typing import Optional

from .model import RegionMention, TimeMention
from .patterns import load_patterns
from .regions import Gazetteer
from .timeref import document_date, find_times


@lru_cache(maxsize=1)
def _rules():
    p = load_patterns("attribution")
    return {
        "own": p["Own"],
        "nat_after": p["NationalReference"],
        "nat_before": p["NationalReferenceBefore"],
        "head": int(p.raw["pieces"]["ArticleHead"]),
    }


def is_national_reference(text: str, m: RegionMention) -> bool:
    """全国 used as a yardstick (全国平均水平, 居全国前列), not as the subject."""
    if m.code != "000000":
        return False
    r = _rules()
    return bool(r["nat_after"].match(text, m.end) or r["nat_before"].search(text, max(0, m.start - 4), m.start))


class Attributor:
    def __init__(self, text: str, st, gazetteer: Optional[Gazetteer] = None):
        self.text = text
        self.st = st
        self.gaz = gazetteer or Gazetteer.load()
        found = self.gaz.find(text)
        self.mentions = [m for m in found if not (m.ambiguous and m.code is None and not m.masked)]
        self.mentions = [m for m in self.mentions if not is_national_reference(text, m)]
        self.m_starts = [m.start for m in self.mentions]
        self._art_region: dict = {}
        self._art_times: dict = {}
        self._art_date: dict = {}
        self._doc_date = None
        self._doc_date_done = False

    # ---- regions -------------------------------------------------------------------
    def _between(self, a: int, b: int) -> list:
        i = bisect.bisect_left(self.m_starts, a)
        j = bisect.bisect_left(self.m_starts, b)
        return [m for m in self.mentions[i:j] if m.end <= b]

    @staticmethod
    def _dominant(ms) -> Optional[RegionMention]:
        named = [m for m in ms if m.code and not m.masked]
        if not named:
            return None
        counts = Counter(m.code for m in named)
        # the most frequent; ties go to the more specific unit, then the first named
        best = max(named, key=lambda m: (counts[m.code], m.code != "000000" and not m.code.endswith("0000"),
                                         -named.index(m)))
        return best

    def article_region(self, idx: int) -> Optional[RegionMention]:
        if idx in self._art_region:
            return self._art_region[idx]
        art = self.st.articles[idx]
        head = self._between(art.start, min(art.end, art.start + _rules()["head"]))
        reg = self._dominant(head) or self._dominant(self._between(art.start, art.end))
        if reg is None and len(self.st.articles) > 1 and idx > 0:
            reg = None
        if reg is None and idx == 0:
            reg = self._dominant(self.mentions[:50])
        self._art_region[idx] = reg
        return reg

    def region_for(self, pos: int, sent_start: int) -> Optional[RegionMention]:
        masked = None
        own = _rules()["own"]
        in_sent = self._between(sent_start, pos)
        for m in reversed(in_sent):
            if own.search(self.text, m.end, pos):
                break
            if m.masked:
                masked = masked or m
                continue
            if m.code:
                return m
        else:
            para = self.st.paragraph_at(pos)
            if para is not None:
                for m in reversed(self._between(para.start, sent_start)):
                    if m.code and not m.masked:
                        return m
                    if m.masked:
                        masked = masked or m
        for sec in reversed(self._section_path(pos)):
            ms = self._between(sec.start, sec.end)
            reg = self._dominant(ms)
            if reg is not None:
                return reg
            masked = masked or next((m for m in ms if m.masked), None)
        reg = self.article_region(self.st.article_at(pos))
        if reg is not None and masked is None:
            return reg
        if masked is not None:
            return masked
        return reg

    def _section_path(self, pos: int) -> list:
        try:
            return list(self.st.section_path_at(pos))
        except AttributeError:  # pragma: no cover
            sec = self.st.section_at(pos)
            return [sec] if sec else []

    # ---- time --------------------------------------------------------------------------
    def document_date(self):
        if not self._doc_date_done:
            self._doc_date = document_date(self.text)
            self._doc_date_done = True
        return self._doc_date

    def article_date(self, idx: int):
        if idx not in self._art_date:
            art = self.st.articles[idx]
            d = document_date(self.text[art.start:art.end]) if len(self.st.articles) > 1 else None
            self._art_date[idx] = d or self.document_date()
        return self._art_date[idx]

    def _times(self, idx: int) -> tuple:
        if idx not in self._art_times:
            art = self.st.articles[idx]
            ts = sorted(find_times(self.text, self.article_date(idx), art.start, art.end),
                        key=lambda t: t.start)
            self._art_times[idx] = (ts, [t.start for t in ts])
        return self._art_times[idx]

    def time_for(self, pos: int, sent_start: int) -> Optional[TimeMention]:
        idx = self.st.article_at(pos)
        ts, starts = self._times(idx)
        para = self.st.paragraph_at(pos)
        lo = para.start if para is not None else sent_start
        j = bisect.bisect_left(starts, pos)
        for t in reversed(ts[bisect.bisect_left(starts, lo):j]):
            if t.end <= pos and t.year is not None:
                return t
        return None
