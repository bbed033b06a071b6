"""PDF tables: ruled grids through PyMuPDF's table finder, tables without rules through the
positions of their cells; budget layouts (部门预算, 绩效目标表)."""
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extract.ingest import read_document
from extract.pipeline import process

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
COLS = [72, 130, 330, 400, 470]          # left edges of the columns (科目编码 … 项目支出)


def _right(c, x, y, s, width=60):
    c.drawRightString(x + width, y, s)


def unruled_budget(path: Path) -> Path:
    """A 部门预算 page printed without rules, as budget PDFs exported from spreadsheets are:
    a header over three lines (其中： / 科目编码 科目名称 小计 / 基本支出 项目支出), a row
    label wrapped around its figures (…的补 / 2101202 333.00 333.00 / 助), an empty 基本支出
    cell, a unit in a header cell wrapped before 万元）, and a 绩效目标表 whose label breaks
    around its threshold (…参保 / ≥95% / 率)."""
    c = canvas.Canvas(str(path), invariant=1)
    c.setFont(FONT, 16)
    c.drawCentredString(297, 780, "某市医疗保障局2024年部门预算")
    c.setFont(FONT, 12)
    c.drawString(96, 750, "按照预算管理要求，现将本部门2024年一般公共预算支出情况公开如下。")
    c.drawCentredString(297, 720, "表3 一般公共预算支出表")
    c.setFont(FONT, 10)
    c.drawRightString(530, 704, "单位：万元")
    y = 684
    c.drawString(COLS[3] + 40, y + 9, "其中：")
    c.drawString(COLS[0], y, "科目编码")
    c.drawString(COLS[1], y, "科目名称")
    c.drawString(COLS[2] + 20, y, "小计")
    c.drawString(COLS[3] + 10, y - 9, "基本支出")
    c.drawString(COLS[4] + 10, y - 9, "项目支出")
    y = 650
    c.drawString(COLS[1], y + 7, "财政对城乡居民基本医疗保险基金的补")
    c.drawString(COLS[0], y, "2101202")
    _right(c, COLS[2], y, "333.00")
    _right(c, COLS[4], y, "333.00")
    c.drawString(COLS[1], y - 7, "助")
    y = 620
    c.drawString(COLS[0], y, "2101301")
    c.drawString(COLS[1], y, "城乡医疗救助")
    _right(c, COLS[2], y, "86.50")
    _right(c, COLS[4], y, "86.50")
    y = 600
    c.drawString(COLS[0], y, "2101501")
    c.drawString(COLS[1], y, "行政运行")
    _right(c, COLS[2], y, "152.30")
    _right(c, COLS[3], y, "152.30")
    # a project table with a unit in a wrapped header cell
    c.setFont(FONT, 12)
    c.drawCentredString(297, 560, "表4 项目支出表")
    c.setFont(FONT, 10)
    y = 536
    c.drawString(72, y, "项目名称")
    c.drawString(300, y, "资金性质")
    c.drawString(420, y, "专项资金情况（")
    c.drawString(420, y - 12, "万元）")
    y = 510
    c.drawString(72, y, "城乡医疗救助市级配套资金")
    c.drawString(300, y, "财政拨款")
    _right(c, 420, y, "86.50")
    y = 490
    c.drawString(72, y, "医疗保障信息化建设专项资金")
    _right(c, 420, y, "40.00")
    # a performance-target table
    c.setFont(FONT, 12)
    c.drawCentredString(297, 450, "项目支出绩效目标表")
    c.setFont(FONT, 10)
    y = 426
    for x, s in ((72, "一级指标"), (150, "二级指标"), (240, "三级指标"), (450, "指标值")):
        c.drawString(x, y, s)
    y = 400
    c.drawString(240, y + 7, "城乡居民基本医疗保险参保")
    c.drawString(72, y, "产出指标")
    c.drawString(150, y, "数量指标")
    c.drawString(450, y, "≥95%")
    c.drawString(240, y - 7, "率")
    y = 372
    c.drawString(72, y, "成本指标")
    c.drawString(150, y, "经济成本指标")
    c.drawString(240, y, "城乡居民医保个人缴费标准")
    c.drawString(450, y, "≥400元")
    c.showPage()
    c.save()
    return path


