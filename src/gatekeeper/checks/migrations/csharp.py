"""Just enough C# reading for EF Core migration classes: comments set aside, strings kept apart.

The PHP reader's :class:`~.php.Source` already holds a file twice at the same offsets (as
written, and as code where comments are blanks and string contents a filler), and finds
call arguments and method bodies by brackets: C# is read the same way, so
:class:`Source` is that class with C#'s comments and string literals. C# writes strings
as ``"..."`` (backslash escapes), verbatim ``@"..."`` (a doubled quote is a quote, lines
kept), interpolated ``$"..."``/``$@"..."`` (each ``{...}`` a value known only at run time,
:data:`gosrc.RUNTIME`) and raw (three or more quotes, C# 11: no escapes; the closing quotes'
indentation is taken off every line). Preprocessor lines (``#nullable disable``,
``#region``) are comments to this reader. The masking pass itself is :mod:`.cmask`'s,
shared with PHP. Nothing is executed; each scan is one pass.
"""

from __future__ import annotations

import re

from gatekeeper.checks.migrations import cmask, php
from gatekeeper.checks.migrations.cmask import Literal, Quoted
from gatekeeper.checks.migrations.gosrc import RUNTIME
from gatekeeper.checks.migrations.php import Method, closing

#: an interpolation hole of a ``$"..."`` string (``{{`` is a literal brace)
_HOLE = re.compile(r"\{(?!\{)[^{}]*\}")
#: a method taking the ``MigrationBuilder`` (``protected override void Up(MigrationBuilder b)``)
_METHOD = re.compile(
    r"\bvoid\s+(?P<name>\w+)\s*\(\s*(?:Microsoft\.EntityFrameworkCore\.Migrations\.)?"
    r"MigrationBuilder\s+(?P<param>\w+)\s*\)\s*\{"
)
_PREPROCESSOR = re.compile(r"^[ \t]*#[a-z]", re.MULTILINE)


class Source(php.Source):
    """One C# file read for its code, its strings and the methods given a MigrationBuilder."""

    def __init__(self, text: str) -> None:  # the base's state, read C#'s way
        self.text = text
        self.code, self.literals = _mask(text)
        self.constants = {}
        self.parameters: dict[str, str] = {}
        self._methods: dict[str, Method] | None = None

    def methods(self) -> dict[str, Method]:
        """The methods that take a ``MigrationBuilder`` (``Up``, ``Down``), by name; the
        name each gives its parameter is in :attr:`parameters`. Read once."""
        if self._methods is not None:
            return self._methods
        out: dict[str, Method] = {}
        for m in _METHOD.finditer(self.code):
            end = closing(self.code, m.end() - 1)
            name = m.group("name")
            if end is not None and name not in out:
                out[name] = Method(name, m.end(), end, self.line_of(m.start()))
                self.parameters[name] = m.group("param")
        self._methods = out
        return out

    def string_at(self, start: int, end: int) -> str | None:
        """The value of the expression in ``code[start:end]`` when it is made of string
        literals joined by ``+`` (other operands become :data:`RUNTIME`); None when no
        literal is part of it."""
        parts: list[str] = []
        known = False
        for first, last in _operands(self.code, start, end):
            lit = self.literals.get(first)
            if lit is not None and lit.end >= last:
                parts.append(lit.value)
                known = True
            else:
                parts.append(RUNTIME)
        return "".join(parts) if known else None


