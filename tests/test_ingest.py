"""iter_paths, dispatch, IngestError, and the real dev reports reading without error."""
import json
from pathlib import Path

import pytest

from extract.ingest import SUPPORTED_SUFFIXES, IngestError, SourceDoc, iter_paths, read_document

DEV = Path("/work/shared/corpus/dev")
GOLD = Path("/work/shared/eval/gold")
REF_TEXT = Path("/work/shared/eval/text")


def touch(p: Path, text="参保率96%。"):
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text, encoding="utf-8")
    return p


def test_iter_paths_sorted_recursive_skipping_hidden(tmp_path):
    touch(tmp_path / "b.txt")
    touch(tmp_path / "a" / "z.html")
    touch(tmp_path / "a" / "c.md")
    touch(tmp_path / "a" / "sub" / "d.PDF")
    touch(tmp_path / ".git" / "x.txt")
    touch(tmp_path / ".hidden.txt")
    touch(tmp_path / "notes.ods")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_paths(tmp_path)]
    assert got == ["a/c.md", "a/sub/d.PDF", "a/z.html", "b.txt"]


def test_iter_paths_files_given_explicitly_and_mixed(tmp_path):
    f = touch(tmp_path / "one.xyz")            # given by name: yielded, read_document judges
    touch(tmp_path / "dir" / "r.txt")
    got = list(iter_paths([str(f), tmp_path / "dir"]))
    assert got == [f, tmp_path / "dir" / "r.txt"]
    assert list(iter_paths(str(f))) == [f]


def test_iter_paths_symlink_loop_and_broken_link(tmp_path):
    touch(tmp_path / "r" / "a.txt")
    (tmp_path / "r" / "loop").symlink_to(tmp_path / "r")
    (tmp_path / "r" / "broken.txt").symlink_to(tmp_path / "missing.txt")
    assert list(iter_paths(tmp_path / "r")) == [tmp_path / "r" / "a.txt"]


def test_iter_paths_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nowhere: no such file or directory"):
        list(iter_paths([tmp_path, tmp_path / "nowhere"]))


def test_supported_suffixes():
    assert set(SUPPORTED_SUFFIXES) == {".txt", ".md", ".text", ".html", ".htm", ".shtml",
                                       ".docx", ".pdf", ".doc", ".wps", ".xls", ".et", ".xlsx"}


def test_ingest_error_is_one_line():
    e = IngestError("/x/y.pdf", "corrupt PDF: bad xref\n  at object 12")
    assert str(e) == "/x/y.pdf: corrupt PDF: bad xref at object 12"
    assert (e.path, e.reason) == ("/x/y.pdf", "corrupt PDF: bad xref at object 12")


@pytest.mark.parametrize("name,fmt,encoding", [
    ("000_969e391c9948dcfa.txt", "txt", "utf-8"),
    ("003_eb4db46355bb9886.txt", "txt", "utf-8"),
    ("gr_2010_guowuyuan.txt", "txt", "utf-8"),
    ("ext_02_shanxi_jumin_yibao_2021.html", "html", "utf-8"),
    ("ext2_04_dongguan_tjgb_2023_2024.docx", "docx", None),
])
def test_dev_reports_read(name, fmt, encoding):
    doc = read_document(DEV / name)
    assert isinstance(doc, SourceDoc)
    assert (doc.format, doc.encoding, doc.doc_id) == (fmt, encoding, Path(name).stem)
    gold = [json.loads(line) for line in (GOLD / f"{doc.doc_id}.jsonl").open(encoding="utf-8")]
    for g in gold:                         # every gold value survives extraction
        assert g["context"] in doc.text, g["context"]
    if fmt == "txt":                       # offsets are into the decoded file itself
        for g in gold:
            assert doc.text[g["start"]:g["end"]] == g["text"]


def test_dev_docx_matches_reference_text():
    doc = read_document(DEV / "ext2_04_dongguan_tjgb_2023_2024.docx")
    assert doc.text == (REF_TEXT / "ext2_04_dongguan_tjgb_2023_2024.txt").read_text(encoding="utf-8")


def test_fifo_is_not_read(tmp_path):
    import os
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(IngestError, match=r"pipe\.txt: not a regular file$"):
        read_document(fifo)


def test_iter_paths_skips_corpus_docs_and_tooling(tmp_path):
    touch(tmp_path / "README.md")
    touch(tmp_path / "readme_en.txt")
    touch(tmp_path / "LICENSE.txt")
    touch(tmp_path / "readmission_report.txt")       # only the names README/LICENSE as such
    touch(tmp_path / "gold" / "a.md")
    touch(tmp_path / "Annotations" / "b.txt")
    touch(tmp_path / "tools" / "notes.md")
    touch(tmp_path / "tables" / "README.md")
    touch(tmp_path / "tables" / "t.html")
    touch(tmp_path / "tables" / "gold" / "t.md")
    got = [p.relative_to(tmp_path).as_posix() for p in iter_paths(tmp_path)]
    assert got == ["readmission_report.txt", "tables/t.html"]
    # named explicitly, they are still read
    assert list(iter_paths([tmp_path / "gold", tmp_path / "README.md"])) == [
        tmp_path / "gold" / "a.md", tmp_path / "README.md"]
