"""Writing output files safely: never over the database, never a half file, a message
instead of a traceback when the disk is full or the folder is read-only.

    refuse_database_target(db, out)          # ExportError-like OutputError if out is the db
    with atomic_path(out) as tmp:            # write to tmp; renamed to out on success,
        write(tmp)                           # removed on failure (out untouched)
    atomic_write_text(path, text)

`output_error_message(exc, what)` turns an OSError (or SQLite's "database or disk is
full") into one line saying what happened and what is safe; `extract.cli` uses it for
every verb.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

# files SQLite keeps beside a database, and the writer lock (extract.store.writer_lock)
DB_COMPANIONS = ("", "-wal", "-shm", "-journal", ".lock")


class OutputError(ValueError):
    """An output that cannot be written as asked (names the path and the problem)."""


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(os.path.realpath(a)) == os.path.abspath(os.path.realpath(b))


def refuse_database_target(db, out) -> None:
    """Raise OutputError when writing *out* would overwrite the database *db* or one of
    the files SQLite keeps beside it (-wal, -shm, -journal) or its lock file."""
    if str(out) == "-":
        return
    outp = Path(out)
    for suffix in DB_COMPANIONS:
        p = Path(f"{db}{suffix}")
        if _same_file(outp, p):
            what = "the database" if not suffix else f"the database's {suffix.lstrip('-.')} file"
            raise OutputError(f"--out {out} is {what} {p} being read: choose another file "
                              f"(nothing was written)")


def refuse_overwriting_a_database(out) -> None:
    """Raise OutputError when *out* is an existing SQLite database (any, not only the one
    being read): an export is never written over one."""
    p = Path(out)
    try:
        if not p.is_file():
            return
        with open(p, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return
    if head == b"SQLite format 3\0":
        raise OutputError(f"--out {out} is an SQLite database: an export does not overwrite "
                          "one; choose another file or delete it first (nothing was written)")


def check_output_file(out) -> None:
    """Raise OutputError when *out* is a folder or its parent is not a folder."""
    p = Path(out)
    if p.is_dir():
        raise OutputError(f"{p} is a folder, not a file: give a file name (nothing was written)")
    for parent in p.parents:
        if parent.exists():
            if not parent.is_dir():
                raise OutputError(f"{parent} is not a folder: cannot write {p}")
            break


@contextlib.contextmanager
def atomic_path(target):
    """Yield a temporary path beside *target*; on success it replaces *target* (one
    rename), on any error it is removed and *target* is left as it was.  A character
    device such as /dev/null or /dev/full is written directly (it cannot be renamed over)."""
    target = Path(target)
    try:
        special = target.exists() and not target.is_file() and not target.is_dir()
    except OSError:
        special = False
    if special:     # written whole to a temporary file, then copied into the device:
        # some writers (pyarrow) delete their output file when writing fails, which
        # would remove a device node such as /dev/full
        fd, tmp = tempfile.mkstemp(prefix="reform-", suffix=f".tmp{target.suffix}")
        os.close(fd)
        try:
            yield Path(tmp)
            with open(tmp, "rb") as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
        except OSError as exc:
            if not exc.filename or exc.filename == tmp:
                raise OSError(exc.errno, exc.strerror, str(target)) from None
            raise
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # the temporary name keeps the suffix: writers that look at it (pandas) see it
        fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}",
                                   dir=target.parent)
    except OSError as exc:      # name the file asked for, not the temporary one
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    os.close(fd)
    try:
        yield Path(tmp)
        try:        # mkstemp makes the file 0600; give it the mode a normal open would
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp, 0o666 & ~mask)
        except OSError:
            pass
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if not exc.filename or exc.filename == tmp:
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        raise
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def is_regular_target(path) -> bool:
    """True when *path* is a regular file or does not exist yet (a codebook may go beside it);
    False for a device (/dev/null, /dev/full) or a FIFO."""
    p = Path(path)
    try:
        return not p.exists() or p.is_file()
    except OSError:
        return True


def atomic_write_text(path, text: str, encoding: str = "utf-8") -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding=encoding) as fh:
            fh.write(text)


_ERRNO_WORDS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EISDIR: "it is a folder",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EIO: "an input/output error",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EEXIST: "a file is where a folder is needed",
}


def is_output_problem(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        s = str(exc)
        return "disk is full" in s or "disk I/O error" in s or "readonly database" in s
    return isinstance(exc, OSError) and exc.errno in _ERRNO_WORDS


def output_error_message(exc: BaseException, safe: str = "") -> str:
    """One line: what failed (path, cause) and, from *safe*, what is still intact."""
    if isinstance(exc, sqlite3.OperationalError):
        s = str(exc)
        cause = ("the disk is full" if "disk is full" in s
                 else "the database is read-only" if "readonly" in s else f"SQLite: {s}")
        where = "writing the database"
    else:
        cause = _ERRNO_WORDS.get(exc.errno, exc.strerror or str(exc))
        where = f"writing {exc.filename}" if getattr(exc, "filename", None) else "writing"
    msg = f"{where} failed: {cause}"
    return f"{msg}. {safe}" if safe else msg
