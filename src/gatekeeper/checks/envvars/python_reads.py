"""Environment reads in Python, found through the AST (with a textual fallback).

Recognised: ``os.environ[...]``, ``.get``, ``.setdefault``, ``.pop``, ``os.getenv``,
``"X" in os.environ``, and any alias of these; python-decouple ``config("X")``; environs
``env.str("X")`` (``Env(prefix=)``, ``env.prefixed("P_")``); django-environ ``env("X")``,
``env.bool("X")``, ``env.db()``; dynaconf ``settings.X`` / ``settings.get("x")`` (with its
``envvar_prefix``, by default ``DYNACONF_``); pydantic settings fields (see
:mod:`pydantic_fields`). Names may be literals, constants of the module or of the module
they are imported from, ``f"APP_{x}"`` built around them, or arguments of a *wrapper*: a
function of the repository that passes a parameter on to any of these reads
(``maybe_set(settings, "key", "NAME")``, ``get_bool_from_env("NAME")``, a method called
on an instance). Wrappers calling wrappers are followed within a module.
"""

from __future__ import annotations

import ast
import re
from collections import deque
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
    Lib,
    Lookup,
    ModuleRef,
    Param,
    Symbol,
    Value,
    Wrapper,
    evaluate,
    keyword,
    literal,
)

__all__ = ["EnvRead", "Module", "Resolver", "python_reads"]

#: modules whose names are bound as library symbols, never looked up in the repository
LIBRARIES = frozenset(
    {"os", "environs", "environ", "decouple", "dynaconf", "pydantic", "pydantic_settings"}
)
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
    "ynaconf",
    "LazySettings",
    "BaseSettings",
)
_MAPPING_METHODS = frozenset({"get", "setdefault", "pop", "__getitem__"})
_OBJECT_CLASSES = {
    "environs.Env": "environs",
    "environ.Env": "django-environ",
    "environ.FileAwareEnv": "django-environ",
    "decouple.AutoConfig": "decouple",
    "decouple.Config": "decouple",
    "dynaconf.Dynaconf": "dynaconf",
    "dynaconf.LazySettings": "dynaconf",
}
_OBJECTS = {
    "decouple.config": EnvObject("decouple"),
    "dynaconf.settings": EnvObject("dynaconf", "DYNACONF_"),
}
_GETTERS = frozenset(
    [
        "str",
        "int",
        "bool",
        "float",
        "decimal",
        "list",
        "dict",
        "json",
        "url",
        "path",
        "date",
        "datetime",
        "timedelta",
        "uuid",
        "log_level",
        "db",
        "db_url",
        "cache",
        "cache_url",
        "email",
        "email_url",
        "search_url",
        "enum",
        "tuple",
        "bytes",
        "smart_cast",
        "parse_value",
        "time",
    ]
)
#: django-environ getters that read a well-known variable when given no name
_DJANGO_DEFAULTS = {
    "db": "DATABASE_URL",
    "db_url": "DATABASE_URL",
    "cache": "CACHE_URL",
    "cache_url": "CACHE_URL",
    "email": "EMAIL_URL",
    "email_url": "EMAIL_URL",
    "search_url": "SEARCH_URL",
}
_DYNACONF_GETTERS = frozenset({"get", "get_fresh", "as_bool", "as_int", "as_float", "as_json"})
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_MAX_ROUNDS = 4


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
        self.reads: list[EnvRead] = []
        self._analysed = self._defined = False

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

    def define(self, source: str) -> None:
        """Find the wrappers only (for a module the changed files import); cached."""
        if not self._analysed and not self._defined:
            self._defined = True
            _define(self, source)

    def analyse(self) -> list[EnvRead]:
        """Find wrappers (to a fixed point) and every read; cached."""
        if not self._analysed:
            self._analysed = True
            for _ in range(_MAX_ROUNDS):
                before = _wrapper_count(self)
                self.reads = _walk_module(self)
                if _wrapper_count(self) == before:
                    break
        return self.reads


