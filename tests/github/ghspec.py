"""GitHub's REST description, reduced to what a fake server needs to validate requests.

Run ``python tests/github/ghspec.py`` to regenerate ``fixtures/github-rest-ops.json``
from the corpus copy of GitHub's published description (github/rest-api-description,
MIT licence, see ``fixtures/github-rest-ops.LICENSE``).
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jsonschema

FIXTURE = Path(__file__).parent / "fixtures" / "github-rest-ops.json"
SOURCE = "github-rest-23.0.2.json"
#: the operations gatekeeper calls; the fake server refuses anything else
OPERATIONS = (
    "actions/download-artifact",
    "actions/list-workflow-run-artifacts",
    "actions/list-workflow-runs-for-repo",
    "checks/create",
    "checks/list-for-ref",
    "checks/update",
    "git/get-ref",
    "git/get-tag",
    "issues/create-comment",
    "issues/list-comments",
    "issues/update-comment",
    "pulls/list-commits",
    "pulls/list-reviews",
    "repos/create-commit-status",
    "repos/get-content",
    "teams/list-members-in-org",
)
_METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(spec: Mapping[str, Any], node: Any, depth: int = 0) -> Any:
    """Inline every ``$ref`` (the parts we keep are small and not recursive)."""
    if depth > 40:
        return {}
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = spec
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            return _resolve(spec, target, depth + 1)
        return {k: _resolve(spec, v, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(spec, v, depth + 1) for v in node]
    return node


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable: true`` as JSON Schema's ``type: [t, "null"]``."""
    if isinstance(node, dict):
        out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
        if node.get("nullable") is True and isinstance(node.get("type"), str):
            out["type"] = [node["type"], "null"]
        return out
    if isinstance(node, list):
        return [_nullable(v) for v in node]
    return node


def operation(spec: Mapping[str, Any], path: str, method: str) -> dict[str, Any]:
    """One operation, refs inlined, reduced to parameters and the JSON body schema."""
    item = spec["paths"][path]
    op = item[method]
    params = [_resolve(spec, p) for p in (*item.get("parameters", ()), *op.get("parameters", ()))]
    body = _resolve(spec, op.get("requestBody", {}))
    schema = body.get("content", {}).get("application/json", {}).get("schema")
    return {
        "operationId": op.get("operationId", ""),
        "method": method.upper(),
        "path": path,
        "parameters": [
            {
                "name": p["name"],
                "in": p["in"],
                "required": bool(p.get("required")),
                "schema": _nullable(p.get("schema", {})),
                # a file path or a ref such as heads/feature/x spans several segments
                "multi_segment": bool(p.get("x-multi-segment")),
            }
            for p in params
        ],
        "body_required": bool(body.get("required")),
        "body_schema": _nullable(schema) if schema is not None else None,
    }


def extract(spec: Mapping[str, Any], ids: tuple[str, ...] = OPERATIONS) -> list[dict[str, Any]]:
    """The operations named by ``ids``, sorted by id."""
    found = []
    for path, item in spec["paths"].items():
        for method in _METHODS:
            op = item.get(method)
            if isinstance(op, dict) and op.get("operationId") in ids:
                found.append(operation(spec, path, method))
    return sorted(found, key=lambda o: o["operationId"])


class RequestRejected(Exception):
    """The request does not match GitHub's REST description."""


