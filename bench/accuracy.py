#!/usr/bin/env python3
"""Accuracy of the extractor against gold, without a database.

    python bench/accuracy.py                       # shared dev gold (if ../shared exists) and corpus/gold
    python bench/accuracy.py --corpus ../shared/corpus/dev --gold ../shared/eval/gold --errors 40
    python bench/accuracy.py --segmenter pkuseg --out outputs/dev.jsonl

Prints per-metric P/R/F1, per-document F1, misses, false alarms, wrong regions and years.
"""
import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.evaluate import format_report, load_gold, score  # noqa: E402
from extract.ingest import IngestError, iter_paths, read_document  # noqa: E402
from extract.pipeline import process  # noqa: E402


def extract_dir(corpus, segmenter):
    recs = []
    for path in iter_paths([corpus]):
        try:
            src = read_document(path)
        except IngestError as e:
            print(f"skipped {e}", file=sys.stderr)
            continue
        recs += [r.to_json() for r in process(src, segmenter=segmenter).records]
    return recs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", action="append")
    ap.add_argument("--gold", action="append")
    ap.add_argument("--segmenter", default="jieba")
    ap.add_argument("--errors", type=int, default=20)
    ap.add_argument("--out")
    a = ap.parse_args()
    pairs = list(zip(a.corpus or [], a.gold or []))
    if not pairs:
        shared = ROOT.parent / "shared"
        if (shared / "corpus/dev").is_dir():
            pairs.append((shared / "corpus/dev", shared / "eval/gold"))
        pairs.append((ROOT / "corpus", ROOT / "corpus/gold"))
    for corpus, gold in pairs:
        recs = extract_dir(corpus, a.segmenter)
        if a.out:
            with open(a.out, "w", encoding="utf-8") as f:
                for r in recs:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"== {corpus} against {gold} ({a.segmenter})")
        print(format_report(score(load_gold(gold), recs), a.errors))


if __name__ == "__main__":
    main()
