"""Parameters, request bodies, responses, headers and media types of matched operations."""

from __future__ import annotations

from typing import Any

from gatekeeper.checks.openapi.model import Body, Operation, Parameter, Response
from gatekeeper.checks.openapi.rules.base import Collector, notice_days, stability, sunset_date
from gatekeeper.checks.openapi.rules.schemas import check_schema
from gatekeeper.checks.openapi.rules.site import Site


def check_payloads(c: Collector) -> None:
    """Compare parameters, bodies and responses of every operation on both sides."""
    for key in sorted(set(c.base.operations) & set(c.rev.operations)):
        if c.options.tick is not None:
            c.options.tick()
        b, r = c.base.operations[key], c.rev.operations[key]
        _params(c, b, r)
        _request_body(c, r, b.body, r.body)
        _responses(c, b, r)


def _pname(p: Parameter) -> str:
    return f"{p.location} parameter '{p.name}'"


def _params(c: Collector, b: Operation, r: Operation) -> None:
    for key in sorted(set(r.params) - set(b.params)):
        p = r.params[key]
        if key[0] == "path" and key[1].startswith("#"):
            # the template already had this slot: clients always sent a value for it, so
            # declaring it only matters if the declaration now refuses some of them
            implicit = Parameter(p.name, "path", True, {}, {"type": "string"})
            _param_changed(c, r, implicit, p)
            continue
        if p.path_level and p.location != "path":
            state = "required" if p.required else "optional"
            c.emit(
                f"new-{state}-request-default-parameter-to-existing-path",
                f"new {state} {_pname(p)} shared by every operation of {r.path}",
                r,
                evidence=f"default|{_pname(p)}",
            )
        if p.location == "path":
            c.emit(
                "new-request-path-parameter",
                f"new path parameter '{p.name}' in {r.label}",
                r,
                evidence=_pname(p),
            )
        elif p.required:
            c.emit(
                "new-required-request-parameter",
                f"new required {_pname(p)} in {r.label}",
                r,
                evidence=_pname(p),
            )
        else:
            c.emit(
                "new-optional-request-parameter",
                f"new optional {_pname(p)} in {r.label}",
                r,
                evidence=_pname(p),
            )
    if stability(r.node) not in ("draft", "alpha"):  # unstable endpoints may drop parameters
        for key in sorted(set(b.params) - set(r.params)):
            _param_removed(c, r, b.params[key])
    for key in sorted(set(b.params) & set(r.params)):
        _param_changed(c, r, b.params[key], r.params[key])


def _param_removed(c: Collector, op: Operation, p: Parameter) -> None:
    ev = _pname(p)
    if p.node.get("deprecated") is not True:
        c.emit("request-parameter-removed", f"{ev} removed from {op.label}", op, evidence=ev)
        return
    sunset = p.node.get("x-sunset")
    date = sunset_date(sunset) if sunset is not None else None
    if sunset is not None and date is None:
        c.emit(
            "request-parameter-sunset-parse",
            f"{ev} removed; its x-sunset {sunset!r} is not a date",
            op,
            evidence=ev,
        )
    elif date is not None and c.options.today < date:
        c.emit(
            "request-parameter-removed-before-sunset",
            f"{ev} removed before its sunset {date}",
            op,
            evidence=ev,
        )
    else:
        c.emit(
            "request-parameter-removed-with-deprecation",
            f"deprecated {ev} removed from {op.label}",
            op,
            evidence=ev,
        )


def _param_changed(c: Collector, op: Operation, b: Parameter, r: Parameter) -> None:
    ev = _pname(r)
    if b.required != r.required:
        state = "required" if r.required else "optional"
        c.emit(
            f"request-parameter-became-{state}",
            f"{ev} of {op.label} became {state}",
            op,
            evidence=ev,
        )
    _param_lifecycle(c, op, b, r)
    site = Site(
        op, True, "request-parameter", "request-parameter-property", ev,
        loose=True, header=r.location == "header",
    )  # fmt: skip
    if b.schema is not None or r.schema is not None:
        d = c.schemas.compare(b.schema or {}, r.schema or {})
        if d is not None:
            check_schema(c, site, d)
    for media in sorted(set(b.content) & set(r.content)):
        bm, rm = _d(c.base.deref(b.content[media])), _d(c.rev.deref(r.content[media]))
        d = c.schemas.compare(bm.get("schema", {}), rm.get("schema", {}))
        if d is not None:
            check_schema(c, site, d)