def test_unruled_budget_table_cells(tmp_path):
    doc = read_document(unruled_budget(tmp_path / "b.pdf"))
    spending, projects, targets = doc.tables
    assert spending.header_rows == 2 and spending.n_cols == 5
    label = spending.cell_at(2, 1)
    assert label.text == "财政对城乡居民基本医疗保险基金的补助"    # rejoined around its figures
    assert spending.cell_at(2, 3).text == ""                     # the empty 基本支出 stays empty
    figure = spending.cell_at(2, 4)
    assert figure.text == "333.00" and figure.col_header.endswith("项目支出")
    assert spending.cell_at(4, 3).text == "152.30" and spending.cell_at(4, 4).text == ""
    assert [c.text for c in spending.rows()[0]] == ["科目编码", "科目名称", "小计", "其中："]
    assert spending.cell_at(0, 3).colspan == 2 and spending.cell_at(0, 2).rowspan == 2
    assert projects.cell_at(0, 2).text == "专项资金情况（万元）"   # unit split over two lines
    assert projects.cell_at(2, 2).text == "40.00" and projects.cell_at(2, 1).text == ""
    assert targets.cell_at(1, 2).text == "城乡居民基本医疗保险参保率"
    assert targets.cell_at(1, 3).text == "≥95%"
    for t in doc.tables:
        for cell in t.cells:
            assert doc.text[cell.start:cell.end] == cell.text


def test_unruled_budget_records(tmp_path):
    doc = read_document(unruled_budget(tmp_path / "b.pdf"))
    got = sorted((r.metric, r.kind, r.value, r.unit, r.qualifier, r.table_row, r.table_col)
                 for r in process(doc).records if r.source == "table")
    assert got == [
        ("government_investment", "target", 400000.0, "元", None, 2, 2),    # a budget's table
        ("government_investment", "target", 3330000.0, "元", None, 2, 2),   # 项目支出 repeats it
        ("individual_contribution", "target", 400.0, "元", "at_least", 2, 3),
        ("insurance_coverage_rate", "target", 95.0, "%", "at_least", 1, 3),
        ("medical_assistance_funds", "target", 865000.0, "元", None, 1, 2),
        ("medical_assistance_funds", "target", 865000.0, "元", None, 3, 2),
    ]


def ruled_table_over_two_pages(path: Path) -> Path:
    """A ruled table that goes on at the top of the next page without repeating its header."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    st = ParagraphStyle("p", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK")
    rows = [["科目名称", "合计（万元）"]] + [[f"公共卫生项目补助{n}", f"{100 + n}.00"] for n in range(1, 31)]
    t = Table(rows, colWidths=[200, 100], repeatRows=0)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), FONT, 10)]))
    story = [Paragraph("某县卫生健康局2024年部门预算", st), Spacer(1, 400),
             Paragraph("表5 项目支出预算表", st), t]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def test_ruled_table_continued_on_the_next_page_is_one_table(tmp_path):
    import pymupdf
    path = ruled_table_over_two_pages(tmp_path / "t.pdf")
    with pymupdf.open(path) as d:
        assert d.page_count == 2
    doc = read_document(path)
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert t.n_rows == 31 and t.header_rows == 1
    last = t.cell_at(30, 1)
    assert (last.text, last.col_header, last.row_header) == ("130.00", "合计（万元）", "公共卫生项目补助30")


def sign_value_unit_columns(path: Path) -> Path:
    """A 绩效目标表 printing the sign, the figure and the unit in columns of their own, with a
    weight column (权重) that is no value of the indicator."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    st = ParagraphStyle("p", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    rows = [["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "权重"],
            ["产出指标", "数量指标", "困难群众医疗救助资助参保率", "＝", "100", "%", "20"],
            ["", "", "城乡居民医保人均财政补助标准", "≥", "670", "元/人", "15"],
            ["效益指标", "社会效益指标", "政策范围内住院费用基金支付比例", "≥", "70", "%", "15"],
            ["满意度指标", "服务对象满意度指标", "参保群众满意度", "≥", "90", "%", "10"]]
    data = [[Paragraph(c, cell) for c in r] for r in rows]
    t = Table(data, colWidths=[55, 60, 150, 45, 40, 45, 35])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("SPAN", (0, 1), (0, 2)),
                           ("SPAN", (1, 1), (1, 2))]))
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Paragraph("某县医疗保障局2025年部门预算", st), Paragraph("项目支出绩效目标表", st), t])
    return path


