"""A Django settings module under dynaconf: every setting it defines is a variable.

``settings = DjangoDynaconf(__name__, ENVVAR_PREFIX_FOR_DYNACONF="PULP")`` at the end of a
Django settings module hands the module to dynaconf, which lets the environment override
each of its settings under the prefix: ``ENABLE_V4_API = False`` there is read from
``PULP_ENABLE_V4_API``. A setting the change adds to such a module is a new variable
whoever deploys it may set, and the project documents it by the setting's name (pulpcore's
settings reference lists ``ENABLE_V4_API``, not ``PULP_ENABLE_V4_API``): the bare name is
the read's alias, so either one documented is enough. Without the keyword the prefix is
dynaconf's default for Django, ``DJANGO``. Only module-level upper-case names count, as
only they are Django settings; a module without a ``DjangoDynaconf(...)`` call at its top
level is an ordinary module.
"""

from __future__ import annotations

import ast
import re

from gatekeeper.checks.envvars.model import EnvRead

#: a Django setting's name: upper case, not private
_SETTING = re.compile(r"[A-Z][A-Z0-9_]*")
#: dynaconf's prefix for Django when the call names none
DEFAULT_PREFIX = "DJANGO"
_PREFIX_KEYWORDS = ("ENVVAR_PREFIX_FOR_DYNACONF", "envvar_prefix")


def settings_reads(tree: ast.Module) -> list[EnvRead]:
    """The settings a DjangoDynaconf settings module defines, each as a read of its
    prefixed variable (the bare name its alias); [] for any other module."""
    prefix = _prefix(tree)
    if prefix is None:
        return []
    reads: list[EnvRead] = []
    for node in tree.body:
        for target in _targets(node):
            if _SETTING.fullmatch(target):
                name = f"{prefix}_{target}" if prefix else target
                how = f"dynaconf's override of the Django setting {target}"
                reads.append(EnvRead(name, node.lineno, how, aliases=(target,)))
    return reads


def _prefix(tree: ast.Module) -> str | None:
    """The prefix of the module's top-level ``DjangoDynaconf(...)`` call, "" when it turns
    the prefix off, None without such a call."""
    for node in tree.body:
        value = node.value if isinstance(node, (ast.Assign, ast.Expr, ast.AnnAssign)) else None
        if not isinstance(value, ast.Call) or called_name(value.func) != "DjangoDynaconf":
            continue
        for keyword in value.keywords:
            if keyword.arg in _PREFIX_KEYWORDS and isinstance(keyword.value, ast.Constant):
                given = keyword.value.value
                if given is False:
                    return ""
                if isinstance(given, str):
                    return given.rstrip("_")
                return None  # a prefix the gate cannot read: claim no names
            if keyword.arg in _PREFIX_KEYWORDS:
                return None
        return DEFAULT_PREFIX
    return None


def called_name(func: ast.expr) -> str:
    """The name a call's function goes by: ``f`` of ``f(...)`` and of ``m.f(...)``."""
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _targets(node: ast.stmt) -> list[str]:
    """The plain names a top-level assignment binds (``A = B = 1`` binds both)."""
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
        return [node.target.id]
    return []
