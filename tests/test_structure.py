"""Document structure: articles, sections, paragraphs, sentences and the lookups."""

from hypothesis import given, settings, strategies as st, HealthCheck

from extract.structure import parse_structure, heading_of


def texts(text, spans):
    return [text[s.start:s.end] for s in spans]


REPORT = (
    "某县2019年医改工作总结\n"
    "某县卫生健康局\n"
    "2019年12月20日\n"
    "一、基本情况\n"
    "全县参合率达到98.5%。筹资标准提高到每人每年520元!\n"
    "(一)医疗保障\n"
    "城乡居民医保覆盖面继续扩大,\n"
    "参保人数达到52.3万人。\n"
    "1.门诊统筹\n"
    "门诊报销比例为50%;住院报销比例为75%。\n"
    "(二)基层服务\n"
    "家庭医生签约率达到45%。\n"
    "二、存在的问题\n"
    "群众说:“看病还是难。费用还是高。”医生也这样认为(见附件1。)。\n"
)


def test_single_report_is_one_article_titled_by_its_first_line():
    s = parse_structure(REPORT)
    assert [(a.start, a.end, a.title) for a in s.articles] == [(0, len(REPORT), "某县2019年医改工作总结")]


def test_sections_levels_and_extent():
    s = parse_structure(REPORT)
    got = [(h.title, h.level, h.number) for h in s.sections]
    assert got == [("基本情况", 3, 1), ("医疗保障", 4, 1), ("门诊统筹", 5, 1),
                   ("基层服务", 4, 2), ("存在的问题", 3, 2)]
    one, ins, mz, base, two = s.sections
    assert one.start == REPORT.index("一、") and one.end == REPORT.index("二、")
    assert ins.end == REPORT.index("(二)") and mz.end == REPORT.index("(二)")
    assert base.end == two.start and two.end == len(REPORT)
    assert s.parents == [-1, 0, 1, 0, -1]


def test_section_lookups():
    s = parse_structure(REPORT)
    pos = REPORT.index("50%")
    assert s.section_at(pos).title == "门诊统筹"
    assert [h.title for h in s.section_path_at(pos)] == ["基本情况", "医疗保障", "门诊统筹"]
    pos = REPORT.index("45%")
    assert [h.title for h in s.section_path_at(pos)] == ["基本情况", "基层服务"]
    assert s.section_at(REPORT.index("某县卫生健康局")) is None
    assert s.section_path_at(0) == []


def test_paragraphs_join_wrapped_lines():
    s = parse_structure(REPORT)
    paras = texts(REPORT, s.paragraphs)
    assert paras[:4] == ["某县2019年医改工作总结", "某县卫生健康局", "2019年12月20日", "一、基本情况"]
    assert "城乡居民医保覆盖面继续扩大,\n参保人数达到52.3万人。" in paras
    assert len(paras) == 13
    pos = REPORT.index("52.3")
    p = s.paragraph_at(pos)
    assert REPORT[p.start:p.end].startswith("城乡居民")


def test_sentences_split_on_end_marks_not_in_numbers_quotes_or_brackets():
    s = parse_structure(REPORT)
    sents = texts(REPORT, s.sentences)
    assert "全县参合率达到98.5%。" in sents
    assert "筹资标准提高到每人每年520元!" in sents
    assert "门诊报销比例为50%;" in sents and "住院报销比例为75%。" in sents
    assert "群众说:“看病还是难。费用还是高。”" in sents
    assert "医生也这样认为(见附件1。)。" in sents
    q = s.sentence_at(REPORT.index("98.5") + 3)
    assert REPORT[q.start:q.end] == "全县参合率达到98.5%。"
    assert s.sentence_index(REPORT.index("98.5")) == 4


def test_quote_closing_after_end_mark_ends_sentence():
    t = "他说:“目标已经完成。”下一步继续推进。"
    assert texts(t, parse_structure(t).sentences) == ["他说:“目标已经完成。”", "下一步继续推进。"]


def test_unbalanced_bracket_does_not_swallow_the_paragraph():
    t = "参合率达到(约98%。筹资520元。"
    assert texts(t, parse_structure(t).sentences) == ["参合率达到(约98%。", "筹资520元。"]


def test_lookups_between_paragraphs_give_none():
    t = "第一段。\n\n第二段。"
    s = parse_structure(t)
    assert s.paragraph_at(4) is None and s.sentence_at(5) is None
    assert s.paragraph_at(6) == s.paragraphs[1]


