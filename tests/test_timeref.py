"""Time phrases, document dates and year inheritance (extract/timeref.py, patterns/time.yaml)."""
from __future__ import annotations

from datetime import date

import pytest
import regex

from extract.model import TimeMention
from extract.timeref import YearResolver, document_date, find_times, year_at

D2011 = date(2011, 5, 1)
D2012 = date(2012, 4, 10)
D2012_LATE = date(2012, 10, 20)


def T(surface, year, p0=None, p1=None, rel=False):
    return (surface, year, p0, p1, rel)


def got(text, doc=None):
    return [(m.surface, m.year, m.period_start, m.period_end, m.relative) for m in find_times(text, doc)]


# (text, document date, expected mentions)
CASES = [
    # ---- explicit years and their tails
    ("2010年新农合参合率达到95%", None, [T("2010年", 2010, "2010-01-01", "2010-12-31")]),
    ("2010年度考核", None, [T("2010年度", 2010, "2010-01-01", "2010-12-31")]),
    ("2010年底参保人数", None, [T("2010年底", 2010, "2010-12-31", "2010-12-31")]),
    ("2010年末全县", None, [T("2010年末", 2010, "2010-12-31", "2010-12-31")]),
    ("2024年年末常住人口", None, [T("2024年年末", 2024, "2024-12-31", "2024-12-31")]),
    ("2011年初启动", None, [T("2011年初", 2011, "2011-01-01", "2011-01-01")]),
    ("2018年1-3月门诊", None, [T("2018年1-3月", 2018, "2018-01-01", "2018-03-31")]),
    ("2018年1—3月门诊", None, [T("2018年1—3月", 2018, "2018-01-01", "2018-03-31")]),
    ("2018年1月至6月", None, [T("2018年1月至6月", 2018, "2018-01-01", "2018-06-30")]),
    ("2016年1-2月", None, [T("2016年1-2月", 2016, "2016-01-01", "2016-02-29")]),
    ("2010年9月份开展", None, [T("2010年9月份", 2010, "2010-09-01", "2010-09-30")]),
    ("2010年6月底前", None, [T("2010年6月底", 2010, "2010-06-30", "2010-06-30")]),
    ("2010年上半年", None, [T("2010年上半年", 2010, "2010-01-01", "2010-06-30")]),
    ("2010年下半年", None, [T("2010年下半年", 2010, "2010-07-01", "2010-12-31")]),
    ("2010年一季度", None, [T("2010年一季度", 2010, "2010-01-01", "2010-03-31")]),
    ("2010年第三季度", None, [T("2010年第三季度", 2010, "2010-07-01", "2010-09-30")]),
    ("2010年前三季度", None, [T("2010年前三季度", 2010, "2010-01-01", "2010-09-30")]),
    ("2010年3月5日", None, [T("2010年3月5日", 2010, "2010-03-05", "2010-03-05")]),
    # ---- PDF spacing
    ("2017 年参保", None, [T("2017 年", 2017, "2017-01-01", "2017-12-31")]),
    ("2017 年底", None, [T("2017 年底", 2017, "2017-12-31", "2017-12-31")]),
    ("2021 年 1-5 月完成", None, [T("2021 年 1-5 月", 2021, "2021-01-01", "2021-05-31")]),
    ("2021 年 8 月 4 日", None, [T("2021 年 8 月 4 日", 2021, "2021-08-04", "2021-08-04")]),
    ("２０１９年", None, [T("２０１９年", 2019, "2019-01-01", "2019-12-31")]),
    # ---- ranges: all the years, year = the last
    ("2017—2018年共投入", None, [T("2017—2018年", 2018, "2017-01-01", "2018-12-31")]),
    ("2017-2018年", None, [T("2017-2018年", 2018, "2017-01-01", "2018-12-31")]),
    ("2017年至2018年", None, [T("2017年至2018年", 2018, "2017-01-01", "2018-12-31")]),
    ("2016～2020年规划", None, [T("2016～2020年", 2020, "2016-01-01", "2020-12-31")]),
    ("2017-18年度", None, [T("2017-18年度", 2018, "2017-01-01", "2018-12-31")]),
    ("“十二五”期间", None, [T("“十二五”期间", 2015, "2011-01-01", "2015-12-31")]),
    ("十一五时期", None, [T("十一五时期", 2010, "2006-01-01", "2010-12-31")]),
    ("“十五”期间", None, [T("“十五”期间", 2005, "2001-01-01", "2005-12-31")]),
    ("十三五末", None, [T("十三五末", 2020, "2020-12-31", "2020-12-31")]),
    # ---- Chinese numerals
    ("二〇一二年四月十日", None, [T("二〇一二年四月十日", 2012, "2012-04-10", "2012-04-10")]),
    ("二○一二年", None, [T("二○一二年", 2012, "2012-01-01", "2012-12-31")]),
    ("二零一一年十二月三十一日", None, [T("二零一一年十二月三十一日", 2011, "2011-12-31", "2011-12-31")]),
    ("二〇〇九年底", None, [T("二〇〇九年底", 2009, "2009-12-31", "2009-12-31")]),
    # ---- numeric dates
    ("2019.12.31", None, [T("2019.12.31", 2019, "2019-12-31", "2019-12-31")]),
    ("2022-10-12 18:00:06", None, [T("2022-10-12", 2022, "2022-10-12", "2022-10-12")]),
    ("2021/06/30", None, [T("2021/06/30", 2021, "2021-06-30", "2021-06-30")]),
    # ---- targets and stocks keep their lead word
    ("到2020年基本建立", None, [T("到2020年", 2020, "2020-01-01", "2020-12-31")]),
    ("截至2021年底", None, [T("截至2021年底", 2021, None, "2021-12-31")]),
    ("截止2010年9月份", None, [T("截止2010年9月份", 2010, None, "2010-09-30")]),
    ("2012年以来", D2012, [T("2012年以来", None, "2012-01-01", "2012-04-10")]),
    ("2012年至今", None, [T("2012年至今", None, "2012-01-01", None)]),
    # ---- relative years against the document date
    ("今年参合率", D2011, [T("今年", 2011, "2011-01-01", "2011-12-31", True)]),
    ("本年度", D2011, [T("本年度", 2011, "2011-01-01", "2011-12-31", True)]),
    ("去年全县", D2011, [T("去年", 2010, "2010-01-01", "2010-12-31", True)]),
    ("上年末", D2011, [T("上年末", 2010, "2010-12-31", "2010-12-31", True)]),
    ("上一年", D2011, [T("上一年", 2010, "2010-01-01", "2010-12-31", True)]),
    ("前年", D2011, [T("前年", 2009, "2009-01-01", "2009-12-31", True)]),
    ("明年要", D2011, [T("明年", 2012, "2012-01-01", "2012-12-31", True)]),
    ("今年上半年", D2011, [T("今年上半年", 2011, "2011-01-01", "2011-06-30", True)]),
    ("今年1-5月", D2011, [T("今年1-5月", 2011, "2011-01-01", "2011-05-31", True)]),
    ("去年底", D2011, [T("去年底", 2010, "2010-12-31", "2010-12-31", True)]),
    ("今年参合率", None, [T("今年", None, rel=True)]),
    ("去年", None, [T("去年", None, rel=True)]),
    ("2009年试点，次年推开", None, [T("2009年", 2009, "2009-01-01", "2009-12-31"),
                                 T("次年", 2010, "2010-01-01", "2010-12-31")]),
    ("次年推开", D2011, [T("次年", 2012, "2012-01-01", "2012-12-31", True)]),
    ("2015年启动，当年完成", None, [T("2015年", 2015, "2015-01-01", "2015-12-31"),
                                 T("当年", 2015, "2015-01-01", "2015-12-31")]),
    # ---- now, and windows up to the document date
    ("目前全县", D2011, [T("目前", 2011, None, "2011-05-01", True)]),
    ("截至目前", D2011, [T("截至目前", 2011, None, "2011-05-01", True)]),
    ("当前", D2011, [T("当前", 2011, None, "2011-05-01", True)]),
    ("目前", None, [T("目前", None, rel=True)]),
    ("三年来", D2012, [T("三年来", None, "2009-04-11", "2012-04-10", True)]),
    ("一年来", D2012_LATE, [T("一年来", 2012, "2011-10-21", "2012-10-20", True)]),
    ("一年来", D2012, [T("一年来", 2011, "2011-04-11", "2012-04-10", True)]),
    ("过去的一年", D2012, [T("过去的一年", 2011, "2011-04-11", "2012-04-10", True)]),
    ("近5年", D2012_LATE, [T("近5年", None, "2007-10-21", "2012-10-20", True)]),
    ("近年来", D2012, [T("近年来", None, None, "2012-04-10", True)]),
    ("三年来", None, [T("三年来", None, rel=True)]),
    # ---- sub-year phrases without a year
    ("上半年", D2011, [T("上半年", 2011, "2011-01-01", "2011-06-30", True)]),
    ("一季度", D2011, [T("一季度", 2011, "2011-01-01", "2011-03-31", True)]),
    ("2018年全县推进，1-3月完成", None, [T("2018年", 2018, "2018-01-01", "2018-12-31"),
                                     T("1-3月", 2018, "2018-01-01", "2018-03-31")]),
    ("2018年\n1-3月", None, [T("2018年", 2018, "2018-01-01", "2018-12-31"), T("1-3月", None)]),
    ("上半年", None, [T("上半年", None)]),
    # ---- two-digit years
    ("10年70%,11年80%", None, [T("10年", 2010, "2010-01-01", "2010-12-31"),
                              T("11年", 2011, "2011-01-01", "2011-12-31")]),
    ("10年70%", D2011, [T("10年", 2010, "2010-01-01", "2010-12-31")]),
    ("10年70%", None, []),                # alone and undated: not a year
    ("15年80%", D2011, []),               # after the document's year
    ("10年为门诊统筹", D2011, []),        # no value after it
    # ---- masked years stop inheritance
    ("截止**年底", None, [T("截止**年底", None)]),
    ("**年5月*日至30日", None, [T("**年5月*日", None)]),
    ("XX年上半年", None, [T("XX年上半年", None)]),
    # ---- not years
    ("连续6年增产", None, []),
    ("用5年时间", None, []),
    ("3年内完成", None, []),
    ("第5年", None, []),
    ("60年光辉历程", None, []),
    ("1000年", None, []),
    ("12000年", None, []),
    ("以上年龄段", D2011, []),
    ("过去年均增长", D2011, []),
    ("十五个乡镇", None, []),
    ("3个月", None, []),
    # ---- comparison baselines are not returned
    ("比上年增长8.7%", D2011, []),
    ("较2009年提高5个百分点", None, []),
    ("与上年相比", D2011, []),
    ("比去年同期增长", D2011, []),
    ("2010年参合率95%，比2009年提高2个百分点", None, [T("2010年", 2010, "2010-01-01", "2010-12-31")]),
    ("由2009年的70%提高到2010年的90%", None, [T("2009年", 2009, "2009-01-01", "2009-12-31"),
                                          T("到2010年", 2010, "2010-01-01", "2010-12-31")]),
]


