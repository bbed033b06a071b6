"""Find the main content of a web page and strip the page chrome around it.

The rule (readability-like, documented so that it can be argued with):
1. Drop what a reader never sees or never reads as content: script/style/form controls,
   hidden elements, nav/aside, page-level header/footer, and elements whose class or id
   names chrome (breadcrumb, share, footer, copyright, related …) unless they hold the
   page's h1 or a large part of its text.
2. Drop the smallest block whose text starts with a chrome phrase (当前位置, 推荐访问,
   相关阅读, 分享到, 扫一扫, 版权所有 …) or holds an ICP/公网安备 registration; after a
   "related/recommended" heading also the link lists that follow it.
3. Score every element by the Chinese characters and full-width punctuation in its text
   outside links (counted as characters of 3+ UTF-8 bytes, which is fast). From <body>, descend into the child holding at least 85% of the score, as long
   as one does: that is the content core (a browser's "reader view" block).
4. Widen the core to the nearest ancestor that also holds the page heading (h1), if that
   adds little text (the heading, dates and document number around the body).
"""
from __future__ import annotations

from typing import Optional

import regex

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg",
              "canvas", "button", "select", "input", "textarea", "map", "audio", "video",
              "nav", "aside", "link", "meta")
_PAGE_CHROME_TAGS = ("header", "footer")        # dropped unless inside article/main
_CHROME_NAME = regex.compile(
    r"(?:^|[\s_\-])(?:nav|navbar|menu|breadcrumbs?|crumbs?|bdshare\w*|share\w*|footer|foot"
    r"|copyright|banquan|related|recommend|xgyd|xgwz|tjyd|pagination|pager|position|location"
    r"|dqwz|ewm|qrcode|erweima|toolbar|sidebar|sitemap)(?:$|[\s_\-])", regex.I)
_HIDDEN_STYLE = regex.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", regex.I)
_CHROME_START = regex.compile(
    r"^[\s\u3000\u00a0【\[]*(?:当前位置|您现在的位置|您的位置|你的位置|你现在的位置|所在位置|当前的位置"
    r"|推荐访问|相关阅读|相关链接|相关文章|相关新闻|相关稿件|相关文档|热点推荐|热门推荐|推荐阅读"
    r"|延伸阅读|友情链接|分享到|分享至|扫一扫|打印本页|关闭窗口|打印】|关闭】|字号|字体[:：]"
    r"|上一篇|下一篇|版权所有|Copyright|©|主办单位|承办单位|网站标识码|网站地图)", regex.I)
_CHROME_ANYWHERE = regex.compile(r"ICP备|ICP证|公网安备|版权所有")
_LIST_MARKERS = regex.compile(r"推荐|相关|延伸阅读|友情链接")
_MAX_CHROME_BLOCK = 200
_MAX_CHROME_INLINE = 40
_INLINE = ("span", "a", "font", "em", "i", "b", "strong", "label", "small")           # a block longer than this is content, whatever it says
BLOCKS = frozenset("""address article aside blockquote body center dd div dl dt footer form h1
h2 h3 h4 h5 h6 header li main ol p section table tbody td th tr ul""".split())


def strip_invisible(body) -> None:
    """Step 1 without the class/id rule: elements that never render as content."""
    for el in list(body.iter(*_DROP_TAGS)):
        _drop(el)
    for el in list(body.iter(*_PAGE_CHROME_TAGS)):
        if not any(a.tag in ("article", "main") for a in el.iterancestors()):
            _drop(el)
    for el in list(body.iter()):
        if not isinstance(el.tag, str):
            continue
        style = el.get("style")
        if el.get("hidden") is not None or (style and _HIDDEN_STYLE.search(style)):
            _drop(el)


