"""`reform inspect FILE`: the text and the tables as the extractor reads them."""
from pathlib import Path

from click.testing import CliRunner

from extract.cli import reform

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def test_inspect_prints_text_tables_and_labels():
    res = CliRunner().invoke(reform, ["inspect", str(CORPUS / "meishan_yibaoju_yusuan_2025.pdf")])
    assert res.exit_code == 0, res.output
    out = res.output
    assert "format: pdf" in out and "tables: 4" in out
    # the text with its line numbers; table rows show their cells apart
    assert "1.城乡居民基本医疗保险市级财政补助资金2450.00万元，用于" in out
    assert "2101202 | 财政对城乡居民基本医疗保险基金的补助 | 2450.00 |  | 2450.00" in out
    # each figure cell with the labels it is read through
    assert "r5c2 '2450.00'  column: 合计  row: 2101202" in out
    assert "caption: 第二部分2025年部门预算表 / 表3一般公共预算支出预算表 / 单位:万元" in out
    assert "header: 科目 (r0c0 span 1x2) | 合计 (r0c2 span 2x1)" in out


def test_inspect_records_and_no_text():
    res = CliRunner().invoke(reform, ["inspect", "--records", "--no-text",
                                      str(CORPUS / "meishan_yibaoju_yusuan_2025.pdf")])
    assert res.exit_code == 0, res.output
    assert "## text" not in res.output
    assert "'≥95%'" in res.output
    assert "'95%'          insurance_coverage_rate target 95.0 % at_least  四川省眉山市 2025  [table r1c3]" \
        in res.output


def test_inspect_names_an_unreadable_file(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    res = CliRunner().invoke(reform, ["inspect", str(bad)])
    assert res.exit_code == 1
    assert "bad.pdf: corrupt PDF: no %PDF header" in res.output
