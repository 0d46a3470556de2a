"""Tell an Alembic ``upgrade()`` that only changes rows from one that changes the schema.

A data migration recomputes or fills values (``conn.execute(table.update()...)``): its
down may rightly do nothing, since no schema is left to undo. The reading is cautious:
one call the gate cannot place (a schema operation, SQL built at run time, a metadata
``create_all``) and the function is not data-only, so an empty down keeps blocking.
"""

from __future__ import annotations

import ast

from gatekeeper.checks.migrations.pyops import call_name, literal_str
from gatekeeper.checks.migrations.sqltext import fills_data_only, is_session, split

#: ``op.*`` calls that run or fetch something without changing the schema themselves
_OP_PLAIN = frozenset({"execute", "bulk_insert", "get_bind", "get_context", "f",
                       "inline_literal"})  # fmt: skip
#: SQLAlchemy Core builders: what an executed expression does, by the calls in its chain
_WRITES = frozenset({"update", "insert"})
_READS = frozenset({"select"})
#: calls that change the schema whatever object they are called on
_SCHEMA_CALLS = frozenset({"create_all", "drop_all", "create", "drop", "exec_driver_sql",
                           "executescript", "executemany"})  # fmt: skip


def upgrade_writes_rows_only(module: ast.Module) -> bool:
    """True when the revision's ``upgrade()`` (with the module's functions it calls)
    changes rows and nothing else: it executes SQLAlchemy ``update()``/``insert()``
    expressions, ``bulk_insert`` or literal UPDATE/INSERT, reads with ``select()``, and
    makes no schema call."""
    functions = {n.name: n for n in module.body if isinstance(n, ast.FunctionDef)}
    if "upgrade" not in functions:
        return False
    found = _Reading(functions, _sqlalchemy_names(module))
    return found.visit(functions["upgrade"]) and found.writes


class _Reading:
    def __init__(self, functions: dict[str, ast.FunctionDef], library: set[str]) -> None:
        self.functions = functions
        #: names bound to SQLAlchemy (``sa``, ``select``): code the gate knows
        self.library = library
        self.seen: set[str] = set()
        self.writes = False

    def visit(self, func: ast.FunctionDef) -> bool:
        """False as soon as a call in ``func`` (or a helper it calls) may change schema."""
        self.seen.add(func.name)
        bound = _bindings(func)
        put_back = _put_back(func)
        for node in ast.walk(func):
            if not isinstance(node, ast.Call) or id(node) in put_back:
                continue
            if not self._call(node, bound):
                return False
        return True

    def _call(self, node: ast.Call, bound: dict[str, ast.expr]) -> bool:
        name = call_name(node)
        owner = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(owner, ast.Name) and owner.id == "op" and name not in _OP_PLAIN:
            return False  # a schema operation
        if name in _SCHEMA_CALLS:
            return False
        if name == "bulk_insert":
            self.writes = True
        elif name == "execute":
            return self._executed(node.args[0] if node.args else None, bound)
        elif isinstance(node.func, ast.Name) and node.func.id in self.functions:
            helper = node.func.id
            return helper in self.seen or self.visit(self.functions[helper])
        elif _root(node) not in self.library and _hands_over_the_database(node, bound):
            return False  # code the gate cannot read, given what can change the schema
        return True

    def _executed(self, arg: ast.expr | None, bound: dict[str, ast.expr]) -> bool:
        sql = literal_str(arg)
        if sql is None and isinstance(arg, ast.Name) and arg.id in bound:
            sql = literal_str(bound[arg.id])
            arg = bound[arg.id]
        if sql is not None:
            return self._literal(sql)
        chain = _chain(arg)
        if chain & _WRITES:
            self.writes = True
            return True
        return bool(chain & _READS) and not chain & {"delete"}

    def _literal(self, sql: str) -> bool:
        if fills_data_only(sql):
            self.writes = True
            return True
        statements = [s.text for s in split(sql)]
        return all(is_session(s) or s.lstrip()[:6].upper() == "SELECT" for s in statements)


