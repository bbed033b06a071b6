#!/usr/bin/env python3
"""Generate the department-budget PDFs of corpus/ (部门预算) and their reference texts.

    python scripts/build_budget_pdfs.py [OUTDIR]

Each budget is described below as a list of blocks: titles, paragraphs (a paragraph may put
an item's amount on a line of its own: ``<br/>``), and ruled tables drawn with reportlab's
platypus (grid lines, merged header cells, labels that wrap inside their cell, a unit in a
header cell that wraps before ``万元）``, empty cells), with a running header and ``— n —``
page numbers on every page. The figures are invented; the departments are real ones, written
in the genre's style.

Besides the PDF it writes corpus/sources/<stem>.source: the text a reader of the PDF sees
(paragraphs one a line, table rows with their cells joined by tabs, a merged cell once at
its top-left position), which the gold offsets point into and which
tests/test_budget_pdfs.py compares with what `extract.ingest.read_document` reads.
"""
from __future__ import annotations

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "corpus")
FONT = "STSong-Light"

# a table: rows of cells; "<" = covered by the cell to the left, "^" = by the cell above
MEISHAN = {
    "stem": "meishan_yibaoju_yusuan_2025",
    "header": "眉山市医疗保障局2025年部门预算",
    "blocks": [
        ("title", "眉山市医疗保障局2025年部门预算"),
        ("h", "第一部分 部门预算编制说明"),
        ("h", "一、基本职能及主要工作"),
        ("p", "市医疗保障局贯彻落实党中央、省委和市委关于医疗保障工作的方针政策和决策部署，"
              "负责拟订全市医疗保险、生育保险、医疗救助等医疗保障制度的政策和标准并组织实施，"
              "监督管理医疗保障基金，完善统一的城乡居民基本医疗保险制度和大病保险制度。"),
        ("p", "2025年主要工作：巩固全民参保成果，全市城乡居民基本医疗保险参保率稳定在95%以上；"
              "落实城乡居民医保个人缴费和财政补助政策，持续推进医保支付方式改革和基金监管。"),
        ("h", "二、收支预算情况说明"),
        ("p", "按照综合预算的原则，市医疗保障局所有收入和支出均纳入部门预算管理。"
              "2025年收入预算合计3862.45万元，其中：财政拨款收入3790.20万元，"
              "上年结转72.25万元。支出预算合计3862.45万元，其中：基本支出792.45万元，"
              "项目支出3070.00万元。"),
        ("h", "三、一般公共预算当年拨款情况说明"),
        ("p", "（一）一般公共预算当年拨款规模变化情况。市医疗保障局2025年一般公共预算当年拨款"
              "3790.20万元，比2024年预算增加186.40万元，主要是城乡居民医保财政补助标准提高。"),
        ("p", "（二）一般公共预算当年拨款具体使用情况。"),
        ("p", "1.卫生健康支出（类）财政对基本医疗保险基金的补助（款）财政对城乡居民基本医疗保险基金的补助（项）"
              "2025年预算数为2450.00万元，主要用于市级承担的城乡居民基本医疗保险参保财政补助。"),
        ("p", "2.卫生健康支出（类）医疗救助（款）城乡医疗救助（项）2025年预算数为620.00万元，"
              "主要用于特困人员、低保对象等困难群众参保资助和医疗救助。"),
        ("p", "3.医疗保障管理事务（款）行政运行（项）2025年预算数为395.80万元，主要用于机关正常运转。"),
        ("h", "四、重点项目预算安排情况"),
        ("p", "1.城乡居民基本医疗保险市级财政补助资金<br/>2450.00万元，用于按规定标准对参保居民给予财政补助。"),
        ("p", "2.城乡医疗救助市级配套资金<br/>620.00万元，用于困难群众医疗费用救助。"),
        ("pagebreak", None),
        ("h", "第二部分 2025年部门预算表"),
        ("caption", "表3 一般公共预算支出预算表"),
        ("unit", "单位：万元"),
        ("table", {
            "widths": [62, 170, 70, 70, 70],
            "header_rows": 2,
            "rows": [
                ["科目", "<", "合计", "基本支出", "项目支出"],
                ["科目编码", "科目名称", "^", "^", "^"],
                ["208", "社会保障和就业支出", "236.10", "236.10", ""],
                ["2080505", "机关事业单位基本养老保险缴费支出", "236.10", "236.10", ""],
                ["210", "卫生健康支出", "3465.80", "395.80", "3070.00"],
                ["2101202", "财政对城乡居民基本医疗保险基金的补助", "2450.00", "", "2450.00"],
                ["2101301", "城乡医疗救助", "620.00", "", "620.00"],
                ["2101501", "行政运行", "395.80", "395.80", ""],
                ["221", "住房保障支出", "88.30", "88.30", ""],
                ["2210201", "住房公积金", "88.30", "88.30", ""],
                ["合计", "<", "3790.20", "720.20", "3070.00"],
            ]}),
        ("caption", "表3-2 一般公共预算项目支出预算表"),
        ("table", {
            "widths": [200, 70, 70],
            "header_rows": 1,
            "rows": [
                ["项目名称", "资金性质", "专项资金安排情况（万元）"],
                ["城乡居民基本医疗保险市级财政补助资金", "财政拨款", "2450.00"],
                ["城乡医疗救助市级配套资金", "财政拨款", "620.00"],
                ["医疗保障信息化建设专项资金", "", "150.00"],
                ["长期护理保险试点宣传经费", "财政拨款", ""],
            ]}),
        ("pagebreak", None),
        ("h", "第三部分 部门预算项目支出绩效目标表"),
        ("caption", "城乡居民基本医疗保险市级财政补助资金项目支出绩效目标表"),
        ("table", {
            "widths": [70, 90, 170, 70],
            "header_rows": 1,
            "rows": [
                ["项目名称", "城乡居民基本医疗保险市级财政补助资金", "<", "<"],
                ["主管部门", "眉山市医疗保障局", "<", "<"],
                ["一级指标", "二级指标", "三级指标", "指标值"],
                ["产出指标", "数量指标", "城乡居民基本医疗保险参保率", "≥95%"],
                ["^", "^", "城乡居民基本医疗保险参保人数", "≥268万人"],
                ["^", "质量指标", "财政补助资金到位率", "100%"],
                ["成本指标", "经济成本指标", "城乡居民医保人均财政补助标准", "≥670元"],
                ["^", "^", "城乡居民医保个人缴费标准", "≥400元"],
                ["效益指标", "社会效益指标", "政策范围内住院费用基金支付比例", "≥70%"],
                ["满意度指标", "服务对象满意度指标", "参保群众满意度", "≥90%"],
            ]}),
    ],
}

