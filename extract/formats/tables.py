"""Writing tables into a document text: one line per row, cells joined by tabs (HTML, DOCX).

Aligned tables found in plain text are in `text_tables`.
"""
from __future__ import annotations

from typing import Iterable, Optional

import regex

from .base import Cell, Table

_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef]")


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


# a cell that is a figure (2480.6万, ≥95%, 100%), not a label holding one (预算执行率（B/A×100%）)
# nor a year (2016年)
FIGURE_CELL = regex.compile(r"\s*(?:[≥≧≤≦<>=＞＜＝]=?\s*)?[-+−]?\d[\d.,，]*(?!\d|\s*(?:年|月|日))")


def split_stacked(table: Table) -> list[Table]:
    """A table holding two tables one above the other: a 绩效自评表's funds part (资金情况 |
    全年预算数 | 全年执行数, rows of figures) and below it the indicator part headed by a row
    of three or more labels and no figure (一级指标 | 二级指标 | 三级指标 | 指标值 |
    实际完成值). The lower part becomes a table of its own headed by that row, so that the
    funds' headers do not label the indicators; it looks for its caption where the upper
    part's is (``caption_at``). A cell spanning the cut stays with the upper part."""
    rows: dict = {}
    for c in table.cells:
        rows.setdefault(c.row, []).append(c)
    cut, seen_figure = 0, False
    for r in range(table.header_rows, table.n_rows - 1):
        cells = [c for c in rows.get(r, ()) if c.text.strip()]
        figures = any(FIGURE_CELL.match(c.text) for c in cells)
        if seen_figure and not figures and len(cells) >= 3 and \
                any(FIGURE_CELL.match(c.text) for k in range(r + 1, table.n_rows)
                    for c in rows.get(k, ())):
            cut = r
            break
        seen_figure = seen_figure or figures
    if not cut:
        return [table]
    upper = Table(start=table.start, end=table.start, header_rows=table.header_rows,
                  caption_at=table.caption_at)
    lower = Table(start=min(c.start for c in rows[cut]), end=table.end, header_rows=1,
                  caption_at=table.caption_at if table.caption_at is not None else table.start)
    for c in table.cells:
        c.col_header = c.row_header = None            # finish() labels them anew
        if c.row < cut:
            c.rowspan = min(c.rowspan, cut - c.row)
            upper.cells.append(c)
            upper.end = max(upper.end, c.end)
        else:
            c.row -= cut
            lower.cells.append(c)
    return [upper.finish()] + split_stacked(lower.finish())