def _param_lifecycle(c: Collector, op: Operation, b: Parameter, r: Parameter) -> None:
    """Deprecation, reactivation and sunset changes of a parameter."""
    ev = _pname(r)

    def emit(rule: str, message: str) -> None:
        c.emit(rule, message, op, evidence=ev)

    bd, rd = b.node.get("deprecated") is True, r.node.get("deprecated") is True
    if rd and not bd:
        sunset = r.node.get("x-sunset")
        date = sunset_date(sunset) if sunset is not None else None
        days = notice_days(c.options, stability(op.node) or "stable")
        if sunset is not None and date is None:
            emit(
                "request-parameter-sunset-parse",
                f"{ev} deprecated with an unreadable x-sunset {sunset!r}",
            )
        elif sunset is None and days > 0:
            emit(
                "request-parameter-deprecated-sunset-missing",
                f"{ev} of {op.label} deprecated without an x-sunset date",
            )
        elif date is not None and (date - c.options.today).days < days:
            emit("request-parameter-sunset-date-too-small", f"{ev} sunset {date} is too soon")
        else:
            emit("request-parameter-deprecated", f"{ev} of {op.label} deprecated")
    elif bd and not rd:
        emit("request-parameter-reactivated", f"{ev} of {op.label} is no longer deprecated")
    elif bd and rd:
        old, new = b.node.get("x-sunset"), r.node.get("x-sunset")
        if old is not None and new is None:
            emit(
                "request-parameter-sunset-deleted", f"{ev} lost its x-sunset date while deprecated"
            )
        elif old is not None and new != old:
            od, nd = sunset_date(old), sunset_date(new)
            if nd is None or od is None:
                bad = new if nd is None else old
                emit("request-parameter-sunset-parse", f"{ev} has an unreadable x-sunset {bad!r}")
            elif nd < od:
                emit(
                    "request-parameter-sunset-date-changed-too-small",
                    f"{ev} sunset moved earlier, to {nd}",
                )


