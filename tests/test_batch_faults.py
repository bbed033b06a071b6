"""Batch, file-name and database faults (issue 18; docs/LIMITS.md, "Robustness catalogue").

Each fault is put in a batch beside good documents: the batch goes on, the good documents
are stored exactly as a run of them alone stores them, and a rerun after the fault is gone
ends with the records of a clean run.  The pipeline is `conftest.fake_process` (one record
per "NN%") except where the real one is the point.
"""
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import fake_process, reform_argv, table_rows, write_corpus
from extract import runner
from extract.runner import printable, run
from extract.store import sql_text

CONTENT = ("documents", "metrics", "articles", "sections")
REPO = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "PYTHONPATH": str(REPO)}
GBK_NAME = "报告".encode("gb18030") + b".txt"         # a GBK zip unpacked on a UTF-8 system


def rows(db, tables=CONTENT):
    return {t: table_rows(db, t) for t in tables}


def rows_of(db, doc_ids, tables=CONTENT):
    """The rows of *doc_ids* only (every content table has a doc_id column)."""
    import sqlite3
    conn = sqlite3.connect(db)
    out = {}
    for t in tables:
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({t})")
                if r[1] not in ("id", "run_id", "processed_at")]
        q = f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM {t} WHERE doc_id = ?"
        out[t] = sorted((r for d in doc_ids for r in conn.execute(q, (d,))), key=repr)
    conn.close()
    return out


def clean(tmp_path, good, name="clean.db"):
    db = tmp_path / name
    run(good, db, workers=1, quiet=True, process=fake_process)
    return db


def docs(db):
    import sqlite3
    conn = sqlite3.connect(db)
    try:
        return sorted(conn.execute("SELECT doc_id, path, status, error FROM documents"))
    finally:
        conn.close()


# ---- (1) a file name that is not valid UTF-8 ------------------------------------------

def test_a_file_name_not_valid_utf8_is_stored_escaped_beside_good_documents(tmp_path):
    c = tmp_path / "c"
    good = write_corpus(c, 3)
    bad = os.path.join(os.fsencode(c), GBK_NAME)
    with open(bad, "wb") as fh:
        fh.write("新农合参合率达到97%。".encode())
    empty = os.path.join(os.fsencode(c), b"\xff\xfe-empty.txt")
    open(empty, "wb").close()
    db = tmp_path / "out.db"
    for force in (False, True):        # --force: the good documents are not rolled back
        s = run([c], db, workers=2, quiet=True, process=fake_process, force=force)
        assert (s.found, s.read, len(s.failed)) == (5, 5, 1)
    stored = {d: (p, st, e) for d, p, st, e in docs(db)}
    gbk_id = "\\xb1\\xa8\\xb8\\xe6"
    assert stored[gbk_id] == (f"{c}/{gbk_id}.txt", "ok", None)
    assert stored["\\xff\\xfe-empty"] == (f"{c}/\\xff\\xfe-empty.txt", "failed", "empty file")
    assert rows_of(db, [p.stem for p in good]) == rows(clean(tmp_path, good))
    # the summary prints (no surrogates reach stdout) and names the file readably
    line = "  failed  \\xff\\xfe-empty  " + f"{c}/\\xff\\xfe-empty.txt: empty file"
    assert line in s.format().splitlines()
    s.format().encode("utf-8")
    # an unchanged rerun skips all of them: the escaped id finds its stored hash
    s = run([c], db, workers=1, quiet=True, process=fake_process)
    assert (s.read, s.skipped) == (1, 4)


