#!/usr/bin/env python3
"""Throughput and memory of `reform run` against plain segmentation, on a synthetic corpus.

    python bench/throughput.py                      # 50 MB corpus, every measurement
    python bench/throughput.py --size-mb 10         # quicker
    python bench/throughput.py --size-mb 500 --measure run2   # memory on a large archive
    python bench/throughput.py --only-corpus --size-mb 5 --corpus-dir /tmp/c5

The corpus is made from the bundled sample reports (`corpus/`): their paragraphs are
shuffled across reports into documents of 1.5–60 kB, every number is changed (same shape,
value ×0.6–1.4), years are shifted per document and place names are replaced by other
units of the gazetteer of the same level, so the extractor does real work on every
document and no cache can answer twice.  5% of the files are GB18030, 5% have CRLF line
ends.  The corpus is kept (``outputs/bench/corpus-<size>mb-s<seed>``) and reused when it
already has the requested size and seed.

Measurements (MB = 10^6 bytes of the files on disk):

* ``run1`` / ``run2``: ``reform run --workers 1|2 --quiet`` in a subprocess on a fresh
  database, wall time (1 or 2 worker processes beside the main process, which writes);
  peak memory of its process tree polled with psutil every 0.1 s (sum of RSS, which
  counts pages shared by forked workers twice, and sum of PSS);
* ``inline``: ``reform run --inline``: everything in one process (extraction, and the
  writer on a thread of it);
* ``jieba``: ``jieba.lcut`` over the same document texts, one process (only the lcut
  calls are timed; jieba is initialised first);
* ``jieba2``: the same texts split between two forked processes, wall time: jieba2/jieba
  is what two processes of a CPU-bound Python job gain on this machine, the ceiling
  for run2/run1;
* ``jionlp``: ``jionlp.ner.extract_money`` over the same texts (timed the same way);
* ``dist2`` (only when asked for): ``reform distributed --workers 2`` (a local Dask
  cluster) to Parquet, then ``reform load`` into a fresh database, each timed.

The baselines are rates, so with ``--baseline-mb`` they run on an even sample of the files
only.  Results are printed and written as JSON next to the corpus (``--json`` elsewhere).
Ratios printed: run1/jieba (target ≥ 5), run2/run1 (target ≥ 1.7 on two free cores),
run1/jionlp; peak memory target on 500 MB: below 1 GB.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MB = 1_000_000
FILES_PER_FOLDER = 1000
MEASUREMENTS = ("run1", "run2", "inline", "jieba", "jieba2", "jionlp", "dist2")
DEFAULT = ("run1", "run2", "inline", "jieba", "jieba2", "jionlp")
GENERATOR_VERSION = 1

# --- seed material -------------------------------------------------------------------

HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]+[部分章节])\s*")
YEAR = re.compile(r"(?:19|20)\d\d(?=\s*(?:年|-\d|—\d|/\d))")
DAYMONTH = re.compile(r"\d{1,2}(?=\s*(?:月|日|号|季度))")
NUMBER = re.compile(r"\d+(?:\.\d+)?")
PERCENT = re.compile(r"\d+(?:\.\d+)?(?=\s*[%％])")


def _seed_documents(corpus: Path) -> list[str]:
    """Texts of the sample reports (every readable format), one per distinct report."""
    from extract.ingest import IngestError, iter_paths, read_document
    texts, seen = [], set()
    for path in iter_paths([corpus]):
        try:
            text = read_document(path).text.replace("\r\n", "\n")
        except IngestError:
            continue
        # the sample corpus holds the same report in several formats: keep one
        key = re.sub(r"\s+", "", text)[:40]
        if key and key not in seen:
            seen.add(key)
            texts.append(text)
    if not texts:
        raise SystemExit(f"no readable sample reports under {corpus}")
    return texts


def _gazetteer(path: Path):
    """(units by level, parent of each code, names to recognise -> level)."""
    by_level: dict[str, list[tuple[str, str]]] = {}
    parent: dict[str, str] = {}
    names: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            level, name, code = row["level"], row["name"], row["code"]
            if level not in ("province", "prefecture", "county") or len(name) < 2:
                continue
            by_level.setdefault(level, []).append((code, name))
            parent[code] = row.get("parent") or ""
            names.setdefault(name, level)
    return by_level, parent, names


class Template:
    """A line cut into literal text and slots (region, year, number) for fast rendering."""
    __slots__ = ("parts",)

    def __init__(self, line: str, region_re):
        parts: list = []
        pos = 0
        spans = []
        if region_re is not None:
            spans += [(m.start(), m.end(), "region", m.group()) for m in region_re.finditer(line)]
        taken = [(a, b) for a, b, *_ in spans]

        def free(a, b):
            return all(b <= x or a >= y for x, y in taken)
        for rx, kind in ((YEAR, "year"), (DAYMONTH, "keep"), (PERCENT, "percent"),
                         (NUMBER, "number")):
            for m in rx.finditer(line):
                if free(m.start(), m.end()):
                    spans.append((m.start(), m.end(), kind, m.group()))
                    taken.append((m.start(), m.end()))
        for a, b, kind, s in sorted(spans):
            if a > pos:
                parts.append(line[pos:a])
            if kind == "keep":
                parts.append(s)
            elif kind == "year":
                parts.append(("year", int(s)))
            elif kind in ("number", "percent"):
                decimals = len(s.split(".")[1]) if "." in s else 0
                parts.append((kind, float(s), decimals))
            else:
                parts.append(("region", s))
            pos = b
        if pos < len(line):
            parts.append(line[pos:])
        self.parts = parts

    def render(self, rnd: random.Random, year_shift: int, regions: dict) -> str:
        out = []
        for p in self.parts:
            if type(p) is str:
                out.append(p)
            elif p[0] == "number":
                v = p[1] * rnd.uniform(0.6, 1.4)
                out.append(f"{v:.{p[2]}f}" if p[2] else str(max(1, round(v)) if p[1] else 0))
            elif p[0] == "percent":     # stays a plausible share: at most 99.x
                v = min(p[1] * rnd.uniform(0.85, 1.15), 99.9 if p[1] <= 100 else p[1] * 1.2)
                out.append(f"{v:.{p[2]}f}" if p[2] else str(round(v)))
            elif p[0] == "year":
                out.append(str(min(2024, max(2000, p[1] + year_shift))))
            else:
                out.append(regions.get(p[1], p[1]))
        return "".join(out)


class Generator:
    def __init__(self, corpus: Path = ROOT / "corpus",
                 gazetteer: Path = ROOT / "extract" / "data" / "regions.tsv", seed: int = 0):
        self.rnd = random.Random(seed)
        self.by_level, self.parent, names = _gazetteer(gazetteer)
        texts = _seed_documents(corpus)
        found = set()
        alternation = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
        for t in texts:
            found.update(re.findall(alternation, t))
        # two-character names (盘县, 和县) only where a report starts with them: "市和县" is no place
        found = {n for n in found if len(n) > 2 or any(t.lstrip().startswith(n) for t in texts)}
        self.seed_regions = {n: names[n] for n in found}
        region_re = (re.compile("|".join(sorted(map(re.escape, found), key=len, reverse=True)))
                     if found else None)
        self.titles, self.headers, self.headings, self.bodies = [], [], [], []
        for t in texts:
            lines = [ln.strip() for ln in t.split("\n")]
            lines = [ln for ln in lines if ln]
            self.titles.append(Template(lines[0], region_re))
            # short lines right after the title: issuing office, date, addressee
            head = []
            for ln in lines[1:4]:
                if len(ln) > 30 or HEADING.match(ln):
                    break
                head.append(Template(ln, region_re))
            self.headers.append(head)
            for ln in lines[1 + len(head):]:
                if HEADING.match(ln) and len(ln) < 60:
                    self.headings.append(Template(HEADING.sub("", ln), region_re))
                elif len(ln) > 30:
                    self.bodies.append(Template(ln, region_re))
        if not self.headings:
            self.headings = [Template("工作进展", None)]
        if not self.bodies:
            raise SystemExit("the sample reports have no body paragraphs")

    def _regions(self) -> dict:
        """Seed place name -> a name of the same level, coherent for one document."""
        rnd = self.rnd
        county_code, county = rnd.choice(self.by_level["county"])
        pref = self.parent.get(county_code, "")
        prov = self.parent.get(pref, "")
        names = {c: n for lv in self.by_level.values() for c, n in lv} if not hasattr(
            self, "_names") else self._names
        self._names = names
        main = {"county": county, "prefecture": names.get(pref), "province": names.get(prov)}
        out, used = {}, set()
        for seed, level in sorted(self.seed_regions.items()):
            if level not in used and main.get(level):
                out[seed] = main[level]
                used.add(level)
            else:
                out[seed] = rnd.choice(self.by_level[level])[1]
        return out

    def document(self, target_chars: int) -> str:
        rnd = self.rnd
        shift = rnd.randint(-9, 5)
        regions = self._regions()
        k = rnd.randrange(len(self.titles))
        lines = [self.titles[k].render(rnd, shift, regions)]
        lines += [h.render(rnd, shift, regions) for h in self.headers[k]]
        lines.append("")
        lines.append(rnd.choice(self.bodies).render(rnd, shift, regions))
        size = sum(map(len, lines))
        numerals = "一二三四五六七八九十"
        i = 0
        while size < target_chars:
            head = rnd.choice(self.headings).render(rnd, shift, regions)
            n = numerals[i % 10] if i < 10 else "十" + numerals[i % 10 - 1] if i % 10 else "二十"
            block = [f"{n}、{head}"]
            block += [rnd.choice(self.bodies).render(rnd, shift, regions)
                      for _ in range(rnd.randint(1, 4))]
            lines += block
            size += sum(map(len, block))
            i += 1
        return "\n".join(lines) + "\n"


def build_corpus(out: Path, size_mb: float, seed: int = 0, quiet: bool = False) -> dict:
    """Write about *size_mb* MB of synthetic reports under *out*; reuse a matching one."""
    manifest_path = out / "manifest.json"
    want = {"size_mb": size_mb, "seed": seed, "generator": GENERATOR_VERSION}
    if manifest_path.is_file():
        manifest = json.loads(manifest_path.read_text())
        if {k: manifest.get(k) for k in want} == want:
            return manifest
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    gen = Generator(seed=seed)
    rnd = random.Random(seed + 1)
    total, n, t0 = 0, 0, time.perf_counter()
    limit = int(size_mb * MB)
    while total < limit:
        # document sizes: log-normal around 8 kB of UTF-8, 1.5–60 kB
        target_bytes = min(60_000, max(1_500, int(rnd.lognormvariate(9.0, 0.7))))
        text = gen.document(target_bytes // 3)
        r = rnd.random()
        if r < 0.05:
            data, suffix = text.encode("gb18030"), "_gbk"
        elif r < 0.10:
            data, suffix = text.replace("\n", "\r\n").encode("utf-8"), "_crlf"
        else:
            data, suffix = text.encode("utf-8"), ""
        folder = out / f"part-{n // FILES_PER_FOLDER:04d}"
        if n % FILES_PER_FOLDER == 0:
            folder.mkdir()
        (folder / f"report_{n:06d}{suffix}.txt").write_bytes(data)
        total += len(data)
        n += 1
        if not quiet and n % 2000 == 0:
            print(f"  corpus: {total / MB:.0f} MB, {n} files", file=sys.stderr)
    manifest = {**want, "files": n, "bytes": total,
                "seconds": round(time.perf_counter() - t0, 1)}
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return manifest


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(corpus.glob("part-*/*.txt"))


def sample_files(files: list[Path], limit_bytes: int | None) -> list[Path]:
    """An even sample of *files* of about *limit_bytes* (all of them when None)."""
    total = sum(p.stat().st_size for p in files)
    if not limit_bytes or total <= limit_bytes:
        return files
    step = total / limit_bytes
    return [p for i, p in enumerate(files) if int(i / step) != int((i + 1) / step)]


# --- measurements --------------------------------------------------------------------

class TreeMemory:
    """Peak memory of a process and all its descendants, polled in a thread."""

    def __init__(self, pid: int, interval: float = 0.1):
        import psutil
        self.psutil = psutil
        self.root = psutil.Process(pid)
        self.interval = interval
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self._cpu: dict[int, float] = {}     # pid -> user+system seconds last seen
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        ps = self.psutil
        n = 0
        while not self._stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except ps.Error:
                break
            rss = pss = 0
            for p in procs:
                try:
                    if n % 5 == 0:      # PSS reads smaps: every 0.5 s is enough
                        full = p.memory_full_info()
                        rss += full.rss
                        pss += full.pss
                    else:
                        rss += p.memory_info().rss
                    t = p.cpu_times()
                    self._cpu[p.pid] = t.user + t.system
                except ps.Error:
                    pass
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.peak_procs = max(self.peak_procs, len(procs))
            n += 1
            self._stop.wait(self.interval)

    @property
    def cpu_seconds(self) -> float:
        """CPU time of the tree (children that lived less than one poll are missed)."""
        return sum(self._cpu.values())

    def __enter__(self):
        self._machine0 = _machine_busy()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        m1 = _machine_busy()
        self.machine_busy = (m1 - self._machine0) if m1 is not None else None


def _machine_busy():
    """CPU-seconds the whole machine has been busy (every process, /proc/stat), or None."""
    try:
        with open("/proc/stat") as fh:
            f = [int(x) for x in fh.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = f[3] + (f[4] if len(f) > 4 else 0)
    return (sum(f[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _measure_cmd(cmd: list, nbytes: int, what: str) -> dict:
    """Wall time, CPU and peak memory of *cmd*'s process tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    with TreeMemory(proc.pid) as mem:
        out, err = proc.communicate()
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{what} failed ({proc.returncode}):\n{out[-2000:]}\n{err[-2000:]}")
    # CPU the others on this machine used meanwhile: why wall-clock ratios are noisy
    others = (round(mem.machine_busy - mem.cpu_seconds, 1)
              if mem.machine_busy is not None else None)
    return {"seconds": round(seconds, 2), "mb_s": round(nbytes / MB / seconds, 3),
            "cpu_s": round(mem.cpu_seconds, 1),
            "cpu_s_per_mb": round(mem.cpu_seconds / (nbytes / MB), 2),
            "others_cpu_share": (round(others / seconds / (os.cpu_count() or 1), 2)
                                 if others is not None else None),
            "peak_rss_mb": round(mem.peak_rss / MB), "peak_pss_mb": round(mem.peak_pss / MB),
            "processes": mem.peak_procs, "summary": out.strip().splitlines()[:2]}


