"""Format fidelity: one report, many renderings, the same records.

Each sample report's UTF-8 text is rendered here (in tmp_path) as it reaches us in the wild —
re-encoded (UTF-8 with and without BOM, GB18030, UTF-16, Big5 after a simplified → traditional
conversion), as a page of a government website with its chrome, as a Word file, and as a PDF
whose lines wrap at the margin wherever they fall (inside words, between a number and its
unit) under a running header and page numbers; a table is a table in every format (tab
rows, <table>, a Word table, cells drawn apart in the PDF). Every rendering must give exactly
the records of the plain UTF-8 text: the same multiset of (metric, kind, value, value_high,
unit), each read alike (qualifier, region, year, from a table or the text).
"""
from __future__ import annotations

import html
import sys
from collections import Counter
from pathlib import Path

import pytest
import regex

from extract.ingest import read_document
from extract.pipeline import process

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from build_sample_formats import blocks as build_blocks  # noqa: E402

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
# prose reports of different genres (自查报告, 工作总结, 经验做法, 医保局总结, 公卫自查)
REPORTS = ["yugan_ncms_zicha_2010", "xiangfan_yigai_zongjie_2009", "zhongxian_yigongti_jingyan_2021",
           "liuzhou_yibao_zongjie_2023", "ningcheng_gongwei_zicha_2014",
           # sources of the generated samples; huzhou and wujiang hold a table
           "huzhou_yigongti_2019", "wujiang_yigai_2018", "tianchang_yigongti_2017",
           "shangcai_zicha_2012_gb18030"]
VARIANTS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "big5", "html", "docx", "pdf"]

# OpenCC's s2t gives the orthodox forms; Big5 (and every Big5 document) has the common
# Taiwan/Hong Kong ones, and writes the numeral zero 〇 as the circle ○ (U+25CB)
BIG5_FORMS = str.maketrans({"爲": "為", "羣": "群", "衆": "眾", "牀": "床", "着": "著", "裏": "裡",
                            "峯": "峰", "啓": "啟", "〇": "○"})


def source_text(stem: str) -> str:
    path = CORPUS / "sources" / f"{stem}.source"     # the UTF-8 text of a generated sample
    if not path.exists():
        path = CORPUS / f"{stem}.txt"
    return path.read_text(encoding="utf-8")


def blocks(text: str) -> list:
    """The script's grouping of lines into paragraphs and tables, paragraphs stripped."""
    return [(kind, item.strip() if kind == "p" else item) for kind, item in build_blocks(text)]


def key(records) -> Counter:
    return Counter((r.metric, r.kind, r.value, r.value_high, r.unit) for r in records)


def reading(r) -> tuple:
    return (r.metric, r.kind, r.value, r.value_high, r.unit, r.qualifier, r.region_code, r.year,
            r.source)


# --- renderings -------------------------------------------------------------------------------

def write_encoded(text: str, path: Path, encoding: str) -> Path:
    if encoding == "big5":
        import opencc
        text = opencc.OpenCC("s2t").convert(text).translate(BIG5_FORMS)
    path.write_bytes(text.encode(encoding))      # "utf-16" writes its BOM, "utf-8-sig" too
    return path


_VALUE = regex.compile(r"(\d+(?:\.\d+)?)(万人次|万人|万元|亿元|元|%)")


def _html_table(rows) -> str:
    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>\n"
                   for r in rows[1:])
    return (f'<table border="1" cellspacing="0"><thead><tr>{head}</tr></thead>\n'
            f"<tbody>\n{body}</tbody></table>")


def write_html(text: str, path: Path) -> Path:
    """A news page of a county health bureau: top bar, nav, 当前位置, the article, 推荐访问,
    footer with ICP; the first value of the body is split over two inline tags."""
    bl = blocks(text)
    title = bl[0][1]
    paras, split_done = [], False
    for kind, item in bl[1:]:
        if kind == "table":
            paras.append(_html_table(item))
            continue
        esc = html.escape(item)
        if not split_done:
            m = _VALUE.search(esc)
            if m:
                esc = (esc[:m.start()] + f'<span class="num">{m.group(1)}</span>'
                       f'<span class="unit">{m.group(2)}</span>' + esc[m.end():])
                split_done = True
        paras.append(f'<p style="text-indent:2em">{esc}</p>')
    assert split_done
    page = f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}-工作动态-县卫生健康局</title>
