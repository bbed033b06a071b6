"""One document in, its records out: normalise → structure → numbers → link → attribute.

The cheap scan runs first: the quantity recogniser runs over the whole analysis text,
and only sentences holding a quantity of a unit some metric accepts are linked; the word
segmenter (jieba or pkuseg) is asked only for the short clause prefixes the linker has to
judge, never for the whole text. `extract.components.build_nlp` wraps the same engine as
spaCy components (Doc/Span extensions) and gives the same records (a test checks this).
Every offset handed out is mapped back to the document text.
"""
from __future__ import annotations

import bisect

from . import EXTRACTOR_VERSION
from .attribution import Attributor
from .segment import get_segmenter
from .linker import default_linker
from .model import DocResult, Record, Span, assign_record_ids
from .normalise import normalise
from .numbers import recognise
from .scope import default_scoper
from .structure import parse_structure
from .tables import evaluation_year, plan_document_year, planned_sentence, table_values


def process(src, segmenter: str = "jieba") -> DocResult:
    """Extract the records of one `SourceDoc`."""
    norm = normalise(src.text)
    text = norm.text
    st = parse_structure(text)
    linker = default_linker()
    tables = list(getattr(src, "tables", None) or [])
    table_spans = [(norm.from_src(t.start), norm.from_src(t.end)) for t in tables]
    quantities = [q for q in recognise(text) if linker.accepts(q)
                  and not any(a <= q.start < b for a, b in table_spans)]
    attr = Attributor(text, st, tables=table_spans)

    records: list[Record] = []
    if quantities:
        segment = get_segmenter(segmenter)
        alias_hits = linker.scan_aliases(text)
        starts = [q.start for q in quantities]
        ends = [q.end for q in quantities]
        budget_years: dict = {}
        for sent, own_a, own_b in _windows(text, st.sentences, starts, ends):
            i = bisect.bisect_left(starts, sent.start)
            j = bisect.bisect_left(starts, sent.end)
            if i == j:
                continue
            plan = any(linker.is_plan_heading(h.title) for h in st.section_path_at(sent.start))
            year = _budget_year(text, st, sent.start, memo=budget_years)
            if not plan:
                plan = year is not None and planned_sentence(text[sent.start:sent.end], year)
            # a budget page's title names its project (…城乡居民基本医疗保险…): health money
            title = _article_title(st, sent.start) if year is not None else ""
            for link in linker.link_sentence(text, sent.start, sent.end, quantities[i:j],
                                             plan_section=plan, segment=segment,
                                             alias_hits=alias_hits, context_text=title):
                if own_a <= link.quantity.start < own_b:
                    records.append(_record(src, norm, st, attr, link, sent))
    for t_idx, table in enumerate(tables):
        by = _budget_year(text, st, norm.from_src(table.start))
        plan = by is not None
        # a budget's or a 绩效自评表's tables are about the year its title names
        ev = None if plan else _budget_year(text, st, norm.from_src(table.start), evaluation_year)
        by = by or ev
        for tv in table_values(src.text, table, linker, plan=plan, evaluation=ev is not None):
            if tv.year is None and by:
                tv.year = by
            records.append(_table_record(src, norm, st, attr, t_idx, tv))
    records.sort(key=lambda r: (r.start, r.end, r.metric))
    assign_record_ids(src.doc_id, records)
    articles = []
    for idx, art in enumerate(st.articles):
        a, b = norm.src_span(art.start, art.end)
        reg = attr.article_region(idx)
        articles.append({"index": idx, "start": a, "end": b, "title": art.title,
                         "region": reg.name if reg else None,
                         "region_code": reg.code if reg else None})
    sections = []
    for idx, sec in enumerate(st.sections):
        a, b = norm.src_span(sec.start, sec.end)
        sections.append({"article": st.article_at(sec.start), "index": idx, "start": a, "end": b,
                         "heading": sec.title, "level": getattr(sec, "level", None)})
    date = attr.document_date()
    return DocResult(src=src, records=records, articles=articles, sections=sections,
                     date=date.isoformat() if date else None)


_WARM_UP_TEXT = "XX市2012年工作总结\n2012年，全市新农合参合率达到95%，住院费用报销比例为60%。\n"


