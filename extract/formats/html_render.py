"""Render an HTML element to the text a reader sees, with data tables as tab-joined rows.

Rules (those of a browser, simplified):
- inline elements join without separator, so ``<span>475</span><span>亿元</span>`` reads
  ``475亿元``; block elements (p, div, li, tr, h1-h6 …) and ``<br>`` end the line;
  empty lines are not kept;
- runs of ASCII whitespace collapse to one space and vanish at line starts and ends;
  a run holding a source line break also vanishes next to a CJK character (CSS
  segment-break rule), so a value wrapped in the HTML source stays whole;
  ``&nbsp;``, ``&ensp;`` and the ideographic space U+3000 are kept as they are;
- a data table (no nested table, at least two rows of two cells, short cells) becomes one
  line per row, cells joined by tabs, each cell recorded with its offsets and spans; its
  ``<caption>`` (title, often with the unit: 单位：万元) is the line before the rows;
  a layout table is rendered like nested blocks.
"""
from __future__ import annotations

from typing import Optional

import regex
from lxml import etree

from .base import Table
from .tables import FIGURE_CELL, RowWriter, grid_columns, split_stacked

BLOCK = frozenset("""address article aside blockquote body caption center dd details dialog
dir div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html li
main menu nav ol option p pre section summary table tbody tfoot thead tr td th ul""".split())
_WS = regex.compile(r"[ \t\n\r\f]+")
_WIDE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\u3000-\u303f\uff00-\uffef\u2014\u2026\u201c\u201d\u2018\u2019]")
_MAX_DATA_CELL = 300
_LINE_END_SPACE = " \u3000\u00a0\u2002\u2003\u2009"


