#!/usr/bin/env python3
"""Generate the non-plain-text sample reports of corpus/ from their UTF-8 sources.

    python scripts/build_sample_formats.py [--check]

Each source in corpus/sources/<stem>.source (UTF-8; a suffix the ingester does not read, so that
`reform run corpus/` does not take the sources for reports) is the text a reader of the generated file sees
(paragraphs one per line; consecutive lines holding tabs form a table, cells split on tabs).
The generated files are committed, so that `reform run corpus/` works on a fresh clone; run
this script again after editing a source. --check rebuilds into a temporary directory and
fails when a committed text-encoded file differs (HTML, GB18030, Big5 are byte-for-byte
reproducible; DOCX and PDF are zip/stream containers and are only checked for existence).

  GB18030 / Big5 .txt   the source re-encoded (Big5 needs a fully traditional source)
  .html                 an article page of a municipal health commission site: nav bar,
                        breadcrumbs (当前位置), the article, an HTML <table>, a 推荐访问 list
                        and a footer with copyright and ICP lines; one value is split over
                        inline tags (<span>475</span><span>万元</span>)
  .docx                 title, paragraphs and a Word table (python-docx)
  .pdf                  A4 pages with a text layer (reportlab, built-in STSong-Light CID font),
                        lines wrapped at the right margin wherever they fall, a running header
                        and centred page numbers "— 1 —"
"""
import html
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "corpus")
SOURCES = os.path.join(CORPUS, "sources")

ENCODED = {  # stem -> encoding
    "shangcai_zicha_2012_gb18030": "gb18030",
    "sanming_gaige_2013_big5": "big5",
}
HTML = {"huzhou_yigongti_2019": {"split": ["475万元"], "site": "湖州市卫生健康委员会",
                                 "column": "工作动态"}}
DOCX = ["wujiang_yigai_2018"]
PDF = {"tianchang_yigongti_2017": "天长市深化医药卫生体制改革工作简报"}


def read_source(stem):
    with open(os.path.join(SOURCES, stem + ".source"), encoding="utf-8", newline="") as f:
        return f.read()


def blocks(text):
    """Non-blank lines as ('p', line), runs of tab-separated lines as ('table', rows);
    tests/test_format_fidelity.py reads documents back through the same grouping."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        if "\t" in line:
            if out and out[-1][0] == "table":
                out[-1][1].append(line.split("\t"))
            else:
                out.append(("table", [line.split("\t")]))
        else:
            out.append(("p", line))
    return out


def build_encoded(stem, enc, outdir):
    text = read_source(stem)
    data = text.encode(enc)
    assert data.decode(enc) == text
    path = os.path.join(outdir, stem + ".txt")
    with open(path, "wb") as f:
        f.write(data)
    return path


def split_inline(escaped, values):
    for v in values:
        digits = "".join(ch for ch in v if ch.isdigit() or ch == ".")
        unit = v[len(digits):]
        escaped = escaped.replace(html.escape(v), f'<span class="num">{digits}</span><span>{unit}</span>')
    return escaped


def build_html(stem, cfg, outdir):
    text = read_source(stem)
    bl = blocks(text)
    title = bl[0][1]
    meta = bl[1][1]
    body = []
    for kind, item in bl[2:]:
        if kind == "p":
            body.append(f'      <p style="text-indent:2em;">{split_inline(html.escape(item), cfg["split"])}</p>')
        else:
            rows = []
            for i, row in enumerate(item):
                tag = "th" if i == 0 else "td"
                cells = "".join(f"<{tag}>{html.escape(c)}</{tag}>" for c in row)
                rows.append(f"          <tr>{cells}</tr>")
            body.append('      <table class="MsoTable" border="1" cellspacing="0" cellpadding="4">\n'
                        '        <tbody>\n' + "\n".join(rows) + "\n        </tbody>\n      </table>")
    site = cfg["site"]
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <meta name="SiteName" content="{site}">
  <meta name="ColumnName" content="{cfg['column']}">
  <meta name="ArticleTitle" content="{html.escape(title)}">
  <meta name="PubDate" content="2019-12-16 09:32">
  <title>{html.escape(title)}_{cfg['column']}_{site}</title>
  <link rel="stylesheet" href="/static/css/common.css">
  <script src="/static/js/jquery-1.11.3.min.js"></script>
  <script>var _hmt = _hmt || [];</script>
</head>
<body>
  <div class="topbar">
    <span>欢迎访问{site}网站！</span>
    <a href="javascript:;" id="jft">繁體</a> | <a href="/wza/">无障碍浏览</a> | <a href="/m/">手机版</a>
  </div>
  <div class="header"><img src="/static/img/logo.png" alt="{site}"></div>
  <ul class="nav">
    <li><a href="/">首页</a></li>
    <li><a href="/col/col1229">机构概况</a></li>
    <li><a href="/col/col1230">新闻动态</a></li>
    <li><a href="/col/col1231">政务公开</a></li>
    <li><a href="/col/col1232">办事服务</a></li>
    <li><a href="/col/col1233">互动交流</a></li>
  </ul>
  <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/col/col1230">新闻动态</a> &gt; <a href="/col/col1230/index.html">{cfg['column']}</a></div>
  <div class="article">
    <h1 class="title">{html.escape(title)}</h1>
    <div class="info">{html.escape(meta)}　<span>字号：<a href="javascript:;">大</a> <a href="javascript:;">中</a> <a href="javascript:;">小</a></span>　<a href="javascript:window.print()">打印本页</a></div>
    <div class="content" id="zoom">
{chr(10).join(body)}
    </div>
    <div class="share">分享到：<a href="javascript:;">微信</a> <a href="javascript:;">微博</a></div>
  </div>
  <div class="related">
    <h3>推荐访问</h3>
    <ul>
      <li><a href="/art/2019/12/10/art_1230_58311.html">我市召开2019年度医疗质量管理工作会议</a><span>2019-12-10</span></li>
      <li><a href="/art/2019/12/05/art_1230_58255.html">全市卫生健康系统开展冬季安全生产大检查</a><span>2019-12-05</span></li>
      <li><a href="/art/2019/11/28/art_1230_58190.html">湖州市第一人民医院获评省级示范病区3个</a><span>2019-11-28</span></li>
      <li><a href="/art/2019/11/20/art_1230_58102.html">“健康湖州”微信公众号关注人数突破20万</a><span>2019-11-20</span></li>
    </ul>
  </div>
  <div class="footer">
    <p><a href="/col/col1240">网站地图</a> | <a href="/col/col1241">联系我们</a> | <a href="/col/col1242">隐私声明</a></p>
    <p>主办单位：{site}　地址：湖州市仁皇山路666号　联系电话：0572-2398765</p>
    <p>Copyright © 2019 {site} All Rights Reserved　浙ICP备05012345号-1　浙公网安备 33050202000123号</p>
    <p>网站标识码：3305000012　建议使用1366×768分辨率浏览本站</p>
  </div>
</body>
</html>
"""
    path = os.path.join(outdir, stem + ".html")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(page)
    return path


