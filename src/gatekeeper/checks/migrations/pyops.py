"""Read Alembic and Django migration files as syntax trees, never by importing them.

What comes out is the list of operations each side performs (``op.add_column(...)``,
``migrations.RunPython(...)``) with their literal arguments, which the reversibility
and safety rules then reason about.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import sys
from dataclasses import dataclass, field

#: modules an Alembic migration may import and still run in isolation
ISOLATED_MODULES = frozenset({"alembic", "sqlalchemy", "__future__"}) | frozenset(
    sys.stdlib_module_names
)


class MigrationSyntaxError(Exception):
    """The file is not valid Python; ``line`` is where the parser stopped."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Op:
    """One operation call: ``op.add_column("t", sa.Column("c", ...))``."""

    name: str
    args: tuple[ast.expr, ...]
    kwargs: dict[str, ast.expr]
    line: int
    #: the database a branch it sits in is for (``if dialect == "mysql":``), "" for any
    dialect: str = ""

    def arg(self, index: int, keyword: str) -> ast.expr | None:
        """The argument at ``index`` or passed as ``keyword``."""
        if keyword in self.kwargs:
            return self.kwargs[keyword]
        return self.args[index] if 0 <= index < len(self.args) else None

    def text(self, index: int, keyword: str) -> str | None:
        """A literal string argument (``op.f("x")`` unwrapped), or None when not literal."""
        return literal_str(self.arg(index, keyword))


#: where the table name sits in an ``op.*`` call; inside ``batch_alter_table`` it is left
#: out, so it is put back at this position to give both forms one signature
TABLE_POSITION = {
    "add_column": 0,
    "drop_column": 0,
    "alter_column": 0,
    "create_index": 1,
    "drop_index": 1,
    "create_unique_constraint": 1,
    "create_check_constraint": 1,
    "create_foreign_key": 1,
    "create_primary_key": 1,
    "drop_constraint": 1,
}


