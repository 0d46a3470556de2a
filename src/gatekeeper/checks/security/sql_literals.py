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
from collections.abc import Iterable, Iterator

_Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
_CONSTANT = (str, int, float, bool, type(None))
#: a string-building expression: its first and last line, its interpolated parts, its scope
_Builder = tuple[int, int, list[ast.expr], _Scope]


class LiteralSql:
    """One parsed file, asked about the B608 findings on its lines."""

    def __init__(self, source: str) -> None:
        try:
            self.tree: ast.Module | None = ast.parse(source)
        except (SyntaxError, ValueError):
            self.tree = None
        # one walk of the file serves every question: a module with thousands of
        # assignments made each name lookup walk its scope again (quadratic)
        self._builders: list[_Builder] = []
        self._bound: dict[_Scope, dict[str, list[ast.expr | None]]] = {}
        if self.tree is not None:
            nodes = list(_walk_scoped(self.tree))
            self._builders = list(_builders(nodes))
            self._bound = _index_bindings(nodes)

    def only_literals(self, line: int, end_line: int) -> bool:
        """True when the SQL-building expressions on ``line..end_line`` interpolate only
        literals (at least one such expression found, none with anything else)."""
        if self.tree is None:
            return False
        found = [
            (parts, scope)
            for lo, hi, parts, scope in self._builders
            if not (hi < line or lo > end_line)
        ]
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
        if isinstance(node, ast.Name) and node.id not in seen:
            return self._bound_to_literals(node.id, scope, seen | {node.id})
        return False

    def _bound_to_literals(self, name: str, scope: _Scope, seen: frozenset[str]) -> bool:
        """True when every binding of ``name`` in ``scope`` (or, if it binds none there and
        is not a parameter, at module level) assigns a literal."""
        if not isinstance(scope, ast.Module):
            if name in {a.arg for a in _params(scope)}:
                return False
            values = self._bindings(name, scope)
            if values:
                return all(v is not None and self._literal(v, scope, seen) for v in values)
        module = self.tree
        if module is None:  # pragma: no cover - only asked once the file parsed
            return False
        values = self._bindings(name, module)
        return bool(values) and all(
            v is not None and self._literal(v, module, seen) for v in values
        )

    def _bindings(self, name: str, scope: _Scope) -> list[ast.expr | None]:
        return self._bound.get(scope, {}).get(name, [])


def _pieces(node: ast.JoinedStr) -> Iterator[ast.expr]:
    for value in node.values:
        if isinstance(value, ast.FormattedValue):
            yield value.value
            if value.format_spec is not None:
                yield value.format_spec


def _builders(nodes: Iterable[tuple[_Scope, ast.AST]]) -> Iterator[_Builder]:
    """Each string-building expression's lines and interpolated parts, with the innermost
    function (or the module) around it."""
    for scope, node in nodes:
        lo, hi = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or 0
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.FormattedValue) for v in node.values
        ):
            yield lo, hi, list(_pieces(node)), scope
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
            yield lo, hi, [node.left, node.right], scope
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            yield lo, hi, [node.func.value, *node.args, *(k.value for k in node.keywords)], scope


def _walk_scoped(tree: _Scope) -> Iterator[tuple[_Scope, ast.AST]]:
    """Every node under ``tree`` (parents before their children), with the innermost
    function, lambda or module that owns it (a scope node is owned by the one around it)."""
    stack: list[tuple[_Scope, ast.AST]] = [(tree, tree)]
    while stack:
        scope, node = stack.pop()
        yield scope, node
        inner = node if isinstance(node, _Scope) else scope
        stack += [(inner, child) for child in ast.iter_child_nodes(node)]


def _params(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> list[ast.arg]:
    a = fn.args
    return [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg, a.kwarg))]


def _index_bindings(
    nodes: Iterable[tuple[_Scope, ast.AST]],
) -> dict[_Scope, dict[str, list[ast.expr | None]]]:
    """For each scope, the values bound to each name directly in it (None: bound some
    other way, by unpacking, a loop, ``with``, an import, a ``global`` or augmented
    assignment...). ``nodes`` lists parents before children, so an assignment's targets
    are marked plain before its stored names are met."""
    bound: dict[_Scope, dict[str, list[ast.expr | None]]] = {}
    plain: set[int] = set()  # ids of the names an ``x = ...`` or ``x: T = ...`` stores
    for scope, node in nodes:
        names = bound.setdefault(scope, {})
        for name, value in _bound_here(node, plain):
            names.setdefault(name, []).append(value)
    return bound


def _bound_here(node: ast.AST, plain: set[int]) -> Iterator[tuple[str, ast.expr | None]]:
    """What ``node`` itself binds in the scope that owns it."""
    if isinstance(node, ast.Assign):
        for target in node.targets:
            inner = list(ast.walk(target))
            plain.update(id(n) for n in inner)
            if isinstance(target, ast.Name):
                yield target.id, node.value
            else:  # unpacking, or a subscript: the value is not one literal
                yield from ((n.id, None) for n in inner if isinstance(n, ast.Name))
    elif isinstance(node, ast.AnnAssign):
        plain.add(id(node.target))
        if isinstance(node.target, ast.Name):
            yield node.target.id, node.value
    elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
        if id(node) not in plain:
            yield node.id, None
    elif isinstance(node, ast.Global | ast.Nonlocal):
        yield from ((name, None) for name in node.names)
    elif isinstance(node, ast.Import | ast.ImportFrom):
        yield from ((a.asname or a.name.split(".")[0], None) for a in node.names)
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name, None
