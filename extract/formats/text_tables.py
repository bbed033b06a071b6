"""Aligned text tables in plain text, with cell offsets into the text.

A table is a run of at least two consecutive lines that split into two or more short cells,
where cells are separated by a tab, by two or more spaces (ASCII or ideographic), or by
``|`` (Markdown style, with an optional ``|---|`` rule line). At least one row must hold a
number. Columns:
- ``|`` and tab rows: the n-th cell is in the n-th column (a tab row's leading tabs are
  empty cells);
- space-aligned rows: columns are the on-screen stretches (CJK characters two wide) filled
  by the rows that hold numbers, separated by stretches blank in all of them; a cell goes to
  the columns it overlaps, so a name written with inner spaces (``全  市``) stays one cell,
  a header line that starts with blanks lands under the right columns and a header over two
  columns spans both.
Header rows are the rows above the first data row (a row with a row label and a number),
at least one; the first column holds the row headers. In header rows, a label with empty
positions to its right (above sub-headers) spans them, and one with empty positions below
spans those rows.
"""
from __future__ import annotations

from typing import Optional

import regex

from .base import Cell, Table

_EOL = regex.compile(r"[\r\n]")
_CANDIDATE = regex.compile(r"(?<=[^\s|])(?:[ \u3000\u00a0]*\t|[ \u3000\u00a0]{2,})|\|")
_SPACE_SEP = regex.compile(r"[ \u3000\u00a0]*\t[ \t\u3000\u00a0]*|[ \u3000\u00a0]{2,}")
_PIPE_RULE = regex.compile(r"\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_NUMBER_CELL = regex.compile(r"[-+−]?\d[\d,，.]*\s*(?:%|％|‰|[万亿千百]?[元人次个张家床所户]*)")
_DIGIT = regex.compile(r"\d")
_FORM_CELL = regex.compile(r"[^\d:：]{1,12}[:：]\s*[-+−]?\d[\d,，.]*\s*(?:%|％|[万亿千]?元)?")
_WIDE = regex.compile(r"[\p{ea=W}\p{ea=F}]")
_MAX_CELL = 40          # a cell longer than this is prose, not a table cell
_SENTENCE_END = ("。", "；", "！", "？")

Span = tuple[int, int]


def detect_text_tables(text: str) -> list[Table]:
    tables: list[Table] = []
    block: list[tuple[int, list[Span]]] = []     # (line start, cell spans) per row
    kind: Optional[str] = None
    expected_start = -1                          # where the next row of the block begins
    for start, end, next_start in _candidate_lines(text):
        if start != expected_start:
            _flush(text, kind, block, tables)
            block, kind = [], None
        expected_start = next_start
        if kind == "|" and len(block) == 1 and _PIPE_RULE.match(text, start, end):
            continue                              # the |---|---| rule under a Markdown header
        line_kind, spans = _split_line(text, start, end)
        if spans and block and line_kind == kind:
            block.append((start, spans))
            continue
        _flush(text, kind, block, tables)
        block, kind = ([(start, spans)], line_kind) if spans else ([], None)
    _flush(text, kind, block, tables)
    return tables


def _candidate_lines(text: str):
    """(start, end, next line start) of the lines holding a cell separator after some text,
    found by one regex scan so that prose lines cost nothing."""
    line_end = -1
    for m in _CANDIDATE.finditer(text):
        if m.start() < line_end:
            continue                              # another separator on the same line
        nl = text.rfind("\n", 0, m.start())       # both searches stay within the line
        start = max(nl, text.rfind("\r", nl + 1, m.start())) + 1
        eol = _EOL.search(text, m.start())
        line_end = eol.start() if eol else len(text)
        nxt = line_end + (2 if text.startswith("\r\n", line_end) else 1 if eol else 0)
        yield start, line_end, nxt


def _split_line(text: str, start: int, end: int) -> tuple[Optional[str], list[Span]]:
    """Cell spans of one line and its kind (| tab space), or (None, []) for a non-row."""
    line = text[start:end]
    body = line.strip(" \t\u3000\u00a0")
    if not body:
        return None, []
    lead = start + line.index(body[0])
    if body.startswith("|") or (body.endswith("|") and body.count("|") >= 2):
        spans, kind = _pipe_cells(text, lead, lead + len(body)), "|"
    else:
        spans, pos = [], lead
        for sep in _SPACE_SEP.finditer(text, lead, lead + len(body)):
            spans.append((pos, sep.start()))
            pos = sep.end()
        spans.append((pos, lead + len(body)))
        kind = "tab" if "\t" in body else "space"
        if kind == "tab":
            # a row pasted from a spreadsheet keeps its empty leading cells (\t合计\t…)
            spans[:0] = [(lead, lead)] * line[:line.index(body[0])].count("\t")
    if len(spans) < 2:
        return None, []
    for a, b in spans:
        if b - a > _MAX_CELL or text[a:b].endswith(_SENTENCE_END):
            return None, []
    return kind, spans


def _pipe_cells(text: str, start: int, end: int) -> list[Span]:
    inner_start = start + 1 if text[start] == "|" else start
    inner_end = end - 1 if end > inner_start and text[end - 1] == "|" else end
    spans, pos = [], inner_start
    while pos <= inner_end:
        bar = text.find("|", pos, inner_end)
        a, b = pos, inner_end if bar < 0 else bar
        while a < b and text[a] in " \t\u3000":
            a += 1
        while b > a and text[b - 1] in " \t\u3000":
            b -= 1
        spans.append((a, b))
        if bar < 0:
            break
        pos = bar + 1
    return spans


def _flush(text: str, kind: Optional[str], block: list[tuple[int, list[Span]]],
           out: list[Table]) -> None:
    if len(block) < 2:
        return
    cut = _new_header(text, block)
    if cut:
        _flush(text, kind, block[:cut], out)
        _flush(text, kind, block[cut:], out)
        return
    if kind == "space":
        grid = _align(text, block)
    else:
        grid = [{c: (span, 1) for c, span in enumerate(spans)} for _, spans in block]
    data_rows = [r for r, row in enumerate(grid) if _is_data_row(text, row)]
    if not data_rows:
        return                      # two prose lines that happen to align
    header_rows = max(1, data_rows[0])
    n_cols = max(c + w for row in grid for c, (_, w) in row.items())
    table = Table(start=block[0][1][0][0], end=block[-1][1][-1][1], header_rows=header_rows)
    for r, row in enumerate(grid):
        for c, ((a, b), colspan) in sorted(row.items()):
            rowspan = 1
            if r < header_rows:
                rowspan, colspan = _header_spans(grid, r, c, colspan, header_rows, n_cols)
            table.cells.append(Cell(text=text[a:b], row=r, col=c, start=a, end=b,
                                    rowspan=rowspan, colspan=colspan))
    out.append(table.finish())


def _new_header(text: str, block: list[tuple[int, list[Span]]]) -> int:
    """Index of a row below figures that heads a table of its own, 0 if none: a form on top
    of a 绩效目标表 (项目资金 | 年度资金总额：8652 …, then 一级指标 | 二级指标 | 三级指标 |
    指标值 | 分值 and the indicator rows) is two tables, so that the form's words do not
    label the indicators. Such a row has three or more filled cells, none with a digit."""
    seen_digit = False
    for r, (_, spans) in enumerate(block):
        cells = [text[a:b] for a, b in spans if b > a]
        digits = any(_DIGIT.search(c) for c in cells)
        if seen_digit and not digits and len(cells) >= 3 and r + 1 < len(block):
            return r
        seen_digit = seen_digit or digits
    return 0


def _align(text: str, block: list[tuple[int, list[Span]]]) -> list[dict[int, tuple[Span, int]]]:
    """Space-aligned rows: columns are the on-screen stretches that the number-holding rows
    fill, separated by stretches blank in all of them; each cell goes to the columns it
    overlaps (a header over two columns spans both)."""
    boxes = []                                   # per row: (display x0, x1) per cell
    for line, spans in block:
        row, x, pos = [], 0, line
        for a, b in spans:
            x += _width(text, pos, a)
            w = _width(text, a, b)
            row.append((x, x + w))
            x, pos = x + w, b
        boxes.append(row)
    numeric = [r for r, (_, spans) in enumerate(block)
               if any(_NUMBER_CELL.fullmatch(text, a, b) for a, b in spans[1:])] or range(len(block))
    filled = bytearray(max(x1 for r in numeric for _, x1 in boxes[r]))
    for r in numeric:
        for x0, x1 in boxes[r]:
            filled[x0:x1] = b"\1" * (x1 - x0)
    cols: list[tuple[int, int]] = []
    for m in regex.finditer(rb"\x01+", bytes(filled)):
        cols.append((m.start(), m.end()))
    grid = []
    for (_, spans), row_boxes in zip(block, boxes):
        row: dict[int, tuple[Span, int]] = {}
        for (a, b), (x0, x1) in zip(spans, row_boxes):
            hit = [k for k, (c0, c1) in enumerate(cols) if x0 < c1 and c0 < x1]
            if not hit:
                hit = [min(range(len(cols)), key=lambda k: abs(cols[k][0] - x0))]
            c = hit[0]
            if c in row:                          # 全  市: one cell written with spaces
                (a0, _), w = row[c]
                row[c] = ((a0, b), max(w, hit[-1] - c + 1))
            else:
                row[c] = ((a, b), hit[-1] - c + 1)
        grid.append(row)
    return grid


def _width(text: str, start: int, end: int) -> int:
    """On-screen width of text[start:end]: wide (CJK, full-width) characters count two."""
    return end - start + len(_WIDE.findall(text, start, end))


def _is_data_row(text: str, row: dict[int, tuple[Span, int]]) -> bool:
    """A row with a label and a figure: a cell that is a number, or a form's cell that
    names its figure (项目资金（万元） | 年度资金总额：8652 | 其中：财政拨款：8652)."""
    if 0 not in row:
        return False
    return any(_NUMBER_CELL.fullmatch(text, a, b) or _FORM_CELL.fullmatch(text, a, b)
               for c, ((a, b), _) in row.items() if c > 0)


def _header_spans(grid, r: int, c: int, colspan: int, header_rows: int,
                  n_cols: int) -> tuple[int, int]:
    """A header label also spans the empty header positions to its right (when sub-headers
    follow below) and the empty positions below it."""
    def empty(row, k):
        return all(not (k2 <= k < k2 + w) for k2, (_, w) in grid[row].items())

    if r + 1 < header_rows:
        while c + colspan < n_cols and empty(r, c + colspan):
            colspan += 1
    rowspan = 1
    while r + rowspan < header_rows and all(empty(r + rowspan, k) for k in range(c, c + colspan)):
        rowspan += 1
    return rowspan, colspan
