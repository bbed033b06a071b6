"""extract.resolve: one resolver for every verb's region, metric and document arguments."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from extract import resolve
from extract.cli import reform
from extract.store import open_readonly
from test_diff import build_sample_db


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("resolve") / "reform.db")


@pytest.fixture
def conn(sample_db):
    c = open_readonly(sample_db)
    yield c
    c.close()


def invoke(*args):
    return CliRunner().invoke(reform, [str(a) for a in args])


@pytest.mark.parametrize("query, code, codes", [
    ("430000", "430000", ["430000"]),
    ("湖南省", "430000", ["430000"]),
    ("湖南", "430000", ["430000"]),
    ("湖北省襄樊市", "420600", ["420600"]),        # former name
    ("襄樊", "420600", ["420600"]),
    ("盘州", "520281", ["520281", "520222"]),       # renamed: both codes
])
def test_regions_by_any_name(conn, query, code, codes):
    r = resolve.resolve_region(conn, query)
    assert (r.code, r.codes) == (code, codes)


def test_unknown_and_ambiguous_regions_name_candidates(conn):
    with pytest.raises(resolve.ResolveError) as e:
        resolve.resolve_region(conn, "朝阳区")
    assert "110105 北京市朝阳区, 220104 吉林省长春市朝阳区" in e.value.format_message()
    with pytest.raises(resolve.ResolveError) as e:
        resolve.resolve_region(conn, "衡阳县")
    assert e.value.format_message() == ("unknown region '衡阳县'; did you mean: "
                                        "430400 湖南省衡阳市")
    assert e.value.exit_code == 2


def test_include_children(conn):
    assert resolve.region_codes(conn, "湖南", include_children=True) == [
        "430000", "430400", "430481"]


@pytest.mark.parametrize("query, key", [
    ("ncms_participation_rate", "ncms_participation_rate"),
    ("参合率", "ncms_participation_rate"),           # its Chinese name
    ("新农合参合率", "ncms_participation_rate"),      # an alias ending the text
    ("最高支付限额", "benefit_cap"),                 # one part of 封顶线/最高支付限额
    ("住院费用报销比例", "reimbursement_ratio"),
])
def test_metrics_by_key_name_or_alias(query, key):
    assert resolve.resolve_metric(query) == key


def test_unknown_metric_names_candidates():
    with pytest.raises(resolve.ResolveError) as e:
        resolve.resolve_metric("签约")
    assert "family_doctor_signing_rate 家庭医生签约率" in e.value.format_message()


def test_unknown_document(conn):
    with pytest.raises(resolve.ResolveError) as e:
        resolve.resolve_doc(conn, "hn_2012")
    assert "did you mean: hn_2010, hn_2011" in e.value.format_message()


@pytest.mark.parametrize("args, message", [
    (["--region", "不存在市"], "unknown region '不存在市'"),
    (["--region", "朝阳区"], "names 2 regions: 110105 北京市朝阳区, 220104 吉林省长春市朝阳区"),
    (["--metric", "不存在率"], "unknown metric '不存在率'"),
    (["--doc", "nope"], "unknown document 'nope'"),
    (["--include-children"], "--include-children needs --region"),
])
def test_export_refuses_a_filter_naming_nothing(sample_db, tmp_path, args, message):
    out = tmp_path / "x.csv"
    res = invoke("export", "--db", sample_db, "--format", "csv", "--out", out, *args)
    assert res.exit_code == 2 and message in res.output
    assert not out.exists()


def test_export_by_chinese_metric_name_and_children(sample_db, tmp_path):
    out = tmp_path / "x.jsonl"
    res = invoke("export", "--db", sample_db, "--out", out, "--metric", "参合率",
                 "--region", "湖南", "--include-children")
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["region_code"] for r in rows} == {"430000", "430481"}
    assert {r["metric"] for r in rows} == {"ncms_participation_rate"}
    pkg = json.loads((tmp_path / "x.jsonl.datapackage.json").read_text())
    assert pkg["reform"]["command"].endswith("--metric ncms_participation_rate --region 湖南 "
                                             f"--include-children --out {out}")
    res = invoke("export", "--db", sample_db, "--out", out, "--region", "湖南")
    assert {json.loads(x)["region_code"] for x in out.read_text().splitlines()} == {"430000"}


def test_diff_uses_the_same_resolver(sample_db):
    res = invoke("diff", "--db", sample_db, "衡阳县", "湖南")
    assert res.exit_code == 2 and "did you mean: 430400 湖南省衡阳市" in res.output
    res = invoke("diff", "--db", sample_db, "湖南", "襄樊", "--metric", "新农合参合率")
    assert res.exit_code == 0 and "\n参合率  " in res.output



def test_conflicts_and_plot_use_the_same_resolver(sample_db, tmp_path):
    res = invoke("conflicts", "--db", sample_db, "--region", "衡阳县")
    assert res.exit_code == 2 and "did you mean: 430400 湖南省衡阳市" in res.output
    res = invoke("conflicts", "--db", sample_db, "--metric", "新农合参合率")
    assert res.exit_code == 0, res.output
    out = tmp_path / "x.png"
    res = invoke("plot", "新农合参合率", "--db", sample_db, "--region", "衡阳县", "--out", out)
    assert res.exit_code == 2 and "did you mean: 430400 湖南省衡阳市" in res.output
    assert not out.exists()
