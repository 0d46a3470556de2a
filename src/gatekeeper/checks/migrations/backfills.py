"""A column dropped after a partial backfill: say which rows lose their values.

The expand-contract way to replace a column copies its values into the new one, then
drops it. When the copy is ``UPDATE t SET new = ... WHERE <condition>`` in the same
migration, only the rows the condition matches are carried over: every other row's value
goes with the drop. The drop is reported as it is anywhere (``drop-column``); its message
says so, since that loss is what a reviewer needs to see.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.moves import RELAXED
from gatekeeper.checks.migrations.sqltext import Statement, strip_comments

_NAME = r'(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)'
#: ``UPDATE [ONLY] [schema.]table [[AS] alias] SET``
_UPDATE = re.compile(rf"^\s*UPDATE\s+(?:ONLY\s+)?((?:{_NAME}\.)?{_NAME})\s", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\b", re.IGNORECASE)


def explain_partial(statements: Iterable[Statement], hits: list[Hit]) -> list[Hit]:
    """``hits`` with each column drop that follows a partial backfill of its table,
    reading the dropped column, told so; not a drop moves.py relieved, whose message says
    already where the values went (a flag whose true rows were marked)."""
    updates = [s for s in statements if _UPDATE.match(strip_comments(s.text))]
    if not updates:
        return hits
    return [_told(h, updates) if h.rule == "drop-column" and len(h.target) == 2
            and h.relaxed != RELAXED else h
            for h in hits]  # fmt: skip


def _told(hit: Hit, updates: list[Statement]) -> Hit:
    table, column = _bare(hit.target[0]), hit.target[1].rsplit(".", 1)[-1].strip('"`[]')
    reads = re.compile(rf"(?<![\w$]){re.escape(column)}(?![\w$])", re.IGNORECASE)
    for stmt in updates:
        text = strip_comments(stmt.text)
        m = _UPDATE.match(text)
        if stmt.line >= hit.line or m is None or _bare(m.group(1)) != table:
            continue
        rest = text[m.end() :]
        if _WHERE.search(rest) and reads.search(rest.replace('"', " ").replace("`", " ")):
            message = (
                f"{hit.message} The UPDATE at line {stmt.line} carries its values over only "
                f"for the rows its WHERE matches: every other row's {column} is lost with "
                "the column."
            )
            return dataclasses.replace(hit, message=message)
    return hit


def _bare(name: str) -> str:
    """A name without quotes or schema, lowercased."""
    return name.rsplit(".", 1)[-1].strip('"`[]').lower()
