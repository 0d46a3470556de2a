"""Edits of a merged Django migration that only touch its data steps.

Django records a migration by its app and name, so an edit of a merged one changes
nothing for databases that applied it; what matters is what it does where it has not
run yet. Its schema is what its ``operations`` other than ``RunPython`` build;
``RunPython`` steps write rows through the models ``apps`` hands them. A data step
narrowed, refactored or removed because it failed (bookwyrm removed one that called
model methods migrations cannot reach, and moved another from psycopg2's
``execute_values`` to ``executemany``; ArchiveBox fixed the imports and paths its
backfills used) leaves the schema a fresh database gets the same, and the rows an old
one holds as they were: a warning, as for Rails' model calls (:mod:`railsedits`).

Kept strict, since a data function can run anything:

- the ``Migration`` class with its ``RunPython`` operations left out must be the same,
  and so must every module-level statement it reads, transitively (a field default, a
  constant, the import that binds ``models``), and every module-level statement that
  binds no name (it runs on import);
- the code around the data steps (every other module-level statement, and the
  ``RunPython`` calls themselves) must not reach the schema: no SQL string that
  creates, alters, drops, renames or truncates, no ``execute`` of SQL that is not a
  literal, no use of the schema editor a data function receives but its
  ``connection``, no ``schema_editor()`` opened elsewhere, no ``call_command``, ``exec``,
  ``eval``, ``getattr`` or dynamic import through which anything could.
"""

from __future__ import annotations

import ast
import re
import sys

#: SQL that changes the schema rather than rows
_DDL = re.compile(
    r"\b(?:CREATE|ALTER|DROP|RENAME|TRUNCATE|GRANT|REVOKE|COMMENT\s+ON|DELETE)\b", re.I
)
#: calls through which code could reach anything
_OPAQUE = frozenset({
    "exec", "eval", "compile", "getattr", "setattr", "delattr", "__import__",
    "import_module", "call_command", "globals", "locals", "vars", "schema_editor",
    # the schema editor's own operations, whatever name it is passed by
    "create_model", "delete_model", "add_field", "remove_field", "alter_field",
    "alter_db_table", "alter_db_tablespace", "add_index", "remove_index", "rename_index",
    "add_constraint", "remove_constraint", "alter_unique_together",
    "alter_index_together", "alter_db_table_comment", "deferred_sql",
})  # fmt: skip
#: what a ``RunPython`` argument may be made of outside a lambda's body
_INERT = (ast.Name, ast.Attribute, ast.Constant, ast.Load, ast.arguments, ast.arg)
#: methods that hand SQL to the database: their SQL must be a literal
_SQL_CALLS = frozenset({"execute", "executemany", "executescript", "raw", "RawSQL", "extra"})


def same_schema_operations(before: ast.Module, after: ast.Module) -> bool:
    """True when the two versions differ, but only in their data steps (module
    docstring)."""
    old, new = _Module.read(before), _Module.read(after)
    if old is None or new is None or old.dumps == new.dumps:
        return False
    if old.schema != new.schema or old.loose != new.loose:
        return False
    reached = _closure(old.reads | new.reads, old, new)
    if any(old.bound.get(name) != new.bound.get(name) for name in reached):
        return False
    if old.star or new.star or old.kept_order(new) != new.kept_order(old):
        return False  # a star import may bind any name; reordered, a binding may change
    known = set(old.dumps) | {ast.dump(step) for step in old.steps}
    edited: list[ast.AST] = [s for s in new.statements if ast.dump(s) not in known]
    edited += [step for step in new.steps if ast.dump(step) not in known]
    names = _closure(set().union(*(_names(node) for node in edited)), new)
    reached_code = [s for name in sorted(names) for s in new.nodes.get(name, [])]
    return all(_data_only(node) for node in [*edited, *reached_code])


