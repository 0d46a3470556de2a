"""One normalised view of OpenAPI 2.0, 3.0 and 3.1 documents.

Swagger 2.0 body and form parameters become a request body; its response ``schema``
becomes content under the ``produces`` media types; its parameter keywords become a
schema. Paths are keyed by their template with parameter names blanked, so renaming a
path parameter keeps the endpoint's identity. Schemas stay the document's own objects
(compared lazily, through :meth:`Document.deref`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gatekeeper.checks.openapi.load import Document, LineDict, SpecError

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
#: a path parameter, as OpenAPI writes it (``{id}``) or as Express-style routers and
#: their documentation generators do (``:id``, a whole segment): the same slot to a client
_PARAM_IN_PATH = re.compile(r"\{[^}/]*\}|(?<=/):[A-Za-z_][A-Za-z0-9_]*(?=/|$)")
_SCHEMA_KEYS_V2 = (
    "type", "format", "items", "enum", "default", "maximum", "minimum", "exclusiveMaximum",
    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems",
    "uniqueItems", "multipleOf", "x-nullable", "x-extensible-enum",
)  # fmt: skip


def path_key(path: str) -> str:
    """The identity of a path template: parameter names, and whether a parameter is
    written ``{id}`` or ``:id``, do not matter (a spec that corrects ``/plugin/:id`` to
    ``/plugin/{id}`` describes the same operation)."""
    return _PARAM_IN_PATH.sub("{}", path.rstrip("/") or "/")


def _d(node: Any) -> dict[str, Any]:
    return node if isinstance(node, dict) else {}


@dataclass
class Parameter:
    """A request parameter (path, query, header or cookie)."""

    name: str
    location: str
    required: bool
    node: dict[str, Any]
    schema: Any
    content: dict[str, Any] = field(default_factory=dict)
    #: declared on the path item (shared by its operations), not on the operation
    path_level: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """Identity within an operation: headers are case-insensitive."""
        return (self.location, self.name.lower() if self.location == "header" else self.name)


@dataclass
class Body:
    """A request body or response payload: media type -> media-type object."""

    required: bool
    content: dict[str, dict[str, Any]]
    node: dict[str, Any]


@dataclass
class Response:
    """One response status of an operation."""

    status: str
    node: dict[str, Any]
    headers: dict[str, dict[str, Any]]
    content: dict[str, dict[str, Any]]


@dataclass
class Operation:
    """One method on one path, with path-level parameters merged in."""

    path: str
    method: str
    node: dict[str, Any]
    params: dict[tuple[str, str], Parameter]
    body: Body | None
    responses: dict[str, Response]
    security: list[Any] | None
    line: int | None

    @property
    def label(self) -> str:
        """``GET /users/{id}``."""
        return f"{self.method.upper()} {self.path}"

    @property
    def deprecated(self) -> bool:
        """True when the operation is marked deprecated."""
        return self.node.get("deprecated") is True


@dataclass
class Spec:
    """A normalised document."""

    doc: Document
    version: str
    operations: dict[tuple[str, str], Operation]
    paths: dict[str, str]  # path key -> path as written
    path_nodes: dict[str, dict[str, Any]]
    webhooks: dict[str, dict[str, Any]]
    _json_lines: dict[str, int] | None = None

    @property
    def root(self) -> dict[str, Any]:
        """The document's root object."""
        return _d(self.doc.root)

    def deref(self, node: Any) -> Any:
        """Follow ``$ref``."""
        return self.doc.deref(node)

    def path_line(self, path: str) -> int | None:
        """The line of a path key (YAML marks, or a one-pass index of JSON text)."""
        paths = self.root.get("paths")
        if isinstance(paths, LineDict):
            return paths.key_lines.get(path)
        if self._json_lines is None:
            self._json_lines = _json_key_lines(self.doc.text)
        return self._json_lines.get(path)


