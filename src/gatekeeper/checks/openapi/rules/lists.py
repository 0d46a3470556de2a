"""``allOf``/``anyOf``/``oneOf``/``prefixItems`` branches added or removed."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.openapi.diff import SchemaDiff, bare, types_of
from gatekeeper.checks.openapi.rules.base import Collector
from gatekeeper.checks.openapi.rules.effective import merge
from gatekeeper.checks.openapi.rules.site import Site
from gatekeeper.checks.openapi.subsume import covers
from gatekeeper.model import Level

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
    (with ``c`` and ``site``; without them every branch is reported). A request's new
    ``allOf`` branch that the base already implied is reported for information only."""
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
                message = f"{kw} branch {name} {verb} in {what}"
                if (
                    kw == "allOf"
                    and verb == "added"
                    and c is not None
                    and site is not None
                    and site.request
                    and _implied(c, d, node)
                ):
                    # still reported (a new parent is news), but it refuses no request
                    message += (
                        " (the base schema already implied it: no request it accepted is refused)"
                    )
                    emit(f"{stem}-{verb}{note}", message, name, level=Level.INFO)
                    continue
                emit(f"{stem}-{verb}{note}", message, name)


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


def _implied(c: Collector, d: SchemaDiff, node: Any) -> bool:
    """Whether a new ``allOf`` branch of a request schema asks nothing the base schema did
    not, so that the schema accepts what it did (its other changes are judged apart):
    the branch repeats one of the base's branches exactly, or it allows every value the
    base composition allowed (its own keywords, with the properties and requirements of
    all its branches merged in). Generators list every parent of a class as a branch:
    springdoc gives a search condition that also becomes a book condition
    ``allOf: [..., {$ref: Book}]``, ``Book`` an empty object, and a parent that repeats an
    existing one (``operator``, required, a string). A branch with a property, a
    requirement or a bound the base lacked still constrains clients and is reported."""
    new = c.rev.deref(node)
    branches = d.base.get("allOf")
    branches = branches if isinstance(branches, list) else []
    if isinstance(new, dict) and any(new == c.base.deref(b) for b in branches):
        return True
    merged = merge(d.base, c.base.deref)
    whole = {k: v for k, v in d.base.items() if k not in ("allOf", "properties", "required")}
    if merged.props:
        whole["properties"] = merged.props
    if merged.required:
        whole["required"] = sorted(merged.required)
    return covers(node, whole, c.rev.deref, c.base.deref)


def branch_name(node: Any, index: int, deref: Any = None) -> str:
    """How a branch is named in a message: its component, else its position (in its own
    spec) and the types it allows."""
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        return repr(node["$ref"].rsplit("/", 1)[-1])
    types = types_of(node, deref) if isinstance(node, dict) else []
    return f"#{index} ({'/'.join(types) or 'any type'})"