LEZHI = {
    "stem": "lezhi_weijianju_yusuan_2024",
    "header": "乐至县卫生健康局2024年部门预算",
    "blocks": [
        ("title", "乐至县卫生健康局2024年部门预算"),
        ("h", "一、部门预算收支情况说明"),
        ("p", "2024年，乐至县卫生健康局收入预算4512.60万元，全部为一般公共预算拨款4380.40万元"
              "和事业收入132.20万元；支出预算4512.60万元，其中基本支出1562.60万元，项目支出2950.00万元。"),
        ("h", "二、一般公共预算拨款支出情况说明"),
        ("p", "卫生健康支出（类）公共卫生（款）基本公共卫生服务（项）2024年预算1860.00万元，"
              "主要用于城乡居民健康档案管理、预防接种、慢性病患者健康管理等国家基本公共卫生服务项目，"
              "人均基本公共卫生服务经费补助标准提高到94元。"),
        ("p", "卫生健康支出（类）公共卫生（款）重大公共卫生服务（项）2024年预算420.00万元，"
              "主要用于免疫规划、重大疾病防控和妇幼健康项目。"),
        ("p", "基层医疗卫生机构（款）乡镇卫生院（项）2024年预算1670.00万元，主要用于乡镇卫生院人员经费和运转。"),
        ("pagebreak", None),
        ("caption", "表3 一般公共预算支出表"),
        ("unit", "单位：万元"),
        ("table", {
            "widths": [60, 150, 60, 70, 70],
            "header_rows": 3,
            "rows": [
                ["科目", "<", "本年预算", "<", "<"],
                ["科目编码", "科目名称", "小计", "其中：", "<"],
                ["^", "^", "^", "基本支出", "项目支出"],
                ["208", "社会保障和就业支出", "150.00", "150.00", ""],
                ["210", "卫生健康支出", "4230.40", "1280.40", "2950.00"],
                ["2100101", "行政运行", "216.20", "216.20", ""],
                ["2100302", "乡镇卫生院", "1670.00", "1000.00", "670.00"],
                ["2100408", "基本公共卫生服务", "1860.00", "", "1860.00"],
                ["2100409", "重大公共卫生服务", "420.00", "", "420.00"],
                ["2101101", "行政单位医疗", "64.20", "64.20", ""],
                ["合计", "<", "4380.40", "1430.40", "2950.00"],
            ]}),
        ("caption", "基本公共卫生服务项目支出绩效目标表"),
        ("table", {
            "widths": [70, 90, 180, 70],
            "header_rows": 1,
            "rows": [
                ["项目名称", "基本公共卫生服务补助资金", "<", "<"],
                ["项目资金（万元）", "年度资金总额", "<", "1860.00"],
                ["一级指标", "二级指标", "三级指标", "指标值"],
                ["产出指标", "数量指标", "居民电子健康档案建档率", "≥90%"],
                ["^", "^", "适龄儿童国家免疫规划疫苗接种率", "≥90%"],
                ["^", "^", "65岁及以上老年人健康管理率", "≥65%"],
                ["^", "质量指标", "家庭医生签约服务覆盖率", "≥40%"],
                ["成本指标", "经济成本指标", "人均基本公共卫生服务经费补助标准", "≥94元"],
                ["满意度指标", "服务对象满意度指标", "居民满意度", "≥85%"],
            ]}),
    ],
}

