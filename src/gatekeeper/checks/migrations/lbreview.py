"""What a Liquibase changelog's new changesets do (see :mod:`.liquibase` for the reading).

The changes that drop, rename, retype or lock are reported under the SQL review's rule
ids, ``sql`` bodies are reviewed as SQL statements, and a changeset whose changes
Liquibase cannot roll back by itself needs a ``rollback``. Edits of merged changesets are
history rewrites (Liquibase's checksum refuses them), new changesets in a file are not.
"""

from __future__ import annotations

import dataclasses
import posixpath
from collections.abc import Callable, Iterable, Mapping

from gatekeeper.changes import ChangeSet as Changes
from gatekeeper.changes import FileStatus
from gatekeeper.changes.git import run_git
from gatekeeper.changes.releases import newest_release
from gatekeeper.checks.interface import BaseCheck
from gatekeeper.checks.migrations import moves, pgcolumns
from gatekeeper.checks.migrations.hits import FORWARD_ONLY_AFTER, Hit
from gatekeeper.checks.migrations.liquibase import (
    SUFFIXES,
    Change,
    ChangelogError,
    ChangeSet,
    may_be_changelog,
    parse,
)
from gatekeeper.checks.migrations.sqleffects import DML
from gatekeeper.checks.migrations.sqltext import Statement, split
from gatekeeper.errors import GitError
from gatekeeper.model import Finding, Level

#: how the caller reviews SQL statements: (statements, rules dialect, in a transaction)
SqlReview = Callable[[list[Statement], str, bool], list[Hit]]
#: the changes Liquibase rolls back by itself (it knows their inverse)
AUTO_ROLLBACK = frozenset({
    "createTable", "addColumn", "createIndex", "renameColumn", "renameTable", "renameView",
    "renameSequence", "addForeignKeyConstraint", "addPrimaryKey", "addUniqueConstraint",
    "addNotNullConstraint", "dropNotNullConstraint", "addDefaultValue", "createSequence",
    "createView", "addLookupTable", "addAutoIncrement", "setTableRemarks", "setColumnRemarks",
})  # fmt: skip
#: changes of rows only
DATA_CHANGES = frozenset({"insert", "update", "delete", "loadData", "loadUpdateData"})
#: Liquibase's database names -> the safety rules' dialects
DBMS_RULES = {"postgresql": "postgres", "cockroachdb": "cockroach", "mysql": "mysql",
              "mariadb": "mysql", "sqlite": "sqlite", "mssql": "tsql", "oracle": "oracle",
              "h2": "h2"}  # fmt: skip


def dialect(cs: ChangeSet, policy: str) -> str:
    """The changeset's own database when it names exactly one, else the policy's."""
    named = {d for d in cs.dbms if not d.startswith("!") and d not in ("all", "none")}
    if len(named) == 1 and not any(d.startswith("!") for d in cs.dbms):
        return DBMS_RULES.get(named.pop(), policy)
    return policy


def hits(
    changesets: Iterable[tuple[ChangeSet, bool]],
    policy: str,
    added: frozenset[int],
    sql_review: SqlReview,
    read_sql_file: Callable[[Change], str | None],
) -> list[Hit]:
    """Hits of the changesets given with whether each is new: a new one is reviewed
    whole, an edited merged one on its added lines only."""
    created: set[str] = set()
    out: list[Hit] = []
    ran: list[Statement] = []  # what the reviewed changesets do, as SQL, for moves.py
    for cs, new in changesets:
        if not new and not any(n in added for n in range(cs.line, cs.end_line + 1)):
            continue  # merged and untouched: what it creates is no news either
        ran += [s for change in cs.changes for s in as_sql(change)]
        rules = dialect(cs, policy)
        found: list[Hit] = []
        for change in cs.changes:
            # a table counts as created by this change only where the change writes it
            found += _change_hits(change, rules, created, new or change.line in added)
            sql = change.sql if change.kind != "sqlFile" else read_sql_file(change)
            if sql:
                at = change.sql_line if change.kind != "sqlFile" else change.line
                statements = split(sql, at)
                if change.kind == "sqlFile":
                    statements = [_at(s, change.line) for s in statements]
                found += sql_review(statements, rules, cs.in_transaction)
        out += [h for h in found if new or h.line in added]
    return moves.relieve(out, ran, dialect=policy)


