"""Score extracted records against gold records (the matching rules of shared/spec/RECORDS.md).

Strict match: same doc, metric, kind and unit, value (and value_high) within 0.01 %, a range
in either order. Detection: same doc, value and unit. Masked gold records (value null) are
scored apart; gold marked ``optional`` counts neither for nor against.
"""
from __future__ import annotations

import json
import math
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path


def _num(x):
    if x is None or x == "":
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def _close(a, b):
    a, b = _num(a), _num(b)
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= max(1e-6, 1e-4 * max(abs(a), abs(b)))


def _bounds(r):
    lo, hi = _num(r.get("value")), _num(r.get("value_high"))
    return (lo, hi) if hi is None or lo is None or lo <= hi else (hi, lo)


def strict(g, p):
    (glo, ghi), (plo, phi) = _bounds(g), _bounds(p)
    return (g.get("metric") == p.get("metric") and g.get("kind") == p.get("kind")
            and g.get("unit") == p.get("unit") and _close(glo, plo) and _close(ghi, phi))


def lenient(g, p):
    return g.get("unit") == p.get("unit") and _close(g.get("value"), p.get("value"))


def _overlap(g, p):
    try:
        return max(int(g["start"]), int(p["start"])) < min(int(g["end"]), int(p["end"]))
    except (KeyError, TypeError, ValueError):
        return False


def match(gold, pred, same):
    used, pairs = set(), []
    for g in gold:
        cands = [i for i, p in enumerate(pred) if i not in used and same(g, p)]
        if not cands:
            continue
        best = next((i for i in cands if _overlap(g, pred[i])), cands[0])
        used.add(best)
        pairs.append((g, pred[best]))
    return pairs


def prf(tp, n_pred, n_gold):
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Score:
    tp: int = 0
    pred: int = 0
    gold: int = 0
    det: int = 0
    region_ok: int = 0
    region_n: int = 0
    year_ok: int = 0
    year_n: int = 0
    per_metric: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))  # tp, pred, gold
    per_doc: dict = field(default_factory=dict)
    misses: list = field(default_factory=list)
    alarms: list = field(default_factory=list)
    wrong_region: list = field(default_factory=list)
    wrong_year: list = field(default_factory=list)

    @property
    def prf(self):
        return prf(self.tp, self.pred, self.gold)

    @property
    def detection(self):
        return prf(self.det, self.pred, self.gold)


def load_gold(gold_dir) -> dict:
    out = {}
    for path in sorted(Path(gold_dir).glob("*.jsonl")):
        out[path.stem] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                          if line.strip()]
    return out


def score(gold_by_doc: dict, preds: list) -> Score:
    by_doc = defaultdict(list)
    for p in preds:
        by_doc[str(p.get("doc"))].append(p)
    s = Score()
    for doc, gold in gold_by_doc.items():
        opt = [g for g in gold if g.get("optional")]
        gold = [g for g in gold if not g.get("optional")]
        g_vals = [g for g in gold if _num(g.get("value")) is not None]
        p_vals = [p for p in by_doc.get(doc, []) if _num(p.get("value")) is not None]
        for _, p in match(opt, [p for p in p_vals if not any(strict(x, p) for x in g_vals)], lenient):
            p_vals.remove(p)
        pairs = match(g_vals, p_vals, strict)
        s.tp += len(pairs)
        s.pred += len(p_vals)
        s.gold += len(g_vals)
        s.det += len(match(g_vals, p_vals, lenient))
        s.per_doc[doc] = (len(pairs), len(p_vals), len(g_vals))
        for g in g_vals:
            s.per_metric[g["metric"]][2] += 1
        for p in p_vals:
            s.per_metric[str(p.get("metric"))][1] += 1
        for g, p in pairs:
            s.per_metric[g["metric"]][0] += 1
            if g.get("region_code") or g.get("region"):
                s.region_n += 1
                ok = {g.get("region_code"), g.get("region")} | set(g.get("region_alt") or [])
                ok.discard(None)
                if {p.get("region_code"), p.get("region")} & ok:
                    s.region_ok += 1
                else:
                    s.wrong_region.append((doc, g, p))
            if g.get("year") is not None:
                s.year_n += 1
                if str(g.get("year")) == str(p.get("year")):
                    s.year_ok += 1
                else:
                    s.wrong_year.append((doc, g, p))
        mg = {id(g) for g, _ in pairs}
        mp = {id(p) for _, p in pairs}
        s.misses += [(doc, g) for g in g_vals if id(g) not in mg]
        s.alarms += [(doc, p) for p in p_vals if id(p) not in mp]
    return s


