"""A dataset a paper can rest on: from→to, scope, sub-units, conflicts, stable ids, plots.

Every document here is invented for the test (real place names, made-up sentences and
figures) and goes through the real pipeline and store (`reform run --inline`).
"""
from __future__ import annotations

import json
import re
import sqlite3
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
from click.testing import CliRunner

from extract import runner
from extract.cli import reform

YC = "420684"     # 湖北省襄阳市宜城市
ZX = "420683"     # 湖北省襄阳市枣阳市

DOCS = {
    "yc_2013.txt": (
        "宜城市2013年新型农村合作医疗工作总结\n\n"
        "一、主要指标\n"
        "2013年，全市新农合参合率达到98.6%，住院补偿封顶线由8万元提高到12万元，"
        "政策范围内住院费用报销比例由65%提高到75%。\n"
        "全市门诊次均费用为52.4元，住院次均费用为3216元。\n"
        "全市出院人数达到4.2万人。\n"
        "家庭医生签约率达到41%，其中重点人群签约率达到77%。\n\n"
        "宜城市卫生局\n2014年1月8日\n"),
    "yc_2014.txt": (
        "宜城市2014年医改工作总结\n\n"
        "一、基本情况\n"
        "2014年，全市新农合参合率达到99.1%，比上年提高0.9个百分点；"
        "2013年全市新农合参合率为98.2%。\n\n"
        "宜城市卫生和计划生育局\n2015年1月12日\n"),
    "yc_towns_2013.txt": (
        "宜城市2013年基层门诊量统计分析\n\n"
        "2013年，全市基层医疗机构门诊量稳步增长，现将各镇（街道）情况统计如下。\n\n"
        "附表：2013年各镇（街道）门诊人次\n"
        "序号\t镇（街道）\t门诊人次（人次）\n"
        "1\t鄢城街道\t31250\n"
        "2\t南营街道\t27410\n"
        "3\t小河镇\t40665\n"
        "4\t板桥店镇\t22980\n"
        "\t全市合计\t122305\n\n"
        "宜城市卫生局\n2014年2月10日\n"),
    "zy_2013.txt": (
        "枣阳市2013年新农合工作总结\n\n"
        "2013年，全市新农合参合率达到97.4%，住院补偿封顶线提高到10万元。\n"
        "全市门诊次均费用为47元。\n\n"
        "枣阳市卫生局\n2014年1月20日\n"),
    "zy_2011.txt": (
        "枣阳市2011年新农合工作总结\n\n"
        "2011年，全市新农合参合率达到95.8%。\n\n"
        "枣阳市卫生局\n2012年1月16日\n"),
}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dataset")
    corpus = tmp / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    path = tmp / "reform.db"
    s = runner.run([corpus], path, inline=True, quiet=True)
    assert s.failed == [] and s.read == len(DOCS)
    return path, corpus


def rows(db, sql, *params):
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def panel(db, tmp_path, *args):
    out = tmp_path / "panel.csv"
    res = CliRunner().invoke(reform, ["export", "--db", str(db), "--format", "csv",
                                      "--layout", "panel", "--out", str(out), *args])
    assert res.exit_code == 0, res.output
    return pd.read_csv(out, dtype={"region_code": str}), res.output


def cell(df, code, year, col):
    r = df[(df.region_code == code) & (df.year == year)]
    assert len(r) == 1, (code, year)
    return r.iloc[0][col]


def test_from_value_has_role_and_year_and_never_wins(db, tmp_path):
    path, _ = db
    caps = rows(path, "SELECT value, year, role, scheme, setting FROM metrics "
                      "WHERE doc_id = 'yc_2013' AND metric = 'benefit_cap' ORDER BY start")
    assert caps == [
        {"value": 80000.0, "year": 2012, "role": "from", "scheme": "ncms", "setting": "inpatient"},
        {"value": 120000.0, "year": 2013, "role": None, "scheme": "ncms", "setting": "inpatient"}]
    ratios = rows(path, "SELECT value, year, role FROM metrics WHERE doc_id = 'yc_2013' "
                        "AND metric = 'reimbursement_ratio' ORDER BY start")
    assert ratios == [{"value": 65.0, "year": 2012, "role": "from"},
                      {"value": 75.0, "year": 2013, "role": None}]
    df, _ = panel(path, tmp_path)
    assert cell(df, YC, 2013, "benefit_cap__ncms__inpatient") == 120000.0
    assert cell(df, YC, 2012, "benefit_cap__ncms__inpatient") == 80000.0  # X dates 2012
    assert cell(df, YC, 2013, "reimbursement_ratio__ncms__inpatient") == 75.0


