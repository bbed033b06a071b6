"""Word segmenters: jieba (default) and pkuseg, behind one function."""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Callable

SEGMENTERS = ("jieba", "pkuseg")


@lru_cache(maxsize=2)
def get_segmenter(name: str = "jieba") -> Callable[[str], list]:
    """Return a function text -> list of words whose concatenation is the text."""
    if name == "jieba":
        import jieba
        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        return lambda text: jieba.lcut(text, HMM=True)
    if name == "pkuseg":
        try:
            import pkuseg
        except ImportError as e:  # pragma: no cover - depends on the install
            raise RuntimeError("pkuseg is not installed: run scripts/setup.sh "
                               "(pip install --no-build-isolation pkuseg==0.0.25)") from e
        seg = pkuseg.pkuseg()
        return seg.cut
    raise ValueError(f"unknown segmenter {name!r}; choose one of {', '.join(SEGMENTERS)}")
