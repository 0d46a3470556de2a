"""Walking a module's code: the reads it makes and the wrappers it defines.

One :class:`_Walk` covers a module's top level (class bodies included) or one function's
body; functions found on the way are walked with their parameters bound, and a read named
by a parameter makes the function a wrapper, whose call sites are reads in turn. A module
changed by the pull request is walked whole (:func:`analyse`, to a fixed point of
wrappers); a module it only imports from is walked only where a wrapper can be
(:func:`define`).
"""

from __future__ import annotations

import ast
from collections import deque

from gatekeeper.checks.envvars import pydantic_fields
from gatekeeper.checks.envvars.model import EnvRead, family
from gatekeeper.checks.envvars.python_airflow import airflow_read
from gatekeeper.checks.envvars.python_module import (
    CLI_LIBRARIES,
    GATE,
    Module,
    class_info,
    everett_prefix,
    method_of,
    qualify,
)
from gatekeeper.checks.envvars.python_values import (
    ClassInfo,
    Const,
    EnvObject,
    Func,
    Instance,
    Keys,
    Lib,
    Lookup,
    Param,
    Symbol,
    Value,
    Wrapper,
    evaluate,
    keyword,
    literal,
)

_MAPPING_METHODS = frozenset({"get", "setdefault", "pop", "__getitem__"})
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
#: env objects called with the name (``config("X")``), with no typed getters
_CONFIG_KINDS = frozenset({"decouple", "starlette"})
_DYNACONF_GETTERS = frozenset({"get", "get_fresh", "as_bool", "as_int", "as_float", "as_json"})
#: command-line options that fall back to the variable their ``envvar=`` names
_CLI_OPTIONS = frozenset(
    f"{lib}.{kind}"
    for lib in CLI_LIBRARIES
    for kind in ("option", "argument", "Option", "Argument")
)
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_MAX_ROUNDS = 4


def _wrapper_count(mod: Module) -> int:
    return sum(len(f.wrappers) for f in mod.funcs.values())


# --- walking code ---------------------------------------------------------------------