def _db_counts(db: Path) -> dict:
    import sqlite3
    conn = sqlite3.connect(db)
    records = conn.execute("SELECT count(*) FROM metrics").fetchone()[0]
    failed = conn.execute("SELECT count(*) FROM documents WHERE status='failed'").fetchone()[0]
    conn.close()
    return {"records": records, "failed_docs": failed}


def measure_run(corpus: Path, workers: int, nbytes: int, db_dir: Path,
                segmenter: str = "jieba", inline: bool = False) -> dict:
    """``reform run --workers N`` (or ``--inline``) on a fresh database."""
    name = "inline" if inline else f"run{workers}"
    db = db_dir / f"{name}.db"
    for p in db_dir.glob(f"{name}.db*"):
        p.unlink()
    how = ["--inline"] if inline else ["--workers", str(workers)]
    cmd = [sys.executable, "-m", "extract.cli", "run", "--db", str(db), "--quiet", *how,
           "--segmenter", segmenter, str(corpus)]
    r = _measure_cmd(cmd, nbytes, f"reform run {' '.join(how)}")
    return {**r, **_db_counts(db)}


def measure_distributed(corpus: Path, workers: int, nbytes: int, tmp: Path,
                        segmenter: str = "jieba") -> dict:
    """``reform distributed --workers N`` (a LocalCluster) to Parquet, then ``reform load``."""
    out, db = tmp / f"dist{workers}-parquet", tmp / f"dist{workers}.db"
    shutil.rmtree(out, ignore_errors=True)
    for p in tmp.glob(f"dist{workers}.db*"):
        p.unlink()
    cli = [sys.executable, "-m", "extract.cli"]
    r = _measure_cmd([*cli, "distributed", "--out", str(out), "--workers", str(workers),
                      "--segmenter", segmenter, "--quiet", str(corpus)], nbytes,
                     "reform distributed")
    load = _measure_cmd([*cli, "load", str(out), "--db", str(db), "--quiet"], nbytes,
                        "reform load")
    total = r["seconds"] + load["seconds"]
    return {**r, "load": {k: load[k] for k in ("seconds", "mb_s", "cpu_s", "peak_rss_mb")},
            "mb_s_with_load": round(nbytes / MB / total, 3), **_db_counts(db)}


