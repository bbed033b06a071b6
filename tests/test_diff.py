"""`reform diff`: region resolution, the value rule, differences, and every output format.

`build_sample_db` (also used by test_export.py and test_review.py) stores hand-written
records through `extract.store.Store`, so these tests do not depend on extraction.
"""
from __future__ import annotations

import csv
import io
import json
import re
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from extract.diff import (RegionError, Value, diff, diff_command, display_width, pick,
                          resolve_region)
from extract.model import DocResult, Record
from extract.store import Store, open_readonly

REGIONS = [
    dict(code="430000", name="湖南省", full_name="湖南省", short="湖南", level="province",
         parent=None, aliases=[]),
    dict(code="430400", name="衡阳市", full_name="湖南省衡阳市", short="衡阳", level="prefecture",
         parent="430000", aliases=[]),
    dict(code="430481", name="耒阳市", full_name="湖南省衡阳市耒阳市", short="耒阳",
         level="county", parent="430400", aliases=[]),
    dict(code="420000", name="湖北省", full_name="湖北省", short="湖北", level="province",
         parent=None, aliases=[]),
    dict(code="420600", name="襄阳市", full_name="湖北省襄阳市", short="襄阳", level="prefecture",
         parent="420000", aliases=["襄樊市", "襄樊", "湖北省襄樊市"]),
    dict(code="520281", name="盘州市", full_name="贵州省六盘水市盘州市", short="盘州",
         level="county", parent="520200", aliases=["贵州省六盘水市盘县"]),
    dict(code="520222", name="盘县", full_name="贵州省六盘水市盘县", short="盘县", level="county",
         parent="520200", valid_to="2017-04-09", aliases=[]),
    dict(code="110105", name="朝阳区", full_name="北京市朝阳区", short="朝阳", level="county",
         parent="110000", aliases=[]),
    dict(code="220104", name="朝阳区", full_name="吉林省长春市朝阳区", short="朝阳",
         level="county", parent="220100", aliases=[]),
]

# (doc_id, date, title, [(sentence, value text, metric, kind, value, unit, region code, year,
#                          extra Record fields)])
HN, XY, LY = ("湖南省", "430000"), ("湖北省襄阳市", "420600"), ("湖南省衡阳市耒阳市", "430481")
DOCS = [
    ("hn_2010", "2011-01-10", "湖南省2010年医改工作总结", [
        ("全省新农合参合率达到95.5%。", "95.5%", "ncms_participation_rate", "level", 95.5, "%",
         HN, 2010, {}),
        ("参保人数约120万人，", "120万人", "insured_persons", "level", 1.2e6, "人", HN, 2010,
         {"qualifier": "approx"}),
        ("其中实际参保人数118万人。", "118万人", "insured_persons", "level", 1.18e6, "人", HN, 2010,
         {}),
        ("人均筹资标准150元。", "150元", "per_capita_funding", "level", 150.0, "元", HN, 2010, {}),
        ("力争参合率达到98%。", "98%", "ncms_participation_rate", "target", 98.0, "%", HN, 2010,
         {}),
        ("全省床位数2万张。", "2万张", "hospital_beds", "level", 20000.0, "张", HN, 2010, {}),
        ("耒阳市参合率达到99%，", "99%", "ncms_participation_rate", "level", 99.0, "%", LY, 2010,
         {}),
        ("耒阳家庭医生签约率30%<b>。", "30%", "family_doctor_signing_rate", "level", 30.0, "%",
         LY, 2010, {}),
    ]),
    ("hn_2011", "2012-01-05", "湖南省2011年工作报告", [
        ("2010年参合率为96%。", "96%", "ncms_participation_rate", "level", 96.0, "%", HN, 2010,
         {}),
    ]),
    ("xy_2010", "2011-02-01", "襄樊市医改工作总结", [
        ("襄樊市新农合参合率92%，", "92%", "ncms_participation_rate", "level", 92.0, "%", XY, 2010,
         {}),
        ("人均筹资140元，", "140元", "per_capita_funding", "level", 140.0, "元", XY, 2010, {}),
        ("参保人数68.5万人，", "68.5万人", "insured_persons", "level", 6.85e5, "人", XY, 2010, {}),
        ("门诊150万人次。", "150万人次", "outpatient_visits", "level", 1.5e6, "人次", XY, 2010, {}),
        ("2011年参合率达到94%。", "94%", "ncms_participation_rate", "level", 94.0, "%", XY, 2011,
         {}),
    ]),
    ("px_2016", "2016-12-01", "盘县经验", [
        ("盘县参合率97%，", "97%", "ncms_participation_rate", "level", 97.0, "%",
         ("贵州省六盘水市盘县", "520222"), 2016, {}),
        ("盘州市床位1200张。", "1200张", "hospital_beds", "level", 1200.0, "张",
         ("贵州省六盘水市盘州市", "520281"), 2016, {}),
    ]),
]