def format_report(s: Score, errors: int = 20) -> str:
    lines = []
    p, r, f = s.prf
    lines.append(f"{'metric':32s} {'gold':>5s} {'pred':>5s} {'tp':>5s}  {'P':>5s} {'R':>5s} {'F1':>5s}")
    for m in sorted(s.per_metric):
        tp, npred, ngold = s.per_metric[m]
        mp, mr, mf = prf(tp, npred, ngold)
        lines.append(f"{m:32s} {ngold:5d} {npred:5d} {tp:5d}  {mp:5.2f} {mr:5.2f} {mf:5.2f}")
    lines.append(f"{'document':40s} {'gold':>5s} {'pred':>5s} {'tp':>5s}  {'F1':>5s}")
    for d, (tp, npred, ngold) in s.per_doc.items():
        lines.append(f"{d:40s} {ngold:5d} {npred:5d} {tp:5d}  {prf(tp, npred, ngold)[2]:5.2f}")

    def show(x):
        return (f"{x.get('metric')} {x.get('kind')} {x.get('value')}"
                + (f"~{x.get('value_high')}" if x.get('value_high') is not None else "")
                + f" {x.get('unit')} text={x.get('text')!r} "
                + f"{x.get('context') or x.get('snippet', '')[:60]!r}")
    for d, g in s.misses[:errors]:
        lines.append(f"miss: {d} {show(g)}")
    for d, x in s.alarms[:errors]:
        lines.append(f"false alarm: {d} {show(x)}")
    for d, g, x in s.wrong_region[:errors]:
        lines.append(f"region: {d} gold={g.get('region')} pred={x.get('region')} {show(g)}")
    for d, g, x in s.wrong_year[:errors]:
        lines.append(f"year: {d} gold={g.get('year')} pred={x.get('year')} {show(g)}")
    dp, dr, df = s.detection
    lines.append(f"detection: P={dp:.3f} R={dr:.3f} F1={df:.3f}")
    if s.region_n:
        lines.append(f"region accuracy: {s.region_ok}/{s.region_n} = {s.region_ok / s.region_n:.3f}")
    if s.year_n:
        lines.append(f"year accuracy: {s.year_ok}/{s.year_n} = {s.year_ok / s.year_n:.3f}")
    lines.append(f"P={p:.3f} R={r:.3f} F1={f:.3f}")
    return "\n".join(lines)


GENRES = ("work_report", "self_inspection", "experience", "press_release", "statistical_bulletin",
          "budget", "government_work_report", "news", "compilation")


def load_genres(path) -> dict:
    """``genres.yaml`` of a corpus: doc id -> genre (empty when the file is absent).
    An unknown genre name is an error naming the file, the document and the name."""
    import yaml
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ValueError(f"{path}: not valid YAML: {e}") from None
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected a mapping of document id to genre")
    out = {}
    for doc, genre in raw.items():
        if genre not in GENRES:
            raise ValueError(f"{path}: document {doc!r} has unknown genre {genre!r} "
                             f"(one of {', '.join(GENRES)})")
        out[str(doc)] = genre
    return out


def by_genre(s: Score, genres: dict) -> dict:
    """genre -> (documents, tp, pred, gold) over the scored documents; a document not in
    *genres* counts under ``unknown``."""
    out: dict = {}
    for doc, (tp, npred, ngold) in s.per_doc.items():
        g = genres.get(doc, "unknown")
        n, a, b, c = out.get(g, (0, 0, 0, 0))
        out[g] = (n + 1, a + tp, b + npred, c + ngold)
    return out


def format_genres(s: Score, genres: dict) -> str:
    lines = [f"{'genre':24s} {'docs':>4s} {'gold':>5s} {'pred':>5s} {'tp':>5s}  {'P':>5s} {'R':>5s} {'F1':>5s}"]
    for g, (n, tp, npred, ngold) in sorted(by_genre(s, genres).items()):
        p, r, f = prf(tp, npred, ngold)
        lines.append(f"{g:24s} {n:4d} {ngold:5d} {npred:5d} {tp:5d}  {p:5.3f} {r:5.3f} {f:5.3f}")
    return "\n".join(lines)


def extract_corpus(corpus, segmenter: str = "jieba") -> tuple[list, list]:
    """Run the pipeline over every document under *corpus* (no database): records as
    dicts, and (path, reason) for the documents that could not be read."""
    from .ingest import IngestError, iter_paths, read_document
    from .pipeline import process
    records, failed = [], []
    for path in iter_paths([corpus]):
        try:
            src = read_document(path)
        except IngestError as e:
            failed.append((str(path), e.reason))
            continue
        records += [r.to_json() for r in process(src, segmenter=segmenter).records]
    return records, failed


def evaluate_corpus(corpus, gold_dir, segmenter: str = "jieba") -> tuple[Score, list]:
    records, _ = extract_corpus(corpus, segmenter)
    return score(load_gold(gold_dir), records), records
