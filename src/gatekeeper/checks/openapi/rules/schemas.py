"""Schema-level rules, for request and response payloads and parameters.

A schema difference is walked from its root (``request-body-*``, ``response-body-*``,
``request-parameter-*``) into nested properties, items and branches
(``*-property-*``). Direction decides what breaks: a request may only get looser, a
response only stricter. Rule ids are composed from the site prefix and the change, and
only ids in the catalog are emitted, so the catalog is the single list of what exists.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from gatekeeper.checks.openapi.diff import MISSING, SchemaDiff, types_of
from gatekeeper.checks.openapi.model import Operation
from gatekeeper.checks.openapi.rules.base import STABILITY_ORDER, Collector, sunset_date

#: keyword -> rule stem
NUMERIC = {
    "maximum": "max", "exclusiveMaximum": "exclusive-max", "minimum": "min",
    "exclusiveMinimum": "exclusive-min", "maxLength": "max-length", "minLength": "min-length",
    "maxItems": "max-items", "minItems": "min-items", "minContains": "min-contains",
    "maxContains": "max-contains",
}  # fmt: skip
CHILD_STEMS = {
    "if": "if", "then": "then", "else": "else", "contains": "contains",
    "propertyNames": "property-names", "unevaluatedItems": "unevaluated-items",
    "unevaluatedProperties": "unevaluated-properties", "contentSchema": "content-schema",
}  # fmt: skip
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


@dataclass
class Site:
    """Where a schema sits: which operation, which direction, which id prefixes."""

    op: Operation
    request: bool
    root: str  # "request-body", "response-body", "request-parameter"
    nested: str  # "request-property", "response-property", "request-parameter-property"
    where: str  # "the request body", "the 200 response", "query parameter 'q'"
    #: text media types and parameters: any value also reads as a string
    loose: bool = False
    #: header parameters also report nested changes as ``request-header-property-*``
    header: bool = False


def _walk(d: SchemaDiff, path: str, depth: int = 0) -> Iterator[tuple[SchemaDiff, str]]:
    yield d, path
    if depth > 24:
        return

    def join(seg: str) -> str:
        return f"{path}/{seg}" if path else seg

    for kw, sub in d.children.items():
        yield from _walk(sub, join(kw), depth + 1)
    if d.properties is not None:
        for name, sub in d.properties.modified.items():
            yield from _walk(sub, join(name), depth + 1)
    for kw, ld in d.lists.items():
        for label, sub in ld.modified:
            yield from _walk(sub, join(f"{kw}[{label}]"), depth + 1)
    for kw, md in d.maps.items():
        for key, sub in md.modified.items():
            yield from _walk(sub, join(f"{kw}[{key}]"), depth + 1)


def check_schema(c: Collector, site: Site, d: SchemaDiff) -> None:
    """Emit every rule the difference ``d`` triggers at ``site``.

    A component shared by many operations yields the same findings at the same kind of
    site, so they are worked out once and replayed for each operation.
    """
    key = (id(d), site.request, site.root, site.nested, site.where)
    records = c.schema_records.get(key)
    if records is None:
        records = []
        with c.recording(records):
            if not (site.root.endswith("-body") and _wrapped_in_one_of(c, site, d)):
                _check_nodes(c, site, d)
        c.schema_records[key] = records
    for rule, message, evidence in records:
        c.emit(rule, message, site.op, evidence=evidence)


def _wrapped_in_one_of(c: Collector, site: Site, d: SchemaDiff) -> bool:
    """An object body moved into ``oneOf`` branches that carry its properties."""
    branches = d.rev.get("oneOf")
    props = _props(d.base)
    if not props or "oneOf" in d.base or "properties" in d.rev or not isinstance(branches, list):
        return False
    covered: set[str] = set()
    for branch in branches:
        covered |= set(_props(c.rev.deref(branch) if isinstance(branch, dict) else {}))
    if not set(props) <= covered:
        return False
    side = "request" if site.request else "response"
    c.emit(f"{side}-body-wrapped-in-one-of", f"{site.where} was wrapped in oneOf", site.op)
    return True


def _check_nodes(c: Collector, site: Site, d: SchemaDiff) -> None:
    for node, path in _walk(d, ""):
        prefix = site.nested if path else site.root
        _node(c, site, node, prefix, path=path)
        _object(c, site, node, path)


def _id(site: Site, prefix: str, node: SchemaDiff, stem: str) -> str:
    """Pick the read-only (request) variant of an id when one exists."""
    if site.request and node.rev.get("readOnly") is True and prefix == site.nested:
        ro = f"request-read-only-property-{stem}"
        if ro in _known_cache:
            return ro
    return f"{prefix}-{stem}"


_known_cache: set[str] = set()


def _node(c: Collector, site: Site, d: SchemaDiff, prefix: str, *, path: str) -> None:
    name = f"'{path}'" if path else ""
    if not _known_cache:
        from gatekeeper.checks.openapi.rules import LEVELS

        _known_cache.update(LEVELS)
    if not site.request and d.rev.get("writeOnly") is True:
        return  # a write-only property never reaches a client
    what = f"{name} in {site.where}" if name else site.where
    ev = f"{site.where}|{path}"

    def emit(stem: str, message: str) -> None:
        rule = _id(site, prefix, d, stem)
        if (
            path == "items"
            and stem.startswith(("max-items", "min-items"))
            and site.root == "request-parameter"
        ):
            rule = f"{site.root}-{stem}"  # array parameters: item counts are the parameter's own
        elif stem.startswith("!"):
            rule = stem[1:]
        c.emit(rule, message, site.op, evidence=f"{ev}|{stem}")
        if site.header and path:
            c.emit(f"request-header-property-{stem}", message, site.op, evidence=f"{ev}|h|{stem}")

    _numbers(d, what, emit)
    _pattern(d, site, what, emit)
    _types(c, d, site, prefix, what=what, emit=emit)
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
    _lists(d, what, emit)
    _maps(d, what, emit)
    _discriminator(d, what, emit)
    _lifecycle(c, d, site, what, emit)


def _show(value: Any) -> str:
    return "none" if value is MISSING else repr(value)


def _numbers(d: SchemaDiff, what: str, emit: Any) -> None:
    for kw, stem in NUMERIC.items():
        if kw not in d.values:
            continue
        old, new = d.values[kw]
        if isinstance(old, bool) or isinstance(new, bool):
            continue
        if old is MISSING and isinstance(new, (int, float)):
            emit(f"{stem}-set", f"{kw} of {what} set to {new}")
        elif new is MISSING and isinstance(old, (int, float)):
            emit(f"{stem}-unset", f"{kw} of {what} removed (was {old})")
        elif isinstance(old, (int, float)) and isinstance(new, (int, float)):
            verb = "decreased" if new < old else "increased"
            emit(f"{stem}-{verb}", f"{kw} of {what} {verb} from {old} to {new}")


def _pattern(d: SchemaDiff, site: Site, what: str, emit: Any) -> None:
    if "pattern" not in d.values:
        return
    old, new = d.values["pattern"]
    old = MISSING if old in ("", None) else old
    new = MISSING if new in ("", None) else new
    if old is new:
        return
    if old is MISSING:
        emit("pattern-added", f"pattern {new!r} added to {what}")
    elif new is MISSING:
        emit("pattern-removed", f"pattern removed from {what}")
    elif site.request and new in (".*", "^.*$"):
        emit("pattern-generalized", f"pattern of {what} generalized to {new!r}")
    else:
        emit("pattern-changed", f"pattern of {what} changed from {old!r} to {new!r}")


def _subset(a: list[str], b: list[str], loose: bool = False) -> bool:
    """Every type of ``a`` is covered by ``b`` (integer within number; anything within
    string when the encoding is text, not JSON)."""
    return bool(a) and all(
        t in b or (t == "integer" and "number" in b) or (loose and "string" in b) for t in a
    )


def _type_kind(old: list[str], new: list[str], loose: bool) -> str:
    if not new or _subset(old, new):
        return "generalized"
    if not old or _subset(new, old):
        return "specialized"
    if loose and _subset(old, new, True):
        return "generalized-loose"
    if loose and _subset(new, old, True):
        return "specialized-loose"
    return "changed"


def _types(c: Collector, d: SchemaDiff, site: Site, prefix: str, *, what: str, emit: Any) -> None:
    fmt = d.values.get("format")
    if d.types is None and fmt is None:
        return
    old, new = d.types if d.types is not None else (types_of(d.base), types_of(d.rev))
    if d.types is not None and (len(old) > 1 or len(new) > 1):
        widened = _subset(old, new)
        emit(
            f"list-of-types-{'widened' if widened else 'narrowed'}",
            f"types of {what} changed from {old} to {new}",
        )
        return
    if d.types is None and fmt is not None:
        # format only: dropping it accepts more, adding one restricts
        kind = (
            "generalized"
            if fmt[1] is MISSING
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
        strict = not (not new or _subset(old, new))
        loose = not (not new or _subset(old, new, True))
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


def _tf(types: list[str], fmt: tuple[Any, Any] | None, i: int) -> str:
    t = "/".join(types) or "any"
    f = fmt[i] if fmt is not None else MISSING
    return t if f is MISSING else f"{t} ({f})"


def _enum(d: SchemaDiff, site: Site, what: str, path: str, emit: Any) -> None:
    if d.enum is not None:
        old, new = d.enum
        if old is None and new is not None:
            emit("became-enum", f"{what} became an enum of {len(new)} values")
        elif old is not None and new is not None:
            for v in new:
                if v not in old:
                    emit("enum-value-added", f"enum value {v!r} added to {what}")
            for v in old:
                if v not in new:
                    emit("enum-value-removed", f"enum value {v!r} removed from {what}")
                    if not site.request and not path:
                        emit(
                            "!response-mediatype-enum-value-removed",
                            f"enum value {v!r} removed from {what}",
                        )
    if d.extensible_enum is not None:
        xold, xnew = d.extensible_enum
        for v in xold:
            if v not in xnew:
                emit(
                    "x-extensible-enum-value-removed",
                    f"x-extensible-enum value {v!r} removed from {what}",
                )
    if d.nullable is not None:
        emit(
            "became-nullable" if d.nullable[1] else "became-not-nullable",
            f"{what} became {'nullable' if d.nullable[1] else 'not nullable'}",
        )


def _annotation_only(node: Any) -> bool:
    return isinstance(node, dict) and "$ref" not in node and bool(node) and set(node) <= ANNOTATIONS


def _lists(d: SchemaDiff, what: str, emit: Any) -> None:
    for kw, ld in d.lists.items():
        stem = LIST_STEMS[kw]
        for verb, items in (("added", ld.added), ("removed", ld.removed)):
            for index, node in items:
                note = "-annotation-only" if kw == "allOf" and _annotation_only(node) else ""
                emit(f"{stem}-{verb}{note}", f"{kw} branch #{index} {verb} in {what}")


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


def _lifecycle(c: Collector, d: SchemaDiff, site: Site, what: str, emit: Any) -> None:
    if "deprecated" in d.values:
        old, new = d.values["deprecated"]
        if new is True:
            sunset = d.rev.get("x-sunset")
            if sunset is None:
                emit("deprecated", f"{what} deprecated")
            elif sunset_date(sunset) is None:
                emit(
                    "deprecated-sunset-invalid",
                    f"{what} deprecated with an unreadable x-sunset {sunset!r}",
                )
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


def _object(c: Collector, site: Site, d: SchemaDiff, path: str) -> None:
    """Properties added/removed and required-ness, judged by direction."""
    join = (lambda n: f"{path}/{n}") if path else (lambda n: n)
    req_base = set(_strs(d.base.get("required")))
    req_rev = set(_strs(d.rev.get("required")))
    props_base = _props(d.base)
    props_rev = _props(d.rev)
    if d.properties is not None:
        for name, node in d.properties.added.items():
            _added_property(c, site, join(name), c.rev.deref(node), name in req_rev)
        for name, node in d.properties.removed.items():
            _removed_property(c, site, join(name), c.base.deref(node), name in req_base)
    if d.required is not None:
        added, removed = d.required
        for name in added:
            if name in props_base and name in props_rev:
                _became(c, site, join(name), c.rev.deref(props_rev[name]), True)
        for name in removed:
            if name in props_base and name in props_rev:
                _became(c, site, join(name), c.rev.deref(props_rev[name]), False)
    for name, sub in d.properties.modified.items() if d.properties is not None else ():
        _access(c, site, join(name), sub, name in req_rev)


def _props(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def _strs(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _flag(node: Any, key: str) -> bool:
    return isinstance(node, dict) and node.get(key) is True


def _added_property(c: Collector, site: Site, name: str, node: Any, required: bool) -> None:
    ev = f"{site.where}|{name}"
    if site.request:
        if _flag(node, "readOnly"):
            return
        if required and site.header:
            c.emit(
                "new-required-request-header-property",
                f"new required property '{name}' in {site.where}",
                site.op,
                evidence=ev + "|h",
            )
        if required:
            rule = (
                "new-required-request-property-with-default"
                if isinstance(node, dict) and "default" in node
                else "new-required-request-property"
            )
            c.emit(rule, f"new required property '{name}' in {site.where}", site.op, evidence=ev)
        else:
            c.emit(
                "new-optional-request-property",
                f"new optional property '{name}' in {site.where}",
                site.op,
                evidence=ev,
            )
        return
    wo = "write-only-" if _flag(node, "writeOnly") else ""
    kind = "required" if required else "optional"
    c.emit(
        f"response-{kind}-{wo}property-added",
        f"{kind} property '{name}' added to {site.where}",
        site.op,
        evidence=ev,
    )


def _removed_property(c: Collector, site: Site, name: str, node: Any, required: bool) -> None:
    ev = f"{site.where}|{name}"
    if site.request:
        if not _flag(node, "readOnly"):
            c.emit(
                "request-property-removed",
                f"property '{name}' removed from {site.where}",
                site.op,
                evidence=ev,
            )
        return
    wo = "write-only-" if _flag(node, "writeOnly") else ""
    kind = "required" if required else "optional"
    c.emit(
        f"response-{kind}-{wo}property-removed",
        f"{kind} property '{name}' removed from {site.where}",
        site.op,
        evidence=ev,
    )


def _became(c: Collector, site: Site, name: str, node: Any, required: bool) -> None:
    ev = f"{site.where}|{name}"
    state = "required" if required else "optional"
    if site.request:
        if _flag(node, "readOnly"):
            return
        rule = f"request-property-became-{state}"
        if required and site.header:
            c.emit(
                "request-header-property-became-required",
                f"property '{name}' of {site.where} became required",
                site.op,
                evidence=ev + "|h",
            )
        if required and isinstance(node, dict) and "default" in node:
            rule = "request-property-became-required-with-default"
        c.emit(rule, f"property '{name}' of {site.where} became {state}", site.op, evidence=ev)
        return
    wo = "write-only-" if _flag(node, "writeOnly") else ""
    c.emit(
        f"response-{wo}property-became-{state}",
        f"property '{name}' of {site.where} became {state}",
        site.op,
        evidence=ev,
    )


def _access(c: Collector, site: Site, name: str, d: SchemaDiff, required: bool) -> None:
    kind = "required" if required else "optional"
    for key, word in (("readOnly", "read-only"), ("writeOnly", "write-only")):
        if key in d.values:
            now = d.values[key][1] is True
            verb = f"became-{word}" if now else f"became-not-{word}"
            side = "request" if site.request else "response"
            c.emit(
                f"{side}-{kind}-property-{verb}",
                f"property '{name}' of {site.where} {verb.replace('-', ' ')}",
                site.op,
                evidence=f"{site.where}|{name}|{verb}",
            )
