"""A lock on a table an earlier migration of the same change creates: nothing waits for it.

Growstuff's activities pull request adds two Rails migrations: the first creates
``activities``, the second adds a unique index on its slug. The index is built without
``algorithm: :concurrently`` on a table whose name says it grows without bound, so the size
rules (tables.py) make it an error; yet when the deploy runs that build, the table was
created a moment before, in the same deploy, and holds no row: the lock is over at once.
SQL migrations already see that across the change's files (review.sql_hits reads the
earlier ones); this module gives the same fact to the ORMs whose calls are read line by
line (Rails' ``create_table``, Laravel's ``Schema::create``, Alembic's
``op.create_table``, knex's ``createTable``).

The relief holds only when:

- the hit is one of the size rules (a lock held as long as the table takes to scan), at
  the error level its table's size gave it;
- a migration the change adds, earlier in the chain than the hit's own (itself new),
  creates the table (prcreated.py reads the creation, SQL or these ORM calls);
- no merged file of the folder names the table (read at base: a change cannot make an
  old table look new by editing merged migrations);
- no migration of the change up to the hit's own writes rows: no ``INSERT``, ``UPDATE``,
  ``COPY``, ``execute``, model ``create``/``save``/``insert_all``/``update_all``, batch
  loop, seeding. A copy into the new table would make the lock as long as the copied
  rows take to scan, so any write keeps the error (read coarsely on purpose: a false
  alarm here costs a warning's relief, never a missed lock).
"""

from __future__ import annotations

import dataclasses
import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import prcreated
from gatekeeper.checks.migrations.detect import Migration
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.tables import SIZE_RULES
from gatekeeper.model import Level

#: what writes rows, in SQL or an ORM (``Schema::create(`` and ``create_table`` are not
#: writes: the lookarounds leave them out)
_ROW_WRITES = re.compile(
    r"\b(?:insert|upsert|update|copy|execute|seed|bulk_insert)\w*\b"
    r"|(?:\.|->)(?:create|save|update|insert|each|find_each|find_in_batches|in_batches)\w*\b"
    r"|::create\b(?!\s*\(\s*['\"])"
    r"|\bforeach\b|\bfor\s+\w+\s+in\b|\.(?:map|forEach)\s*\(",
    re.IGNORECASE,
)


def relief(changes: ChangeSet, m: Migration, hit: Hit) -> Hit:
    """``hit``, a warning when it locks a table the change itself created empty."""
    if hit.rule not in SIZE_RULES or hit.level is not Level.ERROR or not hit.table:
        return hit
    table = hit.table[0].strip('`"[]').rsplit(".", 1)[-1]
    made = prcreated.table_creator(changes, m, table)
    if made is None or any(_ROW_WRITES.search(t) for t in prcreated.up_texts(changes, m)):
        return hit
    return dataclasses.replace(
        hit,
        level=Level.WARNING,
        message=f"{hit.message} {made}, new in this change too, creates {table} and no "
        "migration of the change writes rows before this one: the table is empty when the "
        "lock is taken (a warning).",
    )
