"""PDF with a text layer, via PyMuPDF: visual lines re-joined into paragraphs.

PyMuPDF rather than pdfplumber: it is a C library (MuPDF) and reads a page's text with
positions 10-50x faster than pdfminer, which matters for archives of millions of files,
and it reports encryption and damage directly.

Lines broken at the right margin are joined again, with no separator (Chinese wraps
anywhere: inside a word, a term or between a number and its unit) except a space between
two Latin letters. A line break is kept where a line ends well before the right margin,
where the next line is indented or centred, starts with a heading marker (一、 （一）
1. 第X篇/章/节), or follows a paragraph-sized vertical gap. Running headers and footers
(the same text, digits aside, at the top or bottom of most pages) and page numbers
(``— 3 —``, ``- 3 -``, ``第 3 页``, ``3/10``) are dropped; a running header repeats with at
most one number changing and stands at the same height of each page, and pages are never
emptied as chrome. A line opening with an amount continues an item name above it that ended
without punctuation (``1.城乡医疗救助市级配套资金`` / ``86.50万元，…``).

Tables (`pdf_tables`): ruled grids come from PyMuPDF's table finder, their cells filled
character by character; a grid holding a form above a table of indicators is split at the
indicator header; a grid continued on the next page without a header of its own goes on as
the same table. A gap of more than 1.5 characters inside a line separates cells: runs of
such lines are tables without rules, rebuilt from the positions of their cells (empty cells
stay empty, label pieces wrapped above or below a row's figures rejoin it). Tables are
written one row a line, cells joined by tabs, with their cells' offsets.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import regex

from .base import Extracted, IngestError
from .base import Table
from .pdf_lines import Line, page_lines
from .pdf_tables import PageTable, fill, find_tables, line_tables, same_columns, split_at_headers
from .tables import RowWriter
from .text_tables import detect_text_tables

_PAGE_NUMBER = regex.compile(
    r"^[\s\-—–－_·•]*(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|"
    r"[Pp]age\s*\d+(?:\s*of\s*\d+)?|\d+)[\s\-—–－_·•]*$")
_HEADING = regex.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[)）]|\d+[、．.](?!\d)"
    r"|第[一二三四五六七八九十百零\d]+[篇章节部分条]|[①-⑳]|附件|附表)")
_LATIN = regex.compile(r"[A-Za-z]")
# a line opening with an amount (2450.00万元，用于…) goes on from an item name above it that
# ended without punctuation: 1.城乡医疗救助市级配套资金 / 620.00万元
_VALUE_START = regex.compile(r"^[-+]?\d[\d,.]*\s*(?:[万亿千]?(?:元|人次|人|张|个|所|家)|%|％)")
_OPEN_END = regex.compile(r"[^。；;！!？?：:，,、）)\]】]$")
_FINAL = regex.compile(r"[。！？!?]$")   # a sentence ends the line
_HEADER_CHARS = 40          # a running header or footer is a short line
_MARGIN_ZONE = 2            # lines at the top and at the bottom of a page checked for chrome


@dataclass
class _Layout:
    left: float
    right: float
    size: float
    chars: int = 0      # characters of a full line, for text wrapped after a fixed count


def read(data: bytes, path) -> Extracted:
    import pymupdf

    pymupdf.TOOLS.mupdf_display_errors(False)
    pymupdf.TOOLS.mupdf_display_warnings(False)
    if b"%PDF" not in data[:1024]:
        raise IngestError(path, "corrupt PDF: no %PDF header")
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except Exception as e:
        raise IngestError(path, f"corrupt PDF: {e}") from None
    with doc:
        if doc.needs_pass:
            raise IngestError(path, "encrypted PDF")
        if doc.page_count == 0:
            raise IngestError(path, "corrupt PDF: no pages")
        try:
            pages, ruled = [], []
            width = max((page.rect.width for page in doc), default=0.0)
            for page in doc:
                lines, tables = read_page(page)
                pages.append(lines)
                ruled.append(tables)
        except Exception as e:
            raise IngestError(path, f"corrupt PDF: {e}") from None
        meta_title = (doc.metadata or {}).get("title") or ""
        # a truncated or damaged file that MuPDF read by rebuilding its xref table (#18)
        damaged = "damaged or truncated PDF (MuPDF repaired it)" if doc.is_repaired else None
    if not any(pages) and not any(ruled):
        raise IngestError(path, f"corrupt PDF: {damaged}, no text could be read" if damaged
                          else "no text layer; OCR not supported")
    body = drop_page_chrome(pages)
    left, unruled = line_tables([ln for page in body for ln in page])
    body = [[] for _ in body]
    for ln in left:
        body[ln.page].append(ln)
    for t in unruled:
        ruled[t.page].append(t)
    ruled = [sorted(ts, key=lambda t: t.y0) for ts in ruled]
    lines = [ln for page in body for ln in page]
    if not lines and not any(t.cells and any(c.text for c in t.cells) for ts in ruled for t in ts):
        raise IngestError(path, "no text layer; OCR not supported")
    lay = _layout(lines, width) if lines else _Layout(0, 0, 10)
    text, tables = assemble(body, ruled, lay)
    spans = [(t.start, t.end) for t in tables]
    tables += [t for t in detect_text_tables(text)
               if not any(t.start <= b and a <= t.end for a, b in spans)]
    tables.sort(key=lambda t: t.start)
    title = _meta_title(meta_title) or next((ln.text.strip() for ln in lines), None)
    return Extracted(text=text, encoding=None, title=title, tables=tables,
                     warning=damaged and f"{damaged}: pages or text after the damage may be missing")


def read_page(page) -> tuple[list[Line], list[PageTable]]:
    """The text lines of a page outside its ruled tables, and those tables with their cells
    filled."""
    tables = find_tables(page)
    pieces: list = []
    lines = page_lines(page, [t.bbox for t in tables], pieces)
    fill(tables, pieces)
    return lines, [part for t in tables if any(c.text for c in t.cells) for part in split_at_headers(t)]


def _meta_title(title: str) -> Optional[str]:
    """The metadata title unless it is a generator's placeholder or a file name."""
    title = regex.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title.strip())
    if not title or title.lower() in ("untitled", "无标题", "(anonymous)", "anonymous") or \
            regex.search(r"\.(?:docx?|wps|pdf|xlsx?|txt)$", title, regex.I):
        return None
    return title