def test_from_value_never_beats_the_value_reached_in_one_cell():
    """Two records of one cell: Y wins over X whatever their order and documents."""
    from extract.conflicts import Cell
    x = {"metric": "benefit_cap", "kind": "level", "value": 20000.0, "value_high": None,
         "role": "from", "doc_id": "a", "doc_date": "2014-01-01", "start": 5, "id": 1,
         "qualifier": None}
    y = {**x, "value": 30000.0, "role": None, "doc_id": "b", "doc_date": "2010-01-01",
         "start": 90, "id": 2}
    c = Cell(("1", 2013, "benefit_cap"), [x, y]).close()
    assert c.chosen["value"] == 30000.0
    assert c.why() == "the value reached (Y of 由X提高到Y) before the starting value X"
    assert not c.conflict          # a starting value does not disagree with the value reached


def test_outpatient_and_inpatient_cost_fill_separate_cells(db, tmp_path):
    path, _ = db
    df, _ = panel(path, tmp_path)
    assert cell(df, YC, 2013, "per_visit_cost__outpatient") == 52.4
    assert cell(df, YC, 2013, "per_visit_cost__inpatient") == 3216.0
    assert cell(df, ZX, 2013, "per_visit_cost__outpatient") == 47.0
    assert "per_visit_cost" in df.columns and df["per_visit_cost"].isna().all()
    # a subgroup's rate is not the population's
    assert cell(df, YC, 2013, "family_doctor_signing_rate") == 41.0
    assert cell(df, YC, 2013, "family_doctor_signing_rate__key_groups") == 77.0
    # 出院人数 in 人 has its own column instead of dropping out
    assert cell(df, YC, 2013, "inpatient_admissions__persons") == 42000.0
    # diff compares like with like: the outpatient cost of the two cities, on one row
    res = CliRunner().invoke(reform, ["diff", YC, ZX, "--year", "2013", "--metric",
                                      "per_visit_cost", "--format", "json", "--db", str(path)])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    by_scope = {json.dumps(r["scope"]): r for r in d["rows"]}
    out = by_scope[json.dumps({"setting": "outpatient"})]
    assert (out["a"]["chosen"]["value"], out["b"]["chosen"]["value"]) == (52.4, 47.0)
    assert out["difference"] == pytest.approx(-5.4)
    inp = by_scope[json.dumps({"setting": "inpatient"})]
    assert inp["status"] == "only A" and inp["difference"] is None
    res = CliRunner().invoke(reform, ["diff", YC, ZX, "--year", "2013", "--metric",
                                      "per_visit_cost", "--format", "csv", "--db", str(path)])
    import csv
    import io
    csv_rows = list(csv.DictReader(io.StringIO(res.output)))
    assert [(r["scope"], r["a_value"], r["b_value"]) for r in csv_rows] == [
        ("setting=outpatient", "52.4", "47.0"), ("setting=inpatient", "3216.0", "")]
    assert csv_rows[0]["a_record_id"] == out["a"]["chosen"]["record_id"]
    assert re.fullmatch(r"r[0-9a-f]{12}", csv_rows[0]["a_record_id"])


def test_towns_in_a_table_never_fill_the_district_cell(db, tmp_path):
    path, _ = db
    recs = rows(path, "SELECT value, region_code, subunit FROM metrics "
                      "WHERE doc_id = 'yc_towns_2013' AND source = 'table' ORDER BY start")
    assert [(r["value"], r["region_code"], r["subunit"]) for r in recs] == [
        (31250.0, YC, "鄢城街道"), (27410.0, YC, "南营街道"), (40665.0, YC, "小河镇"),
        (22980.0, YC, "板桥店镇"), (122305.0, YC, None)]
    df, out = panel(path, tmp_path)
    assert cell(df, YC, 2013, "outpatient_visits") == 122305.0
    assert cell(df, YC, 2013, "outpatient_visits_n") == 1
    assert "4 about a sub-unit" in out


