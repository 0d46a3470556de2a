"""The constraint names SQLAlchemy's ``naming_convention`` gives, read from the merged tree.

With ``MetaData(naming_convention={"ck": "ck_%(table_name)s_%(constraint_name)s"})``,
Alembic's ``op.create_check_constraint("positive", "orders", ...)`` creates
``ck_orders_positive``, and the downgrade must drop it by that name. A down that drops
``ck_orders_positive`` undoes the up only where the project declares that convention, so
the convention is read at base (a PR cannot declare one to pair names that do not pair),
and only templates whose every token is known here (table and constraint name) count.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from gatekeeper.changes import ChangeSet

#: the convention's key for what each Alembic operation creates
KIND = {
    "create_check_constraint": "ck",
    "create_unique_constraint": "uq",
    "create_foreign_key": "fk",
    "create_primary_key": "pk",
    "create_index": "ix",
}
#: files read for a convention at most (a project declares it once or twice)
_MAX_FILES = 20
_KEYS = frozenset(KIND.values())

Conventions = Mapping[str, frozenset[str]]


def conventions(changes: ChangeSet) -> Conventions:
    """Each kind's templates (``"ck" -> {"ck_%(table_name)s_%(constraint_name)s"}``)
    declared in the base tree's Python files; empty when there are none."""
    return changes.fact("sqlalchemy-naming-conventions", lambda: _read(changes))


def _read(changes: ChangeSet) -> Conventions:
    found: dict[str, set[str]] = {}
    for path in (changes.base_files_containing(["naming_convention"], ["*.py"]) or [])[:_MAX_FILES]:
        try:
            tree = ast.parse(changes.text_at_base(path) or "")
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            for key, value in zip(node.keys, node.values, strict=True):
                k, v = _constant(key), _constant(value)
                if k in _KEYS and v is not None:
                    found.setdefault(k, set()).add(v)
    return {k: frozenset(v) for k, v in found.items()}


def _constant(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def names(found: Conventions, operation: str, table: str, name: str) -> frozenset[str]:
    """The names an object ``operation`` creates as ``name`` on ``table`` may have in the
    database: ``name`` itself, and each template of its kind that takes the constraint's
    name and nothing but it and the table's."""
    out = {name}
    for template in found.get(KIND.get(operation, ""), ()):
        if "%(constraint_name)s" not in template:
            continue  # SQLAlchemy keeps an explicit name the template has no place for
        try:
            out.add(template % {"table_name": table, "constraint_name": name})
        except (KeyError, ValueError, TypeError):
            continue  # a token only the metadata knows (column_0_name...)
    return frozenset(n.lower() for n in out)
