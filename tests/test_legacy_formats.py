"""Legacy office files (.doc, .wps, .xls) read through LibreOffice, and every file a run
meets counted (issue 17).  The files are made here, by LibreOffice, from our own text."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from extract.formats import legacy
from extract.ingest import IngestError, iter_paths, read_document

REPORT = "湘潭市2015年医改工作总结\n\n一、总体情况\n全市新农合参合率达到98.5%，人均筹资标准提高到480元。\n"
TABLE = "地区,参合率(%),人均筹资(元)\n湘潭市,98.2,480\n衡阳市,97.5,470\n"
needs_soffice = pytest.mark.skipif(legacy.soffice() is None,
                                   reason="LibreOffice not installed (scripts/setup.sh installs it)")


def make(tmp_path: Path, text: str, name: str, target: str, infilter: str | None = None) -> Path:
    """*text* written as *name* by LibreOffice (--convert-to *target*)."""
    src = tmp_path / f"src_{name}.{'csv' if infilter else 'txt'}"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "made"
    argv = [legacy.soffice(), "--headless", "--norestore",
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to", target, "--outdir", str(out), str(src)]
    subprocess.run(argv, check=True, capture_output=True, timeout=180)
    made = out / f"{src.stem}.{target}"
    final = tmp_path / name
    made.rename(final)
    return final


@pytest.fixture(scope="module")
def legacy_files(tmp_path_factory):
    if legacy.soffice() is None:
        pytest.skip("LibreOffice not installed")
    tmp = tmp_path_factory.mktemp("legacy")
    return {
        "doc": make(tmp, REPORT, "report.doc", "doc"),
        # LibreOffice writes .wps as Word 97 (what WPS Office reads and writes too)
        "wps": make(tmp, REPORT, "report.wps", "wps"),
        "xls": make(tmp, TABLE, "table.xls", "xls", infilter="CSV:44,34,76"),
        "xlsx": make(tmp, TABLE.replace(",98.2,", ",98.2%,").replace(",97.5,", ",97.5%,"),
                     "table.xlsx", "xlsx", infilter="CSV:44,34,76"),
    }


@needs_soffice
@pytest.mark.parametrize("kind", ["doc", "wps"])
def test_doc_and_wps_are_read(legacy_files, kind):
    path = legacy_files[kind]
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"    # OLE2, really legacy
    doc = read_document(path)
    assert doc.format == kind
    assert doc.text == REPORT.rstrip("\n")
    assert doc.title == "湘潭市2015年医改工作总结"


@needs_soffice
def test_xls_is_read_with_its_table(legacy_files):
    doc = read_document(legacy_files["xls"])
    assert doc.format == "xls"
    assert doc.text.splitlines() == ["地区\t参合率(%)\t人均筹资(元)", "湘潭市\t98.2\t480",
                                     "衡阳市\t97.5\t470"]
    (table,) = doc.tables
    cell = table.cell_at(1, 1)
    assert (cell.text, cell.row_header, cell.col_header) == ("98.2", "湘潭市", "参合率(%)")
    assert doc.text[cell.start:cell.end] == "98.2"


@needs_soffice
def test_a_doc_goes_through_the_pipeline(legacy_files, tmp_path):
    from extract.pipeline import process
    src = read_document(legacy_files["doc"])
    recs = {(r.metric, r.value, r.unit, r.region_code, r.year, src.text[r.start:r.end])
            for r in process(src).records}
    assert recs == {("ncms_participation_rate", 98.5, "%", "430300", 2015, "98.5%"),
                    ("per_capita_funding", 480.0, "元", "430300", 2015, "480元")}


def test_without_libreoffice_the_reason_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("REFORM_SOFFICE", "")
    for name in ("a.doc", "b.wps", "c.xls"):
        p = tmp_path / name
        p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
                      + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + b"\0" * 484)
        with pytest.raises(IngestError) as e:
            read_document(p)
        assert e.value.reason.startswith(f"install LibreOffice to read {p.suffix} files")


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"),
    (b"just some text", "corrupt .doc file: not an OLE2 compound document"),
    (b"PK\x03\x04rest", "corrupt .doc file: not an OLE2 compound document (looks like a ZIP "
                        "package (a DOCX or XLSX with the wrong suffix?))"),
])
def test_broken_legacy_files_fail_with_a_reason(tmp_path, data, reason):
    p = tmp_path / "x.doc"
    p.write_bytes(data)
    with pytest.raises(IngestError) as e:
        read_document(p)
    assert e.value.reason == reason


@needs_soffice
def test_a_damaged_ole2_file_fails_with_a_reason(tmp_path):
    p = tmp_path / "x.doc"
    magic = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    p.write_bytes(magic + os.urandom(3000))
    with pytest.raises(IngestError) as e:
        read_document(p)
    assert e.value.reason == "corrupt .doc file: damaged OLE2 header"
    # a valid header over garbage sectors: LibreOffice imports it as raw text
    p.write_bytes(magic + b"\0" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00" + os.urandom(6000))
    with pytest.raises(IngestError) as e:
        read_document(p)
    assert e.value.reason.startswith(("corrupt .doc file: LibreOffice read it as raw data",
                                      "corrupt or unreadable .doc file",
                                      "empty document"))


def test_every_file_met_is_counted_with_a_reason(tmp_path, monkeypatch):
    import conftest
    monkeypatch.setitem(sys.modules, "extract.pipeline", conftest.FAKE_PIPELINE)
    from extract.cli import reform
    c = tmp_path / "c"
    conftest.write_corpus(c, 2)
    (c / "scan.jpg").write_bytes(b"\xff\xd8\xff")
    (c / "bundle.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    (c / "README.txt").write_text("about this corpus")
    (c / ".hidden.txt").write_text("x")
    (c / "gold").mkdir()
    (c / "gold" / "r.jsonl").write_text("{}")
    (c / "old.doc").write_bytes(b"not ole")
    res = CliRunner().invoke(reform, ["run", str(c), "--db", str(tmp_path / "r.db"),
                                      "--quiet", "--workers", "1"])
    assert res.exit_code == 0, res.output
    assert "documents: 3 found, 3 read, 0 skipped (unchanged), 1 failed" in res.output
    assert f"  failed  old  {c / 'old.doc'}: corrupt .doc file: not an OLE2" in res.output
    assert ("not read: 5 other files and folders under the paths (1 README/LICENSE/COPYING "
            "file, 1 gold/ folder (not reports), 1 hidden, 1 unsupported format .jpg, "
            "1 unsupported format .zip)") in res.output
    assert f"  not read  {c / 'bundle.zip'}: unsupported format .zip" in res.output
    assert f"  not read  {c / 'scan.jpg'}: unsupported format .jpg" in res.output
    assert "README.txt:" not in res.output and "hidden.txt" not in res.output   # counted only
    skipped: list = []
    assert len(list(iter_paths([c], skipped=skipped))) == 3
    assert len(skipped) == 5


@needs_soffice
def test_a_conversion_over_its_time_limit_fails_and_leaves_no_converter(legacy_files):
    import time
    data = legacy_files["doc"].read_bytes()
    with pytest.raises(IngestError) as e:
        legacy.convert(data, "slow.doc", "docx", timeout=0.05)
    assert e.value.reason == "LibreOffice took longer than 0.05 s to convert it"
    time.sleep(0.5)

    def converters():
        out = []
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as fh:
                    if b"reform-lo-" in fh.read():
                        out.append(pid)
            except OSError:
                pass
        return out
    assert converters() == []


@needs_soffice
def test_xlsx_cells_as_displayed_go_through_the_table_reader(legacy_files):
    from extract.pipeline import process
    doc = read_document(legacy_files["xlsx"])
    assert doc.format == "xlsx"
    assert doc.text.splitlines()[1] == "湘潭市\t98.20%\t480"      # the cell's percent format
    recs = sorted((r.metric, r.value, r.unit, r.region_code, doc.text[r.start:r.end])
                  for r in process(doc).records)
    assert recs == [("ncms_participation_rate", 97.5, "%", "430400", "97.50%"),
                    ("ncms_participation_rate", 98.2, "%", "430300", "98.20%"),
                    ("per_capita_funding", 470.0, "元", "430400", "470"),
                    ("per_capita_funding", 480.0, "元", "430300", "480")]


def test_a_legacy_xls_named_xlsx(tmp_path):
    p = tmp_path / "t.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(IngestError) as e:
        read_document(p)
    assert e.value.reason == ("corrupt .xlsx file: not a ZIP package (a legacy .xls with the "
                              "wrong suffix?)")
