"""Coverage-guided fuzz target for the whole pipeline on one text (atheris / libFuzzer).

    python tests/fuzz_pipeline.py -max_total_time=180 -timeout=2    # a few minutes
    python tests/fuzz_pipeline.py -atheris_runs=20000 corpus_dir   # keep a corpus
    python tests/fuzz_pipeline.py crash-<sha1>                     # replay one input
    python tests/fuzz_pipeline.py --save crash-<sha1> NAME "…"     # keep it as a regression

An input is read in one of five ways (its first byte decides): as the bytes of a ``.txt``
file (decoding and table detection included; `IngestError` is a fine answer), as raw
Unicode text, as a sequence of report-like tokens (figures, units, metric words, places,
years, headings, brackets, pinyin, full-width and traditional forms, table rows), as a
slice of a sample corpus report with such tokens dropped in, or as a few tokens repeated
up to 12k characters (run with ``-timeout=2``: an input that makes a stage quadratic shows
up as a timeout). The text then goes through `extract.pipeline.process` (normalise →
structure → recognise → link → attribute), which must not raise and must keep its contract:

* the normalisation map is monotone and ends at the length of the text;
* structure spans lie inside the analysis text, sentences in order and disjoint;
* every record's ``text`` is ``src.text[start:end]``, its metric and unit are known, its
  value finite (or None exactly when masked), its snippet holds its text;
* kinds, qualifiers, region codes, periods and article indexes are well formed;
* article and section spans lie inside the document text, and `doc_rows` converts the
  result (what the store writes);
* a second `process` of the same text gives the same records (no state leaks).

A crash or timeout input is kept with ``python tests/fuzz_pipeline.py --save crash-<sha1>
NAME "what it broke, fixed in <commit>"`` as tests/regressions/pipeline/NAME.json (mode and
decoded payload), which tests/regressions/test_fuzz_crashes.py replays through `run`.
Not collected by pytest (no ``test_`` prefix).
"""
from __future__ import annotations

import json
import math
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    import atheris
except ImportError:          # the regression test replays saved cases without atheris
    atheris = None

if atheris is not None and __name__ == "__main__":
    with atheris.instrument_imports():
        from extract import (attribution, linker, normalise, numbers, pipeline,  # noqa: F401
                             regions, structure, tables, timeref)
        from extract.formats import encoding, text_tables, txt  # noqa: F401

from extract.formats import txt as txt_reader  # noqa: E402
from extract.formats.text_tables import detect_text_tables  # noqa: E402
from extract.ingest import IngestError, SourceDoc  # noqa: E402
from extract.linker import default_linker  # noqa: E402
from extract.normalise import normalise as _normalise  # noqa: E402
from extract.numbers import units as _units  # noqa: E402
from extract.pipeline import process  # noqa: E402
from extract.store import doc_rows  # noqa: E402
from extract.structure import parse_structure  # noqa: E402

TOKENS = [
    # figures and units
    "0", "1", "5", "12", "98.5", "3,500", "1 800", "2019", "２０１９", "９８．５", "%", "％", "‰",
    "个百分点", "百分点", "万", "亿", "万元", "亿元", "元", "萬元", "人", "万人", "人次", "张", "天", "个",
    "家", "倍", "成", "**", "X", "×", "一", "二", "两", "十", "百", "千", "〇", "零", "点", "百分之",
    "三分之一", "约", "近", "多", "余", "以上", "左右", "不低于", "超过", "~", "-", "—", "至", "到",
    "每人每年", "人均", "/人", "分别为", "、", "和",
    # metric words and verbs
    "参合率", "参保率", "新农合", "住院", "补偿比", "门诊", "人次", "筹资", "标准", "床位", "医疗费用",
    "增长", "下降", "提高到", "由", "达到", "控制在", "目标", "比上年", "同比", "较", "平均住院日",
    "家庭医生签约率", "财政补助", "自付比例", "药占比",
    # places, times, structure
    "全国", "全省", "江西省", "余干县", "北京市", "某县", "XX县", "**省", "市", "乡镇", "年", "月", "日",
    "2019年", "今年", "去年", "上年", "当年", "次年", "第一季度", "上半年", "十二五", "近年来", "以来",
    "一、", "（一）", "(二)", "1.", "2、", "①", "第一篇", "第二章", "工作总结", "工作打算", "报告", "卫生局",
    "表1", "附件", "当前位置：首页", "打印本页", "发布日期:2019-01-02",
    # punctuation, brackets, spacing, scripts
    "，", ",", "。", "；", ";", "！", "？", "：", ":", "“", "”", "\"", "（", "）", "(", ")", "《", "》",
    "【", "】", "〔", "〕", "[", "]", " ", "  ", "\u3000", "\t", "|", "\n", "\r\n", "\r", "\n\n",
    "(yī)", "（liáo）", "醫療", "參合率", "達到", "衛生", "锟斤拷", "\ufeff", "\u200b", "𠀀",
]


CORPUS = Path(__file__).resolve().parent.parent / "corpus"
_REPORTS: list = []


def _reports() -> list:
    """The texts of the sample corpus's .txt reports (read once)."""
    if not _REPORTS:
        from extract.ingest import iter_paths, read_document
        _REPORTS.extend(read_document(p).text for p in iter_paths(CORPUS) if p.suffix == ".txt")
    return _REPORTS


