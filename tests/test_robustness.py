"""Hostile inputs through the real pipeline (docs/LIMITS.md says what happens to each).

A bad file fails alone, with a one-line reason naming it, in the run summary and in
``documents.status``/``error``; an odd but readable file is stored with records whose text
is found at their offsets; and one batch of the sample corpus with every bad input exits 0
with each good document stored exactly as a clean run stores it.

Inputs already checked one by one at the reader level (tests/test_ingest_*.py: empty,
binary, no text layer, encrypted, corrupt DOCX, permission denied) are only part of the
batch here; the ones below get a test of their own. Large inputs are generated: the
200 MB file is sparse, the zip bomb is inflated from zeros.
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from conftest import table_rows, without_file_permission_override
from extract import pipeline, runner
from extract.cli import reform
from extract.ingest import MAX_BYTES, IngestError, iter_paths, read_document
from extract.pipeline import process

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
ENV = {**os.environ, "PYTHONPATH": str(REPO)}

SENTENCE = "2019年全县新农合参合率达到98.5%，人均筹资标准为每人每年350元，住院补偿比例提高到65%。"
SENTENCE_RECORDS = [("ncms_participation_rate", 98.5), ("per_capita_funding", 350.0),
                    ("reimbursement_ratio", 65.0)]
REPORT = "余干县2019年新农合工作总结\n" + SENTENCE + "\n"
SQL_NAME = "医改 报告 '); DROP TABLE metrics; --"     # Chinese, spaces and SQL in a file name

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


# ---- the catalogue: name -> writer(folder) -> path ----------------------------------

def _bytes(name, data):
    def write(folder):
        p = folder / name
        p.write_bytes(data)
        return p
    return write


def _truncated(folder):
    p = folder / "truncated.txt"
    data = (REPORT * 20).encode()
    p.write_bytes(data[:-2])          # without the newline and the last byte of 。
    return p


def _mixed(folder):
    p = folder / "mixed.txt"
    p.write_bytes("第一行UTF-8：全县新农合参合率达到95%。\n".encode()
                  + "第二行GB18030：住院补偿比达到65%。\n".encode("gb18030")
                  + REPORT.encode())
    return p


def _huge(folder):
    """200 MB, sparse: a report line, then holes (NUL bytes) that cost no disk or time."""
    p = folder / "huge.txt"
    with open(p, "wb") as fh:
        fh.write(REPORT.encode())
        fh.truncate(200_000_000)
    return p


def _long_line(folder):
    """About 1 MB of report sentences on one line: no line break anywhere."""
    p = folder / "long_line.txt"
    n = 1_000_000 // len(SENTENCE.encode())
    p.write_text(SENTENCE * n, encoding="utf-8")
    return p


SCRIPT_JUNK = ("<script>document.write('参合率61%');var x='<p>住院补偿比62%</p>';</script>"
               "<style>p{color:red} .a:after{content:'参合率63%'}</style>"
               "<noscript>请开启JavaScript</noscript>")


def _scripts(folder):
    p = folder / "scripts.html"
    p.write_text("<html><head><title>报告</title>" + SCRIPT_JUNK * 2000 + "</head><body>"
                 + SCRIPT_JUNK * 2000 + f"<p>{SENTENCE}</p>" + SCRIPT_JUNK * 2000
                 + "</body></html>", encoding="utf-8")
    return p


def _scripts_only(folder):
    p = folder / "scripts_only.html"
    p.write_text("<html><head>" + SCRIPT_JUNK * 50 + "</head><body>" + SCRIPT_JUNK * 50
                 + "</body></html>", encoding="utf-8")
    return p


def _scan(folder):
    p = folder / "scan.pdf"
    c = canvas.Canvas(str(p))
    c.rect(50, 50, 300, 400, fill=1)        # a scanned page: an image, no text
    c.showPage()
    c.save()
    return p


def _encrypted(folder):
    p = folder / "encrypted.pdf"
    c = canvas.Canvas(str(p), encrypt="s3cret")
    c.setFont("STSong-Light", 12)
    c.drawString(60, 700, SENTENCE)
    c.showPage()
    c.save()
    return p


def _corrupt_docx(folder):
    d = docx.Document()
    d.add_paragraph(SENTENCE)
    d.save(folder / "whole.docx")
    data = (folder / "whole.docx").read_bytes()
    (folder / "whole.docx").unlink()
    p = folder / "corrupt.docx"
    p.write_bytes(data[: len(data) // 2])   # an interrupted download
    return p


BOMB_BLOCKS = MAX_BYTES // (1 << 20) + 50      # MiB of zeros, 50 MiB past the limit


def _zip_bomb(folder):
    """A DOCX whose document.xml inflates 1000:1 past the size limit (~150 KB -> 150 MB)."""
    p = folder / "bomb.docx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b"\0" * (1 << 20)
            for _ in range(BOMB_BLOCKS):
                fh.write(block)
    return p


def _zip(folder):
    p = folder / "reports.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("report.txt", REPORT)
    return p


def _symlink_loop(folder):
    a, b = folder / "loop_a.txt", folder / "loop_b.txt"
    a.symlink_to(b.name)
    b.symlink_to(a.name)
    return a


def _broken_link(folder):
    p = folder / "broken_link.txt"
    p.symlink_to("gone.txt")
    return p


def _unreadable(folder):
    p = folder / "unreadable.txt"
    p.write_text(REPORT, encoding="utf-8")
    p.chmod(0)
    return p


def _locked_folder(folder):
    p = folder / "locked_folder"
    p.mkdir()
    (p / "inside.txt").write_text(REPORT, encoding="utf-8")
    p.chmod(0)
    return p


def _sql_name(folder):
    sub = folder / "县 级 报告"
    sub.mkdir()
    p = sub / f"{SQL_NAME}.txt"
    p.write_text(REPORT, encoding="utf-8")
    return p


# name -> (writer, reason the run gives, or None for a document that is stored)
CATALOGUE = {
    "empty": (_bytes("empty.txt", b""), "empty file"),
    "blank": (_bytes("blank.txt", " \r\n\t \n\u3000\u3000\r\n".encode()), "empty file"),
    "binary": (_bytes("binary.txt", bytes(range(256)) * 64), "binary file, not text"),
    "truncated": (_truncated, "truncated UTF-8: the file ends inside a character"),
    "mixed": (_mixed, None),
    "huge": (_huge, f"file too large: 200000000 bytes, limit {MAX_BYTES} (--max-bytes)"),
    "long_line": (_long_line, None),
    "scripts": (_scripts, None),
    "scripts_only": (_scripts_only, "no visible text in HTML"),
    "scan": (_scan, "no text layer; OCR not supported"),
    "encrypted": (_encrypted, "encrypted PDF"),
    "corrupt": (_corrupt_docx, "corrupt DOCX: "),
    "bomb": (_zip_bomb, "DOCX unpacks to "),
    "reports": (_zip, "unsupported format '.zip'"),
    "loop_a": (_symlink_loop, "symlink loop"),
    "broken_link": (_broken_link, "broken symlink"),
    "unreadable": (_unreadable, "permission denied"),
    "locked_folder": (_locked_folder, "permission denied (folder)"),
    SQL_NAME: (_sql_name, None),
}
# not found by walking a folder (unsupported suffix, a link that leads nowhere): named
NAMED = {"reports", "loop_a", "broken_link"}


def _fails(path, reason):
    with pytest.raises(IngestError) as ei:
        read_document(path)
    assert reason in ei.value.reason
    assert str(ei.value) == f"{path}: {ei.value.reason}" and "\n" not in str(ei.value)


def _check_records(text, records, expected_per_sentence, n_sentences):
    assert [(r.metric, r.value) for r in records] == expected_per_sentence * n_sentences
    for r in records:
        assert text[r.start:r.end] == r.text


# ---- one test per input not covered at the reader level ---------------------------

def test_truncated_utf8_names_the_cut(tmp_path):
    p = _truncated(tmp_path)
    size = p.stat().st_size
    # 。 is three bytes in UTF-8: its first two are the file's last
    _fails(p, f"truncated UTF-8: the file ends inside a character (byte {size - 2} of {size})")


def test_gb18030_and_utf8_lines_in_one_file_are_both_read(tmp_path):
    src = read_document(_mixed(tmp_path))
    assert src.encoding == "mixed(utf-8,gb18030)"
    assert src.text.startswith("第一行UTF-8：全县新农合参合率达到95%。\n第二行GB18030：住院补偿比达到65%。\n")
    recs = process(src).records
    assert [(r.metric, r.value) for r in recs][:2] == [("ncms_participation_rate", 95.0),
                                                       ("reimbursement_ratio", 65.0)]
    for r in recs:
        assert src.text[r.start:r.end] == r.text


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, monkeypatch):
    p = _huge(tmp_path)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read a 200 MB file"))
    _fails(p, CATALOGUE["huge"][1])


def test_max_bytes_is_a_setting_of_reform_run(tmp_path):
    p = tmp_path / "report.txt"
    p.write_text(REPORT, encoding="utf-8")
    size = p.stat().st_size
    db = tmp_path / "r.db"
    res = CliRunner().invoke(reform, ["run", str(p), "--db", str(db), "--workers", "1",
                                      "--quiet", "--max-bytes", str(size - 1)])
    assert res.exit_code == 0, res.output
    assert f"failed  report  {p}: file too large: {size} bytes, limit {size - 1}" in res.output
    res = CliRunner().invoke(reform, ["run", str(p), "--db", str(db), "--workers", "1",
                                      "--quiet", "--max-bytes", str(size)])
    assert "1 read, 0 skipped (unchanged), 0 failed" in res.output
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status, n_records FROM documents").fetchall() == [("ok", 3)]
    assert json.loads(conn.execute("SELECT options FROM runs WHERE run_id = 1").fetchone()[0]
                      )["max_bytes"] == size - 1


def test_a_one_megabyte_line_is_read_whole(tmp_path):
    src = read_document(_long_line(tmp_path))
    n = len(src.text) // len(SENTENCE)
    assert "\n" not in src.text and len(src.text.encode()) > 990_000
    _check_records(src.text, process(src).records, SENTENCE_RECORDS, n)


def test_a_long_line_without_sentence_marks_is_linked_in_windows():
    # no 。！？； anywhere: one "sentence" of 150k characters, linked in bounded windows
    unit = "全县新农合参合率达到98.5%，"
    text = unit * (150_000 // len(unit))
    from extract.ingest import SourceDoc
    src = SourceDoc(doc_id="x", path="x.txt", text=text, format="txt", encoding="utf-8",
                    sha256="0")
    recs = process(src).records
    _check_records(text, recs, [("ncms_participation_rate", 98.5)], len(text) // len(unit))
    assert max(len(r.snippet) for r in recs) <= pipeline.MAX_SENTENCE


def test_html_full_of_scripts_and_styles_keeps_only_visible_text(tmp_path):
    p = _scripts(tmp_path)
    assert p.stat().st_size > 1_000_000
    src = read_document(p)
    assert src.text == SENTENCE
    _check_records(src.text, process(src).records, SENTENCE_RECORDS, 1)
    _fails(_scripts_only(tmp_path), "no visible text in HTML")


def test_deeply_nested_html_keeps_its_text(tmp_path):
    # libxml2 stops at depth 256 unless told otherwise: all text after it was lost
    p = tmp_path / "nested.html"
    p.write_text("<html><body>" + "<div>" * 1000 + "<p>概况</p>" + "</div>" * 1000
                 + f"<p>{SENTENCE}</p></body></html>", encoding="utf-8")
    assert read_document(p).text == SENTENCE


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path, monkeypatch):
    p = _zip_bomb(tmp_path)
    assert p.stat().st_size < MAX_BYTES // 200
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: pytest.fail("inflated"))
    _fails(p, f"DOCX unpacks to {(BOMB_BLOCKS << 20) + len('<Types/>')} bytes, "
              f"limit {MAX_BYTES} (--max-bytes)")


def test_archives_are_refused_when_named_and_ignored_in_folders(tmp_path):
    p = _zip(tmp_path)
    _fails(p, "unsupported format '.zip' (supported: .doc .docx .et .htm .html .md .pdf "
              ".shtml .text .txt .wps .xls .xlsx)")
    assert list(iter_paths(tmp_path)) == []


def test_symlink_loops(tmp_path):
    a = _symlink_loop(tmp_path)
    _fails(a, "symlink loop")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to("..")
    (tmp_path / "sub" / "r.txt").write_text(REPORT, encoding="utf-8")
    # walking: the folder loop ends, the looping file links are skipped like broken ones
    assert list(iter_paths(tmp_path)) == [tmp_path / "sub" / "r.txt"]


def test_chinese_spaces_and_sql_in_a_path(tmp_path):
    p = _sql_name(tmp_path)
    src = read_document(p)
    assert (src.doc_id, src.path) == (SQL_NAME, str(p))


# ---- everything at once --------------------------------------------------------------



@pytest.fixture
def hostile(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(CORPUS, folder / "corpus")
    bad = folder / "bad"
    bad.mkdir()
    (bad / "loop").symlink_to("..")                     # a folder loop inside the walk
    paths = {name: write(bad) for name, (write, _) in CATALOGUE.items()}
    yield folder, paths
    paths["unreadable"].chmod(0o644)
    paths["locked_folder"].chmod(0o755)


def test_sample_corpus_plus_every_bad_input_in_one_batch(hostile, tmp_path):
    folder, paths = hostile
    db = tmp_path / "db" / "reform.db"
    argv = [*without_file_permission_override(), sys.executable, "-c",
            "from extract.cli import main; main()", "run", str(folder),
            *(str(paths[n]) for n in sorted(NAMED)), "--db", str(db), "--workers", "2",
            "--quiet"]
    res = subprocess.run(argv, env=ENV, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr

    good = [p for p in iter_paths(folder / "corpus")] + \
        [paths[n] for n, (_, reason) in CATALOGUE.items() if reason is None]
    bad = {n: reason for n, (_, reason) in CATALOGUE.items() if reason is not None}
    n = len(good) + len(bad)
    assert f"documents: {n} found, {n} read, 0 skipped (unchanged), {len(bad)} failed" \
        in res.stdout
    failed = [ln for ln in res.stdout.splitlines() if ln.startswith("  failed  ")]
    assert len(failed) == len(bad), res.stdout
    for name, reason in bad.items():
        assert any(ln.startswith(f"  failed  {name}  {paths[name]}: ") and reason in ln
                   for ln in failed), (name, res.stdout)

    conn = sqlite3.connect(db)
    rows = {d: (s, e) for d, s, e in conn.execute("SELECT doc_id, status, error FROM documents")}
    assert set(rows) == {p.stem for p in good} | set(bad)
    for name, reason in bad.items():
        status, error = rows[name]
        assert status == "failed" and reason in error and "\n" not in error
    assert all(rows[p.stem] == ("ok", None) for p in good)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()

    # every good document is stored exactly as a run of the good documents alone stores it
    clean = tmp_path / "clean.db"
    runner.run(good, clean, workers=2, quiet=True)
    assert [r for r in table_rows(db, "documents") if rows[r[0]][0] == "ok"] == \
        table_rows(clean, "documents")
    for table in ("metrics", "articles", "sections"):
        assert table_rows(db, table) == table_rows(clean, table), table
