"""Plain text and Markdown: the decoded file is the document text, byte for byte (CRLF kept)."""
from __future__ import annotations

from .base import Extracted, IngestError
from .encoding import decode
from .text_tables import detect_text_tables

_MAX_TITLE = 120


def read(data: bytes, path) -> Extracted:
    text, encoding = decode(data, path)
    if not text.strip():
        raise IngestError(path, "empty file")
    return Extracted(text=text, encoding=encoding, title=first_line(text),
                     tables=detect_text_tables(text))


def first_line(text: str) -> str | None:
    """The first non-blank line, as a title, when it is short enough to be one."""
    for line in text[:4096].lstrip("\ufeff").splitlines():
        line = line.strip().strip("#").strip()
        if line:
            return line if len(line) <= _MAX_TITLE else None
    return None
