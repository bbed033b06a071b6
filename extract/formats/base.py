"""Types shared by the format readers: tables with cell offsets, the reader result, errors.

`extract.ingest` re-exports `Cell`, `Table` and `IngestError`; import them from there.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


class IngestError(Exception):
    """A file that cannot be read as a report; ``str(e)`` is ``"<path>: <reason>"``."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = " ".join(str(reason).split())  # always one line
        super().__init__(f"{self.path}: {self.reason}")


@dataclass
class Cell:
    """One table cell; ``text == doc.text[start:end]``.

    A merged cell appears once, at its top-left grid position, with ``rowspan``/``colspan``.
    ``row_header``/``col_header`` are the texts of the header cells that label it
    (several header levels joined by ``/``), ``None`` for header cells themselves.
    """
    text: str
    row: int
    col: int
    start: int
    end: int
    rowspan: int = 1
    colspan: int = 1
    header: bool = False
    row_header: Optional[str] = None
    col_header: Optional[str] = None


@dataclass
class Table:
    """A table found in the document text; ``start``/``end`` cover all its rows."""
    start: int
    end: int
    cells: list[Cell] = field(default_factory=list)
    n_rows: int = 0
    n_cols: int = 0
    header_rows: int = 1
    header_cols: int = 1
    # where the caption of a table split from a grid above it is looked for: the start of
    # that grid's first part (a PDF 绩效目标表 under its form shares the form's caption)
    caption_at: Optional[int] = None

    def cell_at(self, row: int, col: int) -> Optional[Cell]:
        """The cell covering grid position (row, col), following merged spans."""
        for c in self.cells:
            if c.row <= row < c.row + c.rowspan and c.col <= col < c.col + c.colspan:
                return c
        return None

    def rows(self) -> list[list[Cell]]:
        out: list[list[Cell]] = [[] for _ in range(self.n_rows)]
        for c in self.cells:
            out[c.row].append(c)
        return out

    def finish(self) -> "Table":
        """Compute sizes and header labels once all cells are in."""
        self.n_rows = max((c.row + c.rowspan for c in self.cells), default=0)
        self.n_cols = max((c.col + c.colspan for c in self.cells), default=0)
        self.header_rows = min(self.header_rows, self.n_rows)
        self.header_cols = min(self.header_cols, self.n_cols)
        # grid of cells, so that labels are found in O(cells * header levels)
        grid: dict[tuple[int, int], Cell] = {}
        for c in self.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    grid[(r, k)] = c
        for c in self.cells:
            c.header = c.row < self.header_rows or c.col < self.header_cols
            if c.row < self.header_rows:
                continue
            c.col_header = _labels(grid.get((r, c.col)) for r in range(self.header_rows))
            if c.col >= self.header_cols:
                c.row_header = _labels(grid.get((c.row, k)) for k in range(self.header_cols))
        return self


def _labels(cells) -> Optional[str]:
    seen: list[str] = []
    for c in cells:
        if c is not None and c.text.strip() and c.text.strip() not in seen:
            seen.append(c.text.strip())
    return "/".join(seen) or None


@dataclass
class Extracted:
    """What a format reader returns; `extract.ingest.read_document` adds identity fields."""
    text: str
    encoding: Optional[str] = None
    title: Optional[str] = None
    tables: list[Table] = field(default_factory=list)
    warning: Optional[str] = None    # read, but maybe not whole (a truncated PDF)
