"""Environment reads in Python, found through the AST (with a textual fallback).

Recognised: ``os.environ[...]``, ``.get``, ``.setdefault``, ``.pop``, ``os.getenv``,
``"X" in os.environ``, any import aliases of these; python-decouple ``config("X")``;
environs ``env.str("X")`` (with ``env.prefixed("P_")``); django-environ ``env("X")``;
pydantic ``BaseSettings`` fields (``env_prefix``, aliases; case-insensitive).
"""

from __future__ import annotations

import ast
import bisect
import functools
import re
from array import array
from dataclasses import dataclass

_ENV_METHODS = {"get", "setdefault", "pop", "__getitem__"}
_TYPED_GETTERS = {
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
}


@dataclass(frozen=True, slots=True)
class EnvRead:
    """One place that reads an environment variable."""

    name: str  # "" when the name is computed at run time
    line: int
    how: str  # e.g. "os.environ[...]", "pydantic field"
    case_insensitive: bool = False
    described: bool = False  # a pydantic field with a description documents itself

    @property
    def dynamic(self) -> bool:
        """True when the name is built at run time and cannot be checked."""
        return not self.name


class _Visitor(ast.NodeVisitor):
    def __init__(self) -> None:
        self.reads: list[EnvRead] = []
        self.os_names: set[str] = set()  # names bound to the os module
        self.environ_names: set[str] = set()  # names bound to os.environ
        self.getenv_names: set[str] = set()  # names bound to os.getenv
        self.config_names: set[str] = set()  # decouple.config
        self.env_objects: set[str] = set()  # environs.Env() / environ.Env() instances
        self.env_classes: set[str] = set()  # Env classes imported from environs/environ
        self.settings_bases: set[str] = {"BaseSettings"}
        self.prefixes: list[str] = []

    # --- imports and bindings
    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == "os":
                self.os_names.add(alias.asname or "os")
            elif alias.name in ("environs", "environ") and alias.asname:
                self.env_classes.add(f"{alias.asname}.Env")
            elif alias.name in ("environs", "environ"):
                self.env_classes.add(f"{alias.name}.Env")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name
            if node.module == "os" and alias.name == "environ":
                self.environ_names.add(bound)
            elif node.module == "os" and alias.name == "getenv":
                self.getenv_names.add(bound)
            elif node.module == "decouple" and alias.name == "config":
                self.config_names.add(bound)
            elif node.module in ("environs", "environ") and alias.name == "Env":
                self.env_classes.add(bound)
            elif node.module and "pydantic" in node.module and alias.name == "BaseSettings":
                self.settings_bases.add(bound)

    def visit_Assign(self, node: ast.Assign) -> None:
        if isinstance(node.value, ast.Call) and _dotted(node.value.func) in self.env_classes:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.env_objects.add(target.id)
        self.generic_visit(node)

    # --- reads
    def _is_environ(self, node: ast.AST) -> bool:
        dotted = _dotted(node)
        if dotted in self.environ_names:
            return True
        return any(dotted == f"{os_name}.environ" for os_name in self.os_names)

    def _is_getenv(self, node: ast.AST) -> bool:
        dotted = _dotted(node)
        return dotted in self.getenv_names or any(
            dotted == f"{os_name}.getenv" for os_name in self.os_names
        )

    def _add(self, arg: ast.AST | None, line: int, how: str) -> None:
        name = _literal(arg)
        if name is None:
            self.reads.append(EnvRead("", line, how))
        else:
            self.reads.append(
                EnvRead(
                    "".join(self.prefixes) + name if how.startswith("environs") else name, line, how
                )
            )

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self._is_environ(node.value):
            self._add(node.slice, node.lineno, "os.environ[...]")
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        if (
            len(node.ops) == 1
            and isinstance(node.ops[0], ast.In | ast.NotIn)
            and self._is_environ(node.comparators[0])
        ):
            self._add(node.left, node.lineno, "in os.environ")
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        first = node.args[0] if node.args else _keyword(node, "key")
        if self._is_getenv(func):
            self._add(first, node.lineno, "os.getenv")
        elif isinstance(func, ast.Attribute) and self._is_environ(func.value):
            if func.attr in _ENV_METHODS:
                self._add(first, node.lineno, f"os.environ.{func.attr}")
        elif _dotted(func) in self.config_names:
            self._add(first, node.lineno, "decouple config()")
        elif isinstance(func, ast.Name) and func.id in self.env_objects:
            self._add(first, node.lineno, "environs env()")
        elif (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id in self.env_objects
            and func.attr in _TYPED_GETTERS
        ):
            self._add(first, node.lineno, f"environs env.{func.attr}()")
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        pushed = 0
        for item in node.items:
            call = item.context_expr
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "prefixed"
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id in self.env_objects
            ):
                prefix = _literal(call.args[0] if call.args else None)
                if prefix is not None:
                    self.prefixes.append(prefix)
                    pushed += 1
        self.generic_visit(node)
        for _ in range(pushed):
            self.prefixes.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        if any(_dotted(base).split(".")[-1] in self.settings_bases for base in node.bases):
            self.reads.extend(_settings_fields(node))
        self.generic_visit(node)


