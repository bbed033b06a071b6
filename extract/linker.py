"""Metric linker: decide which core metric (if any) governs each quantity of a sentence.

The rules live in ``patterns/metrics.yaml``; this module is the engine:

1. find every alias of every metric in the sentence (longest wins where they overlap);
2. for each quantity of a unit some metric accepts, pair it with an alias:
   lists with 分别 pair up in order; otherwise the nearest alias before the number in
   the same clause, or in an earlier clause of the same sentence when the number's own
   clause names nothing else ("…住院量146.95万人次,增长8.1%"); else an ``after`` pattern
   ("90%的病人住院不出县");
3. decide the kind (level / change / target), the sign of a fall and 由A到B pairs;
4. flag values outside the metric's plausible range as suspect.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional, Sequence

import regex

from .model import Quantity
from .patterns import load_patterns


def _linker_words() -> dict:
    """The words the list, breakdown and continuation rules below look for: data, in the
    `linker_words` section of patterns/metrics.yaml (each name there is the lower-case name
    of its constant here)."""
    pats = load_patterns("metrics")
    return {k: pats.compile(v) for k, v in (pats.raw.get("linker_words") or {}).items()}


_WORDS = _linker_words()

CLAUSE_BREAK = regex.compile(r"[,;:!?。]")
HARD_BREAK_CHARS = ";。!?"
HARD_BREAK = regex.compile("[" + regex.escape(HARD_BREAK_CHARS) + "]")
RESPECTIVELY = _WORDS["respectively"]
COUNTING_WORD = _WORDS["counting_word"]
OWN_INDICATOR = _WORDS["own_indicator"]
LIST_COLON = _WORDS["list_colon"]
HEALTH_WORD = _WORDS["health_word"]
LIST_JOIN = _WORDS["list_join"]
LIST_JOIN_PER = _WORDS["list_join_per"]
ITEM_SPLIT = _WORDS["item_split"]
LIGHT_TAIL = _WORDS["light_tail"]
INDICATOR_END = _WORDS["indicator_end"]
# a clause holding more than 分别 and its verb (…，分别增长…)
BREAK_OR_SPACE = regex.compile(r"\p{Han}{5,}")
CONTINUATION = _WORDS["continuation"]
# a run of continuation words only (每人每年, 比上年同期): no subject of its own
CONTINUATION_RUN = regex.compile(f"(?:{CONTINUATION.pattern})+")
HAN = regex.compile(r"\p{Han}")
NOT_WORD_CHAR = regex.compile(r"[^\p{Han}A-Za-z]")
GOAL_AFTER_LIST = _WORDS["goal_after_list"]
LIGHT_PREFIX_CHARS = 2
BREAKDOWN = _WORDS["breakdown"]
DIGIT = regex.compile(r"[0-9]")
BREAKDOWN_HINT = _WORDS["breakdown_hint"]
INSTITUTION_ITEM = _WORDS["institution_item"]
BREAKDOWN_AFTER_ALIAS = _WORDS["breakdown_after_alias"]
BREAKDOWN_ITEM_CHARS = 14
# the items of a breakdown run on over soft breaks and semicolons, not over a full stop
BREAKDOWN_STOP = regex.compile(r"[。!?\n]")
TOPIC_ITEM = _WORDS["topic_item"]
# a bare number with a magnitude takes the unit its indicator implies (总诊疗人次85.3亿,
# 入院人次102.4万, 投入资金12.6亿) when it stands right after the indicator
IMPLIED_MAGNITUDES = frozenset(("万", "亿", "十万", "百万", "千万", "十亿", "百亿", "千亿", "万亿"))
IMPLIED_UNITS = frozenset(("人次", "人", "元", "张"))
IMPLIED_GAP = _WORDS["implied_gap"]
UNCOUNTED_NUMBER = _WORDS["uncounted_number"]


@dataclass
class MetricRule:
    key: str
    zh: str
    unit: str
    units: tuple
    change_units: tuple
    fixed_kind: Optional[str]
    lo: Optional[float]
    hi: Optional[float]
    aliases: list          # compiled regexes
    after: list
    context: list
    exclude: list
    exclude_after: list
    per_capita: str        # any | never: per-person amounts (每人每年120元) never count
    max_level: Optional[float]   # a per-person level above this is a total, not this metric
    definition: str = ""
    # exclude / exclude_after / context as one alternation each (None when empty): the
    # linker only asks whether any of them matches, and one search is cheaper than many
    exclude_any: Optional[regex.Pattern] = None
    exclude_after_any: Optional[regex.Pattern] = None
    context_any: Optional[regex.Pattern] = None


@dataclass
class AliasHit:
    start: int
    end: int
    metric: str
    inner: tuple = ()      # shorter aliases inside this one, tried when its metric does not fit


@dataclass
class Link:
    quantity: Quantity
    metric: str
    kind: str
    value: Optional[float]
    value_high: Optional[float]
    unit: str
    suspect: bool
    alias_start: int
    alias_end: int


def _any_of(pats, sources) -> Optional[regex.Pattern]:
    """One pattern that matches where any of *sources* does (None for no sources)."""
    return pats.compile("|".join(f"(?:{src})" for src in sources)) if sources else None


class Linker:
    def __init__(self, name: str = "metrics"):
        pats = load_patterns(name)
        raw = pats.raw
        self.rules: dict[str, MetricRule] = {}
        for key, spec in raw["metrics"].items():
            rng = spec.get("range") or [None, None]
            unit = spec["unit"]
            self.rules[key] = MetricRule(
                key=key, zh=spec.get("zh", key), unit=unit,
                units=tuple(spec.get("units") or [unit]),
                change_units=tuple(spec.get("change_units") or ("%", "百分点", unit)),
                fixed_kind=spec.get("kind"),
                lo=rng[0], hi=rng[1],
                aliases=[pats.compile("|".join(f"(?:{a})" for a in spec.get("aliases", [])))]
                if spec.get("aliases") else [],
                after=[pats.compile(a.lstrip("^")) for a in spec.get("after", [])],
                exclude_after=[pats.compile(a.lstrip("^")) for a in spec.get("exclude_after", [])],
                per_capita=spec.get("per_capita", "any"),
                max_level=spec.get("max_level"),
                context=[pats.compile(a) for a in spec.get("context", [])],
                exclude=[pats.compile(a) for a in spec.get("exclude", [])],
                definition=spec.get("definition", ""),
                exclude_any=_any_of(pats, spec.get("exclude", [])),
                exclude_after_any=_any_of(pats, [a.lstrip("^") for a in spec.get("exclude_after", [])]),
                context_any=_any_of(pats, spec.get("context", [])),
            )
        cues = raw["cues"]
        self.change_end = pats.compile(
            "(?:" + cues["change"] + r")(?:了|约|近|达|平均|分别|超过|逾|不到|不足|将近|大约|\s)*$")
        self.weak_change = regex.compile(r"^(?:多|少|高|低)")
        self.comparison = pats.compile(cues["comparison"])
        self.negative = pats.compile(cues["negative"])
        self.target_before = pats.compile(cues["target_before"])
        self.target_clause = pats.compile(cues["target_clause"])
        self.target_section = pats.compile(cues["target_section"])
        done = cues.get("level_after_target_done")
        self.level_after_target_done = pats.compile(done) if done else None
        self.achieved = pats.compile(cues["achieved"])
        self.not_target = pats.compile(cues["not_target"])
        self.change_before_alias = pats.compile(cues["change_before_alias"])
        self.target_after = pats.compile(cues["target_after"])
        self.level_after_target = pats.compile(cues["level_after_target"])
        self.from_marker = pats.compile(cues["from_marker"])
        # an item of a 分别 list that names an indicator no metric counts (耗占比)
        self.list_item_indicator = pats.compile(cues["list_item_indicator"])
        self._tokens = None
        self._segment = None
        self._plan = False
        self._breakdown_hint = None
        self._prev_alias = {}
        self._end = None
        self.units = set()
        for r in self.rules.values():
            self.units.update(r.units)
            self.units.update(r.change_units)

    def accepts(self, q: Quantity) -> bool:
        """Whether some metric may govern *q*: its unit is one a metric accepts, or it is a
        bare number with a magnitude (85.3亿) whose unit an indicator may imply."""
        return q.unit in self.units or (q.unit == "" and q.unit_text in IMPLIED_MAGNITUDES)

    # ---- aliases -----------------------------------------------------------------
    def scan_aliases(self, text: str, start: int = 0, end: Optional[int] = None) -> list:
        """Every alias match of every metric in text[start:end], as (start, end, metric)
        sorted by start: one scan per metric over a whole document instead of one per
        sentence (`link_sentence(..., alias_hits=...)` slices it)."""
        end = len(text) if end is None else end
        raw = []
        for key, rule in self.rules.items():
            for rx in rule.aliases:
                raw += [(m.start(), m.end(), key) for m in rx.finditer(text, start, end, overlapped=True)
                        if m.end() > m.start()]
        raw.sort()
        return raw

    def find_aliases(self, text: str, start: int, end: int, raw=None,
                     context_text: str = "") -> list[AliasHit]:
        """Aliases in text[start:end] whose metric's context words stand in the sentence
        or in *context_text* (a budget page's title: 本项目预算安排补助资金8652万元 under
        …城乡居民基本医疗保险…项目绩效目标 is health money)."""
        sent = text[start:end]
        if raw is None:
            raw = self.scan_aliases(text, start, end)
        else:
            i = bisect.bisect_left(raw, (start,))
            j = bisect.bisect_left(raw, (end,))
            raw = [h for h in raw[i:j] if h[1] <= end]
        ok = {}
        hits = []
        for a, b, key in raw:
            if key not in ok:
                rule = self.rules[key]
                ok[key] = not rule.context or bool(rule.context_any.search(sent)) \
                    or bool(context_text and rule.context_any.search(context_text))
            if ok[key]:
                hits.append(AliasHit(a, b, key))
        # longest first; drop hits overlapping a longer one
        hits.sort(key=lambda h: (-(h.end - h.start), h.start))
        kept: list[AliasHit] = []
        for h in hits:
            over = [k for k in kept if not (h.end <= k.start or h.start >= k.end)]
            if not over:
                kept.append(h)
                continue
            for k in over:
                if k.start <= h.start and h.end <= k.end and h.metric != k.metric:
                    k.inner = k.inner + (h.metric,)
        kept.sort(key=lambda h: (h.start, h.end))
        return kept

    # ---- linking -----------------------------------------------------------------
    def link_sentence(self, text: str, start: int, end: int,
                      quantities: Sequence[Quantity], tokens=None, plan_section: bool = False,
                      segment=None, alias_hits=None, context_text: str = "") -> list[Link]:
        """Link the quantities of text[start:end]; *tokens* are (start, end) word spans
        from the segmenter, used to judge whether a clause names a subject of its own;
        *plan_section* says the sentence stands in a section about plans (工作打算);
        *segment* (text -> words), used instead of *tokens*, segments only the short
        clause prefixes that need it, so a long document is never segmented whole;
        *context_text* may meet a metric's context words (see find_aliases)."""
        self._tokens = tokens
        self._segment = segment
        self._plan = plan_section
        self._end = end
        qs = [q for q in quantities if self.accepts(q) and start <= q.start < end
              and not COUNTING_WORD.fullmatch(q.text)]
        if not qs:
            return []
        aliases = self.find_aliases(text, start, end, alias_hits, context_text)
        clause_starts = [start] + [m.end() for m in CLAUSE_BREAK.finditer(text, start, end)]
        self._breakdown_hint = None
        self._prev_alias = {}
        self._blocked, self._item_start, self._items_memo = set(), {}, None
        self._qs, self._aliases = qs, aliases
        links = []
        paired = self._pair_lists(text, start, end, aliases, qs)
        for i, q in enumerate(qs):
            if id(q) in self._blocked:
                continue
            link = None
            if id(q) in paired:
                if paired[id(q)] is None:   # the number of a list item no metric counts
                    continue
                link = self._make(text, start, q, paired[id(q)], clause_starts, qs)
            if link is None:
                link = self._nearest(text, start, end, q, aliases, clause_starts, qs)
                # an indicator right after the number (八成以上的群众在县域内就医) names it
                # better than one inherited from an earlier clause
                if link is not None and link.alias_start < self._clause_start(clause_starts, q.start):
                    link = self._after(text, start, end, q, clause_starts, qs) or link
            if link is None:
                link = self._after(text, start, end, q, clause_starts, qs)
            if link is None and q.unit:
                link = self._breakdown(text, start, end, q, aliases, clause_starts, qs, alias_hits)
            if link is None and links:
                link = self._continue(text, start, q, links[-1], aliases, clause_starts, qs)
            if link is not None:
                links.append(link)
        return links

    def _clause_start(self, clause_starts, pos):
        """The last clause start at or before *pos* (the first one when none is);
        *clause_starts* is sorted, so a bisection instead of a walk over the sentence."""
        i = bisect.bisect_right(clause_starts, pos)
        return clause_starts[i - 1] if i else clause_starts[0]

    def _clause_end(self, text, pos, end):
        m = CLAUSE_BREAK.search(text, pos, end)
        return m.start() if m else end

    def _compatible(self, rule: MetricRule, q: Quantity, change: bool) -> bool:
        if q.unit == "":
            return rule.unit in IMPLIED_UNITS
        if change or rule.fixed_kind == "change":
            return q.unit in rule.change_units
        return q.unit in rule.units

    def _is_change(self, gap: str) -> Optional[regex.Match]:
        m = self.change_end.search(gap)
        if not m:
            return None
        if self.weak_change.match(m.group(0)) and not self.comparison.search(gap):
            return None
        return m

    def _excluded(self, rule: MetricRule, text: str, a: int, b: int, seg_start: int) -> bool:
        """An exclusion word in the alias's clause; or earlier in the sentence when that
        clause only continues it (…养老保险参保人数198万人,参保率95%)."""
        if not rule.exclude:
            return False
        if rule.exclude_any.search(text, a, b):
            return True
        if a > seg_start and not HEALTH_WORD.search(text, a, b):
            return bool(rule.exclude_any.search(text, seg_start, a))
        return False

    @staticmethod
    def _segment_start(text: str, s0: int, pos: int) -> int:
        """Just after the last hard break (;。!?) in text[s0:pos], else s0: where the part
        of the sentence that *pos* stands in begins (searched backwards, not scanned)."""
        return max(s0, max(text.rfind(c, s0, pos) for c in HARD_BREAK_CHARS) + 1)

    def _light(self, text: str, a: int, b: int, qs=()) -> bool:
        """Does text[a:b] (a clause before its number) name no subject of its own?
        A word that makes an indicator of its own (耗占比, 满意度, 人数) says it does; the
        units of the numbers in it (比上年增加6.1万人次(增长…) do not."""
        inner = [q for q in qs if a <= q.start and q.end <= b]
        if inner:
            part, pos = [], a
            for q in inner:
                part.append(text[pos:q.start])
                pos = q.end
            part.append(text[pos:b])
            prefix = " ".join(part)
            if OWN_INDICATOR.search(prefix):
                return False
        elif OWN_INDICATOR.search(text, a, b):
            return False
        else:
            prefix = text[a:b]
        rest = CONTINUATION.sub("", prefix)
        rest = NOT_WORD_CHAR.sub("", rest)
        if len(rest) > LIGHT_PREFIX_CHARS:
            return False
        words = None
        if self._tokens:
            words = [(s - a, text[s:e]) for s, e in self._tokens if s >= a and e <= b]
        elif self._segment is not None:
            words, pos = [], 0
            for w in self._segment(text[a:b]):
                words.append((pos, w))
                pos += len(w)
        if words is not None:
            # a word inside a continuation phrase (价格比 in 按当年价格比上年) is none of its own
            covered = set()
            for m in CONTINUATION.finditer(text, a, b):
                if m.end() - m.start() > 1:
                    covered.update(range(m.start() - a, m.end() - a))
            content = [w for p, w in words if HAN.search(w)
                       and not CONTINUATION.fullmatch(w) and not CONTINUATION_RUN.fullmatch(w)
                       and not all(i in covered for i in range(p, p + len(w)))]
            return len(content) <= 2
        return True

    def _opens_list(self, text, a, q) -> bool:
        """报销比例：乡镇卫生院60%,县级医院45% — an indicator followed by a colon governs
        the items of the list after it (up to the sentence's next hard break)."""
        return bool(LIST_COLON.match(text, a.end, q.start))

    def _other_measure_between(self, a, q_clause, qs, aliases) -> bool:
        """参保人员享受待遇6823.5万人次,比上年增长9.1%: a number right after the indicator
        (no other indicator between) that no metric of the indicator can count (人次 for
        参保) is what the continuation compares, not the indicator."""
        units = set()
        for metric in (a.metric,) + a.inner:
            units.update(self.rules[metric].units)
        for p in qs:
            if a.end <= p.start and p.end <= q_clause and p.unit not in ("", "%", "百分点") \
                    and p.unit not in units \
                    and not any(a.end <= o.start and o.end <= p.start for o in aliases):
                return True
        return False

    def _topic_item(self, text, a, q, q_clause) -> bool:
        """支付比例,职工医保为83.5%: the indicator ends its clause (a comma right after it,
        no number in between) and the number's clause is a short item 'X为N'."""
        nxt = CLAUSE_BREAK.search(text, a.end, q.start)
        if nxt is None or nxt.group() != "," or text[a.end:nxt.start()].strip():
            return False
        return bool(TOPIC_ITEM.fullmatch(text, q_clause, q.start)) and not OWN_INDICATOR.search(
            text, q_clause, q.start)

    def _breakdown(self, text, s0, s1, q, aliases, clause_starts, qs, alias_hits) -> Optional[Link]:
        """其中:公立医院增加716张,民营医院增加1156张 — an item of a breakdown takes the
        indicator of the clause that leads it (ANNOTATION rule 11), also when the list opens
        a sentence of its own (…增加6.1万人次。其中:医院81.7万人次)."""
        if self._breakdown_hint is None:
            self._breakdown_hint = bool(BREAKDOWN_HINT.search(text, s0, s1))
        if not self._breakdown_hint:
            return None
        q_clause = self._clause_start(clause_starts, q.start)
        if q.start - q_clause > BREAKDOWN_ITEM_CHARS:
            return None
        if any(q_clause <= a.start and a.end <= q.start for a in aliases):
            return None
        if not self._light_item(text, q_clause, q.start, qs):
            return None
        lo = max(s0, max(text.rfind(c, s0, q.start) for c in "。!?\n") + 1)
        # the marker may open the item's own clause (其中公立医院为8.4日)
        marks = [m for m in BREAKDOWN.finditer(text, lo, q.start)]
        lead_end = marks[-1].start() if marks else None
        if lead_end is None:
            for a in reversed([a for a in aliases if lo <= a.start and a.end <= q_clause]):
                if BREAKDOWN_AFTER_ALIAS.match(text, a.end, q_clause + 1):
                    return self._make(text, s0, q, a, clause_starts, qs)
            if not INSTITUTION_ITEM.fullmatch(text, q_clause, q.start):
                return None
            lead_end = q_clause
        # the lead clause's indicator; else the first item's (按等级分:三级医院诊疗人次…,
        # 二级医院…); else, when the sentence names none, the sentences before it
        lead = [a for a in aliases if lo <= a.start and a.end <= lead_end] or \
            [a for a in aliases if lo <= a.start and a.end <= q_clause]
        if not lead:
            if lo not in self._prev_alias:
                self._prev_alias[lo] = self._previous_sentence_alias(text, lo, alias_hits)
            lead = self._prev_alias[lo]
        if not lead:
            return None
        a = lead[-1]
        for metric in (a.metric,) + a.inner:
            link = self._make(text, s0, q, AliasHit(a.start, a.end, metric), clause_starts, qs)
            if link is not None:
                return link
        return None

    def _continue(self, text, s0, q, prev: Link, aliases, clause_starts, qs) -> Optional[Link]:
        """医院1.4亿人次,同比提高5.6% (the indicator in the sentence before): a clause that
        names nothing continues the indicator of the value just linked before it, when no
        other indicator and no full stop stand between."""
        q_clause = self._clause_start(clause_starts, q.start)
        p = prev.quantity
        if p.end > q_clause or BREAKDOWN_STOP.search(text, p.end, q.start):
            return None
        # another number between (享受待遇6823.5万人次,比上年增长…) is what the clause continues
        if DIGIT.search(text, p.end, q.start):
            return None
        if any(p.end <= a.start < q.start for a in aliases):
            return None
        if not self._light(text, q_clause, q.start, qs):
            return None
        return self._make(text, s0, q, AliasHit(prev.alias_start, prev.alias_end, prev.metric),
                          clause_starts, qs)

    def _light_item(self, text, a, b, qs) -> bool:
        """An item of a breakdown: a name (公立医院, 基层医疗卫生机构) with at most a change
        verb, and no indicator of its own."""
        inner = [q for q in qs if a <= q.start and q.end <= b]
        prefix = text[a:inner[0].start] if inner else text[a:b]
        return not OWN_INDICATOR.search(prefix)

    def _previous_sentence_alias(self, text, s0, alias_hits, back: int = 2) -> list:
        """The last indicator of the sentences before *s0* in its paragraph, looking back
        over at most *back* sentences (…入院人次612.8万。居民平均就诊6.1次。其中:医院…):
        the indicator that a 其中 opening a sentence continues."""
        end = s0
        for _ in range(back):
            while end > 0 and text[end - 1] in " \t\u3000":
                end -= 1
            if end == 0 or text[end - 1] != "。":
                return []
            start = max(0, max(text.rfind(c, 0, end - 1) for c in "。!?\n") + 1)
            hits = self.find_aliases(text, start, end - 1, alias_hits)
            if hits:
                return hits[-1:]
            end = start
        return []

    def _nearest(self, text, s0, s1, q, aliases, clause_starts, qs) -> Optional[Link]:
        q_clause = self._clause_start(clause_starts, q.start)
        rejected = False
        for a in reversed([a for a in aliases if a.end <= q.start]):
            if rejected and any(a.end <= q2.start and q2.end <= q.start and q2.unit == q.unit for q2 in qs):
                # 参合率98.6%、…养老保险参保率92.1%: the nearest indicator refused the number,
                # and one further back already has a number of its own of the same kind
                return None
            if a.start < q_clause:
                # the indicator stands in an earlier clause: inherit only across soft
                # breaks and when this clause names nothing else before the number
                if HARD_BREAK.search(text, a.end, q.start):
                    return None
                if not (self._opens_list(text, a, q) or self._light(text, q_clause, q.start, qs)
                        or self._topic_item(text, a, q, q_clause)):
                    return None
                if any(a2.start >= q_clause and a2.end <= q.start for a2 in aliases):
                    continue
                if self._other_measure_between(a, q_clause, qs, aliases):
                    return None
                if self._uncounted_between(text, a.end, q_clause, qs):
                    return None
            if q.start - a.end > 40:
                return None
            for metric in (a.metric,) + a.inner:
                link = self._make(text, s0, q, AliasHit(a.start, a.end, metric), clause_starts, qs)
                if link is not None:
                    return link
            # 住院补偿比52%门诊人次63.2万人次 增长53.1%: an indicator with a number of its own
            # between stands nearer; when it could count the number's unit but is excluded,
            # none before it takes the number (起付线80元后70% still passes 起付线 over: no %)
            if any(a.end <= p.start and p.end <= q.start for p in qs):
                change = bool(self._is_change(text[a.end:q.start]))
                if any(self._compatible(self.rules[m], q, change) for m in (a.metric,) + a.inner):
                    return None
            # refused for its exclusions, not for the unit (起付线 before 70% refuses a %)
            r = self.rules[a.metric]
            if q.unit and (q.unit in r.units or q.unit in r.change_units) and r.exclude:
                rejected = True
        return None

    @staticmethod
    def _uncounted_between(text, a, b, qs) -> bool:
        """A number in text[a:b] that is none of the linkable quantities *qs* (12所, 3个)."""
        for m in UNCOUNTED_NUMBER.finditer(text, a, b):
            if not any(p.start <= m.start() < p.end for p in qs):
                return True
        return False

    def _after(self, text, s0, s1, q, clause_starts, qs) -> Optional[Link]:
        rest_end = self._clause_end(text, q.end, s1)
        for rule in self.rules.values():
            for rx in rule.after:
                m = rx.match(text, q.end, rest_end)
                if m:
                    hit = AliasHit(m.start(), m.end(), rule.key)
                    link = self._make(text, s0, q, hit, clause_starts, qs, after=True)
                    if link is not None:
                        return link
        return None

    def _pair_lists(self, text, s0, s1, aliases, qs) -> dict:
        """A、B分别增长x%、y%: the i-th indicator governs the i-th number."""
        out = {}
        for m in RESPECTIVELY.finditer(text, s0, s1):
            c0 = self._clause_start([s0] + [x.end() for x in CLAUSE_BREAK.finditer(text, s0, m.start())],
                                    m.start())
            stop = HARD_BREAK.search(text, m.end(), s1)
            stop = stop.start() if stop else s1
            nxt = [a for a in aliases if a.start > m.end() and a.start < stop]
            if nxt:
                stop = min(stop, nxt[0].start)
            after = []
            for q in qs:
                if q.start < m.end() or q.start >= stop:
                    continue
                if after and not LIST_JOIN_PER.fullmatch(text, after[-1].end, q.start):
                    break
                after.append(q)
            before = [a for a in aliases if c0 <= a.start and a.end <= m.start()]
            if not before:
                hb = [x.end() for x in HARD_BREAK.finditer(text, s0, m.start())]
                seg = hb[-1] if hb else s0
                before = [a for a in aliases if seg <= a.start and a.end <= m.start()][-len(after):]
            if self._pair_items(text, c0, m.start(), before, after, out):
                continue
            metrics = []
            for a in before:
                if not metrics or metrics[-1].metric != a.metric:
                    metrics.append(a)
            if self._pair_indicator_items(text, c0, m.start(), before, after, qs, stop, out):
                continue
            if len(metrics) < 2:
                continue
            if len(after) == len(metrics):
                for a, q in zip(metrics, after):
                    out[id(q)] = a
        return out

    def _pair_items(self, text, c0, resp, before, after, out) -> bool:
        """Lists of items joined by 、/和 before 分别, where plain pairing goes wrong:
        - the items share the indicator at the end of the list and some item is one the
          indicator's metric excludes: 城镇职工基本养老保险、城乡居民基本医疗保险参保人数分别为
          6.3万人、88.6万人; 基本养老、基本医疗保险参保率分别达到96.1%、97.3%: the excluded
          item (养老) and an item naming no health word (低保) give no record, the others take
          the indicator, judged on their own words;
        - parallel items, each an indicator of its own, only some of them a metric:
          教育支出、卫生健康支出分别为18.2亿元和8.6亿元: the metric's item takes its number.
        A second 分别 of the same part of the sentence (…，分别增长5.2%和9.8%) pairs the same
        way. Anything else is left to the plain pairing."""
        if len(after) < 2 or not before:
            return False
        seg = self._segment_start(text, 0, resp)
        memo = self._items_memo
        if (not BREAK_OR_SPACE.search(text, c0, resp) and c0 > seg and memo is not None
                and memo[0] == seg and len(memo[1]) == len(after)):
            # …，分别增长5.2%和9.8%: the items of the list before govern these numbers too
            self._assign_items(after, memo[1], out)
            return True
        if (not BREAK_OR_SPACE.search(text, c0, resp) and c0 > seg
                and self._pair_labelled(text, seg, c0, after, out)):
            return True
        parts = ITEM_SPLIT.split(text[c0:resp])
        if len(parts) != len(after):
            return False
        spans, pos = [], c0
        for part in parts:
            i = text.find(part, pos)
            spans.append((i, i + len(part)))
            pos = i + len(part)
        shared = before[-1]
        rule = self.rules[shared.metric]
        own = [[a for a in before if x <= a.start and a.end <= y] for x, y in spans]
        chosen = None
        if rule.exclude and LIGHT_TAIL.fullmatch(text, shared.end, resp) and spans[-1][1] >= shared.end:
            spans[-1] = (spans[-1][0], shared.end)
            excluded = [bool(rule.exclude_any.search(text, a, b)) for a, b in spans]
            if any(excluded):
                # an item must name health itself (医疗, 基本医疗保险): 低保、特困供养、临时救助
                # 资金 has no medical item at all
                chosen = [None if ex or not HEALTH_WORD.search(text, a, b) else shared
                          for (a, b), ex in zip(spans, excluded)]
        if chosen is None:
            head = [o[-1] for o in own if o]
            bare = [(x, y) for (x, y), o in zip(spans, own) if not o]
            if not head or not bare or len(head) + len(bare) != len(spans):
                return False
            # parallel when every item without an alias is an indicator itself (教育支出,
            # 城镇化率, 手术量), not a subject of the indicator after it (县级医院、乡镇卫生院…比例)
            if not all(INDICATOR_END.search(text, x, y) for x, y in bare):
                return False
            chosen = [o[-1] if o else None for o in own]
            for i, ((x, y), a) in enumerate(zip(spans, chosen)):
                r = self.rules[a.metric] if a is not None else None
                if r is not None and r.exclude and r.exclude_any.search(text, x, y):
                    chosen[i] = None
        self._assign_items(after, chosen, out)
        self._items_memo = (seg, chosen)
        return True

    def _assign_items(self, after, chosen, out) -> None:
        """The i-th number of *after* is the i-th chosen item's (judged on that item's own
        words); a number whose item is None gives no record."""
        for q, a in zip(after, chosen):
            if a is None:
                self._blocked.add(id(q))
            else:
                out[id(q)] = a
                self._item_start[id(q)] = a.start

    def _pair_labelled(self, text, seg, c0, after, out) -> bool:
        """社会保障支出6.2亿元、医疗卫生支出3.6亿元,分别增长18.6%和21.3%: the numbers after
        分别 take the labels of the numbers listed before it, in order; a label that names
        no metric (社会保障支出) or one its metric excludes gives no record. Only where
        some label is no metric (else the plain pairing stands)."""
        prev = [q for q in self._qs if seg <= q.start and q.end <= c0][-len(after):]
        if len(prev) != len(after):
            return False
        chosen, x = [], seg
        for q in prev:
            label = [a for a in self._aliases if x <= a.start and a.end <= q.start]
            if not HAN.search(text, x, q.start) or (chosen and LIST_JOIN_PER.fullmatch(text, x, q.start)):
                # 分别为238.6元和9875元，同比分别下降…: numbers joined by 和 are a list of their
                # own (its items stand before the first 分别), not numbers with labels
                return False
            a = label[-1] if label else None
            if a is not None:
                r = self.rules[a.metric]
                if r.exclude and r.exclude_any.search(text, x, q.start):
                    a = None
            elif chosen and chosen[-1] is not None and BREAKDOWN_HINT.search(text, x, q.start) \
                    and q.unit in self.rules[chosen[-1].metric].units:
                # 县医院门诊12万人次、乡镇卫生院8万人次: an institution continues the indicator
                a = chosen[-1]
            chosen.append(a)
            x = q.end
        if all(a is None for a in chosen) or all(a is not None for a in chosen):
            return False
        self._assign_items(after, chosen, out)
        return True

    def _pair_indicator_items(self, text, c0, m0, before, after, qs, stop, out) -> bool:
        """药占比和耗占比分别为30%和20%: the list before 分别 has more items than metrics,
        each item an indicator (a metric's alias, or a name ending like one: 耗占比, 手术台次).
        The i-th number goes to the i-th item, a second group (分别由X和Y提高到Z和W) too;
        numbers of an item no metric counts get no record (None in *out*)."""
        seg = text[c0:m0]
        bounds, pos = [], c0
        for j in LIST_JOIN.finditer(seg):
            if "," in j.group():
                return False
            bounds.append((pos, c0 + j.start()))
            pos = c0 + j.end()
        bounds.append((pos, m0))
        k = len(bounds)
        if k < 2 or not after or len(after) != k:
            return False
        items = []
        for b0, b1 in bounds:
            inside = [a for a in before if b0 <= a.start and a.end <= b1]
            if inside:
                items.append(inside[-1])
            elif self.list_item_indicator.search(text, b0, b1):
                items.append(None)
            else:
                return False
        groups = [after]
        # a second group after a short verb: 由30%和20%下降到25%和18%
        rest = [q for q in qs if q.start >= after[-1].end and q.start < stop]
        if len(rest) >= k and len(text[after[-1].end:rest[0].start]) <= 6 \
                and not CLAUSE_BREAK.search(text, after[-1].end, rest[0].start):
            second = rest[:k]
            if all(LIST_JOIN.fullmatch(text, a.end, b.start) for a, b in zip(second, second[1:])):
                groups.append(second)
        if None not in items and len(groups) == 1:
            return False   # every item names a metric and one group: the plain pairing does it
        for g in groups:
            for a, q in zip(items, g):
                out[id(q)] = a
        return True

    def _make(self, text, s0, q: Quantity, a: AliasHit, clause_starts, qs, after=False) -> Optional[Link]:
        rule = self.rules[a.metric]
        q_clause = self._clause_start(clause_starts, q.start)
        gap_end = self._list_head(text, q, qs)
        if after:
            gap = text[q_clause:gap_end]
        else:
            gap = text[max(a.end, q_clause):gap_end]
        alias_text = text[a.start:a.end]
        change_m = None
        added = False
        kind = "level"
        from_level = bool(self.from_marker.search(gap))
        if rule.fixed_kind == "change":
            kind = "change"
        elif not from_level:
            change_m = self._is_change(gap)
            if change_m:
                kind = "change"
            else:
                before = None if after else self.change_before_alias.search(text, max(0, a.start - 6), a.start)
                if before:
                    kind = "change"
                    added = True
                    gap = before.group(0) + gap
        if not self._compatible(rule, q, kind == "change"):
            return None
        if q.unit == "" and (after or not IMPLIED_GAP.fullmatch(text, a.end, q.start)):
            return None
        if q.unit == "百分点" and rule.unit != "%":
            return None
        if q.per_capita and rule.per_capita == "never":
            return None
        if (rule.max_level is not None and kind != "change" and q.value is not None
                and q.value > rule.max_level):
            return None
        if rule.exclude_after:
            rest_end = self._clause_end(text, q.end, min(len(text), q.end + 15))
            if rule.exclude_after_any.search(text, q.end, rest_end):
                return None
        excl_start = self._clause_start(clause_starts, a.start) if not after else q_clause
        if not after:
            # without marks (住院补偿比52%门诊人次63.2万人次) a number ends the statement
            # before the indicator: its words are not the indicator's exclusions
            for p in qs:
                if excl_start <= p.start and p.end <= a.start and "(" not in text[p.end:a.start]:
                    # (but 上转1370人次(门急诊1217人次,…): a bracket after a number breaks that
                    # number down, so the words before it still count)
                    excl_start = p.end
        seg_start = self._segment_start(text, s0, excl_start) if rule.exclude else s0
        if id(q) in self._item_start:
            # an item of a shared-indicator list: its own words were judged (_pair_items),
            # the other items' words do not count
            excl_start = seg_start = a.start
        if rule.exclude and text.startswith("其中", seg_start):
            # 其中,…住院182.3万人次 breaks down the sentence before (享受待遇…): its words count
            seg_start = max(0, max(text.rfind(c, 0, max(0, seg_start - 1)) for c in "。!?\n") + 1)
            # …享受待遇1.8亿人次。其中,普通门急诊1.5亿人次: the lead's words count even
            # where the item's clause has a health word of its own
            if rule.exclude_any.search(text, seg_start, excl_start):
                return None
        if self._excluded(rule, text, excl_start, max(q.start, a.end if after else q.start), seg_start):
            return None
        sign = 1.0
        if kind == "change":
            cue = change_m.group(0) if change_m else alias_text + gap
            # 下降-3.6%: a printed minus after a falling verb is the same fall, not a rise
            if self.negative.search(cue) and not (q.value is not None and q.value < 0):
                sign = -1.0
        # 计划…新增床位500张 (a count to be added, in a plan) is a target like a level
        if kind != "change" or rule.fixed_kind == "change" or added:
            if self._is_target(text, s0, q, clause_starts, a.end if after else None):
                kind = "target"
        value = q.value * sign if q.value is not None else None
        value_high = q.value_high * sign if q.value_high is not None else None
        unit = q.unit or rule.unit
        suspect = False
        if kind != "change" and value is not None and rule.lo is not None:
            vals = [v for v in (value, value_high) if v is not None]
            suspect = any(v < rule.lo or v > rule.hi for v in vals)
        return Link(q, rule.key, kind, value, value_high, unit, suspect, a.start, a.end)

    def is_plan_heading(self, heading: str) -> bool:
        return bool(heading and self.target_section.search(heading))

    def _list_head(self, text, q, qs) -> int:
        """Where the list that *q* ends begins: in 增长8.5%和28.4% the verb governs both."""
        head = q.start
        for prev in reversed([p for p in qs if p.end <= q.start]):
            if LIST_JOIN.fullmatch(text, prev.end, head):
                head = prev.start
            else:
                break
        return head

    def _is_target(self, text, s0, q, clause_starts, after_end=None) -> bool:
        if self._plan and not self.achieved.search(text, s0, q.start):
            return True
        q_clause = self._clause_start(clause_starts, q.start)
        if self.target_clause.search(text, q_clause, q.start):
            return True
        before = text[s0:q.start]
        for m in self.target_before.finditer(before):
            seg = before[max(0, m.start() - 2):m.end() + 2]
            if self.not_target.search(seg) or self.level_after_target.search(before, m.end()):
                continue
            if self.level_after_target_done is not None:
                # 计划总投资…，年度完成投资38.6亿元: achieved in a later clause (计划全年完成…
                # in the cue's own clause stays a target)
                d = self.level_after_target_done.search(before, m.end())
                if d and CLAUSE_BREAK.search(before, m.end(), d.start()):
                    continue
            return True
        # the clause ends inside the sentence: searching on to the end of the text made
        # a long text without clause marks quadratic
        end = len(text) if self._end is None else max(self._end, q.end)
        rest_end = self._clause_end(text, q.end, end)
        rest = text[after_end or q.end:rest_end]
        m = self.target_after.match(rest)
        if m and not self.level_after_target.search(rest, m.end()):
            return True
        if rest.startswith("、") and GOAL_AFTER_LIST.search(rest):
            return True
        return False


@lru_cache(maxsize=1)
def default_linker() -> Linker:
    return Linker()
