"""Edits to a merged Django migration that leave what its forward side runs unchanged.

A Django migration is a Python module: databases that applied it ran its ``operations``
with the functions and SQL they name. Two kinds of edit keep that the same:

- tidying imports: an import whose names nothing uses, removed; an import moved out of a
  function to the top of the module, binding the same names to the same modules;
- the reverse side alone: ``RunPython``'s ``reverse_code`` (its second argument) and
  ``RunSQL``'s ``reverse_sql``, with new module-level functions that only those name.

Both are judged on a projection of the module: imports set aside, then every name the
remaining code reads must resolve to the same import in both versions (a removed import
still used would be a NameError at migrate time; an added one could rebind a name).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

#: the reverse side of an operation: its keyword, and its position when passed positionally
_REVERSE = {"RunPython": "reverse_code", "RunSQL": "reverse_sql"}
#: what an import guarded against its module's absence may catch
_IMPORT_ERRORS = {"ImportError", "ModuleNotFoundError"}
#: the nodes a reverse argument may hold outside a lambda: evaluated when the module
#: loads, so nothing there may call code (a lambda's body runs only on a rollback)
_INERT = (ast.Name, ast.Attribute, ast.Constant, ast.List, ast.Tuple, ast.Load, ast.Lambda)


@dataclass
class _View:
    """A module's forward code with its imports set aside."""

    body: list[ast.stmt]
    #: module-level import bindings, name -> [(non-import statements before it, source)]
    imports: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    #: imports leading a top-level function's body: index in ``body`` -> name -> source
    local: dict[int, dict[str, str]] = field(default_factory=dict)
    #: every module-level import, in order: compared whole when one is a star import
    order: list[str] = field(default_factory=list)
    star: bool = False


def same_module(before: ast.Module, after: ast.Module) -> bool:
    """True when the two versions differ only in imports nobody uses or imports moved
    out of functions to module level (``before`` and ``after`` are consumed)."""
    return _equivalent(before, after, reverse=False)


def only_reverse(before: ast.Module, after: ast.Module) -> bool:
    """True when, reverse arguments and the functions only they name set aside, the
    two versions are the same migration (``before`` and ``after`` are consumed)."""
    return _equivalent(before, after, reverse=True)


def _equivalent(before: ast.Module, after: ast.Module, *, reverse: bool) -> bool:
    views = [_view(t, reverse=reverse) for t in (before, after)]
    old, new = views
    if old is None or new is None:
        return False
    if ast.dump(ast.Module(old.body, [])) != ast.dump(ast.Module(new.body, [])):
        return False
    if (old.star or new.star) and old.order != new.order:
        return False  # a star import may bind any name: then no import may change
    return _resolved(old) == _resolved(new)