@pytest.mark.parametrize("text,doc,expected", CASES)
def test_find_times(text, doc, expected):
    assert got(text, doc) == expected


def test_offsets_and_span():
    text = "一、2009年工作回顾。二、今年的安排。三、2011年以后。"
    ms = find_times(text, D2011)
    assert [text[m.start:m.end] for m in ms] == [m.surface for m in ms] == ["2009年", "今年", "2011年"]
    part = find_times(text, D2011, start=text.index("二"), end=text.index("三"))
    assert [m.surface for m in part] == ["今年"]
    assert part[0].start == text.index("今年")


# ---- document dates ---------------------------------------------------------------------
DOC_DATES = [
    ("在某次会议上的工作报告\n国务院总理 某某\n2010年3月5日\n各位代表：\n2009年是……", date(2010, 3, 5)),
    ("某县医改工作总结\n（2012年1月9日）\n一、基本情况", date(2012, 1, 9)),
    ("工作总结\n正文提到2009年4月6日的文件。\n某某县卫生局\n二〇一二年四月十日", date(2012, 4, 10)),
    ("工作总结\n正文。\n某某县卫生局 2013年12月20日", date(2013, 12, 20)),
    ("标题\n时间:2022-10-12 18:00:06 来源：某网\n正文2009年如何", date(2022, 10, 12)),
    ("标题\n发布日期：2021-06-30\n正文", date(2021, 6, 30)),
    ("标题\n【成文日期】 2021-07-28\n正文", date(2021, 7, 28)),
    ("标题\n正文\n2019.12.31", date(2019, 12, 31)),
    # the signature wins over a web timestamp: it says when the report was written
    ("标题\n发布时间：2012-01-05\n正文\n某某县卫生局\n2011年12月28日", date(2011, 12, 28)),
    # a speech's subtitle
    ("政府工作报告\n——2015年1月22日在某市第六届人民代表大会第五次会议上\n某市市长\n各位代表：",
     date(2015, 1, 22)),
    ("在全县卫生工作会议上的讲话\n（2012年2月20日在全县卫生工作会议上）\n同志们：", date(2012, 2, 20)),
    ("标题\n2015年1月22日，市长在大会上作报告。\n正文", None),
    # dated to the month only: under the title, or signed; a day or a timestamp wins
    ("某县经验做法\n某县卫生局\n2016 年 11 月\n\n正文提到2015年。", date(2016, 11, 30)),
    ("工作总结\n正文。\n某某县卫生局 二〇一二年二月", date(2012, 2, 29)),
    ("标题\n发布时间：2017-03-02\n正文\n某某县卫生局\n2017年2月", date(2017, 3, 2)),
    ("标题\n2016年1-6月\n正文", None),
    ("标题\n正文\n截至2016年11月，参合率达到95%。", None),
    # body dates are never the document date
    ("标题\n正文于2019年4月5日召开会议，要求如下。\n完", None),
    ("一、2009年工作回顾\n二、2010年安排", None),
    ("", None),
    # day.month.year with a clock time, as some sites print it; a date in brackets
    # closing the title line
    ("关于某市2018年医改工作情况的报告\n某市卫生健康委员会\n28.11.2018 11:31\n2018年，全市", date(2018, 11, 28)),
    ("标题\n发布时间:28.11.2018 11:31\n正文", date(2018, 11, 28)),
    ("某县医改工作总结（2018年11月28日）\n一、基本情况", date(2018, 11, 28)),
    ("某县医改工作总结（试行稿）\n一、基本情况", None),
    ("某县医改工作总结 2018-11-28\n一、基本情况", date(2018, 11, 28)),
    ("某县医改工作总结 第二部分\n一、基本情况", None),
]


