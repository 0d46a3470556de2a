"""django-configurations values: ``values.Value(environ_name="X", environ_prefix=None)``.

django-configurations declares each Django setting as a value object in a
``Configuration`` class; at start-up the value is read from the environment under a name
derived from its keywords: ``environ_name`` (default: the setting's own name) behind
``environ_prefix`` (default ``DJANGO``; ``None`` or ``""`` for none), unless
``environ=False``. La Suite's projects (``SEARCH_INDEXER_URL = values.Value(default=None,
environ_name="SEARCH_INDEXER_URL", environ_prefix=None)``) declare every setting they read
this way and nothing else touches ``os.environ``, so without this reading the gate saw
none of their new variables (suitenumerique/docs 1d9c2a8118, 5cdbdbf215). The URL values
(``DatabaseURLValue`` and kin) read their fixed ``DATABASE_URL``-style name with no prefix.

Only a module that imports from ``configurations`` is read, so an unrelated ``Value(...)``
class is not taken for one. A value whose name or prefix is not a literal is skipped
rather than guessed; a prefixed read keeps the bare setting name as its alias, as the
dynaconf reading does, since a project may document either.
"""

from __future__ import annotations

import ast
import re

from gatekeeper.checks.envvars.model import EnvRead
from gatekeeper.checks.envvars.python_djdynaconf import called_name

#: a Django setting's name: upper case, not private
_SETTING = re.compile(r"[A-Z][A-Z0-9_]*")
#: django-configurations' prefix when a value names none
DEFAULT_PREFIX = "DJANGO"
#: the URL values and the variable each reads, unprefixed, unless told otherwise
_URL_VALUES = {
    "DatabaseURLValue": "DATABASE_URL",
    "CacheURLValue": "CACHE_URL",
    "EmailURLValue": "EMAIL_URL",
    "SearchURLValue": "SEARCH_URL",
}
_UNSET = object()


def imports_configurations(tree: ast.Module) -> bool:
    """Whether the module imports django-configurations (``from configurations import
    values``, ``from configurations.values import Value``, ``import configurations``)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        if any(name.split(".")[0] == "configurations" for name in names):
            return True
    return False


def values_reads(tree: ast.Module) -> list[EnvRead]:
    """Each value object of the module as a read of the variable it is loaded from."""
    if not imports_configurations(tree):
        return []
    reads: list[EnvRead] = []
    for node in ast.walk(tree):
        targets: list[str] = []
        value: ast.expr | None = None
        if isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            value = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets, value = [node.target.id], node.value
        elif isinstance(node, ast.Dict):
            # a value nested in a setting's dict has no name of its own to fall back on
            for item in node.values:
                if isinstance(item, ast.Call):
                    reads.extend(_read(item, ""))
            continue
        if isinstance(value, ast.Call):
            for target in targets or [""]:
                reads.extend(_read(value, target))
    return sorted(reads, key=lambda r: (r.line, r.name))


def _read(call: ast.Call, setting: str) -> list[EnvRead]:
    kind = called_name(call.func)
    if not kind.endswith("Value") or (kind == "Value" and not _is_value_call(call)):
        return []
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    environ = _literal(keywords.get("environ"), True)
    if environ is False:
        return []
    fixed = _URL_VALUES.get(kind)
    name = _literal(keywords.get("environ_name"), fixed or setting)
    default_prefix = None if fixed else DEFAULT_PREFIX
    prefix = _literal(keywords.get("environ_prefix"), default_prefix)
    if not isinstance(name, str) or not _SETTING.fullmatch(name):
        return []
    if prefix is not None and not isinstance(prefix, str):
        return []  # a computed prefix: claim no name
    full = f"{prefix.rstrip('_')}_{name}" if prefix else name
    aliases = (name,) if full != name else ()
    how = f"django-configurations {kind}"
    return [EnvRead(full, call.lineno, how, aliases=aliases)]


def _is_value_call(call: ast.Call) -> bool:
    """A bare ``Value(...)`` counts only as ``values.Value`` or with an environ keyword."""
    if isinstance(call.func, ast.Attribute):
        return True
    return any(k.arg in ("environ_name", "environ_prefix", "environ") for k in call.keywords)


def _literal(node: ast.expr | None, default: object) -> object:
    """A keyword's constant value, ``default`` when absent, a marker when computed."""
    if node is None:
        return default
    if isinstance(node, ast.Constant):
        return node.value
    return _UNSET