class _Module:
    """A migration module split into its schema part and the rest."""

    def __init__(self, schema: str, steps: list[ast.expr], reads: set[str]) -> None:
        self.schema = schema  # the Migration class without RunPython, dumped
        self.steps = steps  # the RunPython calls
        self.reads = reads  # the names the schema part reads
        self.bound: dict[str, list[str]] = {}  # name -> dumps of the statements binding it
        self.nodes: dict[str, list[ast.stmt]] = {}
        self.loose: list[str] = []  # statements that bind no name, in order
        self.dumps: list[str] = []
        self.statements: list[ast.stmt] = []  # every module-level one but the class

    @property
    def star(self) -> bool:
        return any(
            isinstance(s, ast.ImportFrom) and any(a.name == "*" for a in s.names)
            for s in self.statements
        )

    def kept_order(self, other: _Module) -> list[str]:
        """The dumps of the statements ``other`` also has, in this module's order."""
        theirs = set(other.dumps)
        kept = [d for d in self.dumps if d in theirs]
        return [d for i, d in enumerate(kept) if d not in kept[i + 1 :]]  # a repeat rebinds

    @classmethod
    def read(cls, tree: ast.Module) -> _Module | None:
        classes = [s for s in tree.body if isinstance(s, ast.ClassDef) and s.name == "Migration"]
        if len(classes) != 1:
            return None
        projected = _without_run_python(classes[0])
        if projected is None:
            return None
        klass, steps = projected
        module = cls(ast.dump(klass), steps, _names(klass))
        for stmt in tree.body:
            module.dumps.append(ast.dump(stmt))
            if stmt is classes[0]:
                continue
            module.statements.append(stmt)
            names = _binds(stmt)
            if not names:
                module.loose.append(ast.dump(stmt))
            for name in names:
                module.bound.setdefault(name, []).append(ast.dump(stmt))
                module.nodes.setdefault(name, []).append(stmt)
        for name, dumps in module.bound.items():
            # a statement repeated binds the same again: only its last place counts
            module.bound[name] = [d for i, d in enumerate(dumps) if d not in dumps[i + 1 :]]
        return module


def _without_run_python(klass: ast.ClassDef) -> tuple[ast.ClassDef, list[ast.expr]] | None:
    """A copy of the class with its ``operations`` list free of ``RunPython`` calls, and
    those calls; None when ``operations`` is no list literal."""
    copy = ast.parse(ast.unparse(klass)).body[0]
    assert isinstance(copy, ast.ClassDef)
    found: ast.List | None = None
    for stmt in copy.body:
        if not isinstance(stmt, ast.Assign):
            continue
        if [t.id if isinstance(t, ast.Name) else "" for t in stmt.targets] == ["operations"]:
            found = stmt.value if isinstance(stmt.value, ast.List) else None
            if found is None:
                return None  # a list built some other way: what it holds is unknown
    if found is None:
        return None
    steps = [e for e in found.elts if _is_run_python(e)]
    found.elts = [e for e in found.elts if not _is_run_python(e)]
    return copy, steps


