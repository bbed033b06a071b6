"""Normalise a document text into the analysis text, keeping an exact offset map.

Steps (patterns in ``patterns/chrome.yaml``):

1. one-for-one character changes: traditional -> simplified (OpenCC ``t2s``), full-width
   ASCII -> half-width, ideographic and no-break space -> space, a lone CR -> LF;
2. deletions: CR of CRLF, mojibake lines, page-chrome lines (their newline and a
   publication-date field are kept),
   inline pinyin (``醫(yī)療``), spaces inside numbers/dates/words and line breaks
   inside a number or between a number and its unit.

Only step 2 changes lengths, so the map is an index array: ``to_src[i]`` is the source
offset of analysis character ``i`` and ``to_src[len(text)] == len(source)``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import opencc
import regex

from .patterns import load_patterns

__all__ = ["Normalised", "normalise", "to_simplified"]


@dataclass(eq=False)
class Normalised:
    text: str
    to_src: np.ndarray          # int64, len(text) + 1
    source: str = ""
    # source (start, end) of the chrome and mojibake lines; a chrome line's publication
    # date field (发布日期:2011年12月20日) is kept in the analysis text
    removed_lines: list = field(default_factory=list)

    def src_span(self, a: int, b: int) -> tuple[int, int]:
        """Source span printing analysis ``text[a:b]`` (deleted material at the edges excluded)."""
        n = len(self.text)
        if not 0 <= a <= b <= n:
            raise IndexError(f"span {a}:{b} outside 0:{n}")
        m = self.to_src
        if a == b:
            return int(m[a]), int(m[a])
        return int(m[a]), int(m[b - 1]) + 1

    def src_pos(self, i: int) -> int:
        return int(self.to_src[i])

    def from_src(self, s: int) -> int:
        """Analysis offset of source offset *s* (the next kept character if *s* was deleted)."""
        return int(np.searchsorted(self.to_src, s, side="left"))


# ---- one-for-one character changes ---------------------------------------------

_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
_WIDTH.update({0x3000: 0x20, 0x00A0: 0x20, 0x2007: 0x20, 0x202F: 0x20, 0xFFE5: ord("¥")})


def _narrow(text: str) -> str:
    # str.replace per present character is several times faster than str.translate
    for cp, new in _WIDTH.items():
        ch = chr(cp)
        if ch in text:
            text = text.replace(ch, chr(new))
    return text


@lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


_CHAR_CACHE: dict[int, int | None] = {}


def _charwise(line: str) -> str:
    """Convert one character at a time (used where phrase conversion changed a length)."""
    conv = _converter()
    table = {}
    for ch in set(line):
        cp = ord(ch)
        if cp not in _CHAR_CACHE:
            out = conv.convert(ch)
            _CHAR_CACHE[cp] = ord(out) if len(out) == 1 else None
        if _CHAR_CACHE[cp] is not None and _CHAR_CACHE[cp] != cp:
            table[cp] = _CHAR_CACHE[cp]
    return line.translate(table)


def to_simplified(text: str) -> str:
    """Traditional -> simplified with the length of every line preserved."""
    if text.isascii():
        return text
    out = _converter().convert(text)
    if len(out) == len(text) and out.count("\n") == text.count("\n"):
        src_lines = text.split("\n")
        out_lines = out.split("\n")
        if all(len(a) == len(b) for a, b in zip(src_lines, out_lines)):
            return out
    # OpenCC changed a length somewhere: redo the offending lines char by char
    src_lines = text.split("\n")
    fixed = []
    for line in src_lines:
        conv = _converter().convert(line)
        fixed.append(conv if len(conv) == len(line) else _charwise(line))
    return "\n".join(fixed)


# ---- deletions -------------------------------------------------------------------

@lru_cache(maxsize=1)
def _rules():
    p = load_patterns("chrome")
    return {
        "chrome": p["ChromeLine"],
        "mark": p["ChromeMark"],
        "meta": p["MetaField"],
        "max_line": int(p.raw.get("chrome_max_line", 300)),
        "keep": p["MetaKeep"],
        "mojibake": p["MojibakeRun"],
        "ratio": float(p.raw.get("mojibake_ratio", 0.3)),
        "pinyin": p["Pinyin"],
        "gap": p.compile("{Gap}|{LineGap}"),
    }


def _line_hits(text: str, rx) -> dict[tuple[int, int], list[int]]:
    """Lines (start, end) holding matches of *rx*, with [match count, matched chars]."""
    hits: dict[tuple[int, int], list[int]] = {}
    for m in rx.finditer(text):
        s = text.rfind("\n", 0, m.start()) + 1
        e = text.find("\n", m.end())
        e = len(text) if e < 0 else e
        h = hits.setdefault((s, e), [0, 0])
        h[0] += 1
        h[1] += m.end() - m.start()
    return hits


def _chrome_ranges(text: str, rules) -> list[tuple[int, int]]:
    out = [m.span() for m in rules["chrome"].finditer(text)]
    limit = rules["max_line"]
    for (s, e), _ in _line_hits(text, rules["mark"]).items():
        if e - s <= limit:
            out.append((s, e))
    for (s, e), (count, _) in _line_hits(text, rules["meta"]).items():
        if count >= 2 and e - s <= limit:
            out.append((s, e))
    return out


def _keep_dates(text: str, lines, rx) -> list[tuple[int, int]]:
    """Chrome lines minus their publication-date field (发布日期:2011年12月20日), which
    stays in the analysis text for the document date."""
    out = []
    for s, e in lines:
        for m in rx.finditer(text, s, e):
            out.append((s, m.start()))
            s = m.end()
        out.append((s, e))
    return out


def _mojibake_ranges(text: str, rx, ratio: float) -> list[tuple[int, int]]:
    hits = {k: v[1] for k, v in _line_hits(text, rx).items()}
    out = []
    for (s, e), bad in hits.items():
        visible = (e - s) - sum(text.count(c, s, e) for c in " \t\r")
        if visible and bad / visible >= ratio:
            out.append((s, e))
    return out


def _delete(text: str, index: np.ndarray, ranges: list[tuple[int, int]]):
    """Remove *ranges* (may overlap) from *text*; carry the offset map *index* along."""
    if not ranges:
        return text, index
    n = len(text)
    r = np.asarray(ranges, dtype=np.int64).reshape(-1, 2)
    depth = np.cumsum(np.bincount(r[:, 0], minlength=n + 1)[:n + 1]
                      - np.bincount(r[:, 1], minlength=n + 1)[:n + 1])
    keep = depth <= 0                   # keep[n] is always True: every range ends by n
    if keep.all():
        return text, index
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out = cps[keep[:n]].tobytes().decode("utf-32-le", "surrogatepass")
    return out, index[keep]


_LONE_CR = regex.compile(r"\r(?!\n)")


def normalise(source: str) -> Normalised:
    text = _narrow(to_simplified(source))
    index = np.arange(len(text) + 1, dtype=np.int64)
    rules = _rules()

    # lines: CR of CRLF, mojibake, page chrome
    ranges: list[tuple[int, int]] = []
    if "\r" in text:
        text = _LONE_CR.sub("\n", text)
        ranges.extend((i, i + 1) for i in _find_all(text, "\r\n"))
    chrome = sorted(set((s, e) for s, e in _chrome_ranges(text, rules) if e > s))
    moji = _mojibake_ranges(text, rules["mojibake"], rules["ratio"])
    lines = sorted(set(chrome) | set((s, e) for s, e in moji if e > s))
    ranges.extend(_keep_dates(text, chrome, rules["keep"]))
    ranges.extend(moji)
    text, index = _delete(text, index, ranges)

    if "(" in text:
        text, index = _delete(text, index, [m.span() for m in rules["pinyin"].finditer(text)])
    text, index = _delete(text, index, [m.span() for m in rules["gap"].finditer(text)])
    return Normalised(text, index, source, lines)


def _find_all(text: str, sub: str):
    i = text.find(sub)
    while i >= 0:
        yield i
        i = text.find(sub, i + 1)