def build_sample_db(path):
    """The test database: four documents, one failed, regions and metric definitions."""
    from extract.codebook import metric_defs
    store = Store(path)
    store.ensure_schema()
    store.load_regions(REGIONS)
    store.load_metric_defs([dict(key=k, **{f: d[f] for f in ("zh", "unit", "range", "definition")})
                            for k, d in metric_defs().items()])
    for doc_id, date, title, items in DOCS:
        text = f"{title}\r\n" + "".join(s for s, *_ in items) + "\n"
        records, pos = [], len(title) + 2
        for sentence, vtext, metric, kind, value, unit, (region, code), year, extra in items:
            start = text.index(vtext, pos)
            records.append(Record(
                doc=doc_id, metric=metric, kind=kind, value=value, value_high=None, unit=unit,
                qualifier=extra.get("qualifier"), region=region, region_code=code, year=year,
                masked=False, suspect=False, text=vtext, start=start, end=start + len(vtext),
                snippet=sentence, article=0, section="一、总体情况"))
            pos += len(sentence)
        src = SimpleNamespace(doc_id=doc_id, path=f"/corpus/{doc_id}.txt", text=text,
                              format="txt", encoding="utf-8", title=title, sha256="0" * 64,
                              tables=[])
        store.save(DocResult(src=src, records=records, date=date,
                             articles=[dict(index=0, start=0, end=len(text), title=title,
                                            region=None, region_code=None)],
                             sections=[dict(article=0, index=0, start=0, end=len(text),
                                            heading="一、总体情况", level=1)]))
    store.save_failure("broken<1>", "/corpus/broken<1>.pdf", None,
                       "no text layer; OCR not supported <script>")
    store.close()
    return path


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("diff") / "reform.db")


def test_resolve_region_by_code_name_short_and_alias(sample_db):
    conn = open_readonly(sample_db)
    for q in ("430000", "湖南省", "湖南"):
        assert resolve_region(conn, q).code == "430000"
    r = resolve_region(conn, "襄樊")
    assert (r.code, r.full_name) == ("420600", "湖北省襄阳市")
    assert resolve_region(conn, "耒阳").full_name == "湖南省衡阳市耒阳市"
    # a renamed unit: the former code counts as the same region
    assert sorted(resolve_region(conn, "盘州").codes) == ["520222", "520281"]
    with pytest.raises(RegionError, match="110105 北京市朝阳区, 220104 吉林省长春市朝阳区"):
        resolve_region(conn, "朝阳区")
    with pytest.raises(RegionError, match="no region '火星'"):
        resolve_region(conn, "火星")


def _rows(d):
    return [(r.metric, r.year, r.status,
             r.a.chosen and r.a.chosen.value, r.b.chosen and r.b.chosen.value,
             r.difference, r.difference_unit, r.ratio) for r in d.rows]


def test_diff_rows_values_and_differences(sample_db):
    d = diff(sample_db, "湖南", "襄樊")
    assert _rows(d) == [
        ("insured_persons", 2010, "both", 1.18e6, 6.85e5, -495000.0, "人", 0.5805084746),
        ("ncms_participation_rate", 2010, "both", 96.0, 92.0, -4.0, "百分点", None),
        ("ncms_participation_rate", 2011, "only B", None, 94.0, None, None, None),
        ("per_capita_funding", 2010, "both", 150.0, 140.0, -10.0, "元", 0.9333333333),
        ("outpatient_visits", 2010, "only B", None, 1.5e6, None, None, None),
        ("hospital_beds", 2010, "only A", 20000.0, None, None, None, None),
    ]
    ncms = d.rows[1]
    assert ncms.zh == "参合率"
    # the later document's value wins; the earlier level and the target are still shown
    assert (ncms.a.chosen.doc_id, ncms.a.chosen.snippet) == ("hn_2011", "2010年参合率为96%。")
    assert [(o.doc_id, o.kind, o.value) for o in ncms.a.others] == [
        ("hn_2010", "level", 95.5), ("hn_2010", "target", 98.0)]
    # the exact value wins over the approximate one from the same document
    assert [(v.text, v.qualifier) for v in (d.rows[0].a.chosen, *d.rows[0].a.others)] == [
        ("118万人", None), ("120万人", "approx")]