def _texts(files):
    from extract.ingest import read_document
    for p in files:
        yield read_document(p).text


def measure_jieba(files: list[Path]) -> dict:
    import logging

    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    nbytes = sum(p.stat().st_size for p in files)
    spent, cpu, words = 0.0, 0.0, 0
    for text in _texts(files):
        t0, c0 = time.perf_counter(), time.process_time()
        words += len(jieba.lcut(text, HMM=True))
        spent += time.perf_counter() - t0
        cpu += time.process_time() - c0
    return {"seconds": round(spent, 2), "mb_s": round(nbytes / MB / spent, 3),
            "cpu_s_per_mb": round(cpu / (nbytes / MB), 2), "bytes": nbytes, "words": words}


_TEXTS: list[str] = []      # read before forking, so the jieba2 workers only segment


def _jieba_half(which: int) -> None:
    import jieba
    for text in _TEXTS[which::2]:
        jieba.lcut(text, HMM=True)


def measure_jieba2(files: list[Path]) -> dict:
    """`jieba.lcut` over the texts of *files* split between two forked processes (texts
    read and jieba loaded before the fork, as `measure_jieba` times only lcut)."""
    import logging
    import multiprocessing

    import jieba
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    nbytes = sum(p.stat().st_size for p in files)
    _TEXTS[:] = list(_texts(files))
    t0 = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        pool.map(_jieba_half, [0, 1])
    spent = time.perf_counter() - t0
    _TEXTS.clear()
    return {"seconds": round(spent, 2), "mb_s": round(nbytes / MB / spent, 3), "bytes": nbytes}