def as_sql(change: Change) -> list[Statement]:
    """The statements a change runs, as far as moves.py needs them: an ``sql`` body, an
    ``update`` (its columns' values and its WHERE), a ``delete``, an ``addColumn``, a
    ``dropColumn``."""
    table, line = _table(change), change.line
    if change.kind == "sql":
        return split(change.sql, change.sql_line)
    if change.kind == "update":
        sets = [f"{c['name']} = {v}" for c in change.columns if c.get("name")
                and (v := _value(c)) is not None]  # fmt: skip
        if not sets or len(sets) != len(change.columns):
            return []
        where = f" WHERE {change.attrs['where']}" if change.attrs.get("where") else ""
        return [Statement(f"UPDATE {table} SET {', '.join(sets)}{where}", line, line)]
    if change.kind == "delete":
        return [Statement(f"DELETE FROM {table}", line, line)]
    if change.kind == "addColumn":
        return [
            Statement(f"ALTER TABLE {table} ADD COLUMN {c['name']} {c.get('type', 'text')}"
                      f"{_column_fill(c)}", line, line)
            for c in change.columns if c.get("name")
        ]  # fmt: skip
    if change.kind == "dropColumn":
        names = [change.attrs.get("columnName", "")] + [c.get("name", "") for c in change.columns]
        return [Statement(f"ALTER TABLE {table} DROP COLUMN {n}", line, line) for n in names if n]
    return []


def _column_fill(column: Mapping[str, str]) -> str:
    """What an added column's rows hold, as SQL moves.py reads: a default, NOT NULL, or
    nothing (NULL in every row already there)."""
    if _filled(column):
        return " DEFAULT x"
    return " NOT NULL" if column.get("constraints.nullable", "").lower() == "false" else ""


def _value(column: Mapping[str, str]) -> str | None:
    """A column's value in an ``update`` as SQL (a string blanked: only its kind matters)."""
    if column.get("valueComputed"):
        return column["valueComputed"]
    for key in ("valueNumeric", "valueBoolean"):
        if column.get(key) and column[key].lower() != "null":
            return column[key]
    if column.get("value") is not None and column["value"].lower() != "null":
        return "'v'"
    return None


def _at(s: Statement, line: int) -> Statement:
    return Statement(s.text, line, line, s.comments)


def _table(change: Change) -> str:
    """The table a change works on (a foreign key's: the table that holds it)."""
    return change.attrs.get("tableName") or change.attrs.get("baseTableName") or "?"


def _change_hits(change: Change, rules: str, created: set[str], fresh: bool) -> list[Hit]:
    kind, line, table = change.kind, change.line, _table(change)
    if kind == "createTable":
        if fresh:
            created.add(table.lower())
        return []
    if table.lower() in created and kind not in ("dropTable", "renameTable"):
        return []  # a table this PR creates: nobody reads it yet, nothing waits on it
    if kind == "dropColumn":
        names = [change.attrs["columnName"]] if "columnName" in change.attrs else []
        names += [c["name"] for c in change.columns if c.get("name")]
        return [Hit("drop-column", f"Drops column {table}.{c}.", line, f"{table}.{c}", (table, c))
                for c in names or ["?"]]  # fmt: skip
    if kind == "dropTable":
        return [Hit("drop-table", f"Drops table {table}.", line, table, (table,))]
    if kind == "renameColumn":
        old = change.attrs.get("oldColumnName", "?")
        new = change.attrs.get("newColumnName", "?")
        return [Hit("rename-column", f"Renames column {table}.{old} to {new}.", line,
                    f"{table}.{old}")]  # fmt: skip
    if kind == "renameTable":
        old = change.attrs.get("oldTableName", "?")
        return [Hit("rename-table", f"Renames table {old} to {change.attrs.get('newTableName')}.",
                    line, old)]  # fmt: skip
    if kind == "modifyDataType":
        column = change.attrs.get("columnName", "?")
        msg = (f"Changes the type of {table}.{column} to {change.attrs.get('newDataType', '?')}: "
               "most type changes rewrite the table under an exclusive lock.")  # fmt: skip
        hit = Hit("change-column-type", msg, line, f"{table}.{column}", table=(table,))
        if rules == "postgres":  # the caller judges it from the merged type (lbcolumns.py)
            new_type = pgcolumns.spelled_text(change.attrs.get("newDataType", ""))
            hit = dataclasses.replace(hit, new_type=new_type, retyped=(table, column))
        return [hit]
    if kind == "addColumn":
        return _add_column(change, table)
    return _lock_hits(change, rules, table)


