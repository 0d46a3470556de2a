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
REBUILD_RULES = frozenset({"drop-table", "rename-table", "drop-column", "rename-column"})
_NAME = r"[`\"\[]?([\w.]+)[`\"\]]?"
_CREATE = re.compile(rf"^\s*CREATE\s+(?:TEMP\w*\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}", re.I)
_DROP = re.compile(rf"^\s*DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}\s*$", re.I)
_RENAME = re.compile(rf"^\s*ALTER\s+TABLE\s+{_NAME}\s+RENAME\s+TO\s+{_NAME}\s*$", re.I)


def rebuild_lines(statements: Iterable[Statement]) -> set[int]:
    """Lines of the drops and renames that rebuild a table, the idiom SQLite needs for most
    changes (and tools use elsewhere, TypeORM on every database): create the new table,
    copy every row into it, drop the old one, rename the new one to the old name (or
    rename the old one away first, create the table under its name, copy every row back,
    drop the renamed one). The table keeps its name and its rows: nothing that reads it
    breaks, so neither step is a drop or a rename. Without the copy of every row (none, or
    one with a WHERE, a join or a LIMIT) the rows are lost: a drop it stays."""
    listed = list(statements)
    created: set[str] = set()
    dropped: dict[str, int] = {}
    renamed_away: dict[str, tuple[str, int]] = {}
    copied: set[tuple[str, str]] = set()  # (from, into): every row, before the drop
    out: set[int] = set()
    for stmt in listed:
        text = strip_comments(stmt.text)
        if m := _CREATE.match(text):
            name = _base(m.group(1))
            created.add(name)
            if copy := _whole_copy(text):
                copied.add(copy)
            continue
        if copy := _whole_copy(text):
            copied.add(copy)
            continue
        if m := _DROP.match(text):
            name = _base(m.group(1))
            dropped[name] = stmt.line
            away = next((k for k, (new, _) in renamed_away.items() if new == name), None)
            if away is not None and away in created and (name, away) in copied:
                out |= {stmt.line, renamed_away[away][1]}
            continue
        if m := _RENAME.match(text):
            old, new = _base(m.group(1)), _base(m.group(2))
            if new in dropped and old in created and (new, old) in copied:
                out |= {stmt.line, dropped[new]}
            renamed_away[old] = (new, stmt.line)
    return out | copied_back(listed)


def rebuilt_tables(statements: Iterable[Statement]) -> dict[str, tuple[int, frozenset[str]]]:
    """Each table rebuilt through a new table renamed to its name (:func:`rebuild_lines`'s
    first form): table -> (line of the rename, the columns the new table has)."""
    listed = list(statements)
    lines = rebuild_lines(listed)
    columns: dict[str, frozenset[str]] = {}
    out: dict[str, tuple[int, frozenset[str]]] = {}
    for stmt in listed:
        text = strip_comments(stmt.text)
        if m := _CREATE.match(text):
            columns[_base(m.group(1))] = table_columns(text)
        elif (m := _RENAME.match(text)) and stmt.line in lines:
            old, new = _base(m.group(1)), _base(m.group(2))
            if old in columns:
                out[new] = (stmt.line, columns[old])
    return out


def created_columns(statements: Iterable[Statement]) -> dict[str, frozenset[str]]:
    """The columns of each table the statements create (the last definition of each)."""
    out: dict[str, frozenset[str]] = {}
    for stmt in statements:
        text = strip_comments(stmt.text)
        if m := _CREATE.match(text):
            out[_base(m.group(1))] = table_columns(text)
    return out


_TABLE_PARTS = frozenset({"constraint", "primary", "unique", "foreign", "check", "key", "index"})


def table_columns(create: str) -> frozenset[str]:
    """The column names of a ``CREATE TABLE t (...)`` (constraints aside)."""
    start = create.find("(")
    if start < 0:
        return frozenset()
    depth = 0
    part: list[str] = []
    parts: list[str] = []
    for ch in create[start + 1 :]:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                break
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(part))
            part = []
        else:
            part.append(ch)
    parts.append("".join(part))
    names = (p.split()[0] for p in parts if p.split())
    return frozenset(_base(n) for n in names if _base(n) not in _TABLE_PARTS)


_CREATE_AS = re.compile(
    rf"^\s*CREATE\s+(?:TEMP\w*\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}\s+AS\s+"
    rf"(?:\(\s*)?SELECT\b[^;]*?\bFROM\s+{_NAME}\s*\)?"
    r"(?:\s+ORDER\s+BY\s+[\w\s,.\"`]+)?\s*;?\s*$",
    re.I | re.S,
)
_COPY = re.compile(
    rf"^\s*INSERT\s+INTO\s+{_NAME}[^;]*?\bSELECT\b[^;]*?\bFROM\s+{_NAME}"
    r"(?:\s+ORDER\s+BY\s+[\w\s,.\"`]+)?\s*;?\s*$",
    re.I | re.S,
)


