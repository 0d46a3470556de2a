"""The code view of a C-family source: comments blanked, string contents filled, offsets kept.

The migration readers for PHP (:mod:`.php`) and C# (:mod:`.csharp`) find calls, arguments and
method bodies with patterns and bracket counting. Applied to the file as written, those would
match inside a comment (``// $table->dropColumn('x')`` left as a note) or inside a string
(SQL text that mentions a brace), and a PR could hide a destructive call from the gate, or
invent one, by how it quotes. So each file is read once into a *code view* of the same length:
comments become spaces, the contents of a string literal become a filler (newlines are kept
in both, so every offset maps back to its line), and each literal's value is kept apart by
the offset it starts at, for the readers that want the SQL a call is given.

Both languages share ``//`` and ``/* */`` comments; what differs is passed in:

- ``hash_comment`` says whether a ``#`` starts a comment running to the end of its line: in
  PHP every ``#`` except an attribute's ``#[``; in C# only a preprocessor line
  (``#nullable disable``, ``#region``).
- ``literal`` reads the literal opening at an offset, if one does: PHP's ``'...'``,
  ``"..."`` (with interpolation) and heredoc/nowdoc (opened by ``<<<``); C#'s regular,
  verbatim ``@"..."``, interpolated ``$"..."`` and raw ``\"\"\"...\"\"\"`` strings, and its
  character literals, which are masked but not kept (no reader wants a ``char``).
- ``opens`` names the characters that may open such a literal, so the scan can pass over
  plain code up to the next character that may start something.

The scan is one linear pass and never executes anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

#: what the contents of a string literal become in the code view
FILL = "_"


@dataclass(frozen=True, slots=True)
class Literal:
    """One string literal: its value and where it ends (the offset after it)."""

    value: str
    end: int


@dataclass(frozen=True, slots=True)
class Quoted:
    """A literal a language's reader found: the offset after it, its value (None for one
    not kept), and the characters standing for its opening and closing in the code view."""

    end: int
    value: str | None
    opening: str
    closing: str


def mask(
    text: str,
    *,
    opens: str,
    hash_comment: Callable[[str, int], bool],
    literal: Callable[[str, int], Quoted | None],
) -> tuple[str, dict[int, Literal]]:
    """The code view of ``text`` and its kept string literals by the offset they open at."""
    special = re.compile("[/#" + re.escape(opens) + "]")
    out: list[str] = []
    literals: dict[int, Literal] = {}
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if (c == "/" and text.startswith("//", i)) or (c == "#" and hash_comment(text, i)):
            end = line_end(text, i)
            out.append(" " * (end - i))
            i = end
        elif c == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(blank(text[i:end]))
            i = end
        elif (found := literal(text, i)) is not None:
            if found.value is not None:
                literals[i] = Literal(found.value, found.end)
            out.append(found.opening + blank(text[i + 1 : found.end - 1], FILL) + found.closing)
            i = found.end
        else:  # plain code up to the next character that may open a comment or a literal
            nxt = special.search(text, i + 1)
            end = nxt.start() if nxt else n
            out.append(text[i:end])
            i = end
    return "".join(out), literals


def line_end(text: str, i: int) -> int:
    """The offset of the end of the line holding ``i`` (its newline, or the text's end)."""
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def blank(text: str, fill: str = " ") -> str:
    """``text`` with every character but a newline replaced by ``fill``."""
    return "".join(ch if ch == "\n" else fill for ch in text)
