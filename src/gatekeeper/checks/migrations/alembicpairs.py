"""Pairing an Alembic revision's downgrade() with its upgrade().

Each operation is reduced to an effect (an added column, a dropped index, a rename...)
and every effect of ``upgrade()`` looks for its inverse among those of ``downgrade()``.
What finds none is what the downgrade leaves undone (:func:`unpaired`), which
:func:`.static.check_alembic` reports as ``down-incomplete``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from typing import TypeVar

from gatekeeper.checks.migrations import naming, pyops, sqleffects
from gatekeeper.checks.migrations.sqltext import split, strip_comments


def effect(op: pyops.Op) -> tuple[str, ...] | None:
    """What an operation does, as a comparable tuple; None when it cannot be told."""
    name = op.name
    pairs = {
        "add_column": ("+column", 0),
        "drop_column": ("-column", 0),
        "create_table": ("+table", None),
        "drop_table": ("-table", None),
        "create_index": ("+index", None),
        "drop_index": ("-index", None),
        "create_unique_constraint": ("+constraint", None),
        "create_check_constraint": ("+constraint", None),
        "create_foreign_key": ("+constraint", None),
        "create_primary_key": ("+constraint", None),
        "drop_constraint": ("-constraint", None),
    }
    if name in pairs:
        kind, table_pos = pairs[name]
        if table_pos is None:
            ident = op.text(0, _NAME_KEYWORDS.get(name, "name"))
            return (kind, ident.lower()) if ident else None
        table = op.text(0, "table_name")
        column = _column_name(op)
        return (kind, table.lower(), column.lower()) if table and column else None
    if name == "rename_table":
        old, new = op.text(0, "old_table_name"), op.text(1, "new_table_name")
        return ("rename-table", old.lower(), new.lower()) if old and new else None
    if name == "alter_column":
        return _alter_effect(op)
    if name == HELPER:
        return ("execute",)  # a helper's work cannot be read: it may be any reversal
    return None


#: the name :func:`pyops.collect_ops` gives calls in downgrade() to the module's own or an
#: imported helper (``remove_enum_value(op, "status", "x")``)
HELPER = pyops.HELPER


_NAME_KEYWORDS = {
    "create_table": "table_name",
    "drop_table": "table_name",
    "create_index": "index_name",
    "drop_index": "index_name",
    "drop_constraint": "constraint_name",
    "create_unique_constraint": "constraint_name",
    "create_check_constraint": "constraint_name",
    "create_foreign_key": "constraint_name",
    "create_primary_key": "constraint_name",
}


def _column_name(op: pyops.Op) -> str | None:
    if op.name == "drop_column":
        return op.text(1, "column_name")
    column = op.arg(1, "column")
    if isinstance(column, ast.Call):
        return pyops.literal_str(column.args[0] if column.args else pyops.keyword(column, "name"))
    return None


def _alter_effect(op: pyops.Op) -> tuple[str, ...] | None:
    table, column = op.text(0, "table_name"), op.text(1, "column_name")
    if not table or not column:
        return None
    new_name = op.text(-1, "new_column_name")
    if new_name:
        return ("rename-column", table.lower(), column.lower(), new_name.lower())
    return ("alter-column", table.lower(), column.lower())


def inverse(eff: tuple[str, ...]) -> tuple[str, ...]:
    """The effect that undoes ``eff``."""
    kind = eff[0]
    if kind[0] in "+-":
        return ("-" if kind[0] == "+" else "+") + kind[1:], *eff[1:]
    if kind == "rename-table":
        return (kind, eff[2], eff[1])
    if kind == "rename-column":
        return (kind, eff[1], eff[3], eff[2])
    return eff


#: databases whose DROP COLUMN drops every index and constraint involving the column
#: (MySQL refuses to drop a column a foreign key or a check on other columns too uses)
CASCADING_DROPS = frozenset({"postgres", "cockroach"})
#: databases whose DROP COLUMN drops an index on that column alone (SQLite refuses to
#: drop an indexed column)
INDEX_DROPS = CASCADING_DROPS | {"mysql", "mariadb"}


def unpaired(
    up: Iterable[pyops.Op],
    down: Iterable[pyops.Op],
    conventions: naming.Conventions | None = None,
    *,
    dialect: str = "",
) -> list[tuple[str, int]]:
    """Up operations with no inverse in the down: (description, line). Literal SQL is
    read where a pattern can (an index, a table, one column: see sqleffects.py); what is
    left of raw SQL in the up is paired with raw SQL or a helper call in the down, loosely:
    what either does is not read, the round trip proves it. ``conventions``: the names a
    created constraint gets from the project's naming convention (:mod:`.naming`);
    ``dialect``: the database, which decides what a dropped column takes with it."""
    up = list(up)
    literal = [pyops.literal_str(op.arg(0, "sqltext")) for op in up if op.name == "execute"]
    helpers = sqleffects.backfill_helpers([sql for sql in literal if sql])
    downs = [(eff, _raw(op)) for op in down for eff in _effects(op)]
    # a column the down drops, or the up adds, needs no undoing of what else was done to it
    settled = {e[1:3] for e, _ in downs if e[0] == "-column"}
    dropped = set(settled)
    ups = sqleffects.net([(eff, op) for op in up for eff in _effects(op, helpers)])
    settled |= {e[1:3] for e, _ in ups if e[0] == "+column"}
    ups = [
        (e, op)
        for e, op in ups
        if not (e[0] in ("alter-column", "rename-column") and e[1:3] in settled)
        and not _goes_with_columns(e, op, dropped, dialect)
    ]
    left = [(e, op) for e, op in ups if not _take(downs, _undoing(e, op, conventions or {}))]
    return [
        (f"{op.name} {'.'.join(e[1:]) if len(e) > 1 else 'raw SQL'}", op.line)
        for e, op in left
        if not (_raw(op) and _take(downs, _loosely_undoing(e)))
    ]


def _undoing(
    eff: tuple[str, ...], op: pyops.Op, conventions: naming.Conventions
) -> Callable[[tuple[tuple[str, ...], bool]], bool]:
    need = inverse(eff)
    table = op.text(1, "table_name")
    if eff[0] not in ("+constraint", "+index") or not table:
        return lambda down: down[0] == need
    also = {(need[0], n) for n in naming.names(conventions, op.name, table.lower(), eff[1])}
    return lambda down: down[0] == need or down[0] in also


def _goes_with_columns(
    eff: tuple[str, ...], op: pyops.Op, dropped: set[tuple[str, ...]], dialect: str
) -> bool:
    """A constraint, an index or a fill of a column the down drops: the values filled go
    with it, and the database drops an index or unique constraint on dropped columns
    alone (:data:`INDEX_DROPS`), or a check or foreign key naming one of them
    (:data:`CASCADING_DROPS`)."""
    if eff == ("execute",):
        return _fills_dropped(op, dropped)
    table = op.text(1, "table_name")
    if eff[0] not in ("+constraint", "+index") or not table:
        return False
    mine = {column for t, column in dropped if t == table.lower()}
    if dialect not in INDEX_DROPS:
        return False
    if op.name in ("create_check_constraint", "create_foreign_key") and (
        dialect not in CASCADING_DROPS
    ):
        return False
    if op.name == "create_check_constraint":
        condition = op.text(2, "condition") or ""
        return bool(mine & {w.lower() for w in re.findall(r"[A-Za-z_]\w*", condition)})
    if op.name == "create_foreign_key":
        local = _literal_list(op.arg(3, "local_cols"))
        return bool(local) and bool(mine & set(local))
    columns = _literal_list(op.arg(2, "columns"))
    return bool(columns) and all(c in mine for c in columns)


def _literal_list(node: ast.expr | None) -> list[str]:
    """The lowercased names of a literal list of columns; [] when one is not literal."""
    if not isinstance(node, ast.List | ast.Tuple):
        return []
    named = [pyops.literal_str(c) for c in node.elts]
    return [] if any(n is None for n in named) else [n.lower() for n in named if n]


#: ``UPDATE t SET c =`` (whitespace collapsed): the table and the first column it fills
_FILL = re.compile(
    r"UPDATE (?:ONLY )?(?:[\w$]+\.)?\"?([\w$]+)\"?(?: (?:AS )?\w+)? SET \"?([\w$]+)\"? =", re.I
)


def _fills_dropped(op: pyops.Op, dropped: set[tuple[str, ...]]) -> bool:
    """``op.execute(f"UPDATE t SET c = ...")``, SQL built with values (literal SQL is
    read statement by statement elsewhere), whose every statement fills a column the
    down drops. The interpolated values are read as a neutral literal: they may hold a
    value, not a statement of their own a reader would miss."""
    node = op.arg(0, "sqltext")
    if isinstance(node, ast.Call) and node.args and pyops.call_name(node) == "text":
        node = node.args[0]
    if op.name != "execute" or not isinstance(node, ast.JoinedStr):
        return False
    sql = "".join(
        v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "0"
        for v in node.values
    )
    statements = split(sql)
    for statement in statements:
        text = " ".join(strip_comments(statement.text).split())
        m = _FILL.match(text)
        if m is None or (m.group(1).lower(), m.group(2).lower()) not in dropped:
            return False
    return bool(statements)


def _loosely_undoing(eff: tuple[str, ...]) -> Callable[[tuple[tuple[str, ...], bool]], bool]:
    """Raw SQL or a helper in the down may undo raw SQL of the up when one of the two was
    not read: a read statement is only undone by its inverse or by something unread."""
    return lambda down: down[1] and ("execute",) in (down[0], eff)


def _effects(op: pyops.Op, helpers: frozenset[str] = frozenset()) -> list[tuple[str, ...]]:
    """What ``op`` does: literal SQL statement by statement, other operations as one;
    ``helpers``: the up's backfill helpers (sqleffects.backfill_helpers)."""
    if op.name == "execute":
        sql = pyops.literal_str(op.arg(0, "sqltext"))
        return [("execute",)] if sql is None else sqleffects.effects(sql, helpers)
    eff = effect(op)
    return [] if eff is None else [eff]


_T = TypeVar("_T")


def _raw(op: pyops.Op) -> bool:
    """Raw SQL or a helper call: what it does is not (all) read."""
    return op.name in ("execute", HELPER)


def _take(items: list[_T], wanted: Callable[[_T], bool]) -> bool:
    """Remove the first item ``wanted`` accepts; False when none does."""
    for i, item in enumerate(items):
        if wanted(item):
            del items[i]
            return True
    return False
