"""Ruled tables of a PDF page: PyMuPDF's table finder gives the cell boxes (a merged cell
is one box, the grid positions it covers are empty); the page's text spans are put into
the cell whose box holds their centre, and a cell's lines are joined as one text (no
separator next to CJK, so ``专项资金情况（`` / ``万元）`` is one header and a row label
wrapped inside its cell is one label).

Only pages with vector drawings are searched (a page of plain text has no ruled table).
A table continued on the next page with the same columns and no header row of its own is
the same table (`merge_into`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import regex

from .pdf_lines import Piece
from .tables import join_inline
from .text_tables import _header_spans   # a header label spans the empty places beside and below it

# a figure cell: 333.00, 1,234.5, ≥95%, ≤30天, 400元/人, -2.5 (thresholds of target tables too)
NUMBER_CELL = regex.compile(
    r"\s*(?:[≥≤＞＜><=]=?|不低于|不高于|不少于|不超过)?\s*[-+−]?\d[\d,，.]*\s*"
    r"(?:%|％|‰|个百分点|百分点|[万亿千百]?(?:元|人次|人|个|张|家|床|所|户|天|日)?(?:/人(?:·年)?)?)\s*")
_MIN_DRAWINGS = 4
_MAX_DRAWINGS = 20000


@dataclass
class GridCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    bbox: tuple
    text: str = ""


@dataclass
class PageTable:
    page: int
    bbox: tuple
    n_rows: int
    n_cols: int
    cells: list[GridCell] = field(default_factory=list)
    col_edges: list[float] = field(default_factory=list)
    part_of: Optional["PageTable"] = None       # the first part of the grid it was split from

    @property
    def y0(self) -> float:
        return self.bbox[1]

    def header_rows(self) -> int:
        """Rows above the first data row (a label and a figure right of it), at least 1;
        0 when the first row is already a data row (a table continued from the last page)."""
        for r in range(self.n_rows):
            row = sorted((c for c in self.cells if c.row == r), key=lambda c: c.col)
            if any(c.text.strip() for c in row[:1]) and \
                    any(NUMBER_CELL.fullmatch(c.text) for c in row[1:] if c.text.strip()):
                return r
        return 1


def _row_kind(t: PageTable, r: int) -> str:
    """data (a label and a figure right of it), head (labels over the columns), form (a name
    and its value spanning the rest: 项目名称 | …), or other."""
    row = sorted((c for c in t.cells if c.row == r and c.text.strip()), key=lambda c: c.col)
    if row and row[0].col == 0 and any(NUMBER_CELL.fullmatch(c.text) for c in row[1:]):
        return "data"
    if len(row) == 2 and row[1].colspan >= 2 and row[1].col + row[1].colspan == t.n_cols:
        # a name and its value, unless the wide cell heads sub-labels below it (科目 | 本年预算
        # over 小计 | 其中：)
        below = [c for c in t.cells if c.row == r + 1 and c.text.strip()
                 and row[1].col <= c.col < t.n_cols and not NUMBER_CELL.fullmatch(c.text)]
        if len(below) < 2 or any(NUMBER_CELL.fullmatch(c.text) for c in t.cells if c.row == r + 1):
            return "form"
    if not any(NUMBER_CELL.fullmatch(c.text) for c in row) and \
            (len(row) >= 3 or (row and len(row) == t.n_cols)):
        return "head"
    return "other"


def split_at_headers(t: PageTable) -> list[PageTable]:
    """A ruled grid holding a form above a table (a 绩效目标表: 项目名称 | …, 项目资金 | …, then
    一级指标 | 二级指标 | 三级指标 | 指标值 over the indicator rows) is several tables: a row of
    column labels after rows of figures or form rows starts a new one, so that the form's
    values do not become the column headers of the indicators."""
    kinds = [_row_kind(t, r) for r in range(t.n_rows)]
    starts = [0]
    for r in range(1, t.n_rows):
        if kinds[r] == "head" and any(k in ("data", "form") for k in kinds[starts[-1]:r]):
            starts.append(r)
    if len(starts) == 1:
        return [t]
    out = []
    for a, b in zip(starts, starts[1:] + [t.n_rows]):
        cells = [GridCell(c.row - a, c.col, min(c.rowspan, b - c.row), c.colspan, c.bbox, c.text)
                 for c in t.cells if a <= c.row < b]
        y0 = min(c.bbox[1] for c in cells)
        y1 = max(c.bbox[3] for c in cells)
        out.append(PageTable(t.page, (t.bbox[0], y0, t.bbox[2], y1), b - a, t.n_cols, cells,
                             t.col_edges, out[0] if out else None))
    return out


def find_tables(page) -> list[PageTable]:
    """The ruled tables of a page; none when it has too few drawings to rule one, or so many
    (a chart, a scanned vector drawing) that the table finder would take long, or when the
    table finder fails on the page (its text is then read as lines)."""
    try:
        drawings = page.get_cdrawings()
    except AttributeError:                          # older PyMuPDF
        drawings = page.get_drawings()
    if not _MIN_DRAWINGS <= len(drawings) <= _MAX_DRAWINGS:
        return []
    try:
        try:
            # the rules drawn are the table: no layout model (pymupdf-layout's ONNX network
            # takes a second a page and is not needed to find ruled grids)
            found = page.find_tables(strategy="lines", use_layout=False).tables
        except TypeError:                         # a PyMuPDF without use_layout
            found = page.find_tables(strategy="lines").tables
    except Exception:
        return []
    out = []
    for t in found:
        try:
            grid = _grid(t, page.number)
        except Exception:
            continue
        if grid is not None:
            out.append(grid)
    return out


def _grid(t, page_no: int):
    rows = [r.cells for r in t.rows]
    n_rows, n_cols = len(rows), max((len(r) for r in rows), default=0)
    if n_rows < 2 or n_cols < 2:
        return None
    eps = 1.0
    col_x0 = []
    for k in range(n_cols):
        vals = [r[k][0] for r in rows if k < len(r) and r[k]]
        col_x0.append(min(vals) if vals else None)
    row_y0 = []
    for r in rows:
        vals = [b[1] for b in r if b]
        row_y0.append(min(vals) if vals else None)
    cells = []
    for i, r in enumerate(rows):
        for k, b in enumerate(r):
            if not b:
                continue
            colspan = 1
            while k + colspan < n_cols and col_x0[k + colspan] is not None and \
                    col_x0[k + colspan] < b[2] - eps and (k + colspan >= len(r) or not r[k + colspan]):
                colspan += 1
            rowspan = 1
            while i + rowspan < n_rows and row_y0[i + rowspan] is not None and \
                    row_y0[i + rowspan] < b[3] - eps and \
                    (k >= len(rows[i + rowspan]) or not rows[i + rowspan][k]):
                rowspan += 1
            cells.append(GridCell(i, k, rowspan, colspan, tuple(b)))
    return PageTable(page_no, tuple(t.bbox), n_rows, n_cols, cells, [x or 0.0 for x in col_x0])


def fill(tables: list[PageTable], pieces: list[Piece]) -> None:
    """Put each text piece into the cell holding its centre; join each cell's lines."""
    for t in tables:
        per_cell: dict[int, list[Piece]] = {}
        for p in pieces:
            cx, cy = (p.x0 + p.x1) / 2, (p.y0 + p.y1) / 2
            for n, c in enumerate(t.cells):
                b = c.bbox
                if b[0] <= cx <= b[2] and b[1] <= cy <= b[3]:
                    per_cell.setdefault(n, []).append(p)
                    break
        for n, ps in per_cell.items():
            t.cells[n].text = _cell_text(ps)


