"""Per-genre figures of `reform eval`: corpus/genres.yaml and its scoring."""
from pathlib import Path

import pytest

from extract.evaluate import GENRES, Score, by_genre, format_genres, load_genres

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def test_every_sample_document_has_a_known_genre():
    genres = load_genres(CORPUS / "genres.yaml")
    stems = {p.stem for p in (CORPUS / "gold").glob("*.jsonl")}
    assert stems - set(genres) == set()
    assert set(genres.values()) <= set(GENRES)
    assert genres["tianshui_zhengfu_gongzuo_baogao_2015"] == "government_work_report"


def test_a_document_missing_from_the_file_counts_as_unknown():
    s = Score()
    s.per_doc = {"a": (3, 4, 5), "b": (1, 1, 2), "c": (2, 2, 2)}
    out = by_genre(s, {"a": "news", "c": "news"})
    assert out == {"news": (2, 5, 6, 7), "unknown": (1, 1, 1, 2)}
    text = format_genres(s, {"a": "news"})
    assert "unknown" in text and "news" in text
    # news: tp 3 of 4 predicted, 5 gold -> P 0.750 R 0.600 F1 0.667
    line = next(x for x in text.splitlines() if x.startswith("news"))
    assert line.split()[-3:] == ["0.750", "0.600", "0.667"]


def test_a_bad_genre_names_the_file_and_document(tmp_path):
    f = tmp_path / "genres.yaml"
    f.write_text("doc1: news\ndoc2: poetry\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"genres\.yaml.*doc2.*poetry"):
        load_genres(f)
    assert load_genres(tmp_path / "missing.yaml") == {}


def test_eval_prints_genre_figures(tmp_path):
    from click.testing import CliRunner
    from extract.cli import reform
    corpus = tmp_path / "c"
    gold = corpus / "gold"
    gold.mkdir(parents=True)
    (corpus / "one.txt").write_text("2015年，全县新农合参合率达到98.5%。\n", encoding="utf-8")
    (corpus / "two.txt").write_text("2015年，全县住院报销比例达到70%。\n", encoding="utf-8")
    (gold / "one.jsonl").write_text('{"doc": "one", "metric": "ncms_participation_rate", "kind": "level", '
                                    '"value": 98.5, "unit": "%"}\n', encoding="utf-8")
    (gold / "two.jsonl").write_text('{"doc": "two", "metric": "reimbursement_ratio", "kind": "level", '
                                    '"value": 70, "unit": "%"}\n', encoding="utf-8")
    (corpus / "genres.yaml").write_text("one: news\n", encoding="utf-8")
    res = CliRunner().invoke(reform, ["eval", "--corpus", str(corpus), "--gold", str(gold)])
    assert res.exit_code == 0, res.output
    rows = {x.split()[0]: x.split() for x in res.output.split("by genre")[1].splitlines()[2:]}
    assert rows["news"][1:5] == ["1", "1", "1", "1"]
    assert rows["unknown"][1:5] == ["1", "1", "1", "1"]
