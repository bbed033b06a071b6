"""Whole documents through process(): which records, where, when — on reports written
for these tests in the style of real ones."""
from extract.ingest import SourceDoc
from extract.pipeline import process


def run(text):
    src = SourceDoc(doc_id="t", path="t.txt", text=text, format="txt", encoding="utf-8", sha256="")
    recs = process(src).records
    for r in recs:
        assert text[r.start:r.end] == r.text
    return [(r.metric, r.kind, r.value, r.unit, r.region_code, r.year) for r in recs]


def test_government_work_report_keeps_only_health_values():
    text = (
        "政府工作报告\n"
        "——2019年1月15日在宜宾市第五届人民代表大会第四次会议上\n"
        "一、2018年工作回顾\n"
        "全市实现地区生产总值2026.4亿元，增长9.2%；全社会固定资产投资完成1688亿元，增长11.3%。"
        "接待游客4560万人次，实现旅游收入506亿元。城镇新增就业4.1万人。发放住房补贴2.3亿元。"
        "城乡居民基本养老保险参保人数达到286万人，参保率达到97%。\n"
        "投入3.2亿元新建改扩建乡镇卫生院28所，全市医疗卫生机构床位达到3.6万张。"
        "城乡居民医保财政补助标准提高到每人每年490元。全市养老机构床位2.1万张。\n"
        "二、2019年主要任务\n"
        "力争县域内就诊率达到90%。\n")
    assert run(text) == [
        ("government_investment", "level", 320000000.0, "元", "511500", 2018),
        ("hospital_beds", "level", 36000.0, "张", "511500", 2018),
        ("fiscal_subsidy_per_capita", "level", 490.0, "元", "511500", 2018),
        ("in_county_visit_rate", "target", 90.0, "%", "511500", 2019),
    ]


def test_traditional_scraped_pdf_text_with_wrapped_lines():
    text = (
        "浙江省衢州市開化縣醫共體建設經驗材料\n"
        "開化縣衛生健康局\n"
        "2019 年，全縣醫(yī)共體內基層就診率達到 66.3 %，縣域內就診率達到 91.2%，較上年提高\n"
        "1.6 個百分點。全縣住院病人次均費用為 6 420 元，比 2018 年下降 3.1%。\n"
        "查看全文\n推荐访问：开化县医共体 经验材料\n")
    assert run(text) == [
        ("primary_care_visit_share", "level", 66.3, "%", "330824", 2019),
        ("in_county_visit_rate", "level", 91.2, "%", "330824", 2019),
        ("in_county_visit_rate", "change", 1.6, "百分点", "330824", 2019),
        ("per_visit_cost", "level", 6420.0, "元", "330824", 2019),
        ("per_visit_cost", "change", -3.1, "%", "330824", 2019),
    ]


def test_title_year_dates_a_report_signed_the_next_year():
    text = ("甘肃省天水市秦州区2012年医改工作总结\n二〇一三年一月八日\n一、主要成效\n"
            "全区新农合参合农民达到38.56万人，参合率为98.72%，较上年提高0.5个百分点。\n")
    assert run(text) == [
        ("ncms_enrollees", "level", 385600.0, "人", "620502", 2012),
        ("ncms_participation_rate", "level", 98.72, "%", "620502", 2012),
        ("ncms_participation_rate", "change", 0.5, "百分点", "620502", 2012),
    ]


def test_masked_region_and_digits():
    text = ("**县2011年新农合工作自查报告\n"
            "全县参合人数**万人，参合率达到97.5%。\n")
    assert run(text) == [
        ("ncms_enrollees", "level", None, "人", None, 2011),
        ("ncms_participation_rate", "level", 97.5, "%", None, 2011),
    ]


def test_the_year_of_a_change_s_starting_value_dates_that_value_only():
    text = ("某县医疗保障局2023年工作总结\n"
            "今年全县城乡居民医保人均财政补助标准为640元。大病保险起付线由去年的1.8万元降至"
            "1.5万元，大病保险报销比例提高到65%。\n"
            "新农合参合率从2009年的82%提高到96%。\n"
            "某县医疗保障局\n2023年12月10日\n")
    assert [(m, v, y) for m, _k, v, _u, _r, y in run(text)] == [
        ("fiscal_subsidy_per_capita", 640.0, 2023),
        ("deductible", 18000.0, 2022),      # 由去年的1.8万元: last year's
        ("deductible", 15000.0, 2023),      # … 降至1.5万元: this year's, not 去年's
        ("reimbursement_ratio", 65.0, 2023),
        ("ncms_participation_rate", 82.0, 2009),
        ("ncms_participation_rate", 96.0, 2023),
    ]


def test_a_year_s_summary_posted_the_next_year_calls_that_year_this_year():
    summary = ("某区2017年医改工作总结\n发布时间：2018-01-22 来源：某网\n"
               "今年全区新农合参合率达到98%，比上年提高1个百分点。\n")
    report = ("2018年政府工作报告\n发布时间：2018-01-22 来源：某网\n"
              "今年全区新农合参合率达到98%。\n")
    assert [(m, v, y) for m, _k, v, _u, _r, y in run(summary)] == [
        ("ncms_participation_rate", 98.0, 2017), ("ncms_participation_rate", 1.0, 2017)]
    assert [(m, v, y) for m, _k, v, _u, _r, y in run(report)] == [
        ("ncms_participation_rate", 98.0, 2018)]
