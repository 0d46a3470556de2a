"""Rust source told apart: its code (comments and literals blanked) and its strings.

Enough of Rust's lexical rules for a reader looking for names: line and nested block
comments, string literals with escapes, raw strings (``r#"..."#``), byte strings, and
char literals told from lifetimes (``'"'`` is a char; ``'a`` in ``&'a str`` is not).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: a call whose string argument is SQL (diesel's ``sql``, ``sql_query``; sqlx's
#: ``query``; ``execute``), just before a string literal
_SQL_CALL = re.compile(
    r"\b(?:sql|sql_query|sql_literal|query|query_as|query_scalar|execute|batch_execute)"
    r"\s*(?:::\s*<[^()]*>\s*)?\(\s*(?:&\s*)?$"
)
_RAW = re.compile(r'b?r(#*)"')
_CHAR = re.compile(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|.)|[^\\'\n])'")


@dataclass(frozen=True, slots=True)
class RustText:
    """``code``: the source with comments blanked and each string literal's punctuation
    (its words kept: ``#[table_name = "versions"]``); ``strings``: the literals'
    contents, in order; ``offsets``: where each one's opening quote sits in ``code``."""

    code: str
    strings: tuple[str, ...]
    offsets: tuple[int, ...]

    @classmethod
    def read(cls, text: str) -> RustText:
        """Split ``text`` (an unterminated comment or string runs to the end)."""
        out: list[str] = []
        strings: list[str] = []
        offsets: list[int] = []
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if text.startswith("//", i):
                end = text.find("\n", i)
                i = n if end < 0 else end
            elif text.startswith("/*", i):
                i = _block_end(text, i)
                out.append(" ")
            elif (raw := _RAW.match(text, i)) and (i == 0 or not _ident(text[i - 1])):
                close = '"' + raw.group(1)
                end = text.find(close, raw.end())
                end = n if end < 0 else end
                offsets.append(sum(map(len, out)))
                strings.append(text[raw.end() : end])
                out.append(_blanked(strings[-1]))
                i = end + len(close)
            elif ch == '"' or (ch == "b" and text.startswith('b"', i) and not _prev_ident(text, i)):
                start = i + (2 if ch == "b" else 1)
                end = _string_end(text, start)
                offsets.append(sum(map(len, out)))
                strings.append(text[start:end])
                out.append(_blanked(strings[-1]))
                i = end + 1
            elif ch == "'" and (char := _CHAR.match(text, i)):
                out.append("' '")
                i = char.end()
            else:
                out.append(ch)
                i += 1
        return cls("".join(out), tuple(strings), tuple(offsets))

    def in_sql_call(self, index: int) -> bool:
        """Whether string ``index`` is the argument of a call that runs SQL."""
        before = self.code[max(0, self.offsets[index] - 120) : self.offsets[index]]
        return _SQL_CALL.search(before) is not None


def _blanked(content: str) -> str:
    """A literal as ``code`` keeps it: quoted, its words only."""
    return '"' + re.sub(r"\W", " ", content) + '"'


def _ident(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _prev_ident(text: str, i: int) -> bool:
    return i > 0 and _ident(text[i - 1])


def _block_end(text: str, i: int) -> int:
    depth = 0
    while i < len(text):
        if text.startswith("/*", i):
            depth += 1
            i += 2
        elif text.startswith("*/", i):
            depth -= 1
            i += 2
            if depth == 0:
                return i
        else:
            i += 1
    return i


def _string_end(text: str, i: int) -> int:
    while i < len(text):
        if text[i] == "\\":
            i += 2
        elif text[i] == '"':
            return i
        else:
            i += 1
    return len(text)
