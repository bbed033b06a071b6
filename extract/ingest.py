"""Read report files of every supported format into a `SourceDoc`.

    for path in iter_paths(["reports/", "extra.docx"]):
        try:
            doc = read_document(path)
        except IngestError as e:
            log(str(e))          # "<path>: <one-line reason>"

The file is read once; its bytes are hashed and handed to the reader of its format
(`extract/formats/`). `SourceDoc.text` is the document text every offset refers to.
"""
from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Optional, Union

from .formats.base import Cell, Extracted, IngestError, Table

__all__ = ["SourceDoc", "Cell", "Table", "IngestError", "SUPPORTED_SUFFIXES", "MAX_BYTES",
           "iter_paths", "read_document"]

# Largest file read (and, for a DOCX, largest unpacked package): reading takes about 25
# times the file size in memory and 2 s per MB, per worker (docs/LIMITS.md);
# `reform run --max-bytes` changes it.
MAX_BYTES = 100_000_000

# suffix -> format name
SUPPORTED_SUFFIXES: dict[str, str] = {
    ".txt": "txt", ".text": "txt", ".md": "md",
    ".html": "html", ".htm": "html", ".shtml": "html",
    ".docx": "docx", ".pdf": "pdf",
    # legacy office files, converted by LibreOffice (extract/formats/legacy.py)
    ".doc": "doc", ".wps": "wps", ".xls": "xls", ".et": "et", ".xlsx": "xlsx",
}
LEGACY_FORMATS = frozenset({"doc", "wps", "xls", "et", "xlsx"})

# inside walked folders: not reports, but a corpus's documentation and tooling (see iter_paths)
SKIP_FILES = re.compile(r"(?:readme|licen[cs]e|copying)(?:[._\-].*)?", re.IGNORECASE)
SKIP_FOLDERS = frozenset({"gold", "annotations", "tools"})


@dataclass
class SourceDoc:
    doc_id: str          # file stem; the runner gives the stable id (runner.DocIds)
    path: str
    text: str            # the document text (offsets of every record point here)
    format: str          # txt | md | html | docx | pdf | doc | wps | xls | et
    encoding: Optional[str]  # detected encoding for text/HTML files, None for DOCX/PDF
    sha256: str          # hash of the file bytes
    title: Optional[str] = None
    tables: list[Table] = field(default_factory=list)
    warning: Optional[str] = None    # read, but maybe not whole: stored, listed in the summary


def read_document(path: Union[str, Path], max_bytes: int = MAX_BYTES) -> SourceDoc:
    """Read one file; raises IngestError with a one-line reason for anything unreadable,
    or larger than *max_bytes* (a DOCX also when it unpacks to more than that)."""
    p = Path(path)
    try:
        st = p.stat()
        mode = st.st_mode
    except OSError as e:
        if e.errno == errno.ENAMETOOLONG:
            raise IngestError(p, _too_long(p)) from None
        mode = None                      # reported by _read_bytes with the precise reason
    if mode is not None and stat.S_ISDIR(mode):
        readable = os.access(p, os.R_OK | os.X_OK)
        raise IngestError(p, "is a directory" if readable else "permission denied (folder)")
    if mode is not None and not stat.S_ISREG(mode):
        raise IngestError(p, "not a regular file")   # a FIFO or device would block or never end
    fmt = SUPPORTED_SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        supported = " ".join(sorted(SUPPORTED_SUFFIXES))
        raise IngestError(p, f"unsupported format {p.suffix or '(no suffix)'!r} "
                             f"(supported: {supported})")
    if mode is not None and st.st_size > max_bytes:
        raise IngestError(p, f"file too large: {st.st_size} bytes, limit {max_bytes} (--max-bytes)")
    data = _read_bytes(p)
    if fmt in ("docx", "xlsx"):
        _check_unpacked(data, p, max_bytes)
    extracted: Extracted = _reader(fmt)(data, p)
    return SourceDoc(doc_id=p.stem, path=str(p), text=extracted.text, format=fmt,
                     encoding=extracted.encoding, sha256=hashlib.sha256(data).hexdigest(),
                     title=extracted.title, tables=extracted.tables, warning=extracted.warning)


def _too_long(p: Path) -> str:
    n = len(os.fsencode(p))
    limit = os.pathconf("/", "PC_PATH_MAX") if hasattr(os, "pathconf") else 4096
    return (f"path too long: {n} bytes, the system's limit is {limit} (PATH_MAX); "
            f"move it to a shallower folder")


def _read_bytes(p: Path) -> bytes:
    try:
        return p.read_bytes()
    except PermissionError:
        raise IngestError(p, "permission denied") from None
    except IsADirectoryError:
        raise IngestError(p, "is a directory") from None
    except FileNotFoundError:
        reason = "broken symlink" if p.is_symlink() else "file not found"
        raise IngestError(p, reason) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise IngestError(p, "symlink loop") from None
        raise IngestError(p, f"cannot read: {e.strerror or e}") from None