def _d(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


def _request_body(c: Collector, op: Operation, b: Body | None, r: Body | None) -> None:
    if b is None and r is None:
        return
    if b is None:
        assert r is not None
        rule = "request-body-added-required" if r.required else "request-body-added-optional"
        c.emit(
            rule, f"{'required' if r.required else 'optional'} request body added to {op.label}", op
        )
        return
    if r is None:
        c.emit("request-body-removed", f"request body removed from {op.label}", op)
        return
    if b.required != r.required:
        state = "required" if r.required else "optional"
        c.emit(f"request-body-became-{state}", f"request body of {op.label} became {state}", op)
    for media in sorted(set(r.content) - set(b.content)):
        c.emit(
            "request-body-media-type-added",
            f"request media type {media} added to {op.label}",
            op,
            evidence=media,
        )
    for media in sorted(set(b.content) - set(r.content)):
        c.emit(
            "request-body-media-type-removed",
            f"request media type {media} removed from {op.label}",
            op,
            evidence=media,
        )
    for media in sorted(set(b.content) & set(r.content)):
        where = f"the {media} request body"
        site = Site(op, True, "request-body", "request-property", where, loose=_loose(media))
        _media(c, site, media, b.content[media], r.content[media])


def _media(c: Collector, site: Site, media: str, bm: dict[str, Any], rm: dict[str, Any]) -> None:
    side = "request" if site.request else "response"
    bs, rs = bm.get("schema"), rm.get("schema")
    if bs is None and rs is not None:
        c.emit(
            f"{side}-body-media-type-schema-added",
            f"schema added to {site.where}",
            site.op,
            evidence=f"{site.where}|schema",
        )
    elif bs is not None and rs is None:
        c.emit(
            f"{side}-body-media-type-schema-removed",
            f"schema removed from {site.where}",
            site.op,
            evidence=f"{site.where}|schema",
        )
    if bs is None or rs is None:
        return
    d = c.schemas.compare(bs, rs)
    if d is not None:
        ref = rs.get("$ref") if isinstance(rs, dict) else None
        check_schema(c, site, d, ref if isinstance(ref, str) else "")


def _loose(media: str) -> bool:
    """Text encodings (not JSON) read every value as a string."""
    base = media.split(";", maxsplit=1)[0].strip().lower()
    return not (base == "application/json" or base.endswith("+json") or base == "*/*")


def _success(status: str) -> bool:
    return status.startswith("2") or status.upper() == "2XX"


def _responses(c: Collector, b: Operation, r: Operation) -> None:
    for status in sorted(set(b.responses) - set(r.responses)):
        kind = "success" if _success(status) else "non-success"
        c.emit(
            f"response-{kind}-status-removed",
            f"response {status} removed from {r.label}",
            r,
            evidence=status,
        )
    for status in sorted(set(r.responses) - set(b.responses)):
        kind = "success" if _success(status) else "non-success"
        c.emit(
            f"response-{kind}-status-added",
            f"response {status} added to {r.label}",
            r,
            evidence=status,
        )
    for status in sorted(set(b.responses) & set(r.responses)):
        _response(c, r, b.responses[status], r.responses[status])


def _response(c: Collector, op: Operation, b: Response, r: Response) -> None:
    where = f"the {r.status} response"
    renamed = _renamed_media(set(b.content) - set(r.content), set(r.content) - set(b.content))
    for old, new in renamed:
        kind = _media_rename_kind(old, new)
        c.emit(
            f"response-media-type-name-{kind}",
            f"media type {old} of {where} of {op.label} became {new}",
            op,
            evidence=f"{r.status}|{old}|{new}",
        )
    pairs = [(m, m) for m in sorted(set(b.content) & set(r.content))] + renamed
    for media in sorted(set(r.content) - set(b.content) - {n for _, n in renamed}):
        c.emit(
            "response-media-type-added",
            f"media type {media} added to {where} of {op.label}",
            op,
            evidence=f"{r.status}|{media}",
        )
    for media in sorted(set(b.content) - set(r.content) - {o for o, _ in renamed}):
        c.emit(
            "response-media-type-removed",
            f"media type {media} removed from {where} of {op.label}",
            op,
            evidence=f"{r.status}|{media}",
        )
    for old, new in pairs:
        where_media = f"the {r.status} {new} response"
        site = Site(op, False, "response-body", "response-property", where_media, loose=_loose(new))
        _media(c, site, new, b.content[old], r.content[new])
    _headers(c, op, b, r)


def _essence(media: str) -> str:
    return media.split(";", maxsplit=1)[0].strip().lower()


def _covers(wide: str, narrow: str) -> bool:
    """Whether media range ``wide`` includes ``narrow`` (``*/*``, ``type/*``)."""
    w, n = _essence(wide), _essence(narrow)
    return w != n and (w == "*/*" or (w.endswith("/*") and n.startswith(w[:-1])))


def _renamed_media(removed: set[str], added: set[str]) -> list[tuple[str, str]]:
    """Removed/added media types that are one type renamed: same essence with other
    parameters, or a range that covers the other. Only unambiguous one-to-one pairs."""
    pairs = []
    for old in sorted(removed):
        match = [
            new
            for new in sorted(added)
            if _essence(new) == _essence(old) or _covers(new, old) or _covers(old, new)
        ]
        if len(match) == 1:
            pairs.append((old, match[0]))
            added = added - {match[0]}
    return pairs


def _media_rename_kind(old: str, new: str) -> str:
    if _essence(old) == _essence(new):
        return "changed"
    return "generalized" if _covers(new, old) else "specialized"


def _headers(c: Collector, op: Operation, b: Response, r: Response) -> None:
    """Response headers removed, added, made optional, or changed in schema."""
    where = f"the {r.status} response"
    for name in sorted(set(b.headers) - set(r.headers)):
        kind = "required" if b.headers[name].get("required") is True else "optional"
        c.emit(
            f"{kind}-response-header-removed",
            f"{kind} header {name!r} removed from {where} of {op.label}",
            op,
            evidence=f"{r.status}|{name}",
        )
    for name in sorted(set(r.headers) - set(b.headers)):
        c.emit(
            "response-header-added",
            f"header {name!r} added to {where} of {op.label}",
            op,
            evidence=f"{r.status}|{name}",
        )
    for name in sorted(set(b.headers) & set(r.headers)):
        bh, rh = b.headers[name], r.headers[name]
        ev = f"{r.status}|{name}"
        if bh.get("required") is True and rh.get("required") is not True:
            c.emit(
                "response-header-became-optional",
                f"header {name!r} of {where} of {op.label} became optional",
                op,
                evidence=ev,
            )
        d = c.schemas.compare(bh.get("schema", {}), rh.get("schema", {}))
        if d is not None:
            check_schema(
                c,
                Site(
                    op,
                    False,
                    "response-header",
                    "response-header-property",
                    f"header {name!r} of {where}",
                ),
                d,
            )