class SpecValidator:
    """Validates (method, path, query, body) against a set of operations.

    ``lookup`` maps (method, template) to an operation; ``spec`` (optional) is the full
    description, whose operations are extracted lazily when first matched.
    """

    def __init__(
        self, ops: list[dict[str, Any]] | None = None, spec: Mapping[str, Any] | None = None
    ) -> None:
        self._spec = spec
        self._ops: dict[tuple[str, str], dict[str, Any]] = {}
        templates: list[tuple[str, str]] = []
        if ops is not None:
            for op in ops:
                self._ops[(op["method"], op["path"])] = op
                templates.append((op["method"], op["path"]))
        if spec is not None:
            templates = [
                (m.upper(), p) for p, item in spec["paths"].items() for m in _METHODS if m in item
            ]
        # literal segments win over parameters ("issues/comments/{id}" vs "issues/{n}/comments")
        templates.sort(key=lambda t: (-t[1].count("/"), t[1].count("{"), t[1]))
        self._templates = [(m, p, _template_regex(p)) for m, p in templates]

    def validate(self, method: str, path: str, query: str, body: bytes | None) -> str:
        """Return the operationId, or raise :class:`RequestRejected` saying what is wrong."""
        for tmethod, template, regex in self._templates:
            match = regex.fullmatch(path)
            if match and tmethod == method:
                op = self._op(method, template)
                _check_params(op, match.groupdict(), parse_qs(query, keep_blank_values=True))
                _check_body(op, body)
                return str(op["operationId"])
        raise RequestRejected(f"no operation {method} {path} in GitHub's REST description")

    def _op(self, method: str, template: str) -> dict[str, Any]:
        key = (method, template)
        if key not in self._ops:
            assert self._spec is not None
            self._ops[key] = operation(self._spec, template, method.lower())
        return self._ops[key]


def _template_regex(template: str) -> re.Pattern[str]:
    """The template as a regex; a last parameter named path or ref may hold slashes (GitHub
    marks those ``x-multi-segment``; :func:`_check_params` holds them to it)."""
    parts = re.split(r"(\{[^}]+\})", template)
    last = len(parts) - 2 if parts and parts[-1] == "" else -1
    pattern = "".join(
        (
            f"(?P<{_group(p[1:-1])}>.+)"
            if i == last and p in ("{path}", "{ref}")
            else f"(?P<{_group(p[1:-1])}>[^/]+)"
        )
        if p.startswith("{")
        else re.escape(p)
        for i, p in enumerate(parts)
    )
    return re.compile(pattern)


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _check_params(
    op: dict[str, Any], path_args: dict[str, str], query: dict[str, list[str]]
) -> None:
    declared = {p["name"]: p for p in op["parameters"] if p["in"] == "query"}
    for name in query:
        if name not in declared:
            raise RequestRejected(f"{op['operationId']}: unknown query parameter {name!r}")
    for p in op["parameters"]:
        if p["in"] == "path":
            value = path_args.get(_group(p["name"]), "")
            if "/" in value and not p.get("multi_segment"):
                raise RequestRejected(f"{op['operationId']}: {p['name']}={value!r} spans segments")
        elif p["in"] == "query" and p["name"] in query:
            value = query[p["name"]][0]
        else:
            if p["required"] and p["in"] == "query":
                raise RequestRejected(f"{op['operationId']}: missing query parameter {p['name']}")
            continue
        if p["schema"].get("type") == "integer" and not value.isdigit():
            raise RequestRejected(f"{op['operationId']}: {p['name']}={value!r} is not an integer")


def _check_body(op: dict[str, Any], body: bytes | None) -> None:
    if not body:
        if op["body_required"]:
            raise RequestRejected(f"{op['operationId']}: a JSON body is required")
        return
    if op["body_schema"] is None:
        raise RequestRejected(f"{op['operationId']}: takes no body")
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise RequestRejected(f"{op['operationId']}: body is not JSON: {exc}") from None
    try:
        jsonschema.validate(document, op["body_schema"])
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise RequestRejected(f"{op['operationId']}: body {where}: {exc.message}") from None


def main(argv: list[str]) -> int:
    """Regenerate the trimmed fixture from the corpus copy of the description."""
    corpus = os.environ.get("GATEKEEPER_CORPUS") or str(
        Path(__file__).resolve().parents[3] / "shared" / "corpus"
    )
    source = Path(argv[1]) if len(argv) > 1 else Path(corpus) / "specs" / SOURCE
    spec = json.loads(source.read_text(encoding="utf-8"))
    document = {
        "source": f"github/rest-api-description {spec['info']['version']} ({SOURCE}), "
        "operations used by gatekeeper only; MIT licence, see github-rest-ops.LICENSE",
        "operations": extract(spec),
    }
    FIXTURE.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(document['operations'])} operations to {FIXTURE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
