"""Whether a SQL text (a query file, a string in code) reads a table's column.

Each statement is parsed with PostgreSQL's grammar (pglast). The column's name counts as
read wherever it appears, except where the statement shows it belongs to another table:
a statement that names no relation of that table, or a reference qualified by another
table or its alias (``crate_downloads.downloads`` while ``crates.downloads`` is dropped).
A function or ``DO`` body is SQL in a string, so a mention there counts; so does any
mention in a statement that does not parse: the reader fails closed.
"""

from __future__ import annotations

import re
from typing import Any

#: statements whose bodies are SQL the parser sees only as a string
_BODIES = ("CreateFunctionStmt", "DoStmt", "CreateTrigStmt", "RuleStmt")


def reads(text: str, table: str, column: str) -> bool:
    """Whether ``text`` reads ``table.column`` (see the module's rules)."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    if not re.search(rf"\b{re.escape(column)}\b", text, re.IGNORECASE):
        return False
    try:
        statements = parse_sql(text)
    except (ParseError, ValueError, RecursionError):
        return True
    for raw in statements:
        start = raw.stmt_location or 0
        length = raw.stmt_len or len(text) - start
        piece = text[start : start + length]
        if re.search(rf"\b{re.escape(column)}\b", piece, re.I) and _reads(
            raw.stmt, piece, start, table.lower(), column.lower()
        ):
            return True
    return False


def statements(text: str) -> list[Any] | None:
    """``text`` parsed as PostgreSQL statements, or None when it does not parse (or
    holds none)."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    try:
        parsed = parse_sql(text)
    except (ParseError, ValueError, RecursionError):
        return None
    return list(parsed) or None


def fragment_reads(text: str, table: str, column: str) -> bool:
    """Whether a SQL expression (diesel's ``sql::<BigInt>("SUM(t.c)")``), read as the
    target of a ``SELECT``, names ``column`` unqualified or qualified by ``table``; one
    that does not parse as an expression is judged as statements (:func:`reads`)."""
    from pglast import parse_sql
    from pglast.parser import ParseError

    if not re.search(rf"\b{re.escape(column)}\b", text, re.IGNORECASE):
        return False
    try:
        parsed = parse_sql(f"SELECT {text}")
    except (ParseError, ValueError, RecursionError):
        return reads(text, table, column)
    if len(parsed) != 1:
        return reads(text, table, column)
    relations: dict[str, str] = {}
    refs: list[tuple[str, ...]] = []
    _walk(parsed[0].stmt, relations, refs)
    owners = {table.lower(), *(a for a, r in relations.items() if r == table.lower())}
    return any(
        f and f[-1] == column.lower() and (len(f) == 1 or f[-2] in owners) for f in refs
    ) or (
        table.lower() in relations.values()
        and _reads(parsed[0].stmt, text, 0, table.lower(), column.lower())
    )


def _reads(stmt: Any, piece: str, start: int, table: str, column: str) -> bool:
    if type(stmt).__name__ in _BODIES:
        return True
    relations: dict[str, str] = {}
    refs: list[tuple[str, ...]] = []
    _walk(stmt, relations, refs)
    if table not in relations.values():
        return not relations  # a statement naming no relation cannot be placed
    for fields in refs:
        if not fields or fields[-1] != column:
            continue
        if len(fields) == 1:
            return True  # unqualified, in a statement reading the table
        owner = relations.get(fields[-2])
        if owner is None or owner == table:
            return True
    # every reference of the column is qualified by another relation; a mention that is
    # no column reference (an INSERT's or UPDATE's target list) counts as read
    return _targets_column(stmt, relations, table, column)


def _walk(node: Any, relations: dict[str, str], refs: list[tuple[str, ...]]) -> None:
    """Collect the relations (by alias and by name) and column references of a tree."""
    name = type(node).__name__
    if name == "RangeVar":
        relname = str(node.relname).lower()
        relations[relname] = relname
        if node.alias is not None:
            relations[str(node.alias.aliasname).lower()] = relname
    elif name == "InsertStmt" and node.relation is not None:
        # ON CONFLICT's EXCLUDED is the row proposed for the INSERT's own table
        relations.setdefault("excluded", str(node.relation.relname).lower())
    elif name == "ColumnRef":
        fields = tuple(str(f.sval).lower() for f in node.fields if type(f).__name__ == "String")
        refs.append(fields)
    if isinstance(node, tuple | list):
        for item in node:
            _walk(item, relations, refs)
        return
    slots = getattr(type(node), "__slots__", None)
    if isinstance(slots, dict | tuple | list):
        for attr in slots:
            _walk(getattr(node, attr, None), relations, refs)


def _targets_column(stmt: Any, relations: dict[str, str], table: str, column: str) -> bool:
    """An INSERT's column list or an UPDATE's SET naming ``column`` of ``table``."""
    name = type(stmt).__name__
    if name not in ("InsertStmt", "UpdateStmt"):
        return False
    target = str(stmt.relation.relname).lower()
    columns = stmt.cols if name == "InsertStmt" else stmt.targetList
    return target == table and any(
        str(getattr(c, "name", "")).lower() == column for c in columns or ()
    )
