#!/usr/bin/env python3
"""Accuracy of the extractor against gold, without a database (same as `reform eval`).

    python bench/accuracy.py                       # shared dev gold (if ../shared exists) and corpus/gold
    python bench/accuracy.py --segmenter pkuseg --errors 40
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from extract.cli import main  # noqa: E402

if __name__ == "__main__":
    main(["eval", *sys.argv[1:]])
