"""Object-level rules: properties added or removed, required-ness, read/write-only flips."""

from __future__ import annotations

import dataclasses
from typing import Any

from gatekeeper.checks.openapi.diff import SchemaDiff
from gatekeeper.checks.openapi.rules.base import Change, Collector
from gatekeeper.checks.openapi.rules.effective import Composite
from gatekeeper.checks.openapi.rules.site import Site
from gatekeeper.model import Level


def check_object(
    c: Collector, site: Site, d: SchemaDiff, path: str, comp: Composite | None = None
) -> None:
    """Properties added/removed and required-ness, judged by direction.

    Inside an ``allOf`` composition (``comp``) a property counts as added or removed only
    when the whole composition gains or loses it, and its required-ness is that of the
    whole: the composition itself judges it, once, under its own path."""
    join = (lambda n: f"{path}/{n}") if path else (lambda n: n)
    if comp is None:
        req_base, req_rev = set(_strs(d.base.get("required"))), set(_strs(d.rev.get("required")))
        had, has = props_of(d.base), props_of(d.rev)
    else:
        req_base, req_rev = comp.base.required, comp.rev.required
        had, has = comp.base.props, comp.rev.props
    if d.properties is not None:
        added = {n: v for n, v in d.properties.added.items() if n not in had}
        removed = {n: v for n, v in d.properties.removed.items() if n not in has}
        for name, node in added.items():
            _added_property(c, site, join(name), c.rev.deref(node), name in req_rev)
        renamed = {} if site.request else _renames(c, added, removed, req_base | req_rev)
        for name, node in removed.items():
            _removed_property(
                c, site, join(name), c.base.deref(node), name in req_base, renamed.get(name)
            )
    if comp is not None:
        if comp.diff is d:
            for name in sorted(had.keys() & has.keys()):
                if (name in req_base) != (name in req_rev):
                    _became(c, site, join(name), c.rev.deref(has[name]), name in req_rev)
    elif d.required is not None:
        now_required, now_optional = d.required
        for name in now_required:
            if name in had and name in has:
                _became(c, site, join(name), c.rev.deref(has[name]), True)
        for name in now_optional:
            if name in had and name in has:
                _became(c, site, join(name), c.rev.deref(has[name]), False)
    for name, sub in d.properties.modified.items() if d.properties is not None else ():
        _access(c, site, join(name), sub, name in req_rev)


def _renames(
    c: Collector, added: dict[str, Any], removed: dict[str, Any], required: set[str]
) -> dict[str, str]:
    """Optional properties removed while one optional property of the same shape (type,
    format, enum, ``$ref``) is added to the same object, one to one: renames, removed
    name -> added name. A client reading the old name silently gets nothing, which the
    removal of an optional property alone (a warning: clients must cope with its absence)
    does not say."""
    gone, new = removed.items(), added.items()
    olds = [(n, _shape(c.base.deref(v), v)) for n, v in gone if n not in required]
    news = [(n, _shape(c.rev.deref(v), v)) for n, v in new if n not in required]
    out: dict[str, str] = {}
    for name, shape in olds:
        twins = [n for n, s in news if s == shape]
        if len(twins) == 1 and sum(1 for _, s in olds if s == shape) == 1:
            out[name] = twins[0]
    return out


def _shape(node: Any, raw: Any) -> tuple[str, ...]:
    ref = raw.get("$ref") if isinstance(raw, dict) else None
    if not isinstance(node, dict):
        return ("?",)
    parts = (node.get(k) for k in ("type", "format", "enum", "items"))
    return (str(ref), *(repr(p) for p in parts))


def props_of(schema: dict[str, Any]) -> dict[str, Any]:
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
                at=c.at(node),
            )
        if required:
            rule = (
                "new-required-request-property-with-default"
                if isinstance(node, dict) and "default" in node
                else "new-required-request-property"
            )
            c.emit(
                rule,
                f"new required property '{name}' in {site.where}",
                site.op,
                evidence=ev,
                at=c.at(node),
            )
        else:
            c.emit(
                "new-optional-request-property",
                f"new optional property '{name}' in {site.where}",
                site.op,
                evidence=ev,
                at=c.at(node),
            )
        return
    wo = "write-only-" if _flag(node, "writeOnly") else ""
    kind = "required" if required else "optional"
    c.emit(
        f"response-{kind}-{wo}property-added",
        f"{kind} property '{name}' added to {site.where}",
        site.op,
        evidence=ev,
        at=c.at(node),
    )


def _removed_property(
    c: Collector, site: Site, name: str, node: Any, required: bool, renamed_to: str | None = None
) -> None:
    ev = f"{site.where}|{name}"
    if _flag(node, "deprecated"):
        c.deprecated_removals.add(ev)
    if site.request:
        if not _flag(node, "readOnly"):
            c.emit(
                "request-property-removed",
                f"property '{name}' removed from {site.where}",
                site.op,
                evidence=ev,
                at=c.at(node),
            )
        return
    wo = "write-only-" if _flag(node, "writeOnly") else ""
    kind = "required" if required else "optional"
    renamed = (
        f" while '{renamed_to}', of the same type, is added: a rename, and clients that read "
        f"'{name.rpartition('/')[2]}' silently get nothing"
        if renamed_to
        else ""
    )
    c.emit(
        f"response-{kind}-{wo}property-removed",
        f"{kind} property '{name}' removed from {site.where}{renamed}",
        site.op,
        evidence=ev,
        at=c.at(node),
        level=Level.ERROR if renamed_to and not wo else None,
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
                at=c.at(node),
            )
        if required and isinstance(node, dict) and "default" in node:
            rule = "request-property-became-required-with-default"
        c.emit(
            rule,
            f"property '{name}' of {site.where} became {state}",
            site.op,
            evidence=ev,
            at=c.at(node),
        )
        return
    wo = "write-only-" if _flag(node, "writeOnly") else ""
    c.emit(
        f"response-{wo}property-became-{state}",
        f"property '{name}' of {site.where} became {state}",
        site.op,
        evidence=ev,
        at=c.at(node),
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
                at=c.at(d.rev),
            )


def read_write_removals(changes: list[Change], deprecated: set[str]) -> list[Change]:
    """``changes`` with each optional response property the same operation also stops
    accepting in its request raised to an error, unless the base had deprecated it.

    oasdiff warns on either removal alone: a client may not rely on an optional field it
    reads, and a server ignores one it no longer takes. Both together remove a field
    clients read and send back (a setting they fetch, change and save): the value they
    set is silently dropped and no longer shown. Deprecating it first warns them."""
    sent = {
        (ch.operation, _property(ch.evidence))
        for ch in changes
        if ch.rule == "request-property-removed" and ch.evidence not in deprecated
    }
    return [
        dataclasses.replace(
            ch,
            level=Level.ERROR,
            message=f"{ch.message}, and the request no longer accepts it: clients that "
            "read it and send it back lose what they set, with no deprecation first",
        )
        if ch.rule == "response-optional-property-removed"
        and ch.level is not Level.ERROR
        and (ch.operation, _property(ch.evidence)) in sent
        and ch.evidence not in deprecated
        else ch
        for ch in changes
    ]


def _property(evidence: str) -> str:
    return evidence.rpartition("|")[2]
