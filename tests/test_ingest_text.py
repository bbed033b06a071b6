"""Text files: encodings, rejections, aligned tables (fixtures generated in tmp_path)."""
import os
import zipfile

import opencc
import pytest

from extract.ingest import IngestError, read_document

REPORT = ("2022年县医改工作总结\r\n"
          "　　全县城乡居民医保参保率达到96.8%，人均财政补助标准提高30元，达到610元。\r\n"
          "　　县级公立医院药占比下降到28.5%，基层医疗卫生机构诊疗量占比达63.2%。\r\n")


def write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


@pytest.mark.parametrize("codec,expected", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("gb18030", "gb18030"),
    ("gbk", "gb18030"),
    ("utf-16", "utf-16"),
    ("utf-16-le", "utf-16-le"),          # no BOM: recognised by the NUL pattern of ASCII
    ("utf-16-be", "utf-16-be"),
])
def test_encodings_decode_exactly(tmp_path, codec, expected):
    doc = read_document(write(tmp_path, "r.txt", REPORT.encode(codec)))
    assert doc.text == REPORT                 # CRLF kept, BOM not part of the text
    assert doc.encoding == expected
    assert doc.format == "txt"
    assert doc.title == "2022年县医改工作总结"
    assert doc.text[doc.text.index("96.8%"):].startswith("96.8%，")


def test_big5_traditional_text(tmp_path):
    trad = opencc.OpenCC("s2t").convert(REPORT)
    assert trad != REPORT
    doc = read_document(write(tmp_path, "r.txt", trad.encode("big5")))
    assert doc.encoding == "big5"
    assert doc.text == trad


def test_big5_short_line_not_taken_for_gb18030(tmp_path):
    trad = opencc.OpenCC("s2t").convert("新农合参合率达到98%，住院补偿比是52%。")
    doc = read_document(write(tmp_path, "r.txt", trad.encode("big5")))
    assert (doc.encoding, doc.text) == ("big5", trad)


def test_gb18030_not_taken_for_big5(tmp_path):
    text = "县医院门诊人次增长8%，出院人数1.2万人。"
    doc = read_document(write(tmp_path, "r.txt", text.encode("gb18030")))
    assert (doc.encoding, doc.text) == ("gb18030", text)


def test_mixed_utf8_and_gb18030_lines(tmp_path):
    data = ("第一部分采用统一编码，参保率95%。\n".encode("utf-8")
            + "第二部分来自旧系统，报销比例为68%。\r\n".encode("gb18030")
            + "第三部分又是统一编码。\n".encode("utf-8"))
    doc = read_document(write(tmp_path, "r.txt", data))
    assert doc.encoding == "mixed(utf-8,gb18030)"
    assert doc.text == ("第一部分采用统一编码，参保率95%。\n第二部分来自旧系统，报销比例为68%。\r\n"
                        "第三部分又是统一编码。\n")


def test_md_and_text_suffixes(tmp_path):
    md = read_document(write(tmp_path, "r.md", "# 工作要点\n\n参保率96%。\n".encode()))
    assert (md.format, md.title, md.doc_id) == ("md", "工作要点", "r")
    txt = read_document(write(tmp_path, "r2.TEXT", "参保率96%。".encode()))
    assert txt.format == "txt"


def test_sha256_and_identity(tmp_path):
    import hashlib
    data = REPORT.encode("gb18030")
    p = write(tmp_path, "县报告.txt", data)
    doc = read_document(p)
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert (doc.doc_id, doc.path) == ("县报告", str(p))


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b"  \r\n\t \n", "empty file"),
    ("\u3000\u3000\n".encode(), "empty file"),
    (b"\x00\x01\x02\x03binary\x00\x00\xff\xfe\x00" * 20, "binary file, not text (NUL bytes)"),
    (bytes(range(1, 9)) * 50 + "参保率".encode(), "binary file, not text (control characters)"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "looks like a PDF, not text"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, "looks like an OLE2 file (legacy .doc/.xls), not text"),
    (b"\x80\x80\xff abc", "undecodable: byte 0 is not valid UTF-8, GB18030 or Big5"),
])
def test_rejections(tmp_path, data, reason):
    p = write(tmp_path, "bad.txt", data)
    with pytest.raises(IngestError) as ei:
        read_document(p)
    assert ei.value.reason == reason
    assert str(ei.value) == f"{p}: {reason}"


def test_docx_renamed_to_txt_is_rejected(tmp_path):
    p = tmp_path / "report.txt"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(IngestError, match=r"report\.txt: looks like a ZIP archive, not text$"):
        read_document(p)


