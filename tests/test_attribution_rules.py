"""Region and year rules of extract/attribution.py on whole (small, invented) documents."""
from __future__ import annotations

from extract.attribution import Attributor
from extract.normalise import normalise
from extract.structure import parse_structure


def _attr(text):
    t = normalise(text).text
    st = parse_structure(t)
    return t, st, Attributor(t, st)


def _region(text, value):
    t, st, a = _attr(text)
    pos = t.index(value)
    r = a.region_for(pos, st.sentence_at(pos).start)
    return r.name if r is not None else None


def test_photo_caption_names_no_subject():
    text = ("新农合运行平稳\n新华社北京3月5日电 卫生部今天公布全国新农合运行情况。\n"
            "图为江西省余干县农民在余干县人民医院办理结报(记者 张三 摄)\n参合率为97.5%。\n")
    t, st, a = _attr(text)
    assert [m.surface for m in a.mentions] == ["卫生部", "全国"]
    assert _region(text, "97.5%") == "全国"


def test_dateline_place_is_not_the_subject_but_a_local_story_keeps_its_own():
    text = "新华社银川11月28日电 记者从固原市卫生健康委获悉,全市家庭医生签约率达到52.4%。\n"
    assert _region(text, "52.4%") == "宁夏回族自治区固原市"


def test_each_report_of_a_compilation_keeps_its_own_region_for_quanxian():
    text = ("甲乙两县医改材料汇编\n"
            "金寨县2018年医改工作总结\n金寨县卫生健康委员会\n一、基本情况\n全县参合率99.2%。\n"
            "二、下一步打算\n继续做好参合工作。\n"
            "沅陵县2018年新农合工作情况汇报\n沅陵县医疗保障局\n一、基本情况\n全县参合率为98.6%。\n")
    assert _region(text, "99.2%") == "安徽省六安市金寨县"
    assert _region(text, "98.6%") == "湖南省怀化市沅陵县"
    t, st, a = _attr(text)
    # the next report's title and issuer are no part of the previous report's last section
    last = st.section_at(t.index("继续做好"))
    assert "沅陵" not in t[last.start:last.end]


def test_a_partner_or_model_in_the_sentence_is_not_its_subject():
    text = ("德清县医共体建设经验做法\n德清县卫生健康局\n"
            "全县派出医师赴对口支援的四川省青川县帮扶,县域内就诊率达到89.7%。"
            "学习借鉴三明经验,全县药占比降至27.5%。\n")
    assert _region(text, "89.7%") == "浙江省湖州市德清县"
    assert _region(text, "27.5%") == "浙江省湖州市德清县"


def test_quanshi_of_an_unnamed_report_reads_its_own_places_not_a_model():
    """A report whose head names no place: 全市 is the city its text names, never the
    model it learns from (学习借鉴三明市经验), however often that is named."""
    text = ("医改工作自查报告\n市卫生局:\n" + "各项工作有序推进。" * 36 + "\n"
            "我市学习借鉴三明市经验,学习借鉴三明市做法,按照《咸阳市医药卫生体制改革方案》要求推进医改。\n"
            "全市参合率达到98%。\n")
    assert _region(text, "98%") == "陕西省咸阳市"


def test_a_report_in_a_compilation_is_not_dated_by_another_reports_signature():
    text = ("金寨县2018年医改工作总结\n金寨县卫生健康委员会\n全县参合率99.2%。\n"
            "金寨县卫生健康委员会\n二〇一八年十二月二十日\n"
            "沅陵县新农合工作情况汇报\n沅陵县医疗保障局\n2016年全县参合率为97.1%。今年参合率为98.6%。\n")
    t, st, a = _attr(text)
    assert [x.title for x in st.articles] == ["金寨县2018年医改工作总结", "沅陵县新农合工作情况汇报"]
    assert a.article_date(0).isoformat() == "2018-12-20"
    pos = t.index("98.6%")
    assert a.time_for(pos, st.sentence_at(pos).start).year == 2016
