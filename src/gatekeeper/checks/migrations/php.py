"""Just enough PHP reading for migration classes: comments set aside, strings kept apart.

A :class:`Source` holds the file twice at the same offsets: as written, and as *code*,
where comments become spaces and the contents of string literals a filler (newlines kept),
so patterns applied to the code never match inside a string or a comment and every match
maps back to its line. String literals (``'...'``, ``"..."``, heredoc and nowdoc) are kept
by their offset with their value; an interpolated variable (``"$x"``, ``{$x}``) stands for
a value only known at run time (:data:`gosrc.RUNTIME`). The masking pass is the one C#
shares (:mod:`.cmask`); this module gives it PHP's ``#`` comments, quotes and heredocs.
Nothing is executed; each scan is one linear pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gatekeeper.checks.migrations import cmask
from gatekeeper.checks.migrations.cmask import Literal, Quoted
from gatekeeper.checks.migrations.gosrc import RUNTIME

_HEREDOC = re.compile(r"<<<[ \t]*(['\"]?)([A-Za-z_]\w*)\1\r?\n")
_INTERPOLATION = re.compile(r"\{\$[^{}]*\}|\$[A-Za-z_]\w*(?:->\w+|\[[^\]\n]*\])?")
_CONST = re.compile(r"\bconst\s+(?:[\w\\|?]+\s+)?([A-Z_a-z]\w*)\s*=\s*(?P<value>[^;]{1,500});")
_FUNCTION = re.compile(
    r"\bfunction\s+(?P<name>\w+)\s*\((?P<params>[^()]*)\)\s*(?::\s*\??[\w\\|]+\s*)?\{"
)


@dataclass(frozen=True, slots=True)
class SqlString:
    """One SQL string a migration's method runs, and the line of its call."""

    sql: str
    line: int


@dataclass(frozen=True, slots=True)
class Method:
    """A method's body: the offsets just inside its braces, and the line it starts on."""

    name: str
    start: int
    end: int
    line: int


class Source:
    """One PHP file read for its code, its strings and its methods."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.code, self.literals = _mask(text)
        self.constants = self._constants()

    def line_of(self, offset: int) -> int:
        """The 1-based line of ``offset``."""
        return self.text.count("\n", 0, offset) + 1

    def methods(self) -> dict[str, Method]:
        """The methods the file defines, by name (the first of a name)."""
        out: dict[str, Method] = {}
        for m in _FUNCTION.finditer(self.code):
            end = closing(self.code, m.end() - 1)
            if end is not None and m.group("name") not in out:
                out[m.group("name")] = Method(m.group("name"), m.end(), end, self.line_of(m.end()))
        return out

    def body(self, method: Method) -> str:
        """The code view of a method's body."""
        return self.code[method.start : method.end]

    def string_at(self, start: int, end: int) -> str | None:
        """The value of the expression in ``code[start:end]`` when it is made of string
        literals, class constants and other values joined by ``.``: the others become
        :data:`RUNTIME`. None when no literal or known constant is part of it."""
        parts: list[str] = []
        known = False
        for operand in _operands(self.code, start, end):
            lit = self.literals.get(operand[0])
            name = _constant_name(self.code[operand[0] : operand[1]])
            if lit is not None and lit.end >= operand[1]:
                parts.append(lit.value)
                known = True
            elif name is not None and name in self.constants:
                parts.append(self.constants[name])
                known = True
            else:
                parts.append(RUNTIME)
        return "".join(parts) if known else None

    def arguments(self, open_paren: int) -> list[tuple[int, int]]:
        """The (start, end) offsets of each argument of the call whose ``(`` is at
        ``open_paren`` (empty when the parenthesis does not close)."""
        end = closing(self.code, open_paren, "(", ")")
        if end is None:
            return []
        out, depth, start = [], 0, open_paren + 1
        for i in range(open_paren + 1, end):
            c = self.code[i]
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth -= 1
            elif c == "," and depth == 0:
                out.append((start, i))
                start = i + 1
        if self.code[start:end].strip():
            out.append((start, end))
        return out

    def _constants(self) -> dict[str, str]:
        """Class constants whose value is a string (``const NAME = 'x' . self::OTHER;``),
        in the order written, so one may use those before it."""
        found: dict[str, str] = {}
        for m in _CONST.finditer(self.code):
            self.constants = found
            value = self.string_at(m.start("value"), m.end("value"))
            if value is not None and RUNTIME not in value:
                found[m.group(1)] = value
        return found


