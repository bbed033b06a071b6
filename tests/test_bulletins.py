"""Statistical bulletins and news through the whole pipeline: implied units, breakdowns,
last year's bracketed level (dated the year before), continuation clauses, signs."""
from pipeline_text import text_records

BULLETIN = (
    "2022年绥化市卫生健康事业发展统计公报\n"
    "2022年，全市医疗卫生机构总诊疗人次1263.8万，比上年增加71.2万人次。"
    "其中：医院562.4万人次，基层医疗卫生机构647.9万人次（占51.3%）。\n"
    "医院次均住院费用8214.6元，按当年价格比上年下降1.1%，按可比价格下降2.0%。"
    "次均住院药费（2301.5元）占次均住院费用的28.0%，比上年（29.4%）下降1.4个百分点。\n"
    "医院医师日均担负诊疗5.9人次。卫生总费用中，个人卫生支出26.1亿元，占31.5%。\n"
)


def _records(text, name="t"):
    return text_records(text, name)


def test_bulletin_records_with_units_kinds_and_years():
    recs = _records(BULLETIN)
    got = [(r["metric"], r["kind"], r["value"], r["unit"], r["year"]) for r in recs]
    assert got == [
        ("outpatient_visits", "level", 12638000.0, "人次", 2022),
        ("outpatient_visits", "change", 712000.0, "人次", 2022),
        ("outpatient_visits", "level", 5624000.0, "人次", 2022),
        ("outpatient_visits", "level", 6479000.0, "人次", 2022),
        ("primary_care_visit_share", "level", 51.3, "%", 2022),
        ("per_visit_cost", "level", 8214.6, "元", 2022),
        ("per_visit_cost", "change", -1.1, "%", 2022),
        ("per_visit_cost", "change", -2.0, "%", 2022),
        ("drug_cost_share", "level", 28.0, "%", 2022),
        ("drug_cost_share", "level", 29.4, "%", 2021),      # 比上年（29.4%）
        ("drug_cost_share", "change", -1.4, "百分点", 2022),
        ("out_of_pocket_share", "level", 31.5, "%", 2022),
    ]
    for r in recs:
        assert BULLETIN[r["start"]:r["end"]] == r["text"]
    assert next(r for r in recs if r["value"] == 12638000.0)["text"] == "1263.8万"


def test_news_signs_fractions_and_forecasts():
    text = ("2023年10月12日 来源：某某日报\n"
            "今年以来，全市住院次均费用同比-3.6%，药品费用负增长2.4%。过去住院只能报销一半。"
            "预计全年可为群众节省医药费用6500万元。明年，全市家庭医生签约率将提高到45%。\n")
    got = [(r["metric"], r["kind"], r["value"], r["text"]) for r in _records(text)]
    assert got == [
        ("per_visit_cost", "change", -3.6, "-3.6%"),
        ("drug_price_change", "change", -2.4, "2.4%"),
        ("reimbursement_ratio", "level", 50.0, "一半"),
        ("cost_savings", "level", 65000000.0, "6500万元"),
        ("family_doctor_signing_rate", "target", 45.0, "45%"),
    ]


def test_plan_sections_make_targets_and_a_forecast_stays_a_level():
    text = ("桃江县2026年医改工作总结\n\n一、2026年工作成效\n"
            "全县县域内就诊率达到88.2%。预计全年可为群众节约医药费用2600万元。\n\n"
            "二、下一步工作安排\n全县家庭医生签约率提高到45%。\n\n"
            "三、2027年工作重点\n住院费用报销比例稳定在70%左右。\n")
    got = [(r["metric"], r["kind"], r["value"]) for r in _records(text)]
    assert got == [
        ("in_county_visit_rate", "level", 88.2),
        ("cost_savings", "level", 26000000.0),
        ("family_doctor_signing_rate", "target", 45.0),
        ("reimbursement_ratio", "target", 70.0),
    ]


def test_a_bulletin_published_the_next_year_dates_its_last_year_level_a_year_earlier():
    text = ("2021年宜春市卫生健康事业发展统计公报\n宜春市卫生健康委员会\n2022年6月18日\n\n"
            "医院门诊药费占门诊费用的36.2%，比上年（37.5%）下降1.3个百分点。\n")
    got = [(r["value"], r["year"]) for r in _records(text)]
    assert got == [(36.2, 2021), (37.5, 2020), (-1.3, 2021)]