def test_two_documents_that_disagree_show_in_conflicts_and_the_flag(db, tmp_path):
    path, _ = db
    df, out = panel(path, tmp_path)
    # the later report's 98.2 is chosen; the cell says two records disagree
    assert cell(df, YC, 2013, "ncms_participation_rate") == 98.2
    assert cell(df, YC, 2013, "ncms_participation_rate_doc") == "yc_2014"
    assert cell(df, YC, 2013, "ncms_participation_rate_n") == 2
    assert cell(df, YC, 2013, "ncms_participation_rate_conflict") == 1
    assert cell(df, YC, 2013, "ncms_participation_rate_sentence") == "2013年全市新农合参合率为98.2%。"
    assert cell(df, ZX, 2013, "ncms_participation_rate_conflict") == 0
    assert "cells have records that disagree" in out
    res = CliRunner().invoke(reform, ["conflicts", "--db", str(path), "--region", "宜城"])
    assert res.exit_code == 0, res.output
    assert "参合率 ncms_participation_rate · level · % · 2013" in res.output
    assert "panel/diff value: 98.2 %" in res.output and "the latest document" in res.output
    assert re.search(r"\* 98\.2 %  yc_2014 \(2015-01-12\)", res.output)
    assert re.search(r"- 98\.6 %  yc_2013 \(2014-01-08\)", res.output)
    assert "1 cells with records that disagree" in res.output
    res = CliRunner().invoke(reform, ["conflicts", "--db", str(path), "--region", "枣阳"])
    assert "no conflicts" in res.output
    js = json.loads(CliRunner().invoke(reform, ["conflicts", "--db", str(path), "--format",
                                                "json", "--metric", "参合率"]).output)
    assert [(c["region_code"], c["year"], len(c["candidates"])) for c in js] == [(YC, 2013, 2)]


def test_force_rerun_keeps_every_record_id(db, tmp_path):
    path, corpus = db
    before = rows(path, "SELECT record_id, doc_id, start, metric FROM metrics ORDER BY id")
    assert before and all(re.fullmatch(r"r[0-9a-f]{12}(~\d+)?", r["record_id"]) for r in before)
    assert len({r["record_id"] for r in before}) == len(before)
    runner.run([corpus], path, force=True, inline=True, quiet=True)
    after = rows(path, "SELECT record_id, doc_id, start, metric FROM metrics ORDER BY id")
    assert sorted(map(json.dumps, before)) == sorted(map(json.dumps, after))
    assert min(r["id"] for r in rows(path, "SELECT id FROM metrics")) > len(before)  # new rows
    # the export and the review page use the same ids
    out = tmp_path / "long.csv"
    CliRunner().invoke(reform, ["export", "--db", str(path), "--format", "csv", "--out", str(out)])
    assert set(pd.read_csv(out)["record_id"]) == {r["record_id"] for r in after}
    res = CliRunner().invoke(reform, ["review", "yc_2013", "--out", str(tmp_path / "html"),
                                      "--db", str(path)])
    assert res.exit_code == 0, res.output
    page = (tmp_path / "html" / "yc_2013.html").read_text("utf-8")
    for r in after:
        if r["doc_id"] == "yc_2013":
            assert f'id="{r["record_id"]}"' in page and f'id="row-{r["record_id"]}"' in page


SVG = "{http://www.w3.org/2000/svg}"


