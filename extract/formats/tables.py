"""Aligned text tables in plain text, and the tab-joined row layout shared by HTML/DOCX.

A text table is a run of at least two consecutive lines that each split into the same
number (>= 2) of short cells, where cells are separated by a tab, by two or more spaces
(ASCII or ideographic), or by ``|`` (Markdown style, with an optional ``|---|`` rule line).
The first row is the header row and the first column holds the row headers. Offsets are
offsets into the text the function was given.
"""
from __future__ import annotations

from typing import Iterable, Optional

import regex

from .base import Cell, Table

_EOL = regex.compile(r"[\r\n]")
_CANDIDATE = regex.compile(r"(?<=[^\s|])(?:[ \u3000\u00a0]*\t|[ \u3000\u00a0]{2,})|\|")
_SPACE_SEP = regex.compile(r"[ \u3000\u00a0]*\t[ \t\u3000\u00a0]*|[ \u3000\u00a0]{2,}")
_PIPE_RULE = regex.compile(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef]")
_MAX_CELL = 40          # a cell longer than this is prose, not a table cell
_SENTENCE_END = ("。", "；", "！", "？")


def detect_text_tables(text: str) -> list[Table]:
    tables: list[Table] = []
    run: list[list[tuple[int, int]]] = []     # rows of (start, end) cell spans
    run_kind: Optional[str] = None
    expected_start = -1                       # where the next line of the run must begin
    for start, end, next_start in _candidate_lines(text):
        if start != expected_start:
            _flush(text, run, tables)
            run, run_kind = [], None
        expected_start = next_start
        if run_kind == "|" and len(run) == 1 and _PIPE_RULE.match(text, start, end):
            continue                            # the |---|---| rule under a Markdown header
        kind, cells = _split_line(text, start, end)
        if cells and run and kind == run_kind and len(cells) == len(run[0]):
            run.append(cells)
            continue
        _flush(text, run, tables)
        run, run_kind = ([cells], kind) if cells else ([], None)
    _flush(text, run, tables)
    return tables


def _candidate_lines(text: str):
    """(start, end, next line start) of the lines holding a cell separator after some text,
    found by one regex scan so that prose lines cost nothing."""
    line_end = -1
    for m in _CANDIDATE.finditer(text):
        if m.start() < line_end:
            continue                            # another separator on the same line
        nl = text.rfind("\n", 0, m.start())            # both searches stay within the line
        start = max(nl, text.rfind("\r", nl + 1, m.start())) + 1
        eol = _EOL.search(text, m.start())
        line_end = eol.start() if eol else len(text)
        nxt = line_end + (2 if text.startswith("\r\n", line_end) else 1 if eol else 0)
        yield start, line_end, nxt


def _split_line(text: str, start: int, end: int) -> tuple[Optional[str], list[tuple[int, int]]]:
    """Cell spans of one line, or (None, []) when the line is not a table row."""
    line = text[start:end]
    body = line.strip(" \t\u3000\u00a0")
    if not body:
        return None, []
    lead = start + line.index(body[0])
    if body.startswith("|") or (body.endswith("|") and body.count("|") >= 2):
        spans = _pipe_cells(text, lead, lead + len(body))
        kind = "|"
    else:
        spans = []
        pos = lead
        for sep in _SPACE_SEP.finditer(text, lead, lead + len(body)):
            spans.append((pos, sep.start()))
            pos = sep.end()
        spans.append((pos, lead + len(body)))
        kind = "space"
    if len(spans) < 2:
        return None, []
    for a, b in spans:
        if b - a > _MAX_CELL or text[a:b].endswith(_SENTENCE_END):
            return None, []
    return kind, spans


def _pipe_cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    inner_start = start + 1 if text[start] == "|" else start
    inner_end = end - 1 if end > inner_start and text[end - 1] == "|" else end
    spans = []
    pos = inner_start
    while pos <= inner_end:
        bar = text.find("|", pos, inner_end)
        stop = inner_end if bar < 0 else bar
        a, b = pos, stop
        while a < b and text[a] in " \t\u3000":
            a += 1
        while b > a and text[b - 1] in " \t\u3000":
            b -= 1
        spans.append((a, b))
        if bar < 0:
            break
        pos = bar + 1
    return spans


def _flush(text: str, rows: list[list[tuple[int, int]]], out: list[Table]) -> None:
    if len(rows) < 2 or not _looks_tabular(text, rows):
        return
    table = Table(start=rows[0][0][0], end=rows[-1][-1][1])
    for r, spans in enumerate(rows):
        for c, (a, b) in enumerate(spans):
            table.cells.append(Cell(text=text[a:b], row=r, col=c, start=a, end=b))
    out.append(table.finish())


def _looks_tabular(text: str, rows: list[list[tuple[int, int]]]) -> bool:
    """A data row holds a number: guards against two prose lines that happen to align."""
    return any(any(ch.isdigit() for ch in text[a:b]) for spans in rows[1:] for a, b in spans)


# --- rendering rows of cells as tab-joined lines (HTML, DOCX) -----------------------------

def join_inline(parts: Iterable[str]) -> str:
    """Join text pieces of one cell: no separator next to CJK, else one space."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and not (_CJK.match(out[-1]) or _CJK.match(p[0])):
            out += " "
        out += p
    return out


def grid_columns(rows: list[list[tuple[int, int]]]) -> list[list[int]]:
    """Grid column of each source cell, given (rowspan, colspan) per cell and row (HTML rules:
    a cell takes the first column not covered by a rowspan from above)."""
    covered: set[tuple[int, int]] = set()
    out: list[list[int]] = []
    for r, cells in enumerate(rows):
        col = 0
        cols = []
        for rowspan, colspan in cells:
            while (r, col) in covered:
                col += 1
            cols.append(col)
            for dr in range(rowspan):
                for dc in range(colspan):
                    covered.add((r + dr, col + dc))
            col += colspan
        out.append(cols)
    return out


class RowWriter:
    """Writes table rows into a text buffer, one line per row with cells joined by tabs,
    and records each cell with its offsets."""

    def __init__(self, buf: list[str], pos: int):
        self.buf = buf
        self.pos = pos
        self.table = Table(start=pos, end=pos)
        self._in_row = False

    def cell(self, text: str, row: int, col: int, rowspan: int = 1, colspan: int = 1,
             record: bool = True) -> Optional[Cell]:
        """Write one cell; ``record=False`` writes a merge continuation without a Cell."""
        if self._in_row:
            self._write("\t")
        self._in_row = True
        start = self.pos
        self._write(text)
        if not record:
            return None
        c = Cell(text=text, row=row, col=col, start=start, end=self.pos,
                 rowspan=rowspan, colspan=colspan)
        self.table.cells.append(c)
        return c

    def end_row(self) -> None:
        self._write("\n")
        self._in_row = False

    def _write(self, s: str) -> None:
        if s:
            self.buf.append(s)
            self.pos += len(s)

    def finish(self, header_rows: int = 1) -> Optional[Table]:
        """The table (None if it had no cell); its end excludes the last newline."""
        if not self.table.cells:
            return None
        self.table.end = max(self.table.start, self.pos - 1)
        self.table.header_rows = max(1, header_rows)
        return self.table.finish()
