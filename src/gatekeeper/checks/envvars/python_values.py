"""What a Python name stands for, as far as environment reads are concerned.

A module's top-level names become *symbols*: a known library object (``os.environ``,
``decouple.config``), a string constant, a function that passes one of its parameters
on to an environment read (a *wrapper*), a class (its wrapper methods, its pydantic
settings), an instance of such a class, an environs/django-environ/decouple/dynaconf
object, another module of the repository, or a name imported from one (resolved only
when it is used). Expressions that name a variable evaluate to literal names, to a
parameter of the enclosing function (possibly with a prefix or suffix), or to nothing
known.
"""

from __future__ import annotations

import ast
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TypeAlias

from gatekeeper.checks.envvars.model import family


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter of the function being analysed, as it reaches a read: the name read is
    ``prefix + (arg.upper() if upper else arg) + suffix`` for the argument ``arg``."""

    index: int | None  # position among the call's arguments; None for keyword-only
    keyword: str
    default: tuple[str, ...] = ()  # literal default value(s) of the parameter
    prefix: str = ""
    suffix: str = ""
    upper: bool = False

    def around(self, prefix: str, suffix: str, upper: bool = False) -> Param:
        """This value passed through ``prefix + (x.upper()?) + suffix``."""
        inner_prefix = self.prefix.upper() if upper else self.prefix
        inner_suffix = self.suffix.upper() if upper else self.suffix
        return replace(
            self,
            prefix=prefix + inner_prefix,
            suffix=inner_suffix + suffix,
            upper=self.upper or upper,
        )


#: literal names (one or more), a parameter, or unknown (None)
Value: TypeAlias = tuple[str, ...] | Param | None


@dataclass(frozen=True, slots=True)
class Lib:
    """A name bound to something of a library, by its qualified name (``os.environ``)."""

    qual: str


@dataclass(frozen=True, slots=True)
class Const:
    """A string constant (or a tuple of them, for loops over names)."""

    values: tuple[str, ...]
    #: where each value is written, when a loop runs over a dict literal's keys of the
    #: module itself (a read names each key at its own line)
    lines: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Keys:
    """The string keys of a module-level dict literal (``DEFAULTS = {"A": 1}``): no names
    in themselves, but the names a loop over them (``for k, v in DEFAULTS.items()``) reads
    when the loop's key reaches an environment read."""

    values: tuple[str, ...]
    lines: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A function parameter that names the variable the function reads."""

    func: str
    param: Param
    how: str  # how the read inside the function is done

    def name_from(self, arg: tuple[str, ...]) -> tuple[str, ...]:
        """The variables read when the call passes the literal names ``arg``."""
        p = self.param
        return tuple(p.prefix + (a.upper() if p.upper else a) + p.suffix for a in arg)


@dataclass(slots=True)
class Func:
    """A function (or lambda) and the wrappers found in it."""

    name: str
    node: ast.AST
    method: bool = False  # its first parameter is self/cls, not an argument
    wrappers: tuple[Wrapper, ...] = ()
    owner: ClassInfo | None = None  # the class of a method


@dataclass(slots=True)
class SettingsConf:
    """How a pydantic settings class maps its fields to variables."""

    version: int  # 1: pydantic.BaseSettings; 2: pydantic-settings
    prefix: str = ""
    case_sensitive: bool = False
    nested_delimiter: str = ""
    fields_env: dict[str, tuple[str, ...]] = field(default_factory=dict)  # v1 Config.fields


@dataclass(slots=True)
class ClassInfo:
    """A class: its methods (wrappers among them) and, for settings, how fields are read."""

    name: str
    node: ast.ClassDef
    methods: dict[str, Func] = field(default_factory=dict)
    settings: SettingsConf | None = None
    fields: tuple[str, ...] = ()  # annotated field names (for nested settings models)


@dataclass(frozen=True, slots=True)
class Instance:
    """A module-level object made by calling a class of the repository."""

    cls: ClassInfo


@dataclass(frozen=True, slots=True)
class EnvObject:
    """An object whose calls or attributes read variables."""

    kind: str  # "environs", "django-environ", "decouple", "dynaconf"
    prefix: str = ""


@dataclass(frozen=True, slots=True)
class Imported:
    """``from module import name`` (``name`` "" for ``import module as x``), unresolved."""

    module: str
    name: str
    level: int


@dataclass(frozen=True, slots=True)
class ModuleRef:
    """Another module of the repository, bound by ``import pkg.mod as m``."""

    path: str
    lookup: Callable[[str], Symbol | None] = field(compare=False)


Symbol: TypeAlias = (
    Lib | Const | Keys | Func | ClassInfo | Instance | EnvObject | Imported | ModuleRef
)
Lookup: TypeAlias = Callable[[str], Symbol | Param | None]


def evaluate(node: ast.AST | None, lookup: Lookup) -> Value:
    """The variable name(s) ``node`` evaluates to, a parameter it carries, or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, ast.Name):
        found = lookup(node.id)
        if isinstance(found, Param):
            return found
        return found.values if isinstance(found, Const) else None
    if isinstance(node, ast.JoinedStr):
        return _concat(
            [v.value if isinstance(v, ast.FormattedValue) else v for v in node.values], lookup
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _concat([node.left, node.right], lookup)
    if node is not None and (parts := _formatted(node)) is not None:
        return _concat(parts, lookup)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "upper"
        and not node.args
    ):
        inner = evaluate(node.func.value, lookup)
        if isinstance(inner, Param):
            return inner.around("", "", upper=True)
        return tuple(v.upper() for v in inner) if inner else None
    return None


