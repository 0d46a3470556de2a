"""Type and format changes, judged by direction and by how the payload is encoded."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.openapi.diff import MISSING, SchemaDiff, bare, types_of
from gatekeeper.checks.openapi.rules.base import Collector
from gatekeeper.checks.openapi.rules.site import Site


def subset(a: list[str], b: list[str], loose: bool = False) -> bool:
    """Every type of ``a`` is covered by ``b`` (integer within number; anything within
    string when the encoding is text, not JSON)."""
    return bool(a) and all(
        t in b or (t == "integer" and "number" in b) or (loose and "string" in b) for t in a
    )


def _type_kind(old: list[str], new: list[str], loose: bool) -> str:
    if not new or subset(old, new):
        return "generalized"
    if not old or subset(new, old):
        return "specialized"
    if loose and subset(old, new, True):
        return "generalized-loose"
    if loose and subset(new, old, True):
        return "specialized-loose"
    return "changed"


def check_types(
    c: Collector, d: SchemaDiff, site: Site, prefix: str, *, what: str, emit: Any
) -> None:
    fmt = d.values.get("format")
    if d.types is None and fmt is None:
        return
    if d.types is not None and _told_by_branches(c, d):
        return
    old, new = d.types if d.types is not None else (types_of(d.base), types_of(d.rev))
    if d.types is not None and (len(old) > 1 or len(new) > 1):
        if prefix == "request-parameter":
            emit(*_param_type_list(c, d, old, new, what))
        widened = subset(old, new)
        emit(
            f"list-of-types-{'widened' if widened else 'narrowed'}",
            f"types of {what} changed from {old} to {new}",
        )
        return
    if d.types is None and fmt is not None:
        # format only: dropping it accepts more, adding one restricts, except the widest
        # of its type (an integer said to be int64, a number double: harbor's ids), which
        # every client's value already fits: read as a widening of a request and a
        # narrowing of a response, neither breaks anyone
        kind = (
            "generalized"
            if fmt[1] is MISSING or (_widest(new, fmt) and site.request)
            else "specialized"
            if fmt[0] is MISSING
            else "changed"
        )
    else:
        kind = _type_kind(old, new, site.loose)
    msg = f"type of {what} changed from {_tf(old, fmt, 0)} to {_tf(new, fmt, 1)}"
    if prefix == "request-parameter-property" and d.types is not None:
        # the encoding of a parameter's properties is unknown: breaking both ways is an
        # error, breaking one way a warning, breaking neither way a generalization
        strict = not (not new or subset(old, new))
        loose = not (not new or subset(old, new, True))
        verdict = (
            "specialized" if strict and loose else "changed" if strict or loose else "generalized"
        )
        emit(f"type-{verdict}", msg)
        return
    # a swap that is safe only because the encoding is text is "compatible"
    safe_loose = "generalized-loose" if site.request else "specialized-loose"
    if kind == safe_loose and c.known(f"{prefix}-type-compatible"):
        emit("type-compatible", msg)
        return
    kind = kind.removesuffix("-loose")
    if site.request:
        if kind == "specialized" and c.known(f"{prefix}-type-specialized"):
            emit("type-specialized", msg)
        elif kind == "generalized":
            emit("type-generalized", msg)
        else:
            emit("type-changed", msg)
    else:
        emit(f"type-{kind}", msg)


#: the widest format of a type: declaring it restricts nothing a client sends
_WIDEST = {"integer": "int64", "number": "double"}


def _widest(types: list[str], fmt: tuple[Any, Any]) -> bool:
    """Whether a format added where there was none is the widest one of the type."""
    return fmt[0] is MISSING and len(types) == 1 and _WIDEST.get(types[0]) == fmt[1]


def _told_by_branches(c: Collector, d: SchemaDiff) -> bool:
    """The types changed because ``oneOf``/``anyOf`` branches that are more than a type
    came or went: the branch findings say it, once. Bare-type branches (``{type: x}``)
    are the other way round: the type finding speaks for them."""
    branches = [
        (node, deref)
        for kw in ("oneOf", "anyOf")
        if kw in d.lists
        for items, deref in ((d.lists[kw].added, c.rev.deref), (d.lists[kw].removed, c.base.deref))
        for _, node in items
    ]
    return bool(branches) and not any(bare(deref(node)) for node, deref in branches)


_CONSTRAINTS = (
    "enum",
    "const",
    "pattern",
    "format",
    "maxLength",
    "minLength",
    "maximum",
    "minimum",
)


def _param_type_list(
    c: Collector, d: SchemaDiff, old: list[str], new: list[str], what: str
) -> tuple[str, str]:
    """A parameter whose type list changed: a scalar that became a form-exploded array of
    unconstrained items still accepts every value it did; anything else may not."""
    msg = f"type of {what} changed from {'/'.join(old)} to {'/'.join(new)}"
    if new == ["array"]:
        items = c.rev.deref(d.rev.get("items"))
        if (
            isinstance(items, dict)
            and subset(old, types_of(items), True)
            and not any(k in items for k in _CONSTRAINTS)
        ):
            return "type-generalized", msg
    return ("type-generalized" if subset(old, new, True) else "type-changed"), msg


def _tf(types: list[str], fmt: tuple[Any, Any] | None, i: int) -> str:
    t = "/".join(types) or "any"
    f = fmt[i] if fmt is not None else MISSING
    return t if f is MISSING else f"{t} ({f})"
