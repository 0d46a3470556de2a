"""Node.js migrations: knex, Sequelize, TypeORM, db-migrate, Kysely and ``sql``-tag files, read
as text.

A knex or Sequelize migration exports an ``up`` and a ``down`` function (``exports.up =``,
``export async function up(knex)``, ``up: async (queryInterface) => {...}``); a TypeORM one
is a class implementing ``MigrationInterface`` with ``up(queryRunner)`` and ``down``; a
db-migrate one exports ``up(db, callback)`` and ``down`` calling ``db.runSql(...)`` or the
``db.addIndex``/``db.removeColumn`` family, and runs outside a transaction; some projects
run their own files whose ``up`` and ``down`` hand drizzle-orm ``sql`...``` templates to
a database handle (read as run outside a transaction: the runner is unknown). The
gate runs no JavaScript: it reads each side's body, the SQL literals it executes
(``queryRunner.query(`...`)``, ``knex.raw('...')``, ``sequelize.query(...)``,
``db.runSql(`...`)``, ``db.run(sql`...`)`` in a project's own runner) and the schema
builder's calls that drop, rename, retype or index (``removeColumn``, ``dropColumn``,
``changeColumn``, ``addIndex``...). Not round-tripped (that needs the project's Node).

The reading is split by concern; this module is its public entry, re-exporting what
the migrations check uses, and holds the reversibility review (:func:`check`):

- :mod:`.nodescan`: the text scanners (strings, comments, brace blocks, expressions);
- :mod:`.nodefile`: a file's library, sides, transaction and bindings (:func:`read`);
- :mod:`.nodesql`: the SQL literals and schema-builder calls a side runs;
- :mod:`.nodeknex`: knex's column definitions and what an ``.alter()`` of one does;
- :mod:`.nodekysely`: Kysely's schema-builder chains, as the SQL they compile to;
- :mod:`.nodehits`: the hits of an up (:func:`hits`).
"""

from __future__ import annotations

import re

from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations.habit import Downs
from gatekeeper.checks.migrations.nodefile import (
    DBMIGRATE,
    KNEX,
    KYSELY,
    SEQUELIZE,
    SQL_TAG,
    STAGED,
    SUFFIXES,
    TYPEORM,
    NodeMigration,
    Side,
    is_migration,
    library,
    may_be_migration,
    read,
    version,
)
from gatekeeper.checks.migrations.nodehits import SqlReview, hits
from gatekeeper.checks.migrations.nodeknex import KnexColumn, knex_columns, merged_columns
from gatekeeper.checks.migrations.nodescan import COMMENTS
from gatekeeper.checks.migrations.nodesql import (
    Literal,
    data_only,
    literal_texts,
    schema_calls,
    sql_texts,
)
from gatekeeper.checks.migrations.sqltext import irreversible_reason
from gatekeeper.model import Finding, Level

__all__ = [
    "DBMIGRATE",
    "KNEX",
    "KYSELY",
    "SEQUELIZE",
    "SQL_TAG",
    "STAGED",
    "SUFFIXES",
    "TYPEORM",
    "KnexColumn",
    "Literal",
    "NodeMigration",
    "Side",
    "SqlReview",
    "check",
    "data_only",
    "does_nothing",
    "does_something",
    "hits",
    "is_migration",
    "knex_columns",
    "library",
    "literal_texts",
    "may_be_migration",
    "merged_columns",
    "read",
    "schema_calls",
    "sql_texts",
    "version",
]

#: what a side does when it does nothing: resolve, return, or throw
_NOTHING = re.compile(
    r"(?:return\s*(?:Promise\.resolve\(\s*\)|undefined|null)?|Promise\.resolve\(\s*\)|"
    r"await\s+Promise\.resolve\(\s*\)|"
    # db-migrate's callback called straight away: ``callback();``, ``return cb();``
    r"(?:return\s+)?(?:callback|cb|done|next)\s*\(\s*(?:null)?\s*\))\s*;?"
)
_THROWS = re.compile(r"^\s*throw\s+new\s+\w*Error\s*\(", re.MULTILINE)


def does_nothing(side: Side) -> bool:
    """A body that is empty, only resolves or returns, or only throws (the library's way
    to refuse a rollback)."""
    code = COMMENTS.sub("", side.body).strip().strip("{}").strip()
    if not code or _NOTHING.fullmatch(code):
        return True
    return bool(_THROWS.match(code)) and code.count(";") <= 1


# --- reversibility -----------------------------------------------------------------------


def check(
    check: BaseCheck,
    path: str,
    text: str,
    *,
    honour_marker: bool = True,
    habit: Downs | None = None,
) -> list[Finding]:
    """An ``up`` without a ``down``, or a ``down`` that does nothing, in a Node migration:
    ``knex migrate:rollback`` or ``sequelize db:migrate:undo`` then rolls nothing back.
    Weighed by the folder's ``habit`` (:func:`downs`, read at base) as the PHP readers
    weigh theirs: a folder that never writes downs asks for none, one that mostly does
    not makes the error a warning."""
    found = _reversibility(check, path, text, honour_marker=honour_marker)
    return found if habit is None else habit.weigh(found)


def does_something(side: Side | None) -> bool:
    """A side present whose body does something (:func:`does_nothing`)."""
    return side is not None and not does_nothing(side)


def _reversibility(check: BaseCheck, path: str, text: str, *, honour_marker: bool) -> list[Finding]:
    m = read(text)
    if m.up is None or not (does_something(m.up) or does_something(m.before_up)):
        return []  # nothing to undo
    reason = irreversible_reason(text) if honour_marker else None
    if m.down is None and m.before_down is None:
        rule, line = "missing-down", m.up.line
        message = f"{m.library} migration {path} has an up and no down: a rollback cannot undo it."
    elif does_something(m.down) or does_something(m.before_down):
        return []
    elif data_only(m.up, m.bindings) and not does_something(m.before_up):
        # as for an Alembic data migration: rows changed cannot be changed back by code,
        # so a down that does nothing is the honest one; worth a look, not a block
        message = (
            f"The down of {m.library} migration {path} does nothing, and its up only changes "
            "rows: a rollback keeps the changed data (take a backup if it matters)."
        )
        where = (m.down or m.before_down or m.up).line
        return [check.finding("empty-down", message, path=path, line=where,
                              evidence=path, level=Level.WARNING)]  # fmt: skip
    else:
        rule, line = "empty-down", (m.down or m.before_down or m.up).line
        message = (
            f"The down of {m.library} migration {path} does nothing (empty, resolves or "
            "throws): a rollback leaves what the up did."
        )
    if reason:
        return [check.finding("irreversible", f"Declared irreversible: {reason}", path=path,
                              line=1, evidence=reason)]  # fmt: skip
    return [check.finding(rule, message, path=path, line=line, evidence=path)]
