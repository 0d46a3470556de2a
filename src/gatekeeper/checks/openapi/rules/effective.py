"""The effective object an ``allOf`` composition describes: one set of properties, one
``required`` list.

A client receives every property of a schema and of its ``allOf`` branches, and must send
every property required by any of them. Moving a property (or its ``required`` entry) from
a schema into one of its branches, or between branches, changes nothing a client sees;
judging each schema object on its own would report it as removed here and added there.
The property rules of :mod:`properties` therefore ask a :class:`Composite` what the whole
composition holds on each side before calling a property added, removed, or newly
(not) required.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.checks.openapi.diff import SchemaDiff

#: how deep ``allOf`` branches of branches are followed (a cycle stops earlier)
MAX_DEPTH = 8


@dataclass
class Side:
    """One side of a composition, merged: properties (first definition wins, the schema's
    own before its branches', as the comparer's own merge does) and what is required."""

    props: dict[str, Any] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    #: the schema object each property is defined in, by ``id``
    home: dict[str, int] = field(default_factory=dict)


def merge(schema: dict[str, Any], deref: Callable[[Any], Any]) -> Side:
    """``schema`` with its ``allOf`` branches (and theirs) merged in."""
    side = Side()
    _merge_into(side, schema, deref, 0, set())
    return side


def _merge_into(
    side: Side, schema: dict[str, Any], deref: Callable[[Any], Any], depth: int, seen: set[int]
) -> None:
    if id(schema) in seen:
        return
    seen.add(id(schema))
    props = schema.get("properties")
    for name, node in props.items() if isinstance(props, dict) else ():
        if name not in side.props:
            side.props[str(name)] = node
            side.home[str(name)] = id(schema)
    required = schema.get("required")
    if isinstance(required, list):
        side.required.update(v for v in required if isinstance(v, str))
    branches = schema.get("allOf")
    if depth >= MAX_DEPTH or not isinstance(branches, list):
        return
    for raw in branches:
        branch = deref(raw)
        if isinstance(branch, dict):
            _merge_into(side, branch, deref, depth + 1, seen)


@dataclass
class Composite:
    """A schema difference whose base or revision has ``allOf``, seen merged."""

    diff: SchemaDiff
    #: its path from the payload ("" for the payload itself)
    path: str
    base: Side
    rev: Side
    #: (base object, revision object) pairs the difference walks as one schema: the
    #: composition itself and its ``allOf`` branches matched on both sides
    paired: set[tuple[int, int]]

    def moved(self) -> list[str]:
        """Properties on both sides whose definitions sit in schema objects the walk does
        not pair (moved into a branch, out of one, or between branches): their own
        differences are found by comparing the two definitions."""
        return sorted(
            name
            for name in self.base.props.keys() & self.rev.props.keys()
            if (self.base.home[name], self.rev.home[name]) not in self.paired
        )


def composite(d: SchemaDiff, path: str, deref_base: Any, deref_rev: Any) -> Composite | None:
    """The merged view of ``d`` when either side composes with ``allOf``, else None."""
    if not (isinstance(d.base.get("allOf"), list) or isinstance(d.rev.get("allOf"), list)):
        return None
    paired: set[tuple[int, int]] = set()
    _pairs(d, paired, 0)
    return Composite(d, path, merge(d.base, deref_base), merge(d.rev, deref_rev), paired)


def _pairs(d: SchemaDiff, into: set[tuple[int, int]], depth: int) -> None:
    into.add((id(d.base), id(d.rev)))
    ld = d.lists.get("allOf")
    if ld is None or depth >= MAX_DEPTH:
        return
    for _, sub in ld.modified:
        _pairs(sub, into, depth + 1)
