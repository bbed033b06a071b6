"""Budget material published as web text: a project's 绩效目标 page (prose 项目概况, then the
绩效目标表 as tab-separated rows, a form on top) and a 绩效自评表 page in HTML.

The pages here are written for this test (invented figures): the rules are general, not
those of corpus/qitai_* and corpus/shucheng_*.
"""
from extract.ingest import read_document
from extract.pipeline import process

T = "\t"

TARGET_PAGE = "\n".join([
    "阜康市2026年城乡居民基本医疗保险补助资金项目绩效目标公开",
    "发布时间：2026-01-20",
    "一、项目概况",
    "2026年城乡居民医保人均财政补助标准为720元，其中中央补助470元，自治区补助122元，州补助38元，市补助90元。",
    "本项目预算安排补助资金5040万元。",
    "2025年全市居民医保参保率为96.4%。",
    "二、绩效目标表",
    T.join(["项目名称", "城乡居民基本医疗保险补助资金", "", ""]),
    T.join(["项目资金（万元）", "年度资金总额：5040", "其中：财政拨款：5040", "其他资金："]),
    T.join(["一级指标", "二级指标", "三级指标", "指标值", "分值"]),
    T.join(["产出指标", "数量指标", "居民医保参保率", "≥95%", "20"]),
    T.join(["", "成本指标", "人均财政补助标准", "≥720元/人", "20"]),
    T.join(["", "质量指标", "住院费用报销比例", "不低于70%", "20"]),
    T.join(["效益指标", "社会效益指标", "政策知晓率", "≥90%", "40"]),
    "",
])


def _records(path):
    return [(r.metric, r.kind, r.value, r.unit, r.qualifier, r.year, r.source)
            for r in process(read_document(path)).records]


def test_target_page_prose_and_table(tmp_path):
    p = tmp_path / "fukang_jixiao_2026.txt"
    p.write_text(TARGET_PAGE, encoding="utf-8")
    got = _records(p)
    assert got == [
        ("fiscal_subsidy_per_capita", "target", 720.0, "元", None, 2026, "text"),
        ("fiscal_subsidy_per_capita", "target", 470.0, "元", None, 2026, "text"),
        ("fiscal_subsidy_per_capita", "target", 122.0, "元", None, 2026, "text"),
        ("fiscal_subsidy_per_capita", "target", 38.0, "元", None, 2026, "text"),
        ("fiscal_subsidy_per_capita", "target", 90.0, "元", None, 2026, "text"),
        # no health word in the sentence: the page title names the project
        ("government_investment", "target", 50400000.0, "元", None, 2026, "text"),
        # a sentence about the year before the budget's states a level
        ("insurance_coverage_rate", "level", 96.4, "%", None, 2025, "text"),
        # the form: 财政拨款 only repeats the row's 年度资金总额 (one record)
        ("government_investment", "target", 50400000.0, "元", None, 2026, "table"),
        # the thresholds are targets; the 分值 column is never a value; 知晓率 no metric
        ("insurance_coverage_rate", "target", 95.0, "%", "at_least", 2026, "table"),
        ("fiscal_subsidy_per_capita", "target", 720.0, "元", "at_least", 2026, "table"),
        ("reimbursement_ratio", "target", 70.0, "%", "at_least", 2026, "table"),
    ]


def _row(cells):
    return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"