def test_reform_run_prints_a_summary_for_undecodable_names(tmp_path):
    c = tmp_path / "c"
    write_corpus(c, 2)
    with open(os.path.join(os.fsencode(c), GBK_NAME), "wb") as fh:
        fh.write(b"")
    res = subprocess.run(reform_argv("run", c, "--db", tmp_path / "o.db", "--workers", "1", "-q"),
                         env=ENV, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert f"  failed  \\xb1\\xa8\\xb8\\xe6  {c}/\\xb1\\xa8\\xb8\\xe6.txt: empty file" \
        in res.stdout.splitlines()


def test_file_names_cannot_forge_summary_lines_or_send_terminal_escapes(tmp_path):
    c = tmp_path / "c"
    good = write_corpus(c, 2)
    evil = c / "x\n  failed  report_000  forged: \x1b[2Jgone\u2028.txt"
    evil.write_text("", encoding="utf-8")
    s = run([c], tmp_path / "o.db", workers=1, quiet=True, process=fake_process)
    out = s.format()
    lines = out.splitlines()
    failed = [ln for ln in lines if ln.startswith("  failed  ")]
    assert failed == [f"  failed  x\\n  failed  report_000  forged: \\x1b[2Jgone\\u2028  "
                      f"{c}/x\\n  failed  report_000  forged: \\x1b[2Jgone\\u2028.txt: empty file"]
    assert "\x1b" not in out and "\u2028" not in out
    assert [d for d, _, st, _ in docs(tmp_path / "o.db") if st == "ok"] == [p.stem for p in good]
    assert printable("a\tb\x85c\udcb1") == "a\\tb\\x85c\\xb1"
    assert printable("第1号 报告") == "第1号 报告"


# ---- (2) a result that cannot be handed back from its worker ---------------------------

def _raise_memory_error(*a):
    raise MemoryError()


class _Unsendable:
    """Pickling it fails in the worker, as pickling 200,000 rows did (MemoryError)."""
    def __reduce__(self):
        raise MemoryError()


class _Unreceivable:
    """Pickling works; unpickling in the main process fails (and breaks the pool)."""
    def __reduce__(self):
        return (_raise_memory_error, ())


def _unreturnable(src, segmenter="jieba"):
    res = fake_process(src)
    if "UNSENDABLE" in src.text:
        res.src.title = _Unsendable()
    if "UNRECEIVABLE" in src.text:
        res.src.title = _Unreceivable()
    return res


@pytest.mark.parametrize("marker", ["UNSENDABLE", "UNRECEIVABLE"])
def test_a_result_that_cannot_be_handed_back_fails_its_document_alone(tmp_path, marker):
    with pytest.raises(MemoryError):
        pickle.loads(pickle.dumps(_Unreceivable()))
    c = tmp_path / "c"
    good = write_corpus(c, 6)
    huge = c / "dense.txt"
    huge.write_text(f"{marker} 参合率55%", encoding="utf-8")
    db = tmp_path / "out.db"
    for _ in range(2):                 # the second run does not die at the same place either
        s = run([c], db, workers=2, quiet=True, process=_unreturnable)
        assert [(d, r) for d, _, r in s.failed] == [
            ("dense", "the result could not be handed back from the worker process: MemoryError")]
    assert rows_of(db, [p.stem for p in good]) == rows(clean(tmp_path, good))
    # the fault gone (the file changed), a rerun ends with the records of a clean run
    huge.write_text("参合率55%", encoding="utf-8")
    s = run([c], db, workers=2, quiet=True, process=_unreturnable)
    assert (s.read, s.skipped, s.failed) == (1, 6, [])
    assert rows(db) == rows(clean(tmp_path, [*good, huge], "clean2.db"))


# ---- (3) paths longer than PATH_MAX -----------------------------------------------------

def _deep(top: Path, levels=18) -> bytes:
    """A folder *levels* x 250 bytes below *top* holding r.txt: beyond PATH_MAX (4096)."""
    fd = os.open(top, os.O_RDONLY)
    name = b"d" * 250
    try:
        for _ in range(levels):
            os.mkdir(name, dir_fd=fd)
            nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
        wfd = os.open("r.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(wfd, "参合率66%".encode())
        os.close(wfd)
    finally:
        os.close(fd)
    return os.path.join(os.fsencode(top), *[name] * levels)


def test_a_path_longer_than_path_max_does_not_abort_the_walk(tmp_path):
    c = tmp_path / "c"
    good = write_corpus(c / "a", 2) + write_corpus(c / "z", 2, start=5)
    (c / "m").mkdir()
    deep = _deep(c / "m")
    assert len(deep) > 4096
    db = tmp_path / "out.db"
    s = run([c], db, workers=1, quiet=True, process=fake_process)
    assert s.found == 5 and len(s.failed) == 1
    doc_id, path, reason = s.failed[0]
    assert reason.startswith("path too long: ") and "(PATH_MAX)" in reason
    assert len(path) > 4096 and path.startswith(f"{c}/m/ddd")
    assert rows_of(db, [p.stem for p in good]) == rows(clean(tmp_path, good))


# ---- (4) stable, unique ids across runs ------------------------------------------------

def test_a_stem_stored_from_another_path_gets_an_id_of_its_own(tmp_path):
    a, b = write_corpus(tmp_path / "a", 2), write_corpus(tmp_path / "b", 3, start=1)
    # a: report_000, report_001; b: report_001 (same stem, other file), 002, 003
    db = tmp_path / "out.db"
    run([tmp_path / "a"], db, workers=1, quiet=True, process=fake_process)
    before = rows_of(db, ["report_000", "report_001"])
    s = run([tmp_path / "b"], db, workers=1, quiet=True, process=fake_process)
    other = f"report_001~{runner.short_hash(str(b[0]))}"
    assert s.collisions == [(other, str(b[0]), "report_001", str(a[1]))]
    assert f"  id  {other}  {b[0]}  (stem report_001 is {a[1]})" in s.format()
    assert rows_of(db, ["report_000", "report_001"]) == before     # nothing replaced
    ids = {p: d for d, p, _, _ in docs(db)}
    assert ids == {str(a[0]): "report_000", str(a[1]): "report_001", str(b[0]): other,
                   str(b[1]): "report_002", str(b[2]): "report_003"}
    # the same ids in every later run, in whatever order or combination
    for roots in ([tmp_path / "b", tmp_path / "a"], [tmp_path / "b"], [b[0]]):
        s = run(roots, db, workers=1, quiet=True, process=fake_process, force=True)
        assert {p: d for d, p, _, _ in docs(db)} == ids
    # a fresh database given both folders at once: the first in path order keeps the stem
    s = run([tmp_path / "b", tmp_path / "a"], tmp_path / "fresh.db", workers=1, quiet=True,
            process=fake_process)
    assert {p: d for d, p, _, _ in docs(tmp_path / "fresh.db")} == ids
    assert [c[0] for c in s.collisions] == [other]


def test_the_same_file_given_twice_is_one_document(tmp_path, monkeypatch):
    good = write_corpus(tmp_path / "c", 3)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "out.db"
    s = run([Path("c"), tmp_path / "c", Path("c") / "report_001.txt",
             Path("./c/../c/report_001.txt")], db, workers=1, quiet=True, process=fake_process)
    assert (s.found, s.read, s.collisions) == (3, 3, [])
    assert rows(db) == rows(clean(tmp_path, good))


def test_ids_of_a_corpus_with_unique_stems_are_the_stems(tmp_path):
    good = write_corpus(tmp_path / "c", 4)
    run([tmp_path / "c"], tmp_path / "o.db", workers=1, quiet=True, process=fake_process)
    assert [(d, p) for d, p, _, _ in docs(tmp_path / "o.db")] == [(p.stem, str(p)) for p in good]


# ---- (5) absolute paths; --prune from another working directory ------------------------

def test_prune_from_another_folder_keeps_documents_whose_files_exist(tmp_path, monkeypatch):
    w1, w2 = tmp_path / "w1", tmp_path / "w2"
    one = write_corpus(w1 / "corpus", 3)
    two = write_corpus(w2 / "corpus", 2, start=10)
    db = tmp_path / "out.db"
    monkeypatch.chdir(w1)
    run([Path("corpus")], db, workers=1, quiet=True, process=fake_process)
    assert [p for _, p, _, _ in docs(db)] == [str(p) for p in one]     # stored absolute
    monkeypatch.chdir(w2)
    s = run([Path("corpus")], db, workers=1, quiet=True, process=fake_process, prune=True)
    assert s.pruned == []
    assert sorted(p for _, p, _, _ in docs(db)) == sorted(str(p) for p in one + two)
    one[0].unlink()         # gone: pruned by a run from anywhere naming its folder
    s = run([w1 / "corpus"], db, workers=1, quiet=True, process=fake_process, prune=True)
    assert s.pruned == [("report_000", str(one[0]))]
    assert rows(db) == rows(clean(tmp_path, one[1:] + two))


def test_a_database_of_relative_paths_keeps_working(tmp_path, monkeypatch):
    import sqlite3
    w1, w2 = tmp_path / "w1", tmp_path / "w2"
    one = write_corpus(w1 / "corpus", 3)
    write_corpus(w2 / "corpus", 2, start=10)
    db = tmp_path / "old.db"
    monkeypatch.chdir(w1)
    run([Path("corpus")], db, workers=1, quiet=True, process=fake_process)
    conn = sqlite3.connect(db)      # as an older version stored them: relative to w1
    conn.execute("UPDATE documents SET path = substr(path, ?)", (len(str(w1)) + 2,))
    conn.commit()
    conn.close()
    assert [p for _, p, _, _ in docs(db)][0] == "corpus/report_000.txt"
    monkeypatch.chdir(w2)           # the old bug: resolved against w2, w1's were deleted
    s = run([Path("corpus")], db, workers=1, quiet=True, process=fake_process, prune=True)
    assert s.pruned == [] and s.relative_kept == 3
    assert "not pruned: 3 documents stored with a relative path" in s.format()
    monkeypatch.chdir(w1)           # from the folder they were stored from: found again
    s = run([Path("corpus")], db, workers=1, quiet=True, process=fake_process, prune=True)
    assert (s.read, s.skipped, s.pruned, s.relative_kept) == (0, 3, [], 0)
    assert [(d, p) for d, p, _, _ in docs(db)][:3] == [(p.stem, str(p)) for p in one]


def test_sql_text_escapes_only_what_sqlite_refuses():
    assert sql_text("第1号 报告.txt") == "第1号 报告.txt"
    assert sql_text(os.fsdecode(b"/x/\xb1\xa8.txt")) == "/x/\\xb1\\xa8.txt"


# ---- (6, 7) long lines without sentence marks: windows and snippets --------------------

from extract import pipeline                      # noqa: E402
from extract.ingest import SourceDoc              # noqa: E402

# statements of several shapes, run together with no 。！？； (figures right after their
# indicator, a colon between, a change after its level, a pair from…to, a 分别 list)
STATEMENTS = ["新农合参合率：{a}.5%", "人均筹资标准从{b}0元提高到{b}5元", "住院补偿比{c}%",
              "门诊人次{a}.2万人次 增长{c}.1%", "住院和门诊补偿比例分别为{c}%、{d}%",
              "家庭医生签约率达到{d}.4%"]


def _statements(n):
    return [STATEMENTS[i % len(STATEMENTS)].format(a=60 + i % 37, b=20 + i % 9, c=50 + i % 41,
                                                   d=10 + i % 29) for i in range(n)]


def _src(text, doc_id="long"):
    return SourceDoc(doc_id=doc_id, path=f"{doc_id}.txt", text=text, format="txt",
                     encoding="utf-8", sha256="0")


def _facts(recs):
    return sorted((r.metric, r.kind, r.value, r.unit, r.text) for r in recs)


@pytest.mark.parametrize("sep", ["", " ", "，"])
def test_a_long_line_without_sentence_marks_keeps_every_figure(sep):
    parts = _statements(1200)
    text = sep.join(parts)
    assert len(text) > 8 * pipeline.MAX_SENTENCE
    recs = pipeline.process(_src(text)).records
    # the same text with a sentence mark after every sixth statement (~90 characters, no
    # window needed) instead of one sentence of 18,000 characters linked in windows
    n = len(STATEMENTS)
    marked = "。".join(sep.join(parts[i:i + n]) for i in range(0, len(parts), n)) + "。"
    reference = pipeline.process(_src(marked)).records
    assert _facts(recs) == _facts(reference)
    if sep == "，":         # every statement gives its figures: 1800 in all
        assert len(recs) == 1800
    for r in recs:
        assert text[r.start:r.end] == r.text
        assert r.text in r.snippet and len(r.snippet) <= pipeline.SNIPPET_MAX + 30


def test_windows_own_every_figure_once_and_cut_between_figures():
    parts = _statements(600)
    text = "".join(parts)
    from extract.numbers import recognise
    qs = recognise(text)
    starts, ends = [q.start for q in qs], [q.end for q in qs]
    from extract.model import Span
    wins = list(pipeline._windows(text, [Span(0, len(text))], starts, ends))
    owned = [(a, b) for _, a, b in wins]
    assert owned[0][0] == 0 and owned[-1][1] == len(text)
    assert all(b1 == a2 for (_, b1), (a2, _) in zip(owned, owned[1:]))   # a partition
    for span, a, b in wins:
        assert b - a <= pipeline.MAX_SENTENCE
        assert span.start <= a and span.end >= b
        assert b == len(text) or b in ends          # cut just after a figure
        assert not any(q.start < b < q.end for q in qs)


def test_snippets_are_the_sentence_or_300_characters_around_the_value():
    short = "2019年全县新农合参合率达到98.5%，住院补偿比例提高到65%。"
    r = pipeline.process(_src(short)).records
    assert [x.snippet for x in r] == [short, short]
    long = "全县" + "各项工作稳步推进" * 100 + "新农合参合率达到98.5%" + "群众满意度明显提升" * 100 + "。"
    (r,) = pipeline.process(_src(long)).records
    assert len(r.snippet) == pipeline.SNIPPET_MAX and r.text in r.snippet
    mid = r.snippet.index(r.text) + len(r.text) // 2
    assert abs(mid - pipeline.SNIPPET_MAX // 2) <= 3        # centred on the value
    assert pipeline._snippet_span(0, 1000, 990, 995) == (700, 1000)
    assert pipeline._snippet_span(0, 1000, 2, 5) == (0, 300)


# ---- (9) reform query: a time limit and a row cap --------------------------------------

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "


def test_query_stops_an_endless_statement_and_caps_its_rows(tmp_path):
    import time
    from click.testing import CliRunner
    from extract.cli import reform
    good = write_corpus(tmp_path / "c", 3)
    db = tmp_path / "o.db"
    run([tmp_path / "c"], db, workers=1, quiet=True, process=fake_process)
    before = rows(db)
    cli = CliRunner()      # click 8.2: stdout and stderr apart
    t = time.monotonic()
    res = cli.invoke(reform, ["query", ENDLESS + "SELECT count(*) FROM c", "--db", str(db),
                              "--time-limit", "1"])
    assert time.monotonic() - t < 20
    assert res.exit_code == 1
    assert "the query ran longer than 1 s and was stopped (--time-limit)" in res.stderr
    res = cli.invoke(reform, ["query", ENDLESS + "SELECT x FROM c", "--db", str(db),
                              "--max-rows", "4"])
    assert res.exit_code == 0
    assert res.stdout.splitlines() == ["x", "-", "1", "2", "3", "4"]
    assert "stopped after 4 rows (--max-rows)" in res.stderr
    res = cli.invoke(reform, ["query", "SELECT doc_id FROM documents ORDER BY 1", "--db", str(db)])
    assert res.stdout.split()[2:] == [p.stem for p in good] and res.stderr == ""
    assert rows(db) == before


# ---- (8) formats: truncated PDF, deep HTML, a lying DOCX directory, UTF-32 ------------

SENT = "2019年全县新农合参合率达到98.5%，住院补偿比例提高到65%。"


def _pdf(path, pages=6):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path))
    lines = ["全县新农合参合率达到9{i}.5%。", "人均筹资标准为每人每年3{i}0元。",
             "住院补偿比例提高到6{i}%。", "门诊统筹稳步推进{i}项。", "乡镇卫生院{i}所完成改造。",
             "村卫生室实现全覆盖，共{i}个。", "家庭医生团队{i}支。", "药品零差率销售全面推开。"]
    for i in range(pages):      # full pages of distinct lines (short pages: issue of i15)
        c.setFont("STSong-Light", 12)
        for k, ln in enumerate(lines * 2):
            c.drawString(72, 760 - 40 * k, ln.format(i=i + k))
        c.showPage()
    c.save()
    return path


def _truncated_pdf(folder, frac):
    full = _pdf(folder / "full.pdf.tmp").read_bytes()
    p = folder / f"cut{int(frac * 100)}.pdf"
    p.write_bytes(full[:int(len(full) * frac)])
    (folder / "full.pdf.tmp").unlink()
    return p


def _deep_html(folder):
    p = folder / "deep.html"
    p.write_text("<html><body>" + "<div>" * 3000 + f"<p>{SENT}</p>" + "</div>" * 3000
                 + "<p>2020年住院补偿比例提高到70%。</p></body></html>", encoding="utf-8")
    return p


def _lying_docx(folder, filler=30_000_000):
    """A DOCX whose ZIP directory says document.xml is 5,000 bytes; it inflates to 30 MB."""
    import io
    import struct
    import zipfile
    import docx
    d = docx.Document()
    d.add_paragraph(SENT)
    buf = io.BytesIO()
    d.save(buf)
    zin = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"<w:body>", b"<w:body><!--" + b" " * filler + b"-->", 1)
            z.writestr(info.filename, data)
    raw = bytearray(out.getvalue())
    i = raw.find(b"PK\x01\x02")
    while i >= 0:                       # the central directory entry's uncompressed size
        n = struct.unpack_from("<H", raw, i + 28)[0]
        if bytes(raw[i + 46:i + 46 + n]) == b"word/document.xml":
            struct.pack_into("<I", raw, i + 24, 5000)
        i = raw.find(b"PK\x01\x02", i + 4)
    p = folder / "lying.docx"
    p.write_bytes(bytes(raw))
    return p