def test_diff_year_metric_and_children(sample_db):
    d = diff(sample_db, "430000", "湖北省襄阳市", year=2010, metric="参合率")
    assert _rows(d) == [("ncms_participation_rate", 2010, "both", 96.0, 92.0, -4.0, "百分点",
                         None)]
    plain = diff(sample_db, "湖南", "襄阳", year=2010)
    assert "family_doctor_signing_rate" not in [r.metric for r in plain.rows]
    kids = diff(sample_db, "湖南", "襄阳", year=2010, include_children=True)
    fam = [r for r in kids.rows if r.metric == "family_doctor_signing_rate"]
    assert [(r.status, r.a.chosen.value, r.a.chosen.region_code, r.a.chosen.own) for r in fam] \
        == [("only A", 30.0, "430481", False)]
    ncms = [r for r in kids.rows if r.metric == "ncms_participation_rate"][0]
    # the province's own value before its county's
    assert (ncms.a.chosen.value, ncms.a.others[-1].value, ncms.a.others[-1].own) == \
        (96.0, 99.0, False)


def test_descendants(sample_db):
    from extract.diff import descendants
    conn = open_readonly(sample_db)
    assert descendants(conn, ["430000"]) == {"430400", "430481"}
    assert descendants(conn, ["430481"]) == set()
    assert len(descendants(conn, ["000000"])) == len(REGIONS)


def test_diff_renamed_unit_uses_both_codes(sample_db):
    d = diff(sample_db, "盘县", "盘州市")
    assert {(r.metric, r.a.chosen.region_code) for r in d.rows} == {
        ("ncms_participation_rate", "520222"), ("hospital_beds", "520281")}


def _v(**kw):
    base = dict(id=1, doc_id="d", doc_date="2011-01-01", metric="m", kind="level", value=1.0,
                value_high=None, unit="%", qualifier=None, text="1%", region=None,
                region_code="430000", year=2010, masked=False, suspect=False, start=0, end=2,
                snippet="")
    return Value(**{**base, **kw})


def test_pick_rule_order():
    cands = [
        _v(id=1, kind="target"),
        _v(id=2, value=None, masked=True),
        _v(id=3, doc_date=None),
        _v(id=4, doc_date="2010-05-01"),
        _v(id=5, qualifier="approx", doc_date="2012-01-01"),
        _v(id=6, value_high=3.0, doc_date="2012-01-01"),
        _v(id=7, doc_date="2012-01-01", doc_id="z", start=0),
        _v(id=8, doc_date="2012-01-01", doc_id="a", start=50),
        _v(id=9, doc_date="2012-01-01", doc_id="a", start=10),
        _v(id=10, own=False, doc_date="2013-01-01"),
    ]
    chosen, others = pick(cands)
    assert [chosen.id] + [o.id for o in others] == [9, 8, 7, 6, 5, 4, 3, 2, 1, 10]


def test_kinds_or_units_that_differ_are_not_compared(sample_db, tmp_path):
    from extract.diff import compare
    assert compare(_v(kind="level"), _v(kind="target"))[3] == \
        "not compared: kinds differ (level / target)"
    assert compare(_v(unit="%"), _v(unit="元"))[0] is None
    assert compare(_v(value=50.0, value_high=70.0), _v())[3] == "not compared: a range"
    assert compare(_v(value=10.0, unit="人次"), _v(value=25.0, unit="人次"))[:3] == \
        (15.0, "人次", 2.5)
    assert compare(_v(value=10.0, unit="天"), _v(value=8.0, unit="天"))[:3] == (-2.0, "天", None)