def drop_page_chrome(pages: list[list[Line]]) -> list[list[Line]]:
    """Remove page numbers and running headers/footers from the margin zones of each page."""
    zone_keys: dict[tuple, int] = {}
    for page in pages:
        for key in {_key(ln) for ln in _zone(page)}:
            zone_keys[key] = zone_keys.get(key, 0) + 1
    # a header or footer repeats with at most a page or issue number changing (not a line of
    # figures that happens to stand at the same height of every page)
    repeated = {k for k, n in zone_keys.items() if k[0] and n >= 2 and n >= 0.5 * len(pages)
                and len(k[0]) <= _HEADER_CHARS and k[0].count("#") <= 1}
    out = []
    for page in pages:
        zone = {id(ln) for ln in _zone(page)}
        out.append([ln for ln in page if id(ln) not in zone
                    or not (_PAGE_NUMBER.match(ln.text) or _key(ln) in repeated)])
    if not any(out) and any(pages):
        return pages                 # nothing but "chrome": short pages of one repeated form
    return out


def _zone(page: list[Line]) -> list[Line]:
    if len(page) > 2 * _MARGIN_ZONE:
        return page[:_MARGIN_ZONE] + page[-_MARGIN_ZONE:]
    return page[:1] + page[-1:] if len(page) > 1 else page   # a short page: its edges only


def _key(ln: Line) -> tuple:
    """A running header is the same text (digits aside) at the same height of each page (a
    title under it, or a paragraph that happens to repeat, is not)."""
    return regex.sub(r"\d+", "#", regex.sub(r"\s+", "", ln.text)), round(ln.y0 / 6)


