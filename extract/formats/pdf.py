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
(``— 3 —``, ``- 3 -``, ``第 3 页``, ``3/10``) are dropped. A gap of more than 1.5 characters
inside a line separates table cells: it is written as a tab, such a line is never joined
to its neighbours, and runs of such lines are tables (`text_tables`), as in plain text.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import regex

from .base import Extracted, IngestError
from .pdf_lines import Line, page_lines
from .text_tables import detect_text_tables

_PAGE_NUMBER = regex.compile(
    r"^[\s\-—–－_·•]*(?:第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+|"
    r"[Pp]age\s*\d+(?:\s*of\s*\d+)?|\d+)[\s\-—–－_·•]*$")
_HEADING = regex.compile(
    r"^\s*(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[)）]|\d+[、．.](?!\d)"
    r"|第[一二三四五六七八九十百零\d]+[篇章节部分条]|[①-⑳]|附件|附表)")
_LATIN = regex.compile(r"[A-Za-z]")
_MARGIN_ZONE = 2            # lines at the top and at the bottom of a page checked for chrome


@dataclass
class _Layout:
    left: float
    right: float
    size: float


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
            pages = [page_lines(page) for page in doc]
        except Exception as e:
            raise IngestError(path, f"corrupt PDF: {e}") from None
        meta_title = (doc.metadata or {}).get("title") or ""
        # a truncated or damaged file that MuPDF read by rebuilding its xref table (#18)
        damaged = "damaged or truncated PDF (MuPDF repaired it)" if doc.is_repaired else None
    if not any(pages):
        raise IngestError(path, f"corrupt PDF: {damaged}, no text could be read" if damaged
                          else "no text layer; OCR not supported")
    body = drop_page_chrome(pages)
    lines = [ln for page in body for ln in page]
    if not lines:
        raise IngestError(path, "no text layer; OCR not supported")
    text = join_lines(body, _layout(lines))
    title = _meta_title(meta_title) or next((ln.text.strip() for ln in lines), None)
    return Extracted(text=text, encoding=None, title=title, tables=detect_text_tables(text),
                     warning=damaged and f"{damaged}: pages or text after the damage may be missing")


def _meta_title(title: str) -> Optional[str]:
    """The metadata title unless it is a generator's placeholder or a file name."""
    title = regex.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title.strip())
    if not title or title.lower() in ("untitled", "无标题") or \
            regex.search(r"\.(?:docx?|wps|pdf|xlsx?|txt)$", title, regex.I):
        return None
    return title


def drop_page_chrome(pages: list[list[Line]]) -> list[list[Line]]:
    """Remove page numbers and running headers/footers from the margin zones of each page."""
    zone_keys: dict[str, int] = {}
    for page in pages:
        for key in {_key(ln.text) for ln in _zone(page)}:
            zone_keys[key] = zone_keys.get(key, 0) + 1
    repeated = {k for k, n in zone_keys.items() if k and n >= 2 and n >= 0.5 * len(pages)}
    out = []
    for page in pages:
        zone = {id(ln) for ln in _zone(page)}
        out.append([ln for ln in page if id(ln) not in zone
                    or not (_PAGE_NUMBER.match(ln.text) or _key(ln.text) in repeated)])
    return out


def _zone(page: list[Line]) -> list[Line]:
    return page[:_MARGIN_ZONE] + page[-_MARGIN_ZONE:] if len(page) > 2 * _MARGIN_ZONE else page


def _key(text: str) -> str:
    return regex.sub(r"\d+", "#", regex.sub(r"\s+", "", text))


def _layout(lines: list[Line]) -> _Layout:
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
    return _Layout(left=left, right=right, size=size)


def join_lines(pages: list[list[Line]], lay: _Layout) -> str:
    out: list[str] = []
    prev: Optional[Line] = None
    for page in pages:
        for ln in page:
            text = ln.text.strip()
            if not text:
                continue
            if prev is None:
                out.append(text)
            elif _continues(prev, ln, lay):
                if _LATIN.match(out[-1][-1:]) and _LATIN.match(text[0]):
                    out.append(" ")
                out.append(text)
            else:
                out.append("\n")
                out.append(text)
            prev = ln
    return "".join(out)


def _continues(prev: Line, ln: Line, lay: _Layout) -> bool:
    """Is `ln` the continuation of the paragraph that `prev` wrapped out of?"""
    tol = 1.5 * lay.size
    if "\t" in prev.text or "\t" in ln.text:
        return False                                 # a table row (cells apart) is a line
    if prev.x1 < lay.right - tol:
        return False                                 # short line: paragraph ended
    if ln.x0 > lay.left + 0.8 * lay.size:
        return False                                 # indented or centred line
    if _HEADING.match(ln.text):
        return False
    if ln.page == prev.page and ln.y0 - prev.y1 > 1.2 * lay.size:
        return False                                 # paragraph spacing
    return True
