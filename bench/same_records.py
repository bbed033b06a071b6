#!/usr/bin/env python3
"""Does a speed change leave the output alone?  Fingerprint every record of a corpus.

    python bench/same_records.py save  outputs/bench/ref.jsonl  corpus ../shared/corpus/dev
    python bench/same_records.py check outputs/bench/ref.jsonl  corpus ../shared/corpus/dev

``save`` runs `extract.pipeline.process` over every document under the paths and writes
one line per document (its records, articles, sections and date, as JSON);
``check`` does the same and lists every document whose output differs from the saved
file, with the first differing records.  An optimisation of the hot path is done only
when ``check`` prints no difference on the sample corpus, the dev corpus and a
synthetic archive (``bench/throughput.py --only-corpus``).  Exit code 1 on a difference.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract.ingest import IngestError, iter_paths, read_document  # noqa: E402
from extract.pipeline import process  # noqa: E402


def fingerprints(paths, segmenter: str):
    """(path, output as a JSON-ready dict) for every document under *paths*, sorted."""
    for p in sorted(iter_paths([Path(x) for x in paths]), key=str):
        try:
            src = read_document(p)
        except IngestError as exc:
            yield str(p), {"error": exc.reason}
            continue
        src.doc_id = p.stem
        res = process(src, segmenter=segmenter)
        yield str(p), {"records": [r.to_json() for r in res.records],
                       "articles": res.articles, "sections": res.sections, "date": res.date}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=["save", "check"])
    ap.add_argument("ref", type=Path)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--segmenter", default="jieba")
    a = ap.parse_args()
    t0 = time.process_time()
    got = {p: out for p, out in fingerprints(a.paths, a.segmenter)}
    cpu = time.process_time() - t0
    n_rec = sum(len(o.get("records", [])) for o in got.values())
    if a.mode == "save":
        a.ref.parent.mkdir(parents=True, exist_ok=True)
        with a.ref.open("w", encoding="utf-8") as fh:
            for p, out in got.items():
                fh.write(json.dumps({"path": p, **out}, ensure_ascii=False, sort_keys=True) + "\n")
        print(f"saved {len(got)} documents, {n_rec} records -> {a.ref} ({cpu:.1f} CPU-s)")
        return 0
    ref = {}
    with a.ref.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            ref[d.pop("path")] = d
    bad = 0
    for p in sorted(set(ref) | set(got)):
        want, have = ref.get(p), got.get(p)
        if want is not None and have is not None:
            have = json.loads(json.dumps(have, ensure_ascii=False, sort_keys=True))
        if want == have:
            continue
        bad += 1
        if bad > 10:
            continue
        print(f"DIFFERS {p}")
        if want is None or have is None:
            print("   only in", "the saved file" if have is None else "this run")
            continue
        for key in ("date", "articles", "sections"):
            if want.get(key) != have.get(key):
                print(f"   {key}: saved {str(want.get(key))[:200]}\n   {key}: now   {str(have.get(key))[:200]}")
        w, h = want.get("records", []), have.get("records", [])
        ws = {json.dumps(r, sort_keys=True, ensure_ascii=False) for r in w}
        hs = {json.dumps(r, sort_keys=True, ensure_ascii=False) for r in h}
        for r in sorted(ws - hs)[:3]:
            print("   - saved", r[:300])
        for r in sorted(hs - ws)[:3]:
            print("   + now  ", r[:300])
    print(f"{len(got)} documents, {n_rec} records, {bad} differ ({cpu:.1f} CPU-s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
