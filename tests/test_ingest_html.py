"""HTML: main content only, split-tag values, tables with merged headers, encodings."""
import pytest

from extract.ingest import IngestError, read_document

PAGE = """<%@ page contentType="text/html; charset=utf-8" language="java" %>\r
<!DOCTYPE html>\r
<html><head><meta charset="utf-8"><title>清河县2022年医改工作总结_工作动态_清河县卫生健康局</title>\r
<style>.x{color:red}</style><script>var a = "参保率99%";</script></head>\r
<body>\r
<div class="top-bar">欢迎访问清河县卫生健康局网站 <a href="/m">手机版</a></div>\r
<nav><ul><li><a href="/">首页</a></li><li><a href="/gk">政务公开</a></li></ul></nav>\r
<div class="crumb-box">当前位置：<a href="/">首页</a> &gt; <a href="/dt">工作动态</a></div>\r
<div class="main">\r
  <h1>清河县2022年<br>医改工作总结</h1>\r
  <div class="meta">发布日期：2023-01-09　<span>字号：<a href="#">大</a> <a href="#">小</a></span>　<a href="#">打印本页</a></div>\r
  <div id="article-body">\r
    <p>　　2022年，全县城乡居民医保参保率达到<span>96.4</span><span>%</span>，县财政投入医改资金<b>475</b><span>\r
    万元</span>。</p>\r
    <p>　　县域就诊率为&ldquo;91.5%&rdquo;，R&amp;D 投入保持增长，&nbsp;基层诊疗量占比62%。</p>\r
    <div style="display:none">隐藏的旧数据：参保率80%</div>\r
    <table border="1">\r
      <tr><th rowspan="2">乡镇</th><th colspan="2">参保率（%）</th></tr>\r
      <tr><th>2021年</th><th>2022年</th></tr>\r
      <tr><td>城关镇</td><td>95.1</td><td><span>96</span>.<span>3</span></td></tr>\r
      <tr><td>白沙乡</td><td>94.8</td><td>95.9</td></tr>\r
    </table>\r
    <p>　　下一步，将继续深化改革。</p>\r
  </div>\r
  <div class="bdsharebuttonbox">分享到：<a href="#">微信</a><a href="#">微博</a></div>\r
</div>\r
<div class="list-box"><h3>相关阅读</h3>\r
<ul><li><a href="/a1">我县召开医共体建设推进会，参保率再创新高</a></li><li><a href="/a2">县人民医院获评二甲医院</a></li></ul></div>\r
<footer><p>版权所有：清河县卫生健康局</p><p>冀ICP备12345678号</p></footer>\r
<div class="links">网站标识码：1305000001　主办单位：清河县卫生健康局</div>\r
</body></html>\r
"""

EXPECTED = ("清河县2022年\n医改工作总结\n"
            "发布日期：2023-01-09\n"
            "　　2022年，全县城乡居民医保参保率达到96.4%，县财政投入医改资金475万元。\n"
            "　　县域就诊率为“91.5%”，R&D 投入保持增长，\u00a0基层诊疗量占比62%。\n"
            "乡镇\t参保率（%）\n"
            "2021年\t2022年\n"
            "城关镇\t95.1\t96.3\n"
            "白沙乡\t94.8\t95.9\n"
            "　　下一步，将继续深化改革。")


def write(tmp_path, name, data: bytes):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_main_content_only_and_split_values(tmp_path):
    doc = read_document(write(tmp_path, "page.html", PAGE.encode("utf-8")))
    assert doc.text == EXPECTED
    assert (doc.format, doc.encoding, doc.title) == ("html", "utf-8", "清河县2022年医改工作总结")
    for chrome in ("首页", "当前位置", "相关阅读", "ICP", "版权所有", "分享到", "打印本页", "字号",
                   "隐藏", "参保率99%", "page contentType", "网站标识码"):
        assert chrome not in doc.text


