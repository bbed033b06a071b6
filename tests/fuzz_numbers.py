"""Coverage-guided fuzz target for the quantity recogniser (atheris / libFuzzer).

    python tests/fuzz_numbers.py -max_total_time=300            # a few minutes
    python tests/fuzz_numbers.py -atheris_runs=20000 corpus_dir  # keep a corpus

Each input is read either as raw text or as a sequence of report-like tokens (digits,
Chinese numerals, units, qualifiers, separators, look-alikes), then:

* `recognise` must not raise and must keep its contract (sorted, disjoint, ``text`` is the
  slice at the offsets, known units, masked iff no value, non-negative values);
* a window ``recognise(text, a, b)`` must equal the scan of ``text[:b]`` from ``a``;
* the fast scan (first-character test) must find exactly what the plain grammar finds;
* `parse_number` must not raise on any slice.

Crashes it found are kept as cases in tests/test_numbers.py (``FUZZ_REGRESSIONS``).
Not collected by pytest (the name does not start with ``test_``).
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import atheris  # noqa: E402

with atheris.instrument_imports():
    from extract import chinese_numerals, numbers  # noqa: F401

from extract.numbers import _engine, parse_number, recognise  # noqa: E402

TOKENS = [
    "0", "1", "2", "5", "9", "12", "3.5", "1,200", "2019", "13912345678", ",", ".", "%", "‰",
    "万", "亿", "千", "百", "十", "元", "人", "人次", "张", "个", "个百分点", "百分点", "倍", "成",
    "天", "日", "年", "月", "号", "时", "分", "第", "约", "近", "最近", "多", "余", "以上", "及以上",
    "以下", "左右", "不低于", "超过", "不超过", "不足", "封顶", "~", "-", "—", "——", "至", "到", "/",
    "/人", "/人次", "/年", "·", "每人每年", "人均", "每床", "*", "**", "X", "x", "×", "一", "二",
    "两", "三", "〇", "零", "五", "九", "壹", "拾", "点", "百分之", "分之", "的", "和", "、", "。",
    ":", "+", " ", "\n", "(", ")", "〔", "〕", "[", "]", "参保率", "达到", "投入", "统一", "表", "图",
    "G", "v", "V", "http://", "www.", "@", "a", "PM", "COVID-", "nCoV", "\u3000", "\t",
]


def _text(fdp: atheris.FuzzedDataProvider) -> str:
    if fdp.ConsumeBool():
        return fdp.ConsumeUnicodeNoSurrogates(200)
    n = fdp.ConsumeIntInRange(0, 60)
    return "".join(TOKENS[fdp.ConsumeIntInRange(0, len(TOKENS) - 1)] for _ in range(n))


def _check(text: str, qs, start: int, end: int) -> None:
    canon = {u for u, _ in _engine().units.values()} | {"", "%"}
    prev = start
    for q in qs:
        assert start <= prev <= q.start < q.end <= end, (text, q)
        assert text[q.start:q.end] == q.text, (text, q)
        assert q.unit in canon, q
        assert q.masked == (q.value is None), q
        assert q.value is None or q.value >= 0, q
        assert q.value_high is None or q.value is not None, q
        prev = q.end


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    text = _text(fdp)
    qs = recognise(text)
    _check(text, qs, 0, len(text))

    a = fdp.ConsumeIntInRange(0, len(text))
    b = fdp.ConsumeIntInRange(a, len(text))
    win = recognise(text, a, b)
    _check(text, win, a, b)
    assert win == recognise(text[:b], a), (text, a, b)

    eng = _engine()
    fast = [(m.span(), m.group("skip") is None) for m in eng.master.finditer(text)]
    plain = [(m.span(), m.group("skip") is None) for m in eng.reference.finditer(text)]
    assert fast == plain, (text, fast, plain)

    parse_number(text[a:b])
    for q in qs:
        parse_number(q.text)


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
