"""What a schema says about types: its types (declared, implied by its keywords, or the
union of its ``oneOf``/``anyOf`` branches), nullability and enum values."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: keywords that only constrain one JSON type, so a schema without ``type`` that uses
#: them describes that type (a body listing ``properties`` is an object)
_IMPLIED = (
    ("object", ("properties", "additionalProperties", "patternProperties", "required",
                "minProperties", "maxProperties")),
    ("array", ("items", "prefixItems", "minItems", "maxItems", "uniqueItems")),
    ("string", ("maxLength", "minLength", "pattern")),
)  # fmt: skip
#: keys a ``oneOf``/``anyOf`` branch may have and still only say "this type"
_BARE = frozenset({"type", "format", "nullable", "description", "title", "example", "examples"})


def types_of(
    schema: dict[str, Any], deref: Callable[[Any], Any] | None = None, depth: int = 0
) -> list[str]:
    """The schema's types without ``null``, sorted; [] means any type.

    Without ``type``, the union of the ``oneOf``/``anyOf`` branches' types counts (each
    branch resolved through ``deref`` when given; one branch of any type makes it any),
    and otherwise the type its keywords imply (``properties`` means object).
    """
    t = schema.get("type")
    if isinstance(t, str):
        return [] if t == "null" else [t]
    if isinstance(t, list):
        return sorted(str(x) for x in t if x != "null")
    if t is not None:
        return []
    for kw in ("oneOf", "anyOf"):
        branches = schema.get(kw)
        if isinstance(branches, list) and branches and depth < 8:
            found: set[str] = set()
            for raw in branches:
                branch = deref(raw) if deref is not None else raw
                if not isinstance(branch, dict) or ("$ref" in branch and deref is None):
                    return []
                if branch.get("type") == "null":
                    continue
                inner = types_of(branch, deref, depth + 1)
                if not inner:
                    return []
                found.update(inner)
            return sorted(found)
    return implied_types(schema)


def implied_types(schema: dict[str, Any]) -> list[str]:
    """The one type a schema's keywords imply when it names none; [] when none does."""
    if "type" in schema or "oneOf" in schema or "anyOf" in schema or "allOf" in schema:
        return []
    found = [t for t, keys in _IMPLIED if any(k in schema for k in keys)]
    return found if len(found) == 1 else []


def bare(node: Any) -> bool:
    """A branch that only names a type (``{type: integer}``): a change to the list of such
    branches is a change of the list of types, and is reported as that."""
    return isinstance(node, dict) and "type" in node and set(node) <= _BARE


def nullable_of(schema: dict[str, Any]) -> bool:
    """Nullable the 3.0 way, the 3.1 way (``null`` in ``type``) or the Swagger way."""
    t = schema.get("type")
    return (
        schema.get("nullable") is True
        or schema.get("x-nullable") is True
        or t == "null"
        or (isinstance(t, list) and "null" in t)
    )


def enum_of(schema: dict[str, Any]) -> list[Any] | None:
    """The enum values, or None when the schema has no enum."""
    e = schema.get("enum")
    return e if isinstance(e, list) else None