@pytest.mark.parametrize("text,expected", DOC_DATES)
def test_document_date(text, expected):
    assert document_date(text) == expected


# ---- year inheritance (ANNOTATION.md rule 8) ---------------------------------------------
def test_year_at_inherits_within_the_paragraph():
    text = "2010年全县新农合参合率95%，住院补偿比例60%。\n门诊统筹覆盖率80%。"
    ms = find_times(text)
    assert year_at(text.index("95%"), ms, 0) == 2010
    assert year_at(text.index("60%"), ms, 0) == 2010
    second = text.index("\n") + 1
    assert year_at(text.index("80%"), ms, second) is None
    assert year_at(text.index("80%"), ms, second, default=2011) == 2011


def test_year_at_takes_the_nearest_preceding_year():
    text = "10年70%,11年80%,12年90%"
    ms = find_times(text)
    assert [year_at(text.index(v), ms, 0) for v in ("70%", "80%", "90%")] == [2010, 2011, 2012]
    text = "由2009年的70%提高到2010年的90%"
    ms = find_times(text)
    assert [year_at(text.index(v), ms, 0) for v in ("70%", "90%")] == [2009, 2010]


def test_year_at_prefers_the_clause():
    text = "参合率达到98%（2010年），2009年为90%"
    ms = find_times(text)
    clause = (0, text.index("，"))
    assert year_at(text.index("98%"), ms, 0, clause=clause) == 2010
    assert year_at(text.index("98%"), ms, 0) is None