<script>var site = "wjw";</script><style>.nav li {{ float: left; }}</style></head>
<body>
<div class="top">您好，欢迎访问县卫生健康局门户网站！ <a href="/">设为首页</a> <a href="/">加入收藏</a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/gzdt/">工作动态</a></li><li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/gzdt/">工作动态</a> &gt; 正文</div>
<div class="main">
<h1>{html.escape(title)}</h1>
<div class="meta">来源：本站 浏览次数：1287 【字体：大 中 小】</div>
<div class="content">
{chr(10).join(paras)}
</div>
<div class="tools"><a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
<div class="side"><h3>推荐访问</h3><ul>
<li><a href="/a/1.html">全县召开卫生健康工作会议部署今年重点任务</a></li>
<li><a href="/a/2.html">县人民医院新院区门诊楼主体工程顺利封顶</a></li>
<li><a href="/a/3.html">关于公布县级医疗卫生机构绩效考核结果的通知</a></li></ul></div>
<div class="footer"><p>主办：县卫生健康局　承办：县大数据中心</p>
<p>版权所有 © 县卫生健康局　备案号：赣ICP备12003456号-1　公安备案 36112702000115号</p>
<p>联系电话：0793-3381234　地址：县城东大道88号</p></div>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path


def write_docx(text: str, path: Path) -> Path:
    from docx import Document
    doc = Document()
    for i, (kind, item) in enumerate(blocks(text)):
        if kind == "table":
            table = doc.add_table(rows=len(item), cols=len(item[0]))
            table.style = "Table Grid"
            for r, row in enumerate(item):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
        elif i == 0:
            doc.add_heading(item, level=1)
        else:
            doc.add_paragraph(item)
    doc.save(str(path))
    return path


_UNIT_START = regex.compile(r"[万亿元人%个张天]")


