"""A migration that deletes the duplicate rows of a table: lost rows, on a large table a
long lock.

The shape is the prelude to a new unique index or constraint: keep one row of each group
(``MIN(id)``, ``ROW_NUMBER() OVER (PARTITION BY ...)``, a self-join on ``a.id > b.id``)
and delete the others (``HAVING COUNT(*) > 1``). The deleted rows are gone for good (no
down brings them back), which row survives is the migration's guess, and on a table
that grows with every event the grouping scans it whole while the DELETE holds row locks
and the writers queue. A reviewer asks for the plan: how many rows, which one is kept, a
batched cleanup before the index. The rule is not sized: the loss is the rows, not the
lock, and a small table's rows are as gone as a large one's (a reviewer blocks inbox-zero's
de-duplicated filings and hoppscotch's published docs alike); on a table the same
migration created, nothing.
"""

from __future__ import annotations

import re

from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import Statement, strip_comments

RULE = "delete-duplicates"
#: the DELETE, alone or after a WITH that ranks the rows (``WITH ranked AS (SELECT ...,
#: ROW_NUMBER() OVER (PARTITION BY ...)) DELETE FROM t WHERE id IN (... rn > 1)``, as Prisma
#: and Drizzle users write it by hand)
_DELETE = re.compile(
    r"^\s*(?:WITH\b[\s\S]*?\)\s*)?DELETE\s+(?:FROM\s+)?(?:ONLY\s+)?(?P<table>[\w\"`.]{1,200})",
    re.IGNORECASE,
)
#: the marks of a statement that keeps one row per group and deletes the rest
_GROUPS = (
    re.compile(r"\bHAVING\s+COUNT\s*\([^)]{0,40}\)\s*>\s*1\b", re.IGNORECASE),
    re.compile(r"\bROW_NUMBER\s*\(\s*\)\s*OVER\s*\(\s*PARTITION\s+BY\b", re.IGNORECASE),
    re.compile(
        r"\b(?:MIN|MAX)\s*\(\s*(?:\w+\.)?(?:id|ctid|rowid)\s*\)[\s\S]{0,400}\bGROUP\s+BY\b",
        re.IGNORECASE,
    ),
    re.compile(r"\b(\w+)\.(id|ctid|rowid)\s*[<>]\s*(?!\1\.)\w+\.\2\b", re.IGNORECASE),
)


def hits(stmt: Statement, created: set[str]) -> list[Hit]:
    """A hit when ``stmt`` deletes the duplicate rows of a table not created in the same
    migration (a new table has none)."""
    text = strip_comments(stmt.text)
    m = _DELETE.match(text)
    if m is None or not any(p.search(text) for p in _GROUPS):
        return []
    table = m.group("table").strip('"`').rsplit(".", 1)[-1].strip('"`')
    if table in created:
        return []
    message = (
        f"Deletes the duplicate rows of {table}, keeping one of each: the others are lost "
        "for good (no down restores them) and, on a large table, the grouping scans it "
        "whole while writers wait. Keep a copy of the rows deleted, say how many go and "
        "which survive, or clean up in batches before the migration."
    )
    return [Hit(RULE, message, stmt.line, table, table=(table,))]
