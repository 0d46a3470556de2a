"""A Python module as the env-vars check sees it: its top-level names as symbols.

Imports of the libraries that read the environment (``os``, environs, django-environ,
decouple, dynaconf, pydantic, ``starlette.config``, ``everett.manager``, Airflow's
``airflow.configuration``) become library symbols; imports of anything else stay
unresolved until a name is used, then the
:class:`Resolver` looks them up in the repository. Assignments bind string constants, env
objects (``env = Env()``) and instances of the module's classes; functions and classes are
recorded for the walk (:mod:`python_walk`) that finds wrappers and reads.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Protocol

from gatekeeper.checks.envvars import pydantic_fields
from gatekeeper.checks.envvars.model import EnvRead
from gatekeeper.checks.envvars.python_values import (
    ClassInfo,
    Const,
    EnvObject,
    Func,
    Imported,
    Instance,
    Keys,
    Lib,
    Lookup,
    ModuleRef,
    Param,
    Symbol,
    keyword,
    literal,
)

#: modules whose names are bound as library symbols, never looked up in the repository
LIBRARIES = frozenset(
    {"os", "environs", "environ", "decouple", "dynaconf", "pydantic", "pydantic_settings"}
)
#: modules of larger libraries that read the environment (the rest of those libraries
#: stays unresolved, so a module that only uses, say, starlette's routing is not parsed)
_LIBRARY_MODULES = frozenset({"starlette.config", "everett.manager", "airflow.configuration"})
#: command-line libraries whose options name a variable (``envvar="X"``): their names are
#: library symbols, but importing them alone is no reason to parse a module (the
#: ``envvar`` gate word is)
CLI_LIBRARIES = frozenset({"click", "typer", "rich_click", "cloup", "asyncclick"})
#: text a module needs to contain to read variables or define a wrapper of its own
GATE = (
    ".environ",
    "environ[",
    "environ.",
    "import environ",
    "from environ",
    "getenv",
    "environs",
    "decouple",
    "starlette.config",
    "everett",
    "ynaconf",
    "LazySettings",
    "BaseSettings",
    "envvar",
    "airflow.configuration",
    "from configurations",
    "import configurations",
)
_OBJECT_CLASSES = {
    "environs.Env": "environs",
    "environ.Env": "django-environ",
    "environ.FileAwareEnv": "django-environ",
    "decouple.AutoConfig": "decouple",
    "decouple.Config": "decouple",
    "starlette.config.Config": "starlette",
    "dynaconf.Dynaconf": "dynaconf",
    "dynaconf.LazySettings": "dynaconf",
}
#: everett's manager class; its calls read ``KEY`` upper-cased
_EVERETT = "everett.manager.ConfigManager"
_OBJECTS = {
    "decouple.config": EnvObject("decouple"),
    "dynaconf.settings": EnvObject("dynaconf", "DYNACONF_"),
    "airflow.configuration.conf": EnvObject("airflow"),
}


class Resolver(Protocol):
    """Finds what a name imported from another module of the repository stands for."""

    def resolve(self, imported: Imported, importer: str) -> Symbol | None:
        """The symbol, or None when the module is not in the repository or not relevant."""


class _NoImports:
    def resolve(self, imported: Imported, importer: str) -> Symbol | None:
        return None


class Module:
    """One parsed module: its top-level symbols, wrappers, and (on request) its reads."""

    def __init__(self, tree: ast.Module, path: str = "", resolver: Resolver | None = None):
        self.tree, self.path = tree, path
        self.resolver: Resolver = resolver or _NoImports()
        self.symbols: dict[str, Symbol] = {}
        self.stars: list[Imported] = []
        self.classes: dict[int, ClassInfo] = {}
        self.funcs: dict[int, Func] = {}
        _build_table(self, tree.body)
        self.reads: list[EnvRead] = []  # filled by python_walk.analyse
        self.analysed = self.defined = False

    def lookup(self, name: str) -> Symbol | None:
        """A top-level name's symbol, resolving an import the first time it is used."""
        sym = self.symbols.get(name)
        if isinstance(sym, Imported):
            sym = self.resolver.resolve(sym, self.path)
            if sym is None:
                self.symbols.pop(name, None)
            else:
                self.symbols[name] = sym
            return sym
        if sym is None and self.stars and name not in self.symbols:
            for star in self.stars:
                found = self.resolver.resolve(Imported(star.module, name, star.level), self.path)
                if found is not None:
                    self.symbols[name] = found
                    return found
        return sym


def is_library(module: str) -> bool:
    """Whether names imported from ``module`` (absolute) are library symbols."""
    return module.partition(".")[0] in LIBRARIES or module in _LIBRARY_MODULES