def write_pdf(text: str, path: Path) -> Path:
    """A4, STSong-Light, a running header and "— n —" page numbers; each paragraph wraps at
    the right margin wherever the next character no longer fits. The margin is nudged (a few
    points, as between real documents) until one wrap falls between a number and its unit.
    A table is drawn as rows of cells at fixed column positions."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    font, size, lead = "STSong-Light", 12, 21
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    width, height = A4
    left = 72
    bl = blocks(text)

    def wrap(right):
        out = []
        for n, (kind, item) in enumerate(bl):
            if kind == "table":
                out.append((n, kind, item))
                continue
            indent = 0 if n == 0 else 2 * size
            rows, cur = [], ""
            for ch in item:
                avail = right - left - (indent if not rows else 0)
                if cur and pdfmetrics.stringWidth(cur + ch, font, size) > avail:
                    rows.append(cur)
                    cur = ch
                else:
                    cur += ch
            rows.append(cur)
            out.append((n, kind, rows))
        return out

    def number_unit_break(layout):
        return any(regex.search(r"\d$", a) and _UNIT_START.match(b)
                   for _, kind, rows in layout if kind == "p" for a, b in zip(rows, rows[1:]))

    # a table's columns: as wide as their widest cell plus two characters
    widths = {n: [max(pdfmetrics.stringWidth(r[k], font, size) for r in item) + 2 * size
                  for k in range(len(item[0]))]
              for n, (kind, item) in enumerate(bl) if kind == "table"}
    for right in range(int(width) - 72, int(width) - 132, -1):
        layout = wrap(right)
        if number_unit_break(layout):
            break
    else:
        raise AssertionError("no margin puts a break between a number and its unit")
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    page = 0

    def new_page():
        nonlocal page
        if page:
            c.showPage()
        page += 1
        c.setFont(font, 9)
        c.drawCentredString(width / 2, height - 48, "卫生健康工作简报")
        c.line(left, height - 54, right, height - 54)
        c.setFont(font, 11)
        c.drawCentredString(width / 2, 40, f"— {page} —")
        return height - 90

    y = new_page()
    for n, kind, rows in layout:
        for i, row in enumerate(rows):
            if y < 80:
                y = new_page()
            c.setFont(font, 16 if n == 0 else size)
            if kind == "table":
                x = left
                for k, cell in enumerate(row):
                    c.drawString(x, y, cell)
                    x += widths[n][k]
            elif n == 0:
                c.drawCentredString(width / 2, y, row)
            else:
                c.drawString(left + (2 * size if i == 0 else 0), y, row)
            y -= lead + (8 if n == 0 else 0)
    c.showPage()
    c.save()
    return path


def render(stem: str, variant: str, folder: Path) -> Path:
    text = source_text(stem)
    base = folder / stem
    if variant == "html":
        return write_html(text, base.with_suffix(".html"))
    if variant == "docx":
        return write_docx(text, base.with_suffix(".docx"))
    if variant == "pdf":
        return write_pdf(text, base.with_suffix(".pdf"))
    return write_encoded(text, base.with_suffix(".txt"), variant)


_reference: dict = {}


def reference(stem: str, folder: Path):
    """The document and records of the plain UTF-8 text (computed once per report)."""
    if stem not in _reference:
        folder.mkdir(parents=True, exist_ok=True)
        doc = read_document(render(stem, "utf-8", folder))
        _reference[stem] = doc, process(doc).records
    return _reference[stem]


@pytest.mark.parametrize("variant", VARIANTS[1:])
@pytest.mark.parametrize("stem", REPORTS)
def test_variant_gives_the_records_of_the_utf8_text(stem, variant, tmp_path):
    ref_doc, ref = reference(stem, tmp_path / "ref")
    assert len(ref) >= 10                        # the comparison means something
    doc = read_document(render(stem, variant, tmp_path))
    records = process(doc).records
    want, got = key(ref), key(records)
    missing, extra = want - got, got - want
    assert not missing and not extra, f"{variant}: missing {dict(missing)}, extra {dict(extra)}"
    # and the same reading of each: qualifier, region, year, table or text
    assert Counter(map(reading, records)) == Counter(map(reading, ref))
    for r in records:
        assert doc.text[r.start:r.end] == r.text, r
    if variant in ("utf-8-sig", "gb18030", "utf-16"):
        assert doc.encoding == variant and doc.text == ref_doc.text   # BOM not in the text
        assert [(r.start, r.end) for r in records] == [(r.start, r.end) for r in ref]


def test_renderings_carry_what_they_claim(tmp_path):
    """The PDF wraps a value between its number and its unit, repeats a header and numbers its
    pages; the HTML page has its chrome and a split value: none of it reaches the text."""
    import pymupdf
    stem = "yugan_ncms_zicha_2010"
    pdf = render(stem, "pdf", tmp_path)
    with pymupdf.open(pdf) as d:
        pages = [page.get_text() for page in d]
    assert len(pages) >= 2 and all("卫生健康工作简报" in p and f"— {i} —" in p
                                   for i, p in enumerate(pages, 1))
    lines = [ln for p in pages for ln in p.splitlines()]
    assert any(regex.search(r"\d$", a) and _UNIT_START.match(b) for a, b in zip(lines, lines[1:]))
    text = read_document(pdf).text
    assert "卫生健康工作简报" not in text and "— 1 —" not in text
    page = render(stem, "html", tmp_path)
    raw = page.read_text(encoding="utf-8")
    assert regex.search(r'<span class="num">[\d.]+</span><span class="unit">', raw)
    assert all(w in raw for w in ("当前位置", "推荐访问", "ICP备", "首页"))
    text = read_document(page).text
    assert not any(w in text for w in ("当前位置", "推荐访问", "ICP备", "首页", "打印本页"))
    assert text.splitlines()[0] == source_text(stem).splitlines()[0]
