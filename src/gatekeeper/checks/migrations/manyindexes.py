"""Many plain index builds on one table in one migration: an error whatever its size.

One ``CREATE INDEX`` without ``CONCURRENTLY`` holds writes to its table for as long as
the build takes: on a small table a moment, which is why the rule alone is weighed by
the table's size (tables.py). A migration that builds a dozen of them on the same table
holds writes for the sum of the builds, one after another (in one transaction, until
the last is done): a table the gate cannot see is large still stops taking writes for
as long as twenty-five scans of it. A reviewer asks for the indexes to be built
CONCURRENTLY, or fewer of them. Ten is where a migration stops looking like an ordinary
one: a new table's indexes are built on an empty table (no finding at all).
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.model import Level

#: plain index builds on one existing table in one migration that block whatever its size
MANY = 10
_RULE = "index-not-concurrent"


def escalate(hits: list[Hit]) -> list[Hit]:
    """``hits`` with the first plain index build of each table built on :data:`MANY`
    times or more made an error that the table's size does not soften."""
    counts = Counter(h.table[0].lower() for h in hits if h.rule == _RULE and h.table)
    many = {t: n for t, n in counts.items() if n >= MANY}
    out, done = [], set()
    for h in hits:
        table = h.table[0].lower() if h.rule == _RULE and h.table else ""
        if table in many and table not in done:
            done.add(table)
            message = (
                f"{h.message} This migration builds {many[table]} indexes on {h.table[0]} "
                "without CONCURRENTLY: writes to it wait for every build, one after "
                "another, whatever its size (build them CONCURRENTLY, or fewer)."
            )
            # no table: its size must not soften the sum of the builds to a warning
            out.append(dataclasses.replace(h, message=message, level=Level.ERROR, table=()))
            continue
        out.append(h)
    return out
