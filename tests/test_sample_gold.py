"""The bundled sample corpus against its own gold (corpus/gold): the engine's accuracy
on reports written for this project, and the provenance of every record."""
from pathlib import Path

import pytest

from extract.evaluate import evaluate_corpus, extract_corpus
from extract.ingest import iter_paths, read_document

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="module")
def scored():
    return evaluate_corpus(CORPUS, CORPUS / "gold")


def test_strict_f1_on_sample_gold(scored):
    s, _ = scored
    p, r, f = s.prf
    assert s.gold >= 400          # the gold is exhaustive, not a handful of easy cases
    assert f >= 0.95, f"strict F1 {f:.3f} (P={p:.3f} R={r:.3f})"
    assert p >= 0.95


def test_region_and_year_on_sample_gold(scored):
    s, _ = scored
    assert s.region_ok / s.region_n >= 0.95
    assert s.year_ok / s.year_n >= 0.75


def test_every_record_points_at_its_text(scored):
    _, records = scored
    texts = {}
    for path in iter_paths([CORPUS]):
        src = read_document(path)
        texts[src.doc_id] = src.text
    assert records
    for r in records:
        assert texts[r["doc"]][r["start"]:r["end"]] == r["text"], r


def test_both_segmenters_give_the_same_records():
    doc = CORPUS / "xiangfan_yigai_zongjie_2009.txt"
    a, _ = extract_corpus(doc, "jieba")
    b, _ = extract_corpus(doc, "pkuseg")
    key = lambda r: (r["start"], r["metric"], r["kind"], r["value"])  # noqa: E731
    assert sorted(map(key, a)) == sorted(map(key, b))
    assert len(a) > 10