#: a column's attributes that fill the rows already there: Liquibase adds the column
#: nullable, sets every row with an UPDATE, then adds NOT NULL (AddColumnChange)
ROW_VALUES = frozenset({
    "value", "valueNumeric", "valueBoolean", "valueDate", "valueComputed", "valueBit",
    "valueSequenceNext", "valueSequenceCurrent", "valueBlobFile", "valueClobFile",
})  # fmt: skip


def _filled(column: Mapping[str, str]) -> bool:
    """Whether existing rows get a value: a default, an autoincrement, or a ``value*``
    (``"null"`` sets nothing: Liquibase reads it as no value)."""
    if any(k.startswith("defaultValue") for k in column) or column.get("autoIncrement") == "true":
        return True
    return any(
        k in ROW_VALUES and v.strip() and v.strip().lower() != "null" for k, v in column.items()
    )


def _add_column(change: Change, table: str) -> list[Hit]:
    out = []
    for c in change.columns:
        required = c.get("constraints.nullable", "").lower() == "false"
        if required and not _filled(c):
            where = f"{table}.{c.get('name', '?')}"
            msg = f"Adds NOT NULL column {where} without a default: existing rows have no value."
            out.append(Hit("add-required-column", msg, change.line, where, table=(table,)))
    return out


def _lock_hits(change: Change, rules: str, table: str) -> list[Hit]:
    kind, line = change.kind, change.line
    if rules not in ("postgres", "cockroach"):
        return []  # the lock rules below are PostgreSQL's (the SQL review's too)
    if kind == "addNotNullConstraint":
        column = change.attrs.get("columnName", "?")
        msg = f"Sets {table}.{column} NOT NULL: the whole table is scanned under lock."
        return [Hit("set-not-null", msg, line, f"{table}.{column}", table=(table,))]
    if kind == "createIndex":
        unique = change.attrs.get("unique") == "true"
        rule = "unique-constraint" if unique else "index-not-concurrent"
        msg = (f"createIndex on {table} builds the index without CONCURRENTLY (Liquibase "
               "cannot ask for it): writes wait for the whole build.")  # fmt: skip
        return [Hit(rule, msg, line, table, table=(table,))]
    if kind in ("addUniqueConstraint", "addPrimaryKey"):
        msg = f"{kind} on {table} builds a unique index while writes to the table wait."
        return [Hit("unique-constraint", msg, line, table, table=(table,))]
    if kind == "addForeignKeyConstraint" and change.attrs.get("validate") != "false":
        msg = (f"Adds a foreign key on {table} validated at once (no validate=\"false\"): "
               "every row is checked while writes wait.")  # fmt: skip
        return [Hit("constraint-not-valid", msg, line, table, table=(table,))]
    if kind == "dropIndex":
        msg = f"Drops index {change.attrs.get('indexName', '?')} without CONCURRENTLY."
        return [Hit("drop-index-not-concurrent", msg, line, table, table=(table,))]
    return []


# --- reversibility -----------------------------------------------------------------------


def needs_rollback(cs: ChangeSet) -> list[str]:
    """The change types of ``cs`` Liquibase cannot roll back by itself."""
    return [c.kind for c in cs.changes if c.kind not in AUTO_ROLLBACK]


def data_only(cs: ChangeSet) -> bool:
    """Changes of rows and nothing else (``update``/``insert``/``delete``, DML ``sql``)."""
    if not cs.changes:
        return False
    for c in cs.changes:
        if c.kind in DATA_CHANGES:
            continue
        statements = split(c.sql) if c.kind == "sql" else []
        if not statements or any(not DML.match(s.text) for s in statements):
            return False
    return True


def check(
    check: BaseCheck, path: str, changesets: Iterable[ChangeSet], forward_only: bool
) -> list[Finding]:
    """A new changeset Liquibase cannot roll back: no ``rollback`` (missing-down) or an
    empty one (empty-down); a data-only one is a warning (rows changed stay changed)."""
    out = []
    for cs in changesets:
        kinds = needs_rollback(cs)
        if not kinds or (cs.rollback is not None and cs.rollback != ""):
            continue
        name = f"changeset {cs.id} ({cs.author}) of {path}"
        if data_only(cs):
            message = (f"{name} only changes rows and has no rollback: a rollback keeps the "
                       "changed data (take a backup if it matters).")  # fmt: skip
            out.append(check.finding("missing-down", message, path=path, line=cs.line,
                                     evidence=f"{path}:{cs.id}", level=Level.WARNING))  # fmt: skip
            continue
        if forward_only:
            continue  # the project never writes rollbacks: it upgrades forward only
        what = ", ".join(sorted(set(kinds)))
        if cs.rollback is None:
            rule, line = "missing-down", cs.line
            message = f"{name} has no rollback, and Liquibase cannot generate one for {what}."
        else:
            rule, line = "empty-down", cs.rollback_line or cs.line
            message = f"The rollback of {name} is empty: a rollback leaves what {what} did."
        out.append(check.finding(rule, message, path=path, line=line, evidence=f"{path}:{cs.id}"))
    return out


