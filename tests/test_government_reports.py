"""Long 政府工作报告 and economy-wide 国民经济和社会发展统计公报 through the whole pipeline:
a few health values among many other figures. Exact values, units, kinds and offsets of the
health records, and no record from the pension, employment, investment or welfare figures."""
from pipeline_text import text_records

REPORT = (
    "政府工作报告\n——2021年1月12日在醴陵市第十六届人民代表大会第六次会议上\n\n"
    "一、2020年工作回顾\n"
    "全年完成地区生产总值756.2亿元，增长4.3%；一般公共预算收入31.6亿元，增长3.8%；"
    "固定资产投资增长9.1%，其中卫生和社会工作投资增长16.4%。"
    "城镇新增就业7260人，城镇登记失业率控制在3.5%以内。\n"
    "城镇职工基本养老保险、城乡居民基本养老保险、城乡居民基本医疗保险参保人数分别为9.2万人、46.3万人、83.1万人，"
    "基本养老、基本医疗保险参保率分别达到95.6%、97.8%。资助困难群众参保4.2万人。"
    "城乡居民医保财政补助标准提高到每人每年550元，政策范围内住院费用报销比例达到71%。"
    "新增养老床位860张，各类民政服务机构床位2600张。"
    "全市医疗卫生机构床位达到6120张，全年完成门急诊412.6万人次，家庭医生签约服务率达到48.5%，提高5.2个百分点。\n\n"
    "二、2021年工作安排\n"
    "地区生产总值增长7%左右，城镇新增就业7000人以上。"
    "计划投资3.2亿元建设市中医院新院区，新增床位600张，城乡居民医保参保率稳定在97%以上。\n"
)

BULLETIN = (
    "株洲市2020年国民经济和社会发展统计公报\n"
    "全年全市地区生产总值3105.8亿元，比上年增长4.2%。居民消费价格上涨2.3%，其中医疗保健类价格上涨1.1%。"
    "规模以上工业中，医药制造业增加值增长12.6%。\n"
    "年末全市医疗卫生机构床位3.12万张，其中：医院2.36万张，乡镇卫生院0.52万张。每千常住人口床位7.96张。"
    "卫生技术人员2.86万人。全年总诊疗人次2216.8万，比上年下降6.2%。\n"
    "年末城镇职工基本养老保险、城乡居民基本养老保险、基本医疗保险参保人数分别比上年末增加1.1万人、2.4万人和3.6万人。"
    "失业保险参保人数28.6万人。居民人均医疗保健消费支出1960元，增长5.1%。"
    "一般公共预算支出中，卫生健康支出46.3亿元。\n"
)


def _records(text, name="t"):
    return text_records(text, name)


def test_government_work_report_health_values_only():
    recs = _records(REPORT, "liling_report")
    got = [(r["metric"], r["kind"], r["value"], r["unit"], r["text"]) for r in recs]
    assert got == [
        ("insured_persons", "level", 831000.0, "人", "83.1万人"),
        ("insurance_coverage_rate", "level", 97.8, "%", "97.8%"),
        ("fiscal_subsidy_per_capita", "level", 550.0, "元", "550元"),
        ("reimbursement_ratio", "level", 71.0, "%", "71%"),
        ("hospital_beds", "level", 6120.0, "张", "6120张"),
        ("outpatient_visits", "level", 4126000.0, "人次", "412.6万人次"),
        ("family_doctor_signing_rate", "level", 48.5, "%", "48.5%"),
        ("family_doctor_signing_rate", "change", 5.2, "百分点", "5.2个百分点"),
        ("government_investment", "target", 320000000.0, "元", "3.2亿元"),
        ("hospital_beds", "target", 600.0, "张", "600张"),
        ("insurance_coverage_rate", "target", 97.0, "%", "97%"),
    ]
    for r in recs:
        assert REPORT[r["start"]:r["end"]] == r["text"]
    # the third item of the list, not the pension figures before it
    r = recs[0]
    assert REPORT[r["start"] - 16:r["start"]] == "分别为9.2万人、46.3万人、"
    assert [r["year"] for r in recs] == [2020] * 8 + [2021] * 3


def test_government_work_report_other_figures_give_no_record():
    values = {r["text"] for r in _records(REPORT, "liling_report")}
    for other in ("756.2亿元", "16.4%", "7260人", "9.2万人", "46.3万人", "95.6%", "4.2万人",
                  "860张", "2600张", "7000人"):
        assert other not in values, other


def test_economy_wide_bulletin_health_values_only():
    recs = _records(BULLETIN, "zhuzhou_bulletin")
    got = [(r["metric"], r["kind"], r["value"], r["unit"], r["text"]) for r in recs]
    assert got == [
        ("hospital_beds", "level", 31200.0, "张", "3.12万张"),
        ("hospital_beds", "level", 23600.0, "张", "2.36万张"),
        ("hospital_beds", "level", 5200.0, "张", "0.52万张"),
        ("outpatient_visits", "level", 22168000.0, "人次", "2216.8万"),
        ("outpatient_visits", "change", -6.2, "%", "6.2%"),
        ("insured_persons", "change", 36000.0, "人", "3.6万人"),
        ("government_investment", "level", 4630000000.0, "元", "46.3亿元"),
    ]
    for r in recs:
        assert BULLETIN[r["start"]:r["end"]] == r["text"]
        assert r["year"] == 2020


LISTS = (
    "2022年，全县一般公共预算支出中，教育支出、卫生健康支出分别为9.6亿元和4.1亿元，分别增长3.5%和7.2%。"
    "社会保障支出3.3亿元、医疗卫生与计划生育支出0.8亿元，分别增长2.2%和4.4%。"
    "城镇化率、医保参保率分别为51.6%、97.4%。"
    "城乡低保、特困供养、临时救助资金分别为1.1亿元、0.3亿元和0.1亿元。"
    "门诊量、出院人数和手术量分别增长6.6%、4.1%和7.7%。\n"
)


def test_lists_with_some_health_items_pair_each_number_with_its_own_item():
    recs = _records(LISTS, "lists")
    got = [(r["metric"], r["kind"], r["value"], r["unit"], r["text"], r["start"]) for r in recs]

    def at(text, nth=1):
        i = -1
        for _ in range(nth):
            i = LISTS.index(text, i + 1)
        return i
    assert got == [
        ("government_investment", "level", 410000000.0, "元", "4.1亿元", at("4.1亿元")),
        ("government_investment", "change", 7.2, "%", "7.2%", at("7.2%")),
        ("government_investment", "level", 80000000.0, "元", "0.8亿元", at("0.8亿元")),
        ("government_investment", "change", 4.4, "%", "4.4%", at("4.4%")),
        ("insurance_coverage_rate", "level", 97.4, "%", "97.4%", at("97.4%")),
        ("outpatient_visits", "change", 6.6, "%", "6.6%", at("6.6%")),
        ("inpatient_admissions", "change", 4.1, "%", "4.1%", at("4.1%")),
    ]
    for r in recs:
        assert LISTS[r["start"]:r["end"]] == r["text"]
        assert r["year"] == 2022
