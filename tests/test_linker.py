"""Metric linking on sentences written in the style of reports (not taken from any report).

Each case: sentence → the records it must yield, as (metric, kind, value, value_high, unit).
"""
import pytest

from extract.components import build_nlp
from extract.linker import default_linker
from extract.numbers import recognise


def links(sentence):
    qs = recognise(sentence)
    out = default_linker().link_sentence(sentence, 0, len(sentence), qs)
    return [(l.metric, l.kind, l.value, l.value_high, l.unit) for l in out]


CASES = [
    # levels with their indicator
    ("全县新农合参合率达到98.6%。", [("ncms_participation_rate", "level", 98.6, None, "%")]),
    ("城乡居民医保参保人数达到45.2万人。", [("insured_persons", "level", 452000, None, "人")]),
    ("参合人数达到36.8万人,参合率99.2%。",
     [("ncms_enrollees", "level", 368000, None, "人"), ("ncms_participation_rate", "level", 99.2, None, "%")]),
    ("住院费用报销比例达到65%。", [("reimbursement_ratio", "level", 65, None, "%")]),
    ("起付线为300元,封顶线提高到15万元。",
     [("deductible", "level", 300, None, "元"), ("benefit_cap", "level", 150000, None, "元")]),
    ("实有病床2150张。", [("hospital_beds", "level", 2150, None, "张")]),
    ("平均住院日为8.7天。", [("avg_length_of_stay", "level", 8.7, None, "天")]),
    ("居民电子健康档案建档率达到82.5%。", [("health_record_rate", "level", 82.5, None, "%")]),
    ("适龄儿童免疫规划疫苗接种率保持在95%以上。", [("immunization_rate", "level", 95, None, "%")]),
    ("家庭医生签约率达到41.3%。", [("family_doctor_signing_rate", "level", 41.3, None, "%")]),
    ("全院药占比为31.2%。", [("drug_cost_share", "level", 31.2, None, "%")]),
    ("医疗服务收入占比提高到32%。", [("medical_service_income_share", "level", 32, None, "%")]),
    ("县域内就诊率达到91.5%。", [("in_county_visit_rate", "level", 91.5, None, "%")]),
    ("基层就诊率达到63%。", [("primary_care_visit_share", "level", 63, None, "%")]),
    ("医务人员人均年收入达到9.6万元。", [("staff_income", "level", 96000, None, "元")]),
    ("发放医疗救助资金860万元。", [("medical_assistance_funds", "level", 8600000, None, "元")]),
    ("全年门诊量达到56.3万人次,住院人数2.4万人。",
     [("outpatient_visits", "level", 563000, None, "人次"), ("inpatient_admissions", "level", 24000, None, "人")]),
    ("门诊次均费用为98.5元。", [("per_visit_cost", "level", 98.5, None, "元")]),
    ("人均筹资标准达到450元,其中个人缴费120元。",
     [("per_capita_funding", "level", 450, None, "元"), ("individual_contribution", "level", 120, None, "元")]),
    ("各级财政补助标准提高到每人每年240元。", [("fiscal_subsidy_per_capita", "level", 240, None, "元")]),
    ("基本药物使用率达到92%。", [("essential_drug_usage_rate", "level", 92, None, "%")]),
    ("个人卫生支出占卫生总费用的比重降至28.5%。", [("out_of_pocket_share", "level", 28.5, None, "%")]),
    # changes, signs and percentage points
    ("门诊人次同比增长8.5%。", [("outpatient_visits", "change", 8.5, None, "%")]),
    ("平均住院日缩短1.2天。", [("avg_length_of_stay", "change", -1.2, None, "天")]),
    ("药占比下降4.6个百分点。", [("drug_cost_share", "change", -4.6, None, "百分点")]),
    ("参保率提高2.1个百分点。", [("insurance_coverage_rate", "change", 2.1, None, "百分点")]),
    ("次均住院费用比上年下降3.2%。", [("per_visit_cost", "change", -3.2, None, "%")]),
    ("基本药物价格平均降低31.5%。", [("drug_price_change", "change", -31.5, None, "%")]),
    ("个人缴费标准提高30元。", [("individual_contribution", "change", 30, None, "元")]),
    ("出院人数45.6万人次,增长6.3%。",
     [("inpatient_admissions", "level", 456000, None, "人次"), ("inpatient_admissions", "change", 6.3, None, "%")]),
    # 由…到…: two levels
    ("报销比例由50%提高到70%。",
     [("reimbursement_ratio", "level", 50, None, "%"), ("reimbursement_ratio", "level", 70, None, "%")]),
    ("平均住院日从10.2天下降到9.1天。",
     [("avg_length_of_stay", "level", 10.2, None, "天"), ("avg_length_of_stay", "level", 9.1, None, "天")]),
    # lists with 分别
    ("门急诊人次、出院人数分别增长12.5%、7.8%。",
     [("outpatient_visits", "change", 12.5, None, "%"), ("inpatient_admissions", "change", 7.8, None, "%")]),
    ("乡镇卫生院和村卫生室基本药物使用率分别达到96%和91%。",
     [("essential_drug_usage_rate", "level", 96, None, "%"), ("essential_drug_usage_rate", "level", 91, None, "%")]),
    # targets
    ("力争参合率稳定在98%以上。", [("ncms_participation_rate", "target", 98, None, "%")]),
    ("计划投资2500万元新建县人民医院住院楼。", [("government_investment", "target", 25000000, None, "元")]),
    ("确保政策范围内住院费用报销比例达到75%。", [("reimbursement_ratio", "target", 75, None, "%")]),
    ("完成了县域内就诊率90%的目标。", [("in_county_visit_rate", "target", 90, None, "%")]),
    # ranges
    ("门诊报销比例在40~60%之间。", [("reimbursement_ratio", "level", 40, 60, "%")]),
    ("起付线在200-500元之间。", [("deductible", "level", 200, 500, "元")]),
    # suspect
    ("县域内就诊率达到 915%。", [("in_county_visit_rate", "level", 915, None, "%")]),
    # money with a health purpose counts, without it does not
    ("县财政投入3200万元用于乡镇卫生院改造。", [("government_investment", "level", 32000000, None, "元")]),
    ("全县固定资产投资完成125亿元。", []),
    ("全年接待游客320万人次,旅游收入28亿元。", []),
    ("城镇职工基本养老保险参保人数达到18.6万人。", []),
    ("农村居民人均纯收入8650元。", []),
    ("城镇新增就业1.2万人。", []),
    ("财政收入增长12%。", []),
    # a colon opens a list governed by the indicator before it
    ("住院补偿比例:乡镇卫生院60%,县级医院45%,市级医院35%。",
     [("reimbursement_ratio", "level", 60, None, "%"), ("reimbursement_ratio", "level", 45, None, "%"),
      ("reimbursement_ratio", "level", 35, None, "%")]),
    # a per-person indicator printed with a fund total is money put in, not a rate per person
    ("全县新农合基金总额2.6亿元,其中各级财政补助2.1亿元,农民个人缴费0.5亿元。",
     [("government_investment", "level", 210000000, None, "元")]),
]


