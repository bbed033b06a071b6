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
    root, too_deep = _parse(source, path)
    if too_deep:            # libxml2 stops at depth 2048 and drops everything after it
        root, _ = _parse(flatten_deep(source), path)
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


def _parse(source: str, path):
    """(root, whether libxml2 gave up on the nesting depth)."""
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True,
                                  huge_tree=True)
    try:
        root = lxml.html.document_fromstring(source.encode("utf-8"), parser=parser)
    except Exception as e:  # lxml raises ParserError/ValueError on documents without elements
        raise IngestError(path, f"unparseable HTML: {e}") from None
    too_deep = any("Excessive depth" in e.message for e in parser.error_log)
    return root, too_deep


MAX_DEPTH = 256         # flatten_deep keeps this many levels of tags
_TAG = regex.compile(r"<(/?)([A-Za-z][\w:.-]*)(?:\s[^>]*)?>")
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


def flatten_deep(source: str, max_depth: int = MAX_DEPTH) -> str:
    """*source* with the tags nested deeper than *max_depth* removed and their text kept
    (a <br> for each removed block tag), counted by a plain scan of start and end
    tags.  Only for a page libxml2 gave up on: hundreds of unclosed <font> or <div>
    wrappers, nested past 2,048 levels, after which the parser drops all the text."""
    depth = 0
    out: list[str] = []
    last = 0
    for m in _TAG.finditer(source):
        name = m.group(2).lower()
        if name in _VOID or m.group(0).endswith("/>"):
            continue
        closing = bool(m.group(1))
        if closing:
            deep = depth > max_depth
            depth = max(0, depth - 1)
        else:
            depth += 1
            deep = depth > max_depth
        if deep:
            out.append(source[last:m.start()])
            out.append("<br>" if name in _BREAKS else "")
            last = m.end()
    out.append(source[last:])
    return "".join(out)


_BREAKS = frozenset("p div li tr table h1 h2 h3 h4 h5 h6 section article blockquote ul ol "
                    "dl dt dd pre center".split())


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
