"""Small shared fixtures: records and document results without the real pipeline."""
from __future__ import annotations

import hashlib
import os
import re
import sys
import types
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from extract.model import DocResult, Record


def make_record(doc="d", metric="ncms_participation_rate", value=95.0, start=0, **kw) -> Record:
    text = kw.pop("text") if "text" in kw else f"{value:g}%"
    base = dict(doc=doc, metric=metric, kind="level", value=value, value_high=None, unit="%",
                qualifier=None, region="北京市", region_code="110000", year=2010, masked=False,
                suspect=False, text=text, start=start, end=start + len(text),
                snippet=f"新农合参合率达到{text}")
    return Record(**{**base, **kw})


def make_result(doc_id="d", n=2, text="正文" * 20, sha256=None, path=None) -> DocResult:
    src = SimpleNamespace(doc_id=doc_id, path=path or f"/corpus/{doc_id}.txt", text=text,
                          format="txt", encoding="utf-8", title=f"{doc_id} 报告",
                          sha256=sha256 or hashlib.sha256(text.encode()).hexdigest(), tables=[])
    records = [make_record(doc_id, value=90.0 + i, start=2 * i) for i in range(n)]
    return DocResult(src=src, records=records,
                     articles=[dict(index=0, start=0, end=len(text), title="一", region=None,
                                    region_code=None)],
                     sections=[dict(article=0, index=0, start=0, end=4, heading="一、", level=1)],
                     date="2011-01-05")


def fake_process(src, segmenter="jieba") -> DocResult:
    """A deterministic stand-in for `extract.pipeline.process`: one record per "NN%".

    Text containing BOOM raises, like a pipeline bug would; FAKE_PIPELINE_DELAY (seconds)
    slows every document down so a run can be killed midway.
    """
    if "BOOM" in src.text:
        raise ValueError("fake pipeline exploded")
    time.sleep(float(os.environ.get("FAKE_PIPELINE_DELAY", "0")))
    records = [make_record(src.doc_id, value=float(m.group(1)), start=m.start(), text=m.group(),
                           year=2010 + i, snippet=src.text[max(0, m.start() - 10):m.end()])
               for i, m in enumerate(re.finditer(r"(\d+(?:\.\d+)?)%", src.text))]
    return DocResult(src=src, records=records, articles=[], sections=[], date=None)


# `extract.pipeline` as the runner sees it, with `fake_process` in place of the real one
FAKE_PIPELINE = types.SimpleNamespace(process=fake_process, prepare=lambda segmenter="jieba": None)


# `reform` in a subprocess with `fake_process` as the pipeline: the same entry point
# (extract.cli:main) with extract.pipeline replaced before the run imports it.
_DRIVER = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
import conftest
sys.modules["extract.pipeline"] = conftest.FAKE_PIPELINE
from extract.cli import main
main()
"""


def reform_argv(*args: str, fake: bool = True) -> list[str]:
    if fake:
        return [sys.executable, "-c", _DRIVER, *map(str, args)]
    return [sys.executable, "-c", "from extract.cli import main; main()", *map(str, args)]


def write_corpus(folder: Path, n: int, start: int = 0) -> list[Path]:
    """*n* small UTF-8 reports, each with a few percentages."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(start, start + n):
        p = folder / f"report_{i:03d}.txt"
        p.write_text(f"第{i}号报告\n新农合参合率达到{90 + i % 10}.{i}%，"
                     f"住院补偿比{40 + i % 7}%，门诊{i % 5 + 1}%。\n", encoding="utf-8")
        out.append(p)
    return out


def table_rows(db, table: str, skip=("id", "run_id", "processed_at")) -> list[tuple]:
    """Sorted content of *table* without the columns that legitimately differ per run."""
    import sqlite3
    conn = sqlite3.connect(db)
    cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in skip]
    rows = conn.execute(f"SELECT {', '.join(f'[{c}]' for c in cols)} FROM {table}").fetchall()
    conn.close()
    return sorted(rows, key=repr)


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "out" / "reform.db"


def wait_for(pred, timeout=60) -> bool:
    """Poll *pred* until it is true or *timeout* seconds pass (subprocess tests)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.05)
    return False


def without_file_permission_override() -> list:
    """As root, a command prefix that drops the capabilities letting root read a chmod 000
    file (so 'permission denied' is real); nothing for other users."""
    if os.geteuid() != 0:
        return []
    import shutil
    setpriv = shutil.which("setpriv")
    if not setpriv:
        pytest.skip("running as root without setpriv: a chmod 000 file stays readable")
    return [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--"]