def test_year_at_stops_at_a_masked_or_unresolved_year():
    text = "2010年开展试点，**年参合率90%"
    ms = find_times(text)
    assert year_at(text.index("90%"), ms, 0) is None
    text = "2010年开展试点，今年参合率90%"
    assert year_at(text.index("90%"), find_times(text), 0) is None
    assert year_at(text.index("90%"), find_times(text, D2011), 0) == 2011


def test_spans_do_not_date_their_values():
    for text in ("2010年试点。2012年以来，累计投入10亿元", "2010年试点。近年来，累计投入10亿元",
                 "2010年试点。三年来，累计投入10亿元"):
        assert year_at(text.index("10亿元"), find_times(text, D2012), 0) is None, text
    text = "2010年试点。一年来，累计投入10亿元"
    assert year_at(text.index("10亿元"), find_times(text, D2012), 0) == 2011


def test_comparison_baseline_does_not_date_the_value():
    text = "2010年国内生产总值比上年增长8.7%"
    ms = find_times(text, D2011)
    assert year_at(text.index("8.7%"), ms, 0) == 2010


def test_year_resolver_over_a_document():
    text = "某县工作总结\n2010年参合率95%。\n今年参合率98%。\n某某县卫生局\n2011年1月10日"
    r = YearResolver(text, document_date(text))
    assert r.doc_date == date(2011, 1, 10)
    assert r.year_at(text.index("95%")) == 2010
    assert r.year_at(text.index("98%")) == 2011
    assert r.paragraph_start(text.index("98%")) == text.index("今年")
    plain = "前言\n参合率99%"
    assert YearResolver(plain, D2011).year_at(plain.index("99%")) is None
    assert YearResolver(plain, D2011).year_at(plain.index("99%"), use_doc_year=True) == 2011


