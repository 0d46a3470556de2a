"""Reading source of the languages whose comments start with ``#`` and whose strings are
quoted ``"`` or ``'`` (Ruby for Rails, Elixir for Ecto): a line without its comment, and a
call's arguments split at the commas outside brackets and strings.

A leaf module: the Rails and Ecto readers share it, so both read a comment or a string the
same way, and a relaxation cannot hang on a comma or a ``#`` one of them misreads.
"""

from __future__ import annotations

import re
from collections.abc import Callable


def code(line: str, *, interpolation: bool = False) -> str:
    """``line`` without its comment (a ``#`` outside a string literal), right-stripped;
    with ``interpolation``, ``#{`` starts no comment (Elixir)."""
    index = 0
    while index < len(line):
        c = line[index]
        if c in "\"'":
            index = string_end(line, index)
        elif c == "#" and not (interpolation and line[index + 1 : index + 2] == "{"):
            return line[:index].rstrip()
        index += 1
    return line.rstrip()


def string_end(text: str, start: int) -> int:
    """Where the string literal opened by the quote at ``start`` closes (its closing
    quote's index; the text's length when it does not close), escapes stepped over."""
    quote, index = text[start], start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 1
        elif text[index] == quote:
            return index
        index += 1
    return len(text)


def arguments(
    text: str,
    words: re.Pattern[str] | None = None,
    opening: frozenset[str] = frozenset(),
    starts: str = "",
    quotes: str = "\"'",
    closing: Callable[[str, int], int] = string_end,
) -> list[str]:
    """``text`` split at the commas outside brackets and string literals, each stripped;
    ``words`` matches keywords that also nest (Elixir's ``fn`` ... ``end``: those in
    ``opening`` open a level, the others close one), tried only where a character of
    ``starts`` begins one (a match tried at every character made long calls slow).
    ``quotes`` open string literals, which ``closing`` finds the end of (JavaScript's
    template literals need their ``${...}`` stepped over)."""
    out: list[str] = []
    depth, start, index = 0, 0, 0
    while index < len(text):
        c = text[index]
        if c in quotes:
            index = closing(text, index)
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(text[start:index].strip())
            start = index + 1
        elif c in starts and words is not None and (word := words.match(text, index)):
            depth += 1 if word.group() in opening else -1
            index = word.end() - 1
        index += 1
    out.append(text[start:].strip())
    return out