def _is_relevant(sym: Symbol | None) -> bool:
    if isinstance(sym, Func):
        return bool(sym.wrappers)
    if isinstance(sym, ClassInfo):
        return sym.settings is not None or any(f.wrappers for f in sym.methods.values())
    if isinstance(sym, Instance):
        return _is_relevant(sym.cls)
    return isinstance(sym, EnvObject | ModuleRef) or (
        isinstance(sym, Lib) and sym.qual.split(".")[0] in LIBRARIES
    )


def _wrapper_count(mod: Module) -> int:
    return sum(len(f.wrappers) for f in mod.funcs.values())


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
        for name, sym in _bindings(mod, stmt):
            seen[name] = seen.get(name, 0) + 1
            if isinstance(sym, Func | ClassInfo):
                mod.symbols[name] = sym  # the last definition wins (``@overload`` stubs first)
            elif seen[name] > 1 and mod.symbols.get(name) != sym:
                mod.symbols.pop(name, None)  # rebound to something else: not a constant
                seen[name] = 99
            elif seen[name] == 1:
                mod.symbols[name] = sym


def _bindings(mod: Module, stmt: ast.stmt) -> list[tuple[str, Symbol]]:
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return _import_bindings(mod, stmt)
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        func = Func(stmt.name, stmt)
        mod.funcs[id(stmt)] = func
        return [(stmt.name, func)]
    if isinstance(stmt, ast.ClassDef):
        return [(stmt.name, _class_info(mod, stmt))]
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
            if stmt.level or module.split(".")[0] not in LIBRARIES:
                mod.stars.append(Imported(module, "*", stmt.level))
            continue
        bound = alias.asname or alias.name
        if stmt.level == 0 and module.split(".")[0] in LIBRARIES:
            out.append((bound, Lib(f"{module}.{alias.name}")))
        else:
            out.append((bound, Imported(module, alias.name, stmt.level)))
    return out


def _class_info(mod: Module, node: ast.ClassDef) -> ClassInfo:
    info = ClassInfo(node.name, node, fields=pydantic_fields.field_names(node))
    for stmt in node.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            decorators = {getattr(d, "id", "") for d in stmt.decorator_list}
            func = Func(stmt.name, stmt, "staticmethod" not in decorators, owner=info)
            info.methods[stmt.name] = func
            mod.funcs[id(stmt)] = func
    info.settings = pydantic_fields.settings_conf(node, lambda n: qualify(mod, None, n))
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
    if isinstance(value, ast.Call):
        return _made_by(mod, value)
    return qualify(mod, None, value)


def _made_by(mod: Module, call: ast.Call) -> Symbol | None:
    """The object a call at the top level makes, when it matters: an env object, an instance."""
    maker = qualify(mod, None, call.func)
    if isinstance(maker, ClassInfo):
        return Instance(maker)
    if not isinstance(maker, Lib) or maker.qual not in _OBJECT_CLASSES:
        return None
    kind = _OBJECT_CLASSES[maker.qual]
    if kind == "dynaconf":
        given = keyword(call, "envvar_prefix") or keyword(call, "ENVVAR_PREFIX_FOR_DYNACONF")
        if isinstance(given, ast.Constant) and given.value is False:
            return EnvObject(kind, "")
        prefix = literal(given) if given is not None else "DYNACONF"
        return EnvObject(kind, f"{prefix}_" if prefix else "")
    return EnvObject(kind, literal(keyword(call, "prefix")) or "")


def qualify(mod: Module, walk: _Walk | None, node: ast.AST) -> Symbol | None:
    """What a name or attribute chain stands for (``os.environ`` -> Lib, ``env`` -> EnvObject)."""
    if isinstance(node, ast.Name):
        found = walk.lookup(node.id) if walk is not None else mod.lookup(node.id)
        sym = None if isinstance(found, Param) else found
        if isinstance(sym, Lib) and sym.qual in _OBJECTS:
            return _OBJECTS[sym.qual]
        return sym
    if isinstance(node, ast.Attribute):
        inner = qualify(mod, walk, node.value)
        if isinstance(inner, Lib):
            qual = f"{inner.qual}.{node.attr}"
            return _OBJECTS.get(qual, Lib(qual))
        if isinstance(inner, ModuleRef):
            return inner.lookup(node.attr)
    return None


