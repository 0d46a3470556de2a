"""Fast validation of a head spec: the OpenAPI JSON Schema (via jsonschema-rs) plus the
semantic checks the engine can make from its own model.

Full openapi-spec-validator validation costs tens of seconds on large specs; structural
validation against the same bundled JSON Schemas takes milliseconds and catches what
breaks tooling (wrong types, missing required fields, unknown keys where forbidden).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from gatekeeper.checks.interface import CheckError
from gatekeeper.checks.openapi.load import line_of
from gatekeeper.checks.openapi.model import Spec

#: how many structural errors to report per spec (the first ones say enough)
MAX_ERRORS = 20


@dataclass(frozen=True, slots=True)
class Invalid:
    """One validation problem, located in the spec when possible."""

    message: str
    pointer: str
    line: int | None
    #: why the problem breaks no client (a warning then); empty when it may
    harmless: str = ""


@lru_cache(maxsize=4)
def _validator(version: str) -> Any:
    import importlib.util

    import jsonschema_rs

    # locate the schemas bundled with openapi-spec-validator without importing it (slow)
    found = importlib.util.find_spec("openapi_spec_validator")
    if found is None or found.origin is None:  # pragma: no cover - a declared dependency
        raise CheckError(
            "openapi-spec-validator is not installed; pip install openapi-spec-validator"
        )
    folder = {"2.0": "v2.0", "3.0": "v3.0", "3.1": "v3.1", "3.2": "v3.2"}[version]
    path = Path(found.origin).parent / "resources" / "schemas" / folder / "schema.json"
    return jsonschema_rs.validator_for(json.loads(path.read_text(encoding="utf-8")))


def _locate(root: Any, parts: list[Any]) -> int | None:
    node, line = root, line_of(root)
    for raw in parts:
        # jsonschema-rs reports a mapping key that looks like a number ("200") as an int
        part = str(raw) if isinstance(node, dict) and isinstance(raw, int) else raw
        if isinstance(node, dict) and part in node:
            line = line_of(node, str(part)) or line
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            line = line_of(node) or line
        else:
            break
    return line


def _leaves(error: Any) -> list[Any]:
    """The innermost errors under a oneOf/anyOf failure (itself when it has none)."""
    context = getattr(error.kind, "context", None)
    if not context:
        return [error]
    return [leaf for branch in context for sub in branch for leaf in _leaves(sub)]


def _most_specific(error: Any) -> Any:
    """The error that says what is wrong, not "matches none of the alternatives".

    A oneOf failure's own message is the whole offending node as JSON; the deepest of
    its branches' errors names the key at fault. The "is a $ref" branch fails on every
    node, so it only wins when nothing deeper does.
    """
    leaves = _leaves(error)
    return max(
        leaves,
        key=lambda e: (len(list(e.instance_path)), type(e.kind).__name__ != "Required"),
    )


def _message(error: Any) -> str:
    if type(error.kind).__name__ == "Not":
        # jsonschema-rs renders a failed "not" as the whole forbidden subschema
        return "has a shape the OpenAPI schema forbids here (e.g. only x- extensions)"
    return _short(error.message)


def structural(spec: Spec) -> list[Invalid]:
    """Errors of the document against the OpenAPI JSON Schema of its version.

    One problem per location: a node that breaks two constraints (``responses: {}`` is
    both empty and not a valid mapping) reads as one mistake to whoever fixes it.
    """
    out: dict[str, Invalid] = {}
    text = spec.doc.texts.get(spec.doc.path)
    json_lines = None
    for raw in _validator(spec.version).iter_errors(spec.doc.root):
        error = _most_specific(raw)
        parts = list(error.instance_path)
        pointer = "/" + "/".join(str(p) for p in parts)
        if pointer in out:
            continue
        line = _locate(spec.doc.root, parts)
        if line is None and text is not None:  # JSON: follow the pointer through the text
            from gatekeeper.checks.openapi.locate import JsonLines

            json_lines = json_lines or JsonLines(text)
            line = json_lines.lines([tuple(parts)])[tuple(parts)]
        if line is None and len(parts) >= 2 and parts[0] == "paths":
            line = spec.path_line(str(parts[1]))
        out[pointer] = Invalid(_message(error), pointer, line, _harmless(spec.doc.root, parts))
        if len(out) >= MAX_ERRORS:
            break
    return sorted(out.values(), key=lambda i: (i.line or 0, i.pointer, i.message))


#: why a path parameter's ``required: false`` breaks nothing
PATH_PARAMETER_OPTIONAL = (
    "a path parameter is required by its place in the path template whatever this flag says "
    "(OpenAPI wants it written true; generators such as zod-openapi write false for an "
    "optional schema), so no client or server reads it differently: a warning"
)


def _harmless(root: Any, parts: list[Any]) -> str:
    """Why the error at ``parts`` breaks no client: a path parameter marked ``required:
    false``, which its place in the template makes required anyway (useSend 2fe2d5cdab)."""
    if len(parts) < 3 or parts[-1] != "required" or parts[-3] != "parameters":
        return ""
    node = root
    for part in parts[:-1]:
        if isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return ""
    if isinstance(node, dict) and node.get("in") == "path" and node.get("required") is False:
        return PATH_PARAMETER_OPTIONAL
    return ""


def _short(message: str) -> str:
    return message if len(message) <= 200 else message[:197] + "..."


def semantic(spec: Spec) -> list[Invalid]:
    """What the schema cannot say: operations without responses, duplicate operationIds."""
    out = []
    seen: dict[str, str] = {}
    for (_key, _method), op in sorted(spec.operations.items()):
        if not op.responses:
            out.append(
                Invalid(
                    f"{op.label} declares no responses", f"/paths/{op.path}/{op.method}", op.line
                )
            )
        op_id = op.node.get("operationId")
        if isinstance(op_id, str):
            if op_id in seen:
                out.append(
                    Invalid(
                        f"operationId {op_id!r} of {op.label} is also used by {seen[op_id]}",
                        f"/paths/{op.path}/{op.method}",
                        op.line,
                    )
                )
            else:
                seen[op_id] = op.label
    return out