def test_permission_denied(tmp_path, monkeypatch):
    p = write(tmp_path, "locked.txt", REPORT.encode())
    if os.geteuid() == 0:       # root reads any file: make the read fail as it would for a user
        def deny(self):
            raise PermissionError(13, "Permission denied", str(self))
        monkeypatch.setattr(type(p), "read_bytes", deny)
    p.chmod(0)
    try:
        with pytest.raises(IngestError, match="locked.txt: permission denied$"):
            read_document(p)
    finally:
        p.chmod(0o644)


def test_unsupported_suffix_and_missing_file(tmp_path):
    with pytest.raises(IngestError, match=r"unsupported format '\.odt'"):
        read_document(write(tmp_path, "a.odt", b"x"))
    with pytest.raises(IngestError, match=r"nope\.txt: file not found$"):
        read_document(tmp_path / "nope.txt")
    with pytest.raises(IngestError, match=r": is a directory$"):
        read_document(tmp_path)


def test_aligned_table_cells_and_offsets(tmp_path):
    text = ("　　全县主要指标完成情况如下：\r\n"
            "指标名称        2021年      2022年\r\n"
            "参保率          95.2%       96.8%\r\n"
            "人均补助标准    580元       610元\r\n"
            "　　以上数据由县医保局提供。\r\n")
    doc = read_document(write(tmp_path, "t.txt", text.encode("gb18030")))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert (t.n_rows, t.n_cols, t.header_rows, t.header_cols) == (3, 3, 1, 1)
    for c in t.cells:
        assert doc.text[c.start:c.end] == c.text
    cell = t.cell_at(2, 2)
    assert cell.text == "610元"
    assert (cell.row_header, cell.col_header, cell.header) == ("人均补助标准", "2022年", False)
    assert t.cell_at(0, 1).header and t.cell_at(0, 1).col_header is None
    assert doc.text[t.start:t.end] == text[text.index("指标名称"):text.index("610元") + 4]


def test_tab_and_pipe_tables(tmp_path):
    text = ("地区\t参合率\t补偿比\n东乡\t98.1%\t55%\n西乡\t97.4%\t53%\n\n"
            "| 项目 | 金额 |\n|---|---|\n| 专项资金 | 860万元 |\n| 基建投入 | 1200万元 |\n")
    doc = read_document(write(tmp_path, "t.txt", text.encode()))
    assert [(t.n_rows, t.n_cols) for t in doc.tables] == [(3, 3), (3, 2)]
    pipe = doc.tables[1]
    assert [c.text for c in pipe.cells] == ["项目", "金额", "专项资金", "860万元", "基建投入", "1200万元"]
    assert pipe.cell_at(2, 1).row_header == "基建投入"
    for t in doc.tables:
        for c in t.cells:
            assert doc.text[c.start:c.end] == c.text


def test_two_line_header_and_spaced_names(tmp_path):
    text = ("表2  各乡镇卫生院运行情况\n\n"
            "乡镇        门诊人次（万）       床位使用率（%）\n"
            "            2021年    2022年     2022年\n"
            "东  关      3.21      3.56       81.2\n"
            "南河镇      2.87      3.02       76.5\n"
            "合  计      6.08      6.58       78.9\n"
            "注：数据来自卫生统计年报。\n")
    doc = read_document(write(tmp_path, "t.txt", text.encode()))
    (t,) = doc.tables
    assert (t.n_rows, t.n_cols, t.header_rows) == (5, 4, 2)
    for c in t.cells:
        assert doc.text[c.start:c.end] == c.text
    corner = t.cell_at(1, 0)
    assert (corner.text, corner.rowspan) == ("乡镇", 2)
    assert (t.cell_at(0, 2).text, t.cell_at(0, 1).colspan) == ("门诊人次（万）", 2)
    total = t.cell_at(4, 2)
    assert (total.text, total.row_header, total.col_header) == ("6.58", "合  计", "门诊人次（万）/2022年")
    assert t.cell_at(2, 3).col_header == "床位使用率（%）/2022年"


def test_prose_is_not_a_table(tmp_path):
    text = ("　　今年以来，我县扎实推进医改各项工作，取得明显成效。\n"
            "发布日期：2023-05-06  来源：县卫健局\n"
            "　　一是参保扩面。全县参保人数达到35万人。\n")
    assert read_document(write(tmp_path, "p.txt", text.encode())).tables == []
