"""What one merged migration indexed, read as its framework writes it.

:func:`precedent.often_indexed` counts, per table, the merged migrations that came back to
build an index on it after the one that created it. This module answers for one merged
migration of a chain: which tables its up side built an index on, and which it created
(an index on a table the same migration creates is the table's own, not a sign of growth).
Each framework is read by the reader the check already has for it: the SQL up side of a
SQL-file migration (Prisma's ``<ts>_name/migration.sql``, diesel's ``<version>_name/up.sql``,
golang-migrate, dbmate, Flyway, drizzle...: :func:`static.sql_sides`), Alembic's
``upgrade()`` ops, Django's ``operations``, Rails' ``def up``/``def change`` and Laravel's
``up()``; SQL strings those run count as SQL. Other frameworks say nothing (None), which
leaves a table to its name.

:func:`renames` reads the tables a merged migration renames (SQL ``ALTER TABLE a RENAME TO
b``, Alembic's ``op.rename_table``), so that the count follows a table under its new name:
trieve renamed ``card_metadata``, indexed again in six migrations, to ``chunk_metadata``,
the same rows under another name.
"""

from __future__ import annotations

import re

from gatekeeper.changes import ChangeSet
from gatekeeper.checks.migrations import laravel, pyops, railsops, sqltext, static
from gatekeeper.checks.migrations.detect import ALEMBIC, DJANGO, LARAVEL, RAILS, Migration

#: frameworks whose merged migrations this module reads
FRAMEWORKS = frozenset({ALEMBIC, DJANGO, RAILS, LARAVEL})

SQL_INDEX = re.compile(
    r"\bcreate\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?P<repair>if\s+not\s+exists\s+)?"
    r"(?:(?P<name>[\w\"`.]{1,200})\s+)?on\s+(?:only\s+)?(?P<table>[\w\"`.]{1,200})",
    re.IGNORECASE,
)
_DROP_INDEX = re.compile(
    r"\bdrop\s+index\s+(?:concurrently\s+)?(?:if\s+exists\s+)?"
    r"(?P<names>[\w\"`.]{1,200}(?:\s*,\s*[\w\"`.]{1,200}){0,50})",
    re.IGNORECASE,
)
SQL_TABLE = re.compile(
    r"\bcreate\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?(?P<table>[\w\"`.]{1,200})",
    re.IGNORECASE,
)
_SQL_RENAME = re.compile(
    r"\balter\s+table\s+(?:if\s+exists\s+)?(?:only\s+)?(?P<old>[\w\"`.]{1,200})\s+"
    r"rename\s+to\s+(?P<new>[\w\"`.]{1,200})",
    re.IGNORECASE,
)
#: Django's operations that build an index on an existing model's table
_DJANGO_INDEX = frozenset({"AddIndex", "AddIndexConcurrently"})
#: Laravel Blueprint calls that build an index
_LARAVEL_INDEX = frozenset({"index", "unique", "fullText", "spatialIndex"})

Tables = tuple[set[str], set[str]]


def bare(name: str) -> str:
    """A table name without quotes or schema, lower-cased."""
    return name.strip('"`').rsplit(".", 1)[-1].strip('"`').lower()


def sql_tables(sql: str, built: set[str] | None = None) -> Tables:
    """Tables SQL text builds an index on, and tables it creates; commented-out SQL runs
    nothing. With ``built`` (the index names the chain's earlier migrations built and did
    not drop, updated here), ``CREATE INDEX IF NOT EXISTS`` of a name already built is a
    repair of databases that missed it (crates.io's fix of local databases), a no-op
    everywhere else: not an index the team came back to add."""
    sql = sqltext.strip_comments(sql)
    indexed: set[str] = set()
    events = sorted([*SQL_INDEX.finditer(sql), *_DROP_INDEX.finditer(sql)], key=lambda m: m.start())
    for m in events:
        if m.re is _DROP_INDEX:
            if built is not None:
                built.difference_update(bare(n) for n in m.group("names").split(","))
            continue
        name = bare(m.group("name") or "")
        if not (built is not None and m.group("repair") and name and name in built):
            indexed.add(bare(m.group("table")))
        if built is not None and name:
            built.add(name)
    created = {bare(m.group("table")) for m in SQL_TABLE.finditer(sql)}
    return indexed, created