def test_a_truncated_pdf_is_stored_with_a_warning(tmp_path):
    from extract.ingest import read_document
    whole = read_document(_pdf(tmp_path / "whole.pdf"))
    assert whole.warning is None
    src = read_document(_truncated_pdf(tmp_path, 0.6))
    assert src.text and len(src.text) < len(whole.text)
    assert "人均筹资标准为每人每年310元。" in src.text
    assert src.warning == ("damaged or truncated PDF (MuPDF repaired it): pages or text "
                           "after the damage may be missing")


def test_html_nested_deeper_than_libxml2_allows_keeps_all_its_text(tmp_path):
    from extract.formats.html import flatten_deep
    from extract.ingest import read_document
    assert read_document(_deep_html(tmp_path)).text == SENT + "\n2020年住院补偿比例提高到70%。"
    assert flatten_deep("<a><b><i>x</i></b><p>y</p></a>", 1) == "<a>x<br>y<br></a>"


def test_a_docx_whose_zip_directory_understates_sizes_is_not_inflated_in_full(tmp_path):
    import resource
    from extract.ingest import IngestError, read_document
    p = _lying_docx(tmp_path, filler=60_000_000)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(IngestError) as e:
        read_document(p)
    assert e.value.reason.startswith("corrupt DOCX: 'word/document.xml' does not match its "
                                     "entry in the ZIP directory (Bad CRC-32")
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 40, grown_mb      # inflating it whole took 60 MB and more