#: a ``%`` placeholder of an old-style format: conversion flags, width, type
_PERCENT = re.compile(r"%[-#0 +]*\d*(?:\.\d+)?[sdiru]")


def _formatted(node: ast.AST) -> list[ast.AST] | None:
    """``"A_{}_B".format(x)`` and ``"A_%s_B" % x`` as the parts ``["A_", x, "_B"]``, when
    every placeholder takes the next positional argument; None for any other node."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and not node.keywords
        and not any(isinstance(a, ast.Starred) for a in node.args)
        and (template := literal(node.func.value)) is not None
    ):
        try:
            fields = list(string.Formatter().parse(template))
        except ValueError:
            return None
        texts = [text for text, _, _, _ in fields]
        names = [name for _, name, _, _ in fields if name is not None]
        if any(spec or conv for _, name, spec, conv in fields if name is not None):
            return None  # a converted or padded value is no name we can follow
        if any(n not in ("", str(i)) for i, n in enumerate(names)):
            return None
        values: list[ast.AST] = list(node.args)
    elif (
        isinstance(node, ast.BinOp)
        and isinstance(node.op, ast.Mod)
        and (template := literal(node.left)) is not None
        and "%%" not in template
    ):
        texts = _PERCENT.split(template)
        names = [""] * (len(texts) - 1)
        right = node.right
        values = list(right.elts) if isinstance(right, ast.Tuple) else [right]
        if "%" in "".join(texts):  # a mapping key or a placeholder we do not follow
            return None
    else:
        return None
    if len(values) != len(names) or any(isinstance(v, ast.Starred) for v in values):
        return None
    parts: list[ast.AST] = []
    for i, text in enumerate(texts):
        parts.append(ast.Constant(text))
        if i < len(values):
            parts.append(values[i])
    return parts


#: the most names one concatenation stands for (each value of a part, joined)
MAX_NAMES = 32


def _concat(parts: list[ast.AST], lookup: Lookup) -> Value:
    """``"A_" + x + "_B"`` / ``f"A_{x}"``: literals joined, or one parameter with affixes."""
    values = [evaluate(p, lookup) for p in parts]
    params = [i for i, v in enumerate(values) if isinstance(v, Param)]
    unknown = [i for i, v in enumerate(values) if v is None]
    if unknown:
        # one part computed between literal ones: a family of names (``f"A_{x}_B"``)
        if len(unknown) > 1 or params or any(isinstance(v, tuple) and len(v) != 1 for v in values):
            return None
        at = unknown[0]
        before, after = (
            "".join(v[0] for v in chunk if isinstance(v, tuple))
            for chunk in (values[:at], values[at + 1 :])
        )
        name = family(before, after)
        return (name,) if name else None
    if len(params) > 1:
        return None
    if not params:
        # each value of a part that has several (a loop over a literal tuple): every name
        names = [""]
        for v in values:
            assert isinstance(v, tuple)
            names = [n + part for n in names for part in v]
            if len(names) > MAX_NAMES:
                return None
        return tuple(names)
    if any(isinstance(v, tuple) and len(v) != 1 for v in values):
        return None
    text = ["" if isinstance(v, Param) else v[0] for v in values if v is not None]
    at = params[0]
    param = values[at]
    assert isinstance(param, Param)
    return param.around("".join(text[:at]), "".join(text[at + 1 :]))


def dotted(node: ast.AST) -> str:
    """``a.b.c`` for a chain of names and attributes, else ""."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def literal(node: ast.AST | None) -> str | None:
    """The value of a string constant, else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def keyword(call: ast.Call, name: str) -> ast.AST | None:
    """The value of ``name=`` in a call, if passed."""
    return next((k.value for k in call.keywords if k.arg == name), None)
