"""``oneOf``/``anyOf`` branches that are the same schema moved, not a schema replaced.

``X`` becoming ``anyOf: [X, Y]`` still accepts every value of ``X``: it is ``X`` compared
with its branch, plus ``Y`` added (and the reverse, ``oneOf: [X, Y]`` becoming ``X``, is
``Y`` removed). Inline branches left unmatched pair up when their types say which is
which, so editing one branch reads as an edit, not as a removal and an addition.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, Protocol

from gatekeeper.checks.openapi.diff_types import ListDiff, SchemaDiff
from gatekeeper.checks.openapi.schema_types import nullable_of, types_of
from gatekeeper.checks.openapi.subsume import covers


class SchemaComparer(Protocol):
    """What this module needs of :class:`~gatekeeper.checks.openapi.diff.SchemaComparer`."""

    deref_base: Callable[[Any], Any]
    deref_rev: Callable[[Any], Any]

    def compare(self, base: Any, rev: Any) -> SchemaDiff | None:
        """The difference between two schemas, or None when equal."""


#: (keyword, index of the branch that is the other side's schema, True when the base is
#: the single schema and the revision has the branches)
Move = tuple[str, int, bool]


def _d(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


def _ref(node: Any) -> str | None:
    return node["$ref"] if isinstance(node, dict) and isinstance(node.get("$ref"), str) else None


def moved_branch(
    c: SchemaComparer, raw_base: Any, raw_rev: Any, b: dict[str, Any], r: dict[str, Any]
) -> Move | None:
    """Whether one side is a branch of the other side's ``oneOf``/``anyOf``."""
    if _single(b) and not _single(r) and not _typed(r):
        hit = _find(c, raw_base, b, r, into=True)
        return None if hit is None else (hit[0], hit[1], True)
    if _single(r) and not _single(b) and not _typed(b):
        hit = _find(c, raw_rev, r, b, into=False)
        return None if hit is None else (hit[0], hit[1], False)
    return None


def _single(schema: dict[str, Any]) -> bool:
    return "oneOf" not in schema and "anyOf" not in schema


def _typed(schema: dict[str, Any]) -> bool:
    return "properties" in schema or "type" in schema


def _find(
    c: SchemaComparer, raw: Any, one: dict[str, Any], many: dict[str, Any], *, into: bool
) -> tuple[str, int] | None:
    """The branch of ``many`` that is ``one``: the same ``$ref``, an equal schema, the only
    branch whose values include (or are included in) ``one``'s, or the only branch of its
    types. (Adding a branch to a request's ``oneOf`` is informational in oasdiff's
    catalog, though a value two branches accept is refused; moving ``X`` into one is
    judged the same way.)"""
    deref_one, deref_many = (c.deref_base, c.deref_rev) if into else (c.deref_rev, c.deref_base)
    for kw in ("oneOf", "anyOf"):
        branches = many.get(kw)
        if not isinstance(branches, list) or not branches:
            continue
        ref = _ref(raw)
        j = next((j for j, x in enumerate(branches) if ref is not None and _ref(x) == ref), None)
        if j is None:
            j = next(
                (
                    j
                    for j, x in enumerate(branches)
                    if (c.compare(raw, x) if into else c.compare(x, raw)) is None
                ),
                None,
            )
        if j is None:
            fits = [
                i
                for i, x in enumerate(branches)
                if covers(x, raw, deref_many, deref_one) or covers(raw, x, deref_one, deref_many)
            ]
            j = fits[0] if len(fits) == 1 else None
        mine = types_of(one, deref_one)
        if j is None and mine:
            kinds = [types_of(_d(deref_many(x)), deref_many) for x in branches]
            sole = [i for i, t in enumerate(kinds) if t == mine]
            j = sole[0] if len(sole) == 1 else None
        return None if j is None else (kw, j)
    return None


def diff_moved(
    c: SchemaComparer,
    raw_base: Any,
    raw_rev: Any,
    b: dict[str, Any],
    r: dict[str, Any],
    kw: str,
    j: int,
    into: bool,
) -> SchemaDiff:
    """The single schema compared with its branch, the other branches added (removed)."""
    branches = r[kw] if into else b[kw]
    if into:
        sub = c.compare(raw_base, branches[j])
        d = SchemaDiff(b, _d(c.deref_rev(branches[j]))) if sub is None else replace(sub)
    else:
        sub = c.compare(branches[j], raw_rev)
        d = SchemaDiff(_d(c.deref_base(branches[j])), r) if sub is None else replace(sub)
    others = [(i, x) for i, x in enumerate(branches) if i != j]
    d.lists = dict(d.lists)
    old = d.lists.get(kw) or ListDiff()
    d.lists[kw] = (
        replace(old, added=old.added + others)
        if into
        else replace(old, removed=old.removed + others)
    )
    if not others and not old.added and not old.removed and not old.modified:
        del d.lists[kw]
    if d.nullable is None and nullable_of(b) != nullable_of(r):
        d.nullable = (nullable_of(b), nullable_of(r))
    tb, tr = types_of(b, c.deref_base), types_of(r, c.deref_rev)
    if tb != tr:
        d.types = (tb, tr)
    return d


def pair_inline(
    c: SchemaComparer, lb: list[Any], lr: list[Any], left: list[int], right: list[int]
) -> list[tuple[int, int]]:
    """Unmatched inline branches that are one branch edited: the only ones left on each
    side, else those whose types match exactly one branch on the other side."""
    li = [i for i in left if _ref(lb[i]) is None]
    ri = [j for j in right if _ref(lr[j]) is None]
    if len(left) == 1 and len(right) == 1 and li and ri:
        return [(li[0], ri[0])]
    bsig = {i: tuple(types_of(_d(c.deref_base(lb[i])), c.deref_base)) for i in li}
    rsig = {j: tuple(types_of(_d(c.deref_rev(lr[j])), c.deref_rev)) for j in ri}
    pairs = []
    for i, key in bsig.items():
        same_b = [k for k, v in bsig.items() if v == key]
        same_r = [j for j, v in rsig.items() if v == key]
        if key and len(same_b) == 1 and len(same_r) == 1:
            pairs.append((i, same_r[0]))
    return pairs
