"""The hits of a Node migration's up: what its SQL literals do, reviewed by the caller
as a SQL file's statements (each reading of a template's interpolations in turn), and the
schema builders' calls that drop, rename, retype or index (Sequelize's and TypeORM's
``queryInterface``/``queryRunner`` methods, knex's ``schema`` builder and its
``.alter()`` of a column).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping

from gatekeeper.checks.migrations.dialects import (
    REBUILD_RULES,
    created_columns,
    rebuild_lines,
    rebuilt_tables,
)
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.nodefile import (
    KNEX,
    KYSELY,
    NODE_PG,
    SQL_TAG,
    NodeMigration,
    Side,
)
from gatekeeper.checks.migrations.nodeknex import KnexColumn, alter_hits, knex_columns
from gatekeeper.checks.migrations.nodekysely import statements as kysely_statements
from gatekeeper.checks.migrations.nodepgm import statements as pgm_statements
from gatekeeper.checks.migrations.nodescan import COMMENTS
from gatekeeper.checks.migrations.nodesql import sql_literals
from gatekeeper.checks.migrations.sqltext import Statement
from gatekeeper.model import Level

#: how the caller reviews a literal's SQL statements (in a transaction or not)
SqlReview = Callable[[list[Statement], bool], list[Hit]]

#: Sequelize's queryInterface calls: table first, column second
_QI = re.compile(
    r"\b(?:queryInterface|queryRunner|db)\s*\.\s*(?P<op>removeColumn|dropColumn|dropTable|"
    r"renameColumn|renameTable|changeColumn|addIndex|createIndex)\s*\(\s*"
    r"(?P<args>[^()]{0,400})"
)
#: knex's schema builder: the table an ``alterTable``/``table`` callback works on
_KNEX_TABLE = re.compile(
    r"\.schema\s*(?:\.\s*withSchema\([^()]{0,100}\))?\s*\.\s*(?P<op>alterTable|table|dropTable|"
    r"dropTableIfExists|renameTable)\s*\(\s*(?P<args>[^()]{0,200})"
)
_KNEX_COLUMN = re.compile(
    r"\.\s*(?P<op>dropColumn|dropColumns|renameColumn|index|unique|alter)\s*\((?P<args>[^()]{0,200})"
)
_STRING = re.compile(r"""[`'"]([^`'"\n]{1,200})[`'"]""")


def hits(
    m: NodeMigration,
    dialect: str,
    added: frozenset[int],
    sql_review: SqlReview,
    merged: Mapping[tuple[str, str], KnexColumn] | None = None,
) -> list[Hit]:
    """Hits of the up side on ``added`` lines: its literal SQL, reviewed like a SQL file's,
    and the schema builder's destructive or locking calls. ``merged``: each column as the
    merged knex migrations of the folder last define it (:func:`.nodeknex.merged_columns`)."""
    if m.up is None:
        return []
    out: list[Hit] = []
    if m.before_up is not None:  # run first, outside the up's transaction
        out += _literal_hits(m, m.before_up, sql_review, in_transaction=False)
    out += _literal_hits(m, m.up, sql_review, in_transaction=m.in_transaction)
    if m.library in (KYSELY, NODE_PG):
        # the schema builder's chains are read as the SQL they compile to, with the raw
        # templates, in _literal_hits: nothing of the other builders' readings applies
        return [h for h in out if h.line in added]
    out += _rebuilt_without(m)
    body, first = m.up.body, m.up.line
    out += _interface_hits(body, first, dialect)
    out += _knex_hits(body, first, dialect)
    if m.library == KNEX:
        # the column as it was: as the merged migrations define it, else as the down
        # restores it (a down is the author's word; the merged history is not)
        restored = {(c.table, c.column): c for c in knex_columns(m.down)} if m.down else {}
        known = {**restored, **(merged or {})}
        out += [h for c in knex_columns(m.up) if c.altered for h in alter_hits(c, known)]
        out = [_copied_back(h, m.up) if h.rule == "drop-column" else h for h in out]
    return [h for h in out if h.line in added]


_SELECT = re.compile(r"\.\s*select\s*\((?P<args>[^()]{0,300})\)")
_UPDATE = re.compile(r"\.\s*update\s*\(")


def _copied_back(hit: Hit, side: Side) -> Hit:
    """A knex drop of a column the same up read out first, adds again and writes back
    (the way to re-create a column on SQLite, whose ALTER cannot change one): no data is
    lost, so a warning. A drop and re-add without the copy empties the column: an error."""
    if len(hit.target) != 2:
        return hit
    table, column = hit.target
    code = COMMENTS.sub(lambda c: " " * len(c.group()), side.body)

    def line_of(at: int) -> int:
        return side.line + code.count("\n", 0, at)

    read_first = any(
        line_of(m.start()) < hit.line and column in _strings(m.group("args"))
        for m in _SELECT.finditer(code)
    )
    again = [
        c.line for c in knex_columns(side)
        if (c.table, c.column) == (table, column) and not c.altered and c.line > hit.line
    ]  # fmt: skip
    written = again and any(line_of(m.start()) > again[0] for m in _UPDATE.finditer(code))
    if not (read_first and written):
        return hit
    return dataclasses.replace(
        hit,
        level=Level.WARNING,
        message=f"{hit.message} The up reads its values first, adds the column again and "
        "writes them back: the column is re-created, not lost (a warning; rows written "
        "meanwhile may miss theirs).",
    )


