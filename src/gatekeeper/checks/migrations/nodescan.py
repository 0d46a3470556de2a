"""The text scanners the Node migration readers share: strings, template literals and
comments stepped over whole, where a brace block or an arrow's expression ends, and a
template literal cut into its text and ``${...}`` expressions.

They read JavaScript and TypeScript as text (the gate runs no JavaScript): enough to find
a side's body and the SQL literals it runs, not a parser.
"""

from __future__ import annotations

import re

#: a ``//`` line comment or a ``/* ... */`` block comment
COMMENTS = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)


def expression_end(text: str, start: int) -> int:
    """Where an arrow's expression body ends: its statement's ``;``, the ``,`` or closing
    bracket of the object it is a member of, at its own depth (the ``;`` inside a callback
    it passes, ``(table) => { table.integer('x'); }``, does not end it)."""
    end = _nesting_end(text, start, opening="([{", closing=")]}", stops=";,")
    return len(text) if end is None else end


def call_end(text: str, start: int) -> int | None:
    """The index of the bracket closing a call whose arguments start at ``start`` (just
    after its ``(``), counting every kind of bracket; None when it is never closed."""
    return _nesting_end(text, start, opening="([{", closing=")]}", stops="")


def block_end(text: str, start: int) -> int | None:
    """The index of the brace closing the one at ``start`` (``text[start]`` is ``{``),
    skipping strings and comments; None when it is never closed."""
    return _nesting_end(text, start + 1, opening="{", closing="}", stops="")


def _nesting_end(text: str, start: int, *, opening: str, closing: str, stops: str) -> int | None:
    """The first closing bracket from ``start`` that closes more than it opened, or the
    first of ``stops`` at the depth it started at; None when the text ends first. Strings,
    templates and comments are stepped over whole. One scan for both ends: an expression
    counts every kind of bracket and stops at ``;`` and ``,``, a brace block only braces."""
    depth, i, n = 0, start, len(text)
    while i < n:
        c = text[i]
        if (skipped := _skip(text, i)) is not None:
            i = skipped
        elif c in opening:
            depth += 1
        elif c in closing:
            depth -= 1
            if depth < 0:
                return i
        elif c in stops and depth == 0:
            return i
        i += 1
    return None


def _skip(text: str, i: int) -> int | None:
    """Where a string or comment starting at ``i`` ends (its last character), or None when
    none starts there: what every scan of a body steps over whole."""
    if text[i] in "\"'`":
        return string_end(text, i)
    if text.startswith("//", i):
        end = text.find("\n", i)
        return len(text) if end < 0 else end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        return len(text) if end < 0 else end + 1
    return None


def string_end(text: str, start: int) -> int:
    """The index of the quote closing the string at ``start``; in a template literal,
    each ``${...}`` is skipped whole (it may hold strings and templates of its own)."""
    quote, i = text[start], start + 1
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == quote:
            return i
        if quote == "`" and text.startswith("${", i):
            i = interpolation_end(text, i + 2) + 1
            continue
        i += 1
    return len(text)


def interpolation_end(text: str, start: int) -> int:
    """The index of the ``}`` closing a template's ``${`` whose expression starts at
    ``start`` (or the text's end)."""
    depth, i = 1, start
    while i < len(text):
        c = text[i]
        if c in "\"'`":
            i = string_end(text, i)
        elif c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return len(text)


def template_pieces(sql: str) -> list[tuple[str, str]]:
    """A template's text and ``${...}`` expressions in order: ``("text", ...)`` and
    ``("expr", ...)``; an expression spanning lines keeps its line breaks in the text."""
    out: list[tuple[str, str]] = []
    i = 0
    while True:
        at = sql.find("${", i)
        if at < 0 or (at > 0 and sql[at - 1] == "\\"):
            if at < 0:
                out.append(("text", sql[i:]))
                return out
            out.append(("text", sql[i : at + 2]))
            i = at + 2
            continue
        out.append(("text", sql[i:at]))
        end = interpolation_end(sql, at + 2)
        expr = sql[at + 2 : end]
        out.append(("expr", expr))
        out.append(("text", "\n" * expr.count("\n")))
        i = end + 1
