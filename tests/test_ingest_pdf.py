"""PDF: lines re-joined across margin breaks, paragraph breaks kept, page chrome dropped."""
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from extract.ingest import IngestError, read_document

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
SIZE, LEFT, RIGHT, TOP, BOTTOM = 12, 60, 360, 520, 80

# paragraphs as printed, pre-wrapped: every line but a paragraph's last is stretched to the
# right margin; an indented first line starts a paragraph ("　　" = two character widths)
PARAGRAPHS = [
    ["一、主要成效"],
    ["　　今年全县城乡居民医保参保人数达到41.3", "万人，参保率稳定在97%以上，药品价格平均降",
     "低12.6%，县财政投入医改专项资金2360万元。"],
    ["　　乡镇卫生院门诊人次增长8.4%，新农合参合", "率达到99.2%，基层首诊制度全面推开。"],
    ["（一）基层服务能力"],
    ["　　全县14个乡镇卫生院完成标准化建设，村卫", "生室覆盖率达到100%，家庭医生签约服务覆盖",
     "重点人群38.6万人，签约率为76.5%。"],
    ["1.加强人才队伍建设"],
    ["　　通过定向培养、县招乡用等方式，为基层补充", "医务人员326名，其中本科以上学历占41%，",
     "乡村医生中具备执业助理医师资格的占比提高", "到52.8%，较上年提高6.1个百分点。"],
]

EXPECTED = ("一、主要成效\n"
            "今年全县城乡居民医保参保人数达到41.3万人，参保率稳定在97%以上，药品价格平均降低12.6%，"
            "县财政投入医改专项资金2360万元。\n"
            "乡镇卫生院门诊人次增长8.4%，新农合参合率达到99.2%，基层首诊制度全面推开。\n"
            "（一）基层服务能力\n"
            "全县14个乡镇卫生院完成标准化建设，村卫生室覆盖率达到100%，家庭医生签约服务覆盖"
            "重点人群38.6万人，签约率为76.5%。\n"
            "1.加强人才队伍建设\n"
            "通过定向培养、县招乡用等方式，为基层补充医务人员326名，其中本科以上学历占41%，"
            "乡村医生中具备执业助理医师资格的占比提高到52.8%，较上年提高6.1个百分点。")


def make_pdf(path, paragraphs=PARAGRAPHS, lines_per_page=7, page_label="— {} —", justify_last=False,
             **kw):
    c = canvas.Canvas(str(path), pagesize=(420, 600), **kw)
    page, y = 0, None

    def new_page():
        nonlocal page, y
        if page:
            c.showPage()
        page += 1
        y = TOP
        c.setFont(FONT, 9)
        c.drawString(LEFT, 560, "柳林县卫生健康局文件")
        c.drawCentredString(210, 40, page_label.format(page))

    new_page()
    n = 0
    for para in paragraphs:
        for i, line in enumerate(para):
            if n and n % lines_per_page == 0:
                new_page()
            n += 1
            x = LEFT
            if line.startswith("　　"):
                line, x = line[2:], LEFT + 2 * SIZE
            t = c.beginText(x, y)
            t.setFont(FONT, SIZE)
            if i < len(para) - 1 or justify_last:   # stretch to the right margin (justified)
                gap = (RIGHT - x) - pdfmetrics.stringWidth(line, FONT, SIZE)
                t.setCharSpace(gap / (len(line) - 1))
            t.textLine(line)
            c.drawText(t)
            y -= SIZE * 1.6
    c.showPage()
    c.save()
    return path


def test_lines_joined_and_paragraphs_kept(tmp_path):
    doc = read_document(make_pdf(tmp_path / "r.pdf"))
    assert doc.text == EXPECTED
    assert (doc.format, doc.encoding) == ("pdf", None)
    assert doc.title == "一、主要成效"             # reportlab's "untitled" metadata is ignored


@pytest.mark.parametrize("label", ["- {} -", "第 {} 页", "{}/3", "{}"])
def test_page_number_styles_and_running_header_dropped(tmp_path, label):
    doc = read_document(make_pdf(tmp_path / "r.pdf", page_label=label))
    assert doc.text == EXPECTED
    assert "柳林县卫生健康局文件" not in doc.text


def test_paragraph_running_across_pages(tmp_path):
    doc = read_document(make_pdf(tmp_path / "r.pdf", lines_per_page=3))
    assert doc.text == EXPECTED


def test_metadata_title(tmp_path):
    path = make_pdf(tmp_path / "r.pdf")
    import pymupdf
    with pymupdf.open(path) as d:
        d.set_metadata({"title": "柳林县医改工作总结"})
        d.save(tmp_path / "t.pdf")
    assert read_document(tmp_path / "t.pdf").title == "柳林县医改工作总结"


def test_no_text_layer(tmp_path):
    c = canvas.Canvas(str(tmp_path / "scan.pdf"))
    c.rect(50, 50, 300, 400, fill=1)       # a "scanned" page: graphics, no text
    c.showPage()
    c.save()
    with pytest.raises(IngestError, match=r"scan\.pdf: no text layer; OCR not supported$"):
        read_document(tmp_path / "scan.pdf")


def test_encrypted(tmp_path):
    make_pdf(tmp_path / "lock.pdf", encrypt="s3cret")
    with pytest.raises(IngestError, match=r"lock\.pdf: encrypted PDF$"):
        read_document(tmp_path / "lock.pdf")


@pytest.mark.parametrize("data,reason", [
    (b"%PDF-1.4\n garbage garbage", "corrupt PDF: Failed to open stream"),
    (b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", "corrupt PDF: no pages"),
    (b"<html>not a pdf</html>", "corrupt PDF: no %PDF header"),
])
def test_corrupt(tmp_path, data, reason):
    p = tmp_path / "bad.pdf"
    p.write_bytes(data)
    with pytest.raises(IngestError) as ei:
        read_document(p)
    assert str(ei.value) == f"{p}: {reason}"


def test_indent_marks_paragraphs_when_most_lines_are_first_lines(tmp_path):
    paras = [["　　全县城乡居民医保参保率达到97%，较上年提高"], ["　　乡镇卫生院门诊量增长8%，住院人次同比下降"],
             ["　　住院费用报销比例为68.5%，较上年提高3个百分", "点，群众满意度保持在较高水平。"],
             ["　　药占比降至28%，基本药物使用金额占比提高"], ["　　家庭医生签约率为76.5%，重点人群全覆盖"]]
    # every line reaches the right margin: only the indent tells where a paragraph starts
    doc = read_document(make_pdf(tmp_path / "s.pdf", paragraphs=paras, lines_per_page=20,
                                 justify_last=True))
    # one page: its header is not repeated anywhere, so it reads like a title and stays
    assert doc.text == ("柳林县卫生健康局文件\n全县城乡居民医保参保率达到97%，较上年提高\n"
                        "乡镇卫生院门诊量增长8%，住院人次同比下降\n"
                        "住院费用报销比例为68.5%，较上年提高3个百分点，群众满意度保持在较高水平。\n"
                        "药占比降至28%，基本药物使用金额占比提高\n家庭医生签约率为76.5%，重点人群全覆盖")
