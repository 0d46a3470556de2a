"""Bounds (``maximum``, ``maxLength``, ``pattern``...) set, moved or dropped, judged by the
values a client can send or receive rather than by the keyword alone."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.openapi.diff import MISSING, SchemaDiff
from gatekeeper.checks.openapi.rules.base import Collector
from gatekeeper.checks.openapi.rules.site import Site
from gatekeeper.checks.openapi.subsume import BOUNDS, enforces

#: keyword -> rule stem
NUMERIC = {
    "maximum": "max", "exclusiveMaximum": "exclusive-max", "minimum": "min",
    "exclusiveMinimum": "exclusive-min", "maxLength": "max-length", "minLength": "min-length",
    "maxItems": "max-items", "minItems": "min-items", "minContains": "min-contains",
    "maxContains": "max-contains",
}  # fmt: skip


def check_bounds(c: Collector, site: Site, d: SchemaDiff, what: str, emit: Any) -> None:
    """Numeric bounds and ``pattern`` changes of one schema node."""
    _numbers(c, site, d, what, emit)
    _pattern(c, d, site, what, emit)


def _same_values(c: Collector, site: Site, d: SchemaDiff, kw: str, old: Any, new: Any) -> bool:
    """A bound moved but the values a client can send or receive did not: a response
    bound dropped while every value still meets it (an ``enum`` of short words, a string
    branch keeping its ``maxLength``), a request bound added that every value met."""
    upper = BOUNDS[kw][1] if kw in BOUNDS else True
    if site.request:
        tighter = new is not MISSING and (old is MISSING or (new < old if upper else new > old))
        return tighter and enforces(d.base, kw, new, c.base.deref)
    looser = old is not MISSING and (new is MISSING or (new > old if upper else new < old))
    return looser and enforces(d.rev, kw, old, c.rev.deref)


def _same_pattern_values(c: Collector, site: Site, d: SchemaDiff, old: Any, new: Any) -> bool:
    """A pattern added to a request that every allowed value matched, or a response
    pattern dropped or changed while every value still matches the old one."""
    if site.request:
        return new is not MISSING and enforces(d.base, "pattern", new, c.base.deref)
    return old is not MISSING and enforces(d.rev, "pattern", old, c.rev.deref)


def _numbers(c: Collector, site: Site, d: SchemaDiff, what: str, emit: Any) -> None:
    for kw, stem in NUMERIC.items():
        if kw not in d.values:
            continue
        old, new = d.values[kw]
        if isinstance(old, bool) or isinstance(new, bool):
            continue
        if kw in BOUNDS and _same_values(c, site, d, kw, old, new):
            continue
        if old is MISSING and isinstance(new, (int, float)):
            emit(f"{stem}-set", f"{kw} of {what} set to {new}")
        elif new is MISSING and isinstance(old, (int, float)):
            emit(f"{stem}-unset", f"{kw} of {what} removed (was {old})")
        elif isinstance(old, (int, float)) and isinstance(new, (int, float)):
            verb = "decreased" if new < old else "increased"
            emit(f"{stem}-{verb}", f"{kw} of {what} {verb} from {old} to {new}")


def _pattern(c: Collector, d: SchemaDiff, site: Site, what: str, emit: Any) -> None:
    if "pattern" not in d.values:
        return
    old, new = d.values["pattern"]
    old = MISSING if old in ("", None) else old
    new = MISSING if new in ("", None) else new
    if old is new or _same_pattern_values(c, site, d, old, new):
        return
    if old is MISSING:
        emit("pattern-added", f"pattern {new!r} added to {what}")
    elif new is MISSING:
        emit("pattern-removed", f"pattern removed from {what}")
    elif site.request and new in (".*", "^.*$"):
        emit("pattern-generalized", f"pattern of {what} generalized to {new!r}")
    else:
        emit("pattern-changed", f"pattern of {what} changed from {old!r} to {new!r}")