def decode(data: bytes) -> tuple[str, object]:
    """(mode, payload) of one fuzz input: ("bytes", the bytes of a .txt file), or
    ("text" / "text+tables", a text; the latter with tables detected as for a .txt file)."""
    fdp = atheris.FuzzedDataProvider(data)
    kind = fdp.ConsumeIntInRange(0, 5)
    if kind == 5:
        # a few tokens repeated up to 12k characters: what turns a scan quadratic (a run
        # of 。 or *, a line of figures without a clause mark) shows as a libFuzzer timeout
        unit = "".join(TOKENS[fdp.ConsumeIntInRange(0, len(TOKENS) - 1)]
                       for _ in range(fdp.ConsumeIntInRange(1, 3)))
        return "text", (unit * fdp.ConsumeIntInRange(1, 4000))[:12000]
    if kind == 0:
        return "bytes", fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 400))
    if kind == 1:
        return "text", fdp.ConsumeUnicodeNoSurrogates(300)
    if kind in (2, 3):
        n = fdp.ConsumeIntInRange(0, 80)
        text = "".join(TOKENS[fdp.ConsumeIntInRange(0, len(TOKENS) - 1)] for _ in range(n))
        return ("text", "text+tables")[kind - 2], text
    # a slice of a real report with tokens dropped in: real structure, hostile details
    reports = _reports()
    doc = reports[fdp.ConsumeIntInRange(0, len(reports) - 1)]
    a = fdp.ConsumeIntInRange(0, len(doc))
    text = doc[a:a + fdp.ConsumeIntInRange(0, 1500)]
    for _ in range(fdp.ConsumeIntInRange(0, 12)):
        i = fdp.ConsumeIntInRange(0, len(text))
        text = text[:i] + TOKENS[fdp.ConsumeIntInRange(0, len(TOKENS) - 1)] + text[i:]
    return "text+tables", text


def run(mode: str, payload) -> None:
    """Read *payload* as *mode* says and `check` the pipeline on it."""
    if mode == "bytes":
        try:
            ex = txt_reader.read(payload, "fuzz.txt")
        except IngestError:
            return
        check(ex.text, ex.tables)
    else:
        check(payload, detect_text_tables(payload) if mode == "text+tables" else [])


KINDS = {"level", "change", "target"}
QUALIFIERS = {None, "approx", "at_least", "more_than", "at_most", "less_than"}


def check(text: str, tables=()) -> None:
    """Run the whole pipeline on *text* and assert its contract (see the module doc)."""
    n = _normalise(text)
    m = n.to_src
    assert len(m) == len(n.text) + 1 and int(m[-1]) == len(text), "map length"
    assert all(int(a) < int(b) for a, b in zip(m[:-1], m[1:])), "map not increasing"
    st = parse_structure(n.text)
    prev = 0
    for s in st.sentences:
        assert prev <= s.start < s.end <= len(n.text), ("sentence", s)
        prev = s.end
    for span in (*st.articles, *st.sections, *st.paragraphs):
        assert 0 <= span.start <= span.end <= len(n.text), ("span", span)

    src = SourceDoc(doc_id="fuzz", path="fuzz.txt", text=text, format="txt", encoding="utf-8",
                    sha256="0" * 64, title=None, tables=list(tables))
    res = process(src)
    rules = default_linker().rules
    canon = {u for u, _ in _units().values()} | {"", "%", "百分点"}
    for r in res.records:
        assert 0 <= r.start <= r.end <= len(text), ("offsets", r)
        assert text[r.start:r.end] == r.text, ("text", r)
        assert r.metric in rules, ("metric", r)
        assert r.unit in canon, ("unit", r)
        assert (r.value is None) == r.masked, ("masked", r)
        for v in (r.value, r.value_high):
            assert v is None or (isinstance(v, float) and math.isfinite(v)), ("value", r)
        if r.source == "text":
            assert r.text.strip() in r.snippet, ("snippet", r)
        assert r.kind in KINDS and r.qualifier in QUALIFIERS, ("kind", r)
        assert r.region_code is None or (len(r.region_code) == 6 and r.region_code.isdigit()), r
        assert r.article is None or 0 <= r.article < len(res.articles), ("article", r)
        if r.period_start and r.period_end:
            assert date.fromisoformat(r.period_start) <= date.fromisoformat(r.period_end), r
    for a in res.articles:
        assert 0 <= a["start"] <= a["end"] <= len(text), ("article", a)
    for s in res.sections:
        assert 0 <= s["start"] <= s["end"] <= len(text), ("section", s)
        assert 0 <= s["article"] < len(res.articles), ("section", s)
    if res.date:
        date.fromisoformat(res.date)
    doc_rows(res)
    again = process(src)                 # no state carried from one document to the next
    assert [r.to_json() for r in again.records] == [r.to_json() for r in res.records], "again"


def TestOneInput(data: bytes) -> None:
    run(*decode(data))


def save(crash_file: str, name: str, found: str) -> Path:
    """Keep a crash input as tests/regressions/pipeline/NAME.json: its mode and payload as
    decoded here (so replaying needs no atheris) and *found*, what it broke and its fix."""
    mode, payload = decode(Path(crash_file).read_bytes())
    case = {"mode": mode, **({"hex": payload.hex()} if mode == "bytes" else {"text": payload}),
            "found": found}
    out = Path(__file__).parent / "regressions" / "pipeline" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(case, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out


def main() -> None:
    if sys.argv[1:2] == ["--save"]:       # --save crash-… NAME "what it broke, fixed in …"
        print(save(*sys.argv[2:5]))
        return
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