def build_docx(stem, outdir):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt
    from docx.oxml.ns import qn
    import datetime

    text = read_source(stem)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")
    style.font.size = Pt(12)
    bl = blocks(text)
    for i, (kind, item) in enumerate(bl):
        if kind == "p":
            if i == 0:
                p = doc.add_heading(item, level=1)
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            else:
                p = doc.add_paragraph(item)
                if i == 1:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                else:
                    p.paragraph_format.first_line_indent = Pt(24)
        else:
            table = doc.add_table(rows=len(item), cols=len(item[0]))
            table.style = "Table Grid"
            for r, row in enumerate(item):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    props = doc.core_properties
    props.author = "吴江区卫计委"
    props.title = bl[0][1]
    props.created = props.modified = datetime.datetime(2018, 12, 20, 9, 0, 0)
    path = os.path.join(outdir, stem + ".docx")
    doc.save(path)
    return path


def build_pdf(stem, header, outdir):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    font = "STSong-Light"
    text = read_source(stem)
    path = os.path.join(outdir, stem + ".pdf")
    c = canvas.Canvas(path, pagesize=A4, invariant=1)
    c.setTitle(text.split("\n", 1)[0])
    c.setAuthor("天长市医改办")
    width, height = A4
    left, right, top, bottom = 72, width - 72, height - 90, 80
    size, lead = 12, 22
    page = [1]

    def furniture():
        c.setFont(font, 9)
        c.drawCentredString(width / 2, height - 50, header)
        c.line(left, height - 56, right, height - 56)
        c.setFont(font, 11)
        c.drawCentredString(width / 2, 45, f"— {page[0]} —")

    furniture()
    y = top
    lines = [l for l in text.split("\n") if l.strip()]
    for n, para in enumerate(lines):
        if n == 0:
            fs, indent, centre = 16, 0, True
        elif n in (1, 2):
            fs, indent, centre = 12, 0, True
        else:
            fs, indent, centre = size, 2 * size, False
        # wrap at the right margin, wherever the line happens to break
        rows, cur, first = [], "", True
        for ch in para:
            avail = right - left - (indent if first else 0)
            if pdfmetrics.stringWidth(cur + ch, font, fs) > avail:
                rows.append((cur, first))
                cur, first = ch, False
            else:
                cur += ch
        rows.append((cur, first))
        for row, is_first in rows:
            if y < bottom:
                c.showPage()
                page[0] += 1
                furniture()
                y = top
            c.setFont(font, fs)
            if centre:
                c.drawCentredString(width / 2, y, row)
            else:
                c.drawString(left + (indent if is_first else 0), y, row)
            y -= lead if fs <= size else lead + 8
    c.showPage()
    c.save()
    return path


def build_all(outdir):
    made = []
    for stem, enc in ENCODED.items():
        made.append(build_encoded(stem, enc, outdir))
    for stem, cfg in HTML.items():
        made.append(build_html(stem, cfg, outdir))
    for stem in DOCX:
        made.append(build_docx(stem, outdir))
    for stem, header in PDF.items():
        made.append(build_pdf(stem, header, outdir))
    return made


def main():
    if "--check" in sys.argv:
        with tempfile.TemporaryDirectory() as tmp:
            bad = 0
            for path in build_all(tmp):
                name = os.path.basename(path)
                committed = os.path.join(CORPUS, name)
                if not os.path.exists(committed):
                    print(f"missing: corpus/{name}")
                    bad += 1
                elif name.endswith((".txt", ".html")):
                    with open(path, "rb") as a, open(committed, "rb") as b:
                        if a.read() != b.read():
                            print(f"stale: corpus/{name} (rerun scripts/build_sample_formats.py)")
                            bad += 1
            sys.exit(1 if bad else 0)
    for path in build_all(CORPUS):
        print("wrote", os.path.relpath(path, ROOT))


if __name__ == "__main__":
    main()
