"""Wrapping terminal lines to a width, counting columns the way a terminal does.

Lines break only at spaces. What must stay whole (a location, a path with spaces in it)
is :func:`glue`-d first: its spaces become NULs, which escaped text never holds (the
escaper shows a real NUL as ``\\x00``), and are turned back into spaces after wrapping.
A word longer than the line is put on a line of its own, never cut. Colour codes take
no columns; wide characters (CJK, most emoji) take two.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

_GLUE = "\x00"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_BACKTICKED = re.compile(r"`[^`]+`")
#: narrower than this and wrapping does more harm than good
MIN_WIDTH = 20


class Line(NamedTuple):
    """A line of the report and the indent its continuation lines get."""

    text: str
    hang: int = 0


def glue(text: str) -> str:
    """``text`` kept on one line when wrapped (its spaces do not break)."""
    return text.replace(" ", _GLUE)


def glue_code(text: str) -> str:
    """``text`` with each backticked part (`` `checks.x.allow` ``, a command) kept whole."""
    return _BACKTICKED.sub(lambda m: glue(m.group()), text)


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes."""
    total = 0
    for char in _ANSI.sub("", text):
        if unicodedata.combining(char) or char == "\u200d" or "\ufe00" <= char <= "\ufe0f":
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def wrap(line: Line, width: int | None) -> list[str]:
    """``line`` broken at spaces into lines of at most ``width`` columns (None or 0: as it
    is), continuation lines indented by ``line.hang``."""
    if not width or columns(line.text) <= width:
        return [line.text.replace(_GLUE, " ")]
    width = max(width, MIN_WIDTH)
    hang = " " * min(line.hang, width // 2)
    body = line.text.lstrip(" ")
    current = line.text[: len(line.text) - len(body)]
    fresh = True  # nothing but indentation on the current line yet
    out: list[str] = []
    # words and the runs of spaces between them: an alignment gap is kept on its line
    parts = re.split("( +)", body)
    for i in range(0, len(parts), 2):
        word, gap = parts[i], parts[i - 1] if i else ""
        candidate = current + ("" if fresh else gap) + word
        if fresh or columns(candidate) <= width:
            current, fresh = candidate, False
            continue
        out.append(current)
        current = hang + word
    out.append(current)
    return [part.replace(_GLUE, " ") for part in out]


def wrap_lines(lines: Iterable[Line], width: int | None) -> list[str]:
    """Every line wrapped (see :func:`wrap`)."""
    return [part for line in lines for part in wrap(line, width)]
