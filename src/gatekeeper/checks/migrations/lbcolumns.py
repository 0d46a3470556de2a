"""Column types as a folder's merged Liquibase changelogs leave them, for PostgreSQL.

``<modifyDataType tableName="t" columnName="c" newDataType="text"/>`` names only the new
type. The old one is in the changesets merged before: the ``createTable`` or
``addColumn`` that made the column, the ``modifyDataType`` changes and SQL since. Each
change is read as the SQL it runs on PostgreSQL (pgcolumns.py reads that), so a type
change is judged like a SQL ``ALTER COLUMN ... TYPE`` (coltypes.py).

What is not known is left out, so the type change keeps its finding: a type the parser
cannot read (``${property}``, ``java.sql.Types``), a changeset for another database, an
``sqlFile`` the gate cannot find, and a column two changelog files type differently (the
order in which a master changelog includes its files is not read).
"""

from __future__ import annotations

import posixpath

from gatekeeper.changes import ChangeSet as Changes
from gatekeeper.checks.migrations import pgcolumns
from gatekeeper.checks.migrations.liquibase import (
    SUFFIXES,
    Change,
    ChangelogError,
    ChangeSet,
    may_be_changelog,
    parse,
)

#: changelog files read, at most: a longer history keeps the finding
MAX_FILES = 200


def merged_types(changes: Changes, path: str) -> pgcolumns.Columns:
    """The column types the merged changelogs of ``path``'s folder (and below) give,
    keyed by lower-case (table, column). Read once per folder per run."""
    folder = posixpath.dirname(path)
    return changes.fact(f"migrations.lbcolumns:{folder}", lambda: _merged(changes, folder))


def _merged(changes: Changes, folder: str) -> pgcolumns.Columns:
    paths = [p for p in changes.base_paths((f"{folder}/*" if folder else "*",))
             if p.endswith(SUFFIXES)]  # fmt: skip
    if len(paths) > MAX_FILES:
        return {}
    found: dict[tuple[str, str], set[pgcolumns.Spelled]] = {}
    for p in paths:
        text = changes.text_at_base(p)
        if not may_be_changelog(p, text):
            continue
        assert text is not None
        try:
            log = parse(p, text)
        except ChangelogError:
            continue
        columns = _file_types(changes, log.changesets)
        if columns is None:
            return {}  # an sqlFile the gate cannot read: any column may have changed
        for key, spelled in columns.items():
            found.setdefault(key, set()).add(spelled)
    return {key: next(iter(types)) for key, types in found.items() if len(types) == 1}


def _file_types(changes: Changes, changesets: tuple[ChangeSet, ...]) -> pgcolumns.Columns | None:
    columns: pgcolumns.Columns = {}
    for cs in changesets:
        named = {d.lower() for d in cs.dbms if d.lower() not in ("all", "none")}
        if named and "postgresql" not in named:
            continue  # another database's changeset (a ``!postgresql`` one too)
        for change in cs.changes:
            sql = _as_sql(changes, change)
            if sql is None:
                return None
            pgcolumns.read_into(columns, sql)
            _forget_unread(columns, change)
    return columns


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _as_sql(changes: Changes, change: Change) -> str | None:
    """What ``change`` runs on PostgreSQL, as far as column types go ("" for nothing;
    None for an ``sqlFile`` the gate cannot read)."""
    table = _quoted(change.attrs.get("tableName", ""))
    kind = change.kind
    if kind in ("createTable", "addColumn"):
        return "".join(f"ALTER TABLE {table} ADD COLUMN {_quoted(c['name'])} {c['type']};\n"
                       for c in change.columns if c.get("name") and c.get("type"))  # fmt: skip
    if kind == "modifyDataType":
        column, new = change.attrs.get("columnName", ""), change.attrs.get("newDataType", "")
        return f"ALTER TABLE {table} ALTER COLUMN {_quoted(column)} TYPE {new};"
    if kind == "renameColumn":
        old, new = change.attrs.get("oldColumnName", ""), change.attrs.get("newColumnName", "")
        return f"ALTER TABLE {table} RENAME COLUMN {_quoted(old)} TO {_quoted(new)};"
    if kind == "renameTable":
        old, new = change.attrs.get("oldTableName", ""), change.attrs.get("newTableName", "")
        return f"ALTER TABLE {_quoted(old)} RENAME TO {_quoted(new)};"
    if kind == "dropColumn":
        names = [change.attrs.get("columnName", "")] + [c.get("name", "") for c in change.columns]
        return "".join(f"ALTER TABLE {table} DROP COLUMN {_quoted(n)};\n" for n in names if n)
    if kind == "sql":
        return change.sql
    if kind == "sqlFile":
        return _sql_file(changes, change.attrs.get("path", ""))
    return ""


def _sql_file(changes: Changes, name: str) -> str | None:
    """The text at base of the file an ``sqlFile`` names (a ``classpath:`` name: the one
    base file whose path ends with it), None when there is not exactly one."""
    name = name.removeprefix("classpath:").lstrip("/")
    if not name:
        return None
    found = [p for p in changes.base_paths((f"*{posixpath.basename(name)}",))
             if p == name or p.endswith("/" + name)]  # fmt: skip
    return changes.text_at_base(found[0]) if len(found) == 1 else None


def _forget_unread(columns: pgcolumns.Columns, change: Change) -> None:
    """A retype or added column whose new type PostgreSQL's parser could not read leaves
    the column's type unknown, not as it was."""
    table = change.attrs.get("tableName", "").lower()
    if change.kind == "modifyDataType":
        key = (table, change.attrs.get("columnName", "").lower())
        new = pgcolumns.spelled_text(change.attrs.get("newDataType", ""))
        if new is None or columns.get(key) != new:
            columns.pop(key, None)
    elif change.kind == "dropTable":
        for key in [k for k in columns if k[0] == table]:
            del columns[key]
