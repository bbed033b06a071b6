"""`reform export`: every format and layout reads back with pandas, with its codebook."""
from __future__ import annotations

import json
import math

import pandas as pd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from extract.cli import reform
from extract.export import LONG_COLUMNS, stata_names
from extract.model import record_id
from test_diff import build_sample_db

FORMATS = ("csv", "parquet", "dta", "xlsx", "jsonl")
# the panel of the sample database: (region_code, year) -> {metric: value}
PANEL = {
    ("420600", 2010): {"insured_persons": 685000.0, "ncms_participation_rate": 92.0,
                       "per_capita_funding": 140.0, "outpatient_visits": 1.5e6},
    ("420600", 2011): {"ncms_participation_rate": 94.0},
    ("430000", 2010): {"insured_persons": 1.18e6, "ncms_participation_rate": 96.0,
                       "per_capita_funding": 150.0, "hospital_beds": 20000.0},
    ("430481", 2010): {"ncms_participation_rate": 99.0, "family_doctor_signing_rate": 30.0},
    ("520222", 2016): {"ncms_participation_rate": 97.0},
    ("520281", 2016): {"hospital_beds": 1200.0},
}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    return build_sample_db(tmp_path_factory.mktemp("export") / "reform.db")


def run_export(db, out, *args):
    res = CliRunner().invoke(reform, ["export", "--db", str(db), "--out", str(out), *args])
    assert res.exit_code == 0, res.output
    return res


def read_back(path, fmt):
    if fmt == "csv":
        return pd.read_csv(path, dtype={"region_code": str, "doc_sha256": str})
    if fmt == "parquet":
        return pd.read_parquet(path)
    if fmt == "dta":
        return pd.read_stata(path)
    if fmt == "xlsx":
        return pd.read_excel(path, dtype={"region_code": str, "doc_sha256": str})
    return pd.read_json(path, lines=True, dtype={"region_code": str})