class Renderer:
    def __init__(self, inline: bool = False):
        self.buf: list[str] = []
        self.pos = 0
        self.inline = inline           # inside a table cell: no line breaks at all
        self.last = ""                 # last character written
        self.pending: Optional[str] = None   # None | "space" | "seg"
        self.need_break = False
        self.tables: list[Table] = []

    # --- output --------------------------------------------------------------------------
    def text(self) -> str:
        self._trim_line_end()
        return "".join(self.buf)

    def _trim_line_end(self) -> None:
        """Spaces (also U+3000, nbsp) at the end of a line are invisible: drop them."""
        while self.buf:
            piece = self.buf[-1].rstrip(_LINE_END_SPACE)
            if piece == self.buf[-1]:
                break
            self.pos -= len(self.buf[-1]) - len(piece)
            if piece:
                self.buf[-1] = piece
            else:
                self.buf.pop()
        self.last = self.buf[-1][-1] if self.buf else ""

    def _emit(self, s: str) -> None:
        self.buf.append(s)
        self.pos += len(s)
        self.last = s[-1]

    def add_text(self, s: Optional[str]) -> None:
        if not s:
            return
        if not _WS.search(s):
            self._add_word(s)
            return
        pos = 0
        for m in _WS.finditer(s):
            if m.start() > pos:
                self._add_word(s[pos:m.start()])
            ws = m.group()
            self.pending = "seg" if ("\n" in ws or "\r" in ws or self.pending == "seg") else "space"
            pos = m.end()
        if pos < len(s):
            self._add_word(s[pos:])

    def _add_word(self, w: str) -> None:
        if self.need_break and self.pos and self.last != "\n":
            self._trim_line_end()
            self._emit("\n")
            self.pending = None
        self.need_break = False
        if self.pending and self.pos and self.last not in "\n\t":
            if not (self.pending == "seg" and (_WIDE.match(self.last) or _WIDE.match(w[0]))):
                self._emit(" ")
        self.pending = None
        self._emit(w)

    def block(self) -> None:
        if self.inline:
            self.pending = self.pending or "seg"
        else:
            self.need_break = True
            self.pending = None

    # --- tree walk -----------------------------------------------------------------------
    def render(self, root) -> "Renderer":
        walker = etree.iterwalk(root, events=("start", "end"))
        pre = 0
        for event, el in walker:
            tag = el.tag if isinstance(el.tag, str) else ""   # "" for comments and PIs
            if event == "start":
                if tag in BLOCK or tag == "br":
                    self.block()
                if tag == "table" and not self.inline and is_data_table(el):
                    self._table(el)
                    walker.skip_subtree()
                    continue
                pre += tag == "pre"
                if tag:
                    self._pre_text(el.text) if pre else self.add_text(el.text)
            else:
                if tag in BLOCK:
                    self.block()
                pre -= tag == "pre"
                if el is not root:
                    self._pre_text(el.tail) if pre else self.add_text(el.tail)
        return self

    def _pre_text(self, s: Optional[str]) -> None:
        """Inside <pre>: whitespace kept, each source line its own line."""
        if not s:
            return
        for i, line in enumerate(s.replace("\r\n", "\n").replace("\r", "\n").split("\n")):
            if i:
                self.block()
            if line.strip():
                self._add_word(line)

    def _table(self, table) -> None:
        rows = table_rows(table)
        if self.pos and self.last != "\n":
            self._emit("\n")
        self.need_break = False
        self.pending = None
        caption = table.find("caption")
        if caption is not None and cell_text(caption):
            self._emit(cell_text(caption) + "\n")    # the table's title: a line of its own
        spans = [[(_span(td, "rowspan"), _span(td, "colspan")) for td in tr] for tr in rows]
        cols = grid_columns(spans)
        writer = RowWriter(self.buf, self.pos)
        header_rows = 0
        counting_header = True
        for r, tr in enumerate(rows):
            if counting_header and tr and all(td.tag == "th" or _in_thead(td) for td in tr):
                header_rows += 1
            else:
                counting_header = False
            for td, (rowspan, colspan), col in zip(tr, spans[r], cols[r]):
                writer.cell(cell_text(td), r, col, min(rowspan, len(rows) - r), colspan)
            writer.end_row()
        if header_rows == 0 and spans:
            header_rows = max(rs for rs, _ in spans[0]) if spans[0] else 1
            # a table drawn without <th>: the leading rows with no cell led by a figure are
            # its headers (项目名称 | 医疗救助补助资金, then 资金情况（万元） | 全年预算数 |
            # 预算执行率（B/A×100%）; a year, 2016年, is no figure)
            words = 0
            while words < len(rows) - 1 and not any(FIGURE_CELL.match(cell_text(td)) for td in rows[words]):
                words += 1
            header_rows = max(header_rows, words)
        self.pos = writer.pos
        self.last = "\n"
        done = writer.finish(header_rows)
        if done is not None:
            self.tables.extend(split_stacked(done))


def cell_text(el) -> str:
    r = Renderer(inline=True)
    r.render(el)
    return r.text().strip(" \u3000\u00a0")


def table_rows(table) -> list[list]:
    """The rows of a table (through thead/tbody/tfoot), each a list of its td/th."""
    rows = []
    for child in table:
        if child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child if tr.tag == "tr")
        elif child.tag == "tr":
            rows.append(child)
    return [[td for td in tr if td.tag in ("td", "th")] for tr in rows]


def is_data_table(table) -> bool:
    if any(True for _ in table.iterdescendants("table")):
        return False
    rows = table_rows(table)
    if sum(1 for tr in rows if len(tr) >= 2) < 2:
        return False
    return all(len(td.text_content().strip()) <= _MAX_DATA_CELL for tr in rows for td in tr)


def _span(td, attr: str) -> int:
    try:
        return max(1, min(int(str(td.get(attr, "1")).strip() or 1), 1000))
    except ValueError:
        return 1


def _in_thead(td) -> bool:
    tr = td.getparent()
    return tr is not None and tr.getparent() is not None and tr.getparent().tag == "thead"
