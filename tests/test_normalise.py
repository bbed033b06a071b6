"""Normalisation: analysis text values and the offset map back to the source."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st, HealthCheck

import extract.normalise as nm
from extract.normalise import normalise, to_simplified
from strategies import DECIMAL_FORMS, FULL, spaced_number


def spans_ok(n, source):
    """Every analysis character maps to a source character that normalises to it."""
    assert len(n.to_src) == len(n.text) + 1
    assert int(n.to_src[-1]) == len(source)
    assert np.all(np.diff(n.to_src) > 0)


# ---- exact values and offsets ------------------------------------------------------

def test_pinyin_spaces_traditional_map_back():
    src = "醫(yī)療費用 1 800 萬元"
    n = normalise(src)
    assert n.text == "医疗费用1800万元"
    spans_ok(n, src)
    a = n.text.index("1800")
    assert n.src_span(a, a + 4) == (9, 14)
    assert src[9:14] == "1 800"
    assert src[slice(*n.src_span(a, a + 6))] == "1 800 萬元"
    assert src[slice(*n.src_span(0, 2))] == "醫(yī)療"
    assert n.src_span(1, 1) == (5, 5)          # empty span sits on the kept character


def test_pinyin_forms():
    assert normalise("医（yī）疗卫(wei4)生").text == "医疗卫生"
    assert normalise("醫(yī liáo)机构").text == "医机构"
    # no tone: not pinyin; not after a Chinese character: not pinyin
    assert normalise("附件(a)和 X(yī)").text == "附件(a)和X(yī)"


def test_full_width_and_ideographic_space():
    n = normalise("参合率达到　９８．５％，比上年提高２个百分点")
    assert n.text == "参合率达到98.5%,比上年提高2个百分点"


def test_dates_and_units_close_up():
    assert normalise("2017 年 12 月，836 %").text == "2017年12月,836%"
    assert normalise("参合 率为 3 . 5 %").text == "参合率为3.5%"
    assert normalise("达到 3 .5倍").text == "达到3.5倍"


def test_spaces_between_separate_numbers_stay():
    assert normalise("表1  2024年主要指标").text == "表1  2024年主要指标"
    assert normalise("编号 12 34 56").text == "编号12 34 56"
    assert normalise("Rights Reserved today").text == "Rights Reserved today"


def test_list_number_at_line_start_is_not_a_decimal():
    assert normalise("1. 2009年工作回顾\n增长3. 5%").text == "1. 2009年工作回顾\n增长3.5%"


def test_line_break_inside_number_or_before_unit():
    src = "筹资总额2\n300万元,人均 450\n元\n1. 加强领导"
    n = normalise(src)
    assert n.text == "筹资总额2300万元,人均450元\n1.加强领导"
    a = n.text.index("2300")
    assert src[slice(*n.src_span(a, a + 4))] == "2\n300"


def test_line_break_before_numbered_heading_stays():
    assert normalise("合计 120\n2. 推进改革").text == "合计120\n2.推进改革"


def test_crlf_and_lone_cr():
    src = "第一行\r\n第二行\r第三行"
    n = normalise(src)
    assert n.text == "第一行\n第二行\n第三行"
    assert n.src_span(4, 7) == (5, 8)
    assert n.from_src(5) == 4
    assert n.from_src(3) == 3      # the deleted CR maps to the next kept character


def test_lone_cr_ends_a_line_before_line_rules_run():
    assert normalise("111\r\uFFFD").text == "111\n"


def test_chrome_lines_removed_newlines_kept():
    src = ("当前位置：首页 > 工作动态\n"
           "城乡居民医保参保率稳定在95%以上。\n"
           "【打印本页】【关闭窗口】\n"
           "上一篇：关于做好家庭医生签约服务的通知\n"
           "版权所有：某市卫生健康委员会  京ICP备12345678号\n")
    n = normalise(src)
    assert n.text == "\n城乡居民医保参保率稳定在95%以上。\n\n\n\n"
    a = n.text.index("城乡")
    assert n.src_span(a, a + 2) == (src.index("城乡"), src.index("城乡") + 2)
    assert [src[s:e] for s, e in n.removed_lines] == [
        "当前位置：首页 > 工作动态", "【打印本页】【关闭窗口】",
        "上一篇：关于做好家庭医生签约服务的通知", "版权所有：某市卫生健康委员会  京ICP备12345678号"]


def test_meta_lines_keep_only_their_publication_date():
    src = "发布日期：2023-05-06  浏览次数：321\n作者：政策法规科\n来源不明的资金要清理。\n"
    n = normalise(src)
    assert n.text == "发布日期:2023-05-06\n\n来源不明的资金要清理。\n"
    assert [src[s:e] for s, e in n.removed_lines] == [src.split("\n")[0], "作者：政策法规科"]
    assert n.src_span(0, 15) == (0, 15)


def test_copy_site_meta_line_goes_whole():
    src = "时间:2022-10-12 18:00:06 公文范文 来源:网友投稿\n正文。"
    assert normalise(src).text == "\n正文。"


def test_letter_spaced_pdf_line():
    assert normalise("参 合 率 达 到 98 . 5 %，费 用 1 800 万 元 。").text == "参合率达到98.5%,费用1800万元。"


def test_chrome_words_inside_sentences_stay():
    src = "把好经验分享到全县,上一篇章已经写完,版权问题另议。"
    assert normalise(src).text == src.replace(",", ",")


def test_mojibake_lines_blanked():
    src = "æ–°å†œåˆå‚åˆçŽ‡\n新农合参合率98%\n锟斤拷锟斤拷\n参保率97%\uFFFD\n"
    n = normalise(src)
    assert n.text == "\n新农合参合率98%\n\n参保率97%\uFFFD\n"


def test_mixed_traditional_and_simplified():
    assert normalise("医疗衛生服務体系,門診量").text == "医疗卫生服务体系,门诊量"


def test_opencc_length_change_falls_back_to_characters(monkeypatch):
    class Fake:
        def convert(self, s):
            return s.replace("甲乙", "丙").replace("國", "国")

    monkeypatch.setattr(nm, "_converter", lambda: Fake())
    monkeypatch.setattr(nm, "_CHAR_CACHE", {})
    assert to_simplified("甲乙國\n國家") == "甲乙国\n国家"


def test_src_span_rejects_bad_span():
    n = normalise("医改")
    with pytest.raises(IndexError):
        n.src_span(1, 3)


def test_repeated_paragraphs_normalise_alike():
    # speed lives in bench/stages.py; here: a long text is the short one repeated
    para = ("2019 年，全縣參合 率達到 98.5 ％，籌資標準為每人每年 1 800 元。\n"
            "当前位置：首页 > 新闻\n醫(yī)療服務能力进一步提升，门诊量增长 12.3%。\n")
    one = normalise(para).text
    assert normalise(para * 4000).text == one * 4000


# ---- properties ----------------------------------------------------------------------

TRAD = {"医": "醫", "疗": "療", "卫": "衛", "参": "參", "险": "險", "达": "達", "盖": "蓋",
        "县": "縣", "为": "為", "亿": "億", "万": "萬", "区": "區", "农": "農", "门": "門",
        "诊": "診", "费": "費", "标": "標", "员": "員", "药": "藥", "构": "構", "务": "務"}
WORDS = ["全县参合率", "医疗费用", "门诊人次", "农村卫生院", "参保人员", "药品费用", "为",
         "服务机构", "达到", "标准", "覆盖"]
UNITS = ["万元", "%", "人", "元", "亿元", "个", "年"]
PINYIN = ["(yī)", "(liáo)", "(wèi)", "(shēng)", "(yi1)", "(fei4)"]


@st.composite
def junk_word(draw, word, spaces=True):
    out = []
    for i, ch in enumerate(word):
        if ch in TRAD and draw(st.booleans()):
            ch = TRAD[ch]
        out.append(ch)
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from(PINYIN)))
        if spaces and i < len(word) - 1 and draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from([" ", "  ", "\u3000"])))
    return "".join(out)


@st.composite
def junk_number(draw, digits, frac, unit, loose_decimal=True):
    forms = DECIMAL_FORMS if loose_decimal else tuple(f for f in DECIMAL_FORMS if f != ". ")
    s = draw(spaced_number(digits, frac, forms))
    gap = draw(st.sampled_from(["", " ", "\u3000", "\n"] if unit != "%" else ["", " "]))
    u = unit.translate(FULL) if draw(st.booleans()) else unit
    u = "".join(TRAD.get(c, c) for c in u)
    return s + gap + u


@st.composite
def sentence(draw, loose_decimal=True):
    clean, junky = [], []
    for _ in range(draw(st.integers(1, 4))):
        w = draw(st.sampled_from(WORDS))
        digits = str(draw(st.integers(1, 9))) + draw(st.text("0123456789", max_size=5))
        frac = draw(st.sampled_from(["", "5", "38"]))
        unit = draw(st.sampled_from(UNITS))
        clean.append(w + digits + ("." + frac if frac else "") + unit)
        sep = draw(st.sampled_from(["", " "]))
        junky.append(draw(junk_word(w)) + sep +
                     draw(junk_number(digits, frac, unit, loose_decimal)))
        clean.append(",")
        junky.append(draw(st.sampled_from([",", "，", " ，"])))
    clean[-1] = "。"
    junky[-1] = "。"
    return "".join(clean), "".join(junky)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(sentence())
def test_junk_around_numbers_gives_same_analysis_text(pair):
    clean, junky = pair
    assert normalise(junky).text == clean
    assert normalise(clean).text == clean


CHROME = ["打印本页 关闭窗口", "当前位置:首页 > 医改动态", "来源:县卫健局", "分享到: 微信"]


def boundaries(text):
    num = set("0123456789.")
    return [p for p in range(len(text) + 1)
            if p in (0, len(text)) or not (text[p - 1] in num and text[p] in num)]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(sentence(loose_decimal=False), st.sampled_from(CHROME + [""])),
                min_size=1, max_size=3), st.data())
def test_src_span_round_trip(parts, data):
    # "3. 5" is left out: at the start of a slice it reads as a list number "3." (a heading)
    src = "\n".join(j + ("\n" + c if c else "") for (_, j), c in parts)
    n = normalise(src)
    spans_ok(n, src)
    cuts = boundaries(n.text)
    a = data.draw(st.sampled_from(cuts))
    b = data.draw(st.sampled_from([c for c in cuts if c >= a]))
    s, e = n.src_span(a, b)
    assert normalise(src[s:e]).text == n.text[a:b]


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from(list("医療參 　1２.．%％\n\r(yī)打印本页年萬元,，锟斤拷")),
               max_size=60))
def test_map_is_monotone_characterwise_and_idempotent(src):
    n = normalise(src)
    spans_ok(n, src)
    for i, ch in enumerate(n.text):
        s = int(n.to_src[i])
        assert nm._narrow(to_simplified(src[s])).replace("\r", "\n") == ch
    assert normalise(n.text).text == n.text