def strip_chrome(body, heading) -> None:
    """Steps 1 (class/id) and 2; `heading` (the page h1) is never dropped."""
    scores = _scores(body)
    total = max(1, scores.get(body, 0))
    keep = set(heading.iterancestors()) | {heading} if heading is not None else set()
    for el in list(body.iter()):
        if not isinstance(el.tag, str) or el in keep or el.getparent() is None:
            continue
        names = f"{el.get('class', '')} {el.get('id', '')}"
        if names.strip() and _CHROME_NAME.search(names) and scores.get(el, 0) < 0.3 * total:
            _drop(el)
    lengths = _text_lengths(body)
    matched: set = set()
    for el in reversed(list(body.iter(*BLOCKS))):          # inner blocks before outer ones
        if el in keep or lengths.get(el, 0) > _MAX_CHROME_BLOCK:
            continue
        text = el.text_content()
        if (_CHROME_START.match(text) or _CHROME_ANYWHERE.search(text)) and \
                not any(d in matched for d in el.iterdescendants()):
            matched.add(el)
    for el in matched:
        if el.getparent() is None:
            continue
        text = el.text_content()
        if _LIST_MARKERS.search(text[:12]):
            _drop_link_lists_after(el)
        _drop(_widest_same_text(el, text, lengths))
    for el in list(body.iter(*_INLINE)):       # 字号：大 中 小, 打印本页 inside a content line
        if el.getparent() is not None and el not in keep:
            text = el.text_content()
            if len(text) <= _MAX_CHROME_INLINE and _CHROME_START.match(text):
                _drop(el)


def main_content(body, heading):
    """Steps 3 and 4: the element whose text is the page's content."""
    scores = _scores(body)
    node = body
    while True:
        best = max((c for c in node if isinstance(c.tag, str)), key=lambda c: scores.get(c, 0),
                   default=None)
        if best is None or scores.get(node, 0) == 0 or scores.get(best, 0) < 0.85 * scores[node]:
            break
        node = best
    if heading is not None and node is not heading and node not in heading.iterancestors():
        node = _widen_to(node, heading, scores)
    return node


def count(el) -> int:
    return wide_chars(el.text_content())


def wide_chars(s: str) -> int:
    """Characters of 3+ UTF-8 bytes: CJK characters and full-width punctuation (fast proxy)."""
    if not s or s.isascii():
        return 0
    return (len(s.encode("utf-8", "surrogatepass")) - len(s)) // 2


def _scores(body) -> dict:
    """Chinese characters + punctuation outside links, per element, in one bottom-up pass."""
    scores: dict = {}
    for el in reversed(list(body.iter())):
        if not isinstance(el.tag, str):
            continue
        n = 0 if el.tag == "a" else wide_chars(el.text)
        for child in el:
            n += scores.get(child, 0) + wide_chars(child.tail)
        scores[el] = n
    return scores


def _text_lengths(body) -> dict:
    """Length of each element's text_content, in one bottom-up pass."""
    lengths: dict = {}
    for el in reversed(list(body.iter())):
        n = len(el.text or "") if isinstance(el.tag, str) else 0
        for child in el:
            n += lengths.get(child, 0) + len(child.tail or "")
        lengths[el] = n
    return lengths


def _widen_to(core, heading, scores):
    """The nearest ancestor of `core` holding the heading, if it adds little text
    (counting link text too: it must not pull navigation back in)."""
    ancestors = set(heading.iterancestors())
    for anc in core.iterancestors():
        if anc in ancestors:
            extra = count(anc) - count(core)
            return anc if extra <= 0.25 * count(core) + 100 else core
    return core


def _widest_same_text(el, text: str, lengths: dict):
    """Climb while the parent holds nothing but this chrome text (e.g. a wrapper div)."""
    stripped = text.strip()
    while True:
        parent = el.getparent()
        if parent is None or parent.tag in ("body", "html") or \
                lengths.get(parent, 0) > _MAX_CHROME_BLOCK:
            return el
        if parent.text_content().strip() != stripped:
            return el
        el = parent


def _drop_link_lists_after(el) -> None:
    """After a "相关阅读" heading: the following siblings that are mostly link text."""
    sib = el.getnext()
    while sib is not None and isinstance(sib.tag, str):
        text = sib.text_content().strip()
        links = sum(len(a.text_content().strip()) for a in sib.iter("a"))
        if text and links < 0.6 * len(text):
            break
        nxt = sib.getnext()
        _drop(sib)
        sib = nxt


def _drop(el) -> None:
    if el.getparent() is not None:
        el.drop_tree()          # lxml keeps the tail text


def find_heading(body, page_title: Optional[str] = None) -> Optional[object]:
    """The page heading: of the non-empty h1 (else h2) elements, the longest one whose text
    is part of <title> (a logo h1 holding the site name is shorter), else the first."""
    squeeze = "".join((page_title or "").split())
    for tag in ("h1", "h2"):
        found = [el for el in body.iter(tag) if el.text_content().strip()]
        if found:
            in_title = [el for el in found if squeeze and
                        "".join(el.text_content().split()) in squeeze]
            return max(in_title, key=lambda el: len(el.text_content())) if in_title else found[0]
    return None