def _check_unpacked(data: bytes, p: Path, max_bytes: int) -> None:
    """Refuse a ZIP package whose members unpack to more than *max_bytes* (a zip bomb)
    before anything is decompressed, from the sizes its directory states; then inflate
    each member in 1 MB steps, which stops at the stated size: a directory that
    understates a member's size (zipfile would inflate all of it at once, then find the
    CRC wrong) is refused after at most its stated size plus one step."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            size = sum(i.file_size for i in infos)
            if size > max_bytes:
                raise IngestError(p, f"DOCX unpacks to {size} bytes, limit {max_bytes} "
                                     f"(--max-bytes)")
            for info in infos:
                try:
                    with z.open(info) as fh:
                        while fh.read(1 << 20):
                            pass
                except zipfile.BadZipFile as e:
                    raise IngestError(p, f"corrupt DOCX: {info.filename!r} does not match "
                                         f"its entry in the ZIP directory ({e})") from None
    except (zipfile.BadZipFile, ValueError, OSError, NotImplementedError, EOFError):
        return                           # the DOCX reader says what is wrong with it


def _reader(fmt: str):
    # imported lazily so that reading text files never loads lxml, python-docx or PyMuPDF
    if fmt in ("txt", "md"):
        from .formats import txt as mod
    elif fmt == "html":
        from .formats import html as mod
    elif fmt == "docx":
        from .formats import docx as mod
    elif fmt in LEGACY_FORMATS:
        from .formats import legacy as mod
    else:
        from .formats import pdf as mod
    return mod.read


def iter_paths(paths: Union[str, Path, Iterable[Union[str, Path]]],
               skipped: Optional[list] = None) -> Iterator[Path]:
    """Files to read: given files as they are, folders walked recursively in sorted order.

    Inside folders only files with a supported suffix are yielded; hidden files and folders
    (name starting with ``.``) are skipped, each real folder is walked once (so symlink
    loops end) and broken symlinks are skipped. A path that does not exist raises
    FileNotFoundError before anything is yielded.

    A corpus folder also holds what is not a report, skipped too (names compared
    case-insensitively): README/LICENSE/COPYING files (``README.md``, ``readme_en.txt``) and
    folders named ``gold``, ``annotations`` or ``tools`` below the folder given (gold
    records, hand annotations, helper scripts). A path given by name is always yielded or
    walked.

    With a list *skipped*, every file and folder met in a walk and not yielded is
    appended to it as ``(path, reason)``, so a run can say what it saw and left.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    roots = [Path(p) for p in paths]
    for root in roots:
        if not os.path.lexists(root):
            raise FileNotFoundError(f"{root}: no such file or directory")
    seen_dirs: set[tuple[int, int]] = set()
    for root in roots:
        if root.is_dir():
            yield from _walk(root, seen_dirs, skipped)
        else:
            yield root


def _walk(top: Path, seen_dirs: set[tuple[int, int]],
          skipped: Optional[list] = None) -> Iterator[Path]:
    """Depth-first in name order, so the output is sorted by path components."""
    def skip(e, reason):
        if skipped is not None:
            skipped.append((e.path, reason))

    stack: list[Iterator[os.DirEntry]] = []
    entries = _entries(top, seen_dirs)
    if entries is None:
        yield top                      # unreadable: read_document reports why
        return
    if entries is False:               # given twice (or inside another folder given)
        return
    stack.append(entries)
    while stack:
        e = next(stack[-1], None)
        if e is None:
            stack.pop()
            continue
        if e.name.startswith("."):
            skip(e, "hidden")
            continue
        try:
            is_dir = e.is_dir()        # follows symlinks; False for a broken one
            is_file = not is_dir and e.is_file()
        except OSError:
            skip(e, "cannot be examined")
            continue
        if is_dir:
            if e.name.lower() in SKIP_FOLDERS:
                skip(e, f"{e.name}/ folder (not reports)")
                continue
            sub = _entries(Path(e.path), seen_dirs)
            if sub is None:
                yield Path(e.path)
            elif sub:
                stack.append(sub)
            elif sub is False:
                skip(e, "folder already walked (a symlink to it)")
        elif not is_file:
            skip(e, "broken symlink" if e.is_symlink() else "not a regular file")
        elif SKIP_FILES.fullmatch(e.name):
            skip(e, "README/LICENSE/COPYING file")
        elif Path(e.name).suffix.lower() in SUPPORTED_SUFFIXES:
            yield Path(e.path)
        else:
            suffix = Path(e.name).suffix.lower() or "(no suffix)"
            skip(e, f"unsupported format {suffix}")


def _entries(folder: Path, seen_dirs: set[tuple[int, int]]):
    """Sorted entries of a folder not walked yet; ``False`` if already walked, None if unreadable."""
    try:
        st = folder.stat()
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            return False
        seen_dirs.add(key)
        with os.scandir(folder) as it:
            return iter(sorted(it, key=lambda e: e.name))
    except OSError:         # permission denied, a path longer than PATH_MAX, an I/O error
        return None
