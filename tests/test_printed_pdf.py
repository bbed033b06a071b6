"""Every sample report printed to PDF gives exactly the records of its text.

Each report of corpus/ (its text as read, or the UTF-8 source of a generated file) is printed
here on short A4-wide pages in a 12-point CID font with its lines wrapped at the margin wherever the next
character no longer fits, or after a fixed count of characters (digits are narrow, so such
lines end short of the margin) — at 30, 35 and 40 characters a line, so that breaks fall inside
words, between an indicator and its figure, inside a number and between a number and its
unit — under a running header, with centred page numbers (``— n —``) and a footer line. A
table of the text (tab or space aligned) is printed as rows of cells at fixed column
positions, an empty cell left blank. Reading the PDF back must give the same multiset of
records, each read alike (metric, kind, value, unit, qualifier, region, year, table or text).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from extract.formats.text_tables import detect_text_tables
from extract.ingest import read_document
from extract.pipeline import process

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FONT = "STSong-Light"
BUDGETS = {"meishan_yibaoju_yusuan_2025", "lezhi_weijianju_yusuan_2024"}   # ruled tables: own test
# budget web pages: a form over a 绩效目标表 / a 自评表's funds table printed without rules loses
# its form structure (label：figure cells, a title row); they are web text, not printed
# (tests/test_budget_web.py)
WEB_BUDGETS = {"qitai_yibaoju_jixiao_mubiao_2025", "shucheng_yibaoju_zipingbiao_2024"}
STEMS = sorted(p.stem for p in (CORPUS / "gold").glob("*.jsonl")
               if p.stem not in BUDGETS | WEB_BUDGETS)


def report_text(stem: str) -> str:
    src = CORPUS / "sources" / f"{stem}.source"
    if src.exists():
        return src.read_text(encoding="utf-8")
    path = next(p for p in CORPUS.iterdir() if p.stem == stem and p.is_file())
    return read_document(path).text


def key(records) -> Counter:
    return Counter((r.metric, r.kind, r.value, r.value_high, r.unit, r.qualifier, r.region_code,
                    r.year, r.source) for r in records)


def layout(text: str):
    """Blocks of the text: ('p', paragraph) for each non-blank line outside tables,
    ('table', rows of cell texts by column) for each table."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    tables = detect_text_tables(text)
    out, pos = [], 0
    for t in tables + [None]:
        end = t.start if t else len(text)
        for line in text[pos:end].split("\n"):
            if line.strip():
                out.append(("p", line.strip()))
        if t is None:
            break
        rows = [[""] * t.n_cols for _ in range(t.n_rows)]
        for c in t.cells:
            rows[c.row][c.col] = c.text
        out.append(("table", rows))
        pos = t.end
    return out


def print_pdf(text: str, path: Path, chars: int, by_count: bool = False,
              justify: bool = False) -> Path:
    """*justify*: full lines spread to the margin (character spacing), paragraphs set apart
    by space instead of a first-line indent, ``第 n 页`` page numbers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    size, lead, left = 12, 20, 72
    right = left + chars * size
    width, height = A4[0], 480          # a short page, so that every report has several
    c = canvas.Canvas(str(path), pagesize=(width, height), invariant=1)
    page = 0

    def new_page():
        nonlocal page
        if page:
            c.showPage()
        page += 1
        c.setFont(FONT, 9)
        c.drawString(left, height - 44, "某某县卫生健康工作资料汇编")
        c.drawRightString(right, height - 44, "内部资料")
        c.line(left, height - 50, right, height - 50)
        c.setFont(FONT, 10)
        c.drawCentredString((left + right) / 2, 40, f"第 {page} 页" if justify else f"— {page} —")
        return height - 86

    y = new_page()
    for n, (kind, item) in enumerate(layout(text)):
        if kind == "table":
            tsize = 10
            widths = [max(pdfmetrics.stringWidth(r[k], FONT, tsize) for r in item) + 2.5 * tsize
                      for k in range(len(item[0]))]
            for row in item:
                if y < 70:
                    y = new_page()
                c.setFont(FONT, tsize)
                x = left
                for k, cell in enumerate(row):
                    c.drawString(x, y, cell)
                    x += widths[k]
                y -= lead
            continue
        indent = 0 if n == 0 or justify else 2 * size
        rows, cur = [], ""
        for ch in item:
            if by_count:                   # a fixed number of characters a line, digits too
                full = len(cur) >= chars - (2 if indent and not rows else 0)
            else:
                avail = right - left - (indent if not rows else 0)
                full = pdfmetrics.stringWidth(cur + ch, FONT, size) > avail
            if cur and full:
                rows.append(cur)
                cur = ch
            else:
                cur += ch
        rows.append(cur)
        for i, row in enumerate(rows):
            if y < 70:
                y = new_page()
            c.setFont(FONT, size)
            if n == 0:
                c.drawCentredString((left + right) / 2, y, row)
            elif justify and i < len(rows) - 1 and len(row) > 1:
                t = c.beginText(left, y)
                t.setFont(FONT, size)
                t.setCharSpace((right - left - pdfmetrics.stringWidth(row, FONT, size)) / (len(row) - 1))
                t.textOut(row)
                c.drawText(t)
            else:
                c.drawString(left + (indent if i == 0 else 0), y, row)
            y -= lead
        if justify:
            y -= 10                        # space between paragraphs
    c.showPage()
    c.save()
    return path


_reference: dict = {}


def reference(stem: str, folder: Path):
    if stem not in _reference:
        text = report_text(stem)
        p = folder / f"{stem}.txt"
        p.write_text(text, encoding="utf-8")
        _reference[stem] = text, process(read_document(p)).records
    return _reference[stem]


@pytest.mark.parametrize("wrap", ["width", "count", "justified"])
@pytest.mark.parametrize("chars", [30, 35, 40])
@pytest.mark.parametrize("stem", STEMS)
def test_printed_report_gives_the_records_of_its_text(stem, chars, wrap, tmp_path):
    """*wrap*: at the margin by width; after a fixed count of characters (so that lines
    holding figures, which are narrow, end short of the margin); or justified to the margin
    with paragraphs set apart by space and 第 n 页 page numbers."""
    text, ref = reference(stem, tmp_path)
    assert len(ref) >= 8
    doc = read_document(print_pdf(text, tmp_path / f"{stem}.pdf", chars, by_count=wrap == "count",
                                  justify=wrap == "justified"))
    got = process(doc).records
    missing, extra = key(ref) - key(got), key(got) - key(ref)
    assert not missing and not extra, f"missing {dict(missing)}, extra {dict(extra)}"
    for r in got:
        assert doc.text[r.start:r.end] == r.text
    assert "内部资料" not in doc.text and "— 1 —" not in doc.text and "第 1 页" not in doc.text
