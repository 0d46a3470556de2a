"""A merged SQL migration edited only in its layout: blanks, comments, terminators.

goalert a0c680eca8 added the ``;`` missing after a ``DO`` block that closed a
``-- +migrate StatementBegin``/``StatementEnd`` pair, so that its new parser reads the
2017 migration: the runner sent the same statement before and after. A runner that
records a migration by its name alone (never by a checksum of the file) runs nothing
differently for such an edit, so it is a warning, not a history rewrite.

Both texts are read as the statement splitter's tokens (:mod:`.sqltext`, which knows
quotes and dollar quotes: a comment or blank inside a string is kept as written).
Set aside: blanks, comments, a ``;`` repeated, and a ``;`` that ends the last statement
of a section (before the tool directive that closes a block or starts the down side, or
at the end of the file), where the runner ends the statement anyway. Kept as written:
every other token, and the tool directives (``-- +migrate ...``, ``-- +goose ...``,
``-- migrate:down``, ``-- gatekeeper:...``): they decide how the file is cut and run.
A ``;`` between two statements is kept, since without it they reach the database as one.

Runners that checksum their files (Flyway, Liquibase, sqlx, Prisma, Sqitch, a
project's own reader) are never relieved: there the edited file itself breaks databases
that ran it (:data:`existguards.UNCHECKED` lists the others).
"""

from __future__ import annotations

import re

from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import existguards
from gatekeeper.checks.migrations.sqltext import TOKENS
from gatekeeper.model import Finding, Level

#: a comment a migration tool reads: sql-migrate's and goose's ``-- +``, dbmate's
#: ``-- migrate:``, gatekeeper's own markers
_DIRECTIVE = re.compile(r"--\s*(?:\+|migrate:|gatekeeper:)", re.IGNORECASE)
#: a directive after which the runner ends the statement before it in any case
_ENDS = re.compile(r"--\s*(?:\+\w+\s+(?:StatementEnd|Down)\b|migrate:down\b)", re.IGNORECASE)
#: the words and signs of a run of code
_WORDS = re.compile(r"\w+|[^\w\s]")
#: a bound on what the head can make us compare
_MAX_CHARS = 2_000_000


def same_statements(framework: str, before: bytes, after: bytes) -> bool:
    """Whether ``after`` sends the runner the statements ``before`` did (module
    docstring), for a runner that keeps no checksum of the file; False when equal."""
    if framework not in existguards.UNCHECKED or before == after:
        return False
    if max(len(before), len(after)) > _MAX_CHARS:
        return False
    try:
        old, new = (b.decode("utf-8") for b in (before, after))
    except UnicodeDecodeError:
        return False
    return _normalised(old) == _normalised(new)


def _normalised(sql: str) -> list[str]:
    """The tokens of ``sql`` that decide what runs (module docstring)."""
    out: list[str] = []
    for tok in TOKENS.finditer(sql):
        kind, text = tok.lastgroup, tok.group()
        if kind == "space":
            continue
        if kind == "comment":
            if not _DIRECTIVE.match(text):
                continue
            if _ENDS.match(text) and out and out[-1] == ";":
                out.pop()  # the section's last statement ends here anyway
            out.append(" ".join(text.split()))
        elif kind == "semi":
            if out and (out[-1] == ";" or _DIRECTIVE.match(out[-1])):
                continue  # an empty statement: nothing is sent for it
            out.append(";")
        elif kind == "code":
            out += _WORDS.findall(text)  # ``(id`` and ``( id`` alike
        else:
            out.append(text)
    if out and out[-1] == ";":
        out.pop()
    return out


def layout_edited(check: BaseCheck, path: str) -> Finding:
    """The warning for an edit of a merged SQL migration that keeps its statements."""
    return check.finding(
        "history-rewritten",
        f"The change edits {path}, a migration already merged, but only its blanks, "
        "comments or the terminator of a statement's end: the statements its runner sends "
        "are unchanged, and the runner records it by name, not by a checksum (check the "
        "project's runner reads it the same way; a warning).",
        path=path,
        evidence=path,
        level=Level.WARNING,
    )