class _Walk:
    """One pass over a module's top level or one function's body."""

    def __init__(self, mod: Module, func: Func | None, cls: ClassInfo | None) -> None:
        self.mod, self.func, self.cls = mod, func, cls
        self.locals: dict[str, Symbol | Param | None] = _params(func) if func else {}
        self.reads: list[EnvRead] = []
        self.carried: list[tuple[Param, str]] = []  # reads named by a parameter
        self.nested: list[tuple[ast.AST, ClassInfo | None]] = []
        self._imports: dict[str, str] | None = None  # for settings classes, on first use

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

    def _outside_imports(self) -> dict[str, str]:
        """The module's absolute imports from modules the repository does not hold (none
        known when the resolver cannot look: every import may then be the repository's)."""
        find = getattr(self.mod.resolver, "find", None)
        if find is None:
            return {}
        return {
            name: module
            for name, module in pydantic_fields.absolute_imports(self.mod.tree).items()
            if find(module, 0, self.mod.path) is None
        }

    def _enter_class(self, node: ast.ClassDef) -> list[ast.AST]:
        info = self.mod.classes.get(id(node)) or class_info(self.mod, node)
        if info.settings is not None:
            if self._imports is None:
                self._imports = self._outside_imports()
            self.reads += pydantic_fields.field_reads(
                info, lambda n: qualify(self.mod, n, self.lookup), self._imports
            )
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
            if _is_lib(qualify(self.mod, node.comparators[0], self.lookup), "os.environ"):
                self._read(node.left, node.lineno, "in os.environ")
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            obj = qualify(self.mod, node.value, self.lookup)
            if isinstance(obj, EnvObject) and obj.kind == "dynaconf" and node.attr.isupper():
                self._emit((obj.prefix + node.attr,), node.lineno, "dynaconf settings")
        elif isinstance(node, ast.For) or (self.func is not None and isinstance(node, ast.Assign)):
            self._bind(node)  # the top level's assignments are in the module's table already
        elif isinstance(node, _COMPREHENSIONS):
            for gen in node.generators:  # bound before the element reads them
                self._bind_loop(gen.target, gen.iter)

    def _subscript(self, node: ast.Subscript) -> None:
        obj = qualify(self.mod, node.value, self.lookup)
        if _is_lib(obj, "os.environ"):
            self._read(node.slice, node.lineno, "os.environ[...]")
        elif isinstance(obj, EnvObject) and obj.kind == "dynaconf":
            self._read(node.slice, node.lineno, "dynaconf settings", obj.prefix, upper=True)

    def _call(self, call: ast.Call, prefix: str) -> None:
        func, first = call.func, call.args[0] if call.args else None
        target = qualify(self.mod, func, self.lookup)
        if isinstance(target, Lib):
            qual = target.qual
            owner, _, method = qual.rpartition(".")
            if qual in ("os.getenv", "os.getenvb"):
                self._read(first or keyword(call, "key"), call.lineno, "os.getenv")
            elif owner in ("os.environ", "os.environb") and method in _MAPPING_METHODS:
                self._read(first or keyword(call, "key"), call.lineno, f"os.environ.{method}")
            elif qual in _CLI_OPTIONS and (envvar := keyword(call, "envvar")) is not None:
                self._cli_envvar(envvar, call.lineno, f"{qual}(envvar=)")
            return
        if isinstance(target, EnvObject) and target.kind == "everett":
            ns = everett_prefix(call)  # the key upper-cased after its namespace (None: unknown)
            key = first or keyword(call, "key") if ns is not None else None
            self._read(key, call.lineno, "everett config()", prefix + (ns or ""), upper=True)
            return
        if isinstance(target, EnvObject) and target.kind != "dynaconf":
            arg = first or keyword(call, "var") or keyword(call, "name") or keyword(call, "option")
            arg = arg or keyword(call, "key")  # starlette's ``config(key=...)``
            self._read(arg, call.lineno, f"{target.kind} env()", prefix + target.prefix)
            return
        if isinstance(func, ast.Attribute):
            obj = qualify(self.mod, func.value, self.lookup)
            if isinstance(obj, EnvObject):
                self._object_call(obj, func.attr, call, prefix)
                return
        groups: dict[tuple[int | None, str], list[Wrapper]] = {}
        for wrapper in self._wrappers(func):
            groups.setdefault((wrapper.param.index, wrapper.param.keyword), []).append(wrapper)
        for group in groups.values():
            # one argument read under several names (``key`` and ``key + "_FILE"``): one
            # setting, the plainest name first and the others its alternatives
            group.sort(key=lambda w: len(w.param.prefix) + len(w.param.suffix))
            self._wrapped(group[0], call, tuple(group[1:]))

    def _cli_envvar(self, node: ast.AST, line: int, how: str) -> None:
        """click's and typer's ``envvar="X"``, or a list of names tried in turn (one
        setting: any of them documented is enough)."""
        value = evaluate_sequence(node, self.lookup) or evaluate(node, self.lookup)
        if isinstance(value, tuple) and value:
            self.reads.append(EnvRead(value[0], line, how, aliases=value[1:]))
        elif not isinstance(value, Param):
            self._emit_dynamic(line, how)

    def _object_call(self, obj: EnvObject, attr: str, call: ast.Call, prefix: str) -> None:
        first = call.args[0] if call.args else None
        arg = first or keyword(call, "var") or keyword(call, "name") or keyword(call, "key")
        if obj.kind == "airflow":
            if (read := airflow_read(call, attr, self.lookup)) is not None:
                self.reads.append(read)
        elif obj.kind == "dynaconf":
            if attr in _DYNACONF_GETTERS:
                self._read(arg, call.lineno, f"dynaconf settings.{attr}()", obj.prefix, upper=True)
        elif obj.kind in _CONFIG_KINDS:
            if attr == "get":  # ``Config.get(name, cast, default)``, what a call does
                arg = arg or keyword(call, "option")
                self._read(arg, call.lineno, f"{obj.kind} env.get()", prefix + obj.prefix)
        elif attr in _GETTERS:
            if arg is None and obj.kind == "django-environ" and attr in _DJANGO_DEFAULTS:
                self._emit((_DJANGO_DEFAULTS[attr],), call.lineno, f"django-environ env.{attr}()")
            else:
                self._read(arg, call.lineno, f"{obj.kind} env.{attr}()", prefix + obj.prefix)

    def _wrappers(self, func: ast.AST) -> tuple[Wrapper, ...]:
        target = qualify(self.mod, func, self.lookup)
        if isinstance(target, Func):
            return target.wrappers
        if not isinstance(func, ast.Attribute):
            return ()
        owner = self.cls if isinstance(func.value, ast.Name) and func.value.id == "self" else None
        holder = owner or qualify(self.mod, func.value, self.lookup)
        cls = holder.cls if isinstance(holder, Instance) else holder
        if not isinstance(cls, ClassInfo):
            return ()
        method = method_of(self.mod, cls, func.attr)
        if method is None:
            return ()
        if holder is cls and owner is None and method.method:
            # ``Class.method(obj, "NAME")``: the instance is passed explicitly
            return tuple(_shifted(w) for w in method.wrappers)
        return method.wrappers

    def _wrapped(self, wrapper: Wrapper, call: ast.Call, also: tuple[Wrapper, ...] = ()) -> None:
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
                self._emit_all((wrapper, *also), p.default, call.lineno, how, {})
            return
        value = evaluate(arg, self.lookup)
        if isinstance(value, Param):
            for w in (wrapper, *also):
                q = w.param
                self.carried.append((value.around(q.prefix, q.suffix, q.upper), how))
        elif value:
            self._emit_all((wrapper, *also), value, call.lineno, how, self._key_lines(arg))
        elif named := family(p.prefix, p.suffix):
            # a computed argument between the wrapper's affixes: a family of names
            self.reads.append(EnvRead(named, call.lineno, how))
        else:
            self._emit_dynamic(call.lineno, how)

    def _emit_all(
        self,
        wrappers: tuple[Wrapper, ...],
        values: tuple[str, ...],
        line: int,
        how: str,
        lines: dict[str, int],
    ) -> None:
        """One read per value: the first wrapper's name, the others' as its alternatives."""
        for v in values:
            names = [w.name_from((v,))[0] for w in wrappers]
            if names[0]:
                rest = tuple(dict.fromkeys(n for n in names[1:] if n and n != names[0]))
                self.reads.append(EnvRead(names[0], lines.get(v, line), how, aliases=rest))

    def _key_lines(self, node: ast.AST | None) -> dict[str, int]:
        """Where each name a loop variable runs over is written (a dict's keys)."""
        found = self.lookup(node.id) if isinstance(node, ast.Name) else None
        if isinstance(found, Const) and found.lines:
            return dict(zip(found.values, found.lines, strict=False))
        return {}

    def _read(
        self, node: ast.AST | None, line: int, how: str, prefix: str = "", upper: bool = False
    ) -> None:
        value: Value = evaluate(node, self.lookup) if node is not None else None
        if isinstance(value, Param):
            self.carried.append((value.around(prefix, "", upper), how))
        elif value:
            lines = self._key_lines(node)
            for v in value:
                name = prefix + (v.upper() if upper else v)
                self._emit((name,), lines.get(v, line), how)
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
                obj = qualify(self.mod, call.func.value, self.lookup)
                if isinstance(obj, EnvObject) and call.func.attr == "prefixed" and call.args:
                    prefix += literal(call.args[0]) or ""
        return prefix

    def _bind(self, node: ast.Assign | ast.For) -> None:
        """Local names, last assignment winning: ``key = f"APP_{name}"``, ``for key in (...)``."""
        if isinstance(node, ast.For):
            self._bind_loop(node.target, node.iter)
            return
        targets, value = node.targets, evaluate(node.value, self.lookup)
        for target in targets:
            if isinstance(target, ast.Name):
                self.locals[target.id] = Const(value) if isinstance(value, tuple) else value
            elif isinstance(target, ast.Tuple | ast.List):
                for elt in target.elts:
                    if isinstance(elt, ast.Name):
                        self.locals[elt.id] = None

    def _bind_loop(self, target: ast.AST, iterated: ast.AST) -> None:
        """``for key in NAMES``, and over a dict literal's keys: ``for key in D``, ``for key
        in D.keys()``, ``for key, value in D.items()`` (the key gets the names)."""
        pairs = False
        if (
            isinstance(iterated, ast.Call)
            and isinstance(iterated.func, ast.Attribute)
            and iterated.func.attr in ("keys", "items")
            and not iterated.args
        ):
            pairs = iterated.func.attr == "items"
            iterated = iterated.func.value
        found = self.lookup(iterated.id) if isinstance(iterated, ast.Name) else None
        bound: Symbol | Param | None
        if isinstance(found, Keys):
            own = isinstance(iterated, ast.Name) and self.mod.symbols.get(iterated.id) is found
            bound = Const(found.values, found.lines if own else ())
        elif pairs:
            bound = None
        else:
            value = evaluate_sequence(iterated, self.lookup)
            bound = Const(value) if isinstance(value, tuple) else value
        key: ast.AST = target
        if pairs and isinstance(target, ast.Tuple) and len(target.elts) == 2:
            key = target.elts[0]
        for node in ast.walk(target):
            if isinstance(node, ast.Name):  # a name unpacked from an item is not known
                self.locals[node.id] = bound if node is key else None


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
    """What a def evaluates where it stands: decorators, default values and parameters'
    annotations (typer's ``Annotated[str, typer.Option(envvar="X")]``)."""
    args = getattr(node, "args", None)
    defaults = [*args.defaults, *(d for d in args.kw_defaults if d is not None)] if args else []
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs] if args else []
    notes = [a.annotation for a in params if a.annotation is not None]
    return [*getattr(node, "decorator_list", []), *defaults, *notes]


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


def analyse(mod: Module) -> list[EnvRead]:
    """Every read of a module, its wrappers found to a fixed point; cached on the module."""
    if not mod.analysed:
        mod.analysed = True
        for _ in range(_MAX_ROUNDS):
            before = _wrapper_count(mod)
            mod.reads = _walk_module(mod)
            if _wrapper_count(mod) == before:
                break
    return mod.reads


def define(mod: Module, source: str) -> None:
    """Find a module's wrappers only (for a module the changed files import); cached."""
    if not mod.analysed and not mod.defined:
        mod.defined = True
        _define(mod, source)
