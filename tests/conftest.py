"""Small shared fixtures: records and document results without the real pipeline."""
from __future__ import annotations

import hashlib
from types import SimpleNamespace

import pytest

from extract.model import DocResult, Record


def make_record(doc="d", metric="ncms_participation_rate", value=95.0, start=0, **kw) -> Record:
    text = kw.pop("text", f"{value:g}%")
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


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "out" / "reform.db"
