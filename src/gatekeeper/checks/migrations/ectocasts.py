"""A merged Ecto migration edited only to widen integer columns with casts.

PostgreSQL multiplies two ``smallint`` columns into a ``smallint``: a product above 32,767
raises "smallint out of range", the migration's transaction rolls back and Ecto does not
record it, so the database runs the migration again at the next start. Casting such a
column to a wider integer type (``c.current::int * c.voltage``) fixes it without changing
any value the old text computed: integer arithmetic (``+ - * / %``, integer division
included) and aggregates give the same numbers in a wider type, so databases where the
old migration succeeded have exactly what the new one would give them. The edit is then a
repair of a migration that failed, not a rewrite of applied history: a warning.

It holds only when all of this is true, the column types read from the merged migrations
(never from the PR):

- the migration runs in Ecto's transaction (no ``@disable_ddl_transaction``), so a
  failure left nothing behind;
- the new text is the old one with ``::int``, ``::integer``, ``::int4``, ``::bigint`` or
  ``::int8`` inserted, and nothing else changed;
- each cast follows a column name (``c.charger_voltage``) that every merged table having
  a column of that name types as an integer no wider than the cast. A cast of a
  ``numeric`` or float column would round it, a cast to ``numeric`` would turn integer
  division into exact division: neither is taken.
"""

from __future__ import annotations

import re

from gatekeeper.checks.migrations import ecto, pgcolumns

_TOKEN = re.compile(r"[A-Za-z_]\w*[!?]?|\d+|::|\S")
#: integer widths by PostgreSQL's internal names and the spellings of a cast
_WIDTH = {"int2": 2, "smallint": 2, "int4": 4, "int": 4, "integer": 4, "int8": 8, "bigint": 8}
_CASTS = frozenset({"int", "integer", "int4", "bigint", "int8"})


def _tokens(text: str) -> list[str]:
    return [t for line in ecto.code_lines(text) for t in _TOKEN.findall(line)]


def casts_added(before: str, after: str) -> list[tuple[str, str]] | None:
    """``(column, type)`` of each integer cast ``after`` adds to ``before`` when that is
    its only difference, else None."""
    old, new = _tokens(before), _tokens(after)
    added: list[tuple[str, str]] = []
    i = j = 0
    while j < len(new):
        if i < len(old) and old[i] == new[j]:
            i, j = i + 1, j + 1
            continue
        cast = new[j + 1].lower() if j + 1 < len(new) else ""
        if new[j] != "::" or cast not in _CASTS or j == 0 or not re.match(r"[a-z_]", new[j - 1]):
            return None
        added.append((new[j - 1].lower(), cast))
        j += 2
    return added if i == len(old) and added else None


def widened(before: str, after: str, columns: pgcolumns.Columns) -> list[str] | None:
    """The columns the edit casts (``name::type``) when it is only integer widening of
    integer columns in a transactional migration, else None."""
    if not (ecto.transactional(before) and ecto.transactional(after)):
        return None
    added = casts_added(before, after)
    if added is None:
        return None
    out = []
    for column, cast in added:
        types = [t for (_, c), t in columns.items() if c == column]
        widths = [_WIDTH.get(name) for name, _ in types]
        if not widths or any(w is None or w > _WIDTH[cast] for w in widths):
            return None
        out.append(f"{column}::{cast}")
    return sorted(set(out))
