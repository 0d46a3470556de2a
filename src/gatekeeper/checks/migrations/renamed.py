"""A merged index or constraint the edit only renamed, or made ``IF NOT EXISTS``: the
same hazard under another fingerprint.

An index build's finding carries the statement (or the index's name) as its evidence, so
renaming ``idx_old`` to ``idx_new`` in a migration no release has shipped, or adding ``IF
NOT EXISTS`` to it, gives the merged hazard a new fingerprint: the fix would block for a
lock the merged file already took. :func:`twins` pairs such a head error with the merged
error it replaces, one for one, when the two statements read the same once ``IF [NOT]
EXISTS`` is set aside and the object's own name (the word after ``INDEX``,
``CONCURRENTLY`` or ``CONSTRAINT``, a call's first argument or its ``name:``) is the only
word that differs: same rule, same table, same columns. A changed table, column, ``UNIQUE``
or ``WHERE`` differs in more than the name and stays new.
"""

from __future__ import annotations

import re
from collections import Counter

from gatekeeper.checks.migrations import sqltext
from gatekeeper.model import Finding

#: the rules whose evidence names the object the statement builds or drops
RULES = frozenset({
    "index-not-concurrent", "drop-index-not-concurrent", "unique-constraint",
    "constraint-not-valid",
})  # fmt: skip
#: lines of one call read at most (a longer one is not compared: it stays new)
MAX_LINES = 40
#: the SQL words after which a word is the object's own name
_SQL_NAMING = frozenset({"index", "concurrently", "constraint"})
_TOKENS = re.compile(r"\w+|[^\w\s\"'`]")
_IF_EXISTS = re.compile(r"\bif\s+(?:not\s+)?exists\b")


def twins(
    new: list[Finding], gone: list[Finding], head: str, base: str, *, sql: bool
) -> list[Finding]:
    """The findings of ``new`` (head errors with no twin at base) that are one of
    ``gone`` (merged errors with no twin at head) renamed; each of ``gone`` pairs once."""
    left = Counter((f.rule, _words(base, f, sql)) for f in gone if f.rule in RULES and f.location)
    out = []
    for f in new:
        if f.rule not in RULES or not f.location:
            continue
        words = _words(head, f, sql)
        match = next(
            (k for k, n in left.items() if n and k[0] == f.rule and _renamed(k[1], words, sql)),
            None,
        )
        if match is not None:
            left[match] -= 1
            out.append(f)
    return out


def _renamed(old: tuple[str, ...], new: tuple[str, ...], sql: bool) -> bool:
    """Whether ``new`` is ``old`` with at most the object's name changed."""
    if not old or len(old) != len(new):
        return False
    changed = [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]
    if not changed:
        return True
    if len({(old[i], new[i]) for i in changed}) != 1:
        return False
    return all(_names(old, i, sql) for i in changed)


def _names(words: tuple[str, ...], i: int, sql: bool) -> bool:
    """Whether ``words[i]`` is the object's own name: after ``INDEX``, ``CONCURRENTLY``
    or ``CONSTRAINT`` in SQL; a call's first argument, or its ``name=`` / ``name:``."""
    before = words[max(i - 2, 0) : i]
    if sql:
        return bool(before) and before[-1] in _SQL_NAMING
    return before[-1:] == ("(",) or (
        len(before) == 2 and before[0] == "name" and before[1] in ("=", ":")
    )


def _words(text: str, f: Finding, sql: bool) -> tuple[str, ...]:
    """The statement (SQL) or call (code) at the finding's line, as lowercased words with
    quotes and ``IF [NOT] EXISTS`` set aside; () when it cannot be read."""
    line = f.location.start_line if f.location else None
    if not line:
        return ()
    if sql:
        found = next((s for s in sqltext.split(text) if s.line <= line <= s.end_line), None)
        said = sqltext.strip_comments(found.text) if found else ""
    else:
        said = _call(text.splitlines()[line - 1 : line - 1 + MAX_LINES])
    return tuple(_TOKENS.findall(_IF_EXISTS.sub(" ", said.lower())))


def _call(lines: list[str]) -> str:
    """The first line, and those after it up to where its parentheses close."""
    depth, out = 0, []
    for text in lines:
        out.append(text)
        depth += text.count("(") + text.count("[") - text.count(")") - text.count("]")
        if depth <= 0:
            return "\n".join(out)
    return ""
