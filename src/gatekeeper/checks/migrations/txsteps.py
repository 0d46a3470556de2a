"""Two steps a migration takes apart, undone by the transaction that holds them together.

Each step is safe in a migration of its own, and a reviewer passes it there: a constraint
added ``NOT VALID`` and validated later, an enum value added and used later. In the same
transaction the second step loses what made the first one safe:

- ``VALIDATE CONSTRAINT`` after the ``ADD CONSTRAINT ... NOT VALID`` of the same
  transaction scans every row while the lock the ADD took is still held (SHARE ROW
  EXCLUSIVE on both tables of a foreign key, ACCESS EXCLUSIVE for a check): writes wait
  for the whole scan, as without ``NOT VALID``. ``constraint-not-valid``, weighed by the
  table's size like the rule.
- a value ``ALTER TYPE ... ADD VALUE`` adds, used by a later statement of the same
  transaction, is refused by PostgreSQL ("unsafe use of new value"): the migration cannot
  run. ``enum-value-in-transaction`` as an error.

Read with PostgreSQL's grammar (pglast); statements it cannot read are skipped (the
safety review reports them as ``unreviewed-statement``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from gatekeeper.checks.migrations.hits import Hit
from gatekeeper.checks.migrations.sqltext import Statement
from gatekeeper.model import Level

#: statements that may name a new enum value without using it
_NO_USE = ("CommentStmt", "AlterEnumStmt")


def hits(
    statements: Iterable[Statement],
    *,
    in_transaction: bool,
    lines: Collection[int] | None = None,
) -> list[Hit]:
    """The hits of steps a transaction joins: the runner's (``in_transaction``) or one
    the file opens with ``BEGIN``; a ``COMMIT`` ends what it joins."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    unvalidated: dict[tuple[str, str], str] = {}
    added: dict[str, str] = {}
    out: list[Hit] = []
    for stmt in statements:
        try:
            parsed = parse_sql(stmt.text)
        except (ParseError, ValueError, RecursionError):
            continue
        touched = lines is None or any(n in lines for n in range(stmt.line, stmt.end_line + 1))
        for raw in parsed:
            node: Any = raw.stmt
            kind = type(node).__name__
            if kind == "TransactionStmt":
                step = node.kind.name
                if step in ("TRANS_STMT_BEGIN", "TRANS_STMT_START"):
                    in_transaction = True
                elif step in ("TRANS_STMT_COMMIT", "TRANS_STMT_ROLLBACK"):
                    in_transaction = False
                    unvalidated.clear()
                    added.clear()
                continue
            if not in_transaction:
                continue
            if kind == "AlterEnumStmt" and node.newVal:
                added[str(node.newVal)] = ".".join(_names(node.typeName))
            elif kind not in _NO_USE and touched:
                out += _uses(node, stmt, added)
            if kind == "AlterTableStmt":
                out += _constraints(node, stmt, unvalidated, touched=touched)
    return out


def _names(nodes: Any) -> list[str]:
    return [str(getattr(n, "sval", n)) for n in nodes or ()]


def _uses(node: Any, stmt: Statement, added: dict[str, str]) -> list[Hit]:
    """A later statement of the transaction holding a value added to an enum in it."""
    out = []
    for value, enum in added.items():
        if _literal(node, value):
            message = (
                f"Uses {value!r}, which ALTER TYPE {enum} ADD VALUE adds earlier in the same "
                "transaction: PostgreSQL refuses it (unsafe use of new value) and the "
                "migration fails. Add the value in a migration of its own."
            )
            out.append(
                Hit(
                    "enum-value-in-transaction",
                    message,
                    stmt.line,
                    f"{enum}:{value}:used",
                    level=Level.ERROR,
                )
            )
    return out


def _literal(node: Any, value: str) -> bool:
    """Whether a string constant of the tree is ``value``."""
    if type(node).__name__ == "String" and getattr(node, "sval", None) == value:
        return True
    if isinstance(node, tuple | list):
        return any(_literal(item, value) for item in node)
    slots = getattr(type(node), "__slots__", None)
    if isinstance(slots, dict | tuple | list):
        return any(_literal(getattr(node, attr, None), value) for attr in slots)
    return False


def _constraints(
    node: Any, stmt: Statement, unvalidated: dict[tuple[str, str], str], *, touched: bool
) -> list[Hit]:
    """Record constraints added NOT VALID; a VALIDATE of one of them is a hit."""
    table = str(node.relation.relname) if node.relation is not None else ""
    out = []
    for cmd in node.cmds or ():
        sub = getattr(getattr(cmd, "subtype", None), "name", "")
        con = getattr(cmd, "def_", None)
        if sub == "AT_AddConstraint" and con is not None and con.skip_validation:
            what = "foreign key" if con.contype.name == "CONSTR_FOREIGN" else "check constraint"
            unvalidated[(table.lower(), str(con.conname or "").lower())] = what
        elif sub == "AT_ValidateConstraint" and touched:
            found = unvalidated.get((table.lower(), str(cmd.name or "").lower()))
            if found:
                message = (
                    f"Validates {found} {cmd.name} on {table} in the transaction that added it "
                    "NOT VALID: the lock the ADD took is still held while every row is "
                    "checked, so writes wait as if NOT VALID were not there. Validate it in "
                    "a later migration."
                )
                out.append(
                    Hit(
                        "constraint-not-valid",
                        message,
                        stmt.line,
                        f"{table}:{cmd.name}:validated",
                        table=(table,),
                    )
                )
    return out