COLLECTION = (
    "卫生院工作总结3篇\n"
    "\n"
    "篇一:甲镇卫生院工作总结\n"
    "一、基本情况\n"
    "甲镇参合率98%。\n"
    "二、主要做法\n"
    "推进签约服务。\n"
    "【第2篇】\n"
    "乙镇卫生院2018年工作汇报\n"
    "乙镇卫生院\n"
    "一、基本情况\n"
    "乙镇参合率97%。\n"
    "第三篇:丙镇医改情况汇报\n"
    "丙镇人民政府\n"
    "丙镇参合率96%。\n"
)


def test_collection_articles_and_titles():
    s = parse_structure(COLLECTION)
    assert [a.title for a in s.articles] == ["甲镇卫生院工作总结", "乙镇卫生院2018年工作汇报",
                                            "丙镇医改情况汇报"]
    assert s.articles[0].start == 0                     # a title-only preamble joins article 0
    assert s.articles[1].start == COLLECTION.index("【第2篇】")
    assert s.articles[2].start == COLLECTION.index("第三篇")
    assert s.articles[-1].end == len(COLLECTION)
    assert s.article_at(COLLECTION.index("97%")) == 1
    # sections do not run past their article
    first_two = [h for h in s.sections if h.title == "主要做法"][0]
    assert first_two.end == s.articles[1].start


def test_preamble_with_text_is_its_own_article():
    t = "下面是为大家整理的范文,供参考。\n范文一:甲县医改工作汇报\n参合率98%。\n范文二:乙县医改工作汇报\n参合率97%。\n"
    s = parse_structure(t)
    assert [a.title for a in s.articles] == ["", "甲县医改工作汇报", "乙县医改工作汇报"]
    assert s.articles[1].start == t.index("范文一")


def test_numbered_titles_in_a_collection():
    t = ("医改工作总结范文3篇\n"
         "1、甲县2012年医改工作总结\n一、基本情况\n参合率98%。\n"
         "2、乙县2012年医改工作总结\n一、基本情况\n参合率97%。\n"
         "丙县医改经验交流材料(三)\n参合率96%。\n")
    s = parse_structure(t)
    assert [a.title for a in s.articles] == ["甲县2012年医改工作总结", "乙县2012年医改工作总结",
                                            "丙县医改经验交流材料(三)"]
    assert [a.start for a in s.articles] == [0, t.index("2、乙县"), t.index("丙县")]
    assert [(h.title, h.level) for h in s.sections] == [("基本情况", 3), ("基本情况", 3)]


def test_numbered_report_headings_do_not_split_outside_collections():
    t = "1、甲县医改工作总结\n参合率98%。\n2、乙县医改工作总结\n参合率97%。\n"
    s = parse_structure(t)
    assert len(s.articles) == 1
    assert [h.number for h in s.sections] == [1, 2]


def test_full_width_end_marks_also_split():
    t = "参合率98%！筹资520元？好。"
    assert texts(t, parse_structure(t).sentences) == ["参合率98%！", "筹资520元？", "好。"]


def test_title_then_date_starts_a_new_report():
    t = ("一、主要成效\n参合率98%。\n二、下一步打算\n继续巩固。\n"
         "丁县2020年卫生健康工作报告\n2021年1月8日\n一、主要成效\n参合率99%。\n")
    s = parse_structure(t)
    assert [a.title for a in s.articles] == ["", "丁县2020年卫生健康工作报告"]


def test_restarted_numbering_after_a_title_starts_a_new_report():
    t = ("2024年某市统计公报\n全年经济平稳。\n一、综合\n增长5%。\n二、农业\n增长3%。\n\n"
         "2023年某市统计公报\n全年经济回升。\n一、综合\n增长4%。\n")
    s = parse_structure(t)
    assert [a.title for a in s.articles] == ["2024年某市统计公报", "2023年某市统计公报"]
    assert s.articles[1].start == t.index("2023年某市")


def test_section_heading_ending_in_title_word_does_not_split():
    t = ("某区医改工作汇报\n区卫健局\n一、工作开展情况\n参合率98%。\n二、主要做法\n"
         "推进改革。\n三、工作经验\n注重统筹。\n")
    s = parse_structure(t)
    assert [a.title for a in s.articles] == ["某区医改工作汇报"]
    assert [h.title for h in s.sections] == ["工作开展情况", "主要做法", "工作经验"]


def test_heading_of_lines():
    h = heading_of("  (三)扎实开展公共卫生服务。参合率98%。")
    assert (h.start, h.level, h.number, h.title) == (2, 4, 3, "扎实开展公共卫生服务")
    assert heading_of("1.5亿元用于基层") is None
    assert heading_of("二〇一二年四月十日") is None
    assert heading_of("第一章 总则").level == 1


