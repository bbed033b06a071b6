"""Shared data types passed between the pipeline stages.

Every offset in these types is an offset into the *analysis text* (the normalised
copy) unless the field name says ``src``; `extract.normalise.Normalised` maps analysis
offsets back to the document text, which is what is stored and exported.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, asdict
from typing import Optional


@dataclass
class Quantity:
    """A number with its unit as recognised in the analysis text."""
    start: int
    end: int
    text: str
    value: Optional[float]              # canonical unit (万元 → 元 ×1e4); None when masked
    value_high: Optional[float] = None  # other end of a range
    unit: str = ""                      # canonical unit: 元 人 人次 % 百分点 张 天 个 家 ... or "" (bare)
    unit_text: str = ""                 # unit as printed (万元, 萬人次, ％)
    qualifier: Optional[str] = None     # approx | at_least | more_than | at_most | less_than
    masked: bool = False
    per_capita: bool = False            # 每人每年 / 人均 attached to the number


@dataclass
class RegionMention:
    start: int
    end: int
    surface: str                 # as written (simplified analysis text)
    code: Optional[str]          # GB/T 2260 six digits, 000000 for 全国; None if masked/ambiguous
    name: Optional[str]          # simplified full name of the most specific unit (湖南省衡阳市耒阳市)
    masked: bool = False         # **省, XX县, 某县
    ambiguous: bool = False      # several units share this name and context did not decide
    alt: list = field(default_factory=list)   # other accepted names/codes (renamed units)


@dataclass
class TimeMention:
    start: int
    end: int
    surface: str
    year: Optional[int]
    period_start: Optional[str] = None   # ISO date, e.g. 2018-01-01
    period_end: Optional[str] = None     # ISO date, e.g. 2018-03-31
    relative: bool = False               # 今年/去年 resolved against the document date
    base: bool = False                   # the year of a change's starting value (由去年的X降至Y):
                                         # it dates X, right after its 的, and nothing else


@dataclass
class Span:
    start: int
    end: int
    title: str = ""


@dataclass
class Record:
    """One statement of one core metric; the shape of shared/spec/RECORDS.md plus provenance."""
    doc: str
    metric: str
    kind: str
    value: Optional[float]
    value_high: Optional[float]
    unit: str
    qualifier: Optional[str]
    region: Optional[str]
    region_code: Optional[str]
    year: Optional[int]
    masked: bool
    suspect: bool
    text: str
    start: int          # offsets in the document text (source), never the analysis copy
    end: int
    # provenance beyond RECORDS.md
    region_text: Optional[str] = None
    region_masked: bool = False
    region_alt: list = field(default_factory=list)
    period_start: Optional[str] = None
    period_end: Optional[str] = None
    article: Optional[int] = None
    section: Optional[str] = None
    snippet: str = ""
    source: str = "text"        # text | table
    table_row: Optional[int] = None
    table_col: Optional[int] = None
    # comparability and identity (extract/scope.py, patterns/scope.yaml; extract/pipeline.py)
    role: Optional[str] = None          # "from": X of 由X提高到Y (a starting value)
    scheme: Optional[str] = None        # ncms | employee | urban_resident | resident | ...
    setting: Optional[str] = None       # outpatient | inpatient
    population: Optional[str] = None    # a named subgroup (poor, key_groups ...); None: all
    basis: Optional[str] = None         # a change's comparison: yoy | prev_year | ...
    subunit: Optional[str] = None       # a town / hospital / 医共体 below the region
    record_id: Optional[str] = None     # stable: from doc, offsets, metric and kind

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class DocResult:
    """What `extract.pipeline.process` returns for one document (see docs/ARCHITECTURE.md)."""
    src: object                 # extract.ingest.SourceDoc
    records: list = field(default_factory=list)    # Record, offsets in the document text
    articles: list = field(default_factory=list)   # dicts: index, start, end, title, region, region_code
    sections: list = field(default_factory=list)   # dicts: article, index, start, end, heading, level
    date: Optional[str] = None  # document date, ISO


def record_id(doc_id: str, start: int, end: int, metric: str, kind: str) -> str:
    """A record's stable id: the same document, offsets, metric and kind give the same id
    on every run (``reform run --force`` keeps it)."""
    key = "\x1f".join((doc_id, str(start), str(end), metric, kind))
    return "r" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def assign_record_ids(doc_id: str, records) -> None:
    """Give every record its stable id; a second record with the same key (one cell read
    twice) gets ``~2``, ``~3`` in document order."""
    seen: dict[str, int] = {}
    for r in records:
        rid = record_id(doc_id, r.start, r.end, r.metric, r.kind)
        n = seen[rid] = seen.get(rid, 0) + 1
        r.record_id = rid if n == 1 else f"{rid}~{n}"

