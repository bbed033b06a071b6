"""reform-extract: health-reform metrics from Chinese work reports."""
import hashlib as _hashlib
import os as _os
from pathlib import Path as _Path

__version__ = "0.1.0"


def rules_fingerprint() -> str:
    """A short hash of the rules extraction depends on besides the code: every
    ``patterns/*.yaml`` (the folder `extract.patterns.patterns_dir` reads, so
    ``REFORM_PATTERNS`` is honoured) and the gazetteer ``extract/data/regions.tsv``.
    It is part of `EXTRACTOR_VERSION`, so editing a pattern makes ``reform run`` extract
    the stored documents again instead of skipping them as unchanged."""
    here = _Path(__file__).resolve().parent
    env = _os.environ.get("REFORM_PATTERNS")
    folder = _Path(env) if env else here.parent / "patterns"
    h = _hashlib.sha256()
    files = sorted(folder.glob("*.yaml")) + [here / "data" / "regions.tsv"]
    for f in files:
        try:
            data = f.read_bytes()
        except OSError:
            data = b"(missing)"
        h.update(f.name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()[:10]


EXTRACTOR_VERSION = f"reform-extract {__version__}+rules.{rules_fingerprint()}"