def _json_key_lines(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    line, last = 1, 0
    for m in re.finditer(r'^[ \t]*"(/[^"\n]*)"[ \t]*:', text, re.MULTILINE):
        line += text.count("\n", last, m.start())
        last = m.start()
        out.setdefault(m.group(1), line)
    return out


def build(doc: Document) -> Spec:
    """Normalise a loaded document; raise SpecError when it is not OpenAPI at all."""
    root = doc.root
    if not isinstance(root, dict) or not ("openapi" in root or "swagger" in root):
        raise SpecError(
            "spec-not-openapi",
            f"{doc.path} has no top-level 'openapi' or 'swagger' key; "
            "it is not an OpenAPI document",
            doc.path,
            1,
        )
    family = _family(doc, root)
    v2 = family == "2.0"
    spec = Spec(doc, family, {}, {}, {}, {})
    for path, raw_item in sorted(_d(root.get("paths")).items()):
        item = _d(doc.deref(raw_item))
        if not path.startswith("/"):
            continue
        key = path_key(path)
        spec.paths[key] = path
        spec.path_nodes[key] = item
        for method in METHODS:
            op = item.get(method)
            if isinstance(op, dict):
                spec.operations[(key, method)] = _operation(spec, path, method, item, op, v2=v2)
    for name, raw_hook in sorted(_d(root.get("webhooks")).items()):
        item = _d(doc.deref(raw_hook))
        spec.webhooks[name] = item
        for method in METHODS:  # webhook operations are compared like endpoints
            op = item.get(method)
            if isinstance(op, dict):
                spec.operations[(f"webhook:{name}", method)] = _operation(
                    spec, name, method, item, op, v2=v2
                )
    return spec


_VERSION = re.compile(r"^(?:2\.0|3\.[0-2](?:\.\d+)?(?:-[0-9A-Za-z.-]+)?)$")


def _family(doc: Document, root: dict[str, Any]) -> str:
    """The spec's version family ("2.0", "3.0", "3.1", "3.2"), after the checks without
    which a comparison would mean nothing: a known version, an ``info`` object, ``paths``
    a mapping. Raises ``SpecError`` naming what is wrong."""
    key = "swagger" if "swagger" in root and "openapi" not in root else "openapi"
    raw = root.get(key)
    version = str(raw) if isinstance(raw, (str, int, float)) else ""
    if key == "swagger" and version in ("2", "2.0"):
        version = "2.0"
    problem = ""
    if not _VERSION.match(version) or (key == "swagger") != (version == "2.0"):
        problem = (
            f"{key}: {raw!r} is not a version this gate reads "
            "(Swagger 2.0, OpenAPI 3.0.x, 3.1.x or 3.2.x)"
        )
    elif not isinstance(root.get("info"), dict):
        problem = "has no 'info' object (title and version), which every OpenAPI document needs"
    elif "paths" in root and not isinstance(root["paths"], dict):
        problem = (
            f"'paths' must be a mapping of path templates, not a {type(root['paths']).__name__}"
        )
    if problem:
        line = root.key_lines.get(key) if isinstance(root, LineDict) else None
        raise SpecError("spec-invalid", f"{doc.path}: {problem}", doc.path, line or 1)
    return "2.0" if version == "2.0" else version[:3]


def _operation(
    spec: Spec, path: str, method: str, item: dict[str, Any], op: dict[str, Any], *, v2: bool
) -> Operation:
    params: dict[tuple[str, str], Parameter] = {}
    body_params: list[dict[str, Any]] = []
    names = [n.strip("{}").lstrip(":") for n in _PARAM_IN_PATH.findall(path)]
    shared = _as_list(item.get("parameters"))
    for index, raw in enumerate(shared + _as_list(op.get("parameters"))):
        node = _d(spec.deref(raw))
        where, name = node.get("in"), node.get("name")
        if not isinstance(name, str) or not isinstance(where, str):
            continue
        if v2 and where in ("body", "formData"):
            body_params.append(node)
            continue
        schema = (
            node.get("schema") if not v2 else {k: node[k] for k in _SCHEMA_KEYS_V2 if k in node}
        )
        param = Parameter(
            name,
            where,
            node.get("required") is True or where == "path",
            node,
            schema,
            _d(node.get("content")),
            path_level=index < len(shared),
        )
        key = param.key
        if where == "path" and name in names:  # renamed path parameters keep their slot
            key = ("path", f"#{names.index(name)}")
        params[key] = param
    body = _body_v2(op, spec.root, body_params) if v2 else _body_v3(spec, op)
    responses = _responses(spec, op, v2=v2)
    security = op.get("security")
    line = spec.path_line(path)
    return Operation(
        path,
        method,
        op,
        params,
        body,
        responses,
        security if isinstance(security, list) else None,
        line,
    )


def _responses(spec: Spec, op: dict[str, Any], *, v2: bool) -> dict[str, Response]:
    responses = {}
    for status, raw in _d(op.get("responses")).items():
        node = _d(spec.deref(raw))
        headers = {str(k).lower(): _d(spec.deref(v)) for k, v in _d(node.get("headers")).items()}
        if v2:
            headers = {k: _header_v2(v) for k, v in headers.items()}
            content = {}
            if "schema" in node:
                for media in _produces(op, spec.root):
                    content[media] = {"schema": node["schema"]}
        else:
            content = {str(k): _d(spec.deref(v)) for k, v in _d(node.get("content")).items()}
        responses[str(status)] = Response(str(status), node, headers, content)
    return responses


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _body_v3(spec: Spec, op: dict[str, Any]) -> Body | None:
    raw = op.get("requestBody")
    if raw is None:
        return None
    node = _d(spec.deref(raw))
    content = {str(k): _d(spec.deref(v)) for k, v in _d(node.get("content")).items()}
    return Body(node.get("required") is True, content, node)


def _produces(op: dict[str, Any], root: dict[str, Any]) -> list[str]:
    media = op.get("produces") or root.get("produces") or ["application/json"]
    return [str(m) for m in media] if isinstance(media, list) else ["application/json"]


def _body_v2(op: dict[str, Any], root: dict[str, Any], params: list[dict[str, Any]]) -> Body | None:
    if not params:
        return None
    consumes = op.get("consumes") or root.get("consumes") or ["application/json"]
    media_types = [str(m) for m in consumes] if isinstance(consumes, list) else ["application/json"]
    body = next((p for p in params if p.get("in") == "body"), None)
    if body is not None:
        payload = body.get("schema", {})
        return Body(
            body.get("required") is True, {m: {"schema": payload} for m in media_types}, body
        )
    props = {str(p["name"]): {k: p[k] for k in _SCHEMA_KEYS_V2 if k in p} for p in params}
    required = sorted(str(p["name"]) for p in params if p.get("required") is True)
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    forms = [m for m in media_types if "form" in m] or ["application/x-www-form-urlencoded"]
    return Body(bool(required), {m: {"schema": schema} for m in forms}, params[0])


def _header_v2(node: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: v
        for k, v in node.items()
        if k in ("description", "required", "deprecated") or k.startswith("x-")
    }
    out["schema"] = {k: node[k] for k in _SCHEMA_KEYS_V2 if k in node}
    return out