def forward_only(changes: Changes, path: str) -> bool:
    """True when the folder's changelogs, as merged, have at least
    :data:`FORWARD_ONLY_AFTER` changesets needing a rollback and not one rollback outside
    the changesets that only change rows."""
    folder = posixpath.dirname(path)
    pattern = f"{folder}/*" if folder else "*"
    needing = 0
    for p in changes.base_paths((pattern,)):
        if posixpath.dirname(p) != folder:
            continue
        if not p.endswith(SUFFIXES):
            continue
        text = changes.text_at_base(p)
        if not may_be_changelog(p, text):
            continue
        assert text is not None
        try:
            sets = parse(p, text).changesets
        except ChangelogError:
            continue
        # a rollback written for a change of rows (deleting what an insert added) says
        # nothing of the habit for schema changes, which is what this rule is about
        if any(cs.rollback is not None and not data_only(cs) for cs in sets):
            return False
        needing += sum(1 for cs in sets if needs_rollback(cs))
    return needing >= FORWARD_ONLY_AFTER


# --- history -------------------------------------------------------------------------------


def history(
    check: BaseCheck, changes: Changes, path: str, *, released_only: bool
) -> list[Finding] | None:
    """Merged changesets of a modified changelog that the change edits or removes; None
    when the file is not simply modified or either side cannot be read (the caller
    then judges the file as a whole)."""
    f = changes.get(path)
    if f is None or f.status is not FileStatus.MODIFIED:
        return None
    before, after = changes.text_at_base(path), changes.text_at_head(path)
    if before is None or after is None:
        return None
    try:
        old, new = parse(path, before), parse(path, after)
    except ChangelogError:
        return None
    now = {cs.key: cs for cs in new.changesets}
    tag = newest_release(changes) if released_only else None
    released = _released_keys(changes, tag, path) if tag else None
    out = []
    for cs in old.changesets:
        head = now.get(cs.key)
        if head is not None and (head.fingerprint == cs.fingerprint or head.edits_allowed):
            if head.rollback != cs.rollback:
                out.append(check.finding(
                    "down-edited",
                    f"The change edits the rollback of merged changeset {cs.id} of {path}: "
                    "databases that ran it are unaffected; a rollback now runs the new one.",
                    path=path, line=head.rollback_line or head.line, evidence=f"{path}:{cs.id}",
                ))  # fmt: skip
            continue
        verb = "removes" if head is None else "edits"
        line = cs.line if head is None else head.line
        if released is not None and cs.key not in released:
            out.append(check.finding(
                "history-rewritten",
                f"The change {verb} changeset {cs.id} of {path}, merged since the newest "
                f"release ({tag}): databases of that release never ran it, development ones did.",
                path=path, line=line, evidence=f"{path}:{cs.id}", level=Level.WARNING,
            ))  # fmt: skip
            continue
        fix = (
            ""
            if head is None
            else (
                " (Liquibase's checksum fails on every database that ran it, unless the changeset "
                "declares runOnChange or a validCheckSum; add a new changeset instead)"
            )
        )
        out.append(check.finding(
            "history-rewritten",
            f"The change {verb} changeset {cs.id} of {path}, already merged; databases that "
            f"ran it will not run it again{fix}.",
            path=path, line=line, evidence=f"{path}:{cs.id}",
        ))  # fmt: skip
    return out


def _released_keys(changes: Changes, tag: str, path: str) -> set[tuple[str, str]] | None:
    """The changesets the file had in release ``tag``; None when git cannot tell (every
    changeset then counts as released: fail closed)."""
    try:
        done = run_git(changes.root, "show", f"{tag}:{path}", check=False, timeout=30)
    except GitError:
        return None
    if done.returncode != 0:
        return set()  # the release had no such file
    try:
        return {cs.key for cs in parse(path, done.stdout.decode("utf-8", "replace")).changesets}
    except ChangelogError:
        return None
