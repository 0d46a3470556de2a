"""Schema-level rules, for request and response payloads and parameters.

A schema difference is walked from its root (``request-body-*``, ``response-body-*``,
``request-parameter-*``) into nested properties, items and branches
(``*-property-*``). Direction decides what breaks: a request may only get looser, a
response only stricter. Rule ids are composed from the site prefix and the change, and
only ids in the catalog are emitted, so the catalog is the single list of what exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gatekeeper.checks.openapi.diff import MISSING, SchemaDiff
from gatekeeper.checks.openapi.rules import LEVELS
from gatekeeper.checks.openapi.rules.base import (
    STABILITY_ORDER,
    Collector,
    Scope,
    Shared,
    notice_days,
    stability,
    sunset_date,
)
from gatekeeper.checks.openapi.rules.bounds import check_bounds
from gatekeeper.checks.openapi.rules.effective import Composite, composite
from gatekeeper.checks.openapi.rules.lists import check_lists
from gatekeeper.checks.openapi.rules.properties import check_object, props_of
from gatekeeper.checks.openapi.rules.site import Site
from gatekeeper.checks.openapi.rules.types import check_types
from gatekeeper.checks.openapi.subsume import covers
from gatekeeper.model import Level

#: keyword -> rule stem
CHILD_STEMS = {
    "if": "if", "then": "then", "else": "else", "contains": "contains",
    "propertyNames": "property-names", "unevaluatedItems": "unevaluated-items",
    "unevaluatedProperties": "unevaluated-properties", "contentSchema": "content-schema",
}  # fmt: skip


Walked = tuple[SchemaDiff, str, "tuple[SchemaDiff, str] | None", "Composite | None"]


def _walk(
    c: Collector,
    d: SchemaDiff,
    path: str,
    depth: int = 0,
    scope: tuple[SchemaDiff, str] | None = None,
    comp: Composite | None = None,
) -> Iterator[Walked]:
    """Every differing node under ``d`` with its path, the innermost node reached by
    ``$ref`` above it (or itself) with that node's path, and the ``allOf`` composition it
    is part of (itself, or the one whose branch it is), seen merged."""
    if d.ref is not None:
        scope = (d, path)
    if comp is None:
        comp = composite(d, path, c.base.deref, c.rev.deref)
    yield d, path, scope, comp
    if depth > 24:
        return

    def join(seg: str) -> str:
        return f"{path}/{seg}" if path else seg

    for kw, sub in d.children.items():
        yield from _walk(c, sub, join(kw), depth + 1, scope)
    if d.properties is not None:
        for name, sub in d.properties.modified.items():
            yield from _walk(c, sub, join(name), depth + 1, scope)
    for kw, ld in d.lists.items():
        for label, sub in ld.modified:
            inner = comp if kw == "allOf" else None
            yield from _walk(c, sub, join(f"{kw}[{label}]"), depth + 1, scope, inner)
    for kw, md in d.maps.items():
        for key, sub in md.modified.items():
            yield from _walk(c, sub, join(f"{kw}[{key}]"), depth + 1, scope)
    if comp is not None and comp.diff is d:
        # a property moved between the composition and its branches is still the same
        # property: what changed in its definition is judged like any other change
        for name in comp.moved():
            moved = c.schemas.compare(comp.base.props[name], comp.rev.props[name])
            if moved is not None:
                yield from _walk(c, moved, join(name), depth + 1, scope)


def check_schema(c: Collector, site: Site, d: SchemaDiff, ref: str | None = None) -> None:
    """Emit every rule the difference ``d`` triggers at ``site``.

    A component shared by many operations yields the same findings at the same kind of
    site, so they are worked out once and replayed for each operation. ``ref`` is the
    ``$ref`` the head payload schema was reached by ("" when inline; None when the site is
    not a payload); the changes carry it so the gate can group them.
    """
    key = (id(d), site.request, site.root, site.nested, site.where)
    records = c.schema_records.get(key)
    if records is None:
        records = []
        with c.recording(records):
            if not (
                site.root.endswith("-body")
                and site.root != "response-header"
                and _wrapped_in_one_of(c, site, d)
            ):
                _check_nodes(c, site, d)
        c.schema_records[key] = records
    side = "request" if site.request else "response"
    root = Shared(ref, site.where, side, c.at(d.rev)) if ref is not None else None
    for rule, message, evidence, at, scope, level in records:
        shared = root
        if root is not None and scope is not None and scope.prefix:
            # grouped by the innermost named schema: one change to `refund.reason` is one
            # finding however many payloads reach `refund`, and by which path
            shared = Shared(scope.ref, site.where, side, scope.node, prefix=scope.prefix)
        c.emit(rule, message, site.op, evidence=evidence, at=at, shared=shared, level=level)


def _wrapped_in_one_of(c: Collector, site: Site, d: SchemaDiff) -> bool:
    """An object body moved into ``oneOf``/``anyOf`` branches that carry its properties."""
    kw = _wrapped(c, d)
    if kw is None:
        return False
    if site.request and covers(d.rev, d.base, c.rev.deref, c.base.deref):
        # every body accepted before still is: only the branches are news
        check_lists(d, site.where, _emitter(c, site, d, site.root, ""), c, site)
        return True
    side = "request" if site.request else "response"
    c.emit(f"{side}-body-wrapped-in-one-of", f"{site.where} was wrapped in {kw}", site.op)
    return True


def _wrapped(c: Collector, d: SchemaDiff) -> str | None:
    """The keyword (``oneOf``/``anyOf``) whose branches now carry the base's properties;
    None when they do not."""
    props = props_of(d.base)
    if not props or "properties" in d.rev or "oneOf" in d.base or "anyOf" in d.base:
        return None
    for kw in ("oneOf", "anyOf"):
        branches = d.rev.get(kw)
        if isinstance(branches, list):
            covered: set[str] = set()
            for branch in branches:
                covered |= set(props_of(c.rev.deref(branch) if isinstance(branch, dict) else {}))
            if set(props) <= covered:
                return kw
    return None


def _check_nodes(c: Collector, site: Site, d: SchemaDiff) -> None:
    for node, path, scope, comp in _walk(c, d, ""):
        c.scope = None if scope is None else Scope(scope[0].ref or "", scope[1], c.at(scope[0].rev))
        prefix = site.nested if path else site.root
        if path and _wrapped(c, node):
            # one finding for the new branches (one-of-added), not one per moved property
            check_lists(node, f"'{path}' in {site.where}", _emitter(c, site, node, prefix, path))
            continue
        _node(c, site, node, prefix, path=path)
        check_object(c, site, node, path, comp)
    c.scope = None


def _id(site: Site, prefix: str, node: SchemaDiff, stem: str) -> str:
    """Pick the read-only (request) variant of an id when one exists."""
    if site.request and node.rev.get("readOnly") is True and prefix == site.nested:
        ro = f"request-read-only-property-{stem}"
        if ro in LEVELS:
            return ro
    return f"{prefix}-{stem}"


def _emitter(c: Collector, site: Site, d: SchemaDiff, prefix: str, path: str) -> Any:
    """The ``emit(stem, message)`` used for one schema node: composes the rule id."""
    ev = f"{site.where}|{path}"

    def emit(stem: str, message: str, detail: str = "", level: Level | None = None) -> None:
        rule = _id(site, prefix, d, stem)
        if (
            path == "items"
            and stem.startswith(("max-items", "min-items"))
            and site.root == "request-parameter"
        ):
            rule = f"{site.root}-{stem}"  # array parameters: item counts are the parameter's own
        elif stem.startswith("!"):
            rule = stem[1:]
        at = c.at(d.rev)
        tail = f"{stem}|{detail}" if detail else stem
        c.emit(rule, message, site.op, evidence=f"{ev}|{tail}", at=at, level=level)
        if site.header and path:
            header_rule = f"request-header-property-{stem}"
            c.emit(header_rule, message, site.op, evidence=f"{ev}|h|{tail}", at=at, level=level)

    return emit


def _node(c: Collector, site: Site, d: SchemaDiff, prefix: str, *, path: str) -> None:
    if not site.request and d.rev.get("writeOnly") is True:
        return  # a write-only property never reaches a client
    what = f"'{path}' in {site.where}" if path else site.where
    emit = _emitter(c, site, d, prefix, path)
    check_bounds(c, site, d, what, emit)
    check_types(c, d, site, prefix, what=what, emit=emit)
    _enum(d, site, what, path, emit)
    for kw, stem in (("default", "default-value"), ("const", "const")):
        if kw in d.values:
            old, new = d.values[kw]
            verb = "added" if old is MISSING else "removed" if new is MISSING else "changed"
            emit(f"{stem}-{verb}", f"{kw} of {what} {verb} ({_show(old)} -> {_show(new)})")
    for kw, stem in (
        ("contentMediaType", "content-media-type"),
        ("contentEncoding", "content-encoding"),
    ):
        if kw in d.values:
            emit(f"{stem}-changed", f"{kw} of {what} changed")
    for kw in d.children_added:
        if kw in CHILD_STEMS:
            emit(f"{CHILD_STEMS[kw]}-added", f"{kw} added to {what}")
    for kw in d.children_removed:
        if kw in CHILD_STEMS:
            emit(f"{CHILD_STEMS[kw]}-removed", f"{kw} removed from {what}")
    check_lists(d, what, emit, c, site)
    _maps(d, what, emit)
    _discriminator(d, what, emit)
    _lifecycle(c, d, site, what, emit)


def _show(value: Any) -> str:
    return "none" if value is MISSING else repr(value)


def _enum(d: SchemaDiff, site: Site, what: str, path: str, emit: Any) -> None:
    if d.enum is not None:
        old, new = d.enum
        if old is None and new is not None:
            emit("became-enum", f"{what} became an enum of {len(new)} values")
        elif old is not None and new is not None:
            for v in new:
                if v not in old:
                    emit("enum-value-added", f"enum value {v!r} added to {what}", repr(v))
            for v in old:
                if v not in new:
                    emit("enum-value-removed", f"enum value {v!r} removed from {what}", repr(v))
                    if not site.request and not path:
                        emit(
                            "!response-mediatype-enum-value-removed",
                            f"enum value {v!r} removed from {what}",
                            repr(v),
                        )
    if d.extensible_enum is not None:
        xold, xnew = d.extensible_enum
        for v in xold:
            if v not in xnew:
                emit(
                    "x-extensible-enum-value-removed",
                    f"x-extensible-enum value {v!r} removed from {what}",
                    repr(v),
                )
    if d.nullable is not None:
        emit(
            "became-nullable" if d.nullable[1] else "became-not-nullable",
            f"{what} became {'nullable' if d.nullable[1] else 'not nullable'}",
        )


def _maps(d: SchemaDiff, what: str, emit: Any) -> None:
    for kw, stem in (
        ("patternProperties", "pattern-property"),
        ("dependentSchemas", "dependent-schema"),
    ):
        md = d.maps.get(kw)
        if md is None:
            continue
        for key in md.added:
            emit(f"{stem}-added", f"{kw} {key!r} added to {what}")
        for key in md.removed:
            emit(f"{stem}-removed", f"{kw} {key!r} removed from {what}")
    if d.dependent_required is not None:
        for verb, keys in zip(("added", "removed", "changed"), d.dependent_required, strict=True):
            for key in keys:
                emit(
                    f"dependent-required-{verb}", f"dependentRequired for {key!r} {verb} in {what}"
                )


def _discriminator(d: SchemaDiff, what: str, emit: Any) -> None:
    if d.discriminator is None:
        return
    old, new = (x if isinstance(x, dict) else None for x in d.discriminator)
    if old is None or new is None:
        emit(
            "discriminator-added" if old is None else "discriminator-removed",
            f"discriminator of {what} {'added' if old is None else 'removed'}",
        )
        return
    if old.get("propertyName") != new.get("propertyName"):
        emit("discriminator-property-name-changed", f"discriminator property of {what} changed")
    mo, mn = old.get("mapping") or {}, new.get("mapping") or {}
    if isinstance(mo, dict) and isinstance(mn, dict):
        if any(k not in mo for k in mn):
            emit("discriminator-mapping-added", f"discriminator mapping added in {what}")
        if any(k not in mn for k in mo):
            emit("discriminator-mapping-deleted", f"discriminator mapping deleted in {what}")
        if any(k in mn and mn[k] != v for k, v in mo.items()):
            emit("discriminator-mapping-changed", f"discriminator mapping changed in {what}")


def _too_soon(c: Collector, site: Site, sunset: Any) -> bool:
    """Whether a sunset date leaves less than the policy's notice period."""
    date = sunset_date(sunset)
    days = notice_days(c.options, stability(site.op.node) or "stable")
    return date is not None and (date - c.options.today).days < days