@pytest.mark.parametrize("codec", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_is_detected(tmp_path, codec):
    from extract.ingest import read_document
    p = tmp_path / "r.txt"
    p.write_bytes(("余干县工作总结\n" + SENT + "\n").encode(codec))
    src = read_document(p)
    assert (src.text, src.encoding) == ("余干县工作总结\n" + SENT + "\n", codec)


def test_every_fault_of_issue_18_in_one_batch_beside_the_sample_corpus(tmp_path):
    """The real pipeline, `reform run` in a subprocess: the sample reports are stored as a
    run of them alone stores them; each fault has its outcome; a rerun after the faults
    are gone ends with the records of a clean run."""
    import shutil
    import sqlite3
    corpus = REPO / "corpus"
    folder = tmp_path / "in"
    (folder / "good").mkdir(parents=True)
    good = sorted(corpus.glob("*.txt"))[:4]
    for g in good:
        shutil.copy(g, folder / "good" / g.name)
    bad = folder / "z_bad"         # after good/: the good documents keep their stems
    bad.mkdir()
    with open(os.path.join(os.fsencode(bad), GBK_NAME), "wb") as fh:
        fh.write(SENT.encode())
    (bad / "x\n  failed  forged\x1b[2J.txt").write_text(SENT, encoding="utf-8")
    (bad / "m").mkdir()
    _deep(bad / "m")
    _truncated_pdf(bad, 0.6)
    _deep_html(bad)
    _lying_docx(bad)
    (bad / "u32.txt").write_bytes(SENT.encode("utf-32"))
    (bad / "other").mkdir()
    shutil.copy(good[0], bad / "other" / good[0].name)        # the same stem, another file
    line = "全县新农合参合率达到98.5%住院补偿比例提高到65%" * 400   # no sentence marks
    (bad / "long.txt").write_text(line, encoding="utf-8")
    db = tmp_path / "db" / "r.db"
    argv = reform_argv("run", folder / "good", folder, folder / "good" / good[1].name,
                       "--db", db, "--workers", "2", "-q", fake=False)
    res = subprocess.run(argv, env=ENV, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "documents: 13 found, 13 read, 0 skipped (unchanged), 2 failed, 1 stored with a " \
           "warning" in out, out
    failed = sorted(ln for ln in out.splitlines() if ln.startswith("  failed  "))
    assert len(failed) == 2 and "path too long" in failed[0] and "does not match its entry" \
        in failed[1], out
    assert "\x1b" not in out and "  failed  forged" not in out
    twin = f"{good[0].stem}~{runner.short_hash(str(bad / 'other' / good[0].name))}"
    assert f"  id  {twin}  " in out
    conn = sqlite3.connect(db)
    st = dict(conn.execute("SELECT doc_id, status FROM documents"))
    n = dict(conn.execute("SELECT doc_id, count(*) FROM metrics GROUP BY 1"))
    warn = dict(conn.execute("SELECT doc_id, warning FROM documents WHERE warning IS NOT NULL"))
    conn.close()
    assert st["\\xb1\\xa8\\xb8\\xe6"] == st["u32"] == st["deep"] == st["cut60"] == "ok"
    assert n["\\xb1\\xa8\\xb8\\xe6"] == n["u32"] == 2 and n["deep"] == 3
    assert n["long"] == 800 and n[twin] == n[good[0].stem]
    assert list(warn) == ["cut60"]
    clean_db = tmp_path / "clean.db"
    runner.run([folder / "good"], clean_db, workers=2, quiet=True)
    assert rows_of(db, [g.stem for g in good]) == rows(clean_db)
    # the faults gone, a rerun ends with the records of a clean run
    shutil.rmtree(bad)
    bad.mkdir()
    res = subprocess.run(reform_argv("run", folder, "--db", db, "--workers", "2", "-q",
                                     "--prune", fake=False),
                         env=ENV, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0 and "pruned: 9 documents" in res.stdout, res.stdout
    assert rows(db) == rows(clean_db)


def test_a_moved_archive_keeps_its_ids_and_is_not_stored_twice(tmp_path):
    import shutil
    write_corpus(tmp_path / "old", 3)
    db = tmp_path / "o.db"
    run([tmp_path / "old"], db, workers=1, quiet=True, process=fake_process)
    shutil.move(tmp_path / "old", tmp_path / "new")
    s = run([tmp_path / "new"], db, workers=1, quiet=True, process=fake_process)
    assert s.collisions == [] and len(s.moved) == 3
    assert "moved: 3 documents found at a new path" in s.format()
    assert rows(db) == rows(clean(tmp_path, sorted((tmp_path / "new").iterdir())))


def _raises_undecodable(src, segmenter="jieba"):
    if "RAISE" in src.text:
        raise ValueError("cannot handle " + os.fsdecode(b"\xb1\xa8.txt"))
    return fake_process(src)


def test_a_failure_reason_quoting_an_undecodable_name_is_stored(tmp_path):
    good = write_corpus(tmp_path / "c", 3)
    (tmp_path / "c" / "z.txt").write_text("RAISE 5%", encoding="utf-8")
    db = tmp_path / "o.db"
    s = run([tmp_path / "c"], db, workers=1, quiet=True, process=_raises_undecodable)
    assert [(d, r) for d, _, r in s.failed] == [("z", "ValueError: cannot handle \\xb1\\xa8.txt")]
    assert rows_of(db, [p.stem for p in good]) == rows(clean(tmp_path, good))


def test_query_prints_stored_names_escaped(tmp_path):
    from click.testing import CliRunner
    from extract.cli import reform
    c = tmp_path / "c"
    write_corpus(c, 1)
    (c / "x\x1b[2J\ny.txt").write_text("参合率5%", encoding="utf-8")
    db = tmp_path / "o.db"
    run([c], db, workers=1, quiet=True, process=fake_process)
    res = CliRunner().invoke(reform, ["query", "SELECT doc_id FROM documents ORDER BY 1",
                                      "--db", str(db)])
    assert res.stdout.splitlines()[2:] == ["report_000", "x\\x1b[2J\\ny"]
