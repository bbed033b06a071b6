"""Shared loader for the YAML pattern files in ``patterns/``.

A pattern file looks like::

    checker: numbers          # which checker in tests runs the examples
    flags: [IGNORECASE]       # optional, names of ``regex`` flags for every piece
    pieces:
      Digit: '[0-9]'
      Digits: '{Digit}+'
      Unit: [万元, 亿元, 元]   # a list is a set of alternatives
    examples:
      - ...                   # shape decided by the file's checker
    # any other keys are data for the module that owns the file

``{Name}`` inside a piece is replaced by the piece ``Name`` wrapped in ``(?:...)``,
recursively; a reference cycle or an unknown name raises `PatternError`.  Regex
syntax that looks alike (``{2}``, ``{1,3}``, ``\\p{Han}``, ``\\x{FF01}``, ``\\N{...}``)
is left alone.  List alternatives are joined longest first so ``万元`` wins over ``元``.

``load_patterns(name)`` returns a `Patterns` dict: piece name -> compiled pattern,
with ``.src`` (name -> expanded regex source), ``.raw`` (the parsed YAML),
``.examples``, ``.checker`` and ``.compile(expr)`` to compile an ad-hoc expression
using the file's pieces.  Results are cached; treat them as read-only.

The folder is ``patterns/`` next to ``extract/``; set ``REFORM_PATTERNS`` to override.
"""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import regex
import yaml

__all__ = ["PatternError", "Patterns", "load_patterns", "patterns_dir", "expand", "clear_cache"]

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "patterns"

# `{Name}` not preceded by \p \P \N \x (regex property / name / hex escapes).
_REF = regex.compile(r"(?<!\\[pPNx])\{([A-Za-z_][A-Za-z0-9_]*)\}")


class PatternError(ValueError):
    """A pattern file is malformed: unknown reference, cycle, bad regex."""


def patterns_dir() -> Path:
    env = os.environ.get("REFORM_PATTERNS")
    return Path(env) if env else DEFAULT_DIR


def _piece_source(name: str, value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list) and value and all(isinstance(v, (str, int, float)) for v in value):
        alts = sorted((str(v) for v in value), key=len, reverse=True)
        return "|".join(alts)
    raise PatternError(f"{where}: piece {name!r} must be a string or a list of strings")


def expand(pieces: dict[str, str], expr: str, where: str = "<expr>") -> str:
    """Expand ``{Name}`` references in *expr* using raw *pieces* (recursively)."""
    done: dict[str, str] = {}

    def resolve(name: str, stack: tuple[str, ...]) -> str:
        if name in done:
            return done[name]
        if name in stack:
            cycle = " -> ".join(stack[stack.index(name):] + (name,))
            raise PatternError(f"{where}: reference cycle {cycle}")
        if name not in pieces:
            raise PatternError(f"{where}: unknown piece {{{name}}}"
                               + (f" (in {stack[-1]})" if stack else ""))
        out = sub(pieces[name], stack + (name,))
        done[name] = out
        return out

    def sub(text: str, stack: tuple[str, ...]) -> str:
        return _REF.sub(lambda m: "(?:" + resolve(m.group(1), stack) + ")", text)

    return sub(expr, ())


def _flags(names: Any, where: str) -> int:
    if names is None:
        return 0
    if isinstance(names, str):
        names = [names]
    value = 0
    for n in names:
        flag = getattr(regex, str(n).upper(), None)
        if not isinstance(flag, int):
            raise PatternError(f"{where}: unknown regex flag {n!r}")
        value |= flag
    return value


class Patterns(dict):
    """Piece name -> compiled pattern, plus the file's source and data."""

    def __init__(self, name: str, raw: dict, pieces: dict[str, str], flags: int):
        super().__init__()
        self.name = name
        self.raw = raw
        self.flags = flags
        self._pieces = pieces
        self.src: dict[str, str] = {}
        for key in pieces:
            self.src[key] = expand(pieces, "{" + key + "}", name)[3:-1]  # drop (?:...)
            try:
                self[key] = regex.compile(self.src[key], flags)
            except regex.error as exc:
                raise PatternError(f"{name}: piece {key!r} does not compile: {exc}") from None

    @property
    def examples(self) -> list:
        return self.raw.get("examples") or []

    @property
    def checker(self) -> str | None:
        return self.raw.get("checker")

    def expand(self, expr: str) -> str:
        return expand(self._pieces, expr, self.name)

    def compile(self, expr: str, flags: int | None = None):
        """Compile *expr* with ``{Name}`` references to this file's pieces."""
        return regex.compile(self.expand(expr), self.flags if flags is None else flags)


@lru_cache(maxsize=None)
def _load(path: str, name: str) -> Patterns:
    p = Path(path)
    if not p.is_file():
        raise PatternError(f"no pattern file {p}")
    with open(p, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    if not isinstance(raw, dict):
        raise PatternError(f"{name}: top level must be a mapping")
    pieces_raw = raw.get("pieces") or {}
    if not isinstance(pieces_raw, dict):
        raise PatternError(f"{name}: 'pieces' must be a mapping")
    pieces = {str(k): _piece_source(str(k), v, name) for k, v in pieces_raw.items()}
    return Patterns(name, raw, pieces, _flags(raw.get("flags"), name))


def load_patterns(name: str) -> Patterns:
    """Load, expand and compile ``patterns/<name>.yaml`` (cached)."""
    return _load(str(patterns_dir() / f"{name}.yaml"), name)


def clear_cache() -> None:
    _load.cache_clear()