def _lifecycle(c: Collector, d: SchemaDiff, site: Site, what: str, emit: Any) -> None:
    if "deprecated" in d.values:
        old, new = d.values["deprecated"]
        if new is True:
            sunset = d.rev.get("x-sunset")
            if sunset is None and notice_days(c.options, stability(site.op.node) or "stable") > 0:
                emit("deprecated-sunset-missing", f"{what} deprecated without an x-sunset date")
            elif sunset is None:
                emit("deprecated", f"{what} deprecated")
            elif sunset_date(sunset) is None:
                emit(
                    "deprecated-sunset-invalid",
                    f"{what} deprecated with an unreadable x-sunset {sunset!r}",
                )
            elif _too_soon(c, site, sunset):
                emit("sunset-date-too-small", f"{what} sunset {sunset} is too soon")
            else:
                emit("deprecated-with-sunset", f"{what} deprecated, sunset {sunset}")
        elif old is True:
            emit("reactivated", f"{what} is no longer deprecated")
    if "x-stability-level" in d.values:
        raw = d.values["x-stability-level"][1]
        if raw is not MISSING and raw not in STABILITY_ORDER:
            emit("!api-invalid-stability-level", f"{what} has an invalid x-stability-level {raw!r}")
            return
        old, new = (
            STABILITY_ORDER.get(v) if isinstance(v, str) else None
            for v in d.values["x-stability-level"]
        )
        # an endpoint that is itself draft or alpha makes no promise about its properties
        unstable = site.op.node.get("x-stability-level") in ("draft", "alpha")
        if old is not None and new is not None and old != new and not unstable:
            emit(
                "stability-decreased" if new < old else "stability-increased",
                f"stability of {what} changed",
            )