def copied_back(statements: Iterable[Statement]) -> set[int]:
    """Lines of the drops of a table rebuilt by copying out and back: every row copied
    into a table the migration creates, the table dropped and created again, every row
    copied back (authelia's SQLite migrations). A copy with a WHERE or a join keeps
    only some rows, so it does not count."""
    created: dict[str, list[int]] = {}
    copies: list[tuple[int, str, str]] = []  # (line, from, into)
    drops: list[tuple[int, str]] = []
    for stmt in statements:
        text = strip_comments(stmt.text)
        if m := _CREATE.match(text):
            created.setdefault(_base(m.group(1)), []).append(stmt.line)
            if copy := _whole_copy(text):  # CREATE TABLE backup AS SELECT * FROM t
                copies.append((stmt.line, *copy))
        elif m := _DROP.match(text):
            drops.append((stmt.line, _base(m.group(1))))
        elif copy := _whole_copy(text):
            copies.append((stmt.line, *copy))
    out = set()
    for line, table in drops:
        outs = {into for at, src, into in copies if at < line and src == table
                and any(c <= at for c in created.get(into, []))}  # fmt: skip
        back = any(at > line and src in outs and into == table for at, src, into in copies)
        if back and any(c > line for c in created.get(table, [])):
            out.add(line)
    return out


def _whole_copy(text: str) -> tuple[str, str] | None:
    """(from, into) of an ``INSERT INTO t ... SELECT ... FROM s``, or of a ``CREATE TABLE t
    AS SELECT ... FROM s`` (inngest's backup before a rebuild), that copies every row of
    ``s``: no WHERE, join or LIMIT keeps only some."""
    m = _COPY.match(text) or _CREATE_AS.match(text)
    if m is None or re.search(r"\b(?:WHERE|JOIN|LIMIT)\b", text, re.I):
        return None
    return _base(m.group(2)), _base(m.group(1))


_COLUMN = rf"^\s*ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?{_NAME}\s+"
_ADD_COLUMN = re.compile(rf"{_COLUMN}ADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?{_NAME}", re.I)
_DROP_COLUMN = re.compile(rf"{_COLUMN}DROP\s+(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?{_NAME}\s*$", re.I)
_RENAME_COLUMN = re.compile(rf"{_COLUMN}RENAME\s+(?:COLUMN\s+)?{_NAME}\s+TO\s+{_NAME}\s*$", re.I)


def column_rebuilds(statements: Iterable[Statement]) -> list[tuple[int, int, str, str]]:
    """(drop line, rename line, table, column) for each column rebuilt under its own name:
    a new column added, the rows copied, the old column dropped, the new one renamed to the
    old name (SQLite's way to change a column's type); or the old column renamed away, a
    new one added under its name, every row copied back (an UPDATE with no WHERE reading
    the renamed column), the renamed one dropped (drizzle-kit's way to change a default).
    Nothing that reads the column by name breaks; its definition changes."""
    added: set[tuple[str, str]] = set()
    dropped: dict[tuple[str, str], int] = {}
    #: (table, name it was renamed to) -> (rename line, its own name)
    away: dict[tuple[str, str], tuple[int, str]] = {}
    copied: set[tuple[str, str]] = set()
    out = []
    for stmt in statements:
        text = strip_comments(stmt.text)
        if m := _ADD_COLUMN.match(text):
            added.add((_base(m.group(1)), _base(m.group(2))))
        elif m := _DROP_COLUMN.match(text):
            key = (_base(m.group(1)), _base(m.group(2)))
            dropped[key] = stmt.line
            if key in away and key in copied and (key[0], away[key][1]) in added:
                out.append((stmt.line, away[key][0], key[0], away[key][1]))
        elif m := _RENAME_COLUMN.match(text):
            table, old, new = _base(m.group(1)), _base(m.group(2)), _base(m.group(3))
            if (table, old) in added and (table, new) in dropped:
                out.append((dropped[(table, new)], stmt.line, table, new))
            away[(table, new)] = (stmt.line, old)
        else:
            copied |= _copied_back(text, away)
    return out


_UPDATE_ALL = re.compile(rf"^\s*UPDATE\s+{_NAME}\s+SET\s+{_NAME}\s*=(.*)$", re.I | re.S)


def _copied_back(text: str, away: dict[tuple[str, str], tuple[int, str]]) -> set[tuple[str, str]]:
    """The renamed-away columns an ``UPDATE t SET own = <expr of renamed>`` with no WHERE
    copies into the column that took back their name (every row, not some)."""
    m = _UPDATE_ALL.match(text)
    if m is None or re.search(r"\b(?:WHERE|FROM)\b", m.group(3), re.I):
        return set()
    table, target, value = _base(m.group(1)), _base(m.group(2)), m.group(3)
    return {
        (t, renamed)
        for (t, renamed), (_, own) in away.items()
        if (t, own) == (table, target) and re.search(rf"\b{re.escape(renamed)}\b", value, re.I)
    }


def added_columns(statements: Iterable[Statement]) -> set[tuple[str, str]]:
    """(table, column) of every column the statements add (lower case)."""
    out = set()
    for stmt in statements:
        if m := _ADD_COLUMN.match(strip_comments(stmt.text)):
            out.add((_base(m.group(1)), _base(m.group(2))))
    return out


def cockroach_text(sql: str) -> str:
    """CockroachDB's own syntax rewritten to PostgreSQL's for the parser: ``ADD
    CONSTRAINT IF NOT EXISTS``, hash-sharded indexes, ``STORING`` columns."""
    sql = re.sub(r"\bADD\s+CONSTRAINT\s+IF\s+NOT\s+EXISTS\b", "ADD CONSTRAINT", sql, flags=re.I)
    sql = re.sub(r"\bUSING\s+HASH(?:\s+WITH\s*\([^)]*\))?", "", sql, flags=re.I)
    return re.sub(r"\bSTORING\s*\(", "INCLUDE (", sql, flags=re.I)


def _base(name: str) -> str:
    return name.rsplit(".", 1)[-1].strip('`"[]').lower()