BUDGETS = [MEISHAN, LEZHI]


def reference_text(spec) -> str:
    """The text a reader sees: paragraphs one a line, table rows cells joined by tabs."""
    out = []
    for kind, item in spec["blocks"]:
        if kind == "pagebreak":
            continue
        if kind == "table":
            for row in item["rows"]:
                out.append("\t".join("" if c in ("<", "^") else c for c in row))
            continue
        out.append(item.replace("<br/>", ""))
    return "\n".join(out) + "\n"


def build_pdf(spec, path: str) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    size = 11
    body = ParagraphStyle("body", fontName=FONT, fontSize=size, leading=19, firstLineIndent=2 * size,
                          wordWrap="CJK")
    head = ParagraphStyle("head", parent=body, firstLineIndent=2 * size)
    title = ParagraphStyle("title", parent=body, fontSize=18, leading=30, alignment=1, firstLineIndent=0,
                           spaceAfter=12)
    caption = ParagraphStyle("caption", parent=body, fontSize=13, leading=22, alignment=1, firstLineIndent=0,
                             spaceBefore=10)
    unit = ParagraphStyle("unit", parent=body, fontSize=10, alignment=2, firstLineIndent=0)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=10, leading=13, wordWrap="CJK")
    num = ParagraphStyle("num", parent=cell, alignment=2)

    width, height = A4

    def on_page(c, doc):
        c.saveState()
        c.setFont(FONT, 9)
        c.drawCentredString(width / 2, height - 40, spec["header"])
        c.line(72, height - 46, width - 72, height - 46)
        c.setFont(FONT, 10)
        c.drawCentredString(width / 2, 36, f"— {doc.page} —")
        c.restoreState()

    story = []
    for kind, item in spec["blocks"]:
        if kind == "title":
            story.append(Paragraph(item, title))
        elif kind == "h":
            story.append(Paragraph(item, head))
        elif kind == "p":
            story.append(Paragraph(item, body))
        elif kind == "caption":
            story.append(Paragraph(item, caption))
        elif kind == "unit":
            story.append(Paragraph(item, unit))
        elif kind == "pagebreak":
            story.append(PageBreak())
        elif kind == "table":
            rows = item["rows"]
            data, style = [], [("GRID", (0, 0), (-1, -1), 0.6, "black"),
                               ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                               ("FONT", (0, 0), (-1, -1), FONT, 10)]
            for r, row in enumerate(rows):
                line = []
                for k, c in enumerate(row):
                    if c in ("<", "^"):
                        line.append("")
                        continue
                    figure = r >= item["header_rows"] and k > 0 and c[:1] in "≥≤0123456789"
                    line.append(Paragraph(c, num if figure else cell))
                    k2 = k
                    while k2 + 1 < len(row) and row[k2 + 1] == "<":
                        k2 += 1
                    r2 = r
                    while r2 + 1 < len(rows) and rows[r2 + 1][k] == "^":
                        r2 += 1
                    if (k2, r2) != (k, r):
                        style.append(("SPAN", (k, r), (k2, r2)))
                data.append(line)
            t = Table(data, colWidths=item["widths"])
            t.setStyle(TableStyle(style))
            story.append(t)
            story.append(Spacer(1, 8))
    doc = SimpleDocTemplate(path, pagesize=A4, leftMargin=72, rightMargin=72, topMargin=64,
                            bottomMargin=60, title=spec["header"], invariant=1)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)


def main(argv) -> int:
    outdir = argv[1] if len(argv) > 1 else CORPUS
    os.makedirs(outdir, exist_ok=True)
    for spec in BUDGETS:
        build_pdf(spec, os.path.join(outdir, spec["stem"] + ".pdf"))
        src_dir = os.path.join(outdir, "sources")
        os.makedirs(src_dir, exist_ok=True)
        with open(os.path.join(src_dir, spec["stem"] + ".source"), "w", encoding="utf-8", newline="") as f:
            f.write(reference_text(spec))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