def test_plot_png_svg_html(db, tmp_path):
    path, _ = db
    res = CliRunner().invoke(reform, ["plot", "参合率", "--region", "宜城", "--region", "枣阳市",
                                      "--years", "2010-2015", "--out", str(tmp_path / "p.svg"),
                                      "--db", str(path)])
    assert res.exit_code == 0, res.output
    tree = ET.parse(tmp_path / "p.svg")
    groups = {g.get("id"): g for g in tree.iter(f"{SVG}g") if g.get("id")}
    series = sorted(k for k in groups if k.startswith("series-"))
    assert series == [f"series-{ZX}", f"series-{YC}"]
    points = sorted(k for k in groups if k.startswith("point-"))
    assert points == [f"point-{ZX}-2011", f"point-{ZX}-2013", f"point-{YC}-2013",
                      f"point-{YC}-2014"]
    assert "湖北省襄阳市宜城市 (420684): 2013: 98.2, 2014: 99.1" in res.output
    assert "湖北省襄阳市枣阳市 (420683): 2011: 95.8, 2013: 97.4" in res.output
    # the years limit the points
    CliRunner().invoke(reform, ["plot", "ncms_participation_rate", "--region", ZX, "--years",
                                "2012-2015", "--out", str(tmp_path / "q.svg"), "--db", str(path)])
    ids = [g.get("id") for g in ET.parse(tmp_path / "q.svg").iter(f"{SVG}g")]
    assert [i for i in ids if i and i.startswith("point-")] == [f"point-{ZX}-2013"]
    # PNG: a valid image of the figure's size
    res = CliRunner().invoke(reform, ["plot", "per_visit_cost__outpatient", "--region", YC,
                                      "--region", ZX, "--out", str(tmp_path / "p.png"),
                                      "--db", str(path)])
    assert res.exit_code == 0, res.output
    data = (tmp_path / "p.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    import matplotlib.image as mpimg
    img = mpimg.imread(tmp_path / "p.png")
    assert img.shape[0] == 462 and img.shape[1] == 825
    # HTML: each point's source on hover
    res = CliRunner().invoke(reform, ["plot", "参合率", "--region", YC, "--out",
                                      str(tmp_path / "p.html"), "--db", str(path)])
    page = (tmp_path / "p.html").read_text("utf-8")
    m = re.search(rf'<g id="point-{YC}-2013" class="pt"><title>(.*?)</title>', page, re.S)
    assert m and "98.2" in m.group(1) and "yc_2014" in m.group(1)
    assert "2 records; they disagree" in m.group(1)
    # a bad extension is refused
    res = CliRunner().invoke(reform, ["plot", "参合率", "--region", YC, "--out",
                                      str(tmp_path / "p.jpg"), "--db", str(path)])
    assert res.exit_code == 2 and ".png, .svg, .html" in res.output


def test_review_page_shows_the_regions_trend(db, tmp_path):
    path, _ = db
    res = CliRunner().invoke(reform, ["review", "yc_2014", "--out", str(tmp_path / "h"),
                                      "--db", str(path)])
    assert res.exit_code == 0, res.output
    import lxml.html
    tree = lxml.html.parse(str(tmp_path / "h" / "yc_2014.html")).getroot()
    assert tree.xpath("//h2[starts-with(., 'Trends')]")[0].text_content() == \
        "Trends: 湖北省襄阳市宜城市 (420684)"
    items = tree.xpath('//ul[@class="trends"]/li')
    assert len(items) == 1 and "ncms_participation_rate" in items[0].text_content()
    dots = items[0].xpath(".//circle")
    tips = [d.xpath("title")[0].text for d in dots]
    assert [t.split(" — ")[0] for t in tips] == ["2013: 98.2 %", "2014: 99.1 %"]
    assert "they disagree" in tips[0] and "yc_2014" in tips[0]
    assert [d.get("fill") for d in dots] == ["#c0392b", "#c0392b"]    # both from this report


def test_an_older_database_gets_the_same_stable_ids(db, tmp_path):
    """A database made before stable ids gains them when opened by the store: the ids a
    run would give."""
    import shutil
    from extract.store import Store
    path, _ = db
    old = tmp_path / "old.db"
    shutil.copy(path, old)
    want = rows(old, "SELECT id, record_id FROM metrics ORDER BY id")
    conn = sqlite3.connect(old)
    conn.execute("DROP TRIGGER IF EXISTS metrics_au")
    conn.execute("ALTER TABLE metrics DROP COLUMN record_id")
    conn.commit()
    conn.close()
    with Store(old) as st:
        st.ensure_schema()
    assert rows(old, "SELECT id, record_id FROM metrics ORDER BY id") == want


def test_plot_points_to_the_scoped_columns_when_the_plain_one_is_empty(db, tmp_path):
    path, _ = db
    res = CliRunner().invoke(reform, ["plot", "per_visit_cost", "--region", YC, "--out",
                                      str(tmp_path / "e.svg"), "--db", str(path)])
    assert res.exit_code == 0, res.output
    assert ("warning: no values of per_visit_cost for these regions; values with a stated "
            "scope or unit are in: per_visit_cost__inpatient, per_visit_cost__outpatient"
            ) in res.output
