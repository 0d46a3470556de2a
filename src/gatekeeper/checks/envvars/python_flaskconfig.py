"""Flask's prefixed environment: every key of the config class is a variable.

``app.config.from_object(DefaultConfig)`` followed by
``app.config.from_prefixed_env(prefix="GRAMPSWEB")`` lets the environment override each
upper-case attribute of ``DefaultConfig`` under the prefix: ``EMAIL_USE_SSL = None`` in
the class is read from ``GRAMPSWEB_EMAIL_USE_SSL``. Without a prefix Flask uses
``FLASK``. An attribute the change adds to such a class is a new variable whoever deploys
the app may set, and projects document it by the key's name (a table of config options
that says they are read with the prefix), so the bare key is the read's alias.

The classes are found from the modules that call ``from_prefixed_env`` (one ``git grep``
a side): each ``from_object(X)`` there names a class of the same module or one imported
from the repository (or a dotted string naming one). Only upper-case attributes count,
as only they become config keys; a base class of the same module gives its own.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

from gatekeeper.checks.envvars.model import EnvRead

#: Flask's prefix when the call names none
DEFAULT_PREFIX = "FLASK"
_KEY = re.compile(r"[A-Z][A-Z0-9_]*")

#: (module path, class name) -> prefix
Classes = dict[tuple[str, str], str]
Find = Callable[[str, int, str], "str | None"]


#: an indented upper-case assignment: what a config class's body is made of
_INDENTED_KEY = re.compile(r"^[ \t]+[A-Z][A-Z0-9_]*[ \t]*(?::[^=\n]*)?=", re.M)


def may_hold_keys(text: str) -> bool:
    """Whether a module may define a config class (so the repository is asked which
    classes Flask reads): a class and an indented upper-case assignment."""
    return "class " in text and _INDENTED_KEY.search(text) is not None


def prefixed_classes(calling: list[str], read: Callable[[str], str | None], find: Find) -> Classes:
    """The config classes the modules ``calling`` hand to ``from_object`` where they
    also call ``from_prefixed_env``, each with its prefix."""
    out: Classes = {}
    for path in calling:
        text = read(path)
        tree = _parse(text) if text is not None else None
        if tree is None:
            continue
        prefix = _prefix(tree)
        if prefix is None:
            continue
        imports = _imports(tree)
        for arg in _from_object_args(tree):
            where = _class_of(arg, path, imports, find)
            if where is not None:
                out.setdefault(where, prefix)
    return out


def class_reads(text: str, path: str, classes: Classes) -> list[EnvRead]:
    """The variables the config classes of module ``path`` are read from."""
    names = {name: prefix for (where, name), prefix in classes.items() if where == path}
    if not names:
        return []
    tree = _parse(text)
    if tree is None:
        return []
    defined = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    reads: list[EnvRead] = []
    for name, prefix in names.items():
        for node in _with_bases(defined.get(name), defined):
            for stmt in node.body:
                for key in _targets(stmt):
                    how = f"Flask's from_prefixed_env override of {name}.{key}"
                    variable = f"{prefix}_{key}" if prefix else key
                    reads.append(EnvRead(variable, stmt.lineno, how, aliases=(key,)))
    return sorted(reads, key=lambda r: r.line)


def _parse(text: str) -> ast.Module | None:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        return None


def _prefix(tree: ast.Module) -> str | None:
    """The prefix of the module's ``*.from_prefixed_env(...)`` call; None without one, or
    when it is computed (no names can be claimed then)."""
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and _attr(node.func) == "from_prefixed_env"):
            continue
        given: ast.expr | None = node.args[0] if node.args else None
        for keyword in node.keywords:
            if keyword.arg == "prefix":
                given = keyword.value
        if given is None:
            return DEFAULT_PREFIX
        if isinstance(given, ast.Constant) and isinstance(given.value, str):
            return given.value.rstrip("_")
        return None
    return None


def _from_object_args(tree: ast.Module) -> list[ast.expr]:
    return [
        node.args[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _attr(node.func) == "from_object" and node.args
    ]


def _imports(tree: ast.Module) -> dict[str, tuple[str, int, str]]:
    """Local name -> (module, level, name) of each ``from m import name``."""
    out: dict[str, tuple[str, int, str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                out[alias.asname or alias.name] = (node.module or "", node.level, alias.name)
    return out


def _class_of(
    arg: ast.expr, path: str, imports: dict[str, tuple[str, int, str]], find: Find
) -> tuple[str, str] | None:
    """(module path, class name) that ``from_object``'s argument names."""
    if isinstance(arg, ast.Name):
        if arg.id not in imports:
            return path, arg.id
        module, level, name = imports[arg.id]
        found = find(module, level, path)
        return (found, name) if found is not None else None
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
        module, _, name = arg.value.rpartition(".")
        found = find(module, 0, path)
        return (found, name) if found is not None else None
    return None


def _with_bases(node: ast.ClassDef | None, defined: dict[str, ast.ClassDef]) -> list[ast.ClassDef]:
    """``node`` and the bases it has in the same module, nearest last (each once)."""
    out: list[ast.ClassDef] = []
    todo = [node] if node is not None else []
    while todo:
        current = todo.pop()
        if current in out:
            continue
        out.insert(0, current)
        todo += [
            defined[b.id] for b in current.bases if isinstance(b, ast.Name) and b.id in defined
        ]
    return out


def _targets(stmt: ast.stmt) -> list[str]:
    """The upper-case keys an attribute assignment of a class binds."""
    if isinstance(stmt, ast.Assign):
        names = [t.id for t in stmt.targets if isinstance(t, ast.Name)]
    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
        names = [stmt.target.id]
    else:
        return []
    return [n for n in names if _KEY.fullmatch(n)]


def _attr(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else ""
