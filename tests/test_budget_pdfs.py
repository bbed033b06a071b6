"""Department budgets (部门预算) as PDF: ruled tables read through their cells.

The two budgets of corpus/ are made by scripts/build_budget_pdfs.py: two- and three-row
headers with merged cells, labels wrapped inside their cell, a unit in a header cell that
wraps before 万元）, empty cells, a performance-target table under a form, an item's amount on
the line below its name, a running header that repeats the title and page numbers.
"""
import sys
from pathlib import Path

import pytest

from extract.evaluate import extract_corpus, load_gold, score
from extract.ingest import read_document
from extract.pipeline import process

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import build_budget_pdfs  # noqa: E402

STEMS = [b["stem"] for b in build_budget_pdfs.BUDGETS]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The PDFs built afresh, so that the test reads what the script makes today."""
    out = tmp_path_factory.mktemp("budgets")
    build_budget_pdfs.main(["x", str(out)])
    return out


@pytest.mark.parametrize("stem", STEMS)
def test_pdf_reads_as_its_reference_text(built, stem):
    doc = read_document(built / f"{stem}.pdf")
    ref = (built / "sources" / f"{stem}.source").read_text(encoding="utf-8")
    assert doc.text == ref.rstrip("\n")
    # the committed reference text is the one the script writes
    assert (ROOT / "corpus" / "sources" / f"{stem}.source").read_text(encoding="utf-8") == ref
    for t in doc.tables:
        for c in t.cells:
            assert doc.text[c.start:c.end] == c.text


def test_cells_keep_wrapped_labels_split_units_and_empty_positions(built):
    doc = read_document(built / "meishan_yibaoju_yusuan_2025.pdf")
    spending, projects, form, targets = doc.tables
    assert (spending.n_rows, spending.n_cols, spending.header_rows) == (11, 5, 2)
    label = spending.cell_at(5, 1)
    assert label.text == "财政对城乡居民基本医疗保险基金的补助"        # wrapped in its cell
    total = spending.cell_at(5, 2)
    assert (total.text, total.col_header, total.row_header) == ("2450.00", "合计", "2101202")
    assert spending.cell_at(0, 0).colspan == 2 and spending.cell_at(0, 2).rowspan == 2
    assert projects.cell_at(0, 2).text == "专项资金安排情况（万元）"  # wraps before 万元）
    empty, figure = projects.cell_at(3, 1), projects.cell_at(3, 2)
    assert (empty.text, figure.text) == ("", "150.00")             # nothing slides left
    assert figure.col_header == "专项资金安排情况（万元）"
    assert form.n_rows == 2 and targets.cell_at(0, 3).text == "指标值"
    assert targets.cell_at(1, 3).row_header == "产出指标"
    # the title under the running header that repeats it is kept; the header and — n — not
    assert doc.text.startswith("眉山市医疗保障局2025年部门预算\n第一部分")
    assert doc.text.count("眉山市医疗保障局2025年部门预算") == 1 and "— 1 —" not in doc.text
    # an item's amount printed on the line under its name is one sentence with it
    assert "1.城乡居民基本医疗保险市级财政补助资金2450.00万元，用于" in doc.text


def test_budget_records(built):
    doc = read_document(built / "meishan_yibaoju_yusuan_2025.pdf")
    recs = process(doc).records
    table = sorted((r.metric, r.kind, r.value, r.qualifier, r.table_row, r.table_col)
                   for r in recs if r.source == "table")
    assert ("government_investment", "target", 24500000.0, None, 5, 2) in table
    # 合计 2450.00 = 项目支出 2450.00 with 基本支出 empty: one record for the row
    assert not any(t[2] == 24500000.0 and t[4] == 5 and t[5] == 4 for t in table)
    # the 卫生健康支出 row fills both columns: three records
    assert [t[2] for t in table if t[4] == 4 and t[0] == "government_investment"] == [3958000.0, 30700000.0, 34658000.0]
    # thresholds of the 绩效目标表 are targets at least that value
    assert ("insurance_coverage_rate", "target", 95.0, "at_least", 1, 3) in table
    assert ("individual_contribution", "target", 400.0, "at_least", 5, 3) in table
    # 行政运行, 住房公积金, the 合计 row and the form's text are no records
    assert not any(t[4] in (3, 7, 8, 9, 10) for t in table if t[0] == "government_investment"
                   and t[2] in (3958000.0, 883000.0, 37902000.0, 2361000.0))
    # the explanation's amounts are planned: targets
    text = [r for r in recs if r.source != "table" and r.unit == "元" and r.kind != "change"]
    assert text and all(r.kind == "target" for r in text)


def test_budget_pdfs_score_against_their_gold():
    gold = load_gold(ROOT / "corpus" / "gold")
    for stem in STEMS:
        preds, _ = extract_corpus(ROOT / "corpus" / f"{stem}.pdf")
        s = score({stem: gold[stem]}, preds)
        p, r, f = s.prf
        assert s.gold >= 12 and f >= 0.95, (stem, p, r, f)