def _cell_text(ps: list[Piece]) -> str:
    ps = sorted(ps, key=lambda p: ((p.y0 + p.y1) / 2, p.x0))
    lines: list[list[Piece]] = []
    for p in ps:
        if lines:
            last = lines[-1][-1]
            overlap = min(last.y1, p.y1) - max(last.y0, p.y0)
            if overlap > 0.5 * min(last.y1 - last.y0, p.y1 - p.y0):
                lines[-1].append(p)
                continue
        lines.append([p])
    texts = []
    for ln in lines:
        ln.sort(key=lambda p: p.x0)
        s = ln[0].text
        for a, b in zip(ln, ln[1:]):
            if b.x0 - a.x1 > 0.8 * b.size and not s.endswith(" "):
                s += " "
            s += b.text
        texts.append(s)
    return join_inline(texts)


def same_columns(a: PageTable, b: PageTable) -> bool:
    return a.n_cols == b.n_cols and all(abs(x - y) < 2.0 for x, y in zip(a.col_edges, b.col_edges))


# ---- tables without rules: rows of cells drawn apart ------------------------------------

_FRAGMENT_CHARS = 24        # a label piece wrapped out of its row is short
_SENTENCE_END = regex.compile(r"[。；！？]$")
_UNIT_LINE = regex.compile(r"\s*单位\s*[:：]")


def line_tables(lines: list) -> tuple[list, list[PageTable]]:
    """Tables printed without rules: runs of at least two lines whose cells stand
    apart (`Line.cells`), with the short label pieces wrapped out of a row above or below its
    figures (``财政对…的补`` / ``2101202 333.00 333.00`` / ``助``); a run goes on over a page
break when nothing stands between (page chrome dropped). Columns are where the rows
    holding figures have cells; a cell goes to the columns it overlaps, so an empty cell stays
    empty instead of letting the next figure slide into its column; a header label spans the
    empty header positions to its right (over sub-labels) and below. Returns the lines left
    and the tables."""
    tables: list[PageTable] = []
    used: set[int] = set()
    i = 0
    while i < len(lines):
        if not lines[i].cells:
            i += 1
            continue
        rows, frags = [i], []
        # a header piece right above the first row, standing over its columns (其中：)
        for k in (i - 1, i - 2):
            if k < 0 or k in used or lines[k].cells or frags and frags[-1] != k + 1:
                break
            ln, below = lines[k], lines[k + 1]
            if not (_fragment(ln, below) and below.y0 - ln.y1 < 0.6 * ln.size
                    and ln.x0 > lines[i].x0 + ln.size and not _UNIT_LINE.match(ln.text)):
                break
            frags.append(k)
        j = i + 1
        while j < len(lines):
            ln = lines[j]
            if ln.cells:
                if ln.page != lines[rows[-1]].page and not (
                        j == rows[-1] + 1 and ln.page == lines[rows[-1]].page + 1):
                    break                         # a table goes on over a page break only
                rows.append(j)
                j += 1
                continue
            # fragments: up to two short pieces before the next row, or one after the last
            k = j
            while k < len(lines) and k - j < 2 and not lines[k].cells and \
                    _fragment(lines[k], lines[rows[-1]]):
                k += 1
            if k > j and k < len(lines) and lines[k].cells and lines[k].page == ln.page:
                frags.extend(range(j, k))
                j = k
                continue
            if k > j and _close_below(lines[j], lines[rows[-1]]):
                frags.append(j)
                j += 1
            break
        grid = _line_grid(lines, rows, frags) if len(rows) >= 2 else None
        if grid is None:
            i += 1
            continue
        tables.append(grid)
        used.update(rows)
        used.update(frags)
        i = j
    return [ln for n, ln in enumerate(lines) if n not in used], tables


