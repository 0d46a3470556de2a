"""Existence guards added to a merged Python migration (Alembic).

A merged migration that failed on databases where its table or column was already there
(a setup that created the schema from the models, a second run after a partial one) is
often repaired by testing first: ``if "enabled" in columns: return`` before the
``add_column``, or ``if not inspector.has_table("trees"): op.create_table(...)``.
Alembic records a revision by its id, so databases that ran the migration never see
the edit; where it has not run and the object is missing, the guarded version runs the
same operations; where the object exists, it skips what would have failed. That is no
rewrite of what the migration does (gramps-web-api fc635ca7da), unlike any other edit.

A guard is recognised only when it cannot do anything but read the schema: its test and
the assignments it reads from call only SQLAlchemy's inspection (``op.get_bind()``,
``sa.inspect()``, ``Inspector.from_engine()``, ``get_columns()``, ``has_table()``...),
and every name it tests (the strings in the test, the table an inspection reads) is one
the guarded operations themselves name. A guard on another table, a dialect switch or a
query stays an edit of what runs.

The other way to skip what is there is to let it fail: cognee 84c7aeb1a5 wraps
``await_only(create_default_user())`` in ``try: ... except UserAlreadyExists: pass``.
Read as a guard only when the ``try`` holds one statement (so nothing after a failure
is skipped), its handlers only pass, and each catches an exception named for an object
already there (``...Exists``, ``Duplicate...``, never ``DoesNotExist``); the statement
itself must be the merged one, like any guarded operation.
"""

from __future__ import annotations

import ast
import re

#: SQLAlchemy calls that return a handle on the database or its inspector
_HANDLES = frozenset({"get_bind", "from_engine", "inspect"})
#: inspector calls that read what the schema holds
_FACTS = frozenset({
    "get_columns", "get_table_names", "get_indexes", "get_foreign_keys",
    "get_unique_constraints", "get_check_constraints", "get_pk_constraint",
    "get_view_names", "get_sequence_names", "get_schema_names", "get_enums",
    "has_table", "has_index", "has_sequence", "has_schema",
})  # fmt: skip
#: an exception named for an object that is already there
_EXISTS = re.compile(r"(?<!Not)Exists(?:Error|Exception)?$|^Duplicate[A-Z]")
#: builtins a guard may apply to what it read (they call nothing of the project)
_PURE = frozenset({"set", "list", "frozenset", "tuple", "sorted", "len", "any", "all", "str"})


def same_unguarded(before: ast.Module, after: ast.Module) -> bool:
    """Whether both versions run the same statements once existence guards (module
    docstring) and the imports only they used are set aside; the trees change."""
    old, new = (_unguarded(tree) for tree in (before, after))
    return old == new


