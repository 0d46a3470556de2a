"""A merged Sequelize migration whose NOT NULL now waits for the rows to be filled.

chartbrew 94d19a659b edited two shipped migrations that added ``team_id`` NOT NULL and
then filled it: on a table that held rows, PostgreSQL refused the column (it has no
value for them), so the migration failed and umzug recorded nothing. The repair adds the
column nullable and, after the fill, sets NOT NULL with ``changeColumn`` and the very
options the merged ``addColumn`` had. Where the merged text ran (an empty table, or
MySQL, which fills a NOT NULL column with its type's implicit default before the fill
overwrites it) the schema it left is the one the edited text leaves; where it failed,
the edited text runs. So the edit rewrites no database's history (a warning).

Recognised only as that exact shape, in the up: undo the edit (drop one statement
``await <queryInterface>.changeColumn(T, C, OPTIONS);`` and turn ``allowNull: true`` back
to ``allowNull: false`` in the ``addColumn(T, C, ...)`` before it) and the merged file,
blanks and comments aside, must come back; ``OPTIONS`` must be the ``addColumn``'s
merged options. Anything else edited keeps the edit a rewrite.
"""

from __future__ import annotations

import re

from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import nodefile
from gatekeeper.checks.migrations.nodescan import COMMENTS, call_end
from gatekeeper.model import Finding, Level

#: ``await queryInterface.changeColumn(`` (any receiver name)
_CHANGE = re.compile(r"await\s+(?P<recv>[A-Za-z_$][\w$]*)\s*\.\s*changeColumn\s*\(")
#: the table and column, string literals, at the start of the arguments
_TARGET = re.compile(r"""\s*(?P<t>"[^"\n]*"|'[^'\n]*')\s*,\s*(?P<c>"[^"\n]*"|'[^'\n]*')\s*,""")
_NOT_NULL = re.compile(r"\ballowNull\s*:\s*false\b")
#: a bound on what the head can make us scan
_MAX_CHARS = 200_000


def deferred_not_null(before: str, after: str) -> str | None:
    """``table.column`` when ``after`` is ``before`` with that column's NOT NULL moved to
    a ``changeColumn`` later in the up (module docstring), else None."""
    if max(len(before), len(after)) > _MAX_CHARS or nodefile.library(after) is None:
        return None
    up = nodefile.read(after).up
    start = after.find(up.body) if up is not None else -1
    if up is None or start < 0:
        return None
    for change in _CHANGE.finditer(after, start, start + len(up.body)):
        found = _undone(after, change, before)
        if found is not None:
            return found
    return None


def _undone(after: str, change: re.Match[str], before: str) -> str | None:
    """The column when undoing this ``changeColumn`` and its ``addColumn``'s flip gives
    ``before`` back."""
    close = call_end(after, change.end())
    target = _TARGET.match(after, change.end())
    if close is None or target is None:
        return None
    options = after[target.end() : close]
    if len(_NOT_NULL.findall(options)) != 1:
        return None
    end = close + 1
    end += 1 if after[end : end + 1] == ";" else 0
    rest = after[: change.start()] + after[end:]
    add = re.compile(
        rf"{re.escape(change['recv'])}\s*\.\s*addColumn\s*\(\s*{re.escape(target['t'])}\s*,"
        rf"\s*{re.escape(target['c'])}\s*,"
    )
    for call in add.finditer(rest, 0, change.start()):
        shut = call_end(rest, call.end())
        if shut is None or _flat(rest[call.end() : shut]) != _flat(_nullable(options)):
            continue
        merged = rest[: call.end()] + options + rest[shut:]
        if _flat(merged) == _flat(before):
            return f"{target['t'][1:-1]}.{target['c'][1:-1]}"
    return None


def _nullable(options: str) -> str:
    return _NOT_NULL.sub("allowNull: true", options)


def _flat(text: str) -> str:
    """``text`` with comments gone and blanks collapsed (a trailing comma kept as is)."""
    return " ".join(COMMENTS.sub(" ", text).split())


def deferred(check: BaseCheck, path: str, column: str) -> Finding:
    """The warning for a merged migration edited to set NOT NULL after its fill."""
    return check.finding(
        "history-rewritten",
        f"The change edits {path}, a migration already merged, but only adds {column} "
        "nullable and sets NOT NULL after the rows are filled, with the options the merged "
        "addColumn had: where the merged text ran the schema is the same, where a table "
        "held rows it failed and ran nothing (a warning: check the fill).",
        path=path,
        evidence=f"{path}:{column}",
        level=Level.WARNING,
    )