@pytest.mark.parametrize("sentence,expected", CASES, ids=[c[0][:14] for c in CASES])
def test_link(sentence, expected):
    assert links(sentence) == [tuple(x) for x in expected]


def test_suspect_flag():
    out = default_linker().link_sentence("县域内就诊率达到915%。", 0, 12, recognise("县域内就诊率达到915%。"))
    assert out[0].suspect is True
    out = default_linker().link_sentence("县域内就诊率达到91.5%。", 0, 13, recognise("县域内就诊率达到91.5%。"))
    assert out[0].suspect is False


@pytest.mark.parametrize("segmenter", ["jieba", "pkuseg"])
def test_spacy_pipeline_sets_extensions(segmenter):
    nlp = build_nlp(segmenter)
    doc = nlp("全县新农合参合率达到98.6%,住院费用报销比例达到65%。")
    assert [l.metric for l in doc._.links] == ["ncms_participation_rate", "reimbursement_ratio"]
    spans = doc.spans["metrics"]
    assert [(s.label_, s.text) for s in spans] == [("ncms_participation_rate", "98.6%"), ("reimbursement_ratio", "65%")]
    assert "".join(t.text for t in doc) == doc.text
    assert nlp.pipe_names == ["reform_quantities", "reform_linker"]


def test_spacy_components_give_the_pipelines_links():
    """process() links sentences directly (segmenting only what it must); the spaCy
    components wrap the same engine and must agree with it sentence by sentence."""
    from pathlib import Path

    from extract.normalise import normalise
    from extract.segment import get_segmenter
    from extract.structure import parse_structure

    root = Path(__file__).resolve().parent.parent / "corpus"
    nlp = build_nlp("jieba")
    linker = default_linker()
    seg = get_segmenter("jieba")
    compared = 0
    for name in ("xiangfan_yigai_zongjie_2009.txt", "yugan_ncms_zicha_2010.txt"):
        text = normalise((root / name).read_text(encoding="utf-8")).text
        for s in parse_structure(text).sentences:
            sent = text[s.start:s.end]
            direct = linker.link_sentence(sent, 0, len(sent), recognise(sent), segment=seg)
            via_spacy = nlp(sent)._.links
            key = lambda ls: [(l.metric, l.kind, l.value, l.quantity.start) for l in ls]  # noqa: E731
            assert key(direct) == key(via_spacy), sent
            compared += len(direct)
    assert compared > 30