def test_cli_csv_and_json(sample_db):
    runner = CliRunner()
    res = runner.invoke(diff_command, ["湖南", "襄樊", "--format", "csv", "--db", str(sample_db)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert [(r["metric"], r["year"], r["a_value"], r["b_value"], r["difference"])
            for r in rows][:2] == [("insured_persons", "2010", "1180000.0", "685000.0",
                                    "-495000.0"),
                                   ("ncms_participation_rate", "2010", "96.0", "92.0", "-4.0")]
    assert rows[1]["a_doc"] == "hn_2011" and rows[1]["a_n"] == "3"
    assert rows[1]["a_others"] == "95.5 % (hn_2010@26); 98 % (目标) (hn_2010@75)"
    assert rows[1]["b_snippet"] == "襄樊市新农合参合率92%，"

    res = runner.invoke(diff_command, ["湖南", "襄樊", "--format", "json", "--year", "2010",
                                       "--metric", "per_capita_funding", "--db", str(sample_db)])
    out = json.loads(res.output)
    assert out["a"]["code"] == "430000" and out["b"]["full_name"] == "湖北省襄阳市"
    [row] = out["rows"]
    assert (row["a"]["chosen"]["text"], row["b"]["chosen"]["text"], row["difference"],
            row["ratio"]) == ("150元", "140元", -10.0, 0.9333333333)
    assert "latest document date" in out["rule"]


def test_cli_errors(sample_db):
    runner = CliRunner()
    res = runner.invoke(diff_command, ["朝阳", "湖南", "--db", str(sample_db)])
    assert res.exit_code == 2 and "give the code or the full name" in res.output
    res = runner.invoke(diff_command, ["湖南", "襄阳", "--metric", "nope", "--db",
                                       str(sample_db)])
    assert res.exit_code == 2 and "unknown metric 'nope'" in res.output


def test_table_is_aligned_for_cjk_width(sample_db):
    res = CliRunner().invoke(diff_command, ["湖南", "襄樊", "--db", str(sample_db)])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    header = next(i for i, l in enumerate(lines) if l.startswith("指标"))
    table = lines[header:header + 2 + 12]

    def col(line, cell):
        return display_width(line[:line.index(cell)])
    b_col = col(table[0], "B ")
    src_col = col(table[0], "A 来源")
    rows = {}
    for l in table[2:]:
        if l and not l.startswith(" "):
            rows.setdefault(l.split()[0], l)
    assert set(rows) >= {"参保人数", "参合率", "人均筹资标准", "门诊人次", "床位数"}
    assert col(rows["参保人数"], "685,000 人") == b_col
    assert col(rows["人均筹资标准"], "140 元") == b_col
    assert col(rows["参保人数"], "hn_2010: 其中实际") == src_col
    assert col(rows["床位数"], "20,000 张") == col(table[0], "A ")
    assert "-495,000 人" in rows["参保人数"] and "0.581×" in rows["参保人数"]
    assert "-4 百分点" in rows["参合率"]
    # the other values of a metric and year are listed under it
    assert any(re.match(r"\s+· 95\.5 %", l) for l in table)
    assert "only A: 床位数 2010; only B: 参合率 2011, 门诊人次 2010" in res.output


def test_markdown(sample_db):
    res = CliRunner().invoke(diff_command, ["湖南", "襄樊", "--format", "md", "--year", "2010",
                                            "--db", str(sample_db)])
    lines = [l for l in res.output.splitlines() if l.startswith("| 参合率")]
    assert lines == ["| 参合率 | ncms_participation_rate | 2010 | 96 % | 92 % | -4 百分点 |  | "
                     "hn_2011: 2010年参合率为96%。 | xy_2010: 襄樊市新农合参合率92%， | "
                     "A: 95.5 % (hn_2010); A: 98 % (目标) (hn_2010) |"]


def test_without_a_regions_table_names_come_from_the_records(tmp_path):
    db = build_sample_db(tmp_path / "r.db")
    store = Store(db)
    store.load_regions([])
    store.close()
    conn = open_readonly(db)
    assert resolve_region(conn, "湖北省襄阳市").code == "420600"
    assert resolve_region(conn, "耒阳市").code == "430481"        # a full name's tail
    with pytest.raises(RegionError, match="among the stored records"):
        resolve_region(conn, "襄樊")
    d = diff(db, "430000", "420600", year=2010, include_children=True)   # children by prefix
    assert [r.metric for r in d.rows if r.status == "only A"] == [
        "family_doctor_signing_rate", "hospital_beds"]


def test_latest_compares_each_sides_latest_year(sample_db):
    from extract.diff import row_year
    d = diff(sample_db, "湖南", "襄阳", latest=True)
    assert [(r.metric, row_year(r), r.a.chosen and r.a.chosen.value,
             r.b.chosen and r.b.chosen.value, r.difference, r.note) for r in d.rows] == [
        ("insured_persons", "2010", 1.18e6, 6.85e5, -495000.0, ""),
        # A's 2010 level, not its target; B's 2011 level
        ("ncms_participation_rate", "2010/2011", 96.0, 94.0, -2.0, "years differ (2010/2011)"),
        ("per_capita_funding", "2010", 150.0, 140.0, -10.0, ""),
        ("outpatient_visits", "2010", None, 1.5e6, None, ""),
        ("hospital_beds", "2010", 20000.0, None, None, ""),
    ]
    assert [o.value for o in d.rows[1].a.others] == [95.5]
    res = CliRunner().invoke(diff_command, ["湖南", "襄阳", "--latest", "--format", "csv",
                                            "--db", str(sample_db)])
    row = list(csv.DictReader(io.StringIO(res.output)))[1]
    assert (row["year"], row["a_year"], row["b_year"]) == ("", "2010", "2011")
    res = CliRunner().invoke(diff_command, ["湖南", "襄阳", "--latest", "--year", "2010",
                                            "--db", str(sample_db)])
    assert res.exit_code == 2 and "drop --year" in res.output