# --- walking code ---------------------------------------------------------------------


class _Walk:
    """One pass over a module's top level or one function's body."""

    def __init__(self, mod: Module, func: Func | None, cls: ClassInfo | None) -> None:
        self.mod, self.func, self.cls = mod, func, cls
        self.locals: dict[str, Symbol | Param | None] = _params(func) if func else {}
        self.reads: list[EnvRead] = []
        self.carried: list[tuple[Param, str]] = []  # reads named by a parameter
        self.nested: list[tuple[ast.AST, ClassInfo | None]] = []

    def lookup(self, name: str) -> Symbol | Param | None:
        if name in self.locals:
            return self.locals[name]
        return self.mod.lookup(name)

    def run(self, roots: list[ast.AST]) -> None:
        stack: list[tuple[ast.AST, str]] = [(n, "") for n in reversed(roots)]
        while stack:
            node, prefix = stack.pop()
            kind = type(node)
            if kind in _FUNCS:
                self.nested.append((node, None))
                stack += [(d, prefix) for d in _def_time(node)]
                continue
            if kind is ast.ClassDef:
                assert isinstance(node, ast.ClassDef)
                stack += [(s, prefix) for s in reversed(self._enter_class(node))]
                continue
            self._visit(node, prefix)
            if kind is ast.With:
                prefix = self._with_prefix(node, prefix)  # type: ignore[arg-type]
            stack += [(c, prefix) for c in reversed(list(ast.iter_child_nodes(node)))]

    def _enter_class(self, node: ast.ClassDef) -> list[ast.AST]:
        info = self.mod.classes.get(id(node)) or _class_info(self.mod, node)
        if info.settings is not None:
            self.reads += pydantic_fields.field_reads(info, lambda n: qualify(self.mod, self, n))
        body: list[ast.AST] = []
        for stmt in node.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                self.nested.append((stmt, info))
                body += _def_time(stmt)
            else:
                body.append(stmt)
        return body

    def _visit(self, node: ast.AST, prefix: str) -> None:
        if isinstance(node, ast.Call):
            self._call(node, prefix)
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
            self._subscript(node)
        elif isinstance(node, ast.Compare) and _is_membership(node):
            if _is_lib(qualify(self.mod, self, node.comparators[0]), "os.environ"):
                self._read(node.left, node.lineno, "in os.environ")
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            obj = qualify(self.mod, self, node.value)
            if isinstance(obj, EnvObject) and obj.kind == "dynaconf" and node.attr.isupper():
                self._emit((obj.prefix + node.attr,), node.lineno, "dynaconf settings")
        elif isinstance(node, ast.For) or (self.func is not None and isinstance(node, ast.Assign)):
            self._bind(node)  # the top level's assignments are in the module's table already

    def _subscript(self, node: ast.Subscript) -> None:
        obj = qualify(self.mod, self, node.value)
        if _is_lib(obj, "os.environ"):
            self._read(node.slice, node.lineno, "os.environ[...]")
        elif isinstance(obj, EnvObject) and obj.kind == "dynaconf":
            self._read(node.slice, node.lineno, "dynaconf settings", obj.prefix, upper=True)

    def _call(self, call: ast.Call, prefix: str) -> None:
        func, first = call.func, call.args[0] if call.args else None
        target = qualify(self.mod, self, func)
        if isinstance(target, Lib):
            qual = target.qual
            owner, _, method = qual.rpartition(".")
            if qual in ("os.getenv", "os.getenvb"):
                self._read(first or keyword(call, "key"), call.lineno, "os.getenv")
            elif owner in ("os.environ", "os.environb") and method in _MAPPING_METHODS:
                self._read(first or keyword(call, "key"), call.lineno, f"os.environ.{method}")
            return
        if isinstance(target, EnvObject) and target.kind != "dynaconf":
            arg = first or keyword(call, "var") or keyword(call, "name") or keyword(call, "option")
            self._read(arg, call.lineno, f"{target.kind} env()", prefix + target.prefix)
            return
        if isinstance(func, ast.Attribute):
            obj = qualify(self.mod, self, func.value)
            if isinstance(obj, EnvObject):
                self._object_call(obj, func.attr, call, prefix)
                return
        for wrapper in self._wrappers(func):
            self._wrapped(wrapper, call)

    def _object_call(self, obj: EnvObject, attr: str, call: ast.Call, prefix: str) -> None:
        first = call.args[0] if call.args else None
        arg = first or keyword(call, "var") or keyword(call, "name") or keyword(call, "key")
        if obj.kind == "dynaconf":
            if attr in _DYNACONF_GETTERS:
                self._read(arg, call.lineno, f"dynaconf settings.{attr}()", obj.prefix, upper=True)
        elif obj.kind != "decouple" and attr in _GETTERS:
            if arg is None and obj.kind == "django-environ" and attr in _DJANGO_DEFAULTS:
                self._emit((_DJANGO_DEFAULTS[attr],), call.lineno, f"django-environ env.{attr}()")
            else:
                self._read(arg, call.lineno, f"{obj.kind} env.{attr}()", prefix + obj.prefix)

    def _wrappers(self, func: ast.AST) -> tuple[Wrapper, ...]:
        target = qualify(self.mod, self, func)
        if isinstance(target, Func):
            return target.wrappers
        if not isinstance(func, ast.Attribute):
            return ()
        owner = self.cls if isinstance(func.value, ast.Name) and func.value.id == "self" else None
        holder = owner or qualify(self.mod, self, func.value)
        cls = holder.cls if isinstance(holder, Instance) else holder
        if not isinstance(cls, ClassInfo):
            return ()
        method = _method(self.mod, cls, func.attr)
        if method is None:
            return ()
        if holder is cls and owner is None and method.method:
            # ``Class.method(obj, "NAME")``: the instance is passed explicitly
            return tuple(_shifted(w) for w in method.wrappers)
        return method.wrappers

    def _wrapped(self, wrapper: Wrapper, call: ast.Call) -> None:
        p = wrapper.param
        args = call.args
        arg: ast.AST | None = None
        starred = any(isinstance(a, ast.Starred) for a in args)
        if p.index is not None and p.index < len(args) and not starred:
            arg = args[p.index]
        else:
            arg = keyword(call, p.keyword)
        how = f"{wrapper.func}() → {wrapper.how}"
        if arg is None:
            if starred or any(k.arg is None for k in call.keywords):
                self._emit_dynamic(call.lineno, how)
            elif p.default:
                self._emit(wrapper.name_from(p.default), call.lineno, how)
            return
        value = evaluate(arg, self.lookup)
        if isinstance(value, Param):
            self.carried.append((value.around(p.prefix, p.suffix, p.upper), how))
        elif value:
            self._emit(wrapper.name_from(value), call.lineno, how)
        else:
            self._emit_dynamic(call.lineno, how)

    def _read(
        self, node: ast.AST | None, line: int, how: str, prefix: str = "", upper: bool = False
    ) -> None:
        value: Value = evaluate(node, self.lookup) if node is not None else None
        if isinstance(value, Param):
            self.carried.append((value.around(prefix, "", upper), how))
        elif value:
            self._emit(tuple(prefix + (v.upper() if upper else v) for v in value), line, how)
        else:
            self._emit_dynamic(line, how)

    def _emit(self, names: tuple[str, ...], line: int, how: str) -> None:
        self.reads += [EnvRead(n, line, how) for n in names if n]

    def _emit_dynamic(self, line: int, how: str) -> None:
        self.reads.append(EnvRead("", line, how))

    def _with_prefix(self, node: ast.With, prefix: str) -> str:
        for item in node.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
                obj = qualify(self.mod, self, call.func.value)
                if isinstance(obj, EnvObject) and call.func.attr == "prefixed" and call.args:
                    prefix += literal(call.args[0]) or ""
        return prefix

    def _bind(self, node: ast.Assign | ast.For) -> None:
        """Local names, last assignment winning: ``key = f"APP_{name}"``, ``for key in (...)``."""
        if isinstance(node, ast.For):
            targets, value = [node.target], evaluate_sequence(node.iter, self.lookup)
        else:
            targets, value = node.targets, evaluate(node.value, self.lookup)
        for target in targets:
            if isinstance(target, ast.Name):
                self.locals[target.id] = Const(value) if isinstance(value, tuple) else value
            elif isinstance(target, ast.Tuple | ast.List):
                for elt in target.elts:
                    if isinstance(elt, ast.Name):
                        self.locals[elt.id] = None


