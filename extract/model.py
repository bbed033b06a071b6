"""Shared data types passed between the pipeline stages.

Every offset in these types is an offset into the *analysis text* (the normalised
copy) unless the field name says ``src``; `extract.normalise.Normalised` maps analysis
offsets back to the document text, which is what is stored and exported.
"""
from __future__ import annotations

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
