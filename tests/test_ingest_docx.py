"""DOCX: paragraphs and tables in body order, merged cells once, corrupt packages."""
import io
import zipfile

import docx
import pytest

from extract.ingest import IngestError, read_document


def make_docx(path):
    d = docx.Document()
    d.core_properties.title = ""
    d.add_paragraph("柳林县2023年医改工作总结")
    d.add_paragraph("　　全县居民医保参保率达到97.1%，财政补助标准提高到每人640元。")
    t = d.add_table(rows=4, cols=3)
    rows = [["地区", "参保人数（万人）", ""], ["", "2022年", "2023年"],
            ["城区", "12.4", "12.9"], ["山区", "8.1", "8.3"]]
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            if v:
                t.cell(r, c).text = v
    t.cell(0, 1).merge(t.cell(0, 2))       # colspan 2 header
    t.cell(0, 0).merge(t.cell(1, 0))       # rowspan 2 corner
    d.add_paragraph("　　基层医疗卫生机构诊疗量占比为65%。")
    d.save(path)
    return path


def test_paragraphs_and_table_in_order(tmp_path):
    doc = read_document(make_docx(tmp_path / "r.docx"))
    assert doc.text == ("柳林县2023年医改工作总结\n"
                        "　　全县居民医保参保率达到97.1%，财政补助标准提高到每人640元。\n"
                        "地区\t参保人数（万人）\n"
                        "\t2022年\t2023年\n"
                        "城区\t12.4\t12.9\n"
                        "山区\t8.1\t8.3\n"
                        "　　基层医疗卫生机构诊疗量占比为65%。")
    assert (doc.format, doc.encoding, doc.title) == ("docx", None, "柳林县2023年医改工作总结")


def test_merged_cells_recorded_once_with_spans(tmp_path):
    doc = read_document(make_docx(tmp_path / "r.docx"))
    (t,) = doc.tables
    assert (t.n_rows, t.n_cols) == (4, 3)
    for c in t.cells:
        assert doc.text[c.start:c.end] == c.text
    assert [c.text for c in t.cells].count("地区") == 1
    corner = t.cell_at(1, 0)
    assert (corner.text, corner.rowspan, corner.colspan) == ("地区", 2, 1)
    head = t.cell_at(0, 2)
    assert (head.text, head.col, head.colspan) == ("参保人数（万人）", 1, 2)
    value = t.cell_at(3, 2)
    assert value.text == "8.3"
    assert (value.row_header, value.col_header) == ("山区", "参保人数（万人）/2023年")
    assert t.header_rows == 2          # the corner cell spans two header rows
    assert doc.text[t.start:t.end].endswith("山区\t8.1\t8.3")


def test_core_title_preferred(tmp_path):
    d = docx.Document()
    d.core_properties.title = "县卫健局工作要点"
    d.add_paragraph("正文第一段。")
    d.save(tmp_path / "t.docx")
    assert read_document(tmp_path / "t.docx").title == "县卫健局工作要点"


def _zip(entries: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("data,reason", [
    (b"just some text pretending", "corrupt DOCX: not a ZIP package"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
     "corrupt DOCX: this is a legacy .doc (OLE2) file, not DOCX"),
    (b"PK\x03\x04truncated", "corrupt DOCX: File is not a zip file"),
    (_zip({"hello.txt": "x"}),
     "corrupt DOCX: There is no item named '[Content_Types].xml' in the archive"),
])
def test_corrupt(tmp_path, data, reason):
    p = tmp_path / "bad.docx"
    p.write_bytes(data)
    with pytest.raises(IngestError) as ei:
        read_document(p)
    assert str(ei.value) == f"{p}: {reason}"


def test_truncated_real_docx_is_corrupt(tmp_path):
    data = make_docx(tmp_path / "ok.docx").read_bytes()
    p = tmp_path / "cut.docx"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(IngestError, match=r"cut\.docx: corrupt DOCX: "):
        read_document(p)


def test_empty_document(tmp_path):
    docx.Document().save(tmp_path / "e.docx")
    with pytest.raises(IngestError, match=r"e\.docx: empty document: no text in the DOCX body$"):
        read_document(tmp_path / "e.docx")


def test_content_control_paragraphs_are_kept_in_order(tmp_path):
    from docx.oxml import OxmlElement
    d = docx.Document()
    d.add_paragraph("第一段。")
    inner = d.add_paragraph("控件内：门诊量增长6%。")
    d.add_paragraph("末段。")
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    inner._p.addprevious(sdt)
    sdt.append(content)
    content.append(inner._p)
    d.save(tmp_path / "sdt.docx")
    assert read_document(tmp_path / "sdt.docx").text == "第一段。\n控件内：门诊量增长6%。\n末段。"
