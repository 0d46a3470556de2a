"""Memoised structural comparison of two JSON Schemas.

:func:`SchemaComparer.compare` returns a :class:`SchemaDiff` tree (or None when the two
schemas are equivalent). Each (base, revision) pair of schema objects is compared once:
references resolve to shared objects, so a component used by a thousand operations is
diffed a single time, and a cycle meets its own pair "in progress" and is taken as equal
there (the enclosing comparison still reports what differs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gatekeeper.checks.openapi.branches import diff_moved, moved_branch, pair_inline
from gatekeeper.checks.openapi.diff_types import ListDiff, MapDiff, SchemaDiff
from gatekeeper.checks.openapi.schema_types import (
    bare,
    enum_of,
    implied_types,
    nullable_of,
    types_of,
)

__all__ = [
    "ListDiff",
    "MapDiff",
    "SchemaDiff",
    "bare",
    "enum_of",
    "implied_types",
    "nullable_of",
    "types_of",
]

MISSING: Any = object()

#: Keywords compared as plain values (presence matters: MISSING when absent).
VALUE_KEYWORDS = (
    "format", "default", "const", "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum",
    "maxLength", "minLength", "maxItems", "minItems", "minContains", "maxContains", "pattern",
    "readOnly", "writeOnly", "deprecated", "x-sunset", "x-stability-level", "contentMediaType",
    "contentEncoding", "uniqueItems", "multipleOf", "title", "description", "example",
)  # fmt: skip
#: Keywords holding one subschema.
CHILD_KEYWORDS = (
    "items", "additionalProperties", "contains", "propertyNames", "unevaluatedItems",
    "unevaluatedProperties", "if", "then", "else", "not", "contentSchema",
)  # fmt: skip
LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
MAP_KEYWORDS = ("patternProperties", "dependentSchemas")


_IN_PROGRESS: Any = object()


class SchemaComparer:
    """Compares schemas of two documents, each pair once."""

    def __init__(self, deref_base: Callable[[Any], Any], deref_rev: Callable[[Any], Any]) -> None:
        self._base = self.deref_base = deref_base
        self._rev = self.deref_rev = deref_rev
        self._memo: dict[tuple[int, int], Any] = {}
        self._unwrapped: dict[int, dict[str, Any]] = {}
        self._flat: dict[int, dict[str, Any]] = {}

    def compare(self, base: Any, rev: Any) -> SchemaDiff | None:
        """The difference between two (possibly ``$ref``) schemas, or None when equal."""
        b, r = self._base(base), self._rev(rev)
        b = self._unwrap(b, self._base) if isinstance(b, dict) else {}
        r = self._unwrap(r, self._rev) if isinstance(r, dict) else {}
        # a schema moved into (or out of) allOf is compared merged: the payload counts
        if "allOf" in r and "allOf" not in b and self._part_of(base, r["allOf"], into=True):
            r = self._flatten(r, self._rev)
        elif "allOf" in b and "allOf" not in r and self._part_of(rev, b["allOf"], into=False):
            b = self._flatten(b, self._base)
        key = (id(b), id(r))
        hit = self._memo.get(key, MISSING)
        if hit is _IN_PROGRESS:
            return None
        if hit is not MISSING:
            return hit  # type: ignore[no-any-return]
        self._memo[key] = _IN_PROGRESS
        moved = moved_branch(self, base, rev, b, r)
        d = self._diff(b, r) if moved is None else diff_moved(self, base, rev, b, r, *moved)
        result = None if d.empty() else d
        if result is not None:
            result.ref = _component(rev)
        self._memo[key] = result
        return result

    def _part_of(self, node: Any, parts: Any, *, into: bool) -> bool:
        """Whether ``node`` (one side's schema) is one of the other side's ``allOf``
        parts: the same ``$ref``, or an inline part equal to it (typebot's credentials
        body became ``allOf: [<the same anyOf>, {properties: {id: ...}}]``)."""
        if _ref_in(node, parts):
            return True
        if not isinstance(parts, list) or _ref(node) is not None:
            return False
        inline = [p for p in parts if _ref(p) is None]
        return any(
            (self.compare(node, p) if into else self.compare(p, node)) is None for p in inline
        )

    def _unwrap(self, schema: dict[str, Any], deref: Callable[[Any], Any]) -> dict[str, Any]:
        """``oneOf``/``anyOf`` of one schema and ``null`` reads as that schema, nullable.

        One object per wrapped schema, so the memo keeps working.
        """
        for kw in ("oneOf", "anyOf"):
            branches = schema.get(kw)
            if not (isinstance(branches, list) and len(branches) == 2):
                continue
            resolved = [deref(x) for x in branches]
            nulls = [
                i for i, x in enumerate(resolved) if isinstance(x, dict) and x.get("type") == "null"
            ]
            if len(nulls) != 1 or not isinstance(resolved[1 - nulls[0]], dict):
                continue
            hit = self._unwrapped.get(id(schema))
            if hit is None:
                hit = dict(resolved[1 - nulls[0]])
                hit.update((k, v) for k, v in schema.items() if k != kw)
                hit["nullable"] = True
                self._unwrapped[id(schema)] = hit
            return hit
        return schema

    def _flatten(
        self, schema: dict[str, Any], deref: Callable[[Any], Any], depth: int = 0
    ) -> dict[str, Any]:
        """One schema with its ``allOf`` branches merged in (one object per schema)."""
        hit = self._flat.get(id(schema))
        if hit is not None:
            return hit
        merged = {k: v for k, v in schema.items() if k != "allOf"}
        props: dict[str, Any] = dict(merged.get("properties") or {})
        required: list[str] = list(merged.get("required") or [])
        for raw in schema.get("allOf") or []:
            branch = deref(raw)
            if not isinstance(branch, dict):
                continue
            if "allOf" in branch and depth < 8:
                branch = self._flatten(branch, deref, depth + 1)
            for key, value in branch.items():
                if key == "properties" and isinstance(value, dict):
                    for name, prop in value.items():
                        props.setdefault(name, prop)
                elif key == "required" and isinstance(value, list):
                    required.extend(v for v in value if v not in required)
                else:
                    merged.setdefault(key, value)
        if props:
            merged["properties"] = props
        if required:
            merged["required"] = required
        self._flat[id(schema)] = merged
        return merged

    def _diff(self, b: dict[str, Any], r: dict[str, Any]) -> SchemaDiff:
        d = SchemaDiff(b, r)
        for kw in VALUE_KEYWORDS:
            old, new = b.get(kw, MISSING), r.get(kw, MISSING)
            if not _same_value(old, new):
                d.values[kw] = (old, new)
        tb, tr = types_of(b, self._base), types_of(r, self._rev)
        if tb != tr:
            d.types = (tb, tr)
        nb, nr = nullable_of(b), nullable_of(r)
        if nb != nr:
            d.nullable = (nb, nr)
        eb, er = enum_of(b), enum_of(r)
        if eb != er:
            d.enum = (eb, er)
        xb, xr = b.get("x-extensible-enum"), r.get("x-extensible-enum")
        if xb != xr:
            d.extensible_enum = (
                xb if isinstance(xb, list) else [],
                xr if isinstance(xr, list) else [],
            )
        rb, rr = _strs(b.get("required")), _strs(r.get("required"))
        if rb != rr:
            d.required = (sorted(set(rr) - set(rb)), sorted(set(rb) - set(rr)))
        props = self._map(b.get("properties"), r.get("properties"))
        if props is not None:
            d.properties = props
        self._children(d, b, r)
        for kw in LIST_KEYWORDS:
            ld = self._list(b.get(kw), r.get(kw))
            if ld is not None:
                d.lists[kw] = ld
        for kw in MAP_KEYWORDS:
            md = self._map(b.get(kw), r.get(kw))
            if md is not None:
                d.maps[kw] = md
        self._dependent_required(d, b.get("dependentRequired"), r.get("dependentRequired"))
        db, dr = b.get("discriminator"), r.get("discriminator")
        if db != dr:
            d.discriminator = (db, dr)
        return d

    def _children(self, d: SchemaDiff, b: dict[str, Any], r: dict[str, Any]) -> None:
        for kw in CHILD_KEYWORDS:
            cb, cr = b.get(kw, MISSING), r.get(kw, MISSING)
            if cb is MISSING and cr is MISSING:
                continue
            if isinstance(cb, bool) or isinstance(cr, bool) or cb is MISSING or cr is MISSING:
                if cb is MISSING:
                    d.children_added.append(kw)
                elif cr is MISSING:
                    d.children_removed.append(kw)
                elif cb != cr:
                    d.values[kw] = (cb, cr)
                continue
            sub = self.compare(cb, cr)
            if sub is not None:
                d.children[kw] = sub

    def _map(self, mb: Any, mr: Any) -> MapDiff | None:
        mb = mb if isinstance(mb, dict) else {}
        mr = mr if isinstance(mr, dict) else {}
        if not mb and not mr:
            return None
        out = MapDiff()
        for k in sorted(set(mb) | set(mr)):
            if k not in mr:
                out.removed[k] = mb[k]
            elif k not in mb:
                out.added[k] = mr[k]
            else:
                sub = self.compare(mb[k], mr[k])
                if sub is not None:
                    out.modified[k] = sub
        return out if (out.added or out.removed or out.modified) else None

    def _list(self, lb: Any, lr: Any) -> ListDiff | None:
        lb = lb if isinstance(lb, list) else []
        lr = lr if isinstance(lr, list) else []
        if not lb and not lr:
            return None
        out = ListDiff()
        left = list(range(len(lb)))
        right = list(range(len(lr)))
        # pair branches naming the same $ref, then branches that compare equal
        for i in list(left):
            ref = _ref(lb[i])
            j = next((j for j in right if ref is not None and _ref(lr[j]) == ref), None)
            if j is None:
                # two differently named components are different branches, even if alike
                j = next(
                    (
                        j
                        for j in right
                        if (ref is None or _ref(lr[j]) is None)
                        and self.compare(lb[i], lr[j]) is None
                    ),
                    None,
                )
                if j is None:
                    continue
            left.remove(i)
            right.remove(j)
            sub = self.compare(lb[i], lr[j])
            if sub is not None:
                out.modified.append((_label(lb[i], i), sub))
        # inline branches left over: one of each side, or one of each side per type,
        # are the same branch edited (an optional property added, a limit loosened)
        for i, j in pair_inline(self, lb, lr, left, right):
            left.remove(i)
            right.remove(j)
            sub = self.compare(lb[i], lr[j])
            if sub is not None:
                out.modified.append((_label(lb[i], i), sub))
        out.removed = [(i, lb[i]) for i in left]
        out.added = [(j, lr[j]) for j in right]
        return out if (out.added or out.removed or out.modified) else None

    def _dependent_required(self, d: SchemaDiff, b: Any, r: Any) -> None:
        b = b if isinstance(b, dict) else {}
        r = r if isinstance(r, dict) else {}
        if b == r:
            return
        added = sorted(k for k in r if k not in b)
        removed = sorted(k for k in b if k not in r)
        changed = sorted(k for k in b if k in r and b[k] != r[k])
        d.dependent_required = (added, removed, changed)


def _same_value(old: Any, new: Any) -> bool:
    """Equal and of one type (``true`` is not ``1``), except that a number is the same
    number however it is written: ``minimum: 1.0`` and ``minimum: 1`` bound alike (a
    generator re-serialising its floats as integers changes no contract)."""
    if old != new:
        return False
    if type(old) is type(new):
        return True
    numbers = (int, float)
    return all(isinstance(v, numbers) and not isinstance(v, bool) for v in (old, new))


def _strs(value: Any) -> list[str]:
    return sorted(str(v) for v in value) if isinstance(value, list) else []


def _ref(node: Any) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return str(node["$ref"])
    return None


_NOTES = frozenset({"description", "title", "example", "examples", "$comment"})


def _component(node: Any) -> str | None:
    """The component a head schema node *is*: a ``$ref`` with at most notes beside it.
    ``{$ref: X, nullable: true}`` is a use of X that changes it, not X itself."""
    ref = _ref(node)
    if ref is None or any(k != "$ref" and k not in _NOTES and not k.startswith("x-") for k in node):
        return None
    return ref


def _ref_in(node: Any, branches: Any) -> bool:
    """Whether ``node`` is a ``$ref`` that is also one of the ``allOf`` branches."""
    ref = _ref(node)
    return ref is not None and isinstance(branches, list) and any(_ref(b) == ref for b in branches)


def _label(node: Any, index: int) -> str:
    ref = _ref(node)
    if ref is not None:
        return ref.rsplit("/", 1)[-1]
    return f"#{index}"
