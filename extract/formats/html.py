"""HTML pages: the main content as a reader sees it (see html_clean for the rule).

Encoding: BOM, else the declared ``<meta charset>`` if the bytes decode strictly with it,
else the same detection as for text files. Server-page directives (``<%@ … %>``,
``<% … %>``) are removed before parsing; comments and processing instructions are dropped.
"""
from __future__ import annotations

from typing import Optional

import lxml.html
import regex

from . import html_clean
from .base import Extracted, IngestError
from .encoding import BOMS, decode, sniff_magic
from .html_render import Renderer, cell_text

_META_CHARSET = regex.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", regex.I)
_SERVER_TAGS = regex.compile(r"<%.*?%>", regex.S)
_CODEC = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030",
          "gb18030": "gb18030", "cp936": "gb18030", "big5": "big5", "big5-hkscs": "big5hkscs",
          "utf8": "utf-8", "utf-8": "utf-8"}
_TITLE_SEPARATORS = regex.compile(r"\s+[-_|－—]+\s+|[_|－]|\s+-\s*|--")


def read(data: bytes, path) -> Extracted:
    source, encoding = decode_html(data, path)
    source = _SERVER_TAGS.sub("", source)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                                  huge_tree=True)
    try:
        root = lxml.html.document_fromstring(source.encode("utf-8"), parser=parser)
    except Exception as e:  # lxml raises ParserError/ValueError on documents without elements
        raise IngestError(path, f"unparseable HTML: {e}") from None
    full_title = root.findtext(".//title")
    page_title = _page_title(full_title)
    body = root.find("body")
    if body is None:
        body = root
    html_clean.strip_invisible(body)
    heading = html_clean.find_heading(body, full_title)
    html_clean.strip_chrome(body, heading)
    core = html_clean.main_content(body, heading)
    r = Renderer().render(core)
    text = r.text()
    if not text.strip():
        raise IngestError(path, "no visible text in HTML")
    title = cell_text(heading) if heading is not None else None
    return Extracted(text=text, encoding=encoding, title=title or page_title, tables=r.tables)


def decode_html(data: bytes, path) -> tuple[str, str]:
    if not data.strip():
        raise IngestError(path, "empty file")
    if any(data.startswith(bom) for bom, _ in BOMS):
        return decode(data, path)
    what = sniff_magic(data)
    if what:
        raise IngestError(path, f"looks like {what}, not HTML")
    m = _META_CHARSET.search(data, 0, 4096)
    if m:
        codec = _CODEC.get(m.group(1).decode("ascii").lower())
        if codec:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                pass                        # declared wrongly: detect instead
    return decode(data, path)


def _page_title(title: Optional[str]) -> Optional[str]:
    """<title>, without the site name: the longest part between separators."""
    if not title:
        return None
    text = " ".join(title.split())
    parts = [p.strip() for p in _TITLE_SEPARATORS.split(text) if p.strip()]
    return max(parts, key=len) if parts else None
