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
from datetime import date
from functools import lru_cache

import regex
from typing import Optional

from .model import RegionMention, TimeMention
from .patterns import load_patterns
from .regions import Gazetteer
from .timeref import document_date, document_date_kind, find_times, summary_year, timestamp_spans


@lru_cache(maxsize=1)
def _rules():
    p = load_patterns("attribution")
    return {
        "own": p["Own"],
        "nat_after": p["NationalReference"],
        "nat_before": p["NationalReferenceBefore"],
        "head": int(p.raw["pieces"]["ArticleHead"]),
        "funder": p["Funder"],
        "named_ref": p["NamedReferenceBefore"],
        # the characters such a cue can end with: most mentions need no look back at all
        "named_ref_last": frozenset("习鉴广制照考援扶建于过及比较了的省市县区州旗我本"),
        "dateline_last": frozenset("社网报台"),
        "national_body": p["NationalBody"],
        "dateline_before": p["DatelineBefore"],
        "dateline_after": p["DatelineAfter"],
        "caption": regex.compile(p["Caption"].pattern, regex.MULTILINE),
        "state": p["StateActor"],
        "breakdown": p["Breakdown"],
        "list_joiner": p["ListJoiner"],
        "example_before": p["ExampleBefore"],
        "example_frame": p["ExampleFrame"],
        "respectively": p["Respectively"],
        "year_line_stop": p["YearLineStop"],
        "full_stop": p.raw["full_stop"],
        "change_from": p["ChangeFrom"],
        "change_undated": p["ChangeUndated"],
        "change_to": p["ChangeTo"],
        "reform_contrast": p["ReformContrast"],
    }


_NUMBER = regex.compile(r"[0-9]+(?:\.[0-9]+)?")
YEAR_WORD = regex.compile(r"(?<![0-9])((?:19|20)[0-9]{2})[ \t]?年")
YEAR_LINE_MAX = 40     # characters of a year line (a bulletin's per-year heading)
TARGET_YEAR = regex.compile(r"到|至|力争|计划|争取")
NATIONAL_SUBJECTS = {"全国", "我国", "全国范围"}


def is_funder(text: str, m: RegionMention) -> bool:
    """中央和自治区补助资金, 省财政下拨: the place pays; the sentence is about another."""
    return bool(_rules()["funder"].match(text, m.end))


def is_named_reference(text: str, m: RegionMention) -> bool:
    """A named place as a model, partner or yardstick (学习借鉴三明经验, 对口支援的青川县,
    比六安市高), not the subject."""
    if m.code is None or m.code == "000000" or m.surface.startswith(("全", "我", "本", "该", "当")):
        return False
    if m.start == 0 or text[m.start - 1] not in _rules()["named_ref_last"]:
        return False
    return bool(_rules()["named_ref"].search(text, max(0, m.start - 10), m.start))


def is_dateline(text: str, m: RegionMention) -> bool:
    """The place of a news dateline (新华社北京3月5日电)."""
    r = _rules()
    if m.start == 0 or text[m.start - 1] not in r["dateline_last"]:
        return False
    return bool(r["dateline_before"].search(text, max(0, m.start - 6), m.start)
                and r["dateline_after"].match(text, m.end))


def is_national_reference(text: str, m: RegionMention) -> bool:
    """全国 (or 全省, 全市) used as a yardstick (全国平均水平, 在全省率先), not as the subject."""
    if m.code != "000000" and not m.surface.startswith("全"):
        return False
    r = _rules()
    return bool(r["nat_after"].match(text, m.end) or r["nat_before"].search(text, max(0, m.start - 4), m.start))