def _layout(lines: list[Line], page_width: float = 0.0) -> _Layout:
    sizes = sorted(ln.size for ln in lines)
    size = sizes[len(sizes) // 2]
    lefts: dict[int, int] = {}
    for ln in lines:
        lefts[round(ln.x0)] = lefts.get(round(ln.x0), 0) + 1
    # the text's left edge: the leftmost x where many lines start (not a stray outdent, and
    # not the indent of first lines, which may be the most frequent in short paragraphs)
    common = [x for x, n in lefts.items() if n >= max(2, 0.1 * len(lines))]
    left = min(common) if common else min(lefts)
    rights = sorted(ln.x1 for ln in lines)
    right = rights[min(len(rights) - 1, int(len(rights) * 0.9))]
    if page_width and right < left + 0.4 * page_width:
        right = float("inf")         # no line runs to a right margin: short lines, no wraps
    # text wrapped after a fixed number of characters: lines holding figures (narrow) end
    # short of the margin though full; most lines have that number of characters
    counts: dict[int, int] = {}
    for ln in lines:
        if not ln.cells:
            n = len(ln.text) + max(0, round((ln.x0 - left) / size))   # spaces count
            counts[n] = counts.get(n, 0) + 1
    chars = 0
    if counts:
        n, k = max(counts.items(), key=lambda it: (it[1], it[0]))
        if n >= 10 and k >= max(5, 0.3 * len(lines)):
            chars = n
    return _Layout(left=left, right=right, size=size, chars=chars)


def join_lines(pages: list[list[Line]], lay: _Layout) -> str:
    return assemble(pages, [[] for _ in pages], lay)[0]


def assemble(pages: list[list[Line]], ruled: list[list[PageTable]], lay: _Layout):
    """The document text and its ruled tables: each page's lines and tables in reading order
    (top to bottom), wrapped lines joined into paragraphs, a table written one row a line
    with its cells joined by tabs. A table continued on the next page (same columns, no
    header of its own, nothing between) goes on as the same table."""
    out = _Out()
    prev: Optional[Line] = None
    writer: Optional[RowWriter] = None          # the table being written
    last: Optional[PageTable] = None
    header = 1
    row_base = 0
    tables: list[Table] = []

    starts: dict[int, int] = {}                 # id of a grid's first part -> its text start
    first: Optional[PageTable] = None

    def close():
        nonlocal writer, last
        if writer is not None:
            out.pos = writer.pos
            t = writer.finish(header)
            if t is not None:
                starts[id(first)] = t.start
                if first is not None and first.part_of is not None:
                    t.caption_at = starts.get(id(first.part_of))
                tables.append(t)
        writer, last = None, None

    for page, page_tables in zip(pages, ruled):
        items = [(ln.y0, 0, ln) for ln in page] + [(t.y0, 1, t) for t in page_tables]
        items.sort(key=lambda it: (it[0], it[1]))
        for _, is_table, item in items:
            if is_table:
                t = item
                h = t.header_rows()
                if writer is not None and h == 0 and same_columns(last, t):
                    row_base += last.n_rows
                else:
                    close()
                    out.newline()
                    writer = RowWriter(out.buf, out.pos)
                    first = t
                    header, row_base = max(1, h), 0
                _write_rows(writer, t, row_base)
                out.pos = writer.pos
                out.at_line_start = True
                last, prev = t, None
                continue
            close()
            ln = item
            text = ln.text.strip()
            if not text:
                continue
            if prev is not None and _continues(prev, ln, lay):
                if _LATIN.match(out.buf[-1][-1:]) and _LATIN.match(text[0]):
                    out.write(" ")
                out.write(text)
            else:
                out.newline()
                out.write(text)
            prev = ln
    close()
    text = "".join(out.buf)
    return text.rstrip("\n"), tables


class _Out:
    def __init__(self):
        self.buf: list[str] = []
        self.pos = 0
        self.at_line_start = True

    def write(self, s: str) -> None:
        if s:
            self.buf.append(s)
            self.pos += len(s)
            self.at_line_start = s.endswith("\n")

    def newline(self) -> None:
        if self.buf and not self.at_line_start:
            self.write("\n")


def _write_rows(writer: RowWriter, t: PageTable, row_base: int) -> None:
    starts = {(c.row, c.col): c for c in t.cells}
    covered = {(r, k) for c in t.cells for r in range(c.row, c.row + c.rowspan)
               for k in range(c.col, c.col + c.colspan)}
    for r in range(t.n_rows):
        for k in range(t.n_cols):
            c = starts.get((r, k))
            if c is not None:
                writer.cell(c.text, row_base + r, k, c.rowspan, c.colspan)
            elif (r, k) in covered:
                writer.cell("", row_base + r, k, record=False)
            else:
                writer.cell("", row_base + r, k)
        writer.end_row()


def _count(ln: Line, lay: _Layout) -> int:
    """Characters of a line, its indent counted (for text wrapped after a fixed count)."""
    return len(ln.text) + max(0, round((ln.x0 - lay.left) / lay.size))


def _continues(prev: Line, ln: Line, lay: _Layout) -> bool:
    """Is `ln` the continuation of the paragraph that `prev` wrapped out of?"""
    tol = 1.5 * lay.size
    if "\t" in prev.text or "\t" in ln.text:
        return False                                 # a table row (cells apart) is a line
    if _VALUE_START.match(ln.text) and _OPEN_END.search(prev.text.rstrip()) and \
            ln.page == prev.page and ln.y0 - prev.y1 < 1.2 * lay.size and \
            ln.x0 <= lay.left + 0.8 * lay.size:
        return True                                  # an item's amount on the next line
    if prev.x1 < lay.right - tol and not (lay.chars and _count(prev, lay) >= lay.chars
                                          and not _FINAL.search(prev.text.rstrip())):
        return False                                 # short line: paragraph ended
    if ln.x0 > lay.left + 0.8 * lay.size:
        return False                                 # indented or centred line
    if _HEADING.match(ln.text):
        return False
    if ln.page == prev.page and ln.y0 - prev.y1 > 1.2 * lay.size:
        return False                                 # paragraph spacing
    return True