def literal_str(node: ast.expr | None) -> str | None:
    """The string a node spells literally (through ``op.f()`` / ``sa.text()``), else None."""
    if isinstance(node, ast.Call) and node.args and call_name(node) in ("f", "text", "quoted_name"):
        node = node.args[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def literal_value(node: ast.expr | None) -> object:
    """A literal constant's value (True, None, 3, "x"); ``...`` when not a constant."""
    if isinstance(node, ast.Constant):
        return node.value
    return ...


def call_name(node: ast.Call) -> str:
    """The called name: ``op.add_column`` -> ``add_column``; ``RunPython`` -> ``RunPython``."""
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    if isinstance(node.func, ast.Name):
        return node.func.id
    return ""


def parse(source: str, path: str) -> ast.Module:
    """Parse ``source`` or raise :class:`MigrationSyntaxError` with the line."""
    try:
        return ast.parse(source, filename=path)
    except SyntaxError as exc:
        return _raise(exc)
    except ValueError as exc:  # null bytes
        raise MigrationSyntaxError(str(exc), None) from exc


def _raise(exc: SyntaxError) -> ast.Module:
    raise MigrationSyntaxError(exc.msg, exc.lineno) from exc


@dataclass
class AlembicFile:
    """What an Alembic revision file declares and does."""

    revision: str | None = None
    down_revisions: tuple[str, ...] = ()
    has_downgrade: bool = False
    upgrade_ops: list[Op] = field(default_factory=list)
    downgrade_ops: list[Op] = field(default_factory=list)
    #: "ok", "empty" (pass / docstring only) or "raises" (NotImplementedError)
    downgrade_state: str = "ok"
    upgrade_state: str = "ok"
    downgrade_line: int | None = None
    #: the message of the NotImplementedError a "raises" downgrade() raises ("" without
    #: one): the revision's own statement of why it cannot be undone
    downgrade_reason: str = ""
    #: the SQL upgrade() runs when all it does is run literal SQL (``op.execute("...")``,
    #: ``conn.execute(sa.text("..."))``); None when it does anything else
    upgrade_sql: tuple[str, ...] | None = None
    #: top-level modules imported that are neither alembic, sqlalchemy nor stdlib
    foreign_imports: tuple[str, ...] = ()


def _revision_value(node: ast.expr) -> tuple[str, ...] | None:
    value = literal_value(node)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(node, ast.Tuple | ast.List):
        items = [literal_value(e) for e in node.elts]
        if all(isinstance(i, str) for i in items):
            return tuple(str(i) for i in items)
    return None


def read_alembic(source: str, path: str) -> AlembicFile:
    """Parse an Alembic revision file (raises :class:`MigrationSyntaxError`)."""
    tree = parse(source, path)
    info = AlembicFile()
    for node in tree.body:
        target, value = _assignment(node)
        if target == "revision" and value is not None:
            revs = _revision_value(value)
            info.revision = revs[0] if revs else None
        elif target == "down_revision" and value is not None:
            info.down_revisions = _revision_value(value) or ()
        elif isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            info.upgrade_ops = collect_ops(node)
            info.upgrade_state = body_state(node)
            info.upgrade_sql = only_sql(node.body)
        elif isinstance(node, ast.FunctionDef) and node.name == "downgrade":
            info.has_downgrade = True
            info.downgrade_ops = collect_ops(node, helpers=True)
            info.downgrade_state = body_state(node)
            info.downgrade_line = node.lineno
            info.downgrade_reason = raise_message(node) if info.downgrade_state == "raises" else ""
    info.foreign_imports = foreign_imports(tree)
    return info


#: calls that fetch a connection or wrap SQL text, run for no effect of their own
_PLUMBING = frozenset({"get_bind", "get_context", "text", "f", "inline_literal"})


def only_sql(body: list[ast.stmt]) -> tuple[str, ...] | None:
    """The literal SQL strings a function body executes, when executing them is all it
    does: every call is ``execute`` of a literal string or plumbing (a connection, sa.text),
    and ``if`` tests (``if is_postgres():``) only choose. None otherwise."""
    found: list[str] = []
    for stmt in body:
        if isinstance(stmt, ast.If):
            inner = [only_sql(stmt.body), only_sql(stmt.orelse)]
            if inner[0] is None or inner[1] is None:
                return None
            found += [*inner[0], *inner[1]]
            continue
        if not isinstance(stmt, ast.Expr | ast.Assign | ast.Pass):
            return None
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            name = call_name(node)
            if name == "execute":
                sql = literal_str(node.args[0] if node.args else None)
                if sql is None:
                    return None
                found.append(sql)
            elif name not in _PLUMBING:
                return None
    return tuple(found)


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        return (target.id if isinstance(target, ast.Name) else None), node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id, node.value
    return None, None


def body_state(func: ast.FunctionDef) -> str:
    """ "empty" for a body of only ``pass``/docstrings/``...``; "raises" when it raises
    NotImplementedError before doing anything; "ok" otherwise."""
    for stmt in func.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        if isinstance(stmt, ast.Raise) and stmt.exc is not None:
            exc = stmt.exc.func if isinstance(stmt.exc, ast.Call) else stmt.exc
            if isinstance(exc, ast.Name) and exc.id == "NotImplementedError":
                return "raises"
        return "ok"
    return "empty"


def raise_message(func: ast.FunctionDef) -> str:
    """The literal message of the first ``raise NotImplementedError("...")`` in a body
    (adjacent literals joined, as Python joins them); "" without one."""
    for stmt in func.body:
        if isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Call) and stmt.exc.args:
            first = stmt.exc.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                return " ".join(first.value.split())
            return ""
    return ""


#: the name given to a call of a helper function (not ``op.*``) when helpers are collected
HELPER = "<helper>"


def collect_ops(func: ast.FunctionDef, *, helpers: bool = False) -> list[Op]:
    """The ``op.*`` calls of a function, in source order, batch blocks resolved; with
    ``helpers``, also each call of a plain function given arguments (a helper of the
    module or an imported one), as an :data:`HELPER` operation."""
    ops: list[Op] = []
    _walk(func.body, {}, ops)
    if helpers:
        for node in ast.walk(func):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and (node.args or node.keywords)
                and node.func.id not in _BUILTIN_CALLS
            ):
                ops.append(Op(HELPER, tuple(node.args), {}, node.lineno))
        ops.sort(key=lambda o: o.line)
    return ops


_BUILTIN_CALLS = frozenset({"print", "len", "str", "int", "list", "dict", "set", "tuple",
                            "range", "sorted", "isinstance", "getattr", "format"})  # fmt: skip


