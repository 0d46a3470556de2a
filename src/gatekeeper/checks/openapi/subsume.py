"""What values a schema allows, asked the way a client would: is every value that one
schema allows also allowed by another, and does every value a schema allows meet a bound.

The engine compares keywords; these questions stop it from calling a change breaking
when the values a client can send (or receive) are the same: a ``maxLength`` replaced by
an ``enum`` of short words, an ``anyOf`` branch folded into a wider one. Answers are
conservative: when a schema uses a keyword not modelled here, "no" (the finding stays).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from gatekeeper.checks.openapi.schema_types import nullable_of, types_of

Deref = Callable[[Any], Any]

#: bound keyword -> (the JSON type it constrains, True when it is an upper bound)
BOUNDS: dict[str, tuple[str, bool]] = {
    "maxLength": ("string", True),
    "minLength": ("string", False),
    "maximum": ("number", True),
    "minimum": ("number", False),
    "exclusiveMaximum": ("number", True),
    "exclusiveMinimum": ("number", False),
    "maxItems": ("array", True),
    "minItems": ("array", False),
}
#: keywords covers() understands; any other keyword on the narrow side is a "no"
_KNOWN = frozenset(
    {
        "type", "format", "nullable", "enum", "const", "properties", "required",
        "additionalProperties", "items", "anyOf", "oneOf", "pattern", "x-nullable",
        *BOUNDS, "description", "title", "example", "examples", "deprecated", "readOnly",
        "writeOnly", "default", "externalDocs", "xml",
    }
)  # fmt: skip
_MAX_DEPTH = 12


def _modelled(schema: dict[str, Any]) -> bool:
    """Every keyword is one covers() understands (extensions are notes, bar one)."""
    return all(k in _KNOWN or (k.startswith("x-") and k != "x-extensible-enum") for k in schema)


def _measure(value: Any, kind: str) -> float | None:
    """The number a bound of ``kind`` measures on ``value``; None when it does not apply."""
    if kind == "string":
        return float(len(value)) if isinstance(value, str) else None
    if kind == "array":
        return float(len(value)) if isinstance(value, list) else None
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok else None


def meets(values: Iterable[Any], kw: str, bound: Any) -> bool:
    """Whether every value meets ``kw: bound`` (values the keyword ignores meet it)."""
    if kw == "pattern":
        try:
            rx = re.compile(str(bound))
        except re.error:
            return False
        return all(not isinstance(v, str) or rx.search(v) is not None for v in values)
    if kw not in BOUNDS or isinstance(bound, bool) or not isinstance(bound, (int, float)):
        return False
    kind, upper = BOUNDS[kw]
    strict = kw.startswith("exclusive")
    for value in values:
        m = _measure(value, kind)
        if m is None:
            continue
        if upper and (m > bound or (strict and m == bound)):
            return False
        if not upper and (m < bound or (strict and m == bound)):
            return False
    return True


def _values(schema: dict[str, Any]) -> list[Any] | None:
    """The finite set of values a schema allows (``enum``/``const``), else None."""
    if "const" in schema:
        return [schema["const"]]
    enum = schema.get("enum")
    return list(enum) if isinstance(enum, list) else None


def enforces(schema: Any, kw: str, bound: Any, deref: Deref, depth: int = 0) -> bool:
    """Whether every value ``schema`` allows meets ``kw: bound``.

    True when the schema keeps a bound at least as tight, when its ``enum`` values all
    meet it, or when each ``anyOf``/``oneOf`` branch does (a branch of another type,
    an object for ``maxLength``, meets it trivially).
    """
    node = deref(schema)
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return False
    values = _values(node)
    if values is not None and meets(values, kw, bound):
        return True
    if kw in BOUNDS:
        kind, upper = BOUNDS[kw]
        own = node.get(kw)
        number = isinstance(own, (int, float)) and not isinstance(own, bool)
        if number and (own <= bound if upper else own >= bound):
            return True
        types = types_of(node, deref)
        # a branch of another type (an object beside a bounded string) has nothing to
        # bound; at the top a bound on the wrong type is still reported, as oasdiff does
        if (
            depth
            and types
            and all(t != kind and not (kind == "number" and t == "integer") for t in types)
        ):
            return True
    elif kw == "pattern" and node.get("pattern") == bound:
        return True
    for branches_kw in ("anyOf", "oneOf"):
        branches = node.get(branches_kw)
        if isinstance(branches, list) and branches and "type" not in node:
            return all(enforces(b, kw, bound, deref, depth + 1) for b in branches)
    return False


def covers(wide: Any, narrow: Any, dw: Deref, dn: Deref, depth: int = 0) -> bool:
    """Whether every value ``narrow`` allows is allowed by ``wide`` (conservative)."""
    w, n = dw(wide), dn(narrow)
    if not isinstance(w, dict) or not isinstance(n, dict) or depth > _MAX_DEPTH:
        return False
    if w is n or w == n:
        return True
    if not w.keys() - {"description", "title", "example", "examples"}:
        return True  # an empty schema allows everything
    for kw in ("anyOf", "oneOf"):
        branches = n.get(kw)
        if isinstance(branches, list) and branches and "type" not in n:
            rest = {k: v for k, v in n.items() if k != kw}
            return all(
                covers(wide, {**dn(b), **rest} if isinstance(dn(b), dict) else b, dw, dn, depth + 1)
                for b in branches
            )
    if not (_modelled(n) and _modelled(w)):
        return False  # a keyword not modelled here (allOf, multipleOf...): say no
    branches = w.get("anyOf")
    if isinstance(branches, list) and "type" not in w:
        return any(covers(b, n, dw, dn, depth + 1) for b in branches)
    branches = w.get("oneOf")
    if isinstance(branches, list) and "type" not in w:
        # oneOf refuses a value two branches accept: only a sole matching type is safe
        hits = [b for b in branches if covers(b, n, dw, dn, depth + 1)]
        others = [b for b in branches if b not in hits]
        mine = set(types_of(n, dn))
        return (
            len(hits) == 1
            and bool(mine)
            and all(
                not mine & set(types_of(dw(b) if isinstance(dw(b), dict) else {}, dw))
                and types_of(dw(b) if isinstance(dw(b), dict) else {}, dw)
                for b in others
            )
        )
    return _covers_plain(w, n, dw, dn, depth)


def _covers_plain(w: dict[str, Any], n: dict[str, Any], dw: Deref, dn: Deref, depth: int) -> bool:
    if nullable_of(n) and not nullable_of(w):
        return False
    tw, tn = types_of(w, dw), types_of(n, dn)
    if tw and not (tn and all(t in tw or (t == "integer" and "number" in tw) for t in tn)):
        return False
    values = _values(n)
    wide_values = _values(w)
    if wide_values is not None and (values is None or any(v not in wide_values for v in values)):
        return False
    for kw in ("format", "pattern"):
        if (
            kw in w
            and w[kw] != n.get(kw)
            and not (values and kw == "pattern" and meets(values, kw, w[kw]))
        ):
            return False
    for kw, (_kind, upper) in BOUNDS.items():
        if kw not in w:
            continue
        mine = n.get(kw)
        tight = isinstance(mine, (int, float)) and (mine <= w[kw] if upper else mine >= w[kw])
        if not tight and not (values is not None and meets(values, kw, w[kw])):
            return False
    return _covers_object(w, n, dw, dn, depth) and _covers_items(w, n, dw, dn, depth)


def _covers_object(w: dict[str, Any], n: dict[str, Any], dw: Deref, dn: Deref, depth: int) -> bool:
    required_w = set(w.get("required") or [])
    if not required_w <= set(n.get("required") or []):
        return False
    pw, pn = w.get("properties") or {}, n.get("properties") or {}
    extra = w.get("additionalProperties", True)
    for name, sub in pn.items():
        if name in pw:
            if not covers(pw[name], sub, dw, dn, depth + 1):
                return False
        elif extra is False or (
            isinstance(extra, dict) and not covers(extra, sub, dw, dn, depth + 1)
        ):
            return False
    extra_n = n.get("additionalProperties", True)
    if extra is False and extra_n is not False:
        return False
    if isinstance(extra, dict) and extra_n is not False:
        return isinstance(extra_n, dict) and covers(extra, extra_n, dw, dn, depth + 1)
    return True


def _covers_items(w: dict[str, Any], n: dict[str, Any], dw: Deref, dn: Deref, depth: int) -> bool:
    if "items" not in w:
        return True
    return "items" in n and covers(w["items"], n["items"], dw, dn, depth + 1)