def tables(
    changes: ChangeSet, m: Migration, text: str, built: set[str] | None = None
) -> Tables | None:
    """What merged migration ``m`` (its base ``text``) indexed and created; None when its
    framework is not read here. ``built``: the index names of the chain's earlier SQL
    migrations (:func:`sql_tables`)."""
    if m.is_sql:
        sides = static.sql_sides(changes, m, at_base=True)
        return sql_tables(sides.up, built) if sides is not None else (set(), set())
    try:
        if m.framework == ALEMBIC:
            return _alembic(text, m.path)
        if m.framework == DJANGO:
            return _django(text, m.path)
    except pyops.MigrationSyntaxError:
        return set(), set()
    if m.framework == RAILS:
        every = frozenset(range(1, text.count("\n") + 2))
        hits = railsops.index_hits(text, every, with_concurrent=True)
        return {bare(h.table[0]) for h in hits if h.table}, set()
    if m.framework == LARAVEL:
        return _laravel(text)
    return None


def sql_renames(sql: str) -> list[tuple[str, str]]:
    """(old, new) of each table SQL text renames, in order; commented-out SQL renames
    nothing."""
    found = _SQL_RENAME.finditer(sqltext.strip_comments(sql))
    return [(bare(m.group("old")), bare(m.group("new"))) for m in found]


def renames(changes: ChangeSet, m: Migration, text: str) -> list[tuple[str, str]]:
    """(old, new) of each table merged migration ``m`` (its base ``text``) renames on its up
    side, in order: SQL-file migrations and Alembic's; [] for other frameworks."""
    if m.is_sql:
        sides = static.sql_sides(changes, m, at_base=True)
        return sql_renames(sides.up) if sides is not None else []
    if m.framework != ALEMBIC:
        return []
    try:
        info = pyops.read_alembic(text, m.path)
    except pyops.MigrationSyntaxError:
        return []
    out: list[tuple[str, str]] = []
    for op in info.upgrade_ops:
        if op.name == "rename_table":
            old, new = op.text(0, "old_table_name"), op.text(1, "new_table_name")
            if old and new:
                out.append((bare(old), bare(new)))
        elif op.name == "execute":
            out += sql_renames(op.text(0, "sqltext") or "")
    return out


def _alembic(text: str, path: str) -> Tables:
    info = pyops.read_alembic(text, path)
    indexed: set[str] = set()
    created: set[str] = set()
    for op in info.upgrade_ops:
        if op.name == "create_index":
            indexed.add(bare(op.text(1, "table_name") or ""))
        elif op.name == "create_table":
            created.add(bare(op.text(0, "table_name") or ""))
        elif op.name == "execute":
            more = sql_tables(op.text(0, "sqltext") or "")
            indexed |= more[0]
            created |= more[1]
    return indexed, created


def _django(text: str, path: str) -> Tables:
    indexed: set[str] = set()
    created: set[str] = set()
    for call in pyops.read_django(text, path):
        name = pyops.call_name(call)
        if name in _DJANGO_INDEX:
            indexed.add((pyops.literal_str(pyops.keyword(call, "model_name", 0)) or "").lower())
        elif name == "CreateModel":
            created.add((pyops.literal_str(pyops.keyword(call, "name", 0)) or "").lower())
        elif name == "RunSQL":
            more = sql_tables(pyops.literal_str(pyops.keyword(call, "sql", 0)) or "")
            indexed |= more[0]
            created |= more[1]
    return indexed, created


def _laravel(text: str) -> Tables:
    side = laravel.read(text).up_side
    if side is None:
        return set(), set()
    indexed = {bare(c.table) for c in side.calls if c.op in _LARAVEL_INDEX and not c.created}
    created = {bare(c.table) for c in side.calls if c.created}
    for s in side.sql:
        more = sql_tables(s.sql)
        indexed |= more[0]
        created |= more[1]
    return indexed - {"?"}, created