def measure_jionlp(files: list[Path]) -> dict:
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):    # jionlp prints a banner
        import jionlp
    extract_money = jionlp.ner.extract_money
    extract_money("预热100元")
    nbytes = sum(p.stat().st_size for p in files)
    spent, cpu, found = 0.0, 0.0, 0
    for text in _texts(files):
        t0, c0 = time.perf_counter(), time.process_time()
        found += len(extract_money(text))
        spent += time.perf_counter() - t0
        cpu += time.process_time() - c0
    return {"seconds": round(spent, 2), "mb_s": round(nbytes / MB / spent, 3),
            "cpu_s_per_mb": round(cpu / (nbytes / MB), 2), "bytes": nbytes, "money": found}


def _measure_one(m: str, corpus: Path, nbytes: int, tmp: Path, baseline: list[Path],
                 segmenter: str) -> dict:
    if m in ("run1", "run2"):
        return measure_run(corpus, int(m[-1]), nbytes, tmp, segmenter)
    if m == "inline":
        return measure_run(corpus, 1, nbytes, tmp, segmenter, inline=True)
    if m == "dist2":
        return measure_distributed(corpus, 2, nbytes, tmp, segmenter)
    if m == "jieba":
        return measure_jieba(baseline)
    if m == "jieba2":
        return measure_jieba2(baseline)
    return measure_jionlp(baseline)


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size-mb", type=float, default=50.0, help="corpus size [50]")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--corpus-dir", type=Path,
                    help="where the corpus is kept [outputs/bench/corpus-<size>mb-s<seed>]")
    ap.add_argument("--measure", default=",".join(DEFAULT),
                    help=f"comma-separated subset of {','.join(MEASUREMENTS)} "
                         f"[{','.join(DEFAULT)}]")
    ap.add_argument("--baseline-mb", type=float, default=20.0,
                    help="run the jieba/jionlp baselines on an even sample of this many MB "
                         "(0 = the whole corpus) [20]")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="measure everything N times, interleaved; each measurement's best "
                         "round counts (a shared host's speed drifts by 20-30%% within "
                         "minutes, which one round per measurement turns into a ratio) [1]")
    ap.add_argument("--segmenter", default="jieba")
    ap.add_argument("--only-corpus", action="store_true", help="build the corpus and stop")
    ap.add_argument("--json", type=Path, help="write the results here too")
    args = ap.parse_args(argv)
    which = [m.strip() for m in args.measure.split(",") if m.strip()]
    unknown = set(which) - set(MEASUREMENTS)
    if unknown:
        ap.error(f"unknown measurement(s): {', '.join(sorted(unknown))}")

    size_tag = f"{args.size_mb:g}".replace(".", "_")
    corpus = args.corpus_dir or ROOT / "outputs" / "bench" / f"corpus-{size_tag}mb-s{args.seed}"
    t0 = time.perf_counter()
    manifest = build_corpus(corpus, args.size_mb, args.seed)
    print(f"corpus {corpus}: {manifest['files']} files, {manifest['bytes'] / MB:.1f} MB "
          f"(ready in {time.perf_counter() - t0:.1f} s)")
    if args.only_corpus:
        return 0
    files = corpus_files(corpus)
    nbytes = manifest["bytes"]
    baseline = sample_files(files, int(args.baseline_mb * MB) if args.baseline_mb else None)

    results: dict = {"corpus": str(corpus), "bytes": nbytes, "files": len(files),
                     "cpus": os.cpu_count(), "load_before": _load()}
    rounds: dict[str, list] = {m: [] for m in which}
    with tempfile.TemporaryDirectory(prefix="reform-bench-") as tmp:
        for k in range(args.repeat):
            for m in which:
                print(f"measuring {m}, round {k + 1}/{args.repeat} (load {_load()}) …", flush=True)
                r = _measure_one(m, corpus, nbytes, Path(tmp), baseline, args.segmenter)
                r["load_after"] = _load()
                rounds[m].append(r)
                print(f"  {m}: {json.dumps(r, ensure_ascii=False)}", flush=True)
    for m in which:     # the best round counts; memory is the worst round's
        best = dict(max(rounds[m], key=lambda r: r["mb_s"]))
        for key in ("peak_rss_mb", "peak_pss_mb"):
            if key in best:
                best[key] = max(r[key] for r in rounds[m])
        results[m] = {**best, "rounds_mb_s": [r["mb_s"] for r in rounds[m]]}

    def ratio(a, b):
        if a in results and b in results:
            return round(results[a]["mb_s"] / results[b]["mb_s"], 2)
        return None
    results["ratios"] = {"run1/jieba": ratio("run1", "jieba"), "run2/run1": ratio("run2", "run1"),
                         "inline/jieba": ratio("inline", "jieba"),
                         "jieba2/jieba": ratio("jieba2", "jieba"),
                         "run1/jionlp": ratio("run1", "jionlp"),
                         "dist2/run2": ratio("dist2", "run2")}

    def cpu_ratio(a, b):     # MB per CPU-second: what the ratio would be on idle cores
        if a in results and b in results:
            return round(results[b]["cpu_s_per_mb"] / results[a]["cpu_s_per_mb"], 2)
        return None
    results["cpu_ratios"] = {"run1/jieba": cpu_ratio("run1", "jieba"),
                             "inline/jieba": cpu_ratio("inline", "jieba"),
                             "run1/jionlp": cpu_ratio("run1", "jionlp"),
                             "run2/run1 (CPU per MB)": cpu_ratio("run2", "run1")}
    print("\nthroughput (MB/s of files on disk):")
    for m in which:
        extra = ""
        if m.startswith(("run", "dist", "inline")):
            r = results[m]
            extra = (f"  peak memory: RSS sum {r['peak_rss_mb']} MB, PSS sum {r['peak_pss_mb']} MB"
                     f" ({r['processes']} processes); {r['records']} records; "
                     f"{r['cpu_s_per_mb']} CPU-s/MB; others used {r['others_cpu_share']} "
                     f"of the cores meanwhile")
        spread = ""
        if len(results[m]["rounds_mb_s"]) > 1:
            spread = f"  (rounds: {', '.join(f'{x:.3f}' for x in results[m]['rounds_mb_s'])})"
        print(f"  {m:<7} {results[m]['mb_s']:8.3f}{spread}{extra}")
    targets = {"run1/jieba": 5.0, "run2/run1": 1.7}
    print("ratios:")
    for k, v in results["ratios"].items():
        if v is not None:
            tgt = targets.get(k)
            verdict = "" if tgt is None else f"  (target ≥ {tgt}: {'met' if v >= tgt else 'NOT met'})"
            note = ("  (what 2 processes of plain jieba gain here: the ceiling for run2/run1)"
                    if k == "jieba2/jieba" else "")
            print(f"  {k:<12} {v:6.2f}{verdict}{note}")
    print("the same by CPU time (less sensitive to other load; run2/run1 < 1 is the "
          "parallel overhead):")
    for k, v in results["cpu_ratios"].items():
        if v is not None:
            print(f"  {k:<22} {v:6.2f}")
    for m in ("run1", "run2", "inline"):
        if m in results and manifest["bytes"] >= 500 * MB:
            ok = results[m]["peak_pss_mb"] < 1000 and results[m]["peak_rss_mb"] < 1000
            print(f"  {m} peak memory on {manifest['bytes'] / MB:.0f} MB: "
                  f"{'below' if ok else 'NOT below'} 1 GB")
    out = args.json or corpus.with_name(corpus.name + "-results.json")
    out.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    print(f"results -> {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