def test_year_at_with_no_mentions():
    assert year_at(5, [], 0) is None
    assert year_at(5, [TimeMention(10, 15, "2010年", 2010)], 0) is None


# --- the first-character lookahead the scan puts in front of each time pattern ----------

def _matches(rx, text):
    return [(m.start(), m.end(), m.group()) for m in rx.finditer(text)]


def test_first_char_lookahead_is_derived_from_the_pattern():
    from extract.timeref import _with_first_chars
    fast = _with_first_chars(regex.compile(r"(?:[1-9]|1[0-2])月(?:份)?|上半年|Q[1-4]"))
    first = regex.match(r"\(\?=\[(.*?)\]\)", fast.pattern).group(1)
    assert sorted(set(regex.sub(r"\\", "", first))) == sorted(set("1-9Q上"))
    text = "2019年上半年，5月份和12月及Q3，上月"
    assert _matches(fast, text) == _matches(regex.compile(
        r"(?:[1-9]|1[0-2])月(?:份)?|上半年|Q[1-4]"), text)


@pytest.mark.parametrize("pattern, flags", [
    (r"\p{Han}{2}年", 0),            # a property: the set is not worked out
    (r"q[1-4]", regex.IGNORECASE),   # case folding
    (r"(?:年)?", 0),                 # can match empty: no lookahead possible
])
def test_first_char_lookahead_leaves_patterns_it_cannot_read_alone(pattern, flags):
    from extract.timeref import _with_first_chars
    rx = regex.compile(pattern, flags)
    assert _with_first_chars(rx) is rx


def test_every_time_pattern_matches_as_before_on_the_sample_corpus():
    from pathlib import Path

    from extract.ingest import iter_paths, read_document
    from extract.normalise import normalise
    from extract.timeref import _finder, _pat
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    text = "\n".join(normalise(read_document(p).text).text for p in iter_paths([corpus])
                     if p.suffix == ".txt")
    raw = _pat()
    fast = dict(_finder().kinds)
    wrapped = 0
    for kind in raw.raw["kinds"]:
        original = raw[kind]
        assert _matches(fast[kind], text) == _matches(original, text), kind
        wrapped += fast[kind] is not original
    assert wrapped >= 2      # BareSubYear and SinceN at least get their lookahead


@pytest.mark.parametrize("title,year", [
    ("某区2017年深化医药卫生体制改革工作总结", 2017),
    ("某市医疗保障局2023年工作总结和2024年工作计划", 2023),
    ("某县2012年新农合工作自查报告", 2012),
    ("2018年政府工作报告", None),          # not a summary: its 今年 is the year it is given in
    ("某县2018年新农合工作情况汇报", 2018),
    ("关于某市2018年医改工作情况的报告", 2018),
    ("某县2011年工作回顾", 2011),
    ("某县医改工作总结", None),             # no year
])
def test_summary_year(title, year):
    from extract.timeref import summary_year
    assert summary_year(title) == year


def test_a_page_date_does_not_date_a_report_that_states_its_own_period():
    """A 2018 report posted (发布时间) in 2019 or copied in 2021 still calls 2018 今年."""
    from extract.attribution import Attributor
    from extract.structure import parse_structure
    text = ("某县2018年新农合工作情况汇报\n发布时间:2021-01-10 16:05\n"
            "今年全县参合率为98.6%。\n四、明年工作打算\n力争参合率达到99%。\n")
    st = parse_structure(text)
    attr = Attributor(text, st)
    assert attr.article_date(0) == date(2018, 12, 31)
    assert attr.time_for(text.index("98.6%"), text.index("今年")).year == 2018
    assert attr.time_for(text.index("99%"), text.index("力争")).year == 2019