def test_sign_and_unit_in_columns_of_their_own(tmp_path):
    doc = read_document(sign_value_unit_columns(tmp_path / "s.pdf"))
    got = sorted((r.metric, r.kind, r.value, r.unit, r.qualifier, r.table_row)
                 for r in process(doc).records if r.source == "table")
    assert got == [
        ("fiscal_subsidy_per_capita", "target", 670.0, "元", "at_least", 2),
        ("insurance_coverage_rate", "target", 100.0, "%", None, 1),
        ("reimbursement_ratio", "target", 70.0, "%", "at_least", 3),
    ]


def test_short_pages_keep_their_text(tmp_path):
    """Pages of one or two lines each (a slide deck, a one-line-per-page form): lines at the
    same height of every page are running headers only when they repeat but for a page
    number; a line of figures is text, and a document is never emptied as chrome."""
    path = tmp_path / "short.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    for n, (year, rate) in enumerate([(2019, 96.5), (2020, 97.2), (2021, 98.1)], 1):
        c.setFont(FONT, 12)
        c.drawString(72, 780, f"{year}年全县新农合参合率{rate}%")
        c.drawCentredString(297, 60, f"第{n}页")
        c.showPage()
    c.save()
    doc = read_document(path)
    assert doc.text == "2019年全县新农合参合率96.5%\n2020年全县新农合参合率97.2%\n2021年全县新农合参合率98.1%"
    path = tmp_path / "same.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    for _ in range(3):
        c.setFont(FONT, 12)
        c.drawString(72, 780, "医改工作情况汇报")
        c.showPage()
    c.save()
    assert read_document(path).text == "医改工作情况汇报\n医改工作情况汇报\n医改工作情况汇报"


