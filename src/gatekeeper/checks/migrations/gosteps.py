"""Forward-only migrations kept as a Go slice of SQL strings (autobrr's shape).

A project's own runner keeps its steps in a package-level ``var postgresMigrations =
[]string{ ``...``, ``...``, }`` and runs ``migrations[version:]``, recording how many
ran; a fresh install runs a schema constant instead. The file is named for migrating
(``postgres_migrate.go``, ``migrations.go``), not kept in a migrations folder. So:

- each element of such a slice is one step; a step the PR appends is a new migration
  (reviewed like a SQL file's statements, in the database its file is named for);
- an element that was merged and is now edited, removed or moved is a history rewrite
  (databases that ran it never run it again);
- the schema constant is not a migration: it runs only on an empty database.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from gatekeeper.checks.migrations import gosrc
from gatekeeper.checks.migrations.gosrc import Token

#: a file named for migrating, whatever its folder
_NAME = re.compile(r"(?i)migrat")
_SQL = re.compile(
    r"^\s*(?:--[^\n]*\n\s*)*(?:CREATE|ALTER|DROP|INSERT|UPDATE|DELETE|PRAGMA|UPDATE|"
    r"RENAME|COMMENT|WITH|BEGIN|SET|DO|TRUNCATE)\b",
    re.IGNORECASE,
)
#: the database a file is written for, from its name
_DIALECTS = (("postgres", "postgres"), ("pg_", "postgres"), ("sqlite", "sqlite"),
             ("mysql", "mysql"))  # fmt: skip


@dataclass(frozen=True, slots=True)
class Step:
    """One element of a steps slice: its first and last token, first line, and its SQL
    (a literal's value; for any other expression its code, compared but not run)."""

    at: int
    end: int
    line: int
    sql: str
    literal: bool = True


def named_for_steps(path: str) -> bool:
    """A Go file (not a test) whose name says it migrates."""
    name = posixpath.basename(path)
    return name.endswith(".go") and not name.endswith("_test.go") and bool(_NAME.search(name))


def dialect_of(path: str) -> str | None:
    """The database a steps file's name says it is written for, if any."""
    name = posixpath.basename(path).lower()
    return next((d for word, d in _DIALECTS if word in name), None)


def steps(text: str, toks: list[Token]) -> list[Step]:
    """The elements of every package-level ``var X = []string{...}`` whose elements are
    all string literals and one at least SQL; [] when the file has none."""
    out: list[Step] = []
    for i in range(len(toks) - 5):
        if toks[i].text != "var" or toks[i + 1].kind != "ident" or toks[i + 2].text != "=":
            continue
        if [t.text for t in toks[i + 3 : i + 6]] != ["[", "]", "string"]:
            continue
        if i + 6 >= len(toks) or toks[i + 6].text != "{":
            continue
        close = gosrc.closing(toks, i + 6)
        if close is None:
            continue
        found = _elements(text, toks, i + 6, close)
        if any(s.literal and _SQL.match(s.sql) for s in found):
            out += found
    return out


def _elements(text: str, toks: list[Token], open_: int, close: int) -> list[Step]:
    """Each top-level element; one that is not a single literal (a concatenation, a
    ``fmt.Sprintf``, a variable) is kept as code, so a PR cannot hide a step from review
    by building it."""
    found: list[Step] = []
    start, depth = open_ + 1, 0
    for k in range(open_ + 1, close + 1):
        s = toks[k].text if toks[k].kind == "op" else ""
        if s in ("(", "{", "[") and k < close:
            depth += 1
        elif s in (")", "}", "]") and k < close:
            depth -= 1
        if (s == "," and depth == 0) or k == close:
            if start < k:
                found.append(_step(text, toks, start, k - 1))
            start = k + 1
    return found


def _step(text: str, toks: list[Token], first: int, last: int) -> Step:
    line = text.count("\n", 0, toks[first].at) + 1
    t = toks[first]
    if first == last and t.kind in ("raw", "str"):
        return Step(first, last, line, gosrc.literal_value(t))
    code = " ".join(x.text for x in toks[first : last + 1])
    return Step(first, last, line, code, literal=False)


def only_appends(before: list[Step], after: list[Step]) -> bool:
    """True when ``after`` keeps every merged step as it was, in its place: the PR only
    appended steps (or changed nothing but the schema constant and the code around)."""
    if len(after) < len(before):
        return False
    return all(_same(a.sql, b.sql) for a, b in zip(before, after, strict=False))


def _same(a: str, b: str) -> bool:
    return a.split() == b.split()