def _view(tree: ast.Module, *, reverse: bool) -> _View | None:
    body = list(tree.body)
    if reverse:
        if not _strip_reverse(tree):
            return None
        dropped = _reverse_only(body)
        body = [s for s in body if _plain_name(s) not in dropped]
    view = _View([])
    for stmt in body:
        if _is_import(stmt):
            view.star |= any(a.name == "*" for a in _aliases(stmt))
            view.order.append(ast.dump(stmt))
            for name, source in _bindings(stmt).items():
                view.imports.setdefault(name, []).append((len(view.body), source))
        else:
            view.body.append(stmt)
    for i, stmt in enumerate(view.body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            view.local[i] = _hoist(stmt)
    return view


def _hoist(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
    """Take the imports leading ``fn``'s body out of it; return the names they bind."""
    n = 0
    while n < len(fn.body) and _is_import(fn.body[n]):
        n += 1
    local: dict[str, str] = {}
    for stmt in fn.body[:n]:
        local.update(_bindings(stmt))
    fn.body = fn.body[n:] or [ast.Pass()]
    return local


def _strip_reverse(tree: ast.Module) -> bool:
    """Remove the reverse argument of every RunPython/RunSQL call in ``tree``; False
    when one could run code as the module loads (a call, a walrus: not a plain name)."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name not in _REVERSE:
            continue
        taken = node.args[1:2] + [k.value for k in node.keywords if k.arg == _REVERSE[name]]
        if not all(_inert(e) for e in taken):
            return False
        node.args = node.args[:1] + node.args[2:]
        node.keywords = [k for k in node.keywords if k.arg != _REVERSE[name]]
    return True


def _inert(expr: ast.expr) -> bool:
    if isinstance(expr, ast.Lambda):
        args = expr.args
        return not args.defaults and not any(args.kw_defaults)
    children = list(ast.iter_child_nodes(expr))
    return isinstance(expr, _INERT) and all(
        isinstance(c, ast.expr_context) or (isinstance(c, ast.expr) and _inert(c)) for c in children
    )


def _reverse_only(body: list[ast.stmt]) -> set[str]:
    """Module-level functions no forward code names (run after the reverse arguments are
    stripped): only a reverse argument, or another such function, calls them. Defining
    one runs nothing, so long as it has no decorator and its signature calls nothing."""
    keep = {n for n in map(_plain_name, body) if n is not None}
    while True:
        used: set[str] = set()
        for stmt in body:
            inside = _plain_name(stmt) in keep
            # a kept function's body runs only when called; its signature as it loads
            used |= set().union(*map(_names, _signature(stmt))) if inside else _names(stmt)
        if not keep & used:
            return keep
        keep -= used


def _plain_name(stmt: ast.stmt) -> str | None:
    """The name of a module-level function whose definition runs nothing (no decorator,
    no call in its signature), else None."""
    if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) or stmt.decorator_list:
        return None
    runs = (ast.Call, ast.NamedExpr, ast.Lambda)
    nodes = [n for part in _signature(stmt) for n in ast.walk(part)]
    return None if any(isinstance(n, runs) for n in nodes) else stmt.name


def _signature(stmt: ast.stmt) -> list[ast.AST]:
    """What defining a function evaluates as the module loads: defaults, annotations."""
    if not isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        return [stmt]
    return [stmt.args, *([stmt.returns] if stmt.returns else [])]


def _resolved(view: _View) -> dict[tuple[int, str], object]:
    """What each name the forward code reads resolves to, by statement: a function's own
    leading import, else the module's imports of it (for a function defined after all of
    them and a name nothing else binds: the last one, as when it runs)."""
    bound = set().union(*(_stored(s) for s in view.body))
    out: dict[tuple[int, str], object] = {}
    for i, stmt in enumerate(view.body):
        local = view.local.get(i)
        if local is None:
            for name in _names(stmt):
                out[i, name] = tuple(view.imports.get(name, ()))
            continue
        assert isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
        for name in _names(stmt.args) | set().union(*(_names(d) for d in stmt.decorator_list)):
            out[i, "@" + name] = tuple(view.imports.get(name, ()))
        for name in set().union(*(_names(s) for s in stmt.body)):
            seq = view.imports.get(name, [])
            if name in local:
                out[i, name] = local[name]
            elif seq and name not in bound and all(pos <= i for pos, _ in seq):
                out[i, name] = seq[-1][1]
            else:
                out[i, name] = tuple(seq)
    return out


def _names(node: ast.AST) -> set[str]:
    found: set[str] = set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            found.add(n.id)
        elif isinstance(n, ast.Global | ast.Nonlocal):
            found.update(n.names)
    return found


def _stored(stmt: ast.stmt) -> set[str]:
    """Names ``stmt`` may bind anywhere (an over-estimate: any name it assigns)."""
    found = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name)
             and not isinstance(n.ctx, ast.Load)}  # fmt: skip
    for n in ast.walk(stmt):
        if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.add(n.name)
        elif isinstance(n, ast.Global):
            found.update(n.names)
    return found


def _is_import(stmt: ast.stmt) -> bool:
    """A plain import (not ``__future__``: it changes how the module compiles), or a
    ``try`` of imports falling back to other imports on ImportError."""
    if isinstance(stmt, ast.ImportFrom):
        return stmt.module != "__future__"
    if isinstance(stmt, ast.Import):
        return True
    if not isinstance(stmt, ast.Try) or stmt.finalbody or not stmt.handlers:
        return False
    blocks = [stmt.body, stmt.orelse, *(h.body for h in stmt.handlers)]
    caught = [h.type for h in stmt.handlers]
    return all(isinstance(t, ast.Name) and t.id in _IMPORT_ERRORS for t in caught) and all(
        isinstance(s, ast.Pass) or _is_import(s) for b in blocks for s in b
    )


def _aliases(stmt: ast.stmt) -> list[ast.alias]:
    return [a for n in ast.walk(stmt) if isinstance(n, ast.Import | ast.ImportFrom)
            for a in n.names]  # fmt: skip


def _bindings(stmt: ast.stmt) -> dict[str, str]:
    """The names an import statement binds, each with what it binds it to: for a plain
    import, that one alias (so dropping ``models`` from ``from django.db import models,
    migrations`` leaves ``migrations`` as it was); for a guarded import, the whole try."""
    out: dict[str, str] = {}
    whole = ast.dump(stmt)
    for node in ast.walk(stmt):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        origin = f"{node.level}:{node.module}" if isinstance(node, ast.ImportFrom) else ""
        for a in node.names:
            name = a.asname or a.name.split(".", 1)[0]
            out[name] = whole if isinstance(stmt, ast.Try) else f"{origin}:{a.name}"
    return out