def test_empty_and_blank_text():
    for t in ("", "\n\n  \n"):
        s = parse_structure(t)
        assert [(a.start, a.end) for a in s.articles] == [(0, len(t))]
        assert s.sections == [] and s.paragraphs == [] and s.sentences == []
        assert s.article_at(0) == 0


def test_one_megabyte_of_collections():
    # speed lives in bench/stages.py; here: every repeated collection is split again
    unit = REPORT + COLLECTION
    n = 1_000_000 // len(unit.encode()) + 1
    assert len(parse_structure(unit * n).articles) == len(parse_structure(unit).articles) * n


# ---- properties: generated reports are parsed back ------------------------------------

CN = "一二三四五六七八九十"
SENTENCES = ["参合率达到98.5%。", "筹资标准为每人每年520元;", "他说:“目标完成。真不容易!”",
             "门诊量增长(同比12.3%。)。", "基层就诊率提高到65%?", "床位使用率为86.1%。"]


@st.composite
def report(draw, idx):
    """(text, title, [(level, number)], [sentences])"""
    title = f"第{idx + 1}县医改工作{draw(st.sampled_from(['总结', '汇报', '报告']))}"
    lines = [f"篇{CN[idx]}:{title}"] if draw(st.booleans()) else [title, "县卫生健康局"]
    heads, sents = [], []
    for i in range(draw(st.integers(1, 3))):
        lines.append(f"{CN[i]}、第{i + 1}部分工作")
        heads.append((3, i + 1))
        lead = draw(st.sampled_from(SENTENCES))      # every report has some body text
        lines.append(lead)
        sents.append(lead)
        for j in range(draw(st.integers(0, 2))):
            lines.append(f"({CN[j]})第{j + 1}项措施")
            heads.append((4, j + 1))
            ss = draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3))
            lines.append("".join(ss))
            sents.extend(ss)
    return lines, title, heads, sents


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 4).flatmap(lambda n: st.tuples(*[report(i) for i in range(n)])),
       st.sampled_from(["\n", "\n\n", "\n  "]))
def test_generated_collections_round_trip(reports, sep):
    text = sep.join(line for r in reports for line in r[0]) + "\n"
    s = parse_structure(text)
    assert [a.title for a in s.articles] == [r[1] for r in reports]
    assert [(h.level, h.number) for h in s.sections] == [h for r in reports for h in r[2]]
    body = [t for t in texts(text, s.sentences) if t in SENTENCES]
    assert body == [x for r in reports for x in r[3]]
    check_invariants(text, s)


def check_invariants(text, s):
    arts = s.articles
    assert arts[0].start == 0 and arts[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(arts, arts[1:]))
    for group in (s.paragraphs, s.sentences):
        assert all(a.end <= b.start for a, b in zip(group, group[1:]))
        assert all(x.start < x.end and not text[x.start].isspace()
                   and not text[x.end - 1].isspace() for x in group)
    for sent in s.sentences:
        p = s.paragraph_at(sent.start)
        assert p is not None and p.start <= sent.start and sent.end <= p.end
    covered = {i for x in s.sentences for i in range(x.start, x.end)}
    assert all(i in covered or text[i].isspace() for p in s.paragraphs
               for i in range(p.start, p.end))
    for i, sec in enumerate(s.sections):
        par = s.parents[i]
        if par >= 0:
            assert s.sections[par].start < sec.start and sec.end <= s.sections[par].end
            assert s.sections[par].level < sec.level
        assert s.article_at(sec.start) == s.article_at(sec.end - 1)


@settings(max_examples=200)
@given(st.text(alphabet=st.sampled_from(list("一、(二)1.3。!?;“”\"《》 \n参合率98%篇:第汇报局")),
               max_size=80), st.data())
def test_lookups_agree_with_a_linear_scan(text, data):
    s = parse_structure(text)
    check_invariants(text, s)
    if not text:
        return
    pos = data.draw(st.integers(0, len(text) - 1))
    for spans, got in ((s.paragraphs, s.paragraph_at(pos)), (s.sentences, s.sentence_at(pos))):
        expect = [x for x in spans if x.start <= pos < x.end]
        assert (expect[0] if expect else None) == got
    holding = [h for h in s.sections if h.start <= pos < h.end]
    assert s.section_path_at(pos) == sorted(holding, key=lambda h: h.start)
    assert s.section_at(pos) == (max(holding, key=lambda h: h.level) if holding else None)
    assert s.articles[s.article_at(pos)].start <= pos < s.articles[s.article_at(pos)].end