def test_income_and_spending_side_by_side(tmp_path):
    """A 收支总表: income items and spending items in two halves of one row; a spending
    figure is read through its own label, not the income label at the row's start."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    st = ParagraphStyle("p", fontName=FONT, fontSize=11, leading=18, wordWrap="CJK")
    rows = [["收入", "", "支出", ""],
            ["项目", "预算数", "项目", "预算数"],
            ["一、一般公共预算拨款收入", "3790.20", "一、社会保障和就业支出", "236.10"],
            ["二、事业收入", "72.25", "二、卫生健康支出", "3465.80"]]
    t = Table(rows, colWidths=[140, 60, 140, 60])
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("FONT", (0, 0), (-1, -1), FONT, 10),
                           ("SPAN", (0, 0), (1, 0)), ("SPAN", (2, 0), (3, 0))]))
    path = tmp_path / "z.pdf"
    SimpleDocTemplate(str(path), pagesize=A4).build(
        [Paragraph("某县卫生健康局2024年部门预算", st), Paragraph("表1 部门收支总表", st),
         Paragraph("单位：万元", st), t])
    got = [(r.metric, r.kind, r.value, r.table_row, r.table_col)
           for r in process(read_document(path)).records if r.source == "table"]
    assert got == [("government_investment", "target", 34658000.0, 3, 3)]


def test_budget_title_over_two_lines_makes_amounts_targets(tmp_path):
    path = tmp_path / "t2.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    c.setFont(FONT, 18)
    c.drawCentredString(297, 780, "某县医疗保障局")
    c.drawCentredString(297, 754, "2025年部门预算")
    c.setFont(FONT, 12)
    c.drawString(96, 720, "城乡医疗救助（项）2025年预算数为86.50万元，主要用于困难群众医疗救助。")
    c.showPage()
    c.save()
    recs = process(read_document(path)).records
    assert [(r.metric, r.kind, r.value) for r in recs] == [("medical_assistance_funds", "target", 865000.0)]


def test_a_text_run_drawn_across_cells_is_split_at_their_border(tmp_path):
    """Some exporters write a whole table row as one text run over the grid: its characters
    go to the cells they stand in."""
    path = tmp_path / "run.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    c.setFont(FONT, 12)
    c.drawString(72, 760, "表1 医疗救助资金预算表（单位：万元）")
    xs, ys = [72, 232, 312, 392], [740, 720, 700, 680]
    for x in xs:
        c.line(x, ys[0], x, ys[-1])
    for y in ys:
        c.line(xs[0], y, xs[-1], y)
    c.setFont(FONT, 10)

    def run(cells):                       # one text run, padded with spaces to each cell
        out = ""
        for x, cell in zip(xs, cells):
            while pdfmetrics.stringWidth(out, FONT, 10) < x + 4 - 76:
                out += " "
            out += cell
        return out

    c.drawString(76, 726, run(["项目", "合计", "项目支出"]))
    c.drawString(76, 706, run(["城乡医疗救助", "86.50", "86.50"]))
    c.drawString(76, 686, run(["疾病应急救助", "12.00", "12.00"]))
    c.showPage()
    c.save()
    doc = read_document(path)
    (t,) = doc.tables
    assert [[c.text for c in row] for row in t.rows()] == [
        ["项目", "合计", "项目支出"], ["城乡医疗救助", "86.50", "86.50"], ["疾病应急救助", "12.00", "12.00"]]


def test_an_amount_under_its_item_joins_it_but_not_a_new_paragraph(tmp_path):
    path = tmp_path / "items.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    c.setFont(FONT, 12)
    c.drawString(96, 780, "二、重点项目")
    c.drawString(96, 760, "1.城乡医疗救助市级配套资金")
    c.drawString(72, 744, "86.50万元，用于困难群众医疗救助。")
    c.drawString(96, 720, "三、工作安排")
    c.drawString(96, 704, "3个乡镇卫生院将开展医共体建设试点，")
    c.drawString(72, 688, "试点乡镇由县卫生健康局会同县医疗保障局确定，")
    c.drawString(72, 672, "年内完成。")
    c.showPage()
    c.save()
    lines = read_document(path).text.split("\n")
    assert lines[:4] == ["二、重点项目", "1.城乡医疗救助市级配套资金86.50万元，用于困难群众医疗救助。",
                         "三、工作安排", "3个乡镇卫生院将开展医共体建设试点，"]


def test_a_budget_states_last_year_as_a_level(tmp_path):
    path = tmp_path / "past.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    c.setFont(FONT, 18)
    c.drawCentredString(297, 780, "某县医疗保障局2025年部门预算")
    c.setFont(FONT, 12)
    c.drawString(96, 740, "2024年，全县城乡居民基本医疗保险参保率达到96.2%。")
    c.drawString(96, 720, "2025年全县城乡居民基本医疗保险参保率稳定在95%以上。")
    c.showPage()
    c.save()
    recs = process(read_document(path)).records
    assert [(r.kind, r.value, r.year) for r in recs] == [("level", 96.2, 2024), ("target", 95.0, 2025)]
