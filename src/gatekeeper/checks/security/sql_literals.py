"""Is a SQL string bandit flagged (B608) built from literals only?

Bandit's B608 fires on any string that looks like SQL and is built by formatting
(f-string, ``%``, ``+``, ``.format``), whatever goes into it. Injection needs a value the
program did not write itself; when every interpolated piece is a literal, or a name bound
only to literals in its scope (``TRUE = "TRUE" if postgres else "1"``, a module constant
``TABLE = "users"``), the query text is fixed at the time the code is written and nothing
can be injected. That is the whole test: any call, attribute, parameter, loop variable,
subscript or name bound to anything else keeps the finding.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

_Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
_CONSTANT = (str, int, float, bool, type(None))


class LiteralSql:
    """One parsed file, asked about the B608 findings on its lines."""

    def __init__(self, source: str) -> None:
        try:
            self.tree: ast.Module | None = ast.parse(source)
        except (SyntaxError, ValueError):
            self.tree = None

    def only_literals(self, line: int, end_line: int) -> bool:
        """True when the SQL-building expressions on ``line..end_line`` interpolate only
        literals (at least one such expression found, none with anything else)."""
        if self.tree is None:
            return False
        found = list(_builders(self.tree, line, end_line))
        return bool(found) and all(
            all(self._literal(part, scope, frozenset()) for part in parts) for parts, scope in found
        )

    def _literal(self, node: ast.expr, scope: _Scope, seen: frozenset[str]) -> bool:
        """``seen``: the names being resolved. A name met again (``sql = sql + ...``,
        ``A = B; B = A``) is built from itself, so it is not one fixed literal."""
        if isinstance(node, ast.Constant):
            return isinstance(node.value, _CONSTANT)
        if isinstance(node, ast.JoinedStr):
            return all(self._literal(v, scope, seen) for v in _pieces(node))
        if isinstance(node, ast.BinOp):
            return self._literal(node.left, scope, seen) and self._literal(node.right, scope, seen)
        if isinstance(node, ast.IfExp):
            return self._literal(node.body, scope, seen) and self._literal(node.orelse, scope, seen)
        if isinstance(node, ast.Tuple):
            return all(self._literal(e, scope, seen) for e in node.elts)
        if isinstance(node, ast.Name) and self.tree is not None and node.id not in seen:
            return _bound_to_literals(node.id, scope, self.tree, self, seen | {node.id})
        return False


def _pieces(node: ast.JoinedStr) -> Iterator[ast.expr]:
    for value in node.values:
        if isinstance(value, ast.FormattedValue):
            yield value.value
            if value.format_spec is not None:
                yield value.format_spec


def _builders(
    tree: ast.Module, line: int, end_line: int
) -> Iterator[tuple[list[ast.expr], _Scope]]:
    """The interpolated parts of each string-building expression on the lines, with the
    innermost function (or the module) around it."""
    for scope, node in _walk_scoped(tree):
        lo, hi = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or 0
        if hi < line or lo > end_line:
            continue
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.FormattedValue) for v in node.values
        ):
            yield list(_pieces(node)), scope
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
            yield [node.left, node.right], scope
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            yield [node.func.value, *node.args, *(k.value for k in node.keywords)], scope


def _walk_scoped(tree: _Scope) -> Iterator[tuple[_Scope, ast.AST]]:
    stack: list[tuple[_Scope, ast.AST]] = [(tree, tree)]
    while stack:
        scope, node = stack.pop()
        yield scope, node
        inner = node if isinstance(node, _Scope) else scope
        stack += [(inner, child) for child in ast.iter_child_nodes(node)]


def _bound_to_literals(
    name: str, scope: _Scope, tree: ast.Module, sql: LiteralSql, seen: frozenset[str]
) -> bool:
    """True when every binding of ``name`` in ``scope`` (or, if it binds none there and is
    not a parameter, at module level) assigns a literal."""
    if not isinstance(scope, ast.Module):
        if name in {a.arg for a in _params(scope)}:
            return False
        values = list(_bindings(name, scope))
        if values:
            return all(v is not None and sql._literal(v, scope, seen) for v in values)
    values = list(_bindings(name, tree))
    return bool(values) and all(v is not None and sql._literal(v, tree, seen) for v in values)


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[ast.arg]:
    a = fn.args
    return [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg, a.kwarg))]


def _bindings(name: str, scope: _Scope) -> Iterator[ast.expr | None]:
    """The values bound to ``name`` directly in ``scope`` (None: bound some other way,
    by a loop, ``with``, an import, a ``global`` or augmented assignment...)."""
    for _owner, node in _walk_scoped(scope):
        if _owner is not scope:
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    yield node.value
                elif any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target)):
                    yield None  # unpacking: the value is not one literal
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.target.id == name:
                yield node.value
        elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Store):
            if not _assigned_plainly(node, scope):
                yield None
        elif isinstance(node, ast.Global | ast.Nonlocal) and name in node.names:
            yield None
        elif isinstance(node, ast.Import | ast.ImportFrom):
            if any((a.asname or a.name.split(".")[0]) == name for a in node.names):
                yield None
        elif (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.name == name
            and node is not scope
        ):
            yield None


def _assigned_plainly(target: ast.Name, scope: _Scope) -> bool:
    """True when this store is the whole target of an ``x = ...`` or ``x: T = ...``."""
    for _owner, node in _walk_scoped(scope):
        if isinstance(node, ast.Assign) and target in node.targets:
            return True
        if isinstance(node, ast.AnnAssign) and node.target is target:
            return True
        if isinstance(node, ast.Assign) and any(target in ast.walk(t) for t in node.targets):
            return True  # reported as unpacking above
    return False