def test_a_plan_period_is_not_the_year_an_undated_article_states():
    """“十二五” (2011-2015) named in an undated 2011 report does not make its 目前 2015."""
    from extract.attribution import Attributor
    from extract.structure import parse_structure
    text = ("关于某市医改工作的考察报告\n2010年各级财政补助达到480元。目前参合率达到95%。"
            "今年是启动“十二五”改革任务的一年。\n")
    st = parse_structure(text)
    attr = Attributor(text, st)
    assert attr.article_date(0).year == 2010


def test_a_copy_date_years_later_does_not_date_the_report():
    """A report on 2011 copied to a page in 2021: 目前 is 2011, not 2021; a page posted in
    the year after the latest year stated still dates it (a news item on last year's data)."""
    from extract.attribution import Attributor
    from extract.structure import parse_structure
    from extract.timeref import document_date_kind
    old = "某县医改工作总结\n时间:2021-06-15 09:12\n2011年,全县新农合参合率达到97%。目前报销比例为70%。\n"
    assert document_date_kind(old) == (date(2021, 6, 15), "timestamp")
    attr = Attributor(old, parse_structure(old))
    assert attr.time_for(old.index("70%"), old.index("目前")).year == 2011
    news = "某县去年新农合运行平稳\n发布时间:2019-03-02\n2018年全县参合率97%。目前报销比例为70%。\n"
    attr = Attributor(news, parse_structure(news))
    assert attr.time_for(news.index("70%"), news.index("目前")).year == 2019


def test_a_news_page_dated_by_a_bare_date_before_its_source_line():
    # the line of date, source and author is page chrome, but its date dates the story,
    # so 今年 in it is that year
    from extract.normalise import normalise
    page = ("首页 > 新闻中心 > 本地要闻\n某县:家庭医生签约服务提质扩面\n"
            "2019-04-08 10:20　来源：某县融媒体中心　作者：记者 王某　【字号 大 中 小】\n\n"
            "今年以来,全县家庭医生签约率达到61.5%。\n")
    text = normalise(page).text
    assert text.startswith("\n某县")           # the breadcrumb trail is chrome too
    assert document_date(text) == date(2019, 4, 8)
    (t,) = [m for m in find_times(text, document_date(text)) if m.surface.startswith("今年")]
    assert t.year == 2019


def test_kinds_handed_to_re_match_as_under_regex():
    """The kinds `timeref` runs on `re` for speed find exactly what `regex` finds."""
    import re as std_re
    from extract import timeref as T
    f = T._finder()
    on_re = [(k, rx) for k, rx in f.kinds if isinstance(rx, std_re.Pattern)]
    assert {k for k, _ in on_re} == set(T._RE_KINDS)
    text = "2017年上半年,3-5月份门诊12 月底, 近三年来, 5年以来,第二季度 10月1日;123月 近 5 年"
    for k, rx in on_re:
        ref = T._with_first_chars(T._pat()[k])
        for a in (0, 5, 13):
            assert [m.span() for m in rx.finditer(text, a)] == [m.span() for m in ref.finditer(text, a)]
    assert [m.group() for m in dict(on_re)["BareSubYear"].finditer(text)] == [
        "3-5月份", "12 月底", "第二季度", "10月1日"]


def test_syntax_only_regex_reads_stays_on_regex():
    import regex
    from extract import timeref as T
    for pat in (r"(?=[a])\p{Han}", r"(?=[a])a++", r"(?=[a])(?|a|b)", r"(?=[a])(?:ab){e<=1}"):
        rx = regex.compile(pat)
        assert T._on_re(rx) is rx
    import re as std_re
    assert isinstance(T._on_re(regex.compile(r"(?=[0-9])(?<!年)[0-9]{1,2}月")), std_re.Pattern)
    assert T._on_re(regex.compile(r"[0-9]月")).pattern == r"[0-9]月"   # no look-ahead: kept
    assert not isinstance(T._on_re(regex.compile(r"[0-9]月")), std_re.Pattern)