def is_relevant(sym: Symbol | None) -> bool:
    """Whether a symbol can make code that uses it read the environment."""
    if isinstance(sym, Func):
        return bool(sym.wrappers)
    if isinstance(sym, ClassInfo):
        return sym.settings is not None or any(f.wrappers for f in sym.methods.values())
    if isinstance(sym, Instance):
        return is_relevant(sym.cls)
    return isinstance(sym, EnvObject | ModuleRef) or (
        isinstance(sym, Lib) and is_library(sym.qual.rpartition(".")[0] or sym.qual)
    )


# --- the symbol table -------------------------------------------------------------------


def _top_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import, including those inside top-level if/try/with blocks."""
    for stmt in body:
        if isinstance(stmt, ast.If | ast.With | ast.Try | ast.TryStar):
            yield from _top_level(stmt.body)
            for extra in ("orelse", "finalbody"):
                yield from _top_level(getattr(stmt, extra, []))
            for handler in getattr(stmt, "handlers", []):
                yield from _top_level(handler.body)
        else:
            yield stmt


def _build_table(mod: Module, body: list[ast.stmt]) -> None:
    seen: dict[str, int] = {}
    for stmt in _top_level(body):
        if (target := _prefix_target(mod, stmt)) is not None:
            mod.symbols[target[0]] = target[1]
            continue
        for name, sym in _bindings(mod, stmt):
            seen[name] = seen.get(name, 0) + 1
            if isinstance(sym, Func | ClassInfo):
                mod.symbols[name] = sym  # the last definition wins (``@overload`` stubs first)
            elif seen[name] > 1 and mod.symbols.get(name) != sym:
                mod.symbols.pop(name, None)  # rebound to something else: not a constant
                seen[name] = 99
            elif seen[name] == 1:
                mod.symbols[name] = sym


def _prefix_target(mod: Module, stmt: ast.stmt) -> tuple[str, EnvObject] | None:
    """``env.prefix = "APP_"`` on a module-level django-environ ``Env``: the name and the
    object, now reading every name behind that prefix (a prefix that is no literal changes
    nothing: the names stay the bare ones). Only the instance attribute counts:
    ``Env.__init__`` sets ``self.prefix = ""``, so a class attribute
    (``environ.Env.prefix = ...``) never reaches an instance."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(target := stmt.targets[0], ast.Attribute)
        and target.attr == "prefix"
        and isinstance(target.value, ast.Name)
    ):
        return None
    name = target.value.id
    sym = mod.symbols.get(name)
    if not isinstance(sym, EnvObject) or sym.kind != "django-environ":
        return None
    prefix = literal(stmt.value)
    return (name, EnvObject(sym.kind, prefix)) if prefix is not None else None


def _bindings(mod: Module, stmt: ast.stmt) -> list[tuple[str, Symbol]]:
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return _import_bindings(mod, stmt)
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        func = Func(stmt.name, stmt)
        mod.funcs[id(stmt)] = func
        return [(stmt.name, func)]
    if isinstance(stmt, ast.ClassDef):
        return [(stmt.name, class_info(mod, stmt))]
    if isinstance(stmt, ast.Assign | ast.AnnAssign) and stmt.value is not None:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        sym = _value_symbol(mod, stmt.value, names[0] if names else "")
        return [(n, sym) for n in names] if sym is not None else []
    return []


def _import_bindings(mod: Module, stmt: ast.Import | ast.ImportFrom) -> list[tuple[str, Symbol]]:
    out: list[tuple[str, Symbol]] = []
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            top = alias.name.split(".")[0]
            if alias.asname and top not in LIBRARIES:
                out.append((alias.asname, Imported(alias.name, "", 0)))
            else:
                out.append((alias.asname or top, Lib(alias.name if alias.asname else top)))
        return out
    module = stmt.module or ""
    for alias in stmt.names:
        if alias.name == "*":
            if stmt.level or not is_library(module):
                mod.stars.append(Imported(module, "*", stmt.level))
            continue
        bound = alias.asname or alias.name
        if stmt.level == 0 and (is_library(module) or module in CLI_LIBRARIES):
            out.append((bound, Lib(f"{module}.{alias.name}")))
        else:
            out.append((bound, Imported(module, alias.name, stmt.level)))
    return out


def class_info(mod: Module, node: ast.ClassDef) -> ClassInfo:
    """The class, its methods (registered as functions to walk) and its settings, if any."""
    info = ClassInfo(node.name, node, fields=pydantic_fields.field_names(node))
    for stmt in node.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            decorators = {getattr(d, "id", "") for d in stmt.decorator_list}
            func = Func(stmt.name, stmt, "staticmethod" not in decorators, owner=info)
            info.methods[stmt.name] = func
            mod.funcs[id(stmt)] = func
    info.settings = pydantic_fields.settings_conf(node, lambda n: qualify(mod, n))
    mod.classes[id(node)] = info
    return info


