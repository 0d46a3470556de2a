"""Split SQL text into statements with line numbers, and read gatekeeper's comment markers.

One splitter serves every dialect and both uses (analysis and execution): it honours
quotes, dollar quotes, comments and SQLite trigger bodies, and never parses. A statement
keeps the comments written just above it, which is where ``gatekeeper:ignore`` lives.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

_TRIGGER = re.compile(r"^\s*CREATE\s+(?:TEMP\w*\s+)?TRIGGER\b", re.IGNORECASE)
_DOLLAR = re.compile(r"\$[A-Za-z_]*\$")
_IGNORE = re.compile(r"gatekeeper:ignore[ \t]+([a-z][a-z0-9-]*)[ \t]*([^\n]*)")
_IRREVERSIBLE = re.compile(r"gatekeeper:irreversible\b[ \t:]*([^\n]*)")


@dataclass(frozen=True, slots=True)
class Statement:
    """One SQL statement: its text (no trailing ``;``), where it sits, and its comments."""

    text: str
    line: int
    end_line: int
    comments: str = ""

    def ignores(self) -> dict[str, str]:
        """``gatekeeper:ignore <rule> <reason>`` markers on this statement: rule -> reason."""
        found = {}
        for m in _IGNORE.finditer(self.comments):
            found[m.group(1)] = m.group(2).strip().rstrip("*/").strip()
        return found


def _skip_quoted(sql: str, i: int, quote: str) -> int:
    """Index just past the quoted run that starts at ``i``."""
    j = i + 1
    while j < len(sql):
        if sql[j] == quote:
            if j + 1 < len(sql) and sql[j + 1] == quote:
                j += 2
                continue
            return j + 1
        j += 1
    return j


def _skip(sql: str, i: int) -> tuple[int, bool]:
    """Index past the token at ``i`` when it is a quote or comment, and whether it was a comment."""
    c = sql[i]
    if c in "'\"`":
        return _skip_quoted(sql, i, c), False
    if sql.startswith("--", i):
        end = sql.find("\n", i)
        return (len(sql) if end == -1 else end), True
    if sql.startswith("/*", i):
        end = sql.find("*/", i + 2)
        return (len(sql) if end == -1 else end + 2), True
    if c == "$":
        m = _DOLLAR.match(sql, i)
        if m:
            end = sql.find(m.group(0), m.end())
            return (len(sql) if end == -1 else end + len(m.group(0))), False
    return i + 1, False


def split(sql: str, first_line: int = 1) -> list[Statement]:
    """The statements of ``sql``; ``first_line`` is the line the text starts on in its file."""
    out: list[Statement] = []
    start = 0
    i = 0
    comments: list[str] = []
    code_seen = False
    while i < len(sql):
        nxt, is_comment = _skip(sql, i)
        if is_comment and not code_seen and out and "\n" not in sql[start:i]:
            # a comment after the ``;`` on the same line belongs to that statement
            last = out[-1]
            out[-1] = dataclasses.replace(last, comments=f"{last.comments}\n{sql[i:nxt]}")
        elif is_comment:
            comments.append(sql[i:nxt])
        elif sql[i] == ";" and not _inside_trigger(sql[start:i]):
            _emit(out, sql, (start, i), first_line, comments)
            comments, code_seen = [], False
            start = i + 1
        elif not sql[i].isspace():
            code_seen = True
        i = nxt
    _emit(out, sql, (start, len(sql)), first_line, comments)
    return out


def _inside_trigger(text: str) -> bool:
    """True while a CREATE TRIGGER body is open (its ``;`` do not end the statement)."""
    code = strip_comments(text)
    if not _TRIGGER.match(code):
        return False
    return re.search(r"\bEND\s*$", code, re.IGNORECASE) is None


def _emit(
    out: list[Statement], sql: str, span: tuple[int, int], first_line: int, comments: list[str]
) -> None:
    start, end = span
    raw = sql[start:end]
    code = strip_comments(raw).strip()
    if not code:
        return
    lead = len(raw) - len(raw.lstrip())
    # a statement starts at its first line of code, not at the comments above it
    body_start = start + lead
    offset = raw.find(code.split(None, 1)[0], lead)
    if offset >= 0:
        body_start = start + offset
    line = first_line + sql.count("\n", 0, body_start)
    end_line = first_line + sql.count("\n", 0, max(body_start, end - 1))
    out.append(Statement(raw.strip(), line, end_line, "\n".join(comments)))


def strip_comments(sql: str) -> str:
    """``sql`` with its comments blanked out (quotes kept)."""
    parts: list[str] = []
    i = 0
    while i < len(sql):
        nxt, is_comment = _skip(sql, i)
        parts.append(" " if is_comment else sql[i:nxt])
        i = nxt
    return "".join(parts)


def has_code(sql: str) -> bool:
    """True when ``sql`` holds at least one statement (not just comments and blanks)."""
    return bool(strip_comments(sql).replace(";", " ").strip())


def irreversible_reason(text: str) -> str | None:
    """The reason given by a ``gatekeeper:irreversible <reason>`` marker; "" without one;
    None when there is no marker."""
    m = _IRREVERSIBLE.search(text)
    if m is None:
        return None
    return m.group(1).strip().rstrip("*/").strip()