def prepare(segmenter: str = "jieba") -> None:
    """Load what `process` loads on first use (the segmenter's dictionary, the linker,
    the number grammar, the gazetteer, the time patterns) by processing a short made-up
    report.  The runner calls it before forking its workers, so they share all of it
    copy-on-write instead of each spending a second of CPU loading its own."""
    from .ingest import SourceDoc
    get_segmenter(segmenter)
    process(SourceDoc(doc_id="warm-up", path="warm-up.txt", text=_WARM_UP_TEXT, format="txt",
                      encoding="utf-8", sha256=""), segmenter=segmenter)


# Linking looks back and ahead within a sentence, so its cost grows with the square of
# the sentence length.  Real sentences stay under 400 characters; a longer "sentence"
# (text with no 。！？；, e.g. a 1 MB line of figures) is linked in windows of at most
# MAX_SENTENCE characters plus WINDOW_CONTEXT on each side.  A window owns the figures
# from its start to its cut, made after a clause mark (,;:) or else after a figure, at
# the widest gap before the next figure (where the next indicator is), never inside one;
# its context, from a clause or figure boundary before its start to one after its cut,
# is linked with it, so a figure near a cut still sees its indicator and the words after
# it, and only the figures it owns become records (each figure once).
MAX_SENTENCE = 2000
WINDOW_CONTEXT = 300
_CLAUSE_MARKS = ",;:"
# a record's snippet is its sentence, or at most this many characters of it around the value
SNIPPET_MAX = 300


def _budget_year(text: str, st, pos: int, of=plan_document_year, memo: dict | None = None):
    """The year of the department budget (部门预算) *pos* stands in (0 when its title names
    none), None outside a budget. The title may be set over two lines (某市医疗保障局 /
    2025年部门预算): the article's first lines count. *of*: the title test (also
    `evaluation_year`, for a 绩效自评表's year). *memo*: a dict kept for one document, so
    each article's title is tested once (it is asked for every sentence holding a number)."""
    idx = st.article_at(pos)
    if idx is None or not 0 <= idx < len(st.articles):
        return None
    memo = {} if memo is None else memo
    key = (idx, of)
    if key not in memo:
        art = st.articles[idx]
        head = [art.title] + [ln for ln in text[art.start:art.start + 160].split("\n")[:4]
                              if len(ln) <= 60]
        found = [y for y in map(of, head) if y is not None]
        memo[key] = max(found) if found else None
    return memo[key]


def _article_title(st, pos: int) -> str:
    idx = st.article_at(pos)
    if idx is None or not 0 <= idx < len(st.articles):
        return ""
    return st.articles[idx].title or ""


def _boundary(text: str, ends: list, lo: int, hi: int, last: bool) -> int:
    """A clause or figure boundary in (lo, hi]: just after a clause mark, else just after a
    figure (the last or first one, by *last*); -1 when there is none."""
    if last:
        cut = max(text.rfind(c, lo, hi) for c in _CLAUSE_MARKS)
    else:
        found = [i for i in (text.find(c, lo, hi) for c in _CLAUSE_MARKS) if i >= 0]
        cut = min(found, default=-1)
    if cut >= 0:
        return cut + 1
    i = bisect.bisect_right(ends, hi) - 1 if last else bisect.bisect_right(ends, lo)
    if 0 <= i < len(ends) and lo < ends[i] <= hi:
        return ends[i]
    return -1


def _cut(text: str, starts: list, ends: list, lo: int, hi: int) -> int:
    """Where a window ending in (lo, hi] is cut: after the last clause mark, else after the
    figure followed by the widest gap before the next figure, else at *hi*."""
    cut = max(text.rfind(c, lo, hi) for c in _CLAUSE_MARKS) + 1
    if cut > 0:
        return cut
    i, j = bisect.bisect_right(ends, lo), bisect.bisect_right(ends, hi)
    best, gap = hi, -1
    for k in range(i, j):           # figures ending inside (lo, hi]
        nxt = starts[k + 1] if k + 1 < len(starts) else hi
        if nxt >= ends[k] and nxt - ends[k] >= gap:
            best, gap = ends[k], nxt - ends[k]
    return best


