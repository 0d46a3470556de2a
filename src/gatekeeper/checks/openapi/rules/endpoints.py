"""Endpoint-level rules: paths and operations added or removed, deprecation and sunset,
stability levels, operation ids, tags, security, webhooks and components."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from gatekeeper.checks.openapi.model import Operation
from gatekeeper.checks.openapi.rules.base import (
    STABILITY_ORDER,
    Collector,
    notice_days,
    stability,
    sunset_date,
)


def check_paths(c: Collector) -> None:
    """Removed and added endpoints."""
    base, rev = c.base, c.rev
    for key, method in sorted(set(base.operations) - set(rev.operations)):
        if key.startswith("webhook:"):
            continue
        op = base.operations[(key, method)]
        _removed(c, op, whole_path=key not in rev.paths)
    for key, method in sorted(set(rev.operations) - set(base.operations)):
        if key.startswith("webhook:"):
            continue
        op = rev.operations[(key, method)]
        c.emit("endpoint-added", f"endpoint {op.label} added", op)


def _removed(c: Collector, op: Operation, *, whole_path: bool) -> None:
    level = stability(op.node)
    if whole_path and level in (None, "draft", "alpha"):
        return  # unstable endpoints may go without notice
    scope = "api-path" if whole_path else "api"
    if not op.deprecated:
        c.emit(
            f"{scope}-removed-without-deprecation",
            f"{op.label} removed without a deprecation period",
            op,
        )
        return
    sunset = op.node.get("x-sunset")
    if sunset is None:
        c.emit(f"{scope}-removed-with-deprecation", f"deprecated {op.label} removed", op)
        return
    date = sunset_date(sunset)
    if date is None:
        c.emit(
            "api-path-sunset-parse",
            f"{op.label} removed; its x-sunset {sunset!r} is not a date",
            op,
        )
    elif c.options.today < date:
        c.emit(
            f"{scope}-removed-before-sunset",
            f"{op.label} removed before its sunset date {date}",
            op,
        )


def check_operations(c: Collector) -> None:
    """Changes to operations present on both sides."""
    for spec in (c.base, c.rev):
        for op in spec.operations.values():
            if stability(op.node) is None:
                value = op.node.get("x-stability-level")
                c.emit(
                    "api-invalid-stability-level",
                    f"{op.label} has an invalid x-stability-level {value!r}",
                    op,
                )
    for key in sorted(set(c.base.operations) & set(c.rev.operations)):
        b, r = c.base.operations[key], c.rev.operations[key]
        _deprecation(c, b, r)
        _sunset_changed(c, b, r)
        _stability(c, b, r)
        _op_id_and_tags(c, b, r)
        _security(c, b, r)


def _deprecation(c: Collector, b: Operation, r: Operation) -> None:
    level = stability(r.node)
    if level is None:
        return  # reported once per operation by check_operations
    if b.deprecated == r.deprecated:
        return
    if not r.deprecated:
        c.emit("endpoint-reactivated", f"{r.label} is no longer deprecated", r)
        return
    days = notice_days(c.options, level or "stable")
    sunset = r.node.get("x-sunset")
    if sunset is None:
        if days > 0:
            c.emit(
                "api-deprecated-sunset-missing", f"{r.label} deprecated without an x-sunset date", r
            )
        else:
            c.emit("endpoint-deprecated", f"{r.label} deprecated", r)
        return
    date = sunset_date(sunset)
    if date is None:
        c.emit(
            "api-deprecated-sunset-parse",
            f"{r.label} deprecated with an unreadable x-sunset {sunset!r}",
            r,
        )
    elif (date - c.options.today).days < days:
        c.emit(
            "api-sunset-date-too-small", f"{r.label} sunset {date} is less than {days} days away", r
        )
    else:
        c.emit("endpoint-deprecated-with-sunset", f"{r.label} deprecated, sunset {date}", r)


def _sunset_changed(c: Collector, b: Operation, r: Operation) -> None:
    if not (b.deprecated and r.deprecated):
        return
    old, new = b.node.get("x-sunset"), r.node.get("x-sunset")
    if old is None or old == new:
        return
    if new is None:
        c.emit("sunset-deleted", f"{r.label} lost its x-sunset date while deprecated", r)
        return
    od, nd = sunset_date(old), sunset_date(new)
    if nd is None or od is None:
        bad = new if nd is None else old
        c.emit("api-path-sunset-parse", f"{r.label} has an unreadable x-sunset {bad!r}", r)
        return
    days = notice_days(c.options, stability(r.node) or "stable")
    if nd < od and (nd - c.options.today).days < days:
        c.emit("api-sunset-date-changed-too-small", f"{r.label} sunset moved earlier, to {nd}", r)


def _stability(c: Collector, b: Operation, r: Operation) -> None:
    old, new = stability(b.node), stability(r.node)
    if not old or not new or old == new:
        return
    if STABILITY_ORDER[new] < STABILITY_ORDER[old]:
        c.emit("api-stability-decreased", f"{r.label} stability decreased from {old} to {new}", r)
    else:
        c.emit("api-stability-increased", f"{r.label} stability increased from {old} to {new}", r)


def _op_id_and_tags(c: Collector, b: Operation, r: Operation) -> None:
    old, new = b.node.get("operationId"), r.node.get("operationId")
    if old != new:
        if old is not None:
            c.emit(
                "api-operation-id-removed", f"{r.label} operationId {old!r} removed or changed", r
            )
        if new is not None:
            c.emit("api-operation-id-added", f"{r.label} operationId {new!r} added", r)
    tb, tr = _names(b.node.get("tags")), _names(r.node.get("tags"))
    for tag in sorted(tb - tr):
        c.emit("api-tag-removed", f"{r.label} tag {tag!r} removed", r, evidence=f"tag|{tag}")
    for tag in sorted(tr - tb):
        c.emit("api-tag-added", f"{r.label} tag {tag!r} added", r, evidence=f"tag|{tag}")


def _names(value: Any) -> set[str]:
    return {str(v) for v in value} if isinstance(value, list) else set()


def _requirements(value: Any) -> dict[str, set[str]]:
    """Security requirement alternatives keyed by their sorted scheme names."""
    out: dict[str, set[str]] = {}
    for req in value if isinstance(value, list) else []:
        if isinstance(req, dict):
            key = " AND ".join(sorted(req))
            out[key] = {
                s for scopes in req.values() if isinstance(scopes, list) for s in map(str, scopes)
            }
    return out


def _security_diff(
    c: Collector, old: Any, new: Any, prefix: str, *, op: Operation | None, where: str
) -> None:
    b, r = _requirements(old), _requirements(new)
    for name in sorted(set(b) - set(r)):
        c.emit(
            f"{prefix}-removed",
            f"security requirement {name!r} removed from {where}",
            op,
            evidence=f"{where}|{name}",
        )
    for name in sorted(set(r) - set(b)):
        c.emit(
            f"{prefix}-added",
            f"security requirement {name!r} added to {where}",
            op,
            evidence=f"{where}|{name}",
        )
    for name in sorted(set(b) & set(r)):
        for scope in sorted(r[name] - b[name]):
            c.emit(
                f"{prefix}-scope-added",
                f"scope {scope!r} added to {name!r} in {where}",
                op,
                evidence=f"{where}|{name}|{scope}",
            )
        for scope in sorted(b[name] - r[name]):
            c.emit(
                f"{prefix}-scope-removed",
                f"scope {scope!r} removed from {name!r} in {where}",
                op,
                evidence=f"{where}|{name}|{scope}",
            )


def _security(c: Collector, b: Operation, r: Operation) -> None:
    _security_diff(c, b.security, r.security, "api-security", op=r, where=r.label)


def check_global(c: Collector) -> None:
    """Spec-wide changes: global security, security schemes, schemas, webhooks."""
    b, r = c.base.root, c.rev.root
    _security_diff(
        c, b.get("security"), r.get("security"), "api-global-security", op=None, where="the API"
    )
    bs, rs = _schemes(c.base.root), _schemes(c.rev.root)
    for name in sorted(set(bs) - set(rs)):
        c.emit("api-security-component-removed", f"security scheme {name!r} removed", evidence=name)
    for name in sorted(set(rs) - set(bs)):
        c.emit("api-security-component-added", f"security scheme {name!r} added", evidence=name)
    for name in sorted(set(bs) & set(rs)):
        _scheme(c, name, c.base.deref(bs[name]), c.rev.deref(rs[name]))
    _servers(c)
    schemas_b = _d(_d(b.get("components")).get("schemas")) or _d(b.get("definitions"))
    schemas_r = _d(_d(r.get("components")).get("schemas")) or _d(r.get("definitions"))
    for name in sorted(set(schemas_b) - set(schemas_r)):
        c.emit("api-schema-removed", f"schema {name!r} removed from components", evidence=name)
    for name in sorted(set(c.base.webhooks) - set(c.rev.webhooks)):
        c.emit("webhook-removed", f"webhook {name!r} removed", evidence=name)
    for name in sorted(set(c.rev.webhooks) - set(c.base.webhooks)):
        c.emit("webhook-added", f"webhook {name!r} added", evidence=name)


def _d(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


def _schemes(root: dict[str, Any]) -> dict[str, Any]:
    return _d(_d(root.get("components")).get("securitySchemes")) or _d(
        root.get("securityDefinitions")
    )


def _scheme(c: Collector, name: str, b: Any, r: Any) -> None:
    b, r = _d(b), _d(r)
    if b.get("type") != r.get("type"):
        c.emit(
            "api-security-component-type-changed",
            f"security scheme {name!r} changed type",
            evidence=name,
        )
    fb, fr = _flows(b), _flows(r)
    for flow in sorted(set(fb) & set(fr)):
        ob, orv = fb[flow], fr[flow]
        for key, rule in (
            ("authorizationUrl", "oauth-url-changed"),
            ("tokenUrl", "oauth-token-url-changed"),
        ):
            if ob.get(key) != orv.get(key):
                c.emit(
                    f"api-security-component-{rule}",
                    f"security scheme {name!r} {key} changed",
                    evidence=f"{name}|{flow}|{key}",
                )
        sb, sr = _d(ob.get("scopes")), _d(orv.get("scopes"))
        for scope in sorted(set(sr) - set(sb)):
            c.emit(
                "api-security-component-oauth-scope-added",
                f"scope {scope!r} added to {name!r}",
                evidence=f"{name}|{scope}",
            )
        for scope in sorted(set(sb) - set(sr)):
            c.emit(
                "api-security-component-oauth-scope-removed",
                f"scope {scope!r} removed from {name!r}",
                evidence=f"{name}|{scope}",
            )
        for scope in sorted(set(sb) & set(sr)):
            if sb[scope] != sr[scope]:
                c.emit(
                    "api-security-component-oauth-scope-changed",
                    f"scope {scope!r} of {name!r} changed",
                    evidence=f"{name}|{scope}",
                )


def _flows(scheme: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if "flows" in scheme:
        return {k: _d(v) for k, v in _d(scheme["flows"]).items()}
    if scheme.get("type") == "oauth2":  # Swagger 2.0 keeps one flow inline
        return {str(scheme.get("flow", "")): scheme}
    return {}


def _servers(c: Collector) -> None:
    """Where the API is served: a base path that moved moves every endpoint. (A host
    that changed while the path stays is a deployment matter, as oasdiff treats it.)"""
    if c.served_alike:
        return  # the prefix moved between the paths and the base path: same URLs (served.py)
    old_paths, new_paths = _base_paths(c.base.root), _base_paths(c.rev.root)
    if c.base.operations and c.rev.operations and not old_paths & new_paths:
        before, after = ", ".join(sorted(old_paths)), ", ".join(sorted(new_paths))
        c.emit(
            "api-base-path-changed",
            f"every endpoint moved: the base path changed from {before} to {after}",
            evidence=f"{before}|{after}",
        )


def served_prefixes(root: dict[str, Any]) -> set[str]:
    """The path prefixes a spec's API is served under (see :func:`_base_paths`)."""
    return _base_paths(root)


def _base_paths(root: dict[str, Any]) -> set[str]:
    """The path prefixes the API is served under: Swagger 2.0's ``basePath``, or the path
    of each OpenAPI ``servers`` URL with its variables' defaults filled in; "/" if none."""
    if "swagger" in root:
        base = root.get("basePath")
        return {_clean(base if isinstance(base, str) else "")}
    out = set()
    for server in root.get("servers") or []:
        if not isinstance(server, dict) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        for name, var in _d(server.get("variables")).items():
            default = _d(var).get("default")
            if isinstance(default, str):
                url = url.replace("{" + str(name) + "}", default)
        out.add(_clean(urlsplit(url).path))
    return out or {"/"}


def _clean(path: str) -> str:
    return "/" + path.strip("/") if path.strip("/") else "/"
