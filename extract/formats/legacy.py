"""Legacy office files — .doc and .wps (Word 97 / Kingsoft WPS Writer), .xls and .et
(Excel 97 / Kingsoft ET), and .xlsx workbooks — read by converting them with LibreOffice headless into a temporary folder
(``soffice --headless --convert-to docx|html``), then with the DOCX or HTML reader.

Each conversion runs with a user profile of its own (so parallel workers never share
LibreOffice's lock) under a time limit, and the converter process is killed with the
worker that started it (PR_SET_PDEATHSIG).  Without LibreOffice the file fails with an
install hint; ``scripts/setup.sh`` installs it where it can (apt, as root).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .base import Extracted, IngestError

CONVERT_TIMEOUT_S = 180.0
INSTALL_HINT = ("install LibreOffice to read {suffix} files (Debian/Ubuntu: apt-get install "
                "libreoffice-writer-nogui libreoffice-calc-nogui; scripts/setup.sh does this "
                "when run as root)")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# suffix -> (what LibreOffice converts it to, the reader of the result)
TARGETS = {".doc": "docx", ".wps": "docx", ".xls": "html", ".et": "html", ".xlsx": "html"}


def soffice() -> str | None:
    """The LibreOffice binary, or None."""
    env = os.environ.get("REFORM_SOFFICE")
    if env is not None:
        return env or None          # REFORM_SOFFICE= (empty) means: none
    return shutil.which("soffice") or shutil.which("libreoffice")


def _die_with_parent() -> None:      # runs in the converter process before exec
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)
        except Exception:
            pass


def convert(data: bytes, path, target: str, timeout: float = CONVERT_TIMEOUT_S) -> bytes:
    """The bytes of *data* (a legacy file named *path*) converted to *target*."""
    p = Path(path)
    exe = soffice()
    if exe is None:
        raise IngestError(p, INSTALL_HINT.format(suffix=p.suffix.lower()))
    with tempfile.TemporaryDirectory(prefix="reform-lo-") as tmp:
        src = Path(tmp) / f"in{p.suffix.lower()}"
        src.write_bytes(data)
        out = Path(tmp) / "out"
        argv = [exe, "--headless", "--norestore", "--nologo", "--nodefault",
                f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}",
                "--convert-to", target, "--outdir", str(out), str(src)]
        try:    # a session of its own: on a timeout the whole converter (oosplash and
            # soffice.bin) is killed, not only the wrapper script
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent,
                                    start_new_session=True, env={**os.environ, "HOME": tmp})
        except OSError as exc:
            raise IngestError(p, f"cannot run LibreOffice ({exe}): {exc.strerror or exc}") \
                from None
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise IngestError(p, f"LibreOffice took longer than {timeout:g} s to convert "
                                 "it") from None
        result = out / f"in.{target}"
        if not result.is_file():
            msg = " ".join((stderr or b"").decode("utf-8", "replace").split())
            msg = " ".join(w for w in msg.split() if "javaldx" not in w)[:200]
            raise IngestError(p, f"corrupt or unreadable {p.suffix.lower()} file: LibreOffice "
                                 f"could not convert it" + (f" ({msg})" if msg else ""))
        return result.read_bytes()


def read(data: bytes, path) -> Extracted:
    p = Path(path)
    suffix = p.suffix.lower()
    if not data.strip(b"\0 \t\r\n"):
        raise IngestError(p, "empty file")
    if suffix == ".xlsx":
        if not data.startswith(b"PK"):
            raise IngestError(p, "corrupt .xlsx file: not a ZIP package"
                              + (" (a legacy .xls with the wrong suffix?)"
                                 if data.startswith(_OLE2) else ""))
    elif not data.startswith(_OLE2):
        from .encoding import sniff_magic
        what = sniff_magic(data)
        if data.startswith(b"PK"):
            what = "a ZIP package (a DOCX or XLSX with the wrong suffix?)"
        raise IngestError(p, f"corrupt {suffix} file: not an OLE2 compound document"
                             + (f" (looks like {what})" if what else ""))
    if suffix != ".xlsx" and (len(data) < 512 or data[28:30] != b"\xfe\xff"
                              or data[30:32] not in (b"\x09\x00", b"\x0c\x00")):
        raise IngestError(p, f"corrupt {suffix} file: damaged OLE2 header")
    target = TARGETS[suffix]
    converted = convert(data, p, target)
    if target == "docx":
        from . import docx as reader
    else:
        from . import html as reader
    try:
        got = reader.read(converted, p)
    except IngestError as exc:
        raise IngestError(p, exc.reason.replace("DOCX", suffix.lstrip(".").upper())
                          .replace("HTML", suffix.lstrip(".").upper())) from None
    # a damaged file LibreOffice gives up on is imported as raw text: private-use and
    # unassigned characters then abound, where a report has next to none
    import unicodedata
    odd = sum(unicodedata.category(c) in ("Co", "Cn") for c in got.text)
    if odd > max(20, len(got.text) // 50):
        raise IngestError(p, f"corrupt {suffix} file: LibreOffice read it as raw data "
                             f"({odd} unassigned or private-use characters)")
    return got
