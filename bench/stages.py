#!/usr/bin/env python3
"""Speed of each pipeline stage, as ratios against jieba.lcut measured in the same run.

    python bench/stages.py [--size-mb 2]
    python bench/stages.py --real [DIR ...]     # real reports (default ../shared/corpus/dev)

Prints MB/s (CPU time, best of three) of normalise, parse_structure, recognise, the
gazetteer's find() and the whole process(), over report-like text built from the sample
corpus, and each stage's speed relative to jieba.lcut over the same text. Tests never
assert on timings; this script is where speed is watched.

With --real, the yardstick is real report text instead: every document under the folders
given (default the shared dev corpus) is read as `reform run` reads it, and process() and
jieba.lcut each run over every document (CPU time, best of --repeat rounds per document,
interleaved so that the host's drift hits both alike). The ratio process/jieba is the
figure to compare between two versions of the extractor.
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


def real(dirs, repeat):
    docs = []
    for p in iter_paths([Path(d) for d in dirs]):
        try:
            docs.append(read_document(p))
        except Exception as e:  # a document the reader refuses is not part of the yardstick
            print(f"skipped {p}: {e}", file=sys.stderr)
    if not docs:
        sys.exit(f"stages.py: no readable documents under {' '.join(map(str, dirs))}")
    jieba.setLogLevel(60)
    jieba.initialize()
    process(docs[0])  # warm caches: patterns, gazetteer, segmenter
    t_proc = t_jieba = 0.0
    n_rec = 0
    for d in docs:
        best_p = best_j = None
        for _ in range(repeat):
            t = time.process_time()
            res = process(d)
            dp = time.process_time() - t
            t = time.process_time()
            jieba.lcut(d.text)
            dj = time.process_time() - t
            best_p = dp if best_p is None else min(best_p, dp)
            best_j = dj if best_j is None else min(best_j, dj)
        t_proc += best_p
        t_jieba += best_j
        n_rec += len(res.records)
    mb = sum(len(d.text.encode("utf-8")) for d in docs) / 1e6
    print(f"{len(docs)} real documents, {mb:.2f} MB, {n_rec} records ({n_rec / mb / 1000:.2f} per kB)")
    print(f"{'stage':28s} {'MB/s':>8s} {'× jieba':>8s}")
    print(f"{'jieba.lcut (baseline)':28s} {mb / t_jieba:8.2f} {1.0:8.2f}")
    print(f"{'process (whole pipeline)':28s} {mb / t_proc:8.2f} {t_jieba / t_proc:8.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=2.0)
    ap.add_argument("--real", nargs="*", metavar="DIR",
                    help="measure on real reports under DIR (default ../shared/corpus/dev)")
    ap.add_argument("--repeat", type=int, default=5, help="rounds per document with --real")
    a = ap.parse_args()
    if a.real is not None:
        real(a.real or [ROOT.parent / "shared" / "corpus" / "dev"], a.repeat)
        return
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