def name_of(args: tuple[str | None, ...]) -> str:
    """The name a call's first argument gives (a table's, a column's): "?" when it is
    computed at run time."""
    first = args[0] if args else None
    return "?" if first is None or RUNTIME in first else first


def _constant_name(operand: str) -> str | None:
    m = re.fullmatch(r"\s*(?:self|static)\s*::\s*([A-Za-z_]\w*)\s*", operand)
    return m.group(1) if m else None


def _operands(code: str, start: int, end: int) -> list[tuple[int, int]]:
    """The spans of the operands of a ``.``-joined expression (a ``.`` inside brackets or
    a number is not a join)."""
    out, depth, at = [], 0, start
    for i in range(start, end):
        c = code[i]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "." and depth == 0 and not _in_number_or_assign(code, i):
            out.append(_trimmed(code, at, i))
            at = i + 1
    out.append(_trimmed(code, at, end))
    return [span for span in out if span[0] < span[1]]


def _in_number_or_assign(code: str, i: int) -> bool:
    """A ``.`` of a number (``1.5``) or of ``.=``: no join."""
    return code[i - 1 : i].isdigit() or code[i + 1 : i + 2] == "="


def _trimmed(code: str, start: int, end: int) -> tuple[int, int]:
    while start < end and code[start].isspace():
        start += 1
    while end > start and code[end - 1].isspace():
        end -= 1
    return start, end


def closing(code: str, start: int, open_: str = "{", close: str = "}") -> int | None:
    """The offset of the bracket closing the one at ``start`` in a code view."""
    depth = 0
    for i in range(start, len(code)):
        c = code[i]
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return i
    return None


def _mask(text: str) -> tuple[str, dict[int, Literal]]:
    """The code view of ``text`` and its string literals by offset."""
    return cmask.mask(text, opens="'\"<", hash_comment=_hash_comment, literal=_literal)


def _hash_comment(text: str, i: int) -> bool:
    """A ``#`` starts a comment, but for an attribute's ``#[``."""
    return not text.startswith("#[", i)


def _literal(text: str, i: int) -> Quoted | None:
    """The quoted string, heredoc or nowdoc opening at ``i``, if one does."""
    c = text[i]
    if c in "'\"":
        end, value = _quoted(text, i)
        return Quoted(end, value, c, text[end - 1 : end])
    if c == "<" and (doc := _HEREDOC.match(text, i)) is not None:
        end, value = _heredoc(text, doc)
        return Quoted(end, value, "'", "'")
    return None


def _quoted(text: str, start: int) -> tuple[int, str]:
    """(offset after the closing quote, value) of the literal opening at ``start``."""
    quote, i, n = text[start], start + 1, len(text)
    raw: list[str] = []
    while i < n:
        c = text[i]
        if c == "\\" and i + 1 < n:
            nxt = text[i + 1]
            raw.append(nxt if nxt in (quote, "\\") else (c + nxt if quote == "'" else nxt))
            i += 2
            continue
        if c == quote:
            value = "".join(raw)
            return i + 1, _INTERPOLATION.sub(RUNTIME, value) if quote == '"' else value
        raw.append(c)
        i += 1
    return n, "".join(raw)


def _heredoc(text: str, doc: re.Match[str]) -> tuple[int, str]:
    """(offset after the closing marker, value) of a heredoc or nowdoc."""
    marker = re.compile(rf"^[ \t]*{re.escape(doc.group(2))}\b", re.MULTILINE)
    close = marker.search(text, doc.end())
    if close is None:
        return len(text), text[doc.end() :]
    value = text[doc.end() : close.start()]
    if doc.group(1) != "'":
        value = _INTERPOLATION.sub(RUNTIME, value)
    return close.end(), value
