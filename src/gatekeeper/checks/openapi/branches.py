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
    side, else those whose types match exactly one branch on the other side, else, among
    branches of one type, those that are each other's likeliest counterpart
    (:func:`_likeliest`)."""
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
        elif key and same_r:
            j = _likeliest(c, lb, lr, i, same_b, same_r)
            if j is not None:
                pairs.append((i, j))
    return pairs


#: the share of property names two object branches must have in common to be one branch
_ALIKE = 0.5


def _likeliest(
    c: SchemaComparer, lb: list[Any], lr: list[Any], i: int, same_b: list[int], same_r: list[int]
) -> int | None:
    """The revision's branch that base branch ``i`` became, among branches of one type:
    the one sharing the most property names with it (at least half of both sides' names),
    when ``i`` is that branch's likeliest base branch too; never one whose tag (a
    property listing its values, as ``version: enum: ["6"]``) allows none of its. typebot's
    import body is ``oneOf`` a version 6 and a version 5 typebot, each object; a property
    added to the settings both share edits both branches, removes none."""
    scores = {j: _alike(c, lb[i], lr[j]) for j in same_r}
    best = max(scores.values(), default=0.0)
    top = [j for j, score in scores.items() if score == best]
    if best < _ALIKE or len(top) != 1:
        return None
    back = {k: _alike(c, lb[k], lr[top[0]]) for k in same_b}
    return (
        top[0]
        if max(back.values()) == back[i] and list(back.values()).count(back[i]) == 1
        else None
    )


def _alike(c: SchemaComparer, base: Any, rev: Any) -> float:
    """How alike two object branches are: the share of property names they have in
    common (0 when either lists none, or when a property both have allows values on one
    side that are all refused on the other: the tag that tells the branches apart)."""
    b, r = _d(c.deref_base(base)), _d(c.deref_rev(rev))
    pb, pr = _d(b.get("properties")), _d(r.get("properties"))
    if not pb or not pr:
        return 0.0
    for name in set(pb) & set(pr):
        tb, tr = _tag(c.deref_base(pb[name])), _tag(c.deref_rev(pr[name]))
        if tb is not None and tr is not None and not tb & tr:
            return 0.0
    return len(set(pb) & set(pr)) / len(set(pb) | set(pr))


def _tag(schema: Any) -> frozenset[str] | None:
    """The values a property allows when it lists them (``const``, ``enum``), else None."""
    s = _d(schema)
    if "const" in s:
        return frozenset({repr(s["const"])})
    enum = s.get("enum")
    return frozenset(repr(v) for v in enum) if isinstance(enum, list) and enum else None