def _fragment(ln, row) -> bool:
    t = ln.text.strip()
    return (0 < len(t) <= _FRAGMENT_CHARS and not _SENTENCE_END.search(t)
            and ln.page == row.page and ln.y0 - row.y1 < 1.5 * row.size)


def _close_below(ln, row) -> bool:
    """A piece right under a row, closer than a line gap (the tail of its wrapped label)."""
    return ln.y0 - row.y1 < 0.6 * row.size and ln.x0 > row.x0 - 1 and ln.page == row.page


def _line_grid(lines, rows: list[int], frags: list[int]):
    cell_rows = [lines[r].cells for r in rows]
    data = [k for k, cells in enumerate(cell_rows)
            if any(NUMBER_CELL.fullmatch(t) for t, _, _ in cells[1:])]
    if not data:
        return None
    spans = sorted((a, b) for k in data for _, a, b in cell_rows[k])
    cols: list[list[float]] = []
    for a, b in spans:
        if cols and a <= cols[-1][1] + 1.0:
            cols[-1][1] = max(cols[-1][1], b)
        else:
            cols.append([a, b])
    n_cols = len(cols)
    if n_cols < 2:
        return None
    texts: list[dict[int, list]] = []          # per row: col -> [text, colspan]
    for cells in cell_rows:
        row: dict[int, list] = {}
        for t, a, b in cells:
            hit = [c for c, (c0, c1) in enumerate(cols) if a < c1 - 0.5 and c0 + 0.5 < b]
            if not hit:
                mid = (a + b) / 2
                hit = [min(range(n_cols), key=lambda c: abs((cols[c][0] + cols[c][1]) / 2 - mid))]
            c = hit[0]
            if c in row:
                row[c][0] += " " + t
                row[c][1] = max(row[c][1], hit[-1] - c + 1)
            else:
                row[c] = [t, hit[-1] - c + 1]
        texts.append(row)
    # label pieces wrapped out of a row: into the nearest row's cell they stand in
    centres = [(lines[r].y0 + lines[r].y1) / 2 for r in rows]
    for f in frags:
        ln = lines[f]
        y = (ln.y0 + ln.y1) / 2
        k = min((n for n in range(len(rows)) if lines[rows[n]].page == ln.page),
                key=lambda n: abs(centres[n] - y))
        mid = (ln.x0 + ln.x1) / 2
        c = next((c for c, (c0, c1) in enumerate(cols) if c0 - 2 <= ln.x0 <= c1 or c0 <= mid <= c1),
                 min(range(n_cols), key=lambda c: abs(cols[c][0] - ln.x0)))
        t = ln.text.strip()
        if c in texts[k]:
            old = texts[k][c][0]
            texts[k][c][0] = join_inline([t, old] if y < centres[k] else [old, t])
        else:
            texts[k][c] = [t, 1]
    header_rows = max(1, data[0])
    cells = []
    for r, row in enumerate(texts):
        for c, (t, colspan) in sorted(row.items()):
            rowspan = 1
            if r < header_rows:
                rowspan, colspan = _header_spans(texts, r, c, colspan, header_rows, n_cols)
            cells.append(GridCell(r, c, rowspan, colspan, (cols[c][0], lines[rows[r]].y0,
                                                           cols[c + colspan - 1][1], lines[rows[r]].y1), t))
    # a position covered by a header span holds no cell of its own
    covered = {(r2, k) for c in cells for r2 in range(c.row, c.row + c.rowspan)
               for k in range(c.col, c.col + c.colspan) if (r2, k) != (c.row, c.col)}
    cells = [c for c in cells if (c.row, c.col) not in covered]
    first = [n for n in rows + frags if lines[n].page == lines[rows[0]].page]
    y0 = min(lines[n].y0 for n in first)          # placed on the page where it begins
    y1 = max(lines[n].y1 for n in first)
    return PageTable(lines[rows[0]].page, (cols[0][0], y0, cols[-1][1], y1), len(rows), n_cols,
                     cells, [a for a, _ in cols])