def evaluate_sequence(node: ast.AST, lookup: Lookup) -> Value:
    """The names a ``for`` loop runs over, when it runs over literal names."""
    if isinstance(node, ast.Tuple | ast.List):
        items = [literal(e) for e in node.elts]
        return tuple(i for i in items if i is not None) if None not in items else None
    if isinstance(node, ast.Name):
        found = lookup(node.id)
        return found.values if isinstance(found, Const) else None
    return None


def _def_time(node: ast.AST) -> list[ast.AST]:
    """What a def evaluates where it stands: decorators and default values."""
    args = getattr(node, "args", None)
    defaults = [*args.defaults, *(d for d in args.kw_defaults if d is not None)] if args else []
    return [*getattr(node, "decorator_list", []), *defaults]


def _params(func: Func) -> dict[str, Symbol | Param | None]:
    args = func.node.args  # type: ignore[attr-defined]
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    if func.method and positional:
        positional, defaults = positional[1:], defaults[1:]
    out: dict[str, Symbol | Param | None] = {}
    for i, (a, d) in enumerate(zip(positional, defaults, strict=True)):
        out[a.arg] = Param(i, a.arg, _default(d))
    for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        out[a.arg] = Param(None, a.arg, _default(d))
    return out


def _default(node: ast.AST | None) -> tuple[str, ...]:
    value = literal(node)
    return (value,) if value else ()