def _operands(code: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of the operands of a ``+``-joined expression (a ``+`` inside brackets is
    not a join); each span starts at its string literal's opening prefix when it has one."""
    out, depth, at = [], 0, start
    for i in range(start, end):
        c = code[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "+" and depth == 0:
            out.append(_trimmed(code, at, i))
            at = i + 1
    out.append(_trimmed(code, at, end))
    return [span for span in out if span[0] < span[1]]


def _trimmed(code: str, start: int, end: int) -> tuple[int, int]:
    while start < end and code[start].isspace():
        start += 1
    while end > start and code[end - 1].isspace():
        end -= 1
    return start, end


def _mask(text: str) -> tuple[str, dict[int, Literal]]:
    """The code view of ``text`` and its string literals by the offset of their prefix."""
    return cmask.mask(text, opens="'\"$@", hash_comment=_preprocessor, literal=_literal)


def _preprocessor(text: str, i: int) -> bool:
    """A ``#`` starts a comment when it opens a preprocessor line."""
    return _PREPROCESSOR.match(text, _line_start(text, i)) is not None


def _literal(text: str, i: int) -> Quoted | None:
    """The character or string literal opening at ``i``, if one does (a character
    literal is masked, not kept)."""
    c = text[i]
    if c == "'":
        return Quoted(_char_end(text, i), None, "'", "'")
    if c in '"$@' and (found := _string(text, i)) is not None:
        end, value = found
        return Quoted(end, value, '"', '"')
    return None


_PREFIX = re.compile(r'(\$+)?(@)?(\$+)?("+)')


def _string(text: str, start: int) -> tuple[int, str] | None:
    """(offset after it, value) of the string literal whose prefix starts at ``start``,
    or None when no string literal starts there."""
    if text[start] not in '"$@':
        return None
    if start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        return None
    m = _PREFIX.match(text, start)
    if m is None:
        return None
    dollars = len(m.group(1) or "") + len(m.group(3) or "")
    verbatim = m.group(2) is not None
    quotes = len(m.group(4))
    body = m.end(4)
    if quotes >= 3:
        return _raw(text, body, quotes, dollars)
    body = m.start(4) + 1  # ``""`` is an empty string, not a raw one
    if verbatim:
        end, value = _verbatim(text, body)
    else:
        end, value = _regular(text, body)
    return end, _HOLE.sub(RUNTIME, value) if dollars else value


def _regular(text: str, i: int) -> tuple[int, str]:
    raw: list[str] = []
    n = len(text)
    while i < n and text[i] != "\n":
        c = text[i]
        if c == "\\" and i + 1 < n:
            raw.append({"n": "\n", "t": "\t", "r": "\r", "0": "\0"}.get(text[i + 1], text[i + 1]))
            i += 2
            continue
        if c == '"':
            return i + 1, "".join(raw)
        raw.append(c)
        i += 1
    return i, "".join(raw)


def _verbatim(text: str, i: int) -> tuple[int, str]:
    raw: list[str] = []
    n = len(text)
    while i < n:
        if text[i] == '"':
            if text.startswith('""', i):
                raw.append('"')
                i += 2
                continue
            return i + 1, "".join(raw)
        raw.append(text[i])
        i += 1
    return n, "".join(raw)


def _raw(text: str, body: int, quotes: int, dollars: int) -> tuple[int, str]:
    """A raw string literal: up to the same run of quotes; a multi-line one loses its first
    and last lines and the closing line's indentation on every line."""
    close = text.find('"' * quotes, body)
    if close < 0:
        return len(text), text[body:]
    value = text[body:close]
    if "\n" in value:
        lines = value.split("\n")
        indent = lines[-1] if not lines[-1].strip() else ""
        inner = lines[1:-1] if not lines[-1].strip() else lines[1:]
        value = "\n".join(line[len(indent) :] if line.startswith(indent) else line
                          for line in inner)  # fmt: skip
    if dollars:
        hole = re.compile(r"\{" * dollars + r"[^{}]*" + r"\}" * dollars)
        value = hole.sub(RUNTIME, value)
    return close + quotes, value


def _char_end(text: str, start: int) -> int:
    """The offset after a character literal (``'x'``, ``'\\''``)."""
    i = start + 1
    if text.startswith("\\", i):
        i += 2
    else:
        i += 1
    end = text.find("'", i)
    return start + 1 if end < 0 or end - i > 8 else end + 1


def _line_start(text: str, i: int) -> int:
    return text.rfind("\n", 0, i) + 1
