"""Columns a validated ``CHECK (column IS NOT NULL)`` already proves hold no NULL.

The recipe strong_migrations and squawk give for making a column of a large table NOT
NULL: add ``CHECK (c IS NOT NULL) NOT VALID`` (no scan), ``VALIDATE CONSTRAINT`` it in a
later migration (a scan that lets writes through), then ``SET NOT NULL``: since
PostgreSQL 12 that last step uses the valid constraint as proof and scans nothing, so it
holds its lock only for a moment. The statements are read in order (the merged chain,
the change's earlier migrations, the file's statements above the ``SET NOT NULL``): a
constraint added valid, or validated after ``NOT VALID``, proves its column until it is
dropped; a table dropped or renamed forgets what was proven of it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gatekeeper.checks.migrations.sqltext import Statement


class Proofs:
    """What the statements read so far prove, by (table, column)."""

    def __init__(self) -> None:
        self._valid: dict[tuple[str, str], tuple[str, str]] = {}
        self._pending: dict[tuple[str, str], tuple[str, str]] = {}

    def proven(self) -> set[tuple[str, str]]:
        """The (table, column) pairs a valid constraint proves NOT NULL."""
        return set(self._valid.values())

    def read(self, statements: Iterable[Statement]) -> None:
        """Follow ``statements`` (those the parser refuses are skipped)."""
        from pglast import parse_sql
        from pglast.parser import ParseError

        for statement in statements:
            try:
                parsed = parse_sql(statement.text)
            except (ParseError, ValueError, RecursionError):
                continue
            for raw in parsed:
                self._follow(raw.stmt)

    def _follow(self, node: Any) -> None:
        kind = type(node).__name__
        table = str(getattr(getattr(node, "relation", None), "relname", "") or "").lower()
        if kind == "CreateStmt":
            for element in node.tableElts or ():
                if type(element).__name__ == "Constraint":
                    self._add(table, element)
        elif kind in ("RenameStmt", "DropStmt"):
            self._valid.clear()  # a table renamed or dropped: forget rather than guess
            self._pending.clear()
        elif kind == "AlterTableStmt":
            for cmd in node.cmds or ():
                sub = cmd.subtype.name
                key = (table, str(cmd.name or "").lower())
                if sub == "AT_AddConstraint" and cmd.def_ is not None:
                    self._add(table, cmd.def_)
                elif sub == "AT_ValidateConstraint" and key in self._pending:
                    self._valid[key] = self._pending.pop(key)
                elif sub == "AT_DropConstraint":
                    self._valid.pop(key, None)
                    self._pending.pop(key, None)
                elif sub == "AT_DropColumn":
                    for store in (self._valid, self._pending):
                        for name in [k for k, v in store.items() if v == key]:
                            del store[name]

    def _add(self, table: str, con: Any) -> None:
        if getattr(con.contype, "name", "") != "CONSTR_CHECK" or not con.conname:
            return
        column = _not_null_test(con.raw_expr)
        if column:
            key = (table, str(con.conname).lower())
            (self._pending if con.skip_validation else self._valid)[key] = (table, column)


def _not_null_test(expr: Any) -> str:
    """The column of ``c IS NOT NULL`` (the whole check expression), else ''."""
    if type(expr).__name__ != "NullTest" or expr.nulltesttype.name != "IS_NOT_NULL":
        return ""
    arg = expr.arg
    if type(arg).__name__ != "ColumnRef" or len(arg.fields) != 1:
        return ""
    return str(getattr(arg.fields[0], "sval", "")).lower()