def _shifted(w: Wrapper) -> Wrapper:
    p = w.param
    index = None if p.index is None else p.index + 1
    return Wrapper(w.func, Param(index, p.keyword, p.default, p.prefix, p.suffix, p.upper), w.how)


def _method(mod: Module, cls: ClassInfo, name: str, depth: int = 0) -> Func | None:
    if name in cls.methods:
        return cls.methods[name]
    for base in cls.node.bases if depth < 5 else []:
        parent = qualify(mod, None, base)
        if isinstance(parent, ClassInfo):
            found = _method(mod, parent, name, depth + 1)
            if found is not None:
                return found
    return None


def _is_membership(node: ast.Compare) -> bool:
    return len(node.ops) == 1 and isinstance(node.ops[0], ast.In | ast.NotIn)


def _is_lib(sym: Symbol | None, qual: str) -> bool:
    return isinstance(sym, Lib) and sym.qual in (qual, qual + "b")


def _walk_module(mod: Module) -> list[EnvRead]:
    """Every read of the module, recording the wrappers found on the way."""
    top = _Walk(mod, None, None)
    top.run(list(mod.tree.body))
    reads = list(top.reads)
    pending = deque(top.nested)
    while pending:
        node, cls = pending.popleft()
        walk = _walk_function(mod, node, cls)
        reads += walk.reads
        pending += walk.nested
    return sorted(reads, key=lambda r: (r.line, r.name, r.how))