def test_table_cells_offsets_and_merged_headers(tmp_path):
    doc = read_document(write(tmp_path, "page.shtml", PAGE.encode("utf-8")))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert (t.n_rows, t.n_cols, t.header_rows, t.header_cols) == (4, 3, 2, 1)
    for c in t.cells:
        assert doc.text[c.start:c.end] == c.text
    corner = t.cell_at(1, 0)
    assert (corner.text, corner.row, corner.rowspan) == ("乡镇", 0, 2)
    merged = t.cell_at(0, 2)
    assert (merged.text, merged.col, merged.colspan) == ("参保率（%）", 1, 2)
    value = t.cell_at(2, 2)
    assert value.text == "96.3"
    assert (value.row_header, value.col_header) == ("城关镇", "参保率（%）/2022年")
    assert doc.text[t.start:t.end] == "乡镇\t参保率（%）\n2021年\t2022年\n城关镇\t95.1\t96.3\n白沙乡\t94.8\t95.9"


def test_declared_gbk_charset(tmp_path):
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
            '<title>工作简报</title></head><body><div><p>新农合参合率达到98.2%，'
            '人均筹资290元。</p></div></body></html>')
    doc = read_document(write(tmp_path, "gbk.htm", html.encode("gbk")))
    assert doc.encoding == "gb18030"
    assert doc.text == "新农合参合率达到98.2%，人均筹资290元。"
    assert doc.title == "工作简报"


def test_undeclared_encoding_is_detected(tmp_path):
    html = "<html><body><p>医保基金支出增长9.6%，结余率为12%。</p></body></html>"
    doc = read_document(write(tmp_path, "x.html", html.encode("gb18030")))
    assert (doc.encoding, doc.text) == ("gb18030", "医保基金支出增长9.6%，结余率为12%。")


def test_wrong_declared_charset_falls_back_to_detection(tmp_path):
    html = '<html><head><meta charset="gbk"></head><body><p>门诊人次增长5%。</p></body></html>'
    doc = read_document(write(tmp_path, "x.html", html.encode("utf-8")))
    assert (doc.encoding, doc.text) == ("utf-8", "门诊人次增长5%。")


def test_layout_table_is_rendered_as_paragraphs(tmp_path):
    body = "".join(f"<p>　　第{i}项工作：全面推进分级诊疗制度建设，县域内就诊率提高到9{i}%，"
                   f"群众满意度明显提升，各项指标均达到省定要求。</p>" for i in range(1, 4))
    html = (f"<html><body><table><tr><td><a href='/'>首页</a></td></tr>"
            f"<tr><td>{body}</td></tr></table></body></html>")
    doc = read_document(write(tmp_path, "layout.html", html.encode()))
    assert doc.tables == []
    assert doc.text.count("\n") == 2 and "\t" not in doc.text
    assert doc.text.startswith("　　第1项工作") and "县域内就诊率提高到93%" in doc.text


def test_source_line_break_inside_inline_text(tmp_path):
    html = "<p>医改投入<span>12.5</span>\n<span>亿元</span>, total\nfunding</p>"
    doc = read_document(write(tmp_path, "x.html", html.encode()))
    assert doc.text == "医改投入12.5亿元, total funding"


@pytest.mark.parametrize("data,reason", [
    (b"", "empty file"),
    (b"%PDF-1.4\n1 0 obj", "looks like a PDF, not HTML"),
    (b"<html><head><title>t</title></head><body><script>x()</script></body></html>",
     "no visible text in HTML"),
])
def test_rejections(tmp_path, data, reason):
    p = write(tmp_path, "bad.html", data)
    with pytest.raises(IngestError) as ei:
        read_document(p)
    assert str(ei.value) == f"{p}: {reason}"


def test_logo_h1_is_not_the_heading(tmp_path):
    html = ("<html><head><title>关于印发医改工作要点的通知_通知公告_青山市卫生健康委员会</title></head>"
            "<body><div class='logo'><h1>青山市卫生健康委员会</h1></div>"
            "<div class='wrap'><h1>关于印发医改工作要点的通知</h1>"
            "<div class='txt'><p>　　今年全市居民医保参保率稳定在95%以上，财政补助标准达到每人每年640元，"
            "基层医疗卫生机构诊疗量占比力争达到65%，县域内就诊率保持在90%以上。</p></div></div>"
            "</body></html>")
    doc = read_document(write(tmp_path, "n.html", html.encode()))
    assert doc.title == "关于印发医改工作要点的通知"
    assert doc.text.startswith("关于印发医改工作要点的通知\n　　今年全市居民医保参保率")
    assert "青山市卫生健康委员会" not in doc.text
