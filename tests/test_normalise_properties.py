"""Normalisation properties through the whole pipeline (tests/test_normalise.py checks the
analysis text alone).

Junk of the kinds real reports carry is put around and inside the figures of report
sentences: spaces inside numbers and between a number and its unit, pinyin annotations
after characters (醫(yī)療), full-width digits and signs, traditional characters. Whatever
the junk, `process` must give the records of the clean sentence (same metric, kind,
value, unit, qualifier, year), each pointing at the junky source: ``src.text[start:end]``
is its text, which (in context) reads as the clean record's text, and so does its snippet.
"""
from hypothesis import HealthCheck, given, settings, strategies as st

from extract.ingest import SourceDoc
from extract.normalise import normalise
from extract.pipeline import process
from strategies import FULL, spaced_number

# sentences as (word, figure, word, figure, ...); a figure is (digits kind, unit)
TEMPLATES = [
    ["2019年全县新农合参合率达到", ("pct", "%"), "，人均筹资标准为每人每年", ("int", "元"),
     "，住院补偿比例提高到", ("pct", "%"), "。"],
    ["全县城乡居民医保参保人数", ("dec", "万人"), "，参保率", ("pct", "%"), "。"],
    ["县财政投入医改专项资金", ("int", "万元"), "，比上年增长", ("pct", "%"), "。"],
    ["乡镇卫生院门诊人次增长", ("pct", "%"), "，住院人次", ("dec", "万人次"), "。"],
    ["家庭医生签约率为", ("pct", "%"), "，重点人群签约", ("dec", "万人"), "。"],
    ["全县医疗卫生机构床位", ("int", "张"), "，平均住院日", ("dec", "天"), "。"],
    ["药品价格平均降低", ("pct", "%"), "，药占比下降到", ("pct", "%"), "。"],
    ["群众就医负担明显减轻，住院实际补偿比达到", ("pct", "%"), "。"],
]
TRAD = {"医": "醫", "疗": "療", "卫": "衛", "参": "參", "险": "險", "达": "達", "县": "縣",
        "为": "為", "万": "萬", "农": "農", "门": "門", "诊": "診", "费": "費", "标": "標",
        "药": "藥", "构": "構", "务": "務", "财": "財", "资": "資", "专": "專", "张": "張",
        "签": "簽", "约": "約", "长": "長", "养": "養", "补": "補", "偿": "償", "负": "負",
        "担": "擔", "减": "減", "轻": "輕", "镇": "鎮", "院": "院", "乡": "鄉", "价": "價",
        "格": "格", "床": "床", "实": "實", "际": "際", "筹": "籌", "险": "險"}
PINYIN = ["(yī)", "(liáo)", "（wèi）", "(shēng)", "(yi1)", "(fei4)", "（cān hé）"]


@st.composite
def digits(draw, kind):
    if kind == "pct":
        whole = str(draw(st.integers(1, 99)))
        frac = draw(st.sampled_from(["", "5", "38"]))
    elif kind == "dec":
        whole, frac = str(draw(st.integers(1, 999))), str(draw(st.integers(1, 9)))
    else:
        whole, frac = str(draw(st.integers(100, 99999))), ""
    return whole, frac


@st.composite
def junk_word(draw, word):
    out = []
    for i, ch in enumerate(word):
        out.append(TRAD[ch] if ch in TRAD and draw(st.booleans()) else ch)
        if "\u4e00" <= ch <= "\u9fff" and draw(st.integers(0, 5)) == 0:
            out.append(draw(st.sampled_from(PINYIN)))
        if i < len(word) - 1 and draw(st.integers(0, 6)) == 0 and \
                "\u4e00" <= ch <= "\u9fff" and "\u4e00" <= word[i + 1] <= "\u9fff":
            out.append(draw(st.sampled_from([" ", "\u3000"])))
    return "".join(out)


@st.composite
def junk_figure(draw, whole, frac, unit):
    s = draw(spaced_number(whole, frac))
    gap = draw(st.sampled_from(["", " ", "\u3000"] + (["\n"] if unit != "%" else [])))
    u = unit.translate(FULL) if draw(st.booleans()) else unit
    if draw(st.booleans()):
        u = "".join(TRAD.get(c, c) for c in u)
    return s + gap + u


@st.composite
def sentence(draw):
    """(clean sentence, the same sentence with junk)."""
    clean, junky = [], []
    for part in draw(st.sampled_from(TEMPLATES)):
        if isinstance(part, str):
            clean.append(part)
            junky.append(draw(junk_word(part)))
        else:
            kind, unit = part
            whole, frac = draw(digits(kind))
            clean.append(whole + ("." + frac if frac else "") + unit)
            junky.append(draw(junk_figure(whole, frac, unit)))
    return "".join(clean), "".join(junky)


def _doc(text):
    return SourceDoc(doc_id="d", path="d.txt", text=text, format="txt", encoding="utf-8",
                     sha256="0")


FIELDS = ("metric", "kind", "value", "value_high", "unit", "qualifier", "year", "masked")


def _analysis(n, start, end):
    """The analysis text a source span prints; the span starts and ends on kept characters
    (no junk at its edges). Compared in context: "1. 5%" alone would read as a list item."""
    a, b = n.from_src(start), n.from_src(end)
    assert int(n.to_src[a]) == start and int(n.to_src[b - 1]) == end - 1
    return n.text[a:b]


def _same_records(clean, junky):
    nc, nj = normalise(clean), normalise(junky)
    assert nj.text == nc.text
    want = process(_doc(clean)).records
    got = process(_doc(junky)).records
    assert want, clean                       # every template states at least one figure
    assert [tuple(getattr(r, f) for f in FIELDS) for r in got] == \
        [tuple(getattr(r, f) for f in FIELDS) for r in want]
    for g, w in zip(got, want):
        assert junky[g.start:g.end] == g.text
        assert _analysis(nj, g.start, g.end) == _analysis(nc, w.start, w.end), (g.text, w.text)
        assert normalise(g.snippet).text == normalise(w.snippet).text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sentence())
def test_junk_around_figures_changes_no_record(pair):
    _same_records(*pair)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(sentence(), min_size=2, max_size=5),
       st.lists(st.sampled_from(["\n", "\r\n", "\n\n", "\r", "\n\u3000\u3000"]), min_size=4,
                max_size=4))
def test_junk_in_a_document_keeps_every_offset(pairs, breaks):
    """Several junky sentences as one document, paragraphs ended by LF, CRLF, a lone CR or
    a blank line, or indented: the records and their offsets into the junky text stay right."""
    clean = "".join(c + breaks[i % len(breaks)] for i, (c, _) in enumerate(pairs))
    junky = "".join(j + breaks[i % len(breaks)] for i, (_, j) in enumerate(pairs))
    _same_records(clean, junky)