def _walk_function(mod: Module, node: ast.AST, cls: ClassInfo | None) -> _Walk:
    """Walk one function's body; a function of the module gets the wrappers found."""
    func = mod.funcs.get(id(node)) or Func(getattr(node, "name", "<lambda>"), node)
    walk = _Walk(mod, func, cls)
    body = getattr(node, "body", [])
    walk.run(list(body) if isinstance(body, list) else [body])
    if id(node) in mod.funcs:
        # one wrapper per parameter form, named after its most telling read
        # (``os.environ[name]`` rather than the ``name in os.environ`` test before it)
        hows: dict[Param, list[str]] = {}
        for param, how in walk.carried:
            hows.setdefault(param, []).append(how)
        func.wrappers = tuple(
            Wrapper(func.name, p, min(h, key=lambda x: (x.startswith("in "), x)))
            for p, h in sorted(hows.items(), key=lambda item: str(item[0]))
        )
    return walk


def _define(mod: Module, source: str) -> None:
    """Find the wrappers of a module without walking all of it: only functions whose text
    mentions an environment API, or a wrapper found so far, can be wrappers."""
    lines = source.splitlines()
    funcs = list(mod.funcs.values())
    text = {
        id(f): "\n".join(lines[f.node.lineno - 1 : f.node.end_lineno])  # type: ignore[attr-defined]
        for f in funcs
    }
    tokens = list(GATE)
    for _ in range(_MAX_ROUNDS):
        for func in funcs:
            if any(t in text[id(func)] for t in tokens):
                _walk_function(mod, func.node, func.owner)
        names = {f.name for f in funcs if f.wrappers} - set(tokens)
        if not names:
            break
        tokens += sorted(names)


_TEXTUAL = re.compile(
    r"""(?:environ(?:\.get|\.setdefault|\.pop)?\s*[\[(]\s*|getenv\s*\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']"""
)


def parse(source: str) -> ast.Module | None:
    """The module's AST, or None when it does not parse."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


_FROM_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n]*)", re.M
)
_PLAIN_IMPORT = re.compile(r"^[ \t]*import[ \t]+([^\n]*)", re.M)


def textual_imports(source: str) -> list[Imported]:
    """The imports of a module, read from its text (for deciding whether to parse it)."""
    out = []
    for m in _FROM_IMPORT.finditer(source):
        for item in m.group(3).split("#")[0].strip("()").split(","):
            words = item.split()
            if words and words[0] != "*":
                out.append(Imported(m.group(2), words[0], len(m.group(1))))
            elif words:
                out.append(Imported(m.group(2), "*", len(m.group(1))))
    for m in _PLAIN_IMPORT.finditer(source):
        for item in m.group(1).split("#")[0].split(","):
            words = item.split()
            if len(words) == 3 and words[1] == "as":
                out.append(Imported(words[0], "", 0))
    return out


def _imports_matter(source: str, path: str, resolver: Resolver) -> bool:
    """Whether a module that names no environment API imports something that reads."""
    for imported in textual_imports(source):
        if imported.module.split(".")[0] in LIBRARIES and not imported.level:
            return True  # e.g. a settings class or an env object from a library
        if imported.name == "*":
            probe = Imported(imported.module, "", imported.level)
            if resolver.resolve(probe, path) is not None:
                return True
        elif _is_relevant(resolver.resolve(imported, path)):
            return True
    return False


def python_reads(
    source: str, path: str = "", resolver: Resolver | None = None
) -> tuple[list[EnvRead], bool]:
    """The reads in ``source`` and whether the AST was used (False: textual fallback).

    ``resolver`` looks up names imported from the repository's other modules. A module
    that names no environment API and imports nothing that reads is not parsed at all."""
    if not any(token in source for token in GATE) and (
        resolver is None or not _imports_matter(source, path, resolver)
    ):
        return [], True
    tree = parse(source)
    if tree is None:
        reads = [
            EnvRead(m.group(1), source.count("\n", 0, m.start()) + 1, "text match")
            for m in _TEXTUAL.finditer(source)
        ]
        return reads, False
    return Module(tree, path, resolver).analyse(), True
