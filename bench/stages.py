#!/usr/bin/env python3
"""Speed of each pipeline stage, as ratios against jieba.lcut measured in the same run.

    python bench/stages.py [--size-mb 2]

Prints MB/s (CPU time, best of three) of normalise, parse_structure, recognise, the
gazetteer's find() and the whole process(), over report-like text built from the sample
corpus, and each stage's speed relative to jieba.lcut over the same text. Tests never
assert on timings; this script is where speed is watched.
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402

from extract.ingest import SourceDoc, iter_paths, read_document  # noqa: E402
from extract.normalise import normalise  # noqa: E402
from extract.numbers import recognise  # noqa: E402
from extract.pipeline import process  # noqa: E402
from extract.regions import Gazetteer  # noqa: E402
from extract.structure import parse_structure  # noqa: E402


def cpu(fn, *args, repeat=3):
    best = None
    for _ in range(repeat):
        t = time.process_time()
        fn(*args)
        dt = time.process_time() - t
        best = dt if best is None else min(best, dt)
    return max(best, 1e-9)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=2.0)
    a = ap.parse_args()
    sample = "\n".join(read_document(p).text for p in iter_paths([ROOT / "corpus"])
                       if p.suffix == ".txt")
    text = sample * max(1, int(a.size_mb * 1e6 / len(sample.encode("utf-8"))))
    mb = len(text.encode("utf-8")) / 1e6
    jieba.setLogLevel(60)
    jieba.initialize()
    base = cpu(jieba.lcut, text, repeat=1)
    analysis = normalise(text).text
    gaz = Gazetteer.load()
    src = SourceDoc(doc_id="bench", path="bench.txt", text=text, format="txt", encoding="utf-8", sha256="")
    stages = {
        "jieba.lcut (baseline)": base,
        "normalise": cpu(normalise, text),
        "parse_structure": cpu(parse_structure, analysis),
        "recognise": cpu(recognise, analysis),
        "gazetteer find": cpu(gaz.find, analysis),
        "process (whole pipeline)": cpu(process, src, repeat=1),
    }
    print(f"{mb:.1f} MB of report text")
    print(f"{'stage':28s} {'MB/s':>8s} {'× jieba':>8s}")
    for name, dt in stages.items():
        print(f"{name:28s} {mb / dt:8.2f} {base / dt:8.2f}")


if __name__ == "__main__":
    main()
