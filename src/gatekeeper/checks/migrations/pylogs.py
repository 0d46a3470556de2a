"""Log calls in a Python migration, which tell the operator what ran and change nothing.

An edit to a merged migration that only rewords, adds or removes a log line (fides
renaming the index in ``logger.info("... created successfully")``) leaves every database
that ran it as it was. A call is set aside only when it cannot run anything else: its
receiver is a logger the module itself binds, once, from a logging library (so no
other object can stand behind the name), and its arguments are plain values (strings,
names, attributes, f-strings of those) that call nothing.
"""

from __future__ import annotations

import ast

#: the methods of ``logging``, loguru and structlog loggers that emit a record
_LEVELS = frozenset({
    "debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log",
    "trace", "success", "msg",
})  # fmt: skip
#: modules whose own functions log (``logging.info(...)``)
_LOG_MODULES = frozenset({"logging"})
#: ``from <module> import <name>`` bindings that are loggers
_LOGGER_IMPORTS = frozenset({("loguru", "logger")})
#: factories whose result is a logger: ``logging.getLogger(...)``, ``structlog.get_logger()``
_FACTORIES = frozenset({
    ("logging", "getLogger"), ("structlog", "get_logger"), ("structlog", "getLogger"),
})  # fmt: skip


def without_log_calls(tree: ast.Module) -> ast.Module:
    """``tree`` with each statement that only logs removed (a body left empty gets a
    ``pass``, an ``else`` left empty goes); ``tree`` is changed in place."""
    if any(isinstance(n, ast.ImportFrom) and n.names[0].name == "*" for n in ast.walk(tree)):
        return tree  # a star import may bind any name, a logger's or print's
    loggers = _loggers(tree)
    printing = _binds(tree).get("print", 0) == 0
    if not loggers and not printing:
        return tree
    for node in ast.walk(tree):
        for field in ("body", "orelse", "finalbody"):
            stmts = getattr(node, field, None)
            if not isinstance(stmts, list) or not stmts:
                continue
            kept = [s for s in stmts if not _only_logs(s, loggers, printing=printing)]
            if len(kept) != len(stmts):
                setattr(node, field, kept or ([ast.Pass()] if field == "body" else []))
    return tree


def _loggers(tree: ast.Module) -> frozenset[str]:
    """The names bound once in the module, at its top level, to a logging module, a
    library's logger or a logger factory's result."""
    found: set[str] = set()
    imported: dict[str, tuple[str, str]] = {}  # local name -> (module, name) it imports
    for stmt in tree.body:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name in _LOG_MODULES:
                    found.add(alias.asname or alias.name)
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                local = alias.asname or alias.name
                imported[local] = (stmt.module, alias.name)
                if (stmt.module, alias.name) in _LOGGER_IMPORTS:
                    found.add(local)
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
            target = stmt.targets[0]
            if isinstance(target, ast.Name) and _factory(stmt.value, imported):
                found.add(target.id)
    binds = _binds(tree)
    return frozenset(n for n in found if binds.get(n, 0) == 1)


def _factory(value: ast.expr, imported: dict[str, tuple[str, str]]) -> bool:
    """``logging.getLogger(<plain>)`` or ``getLogger(<plain>)`` imported from logging."""
    if not isinstance(value, ast.Call) or not _plain_args(value):
        return False
    func = value.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return (func.value.id, func.attr) in _FACTORIES
    return isinstance(func, ast.Name) and imported.get(func.id) in _FACTORIES


#: nodes that bind the name they carry (an ``except`` or a pattern may carry none)
_NAMED = (
    ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler, ast.MatchAs,
    ast.MatchStar,
)  # fmt: skip


def _binds(tree: ast.Module) -> dict[str, int]:
    """How many times each name is bound anywhere in the module (assignments, loop and
    ``with`` targets, parameters, imports, definitions, handlers, ``global``)."""
    counts: dict[str, int] = {}
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names = [node.id]
        elif isinstance(node, ast.arg):
            names = [node.arg]
        elif isinstance(node, ast.alias):
            names = [node.asname or node.name.split(".", 1)[0]]
        elif isinstance(node, _NAMED):
            names = [node.name] if node.name else []
        elif isinstance(node, ast.Global | ast.Nonlocal):
            names = list(node.names)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names = [node.rest]
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return counts


def _only_logs(stmt: ast.stmt, loggers: frozenset[str], *, printing: bool) -> bool:
    """A statement that is one call of a logger's level method (or of the builtin
    ``print``) with plain arguments."""
    if not isinstance(stmt, ast.Expr) or not isinstance(stmt.value, ast.Call):
        return False
    call = stmt.value
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = func.value
        if not (isinstance(receiver, ast.Name) and receiver.id in loggers):
            return False
        if func.attr not in _LEVELS:
            return False
    elif not (printing and isinstance(func, ast.Name) and func.id == "print"):
        return False
    return _plain_args(call)


def _plain_args(call: ast.Call) -> bool:
    values = [*call.args, *(k.value for k in call.keywords)]
    return all(_plain(v) for v in values)


def _plain(node: ast.expr) -> bool:
    """A value whose reading calls nothing written here: a constant, a name, an
    attribute of one, an f-string, ``%`` or ``+`` of those, a tuple of them."""
    if isinstance(node, ast.Constant | ast.Name):
        return True
    if isinstance(node, ast.Attribute):
        return _plain(node.value)
    if isinstance(node, ast.Starred):
        return _plain(node.value)
    if isinstance(node, ast.JoinedStr):
        return all(_plain(v) for v in node.values)
    if isinstance(node, ast.FormattedValue):
        spec = node.format_spec
        return _plain(node.value) and (spec is None or _plain(spec))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return _plain(node.left) and _plain(node.right)
    if isinstance(node, ast.Tuple | ast.List):
        return all(_plain(e) for e in node.elts)
    return False
