"""News items and interviews through the whole pipeline: a newspaper report of a city's
statistical bulletin reposted in traditional script, with the indicator after the count,
quotes, a Q&A with targets, counts that are no metric, consumables and run-together text."""
from pipeline_text import text_records

NEWS = (
    "當前位置：首頁 > 新聞 > 本地\n"
    "2024-02-06 08:30　來源：衢州日報\n"
    "　　記者從市衛生健康委獲悉，2023年全市醫療機構共完成2381.6萬人次的總診療量，比上年增長4.2%；"
    "每名醫師日均擔負診療7.4人次。全縣共有41.3萬人蔘加城鄉居民醫保，新建村衛生室18個，增長12%。\n"
    "　　“現在九成以上的群衆在縣域內就醫。”該局負責人說。集採藥品平均降價54%，"
    "高值醫用耗材平均降價76%。住院費用實際報銷比例爲63.5%，比全省平均水平高2.7個百分點。\n"
    "　　記者：今年有哪些目標？負責人：力爭基層就診率達到65%。\n"
)


def _records(text, name="news"):
    return text_records(text, name)


def test_news_item_values_units_kinds_and_offsets():
    recs = _records(NEWS)
    got = [(r["metric"], r["kind"], r["value"], r["unit"], r["qualifier"], r["text"]) for r in recs]
    assert got == [
        ("outpatient_visits", "level", 23816000.0, "人次", None, "2381.6萬人次"),   # …的總診療量
        ("outpatient_visits", "change", 4.2, "%", None, "4.2%"),
        ("insured_persons", "level", 413000.0, "人", None, "41.3萬人"),  # 人蔘加: s2t mirror artefact
        ("in_county_visit_rate", "level", 90.0, "%", "at_least", "九成"),
        ("drug_price_change", "change", -54.0, "%", None, "54%"),                 # not the 耗材
        ("reimbursement_ratio", "level", 63.5, "%", None, "63.5%"),
        ("reimbursement_ratio", "change", 2.7, "百分点", None, "2.7個百分點"),
        ("primary_care_visit_share", "target", 65.0, "%", None, "65%"),
    ]
    for r in recs:
        assert NEWS[r["start"]:r["end"]] == r["text"]
    # no record for the per-doctor workload, the clinics or their growth (增長12%)
    assert not any(r["text"] in ("7.4人次", "12%") for r in recs)
    assert next(r for r in recs if r["text"] == "2381.6萬人次")["start"] == NEWS.index("2381.6萬人次")


def test_run_together_statement_takes_the_nearest_indicator():
    text = "2013年新農合運行情況\n全縣住院補償比52%門診人次63.2萬人次 增長53.1%\n"
    got = [(r["metric"], r["kind"], r["value"], r["unit"], r["text"]) for r in _records(text)]
    assert got == [
        ("reimbursement_ratio", "level", 52.0, "%", "52%"),
        ("outpatient_visits", "level", 632000.0, "人次", "63.2萬人次"),
        ("outpatient_visits", "change", 53.1, "%", "53.1%"),
    ]
