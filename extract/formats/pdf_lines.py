"""Visual text lines of a PDF page, top to bottom, with their boxes."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Line:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float       # font size of the line's largest span
    page: int
    # the pieces of a line split by column gaps (tabs in text): (text, x0, x1) each
    cells: tuple = ()


@dataclass
class Piece:
    """One text span of a page with its box (used to fill table cells)."""
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float


def _flags():
    import pymupdf
    # MuPDF invents spaces where glyphs are spread apart; justified Chinese text is spread
    # letter by letter ("4 1 . 3"), so only spaces present in the PDF are kept
    return pymupdf.TEXTFLAGS_DICT | pymupdf.TEXT_INHIBIT_SPACES


def _inside(x: float, y: float, boxes) -> bool:
    return any(b[0] <= x <= b[2] and b[1] <= y <= b[3] for b in boxes)


def _outside_part(span, boxes, pieces):
    """The part of a rawdict span outside the table *boxes* (a dict-like span with its text
    and box), its characters inside them going to *pieces* one by one."""
    out = []
    for ch in span.get("chars", ()):
        x0, y0, x1, y1 = ch["bbox"]
        if _inside((x0 + x1) / 2, (y0 + y1) / 2, boxes):
            if pieces is not None:
                pieces.append(Piece(ch["c"], x0, y0, x1, y1, span["size"]))
        else:
            out.append(ch)
    if not out:
        return None
    return {"text": "".join(ch["c"] for ch in out), "size": span["size"],
            "bbox": (out[0]["bbox"][0], min(c["bbox"][1] for c in out),
                     out[-1]["bbox"][2], max(c["bbox"][3] for c in out)),
            "_whole": len(out) == len(span.get("chars", ()))}


def page_lines(page, boxes=(), pieces: list | None = None) -> list[Line]:
    """Lines of one page; pieces on the same baseline (split by font changes or by PyMuPDF's
    block detection) are merged left to right. Characters whose centre lies in one of
    *boxes* (the ruled tables of the page) are left out of the lines and appended to
    *pieces* one by one (a span drawn across two cells is split at their border)."""
    raw = []
    kind = "rawdict" if boxes else "dict"       # characters, to split a span at cell borders
    for block in page.get_text(kind, sort=True, flags=_flags())["blocks"]:
        for line in block.get("lines", ()):
            if boxes:
                parts = [_outside_part(s, boxes, pieces) for s in line["spans"] if s.get("chars")]
                spans = [s for s in parts if s is not None and s["text"]]
                if spans and not (len(spans) == len(line["spans"]) and all(s["_whole"] for s in spans)):
                    line = {"bbox": (min(s["bbox"][0] for s in spans), min(s["bbox"][1] for s in spans),
                                     max(s["bbox"][2] for s in spans), max(s["bbox"][3] for s in spans))}
            else:
                spans = [s for s in line["spans"] if s["text"]]
            if not spans:
                continue
            x0, y0, x1, y1 = line["bbox"]
            raw.append([x0, y0, x1, y1, max(s["size"] for s in spans), spans])
    raw.sort(key=lambda r: (round((r[1] + r[3]) / 2), r[0]))
    merged: list[list] = []
    for r in raw:
        last = merged[-1] if merged else None
        if last is not None and _same_row(last, r):
            last[0], last[1] = min(last[0], r[0]), min(last[1], r[1])
            last[2], last[3] = max(last[2], r[2]), max(last[3], r[3])
            last[4] = max(last[4], r[4])
            last[5].extend(r[5])
        else:
            merged.append(list(r[:5]) + [list(r[5])])
    lines = []
    for x0, y0, x1, y1, size, spans in merged:
        spans.sort(key=lambda s: s["bbox"][0])
        text, cells = _join_spans(spans, size)
        if text.strip():
            lines.append(Line(text, x0, y0, x1, y1, size, page.number,
                              tuple(cells) if len(cells) > 1 else ()))
    return lines


def _same_row(a, b) -> bool:
    """Vertical overlap of more than half the smaller line height."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap > 0.5 * min(a[3] - a[1], b[3] - b[1])


def _join_spans(spans, size: float) -> tuple[str, list]:
    """Pieces of one line, left to right: a gap wider than 1.5 characters is a column gap of
    a table (written as a tab, as HTML and DOCX cells are), a smaller one a space. Also the
    line's cells between such gaps, as (text, x0, x1)."""
    out = spans[0]["text"]
    cells = [[out, spans[0]["bbox"][0], spans[0]["bbox"][2]]]
    for prev, s in zip(spans, spans[1:]):
        gap = s["bbox"][0] - prev["bbox"][2]
        if gap > 1.5 * size:
            out = out.rstrip(" ") + "\t"
            out += s["text"].lstrip(" ")
            cells.append([s["text"], s["bbox"][0], s["bbox"][2]])
            continue
        piece = s["text"]
        if gap > 0.8 * size and not out.endswith(" ") and not s["text"].startswith(" "):
            piece = " " + piece
        out += piece
        cells[-1][0] += piece
        cells[-1][2] = s["bbox"][2]
    return out, [(t.strip(), a, b) for t, a, b in cells]
