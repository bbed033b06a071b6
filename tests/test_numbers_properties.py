"""Property tests: numerals written by `format_chinese` / Python formatting read back
equal, and `recognise` keeps its output contract on arbitrary report-like text."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import assume, example, given, settings, strategies as st

from extract.numbers import _engine, format_chinese, parse_number, recognise
from extract.chinese_numerals import parse_decimal

_engine()   # compile the scan once here, not inside the first timed example

INTS = st.integers(min_value=0, max_value=10**16 - 1)
SMALL_INTS = st.integers(min_value=0, max_value=10**12 - 1)
DECIMALS = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)


# -- numerals -----------------------------------------------------------------------------

@given(INTS, st.booleans())
@example(10, False).via("ten is 十")
@example(100_000, False).via("十万")
@example(105_000_000, True).via("一亿零五百万")
@example(2_000_000_000_000, True).via("两万亿")
def test_chinese_units_round_trip(n, liang):
    s = format_chinese(n, liang=liang)
    assert parse_decimal(s) == n, s            # exact: past 2**53 a float cannot say it
    assert parse_number(s) == float(n)


@given(INTS)
def test_chinese_digit_by_digit_round_trip(n):
    s = format_chinese(n, style="digits")
    assert set(s) <= set("〇一二三四五六七八九")
    assert parse_decimal(s) == n, s


@given(INTS)
def test_liang_only_changes_twos(n):
    plain, liang = format_chinese(n), format_chinese(n, liang=True)
    assert len(plain) == len(liang)
    assert all(a == b or (a, b) == ("二", "两") for a, b in zip(plain, liang))


@given(DECIMALS)
def test_chinese_decimal_round_trip(d):
    s = format_chinese(d)
    assert parse_decimal(s) == d, s


@given(INTS)
def test_arabic_with_separators_round_trip(n):
    assert parse_decimal(f"{n:,}") == n
    assert parse_decimal(str(n)) == n


@given(DECIMALS)
def test_arabic_decimal_with_separators_round_trip(d):
    assert parse_decimal(f"{d:,.2f}") == d


@given(st.integers(min_value=1, max_value=10**6 - 1), st.sampled_from(["万", "亿", "千万", "万亿"]))
def test_arabic_with_magnitude(n, mag):
    mult = {"万": 10**4, "亿": 10**8, "千万": 10**7, "万亿": 10**12}[mag]
    assert parse_number(f"{n}{mag}") == n * mult


# -- numerals inside text -----------------------------------------------------------------

@given(SMALL_INTS, st.booleans(), st.sampled_from(["人", "元", "家", "人次", "张"]))
def test_recognise_chinese_count(n, liang, unit):
    words = format_chinese(n, liang=liang)
    text = f"全市共有{words}{unit},比上年增长"
    (q,) = recognise(text)
    assert (q.start, q.end, q.text) == (4, 4 + len(words) + len(unit), words + unit)
    assert (q.value, q.unit) == (n, unit)


@given(SMALL_INTS)
def test_recognise_arabic_with_separators(n):
    printed = f"{n:,}"
    text = f"投入资金{printed}元用于建设"
    (q,) = recognise(text)
    assert (q.start, q.text, q.value, q.unit) == (4, printed + "元", n, "元")


@given(DECIMALS, st.sampled_from([("万元", "元", 10**4), ("亿元", "元", 10**8),
                                  ("万人次", "人次", 10**4), ("万人", "人", 10**4)]))
def test_recognise_decimal_with_magnitude(d, unit):
    surface, canon, mult = unit
    printed = f"{d:,.2f}"
    (q,) = recognise(f"全年合计{printed}{surface}。")
    assert q.text == printed + surface
    assert q.value == float(d * mult) and q.unit == canon and q.unit_text == surface


@given(st.integers(0, 10**6), st.integers(0, 10**6), st.sampled_from(["~", "-", "至", "到", "—"]))
def test_recognise_ranges(a, b, sep):
    printed = f"{a}{sep}{b}元"
    (q,) = recognise(f"标准为{printed}之间")
    assert (q.text, q.value, q.value_high, q.unit) == (printed, a, b, "元")


@given(st.integers(1900, 2099))
def test_years_are_not_quantities(year):
    assert recognise(f"{year}年以来") == []
    assert recognise(f"{format_chinese(year, style='digits')}年以来") == []


# -- the output contract on arbitrary text -------------------------------------------------

TOKENS = st.sampled_from([
    "0", "1", "2", "5", "9", "12", "3.5", "1,200", ",", ".", "%", "‰", "万", "亿", "千", "百", "十",
    "元", "人", "人次", "张", "个", "个百分点", "倍", "成", "天", "日", "年", "月", "号", "第",
    "约", "近", "多", "余", "以上", "以下", "左右", "不低于", "超过", "不足", "~", "-", "—", "至",
    "到", "/", "/人", "每人每年", "人均", "*", "**", "X", "x", "×", "一", "二", "两", "三", "〇",
    "零", "五", "百分之", "分之", "的", "和", "、", "。", ":", "+", " ", "\n", "(", ")", "〔", "〕",
    "参保率", "达到", "提高到", "投入", "G", "v", "http://", "www.", "@", "a",
])
TEXTS = st.lists(TOKENS, max_size=40).map("".join)
KNOWN_UNITS = None


def _canonical_units():
    global KNOWN_UNITS
    if KNOWN_UNITS is None:
        KNOWN_UNITS = {u for u, _ in _engine().units.values()} | {"", "%"}
    return KNOWN_UNITS


def check_contract(text, qs, start=0, end=None):
    end = len(text) if end is None else end
    prev_end = start
    for q in qs:
        assert start <= prev_end <= q.start < q.end <= end, (text, qs)
        assert text[q.start:q.end] == q.text
        assert q.unit in _canonical_units()
        assert q.masked == (q.value is None)
        if q.value_high is not None:
            assert q.value is not None
        if q.value is not None:
            # negative only with a sign of its own (增速为-2.1%)
            assert q.value >= 0 or q.text[:1] in "-−", q
        assert q.qualifier in (None, "approx", "at_least", "more_than", "at_most", "less_than")
        prev_end = q.end


@settings(max_examples=400)
@given(TEXTS)
def test_contract_on_report_like_text(text):
    check_contract(text, recognise(text))


@settings(max_examples=300)
@given(TEXTS, st.data())
def test_window_is_respected(text, data):
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    qs = recognise(text, a, b)
    check_contract(text, qs, a, b)
    # a window is the same scan as on the cut text, shifted
    cut = recognise(text[:b], a)
    assert qs == cut


@settings(max_examples=400)
@given(TEXTS)
def test_first_character_test_changes_nothing(text):
    """The fast scan (Master) finds exactly what the plain grammar (Reference) finds."""
    eng = _engine()
    fast = [(m.span(), m.group("skip") is None) for m in eng.master.finditer(text)]
    plain = [(m.span(), m.group("skip") is None) for m in eng.reference.finditer(text)]
    assert fast == plain


@given(st.text(max_size=60))
def test_any_text_keeps_the_contract(text):
    check_contract(text, recognise(text))


@given(st.text(alphabet="0123456789,.", min_size=1, max_size=20))
def test_parse_number_agrees_with_python_for_plain_digits(s):
    got = parse_number(s)
    assume("," not in s)
    try:
        want = float(Decimal(s)) if s[0].isdigit() and s[-1].isdigit() and s.count(".") <= 1 else None
    except Exception:
        want = None
    assert got == want
