"""``allOf``/``anyOf``/``oneOf``/``prefixItems`` branches added or removed."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.openapi.diff import SchemaDiff, bare, types_of
from gatekeeper.checks.openapi.rules.base import Collector
from gatekeeper.checks.openapi.rules.site import Site
from gatekeeper.checks.openapi.subsume import covers

LIST_STEMS = {
    "allOf": "all-of",
    "anyOf": "any-of",
    "oneOf": "one-of",
    "prefixItems": "prefix-items",
}
ANNOTATIONS = {
    "description",
    "title",
    "example",
    "examples",
    "deprecated",
    "externalDocs",
    "$comment",
    "readOnly",
    "writeOnly",
}


def _annotation_only(node: Any) -> bool:
    return isinstance(node, dict) and "$ref" not in node and bool(node) and set(node) <= ANNOTATIONS


def check_lists(
    d: SchemaDiff, what: str, emit: Any, c: Collector | None = None, site: Site | None = None
) -> None:
    """Branches added or removed, each named; silent when no value a client sees changes
    (with ``c`` and ``site``; without them every branch is reported)."""
    for kw, ld in d.lists.items():
        stem = LIST_STEMS[kw]
        for verb, items in (("added", ld.added), ("removed", ld.removed)):
            for index, node in items:
                if (
                    c is not None
                    and site is not None
                    and _silent_branch(c, site, d, kw, verb, node)
                ):
                    continue
                note = "-annotation-only" if kw == "allOf" and _annotation_only(node) else ""
                deref = None if c is None else c.base.deref if verb == "removed" else c.rev.deref
                name = branch_name(node, index, deref)
                emit(f"{stem}-{verb}{note}", f"{kw} branch {name} {verb} in {what}", name)


def _silent_branch(c: Collector, site: Site, d: SchemaDiff, kw: str, verb: str, node: Any) -> bool:
    """A ``oneOf``/``anyOf`` branch whose coming or going changes no value a client sees:
    a bare type (the type-list finding says it), a request branch whose values the
    revision still accepts, a response branch whose values the base already allowed."""
    if kw not in ("oneOf", "anyOf"):
        return False
    inline = not (isinstance(node, dict) and "$ref" in node)
    if d.types is not None and bare(c.rev.deref(node) if verb == "added" else c.base.deref(node)):
        return True
    # a named component is a branch of its own, even when another one looks alike
    if site.request and verb == "removed" and inline:
        return covers(d.rev, node, c.rev.deref, c.base.deref)
    if not site.request and verb == "added" and kw == "oneOf" and inline:
        # (a new anyOf branch is informational anyway: it stays in the changelog)
        return covers(d.base, node, c.base.deref, c.rev.deref)
    return False


def branch_name(node: Any, index: int, deref: Any = None) -> str:
    """How a branch is named in a message: its component, else its position (in its own
    spec) and the types it allows."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return repr(node["$ref"].rsplit("/", 1)[-1])
    types = types_of(node, deref) if isinstance(node, dict) else []
    return f"#{index} ({'/'.join(types) or 'any type'})"
