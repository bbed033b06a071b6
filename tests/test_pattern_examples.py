"""Run the `examples:` of every patterns/*.yaml file, plus the loader's own tests.

Each pattern file names its checker (``checker: numbers``); the checker is a function
``check(patterns, example)`` that asserts one example, where ``patterns`` is the file as
returned by ``extract.patterns.load_patterns``.  Checkers come from this file
(`CHECKERS`) and from any module ``tests/pattern_checkers/*.py`` that defines a dict
``CHECKERS = {"name": function}`` -- add your checker there, not here.

A file with examples but no ``checker:`` uses ``regex``: each example is
``{piece: Name, text: ..., match: <first match or null>}`` or ``{..., matches: [...]}``.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from extract import patterns as P
from extract.patterns import PatternError, load_patterns, patterns_dir

HERE = Path(__file__).resolve().parent
PLUGIN_DIR = HERE / "pattern_checkers"


# ---- built-in checkers ---------------------------------------------------------------

def check_regex(pats, ex):
    rx = pats[ex["piece"]]
    if "matches" in ex:
        assert [m.group() for m in rx.finditer(ex["text"])] == ex["matches"]
    else:
        m = rx.search(ex["text"])
        assert (m.group() if m else None) == ex["match"]


def check_chrome(pats, ex):
    """{in: source text, out: analysis text} through the real normaliser."""
    from extract.normalise import normalise
    assert normalise(ex["in"]).text == ex["out"]


def check_structure(pats, ex):
    """Structure examples: {heading: line, level: n, number: k} / {heading: line, level: null}
    / {text: ..., articles: [titles], article_starts: [text each article starts with]}."""
    from extract.structure import heading_of, parse_structure
    if "heading" in ex:
        h = heading_of(ex["heading"])
        if ex["level"] is None:
            assert h is None
        else:
            assert h is not None and (h.level, h.number) == (ex["level"], ex.get("number", h.number))
    else:
        st = parse_structure(ex["text"])
        if "articles" in ex:
            assert [a.title for a in st.articles] == ex["articles"]
        for a, head in zip(st.articles, ex.get("article_starts", [])):   # where each starts
            assert ex["text"][a.start:].startswith(head), (ex["text"][a.start:a.start + 30], head)
        if "article_starts" in ex:
            assert len(st.articles) == len(ex["article_starts"])


CHECKERS = {"regex": check_regex, "chrome": check_chrome, "structure": check_structure}


def _plugins() -> dict:
    found = {}
    for path in sorted(PLUGIN_DIR.glob("*.py")) if PLUGIN_DIR.is_dir() else []:
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"pattern_checkers_{path.stem}", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for name, fn in getattr(mod, "CHECKERS", {}).items():
            assert name not in found and name not in CHECKERS, f"checker {name!r} defined twice"
            found[name] = fn
    return found


ALL_CHECKERS = {**CHECKERS, **_plugins()}


def _example_cases():
    cases = []
    for path in sorted(patterns_dir().glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh) or {}
        for i, ex in enumerate(raw.get("examples") or []):
            cases.append(pytest.param(path.stem, raw.get("checker", "regex"), i, ex,
                                      id=f"{path.stem}[{i}]"))
    return cases


@pytest.mark.parametrize("name", [p.stem for p in sorted(patterns_dir().glob("*.yaml"))])
def test_pattern_file_loads(name):
    pats = load_patterns(name)
    assert pats.name == name
    for key, rx in pats.items():
        assert rx.pattern == pats.src[key]


@pytest.mark.parametrize("name,checker,index,example", _example_cases())
def test_example(name, checker, index, example):
    assert checker in ALL_CHECKERS, (
        f"{name}.yaml wants checker {checker!r}; known: {sorted(ALL_CHECKERS)} "
        f"(add it in tests/pattern_checkers/)")
    ALL_CHECKERS[checker](load_patterns(name), example)


# ---- the loader itself --------------------------------------------------------------

@pytest.fixture
def pattern_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("REFORM_PATTERNS", str(tmp_path))
    P.clear_cache()
    yield tmp_path
    P.clear_cache()


def write(folder, name, text):
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


def test_references_expand_recursively(pattern_dir):
    write(pattern_dir, "t", r"""
pieces:
  Digit: '[0-9]'
  Num: '{Digit}{1,3}(?:,{Digit}{3})*'
  Unit: [元, 万元, 亿元]
  Amount: '{Num}{Unit}'
  Han: '\p{Han}+'
""")
    p = load_patterns("t")
    assert p.src["Num"] == "(?:[0-9]){1,3}(?:,(?:[0-9]){3})*"
    assert p.src["Unit"] == "万元|亿元|元"
    assert p.src["Han"] == r"\p{Han}+"
    assert [m.group() for m in p["Amount"].finditer("共1,800万元和3亿元")] == ["1,800万元", "3亿元"]
    assert p.compile("{Amount}以上").search("投入500万元以上").group() == "500万元以上"


def test_cycle_is_reported(pattern_dir):
    write(pattern_dir, "c", "pieces:\n  A: 'x{B}'\n  B: 'y{C}'\n  C: 'z{A}'\n")
    with pytest.raises(PatternError, match="cycle A -> B -> C -> A"):
        load_patterns("c")


def test_unknown_reference_is_reported(pattern_dir):
    write(pattern_dir, "u", "pieces:\n  A: 'x{Missing}'\n")
    with pytest.raises(PatternError, match=r"unknown piece \{Missing\} \(in A\)"):
        load_patterns("u")


def test_bad_regex_names_the_piece(pattern_dir):
    write(pattern_dir, "b", "pieces:\n  Bad: '[0-9'\n")
    with pytest.raises(PatternError, match="piece 'Bad'"):
        load_patterns("b")


def test_flags_and_data_pass_through(pattern_dir):
    write(pattern_dir, "f", "flags: [IGNORECASE]\ncues: [a, b]\npieces:\n  W: 'icp'\n"
                            "checker: regex\nexamples: [{piece: W, text: 'ICP备', match: ICP}]\n")
    p = load_patterns("f")
    assert p["W"].search("京ICP备").group() == "ICP"
    assert p.raw["cues"] == ["a", "b"]
    assert p.checker == "regex" and len(p.examples) == 1
    check_regex(p, p.examples[0])


def test_cached_until_cleared(pattern_dir):
    write(pattern_dir, "k", "pieces:\n  A: 'a'\n")
    first = load_patterns("k")
    assert load_patterns("k") is first
    write(pattern_dir, "k", "pieces:\n  A: 'b'\n")
    assert load_patterns("k") is first
    P.clear_cache()
    assert load_patterns("k")["A"].pattern == "b"


def test_missing_file(pattern_dir):
    with pytest.raises(PatternError, match="no pattern file"):
        load_patterns("nope")
