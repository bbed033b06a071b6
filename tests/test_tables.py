"""Values in table cells: the table corpus (corpus/tables) against its gold, and the rules of
extract/tables.py one at a time — labels, units, kinds, years and regions of cells."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.evaluate import load_gold, score
from extract.ingest import iter_paths, read_document
from extract.pipeline import process

ROOT = Path(__file__).resolve().parent.parent
TABLES = ROOT / "corpus" / "tables"


@pytest.fixture(scope="module")
def extracted():
    docs, records = {}, []
    for path in iter_paths([TABLES]):
        src = read_document(path)
        docs[src.doc_id] = src
        records += [r.to_json() for r in process(src).records]
    return docs, records


def test_corpus_covers_the_table_kinds():
    gold = load_gold(TABLES / "gold")
    suffixes = {p.stem: p.suffix for p in TABLES.iterdir() if p.is_file()}
    assert len(gold) >= 8 and sum(map(len, gold.values())) >= 250
    assert {suffixes[d] for d in gold} >= {".html", ".docx", ".txt"}
    assert not {p.name for p in iter_paths([TABLES])} & {"README.md"}


def test_strict_f1_on_table_cells(extracted):
    docs, records = extracted
    cells = [r for r in records if r["source"] == "table"]
    s = score(load_gold(TABLES / "gold"), cells)
    p, r, f = s.prf
    assert f >= 0.95, f"strict F1 {f:.3f} (P={p:.3f} R={r:.3f})"
    assert s.region_ok / s.region_n >= 0.95, s.wrong_region[:5]
    assert s.year_ok / s.year_n >= 0.95, s.wrong_year[:5]


def test_gold_records_are_table_cells(extracted):
    docs, _ = extracted
    for doc, gold in load_gold(TABLES / "gold").items():
        src = docs[doc]
        spans = [(c.start, c.end) for t in src.tables for c in t.cells if not c.header]
        for g in gold:
            assert src.text[g["start"]:g["end"]] == g["text"]
            assert any(a <= g["start"] and g["end"] <= b for a, b in spans), g


def test_table_records_carry_their_cell(extracted):
    docs, records = extracted
    cells = [r for r in records if r["source"] == "table"]
    assert len(cells) >= 250
    for r in cells:
        src = docs[r["doc"]]
        assert src.text[r["start"]:r["end"]] == r["text"]
        table = next(t for t in src.tables if t.start <= r["start"] < r["end"] <= t.end)
        cell = table.cell_at(r["table_row"], r["table_col"])
        assert cell is not None and cell.start <= r["start"] and r["end"] <= cell.end, r
    # a number inside a table is read through its headers only, never as running text
    for r in records:
        if r["source"] == "text":
            assert not any(t.start <= r["start"] < t.end for t in docs[r["doc"]].tables), r


# --- the rules, one small report at a time ------------------------------------------------

def cells_of(tmp_path, name: str, text: str, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    src = read_document(path)
    recs = [r for r in process(src).records if r.source == "table"]
    return src, sorted(recs, key=lambda r: (r.table_row, r.table_col))


def key(r):
    return (r.metric, r.kind, r.value, r.unit, r.region, r.year)


def tab_table(rows):
    return "".join("\t".join(row) + "\n" for row in rows)


HEAD = "桐城市2019年卫生健康工作总结\n\n桐城市卫生健康委员会\n\n2019年，全市卫生健康事业稳步发展。\n\n"


def test_unit_of_the_most_specific_header_level_and_a_change_column(tmp_path):
    html = ("<html><body><h1>桐城市2019年卫生健康工作总结</h1><p>2019年，全市医疗服务量稳步增长。</p>"
            "<table><tr><th rowspan=2>单位</th><th colspan=2>门诊（万人次）</th><th>住院次均费用</th></tr>"
            "<tr><th>2019年</th><th>比上年增长（%）</th><th>降幅（%）</th></tr>"
            "<tr><td>全市</td><td>312.6</td><td>4.2</td><td>3.5</td></tr></table></body></html>")
    _, recs = cells_of(tmp_path, "t.html", html)
    assert [key(r) for r in recs] == [
        ("outpatient_visits", "level", 3126000.0, "人次", "安徽省安庆市桐城市", 2019),
        ("outpatient_visits", "change", 4.2, "%", "安徽省安庆市桐城市", 2019),
        ("per_visit_cost", "change", -3.5, "%", "安徽省安庆市桐城市", 2019)]


def test_html_caption_is_text_and_gives_unit_and_year(tmp_path):
    html = ("<html><body><h1>桐城市卫生健康财政投入情况</h1><p>近年来，市财政持续加大卫生投入。</p>"
            "<table><caption>表1 2018年卫生健康投入（单位：万元）</caption>"
            "<tr><td>项目</td><td>金额</td></tr><tr><td>医疗卫生财政支出</td><td>52316</td></tr>"
            "<tr><td>公共卫生专项资金</td><td>2840</td></tr></table></body></html>")
    src, recs = cells_of(tmp_path, "t.html", html)
    assert "表1 2018年卫生健康投入（单位：万元）\n项目\t金额\n" in src.text
    assert [key(r) for r in recs] == [
        ("government_investment", "level", 523160000.0, "元", "安徽省安庆市桐城市", 2018),
        ("government_investment", "level", 28400000.0, "元", "安徽省安庆市桐城市", 2018)]
    assert [r.text for r in recs] == ["52316", "2840"]


def test_metric_named_only_in_the_caption_and_target_column(tmp_path):
    text = (HEAD + "表2  各乡镇家庭医生签约服务覆盖率（%）\n"
            + tab_table([["乡镇", "2018年", "2019年", "2020年目标", "提高（百分点）"],
                         ["龙眠街道", "36.2", "41.5", "45", "5.3"]]))
    _, recs = cells_of(tmp_path, "t.txt", text)
    assert [(r.metric, r.kind, r.value, r.unit, r.year) for r in recs] == [
        ("family_doctor_signing_rate", "level", 36.2, "%", 2018),
        ("family_doctor_signing_rate", "level", 41.5, "%", 2019),
        ("family_doctor_signing_rate", "target", 45.0, "%", 2020),
        ("family_doctor_signing_rate", "change", 5.3, "百分点", 2019)]
    assert {r.region for r in recs} == {"安徽省安庆市桐城市"}      # a township: the county


def test_serial_number_column_and_total_row(tmp_path):
    text = ("安庆市2019年新农合运行情况\n\n安庆市卫生健康委员会\n\n2019年，全市参合率保持稳定，各县（市）情况如下。\n\n"
            + tab_table([["序号", "县（市）", "参合率（%）", "人均筹资（元）"],
                         ["1", "桐城市", "98.6", "750"],
                         ["2", "怀宁县", "99.1", "750"],
                         ["", "合计", "98.8", "750"]]))
    src, recs = cells_of(tmp_path, "t.txt", text)
    total = src.tables[0].cell_at(3, 1)
    assert (total.text, total.col) == ("合计", 1)                  # the empty 序号 cell kept
    assert [(r.metric, r.value, r.region, r.table_row) for r in recs] == [
        ("ncms_participation_rate", 98.6, "安徽省安庆市桐城市", 1),
        ("per_capita_funding", 750.0, "安徽省安庆市桐城市", 1),
        ("ncms_participation_rate", 99.1, "安徽省安庆市怀宁县", 2),
        ("per_capita_funding", 750.0, "安徽省安庆市怀宁县", 2),
        ("ncms_participation_rate", 98.8, "安徽省安庆市", 3),      # not the row above
        ("per_capita_funding", 750.0, "安徽省安庆市", 3)]


def test_labels_that_name_no_metric(tmp_path):
    text = (HEAD + tab_table([["指标", "2019年"],
                              ["养老保险参保人数（万人）", "36.5"],     # pension, not health insurance
                              ["计划免疫接种率（%）", "99.2"],          # 计划 names no target here
                              ["基金使用率（%）", "91.4"],
                              ["床位使用率（%）", "88.5"]]))
    _, recs = cells_of(tmp_path, "t.txt", text)
    assert [(r.metric, r.kind, r.value, r.unit) for r in recs] == [
        ("immunization_rate", "level", 99.2, "%")]


def test_regions_as_columns_and_per_person_unit(tmp_path):
    text = (HEAD + "单位：元/人\n" + tab_table([["项目", "桐城市", "怀宁县"],
                                                 ["个人缴费", "250", "250"],
                                                 ["财政补助", "520", "520"]]))
    _, recs = cells_of(tmp_path, "t.txt", text)
    assert [(r.metric, r.value, r.unit, r.region) for r in recs] == [
        ("individual_contribution", 250.0, "元", "安徽省安庆市桐城市"),
        ("individual_contribution", 250.0, "元", "安徽省安庆市怀宁县"),
        ("fiscal_subsidy_per_capita", 520.0, "元", "安徽省安庆市桐城市"),
        ("fiscal_subsidy_per_capita", 520.0, "元", "安徽省安庆市怀宁县")]


def test_header_units_and_levels():
    from extract.tables import _header_unit, _levels
    assert _levels("门急诊人次（万人次）/增长（%）") == ["增长（%）", "门急诊人次（万人次）"]
    assert _levels("人均筹资（元/人）") == ["人均筹资（元/人）"]
    assert _header_unit("门急诊人次（万人次）/增长（%）") == ("%", 1.0)
    assert _header_unit("2017年/门急诊人次（万人次）") == ("人次", 10000.0)
    assert _header_unit("提高（百分点）") == ("百分点", 1.0)
    assert _header_unit("人均筹资（元/人）") == ("元", 1.0)
    assert _header_unit("2018年") is None


def test_caption_lists_units_and_a_change_column_follows_its_metric(tmp_path):
    text = (HEAD + "表3 各县（市）基层卫生指标\n单位：万人次、%\n"
            + tab_table([["县（市）", "基层诊疗人次", "基层就诊率", "比上年±", "排名"],
                         ["桐城市", "215.4", "62.3", "-0.4", "2"],
                         ["怀宁县", "168.9", "64.8", "+1.6", "1"]]))
    _, recs = cells_of(tmp_path, "t.txt", text)
    assert [(r.metric, r.kind, r.value, r.unit, r.text) for r in recs] == [
        ("outpatient_visits", "level", 2154000.0, "人次", "215.4"),
        ("primary_care_visit_share", "level", 62.3, "%", "62.3"),
        ("primary_care_visit_share", "change", -0.4, "百分点", "-0.4"),
        ("outpatient_visits", "level", 1689000.0, "人次", "168.9"),
        ("primary_care_visit_share", "level", 64.8, "%", "64.8"),
        ("primary_care_visit_share", "change", 1.6, "百分点", "1.6")]
    assert [r.region for r in recs] == ["安徽省安庆市桐城市"] * 3 + ["安徽省安庆市怀宁县"] * 3


def test_pdf_table_cells_drawn_apart(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "t.pdf"
    c = canvas.Canvas(str(path), pagesize=(500, 400))
    c.setFont("STSong-Light", 12)
    c.drawString(60, 350, "桐城市2019年医疗服务情况")
    c.drawString(60, 325, "全市公立医院主要指标如下：")
    rows = [["指标", "2018年", "2019年"], ["出院人数（人）", "41236", "43518"],
            ["平均住院日（天）", "8.6", "8.2"]]
    for i, row in enumerate(rows):
        for k, cell in enumerate(row):
            c.drawString(60 + 130 * k, 300 - 20 * i, cell)   # cells apart, no tab in the PDF
    c.save()
    src = read_document(path)
    assert "出院人数（人）\t41236\t43518\n" in src.text
    assert [[cell.text for cell in r] for r in src.tables[0].rows()] == rows
    recs = sorted((r for r in process(src).records if r.source == "table"),
                  key=lambda r: (r.table_row, r.table_col))
    assert [(r.metric, r.value, r.unit, r.year, r.text) for r in recs] == [
        ("inpatient_admissions", 41236.0, "人", 2018, "41236"),
        ("inpatient_admissions", 43518.0, "人", 2019, "43518"),
        ("avg_length_of_stay", 8.6, "天", 2018, "8.6"),
        ("avg_length_of_stay", 8.2, "天", 2019, "8.2")]


def test_a_table_at_the_top_is_not_the_reports_head(tmp_path):
    # the first rows of a table standing right under the title are not the issuing body:
    # the report is 郴州市's, for its text and for the table's 合计 row
    text = ("郴州市医疗救助情况通报\n郴州市民政局\n"
            + tab_table([["县区", "医疗救助资金（万元）"], ["北湖区", "1236"], ["市本级", "1054"],
                         ["合计", "2290"]])
            + "医疗救助资金支出比上年增长12.5%。\n")
    src = tmp_path / "t.txt"
    src.write_text(text, encoding="utf-8")
    recs = process(read_document(src)).records
    assert [(r.source, r.metric, r.kind, r.value, r.region) for r in recs] == [
        ("table", "medical_assistance_funds", "level", 12360000.0, "湖南省郴州市北湖区"),
        ("table", "medical_assistance_funds", "level", 10540000.0, "湖南省郴州市"),
        ("table", "medical_assistance_funds", "level", 22900000.0, "湖南省郴州市"),
        ("text", "medical_assistance_funds", "change", 12.5, "湖南省郴州市")]