def _unguarded(tree: ast.Module) -> tuple[list[str], list[str]]:
    """(sorted imports, other statements) of ``tree`` as dumps, guards removed."""
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.body = _strip(node.body) or [ast.Pass()]
    rest = [stmt for stmt in tree.body if not isinstance(stmt, (ast.Import, ast.ImportFrom))]
    used = _names(rest)
    imports = [
        ast.dump(stmt)
        for stmt in tree.body
        if isinstance(stmt, (ast.Import, ast.ImportFrom))
        and (
            (isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__")
            or any((a.asname or a.name).split(".")[0] in used for a in stmt.names)
        )
    ]
    return sorted(imports), [ast.dump(stmt) for stmt in rest]


def _strip(body: list[ast.stmt]) -> list[ast.stmt]:
    """``body`` with its existence guards removed (an early return) or opened (a guarded
    block becomes its statements), then without the probes nothing reads any more."""
    probes: dict[str, tuple[bool, set[str]]] = {}  # name -> (holds a fact, tables read)
    out: list[ast.stmt] = []
    for index, stmt in enumerate(body):
        bound = _probe_assignment(stmt, probes)
        if bound is not None:
            probes[bound[0]] = bound[1]
            out.append(stmt)
            continue
        if _skips_existing(stmt) and isinstance(stmt, ast.Try):
            out += _strip(stmt.body)  # ``try: <operation> except AlreadyExists: pass``
            continue
        tested = _guard_test(stmt, probes)
        if not tested or not isinstance(stmt, ast.If):
            out.append(stmt)
            continue
        if _returns(stmt.body) and not stmt.orelse and tested <= _strings(body[index + 1 :]):
            continue  # ``if <exists>: return`` before the operations it guards
        if not stmt.orelse and tested <= _strings(stmt.body):
            out += _strip(stmt.body)  # ``if <missing>: <operations>``
            continue
        if _returns(stmt.body) and tested <= _strings(stmt.orelse):
            out += _strip(stmt.orelse)
            continue
        out.append(stmt)
    return _without_unread(out, set(probes))


def _skips_existing(stmt: ast.stmt) -> bool:
    """``try: <one statement> except <X>AlreadyExists: pass``: the exception is named
    for an object already there (``AlreadyExists``, ``Exists``, ``Duplicate``: fastapi-
    users' ``UserAlreadyExists``, psycopg's ``DuplicateTable``), each handler only passes,
    and nothing runs in ``else`` or ``finally``. One statement only: an exception midway
    through several would skip the ones after it, which a guard never does."""
    if not isinstance(stmt, ast.Try) or len(stmt.body) != 1 or stmt.orelse or stmt.finalbody:
        return False
    return bool(stmt.handlers) and all(_existence_handler(h) for h in stmt.handlers)


def _existence_handler(handler: ast.ExceptHandler) -> bool:
    """A handler that only passes, for exceptions named for an object already there."""
    if handler.type is None or handler.name is not None:
        return False
    if not all(isinstance(s, ast.Pass) or _is_ellipsis(s) for s in handler.body):
        return False
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = [t.attr if isinstance(t, ast.Attribute) else getattr(t, "id", "") for t in types]
    return all(_EXISTS.search(name) for name in names)


def _is_ellipsis(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and stmt.value.value is Ellipsis
    )


def _probe_assignment(
    stmt: ast.stmt, probes: dict[str, tuple[bool, set[str]]]
) -> tuple[str, tuple[bool, set[str]]] | None:
    """(name, (whether it holds a fact of the schema, tables read)) when ``stmt`` binds
    one name to an inspection of the schema (a handle such as ``op.get_bind()`` holds
    no fact)."""
    if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
        return None
    target = stmt.targets[0]
    if not isinstance(target, ast.Name) or not _reads_only(stmt.value, probes):
        return None
    return target.id, (_holds_fact(stmt.value, probes), _tables(stmt.value, probes))


def _guard_test(stmt: ast.stmt, probes: dict[str, tuple[bool, set[str]]]) -> set[str] | None:
    """The names an ``if`` tests when its test only reads facts of the schema (through
    an inspection call or a probe that made one); None for any other statement."""
    if not isinstance(stmt, ast.If) or not _reads_only(stmt.test, probes):
        return None
    if not _holds_fact(stmt.test, probes):
        return None
    return _tables(stmt.test, probes) | _keys_free_strings(stmt.test)


def _holds_fact(expr: ast.expr, probes: dict[str, tuple[bool, set[str]]]) -> bool:
    return any(
        (isinstance(n, ast.Call) and _called(n) in _FACTS)
        or (isinstance(n, ast.Name) and n.id in probes and probes[n.id][0])
        for n in ast.walk(expr)
    )


def _reads_only(expr: ast.expr, probes: dict[str, tuple[bool, set[str]]]) -> bool:
    """Whether ``expr`` calls nothing but inspection and pure builtins, and reads no
    dialect (a switch on the database is a behaviour, not a guard)."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            name = _called(node)
            if name not in _HANDLES | _FACTS | _PURE:
                return False
        elif (isinstance(node, ast.Attribute) and node.attr == "dialect") or isinstance(
            node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield)
        ):
            return False
    return any(
        (isinstance(n, ast.Call) and _called(n) in _HANDLES | _FACTS)
        or (isinstance(n, ast.Name) and n.id in probes)
        for n in ast.walk(expr)
    )


def _called(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _tables(expr: ast.expr, probes: dict[str, tuple[bool, set[str]]]) -> set[str]:
    """The string arguments of the inspection calls in ``expr`` and the tables the
    probes it reads had read."""
    out: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and _called(node) in _FACTS:
            out |= {
                a.value
                for a in [*node.args, *(k.value for k in node.keywords)]
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            }
        elif isinstance(node, ast.Name) and node.id in probes:
            out |= probes[node.id][1]
    return out


def _keys_free_strings(expr: ast.expr) -> set[str]:
    """The strings of ``expr`` that name something (not a subscript's key such as
    ``col["name"]``, not an inspection call's argument, counted by :func:`_tables`)."""
    skipped: set[int] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Subscript):
            skipped |= {id(n) for n in ast.walk(node.slice)}
        elif isinstance(node, ast.Call) and _called(node) in _FACTS:
            skipped |= {id(n) for a in node.args for n in ast.walk(a)}
            skipped |= {id(n) for k in node.keywords for n in ast.walk(k.value)}
    return {
        node.value
        for node in ast.walk(expr)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in skipped
    }


def _strings(body: list[ast.stmt]) -> set[str]:
    """Every string literal of ``body`` (the names its operations act on)."""
    return {
        node.value
        for stmt in body
        for node in ast.walk(stmt)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def _returns(body: list[ast.stmt]) -> bool:
    """Whether ``body`` only returns nothing (``return`` or ``return None``)."""
    kept = [stmt for stmt in body if not isinstance(stmt, ast.Pass)]
    if len(kept) != 1 or not isinstance(kept[0], ast.Return):
        return False
    value = kept[0].value
    return value is None or (isinstance(value, ast.Constant) and value.value is None)


def _without_unread(body: list[ast.stmt], probes: set[str]) -> list[ast.stmt]:
    """``body`` without the probe assignments whose name nothing else reads."""
    while True:
        unread = [
            stmt
            for stmt in body
            if isinstance(stmt, ast.Assign)
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id in probes
            and stmt.targets[0].id not in _names([s for s in body if s is not stmt])
        ]
        if not unread:
            return body
        body = [stmt for stmt in body if stmt not in unread]


def _names(body: list[ast.stmt]) -> set[str]:
    return {n.id for stmt in body for n in ast.walk(stmt) if isinstance(n, ast.Name)}
