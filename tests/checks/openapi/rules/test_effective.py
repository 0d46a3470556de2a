"""Properties judged on the effective object of an ``allOf`` composition: the schema's own
properties and ``required`` together with those of its branches."""

from __future__ import annotations

import re
from typing import Any

import yaml

from gatekeeper.checks.openapi import OpenAPICheck
from gatekeeper.model import Finding
from gatekeeper.testing import run_check

_HEAD = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}}


def _ok(ref: str) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": ref}}}
    return {"responses": {"200": {"description": "ok", "content": content}}}


def _takes(ref: str) -> dict[str, Any]:
    body = {"content": {"application/json": {"schema": {"$ref": ref}}}}
    return {"requestBody": body, "responses": {"204": {"description": "done"}}}


def _files(
    visit: dict[str, Any], orphan: dict[str, Any], *, request: bool = False
) -> dict[str, str]:
    """Shlink's layout: the spec's operations reach schema files by relative ``$ref``."""
    use = _takes if request else _ok
    verb = "post" if request else "get"
    paths = {
        "/visits": {verb: use("./defs/Visit.yaml")},
        "/visits/orphan": {verb: use("./defs/OrphanVisit.yaml")},
    }
    return {
        "openapi.yaml": yaml.safe_dump({**_HEAD, "paths": paths}),
        "defs/Visit.yaml": yaml.safe_dump(visit),
        "defs/OrphanVisit.yaml": yaml.safe_dump(orphan),
    }


def _visit(required: list[str], **extra: Any) -> dict[str, Any]:
    props = {"date": {"type": "string"}, **extra}
    return {"type": "object", "required": required, "properties": props}


def _orphan(required: list[str], **props: Any) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "allOf": [{"$ref": "./Visit.yaml"}],
        "properties": {"type": {"type": "string"}, **props},
    }


URL = {"type": ["string", "null"]}


def _run(base: dict[str, str], head: dict[str, str]) -> list[Finding]:
    return run_check(OpenAPICheck(), base, head)


def _on(findings: list[Finding], endpoint: str) -> set[str]:
    """Rules found on an endpoint, alone or in a group of operations sharing a schema."""
    named = re.compile(re.escape(endpoint) + "[:,)]")
    return {f.rule for f in findings if named.search(f.message)} - {"api-version-not-bumped"}


def test_a_property_moved_into_the_allof_base_is_not_removed_from_the_composition() -> None:
    # shlink 6fe269193a: visitedUrl moves from OrphanVisit into Visit, required both times
    base = _files(_visit(["date"]), _orphan(["url", "type"], url=URL))
    head = _files(_visit(["date", "url"], url=URL), _orphan(["type"]))
    found = _run(base, head)
    assert _on(found, "GET /visits/orphan") == set(), [f.message for f in found]
    # a plain visit really gains the property
    assert _on(found, "GET /visits") == {"response-required-property-added"}


def test_a_property_removed_from_the_allof_base_and_not_readded_is_removed() -> None:
    base = _files(_visit(["date", "url"], url=URL), _orphan(["type"]))
    head = _files(_visit(["date"]), _orphan(["type"]))
    found = _run(base, head)
    assert "response-required-property-removed" in _on(found, "GET /visits/orphan")
    assert "response-required-property-removed" in _on(found, "GET /visits")


def test_required_moved_from_the_composition_into_its_branch_changes_nothing() -> None:
    base = _files(_visit(["date"], url=URL), _orphan(["url", "type"]))
    head = _files(_visit(["date", "url"], url=URL), _orphan(["type"]))
    found = _run(base, head)
    assert _on(found, "GET /visits/orphan") == set(), [f.message for f in found]
    assert _on(found, "GET /visits") == {"response-property-became-required"}


def test_required_dropped_from_both_the_composition_and_its_branch_is_optional() -> None:
    base = _files(_visit(["date", "url"], url=URL), _orphan(["url", "type"]))
    head = _files(_visit(["date"], url=URL), _orphan(["type"]))
    found = _run(base, head)
    orphan = [f for f in found if "GET /visits/orphan" in f.message]
    assert {f.rule for f in orphan} == {"response-property-became-optional"}
    # judged once, on the composition's own path, not once per schema object
    assert len(orphan) == 1 and "'url'" in orphan[0].message


def test_required_in_the_branch_only_for_a_property_of_the_composition() -> None:
    # the composition defines `type`; its branch starts requiring it: required for clients
    base = _files(_visit(["date"]), _orphan([]))
    head = _files(_visit(["date", "type"]), _orphan([]))
    found = _run(base, head)
    assert _on(found, "GET /visits/orphan") == {"response-property-became-required"}


def test_a_request_property_moved_into_the_allof_base_is_neither_removed_nor_new() -> None:
    base = _files(_visit(["date"]), _orphan(["url", "type"], url=URL), request=True)
    head = _files(_visit(["date", "url"], url=URL), _orphan(["type"]), request=True)
    found = _run(base, head)
    assert _on(found, "POST /visits/orphan") == set(), [f.message for f in found]
    assert _on(found, "POST /visits") == {"new-required-request-property"}


def test_a_request_property_required_through_a_branch_became_required() -> None:
    base = _files(_visit(["date"], url=URL), _orphan(["type"]), request=True)
    head = _files(_visit(["date", "url"], url=URL), _orphan(["type"]), request=True)
    found = _run(base, head)
    assert _on(found, "POST /visits/orphan") == {"request-property-became-required"}


def test_a_request_property_removed_from_the_composition_and_its_branches_is_removed() -> None:
    base = _files(_visit(["date"]), _orphan(["type"], url=URL), request=True)
    head = _files(_visit(["date"]), _orphan(["type"]), request=True)
    assert "request-property-removed" in _on(_run(base, head), "POST /visits/orphan")


def test_a_moved_property_whose_definition_changed_is_still_compared() -> None:
    narrow = {"type": "string", "enum": ["a", "b"]}
    base = _files(_visit(["date"]), _orphan(["type"], kind=narrow), request=True)
    head = _files(
        _visit(["date"], kind={"type": "string", "enum": ["a"]}), _orphan(["type"]), request=True
    )
    found = _run(base, head)
    assert "request-property-enum-value-removed" in _on(found, "POST /visits/orphan")
    assert "request-property-removed" not in _on(found, "POST /visits/orphan")