def _settings_fields(node: ast.ClassDef) -> list[EnvRead]:
    prefix, case_sensitive = _settings_config(node)
    reads = []
    for stmt in node.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        if stmt.target.id.startswith("_") or stmt.target.id == "model_config":
            continue
        name, described = prefix + stmt.target.id, False
        value = stmt.value
        if isinstance(value, ast.Call) and _dotted(value.func).split(".")[-1] == "Field":
            alias = _literal(
                _keyword(value, "validation_alias")
                or _keyword(value, "alias")
                or _keyword(value, "env")
            )
            if alias is not None:
                name = alias
            described = _literal(_keyword(value, "description")) is not None
        reads.append(
            EnvRead(
                name if case_sensitive else name.upper(),
                stmt.lineno,
                "pydantic field",
                case_insensitive=not case_sensitive,
                described=described,
            )
        )
    return reads


def _settings_config(node: ast.ClassDef) -> tuple[str, bool]:
    prefix, case_sensitive = "", False
    for stmt in node.body:
        keywords: list[tuple[str, ast.AST]] = []
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "model_config" for t in stmt.targets)
            and isinstance(stmt.value, ast.Call)
        ):
            keywords = [(k.arg or "", k.value) for k in stmt.value.keywords]
        elif isinstance(stmt, ast.ClassDef) and stmt.name == "Config":
            keywords = [
                (t.id, s.value)
                for s in stmt.body
                if isinstance(s, ast.Assign)
                for t in s.targets
                if isinstance(t, ast.Name)
            ]
        for key, value in keywords:
            if key == "env_prefix":
                prefix = _literal(value) or ""
            elif key == "case_sensitive" and isinstance(value, ast.Constant):
                case_sensitive = bool(value.value)
    return prefix, case_sensitive


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.AST | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


_TEXTUAL = re.compile(
    r"""(?:environ(?:\.get|\.setdefault|\.pop)?\s*[\[(]\s*|getenv\s*\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']"""
)


def python_reads(source: str) -> tuple[list[EnvRead], bool]:
    """The reads in ``source`` and whether the AST was used (False: textual fallback)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        reads = [
            EnvRead(m.group(1), line_of(source, m.start()), "text match")
            for m in _TEXTUAL.finditer(source)
        ]
        return reads, False
    visitor = _Visitor()
    visitor.visit(tree)
    return visitor.reads, True


@functools.lru_cache(maxsize=1)
def _newlines(text: str) -> array[int]:
    return array("q", (m.start() for m in re.finditer("\n", text)))


def line_of(text: str, offset: int) -> int:
    """The 1-based line of ``offset`` in ``text``. The newlines of the last text asked
    about are indexed once: counting them again for every match made a file with many
    matches quadratic."""
    return bisect.bisect_left(_newlines(text), offset) + 1
