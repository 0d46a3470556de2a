"""Deploy-safety rules for migration SQL: locks, rewrites and breaking changes.

PostgreSQL is parsed with its own grammar (pglast); other dialects with sqlglot. A
statement no parser accepts is reported as unreviewed, never taken as safe. The rule
names of squawk and strong_migrations are noted in the rule catalog; the logic is ours.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.checks.migrations import alter, dedupe, manyindexes, rebuild, sqlwrites
from gatekeeper.checks.migrations.dialects import (
    ONLINE_IN_COCKROACH,
    REBUILD_RULES,
    cockroach_text,
    column_rebuilds,
    rebuild_lines,
)
from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import Statement, fill_templates, strip_comments
from gatekeeper.model import Level


@dataclass
class State:
    """What the migration has done so far, statement by statement."""

    in_transaction: bool
    #: the framework itself wraps the file in a transaction (Flyway, goose, dbmate, sql-migrate)
    wrapped: bool = False
    lock_timeout: bool = False
    created: set[str] = field(default_factory=set)
    ddl_line: int | None = None
    dml_line: int | None = None
    #: the table of the first write to every row of an existing table (an UPDATE or
    #: DELETE without WHERE): a backfill as long as that table is large
    whole_table: str = ""
    lock_reported: bool = False


def review(
    statements: Iterable[Statement],
    dialect: str,
    *,
    in_transaction: bool = False,
    lines: Collection[int] | None = None,
    lock_timeout_rule: bool = True,
    wrapped: bool = False,
    created: set[str] | None = None,
) -> list[Hit]:
    """Hits for ``statements``; with ``lines``, only for statements touching those lines
    (the others are still read, for what they set up: lock_timeout, transactions...).
    ``lock_timeout_rule`` is off for SQL embedded in migrations written in code (Python,
    Node, Go, Ruby, PHP, Elixir), whose timeouts are set by the framework's configuration,
    out of sight; it stays on for SQL files, where ``SET lock_timeout`` is the idiom."""
    state = State(in_transaction, wrapped, lock_timeout=not lock_timeout_rule)
    if created is not None:
        # shared with the caller: tables created earlier in the same PR, and by this file
        state.created = created
    hits: list[Hit] = []
    listed = [dataclasses.replace(w, text=fill_templates(w.text)) for w in statements]
    if dialect == "cockroach":
        listed = [dataclasses.replace(w, text=cockroach_text(w.text)) for w in listed]
    rebuilt = rebuild_lines(listed)
    columns = column_rebuilds(listed)
    rebuilt |= {line for drop, rename, _, _ in columns for line in (drop, rename)}
    for _, rename, table, column in columns:
        if lines is None or rename in lines:
            msg = (
                f"Rebuilds column {table}.{column} under its own name (the old one replaced "
                "by a new one, the rows copied): readers see its new definition at once."
            )
            hits.append(Hit("change-column-type", msg, rename, f"{table}.{column}",
                            level=Level.WARNING))  # fmt: skip
    for stmt in listed:
        if dialect in ("postgres", "cockroach"):
            found = _postgres(stmt, state)
        else:
            found = _other(stmt, state, dialect)
        found += dedupe.hits(stmt, state.created)
        if dialect == "cockroach":
            found = [h for h in found if h.rule not in ONLINE_IN_COCKROACH]
        found = [h for h in found if h.line not in rebuilt or h.rule not in REBUILD_RULES]
        if lines is None or any(n in lines for n in range(stmt.line, stmt.end_line + 1)):
            hits += _apply_ignores(stmt, found)
    if state.ddl_line is not None and state.dml_line is not None:
        # a write to every row of a table is as long as the table is large: weighed by
        # its size (tables.py), as an index build is; a bounded write stays a warning
        whole = (state.whole_table,) if state.whole_table else ()
        hits.append(
            Hit(
                "backfill-in-migration",
                "The migration changes data and schema together; a long backfill holds the "
                "schema change's locks"
                + (f" (every row of {state.whole_table} is written)." if whole else "."),
                state.dml_line,
                "dml+ddl",
                table=whole,
                sized=bool(whole),
            )
        )
    return manyindexes.escalate(hits)


def _apply_ignores(stmt: Statement, hits: list[Hit]) -> list[Hit]:
    """Hits a ``gatekeeper:ignore <rule> <reason>`` names are marked, not dropped: the
    check honours the marker when the base had it and asks a human when the PR wrote it."""
    marks = stmt.ignores()
    if not marks:
        return hits
    # the comments sit above the statement: the span starts where they may
    span = (max(1, stmt.line - stmt.comments.count("\n") - 1), stmt.end_line)
    out = [
        dataclasses.replace(h, ignored_by=f"gatekeeper:ignore {h.rule}", ignore_span=span)
        if marks.get(h.rule)
        else h
        for h in hits
    ]
    for rule, reason in sorted(marks.items()):
        if not reason:
            out.append(
                Hit(
                    "ignore-without-reason",
                    f"`gatekeeper:ignore {rule}` has no reason, so it is not honoured.",
                    stmt.line,
                    rule,
                )
            )
    return out


def _first_line(stmt: Statement) -> str:
    return " ".join(stmt.text.split())[:160]


def _unreviewed(stmt: Statement, why: str) -> Hit:
    return Hit(
        "unreviewed-statement",
        f"Statement at line {stmt.line} was not reviewed: {why}.",
        stmt.line,
        _first_line(stmt),
    )


# --- PostgreSQL (pglast) -----------------------------------------------------------------


def _postgres(stmt: Statement, state: State) -> list[Hit]:
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        parsed = parse_sql(stmt.text)
    except ParseError as exc:
        # still a table the file creates (written for another database): an index on it
        # later in the file locks nothing
        if created := _CREATED_TABLE.match(strip_comments(stmt.text)):
            state.created.add(created.group(1))
        return [_unreviewed(stmt, f"PostgreSQL's parser rejects it ({exc})")]
    hits: list[Hit] = []
    for raw in parsed:
        node = raw.stmt
        kind = type(node).__name__
        handler = _PG_HANDLERS.get(kind)
        if handler is not None:
            hits += handler(node, stmt, state)
        if kind in _PG_DDL and not _on_created_table(node, state):
            state.ddl_line = state.ddl_line or stmt.line
            hits += _lock_timeout(stmt, state)
        if kind in ("InsertStmt", "UpdateStmt", "DeleteStmt") and not _on_created_table(
            node, state
        ):
            state.dml_line = state.dml_line or stmt.line
            if kind != "InsertStmt" and sqlwrites.writes_every_row(stmt.text):
                state.whole_table = state.whole_table or _relname(node)
    return hits


_CREATED_TABLE = re.compile(
    r"^\s*CREATE\s+(?:TEMP\w*\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"(?:[`\"]?\w+[`\"]?\.)?[`\"]?(\w+)[`\"]?\s*\(",
    re.I,
)
_PG_DDL = frozenset({"AlterTableStmt", "RenameStmt", "DropStmt", "IndexStmt", "CreateTrigStmt"})


def _relname(node: Any) -> str:
    relation = getattr(node, "relation", None)
    return str(getattr(relation, "relname", "") or "")


def _on_created_table(node: Any, state: State) -> bool:
    name = _relname(node)
    return bool(name) and name in state.created


def _lock_timeout(stmt: Statement, state: State) -> list[Hit]:
    if state.lock_timeout or state.lock_reported:
        return []
    state.lock_reported = True
    return [
        Hit(
            "missing-lock-timeout",
            "DDL on an existing table runs without lock_timeout: waiting for its lock "
            "blocks every query behind it.",
            stmt.line,
            "lock_timeout",
        )
    ]


def _pg_create(node: Any, stmt: Statement, state: State) -> list[Hit]:
    state.created.add(_relname(node))
    # a foreign key locks the table it references (SHARE ROW EXCLUSIVE) while it is made
    referenced = {
        str(c.pktable.relname)
        for element in node.tableElts or ()
        for c in (getattr(element, "constraints", None) or (element,))
        if type(c).__name__ == "Constraint" and c.contype.name == "CONSTR_FOREIGN"
    }
    if referenced - state.created:
        state.ddl_line = state.ddl_line or stmt.line
        return _lock_timeout(stmt, state)
    return []


def _pg_set(node: Any, stmt: Statement, state: State) -> list[Hit]:
    if str(node.name or "").lower() == "lock_timeout":
        state.lock_timeout = True
    return []


def _pg_transaction(node: Any, stmt: Statement, state: State) -> list[Hit]:
    kind = node.kind.name
    hits = []
    if state.wrapped and kind in _TRANSACTION_CONTROL:
        hits.append(
            Hit(
                "transaction-nesting",
                f"{_first_line(stmt)} inside the transaction the framework already opened.",
                stmt.line,
                kind,
            )
        )
    if kind in ("TRANS_STMT_BEGIN", "TRANS_STMT_START"):
        state.in_transaction = True
    elif kind in ("TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"):
        state.in_transaction = False
    return hits


_TRANSACTION_CONTROL = frozenset(
    {"TRANS_STMT_BEGIN", "TRANS_STMT_START", "TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"}
)


def _names(objects: Any) -> list[str]:
    out = []
    for obj in objects or ():
        parts = obj if isinstance(obj, tuple | list) else (obj,)
        out.append(".".join(str(getattr(p, "sval", p)) for p in parts))
    return out


def _pg_drop(node: Any, stmt: Statement, state: State) -> list[Hit]:
    kind = node.removeType.name
    hits = []
    if kind == "OBJECT_TABLE":
        for name in _names(node.objects):
            if name.rsplit(".", 1)[-1] in state.created:
                continue  # created in this migration or earlier in the PR: no data yet
            hits.append(Hit("drop-table", f"Drops table {name}.", stmt.line, name, (name,)))
    elif kind == "OBJECT_INDEX":
        hits += _concurrency(node, stmt, state, "drop-index-not-concurrent", "DROP INDEX")
    return hits


def _concurrency(node: Any, stmt: Statement, state: State, rule: str, what: str) -> list[Hit]:
    if node.concurrent and state.in_transaction:
        return [
            Hit(
                "concurrent-in-transaction",
                f"{what} CONCURRENTLY runs inside a transaction, where PostgreSQL refuses it.",
                stmt.line,
                _first_line(stmt),
            )
        ]
    if not node.concurrent and not _on_created_table(node, state):
        target = _relname(node) or ", ".join(_names(getattr(node, "objects", ())))
        msg = f"{what} on {target} without CONCURRENTLY."
        table = (_relname(node),) if _relname(node) else ()
        return [Hit(rule, msg, stmt.line, _first_line(stmt), table=table)]
    return []


def _pg_index(node: Any, stmt: Statement, state: State) -> list[Hit]:
    if _per_chunk(node):
        return []  # TimescaleDB builds it a chunk at a time, each locked only while built
    return _concurrency(node, stmt, state, "index-not-concurrent", "CREATE INDEX")


def _per_chunk(node: Any) -> bool:
    """``CREATE INDEX ... WITH (timescaledb.transaction_per_chunk)``: a hypertable's index
    built one chunk per transaction (CONCURRENTLY is not supported on hypertables)."""
    return any(
        str(getattr(o, "defnamespace", "") or "").lower() == "timescaledb"
        and str(getattr(o, "defname", "") or "").lower() == "transaction_per_chunk"
        for o in getattr(node, "options", None) or ()
    )


def _pg_rename(node: Any, stmt: Statement, state: State) -> list[Hit]:
    kind = node.renameType.name
    table = _relname(node)
    if kind == "OBJECT_TABLE":
        return [Hit("rename-table", f"Renames table {table} to {node.newname}.", stmt.line, table)]
    if kind == "OBJECT_COLUMN":
        msg = f"Renames column {table}.{node.subname} to {node.newname}."
        return [Hit("rename-column", msg, stmt.line, f"{table}.{node.subname}")]
    return []


def _pg_enum(node: Any, stmt: Statement, state: State) -> list[Hit]:
    if node.newVal and state.in_transaction:
        name = ".".join(_names([node.typeName]))
        msg = f"ALTER TYPE {name} ADD VALUE {node.newVal!r} inside a transaction."
        return [Hit("enum-value-in-transaction", msg, stmt.line, f"{name}:{node.newVal}")]
    return []


def _pg_truncate(node: Any, stmt: Statement, state: State) -> list[Hit]:
    if node.behavior.name == "DROP_CASCADE":
        return [Hit("truncate-cascade", "TRUNCATE ... CASCADE.", stmt.line, _first_line(stmt))]
    return []


def _pg_dropdb(node: Any, stmt: Statement, state: State) -> list[Hit]:
    return [Hit("drop-database", f"Drops database {node.dbname}.", stmt.line, str(node.dbname))]


def _pg_alter(node: Any, stmt: Statement, state: State) -> list[Hit]:
    if _on_created_table(node, state):
        return []
    table = _relname(node)
    hits: list[Hit] = []
    for cmd in node.cmds or ():
        hits += alter.command(cmd, table, stmt)
    return hits


def _defnames(options: Any) -> set[str]:
    return {str(getattr(o, "defname", "")).lower() for o in options or ()}


def _pg_maintenance(node: Any, stmt: Statement, state: State) -> list[Hit]:
    kind = type(node).__name__
    blocking = (
        (kind == "VacuumStmt" and "full" in _defnames(node.options))
        or kind == "ClusterStmt"
        or (kind == "ReindexStmt" and "concurrently" not in _defnames(node.params))
        or (kind == "RefreshMatViewStmt" and not node.concurrent)
    )
    if not blocking or _on_created_table(node, state):
        return []
    msg = f"{_first_line(stmt)} holds an exclusive lock for the whole rewrite."
    return [Hit("blocking-maintenance", msg, stmt.line, _first_line(stmt))]


def _pg_create_as(node: Any, stmt: Statement, state: State) -> list[Hit]:
    """``CREATE MATERIALIZED VIEW v AS ...`` / ``CREATE TABLE t AS ...``: a new relation
    no query of the running release reads or writes, so an index built on it right after
    holds no one up (marquez's hourly lineage views)."""
    into = getattr(node, "into", None)
    name = getattr(getattr(into, "rel", None), "relname", None)
    if name:
        state.created.add(str(name))
    return []


_PG_HANDLERS = {
    "CreateStmt": _pg_create,
    "CreateTableAsStmt": _pg_create_as,
    "VariableSetStmt": _pg_set,
    "TransactionStmt": _pg_transaction,
    "DropStmt": _pg_drop,
    "IndexStmt": _pg_index,
    "RenameStmt": _pg_rename,
    "AlterEnumStmt": _pg_enum,
    "TruncateStmt": _pg_truncate,
    "DropdbStmt": _pg_dropdb,
    "AlterTableStmt": _pg_alter,
    "VacuumStmt": _pg_maintenance,
    "ClusterStmt": _pg_maintenance,
    "ReindexStmt": _pg_maintenance,
    "RefreshMatViewStmt": _pg_maintenance,
}


# --- other dialects (sqlglot) ------------------------------------------------------------

_KNOWN = (
    "Create", "Drop", "Alter", "Insert", "Update", "Delete", "Select", "Set", "Transaction",
    "Commit", "Rollback", "Use", "Comment", "Pragma", "Union", "Merge", "TruncateTable",
)  # fmt: skip


_ONLINE_INDEX = re.compile(r"^\s*CREATE\s+(?:UNIQUE\s+|FULLTEXT\s+|SPATIAL\s+)?INDEX\b", re.I)


def _other(stmt: Statement, state: State, dialect: str) -> list[Hit]:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import SqlglotError

    try:
        # H2 has no sqlglot dialect of its own: its migrations read as standard SQL
        parsed = sqlglot.parse_one(stmt.text, read=None if dialect == "h2" else dialect)
    except SqlglotError as exc:
        return [_unreviewed(stmt, f"the {dialect} parser rejects it ({str(exc).splitlines()[0]})")]
    kind = type(parsed).__name__
    mysql = dialect in ("mysql", "mariadb")
    known = rebuild.command(stmt) if kind == "Command" and mysql else None
    if known is not None:
        return [h for h in known if h.evidence not in state.created]
    if kind == "Command" and _ONLINE_INDEX.match(strip_comments(stmt.text)):
        return []  # an index build with options sqlglot does not model (MySQL's ALGORITHM)
    if kind not in _KNOWN:
        return [_unreviewed(stmt, f"the {dialect} parser does not understand it")]
    if isinstance(parsed, exp.Create) and str(parsed.args.get("kind", "")).upper() == "TABLE":
        created = parsed.find(exp.Table)
        state.created.add(created.name if created is not None else "")
        return []
    if isinstance(parsed, exp.Insert | exp.Update | exp.Delete):
        target = parsed.find(exp.Table)
        if target is None or target.name not in state.created:
            state.dml_line = state.dml_line or stmt.line
            whole = not isinstance(parsed, exp.Insert) and sqlwrites.writes_every_row(stmt.text)
            if whole and target is not None:
                state.whole_table = state.whole_table or target.name
        return []
    if isinstance(parsed, exp.Drop) and str(parsed.args.get("kind", "")).upper() == "TABLE":
        # sqlglot keeps the dropped tables under "tables" (older releases: "this")
        names = [t.name for t in parsed.find_all(exp.Table)] or ["?"]
        return [
            Hit("drop-table", f"Drops table {name}.", stmt.line, name, (name,))
            for name in names
            if name not in state.created
        ]
    if isinstance(parsed, exp.Alter):
        table = str(parsed.this.name) if parsed.this else "?"
        if table in state.created:
            return []
        state.ddl_line = state.ddl_line or stmt.line
        found = alter.sqlglot_actions(parsed, table, stmt, dialect)
        return found + rebuild.options(parsed, table, stmt) if mysql else found
    return []
