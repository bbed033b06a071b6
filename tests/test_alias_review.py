"""Issue 13, alias review: a bulletin-style paragraph written for this test, through the
whole pipeline.  Volume words (门诊总量, 出院…人次), rate words (增幅分别为, 上涨), 分别 lists
whose items include an indicator no metric counts (耗占比), a second group of a list
(分别由X和Y提高到Z和W), scheme terms (基金支付比例, 补偿比), threshold signs (≥), and the
figures of a bulletin that are no metric (life expectancy, mortality, densities, staff and
institution totals, visits per resident, the admission rate of the insured, bed use,
health accounts) must give no record."""
from pipeline_text import text_records

TEXT = (
    "2024年青阳县卫生健康事业发展统计公报\n"
    "2024年，全县人均预期寿命达到79.6岁，孕产妇死亡率为9.1/10万，婴儿死亡率为3.4‰。"
    "全县卫生人员总数6215人，医疗卫生机构312个，每千人口医疗卫生机构床位数6.8张。\n"
    "全年门诊总量达到263.8万人次，出院4.6万人次，同比增长3.2%。居民平均就诊次数6.3次。"
    "门诊和住院次均费用增幅分别为2.4%和1.7%。\n"
    "公立医院药占比和耗占比分别由33.6%和20.8%下降到29.1%和18.5%。"
    "家庭医生签约率和电子健康档案建档率分别由36.2%和84.5%提高到43.7%和89.2%。\n"
    "职工医保和居民医保政策范围内住院费用基金支付比例分别为84.6%和70.2%，"
    "职工医保参保人员住院率17.4%，参保率≥95%。病床使用率为76.8%。"
    "卫生总费用占GDP的比例为6.7%。\n"
)


def _records():
    return text_records(TEXT)


def test_bulletin_paragraph_values_units_kinds_and_offsets():
    recs = _records()
    got = [(r["metric"], r["kind"], r["value"], r["unit"], r.get("qualifier"), r["text"]) for r in recs]
    assert got == [
        ("outpatient_visits", "level", 2638000.0, "人次", None, "263.8万人次"),
        ("inpatient_admissions", "level", 46000.0, "人次", None, "4.6万人次"),
        ("inpatient_admissions", "change", 3.2, "%", None, "3.2%"),
        ("per_visit_cost", "change", 2.4, "%", None, "2.4%"),
        ("per_visit_cost", "change", 1.7, "%", None, "1.7%"),
        ("drug_cost_share", "level", 33.6, "%", None, "33.6%"),
        ("drug_cost_share", "level", 29.1, "%", None, "29.1%"),
        ("family_doctor_signing_rate", "level", 36.2, "%", None, "36.2%"),
        ("health_record_rate", "level", 84.5, "%", None, "84.5%"),
        ("family_doctor_signing_rate", "level", 43.7, "%", None, "43.7%"),
        ("health_record_rate", "level", 89.2, "%", None, "89.2%"),
        ("reimbursement_ratio", "level", 84.6, "%", None, "84.6%"),
        ("reimbursement_ratio", "level", 70.2, "%", None, "70.2%"),
        ("insurance_coverage_rate", "level", 95.0, "%", "at_least", "95%"),
    ]
    for r in recs:
        assert TEXT[r["start"]:r["end"]] == r["text"]
        assert r["year"] == 2024
    # the offsets point at the occurrence the record reads, not an earlier equal string
    assert TEXT[:next(r["start"] for r in recs if r["value"] == 29.1)].endswith("下降到")
    assert TEXT[:next(r["start"] for r in recs if r["value"] == 95.0)].endswith("参保率≥")


def test_bulletin_non_metrics_give_no_record():
    texts = {r["text"] for r in _records()}
    for figure in ("79.6岁", "9.1/10万", "3.4‰", "6215人", "312个", "6.8张", "6.3次",
                   "20.8%", "18.5%", "17.4%", "76.8%", "6.7%"):
        assert figure not in texts, figure