#: batch operations that make a constraint again under the name it was dropped by
_RECREATES = frozenset({"create_foreign_key", "create_unique_constraint",
                        "create_check_constraint", "create_primary_key"})  # fmt: skip


def _put_back(func: ast.FunctionDef) -> set[int]:
    """The calls (by ``id``) of ``op.batch_alter_table`` blocks in ``func`` that only drop
    constraints and create them again under the same names on the same tables (Mailu
    lifts its foreign keys to rewrite the keys they point at, then restores them): no
    schema is left changed. Empty when any block does anything else, names a table or
    constraint the gate cannot read, or a dropped constraint is not made again."""
    calls: set[int] = set()
    dropped: list[tuple[str, str]] = []
    made: list[tuple[str, str]] = []
    blocks = [n for n in ast.walk(func) if isinstance(n, ast.With)]
    for node in blocks:
        for item in node.items:
            opened, var = item.context_expr, item.optional_vars
            if not isinstance(opened, ast.Call) or call_name(opened) != "batch_alter_table":
                continue
            table = literal_str(opened.args[0] if opened.args else None)
            if _root(opened) != "op" or table is None or not isinstance(var, ast.Name):
                return set()
            calls.add(id(opened))
            for inner in (c for stmt in node.body for c in ast.walk(stmt)):
                if not isinstance(inner, ast.Call) or _root(inner) != var.id:
                    continue
                name = literal_str(inner.args[0] if inner.args else None)
                what = call_name(inner)
                if name is None or (what != "drop_constraint" and what not in _RECREATES):
                    return set()
                (dropped if what == "drop_constraint" else made).append((table, name))
                calls.add(id(inner))
    return calls if sorted(dropped) == sorted(made) else set()


#: calls that fetch a connection to the database the migration runs on
_CONNECTS = frozenset({"get_bind", "connect", "begin", "get_context"})


def _hands_over_the_database(node: ast.Call, bound: dict[str, ast.expr]) -> bool:
    """A call of code outside the module given ``op`` or the migration's connection
    (``ddl.apply(conn)``): it can do anything to the schema, so the function is not
    data-only. Row values handed to imported code (``runner.gen_hash(text)``) are fine."""
    if _chain(node) & _CONNECTS:
        return False  # fetching the connection itself
    for arg in [*node.args, *(k.value for k in node.keywords)]:
        if isinstance(arg, ast.Name) and arg.id == "op":
            return True
        value = bound.get(arg.id) if isinstance(arg, ast.Name) else arg
        if value is not None and _chain(value) & _CONNECTS:
            return True
    return False


def _sqlalchemy_names(module: ast.Module) -> set[str]:
    """Names the module binds to SQLAlchemy: ``import sqlalchemy as sa``, ``from
    sqlalchemy import select``, ``from sqlalchemy.sql import table``."""
    names: set[str] = set()
    for node in module.body:
        if isinstance(node, ast.Import):
            ours = [a for a in node.names if a.name.split(".")[0] == "sqlalchemy"]
            names |= {a.asname or a.name for a in ours}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            names |= {a.asname or a.name for a in node.names}
    return names


def _root(node: ast.expr) -> str:
    """The name a call chain starts from (``sa.Table(...)`` -> ``sa``), "" if none."""
    while isinstance(node, ast.Call | ast.Attribute):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else ""


def _bindings(func: ast.FunctionDef) -> dict[str, ast.expr]:
    """Names bound once in ``func`` to the expression they hold (a name bound twice is
    left out: which value reaches an ``execute`` is then unknown)."""
    counts: dict[str, int] = {}
    values: dict[str, ast.expr] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                counts[target.id] = counts.get(target.id, 0) + 1
                values[target.id] = node.value
    return {name: value for name, value in values.items() if counts[name] == 1}


def _chain(node: ast.expr | None) -> set[str]:
    """The names called along a method chain (``queries.update().where(..).values(..)``
    gives update, where, values), down to the object it starts from."""
    names: set[str] = set()
    while node is not None:
        if isinstance(node, ast.Call):
            names.add(call_name(node))
            node = node.func
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            break
    return names