def _windows(text: str, sentences, starts: list, ends: list | None = None):
    """(span to link, start, end of what it owns) for each sentence; sentences longer
    than MAX_SENTENCE are cut into consecutive windows with context (see above).
    *starts*/*ends* are the offsets of the quantities, sorted by start."""
    if ends is None:
        ends = [s + 1 for s in starts]
    ends = sorted(ends)
    for sent in sentences:
        if sent.end - sent.start <= MAX_SENTENCE:
            yield sent, sent.start, sent.end
            continue
        a = sent.start
        while a < sent.end:
            if sent.end - a > MAX_SENTENCE:
                cut = _cut(text, starts, ends, a + MAX_SENTENCE // 2, a + MAX_SENTENCE)
            else:
                cut = sent.end
            lo = max(sent.start, a - WINDOW_CONTEXT)
            ctx_a = a if lo == a else _boundary(text, ends, lo, a, last=False)
            ctx_a = lo if ctx_a < 0 else ctx_a
            hi = min(sent.end, cut + WINDOW_CONTEXT)
            ctx_b = cut if hi == cut else _boundary(text, ends, cut, hi, last=True)
            ctx_b = hi if ctx_b < 0 else ctx_b
            yield Span(min(ctx_a, a), max(ctx_b, cut)), a, cut
            a = cut


def _snippet_span(sa: int, sb: int, qs: int, qe: int) -> tuple[int, int]:
    """The sentence [sa, sb), or SNIPPET_MAX characters of it centred on the value [qs, qe)."""
    if sb - sa <= SNIPPET_MAX:
        return sa, sb
    a = max(sa, qs - (SNIPPET_MAX - (qe - qs)) // 2)
    b = min(sb, max(qe, a + SNIPPET_MAX))
    return max(sa, min(a, b - SNIPPET_MAX)), b


def _record(src, norm, st, attr, link, sent) -> Record:
    q = link.quantity
    qs, qe = q.start, q.end
    a, b = norm.src_span(qs, qe)
    reg = attr.region_for(qs, sent.start)
    tm = attr.time_for(qs, sent.start, qe)
    sa, sb = norm.src_span(*_snippet_span(sent.start, sent.end, qs, qe))
    sec = st.section_at(qs)
    rec = Record(
        doc=src.doc_id, metric=link.metric, kind=link.kind,
        value=link.value, value_high=link.value_high, unit=link.unit,
        qualifier=q.qualifier,
        region=reg.name if reg and not reg.masked else None,
        region_code=reg.code if reg and not reg.masked else None,
        year=tm.year if tm else None,
        masked=q.masked, suspect=link.suspect,
        text=src.text[a:b], start=a, end=b,
        region_text=reg.surface if reg else None,
        region_masked=bool(reg and reg.masked),
        region_alt=list(reg.alt) if reg and not reg.masked else [],
        period_start=tm.period_start if tm else None,
        period_end=tm.period_end if tm else None,
        article=st.article_at(qs),
        section=sec.title if sec else None,
        snippet=src.text[sa:sb].strip(),
    )
    return default_scoper().annotate(rec, norm.text, qs, qe, link.alias_start, link.alias_end,
                                     sent.start, sent.end)


def _table_record(src, norm, st, attr, t_idx, tv) -> Record:
    pos = norm.from_src(tv.start)
    ctx = norm.from_src(tv.context)     # the text before the table, not the rows above the cell
    reg = next((r for r in (attr.region_named(h, pos) for h in tv.region_headers) if r), None)
    reg = reg or attr.region_for(ctx, ctx)
    tm = attr.time_for(ctx, ctx)
    year = tv.year if tv.year is not None else (tm.year if tm else None)
    sec = st.section_at(pos)
    row_text = src.text[tv.cell.start:tv.cell.end]
    rec = Record(
        doc=src.doc_id, metric=tv.metric, kind=tv.kind, value=tv.value, value_high=tv.value_high,
        unit=tv.unit, qualifier=tv.qualifier,
        region=reg.name if reg and not reg.masked else None,
        region_code=reg.code if reg and not reg.masked else None,
        year=year, masked=tv.masked, suspect=tv.suspect,
        text=src.text[tv.start:tv.end], start=tv.start, end=tv.end,
        region_text=reg.surface if reg else None, region_masked=bool(reg and reg.masked),
        region_alt=list(reg.alt) if reg and not reg.masked else [],
        period_start=f"{year}-01-01" if tv.year is not None else (tm.period_start if tm else None),
        period_end=f"{year}-12-31" if tv.year is not None else (tm.period_end if tm else None),
        article=st.article_at(pos), section=sec.title if sec else None,
        snippet=" | ".join(x for x in (tv.cell.row_header, tv.cell.col_header, row_text) if x),
        source="table", table_row=tv.cell.row, table_col=tv.cell.col,
    )
    return default_scoper().annotate_table(rec, list(tv.region_headers))


def extractor_version() -> str:
    return EXTRACTOR_VERSION
