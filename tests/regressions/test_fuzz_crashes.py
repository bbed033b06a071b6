"""Replay every kept crash or hang input of the pipeline fuzz target.

Each case in tests/regressions/pipeline/NAME.json holds ``mode`` ("bytes", "text" or
"text+tables", as in tests/fuzz_pipeline.py), the input (``hex`` for bytes, ``text``, or
``parts``: [unit, times] pairs joined, for long runs) and ``found``: what it broke and
which commit fixed it. `fuzz_pipeline.run` must pass its contract checks on it.

A hang is a crash here, as it is for libFuzzer's ``-timeout``: each case must finish
within HANG_CPU_SECONDS of CPU time. The fixed pipeline needs at most a few seconds for
any case; before the fixes each took minutes (the inputs are sized so).
"""
import json
import signal
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import fuzz_pipeline  # noqa: E402

CASES = sorted((HERE / "pipeline").glob("*.json"))
HANG_CPU_SECONDS = 60


def payload(case: dict):
    if "hex" in case:
        return bytes.fromhex(case["hex"])
    if "parts" in case:
        return "".join(unit * times for unit, times in case["parts"])
    return case["text"]


class Hang(Exception):
    pass


def _hang(signum, frame):
    raise Hang(f"over {HANG_CPU_SECONDS} s of CPU")


def test_there_are_cases():
    assert CASES


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    assert case["mode"] in ("bytes", "text", "text+tables") and case["found"]
    old = signal.signal(signal.SIGPROF, _hang)
    signal.setitimer(signal.ITIMER_PROF, HANG_CPU_SECONDS)
    try:
        fuzz_pipeline.run(case["mode"], payload(case))
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)