SELF_EVAL_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8">
<title>霍邱县医疗保障局2025年度城乡居民医保补助资金项目绩效自评表</title></head><body>
<h1>霍邱县医疗保障局2025年度城乡居民医保补助资金项目绩效自评表</h1>
<p>发布时间：2026-03-02</p>
<table>
%s
</table>
<table>
%s
</table>
</body></html>
""" % ("\n".join(_row(r) for r in [
    ["项目名称", "城乡居民医保补助资金", "", "", ""],
    ["资金情况（万元）", "全年预算数", "全年执行数", "分值", "得分"],
    ["年度资金总额", "9100.00", "9085.50", "10", "9"],
]), "\n".join(_row(r) for r in [
    ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分"],
    ["产出指标", "数量指标", "居民医保参保率", "≥95%", "97.2%", "20", "20"],
    ["", "成本指标", "个人自付比例", "≤20%", "18.5%", "20", "18"],
    ["满意度指标", "服务对象满意度指标", "参保群众满意度", "≥90%", "93%", "10", "10"],
]))


def test_self_evaluation_page(tmp_path):
    p = tmp_path / "huoqiu_ziping_2025.html"
    p.write_text(SELF_EVAL_PAGE, encoding="utf-8")
    got = _records(p)
    assert got == [
        # 全年预算数 was the plan, 全年执行数 what was spent; 分值/得分 are no values
        ("government_investment", "target", 91000000.0, "元", None, 2025, "table"),
        ("government_investment", "level", 90855000.0, "元", None, 2025, "table"),
        # 年度指标值: the aim (≥ at_least, ≤ at_most); 实际完成值: the year's level
        ("insurance_coverage_rate", "target", 95.0, "%", "at_least", 2025, "table"),
        ("insurance_coverage_rate", "level", 97.2, "%", None, 2025, "table"),
        ("out_of_pocket_share", "target", 20.0, "%", "at_most", 2025, "table"),
        ("out_of_pocket_share", "level", 18.5, "%", None, 2025, "table"),
    ]


TRANSFER_PAGE = """<html><head><meta charset="utf-8"><title>医疗救助补助资金转移支付项目绩效目标自评表</title></head>
<body><h1>金寨县医疗救助补助资金转移支付项目绩效目标自评表（2025年度）</h1>
<table>%s</table><table>%s</table></body></html>""" % ("".join(_row(r) for r in [
    ["转移支付（项目）名称", "医疗救助补助资金", "", "", ""],
    ["资金投入情况（万元）", "全年预算数（A）", "全年执行数（B）", "预算执行率（B/A×100%）", "分值"],
    ["年度资金总额：", "2480.6万", "2470.1万", "99.6%", "10"],
]), "".join(_row(r) for r in [
    ["一级指标", "三级指标", "指标值", "全年实际完成值", "分值"],
    ["产出指标", "住院费用政策范围内报销比例", "≧70%", "72.5%", "10"],
]))


def test_transfer_self_evaluation(tmp_path):
    """A header row whose label holds 100% is still a header; a cell printing 万 under a
    （万元） header is not scaled twice; the title row names the fund (医疗救助), so the
    row's 资金 is no government money; ≧ is at_least."""
    p = tmp_path / "jinzhai_ziping_2025.html"
    p.write_text(TRANSFER_PAGE, encoding="utf-8")
    got = _records(p)
    assert got[:2] == [
        ("medical_assistance_funds", "target", 24806000.0, "元", None, 2025, "table"),
        ("medical_assistance_funds", "level", 24701000.0, "元", None, 2025, "table"),
    ]
    assert got[2:] == [
        ("reimbursement_ratio", "target", 70.0, "%", "at_least", 2025, "table"),
        ("reimbursement_ratio", "level", 72.5, "%", None, 2025, "table"),
    ]
    assert not [r for r in got if r[2] == 10.0 or r[2] == 99.6]


STACKED_PAGE = """<html><head><meta charset="utf-8"><title>裕安区医疗救助补助资金项目绩效自评表（2025年度）</title></head>
<body><h1>裕安区医疗救助补助资金项目绩效自评表（2025年度）</h1>
<table>%s</table></body></html>""" % "".join(_row(r) for r in [
    ["项目名称", "医疗救助补助资金", "", "", ""],
    ["资金投入情况（万元）", "全年预算数", "全年执行数", "执行率", "分值"],
    ["年度资金总额", "1630.00", "1618.40", "99.3%", "10"],
    ["一级指标", "三级指标", "年度指标值", "实际完成值", "分值"],
    ["产出指标", "特困人员参保率", "100%", "100%", "10"],
    ["", "住院费用政策范围内报销比例", "≥75%", "76.8%", "10"],
])


def test_stacked_self_evaluation_table_splits(tmp_path):
    """One <table> holding the funds and, below a row of labels, the indicators: two tables,
    so that 全年执行数 does not label the 实际完成值 column and 分值 stays no value."""
    p = tmp_path / "yuan_ziping_2025.html"
    p.write_text(STACKED_PAGE, encoding="utf-8")
    doc = read_document(p)
    assert [(t.n_rows, t.header_rows) for t in doc.tables] == [(3, 2), (3, 1)]
    assert _records(p) == [
        ("medical_assistance_funds", "target", 16300000.0, "元", None, 2025, "table"),
        ("medical_assistance_funds", "level", 16184000.0, "元", None, 2025, "table"),
        ("insurance_coverage_rate", "target", 100.0, "%", None, 2025, "table"),
        ("insurance_coverage_rate", "level", 100.0, "%", None, 2025, "table"),
        ("reimbursement_ratio", "target", 75.0, "%", "at_least", 2025, "table"),
        ("reimbursement_ratio", "level", 76.8, "%", None, 2025, "table"),
    ]
