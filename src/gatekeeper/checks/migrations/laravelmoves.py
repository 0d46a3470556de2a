"""A Laravel up that moves values out of a column, and a down that never puts them back.

vito's ``update_ssls_table`` adds ``certificate_path``, copies each Let's Encrypt row's
``certificate`` into it and sets ``certificate`` to null (``$ssl->certificate_path =
$ssl->certificate; $ssl->certificate = null; $ssl->save();``). Its down drops the new
columns and nothing else: after a rollback the old release reads null where the
certificate path was, and the only copy went with the dropped column. A down that does
anything at all escapes the empty-down review (phpmig.reversibility), so this module
reads the move itself.

A move counts when the up both copies a column's value into another one and erases it
(sets it to null or ''), in the same method: through Eloquent, a variable's property
(``$row->new = $row->old;`` and ``$row->old = null;``), or in an SQL string (``UPDATE t
SET new = old`` and ``UPDATE t SET old = NULL``). The down gives the value back when it
names the erased column in its code or a string (not a comment): a copy back is then
presumed, not proven. Erasing alone is no evidence of a loss (a reset of state, a stale copy
cleared: sqlwrites.destroyed reads those as fixes); a copy elsewhere first says the value
mattered. The finding is ``down-incomplete``, an error, unless a ``gatekeeper:irreversible
<reason>`` marker declares the step one-way (which, written by the pull request, needs a
human's approval as any other).
"""

from __future__ import annotations

import re
from typing import Any

from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations.php import Method
from gatekeeper.checks.migrations.phpmig import Read
from gatekeeper.checks.migrations.sqltext import irreversible_reason, split, strip_comments
from gatekeeper.model import Finding

#: ``$row->new = $row->old;`` (the same variable on both sides)
_COPY = re.compile(r"\$(\w+)\s*->\s*(\w+)\s*=\s*\$\1\s*->\s*(\w+)\s*;")
#: ``$row->old = null;`` or ``= '';`` (an empty literal keeps its quotes in the code view)
_ERASE = re.compile(r"\$\w+\s*->\s*(\w+)\s*=\s*(?:null|''|\"\")\s*;", re.IGNORECASE)
#: ``UPDATE t SET`` and what follows, whitespace collapsed
_UPDATE = re.compile(r"^UPDATE (?:ONLY )?[\w\"`.$]+(?: (?:AS )?\w+)? SET (.*)$", re.IGNORECASE)
_ASSIGNMENT = re.compile(r"^[\"`]?(\w+)[\"`]? = (.+)$")
_COLUMN = re.compile(r"^(?:\w+\.)?[\"`]?(\w+)[\"`]?$")
_EMPTY = re.compile(r"^(?:NULL|''|\"\")$", re.IGNORECASE)
_WHERE = re.compile(r" (?:WHERE|FROM|RETURNING) ", re.IGNORECASE)


def moved(d: Read[Any]) -> list[tuple[str, str, int]]:
    """(erased column, where its value went, line) for each column the up of ``d`` both
    copies elsewhere and erases, lower-cased."""
    if d.up is None:
        return []
    copies: dict[str, str] = {}
    erased: dict[str, int] = {}
    body = d.src.body(d.up)
    for m in _COPY.finditer(body):
        if m.group(2).lower() != m.group(3).lower():
            copies.setdefault(m.group(3).lower(), m.group(2).lower())
    for m in _ERASE.finditer(body):
        erased.setdefault(m.group(1).lower(), d.src.line_of(d.up.start + m.start()))
    for s in d.up_side.sql if d.up_side is not None else ():
        for old, new, empty in _sql_assignments(s.sql):
            if empty:
                erased.setdefault(old, s.line)
            else:
                copies.setdefault(old, new)
    return [(c, copies[c], line) for c, line in erased.items() if c in copies]


def _sql_assignments(sql: str) -> list[tuple[str, str, bool]]:
    """(column read, column written, False) for ``SET new = old``, (column, "", True) for
    ``SET old = NULL``, over the UPDATE statements of ``sql``."""
    out: list[tuple[str, str, bool]] = []
    for statement in split(sql):
        text = " ".join(strip_comments(statement.text).split()).rstrip(";")
        m = _UPDATE.match(text)
        if m is None:
            continue
        sets = _WHERE.split(m.group(1), maxsplit=1)[0]
        for part in sets.split(","):
            a = _ASSIGNMENT.match(part.strip())
            if a is None:
                continue
            target, value = a.group(1).lower(), a.group(2).strip()
            if _EMPTY.match(value):
                out.append((target, "", True))
            elif (source := _COLUMN.match(value)) is not None and source.group(1).lower() != target:
                out.append((source.group(1).lower(), target, False))
    return out


def _names(d: Read[Any], method: Method, column: str) -> bool:
    """Whether ``method`` names ``column`` as a word, in its code or its strings (not in a
    comment: a comment restores nothing)."""
    word = re.compile(rf"(?<![\w$]){re.escape(column)}(?!\w)", re.IGNORECASE)
    if word.search(d.src.body(method)):
        return True
    inside = (lit.value for at, lit in d.src.literals.items() if method.start <= at < method.end)
    return any(word.search(value) for value in inside)


def check(
    check: BaseCheck, path: str, text: str, d: Read[Any], *, honour_marker: bool = True
) -> list[Finding]:
    """``down-incomplete`` when the up of Laravel migration ``d`` moves values out of a
    column and its down (present and doing something) never names that column."""
    if d.down is None:
        return []
    lost = [(c, new, line) for c, new, line in moved(d) if not _names(d, d.down, c)]
    if not lost:
        return []
    reason = irreversible_reason(text) if honour_marker else None
    if reason:
        return [check.finding("irreversible", f"Declared irreversible: {reason}", path=path,
                              line=1, evidence=reason)]  # fmt: skip
    said = ", ".join(f"{c} (copied to {new}, then erased)" for c, new, _ in lost[:4])
    first, copy = lost[0][0], lost[0][1]
    gone = f", and the down takes the copy in {copy} with it" if _names(d, d.down, copy) else ""
    return [
        check.finding(
            "down-incomplete",
            f"The up of {path} moves values out of {said}, and its down never writes "
            f"{first} back: after a rollback the old release reads it empty{gone}. Copy the "
            "values back in the down, or declare it: gatekeeper:irreversible <reason>.",
            path=path,
            line=lost[0][2],
            evidence=", ".join(c for c, _, _ in lost),
        )
    ]
