"""Environment reads in Python, found through the AST (with a textual fallback).

Recognised: ``os.environ[...]``, ``.get``, ``.setdefault``, ``.pop``, ``os.getenv``,
``"X" in os.environ``, and any alias of these; python-decouple ``config("X")`` and
starlette's ``config = Config(".env")``, ``config("X")``; environs
``env.str("X")`` (``Env(prefix=)``, ``env.prefixed("P_")``); django-environ ``env("X")``,
``env.bool("X")``, ``env.db()``; dynaconf ``settings.X`` / ``settings.get("x")`` (with its
``envvar_prefix``, by default ``DYNACONF_``); pydantic settings fields (see
:mod:`pydantic_fields`); django-configurations ``values.Value(environ_name=...)`` (see
:mod:`python_djconfigurations`). Names may be literals, constants of the module or of the module
they are imported from, ``f"APP_{x}"`` built around them, or arguments of a *wrapper*: a
function of the repository that passes a parameter on to any of these reads
(``maybe_set(settings, "key", "NAME")``, ``get_bool_from_env("NAME")``, a method called
on an instance). Wrappers calling wrappers are followed within a module.
"""

from __future__ import annotations

import re

from gatekeeper.checks.envvars.model import EnvRead, line_of
from gatekeeper.checks.envvars.python_djconfigurations import values_reads
from gatekeeper.checks.envvars.python_djdynaconf import settings_reads
from gatekeeper.checks.envvars.python_imports import RepoModules
from gatekeeper.checks.envvars.python_module import (
    GATE,
    Module,
    Resolver,
    is_library,
    is_relevant,
    parse,
)
from gatekeeper.checks.envvars.python_values import Imported
from gatekeeper.checks.envvars.python_walk import analyse

__all__ = ["GATE", "EnvRead", "Module", "Resolver", "line_of", "parse", "python_reads"]

_TEXTUAL = re.compile(
    r"""(?:environ(?:\.get|\.setdefault|\.pop)?\s*[\[(]\s*|getenv\s*\(\s*)["']([A-Za-z_][A-Za-z0-9_]*)["']"""
)


_FROM_IMPORT = re.compile(
    r"^[ \t]*from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]{0,5000}\)|[^\n]*)", re.M
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
        if is_library(imported.module) and not imported.level:
            return True  # e.g. a settings class or an env object from a library
        if imported.name == "*":
            probe = Imported(imported.module, "", imported.level)
            if resolver.resolve(probe, path) is not None:
                return True
        elif is_relevant(resolver.resolve(imported, path)):
            return True
    return False


def python_reads(
    source: str, path: str = "", modules: RepoModules | None = None
) -> tuple[list[EnvRead], bool]:
    """The reads in ``source`` and whether the AST was used (False: textual fallback).

    ``modules`` looks up names imported from the repository's other modules, and keeps
    this module's parse for them (so a changed module another one imports is parsed once).
    A module that names no environment API and imports nothing that reads is not parsed."""
    if not any(token in source for token in GATE) and (
        modules is None or not _imports_matter(source, path, modules)
    ):
        return [], True
    module = modules.scanned(path, source) if modules is not None else _parsed(source, path)
    if module is None:
        reads = [
            EnvRead(m.group(1), line_of(source, m.start()), "text match")
            for m in _TEXTUAL.finditer(source)
        ]
        return reads, False
    reads = analyse(module)
    if "DjangoDynaconf" in source:  # every setting of the module is a variable
        reads = sorted([*reads, *settings_reads(module.tree)], key=lambda r: r.line)
    if "configurations" in source:  # django-configurations values name their variables
        reads = sorted([*reads, *values_reads(module.tree)], key=lambda r: r.line)
    return reads, True


def _parsed(source: str, path: str) -> Module | None:
    tree = parse(source)
    return Module(tree, path) if tree is not None else None
