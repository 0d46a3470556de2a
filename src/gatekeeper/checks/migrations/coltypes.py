"""What an Alembic ``alter_column(type_=..., existing_type=...)`` does to a PostgreSQL table.

Autogenerate writes the old type beside the new one, so the change can be judged the way
strong_migrations does. Some changes keep the stored bytes: a longer ``VARCHAR``, a
``VARCHAR`` becoming ``TEXT``, a ``NUMERIC`` with more precision and the same scale.
PostgreSQL only updates its catalog, and every reader gets what it got before: nothing to
report. Others rewrite the table under ACCESS EXCLUSIVE, but readers keep working (``JSON``
to ``JSONB``, ``INTEGER`` to ``BIGINT``): the harm is the lock, which grows with the
table, so the finding is weighed by the table's size like the other lock rules. Anything
else (or a type the gate cannot read) stays a plain ``change-column-type``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Literal

from gatekeeper.checks.migrations.pyops import call_name, literal_value

#: SQLAlchemy and PostgreSQL type names of variable-length text, by whether they bound it
_BOUNDED_TEXT = frozenset({"String", "VARCHAR", "Unicode", "NVARCHAR", "varchar"})
_UNBOUNDED_TEXT = frozenset({"Text", "TEXT", "UnicodeText", "text"})
_NUMERIC = frozenset({"Numeric", "NUMERIC", "DECIMAL", "Decimal", "numeric"})
#: integer widths, narrowest first: a wider one reads every value the narrower held
_INTEGERS = {"SmallInteger": 2, "SMALLINT": 2, "int2": 2, "Integer": 4, "INTEGER": 4,
             "INT": 4, "int4": 4, "BigInteger": 8, "BIGINT": 8, "int8": 8}  # fmt: skip
_JSON = {"JSON": "json", "JSONB": "jsonb", "json": "json", "jsonb": "jsonb"}

Effect = Literal["catalog-only", "rewrite-compatible"]


@dataclass(frozen=True, slots=True)
class _Type:
    name: str
    #: (length,) for text, (precision, scale) for numerics; None where a value is unknown
    sizes: tuple[object, ...]


def effect(old: ast.expr | None, new: ast.expr | None) -> Effect | None:
    """How changing a PostgreSQL column from ``old`` to ``new`` (SQLAlchemy types as
    written in the revision) lands (None: unknown, or a change readers may notice)."""
    return _effect(_read(old), _read(new))


def sql_effect(old: tuple[str, tuple[int, ...]], new: tuple[str, tuple[int, ...]]) -> Effect | None:
    """:func:`effect` for types as PostgreSQL's parser names them: (``"varchar"``,
    ``(255,)``), (``"int8"``, ``()``). The same type again changes nothing: PostgreSQL
    keeps the column as it is."""
    if old == new:
        return "catalog-only"
    return _effect(_Type(old[0], _padded(old)), _Type(new[0], _padded(new)))


def _padded(spelled: tuple[str, tuple[int, ...]]) -> tuple[object, ...]:
    name, mods = spelled
    size = 2 if name in _NUMERIC else 1
    return tuple(mods[:size]) + (None,) * (size - len(mods[:size]))


def _effect(before: _Type | None, after: _Type | None) -> Effect | None:
    if before is None or after is None:
        return None
    if _text_widens(before, after) or _numeric_widens(before, after):
        return "catalog-only"
    if _INTEGERS.get(before.name, 9) < _INTEGERS.get(after.name, 0):
        return "rewrite-compatible"
    if _JSON.get(before.name) == "json" and _JSON.get(after.name) == "jsonb":
        return "rewrite-compatible"
    if _zoned(before, after):
        return "rewrite-compatible"
    return None


def _zoned(before: _Type, after: _Type) -> bool:
    """``timestamp`` to ``timestamptz`` keeping its precision: each value is read as the
    session's time zone's and kept as the same instant (no rewrite at all when that zone
    is UTC, a rewrite under ACCESS EXCLUSIVE otherwise)."""
    if before.name != "timestamp" or after.name != "timestamptz":
        return False
    old, new = before.sizes[0], after.sizes[0]
    return new is None or (isinstance(old, int) and isinstance(new, int) and new >= old)


def _read(node: ast.expr | None) -> _Type | None:
    """``sa.VARCHAR(length=100)`` -> VARCHAR (100,); ``sa.Text`` -> Text (); None when
    it is not a type spelled by name (a variable, a custom type's factory call)."""
    if isinstance(node, ast.Attribute | ast.Name):
        return _Type(node.attr if isinstance(node, ast.Attribute) else node.id, ())
    if not isinstance(node, ast.Call):
        return None
    keywords = {k.arg: literal_value(k.value) for k in node.keywords if k.arg}
    positional = [literal_value(a) for a in node.args]
    name = call_name(node)
    if name in _NUMERIC:
        sizes = (keywords.get("precision", _at(positional, 0)),
                 keywords.get("scale", _at(positional, 1)))  # fmt: skip
        return _Type(name, sizes)
    return _Type(name, (keywords.get("length", _at(positional, 0)),))


def _at(values: list[object], index: int) -> object:
    return values[index] if index < len(values) else None


def _text_widens(before: _Type, after: _Type) -> bool:
    if before.name not in _BOUNDED_TEXT | _UNBOUNDED_TEXT:
        return False
    old = before.sizes[0] if before.sizes else None
    new = after.sizes[0] if after.sizes else None
    if after.name in _UNBOUNDED_TEXT or (after.name in _BOUNDED_TEXT and new is None):
        return True  # no limit any more: the bytes stay as they are
    if before.name in _UNBOUNDED_TEXT or after.name not in _BOUNDED_TEXT:
        return False  # TEXT -> VARCHAR(n) checks every row
    return isinstance(old, int) and isinstance(new, int) and new >= old


def _numeric_widens(before: _Type, after: _Type) -> bool:
    if before.name not in _NUMERIC or after.name not in _NUMERIC:
        return False
    (old_p, old_s), (new_p, new_s) = before.sizes, after.sizes
    if new_p is None and new_s is None:
        return True  # unconstrained NUMERIC holds any value the old one did
    same_scale = old_s == new_s or (old_s is None and new_s == 0) or (old_s == 0 and new_s is None)
    return same_scale and isinstance(old_p, int) and isinstance(new_p, int) and new_p >= old_p