class Attributor:
    def __init__(self, text: str, st, gazetteer: Optional[Gazetteer] = None, tables=()):
        """*tables*: (start, end) spans of tables in *text*; their rows (县区 | …) are no
        part of an article's head, even when a short report starts with a table."""
        self.text = text
        self.st = st
        self.gaz = gazetteer or Gazetteer.load()
        self._ancestor_sets: dict = {}   # code -> frozenset of codes, itself included
        self._sec_region: dict = {}      # (start, end, article) -> _section_region
        # each article is searched with its own head region as context, so that 全省,
        # 我市 and shared short names (朝阳, 鼓楼区) resolve inside that report
        self.mentions = []
        self._head_region: dict = {}
        self._captions = []
        for m in _rules()["caption"].finditer(text):
            a = text.rfind("\n", 0, m.start()) + 1
            b = text.find("\n", m.end())
            if not self._captions or a >= self._captions[-1][1]:
                self._captions.append((a, len(text) if b < 0 else b))
        self._caption_starts = [a for a, _ in self._captions]
        for idx, art in enumerate(st.articles):
            head_end = min([art.end, art.start + _rules()["head"]]
                           + [a for a, _ in tables if art.start <= a])
            head = [m for m in self._usable(self.gaz.find(text, art.start, head_end))
                    if not self._is_example(m)]
            # the unit the title names (关于固原市2018年医改工作情况的报告) is the report's,
            # whatever counties its first lines go on to name
            ti = text.find(art.title, art.start, head_end) if art.title else -1
            titled = [m for m in head if ti >= 0 and ti <= m.start and m.end <= ti + len(art.title)]
            reg = self._dominant(titled) or self._dominant(head)
            self._head_region[idx] = reg
            ctx = [reg.code] if reg and reg.code and reg.code != "000000" else []
            unresolved: list = []
            found = self.gaz.find(text, art.start, art.end, context=ctx, unresolved=unresolved)
            # a 我区 the head's region does not resolve (a delegation from 宁夏 reporting on
            # 北京): read against the other places the article names
            if any(text[s] in "我本全" or text[s:e] == "自治区" for s, e in unresolved):
                # (not the head region's own units: they would have resolved it)
                others = [m.code for m in self._usable(found) if m.code and not m.masked
                          and m.code != "000000" and not (ctx and self._within(m.code, ctx[0]))
                          and not self._is_example(m)]
                if others:
                    extra = [m for s, e in unresolved if text[s] in "我本全" or text[s:e] == "自治区"
                             for m in self.gaz.find(text, s, e, context=ctx, fallback=others)]
                    found = sorted(found + extra, key=lambda m: m.start)
            self.mentions += self._usable(found)
        self.m_starts = [m.start for m in self.mentions]
        self._art_region: dict = {}
        self._art_times: dict = {}
        self._year_line: dict = {}
        self._art_date: dict = {}
        self._doc_date = None
        self._doc_date_kind = None
        self._doc_date_done = False

    # ---- regions -------------------------------------------------------------------
    def _usable(self, found) -> list:
        return [m for m in found if not (m.ambiguous and m.code is None and not m.masked)
                and not is_national_reference(self.text, m)
                and not is_named_reference(self.text, m)
                and not is_dateline(self.text, m)
                and not self._in_caption(m.start)]

    def _is_example(self, m: RegionMention) -> bool:
        """A place given as an example (以安徽省为例, 如彭阳县): it is the subject of its own
        sentence, not of the section or the story around it."""
        r = _rules()
        lo = max(0, m.start - 4)
        return bool(r["example_before"].search(self.text, lo, m.start)
                    or (r["example_frame"].search(self.text, lo, m.start)
                        and self.text.startswith("为例", m.end)))

    def _in_caption(self, pos: int) -> bool:
        i = bisect.bisect_right(self._caption_starts, pos) - 1
        return i >= 0 and pos < self._captions[i][1]

    def region_named(self, header: str, pos: int) -> Optional[RegionMention]:
        """The region a table header names (吴兴区), resolved in the context of its article."""
        reg = self.article_region(self.st.article_at(pos))
        ctx = [reg.code] if reg and reg.code and reg.code != "000000" else []
        found = [m for m in self.gaz.find(header, context=ctx) if m.code and not m.masked]
        return found[0] if found else None

    def _between(self, a: int, b: int) -> list:
        i = bisect.bisect_left(self.m_starts, a)
        j = bisect.bisect_left(self.m_starts, b)
        return [m for m in self.mentions[i:j] if m.end <= b]

    def _dominant(self, ms) -> Optional[RegionMention]:
        """The region a stretch of text is about: the most specific unit of a single chain
        (广东省东莞市 → 东莞市); else a named unit containing all the others (四川省 over its
        成都市 and 乐山市); else the most frequent one."""
        named = [m for m in ms if m.code and not m.masked]
        if not named:
            return None
        codes = {m.code for m in named if m.code != "000000"}
        for m in named:     # one chain (广东省 … 东莞市): its most specific unit
            if m.code in codes and all(self._within(m.code, c) for c in codes):
                return m
        for m in named:     # siblings under a named parent (四川省: 成都市, 乐山市): the parent
            if m.code in codes and all(self._within(c, m.code) for c in codes):
                return m

        counts = Counter(m.code for m in named)
        # the most frequent; ties go to the more specific unit, then the first named
        best = max(named, key=lambda m: (counts[m.code], m.code != "000000" and not m.code.endswith("0000"),
                                         -named.index(m)))
        return best

    def article_region(self, idx: int) -> Optional[RegionMention]:
        if idx in self._art_region:
            return self._art_region[idx]
        art = self.st.articles[idx]
        reg = self._head_region.get(idx) or self._dominant(self._between(art.start, art.end))
        self._art_region[idx] = reg
        return reg

    def _full_sentence_start(self, pos: int, sent_start: int) -> int:
        """Start of the sentence up to its 。!? (clauses after a ; share its subject:
        全国各省…已落实(…);新农合…也已落实), within the paragraph."""
        k = sent_start - 1
        while k >= 0 and self.text[k] in " \t":
            k -= 1
        if k < 0 or self.text[k] != ";":
            return sent_start          # not a clause after a ;
        para = self.st.paragraph_at(pos)
        lo = para.start if para is not None else sent_start
        if lo >= sent_start:
            return sent_start
        cut = max(self.text.rfind(c, lo, sent_start) for c in _rules()["full_stop"])
        return cut + 1 if cut >= 0 else lo

    def _in_aside(self, m: RegionMention, pos: int) -> bool:
        """Whether *m* stands in a parenthesis closed before *pos* (最高的北京268元)."""
        closes = self.text.count(")", m.end, pos)
        return bool(closes) and closes > self.text.count("(", m.end, pos)

    def region_for(self, pos: int, sent_start: int) -> Optional[RegionMention]:
        masked = None
        r = _rules()
        own = r["own"]
        in_sent = self._between(self._full_sentence_start(pos, sent_start), pos)
        state = r["state"].search(self.text, sent_start, pos)
        if state and r["breakdown"].search(self.text, state.end(), pos):
            state = None    # 国家将标准提高到200元,其中中央财政补助124元: the local share
        for i in range(len(in_sent) - 1, -1, -1):
            m = in_sent[i]
            if state and m.start < state.start():
                break
            if own.search(self.text, m.end, pos):
                break
            if self._in_aside(m, pos):
                continue
            if m.code == "000000" and not self._national_subject(m):
                continue
            if is_funder(self.text, m):
                continue
            if m.masked:
                masked = masked or m
                continue
            if m.code:
                return self._list_parent(m, in_sent, pos, i)

        if state:
            return self._national(state)
        idx = self.st.article_at(pos)
        for sec in reversed(self._section_path(pos)):
            reg, sec_masked = self._section_region(sec.start, sec.end, idx)
            if reg is not None:
                return reg
            masked = masked or sec_masked
        return masked or self.article_region(idx)

    def _list_parent(self, m: RegionMention, in_sent: list, pos: Optional[int] = None,
                     i: Optional[int] = None) -> RegionMention:
        """Several units listed together (在永济市、芮城县试点, 谷城县、保康县等4个县): the
        value is about their common parent, not the last one named -- unless 分别 follows
        the list (卢龙、抚宁参合率分别为68%和81%): then the k-th value is the k-th unit's."""
        if i is None:
            i = next(k for k, x in enumerate(in_sent) if x is m)
        if i == 0:
            return m
        group = [m]
        joiner = _rules()["list_joiner"]
        while i > 0:
            prev = in_sent[i - 1]
            if not (prev.code and not prev.masked and prev.code != "000000"
                    and joiner.fullmatch(self.text, prev.end, group[0].start)):
                break
            group.insert(0, prev)
            i -= 1
        codes = list(dict.fromkeys(x.code for x in group))
        if len(codes) < 2:
            return m
        if pos is not None:
            resp = _rules()["respectively"].search(self.text, m.end, pos)
            if resp:
                k = len(_NUMBER.findall(self.text, resp.end(), pos))
                return group[k] if k < len(group) else m
        common = [c for c in self._ancestors_list(codes[0]) if all(self._within(k, c) for k in codes[1:])]
        if not common:
            return m
        c = common[0]
        return RegionMention(group[0].start, m.end, self.text[group[0].start:m.end], c,
                             self.gaz.full_name(c) or m.name)

    def _ancestors_list(self, code: str) -> list:
        try:
            return self.gaz.ancestors(code)
        except Exception:  # pragma: no cover - unknown code
            return [code]

    def _section_region(self, start: int, end: int, idx: int) -> tuple:
        """(the region the section *start*..*end* of article *idx* is about, else None;
        its first masked mention, else None).  The same for every value in the section,
        so it is worked out once (a long section holds hundreds of values)."""
        key = (start, end, idx)
        if key not in self._sec_region:
            self._sec_region[key] = self._section_region_uncached(start, end, idx)
        return self._sec_region[key]

    def _section_region_uncached(self, start: int, end: int, idx: int) -> tuple:
        ms = [m for m in self._between(start, end)
              if not (m.code == "000000" and not self._national_subject(m))
              and not self._is_example(m)]
        reg = self._dominant(ms)
        if reg is None:
            return None, next((m for m in ms if m.masked), None)
        # a section that only names places inside the report's own region (its
        # counties as examples) or above it (its province) is about that region
        art_reg = self.article_region(idx)
        if art_reg is not None and art_reg.code and all(
                self._within(m.code, art_reg.code) or self._within(art_reg.code, m.code)
                for m in ms if m.code and not m.masked):
            return art_reg, None
        return reg, None

    @staticmethod
    def _national_subject(m: RegionMention) -> bool:
        """全国/我国, or a national body (卫生部公布…, 国务院决定…): the statement is national."""
        return m.surface in NATIONAL_SUBJECTS or bool(_rules()["national_body"].fullmatch(m.surface))

    def _national(self, m) -> RegionMention:
        return RegionMention(m.start(), m.end(), m.group(0)[:2], "000000", "全国")

    def _within(self, code: str, ancestor: str) -> bool:
        return code == ancestor or ancestor in self._ancestors(code)

    def _ancestors(self, code: str) -> frozenset:
        """The codes from *code* up to its province, memoised: `_dominant` asks about
        the same few codes for every pair of mentions in a stretch of text."""
        got = self._ancestor_sets.get(code)
        if got is None:
            try:
                got = frozenset(self.gaz.ancestors(code))
            except Exception:  # pragma: no cover - unknown code
                got = frozenset()
            self._ancestor_sets[code] = got
        return got

    def _section_path(self, pos: int) -> list:
        try:
            return list(self.st.section_path_at(pos))
        except AttributeError:  # pragma: no cover
            sec = self.st.section_at(pos)
            return [sec] if sec else []

    # ---- time --------------------------------------------------------------------------
    def document_date(self):
        if not self._doc_date_done:
            self._doc_date, self._doc_date_kind = document_date_kind(self.text)
            self._doc_date_done = True
        return self._doc_date

    def article_date(self, idx: int):
        """The article's own date, else the document's — for a summary of year Y (its
        title: 2017年…工作总结) dated in Y+1, Y's last day; else, so that 今年 and 目前 still
        resolve, the first year in the article's title (2023年医保工作总结), else the latest
        year the article states (a goal for the year after it, 到2010年底, counts; goals
        further ahead do not), taken as that year's last day."""
        if idx not in self._art_date:
            art = self.st.articles[idx]
            d, kind = (document_date_kind(self.text[art.start:art.end]) if len(self.st.articles) > 1
                       else (None, None))
            if d is None:
                d, kind = self.document_date(), self._doc_date_kind
                if len(self.st.articles) > 1 and kind != "timestamp":
                    # in a file of several reports a signature or header date is one
                    # report's own; only the page's timestamp is the whole file's
                    d = kind = None
            if d is not None and kind == "timestamp":
                # a page copied years after the report (上传时间:2021, a report on 2011):
                # the latest year the report states, when the page date is past the year after
                latest = self._latest_year(art)
                if latest is not None and d.year > latest + 1:
                    d = date(latest, 12, 31)
            if d is not None:
                # a summary of year Y signed in Y+1, or a web page posting or copying it
                # later, still calls Y 今年: the report states its own period
                y = summary_year(art.title or "")
                if y is not None and y < d.year:
                    d = date(y, 12, 31)
            if d is None:
                title_years = [t.year for t in find_times(art.title or "", None)
                               if t.year is not None and not t.relative]
                # (the years the body states are scanned for only when the title has none)
                stated, ahead = ([], []) if title_years else self._stated_years(art)
                if title_years:
                    d = date(title_years[0], 12, 31)
                elif stated:
                    y = max(stated)
                    # a goal for the coming year (到2010年底) is how a report of that year speaks
                    if y + 1 in ahead:
                        y += 1
                    d = date(y, 12, 31)
            self._art_date[idx] = d
        return self._art_date[idx]

    def _latest_year(self, art) -> Optional[int]:
        """The latest year (19xx年/20xx年) the article's text states outside the page's own
        timestamps: a quick scan, asked only of articles dated by a web timestamp."""
        stamps = timestamp_spans(self.text, art.start, art.end)
        ys = [int(m.group(1)) for m in YEAR_WORD.finditer(self.text, art.start, art.end)
              if not any(a <= m.start() < b for a, b in stamps)]
        ys = [y for y in ys if y <= date.today().year]
        return max(ys) if ys else None

    def _stated_years(self, art) -> tuple:
        """(years the article states, years it sets goals for: 到2010年底, 力争…)."""
        stated, ahead = [], []
        stamps = timestamp_spans(self.text, art.start, art.end)
        for t in find_times(self.text, None, art.start, art.end):
            if t.year is None or t.relative or not 1949 < t.year <= date.today().year:
                continue
            if any(a <= t.start < b for a, b in stamps):
                continue    # the page's own timestamp states nothing about the report
            if t.period_start and t.year - int(t.period_start[:4]) >= 2:
                continue    # a plan period (“十二五”) or a span of years states no year
            (ahead if TARGET_YEAR.match(t.surface) else stated).append(t.year)
        return stated, ahead

    def _times(self, idx: int) -> tuple:
        if idx not in self._art_times:
            art = self.st.articles[idx]
            ts = sorted(find_times(self.text, self.article_date(idx), art.start, art.end),
                        key=lambda t: t.start)
            self._art_times[idx] = (ts, [t.start for t in ts])
        return self._art_times[idx]

    def _year_lines(self, idx: int) -> tuple:
        """(mentions, starts) of the year lines of article *idx*: paragraphs of one short
        line, no sentence, holding one time phrase, a whole single year (2017年,
        2017年度全市卫生健康事业发展情况; not a date line, a month, a span or 今年)."""
        if idx not in self._year_line:
            ts, _ = self._times(idx)
            art = self.st.articles[idx]
            by_para: dict = {}
            for t in ts:
                p = self.st.paragraph_index(t.start)
                if p is not None:
                    by_para.setdefault(p, []).append(t)
            out = []
            for p, ms in sorted(by_para.items()):
                para = self.st.paragraphs[p]
                t = ms[0]
                if (len(ms) != 1 or t.relative or t.year is None or para.start == art.start
                        or para.end - para.start > YEAR_LINE_MAX
                        or t.period_start != f"{t.year}-01-01" or t.period_end != f"{t.year}-12-31"
                        or _rules()["year_line_stop"].search(self.text, para.start, para.end)):
                    continue
                out.append(t)
            self._year_line[idx] = (out, [t.start for t in out])
        return self._year_line[idx]

    def _dates(self, t: TimeMention, pos: int) -> bool:
        """Whether mention *t* can date a value at *pos*: the year of a change's starting
        value (由去年的1.8万元降至1.5万元) dates only the value right after its 的."""
        return not t.base or self.text[t.end:pos].strip() in ("的", "(")

    def time_for(self, pos: int, sent_start: int, end: Optional[int] = None) -> Optional[TimeMention]:
        """The time mention dating the value at *pos* (`_time_for`), except for the starting
        value of a change (由A提高到B; *end*: where the value ends, found when not given):
        after 由原来的/由实施前的 it is undated; after a plain 由 the time phrase dates the
        change, so A is the level of the year before (ANNOTATION rule 8)."""
        t = self._time_for(pos, sent_start)
        lo = max(sent_start, pos - 8)
        seg = self.text[lo:pos]
        if "由" not in seg and "从" not in seg:
            return t
        r = _rules()
        if r["change_undated"].search(self.text, lo, pos) or (
                r["change_from"].search(self.text, lo, pos)
                and r["reform_contrast"].search(self.text, sent_start, pos)):
            if end is None:
                end = self._value_end(pos)
            if r["change_to"].match(self.text, end):
                return None
            return t
        if t is None or t.base or t.year is None or not r["change_from"].search(self.text, lo, pos):
            return t
        if end is None:
            end = self._value_end(pos)
        if not r["change_to"].match(self.text, end):
            return t
        y = t.year - 1
        return TimeMention(t.start, t.end, t.surface, y, f"{y}-01-01", f"{y}-12-31", t.relative, False)

    def _value_end(self, pos: int) -> int:
        from .numbers import recognise
        qs = recognise(self.text, pos, min(len(self.text), pos + 30))
        return qs[0].end if qs and qs[0].start == pos else pos

    def _time_for(self, pos: int, sent_start: int) -> Optional[TimeMention]:
        """The nearest time phrase before *pos* in its paragraph (a span such as 2012年以来
        stops there: the value is a total, not a year's); else the nearest dated phrase
        earlier in the enclosing sections, whose headings often carry the year
        (一、2009年工作回顾); else in the article's head (2024年…统计公报)."""
        idx = self.st.article_at(pos)
        ts, starts = self._times(idx)
        j = bisect.bisect_left(starts, pos)
        para = self.st.paragraph_at(pos)
        lo = para.start if para is not None else sent_start
        for t in reversed(ts[bisect.bisect_left(starts, lo):j]):
            if t.end <= pos and self._dates(t, pos):
                return t if t.year is not None else None
        art = self.st.articles[idx]
        # a year line (2017年, 2016年全市卫生事业发展情况: one section per year of a
        # multi-year bulletin) dates the paragraphs under it, unless a numbered section
        # names a year nearer to the value
        yl = self._year_lines(idx)
        k = bisect.bisect_right(yl[1], pos) - 1
        line_t = yl[0][k] if k >= 0 else None
        for sec in reversed(self._section_path(pos)):
            for t in reversed(ts[bisect.bisect_left(starts, sec.start):j]):
                if t.end <= pos and t.year is not None and self._dates(t, pos):
                    return line_t if line_t is not None and line_t.start > t.start else t
        if line_t is not None:
            return line_t
        # the article's head: its title's year (2012年医改工作总结) before a date line
        # under it (二〇一三年一月八日 is when the report on 2012 was written)
        title_end = art.start + len(art.title or "") + 8
        head_end = min(art.end, art.start + _rules()["head"])
        head = [t for t in ts[bisect.bisect_left(starts, art.start):bisect.bisect_left(starts, head_end)]
                if t.year is not None and t.end <= pos and self._dates(t, pos)]
        titled = [t for t in head if t.start < title_end]
        return (titled or head or [None])[0]