def _value_symbol(mod: Module, value: ast.AST, name: str) -> Symbol | None:
    """What ``name = value`` at the top level binds ``name`` to."""
    if isinstance(value, ast.Lambda):
        func = Func(name, value)
        mod.funcs[id(value)] = func
        return func
    if isinstance(value, ast.Tuple | ast.List):
        items = [literal(e) for e in value.elts]
        return Const(tuple(i for i in items if i is not None)) if None not in items else None
    if literal(value) is not None:
        return Const((literal(value) or "",))
    if isinstance(value, ast.Dict) and value.keys:
        keys = [literal(k) for k in value.keys]
        lines = tuple(k.lineno for k in value.keys if k is not None)
        return Keys(tuple(k for k in keys if k is not None), lines) if None not in keys else None
    if isinstance(value, ast.Call):
        return _made_by(mod, value)
    return qualify(mod, value)


def _made_by(mod: Module, call: ast.Call) -> Symbol | None:
    """The object a call at the top level makes, when it matters: an env object, an instance."""
    maker = qualify(mod, call.func)
    if isinstance(maker, ClassInfo):
        return Instance(maker)
    if isinstance(maker, Lib) and maker.qual.startswith(_EVERETT):
        return _everett_manager(mod, call, maker.qual)
    if not isinstance(maker, Lib) or maker.qual not in _OBJECT_CLASSES:
        return None
    kind = _OBJECT_CLASSES[maker.qual]
    if kind == "dynaconf":
        given = keyword(call, "envvar_prefix") or keyword(call, "ENVVAR_PREFIX_FOR_DYNACONF")
        if isinstance(given, ast.Constant) and given.value is False:
            return EnvObject(kind, "")
        prefix = literal(given) if given is not None else "DYNACONF"
        return EnvObject(kind, f"{prefix}_" if prefix else "")
    if kind == "django-environ":
        # its keywords are casting schemes (``Env(prefix=(str, ""))`` casts a variable
        # named ``prefix``); a prefix is set on the instance afterwards
        return EnvObject(kind)
    given = keyword(call, "env_prefix" if kind == "starlette" else "prefix")
    return EnvObject(kind, literal(given) or "")


def _everett_manager(mod: Module, call: ast.Call, qual: str) -> EnvObject | None:
    """An everett ``ConfigManager`` that reads the process environment: the one
    ``basic_config()`` makes, or one whose literal list of environments holds a
    ``ConfigOSEnv()`` (``from_dict``, or a list of dicts and files only, reads none)."""
    if qual == f"{_EVERETT}.basic_config":
        return EnvObject("everett")
    if qual != _EVERETT:
        return None
    given = call.args[0] if call.args else keyword(call, "environments")
    items = given.elts if isinstance(given, ast.List | ast.Tuple) else []
    for item in items:
        made = qualify(mod, item.func) if isinstance(item, ast.Call) else None
        if isinstance(made, Lib) and made.qual == "everett.manager.ConfigOSEnv":
            return EnvObject("everett")
    return None


def everett_prefix(call: ast.Call) -> str | None:
    """The start everett's ``config("key", namespace="ns")`` puts before the key it
    upper-cases (``NS_``), None when the namespace is computed at run time."""
    given = keyword(call, "namespace")
    if given is None or (isinstance(given, ast.Constant) and given.value is None):
        return ""
    namespace = literal(given)
    return f"{namespace.upper()}_" if namespace else None


def qualify(mod: Module, node: ast.AST, lookup: Lookup | None = None) -> Symbol | None:
    """What a name or attribute chain stands for (``os.environ`` -> Lib, ``env`` -> EnvObject);
    ``lookup`` sees a function's locals first."""
    if isinstance(node, ast.Name):
        found = lookup(node.id) if lookup is not None else mod.lookup(node.id)
        sym = None if isinstance(found, Param) else found
        if isinstance(sym, Lib) and sym.qual in _OBJECTS:
            return _OBJECTS[sym.qual]
        return sym
    if isinstance(node, ast.Attribute):
        inner = qualify(mod, node.value, lookup)
        if isinstance(inner, Lib):
            qual = f"{inner.qual}.{node.attr}"
            return _OBJECTS.get(qual, Lib(qual))
        if isinstance(inner, ModuleRef):
            return inner.lookup(node.attr)
    return None


def method_of(mod: Module, cls: ClassInfo, name: str, depth: int = 0) -> Func | None:
    """A method of ``cls`` or of a base class the module can resolve."""
    if name in cls.methods:
        return cls.methods[name]
    for base in cls.node.bases if depth < 5 else []:
        parent = qualify(mod, base)
        if isinstance(parent, ClassInfo):
            found = method_of(mod, parent, name, depth + 1)
            if found is not None:
                return found
    return None


def parse(source: str) -> ast.Module | None:
    """The module's AST, or None when it does not parse."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
