"""What the databases other than PostgreSQL do differently, for the safety rules.

CockroachDB makes most schema changes online; SQLite changes most things by rebuilding a
table under the same name. MySQL's own options (``ALGORITHM``, ``LOCK``, ``MODIFY``) are
read in :mod:`.alter`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from gatekeeper.checks.migrations.sqltext import Statement, strip_comments

#: what CockroachDB does as an online schema change (no table lock, no blocked writes):
#: index builds, constraint validation and column backfills run in the background, and
#: there is no lock queue for lock_timeout to cut short
ONLINE_IN_COCKROACH = frozenset({
    "index-not-concurrent", "drop-index-not-concurrent", "concurrent-in-transaction",
    "missing-lock-timeout", "set-not-null", "constraint-not-valid", "unique-constraint",
    "volatile-default", "add-primary-key-column", "blocking-maintenance",
})  # fmt: skip
REBUILD_RULES = frozenset({"drop-table", "rename-table"})
_NAME = r"[`\"\[]?([\w.]+)[`\"\]]?"
_CREATE = re.compile(rf"^\s*CREATE\s+(?:TEMP\w*\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}", re.I)
_DROP = re.compile(rf"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}\s*$", re.I)
_RENAME = re.compile(rf"^\s*ALTER\s+TABLE\s+{_NAME}\s+RENAME\s+TO\s+{_NAME}\s*$", re.I)


def rebuild_lines(statements: Iterable[Statement]) -> set[int]:
    """Lines of the drops and renames that rebuild a table, the idiom SQLite needs for most
    changes (and tools use elsewhere): create the new table, copy the rows, drop the old
    one, rename the new one to the old name (or rename the old one away first, create the
    table under its name, copy, drop the renamed one). The table keeps its name: nothing
    that reads it breaks, so neither step is a drop or a rename."""
    created: set[str] = set()
    dropped: dict[str, int] = {}
    renamed_away: dict[str, tuple[str, int]] = {}
    out: set[int] = set()
    for stmt in statements:
        text = strip_comments(stmt.text)
        if m := _CREATE.match(text):
            name = _base(m.group(1))
            created.add(name)
            continue
        if m := _DROP.match(text):
            name = _base(m.group(1))
            dropped[name] = stmt.line
            away = next((k for k, (new, _) in renamed_away.items() if new == name), None)
            if away is not None and away in created:
                out |= {stmt.line, renamed_away[away][1]}
            continue
        if m := _RENAME.match(text):
            old, new = _base(m.group(1)), _base(m.group(2))
            if new in dropped and old in created:
                out |= {stmt.line, dropped[new]}
            renamed_away[old] = (new, stmt.line)
    return out


def _base(name: str) -> str:
    return name.rsplit(".", 1)[-1].strip('`"[]').lower()
