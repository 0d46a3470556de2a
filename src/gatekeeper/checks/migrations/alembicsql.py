"""The SQL an Alembic ``upgrade()`` runs, as statements moves.py reads for copies.

keephq/keep fills a new column with ``op.execute("UPDATE ...")`` inside a
``batch_alter_table`` block before ``op.drop_column``: those strings are the statements
of the migration a copy is searched in (the rest of it is read by the Python reviewer).
"""

from __future__ import annotations

import ast

from gatekeeper.checks.migrations import pyops
from gatekeeper.checks.migrations.sqltext import Statement, split


def alembic_statements(tree: ast.Module) -> list[Statement]:
    """The SQL ``upgrade()`` executes as a statement of its own body (``op.execute("...")``,
    ``connection.execute(query)`` of a string the function or module assigns), each at
    the line of its call. Calls inside a branch or a loop are left out: they may not run
    on every database, nor once."""
    upgrade = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "upgrade"), None
    )
    if upgrade is None:
        return []
    out: list[Statement] = []
    body = _run_once(upgrade.body)
    for stmt in body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not isinstance(call, ast.Call) or pyops.call_name(call) != "execute" or not call.args:
            continue
        sql = _string(call.args[0], call.lineno, body, tree.body)
        if sql is not None:
            out += [Statement(s.text, call.lineno, call.lineno) for s in split(sql)]
    return out


def _run_once(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements of ``body`` that run once each, in order: those of ``with`` blocks
    too (``with op.batch_alter_table("t") as batch_op: batch_op.execute(...)``, as
    keephq/keep writes its copies), not those of a branch or a loop."""
    out: list[ast.stmt] = []
    for stmt in body:
        if isinstance(stmt, ast.With):
            out += _run_once(stmt.body)
        else:
            out.append(stmt)
    return out


def _string(
    node: ast.expr, line: int, function: list[ast.stmt], module: list[ast.stmt]
) -> str | None:
    """The literal string ``node`` is: written there, or what its name was last assigned
    (in the function before ``line``, else in the module); None when it is anything else."""
    if isinstance(node, ast.Call) and pyops.call_name(node) == "text" and node.args:
        node = node.args[0]
    if not isinstance(node, ast.Name):
        return pyops.literal_str(node)
    for scope, before in ((function, line), (module, None)):
        values = [
            stmt.value
            for stmt in scope
            if isinstance(stmt, ast.Assign)
            and [t.id for t in stmt.targets if isinstance(t, ast.Name)] == [node.id]
            and len(stmt.targets) == 1
            and (before is None or stmt.lineno < before)
        ]
        if values:
            return pyops.literal_str(values[-1])
    return None