def _is_run_python(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "RunPython"


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _binds(stmt: ast.stmt) -> list[str]:
    """The module-level names a statement binds (none for one that only runs)."""
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return [(a.asname or a.name).split(".")[0] for a in stmt.names]
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [stmt.name]
    if isinstance(stmt, ast.Assign | ast.AnnAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
        if all(isinstance(t, ast.Name | ast.Tuple) for t in targets):
            return names
    return []


def _closure(start: set[str], *modules: _Module) -> set[str]:
    """``start`` with every name the statements binding them read, in either version."""
    reached = set(start)
    todo = list(start)
    while todo:
        name = todo.pop()
        for module in modules:
            for stmt in module.nodes.get(name, []):
                for read in _names(stmt) - reached:
                    reached.add(read)
                    todo.append(read)
    return reached


def _data_only(node: ast.AST) -> bool:
    """Whether code may only write rows (module docstring)."""
    if isinstance(node, ast.Import | ast.ImportFrom):
        return _harmless_import(node)
    if _is_run_python(node) and not _inert_arguments(node):
        return False
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and not _loads_inert(
        node
    ):
        return False
    editors = _editor_params(node)
    for sub in ast.walk(node):
        if isinstance(sub, ast.Import | ast.ImportFrom) and not _harmless_import(sub):
            return False
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str) and _DDL.search(sub.value):
            return False
        if isinstance(sub, ast.Attribute) and sub.attr in _OPAQUE:
            return False
        if isinstance(sub, ast.Name) and (sub.id in _OPAQUE or sub.id in editors):
            return False
        if isinstance(sub, ast.Call) and (not _literal_sql(sub) or _loses_rows(sub)):
            return False
        if isinstance(sub, ast.Assign) and any(_erases(v) for v in [sub.value]):
            return False
    return True


def _loses_rows(call: ast.Call) -> bool:
    """A call that deletes rows or erases values: ``.delete()``, ``.update(x=None)``; an
    edited data step may write rows, never take them away (the damage lands on every
    database of an older release that upgrades)."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name in {"delete", "bulk_delete", "truncate"}:
        return True
    return name in {"update", "bulk_update"} and any(_erases(k.value) for k in call.keywords)


def _erases(value: ast.expr) -> bool:
    """A value that erases what a field held: None or an empty string."""
    return isinstance(value, ast.Constant) and value.value in (None, "")


def _loads_inert(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> bool:
    """A definition that runs no code as the module loads: no decorator, and annotations
    and defaults made only of names and constants."""
    if node.decorator_list:
        return False
    loaded: list[ast.expr] = []
    if isinstance(node, ast.ClassDef):
        loaded += [*node.bases, *(k.value for k in node.keywords)]
    else:
        args = node.args
        every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        loaded += [a.annotation for a in every if a is not None and a.annotation is not None]
        loaded += [d for d in [*args.defaults, *args.kw_defaults] if d is not None]
        loaded += [node.returns] if node.returns is not None else []
    return all(isinstance(sub, _INERT) for expr in loaded for sub in ast.walk(expr))


def _inert_arguments(step: ast.AST) -> bool:
    """Whether a ``RunPython`` call's arguments only name code (functions, lambdas,
    constants): they are evaluated as the module loads, where a call could run anything."""
    assert isinstance(step, ast.Call)
    for arg in [*step.args, *(k.value for k in step.keywords)]:
        for sub in ast.walk(arg):
            if isinstance(sub, ast.Lambda):
                continue
            if not isinstance(sub, _INERT) and not _in_lambda(sub, arg):
                return False
    return True


def _in_lambda(node: ast.AST, root: ast.AST) -> bool:
    """Whether ``node`` lies inside a lambda within ``root`` (it runs only when called)."""
    return any(
        isinstance(lam, ast.Lambda) and any(n is node for n in ast.walk(lam.body))
        for lam in ast.walk(root)
    )


def _harmless_import(node: ast.Import | ast.ImportFrom) -> bool:
    """An import of the standard library or Django: a project module's import runs its
    code, and what it hands a data step may do anything."""
    if isinstance(node, ast.ImportFrom):
        if node.level or node.module is None:
            return False
        roots = [node.module.split(".")[0]]
    else:
        roots = [alias.name.split(".")[0] for alias in node.names]
    if "__future__" in roots or any(alias.name == "*" for alias in node.names):
        return False  # it changes how the module compiles, or may bind any name
    return all(root == "django" or root in sys.stdlib_module_names for root in roots)


def _editor_params(node: ast.AST) -> set[str]:
    """The schema editor a data function receives (its second parameter): read only as
    ``<editor>.connection``, whose uses are left out of the walk by renaming them."""
    found: set[str] = set()
    for fn in ast.walk(node):
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            params = fn.args.posonlyargs + fn.args.args
            if len(params) >= 2:
                found.add(params[1].arg)
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and sub.attr == "connection"
            and isinstance(sub.value, ast.Name)
            and sub.value.id in found
        ):
            sub.value = ast.Name("_editor_connection")
    return found


def _literal_sql(call: ast.Call) -> bool:
    """A call that hands SQL to the database does so with a literal (f-string parts
    included): anything else could be built to change the schema."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in _SQL_CALLS:
        return True
    if name == "extra":
        return False
    first = call.args[0] if call.args else None
    return isinstance(first, ast.Constant | ast.JoinedStr) and not (
        isinstance(first, ast.Constant) and not isinstance(first.value, str)
    )