def _norm(v):
    """One cell compared across formats: missing (NaN, None, "") is None, 0/1 are bools."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v == "":
        return None
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and float(v).is_integer():
        return int(v)
    return v.item() if hasattr(v, "item") else v


def long_rows(df, names=None):
    cols = ["doc", "metric", "kind", "value", "unit", "qualifier", "region_code", "year",
            "masked", "text", "start", "end", "snippet", "section", "doc_date", "record_id"]
    names = names or {c: c for c in cols}
    out = []
    for _, r in df.iterrows():
        row = tuple(_norm(r[names[c]]) for c in cols)
        out.append(tuple(bool(x) if c == "masked" else x for c, x in zip(cols, row)))
    return out


EXPECTED_FIRST = ("hn_2010", "ncms_participation_rate", "level", 95.5, "%", None, "430000",
                  2010, False, "95.5%", 26, 31, "全省新农合参合率达到95.5%。", "一、总体情况",
                  "2011-01-10", record_id("hn_2010", 26, 31, "ncms_participation_rate", "level"))


@pytest.mark.parametrize("fmt", FORMATS)
def test_long_layout_reads_back_with_the_same_rows(sample_db, tmp_path, fmt):
    out = tmp_path / f"records.{fmt}"
    res = run_export(sample_db, out, "--format", fmt)
    assert "16 records" in res.output
    df = read_back(out, fmt)
    pkg = json.loads((tmp_path / f"records.{fmt}.datapackage.json").read_text("utf-8"))
    fields = pkg["resources"][0]["schema"]["fields"]
    # the codebook names every column, in order
    assert [f["name"] for f in fields] == list(df.columns)
    assert all(f["description"] for f in fields)
    if fmt == "jsonl":       # the RECORDS.md lines of the jsonl writer
        assert list(df.columns)[:3] == ["doc", "metric", "kind"] and "snippet" in df.columns
        assert len(df) == 16 and df["value"].tolist()[:3] == [95.5, 1.2e6, 1.18e6]
        return
    names = {f.get("original_name", f["name"]): f["name"] for f in fields}
    if fmt == "dta":
        assert names["end"] == "end_" and pkg["reform"]["column_names"]["end"] == "end_"
    else:
        assert list(df.columns) == LONG_COLUMNS
    rows = long_rows(df, names)
    assert len(rows) == 16
    assert rows[0] == EXPECTED_FIRST
    assert [r[9] for r in rows[:4]] == ["95.5%", "120万人", "118万人", "150元"]
    assert rows[1][5] == "approx"
    # the same rows as the csv export, whatever the format
    csv_out = tmp_path / "ref.csv"
    run_export(sample_db, csv_out, "--format", "csv")
    assert rows == long_rows(read_back(csv_out, "csv"))


def panel_cells(df, names=None):
    names = names or {}
    n = lambda c: names.get(c, c)   # noqa: E731
    from extract.codebook import metric_defs
    metrics = [c for c in (names or {c: c for c in df.columns})
               if c.split("__")[0] in metric_defs() and not c.endswith(
                   ("_record_id", "_doc", "_sentence", "_n", "_conflict"))]
    cells = {}
    for _, r in df.iterrows():
        key = (str(r[n("region_code")]), int(r[n("year")]))
        cells[key] = {m: float(r[n(m)]) for m in metrics if _norm(r[n(m)]) is not None}
    return cells


@pytest.mark.parametrize("fmt", FORMATS)
def test_panel_layout(sample_db, tmp_path, fmt):
    out = tmp_path / f"panel.{fmt}"
    res = run_export(sample_db, out, "--format", fmt, "--layout", "panel")
    assert "6 rows" in res.output
    df = read_back(out, fmt)
    pkg = json.loads((tmp_path / f"panel.{fmt}.datapackage.json").read_text("utf-8"))
    fields = pkg["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == list(df.columns)
    names = {f.get("original_name", f["name"]): f["name"] for f in fields}
    assert list(names)[:3] == ["region_code", "region", "year"]
    # one column per metric, all of them; beside each filled one its provenance
    assert len(names) == 3 + 30 + 5 * 6
    # 湖南 2010: two documents disagree; the later one's 96% is chosen and flagged
    hn = df[df[names["region_code"]].astype(str) == "430000"].iloc[0]
    assert hn[names["ncms_participation_rate_record_id"]] == record_id(
        "hn_2011", 23, 26, "ncms_participation_rate", "level")
    assert hn[names["ncms_participation_rate_doc"]] == "hn_2011"
    assert hn[names["ncms_participation_rate_sentence"]] == "2010年参合率为96%。"
    assert int(hn[names["ncms_participation_rate_n"]]) == 2
    assert bool(hn[names["ncms_participation_rate_conflict"]]) is True
    assert bool(hn[names["per_capita_funding_conflict"]]) is False
    assert "1 records are not in the panel: 1 kind target" in res.output
    assert panel_cells(df, names) == PANEL
    region = names["region"]
    assert df[region].tolist() == ["湖北省襄阳市", "湖北省襄阳市", "湖南省", "湖南省衡阳市耒阳市",
                                   "贵州省六盘水市盘县", "贵州省六盘水市盘州市"]
    ncms = next(f for f in fields if f.get("original_name", f["name"]) ==
                "ncms_participation_rate")
    assert ncms["title"] == "参合率" and ncms["unit"] == "%"
    assert "share of the rural population enrolled in the NCMS" in ncms["description"]
    assert pkg["resources"][0]["schema"]["primaryKey"] == \
        [names["region_code"], names["year"]]
    assert "latest document date" in pkg["resources"][0]["description"]


def test_filters_resolve_regions_like_diff(sample_db, tmp_path):
    out = tmp_path / "f.csv"
    run_export(sample_db, out, "--format", "csv", "--region", "襄樊", "--year", "2010")
    df = read_back(out, "csv")
    assert df["text"].tolist() == ["92%", "140元", "68.5万人", "150万人次"]
    run_export(sample_db, out, "--format", "csv", "--region", "盘州")   # former code too
    assert read_back(out, "csv")["region_code"].tolist() == ["520222", "520281"]
    run_export(sample_db, out, "--format", "csv", "--layout", "panel", "--region", "湖南",
               "--metric", "ncms_participation_rate")
    df = read_back(out, "csv")
    assert list(df.columns) == ["region_code", "region", "year", "ncms_participation_rate",
                                *(f"ncms_participation_rate_{p}" for p in
                                  ("record_id", "doc", "sentence", "n", "conflict"))]
    assert df.values.tolist() == [["430000", "湖南省", 2010, 96.0,
                                   record_id("hn_2011", 23, 26, "ncms_participation_rate",
                                             "level"), "hn_2011", "2010年参合率为96%。", 2, True]]
    pkg = json.loads((tmp_path / "f.csv.datapackage.json").read_text("utf-8"))
    assert pkg["reform"]["filters"] == {"region": "湖南", "metric": "ncms_participation_rate"}
    assert pkg["reform"]["command"] == (
        f"reform export --db {sample_db} --format csv --layout panel --region 湖南 "
        f"--metric ncms_participation_rate --out {out}")
    # a region that names nothing is refused (exit 2), not an empty file (issue 17)
    res = CliRunner().invoke(reform, ["export", "--db", str(sample_db), "--out", str(out),
                                      "--format", "csv", "--region", "'); DROP TABLE metrics; --"])
    assert res.exit_code == 2 and "unknown region" in res.output
    assert len(read_back(out, "csv")) == 1          # the previous export is untouched


def test_codebook_markdown_and_metadata(sample_db, tmp_path):
    out = tmp_path / "r.dta"
    run_export(sample_db, out, "--format", "dta")
    md = (tmp_path / "r.dta.codebook.md").read_text("utf-8")
    pkg = json.loads((tmp_path / "r.dta.datapackage.json").read_text("utf-8"))
    for f in pkg["resources"][0]["schema"]["fields"]:
        assert f"| {f['name']} | {f['original_name']} | {f['type']} |" in md
    assert "| ncms_participation_rate | 参合率 | % | 0–100 | share of the rural population" in md
    assert "made by: `reform export --db" in md and "extractor version: reform-extract" in md
    assert pkg["reform"]["extractor_version"].startswith("reform-extract ")
    assert len(pkg["reform"]["metrics"]) == 30
    # Stata variable labels carry the descriptions
    with pd.io.stata.StataReader(out) as rd:
        labels = rd.variable_labels()
    assert labels["metric_zh"] == "the metric's Chinese name"


def test_parquet_and_xlsx_carry_the_codebook(sample_db, tmp_path):
    run_export(sample_db, tmp_path / "r.parquet", "--format", "parquet")
    meta = pq.read_schema(tmp_path / "r.parquet").metadata[b"reform.datapackage"]
    fields = json.loads(meta)["resources"][0]["schema"]["fields"]
    assert [f["name"] for f in fields] == LONG_COLUMNS
    assert pq.read_schema(tmp_path / "r.parquet").field("year").type == "int64"
    run_export(sample_db, tmp_path / "r.xlsx", "--format", "xlsx")
    book = pd.read_excel(tmp_path / "r.xlsx", sheet_name=None)
    assert list(book) == ["records", "codebook", "metrics"]
    assert book["codebook"]["column"].tolist() == LONG_COLUMNS
    assert book["metrics"]["zh"].tolist()[:2] == ["参保人数", "参保率"]


def test_stdout_and_binary_formats(sample_db, tmp_path):
    res = CliRunner().invoke(reform, ["export", "--db", str(sample_db), "--format", "csv",
                                      "--year", "2011"])
    assert res.exit_code == 0
    assert res.stdout.splitlines()[0].split(",")[:3] == ["doc", "metric", "kind"]
    assert len(res.stdout.splitlines()) == 2
    res = CliRunner().invoke(reform, ["export", "--db", str(sample_db), "--format", "parquet"])
    assert res.exit_code == 2 and "give --out FILE" in res.output
    assert not list(tmp_path.iterdir())


def test_stata_names():
    names = stata_names(["end", "in", "参合率", "1st", "a" * 40, "a" * 40 + "b", "ok_name"])
    assert names == {"end": "end_", "in": "in_", "参合率": "___", "1st": "v1st",
                     "a" * 40: "a" * 32, "a" * 40 + "b": "a" * 30 + "_2", "ok_name": "ok_name"}
    assert all(len(v) <= 32 and v.isascii() for v in names.values())


def test_datasette_metadata_is_current_and_matches_the_schema(sample_db):
    from extract.codebook import METADATA_PATH, datasette_metadata
    from extract.store import TABLES, open_readonly
    shipped = json.loads(METADATA_PATH.read_text("utf-8"))
    assert shipped == datasette_metadata(), "run: python -m extract.codebook > " \
                                            "extract/data/metadata.json"
    db = shipped["databases"]["reform"]
    conn = open_readonly(sample_db)
    for table, meta in db["tables"].items():
        cols = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
        assert cols, f"no table {table}"
        assert set(meta.get("columns", {})) <= cols, table
    assert set(TABLES) <= set(db["tables"])
    # every table column of the schema is described
    for table, spec in TABLES.items():
        assert set(spec["columns"]) - {"id", "doc_id", "run_id"} <= \
            set(db["tables"][table]["columns"]) | {"doc_id"}, table
    assert "ncms_participation_rate = 参合率 (%)" in db["tables"]["metrics"]["description"]
    # the canned queries run on a real database
    named = conn.execute(db["queries"]["records_named"]["sql"]).fetchall()
    assert len(named) == 16 and named[0][2] == "参保人数"
    one = conn.execute(db["queries"]["region_metric"]["sql"], {"code": "420600"}).fetchall()
    assert [r[6] for r in one] == ["68.5万人", "92%", "94%", "150万人次", "140元"]
    assert conn.execute(db["queries"]["failed_documents"]["sql"]).fetchall() == [
        ("broken<1>", "/corpus/broken<1>.pdf", "no text layer; OCR not supported <script>")]


def test_awkward_values_survive_every_format(tmp_path):
    """A masked value, a range, a control character from a PDF and a sentence longer
    than Stata's 2045-byte str limit."""
    from types import SimpleNamespace

    from extract.model import DocResult, Record
    from extract.store import Store
    long_sentence = "住院补偿" * 200 + "达到**万人。"          # 2,400 bytes in UTF-8
    text = "表\x0b1 参合率50~70%。" + long_sentence
    recs = [Record(doc="odd", metric="ncms_participation_rate", kind="level", value=50.0,
                   value_high=70.0, unit="%", qualifier=None, region=None, region_code=None,
                   year=None, masked=False, suspect=False, text="50~70%", start=8, end=14,
                   snippet="表\x0b1 参合率50~70%。"),
            Record(doc="odd", metric="ncms_enrollees", kind="level", value=None,
                   value_high=None, unit="人", qualifier=None, region="湖南省",
                   region_code="430000", year=2010, masked=True, suspect=False, text="**万人",
                   start=text.index("**"), end=text.index("**") + 4, snippet=long_sentence)]
    store = Store(tmp_path / "odd.db")
    store.ensure_schema()
    store.save(DocResult(src=SimpleNamespace(doc_id="odd", path="odd.pdf", text=text,
                                             format="pdf", encoding=None, title=None,
                                             sha256="1" * 64, tables=[]), records=recs))
    store.close()
    for fmt in FORMATS:
        out = tmp_path / f"odd.{fmt}"
        run_export(tmp_path / "odd.db", out, "--format", fmt)
        df = read_back(out, fmt)
        first, second = df.iloc[0], df.iloc[1]
        assert (first["value"], first["value_high"]) == (50.0, 70.0), fmt
        assert math.isnan(second["value"]) and bool(second["masked"]), fmt
        assert second["snippet"] == long_sentence, fmt
        expected = "表\ufffd1 参合率50~70%。" if fmt == "xlsx" else "表\x0b1 参合率50~70%。"
        assert first["snippet"] == expected, fmt
        assert _norm(first["region_code"]) is None and _norm(first["year"]) is None, fmt