def _walk(
    body: list[ast.stmt], batches: dict[str, str | None], ops: list[Op], dialect: str = ""
) -> None:
    for stmt in body:
        if isinstance(stmt, ast.If):
            # a branch for one database: ``if op.get_bind().dialect.name == "mysql":``
            _walk(stmt.body, batches, ops, branch_dialect(stmt.test) or dialect)
            _walk(stmt.orelse, batches, ops, dialect)
            continue
        if isinstance(stmt, ast.With):
            inner = dict(batches)
            for item in stmt.items:
                call = item.context_expr
                if (
                    isinstance(call, ast.Call)
                    and call_name(call) == "batch_alter_table"
                    and isinstance(item.optional_vars, ast.Name)
                ):
                    table = literal_str(keyword(call, "table_name", 0))
                    inner[item.optional_vars.id] = table
            _walk(stmt.body, inner, ops, dialect)
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                if node.func.attr in _NOT_OPERATIONS:
                    continue
                if isinstance(owner, ast.Name) and (owner.id == "op" or owner.id in batches):
                    op = _op(node, node.func.attr, batches.get(owner.id), owner.id)
                    ops.append(dataclasses.replace(op, dialect=dialect))


_BRANCH = re.compile(r"\b(mysql|mariadb|sqlite|postgres(?:ql)?|mssql|oracle)\b", re.IGNORECASE)


def branch_dialect(test: ast.expr) -> str:
    """The database an ``if`` test selects ("" when it names none, or several)."""
    names = {m.lower() for m in _BRANCH.findall(ast.unparse(test))}
    canonical = {{"mariadb": "mysql", "postgresql": "postgres"}.get(n, n) for n in names}
    if isinstance(test, ast.UnaryOp) or len(canonical) != 1:
        return ""  # ``if not is_sqlite`` or a test naming several: any database
    return str(canonical.pop())


_NOT_OPERATIONS = frozenset({"f", "batch_alter_table", "get_bind", "get_context", "inline_literal"})


def _op(node: ast.Call, name: str, table: str | None, owner: str) -> Op:
    args = list(node.args)
    if owner != "op" and name in TABLE_POSITION:
        pos = min(TABLE_POSITION[name], len(args))
        args.insert(pos, ast.Constant(table) if table is not None else ast.Name("?"))
    return Op(name, tuple(args), {k.arg: k.value for k in node.keywords if k.arg}, node.lineno)


def foreign_imports(tree: ast.Module) -> tuple[str, ...]:
    """Top-level packages imported that a scratch run cannot provide (the application)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                found.add("." * node.level + (node.module or ""))
                continue
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".", 1)[0]
            if top not in ISOLATED_MODULES:
                found.add(name)
    return tuple(sorted(found))


def read_django(source: str, path: str) -> list[ast.Call]:
    """The operation calls of a Django migration's ``operations``: the list it assigns,
    in every branch (``if connection.vendor == "postgresql": operations = [...]``), and
    what it appends or extends, in source order."""
    tree = parse(source, path)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == "Migration":
            found: list[ast.expr] = []
            for inner in ast.walk(node):
                found += _operations_in(inner)
            found.sort(key=lambda e: (e.lineno, e.col_offset))
            return _flatten(found)
    return []


def _operations_in(node: ast.AST) -> list[ast.expr]:
    """The operations one statement or call adds to ``operations``."""
    if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        named = any(isinstance(t, ast.Name) and t.id == "operations" for t in targets)
        value = node.value
        if named and isinstance(value, ast.List | ast.Tuple):
            return list(value.elts)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "operations"
        and node.args
    ):
        if node.func.attr in ("append", "insert"):
            return [node.args[-1]]
        if node.func.attr == "extend" and isinstance(node.args[0], ast.List | ast.Tuple):
            return list(node.args[0].elts)
    return []


def _flatten(elements: list[ast.expr]) -> list[ast.Call]:
    """Operation calls, those a ``SeparateDatabaseAndState`` runs on the database in
    place of it (its ``state_operations`` only change Django's model state)."""
    out: list[ast.Call] = []
    for e in elements:
        if not isinstance(e, ast.Call):
            continue
        if call_name(e) != "SeparateDatabaseAndState":
            out.append(e)
            continue
        inner = keyword(e, "database_operations", 0)
        if isinstance(inner, ast.List | ast.Tuple):
            out += _flatten(inner.elts)
    return out


def keyword(call: ast.Call, name: str, index: int | None = None) -> ast.expr | None:
    """A call's argument passed as ``name`` or at position ``index``."""
    for k in call.keywords:
        if k.arg == name:
            return k.value
    if index is not None and index < len(call.args):
        return call.args[index]
    return None
