"""Decode the bytes of a text file: BOM, strict UTF-8, then GB18030 vs Big5 by scoring.

Every candidate decode is strict, so a wrong guess fails loudly instead of producing
mojibake. GB18030 accepts nearly every byte pair, so Big5 bytes also decode "validly" as
GB18030 (and GB2312 bytes as Big5); the two are told apart by the share of decoded
characters that are common Chinese characters or punctuation (GB2312 level 1 for
simplified, the Big5 常用字 block for traditional). The real decode scores ~0.95, the
wrong one well below 0.6. charset-normalizer is not used: on short Chinese text it
often picks a Cyrillic or Japanese code page.

Nothing is normalised: CRLF stays, so offsets refer to the decoded file exactly.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Optional

import regex

from .base import IngestError

BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),     # before UTF-16: its BOM starts the same way
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)

# other formats that end up with a text suffix: (magic prefix, what it is)
MAGIC = (
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"%PDF-", "a PDF"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE2 file (legacy .doc/.xls)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7z archive"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
)

# C0 controls other than \t \n \v \f \r, and DEL
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13)) + b"\x7f"
_MAX_CONTROL_SHARE = 0.05
_MAX_NUL_SHARE = 0.001
_SCORE_SAMPLE = 200_000           # characters scored per candidate decode
_LEGACY = ("gb18030", "big5")
_THREE_BYTE_LEAD = regex.compile(rb"[\xe0-\xef]")


def sniff_magic(data: bytes) -> Optional[str]:
    """Name of the binary format `data` starts with, or None."""
    for magic, what in MAGIC:
        if data.startswith(magic):
            return what
    return None


def decode(data: bytes, path) -> tuple[str, str]:
    """Decode the bytes of a text file; returns (text, encoding name).

    Raises IngestError for empty, binary and undecodable input.
    """
    if not data.strip():
        raise IngestError(path, "empty file")
    for bom, name in BOMS:
        if data.startswith(bom):
            return _strict(data, name, path), name
    what = sniff_magic(data)
    if what:
        raise IngestError(path, f"looks like {what}, not text")
    nul = data.count(0)
    if nul:
        utf32 = _bomless_utf32(data)
        if utf32:
            return utf32
        utf16 = _bomless_utf16(data, nul)
        if utf16:
            return utf16
        if nul > _MAX_NUL_SHARE * len(data):
            raise IngestError(path, "binary file, not text (NUL bytes)")
    control = len(data) - len(data.translate(None, _CONTROL))
    if control > _MAX_CONTROL_SHARE * len(data):
        raise IngestError(path, "binary file, not text (control characters)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        _refuse_truncated_utf8(data, e, path)
        return _decode_legacy(data, path)
    if not text.isascii() and not _THREE_BYTE_LEAD.search(data):
        # no 3-byte sequence, so no CJK at all: GB bytes can pass as UTF-8 Latin/Cyrillic
        legacy = _try(data, "gb18030")
        if legacy is not None and score(legacy) > score(text):
            return _best_legacy(data, path)
    return text, "utf-8"


def _refuse_truncated_utf8(data: bytes, e: UnicodeDecodeError, path) -> None:
    """A UTF-8 file (Chinese in UTF-8 before) cut inside its last character, as an
    interrupted download is: say so, rather than trying the legacy code pages on it."""
    if e.reason == "unexpected end of data" and not data[:e.start].isascii():
        raise IngestError(path, f"truncated UTF-8: the file ends inside a character "
                                f"(byte {e.start} of {len(data)})")


def _strict(data: bytes, name: str, path) -> str:
    try:
        return data.decode(name)
    except UnicodeDecodeError as e:
        raise IngestError(path, f"undecodable: invalid {name} at byte {e.start}") from None


def _bomless_utf32(data: bytes) -> Optional[tuple[str, str]]:
    """UTF-32 without BOM: every character of the Basic Multilingual Plane (all of
    Chinese) has two NUL high bytes, so one pair of byte columns is all NUL; read as
    UTF-16 it was garbage with a NUL between every character."""
    if len(data) % 4 or len(data) < 8:
        return None
    for name, hi in (("utf-32-le", (2, 3)), ("utf-32-be", (0, 1))):
        if not data[hi[0]::4].strip(b"\x00") and not data[hi[1]::4].strip(b"\x00"):
            return _decoded(data, name)
    return None


def _decoded(data: bytes, name: str) -> Optional[tuple[str, str]]:
    """*data* decoded as *name*, or None when it does not decode or holds control
    characters a text would not have."""
    try:
        text = data.decode(name)
    except UnicodeDecodeError:
        return None
    return (text, name) if not _has_controls(text) else None


def _bomless_utf16(data: bytes, nul: int) -> Optional[tuple[str, str]]:
    """UTF-16 without BOM: the NULs (high bytes of ASCII characters, the odd byte in
    little-endian) fall mostly on one parity; a few CJK code points (U+4E00) add NULs too."""
    if len(data) % 2 or nul < 2:
        return None
    odd = data[1::2].count(0)
    for name, share in (("utf-16-le", odd), ("utf-16-be", nul - odd)):
        if share >= 0.75 * nul:
            return _decoded(data, name)
    return None


def _has_controls(text: str) -> bool:
    sample = text[:_SCORE_SAMPLE]
    return len(sample) != len(sample.translate(_CONTROL_STR_DELETE))


_CONTROL_STR_DELETE = {b: None for b in _CONTROL}


def _decode_legacy(data: bytes, path) -> tuple[str, str]:
    """Not UTF-8: one legacy code page, or UTF-8 lines mixed with legacy lines."""
    lines = data.splitlines(keepends=True)
    kinds: list[Optional[str]] = []       # decoded utf-8 line, or None for a legacy line
    legacy_parts: list[bytes] = []
    for line in lines:
        if line.isascii():
            kinds.append(line.decode("ascii"))
            continue
        try:
            kinds.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            kinds.append(None)
            legacy_parts.append(line)
    n_utf8 = sum(1 for k, line in zip(kinds, lines) if k is not None and not line.isascii())
    if n_utf8 == 0:
        text, codec = _best_legacy(data, path)
        return text, codec
    try:
        _, codec = _best_legacy(b"".join(legacy_parts), path)
    except IngestError:
        # name the bad byte's offset in the file, not in the joined non-UTF-8 lines
        pos = 0
        for k, line in zip(kinds, lines):
            if k is None and _try(line, "gb18030") is None:
                raise IngestError(path, f"undecodable: byte {pos + _bad_byte(line, 'gb18030')} "
                                        f"is not valid UTF-8, GB18030 or Big5") from None
            pos += len(line)
        raise
    out: list[str] = []
    pos = 0
    used_utf8 = False
    for k, line in zip(kinds, lines):
        if k is None or not line.isascii():
            legacy = _try(line, codec)
            if k is not None and (legacy is None or score(k) >= score(legacy)):
                out.append(k)
                used_utf8 = used_utf8 or not line.isascii()
            elif legacy is not None:
                out.append(legacy)
            else:
                raise IngestError(path, f"undecodable: byte {pos + _bad_byte(line, codec)} "
                                        f"is neither UTF-8 nor {codec}")
        else:
            out.append(k)
        pos += len(line)
    name = f"mixed(utf-8,{codec})" if used_utf8 else codec
    return "".join(out), name


def _best_legacy(data: bytes, path) -> tuple[str, str]:
    """Strict-decode with each legacy codec and keep the decode that reads as Chinese."""
    best: Optional[tuple[float, str, str]] = None
    for codec in _LEGACY:
        text = _try(data, codec)
        if text is None and codec == "big5":
            text, codec = _try(data, "cp950"), "cp950"
        if text is None:
            continue
        s = score(text)
        if best is None or s > best[0]:
            best = (s, text, codec)
    if best is None:
        raise IngestError(path, f"undecodable: byte {_bad_byte(data, 'gb18030')} is not "
                                f"valid UTF-8, GB18030 or Big5")
    return best[1], best[2]


def _try(data: bytes, codec: str) -> Optional[str]:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None


def _bad_byte(data: bytes, codec: str) -> int:
    try:
        data.decode(codec)
    except UnicodeDecodeError as e:
        return e.start
    return 0


def score(text: str) -> float:
    """Share of the non-ASCII characters that are common Chinese characters or punctuation."""
    sample = text[:_SCORE_SAMPLE]
    non_ascii = len(sample.translate(_ascii_delete()))
    if non_ascii == 0:
        return 0.0
    rare = len(sample.translate(_common_delete()))
    return 1.0 - rare / non_ascii


@lru_cache(maxsize=1)
def _ascii_delete() -> dict:
    return {i: None for i in range(128)}


@lru_cache(maxsize=1)
def _common_delete() -> dict:
    """Translation table deleting ASCII, common hanzi (simplified and traditional), punctuation."""
    chars = set(common_chars())
    table = {ord(c): None for c in chars}
    table.update(_ascii_delete())
    return table


@lru_cache(maxsize=1)
def common_chars() -> frozenset:
    """GB2312 level 1 (3755 simplified) + Big5 常用字 (5401 traditional) + CJK punctuation."""
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            c = _try(bytes((lead, trail)), "gb2312")
            if c:
                chars.add(c)
    for lead in range(0xA4, 0xC7):
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if lead == 0xC6 and trail > 0x7E:
                break
            c = _try(bytes((lead, trail)), "big5")
            if c:
                chars.add(c)
    chars.update("，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—…·％～　"
                 "０１２３４５６７８９＋－．／")
    return frozenset(chars)