def _literal_hits(
    m: NodeMigration, side: Side, sql_review: SqlReview, *, in_transaction: bool
) -> list[Hit]:
    """The side's SQL literals reviewed, each reading of its interpolations in turn."""
    literals = sql_literals(side.body, side.line, m.bindings)
    if m.library in (KYSELY, NODE_PG):
        # one migration in one transaction: the raw templates and the schema builder's
        # chains in the order written (a table the up creates is new to its next index)
        read = kysely_statements if m.library == KYSELY else pgm_statements
        built = read(side.body, side.line)
        readings = max((len(lit.variants) for lit in literals), default=1)
        groups = [
            sorted([*built, *(st for lit in literals
                              for st in lit.variants[min(k, len(lit.variants) - 1)])],
                   key=lambda st: st.line)
            for k in range(readings)
        ]  # fmt: skip
    elif m.library == SQL_TAG:
        # one runner's file: its statements are one migration (a table made by the first
        # template is a new table to the index built in the next)
        readings = max((len(lit.variants) for lit in literals), default=0)
        groups = [
            [st for lit in literals for st in lit.variants[min(k, len(lit.variants) - 1)]]
            for k in range(readings)
        ]
    else:
        groups = [variant for lit in literals for variant in lit.variants]
    # a table rebuilt across literals (TypeORM runs each statement of its SQLite rebuild
    # in a query of its own) keeps its name and rows: not a drop and a rename
    rebuilt = rebuild_lines([st for lit in literals for st in lit.variants[0]])
    out: list[Hit] = []
    seen: set[tuple[str, int]] = set()
    for statements in groups:
        # a rule one reading breaks at a line is one hit, however many readings break it
        for h in sql_review(statements, in_transaction):
            if h.line in rebuilt and h.rule in REBUILD_RULES:
                continue
            if (h.rule, h.line) not in seen:
                seen.add((h.rule, h.line))
                out.append(h)
    return out


def _rebuilt_without(m: NodeMigration) -> list[Hit]:
    """The columns a table rebuild leaves out: the up rebuilds a table whose new definition
    lacks columns its down's re-created table has (TypeORM drops a SQLite column so, and
    restores the table whole in the down). Their values are lost, as with a DROP COLUMN."""
    if m.up is None or m.down is None:
        return []
    rebuilt = rebuilt_tables(_first_reading(m, m.up))
    if not rebuilt:
        return []
    restored = created_columns(_first_reading(m, m.down))
    out = []
    for table, (line, columns) in sorted(rebuilt.items()):
        for column in sorted(restored.get(table, frozenset()) - columns):
            msg = (
                f"Rebuilds table {table} without column {column} (its down re-creates it): "
                f"the column's values are lost, as with dropping {table}.{column}."
            )
            out.append(Hit("drop-column", msg, line, f"{table}.{column}", (table, column)))
    return out


def _first_reading(m: NodeMigration, side: Side) -> list[Statement]:
    return [st for lit in sql_literals(side.body, side.line, m.bindings) for st in lit.variants[0]]


def _strings(args: str) -> list[str]:
    return _STRING.findall(args)


def _interface_hits(body: str, first: int, dialect: str) -> list[Hit]:
    out = []
    for m in _QI.finditer(body):
        op, names = m.group("op"), _strings(m.group("args"))
        line = first + body.count("\n", 0, m.start())
        table = names[0] if names else "?"
        out += _op_hit(op, table, names[1:], line, dialect, "concurrently" in m.group("args"))
    return out


def _knex_hits(body: str, first: int, dialect: str) -> list[Hit]:
    out = []
    tables = [(m.start(), m) for m in _KNEX_TABLE.finditer(body)]
    for _, m in tables:
        op, names = m.group("op"), _strings(m.group("args"))
        line = first + body.count("\n", 0, m.start())
        if op in ("dropTable", "dropTableIfExists", "renameTable"):
            out += _op_hit(op.replace("IfExists", ""), names[0] if names else "?", names[1:],
                           line, dialect, False)  # fmt: skip
    for m in _KNEX_COLUMN.finditer(body):
        owner = [
            t for at, t in tables if at < m.start() and t.group("op") in ("alterTable", "table")
        ]
        if not owner:
            continue
        table = (_strings(owner[-1].group("args")) or ["?"])[0]
        op, names = m.group("op"), _strings(m.group("args"))
        line = first + body.count("\n", 0, m.start())
        if op == "alter":
            continue  # judged by what the column was and becomes (alter_hits)
        op = {"dropColumns": "dropColumn", "index": "addIndex"}.get(op, op)
        out += _op_hit(op, table, names, line, dialect, False)
    return out


def _op_hit(
    op: str, table: str, names: list[str], line: int, dialect: str, concurrent: bool
) -> list[Hit]:
    column = names[0] if names else "?"
    where = f"{table}.{column}"
    if op in ("removeColumn", "dropColumn"):
        return [Hit("drop-column", f"Drops column {where}.", line, where, (table, column))]
    if op == "dropTable":
        return [Hit("drop-table", f"Drops table {table}.", line, table, (table,))]
    if op == "renameColumn":
        return [Hit("rename-column", f"Renames column {where}.", line, where)]
    if op == "renameTable":
        return [Hit("rename-table", f"Renames table {table}.", line, table)]
    if op == "changeColumn":
        msg = f"Changes column {where}: if its type changes, the table is rewritten."
        return [Hit("change-column-type", msg, line, where, level=Level.WARNING)]
    if op in ("addIndex", "createIndex", "unique") and dialect == "postgres" and not concurrent:
        rule = "unique-constraint" if op == "unique" else "index-not-concurrent"
        msg = f"Builds an index on {table} without CONCURRENTLY: writes wait for the whole build."
        return [Hit(rule, msg, line, table, table=(table,))]
    return []
